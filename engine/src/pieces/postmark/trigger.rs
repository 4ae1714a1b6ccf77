//! Postmark's webhook triggers: inbound email (the server's inbound stream, parsed to JSON), and
//! outbound message events (`RecordType` `Delivery`, `Bounce`, `SpamComplaint`, `Open`, `Click`,
//! `SubscriptionChange`).
//!
//! # Authentication
//!
//! Postmark does not sign its webhooks; it protects them with HTTP basic auth credentials put
//! into the webhook URL (`https://user:password@host/...`), sent as an `Authorization: Basic`
//! header (<https://postmarkapp.com/developer/webhooks/webhooks-overview>). The triggers take the
//! expected `username` and `password` as props, compare both in constant time, and reject a
//! request without them. Missing props reject every request (fail closed).
//!
//! # Output
//!
//! The JSON Postmark posted, unchanged. Dedupe keys: `inbound:<MessageID>` for inbound email,
//! `<RecordType>:<ID or MessageID>:<event time>` for message events, so Postmark's retries start
//! one run.

use serde_json::{Map, Value};

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// Which of Postmark's webhooks a trigger takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookKind {
    /// The inbound webhook: one received email.
    Inbound,
    /// The bounce webhook (`RecordType` `Bounce`).
    Bounce,
    /// Any outbound message event, filtered by the `record_types` prop.
    MessageEvent,
}

/// A Postmark webhook trigger source.
#[derive(Debug, Clone, Copy)]
pub struct PostmarkWebhook(pub WebhookKind);

fn misconfigured(why: &str) -> TriggerError {
    TriggerError::Unauthorized(format!("the Postmark trigger is misconfigured: {why}"))
}

impl TriggerSource for PostmarkWebhook {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        check_basic_auth(props, request)?;
        let payload: Map<String, Value> = serde_json::from_slice(&request.body)
            .map_err(|e| TriggerError::Malformed(format!("the body is not a JSON object: {e}")))?;
        let text = |name: &str| payload.get(name).and_then(Value::as_str).unwrap_or_default();
        let record_type = text("RecordType");

        let dedupe_key = match self.0 {
            WebhookKind::Inbound => {
                if !record_type.is_empty() && record_type != "Inbound" {
                    return Err(TriggerError::Ignored(format!(
                        "a `{record_type}` event (this trigger takes inbound email)"
                    )));
                }
                Some(text("MessageID"))
                    .filter(|id| !id.is_empty())
                    .map(|id| format!("inbound:{id}"))
            }
            WebhookKind::Bounce | WebhookKind::MessageEvent => {
                if record_type.is_empty() {
                    return Err(TriggerError::Ignored(
                        "not a Postmark message event (no RecordType)".into(),
                    ));
                }
                let accepted = match self.0 {
                    WebhookKind::Bounce => record_type == "Bounce",
                    _ => match props.get("record_types") {
                        Some(Value::Array(types)) if !types.is_empty() => {
                            types.iter().any(|t| t.as_str() == Some(record_type))
                        }
                        _ => true,
                    },
                };
                if !accepted {
                    return Err(TriggerError::Ignored(format!(
                        "a `{record_type}` event (not selected)"
                    )));
                }
                event_key(record_type, &payload)
            }
        };
        Ok(TriggerEvent { output: Value::Object(payload), dedupe_key })
    }
}

/// `<RecordType>:<ID or MessageID>:<when>`; `None` when the event has no id.
fn event_key(record_type: &str, payload: &Map<String, Value>) -> Option<String> {
    let id = match payload.get("ID") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => payload.get("MessageID").and_then(Value::as_str).filter(|s| !s.is_empty())?.to_owned(),
    };
    let when = ["DeliveredAt", "BouncedAt", "ReceivedAt", "ChangedAt"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_str))
        .unwrap_or_default();
    Some(format!("{record_type}:{id}:{when}"))
}

