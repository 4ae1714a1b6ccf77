//! REST hook subscriptions: how Zapier, Make and n8n use Switchboard as an instant trigger.
//!
//! The tool subscribes a target URL to an event name (`POST /api/v1/subscriptions`, Zapier's
//! "subscribe"), unsubscribes with the id it got back (`DELETE /api/v1/subscriptions/{id}`), and
//! reads sample payloads (`GET /api/v1/subscriptions/samples?event=`, Zapier's "perform list").
//! A flow's `switchboard_events.emit` step POSTs to every subscriber of its event (see
//! [`crate::events`]). The tool authenticates with an API key (`Authorization: Bearer`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::events::{SAMPLES_KEPT, check_event_name};
use crate::store::SubscriptionRow;

/// The longest target URL accepted.
pub const MAX_TARGET_URL_LEN: usize = 2048;

/// Doc-only types: the bodies of this module's operations, for the OpenAPI document.
#[allow(dead_code, reason = "doc-only types: they describe bodies, they are never constructed")]
pub mod schemas {
    use chrono::{DateTime, Utc};
    use utoipa::ToSchema;

    /// A subscription as `POST /api/v1/subscriptions` takes it. Other fields are ignored.
    #[derive(ToSchema)]
    pub struct SubscriptionInput {
        /// The event to receive: 1-64 lower-case letters, digits, `_`, `.` or `-`
        /// (`order.created`), as a flow's `switchboard_events.emit` step names it.
        pub event: String,
        /// Where each payload is POSTed: an `http(s)` URL without credentials, not on this
        /// server.
        #[schema(format = "uri")]
        pub target_url: String,
    }

    /// A subscription.
    #[derive(ToSchema)]
    pub struct Subscription {
        /// Stable id: unsubscribe with `DELETE /api/v1/subscriptions/{id}`.
        pub id: String,
        /// The event.
        pub event: String,
        /// Where payloads are POSTed (normalised: lower-case host, fragment removed).
        #[schema(format = "uri")]
        pub target_url: String,
        /// When it was created.
        pub created_at: DateTime<Utc>,
    }

    /// Subscriptions, oldest first.
    #[derive(ToSchema)]
    pub struct SubscriptionList {
        /// The subscriptions.
        pub subscriptions: Vec<Subscription>,
    }
}

/// `?event=`.
#[derive(Debug, Default, Deserialize)]
pub struct EventParam {
    event: Option<String>,
}

fn view(s: &SubscriptionRow) -> Value {
    json!({ "id": s.id, "event": s.event, "target_url": s.target_url, "created_at": s.created_at })
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_subscription", message)
}

/// The text field `name` of the body, or a 400 naming it.
fn text_field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    match body.get(name) {
        Some(Value::String(s)) => Ok(s.trim()),
        None | Some(Value::Null) => Err(invalid(format!("`{name}` is required"))),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    }
}

/// Whether a host names this machine's loopback interface (or "every interface", as a bind
/// address): such hosts are all the same server as far as a loop is concerned.
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback() || ip.is_unspecified(),
        url::Host::Ipv6(ip) => ip.is_loopback() || ip.is_unspecified(),
    }
}

/// Whether `target` is served by the server at `base` (same host, or both loopback; same port;
/// a path under the base's path).
fn under(target: &url::Url, base: &url::Url) -> bool {
    let (Some(t), Some(b)) = (target.host(), base.host()) else {
        return false;
    };
    let same_host = match (&t, &b) {
        (url::Host::Domain(x), url::Host::Domain(y)) => x.eq_ignore_ascii_case(y),
        _ => t == b || (is_loopback(&t) && is_loopback(&b)),
    };
    let prefix = base.path().trim_end_matches('/');
    same_host
        && target.port_or_known_default() == base.port_or_known_default()
        && (target.path() == prefix || target.path().starts_with(&format!("{prefix}/")))
}

