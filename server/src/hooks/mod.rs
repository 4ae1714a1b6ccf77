//! Webhooks: `POST /hooks/{flow}` stores the event and its queued run before answering 202;
//! `/sync` waits for the flow's `respond` step (or its end); `/test` runs the draft and keeps its
//! sample data; `/hooks/resume/{token}` resumes a `wait` step.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use switchboard_engine::RunStatus;
use switchboard_engine::piece::{TriggerError, TriggerRequest};

use crate::api::json_body;
use crate::app::AppState;
use crate::error::ApiError;
use crate::runtime::SyncOutcome;
use crate::store::{Enqueued, NewRun};

mod tool_answer;

/// Which variant of the hook was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Async,
    Sync,
    Test,
}

fn raw_request(
    public_url: &str,
    uri: &Uri,
    method: &Method,
    headers: &HeaderMap,
    query: Vec<(String, String)>,
    body: &Bytes,
) -> TriggerRequest {
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    TriggerRequest {
        url: Some(format!("{}{path}", public_url.trim_end_matches('/'))),
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
        TriggerError::Reply(body) => ApiError::reply(body),
    }
}

/// The parts of a webhook request, as the handlers extract them.
struct Incoming {
    uri: Uri,
    method: Method,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    body: Result<Bytes, BytesRejection>,
}

/// One run a request started (or found: a duplicate delivery).
struct IngestedRun {
    run_id: String,
    enqueued: Enqueued,
    /// Registered before submitting (sync and test modes) so the answer cannot be missed.
    waiter: Option<tokio::sync::oneshot::Receiver<SyncOutcome>>,
}

/// A request turned into runs: one per trigger event (a batch of tool calls gives several).
struct Ingested {
    runs: Vec<IngestedRun>,
    /// Set when the sender waits for an answer in its own format (a mid-call tool).
    answering: Option<tool_answer::Answering>,
}