/// Requires `Authorization: Basic` with the trigger's username and password.
fn check_basic_auth(
    props: &Map<String, Value>,
    request: &TriggerRequest,
) -> Result<(), TriggerError> {
    let prop = |name: &str| {
        props
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| misconfigured(&format!("`{name}` is missing")))
    };
    let username = prop("username")?;
    let password = prop("password")?;
    if request.header("authorization").is_none() {
        return Err(TriggerError::Unauthorized(
            "the Authorization header is missing (put the credentials into the webhook URL)".into(),
        ));
    }
    crate::pieces::require_basic_auth(request, username, password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde_json::json;

    fn props(extra: Value) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("username".into(), json!("postmark"));
        p.insert("password".into(), json!("a-long-random-password"));
        if let Value::Object(extra) = extra {
            p.extend(extra);
        }
        p
    }

    fn request(credentials: Option<&str>, body: &Value) -> TriggerRequest {
        let mut r = TriggerRequest::json(body);
        if let Some(c) = credentials {
            let encoded = base64::engine::general_purpose::STANDARD.encode(c);
            r.headers.push(("authorization".into(), format!("Basic {encoded}")));
        }
        r
    }

    const GOOD: Option<&str> = Some("postmark:a-long-random-password");

    fn inbound() -> Value {
        json!({
            "From": "ada@example.com",
            "To": "support@inbound.example.com",
            "Subject": "Re: order",
            "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
            "TextBody": "Thanks",
            "MessageStream": "inbound"
        })
    }

    fn bounce() -> Value {
        json!({
            "RecordType": "Bounce",
            "ID": 4_323_372_036_854_775_807_i64,
            "Type": "HardBounce",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Email": "nobody@example.com",
            "BouncedAt": "2024-06-01T10:30:00Z"
        })
    }

    fn delivery() -> Value {
        json!({
            "RecordType": "Delivery",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Recipient": "ada@example.com",
            "DeliveredAt": "2024-06-01T10:00:05Z"
        })
    }

    fn run(kind: WebhookKind, props: &Map<String, Value>, r: &TriggerRequest) -> TriggerEvent {
        match PostmarkWebhook(kind).event(props, r) {
            Ok(e) => e,
            Err(e) => panic!("unexpected rejection: {e}"),
        }
    }

    fn rejected(kind: WebhookKind, props: &Map<String, Value>, r: &TriggerRequest) -> String {
        match PostmarkWebhook(kind).event(props, r) {
            Err(TriggerError::Unauthorized(m)) => m,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn inbound_email_with_credentials_is_accepted() {
        let e = run(WebhookKind::Inbound, &props(json!({})), &request(GOOD, &inbound()));
        assert_eq!(e.output, inbound());
        assert_eq!(e.dedupe_key.as_deref(), Some("inbound:73e6d360-66eb-11e1-8e72-a8904824019b"));
    }

    #[test]
    fn wrong_or_missing_credentials_are_rejected() {
        for kind in [WebhookKind::Inbound, WebhookKind::Bounce, WebhookKind::MessageEvent] {
            let wrong = request(Some("postmark:guess"), &bounce());
            assert_eq!(rejected(kind, &props(json!({})), &wrong), "wrong username or password");
            let other_user = request(Some("admin:a-long-random-password"), &bounce());
            assert_eq!(
                rejected(kind, &props(json!({})), &other_user),
                "wrong username or password"
            );
            assert!(
                rejected(kind, &props(json!({})), &request(None, &bounce())).contains("missing")
            );
            let mut bearer = request(None, &bounce());
            bearer.headers.push(("authorization".into(), "Bearer x".into()));
            assert!(rejected(kind, &props(json!({})), &bearer).contains("not Basic"));
        }
        let mut no_password = props(json!({}));
        no_password.remove("password");
        assert!(
            rejected(WebhookKind::Bounce, &no_password, &request(GOOD, &bounce()))
                .contains("misconfigured")
        );
    }

    #[test]
    fn bounce_takes_only_bounces() {
        let e = run(WebhookKind::Bounce, &props(json!({})), &request(GOOD, &bounce()));
        assert_eq!(e.output["Type"], "HardBounce");
        assert_eq!(
            e.dedupe_key.as_deref(),
            Some("Bounce:4323372036854775807:2024-06-01T10:30:00Z")
        );
        assert!(matches!(
            PostmarkWebhook(WebhookKind::Bounce)
                .event(&props(json!({})), &request(GOOD, &delivery())),
            Err(TriggerError::Ignored(_))
        ));
        assert!(matches!(
            PostmarkWebhook(WebhookKind::Bounce)
                .event(&props(json!({})), &request(GOOD, &inbound())),
            Err(TriggerError::Ignored(_))
        ));
    }

    #[test]
    fn message_events_are_filtered_by_record_type() {
        let all = props(json!({}));
        let e = run(WebhookKind::MessageEvent, &all, &request(GOOD, &delivery()));
        assert_eq!(
            e.dedupe_key.as_deref(),
            Some("Delivery:883953f4-6105-42a2-a16a-77a8eac79483:2024-06-01T10:00:05Z")
        );
        let only_bounces = props(json!({ "record_types": ["Bounce", "SpamComplaint"] }));
        assert!(matches!(
            PostmarkWebhook(WebhookKind::MessageEvent)
                .event(&only_bounces, &request(GOOD, &delivery())),
            Err(TriggerError::Ignored(_))
        ));
        run(WebhookKind::MessageEvent, &only_bounces, &request(GOOD, &bounce()));
    }

    #[test]
    fn inbound_ignores_outbound_events_and_rejects_non_json() {
        assert!(matches!(
            PostmarkWebhook(WebhookKind::Inbound)
                .event(&props(json!({})), &request(GOOD, &bounce())),
            Err(TriggerError::Ignored(_))
        ));
        let mut r = request(GOOD, &json!({}));
        r.body = b"not json".to_vec();
        assert!(matches!(
            PostmarkWebhook(WebhookKind::Inbound).event(&props(json!({})), &r),
            Err(TriggerError::Malformed(_))
        ));
    }
}
