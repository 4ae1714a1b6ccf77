//! Webhook signature checks of the AI call platforms.
//!
//! Each platform proves that a webhook delivery comes from it in its own way; every scheme below
//! follows `shared/reference/call-platforms.md` (the section named in each submodule's docs):
//!
//! | Platform | Function | Proof | Replay window |
//! |---|---|---|---|
//! | Retell (section 2) | [`verify_retell`] | `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(body + ms)>` | ±5 minutes |
//! | ElevenLabs (section 5) | [`verify_elevenlabs`] | `ElevenLabs-Signature: t=<s>,v0=<hex HMAC-SHA256("t.body")>` | ±30 minutes |
//! | Bland (section 3) | [`verify_bland`] | `X-Webhook-Signature: <hex HMAC-SHA256(body)>` | none |
//! | Twilio (section 4) | [`verify_twilio`] | `X-Twilio-Signature: <base64 HMAC-SHA1(url + sorted params)>` | none |
//! | Vapi (section 1) | [`verify_vapi`] | a shared secret / bearer header, or a configurable HMAC plan | HMAC plan: ±5 minutes |
//! | Synthflow (section 6) | [`verify_synthflow`] | `Synthflow-Signature: <base64 HMAC-SHA256(call_id)>` | none |
//! | Famulor (section 7) | [`verify_famulor`] | no signature: a secret token in the webhook URL's query | none |
//!
//! Every function is pure: it reads a [`Delivery`] (the headers, query and raw body of the
//! request, and the current time as Unix seconds) and the configured secret(s), and returns
//! `Ok(())` or a [`VerifyError`] whose message, shown to users as the reason of a 401, says in
//! plain words what was wrong without ever repeating a secret. Signatures are compared in constant
//! time, through the MAC's own `verify_slice` or `crate::pieces::constant_time_eq`. An empty
//! secret fails closed: an HMAC keyed with nothing proves nothing.

use sha2::{Digest, Sha256};

use crate::piece::TriggerRequest;

mod bland;
mod elevenlabs;
mod famulor;
mod retell;
mod synthflow;
mod twilio;
mod vapi;

pub use bland::{BLAND_HEADER, verify_bland};
pub use elevenlabs::{ELEVENLABS_HEADER, ELEVENLABS_TOLERANCE_SECS, verify_elevenlabs};
pub use famulor::{FAMULOR_DEFAULT_PARAM, verify_famulor};
pub use retell::{RETELL_HEADER, RETELL_TOLERANCE_MS, verify_retell};
pub use synthflow::{SYNTHFLOW_HEADERS, verify_synthflow};
#[cfg(test)]
pub(crate) use twilio::signed_params;
pub use twilio::{TWILIO_HEADER, verify_twilio};
pub use vapi::{HmacAlgorithm, SignatureEncoding, VapiAuth, VapiHmacPlan, verify_vapi};

/// One webhook delivery, as the checks need it.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// Header names and values, in arrival order (names are matched case-insensitively).
    pub headers: &'a [(String, String)],
    /// The decoded query parameters of the request URL, in order.
    pub query: &'a [(String, String)],
    /// The raw body bytes, exactly as received (before any JSON parsing).
    pub body: &'a [u8],
    /// The current time, in Unix seconds (a parameter so tests can fix it).
    pub now: i64,
}

impl<'a> Delivery<'a> {
    /// The delivery of a trigger request, checked at `now` (Unix seconds).
    pub fn from_request(request: &'a TriggerRequest, now: i64) -> Self {
        Self { headers: &request.headers, query: &request.query, body: &request.body, now }
    }

    /// The first header with this (case-insensitive) name, if it has a non-blank value.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The first query parameter with this (case-sensitive) name.
    pub fn query_param(&self, name: &str) -> Option<&'a str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The header `display` (looked up as `name`), or [`VerifyError::MissingHeader`].
    fn require_header(&self, name: &str, display: &str) -> Result<&'a str, VerifyError> {
        self.header(name).ok_or_else(|| VerifyError::MissingHeader { header: display.to_owned() })
    }
}

