//! Vapi: server URL authentication (call-platforms.md, section 1 "Vapi", "Authentication").
//!
//! Vapi's server messages are authenticated in one of the ways its `Server` credential is set up:
//!
//! - **A secret header** ([`VapiAuth::Header`]): the legacy `server.secret` arrives as
//!   `X-Vapi-Secret: <secret>` ([`VapiAuth::secret_header`]); a Bearer Token credential sends
//!   `Authorization: Bearer <token>` ([`VapiAuth::bearer`]), and both the header name and the
//!   `Bearer ` prefix are configurable; an OAuth 2.0 credential also ends up as a bearer token,
//!   which only Vapi and its token endpoint know, so it cannot be checked here. The presented value
//!   is compared with the configured one in constant time (both hashed first, so not even its
//!   length leaks).
//! - **An HMAC plan** ([`VapiAuth::Hmac`], `HMACAuthenticationPlan`): the signature header
//!   (default `x-signature`) carries an optional prefix (`sha256=`) and then the `hex` (default) or
//!   `base64` HMAC (`sha256` default, `sha512`, `sha1`) of the payload format (default
//!   `{timestamp}.{body}`, placeholders `{body}`, `{timestamp}`, `{method}`, `{url}` and
//!   `{svix-id}`), keyed with the secret (its bytes, or its base64 decoding when
//!   `secretIsBase64`). With `includeTimestamp` (the default), the timestamp header (default
//!   `x-timestamp`) is required and must be within [`VapiHmacPlan::tolerance_secs`] of now.
//!
//! Vapi does not document the timestamp's unit. The reference's self-test vector uses
//! milliseconds; a number of 12 digits or more is read as milliseconds, a shorter one as seconds,
//! and an RFC 3339 date is accepted too. Vapi documents no replay window either: five minutes
//! either way is the default here (Retell's window), and configurable.

use base64::Engine as _;
use hmac::Hmac;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::{
    Delivery, VerifyError, check_freshness, decode_hex, hmac_matches, require_secret, secret_eq,
};

/// The hash of a Vapi HMAC plan (`algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HmacAlgorithm {
    /// `sha1`.
    Sha1,
    /// `sha256` (Vapi's default).
    #[default]
    Sha256,
    /// `sha512`.
    Sha512,
}

/// How a Vapi HMAC plan writes the signature (`signatureEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureEncoding {
    /// Lower- or upper-case hex (Vapi's default).
    #[default]
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// A Vapi `HMACAuthenticationPlan`, with Vapi's defaults from [`VapiHmacPlan::new`].
#[derive(Clone, Copy)]
pub struct VapiHmacPlan<'a> {
    /// The shared secret (`secretKey`).
    pub secret: &'a str,
    /// Whether the secret is base64 and keys the HMAC decoded (`secretIsBase64`).
    pub secret_is_base64: bool,
    /// The hash (`algorithm`).
    pub algorithm: HmacAlgorithm,
    /// The header carrying the signature (`signatureHeader`, default `x-signature`).
    pub signature_header: &'a str,
    /// The header carrying the timestamp (`timestampHeader`, default `x-timestamp`).
    pub timestamp_header: &'a str,
    /// Whether a timestamp is sent, required and checked for freshness (`includeTimestamp`,
    /// default true).
    pub include_timestamp: bool,
    /// What is signed (`payloadFormat`, default `{timestamp}.{body}`).
    pub payload_format: &'a str,
    /// How the signature is written (`signatureEncoding`, default hex).
    pub signature_encoding: SignatureEncoding,
    /// A prefix before the signature, such as `sha256=` (`signaturePrefix`, default none).
    pub signature_prefix: &'a str,
    /// The header whose value replaces `{svix-id}` (`messageIdHeader`, default `svix-id`).
    pub message_id_header: &'a str,
    /// The request method, for `{method}` (default `POST`).
    pub method: &'a str,
    /// The server URL Vapi posted to, for `{url}` (default empty).
    pub url: &'a str,
    /// How far (in seconds, either way) the timestamp may be from now (default 300).
    pub tolerance_secs: i64,
}

impl<'a> VapiHmacPlan<'a> {
    /// A plan with Vapi's defaults and this secret.
    pub const fn new(secret: &'a str) -> Self {
        Self {
            secret,
            secret_is_base64: false,
            algorithm: HmacAlgorithm::Sha256,
            signature_header: "x-signature",
            timestamp_header: "x-timestamp",
            include_timestamp: true,
            payload_format: "{timestamp}.{body}",
            signature_encoding: SignatureEncoding::Hex,
            signature_prefix: "",
            message_id_header: "svix-id",
            method: "POST",
            url: "",
            tolerance_secs: 300,
        }
    }
}

