//! The `email_event` trigger: the events Resend's webhooks post (`email.sent`,
//! `email.delivered`, `email.bounced`, ...), as `{ "type", "created_at", "data" }` JSON.
//!
//! # Signature
//!
//! Resend sends its webhooks through Svix (<https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests>).
//! Each request has `svix-id`, `svix-timestamp` (Unix seconds) and `svix-signature`: a
//! space-separated list of `v1,<base64>` entries, each a base64 HMAC-SHA256 of
//! `{svix-id}.{svix-timestamp}.{raw body}` keyed with the base64-decoded part of the signing
//! secret after `whsec_`. One matching entry is enough (several appear while a secret is
//! rotated). A timestamp more than five minutes away from now is rejected, so a captured request
//! cannot be replayed later.
//!
//! # Output
//!
//! The event as Resend sent it, plus `webhook_id` (the `svix-id`), which is also the dedupe key:
//! Svix retries a delivery with the same id.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// How far a request's timestamp may be from now, in seconds.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// The `email_event` trigger source.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailEvent;

fn misconfigured(why: &str) -> TriggerError {
    TriggerError::Unauthorized(format!("the Resend trigger is misconfigured: {why}"))
}

impl TriggerSource for EmailEvent {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        event_at(props, request, chrono::Utc::now().timestamp())
    }
}

/// [`EmailEvent::event`] at the given time (Unix seconds).
fn event_at(
    props: &Map<String, Value>,
    request: &TriggerRequest,
    now: i64,
) -> Result<TriggerEvent, TriggerError> {
    let secret = props
        .get("signing_secret")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| misconfigured("`signing_secret` is missing"))?;
    let key = decode_secret(secret)?;
    let id = verify(&key, request, now)?;

    let mut event: Map<String, Value> = serde_json::from_slice(&request.body)
        .map_err(|e| TriggerError::Malformed(format!("the body is not a JSON object: {e}")))?;
    let wanted: Vec<&str> = match props.get("event_types") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = event.get("type").and_then(Value::as_str).unwrap_or_default();
    if !wanted.is_empty() && !wanted.contains(&kind) {
        return Err(TriggerError::Ignored(format!("a `{kind}` event (not selected)")));
    }
    event.insert("webhook_id".into(), Value::String(id.clone()));
    Ok(TriggerEvent { output: Value::Object(event), dedupe_key: Some(id) })
}

/// The HMAC key: the base64 after `whsec_` (a secret pasted without the prefix works too).
fn decode_secret(secret: &str) -> Result<Vec<u8>, TriggerError> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| {
        misconfigured("`signing_secret` is not a whsec_… secret (base64 after whsec_)")
    })
}

