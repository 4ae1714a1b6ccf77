//! Connections: piece credentials, encrypted at rest. Their values are write-only: no response
//! ever contains them, only the names of the fields.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::ConnectionRow;

/// A connection as the API accepts it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionInput {
    name: String,
    piece: Option<String>,
    #[serde(default)]
    values: Option<Map<String, Value>>,
}

fn view(c: &ConnectionRow) -> Value {
    json!({ "id": c.id, "name": c.name, "piece": c.piece, "fields": c.fields, "created_at": c.created_at, "updated_at": c.updated_at })
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("connection_not_found", format!("no connection `{id}`"))
}

/// `POST /api/v1/connections` with `{ "name", "piece", "values": {…} }`.
pub async fn create(
    State(state): State<AppState>,
    Json(input): Json<ConnectionInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::bad_request("invalid_connection", "`name` must not be empty"));
    }
    let piece = input
        .piece
        .ok_or_else(|| ApiError::bad_request("invalid_connection", "`piece` is required"))?;
    if state.runtime.engine().registry().get(&piece).is_none() {
        return Err(ApiError::bad_request("unknown_piece", format!("unknown piece `{piece}`")));
    }
    let values = input.values.unwrap_or_default();
    let now = Utc::now();
    let row = ConnectionRow {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        piece,
        fields: values.keys().cloned().collect(),
        secret: state.cipher.encrypt_json(&Value::Object(values)),
        created_at: now,
        updated_at: now,
    };
    if !state.runtime.store().create_connection(&row).await? {
        return Err(ApiError::conflict(
            "name_taken",
            format!("a connection named `{}` exists", row.name),
        ));
    }
    Ok((StatusCode::CREATED, Json(view(&row))))
}

/// `GET /api/v1/connections`.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let rows = state.runtime.store().list_connections().await?;
    Ok(Json(json!({ "connections": rows.iter().map(view).collect::<Vec<_>>() })))
}

/// `GET /api/v1/connections/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = state.runtime.store().get_connection(&id).await?.ok_or_else(|| not_found(&id))?;
    Ok(Json(view(&row)))
}

/// `PUT /api/v1/connections/{id}`: renames, and replaces the values when given.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(input): Json<ConnectionInput>,
) -> Result<Json<Value>, ApiError> {
    let mut row = state.runtime.store().get_connection(&id).await?.ok_or_else(|| not_found(&id))?;
    if input.piece.as_ref().is_some_and(|p| *p != row.piece) {
        return Err(ApiError::bad_request(
            "invalid_connection",
            "a connection's piece cannot change",
        ));
    }
    row.name = input.name.trim().to_owned();
    if let Some(values) = input.values {
        row.fields = values.keys().cloned().collect();
        row.secret = state.cipher.encrypt_json(&Value::Object(values));
    }
    if !state.runtime.store().update_connection(&row).await? {
        return Err(not_found(&id));
    }
    Ok(Json(view(&row)))
}

/// `DELETE /api/v1/connections/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.runtime.store().delete_connection(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}
