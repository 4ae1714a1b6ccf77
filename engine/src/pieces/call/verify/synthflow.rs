//! Synthflow: `Synthflow-Signature` (call-platforms.md, section 6 "Synthflow", "Signature").
//!
//! `signature = base64(HMAC-SHA256(key = the workspace secret key from Settings → Security →
//! Webhooks, message = the call's call_id))`, sent on both the inbound and the post-call webhooks.
//! Only the `call_id` is signed, so the signature proves the sender knows the secret but not that
//! the rest of the body is intact, and there is no timestamp. The docs name the header
//! `HTTP_SYNTHFLOW_SIGNATURE`, which is how WSGI shows a header sent as `Synthflow-Signature`; as
//! the reference advises, both spellings are accepted (the one that arrived is logged at debug
//! level). The `call_id` is read from `call.call_id` (the post-call payload), else from a
//! top-level `call_id`.

use base64::Engine as _;
use hmac::Hmac;
use serde_json::Value;
use sha2::Sha256;

use super::{Delivery, VerifyError, hmac_matches, require_secret};

/// The header spellings Synthflow's signature may arrive under, in the order they are looked up.
pub const SYNTHFLOW_HEADERS: [&str; 2] = ["synthflow-signature", "http_synthflow_signature"];

const DISPLAY: &str = "Synthflow-Signature";

/// Checks Synthflow's signature of the body's `call_id` with the workspace's webhook secret key.
pub fn verify_synthflow(delivery: &Delivery<'_>, secret: &str) -> Result<(), VerifyError> {
    let secret = require_secret(secret, "Synthflow webhook secret key")?;
    let (name, value) = SYNTHFLOW_HEADERS
        .iter()
        .find_map(|name| delivery.header(name).map(|value| (*name, value)))
        .ok_or_else(|| VerifyError::MissingHeader {
            header: format!("{DISPLAY} (or HTTP_SYNTHFLOW_SIGNATURE)"),
        })?;
    tracing::debug!(header = name, "Synthflow signature header received");
    let tag = base64::engine::general_purpose::STANDARD.decode(value).map_err(|_| {
        VerifyError::MalformedHeader { header: DISPLAY.to_owned(), why: "it is not base64".into() }
    })?;
    let call_id = call_id(delivery.body)?;
    if hmac_matches::<Hmac<Sha256>>(secret.as_bytes(), &[call_id.as_bytes()], &tag) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: DISPLAY.to_owned(),
            hint: "check the workspace's webhook secret key in Synthflow's security settings",
        })
    }
}

/// The signed `call_id`: `call.call_id`, else a top-level `call_id` (a string, or a number as
/// written).
fn call_id(body: &[u8]) -> Result<String, VerifyError> {
    let malformed = |why: &str| VerifyError::MalformedBody { why: why.to_owned() };
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| malformed("it is not JSON, so it has no call_id for the signature"))?;
    let found = value.pointer("/call/call_id").or_else(|| value.get("call_id"));
    match found {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(malformed("it has no call_id, which is what Synthflow signs")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const SECRET: &str = "synthflow_test_secret";
    const CALL_ID: &str = "1711646262471x768387119913843100";
    /// call-platforms.md section 6's test vector.
    const VECTOR: &str = "e75GV+TAVSeqrD4KWHNOBni5JU2ZIdrhoffkcnHi8t4=";
    const BODY: &[u8] =
        br#"{"status":"completed","call":{"status":"completed","call_id":"1711646262471x768387119913843100","duration":32}}"#;

    fn check(pairs: &[(&str, &str)], body: &[u8], secret: &str) -> Result<(), VerifyError> {
        let headers = headers(pairs);
        verify_synthflow(&Delivery { headers: &headers, query: &[], body, now: 0 }, secret)
    }

    #[test]
    fn the_reference_vector_verifies_under_both_spellings() {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(mac::<Hmac<Sha256>>(SECRET.as_bytes(), &[CALL_ID.as_bytes()]));
        assert_eq!(encoded, VECTOR);
        assert_eq!(check(&[("Synthflow-Signature", VECTOR)], BODY, SECRET), Ok(()));
        assert_eq!(check(&[("HTTP_SYNTHFLOW_SIGNATURE", VECTOR)], BODY, SECRET), Ok(()));
        // A top-level call_id (the inbound webhook) is signed the same way.
        let inbound = br#"{"call_id":"1711646262471x768387119913843100","from_number":"+1"}"#;
        assert_eq!(check(&[("synthflow-signature", VECTOR)], inbound, SECRET), Ok(()));
    }

    #[test]
    fn a_computed_signature_verifies() {
        let body = br#"{"call":{"call_id":"abc-123"}}"#;
        let sig = base64::engine::general_purpose::STANDARD
            .encode(mac::<Hmac<Sha256>>(b"other-secret", &[b"abc-123"]));
        assert_eq!(check(&[("Synthflow-Signature", &sig)], body, "other-secret"), Ok(()));
    }

    #[test]
    fn a_wrong_secret_or_another_call_id_is_a_mismatch() {
        let err = check(&[("Synthflow-Signature", VECTOR)], BODY, "synthflow_other");
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let other =
            String::from_utf8_lossy(BODY).replace("768387119913843100", "768387119913843101");
        let err = check(&[("Synthflow-Signature", VECTOR)], other.as_bytes(), SECRET);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
    }

    #[test]
    fn missing_or_malformed_input_is_reported() {
        let err = check(&[], BODY, SECRET).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("the Synthflow-Signature (or HTTP_SYNTHFLOW_SIGNATURE) header is missing".into())
        );
        let err = check(&[("Synthflow-Signature", "not base64!")], BODY, SECRET);
        assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{err:?}");
        for body in [&b"call_id=1"[..], br#"{"call":{}}"#, br#"{"call_id":""}"#] {
            let err = check(&[("Synthflow-Signature", VECTOR)], body, SECRET);
            assert!(matches!(err, Err(VerifyError::MalformedBody { .. })), "{err:?}");
        }
        let err = check(&[("Synthflow-Signature", VECTOR)], BODY, "");
        assert!(matches!(err, Err(VerifyError::NotConfigured { .. })), "{err:?}");
    }
}
