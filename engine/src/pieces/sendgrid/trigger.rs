//! The `email_event` trigger: a batch of events SendGrid's Event Webhook posts (a JSON array of
//! `processed`, `delivered`, `bounce`, `open`, `click`, ... events).
//!
//! # Signature
//!
//! With "Signed Event Webhook Requests" on, SendGrid signs each request with ECDSA over P-256 and
//! SHA-256: `X-Twilio-Email-Event-Webhook-Signature` is the base64 DER signature of the
//! `X-Twilio-Email-Event-Webhook-Timestamp` value followed by the raw body, and the verification
//! key SendGrid shows is a base64 DER `SubjectPublicKeyInfo`
//! (<https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features>).
//! The verification uses the P-256 algorithm of the `ring` provider that `rustls` (already a
//! dependency) ships, so no crate is added. SendGrid documents no freshness window for the
//! timestamp, so none is enforced; a replayed batch is caught by the dedupe key instead.
//!
//! # Output
//!
//! `{ "events": [...] }`, keeping only the event types the `event_types` prop selects (a batch
//! with none left starts no run). The dedupe key is a SHA-256 of the batch's `sg_event_id`s, so a
//! redelivered batch starts one run.

use std::sync::LazyLock;

use base64::Engine as _;
use rustls::pki_types::{SignatureVerificationAlgorithm, alg_id};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-twilio-email-event-webhook-signature";
/// The header carrying the signed timestamp.
pub const TIMESTAMP_HEADER: &str = "x-twilio-email-event-webhook-timestamp";

/// The DER prefix of a P-256 `SubjectPublicKeyInfo` (algorithm id-ecPublicKey with the
/// prime256v1 curve, then a 66-byte bit string): the uncompressed point follows it.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// ECDSA P-256 with SHA-256 (DER signatures), from rustls' ring provider.
static ECDSA_P256_SHA256: LazyLock<Option<&'static dyn SignatureVerificationAlgorithm>> =
    LazyLock::new(|| {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .all
            .iter()
            .copied()
            .find(|a| {
                a.public_key_alg_id() == alg_id::ECDSA_P256
                    && a.signature_alg_id() == alg_id::ECDSA_SHA256
            })
    });

/// The `email_event` trigger source.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailEvent;

fn misconfigured(why: &str) -> TriggerError {
    TriggerError::Unauthorized(format!("the SendGrid trigger is misconfigured: {why}"))
}

impl TriggerSource for EmailEvent {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        let key = props
            .get("verification_key")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| misconfigured("`verification_key` is missing"))?;
        let point = public_point(key)?;
        verify(&point, request)?;

        let events: Vec<Value> = serde_json::from_slice(&request.body).map_err(|e| {
            TriggerError::Malformed(format!("the body is not a JSON array of events: {e}"))
        })?;
        let dedupe_key = batch_key(&events);
        let wanted: Vec<&str> = match props.get("event_types") {
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let events: Vec<Value> = events
            .into_iter()
            .filter(|e| {
                wanted.is_empty()
                    || e.get("event").and_then(Value::as_str).is_some_and(|t| wanted.contains(&t))
            })
            .collect();
        if events.is_empty() {
            return Err(TriggerError::Ignored("no selected event types in the batch".into()));
        }
        let mut output = Map::new();
        output.insert("events".into(), Value::Array(events));
        Ok(TriggerEvent { output: Value::Object(output), dedupe_key })
    }
}

/// The uncompressed P-256 point inside the base64 `SubjectPublicKeyInfo` SendGrid shows (PEM
/// armour, if pasted, is stripped).
fn public_point(key: &str) -> Result<Vec<u8>, TriggerError> {
    let base64_text: String = key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64_text)
        .map_err(|_| misconfigured("`verification_key` is not base64"))?;
    match der.strip_prefix(&P256_SPKI_PREFIX[..]) {
        Some(point) if point.len() == 65 && point[0] == 0x04 => Ok(point.to_vec()),
        _ => Err(misconfigured("`verification_key` is not a P-256 public key")),
    }
}

