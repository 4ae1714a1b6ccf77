//! The pieces catalog: what the editor draws its picker and forms from.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::openapi::schemas as doc;
use crate::app::AppState;

/// `GET /api/v1/pieces`.
#[utoipa::path(
    get,
    path = "/api/v1/pieces",
    tag = "pieces",
    operation_id = "listPieces",
    summary = "The pieces catalog",
    description = "Every piece with its actions, triggers and their props: what the editor draws \
        its picker and forms from, and what flows are validated against.",
    responses(
        (status = 200, description = "The pieces.", body = doc::PieceList),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable (checking the credentials); try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let pieces: Vec<_> =
        state.runtime.engine().registry().iter().map(|p| p.meta().clone()).collect();
    Json(json!({ "pieces": pieces }))
}
