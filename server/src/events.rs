//! The `switchboard_events` piece: Switchboard as a trigger source for Zapier, Make and n8n
//! ("REST hooks"). Those tools subscribe a URL to an event name (`/api/v1/subscriptions`, see
//! [`crate::api::subscriptions`]); a flow's `emit` step POSTs its `data` to every subscriber of
//! the event and keeps it as sample data for the tools' "perform list".
//!
//! The piece lives in the server, not the engine, because it reads the subscriptions from the
//! store. `switchboard validate` and `switchboard run` register it without a store
//! ([`piece`] with `None`), so flows that use it validate everywhere; running `emit` outside the
//! server fails with an `unsupported` error.
//!
//! Delivery, per subscriber and concurrently (at most [`MAX_CONCURRENT_DELIVERIES`] at once):
//! - a 2xx answer is a delivery;
//! - `410 Gone` unsubscribes the subscriber (Zapier's protocol: its hook was turned off);
//! - anything else is a failure, reported in the output's `failed` list by subscription id and
//!   the target's origin only (REST hook URLs carry their secret in the path);
//! - the step fails, with a retryable error, only when nothing was delivered and every failure
//!   (410s aside) is one a retry may fix (network error, timeout, 5xx, 429). Then no subscriber
//!   got the event, so a retry sends no duplicates.
//!
//! Redirects are not followed: a 3xx answer is a failure.

// `StepError` is what `Action::run` returns; it is large, but only built on the failure path.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::{Value, json};
use switchboard_engine::piece::{
    Action, ActionContext, ActionMeta, AuthKind, BoxFuture, PieceMeta, PropKind,
};
use switchboard_engine::pieces::{BuiltinPiece, Prop};
use switchboard_engine::{ErrorKind, StepError};

use crate::store::{Store, SubscriptionRow};

/// The piece id.
pub const PIECE_ID: &str = "switchboard_events";
/// The action that sends an event to its subscribers.
pub const EMIT: &str = "emit";
/// How many emitted payloads are kept per event as sample data.
pub const SAMPLES_KEPT: u32 = 10;
/// The longest event name.
pub const MAX_EVENT_LEN: usize = 64;
/// How long one delivery may take when the step sets no shorter timeout.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries in flight at once for one step.
pub const MAX_CONCURRENT_DELIVERIES: usize = 16;

/// Checks an event name: 1 to [`MAX_EVENT_LEN`] lower-case ASCII letters, digits, `_`, `.` or
/// `-`. The error says what is wrong, in words.
pub fn check_event_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the event name must not be empty".to_owned());
    }
    if name.len() > MAX_EVENT_LEN {
        return Err(format!("the event name is longer than {MAX_EVENT_LEN} characters"));
    }
    if let Some(c) = name.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '_' | '.' | '-')) {
        return Err(format!(
            "the event name `{}` has the character `{c}`: use lower-case letters, digits, `_`, \
             `.` and `-` (e.g. `order.created`)",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// What run records and logs show of a target URL: its origin (`https://hooks.zapier.com`),
/// never its path or query, which hold the subscriber's secret.
pub fn target_label(target_url: &str) -> String {
    match url::Url::parse(target_url) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        _ => "the subscriber".to_owned(),
    }
}

/// The piece, with `emit` reading subscriptions from `store` (`None`: metadata only, for the
/// command line; `emit` then fails as unsupported).
pub fn piece(store: Option<Arc<dyn Store>>) -> BuiltinPiece {
    BuiltinPiece::new(meta()).with_action(EMIT, Arc::new(Emit { store }))
}

/// An inline SVG as a `data:` URL (the characters that break a data URL escaped).
fn svg_data_url(svg: &str) -> String {
    let mut out = String::from("data:image/svg+xml,");
    for c in svg.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The piece's metadata.
pub fn meta() -> PieceMeta {
    PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "Switchboard events".to_owned(),
        description: "Send events to the apps subscribed to them: Zapier, Make and n8n use \
                      Switchboard as an instant trigger through REST hooks."
            .to_owned(),
        category: "Automation".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#7c3aed' stroke-width='2' stroke-linecap='round'>\
             <circle cx='12' cy='12' r='2'/>\
             <path d='M16.24 7.76a6 6 0 0 1 0 8.49M7.76 16.24a6 6 0 0 1 0-8.49\
             M19.07 4.93a10 10 0 0 1 0 14.14M4.93 19.07a10 10 0 0 1 0-14.14'/></svg>",
        )),
        auth: AuthKind::None,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: Some("https://docs.zapier.com/platform/build/hook-trigger".to_owned()),
        actions: vec![ActionMeta {
            name: EMIT.to_owned(),
            label: "Emit event".to_owned(),
            description: "POSTs the data as JSON to every URL subscribed to the event (through \
                          `/api/v1/subscriptions`) and keeps it as the event's sample data; a \
                          subscriber answering 410 Gone is unsubscribed."
                .to_owned(),
            props: vec![
                Prop::new("event", "Event", PropKind::ShortText)
                    .required()
                    .help(
                        "The event's name, as Zapier, Make or n8n subscribe to it: up to 64 \
                         lower-case letters, digits, `_`, `.` or `-`, e.g. `order.created`.",
                    )
                    .example(json!("order.created"))
                    .build(),
                Prop::new("data", "Data", PropKind::Json)
                    .required()
                    .help(
                        "The JSON body each subscriber receives, usually an object. Zapier \
                         deduplicates on an `id` field, so give it one.",
                    )
                    .example(json!({ "id": "ord_1042", "total": 99.5, "currency": "EUR" }))
                    .build(),
            ],
            extra_props: false,
            sample_output: Some(json!({
                "event": "order.created",
                "subscribers": 3,
                "delivered": 1,
                "failed": [
                    {
                        "subscription_id": "0b9c7a52-5f0e-4bde-9a54-4c1f8f0e2d11",
                        "target_url": "https://hooks.zapier.com",
                        "status": 410,
                        "unsubscribed": true
                    },
                    {
                        "subscription_id": "5d2f1e8a-7c3b-4a9d-8e6f-1a2b3c4d5e6f",
                        "target_url": "https://hook.eu1.make.com",
                        "error": "could not connect to hook.eu1.make.com"
                    }
                ]
            })),
            internal: false,
        }],
        triggers: Vec::new(),
    }
}

