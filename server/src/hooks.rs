//! Webhooks: `POST /hooks/{flow}` stores the event and its queued run before answering 202;
//! `/sync` waits for the flow's `respond` step (or its end); `/test` runs the draft and keeps its
//! sample data; `/hooks/resume/{token}` resumes a `wait` step.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};
use switchboard_engine::RunStatus;
use switchboard_engine::piece::{TriggerError, TriggerRequest};

use crate::api::json_body;
use crate::app::AppState;
use crate::error::ApiError;
use crate::runtime::SyncOutcome;
use crate::store::{Enqueued, NewRun, RawRequest};

/// Which variant of the hook was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Async,
    Sync,
    Test,
}

fn raw_request(
    method: &Method,
    headers: &HeaderMap,
    query: Vec<(String, String)>,
    body: &Bytes,
) -> RawRequest {
    RawRequest {
        method: method.as_str().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())
            })
            .collect(),
        query,
        body: body.to_vec(),
    }
}

fn trigger_error(e: TriggerError) -> ApiError {
    match e {
        TriggerError::Malformed(m) => ApiError::bad_request("malformed_body", m),
        TriggerError::UnsupportedContentType(t) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            format!("content type `{t}` is not accepted by this trigger"),
        ),
        TriggerError::Unauthorized(m) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m),
        TriggerError::Ignored(m) => ApiError::new(StatusCode::OK, "ignored", m),
    }
}

async fn ingest(
    state: &AppState,
    mode: Mode,
    flow_id: &str,
    method: Method,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(String, Enqueued, Option<tokio::sync::oneshot::Receiver<SyncOutcome>>), ApiError> {
    let arrived = std::time::Instant::now();
    let body = json_body::bytes(body)?;
    let store = state.runtime.store();
    let flow = store.get_flow(flow_id).await?.ok_or_else(|| {
        ApiError::not_found("flow_not_found", format!("no flow with id `{flow_id}`"))
    })?;
    let version = match mode {
        Mode::Test => None,
        Mode::Async | Mode::Sync => {
            if !flow.enabled {
                return Err(ApiError::not_found(
                    "flow_not_enabled",
                    format!(
                        "flow `{flow_id}` is not enabled: publish and enable it, or use /hooks/{flow_id}/test"
                    ),
                ));
            }
            flow.published_version
        }
    };
    let compiled = state.runtime.flows().get(flow_id, version).await.map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "flow_invalid", e.to_string())
    })?;
    let raw = raw_request(&method, &headers, query, &body);
    let request = TriggerRequest {
        method: raw.method.clone(),
        headers: raw.headers.clone(),
        query: raw.query.clone(),
        body: raw.body.clone(),
    };
    let event = state.runtime.engine().trigger_event(&compiled, &request).map_err(trigger_error)?;
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("header:{k}"))
        .or_else(|| event.dedupe_key.map(|k| format!("event:{k}")));
    let run_id = uuid::Uuid::new_v4().to_string();
    let waiter = (mode != Mode::Async).then(|| state.runtime.waiter(&run_id));
    let run = NewRun {
        id: run_id.clone(),
        flow_id: flow_id.to_owned(),
        version,
        trigger: event.output,
        raw: Some(raw),
        idempotency_key,
        resume_token: uuid::Uuid::new_v4().simple().to_string(),
        created_at: Utc::now(),
    };
    let enqueued = match state.runtime.submit(run).await {
        Ok(e) => e,
        Err(e) => {
            state.runtime.drop_waiter(&run_id);
            metrics::counter!(crate::telemetry::WEBHOOKS, "outcome" => "rejected").increment(1);
            return Err(e.into());
        }
    };
    metrics::histogram!(crate::telemetry::INGEST_SECONDS).record(arrived.elapsed().as_secs_f64());
    let outcome = if matches!(enqueued, Enqueued::Created) { "accepted" } else { "duplicate" };
    metrics::counter!(crate::telemetry::WEBHOOKS, "outcome" => outcome).increment(1);
    if let Enqueued::Existing { .. } = enqueued {
        state.runtime.drop_waiter(&run_id);
        return Ok((run_id, enqueued, None));
    }
    Ok((run_id, enqueued, waiter))
}

type QueryPairs = Query<Vec<(String, String)>>;

/// `POST /hooks/{flow_id}`: 202 `{ "run_id" }` once the run is durably stored.
pub async fn catch_async(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match ingest(&state, Mode::Async, &flow_id, method, headers, query, body).await {
        Ok((run_id, Enqueued::Created, _)) => {
            (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id }))).into_response()
        }
        Ok((_, Enqueued::Existing { run_id }, _)) => {
            (StatusCode::OK, Json(json!({ "run_id": run_id, "duplicate": true }))).into_response()
        }
        Err(e) => ignored_or(e),
    }
}