async fn ingest(
    state: &AppState,
    mode: Mode,
    flow_id: &str,
    incoming: Incoming,
) -> Result<Ingested, ApiError> {
    let arrived = std::time::Instant::now();
    let body = json_body::bytes(incoming.body)?;
    let flow = state.runtime.flows().live(flow_id).await?.ok_or_else(|| {
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
    let request = raw_request(
        &state.settings.public_url,
        &incoming.uri,
        &incoming.method,
        &incoming.headers,
        incoming.query,
        &body,
    );
    let engine = state.runtime.engine();
    let mut events = match engine.trigger_events(&compiled, &request) {
        Ok(events) => events,
        Err(e) => {
            let error = trigger_error(e);
            state.rejections.record(flow_id, &error, &request);
            return Err(error);
        }
    };
    if events.is_empty() {
        return Err(ApiError::new(StatusCode::OK, "ignored", "the request holds no event"));
    }
    let answering = engine.trigger_answers(&compiled).map(|(_, deadline)| deadline);
    // A test run shows one run's record: the first event's.
    if mode == Mode::Test {
        events.truncate(1);
    }
    let header_key = incoming
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("header:{k}"));
    let batch = events.len() > 1;
    let waits = mode != Mode::Async || answering.is_some();
    let submissions = events.iter().enumerate().map(|(i, event)| {
        let idempotency_key = match (&header_key, batch) {
            (Some(k), false) => Some(k.clone()),
            (Some(k), true) => Some(format!("{k}#{i}")),
            (None, _) => event.dedupe_key.as_ref().map(|k| format!("event:{k}")),
        };
        let run = NewRun {
            raw: Some(request.clone()),
            idempotency_key,
            ..NewRun::new(flow_id, version, event.output.clone())
        };
        submit_one(state, run, waits)
    });
    let results = futures_util::future::join_all(submissions).await;
    metrics::histogram!(crate::telemetry::INGEST_SECONDS).record(arrived.elapsed().as_secs_f64());
    let mut runs = Vec::with_capacity(results.len());
    let mut failure = None;
    for r in results {
        match r {
            Ok(run) => runs.push(run),
            Err(e) => failure = Some(e),
        }
    }
    // A batch is all or nothing for the sender: it retries the whole request, and the runs
    // already stored answer that retry as duplicates.
    if let Some(e) = failure {
        for run in &runs {
            state.runtime.drop_waiter(&run.run_id);
        }
        return Err(e);
    }
    let answering = match answering {
        Some(deadline) if mode != Mode::Test => {
            Some(tool_answer::Answering { compiled, events, arrived, deadline: arrived + deadline })
        }
        _ => None,
    };
    Ok(Ingested { runs, answering })
}

/// Stores one run (registering its waiter first when the caller waits).
async fn submit_one(state: &AppState, run: NewRun, waits: bool) -> Result<IngestedRun, ApiError> {
    let run_id = run.id.clone();
    let waiter = waits.then(|| state.runtime.waiter(&run_id));
    let enqueued = match state.runtime.submit(run).await {
        Ok(e) => e,
        Err(e) => {
            state.runtime.drop_waiter(&run_id);
            metrics::counter!(crate::telemetry::WEBHOOKS, "outcome" => "rejected").increment(1);
            return Err(e.into());
        }
    };
    let outcome = if matches!(enqueued, Enqueued::Created) { "accepted" } else { "duplicate" };
    metrics::counter!(crate::telemetry::WEBHOOKS, "outcome" => outcome).increment(1);
    if let Enqueued::Existing { .. } = enqueued {
        state.runtime.drop_waiter(&run_id);
        return Ok(IngestedRun { run_id, enqueued, waiter: None });
    }
    Ok(IngestedRun { run_id, enqueued, waiter })
}

type QueryPairs = Query<Vec<(String, String)>>;

/// `POST /hooks/{flow_id}`: 202 `{ "run_id" }` once the run is durably stored.
#[utoipa::path(
    post,
    path = "/hooks/{flow_id}",
    tag = "webhooks",
    operation_id = "catchWebhook",
    summary = "Start a run",
    description = "Public. Starts a run of the flow's published version with the request as its \
        trigger event, and answers 202 as soon as the event and the queued run are durably \
        stored. The flow must be published and enabled.",
    params(
        ("flow_id" = String, Path, description = "The flow's id (see its `webhook_urls`)."),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "Deduplicates deliveries: a request whose key was already seen for this flow starts no run. Without it, the trigger's `dedupe_key` setting applies."),
        ("query" = Option<HashMap<String, String>>, Query, style = Form, explode, description = "Any query parameters: they become `trigger.query` (a repeated parameter becomes an array)."),
    ),
    request_body(
        description = "Any body, optional. The `webhook` trigger parses JSON (`application/json`, \
            `*/*+json`) as JSON, a form as an object, anything else as text (base64 when not \
            UTF-8); it becomes `trigger.body`, and the headers, query parameters and method \
            become `trigger.headers`, `trigger.query` and `trigger.method`.",
        content(
            ("application/json"),
            ("application/x-www-form-urlencoded"),
            ("text/plain"),
            ("*/*"),
        ),
    ),
    responses(
        (status = 202, description = "Stored; the run is queued (the status is `--webhook-ack-status`, 202 by default).", body = crate::api::openapi::schemas::WebhookAccepted),
        (status = 200, description = "No run started: a duplicate delivery (`duplicate`), or a request the trigger ignores (`ignored`).", body = crate::api::openapi::schemas::AsyncHookOk),
        (status = 400, description = "`malformed_body`: the trigger could not parse the body (e.g. invalid JSON with a JSON content type); or `unreadable_body`.", body = crate::api::openapi::schemas::ApiError),
        (status = 401, description = "`unauthorized`: the flow's webhook authentication (header secret or HTTP basic auth) failed; no run starts.", body = crate::api::openapi::schemas::ApiError),
        (status = 404, description = "`flow_not_found`, or `flow_not_enabled`: publish and enable the flow, or use `/hooks/{flow_id}/test`.", body = crate::api::openapi::schemas::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = crate::api::openapi::schemas::ApiError),
        (status = 415, description = "`unsupported_content_type`: the flow's trigger does not accept this content type.", body = crate::api::openapi::schemas::ApiError),
        (status = 422, description = "`flow_invalid`: the flow's published version does not compile.", body = crate::api::openapi::schemas::ApiError),
        (status = 503, description = "`store_unavailable`, or `not_stored`: nothing was stored; retry the request.", body = crate::api::openapi::schemas::ApiError),
    ),
)]
pub async fn catch_async(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let incoming = Incoming { uri, method, headers, query, body };
    match ingest(&state, Mode::Async, &flow_id, incoming).await {
        Ok(Ingested { runs, answering: Some(answering) }) => {
            tool_answer::answer(&state, answering, runs).await
        }
        Ok(Ingested { runs, answering: None }) => acknowledge(&state, &runs),
        Err(e) => ignored_or(e),
    }
}

