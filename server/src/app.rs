//! The HTTP application: shared state and the router (`app(state)`, so tests drive it directly).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::runtime::Runtime;
use crate::{api, editor, hooks};

/// Limits and settings the handlers need.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest request body accepted (webhooks and API).
    pub max_body_bytes: usize,
    /// How long a synchronous webhook waits for its response.
    pub sync_timeout: Duration,
    /// The status `POST /hooks/{flow}` acknowledges a stored event with (202 by default; some
    /// senders want exactly 200).
    pub ack_status: axum::http::StatusCode,
    /// The public base URL (`http://127.0.0.1:8080`), for the webhook URLs shown by the API.
    pub public_url: String,
}

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The run pipeline (store, engine, flows).
    pub runtime: Runtime,
    /// Limits.
    pub settings: Arc<HttpSettings>,
    /// Encrypts connection secrets.
    pub cipher: crate::secrets::SecretCipher,
    /// The SHA-256 of `SWITCHBOARD_API_KEY`, if it was set.
    pub env_api_key_hash: Option<String>,
    /// Renders the Prometheus metrics.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// OAuth2 pieces: the installation's clients, authorizations in progress, token refresh.
    pub oauth2: crate::oauth2::OAuth2,
    /// Records webhook deliveries the triggers refused.
    pub rejections: crate::rejections::Rejections,
}

/// `GET /metrics`: Prometheus text format.
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// The router.
pub fn app(state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/readyz", get(api::health::readyz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api::router(state.clone()))
        .route("/hooks/resume/{token}", post(hooks::resume).get(hooks::confirm_resume))
        .route("/hooks/{flow_id}", post(hooks::catch_async))
        .route("/hooks/{flow_id}/sync", post(hooks::catch_sync))
        .route("/hooks/{flow_id}/test", post(hooks::catch_test))
        .fallback(editor::serve)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
