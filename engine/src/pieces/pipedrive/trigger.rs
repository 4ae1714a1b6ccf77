//! Pipedrive webhooks: Pipedrive POSTs one JSON event per create, change or delete of an object
//! (<https://pipedrive.readme.io/docs/guide-for-webhooks-v2>).
//!
//! Pipedrive does not sign webhooks. A webhook may carry HTTP basic auth credentials
//! (`http_auth_user` / `http_auth_password` when it is created); with the `username` prop set,
//! requests without exactly those credentials are refused (compared in constant time).
//!
//! Both payload formats are read and given the same shape:
//! - v2 (`meta.version` 2.0, the default for new webhooks): `meta.action` (`create`, `change`,
//!   `delete`), `meta.entity`, `meta.entity_id`, `data` and `previous` (the changed fields' old
//!   values);
//! - v1: `meta.action` (`added`, `updated`, `deleted`, `merged`), `meta.object`, `meta.id`,
//!   `current` and `previous`.
//!
//! The output is `{ "event": "<action>.<entity>", "action", "entity", "entity_id", "data",
//! "previous", "meta" }`. The `events` prop keeps only matching events (`create.deal`,
//! `change.*`, `*.person`); others start no run. The dedupe key is v2's event id (`meta.id`),
//! or for v1 the object, its id and the event's `timestamp_micro`, so a redelivery does not start
//! a second run.

use serde_json::{Map, Value, json};

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// The `webhook_events` trigger.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookEvents;

impl TriggerSource for WebhookEvents {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        check_basic_auth(props, request)?;

        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| TriggerError::Malformed(format!("the body is not valid JSON: {e}")))?;
        let meta = body.get("meta").and_then(Value::as_object).ok_or_else(|| {
            TriggerError::Malformed("the body has no `meta` block: not a Pipedrive webhook".into())
        })?;
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let action = text(meta.get("action")).unwrap_or_default();
        let v2 = meta.contains_key("entity");
        let (entity, entity_id, data) = if v2 {
            (text(meta.get("entity")), text(meta.get("entity_id")), body.get("data"))
        } else {
            (text(meta.get("object")), text(meta.get("id")), body.get("current"))
        };
        let entity = entity.unwrap_or_default();
        let event = format!("{action}.{entity}");

        let patterns = event_patterns(props)?;
        if let Some(patterns) = &patterns
            && !patterns.iter().any(|p| matches_event(p, &action, &entity))
        {
            return Err(TriggerError::Ignored(format!(
                "`{event}` is not one of {}",
                patterns.join(", ")
            )));
        }

        let dedupe_key = if v2 {
            text(meta.get("id")).filter(|id| !id.is_empty())
        } else {
            text(meta.get("timestamp_micro"))
                .map(|t| format!("{entity}:{}:{t}", entity_id.as_deref().unwrap_or_default()))
        };
        let output = json!({
            "event": event,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "data": data.cloned().unwrap_or(Value::Null),
            "previous": body.get("previous").cloned().unwrap_or(Value::Null),
            "meta": Value::Object(meta.clone()),
        });
        Ok(TriggerEvent { output, dedupe_key })
    }
}