/// The asynchronous answer: 202 with the run id (ids, for a batch), 200 for a duplicate.
fn acknowledge(state: &AppState, runs: &[IngestedRun]) -> Response {
    let created = runs.iter().any(|r| matches!(r.enqueued, Enqueued::Created));
    let id_of = |r: &IngestedRun| match &r.enqueued {
        Enqueued::Existing { run_id } => run_id.clone(),
        Enqueued::Created => r.run_id.clone(),
    };
    let mut body = json!({ "run_id": runs.first().map(id_of) });
    if runs.len() > 1 {
        body["run_ids"] = runs.iter().map(id_of).collect();
    }
    if !created {
        body["duplicate"] = json!(true);
        return (StatusCode::OK, Json(body)).into_response();
    }
    (state.settings.ack_status, Json(body)).into_response()
}

/// An `Ignored` trigger answer is a 200 that starts nothing; a handshake gets its reply.
fn ignored_or(e: ApiError) -> Response {
    if let Some(body) = e.reply_body() {
        return (StatusCode::OK, Json(body.clone())).into_response();
    }
    if e.status() == StatusCode::OK {
        return (StatusCode::OK, Json(json!({ "ignored": true }))).into_response();
    }
    e.into_response()
}

/// `POST /hooks/{flow_id}/sync`: answers with the `respond` step's response, or the run's output.
#[utoipa::path(
    post,
    path = "/hooks/{flow_id}/sync",
    tag = "webhooks",
    operation_id = "catchWebhookSync",
    summary = "Start a run and wait for its answer",
    description = "Public. Like `POST /hooks/{flow_id}`, then waits: answers with the response of \
        the flow's `respond` step as soon as one runs (any status, see `default`), otherwise with \
        the run's result when it ends (200 succeeded, 202 paused, 500 failed or cancelled). The \
        flow must be published and enabled.",
    params(
        ("flow_id" = String, Path, description = "The flow's id (see its `webhook_urls`)."),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "Deduplicates deliveries: a request whose key was already seen for this flow starts no run. Without it, the trigger's `dedupe_key` setting applies."),
        ("query" = Option<HashMap<String, String>>, Query, style = Form, explode, description = "Any query parameters: they become `trigger.query` (a repeated parameter becomes an array)."),
    ),
    request_body(
        description = "Any body, optional. The `webhook` trigger parses JSON (`application/json`, \
            `*/*+json`) as JSON, a form as an object, anything else as text (base64 when not \
            UTF-8); it becomes `trigger.body`, and the headers, query parameters and method \
            become `trigger.headers`, `trigger.query` and `trigger.method`.",
        content(
            ("application/json"),
            ("application/x-www-form-urlencoded"),
            ("text/plain"),
            ("*/*"),
        ),
    ),
    responses(
        (status = 200, description = "The run succeeded without a `respond` step; or a duplicate delivery whose first run has not answered; or a request the trigger ignores. (A `respond` step answering 200 is described under `default`.)", body = crate::api::openapi::schemas::SyncHookOk),
        (status = 202, description = "The run paused (a `delay` or `wait` step) before answering.", body = crate::api::openapi::schemas::SyncRunResult),
        (status = 500, description = "The run failed or was cancelled before answering.", body = crate::api::openapi::schemas::SyncRunResult),
        (status = 400, description = "`malformed_body`: the trigger could not parse the body (e.g. invalid JSON with a JSON content type); or `unreadable_body`.", body = crate::api::openapi::schemas::ApiError),
        (status = 401, description = "`unauthorized`: the flow's webhook authentication (header secret or HTTP basic auth) failed; no run starts.", body = crate::api::openapi::schemas::ApiError),
        (status = 404, description = "`flow_not_found`, or `flow_not_enabled`: publish and enable the flow, or use `/hooks/{flow_id}/test`.", body = crate::api::openapi::schemas::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = crate::api::openapi::schemas::ApiError),
        (status = 415, description = "`unsupported_content_type`: the flow's trigger does not accept this content type.", body = crate::api::openapi::schemas::ApiError),
        (status = 422, description = "`flow_invalid`: the flow's published version does not compile.", body = crate::api::openapi::schemas::ApiError),
        (status = 503, description = "`store_unavailable`, or `not_stored`: nothing was stored; retry the request.", body = crate::api::openapi::schemas::ApiError),
        (status = 504, description = "`timeout`: the flow did not answer within the sync timeout (`--sync-timeout`); the run goes on.", body = crate::api::openapi::schemas::ApiError),
        (status = "default", description = "A `respond` step's answer (also to a duplicate delivery, once the first run has answered): the status, headers and body the flow set. A text body is `text/plain; charset=utf-8` unless the flow set a content type; any other body is JSON.",
            content((serde_json::Value = "application/json"), (String = "text/plain; charset=utf-8"), ("*/*"))),
    ),
)]
pub async fn catch_sync(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let incoming = Incoming { uri, method, headers, query, body };
    catch_and_wait(&state, Mode::Sync, &flow_id, incoming).await
}

