//! Runs: list with filters and pagination, the run record, retry, cancel.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use switchboard_engine::exec::{StepRecord, StepStatus};

use super::json_body;
use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;
use crate::store::{RunQuery, RunRow};

fn summary(r: &RunRow) -> Value {
    json!({
        "run_id": r.id,
        "flow_id": r.flow_id,
        "version": r.version,
        "test": r.version.is_none(),
        "status": r.status,
        "error": r.error,
        "created_at": r.created_at,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "duration_ms": r.duration_ms,
    })
}

/// `GET /api/v1/runs?flow_id=&status=&since=&until=&limit=&cursor=`.
#[utoipa::path(
    get,
    path = "/api/v1/runs",
    tag = "runs",
    operation_id = "listRuns",
    summary = "List runs",
    description = "Runs, newest first, optionally filtered, a page at a time: pass `next_cursor` \
        as `cursor` for the next page.",
    params(
        ("flow_id" = Option<String>, Query, description = "Only runs of this flow."),
        ("status" = Option<doc::RunStatus>, Query, description = "Only runs with this status."),
        ("since" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Only runs created at or after this time (RFC 3339)."),
        ("until" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Only runs created before this time (RFC 3339)."),
        ("limit" = Option<u32>, Query, description = "Page size: default 50; values are clamped to 1..=500."),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of runs.", body = doc::RunList),
        (status = 400, description = "A query parameter does not parse (unknown `status`, a time that is not RFC 3339, a `limit` that is not a non-negative integer).", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<RunQuery>,
) -> Result<Json<Value>, ApiError> {
    let (runs, next) = state.runtime.store().list_runs(&q).await?;
    Ok(Json(json!({ "runs": runs.iter().map(summary).collect::<Vec<_>>(), "next_cursor": next })))
}

/// The run record (DESIGN §2): top-level steps by id, loops holding their iterations.
pub(crate) async fn record(state: &AppState, id: &str) -> Result<Value, ApiError> {
    let run =
        state.runtime.store().get_run(id).await?.ok_or_else(|| {
            ApiError::not_found("run_not_found", format!("no run with id `{id}`"))
        })?;
    let journal = state.runtime.store().run_steps(id).await?;
    // Top-level step ids are identifiers; loop-body paths contain `[`.
    let mut steps: BTreeMap<String, StepRecord> =
        journal.into_iter().filter(|(p, _)| !p.contains('[')).collect();
    if let Ok(flow) = state.runtime.flows().get(&run.flow_id, run.version).await {
        let trigger_id = flow.flow().trigger.id.clone();
        let mut t = StepRecord::skipped("");
        t.status = StepStatus::Succeeded;
        t.reason = None;
        t.attempts = 1;
        t.started_at = run.created_at;
        t.output = Some(run.trigger.clone());
        steps.insert(trigger_id, t);
    }
    let mut v = summary(&run);
    if let Some(o) = v.as_object_mut() {
        o.insert("steps".into(), json!(steps));
        o.insert("response".into(), json!(run.response));
        o.insert("output".into(), json!(run.output));
        o.insert("pauses".into(), json!(run.pauses));
        if run.started_at.is_some() {
            o.insert("started_at".into(), json!(run.started_at));
        }
    }
    Ok(v)
}

/// `GET /api/v1/runs/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/runs/{id}",
    tag = "runs",
    operation_id = "getRun",
    summary = "Get a run record",
    description = "The run with each top-level step's record (the trigger's included), its \
        response, output and pauses.",
    params(("id" = String, Path, description = "The run's id.")),
    responses(
        (status = 200, description = "The run record.", body = doc::RunRecord),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`run_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    record(&state, &id).await.map(Json)
}

/// Body of a retry.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryBody {
    /// `failed` (default: finished steps are kept) or `start`.
    #[serde(default)]
    from: RetryFrom,
    /// `same` (default) or `latest` published version.
    #[serde(default)]
    version: RetryVersion,
}

/// Where a retry starts.
#[derive(Debug, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum RetryFrom {
    /// Keep the steps that finished; run the failed and the rest again.
    #[default]
    Failed,
    /// Run every step again.
    Start,
}

/// Which version a retry runs.
#[derive(Debug, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum RetryVersion {
    /// The version the run ran.
    #[default]
    Same,
    /// The flow's latest published version.
    Latest,
}

/// `POST /api/v1/runs/{id}/retry` with `{ "from": "failed"|"start", "version": "same"|"latest" }`.
#[utoipa::path(
    post,
    path = "/api/v1/runs/{id}/retry",
    tag = "runs",
    operation_id = "retryRun",
    summary = "Retry a run",
    description = "Queues a finished run again, under the same id: from the failed step (finished \
        steps are kept) or from the start, on the same or the latest published version. An \
        empty body means `{ \"from\": \"failed\", \"version\": \"same\" }`.",
    params(("id" = String, Path, description = "The run's id.")),
    // A `ref` keeps the body optional (`Option<RetryBody>` would also allow a JSON `null`, which
    // the handler rejects); `RetryBody` is registered in `ApiDoc`'s components.
    request_body(
        content = ref("#/components/schemas/RetryBody"),
        content_type = "application/json",
        description = "Optional: where to start and which version to run.",
    ),
    responses(
        (status = 202, description = "The run is queued again.", body = doc::RetryAccepted),
        (status = 400, description = "`malformed_json`: the body is not JSON of this schema (syntax, unknown fields, unknown values); or `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`run_not_found`.", body = doc::ApiError),
        (status = 409, description = "`not_published`: `version` is `latest` and the flow has no published version; or `not_retryable`: the run has not finished.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_body::bytes(body)?;
    let req: RetryBody =
        if body.is_empty() { RetryBody::default() } else { json_body::parse(&body)? };
    let run =
        state.runtime.store().get_run(&id).await?.ok_or_else(|| {
            ApiError::not_found("run_not_found", format!("no run with id `{id}`"))
        })?;
    let version = match req.version {
        RetryVersion::Same => None,
        RetryVersion::Latest => {
            let flow = state.runtime.store().get_flow(&run.flow_id).await?;
            match flow.and_then(|f| f.published_version) {
                Some(v) => Some(v),
                None => {
                    return Err(ApiError::conflict(
                        "not_published",
                        "the flow has no published version",
                    ));
                }
            }
        }
    };
    if !state.runtime.store().retry(&id, req.from == RetryFrom::Start, version).await? {
        return Err(ApiError::conflict(
            "not_retryable",
            format!("run `{id}` is {:?}: only finished runs can be retried", run.status)
                .to_lowercase(),
        ));
    }
    state.runtime.poke();
    Ok((StatusCode::ACCEPTED, Json(json!({ "run_id": id, "status": "queued" }))))
}

/// `POST /api/v1/runs/{id}/cancel`.
#[utoipa::path(
    post,
    path = "/api/v1/runs/{id}/cancel",
    tag = "runs",
    operation_id = "cancelRun",
    summary = "Cancel a run",
    description = "Cancels a queued, running or paused run.",
    params(("id" = String, Path, description = "The run's id.")),
    responses(
        (status = 202, description = "The run is cancelled.", body = doc::CancelAccepted),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`run_not_found`.", body = doc::ApiError),
        (status = 409, description = "`not_cancellable`: the run has already ended.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if state.runtime.store().cancel(&id).await? {
        state.runtime.cancel_local(&id);
        return Ok((StatusCode::ACCEPTED, Json(json!({ "run_id": id, "status": "cancelled" }))));
    }
    match state.runtime.store().get_run(&id).await? {
        Some(r) => Err(ApiError::conflict(
            "not_cancellable",
            format!("run `{id}` has already ended ({:?})", r.status).to_lowercase(),
        )),
        None => Err(ApiError::not_found("run_not_found", format!("no run with id `{id}`"))),
    }
}