/// The `emit` action.
struct Emit {
    store: Option<Arc<dyn Store>>,
}

impl Action for Emit {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(async move {
            let Some(store) = &self.store else {
                return Err(StepError::new(
                    ErrorKind::Unsupported,
                    "`switchboard_events.emit` needs the server's subscriptions: it runs under \
                     `switchboard serve` only",
                ));
            };
            let (event, data) = read_props(props)?;
            emit(store.as_ref(), ctx, &event, &data).await
        })
    }
}

/// The event name and the data, checked.
fn read_props(props: Value) -> Result<(String, Value), StepError> {
    let Value::Object(mut props) = props else {
        return Err(StepError::invalid_input("the step's props are not an object"));
    };
    let event = match props.remove("event") {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(other) => {
            return Err(StepError::invalid_input(format!(
                "`event` must be text, not {}",
                type_name(&other)
            )));
        }
        None => return Err(StepError::invalid_input("`event` is required")),
    };
    check_event_name(&event).map_err(|e| StepError::invalid_input(format!("`event`: {e}")))?;
    let data = match props.remove("data") {
        None | Some(Value::Null) => {
            return Err(StepError::invalid_input(
                "`data` is required: give the JSON the subscribers receive",
            ));
        }
        Some(data) => data,
    };
    Ok((event, data))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// How one delivery went.
#[derive(Debug)]
enum Outcome {
    /// The subscriber answered 2xx.
    Delivered,
    /// The subscriber answered 410 Gone (and was unsubscribed).
    Gone,
    /// The subscriber answered another status.
    Status(u16),
    /// No answer (or an unreadable one).
    Error(StepError),
}

impl Outcome {
    /// Whether another attempt may succeed.
    fn retryable(&self) -> bool {
        match self {
            Self::Status(s) => *s >= 500 || *s == 429,
            Self::Error(e) => matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout),
            Self::Delivered | Self::Gone => false,
        }
    }
}