/// `POST /hooks/{flow_id}/test`: runs the draft, answers with the whole run record.
#[utoipa::path(
    post,
    path = "/hooks/{flow_id}/test",
    tag = "webhooks",
    operation_id = "catchWebhookTest",
    summary = "Test-run the draft",
    description = "Public. Runs the flow's draft (published or not, enabled or not) with the \
        request as its trigger event, waits for it to end or pause, and answers with the whole \
        run record. The steps' outputs become the flow's sample data.",
    params(
        ("flow_id" = String, Path, description = "The flow's id (see its `webhook_urls`)."),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, description = "Deduplicates deliveries: a request whose key was already seen for this flow starts no run. Without it, the trigger's `dedupe_key` setting applies."),
        ("query" = Option<HashMap<String, String>>, Query, style = Form, explode, description = "Any query parameters: they become `trigger.query` (a repeated parameter becomes an array)."),
    ),
    request_body(
        description = "Any body, optional. The `webhook` trigger parses JSON (`application/json`, \
            `*/*+json`) as JSON, a form as an object, anything else as text (base64 when not \
            UTF-8); it becomes `trigger.body`, and the headers, query parameters and method \
            become `trigger.headers`, `trigger.query` and `trigger.method`.",
        content(
            ("application/json"),
            ("application/x-www-form-urlencoded"),
            ("text/plain"),
            ("*/*"),
        ),
    ),
    responses(
        (status = 200, description = "The test run ended or paused: its record. Or a duplicate delivery whose first run has not answered, or a request the trigger ignores.", body = crate::api::openapi::schemas::TestHookOk),
        (status = 202, description = "The run ended but its record could not be read back in time: read it with `GET /api/v1/runs/{id}`.", body = crate::api::openapi::schemas::StillRunning),
        (status = 400, description = "`malformed_body`: the trigger could not parse the body (e.g. invalid JSON with a JSON content type); or `unreadable_body`.", body = crate::api::openapi::schemas::ApiError),
        (status = 401, description = "`unauthorized`: the flow's webhook authentication (header secret or HTTP basic auth) failed; no run starts.", body = crate::api::openapi::schemas::ApiError),
        (status = 404, description = "`flow_not_found`; or `run_not_found` when reading the record back.", body = crate::api::openapi::schemas::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = crate::api::openapi::schemas::ApiError),
        (status = 415, description = "`unsupported_content_type`: the flow's trigger does not accept this content type.", body = crate::api::openapi::schemas::ApiError),
        (status = 422, description = "`flow_invalid`: the flow's draft does not compile.", body = crate::api::openapi::schemas::ApiError),
        (status = 503, description = "`store_unavailable`, or `not_stored`: nothing was stored; retry the request.", body = crate::api::openapi::schemas::ApiError),
        (status = 504, description = "`timeout`: the flow did not answer within the sync timeout (`--sync-timeout`); the run goes on.", body = crate::api::openapi::schemas::ApiError),
        (status = "default", description = "A `respond` step's answer (also to a duplicate delivery, once the first run has answered): the status, headers and body the flow set. A text body is `text/plain; charset=utf-8` unless the flow set a content type; any other body is JSON.",
            content((serde_json::Value = "application/json"), (String = "text/plain; charset=utf-8"), ("*/*"))),
    ),
)]
pub async fn catch_test(
    State(state): State<AppState>,
    Path(flow_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryPairs,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let incoming = Incoming { uri, method, headers, query, body };
    catch_and_wait(&state, Mode::Test, &flow_id, incoming).await
}

/// Stores the event, then waits for the run's response (sync) or its whole record (test).
async fn catch_and_wait(
    state: &AppState,
    mode: Mode,
    flow_id: &str,
    incoming: Incoming,
) -> Response {
    let Ingested { runs, answering } = match ingest(state, mode, flow_id, incoming).await {
        Ok(x) => x,
        Err(e) => return ignored_or(e),
    };
    if let Some(answering) = answering {
        return tool_answer::answer(state, answering, runs).await;
    }
    let mut runs = runs.into_iter();
    let Some(first) = runs.next() else {
        return (StatusCode::OK, Json(json!({ "ignored": true }))).into_response();
    };
    // A batch answers with its first run; the others go on without a waiter.
    for other in runs {
        state.runtime.drop_waiter(&other.run_id);
    }
    if let Enqueued::Existing { run_id } = first.enqueued {
        return existing_answer(state, &run_id).await;
    }
    wait_and_answer(state, &first.run_id, first.waiter, mode == Mode::Test).await
}

/// Waits for a run's response (or, with `full_record`, its whole record once it ends or pauses).
pub(crate) async fn wait_and_answer(
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

pub(super) fn respond_with(r: switchboard_engine::exec::Response) -> Response {
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
#[utoipa::path(
    post,
    path = "/hooks/resume/{token}",
    tag = "webhooks",
    operation_id = "resumeRun",
    summary = "Resume a waiting run",
    description = "Public. Resumes the paused run whose `wait` step has this resume token (its \
        `pauses[].resume_token`); the body becomes the step's output.",
    params(("token" = String, Path, description = "The `wait` step's resume token.")),
    request_body(
        description = "Optional. A JSON body (a content type containing `json`) becomes the step's \
            output as is; any other body becomes `{ \"body\": \"<text>\" }`; no body becomes `{}`.",
        content(("application/json"), ("*/*")),
    ),
    responses(
        (status = 202, description = "The run resumes.", body = crate::api::openapi::schemas::Resumed),
        (status = 400, description = "`malformed_json`: a JSON content type with a body that is not JSON; or `unreadable_body`.", body = crate::api::openapi::schemas::ApiError),
        (status = 404, description = "`nothing_waiting`: no paused run waits on this token.", body = crate::api::openapi::schemas::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = crate::api::openapi::schemas::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = crate::api::openapi::schemas::ApiError),
    ),
)]
pub async fn resume(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): QueryPairs,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match json_body::bytes(body) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let content_type =
        headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let mut value = if body.is_empty() {
        json!({})
    } else if content_type.contains("json") {
        match json_body::parse::<Value>(&body) {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        }
    } else if is_form {
        let pairs: Vec<(String, String)> = url_form_pairs(&body);
        Value::Object(switchboard_engine::pieces::pairs_to_object(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    } else {
        json!({ "body": String::from_utf8_lossy(&body) })
    };
    // Query parameters (an approval link's `decision=approved`) join an object body.
    if let Value::Object(fields) = &mut value {
        for (k, v) in query {
            fields.entry(k).or_insert(Value::String(v));
        }
    }
    let browser = is_form
        && headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    match state.runtime.store().resume_wait(&token, &value).await {
        Ok(Some(_)) if browser => {
            state.runtime.poke();
            page(StatusCode::OK, "Thank you", "Your answer was recorded. You can close this page.")
        }
        Ok(Some(run_id)) => {
            state.runtime.poke();
            (StatusCode::ACCEPTED, Json(json!({ "run_id": run_id, "resumed": true })))
                .into_response()
        }
        Ok(None) if browser => page(
            StatusCode::NOT_FOUND,
            "Nothing to answer",
            "This link was already used, or what it answered no longer waits.",
        ),
        Ok(None) => {
            ApiError::not_found("nothing_waiting", "no paused run waits on this resume URL")
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn url_form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// `GET /hooks/resume/{token}`: the page an approval link opens. It only asks for confirmation
/// (a form that POSTs the same answer): mail scanners and link previews fetch links by
/// themselves, and must not answer for the person.
#[utoipa::path(
    get,
    path = "/hooks/resume/{token}",
    tag = "webhooks",
    operation_id = "confirmResume",
    summary = "Confirm an approval link",
    description = "Public. An HTML page asking the person to confirm the answer in the link's         query (e.g. `?decision=approved`); confirming POSTs it to the same URL as a form, which         resumes the run with the query's fields as the wait step's output.",
    params(("token" = String, Path, description = "The `wait` step's resume token.")),
    responses((status = 200, description = "The confirmation page.", body = String, content_type = "text/html; charset=utf-8")),
)]
pub async fn confirm_resume(Path(token): Path<String>, Query(query): QueryPairs) -> Response {
    let answer: Vec<String> =
        query.iter().map(|(k, v)| format!("{}: {}", html_escape(k), html_escape(v))).collect();
    let action = format!(
        "{}{}",
        html_escape(&token),
        if query.is_empty() {
            String::new()
        } else {
            format!("?{}", html_escape(&serde_urlencoded::to_string(&query).unwrap_or_default()))
        }
    );
    let body = format!(
        "<p>Send this answer?</p><p><strong>{}</strong></p>\
         <form method=\"post\" action=\"{action}\"><button type=\"submit\">Confirm</button></form>",
        if answer.is_empty() { "(no details)".to_owned() } else { answer.join("<br>") }
    );
    page_html(StatusCode::OK, "Confirm", &body)
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    page_html(status, title, &format!("<p>{}</p>", html_escape(text)))
}

fn page_html(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.5rem 1.5rem}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = html_escape(title)
    );
    (status, [("content-type", "text/html; charset=utf-8")], html).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
