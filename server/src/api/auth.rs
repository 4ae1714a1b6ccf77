//! Accounts: first-start owner set-up, sign-in and -out, the current account, API keys.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::auth::{Caller, SESSION_COOKIE, SESSION_DAYS, session_token};
use crate::error::ApiError;
use crate::secrets::{
    API_KEY_PREFIX, SESSION_TOKEN_PREFIX, check_password_policy, new_token, token_hash,
};
use crate::store::UserRow;

/// Email and password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The account's email (surrounding spaces are trimmed).
    email: String,
    /// The password: 8 to 1024 characters.
    #[schema(format = Password)]
    password: String,
}

/// `GET /api/v1/auth/status` (public): whether the owner must still be created, and who is signed in.
#[utoipa::path(
    get,
    path = "/api/v1/auth/status",
    tag = "auth",
    operation_id = "getAuthStatus",
    summary = "Set-up and sign-in status",
    description = "Public. Whether the owner account must still be created (first start), and the \
        account of the request's session cookie or API key, if any.",
    responses(
        (status = 200, description = "The status.", body = doc::AuthStatus),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
)]
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let users = state.runtime.store().count_users().await?;
    let user = match crate::auth::caller(&state, &headers).await? {
        Some(Caller::User(u)) => Some(u),
        _ => None,
    };
    Ok(Json(json!({ "setup_required": users == 0, "user": user })))
}

/// Creates an account (the owner at first start) and checks the email and password.
pub async fn create_account(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<UserRow, ApiError> {
    create_account_in(state.runtime.store().as_ref(), email, password).await
}

/// [`create_account`] against a store directly (the `user create` command has no server).
pub async fn create_account_in(
    store: &dyn crate::store::Store,
    email: &str,
    password: &str,
) -> Result<UserRow, ApiError> {
    let email = email.trim().to_owned();
    if !email.contains('@') || email.len() > 254 {
        return Err(ApiError::bad_request(
            "invalid_email",
            format!("`{email}` is not an email address"),
        ));
    }
    check_password_policy(password).map_err(|m| ApiError::bad_request("weak_password", m))?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&password))
        .await
        .map_err(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "password hashing stopped")
        })?
        .map_err(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "password hashing failed")
        })?;
    let user = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        role: "owner".into(),
        created_at: Utc::now(),
    };
    if !store.create_user(&user, &hash).await? {
        return Err(ApiError::conflict("email_taken", "an account with this email exists"));
    }
    Ok(user)
}

async fn start_session(
    state: &AppState,
    user: &UserRow,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = new_token(SESSION_TOKEN_PREFIX);
    let expires = Utc::now() + chrono::Duration::days(SESSION_DAYS);
    state.runtime.store().create_session(&token_hash(&token), &user.id, expires).await?;
    let secure = if state.settings.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
        SESSION_DAYS * 86_400
    );
    let mut response = (status, Json(json!({ "user": user }))).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// `POST /api/v1/auth/setup` (public, only while no account exists): creates the owner and signs in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/setup",
    tag = "auth",
    operation_id = "setupOwner",
    summary = "Create the owner account",
    description = "Public, and only while no account exists (first start): creates the owner \
        account and signs it in, setting the `sb_session` cookie (HttpOnly, SameSite=Lax, 30 days; \
        Secure when the public URL is https).",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 201, description = "The owner account exists and is signed in.", body = doc::SignedIn,
            headers(("Set-Cookie" = String, description = "`sb_session=<token>; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000`"))),
        (status = 400, description = "`invalid_email` or `weak_password` (JSON error), or a body that is not valid JSON (plain text).",
            content((doc::ApiError = "application/json"), (String = "text/plain; charset=utf-8"))),
        (status = 409, description = "`already_set_up`: an account exists, sign in instead; or `email_taken`.", body = doc::ApiError),
        (status = 413, description = "The body is larger than the configured limit.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 415, description = "The request has no `Content-Type: application/json`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 422, description = "The JSON is not `{ \"email\", \"password\" }` (missing, unknown or mistyped fields).", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 500, description = "`internal`: hashing the password failed.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
)]
pub async fn setup(
    State(state): State<AppState>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    if state.runtime.store().count_users().await? > 0 {
        return Err(ApiError::conflict(
            "already_set_up",
            "the owner account exists: sign in instead",
        ));
    }
    let user = create_account(&state, &c.email, &c.password).await?;
    start_session(&state, &user, StatusCode::CREATED).await
}