impl std::fmt::Debug for VapiHmacPlan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapiHmacPlan")
            .field("secret", &"<redacted>")
            .field("secret_is_base64", &self.secret_is_base64)
            .field("algorithm", &self.algorithm)
            .field("signature_header", &self.signature_header)
            .field("timestamp_header", &self.timestamp_header)
            .field("include_timestamp", &self.include_timestamp)
            .field("payload_format", &self.payload_format)
            .field("signature_encoding", &self.signature_encoding)
            .field("signature_prefix", &self.signature_prefix)
            .field("message_id_header", &self.message_id_header)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

/// How a Vapi trigger authenticates deliveries.
#[derive(Clone, Copy)]
pub enum VapiAuth<'a> {
    /// A header carrying `prefix` and then the secret (legacy `X-Vapi-Secret`, or a Bearer Token
    /// credential).
    Header {
        /// The header's name (case-insensitive).
        name: &'a str,
        /// What precedes the secret (`Bearer `; empty for `X-Vapi-Secret`), matched
        /// case-insensitively.
        prefix: &'a str,
        /// The secret or token.
        secret: &'a str,
    },
    /// An HMAC authentication plan.
    Hmac(VapiHmacPlan<'a>),
}

impl<'a> VapiAuth<'a> {
    /// The legacy `X-Vapi-Secret: <secret>` header.
    pub const fn secret_header(secret: &'a str) -> Self {
        Self::Header { name: "x-vapi-secret", prefix: "", secret }
    }

    /// A Bearer Token credential with Vapi's defaults: `Authorization: Bearer <token>`.
    pub const fn bearer(token: &'a str) -> Self {
        Self::Header { name: "authorization", prefix: "Bearer ", secret: token }
    }
}

impl std::fmt::Debug for VapiAuth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Header { name, prefix, .. } => f
                .debug_struct("Header")
                .field("name", name)
                .field("prefix", prefix)
                .field("secret", &"<redacted>")
                .finish(),
            Self::Hmac(plan) => f.debug_tuple("Hmac").field(plan).finish(),
        }
    }
}

/// Checks a Vapi server message against the trigger's configured authentication.
pub fn verify_vapi(delivery: &Delivery<'_>, auth: &VapiAuth<'_>) -> Result<(), VerifyError> {
    match auth {
        VapiAuth::Header { name, prefix, secret } => verify_header(delivery, name, prefix, secret),
        VapiAuth::Hmac(plan) => verify_hmac(delivery, plan),
    }
}

fn verify_header(
    delivery: &Delivery<'_>,
    name: &str,
    prefix: &str,
    secret: &str,
) -> Result<(), VerifyError> {
    let secret = require_secret(secret, "Vapi secret")?;
    let value = delivery.require_header(name, name)?;
    let presented = strip_prefix(value, prefix).ok_or_else(|| VerifyError::MalformedHeader {
        header: name.to_owned(),
        why: format!("it does not start with `{}`", prefix.trim()),
    })?;
    if secret_eq(presented.trim(), secret) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: name.to_owned(),
            hint: "check that the trigger's secret is the one set on Vapi's server URL",
        })
    }
}

/// `value` after `prefix` (compared case-insensitively; a prefix ending in a space requires
/// white space after it).
fn strip_prefix<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    let word = prefix.trim();
    if word.is_empty() {
        return Some(value);
    }
    let head = value.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let rest = value.get(word.len()..)?;
    let needs_space = prefix.ends_with(char::is_whitespace);
    if needs_space && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(rest.trim_start())
}

