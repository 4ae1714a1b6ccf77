//! The `audience_event` trigger: Mailchimp's audience webhooks.
//!
//! Mailchimp POSTs `application/x-www-form-urlencoded` bodies with bracketed keys: `type`
//! (`subscribe`, `unsubscribe`, `profile`, `upemail`, `cleaned`, `campaign`), `fired_at`
//! (`YYYY-MM-DD HH:MM:SS`) and `data[...]` fields such as `data[email]` or
//! `data[merges][FNAME]`. The trigger's output is that body as nested objects:
//! `{"type", "fired_at", "data": {"email", "merges": {"FNAME"}}}`.
//!
//! Mailchimp does not sign its webhooks, so the user registers the flow's URL with a secret query
//! parameter (`?secret=…`), compared in constant time with the `secret` prop; a request without
//! it is refused (401). When a webhook is saved, Mailchimp checks the URL with a GET (or an empty
//! POST): once the secret matches, that check is answered 200 without starting a run.

use serde_json::{Map, Value, json};

use crate::piece::http_client::{is_json_media_type, media_type};
use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};
use crate::pieces::{constant_time_eq, form_urlencoded_parse};

/// The trigger name.
pub const AUDIENCE_EVENT: &str = "audience_event";
/// The query parameter carrying the URL secret.
pub const SECRET_PARAM: &str = "secret";

/// Checks and parses Mailchimp audience webhooks.
#[derive(Debug, Clone, Copy, Default)]
pub struct AudienceEvent;

impl TriggerSource for AudienceEvent {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        check_secret(props, request)?;
        if request.method.eq_ignore_ascii_case("GET")
            || request.body.iter().all(u8::is_ascii_whitespace)
        {
            // Mailchimp's check of a newly saved webhook URL.
            return Err(TriggerError::Reply(json!({})));
        }
        let body = parse(request)?;
        let kind = body
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| TriggerError::Malformed("the webhook has no `type`".into()))?
            .to_owned();
        let wanted = wanted_events(props)?;
        if !wanted.is_empty() && !wanted.iter().any(|w| w == &kind) {
            return Err(TriggerError::Ignored(format!(
                "`{kind}` events do not start this flow (it takes {})",
                wanted.join(", ")
            )));
        }
        let body = Value::Object(body);
        let fired_at = body.get("fired_at").and_then(Value::as_str);
        let who = ["/data/id", "/data/new_id", "/data/email"]
            .iter()
            .find_map(|p| body.pointer(p).and_then(Value::as_str));
        let dedupe_key = fired_at.map(|at| format!("{kind}:{at}:{}", who.unwrap_or_default()));
        Ok(TriggerEvent { output: body, dedupe_key })
    }
}

/// The `secret` query parameter must equal the `secret` prop. A trigger without a secret refuses
/// everything (fail closed).
fn check_secret(props: &Map<String, Value>, request: &TriggerRequest) -> Result<(), TriggerError> {
    let expected = props
        .get("secret")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            TriggerError::Unauthorized(
                "the Mailchimp trigger is misconfigured: `secret` is missing".into(),
            )
        })?;
    let given =
        request.query.iter().find(|(k, _)| k == SECRET_PARAM).map(|(_, v)| v.as_str()).ok_or_else(
            || {
                TriggerError::Unauthorized(format!(
                    "the `{SECRET_PARAM}` query parameter is missing from the webhook URL"
                ))
            },
        )?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(TriggerError::Unauthorized(format!(
            "the `{SECRET_PARAM}` query parameter is not the expected secret"
        )))
    }
}

/// The `events` prop: event types that start a run (empty: all).
fn wanted_events(props: &Map<String, Value>) -> Result<Vec<String>, TriggerError> {
    match props.get("events") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            Ok(items.iter().filter_map(Value::as_str).map(String::from).collect())
        }
        Some(Value::String(s)) => {
            Ok(s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
        }
        // A broken filter must not silently let every event through or none.
        Some(other) => Err(TriggerError::Malformed(format!(
            "the Mailchimp trigger's `events` must be a list of event types, not {other}"
        ))),
    }
}

/// The body as nested objects: a form (what Mailchimp sends), or JSON if a proxy converted it.
fn parse(request: &TriggerRequest) -> Result<Map<String, Value>, TriggerError> {
    let media = request.header("content-type").map(media_type).unwrap_or_default();
    if is_json_media_type(&media) {
        return match serde_json::from_slice(&request.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(TriggerError::Malformed("the body is not a JSON object".into())),
            Err(e) => Err(TriggerError::Malformed(format!("the body is not valid JSON: {e}"))),
        };
    }
    let mut root = Map::new();
    for (key, value) in form_urlencoded_parse(&request.body) {
        insert(&mut root, &key_path(&key), value);
    }
    Ok(root)
}

/// `data[merges][FNAME]` → `["data", "merges", "FNAME"]`; a key that is not of that form stays
/// whole.
fn key_path(key: &str) -> Vec<String> {
    let whole = || vec![key.to_owned()];
    let Some(open) = key.find('[').filter(|i| *i > 0) else { return whole() };
    let mut path = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { return whole() };
        path.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
    }
    if rest.is_empty() { path } else { whole() }
}

