//! The pieces catalog: what the editor draws its picker and forms from.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;

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

/// What the options endpoint takes.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsInput {
    /// The action whose prop is being filled in.
    action: String,
    /// The `dynamic_select` prop.
    prop: String,
    /// The connection (id or name) the step uses.
    #[serde(default)]
    connection: Option<String>,
    /// The step's other props, for options that depend on them (e.g. the spreadsheet, for its
    /// worksheets).
    #[serde(default)]
    #[schema(value_type = Option<Object>, additional_properties = true)]
    props: serde_json::Map<String, Value>,
}

/// `POST /api/v1/pieces/{piece}/options`: a dynamic select's options, fetched from the vendor.
#[utoipa::path(
    post,
    path = "/api/v1/pieces/{piece}/options",
    tag = "pieces",
    operation_id = "pieceOptions",
    summary = "Options of a dynamic select",
    description = "Runs the prop's listing action with the given connection and answers with \
        the options to show (e.g. Slack channels, HubSpot pipelines).",
    params(("piece" = String, Path, description = "The piece's id.")),
    request_body(content = OptionsInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The options.", body = doc::OptionList),
        (status = 400, description = "`invalid_options_request`: the action or prop does not exist or has no dynamic options.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`unknown_piece`, or `connection_not_found`.", body = doc::ApiError),
        (status = 422, description = "`connection_expired`: the connection's OAuth2 token could not be refreshed (reconnect it).", body = doc::ApiError),
        (status = 502, description = "`vendor_error`: the vendor's API refused or failed (its message is quoted).", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn options(
    State(state): State<AppState>,
    Path(piece_id): Path<String>,
    Json(input): Json<OptionsInput>,
) -> Result<Json<Value>, ApiError> {
    let piece =
        state.runtime.engine().registry().get(&piece_id).cloned().ok_or_else(|| {
            ApiError::not_found("unknown_piece", format!("no piece `{piece_id}`"))
        })?;
    let connection = match &input.connection {
        Some(reference) => Some(crate::api::connections::resolve(&state, reference).await?),
        None => None,
    };
    let ctx = action_context(&state, connection);
    let options = piece
        .options(&input.action, &input.prop, &ctx, &input.props)
        .await
        .map_err(|e| step_error(&e, "invalid_options_request"))?;
    Ok(Json(json!({ "options": options })))
}

/// An action context for a request made outside a run (options, connection tests).
pub(crate) fn action_context(
    state: &AppState,
    connection: Option<switchboard_engine::piece::Connection>,
) -> switchboard_engine::piece::ActionContext {
    let id = uuid::Uuid::new_v4().to_string();
    switchboard_engine::piece::ActionContext {
        idempotency_key: id.clone(),
        run_id: id,
        step_path: String::new(),
        attempt: 1,
        connection,
        http: state.runtime.engine().http().clone(),
        timeout: Some(std::time::Duration::from_secs(20)),
    }
}

/// A step error from a vendor call made for the editor: the vendor's refusal is a 502 quoting
/// it; a request that cannot be made is a 400 with `invalid_code`.
pub(crate) fn step_error(
    e: &switchboard_engine::StepError,
    invalid_code: &'static str,
) -> ApiError {
    use switchboard_engine::ErrorKind;
    match e.kind {
        ErrorKind::InvalidInput | ErrorKind::Unsupported | ErrorKind::Connection => {
            ApiError::bad_request(invalid_code, e.message.clone())
        }
        _ => ApiError::new(axum::http::StatusCode::BAD_GATEWAY, "vendor_error", e.message.clone()),
    }
}
