//! The authorization code flow's HTTP handlers.
//!
//! - `GET /api/v1/oauth2/{piece}/start?name=<connection>` (private): remembers a one-time state
//!   (with the piece, the connection name and the PKCE verifier) for 10 minutes and sends the
//!   browser to the provider's consent page: a 302, or `{"url": …}` when the request accepts
//!   JSON (the editor opens the URL in a popup).
//! - `GET /api/v1/oauth2/callback?code=&state=` (public: the provider redirects the browser
//!   here, and the one-time state is what authenticates the request): exchanges the code for
//!   tokens and creates the connection, or updates it when that name exists for the same piece.
//!   It answers with a page (see [`super::page`]), never JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use switchboard_engine::piece::spec::OAuth2Grant;

use super::config::Provider;
use super::pending::Pending;
use super::save::{self, SaveError};
use super::token::{self, Grant, TokenError};
use super::{authorize, page, pkce};
use crate::api::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;

/// The path of the callback under the public URL.
pub const CALLBACK_PATH: &str = "/api/v1/oauth2/callback";

/// `start`'s query.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    /// The connection to create (or reconnect).
    #[serde(default)]
    name: Option<String>,
}

/// `start`'s JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StartAnswer {
    /// The provider's consent page, to open in the browser (valid for 10 minutes, once).
    url: String,
}

/// The callback URL the provider must redirect to (register it with the OAuth app).
pub fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.settings.public_url.trim_end_matches('/'))
}

/// `GET /api/v1/oauth2/{piece}/start`.
#[utoipa::path(
    get,
    path = "/api/v1/oauth2/{piece}/start",
    tag = "connections",
    operation_id = "startOAuth2",
    summary = "Start connecting an OAuth2 piece",
    description = "Sends the browser to the provider's consent page (authorization code grant, \
        with PKCE when the piece uses it). The provider then redirects to \
        `/api/v1/oauth2/callback`, which saves the connection `name` (or reconnects it, when it \
        exists for the same piece). Answers 302 to the consent page, or `{\"url\"}` when the \
        request accepts `application/json`. The installation's OAuth app comes from \
        `SWITCHBOARD_OAUTH2_<PIECE>_CLIENT_ID` / `_CLIENT_SECRET`.",
    params(
        ("piece" = String, Path, description = "The piece's id."),
        ("name" = String, Query, description = "The connection's name."),
    ),
    responses(
        (status = 302, description = "To the provider's consent page (`Location`)."),
        (status = 200, description = "The consent page's URL (with `Accept: application/json`).", body = StartAnswer),
        (status = 400, description = "`invalid_connection` (no `name`), `not_oauth2` (the piece does not use OAuth2), `not_authorization_code` (a client credentials piece: create its connection directly), or `oauth2_not_configured` (no client id set; the message names the variables).", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`unknown_piece`.", body = doc::ApiError),
        (status = 409, description = "`name_taken`: a connection of another piece has this name.", body = doc::ApiError),
        (status = 503, description = "`too_many_pending` (too many authorizations in progress) or `store_unavailable`; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn start(
    State(state): State<AppState>,
    Path(piece): Path<String>,
    Query(query): Query<StartQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let provider = oauth2_provider(&state, &piece)?;
    if provider.spec.grant != OAuth2Grant::AuthorizationCode {
        return Err(ApiError::bad_request(
            "not_authorization_code",
            format!(
                "{} uses the client credentials grant: create its connection with \
                 POST /api/v1/connections and no values, and it fetches its own token",
                provider.name
            ),
        ));
    }
    let redirect_uri = redirect_uri(&state);
    let Some(client) = &provider.client else {
        return Err(ApiError::bad_request(
            "oauth2_not_configured",
            format!(
                "{} (register {redirect_uri} as the app's redirect URL)",
                provider.missing_client_message()
            ),
        ));
    };
    let name = query.name.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_connection",
            "`name` is required: the name of the connection to create or reconnect",
        ));
    }
    if let Some(row) = state.runtime.store().get_connection(&name).await?
        && row.name == name
        && row.piece != provider.piece
    {
        return Err(ApiError::conflict(
            "name_taken",
            format!("a connection named `{name}` exists for piece `{}`", row.piece),
        ));
    }

    let state_value = pkce::new_state();
    let verifier = provider.spec.pkce.then(pkce::new_verifier);
    let challenge = verifier.as_deref().map(pkce::challenge);
    let url = authorize::url(
        provider,
        authorize::Request {
            client_id: &client.id,
            redirect_uri: &redirect_uri,
            state: &state_value,
            code_challenge: challenge.as_deref(),
        },
    )
    .ok_or_else(|| {
        ApiError::bad_request(
            "not_authorization_code",
            format!("{}'s spec gives no authorize URL", provider.name),
        )
    })?;
    let pending = Pending { piece: provider.piece.clone(), name, verifier, redirect_uri };
    state.oauth2.inner.pending.insert(state_value, pending).map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_pending",
            "too many authorizations are in progress; try again in a few minutes",
        )
    })?;

    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let no_store = (header::CACHE_CONTROL, "no-store");
    Ok(if wants_json {
        ([no_store], Json(StartAnswer { url })).into_response()
    } else {
        (StatusCode::FOUND, [no_store], [(header::LOCATION, url)]).into_response()
    })
}