/// Puts `value` at `path`; where a key is already a text, the first value wins.
fn insert(map: &mut Map<String, Value>, path: &[String], value: String) {
    let Some((first, rest)) = path.split_first() else { return };
    if rest.is_empty() {
        map.entry(first.clone()).or_insert(Value::String(value));
        return;
    }
    let child = map.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = child {
        insert(m, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBSCRIBE: &[u8] = b"type=subscribe&fired_at=2025-03-01+10%3A00%3A00\
        &data%5Bid%5D=3e3417d7ef&data%5Blist_id%5D=a1b2c3d4e5&data%5Bemail%5D=ada%40example.com\
        &data%5Bemail_type%5D=html&data%5Bmerges%5D%5BEMAIL%5D=ada%40example.com\
        &data%5Bmerges%5D%5BFNAME%5D=Ada&data%5Bmerges%5D%5BLNAME%5D=Lovelace\
        &data%5Bip_opt%5D=203.0.113.7&data%5Bip_signup%5D=203.0.113.7";

    fn props(events: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("secret".into(), json!("a-long-random-secret"));
        m.insert("events".into(), events);
        m
    }

    fn request(secret: Option<&str>, method: &str, body: &[u8]) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: method.into(),
            headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
            query: secret
                .map(|s| vec![(SECRET_PARAM.to_owned(), s.to_owned())])
                .unwrap_or_default(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn a_subscribe_with_the_secret_becomes_nested_output() {
        let r = request(Some("a-long-random-secret"), "POST", SUBSCRIBE);
        let event = match AudienceEvent.event(&props(Value::Null), &r) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            event.output,
            json!({
                "type": "subscribe",
                "fired_at": "2025-03-01 10:00:00",
                "data": {
                    "id": "3e3417d7ef",
                    "list_id": "a1b2c3d4e5",
                    "email": "ada@example.com",
                    "email_type": "html",
                    "merges": { "EMAIL": "ada@example.com", "FNAME": "Ada", "LNAME": "Lovelace" },
                    "ip_opt": "203.0.113.7",
                    "ip_signup": "203.0.113.7"
                }
            })
        );
        assert_eq!(event.dedupe_key.as_deref(), Some("subscribe:2025-03-01 10:00:00:3e3417d7ef"));
    }

    #[test]
    fn a_wrong_or_missing_secret_is_refused() {
        for secret in [None, Some("a-long-random-secreT"), Some("")] {
            let r = request(secret, "POST", SUBSCRIBE);
            assert!(
                matches!(
                    AudienceEvent.event(&props(Value::Null), &r),
                    Err(TriggerError::Unauthorized(_))
                ),
                "{secret:?}"
            );
        }
        // No secret configured: nothing gets in.
        let r = request(Some("a-long-random-secret"), "POST", SUBSCRIBE);
        assert!(matches!(AudienceEvent.event(&Map::new(), &r), Err(TriggerError::Unauthorized(_))));
    }

    #[test]
    fn the_url_check_is_answered_without_a_run() {
        let get = request(Some("a-long-random-secret"), "GET", b"");
        assert!(matches!(
            AudienceEvent.event(&props(Value::Null), &get),
            Err(TriggerError::Reply(_))
        ));
        let empty = request(Some("a-long-random-secret"), "POST", b"");
        assert!(matches!(
            AudienceEvent.event(&props(Value::Null), &empty),
            Err(TriggerError::Reply(_))
        ));
        // ... but only with the secret.
        let get = request(None, "GET", b"");
        assert!(matches!(
            AudienceEvent.event(&props(Value::Null), &get),
            Err(TriggerError::Unauthorized(_))
        ));
    }

    #[test]
    fn events_filter() {
        let r = request(Some("a-long-random-secret"), "POST", SUBSCRIBE);
        assert!(AudienceEvent.event(&props(json!(["subscribe", "profile"])), &r).is_ok());
        assert!(matches!(
            AudienceEvent.event(&props(json!(["unsubscribe"])), &r),
            Err(TriggerError::Ignored(_))
        ));
        assert!(matches!(
            AudienceEvent.event(&props(json!(5)), &r),
            Err(TriggerError::Malformed(_))
        ));
    }

    #[test]
    fn bracketed_keys() {
        assert_eq!(key_path("data[merges][FNAME]"), ["data", "merges", "FNAME"]);
        assert_eq!(key_path("type"), ["type"]);
        assert_eq!(key_path("[odd]"), ["[odd]"]);
        assert_eq!(key_path("a[b"), ["a[b"]);
        assert_eq!(key_path("a[b]c"), ["a[b]c"]);
        let mut m = Map::new();
        insert(&mut m, &key_path("data"), "text".into());
        insert(&mut m, &key_path("data[x]"), "ignored".into());
        assert_eq!(Value::Object(m), json!({ "data": "text" }));
    }
}
