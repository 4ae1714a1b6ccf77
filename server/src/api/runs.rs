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
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    record(&state, &id).await.map(Json)
}

/// Body of a retry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryBody {
    /// `failed` (default: finished steps are kept) or `start`.
    #[serde(default)]
    from: RetryFrom,
    /// `same` (default) or `latest` published version.
    #[serde(default)]
    version: RetryVersion,
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RetryFrom {
    #[default]
    Failed,
    Start,
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RetryVersion {
    #[default]
    Same,
    Latest,
}

/// `POST /api/v1/runs/{id}/retry` with `{ "from": "failed"|"start", "version": "same"|"latest" }`.
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
