//! The pieces catalog: what the editor draws its picker and forms from.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::app::AppState;

/// `GET /api/v1/pieces`.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let pieces: Vec<_> =
        state.runtime.engine().registry().iter().map(|p| p.meta().clone()).collect();
    Json(json!({ "pieces": pieces }))
}