/// Checks the signature over timestamp + body.
fn verify(point: &[u8], request: &TriggerRequest) -> Result<(), TriggerError> {
    let header = |name: &str| {
        request.header(name).map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
            TriggerError::Unauthorized(format!(
                "the {name} header is missing (turn on Signed Event Webhook Requests)"
            ))
        })
    };
    let signature = header(SIGNATURE_HEADER)?;
    let timestamp = header(TIMESTAMP_HEADER)?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .map_err(|_| TriggerError::Unauthorized("the signature is not base64".into()))?;
    let Some(algorithm) = *ECDSA_P256_SHA256 else {
        return Err(TriggerError::Unauthorized(
            "ECDSA P-256 verification is not available in this build".into(),
        ));
    };
    let mut message = Vec::with_capacity(timestamp.len() + request.body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(&request.body);
    algorithm.verify_signature(point, &message, &der).map_err(|_| {
        TriggerError::Unauthorized(
            "the signature does not match the body (check the verification key)".into(),
        )
    })
}

/// A SHA-256 of the batch's `sg_event_id`s, when every event has one.
fn batch_key(events: &[Value]) -> Option<String> {
    if events.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    for e in events {
        let id = e.get("sg_event_id").and_then(Value::as_str).filter(|s| !s.is_empty())?;
        hasher.update(id.as_bytes());
        hasher.update(b"\n");
    }
    Some(hasher.finalize().iter().fold(String::from("sendgrid:"), |mut out, b| {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
        out
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // SendGrid's own published test vector (the one its SDKs test against).
    const PUBLIC_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    const OTHER_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    const SIGNATURE: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
    const TIMESTAMP: &str = "1588788367";
    const PAYLOAD: &str =
        r#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;

    fn request(signature: &str, timestamp: &str, body: &str) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                (SIGNATURE_HEADER.into(), signature.into()),
                (TIMESTAMP_HEADER.into(), timestamp.into()),
            ],
            query: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn point(key: &str) -> Vec<u8> {
        match public_point(key) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn sendgrids_test_vector_verifies() {
        assert!(verify(&point(PUBLIC_KEY), &request(SIGNATURE, TIMESTAMP, PAYLOAD)).is_ok());
        // The same key pasted as PEM.
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{PUBLIC_KEY}\n-----END PUBLIC KEY-----\n");
        assert!(verify(&point(&pem), &request(SIGNATURE, TIMESTAMP, PAYLOAD)).is_ok());
    }

    #[test]
    fn a_bad_signature_key_payload_or_timestamp_is_rejected() {
        let bad_signature = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";
        for (key, r) in [
            (OTHER_KEY, request(SIGNATURE, TIMESTAMP, PAYLOAD)),
            (PUBLIC_KEY, request(SIGNATURE, TIMESTAMP, "payload")),
            (PUBLIC_KEY, request(SIGNATURE, "1388788367", PAYLOAD)),
            (PUBLIC_KEY, request(bad_signature, TIMESTAMP, PAYLOAD)),
        ] {
            match verify(&point(key), &r) {
                Err(TriggerError::Unauthorized(m)) => assert!(m.contains("does not match"), "{m}"),
                other => panic!("expected Unauthorized, got {other:?}"),
            }
        }
        let mut unsigned = request(SIGNATURE, TIMESTAMP, PAYLOAD);
        unsigned.headers.retain(|(k, _)| k != SIGNATURE_HEADER);
        assert!(matches!(
            verify(&point(PUBLIC_KEY), &unsigned),
            Err(TriggerError::Unauthorized(_))
        ));
    }

    #[test]
    fn a_key_that_is_not_p256_is_a_misconfiguration() {
        for key in ["not base64!", "AAAA", ""] {
            let mut props = Map::new();
            props.insert("verification_key".into(), json!(key));
            match EmailEvent.event(&props, &request(SIGNATURE, TIMESTAMP, PAYLOAD)) {
                Err(TriggerError::Unauthorized(m)) => assert!(m.contains("misconfigured"), "{m}"),
                other => panic!("expected Unauthorized, got {other:?}"),
            }
        }
    }

    #[test]
    fn the_trigger_wants_an_array_of_events() {
        // The vector's payload is one object, not SendGrid's array: signed, but malformed.
        let mut props = Map::new();
        props.insert("verification_key".into(), json!(PUBLIC_KEY));
        assert!(matches!(
            EmailEvent.event(&props, &request(SIGNATURE, TIMESTAMP, PAYLOAD)),
            Err(TriggerError::Malformed(_))
        ));
    }

    // A batch shaped like SendGrid's (an array, CRLF-terminated), signed with a throwaway key by
    // Python's `cryptography` (ECDSA P-256, SHA-256) when this test was written.
    const BATCH_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBPmAwU1cdE/GFMhrAw7QEaZrvxwnHVYrTMdGTA+m6hRAR/v2JBGCjGVDxfahUlnJTnixjYwfKvLms4cqZUOwKQ==";
    const BATCH_SIGNATURE: &str = "MEYCIQCbXmBFKYWEx3hEtoZSobGZ+njY31LPrN5ZkVxt9b+9sAIhAP96WgFvS/Dj+OiM6ZqK5bZT2WDXUXG9nEBgAXGHyQXn";
    const BATCH_TIMESTAMP: &str = "1717200100";
    const BATCH: &str = "[{\"email\":\"ada@example.com\",\"timestamp\":1717200000,\"event\":\"delivered\",\"sg_event_id\":\"ZGVsaXZlcmVkLTA\",\"sg_message_id\":\"W6A2p2bKQ5yYf7QfXm1bZg.filter0001.1234.0\"},{\"email\":\"ada@example.com\",\"timestamp\":1717200060,\"event\":\"open\",\"sg_event_id\":\"b3Blbi0x\",\"sg_message_id\":\"W6A2p2bKQ5yYf7QfXm1bZg.filter0001.1234.0\"}]\r\n";

    #[test]
    fn a_signed_batch_becomes_the_selected_events() {
        let r = request(BATCH_SIGNATURE, BATCH_TIMESTAMP, BATCH);
        let mut props = Map::new();
        props.insert("verification_key".into(), json!(BATCH_KEY));
        let all = match EmailEvent.event(&props, &r) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(all.output["events"].as_array().map(Vec::len), Some(2));
        assert!(all.dedupe_key.is_some());

        props.insert("event_types".into(), json!(["open", "click"]));
        let opens = match EmailEvent.event(&props, &r) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(opens.output["events"][0]["event"], "open");
        assert_eq!(opens.output["events"].as_array().map(Vec::len), Some(1));
        assert_eq!(opens.dedupe_key, all.dedupe_key);

        props.insert("event_types".into(), json!(["bounce"]));
        assert!(matches!(EmailEvent.event(&props, &r), Err(TriggerError::Ignored(_))));

        // The same batch with one byte changed.
        let tampered = request(BATCH_SIGNATURE, BATCH_TIMESTAMP, &BATCH.replace("open", "click"));
        props.remove("event_types");
        assert!(matches!(EmailEvent.event(&props, &tampered), Err(TriggerError::Unauthorized(_))));
    }

    #[test]
    fn event_types_filter_and_batch_key() {
        let events = vec![
            json!({ "event": "delivered", "sg_event_id": "a" }),
            json!({ "event": "open", "sg_event_id": "b" }),
        ];
        let key = batch_key(&events);
        assert!(key.as_deref().is_some_and(|k| k.starts_with("sendgrid:") && k.len() == 73));
        assert_eq!(key, batch_key(&events.clone()));
        assert_ne!(key, batch_key(&events[..1]));
        assert_eq!(batch_key(&[json!({ "event": "open" })]), None);
    }
}
