//! The REST API under `/api/v1`.

pub mod auth;
pub mod connections;
pub mod flow_test;
pub mod flows;
pub mod health;
pub mod json_body;
pub mod openapi;
pub mod pieces;
pub mod rejections;
pub mod runs;
pub mod subscriptions;
pub mod templates;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::app::AppState;

/// `/api/v1` routes: the public ones (set-up, sign-in, status, the OpenAPI document), and the rest
/// behind [`crate::auth`].
pub fn router(state: AppState) -> Router<AppState> {
    let public = Router::new()
        .route("/auth/status", get(auth::status))
        .route("/auth/setup", post(auth::setup))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/openapi.json", get(openapi::serve))
        .route("/oauth2/callback", get(crate::oauth2::flow::callback));
    let private = Router::new()
        .route("/auth/me", get(auth::me))
        .route("/api-keys", post(auth::create_api_key))
        .route("/connections", get(connections::list).post(connections::create))
        .route(
            "/connections/{id}",
            get(connections::get).put(connections::update).delete(connections::delete),
        )
        .route("/flows", get(flows::list).post(flows::create))
        .route("/flows/import", post(flows::import))
        .route("/flows/{id}", get(flows::get).put(flows::update).delete(flows::delete))
        .route("/flows/{id}/publish", post(flows::publish))
        .route("/flows/{id}/versions", get(flows::versions))
        .route("/flows/{id}/versions/{version}", get(flows::version))
        .route("/flows/{id}/enable", post(flows::enable))
        .route("/flows/{id}/disable", post(flows::disable))
        .route("/flows/{id}/export", get(flows::export))
        .route("/flows/{id}/samples", get(flows::samples))
        .route("/flows/validate", post(flows::validate))
        .route("/templates", get(templates::list))
        .route("/templates/{id}", get(templates::get))
        .route("/templates/{id}/use", post(templates::use_template))
        .route("/flows/{id}/rejections", get(rejections::list))
        .route("/flows/{id}/test", post(flow_test::test))
        .route("/flows/{id}/steps/{step}/test", post(flow_test::test_step))
        .route("/runs", get(runs::list))
        .route("/runs/{id}", get(runs::get))
        .route("/runs/{id}/retry", post(runs::retry))
        .route("/runs/{id}/cancel", post(runs::cancel))
        .route("/connections/{id}/test", post(connections::test))
        .route("/subscriptions", get(subscriptions::list).post(subscriptions::create))
        .route("/subscriptions/samples", get(subscriptions::samples))
        .route("/subscriptions/{id}", delete(subscriptions::delete))
        .route("/pieces", get(pieces::list))
        .route("/pieces/{piece}/options", post(pieces::options))
        .route("/oauth2/{piece}/start", get(crate::oauth2::flow::start))
        .route_layer(axum::middleware::from_fn_with_state(state, crate::auth::require));
    public.merge(private)
}
