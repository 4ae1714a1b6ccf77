//! `GET /api/v1/flows/{id}/rejections`: the webhook deliveries the flow's trigger refused, so a
//! user can see why a platform's calls start nothing (a wrong secret, a URL without its token).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;

/// Query of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectionsQuery {
    /// At most this many, newest first (default 20, at most 50).
    limit: Option<u32>,
}

/// The refused deliveries of a flow, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}/rejections",
    tag = "flows",
    operation_id = "listFlowRejections",
    summary = "Refused webhook deliveries",
    description = "Webhook requests the flow's trigger refused (401 bad or missing signature or \
        token, 400 unreadable body, 415 content type), newest first: when, the status and reason \
        answered, and the request with credentials redacted and the body cut to 4 KiB. The newest \
        50 per flow are kept.",
    params(("id" = String, Path, description = "The flow's id."), RejectionsQuery),
    responses(
        (status = 200, description = "The refusals.", body = doc::Rejections),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RejectionsQuery>,
) -> Result<Json<Value>, ApiError> {
    let store = state.runtime.store();
    store
        .get_flow(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("flow_not_found", format!("no flow with id `{id}`")))?;
    let limit = q.limit.unwrap_or(20).clamp(1, crate::rejections::KEEP_PER_FLOW);
    let rejections = store.rejections(&id, limit).await?;
    Ok(Json(json!({ "rejections": rejections })))
}