/// With a `username` set, the request must carry exactly these basic auth credentials.
fn check_basic_auth(
    props: &Map<String, Value>,
    request: &TriggerRequest,
) -> Result<(), TriggerError> {
    let text = |name: &str| match props.get(name) {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    let (username, password) = (text("username"), text("password"));
    if username.is_empty() {
        if !password.is_empty() {
            // A password alone is a misconfiguration: refuse rather than let anyone in.
            return Err(TriggerError::Unauthorized(
                "the Pipedrive trigger has a basic auth password but no username".into(),
            ));
        }
        return Ok(());
    }
    crate::pieces::require_basic_auth(request, username, password)
}

/// The `events` filter, if any.
fn event_patterns(props: &Map<String, Value>) -> Result<Option<Vec<String>>, TriggerError> {
    let patterns: Vec<String> = match props.get("events") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_owned()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.trim().to_owned()),
                other => Err(TriggerError::Malformed(format!(
                    "`events` holds {other}, not an event like `create.deal`"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(TriggerError::Malformed(format!(
                "`events` must be a list of events like `create.deal`, not {other}"
            )));
        }
    };
    let patterns: Vec<String> = patterns.into_iter().filter(|p| !p.is_empty()).collect();
    Ok((!patterns.is_empty()).then_some(patterns))
}

/// `action.entity` against a pattern whose parts may be `*`; `*` alone matches everything.
fn matches_event(pattern: &str, action: &str, entity: &str) -> bool {
    let part = |p: &str, v: &str| p == "*" || p.eq_ignore_ascii_case(v);
    match pattern.split_once('.') {
        Some((a, e)) => part(a, action) && part(e, entity),
        None => pattern == "*",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn props(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn request(body: &Value, authorization: Option<&str>) -> TriggerRequest {
        let mut r = TriggerRequest::json(body);
        if let Some(a) = authorization {
            r.headers.push(("authorization".into(), a.into()));
        }
        r
    }

    fn basic(user: &str, pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    }

    fn v2_change() -> Value {
        json!({
            "meta": {
                "action": "change", "entity": "deal", "entity_id": "101", "company_id": "123",
                "correlation_id": "2b7c9d0e-0000-4a8e-9f3a-6f8d2c4e1d2b",
                "id": "6f8d2c4e-1d2b-4a8e-9f3a-2b7c9d0e1f23", "is_bulk_edit": false,
                "timestamp": "2025-02-01T12:00:00.000Z", "type": "general", "user_id": "1",
                "version": "2.0", "webhook_id": "77", "webhook_owner_id": "1",
                "change_source": "app", "attempt": 1, "host": "acme.pipedrive.com"
            },
            "data": { "id": 101, "title": "Acme renewal", "stage_id": 4, "status": "open" },
            "previous": { "stage_id": 3 }
        })
    }

    fn v1_added() -> Value {
        json!({
            "v": 1,
            "event": "added.person",
            "meta": {
                "v": 1, "action": "added", "object": "person", "id": 42, "company_id": 123,
                "user_id": 1, "host": "acme.pipedrive.com", "timestamp": 1_736_935_200,
                "timestamp_micro": 1_736_935_200_123_456_i64, "webhook_id": "76"
            },
            "current": { "id": 42, "name": "Ada Lovelace" },
            "previous": null,
            "retry": 0
        })
    }

    #[test]
    fn a_v2_event_is_read() {
        let event = WebhookEvents.event(&Map::new(), &request(&v2_change(), None)).unwrap();
        assert_eq!(event.output["event"], "change.deal");
        assert_eq!(event.output["entity_id"], "101");
        assert_eq!(event.output["data"]["stage_id"], 4);
        assert_eq!(event.output["previous"]["stage_id"], 3);
        assert_eq!(event.output["meta"]["attempt"], 1);
        assert_eq!(event.dedupe_key.as_deref(), Some("6f8d2c4e-1d2b-4a8e-9f3a-2b7c9d0e1f23"));
    }

    #[test]
    fn a_v1_event_gets_the_same_shape() {
        let event = WebhookEvents.event(&Map::new(), &request(&v1_added(), None)).unwrap();
        assert_eq!(event.output["event"], "added.person");
        assert_eq!(event.output["entity"], "person");
        assert_eq!(event.output["entity_id"], "42");
        assert_eq!(event.output["data"]["name"], "Ada Lovelace");
        assert_eq!(event.output["previous"], Value::Null);
        assert_eq!(event.dedupe_key.as_deref(), Some("person:42:1736935200123456"));
    }

    #[test]
    fn basic_auth_is_checked_when_configured() {
        let p = props(json!({ "username": "pipedrive", "password": "s3cret" }));
        let ok = request(&v2_change(), Some(&basic("pipedrive", "s3cret")));
        assert!(WebhookEvents.event(&p, &ok).is_ok());

        for wrong in [
            Some(basic("pipedrive", "guess")),
            Some(basic("someone", "s3cret")),
            Some("Bearer s3cret".to_owned()),
            Some("Basic !!!".to_owned()),
            None,
        ] {
            let r = request(&v2_change(), wrong.as_deref());
            assert!(
                matches!(WebhookEvents.event(&p, &r), Err(TriggerError::Unauthorized(_))),
                "{wrong:?} was let in"
            );
        }

        let password_only = props(json!({ "password": "s3cret" }));
        assert!(matches!(
            WebhookEvents.event(&password_only, &request(&v2_change(), None)),
            Err(TriggerError::Unauthorized(_))
        ));
    }

    #[test]
    fn the_events_filter_ignores_other_events() {
        let p = props(json!({ "events": ["create.deal", "*.person"] }));
        assert!(matches!(
            WebhookEvents.event(&p, &request(&v2_change(), None)),
            Err(TriggerError::Ignored(_))
        ));
        assert!(WebhookEvents.event(&p, &request(&v1_added(), None)).is_ok());

        let p = props(json!({ "events": ["change.*"] }));
        assert!(WebhookEvents.event(&p, &request(&v2_change(), None)).is_ok());
        let p = props(json!({ "events": "*" }));
        assert!(WebhookEvents.event(&p, &request(&v2_change(), None)).is_ok());
    }

    #[test]
    fn a_body_that_is_not_a_pipedrive_event_is_malformed() {
        let r = request(&json!({ "hello": "world" }), None);
        assert!(matches!(WebhookEvents.event(&Map::new(), &r), Err(TriggerError::Malformed(_))));
        let mut r = request(&json!({}), None);
        r.body = b"not json".to_vec();
        assert!(matches!(WebhookEvents.event(&Map::new(), &r), Err(TriggerError::Malformed(_))));
    }
}