/// `POST /api/v1/auth/login` (public).
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    operation_id = "login",
    summary = "Sign in",
    description = "Public. Checks the email and password and starts a session: the `sb_session` \
        cookie (HttpOnly, SameSite=Lax, 30 days; Secure when the public URL is https).",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in.", body = doc::SignedIn,
            headers(("Set-Cookie" = String, description = "`sb_session=<token>; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000`"))),
        (status = 400, description = "The body is not valid JSON.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 401, description = "`wrong_credentials`: the email or the password is wrong.", body = doc::ApiError),
        (status = 413, description = "The body is larger than the configured limit.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 415, description = "The request has no `Content-Type: application/json`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 422, description = "The JSON is not `{ \"email\", \"password\" }` (missing, unknown or mistyped fields).", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_credentials",
            "the email or the password is wrong",
        )
    };
    let Some((user, hash)) = state.runtime.store().user_by_email(c.email.trim()).await? else {
        return Err(wrong());
    };
    let password = c.password.clone();
    let ok = tokio::task::spawn_blocking(move || crate::secrets::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        return Err(wrong());
    }
    start_session(&state, &user, StatusCode::OK).await
}

/// `POST /api/v1/auth/logout`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    operation_id = "logout",
    summary = "Sign out",
    description = "Public. Ends the session of the request's `sb_session` cookie, if any, and \
        clears the cookie. Answers 204 even without a session.",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared.",
            headers(("Set-Cookie" = String, description = "`sb_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`"))),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.runtime.store().delete_session(&token_hash(&token)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("sb_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
    );
    Ok(response)
}

/// `GET /api/v1/auth/me`.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    operation_id = "getMe",
    summary = "The current account",
    description = "The account of the session or API key; for the `SWITCHBOARD_API_KEY` key, \
        `user` is `null` and `api_key` is `environment`.",
    responses(
        (status = 200, description = "The caller.", body = doc::Me),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<serde_json::Value> {
    match caller {
        Caller::User(u) => Json(json!({ "user": u })),
        Caller::EnvironmentKey => Json(json!({ "user": null, "api_key": "environment" })),
    }
}

/// Body of an API key request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// A name to recognise the key by (surrounding spaces are trimmed).
    name: String,
}

/// `POST /api/v1/api-keys`: a new key for the signed-in account; the key is shown once.
#[utoipa::path(
    post,
    path = "/api/v1/api-keys",
    tag = "auth",
    operation_id = "createApiKey",
    summary = "Create an API key",
    description = "A new API key for the signed-in account (a session or another key of an \
        account; not the `SWITCHBOARD_API_KEY` key). The key is in this response only: it is \
        stored hashed.",
    request_body(content = NewKey, content_type = "application/json"),
    responses(
        (status = 201, description = "The key, shown once.", body = doc::ApiKeyCreated),
        (status = 400, description = "The body is not valid JSON.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 403, description = "`needs_account`: the `SWITCHBOARD_API_KEY` key cannot create keys; sign in with an account.", body = doc::ApiError),
        (status = 413, description = "The body is larger than the configured limit.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 415, description = "The request has no `Content-Type: application/json`.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 422, description = "The JSON is not `{ \"name\" }` (missing, unknown or mistyped fields).", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn create_api_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(k): Json<NewKey>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Caller::User(user) = caller else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "needs_account",
            "sign in with an account to create API keys",
        ));
    };
    let token = new_token(API_KEY_PREFIX);
    let id = uuid::Uuid::new_v4().to_string();
    state.runtime.store().create_api_key(&id, &user.id, k.name.trim(), &token_hash(&token)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "name": k.name.trim(), "key": token }))))
}
