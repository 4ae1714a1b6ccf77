//! ElevenLabs: `ElevenLabs-Signature` (call-platforms.md, section 5 "ElevenLabs Conversational
//! AI post-call webhooks", "Signature").
//!
//! The header is `t=<unix_seconds>,v0=<hex>`, with `hex = HMAC-SHA256(key = the webhook's shared
//! secret as UTF-8, message = "<t>.<raw body>")`. The documentation's examples reject a `t` older
//! than 30 minutes; the same window is applied to a `t` in the future (a clock out of sync), which
//! the documentation does not mention. Several `v0=` entries, should they ever come (as during a
//! secret rotation elsewhere), are each tried.

use hmac::Hmac;
use sha2::Sha256;

use super::{Delivery, VerifyError, check_freshness, decode_hex, hmac_matches, require_secret};

/// The header carrying ElevenLabs' signature.
pub const ELEVENLABS_HEADER: &str = "elevenlabs-signature";

/// How far (in seconds, either way) ElevenLabs' signed timestamp may be from now.
pub const ELEVENLABS_TOLERANCE_SECS: i64 = 30 * 60;

const DISPLAY: &str = "ElevenLabs-Signature";

/// Checks ElevenLabs' `ElevenLabs-Signature` over the raw body with the webhook's shared secret.
pub fn verify_elevenlabs(delivery: &Delivery<'_>, secret: &str) -> Result<(), VerifyError> {
    let secret = require_secret(secret, "ElevenLabs webhook secret")?;
    let value = delivery.require_header(ELEVENLABS_HEADER, DISPLAY)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.trim()),
            Some(("v0", v)) => signatures.push(v.trim()),
            _ => {}
        }
    }
    let expected = "expected `t=<timestamp>,v0=<hex signature>`";
    let timestamp = timestamp.ok_or_else(|| malformed(expected))?;
    if signatures.is_empty() {
        return Err(malformed(expected));
    }
    let signed_secs: i64 = Some(timestamp)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| malformed("its timestamp `t` is not a number of seconds"))?;
    check_freshness(
        DISPLAY,
        signed_secs.saturating_mul(1000),
        delivery.now,
        ELEVENLABS_TOLERANCE_SECS * 1000,
    )?;
    let tags = signatures
        .iter()
        .map(|s| decode_hex(s))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| malformed("`v0` is not a hex signature"))?;
    let matches = tags.iter().any(|tag| {
        hmac_matches::<Hmac<Sha256>>(
            secret.as_bytes(),
            &[timestamp.as_bytes(), b".", delivery.body],
            tag,
        )
    });
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: DISPLAY.to_owned(),
            hint: "check the webhook secret shown when the ElevenLabs webhook was created",
        })
    }
}

fn malformed(why: &str) -> VerifyError {
    VerifyError::MalformedHeader { header: DISPLAY.to_owned(), why: why.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const SECRET: &str = "wsec_test_secret";
    const BODY: &[u8] = br#"{"type":"post_call_transcription","event_timestamp":1739537297,"data":{"agent_id":"xyz","conversation_id":"abc","status":"done"}}"#;
    /// call-platforms.md section 5's test vector.
    const VECTOR: &str =
        "t=1739537297,v0=98e19ab93a5b68dcdea683ff9e66a2a0b4cd1eda5d1629e173891011e7f3c56e";
    const NOW: i64 = 1_739_537_297;

    fn check(header: Option<&str>, body: &[u8], secret: &str, now: i64) -> Result<(), VerifyError> {
        let headers =
            headers(&header.map(|h| vec![("ElevenLabs-Signature", h)]).unwrap_or_default());
        verify_elevenlabs(&Delivery { headers: &headers, query: &[], body, now }, secret)
    }

    fn sign(body: &[u8], secret: &str, t: i64) -> String {
        let tag = mac::<Hmac<Sha256>>(secret.as_bytes(), &[format!("{t}.").as_bytes(), body]);
        format!("t={t},v0={}", super::super::hex(&tag))
    }

    #[test]
    fn the_reference_vector_verifies() {
        assert_eq!(check(Some(VECTOR), BODY, SECRET, NOW), Ok(()));
        assert_eq!(check(Some(VECTOR), BODY, SECRET, NOW + 60), Ok(()));
        assert_eq!(sign(BODY, SECRET, NOW), VECTOR);
    }

    #[test]
    fn a_computed_signature_verifies_and_any_v0_may_match() {
        let body = br#"{"type":"call_initiation_failure","data":{}}"#;
        let header = sign(body, SECRET, NOW + 5);
        assert_eq!(check(Some(&header), body, SECRET, NOW), Ok(()));
        let rotated = format!("{header},v0={}", "00".repeat(32));
        assert_eq!(check(Some(&rotated), body, SECRET, NOW), Ok(()));
    }

    #[test]
    fn a_wrong_secret_or_a_tampered_body_is_a_mismatch() {
        let err = check(Some(VECTOR), BODY, "wsec_other", NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let tampered = String::from_utf8_lossy(BODY).replace("done", "failed");
        let err = check(Some(VECTOR), tampered.as_bytes(), SECRET, NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let redated = VECTOR.replace("t=1739537297", "t=1739537298");
        let err = check(Some(&redated), BODY, SECRET, NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
    }

    #[test]
    fn a_missing_header_or_secret_is_reported() {
        assert_eq!(
            check(None, BODY, SECRET, NOW).map_err(|e| e.to_string()),
            Err("the ElevenLabs-Signature header is missing".to_owned())
        );
        assert!(matches!(
            check(Some(VECTOR), BODY, "", NOW),
            Err(VerifyError::NotConfigured { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_reported() {
        for bad in [
            "98e19ab93a5b68dcdea683ff9e66a2a0b4cd1eda5d1629e173891011e7f3c56e",
            "t=1739537297",
            "v0=98e19ab93a5b68dc",
            "t=yesterday,v0=98e19ab93a5b68dc",
            "t=1739537297,v0=xyz",
            "t=1739537297,v1=98e19ab93a5b68dc",
        ] {
            let err = check(Some(bad), BODY, SECRET, NOW);
            assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{bad}: {err:?}");
        }
    }

    #[test]
    fn timestamps_outside_thirty_minutes_are_rejected() {
        let err = check(Some(VECTOR), BODY, SECRET, NOW + 31 * 60);
        assert!(
            matches!(err, Err(VerifyError::Expired { age_secs: 1860, tolerance_secs: 1800, .. })),
            "{err:?}"
        );
        let err = check(Some(VECTOR), BODY, SECRET, NOW - 31 * 60);
        assert!(matches!(err, Err(VerifyError::FromTheFuture { ahead_secs: 1860, .. })), "{err:?}");
        assert_eq!(check(Some(VECTOR), BODY, SECRET, NOW + 29 * 60), Ok(()));
        assert_eq!(check(Some(VECTOR), BODY, SECRET, NOW - 29 * 60), Ok(()));
    }
}
