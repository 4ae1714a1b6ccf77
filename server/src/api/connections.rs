//! Connections: piece credentials, encrypted at rest. Their values are write-only: no response
//! ever contains them, only the names of the fields.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;
use crate::store::ConnectionRow;

/// A connection as the API accepts it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionInput {
    /// Unique name steps refer to (surrounding spaces are trimmed; must not be empty on create).
    name: String,
    /// The piece it authenticates: required on create; on update it may be given but must not
    /// change.
    piece: Option<String>,
    /// The credential values by field name, write-only. On update, absent keeps the stored
    /// values and an object replaces them all.
    #[serde(default)]
    #[schema(value_type = Option<Object>, additional_properties = true)]
    values: Option<Map<String, Value>>,
    /// Check the values with the piece's cheap authenticated request before saving (default
    /// `true` when values are given); a failing check saves nothing.
    #[serde(default)]
    test: Option<bool>,
}

/// The connection a step or the editor names (by id or name), decrypted, its OAuth2 token
/// refreshed when about to expire.
pub(crate) async fn resolve(
    state: &AppState,
    reference: &str,
) -> Result<switchboard_engine::piece::Connection, ApiError> {
    let row = state
        .runtime
        .store()
        .get_connection(reference)
        .await?
        .ok_or_else(|| not_found(reference))?;
    let connection = decrypted(state, row)?;
    state.oauth2.fresh(connection).await.map_err(crate::oauth2::refresh_api_error)
}

fn decrypted(
    state: &AppState,
    row: ConnectionRow,
) -> Result<switchboard_engine::piece::Connection, ApiError> {
    crate::runtime::decrypt_connection(&state.cipher, row).map_err(|message| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "connection_unreadable", message)
    })
}

/// Runs the piece's connection check; the error never quotes the connection's values.
async fn check(
    state: &AppState,
    connection: switchboard_engine::piece::Connection,
) -> Result<(), ApiError> {
    let Some(piece) = state.runtime.engine().registry().get(&connection.piece).cloned() else {
        return Ok(());
    };
    let secrets = connection.secret_values();
    let ctx = super::pieces::action_context(state, Some(connection));
    piece.test_connection(&ctx).await.map_err(|e| {
        let mut message = e.message.clone();
        for s in &secrets {
            message = message.replace(s.as_str(), "[redacted]");
        }
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "connection_test_failed",
            format!("the connection does not work: {message}"),
        )
    })
}

