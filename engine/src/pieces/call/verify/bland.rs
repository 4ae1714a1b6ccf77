//! Bland: `X-Webhook-Signature` (call-platforms.md, section 3 "Bland AI", "Signature").
//!
//! The header is `hex(HMAC-SHA256(key = the webhook signing secret from Bland's Dev Portal,
//! message = the request body))`. There is no timestamp, so no replay protection. The raw body
//! is checked first; because Bland's documented Node example signs `JSON.stringify(req.body)`, a
//! JSON body that does not match as received is checked once more in compact form (re-serialized
//! with its keys in their original order), which is what `JSON.stringify` produces when the body
//! was sent with other whitespace. That fallback is an inference, not documented.

use hmac::Hmac;
use sha2::Sha256;

use super::{Delivery, VerifyError, decode_hex, hmac_matches, require_secret};

/// The header carrying Bland's signature.
pub const BLAND_HEADER: &str = "x-webhook-signature";

const DISPLAY: &str = "X-Webhook-Signature";

/// Checks Bland's `X-Webhook-Signature` over the body with the account's webhook signing secret.
pub fn verify_bland(delivery: &Delivery<'_>, secret: &str) -> Result<(), VerifyError> {
    let secret = require_secret(secret, "Bland webhook signing secret")?;
    let value = delivery.require_header(BLAND_HEADER, DISPLAY)?;
    let tag = decode_hex(value).ok_or_else(|| VerifyError::MalformedHeader {
        header: DISPLAY.to_owned(),
        why: "it is not a hex signature".to_owned(),
    })?;
    let key = secret.as_bytes();
    let matches = hmac_matches::<Hmac<Sha256>>(key, &[delivery.body], &tag)
        || compact_json(delivery.body)
            .is_some_and(|compact| hmac_matches::<Hmac<Sha256>>(key, &[&compact], &tag));
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: DISPLAY.to_owned(),
            hint: "check the webhook signing secret in Bland's Dev Portal",
        })
    }
}

/// The body as `JSON.stringify` would write it, if it is JSON and differs from the raw bytes.
fn compact_json(body: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::to_vec(&value).ok().filter(|compact| compact.as_slice() != body)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const SECRET: &str = "bland_test_secret";
    const BODY: &[u8] =
        br#"{"call_id":"12345678-1234-1234-1234-123456789012","status":"completed"}"#;
    /// call-platforms.md section 3's test vector.
    const VECTOR: &str = "eaa0a33589294d898e41addaad2199b8960f6beb20249cc6cb65f31071ea2c37";

    fn check(header: Option<&str>, body: &[u8], secret: &str) -> Result<(), VerifyError> {
        let headers =
            headers(&header.map(|h| vec![("X-Webhook-Signature", h)]).unwrap_or_default());
        verify_bland(&Delivery { headers: &headers, query: &[], body, now: 0 }, secret)
    }

    #[test]
    fn the_reference_vector_verifies() {
        assert_eq!(check(Some(VECTOR), BODY, SECRET), Ok(()));
        assert_eq!(check(Some(&VECTOR.to_ascii_uppercase()), BODY, SECRET), Ok(()));
        assert_eq!(super::super::hex(&mac::<Hmac<Sha256>>(SECRET.as_bytes(), &[BODY])), VECTOR);
    }

    #[test]
    fn a_pretty_printed_body_signed_compact_verifies() {
        let pretty = b"{\n  \"call_id\": \"12345678-1234-1234-1234-123456789012\",\n  \"status\": \"completed\"\n}";
        assert_eq!(check(Some(VECTOR), pretty, SECRET), Ok(()));
        // A computed signature over another body.
        let body = br#"{"call_id":"c","concatenated_transcript":"user: hi"}"#;
        let sig = super::super::hex(&mac::<Hmac<Sha256>>(SECRET.as_bytes(), &[body]));
        assert_eq!(check(Some(&sig), body, SECRET), Ok(()));
    }

    #[test]
    fn a_wrong_secret_or_a_tampered_body_is_a_mismatch() {
        let err = check(Some(VECTOR), BODY, "bland_other");
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let tampered = String::from_utf8_lossy(BODY).replace("completed", "failed");
        let err = check(Some(VECTOR), tampered.as_bytes(), SECRET);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        // Reordered keys are another body, even compacted.
        let reordered =
            br#"{"status":"completed","call_id":"12345678-1234-1234-1234-123456789012"}"#;
        let err = check(Some(VECTOR), reordered, SECRET);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
    }

    #[test]
    fn a_missing_or_malformed_header_is_reported() {
        assert_eq!(
            check(None, BODY, SECRET).map_err(|e| e.to_string()),
            Err("the X-Webhook-Signature header is missing".to_owned())
        );
        for bad in ["sha256=eaa0a335", "not hex", "eaa0a33"] {
            let err = check(Some(bad), BODY, SECRET);
            assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{bad}: {err:?}");
        }
        assert!(matches!(check(Some(VECTOR), BODY, ""), Err(VerifyError::NotConfigured { .. })));
    }
}
