//! Retell: `x-retell-signature` (call-platforms.md, section 2 "Retell AI", "Signature").
//!
//! The header is `v=<unix_ms_timestamp>,d=<hex_digest>` (the SDKs' regex `v=(\d+),d=(.*)`), with
//! `digest = hex(HMAC-SHA256(key = the Retell API key with the "webhook" badge, message = raw body
//! followed by the timestamp's decimal digits, no separator))`, as the TypeScript SDK's verifier
//! computes it (the Python SDK's *signer* helper hashes `secret + input` instead; its verifier,
//! like the TS SDK, uses HMAC, which is what Retell sends). Deliveries whose timestamp is more
//! than five minutes from now, either way, are rejected (the SDK's `FIVE_MINUTES`). The same
//! header signs custom-function calls made during a call.

use hmac::Hmac;
use sha2::Sha256;

use super::{Delivery, VerifyError, check_freshness, decode_hex, hmac_matches, require_secret};

/// The header carrying Retell's signature.
pub const RETELL_HEADER: &str = "x-retell-signature";

/// How far (in milliseconds, either way) Retell's signed timestamp may be from now.
pub const RETELL_TOLERANCE_MS: i64 = 5 * 60 * 1000;

const DISPLAY: &str = "x-retell-signature";

/// Checks Retell's `x-retell-signature` over the raw body with the account's webhook API key.
pub fn verify_retell(delivery: &Delivery<'_>, api_key: &str) -> Result<(), VerifyError> {
    let api_key = require_secret(api_key, "Retell API key")?;
    let value = delivery.require_header(RETELL_HEADER, DISPLAY)?;
    let (timestamp, digest) = parse(value)?;
    let signed_ms: i64 = timestamp.parse().map_err(|_| malformed("its timestamp is too large"))?;
    check_freshness(DISPLAY, signed_ms, delivery.now, RETELL_TOLERANCE_MS)?;
    let tag = decode_hex(digest).ok_or_else(|| malformed("`d` is not a hex digest"))?;
    if hmac_matches::<Hmac<Sha256>>(
        api_key.as_bytes(),
        &[delivery.body, timestamp.as_bytes()],
        &tag,
    ) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: DISPLAY.to_owned(),
            hint: "check that the trigger uses the Retell API key with the webhook badge",
        })
    }
}

fn malformed(why: &str) -> VerifyError {
    VerifyError::MalformedHeader { header: DISPLAY.to_owned(), why: why.to_owned() }
}