/// Why a delivery was not accepted. The messages are shown to users (as 401 reasons), so they
/// say what to check and never include a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The trigger has no secret to check against, so it rejects everything (fails closed).
    #[error("no {what} is configured for this trigger, so the request cannot be verified")]
    NotConfigured {
        /// What is missing (`"Retell API key"`).
        what: &'static str,
    },
    /// A configured setting cannot be used as it is.
    #[error("the configured {what} is not valid: {why}")]
    BadConfig {
        /// Which setting (`"Vapi HMAC secret"`).
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The signature header (or another required header) did not arrive.
    #[error("the {header} header is missing")]
    MissingHeader {
        /// The header, as the platform spells it.
        header: String,
    },
    /// The header arrived but does not have the documented shape.
    #[error("the {header} header is malformed: {why}")]
    MalformedHeader {
        /// The header, as the platform spells it.
        header: String,
        /// What is wrong with it (`"it is not base64"`).
        why: String,
    },
    /// The signed timestamp is older than the scheme allows: a replay, or a clock out of sync.
    #[error(
        "the {header} timestamp is {age_secs} seconds old, more than the {tolerance_secs} \
         seconds allowed (a replayed request, or a server clock out of sync)"
    )]
    Expired {
        /// The header carrying the timestamp.
        header: String,
        /// How old it is.
        age_secs: u64,
        /// The allowed age.
        tolerance_secs: u64,
    },
    /// The signed timestamp is further in the future than the scheme allows.
    #[error(
        "the {header} timestamp is {ahead_secs} seconds in the future, more than the \
         {tolerance_secs} seconds allowed (a server clock out of sync)"
    )]
    FromTheFuture {
        /// The header carrying the timestamp.
        header: String,
        /// How far ahead it is.
        ahead_secs: u64,
        /// The allowed skew.
        tolerance_secs: u64,
    },
    /// The signature is well formed but was not made with the configured secret over this
    /// request.
    #[error("the {header} does not match ({hint})")]
    Mismatch {
        /// The header carrying the signature.
        header: String,
        /// What to check (`"check the webhook secret"`).
        hint: &'static str,
    },
    /// Twilio: the body's SHA-256 is not the `bodySHA256` Twilio signed.
    #[error("the body does not match the bodySHA256 Twilio signed")]
    BodyHashMismatch,
    /// Twilio: the body is not a form and no `bodySHA256` covers it, so the signature does not
    /// vouch for it.
    #[error(
        "the body is neither a form nor covered by a bodySHA256 parameter, so the signature does \
         not cover it"
    )]
    UnsignedBody,
    /// The body lacks what the signature is computed over (Synthflow's `call_id`).
    #[error("the body is malformed: {why}")]
    MalformedBody {
        /// What is wrong with it.
        why: String,
    },
    /// Famulor: the secret token is not in the webhook URL.
    #[error("the `{param}` token is missing from the webhook URL")]
    MissingToken {
        /// The query parameter expected to carry it.
        param: String,
    },
    /// Famulor: the webhook URL carries a token, but not the configured one.
    #[error("the `{param}` token in the webhook URL does not match (check the trigger's URL)")]
    TokenMismatch {
        /// The query parameter carrying it.
        param: String,
    },
}

/// Fails closed on an empty secret.
fn require_secret<'s>(secret: &'s str, what: &'static str) -> Result<&'s str, VerifyError> {
    if secret.trim().is_empty() { Err(VerifyError::NotConfigured { what }) } else { Ok(secret) }
}

/// Whether `HMAC(key, parts...)` equals `tag`, compared in constant time by the MAC itself.
fn hmac_matches<M: hmac::Mac + hmac::KeyInit>(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    let Ok(mut mac) = <M as hmac::KeyInit>::new_from_slice(key) else { return false };
    for part in parts {
        hmac::Mac::update(&mut mac, part);
    }
    mac.verify_slice(tag).is_ok()
}