fn verify_hmac(delivery: &Delivery<'_>, plan: &VapiHmacPlan<'_>) -> Result<(), VerifyError> {
    let secret = require_secret(plan.secret, "Vapi HMAC secret")?;
    let key = if plan.secret_is_base64 {
        base64::engine::general_purpose::STANDARD.decode(secret.trim()).map_err(|_| {
            VerifyError::BadConfig {
                what: "Vapi HMAC secret",
                why: "it is marked as base64 but is not valid base64",
            }
        })?
    } else {
        secret.as_bytes().to_vec()
    };

    let header = plan.signature_header;
    let malformed = |why: String| VerifyError::MalformedHeader { header: header.to_owned(), why };
    let value = delivery.require_header(header, header)?;
    let encoded = strip_prefix(value, plan.signature_prefix)
        .ok_or_else(|| malformed(format!("it does not start with `{}`", plan.signature_prefix)))?;
    let tag = match plan.signature_encoding {
        SignatureEncoding::Hex => decode_hex(encoded.trim())
            .ok_or_else(|| malformed("it is not a hex signature".to_owned()))?,
        SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| malformed("it is not a base64 signature".to_owned()))?,
    };

    let timestamp = if plan.include_timestamp {
        let ts_header = plan.timestamp_header;
        let value = delivery.require_header(ts_header, ts_header)?;
        let signed_ms = parse_timestamp(value).ok_or_else(|| VerifyError::MalformedHeader {
            header: ts_header.to_owned(),
            why: "it is neither a Unix time nor an RFC 3339 date".to_owned(),
        })?;
        check_freshness(
            ts_header,
            signed_ms,
            delivery.now,
            plan.tolerance_secs.saturating_mul(1000),
        )?;
        value
    } else {
        delivery.header(plan.timestamp_header).unwrap_or_default()
    };
    let message_id = if plan.payload_format.contains("{svix-id}") {
        delivery.require_header(plan.message_id_header, plan.message_id_header)?
    } else {
        ""
    };

    let payload = render(
        plan.payload_format,
        &[
            ("body", delivery.body),
            ("timestamp", timestamp.as_bytes()),
            ("method", plan.method.as_bytes()),
            ("url", plan.url.as_bytes()),
            ("svix-id", message_id.as_bytes()),
        ],
    );
    let parts: &[&[u8]] = &[&payload];
    let matches = match plan.algorithm {
        HmacAlgorithm::Sha1 => hmac_matches::<Hmac<Sha1>>(&key, parts, &tag),
        HmacAlgorithm::Sha256 => hmac_matches::<Hmac<Sha256>>(&key, parts, &tag),
        HmacAlgorithm::Sha512 => hmac_matches::<Hmac<Sha512>>(&key, parts, &tag),
    };
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: header.to_owned(),
            hint: "check the HMAC credential's secret, algorithm and payload format",
        })
    }
}

/// A timestamp header as Unix milliseconds: 12 digits or more are milliseconds, fewer seconds;
/// otherwise an RFC 3339 date.
fn parse_timestamp(value: &str) -> Option<i64> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = value.parse().ok()?;
        return Some(if value.len() >= 12 { n } else { n.saturating_mul(1000) });
    }
    chrono::DateTime::parse_from_rfc3339(value).ok().map(|d| d.timestamp_millis())
}

