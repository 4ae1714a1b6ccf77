//! HubSpot webhooks: a HubSpot app's webhook subscriptions POST batches of events (a JSON array,
//! up to 100 events) to one target URL, signed with the app's client secret.
//!
//! Only requests with a valid v3 signature are accepted
//! (<https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests>):
//! `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed with the client secret, of
//! `method + uri + body + timestamp`, where the timestamp is `X-HubSpot-Request-Timestamp`
//! (milliseconds since the epoch) and requests more than 5 minutes old are refused. The URI is
//! the public URL HubSpot called, with a few percent-encoded characters decoded. A
//! [`TriggerRequest`] carries no URL (and behind a proxy the host could not rebuild it anyway), so
//! the trigger takes it as its `webhook_url` prop: the target URL set in the app.
//!
//! The output is `{ "events": [...] }`: the batch's events, narrowed to the `subscription_types`
//! prop when it is set (a batch with none of them starts no run).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// How far a request's timestamp may be from now: HubSpot's documented 5 minutes.
pub const MAX_AGE_MS: i64 = 5 * 60 * 1000;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-hubspot-signature-v3";
/// The timestamp header (milliseconds since the epoch).
pub const TIMESTAMP_HEADER: &str = "x-hubspot-request-timestamp";

/// The percent-encoded characters HubSpot decodes in the URI before signing it.
const DECODED: [(&str, char); 12] = [
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

/// The `webhook_events` trigger.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookEvents;

impl TriggerSource for WebhookEvents {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        self.event_at(props, request, chrono::Utc::now().timestamp_millis())
    }
}

impl WebhookEvents {
    /// [`TriggerSource::event`] with the clock given (`now_ms`: milliseconds since the epoch).
    pub fn event_at(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
        now_ms: i64,
    ) -> Result<TriggerEvent, TriggerError> {
        let secret = setting(props, "client_secret")?;
        let url = setting(props, "webhook_url")?;
        verify(secret, url, request, now_ms)?;

        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| TriggerError::Malformed(format!("the body is not valid JSON: {e}")))?;
        let events = match body {
            Value::Array(events) => events,
            // HubSpot sends arrays; a single event object is taken as a batch of one.
            event @ Value::Object(_) => vec![event],
            _ => {
                return Err(TriggerError::Malformed(
                    "a HubSpot webhook body is an array of events".into(),
                ));
            }
        };
        let wanted = subscription_types(props)?;
        let events: Vec<Value> = match &wanted {
            None => events,
            Some(types) => events
                .into_iter()
                .filter(|e| {
                    e.get("subscriptionType")
                        .and_then(Value::as_str)
                        .is_some_and(|t| types.iter().any(|w| w == t))
                })
                .collect(),
        };
        if events.is_empty() {
            return Err(TriggerError::Ignored(match wanted {
                Some(types) => format!("no event of type {}", types.join(", ")),
                None => "the batch has no events".into(),
            }));
        }
        // A retried batch carries the same event ids; a batch is identified by all of them.
        let ids: Vec<String> = events
            .iter()
            .filter_map(|e| e.get("eventId"))
            .map(|id| match id {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let dedupe_key = (ids.len() == events.len()).then(|| ids.join(","));
        Ok(TriggerEvent { output: json!({ "events": events }), dedupe_key })
    }
}

/// A required text prop; a missing one rejects every request (fail closed).
fn setting<'a>(props: &'a Map<String, Value>, name: &str) -> Result<&'a str, TriggerError> {
    match props.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        _ => Err(TriggerError::Unauthorized(format!(
            "the HubSpot trigger's `{name}` is not set, so no request can be verified"
        ))),
    }
}

