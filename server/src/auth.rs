//! Who may call the private API: a browser session (cookie `sb_session`, made by sign-in or owner
//! set-up) or an API key (`Authorization: Bearer sb_key_…`, or the key given in
//! `SWITCHBOARD_API_KEY` at start). Webhooks and health checks are public by URL.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::ApiError;
use crate::secrets::{constant_time_eq, token_hash};
use crate::store::UserRow;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sb_session";

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;

/// The caller, once authenticated.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A signed-in account (session or API key).
    User(UserRow),
    /// The key from `SWITCHBOARD_API_KEY`.
    EnvironmentKey,
}

/// The session token in the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Resolves the caller of a request, if it carries valid credentials.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    if let Some(token) = bearer(headers) {
        let hash = token_hash(token);
        if let Some(env_hash) = &state.env_api_key_hash
            && constant_time_eq(hash.as_bytes(), env_hash.as_bytes())
        {
            return Ok(Some(Caller::EnvironmentKey));
        }
        return Ok(state.runtime.store().api_key_user(&hash).await?.map(Caller::User));
    }
    if let Some(token) = session_token(headers) {
        return Ok(state
            .runtime
            .store()
            .session_user(&token_hash(&token))
            .await?
            .map(Caller::User));
    }
    Ok(None)
}

/// Middleware for private routes: 401 with a JSON error unless the request is authenticated.
pub async fn require(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match caller(&state, request.headers()).await {
        Ok(Some(c)) => {
            request.extensions_mut().insert(c);
            next.run(request).await
        }
        Ok(None) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in, or send an API key as `Authorization: Bearer <key>`",
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}