/// Fills the payload format's `{name}` placeholders in one pass (so a body containing
/// `{timestamp}` stays as it is); unknown placeholders are kept literally.
fn render(format: &str, values: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        out.extend_from_slice(&rest.as_bytes()[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(n, _)| *n == name).map(|(_, v)| (close, *v))
        });
        match filled {
            Some((close, value)) => {
                out.extend_from_slice(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push(b'{');
                rest = after;
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const SECRET: &str = "vapi_test_secret";
    const BODY: &[u8] = br#"{"message":{"type":"status-update","status":"ended"}}"#;
    const TS: &str = "1718000000000";
    const NOW: i64 = 1_718_000_000;
    /// call-platforms.md section 1's HMAC self-test vector.
    const VECTOR: &str = "ba73663dd40476eb04cf8afd42b814748cdfe3ec5fd2e13ff38c4892682dc889";

    fn check(
        pairs: &[(&str, &str)],
        body: &[u8],
        auth: &VapiAuth<'_>,
        now: i64,
    ) -> Result<(), VerifyError> {
        let headers = headers(pairs);
        verify_vapi(&Delivery { headers: &headers, query: &[], body, now }, auth)
    }

    fn hmac_default() -> VapiAuth<'static> {
        VapiAuth::Hmac(VapiHmacPlan::new(SECRET))
    }

    #[test]
    fn the_reference_hmac_vector_verifies() {
        let pairs = [("X-Signature", VECTOR), ("X-Timestamp", TS)];
        assert_eq!(check(&pairs, BODY, &hmac_default(), NOW), Ok(()));
        let computed = mac::<Hmac<Sha256>>(SECRET.as_bytes(), &[format!("{TS}.").as_bytes(), BODY]);
        assert_eq!(super::super::hex(&computed), VECTOR);
    }

    #[test]
    fn hmac_wrong_secret_tampered_body_or_timestamp_is_a_mismatch() {
        let pairs = [("x-signature", VECTOR), ("x-timestamp", TS)];
        let other = VapiAuth::Hmac(VapiHmacPlan::new("vapi_other"));
        assert!(matches!(check(&pairs, BODY, &other, NOW), Err(VerifyError::Mismatch { .. })));
        let tampered = br#"{"message":{"type":"status-update","status":"ringing"}}"#;
        let err = check(&pairs, tampered, &hmac_default(), NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let redated = [("x-signature", VECTOR), ("x-timestamp", "1718000000001")];
        let err = check(&redated, BODY, &hmac_default(), NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
    }

    #[test]
    fn hmac_missing_or_malformed_headers_are_reported() {
        let err = check(&[("x-timestamp", TS)], BODY, &hmac_default(), NOW);
        assert_eq!(err, Err(VerifyError::MissingHeader { header: "x-signature".into() }));
        let err = check(&[("x-signature", VECTOR)], BODY, &hmac_default(), NOW);
        assert_eq!(err, Err(VerifyError::MissingHeader { header: "x-timestamp".into() }));
        for (sig, ts) in [("zz", TS), (VECTOR, "yesterday"), (VECTOR, "-5")] {
            let err =
                check(&[("x-signature", sig), ("x-timestamp", ts)], BODY, &hmac_default(), NOW);
            assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{sig} {ts}: {err:?}");
        }
        let no_secret = VapiAuth::Hmac(VapiHmacPlan::new(""));
        let err = check(&[("x-signature", VECTOR), ("x-timestamp", TS)], BODY, &no_secret, NOW);
        assert!(matches!(err, Err(VerifyError::NotConfigured { .. })), "{err:?}");
    }

    #[test]
    fn hmac_timestamps_outside_the_window_are_rejected() {
        let pairs = [("x-signature", VECTOR), ("x-timestamp", TS)];
        let err = check(&pairs, BODY, &hmac_default(), NOW + 301);
        assert!(matches!(err, Err(VerifyError::Expired { age_secs: 301, .. })), "{err:?}");
        let err = check(&pairs, BODY, &hmac_default(), NOW - 301);
        assert!(matches!(err, Err(VerifyError::FromTheFuture { ahead_secs: 301, .. })), "{err:?}");
        assert_eq!(check(&pairs, BODY, &hmac_default(), NOW + 299), Ok(()));
        // A wider configured window accepts it.
        let wide =
            VapiAuth::Hmac(VapiHmacPlan { tolerance_secs: 3600, ..VapiHmacPlan::new(SECRET) });
        assert_eq!(check(&pairs, BODY, &wide, NOW + 301), Ok(()));
    }

    #[test]
    fn hmac_seconds_and_rfc3339_timestamps_are_understood() {
        assert_eq!(parse_timestamp("1718000000"), Some(1_718_000_000_000));
        assert_eq!(parse_timestamp("1718000000123"), Some(1_718_000_000_123));
        assert_eq!(parse_timestamp("2024-06-10T06:13:20Z"), Some(1_718_000_000_000));
        assert_eq!(parse_timestamp(""), None);
        let ts = "1718000000";
        let sig = super::super::hex(&mac::<Hmac<Sha256>>(
            SECRET.as_bytes(),
            &[format!("{ts}.").as_bytes(), BODY],
        ));
        let pairs = [("x-signature", sig.as_str()), ("x-timestamp", ts)];
        assert_eq!(check(&pairs, BODY, &hmac_default(), NOW + 10), Ok(()));
    }

    #[test]
    fn hmac_plan_options_are_honoured() {
        // sha512, base64 with a prefix, a base64 secret, custom headers and format.
        let key = b"\x00\x01binary-key\xff";
        let secret = base64::engine::general_purpose::STANDARD.encode(key);
        let plan = VapiHmacPlan {
            secret: &secret,
            secret_is_base64: true,
            algorithm: HmacAlgorithm::Sha512,
            signature_header: "X-Hook-Sig",
            timestamp_header: "X-Hook-Time",
            payload_format: "{method} {url}|{svix-id}|{timestamp}|{body}|{unknown}",
            signature_encoding: SignatureEncoding::Base64,
            signature_prefix: "sha512=",
            message_id_header: "X-Msg",
            url: "https://flows.example.com/hooks/call/abc",
            ..VapiHmacPlan::new("")
        };
        let payload = format!(
            "POST https://flows.example.com/hooks/call/abc|msg_1|{TS}|{}|{{unknown}}",
            String::from_utf8_lossy(BODY)
        );
        let sig = base64::engine::general_purpose::STANDARD
            .encode(mac::<Hmac<Sha512>>(key, &[payload.as_bytes()]));
        let header = format!("sha512={sig}");
        let pairs = [("X-Hook-Sig", header.as_str()), ("X-Hook-Time", TS), ("X-Msg", "msg_1")];
        let auth = VapiAuth::Hmac(plan);
        assert_eq!(check(&pairs, BODY, &auth, NOW), Ok(()));
        // Without the prefix, or without the message id it signs.
        let err = check(
            &[("X-Hook-Sig", &sig), ("X-Hook-Time", TS), ("X-Msg", "msg_1")],
            BODY,
            &auth,
            NOW,
        );
        assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{err:?}");
        let err = check(&pairs[..2], BODY, &auth, NOW);
        assert_eq!(err, Err(VerifyError::MissingHeader { header: "X-Msg".into() }));
        // A secret marked base64 that is not.
        let bad = VapiAuth::Hmac(VapiHmacPlan { secret: "not base64!", ..plan });
        assert!(matches!(check(&pairs, BODY, &bad, NOW), Err(VerifyError::BadConfig { .. })));
    }

    #[test]
    fn hmac_without_timestamp_signs_the_body_alone() {
        let plan = VapiHmacPlan {
            include_timestamp: false,
            payload_format: "{body}",
            algorithm: HmacAlgorithm::Sha1,
            ..VapiHmacPlan::new(SECRET)
        };
        let sig = super::super::hex(&mac::<Hmac<Sha1>>(SECRET.as_bytes(), &[BODY]));
        // No timestamp header needed, and no window applies.
        assert_eq!(check(&[("x-signature", &sig)], BODY, &VapiAuth::Hmac(plan), 0), Ok(()));
    }

    #[test]
    fn render_fills_placeholders_once() {
        let out = render("{a}.{b}{c}{", &[("a", b"{b}"), ("b", b"2")]);
        assert_eq!(out, b"{b}.2{c}{");
    }

    #[test]
    fn the_legacy_secret_header_is_compared() {
        let auth = VapiAuth::secret_header("s3cret-value");
        assert_eq!(check(&[("X-Vapi-Secret", "s3cret-value")], BODY, &auth, NOW), Ok(()));
        let err = check(&[("X-Vapi-Secret", "s3cret-valuE")], BODY, &auth, NOW);
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err(
                "the x-vapi-secret does not match (check that the trigger's secret is the one set \
                 on Vapi's server URL)"
                    .to_owned()
            )
        );
        let err = check(&[], BODY, &auth, NOW);
        assert_eq!(err, Err(VerifyError::MissingHeader { header: "x-vapi-secret".into() }));
        let err = check(&[("X-Vapi-Secret", "x")], BODY, &VapiAuth::secret_header(""), NOW);
        assert!(matches!(err, Err(VerifyError::NotConfigured { .. })), "{err:?}");
    }

    #[test]
    fn bearer_tokens_are_compared_after_the_prefix() {
        let auth = VapiAuth::bearer("tok_123");
        assert_eq!(check(&[("Authorization", "Bearer tok_123")], BODY, &auth, NOW), Ok(()));
        assert_eq!(check(&[("authorization", "bearer  tok_123")], BODY, &auth, NOW), Ok(()));
        let err = check(&[("Authorization", "Bearer tok_124")], BODY, &auth, NOW);
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        for bad in ["tok_123", "Basic tok_123", "Bearertok_123"] {
            let err = check(&[("Authorization", bad)], BODY, &auth, NOW);
            assert!(matches!(err, Err(VerifyError::MalformedHeader { .. })), "{bad}: {err:?}");
        }
        // A custom header and prefix.
        let custom = VapiAuth::Header { name: "X-Api-Key", prefix: "Token ", secret: "k" };
        assert_eq!(check(&[("x-api-key", "Token k")], BODY, &custom, NOW), Ok(()));
        // Debug output never shows the secret.
        assert!(!format!("{auth:?}{:?}", hmac_default()).contains("tok_123"));
        assert!(!format!("{:?}", hmac_default()).contains(SECRET));
    }
}