/// Splits `v=<digits>,d=<digest>` (the pairs may come in either order) into its two values.
fn parse(value: &str) -> Result<(&str, &str), VerifyError> {
    let mut timestamp = None;
    let mut digest = None;
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("v", v)) => timestamp = Some(v.trim()),
            Some(("d", d)) => digest = Some(d.trim()),
            _ => {}
        }
    }
    let expected = "expected `v=<timestamp>,d=<hex digest>`";
    let timestamp = timestamp.ok_or_else(|| malformed(expected))?;
    let digest = digest.ok_or_else(|| malformed(expected))?;
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("its timestamp `v` is not a number of milliseconds"));
    }
    Ok((timestamp, digest))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const KEY: &str = "key_test_retell_webhook";
    const BODY: &[u8] =
        br#"{"event":"call_ended","call":{"call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6","call_status":"ended"}}"#;
    const TS: i64 = 1_714_608_491_736;
    /// call-platforms.md section 2's test vector.
    const VECTOR: &str =
        "v=1714608491736,d=7d44387a1dd18aa18d2c4a4d15ef5de97a010f641ab65b8d9f785b5de86d69f4";
    const NOW: i64 = TS / 1000;

    fn check(header: Option<&str>, body: &[u8], key: &str, now: i64) -> Result<(), VerifyError> {
        let headers = headers(&header.map(|h| vec![("X-Retell-Signature", h)]).unwrap_or_default());
        verify_retell(&Delivery { headers: &headers, query: &[], body, now }, key)
    }

    fn sign(body: &[u8], key: &str, ts: i64) -> String {
        let digest = mac::<Hmac<Sha256>>(key.as_bytes(), &[body, ts.to_string().as_bytes()]);
        format!("v={ts},d={}", super::super::hex(&digest))
    }

    #[test]
    fn the_reference_vector_verifies() {
        assert_eq!(check(Some(VECTOR), BODY, KEY, NOW), Ok(()));
        assert_eq!(sign(BODY, KEY, TS), VECTOR);
        // Upper-case hex and pairs in the other order are the same signature.
        let upper = VECTOR.replace("d=7d44387a1dd18aa", "d=7D44387A1DD18AA");
        assert_eq!(check(Some(&upper), BODY, KEY, NOW), Ok(()));
        let swapped = format!("{},{}", &VECTOR[16..], &VECTOR[..15]);
        assert_eq!(check(Some(&swapped), BODY, KEY, NOW), Ok(()));
    }

    #[test]
    fn a_fresh_computed_signature_verifies() {
        let now = 1_800_000_000;
        let body = br#"{"event":"call_analyzed","call":{"call_id":"x"}}"#;
        assert_eq!(check(Some(&sign(body, KEY, now * 1000 + 250)), body, KEY, now), Ok(()));
    }

    #[test]
    fn a_wrong_key_or_a_tampered_body_is_a_mismatch() {
        let err = check(Some(VECTOR), BODY, "key_other", NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let tampered = String::from_utf8_lossy(BODY).replace("ended\"}", "ongoing\"}");
        let err = check(Some(VECTOR), tampered.as_bytes(), KEY, NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        // A re-dated header does not carry over the old digest.
        let redated = VECTOR.replace("v=1714608491736", "v=1714608491737");
        assert!(matches!(check(Some(&redated), BODY, KEY, NOW), Err(VerifyError::Mismatch { .. })));
    }

    #[test]
    fn a_missing_header_or_secret_is_reported() {
        assert_eq!(
            check(None, BODY, KEY, NOW).map_err(|e| e.to_string()),
            Err("the x-retell-signature header is missing".to_owned())
        );
        assert_eq!(
            check(Some(VECTOR), BODY, "", NOW),
            Err(VerifyError::NotConfigured { what: "Retell API key" })
        );
    }

    #[test]
    fn malformed_headers_are_reported() {
        for bad in [
            "7d44387a1dd18aa18d2c4a4d15ef5de97a010f641ab65b8d9f785b5de86d69f4",
            "v=1714608491736",
            "v=abc,d=7d44",
            "v=,d=7d44",
            "v=1714608491736,d=not-hex",
            "v=99999999999999999999999,d=7d44",
        ] {
            let err = check(Some(bad), BODY, KEY, NOW);
            assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{bad}: {err:?}");
        }
    }

    #[test]
    fn timestamps_outside_five_minutes_are_rejected() {
        // Validly signed, but six minutes old or six minutes ahead.
        let old = sign(BODY, KEY, TS);
        let err = check(Some(&old), BODY, KEY, NOW + 360);
        assert!(matches!(err, Err(VerifyError::Expired { tolerance_secs: 300, .. })), "{err:?}");
        let err = check(Some(&old), BODY, KEY, NOW - 360);
        assert!(matches!(err, Err(VerifyError::FromTheFuture { .. })), "{err:?}");
        // Four minutes either way is fine.
        assert_eq!(check(Some(&old), BODY, KEY, NOW + 240), Ok(()));
        assert_eq!(check(Some(&old), BODY, KEY, NOW - 240), Ok(()));
        assert!(
            check(Some(&old), BODY, KEY, NOW + 360)
                .map_err(|e| e.to_string())
                .is_err_and(|m| m.contains("359 seconds old") && !m.contains(KEY))
        );
    }
}
