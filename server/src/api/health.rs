//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::openapi::schemas as doc;
use crate::app::AppState;

/// `GET /healthz`: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    operation_id = "getHealth",
    summary = "Liveness",
    description = "Answers 200 as long as the process serves HTTP; it does not touch the database \
        (see `/readyz`).",
    responses(
        (status = 200, description = "The process answers.", body = doc::Healthy),
    ),
)]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "system",
    operation_id = "getReadiness",
    summary = "Readiness",
    description = "Answers 200 with the number of queued runs when the database answers, 503 \
        otherwise.",
    responses(
        (status = 200, description = "The database answers.", body = doc::Ready),
        (status = 503, description = "The database does not answer.", body = doc::NotReady),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.runtime.store().queue_depth().await {
        Ok(depth) => (StatusCode::OK, Json(json!({ "status": "ready", "queued_runs": depth }))),
        Err(e) => {
            tracing::warn!("readiness: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database" })),
            )
        }
    }
}
