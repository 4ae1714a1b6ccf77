//! The `webhook_notification` trigger: Airtable's webhook pings.
//!
//! When a change matches a webhook's specification, Airtable POSTs a small JSON body to the
//! webhook's notification URL: `{"base": {"id": "app…"}, "webhook": {"id": "ach…"},
//! "timestamp": "…"}`. It carries no record data; the changes are fetched from
//! `GET /v0/bases/{baseId}/webhooks/{webhookId}/payloads`.
//!
//! Each ping has an `X-Airtable-Content-MAC` header: `hmac-sha256=` followed by the lower-case hex
//! HMAC-SHA256 of the raw body, keyed with the base64-decoded `macSecretBase64` that Airtable
//! returned once when the webhook was created. A ping without it, or whose MAC does not match, is
//! refused (401) and starts no run. The trigger's output is the ping's body; its dedupe key is the
//! webhook id plus the timestamp, so a redelivered ping does not start a second run.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// The trigger name.
pub const WEBHOOK_NOTIFICATION: &str = "webhook_notification";
/// The header carrying the MAC.
pub const MAC_HEADER: &str = "x-airtable-content-mac";
/// What precedes the hex MAC in the header.
const MAC_PREFIX: &str = "hmac-sha256=";

/// Verifies and parses Airtable webhook pings.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookNotification;

impl TriggerSource for WebhookNotification {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        let key = mac_key(props)?;
        verify(&key, request)?;
        if request.body.iter().all(u8::is_ascii_whitespace) {
            return Err(TriggerError::Malformed("the ping has no body".into()));
        }
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| TriggerError::Malformed(format!("the ping is not valid JSON: {e}")))?;
        let webhook = body.pointer("/webhook/id").and_then(Value::as_str);
        let timestamp = body.get("timestamp").and_then(Value::as_str);
        let dedupe_key = match (webhook, timestamp) {
            (Some(w), Some(t)) => Some(format!("{w}:{t}")),
            _ => None,
        };
        Ok(TriggerEvent { output: body, dedupe_key })
    }
}

/// The HMAC key: the `mac_secret_base64` prop, decoded. A missing or broken secret refuses every
/// ping (fail closed).
fn mac_key(props: &Map<String, Value>) -> Result<Vec<u8>, TriggerError> {
    let misconfigured = |why: &str| {
        TriggerError::Unauthorized(format!("the Airtable trigger is misconfigured: {why}"))
    };
    let secret = props
        .get("mac_secret_base64")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| misconfigured("`mac_secret_base64` is missing"))?;
    base64::engine::general_purpose::STANDARD
        .decode(secret)
        .ok()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| misconfigured("`mac_secret_base64` is not base64"))
}

/// Checks the `X-Airtable-Content-MAC` header against the raw body (in constant time).
fn verify(key: &[u8], request: &TriggerRequest) -> Result<(), TriggerError> {
    let header = request.header(MAC_HEADER).ok_or_else(|| {
        TriggerError::Unauthorized("the X-Airtable-Content-MAC header is missing".into())
    })?;
    let hex = header.trim().strip_prefix(MAC_PREFIX).ok_or_else(|| {
        TriggerError::Unauthorized(format!(
            "the X-Airtable-Content-MAC header does not start with `{MAC_PREFIX}`"
        ))
    })?;
    let tag = decode_hex(hex).ok_or_else(|| {
        TriggerError::Unauthorized("the X-Airtable-Content-MAC header is not hex".into())
    })?;
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| TriggerError::Unauthorized("the MAC secret cannot be used".into()))?;
    Mac::update(&mut mac, &request.body);
    mac.verify_slice(&tag).map_err(|_| {
        TriggerError::Unauthorized("the X-Airtable-Content-MAC does not match the body".into())
    })
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET_B64: &str = "c2VjcmV0LW1hYy1rZXktZm9yLXRlc3Rz"; // "secret-mac-key-for-tests"
    const BODY: &[u8] = br#"{"base":{"id":"appLkNDICXNqxSDhG"},"webhook":{"id":"achW8iRsFmTH0Mle6"},"timestamp":"2025-03-01T10:00:05.663Z"}"#;

    fn props() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("mac_secret_base64".into(), json!(SECRET_B64));
        m
    }

    /// The MAC as Airtable computes it, built here from the decoded secret.
    fn mac_header(key: &[u8], body: &[u8]) -> String {
        let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        Mac::update(&mut mac, body);
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        format!("hmac-sha256={hex}")
    }

    fn ping(mac: Option<&str>, body: &[u8]) -> TriggerRequest {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(m) = mac {
            headers.push((MAC_HEADER.to_owned(), m.to_owned()));
        }
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers,
            query: Vec::new(),
            body: body.to_vec(),
        }
    }

    fn rejected(props: &Map<String, Value>, request: &TriggerRequest) -> String {
        match WebhookNotification.event(props, request) {
            Err(TriggerError::Unauthorized(m)) => m,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn a_signed_ping_is_accepted() {
        let header = mac_header(b"secret-mac-key-for-tests", BODY);
        let event = match WebhookNotification.event(&props(), &ping(Some(&header), BODY)) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(event.output["base"]["id"], "appLkNDICXNqxSDhG");
        assert_eq!(event.output["webhook"]["id"], "achW8iRsFmTH0Mle6");
        assert_eq!(event.dedupe_key.as_deref(), Some("achW8iRsFmTH0Mle6:2025-03-01T10:00:05.663Z"));
        // Upper-case hex is the same MAC.
        let upper = format!("hmac-sha256={}", header[MAC_PREFIX.len()..].to_ascii_uppercase());
        assert!(WebhookNotification.event(&props(), &ping(Some(&upper), BODY)).is_ok());
    }

    #[test]
    fn a_wrong_or_missing_mac_is_refused() {
        // Keyed with the base64 text itself rather than the decoded secret: a classic mistake.
        let wrong_key = mac_header(SECRET_B64.as_bytes(), BODY);
        assert!(rejected(&props(), &ping(Some(&wrong_key), BODY)).contains("does not match"));
        // A tampered body.
        let header = mac_header(b"secret-mac-key-for-tests", BODY);
        let tampered =
            BODY.to_vec().iter().map(|b| if *b == b'5' { b'6' } else { *b }).collect::<Vec<_>>();
        assert!(rejected(&props(), &ping(Some(&header), &tampered)).contains("does not match"));
        assert!(rejected(&props(), &ping(None, BODY)).contains("missing"));
        let bare = header.trim_start_matches(MAC_PREFIX).to_owned();
        assert!(rejected(&props(), &ping(Some(&bare), BODY)).contains("does not start with"));
        assert!(rejected(&props(), &ping(Some("hmac-sha256=zz"), BODY)).contains("not hex"));
    }

    #[test]
    fn a_missing_or_broken_secret_refuses_everything() {
        let header = mac_header(b"secret-mac-key-for-tests", BODY);
        assert!(rejected(&Map::new(), &ping(Some(&header), BODY)).contains("misconfigured"));
        let mut bad = Map::new();
        bad.insert("mac_secret_base64".into(), json!("not base64!"));
        assert!(rejected(&bad, &ping(Some(&header), BODY)).contains("misconfigured"));
    }

    #[test]
    fn a_signed_but_broken_body_is_malformed() {
        let body = b"not json";
        let header = mac_header(b"secret-mac-key-for-tests", body);
        assert!(matches!(
            WebhookNotification.event(&props(), &ping(Some(&header), body)),
            Err(TriggerError::Malformed(_))
        ));
    }
}