/// The piece's OAuth2 settings, or why it has none.
fn oauth2_provider<'a>(state: &'a AppState, piece: &str) -> Result<&'a Provider, ApiError> {
    if let Some(provider) = state.oauth2.provider(piece) {
        return Ok(provider);
    }
    if state.runtime.engine().registry().get(piece).is_some() {
        Err(ApiError::bad_request(
            "not_oauth2",
            format!("piece `{piece}` does not connect with OAuth2"),
        ))
    } else {
        Err(ApiError::not_found("unknown_piece", format!("no piece `{piece}`")))
    }
}

/// The callback's query: the provider's answer.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    /// The authorization code.
    #[serde(default)]
    code: Option<String>,
    /// The state `start` sent.
    #[serde(default)]
    state: Option<String>,
    /// The provider's refusal (`access_denied`).
    #[serde(default)]
    error: Option<String>,
    /// Its explanation.
    #[serde(default)]
    error_description: Option<String>,
}

/// `GET /api/v1/oauth2/callback`.
#[utoipa::path(
    get,
    path = "/api/v1/oauth2/callback",
    tag = "connections",
    operation_id = "oauth2Callback",
    summary = "OAuth2 redirect target",
    description = "Where the provider sends the browser after consent. The one-time `state` \
        (from `start`, valid 10 minutes) authenticates the request; the code is exchanged for \
        tokens, which are stored encrypted in the connection. Answers with an HTML page that \
        also posts `{type: \"switchboard:oauth2\", connection}` (or `error`) to the window that \
        opened it.",
    params(
        ("code" = Option<String>, Query, description = "The authorization code."),
        ("state" = Option<String>, Query, description = "The state `start` sent."),
        ("error" = Option<String>, Query, description = "The provider's refusal, e.g. `access_denied`."),
        ("error_description" = Option<String>, Query, description = "Its explanation."),
    ),
    responses(
        (status = 200, description = "Connected (an HTML page).", body = String, content_type = "text/html; charset=utf-8"),
        (status = 400, description = "Unknown, used or expired state; the provider refused consent; no code; or the provider refused the code (an HTML page).", body = String, content_type = "text/html; charset=utf-8"),
        (status = 409, description = "A connection of another piece took the name meanwhile (an HTML page).", body = String, content_type = "text/html; charset=utf-8"),
        (status = 502, description = "The token endpoint could not be reached or gave no token (an HTML page).", body = String, content_type = "text/html; charset=utf-8"),
        (status = 503, description = "The database is unavailable (an HTML page).", body = String, content_type = "text/html; charset=utf-8"),
    ),
)]
pub async fn callback(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(pending) = query.state.as_deref().and_then(|s| state.oauth2.inner.pending.take(s))
    else {
        return page::failed(
            StatusCode::BAD_REQUEST,
            "This sign-in is unknown, was already used or took more than 10 minutes. Start \
             connecting again from Switchboard.",
        );
    };
    let Some(provider) = state.oauth2.provider(&pending.piece) else {
        return page::failed(StatusCode::BAD_REQUEST, "This piece no longer uses OAuth2.");
    };
    let name = &provider.name;
    if let Some(error) = &query.error {
        let description = query
            .error_description
            .as_deref()
            .map(|d| format!(" ({})", d.chars().take(200).collect::<String>()))
            .unwrap_or_default();
        return page::failed(
            StatusCode::BAD_REQUEST,
            &format!("{name} did not grant access: {error}{description}."),
        );
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return page::failed(
            StatusCode::BAD_REQUEST,
            &format!("{name} sent no authorization code. Start connecting again."),
        );
    };

    let grant = Grant::AuthorizationCode {
        code,
        redirect_uri: &pending.redirect_uri,
        verifier: pending.verifier.as_deref(),
    };
    let values = match token::request(&state.oauth2.inner.http, provider, grant)
        .await
        .and_then(|answer| token::connection_values(provider, &answer, None, chrono::Utc::now()))
    {
        Ok(values) => values,
        Err(e @ TokenError::Refused { .. }) => {
            tracing::warn!(piece = %provider.piece, "the token endpoint refused an authorization code");
            return page::failed(
                StatusCode::BAD_REQUEST,
                &format!(
                    "{name} refused the authorization code ({}). Start connecting again.",
                    e.reason()
                ),
            );
        }
        Err(e @ TokenError::NotConfigured(_)) => {
            return page::failed(StatusCode::BAD_REQUEST, &format!("{}.", e.reason()));
        }
        Err(e) => {
            return page::failed(
                StatusCode::BAD_GATEWAY,
                &format!("No token from {name}: {}. Start connecting again.", e.reason()),
            );
        }
    };

    let inner = &state.oauth2.inner;
    match save::create_or_update(
        inner.store.as_ref(),
        &inner.cipher,
        &provider.piece,
        &pending.name,
        values,
    )
    .await
    {
        Ok(row) => {
            tracing::info!(piece = %row.piece, connection = %row.name, "OAuth2 connection saved");
            page::connected(name, &row.id)
        }
        Err(SaveError::OtherPiece { piece }) => page::failed(
            StatusCode::CONFLICT,
            &format!(
                "A connection named “{}” exists for piece {piece}. Pick another name and start again.",
                pending.name
            ),
        ),
        Err(SaveError::Store(e)) => {
            tracing::error!("store: {e}");
            page::failed(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable; the connection was not saved. Start connecting again.",
            )
        }
    }
}