/// Sends `data` to every subscriber of `event` and stores it as sample data; the step's output.
async fn emit(
    store: &dyn Store,
    ctx: &ActionContext,
    event: &str,
    data: &Value,
) -> Result<Value, StepError> {
    let subscribers = store.list_subscriptions(Some(event)).await.map_err(|e| {
        StepError::network(format!("the subscribers of `{event}` could not be read: {e}"))
    })?;
    // Sample data is a convenience for the subscribing tools: failing to keep it does not fail
    // the delivery. Keyed by run and step, so a retried step keeps one sample.
    if let Err(e) =
        store.record_event_sample(event, Some(&ctx.idempotency_key), data, SAMPLES_KEPT).await
    {
        tracing::warn!(event, "the event's sample data could not be stored: {e}");
    }
    let limit = delivery_timeout(ctx.timeout);
    // Owned rows per future: a stream of futures borrowing from the closure's argument trips the
    // compiler's higher-ranked lifetime check inside a `Send` boxed future.
    let deliveries = subscribers
        .clone()
        .into_iter()
        .map(move |sub| async move { deliver(ctx, &sub, event, data, limit).await });
    let outcomes: Vec<Outcome> =
        futures_util::stream::iter(deliveries).buffered(MAX_CONCURRENT_DELIVERIES).collect().await;

    let mut delivered = 0usize;
    let mut failed = Vec::new();
    for (sub, outcome) in subscribers.iter().zip(&outcomes) {
        let mut entry = json!({
            "subscription_id": sub.id,
            "target_url": target_label(&sub.target_url),
        });
        match outcome {
            Outcome::Delivered => {
                delivered += 1;
                continue;
            }
            Outcome::Gone => {
                entry["status"] = json!(410);
                entry["unsubscribed"] = json!(true);
                match store.delete_subscription(&sub.id).await {
                    Ok(_) => tracing::info!(
                        event,
                        subscription = %sub.id,
                        target = %target_label(&sub.target_url),
                        "the subscriber answered 410 Gone: unsubscribed"
                    ),
                    Err(e) => {
                        entry["unsubscribed"] = json!(false);
                        tracing::warn!(
                            event,
                            subscription = %sub.id,
                            "the subscriber answered 410 Gone but could not be unsubscribed: {e}"
                        );
                    }
                }
            }
            Outcome::Status(status) => entry["status"] = json!(status),
            Outcome::Error(e) => entry["error"] = json!(e.message),
        }
        failed.push(entry);
    }

    let retryable = outcomes.iter().filter(|o| o.retryable()).count();
    let gone = outcomes.iter().filter(|o| matches!(o, Outcome::Gone)).count();
    if delivered == 0 && retryable > 0 && retryable + gone == outcomes.len() {
        return Err(all_failed(event, &outcomes, &failed));
    }
    Ok(json!({
        "event": event,
        "subscribers": subscribers.len(),
        "delivered": delivered,
        "failed": failed,
    }))
}

/// One delivery's time limit: [`DELIVERY_TIMEOUT`], or less than the step's own timeout when
/// that is shorter (so the delivery reports its timeout before the step is cut off).
fn delivery_timeout(step: Option<Duration>) -> Duration {
    match step {
        Some(t) => DELIVERY_TIMEOUT.min(t.mul_f64(0.9)).max(Duration::from_millis(100)),
        None => DELIVERY_TIMEOUT,
    }
}

/// POSTs `data` to one subscriber.
async fn deliver(
    ctx: &ActionContext,
    sub: &SubscriptionRow,
    event: &str,
    data: &Value,
    limit: Duration,
) -> Outcome {
    let request = ctx
        .http
        .client_without_redirects()
        .post(&sub.target_url)
        .header("x-switchboard-event", event)
        .header("x-switchboard-subscription", &sub.id)
        .header("idempotency-key", format!("{}:{}", ctx.idempotency_key, sub.id))
        .json(data);
    match ctx.http.send(request, Some(limit)).await {
        Ok(r) if r.is_success() => Outcome::Delivered,
        Ok(r) if r.status == 410 => Outcome::Gone,
        Ok(r) => {
            tracing::debug!(
                event,
                subscription = %sub.id,
                target = %target_label(&sub.target_url),
                status = r.status,
                "event delivery refused"
            );
            Outcome::Status(r.status)
        }
        Err(e) => {
            tracing::debug!(event, subscription = %sub.id, "event delivery failed: {}", e.message);
            Outcome::Error(e)
        }
    }
}

/// The retryable error of a step whose every delivery failed: an HTTP error when a subscriber
/// answered 5xx or 429, else a timeout or network error.
fn all_failed(event: &str, outcomes: &[Outcome], failed: &[Value]) -> StepError {
    let summary: Vec<String> = failed
        .iter()
        .map(|f| {
            let target = f["target_url"].as_str().unwrap_or("the subscriber");
            match (&f["status"], f["error"].as_str()) {
                (Value::Number(status), _) => format!("{target} answered HTTP {status}"),
                (_, Some(error)) => error.to_owned(),
                _ => target.to_owned(),
            }
        })
        .collect();
    let message = format!(
        "no subscriber of `{event}` accepted the event ({} of {} failed): {}",
        failed.len(),
        outcomes.len(),
        summary.join("; ")
    );
    let status = outcomes.iter().find_map(|o| match o {
        Outcome::Status(s) if *s >= 500 => Some(*s),
        _ => None,
    });
    let status = status
        .or_else(|| outcomes.iter().find_map(|o| matches!(o, Outcome::Status(429)).then_some(429)));
    let error = match status {
        Some(s) => StepError::http(s, message),
        None if outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Error(e) if e.kind == ErrorKind::Timeout)) =>
        {
            StepError::new(ErrorKind::Timeout, message)
        }
        None => StepError::network(message),
    };
    error.with_details(json!({ "event": event, "delivered": 0, "failed": failed }))
}

#[cfg(test)]
mod tests;