/// Compares a presented secret with the configured one without leaking, through timing, how
/// much of it was right or how long it is (both sides are hashed to 32 bytes first).
fn secret_eq(given: &str, expected: &str) -> bool {
    crate::pieces::constant_time_eq(
        &Sha256::digest(given.as_bytes()),
        &Sha256::digest(expected.as_bytes()),
    )
}

/// Strict hex decoding (either case, even length, nothing else).
fn decode_hex(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks_exact(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?)).collect()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Rejects a signed timestamp (`signed_ms`, Unix milliseconds) further than `tolerance_ms` from
/// `now_secs` in either direction.
fn check_freshness(
    header: &str,
    signed_ms: i64,
    now_secs: i64,
    tolerance_ms: i64,
) -> Result<(), VerifyError> {
    let now_ms = now_secs.saturating_mul(1000);
    let age_ms = now_ms.saturating_sub(signed_ms);
    let tolerance_secs = u64::try_from(tolerance_ms / 1000).unwrap_or(0);
    if age_ms > tolerance_ms {
        return Err(VerifyError::Expired {
            header: header.to_owned(),
            age_secs: age_ms.unsigned_abs() / 1000,
            tolerance_secs,
        });
    }
    if age_ms < -tolerance_ms {
        return Err(VerifyError::FromTheFuture {
            header: header.to_owned(),
            ahead_secs: age_ms.unsigned_abs() / 1000,
            tolerance_secs,
        });
    }
    Ok(())
}

/// Test helpers shared by the platform modules.
#[cfg(test)]
pub(super) mod test_support {
    use hmac::{KeyInit, Mac};

    /// `HMAC(key, parts...)` with MAC type `M`, computed independently of the code under test.
    pub fn mac<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = match <M as KeyInit>::new_from_slice(key) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        for part in parts {
            Mac::update(&mut mac, part);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// Owned header pairs.
    pub fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_decoding_is_strict() {
        assert_eq!(decode_hex("00ff7A"), Some(vec![0, 255, 0x7a]));
        assert_eq!(hex(&[0, 255, 0x7a]), "00ff7a");
        for bad in ["", "0", "+f", "zz", "0g", " 00"] {
            assert_eq!(decode_hex(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn headers_match_case_insensitively_and_blank_is_missing() {
        let headers = test_support::headers(&[("X-Thing", " v "), ("x-empty", "  ")]);
        let d = Delivery { headers: &headers, query: &[], body: b"", now: 0 };
        assert_eq!(d.header("x-thing"), Some("v"));
        assert_eq!(d.header("x-empty"), None);
        assert_eq!(
            d.require_header("x-empty", "X-Empty").map_err(|e| e.to_string()),
            Err("the X-Empty header is missing".to_owned())
        );
    }

    #[test]
    fn secrets_compare_by_content_only() {
        assert!(secret_eq("s3cret", "s3cret"));
        assert!(!secret_eq("s3cret", "s3cre"));
        assert!(!secret_eq("", "s3cret"));
        assert_eq!(
            require_secret(" ", "Retell API key"),
            Err(VerifyError::NotConfigured { what: "Retell API key" })
        );
    }

    #[test]
    fn freshness_is_symmetric() {
        assert!(check_freshness("h", 1_000_000, 1000, 300_000).is_ok());
        assert!(check_freshness("h", 700_000, 1000, 300_000).is_ok());
        assert!(matches!(
            check_freshness("h", 699_999, 1000, 300_000),
            Err(VerifyError::Expired { age_secs: 300, tolerance_secs: 300, .. })
        ));
        assert!(matches!(
            check_freshness("h", 1_300_001, 1000, 300_000),
            Err(VerifyError::FromTheFuture { ahead_secs: 300, .. })
        ));
    }
}