/// An `Ignored` trigger answer is a 200 that starts nothing.
fn ignored_or(e: ApiError) -> Response {
    if e.status() == StatusCode::OK {
        return (StatusCode::OK, Json(json!({ "ignored": true }))).into_response();
    }
    e.into_response()
}

/// `POST /hooks/{flow_id}/sync`: answers with the `respond` step's response, or the run's output.
pub async fn catch_sync(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (run_id, enqueued, waiter) =
        match ingest(&state, Mode::Sync, &flow_id, method, headers, query, body).await {
            Ok(x) => x,
            Err(e) => return ignored_or(e),
        };
    if let Enqueued::Existing { run_id } = enqueued {
        return existing_answer(&state, &run_id).await;
    }
    wait_and_answer(&state, &run_id, waiter, false).await
}

/// `POST /hooks/{flow_id}/test`: runs the draft, answers with the whole run record.
pub async fn catch_test(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (run_id, enqueued, waiter) =
        match ingest(&state, Mode::Test, &flow_id, method, headers, query, body).await {
            Ok(x) => x,
            Err(e) => return ignored_or(e),
        };
    if let Enqueued::Existing { run_id } = enqueued {
        return existing_answer(&state, &run_id).await;
    }
    wait_and_answer(&state, &run_id, waiter, true).await
}

async fn wait_and_answer(
    state: &AppState,
    run_id: &str,
    waiter: Option<tokio::sync::oneshot::Receiver<SyncOutcome>>,
    full_record: bool,
) -> Response {
    let Some(waiter) = waiter else { return existing_answer(state, run_id).await };
    let outcome = tokio::time::timeout(state.settings.sync_timeout, waiter).await;
    match outcome {
        Ok(Ok(SyncOutcome::Responded(r))) if !full_record => respond_with(r),
        Ok(Ok(_)) if full_record => {
            // The record is read back once the run's end is committed.
            for _ in 0..50 {
                match crate::api::runs::record(state, run_id).await {
                    Ok(v)
                        if !matches!(
                            v.get("status").and_then(Value::as_str),
                            Some("running" | "queued")
                        ) =>
                    {
                        return (StatusCode::OK, Json(v)).into_response();
                    }
                    Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
                    Err(e) => return e.into_response(),
                }
            }
            (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id, "status": "running" })))
                .into_response()
        }
        Ok(Ok(SyncOutcome::Ended(record))) => {
            let status = match record.status {
                RunStatus::Failed | RunStatus::Cancelled => StatusCode::INTERNAL_SERVER_ERROR,
                RunStatus::Paused => StatusCode::ACCEPTED,
                _ => StatusCode::OK,
            };
            (status, Json(json!({ "run_id": record.run_id, "status": record.status, "output": record.output, "error": record.error })))
                .into_response()
        }
        Ok(Ok(SyncOutcome::Responded(r))) => respond_with(r),
        Ok(Err(_)) | Err(_) => {
            state.runtime.drop_waiter(run_id);
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                format!("the flow did not respond in time; run `{run_id}` goes on"),
            )
            .into_response()
        }
    }
}

fn respond_with(r: switchboard_engine::exec::Response) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut headers = HeaderMap::new();
    for (k, v) in &r.headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str()))
        {
            headers.insert(name, value);
        }
    }
    let body = match r.body {
        Value::String(s) if !headers.contains_key("content-type") => {
            headers.insert("content-type", HeaderValue::from_static("text/plain; charset=utf-8"));
            s.into_bytes()
        }
        Value::String(s) => s.into_bytes(),
        other => {
            headers.entry("content-type").or_insert(HeaderValue::from_static("application/json"));
            serde_json::to_vec(&other).unwrap_or_default()
        }
    };
    (status, headers, body).into_response()
}

/// A duplicate delivery: answer with what the first run produced, if it has ended.
async fn existing_answer(state: &AppState, run_id: &str) -> Response {
    match state.runtime.store().get_run(run_id).await {
        Ok(Some(run)) => match run.response {
            Some(r) => respond_with(r),
            None => (StatusCode::OK, Json(json!({ "run_id": run_id, "status": run.status, "duplicate": true, "output": run.output }))).into_response(),
        },
        Ok(None) => (StatusCode::OK, Json(json!({ "run_id": run_id, "duplicate": true }))).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /hooks/resume/{token}`: the body becomes the waiting step's output.
pub async fn resume(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match json_body::bytes(body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("json"));
    let value = if body.is_empty() {
        json!({})
    } else if is_json {
        match json_body::parse::<Value>(&body) {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        }
    } else {
        json!({ "body": String::from_utf8_lossy(&body) })
    };
    match state.runtime.store().resume_wait(&token, &value).await {
        Ok(Some(run_id)) => {
            state.runtime.poke();
            (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id, "resumed": true })))
                .into_response()
        }
        Ok(None) => {
            ApiError::not_found("nothing_waiting", "no paused run waits on this resume URL")
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