/// `POST /api/v1/connections/{id}/test`.
#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/test",
    tag = "connections",
    operation_id = "testConnection",
    summary = "Test a connection",
    description = "Makes the piece's cheap authenticated request with the stored values.",
    params(("id" = String, Path, description = "The connection's id or name.")),
    responses(
        (status = 200, description = "The credentials work.", body = doc::ConnectionTestOk),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`connection_not_found`.", body = doc::ApiError),
        (status = 422, description = "`connection_test_failed`: the vendor refused the credentials (its words are quoted); or `connection_expired`: its OAuth2 token could not be refreshed (reconnect it).", body = doc::ApiError),
        (status = 502, description = "`vendor_error`: the OAuth2 token endpoint could not be reached to refresh the token.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let connection = resolve(&state, &id).await?;
    check(&state, connection).await?;
    Ok(Json(json!({ "ok": true })))
}

fn view(c: &ConnectionRow) -> Value {
    json!({ "id": c.id, "name": c.name, "piece": c.piece, "fields": c.fields, "created_at": c.created_at, "updated_at": c.updated_at })
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("connection_not_found", format!("no connection `{id}`"))
}

/// `POST /api/v1/connections` with `{ "name", "piece", "values": {…} }`.
#[utoipa::path(
    post,
    path = "/api/v1/connections",
    tag = "connections",
    operation_id = "createConnection",
    summary = "Create a connection",
    description = "Stores a piece's credentials, encrypted at rest. The response names the value \
        fields but never contains the values. A client credentials OAuth2 piece created without \
        `values` fetches its token from the provider.",
    request_body(content = ConnectionInput, content_type = "application/json"),
    responses(
        (status = 201, description = "The connection.", body = doc::Connection),
        (status = 400, description = "`invalid_connection` (empty `name`, missing `piece`), `unknown_piece` or `oauth2_not_configured` (JSON error), or a body that is not valid JSON (plain text).",
            content((doc::ApiError = "application/json"), (String = "text/plain; charset=utf-8"))),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 409, description = "`name_taken`: a connection with this name exists.", body = doc::ApiError),
        (status = 422, description = "`connection_test_failed`: the piece's check of the values failed (the vendor's words are quoted); nothing was saved. Or JSON that does not fit the schema (plain text).",
            content((doc::ApiError = "application/json"), (String = "text/plain; charset=utf-8"))),
        (status = 413, description = "The body is larger than the configured limit.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 415, description = "The request has no `Content-Type: application/json`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 502, description = "`vendor_error`: the OAuth2 token endpoint could not be reached.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
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
    // A client credentials piece created without values buys its own token.
    let fetched = match &input.values {
        Some(_) => None,
        None => state.oauth2.client_credentials_values(&piece).await?,
    };
    let test = input.test.unwrap_or(input.values.is_some() || fetched.is_some());
    let values = input.values.or(fetched).unwrap_or_default();
    let id = uuid::Uuid::new_v4().to_string();
    if test {
        let connection = switchboard_engine::piece::Connection {
            id: id.clone(),
            name: name.clone(),
            piece: piece.clone(),
            values: values.clone(),
        };
        check(&state, connection).await?;
    }
    let now = Utc::now();
    let row = ConnectionRow {
        id,
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
#[utoipa::path(
    get,
    path = "/api/v1/connections",
    tag = "connections",
    operation_id = "listConnections",
    summary = "List connections",
    description = "Every connection, without its values.",
    responses(
        (status = 200, description = "The connections.", body = doc::ConnectionList),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let rows = state.runtime.store().list_connections().await?;
    Ok(Json(json!({ "connections": rows.iter().map(view).collect::<Vec<_>>() })))
}

/// `GET /api/v1/connections/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    operation_id = "getConnection",
    summary = "Get a connection",
    description = "One connection, without its values.",
    params(("id" = String, Path, description = "The connection's id.")),
    responses(
        (status = 200, description = "The connection.", body = doc::Connection),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`connection_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = state.runtime.store().get_connection(&id).await?.ok_or_else(|| not_found(&id))?;
    Ok(Json(view(&row)))
}

/// `PUT /api/v1/connections/{id}`: renames, and replaces the values when given.
#[utoipa::path(
    put,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    operation_id = "updateConnection",
    summary = "Update a connection",
    description = "Renames the connection, and replaces all its values when `values` is given. \
        Its piece cannot change.",
    params(("id" = String, Path, description = "The connection's id.")),
    request_body(content = ConnectionInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The connection.", body = doc::Connection),
        (status = 400, description = "`invalid_connection`: `piece` differs from the connection's (JSON error), or a body that is not valid JSON (plain text).",
            content((doc::ApiError = "application/json"), (String = "text/plain; charset=utf-8"))),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`connection_not_found`.", body = doc::ApiError),
        (status = 413, description = "The body is larger than the configured limit.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 415, description = "The request has no `Content-Type: application/json`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 422, description = "The JSON does not fit the schema (missing, unknown or mistyped fields).", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 409, description = "`name_taken`: another connection has this name.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
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
    if let Some(values) = &input.values
        && input.test.unwrap_or(true)
    {
        let connection = switchboard_engine::piece::Connection {
            id: row.id.clone(),
            name: row.name.clone(),
            piece: row.piece.clone(),
            values: values.clone(),
        };
        check(&state, connection).await?;
    }
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
#[utoipa::path(
    delete,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    operation_id = "deleteConnection",
    summary = "Delete a connection",
    description = "Deletes the connection and its encrypted values.",
    params(("id" = String, Path, description = "The connection's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`connection_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
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