/// Checks a target URL and returns it normalised. It must be `http(s)`, carry no credentials,
/// and not point back at this server (its public URL, or the host the request came to): a
/// subscription there would let an event start the flow that emits it, without end.
pub fn check_target_url(
    raw: &str,
    public_url: &str,
    request_host: Option<&str>,
) -> Result<String, String> {
    if raw.is_empty() {
        return Err("`target_url` must not be empty".into());
    }
    if raw.len() > MAX_TARGET_URL_LEN {
        return Err(format!("`target_url` is longer than {MAX_TARGET_URL_LEN} characters"));
    }
    let mut url = url::Url::parse(raw)
        .map_err(|e| format!("`target_url` is not a URL ({e}): give an http(s) URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`target_url` must be an http(s) URL, not `{}:`", url.scheme()));
    }
    if !url.has_host() {
        return Err("`target_url` has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("`target_url` must not hold credentials (`user:password@`): they would be \
                    stored and shown in plain text"
            .into());
    }
    url.set_fragment(None);
    let ours = url::Url::parse(public_url).ok().filter(|u| under(&url, u));
    let ours = ours.is_some()
        || request_host
            .and_then(|h| url::Url::parse(&format!("{}://{h}/", url.scheme())).ok())
            .is_some_and(|u| under(&url, &u));
    if ours {
        return Err("`target_url` points at this Switchboard server: the event would start the \
                    flow that emits it, again and again"
            .into());
    }
    Ok(url.into())
}

/// `POST /api/v1/subscriptions` with `{ "event", "target_url" }`.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions",
    tag = "subscriptions",
    operation_id = "createSubscription",
    summary = "Subscribe to an event",
    description = "Subscribes a URL to an event (a REST hook, as Zapier, Make and n8n use): every \
        payload a flow's `switchboard_events.emit` step emits under that event is POSTed to it \
        as JSON. Subscribing the same URL to the same event again returns the existing \
        subscription with 200. A subscriber that answers a delivery with 410 Gone is \
        unsubscribed.",
    request_body(content = schemas::SubscriptionInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Subscribed.", body = schemas::Subscription),
        (status = 200, description = "The URL was already subscribed to the event: the existing subscription.", body = schemas::Subscription),
        (status = 400, description = "`invalid_subscription`: a missing or malformed `event` or `target_url` (not http(s), with credentials, or pointing at this server); or `malformed_json` / `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: Value = json_body::parse(&json_body::bytes(body)?)?;
    if !body.is_object() {
        return Err(invalid("the body must be a JSON object with `event` and `target_url`"));
    }
    let event = text_field(&body, "event")?;
    check_event_name(event).map_err(|e| invalid(format!("`event`: {e}")))?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let target_url =
        check_target_url(text_field(&body, "target_url")?, &state.settings.public_url, host)
            .map_err(invalid)?;
    let row = SubscriptionRow {
        id: uuid::Uuid::new_v4().to_string(),
        event: event.to_owned(),
        target_url,
        created_at: Utc::now(),
        created_by: match caller {
            Caller::User(user) => Some(user.id),
            Caller::EnvironmentKey => None,
        },
    };
    let (row, created) = state.runtime.store().create_subscription(&row).await?;
    if created {
        tracing::info!(
            event = %row.event,
            subscription = %row.id,
            target = %crate::events::target_label(&row.target_url),
            "subscribed"
        );
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view(&row))))
}

/// The `event` query parameter, checked when given.
fn event_param(q: &EventParam) -> Result<Option<&str>, ApiError> {
    match q.event.as_deref().map(str::trim) {
        Some(event) => {
            check_event_name(event)
                .map_err(|e| ApiError::bad_request("invalid_event", format!("`event`: {e}")))?;
            Ok(Some(event))
        }
        None => Ok(None),
    }
}