/// Checks the Svix headers; returns the message id.
fn verify(key: &[u8], request: &TriggerRequest, now: i64) -> Result<String, TriggerError> {
    let header = |name: &str| {
        request
            .header(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| TriggerError::Unauthorized(format!("the {name} header is missing")))
    };
    let id = header("svix-id")?;
    let timestamp = header("svix-timestamp")?;
    let signatures = header("svix-signature")?;

    let sent: i64 = timestamp.parse().map_err(|_| {
        TriggerError::Unauthorized("the svix-timestamp header is not a Unix time".into())
    })?;
    if (now - sent).abs() > TOLERANCE_SECS {
        return Err(TriggerError::Unauthorized(format!(
            "the svix-timestamp is {} seconds from now (at most {TOLERANCE_SECS} allowed)",
            (now - sent).abs()
        )));
    }

    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return Err(misconfigured("`signing_secret` is empty"));
    };
    Mac::update(&mut mac, id.as_bytes());
    Mac::update(&mut mac, b".");
    Mac::update(&mut mac, timestamp.as_bytes());
    Mac::update(&mut mac, b".");
    Mac::update(&mut mac, &request.body);

    let matched = signatures.split_whitespace().any(|entry| {
        let Some(("v1", encoded)) = entry.split_once(',') else { return false };
        match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(tag) => mac.clone().verify_slice(&tag).is_ok(),
            Err(_) => false,
        }
    });
    if matched {
        Ok(id.to_owned())
    } else {
        Err(TriggerError::Unauthorized(
            "the svix-signature does not match the body (check the signing secret)".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET_BYTES: &[u8] = b"resend-test-signing-key-0123456789";
    const NOW: i64 = 1_717_236_000;
    const BODY: &str = r#"{"type":"email.delivered","created_at":"2024-06-01T10:00:00.000Z","data":{"email_id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794","from":"Acme <orders@example.com>","to":["ada@example.com"],"subject":"Your order"}}"#;

    fn secret() -> String {
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(SECRET_BYTES))
    }

    /// The Svix signature, computed here from the documented scheme.
    fn sign(id: &str, timestamp: i64, body: &str) -> String {
        let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET_BYTES) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        Mac::update(&mut mac, format!("{id}.{timestamp}.{body}").as_bytes());
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    fn request(id: &str, timestamp: i64, signature: &str, body: &str) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("svix-id".into(), id.into()),
                ("svix-timestamp".into(), timestamp.to_string()),
                ("svix-signature".into(), signature.into()),
            ],
            query: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn props(extra: Value) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("signing_secret".into(), Value::String(secret()));
        if let Value::Object(extra) = extra {
            p.extend(extra);
        }
        p
    }

    fn unauthorized(props: &Map<String, Value>, request: &TriggerRequest) -> String {
        match event_at(props, request, NOW) {
            Err(TriggerError::Unauthorized(m)) => m,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn a_signed_event_is_accepted() {
        let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
        let r = request(id, NOW - 10, &sign(id, NOW - 10, BODY), BODY);
        let event = match event_at(&props(json!({})), &r, NOW) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(event.dedupe_key.as_deref(), Some(id));
        assert_eq!(event.output["type"], "email.delivered");
        assert_eq!(event.output["data"]["to"], json!(["ada@example.com"]));
        assert_eq!(event.output["webhook_id"], id);
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let id = "msg_rotating";
        let both =
            format!("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {}", sign(id, NOW, BODY));
        assert!(event_at(&props(json!({})), &request(id, NOW, &both, BODY), NOW).is_ok());
    }

    #[test]
    fn a_bad_signature_is_rejected() {
        let id = "msg_1";
        // Another key.
        let mut other = props(json!({}));
        other.insert(
            "signing_secret".into(),
            Value::String(format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(b"another-key")
            )),
        );
        let r = request(id, NOW, &sign(id, NOW, BODY), BODY);
        assert!(unauthorized(&other, &r).contains("does not match"));
        // A tampered body, id or timestamp.
        let tampered = BODY.replace("email.delivered", "email.bounced");
        let r = request(id, NOW, &sign(id, NOW, BODY), &tampered);
        assert!(unauthorized(&props(json!({})), &r).contains("does not match"));
        let r = request("msg_2", NOW, &sign(id, NOW, BODY), BODY);
        assert!(unauthorized(&props(json!({})), &r).contains("does not match"));
        let r = request(id, NOW - 1, &sign(id, NOW, BODY), BODY);
        assert!(unauthorized(&props(json!({})), &r).contains("does not match"));
        // An unknown scheme.
        let v2 = sign(id, NOW, BODY).replacen("v1,", "v2,", 1);
        assert!(unauthorized(&props(json!({})), &request(id, NOW, &v2, BODY)).contains("match"));
    }

    #[test]
    fn an_old_or_future_timestamp_is_rejected() {
        let id = "msg_old";
        let old = NOW - TOLERANCE_SECS - 1;
        let r = request(id, old, &sign(id, old, BODY), BODY);
        assert!(unauthorized(&props(json!({})), &r).contains("seconds from now"));
        let future = NOW + TOLERANCE_SECS + 1;
        let r = request(id, future, &sign(id, future, BODY), BODY);
        assert!(unauthorized(&props(json!({})), &r).contains("seconds from now"));
    }

    #[test]
    fn missing_headers_and_secret_are_rejected() {
        let id = "msg_1";
        let mut r = request(id, NOW, &sign(id, NOW, BODY), BODY);
        r.headers.retain(|(k, _)| k != "svix-signature");
        assert!(unauthorized(&props(json!({})), &r).contains("svix-signature header is missing"));
        let r = request(id, NOW, &sign(id, NOW, BODY), BODY);
        assert!(unauthorized(&Map::new(), &r).contains("misconfigured"));
        let mut bad = Map::new();
        bad.insert("signing_secret".into(), Value::String("whsec_not base64!".into()));
        assert!(unauthorized(&bad, &r).contains("misconfigured"));
    }

    #[test]
    fn unselected_event_types_are_ignored() {
        let id = "msg_1";
        let r = request(id, NOW, &sign(id, NOW, BODY), BODY);
        let only_bounces = props(json!({ "event_types": ["email.bounced"] }));
        assert!(matches!(event_at(&only_bounces, &r, NOW), Err(TriggerError::Ignored(_))));
        let delivered = props(json!({ "event_types": ["email.bounced", "email.delivered"] }));
        assert!(event_at(&delivered, &r, NOW).is_ok());
    }
}