/// The `subscription_types` filter, if any.
fn subscription_types(props: &Map<String, Value>) -> Result<Option<Vec<String>>, TriggerError> {
    let types: Vec<String> = match props.get("subscription_types") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.split(',').map(|t| t.trim().to_owned()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.trim().to_owned()),
                other => Err(TriggerError::Malformed(format!(
                    "`subscription_types` holds {other}, not an event type"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(TriggerError::Malformed(format!(
                "`subscription_types` must be a list of event types, not {other}"
            )));
        }
    };
    let types: Vec<String> = types.into_iter().filter(|t| !t.is_empty()).collect();
    Ok((!types.is_empty()).then_some(types))
}

/// The URI as HubSpot signs it: the listed percent-encoded characters decoded (hex digits in
/// either case).
pub fn signed_uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let escape = rest.get(i..i + 3).unwrap_or(&rest[i..]);
        match DECODED.iter().find(|(code, _)| code.eq_ignore_ascii_case(escape)) {
            Some((_, c)) => {
                out.push(*c);
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks the v3 signature and the timestamp's age.
pub fn verify(
    client_secret: &str,
    webhook_url: &str,
    request: &TriggerRequest,
    now_ms: i64,
) -> Result<(), TriggerError> {
    use hmac::{Hmac, KeyInit, Mac};

    let signature = request.header(SIGNATURE_HEADER).ok_or_else(|| {
        TriggerError::Unauthorized("the X-HubSpot-Signature-v3 header is missing".into())
    })?;
    let timestamp = request
        .header(TIMESTAMP_HEADER)
        .ok_or_else(|| {
            TriggerError::Unauthorized("the X-HubSpot-Request-Timestamp header is missing".into())
        })?
        .trim();
    let sent_ms: i64 = timestamp.parse().map_err(|_| {
        TriggerError::Unauthorized(format!(
            "X-HubSpot-Request-Timestamp `{timestamp}` is not milliseconds since the epoch"
        ))
    })?;
    if now_ms.abs_diff(sent_ms) > MAX_AGE_MS.unsigned_abs() {
        return Err(TriggerError::Unauthorized(
            "the request's timestamp is more than 5 minutes from now (a replayed request?)".into(),
        ));
    }
    let given =
        base64::engine::general_purpose::STANDARD.decode(signature.trim()).map_err(|_| {
            TriggerError::Unauthorized("the X-HubSpot-Signature-v3 header is not base64".into())
        })?;
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(client_secret.as_bytes())
        .map_err(|_| TriggerError::Unauthorized("the client secret is not usable".into()))?;
    Mac::update(&mut mac, request.method.to_ascii_uppercase().as_bytes());
    Mac::update(&mut mac, signed_uri(webhook_url).as_bytes());
    Mac::update(&mut mac, &request.body);
    Mac::update(&mut mac, timestamp.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given).map_err(|_| {
        TriggerError::Unauthorized(
            "the X-HubSpot-Signature-v3 signature does not match (check the client secret and \
             that the webhook URL is exactly the app's target URL)"
                .into(),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};

    use super::*;

    const SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    const URL: &str = "https://flows.example.com/hooks/hubspot-contacts";
    const NOW: i64 = 1_736_935_200_000;

    /// What HubSpot sends: base64(HMAC-SHA256(secret, method + uri + body + timestamp)).
    fn sign(secret: &str, method: &str, uri: &str, body: &str, timestamp: &str) -> String {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{method}{uri}{body}{timestamp}").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn request(body: &str, timestamp: i64, signature: &str) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                (SIGNATURE_HEADER.into(), signature.into()),
                (TIMESTAMP_HEADER.into(), timestamp.to_string()),
            ],
            query: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn props(url: &str) -> Map<String, Value> {
        let Value::Object(m) = json!({ "client_secret": SECRET, "webhook_url": url }) else {
            unreachable!()
        };
        m
    }

    const BATCH: &str = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321},{"eventId":2,"subscriptionId":12346,"portalId":62515,"occurredAt":1564113600001,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":3001,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM","appId":54321}]"#;

    #[test]
    fn a_valid_signature_is_accepted() {
        let ts = NOW - 1_000;
        let sig = sign(SECRET, "POST", URL, BATCH, &ts.to_string());
        let event = WebhookEvents.event_at(&props(URL), &request(BATCH, ts, &sig), NOW).unwrap();
        let events = event.output["events"].as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["objectId"], 123);
        assert_eq!(event.dedupe_key.as_deref(), Some("1,2"));
    }

    #[test]
    fn a_bad_signature_is_rejected() {
        let ts = NOW - 1_000;
        let wrong_secret = sign("another-secret", "POST", URL, BATCH, &ts.to_string());
        let err = WebhookEvents
            .event_at(&props(URL), &request(BATCH, ts, &wrong_secret), NOW)
            .unwrap_err();
        assert!(matches!(err, TriggerError::Unauthorized(_)), "{err}");

        // Signed for another URL (or a tampered body): rejected too.
        let other_url = sign(SECRET, "POST", "https://evil.example.com/x", BATCH, &ts.to_string());
        let err =
            WebhookEvents.event_at(&props(URL), &request(BATCH, ts, &other_url), NOW).unwrap_err();
        assert!(matches!(err, TriggerError::Unauthorized(_)), "{err}");
        let sig = sign(SECRET, "POST", URL, BATCH, &ts.to_string());
        let tampered = BATCH.replace("123", "124");
        let err =
            WebhookEvents.event_at(&props(URL), &request(&tampered, ts, &sig), NOW).unwrap_err();
        assert!(matches!(err, TriggerError::Unauthorized(_)), "{err}");

        let err = WebhookEvents.event_at(&props(URL), &request(BATCH, ts, "%%%"), NOW).unwrap_err();
        assert!(matches!(err, TriggerError::Unauthorized(_)), "{err}");
    }

    #[test]
    fn a_stale_or_future_timestamp_is_rejected_even_when_signed() {
        for ts in [NOW - MAX_AGE_MS - 1, NOW + MAX_AGE_MS + 1] {
            let sig = sign(SECRET, "POST", URL, BATCH, &ts.to_string());
            let err =
                WebhookEvents.event_at(&props(URL), &request(BATCH, ts, &sig), NOW).unwrap_err();
            assert!(
                matches!(&err, TriggerError::Unauthorized(m) if m.contains("5 minutes")),
                "{err}"
            );
        }
        // Exactly 5 minutes old is still within the window.
        let ts = NOW - MAX_AGE_MS;
        let sig = sign(SECRET, "POST", URL, BATCH, &ts.to_string());
        assert!(WebhookEvents.event_at(&props(URL), &request(BATCH, ts, &sig), NOW).is_ok());
    }

    #[test]
    fn missing_headers_and_settings_fail_closed() {
        let mut req = request(BATCH, NOW, "x");
        req.headers.retain(|(k, _)| k != SIGNATURE_HEADER);
        assert!(matches!(
            WebhookEvents.event_at(&props(URL), &req, NOW),
            Err(TriggerError::Unauthorized(_))
        ));
        let mut req = request(BATCH, NOW, "x");
        req.headers.retain(|(k, _)| k != TIMESTAMP_HEADER);
        assert!(matches!(
            WebhookEvents.event_at(&props(URL), &req, NOW),
            Err(TriggerError::Unauthorized(_))
        ));
        let sig = sign(SECRET, "POST", URL, BATCH, &NOW.to_string());
        let mut no_secret = props(URL);
        no_secret.remove("client_secret");
        assert!(matches!(
            WebhookEvents.event_at(&no_secret, &request(BATCH, NOW, &sig), NOW),
            Err(TriggerError::Unauthorized(_))
        ));
    }

    #[test]
    fn the_signed_uri_has_the_listed_characters_decoded() {
        let configured =
            "https://flows.example.com/hooks/h?source=hub%3Aspot&tag=%28a%2Cb%29&q=%20x";
        let signed = "https://flows.example.com/hooks/h?source=hub:spot&tag=(a,b)&q=%20x";
        assert_eq!(signed_uri(configured), signed);
        assert_eq!(signed_uri("https://x/y%3a%2f%"), "https://x/y:/%");

        let ts = NOW;
        let sig = sign(SECRET, "POST", signed, BATCH, &ts.to_string());
        assert!(WebhookEvents.event_at(&props(configured), &request(BATCH, ts, &sig), NOW).is_ok());
    }

    #[test]
    fn subscription_types_narrow_the_batch() {
        let ts = NOW;
        let sig = sign(SECRET, "POST", URL, BATCH, &ts.to_string());
        let mut p = props(URL);
        p.insert("subscription_types".into(), json!(["deal.propertyChange"]));
        let event = WebhookEvents.event_at(&p, &request(BATCH, ts, &sig), NOW).unwrap();
        assert_eq!(event.output["events"].as_array().unwrap().len(), 1);
        assert_eq!(event.output["events"][0]["propertyValue"], "closedwon");
        assert_eq!(event.dedupe_key.as_deref(), Some("2"));

        p.insert("subscription_types".into(), json!(["company.creation"]));
        assert!(matches!(
            WebhookEvents.event_at(&p, &request(BATCH, ts, &sig), NOW),
            Err(TriggerError::Ignored(_))
        ));
    }

    #[test]
    fn a_signed_body_that_is_not_json_is_malformed() {
        let sig = sign(SECRET, "POST", URL, "hello", &NOW.to_string());
        assert!(matches!(
            WebhookEvents.event_at(&props(URL), &request("hello", NOW, &sig), NOW),
            Err(TriggerError::Malformed(_))
        ));
    }
}