/// `GET /api/v1/subscriptions?event=`.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions",
    tag = "subscriptions",
    operation_id = "listSubscriptions",
    summary = "List subscriptions",
    description = "Every subscription, oldest first, or those of one event.",
    params(("event" = Option<String>, Query, description = "Only the subscriptions of this event.")),
    responses(
        (status = 200, description = "The subscriptions.", body = schemas::SubscriptionList),
        (status = 400, description = "`invalid_event`: `event` is not an event name.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<EventParam>,
) -> Result<Json<Value>, ApiError> {
    let rows = state.runtime.store().list_subscriptions(event_param(&q)?).await?;
    Ok(Json(json!({ "subscriptions": rows.iter().map(view).collect::<Vec<_>>() })))
}

/// `DELETE /api/v1/subscriptions/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v1/subscriptions/{id}",
    tag = "subscriptions",
    operation_id = "deleteSubscription",
    summary = "Unsubscribe",
    description = "Deletes the subscription: its URL receives no more events.",
    params(("id" = String, Path, description = "The subscription's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`subscription_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.runtime.store().delete_subscription(&id).await? {
        tracing::info!(subscription = %id, "unsubscribed");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("subscription_not_found", format!("no subscription `{id}`")))
    }
}

/// `GET /api/v1/subscriptions/samples?event=`: the latest payloads, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/samples",
    tag = "subscriptions",
    operation_id = "listEventSamples",
    summary = "Sample payloads of an event",
    description = "The latest payloads emitted under the event (up to 10), newest first, as a bare \
        array: Zapier's \"perform list\" for a REST hook trigger, and sample data for Make and \
        n8n. An empty array until the event is first emitted.",
    params(("event" = String, Query, description = "The event.")),
    responses(
        (status = 200, description = "The payloads, newest first.", body = Vec<Object>),
        (status = 400, description = "`invalid_event`: `event` is missing or not an event name.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn samples(
    State(state): State<AppState>,
    Query(q): Query<EventParam>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let event = event_param(&q)?
        .ok_or_else(|| ApiError::bad_request("invalid_event", "`event` is required"))?;
    Ok(Json(state.runtime.store().event_samples(event, SAMPLES_KEPT).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "http://127.0.0.1:8080";

    #[test]
    fn target_urls() {
        assert_eq!(
            check_target_url("https://Hooks.Zapier.com/hooks/standard/1/abc#x", PUBLIC, None),
            Ok("https://hooks.zapier.com/hooks/standard/1/abc".to_owned())
        );
        assert!(check_target_url("http://127.0.0.1:9090/hook", PUBLIC, None).is_ok());
        for bad in [
            "",
            "hooks.zapier.com/x",
            "ftp://example.com/x",
            "https://user:pass@example.com/x",
            "http://",
            "javascript:alert(1)",
        ] {
            assert!(check_target_url(bad, PUBLIC, None).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_TARGET_URL_LEN));
        assert!(check_target_url(&long, PUBLIC, None).is_err());
    }

    #[test]
    fn urls_of_this_server_are_loops() {
        for ours in [
            "http://127.0.0.1:8080/hooks/flow",
            "http://localhost:8080/hooks/flow",
            "http://[::1]:8080/",
            "http://127.0.0.1:8080",
        ] {
            let e = check_target_url(ours, PUBLIC, None).unwrap_err();
            assert!(e.contains("this Switchboard server"), "{ours}: {e}");
        }
        // Behind a proxy: the public URL, with its default port and path prefix.
        let public = "https://automation.example.com/sb";
        assert!(
            check_target_url("https://automation.example.com/sb/hooks/x", public, None).is_err()
        );
        assert!(
            check_target_url("https://automation.example.com/n8n/webhook/x", public, None).is_ok()
        );
        assert!(check_target_url("http://automation.example.com/sb/hooks/x", public, None).is_ok());
        // The host the request came to.
        let e = check_target_url("https://sb.internal/hooks/x", PUBLIC, Some("sb.internal"));
        assert!(e.is_err());
        assert!(
            check_target_url("https://sb.internal/hooks/x", PUBLIC, Some("sb.internal:8443"))
                .is_ok()
        );
    }
}
