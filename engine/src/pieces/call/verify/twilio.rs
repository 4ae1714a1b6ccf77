//! Twilio: `X-Twilio-Signature` (call-platforms.md, section 4 "Twilio Voice", "X-Twilio-Signature
//! algorithm"; <https://www.twilio.com/docs/usage/webhooks/webhooks-security>).
//!
//! `signature = base64(HMAC-SHA1(key = the account's auth token, message = data))`, where `data` is
//! the full URL Twilio requested (scheme, host, optional port, path and query string) followed, for
//! a form-encoded POST, by every parameter's name and value sorted by name (then value; a repeated
//! name/value pair once, as twilio-node and twilio-python do), with no separators. A GET appends
//! nothing: its parameters are in the URL. Because Twilio's backend is inconsistent about ports,
//! the URL is also tried with its port removed and, when it has none, with the scheme's default
//! port added (`:443`, `:80`), as the official libraries do. A body that is not a form (JSON, sent
//! by some Twilio products) is covered by a `bodySHA256=<hex SHA-256 of the raw body>` query
//! parameter instead: the signature covers the URL (which carries that parameter), the hash the
//! body.
//!
//! The URL is an input, not taken from the request: a proxy in front of the server may have
//! rewritten it, so callers pass the public URL Twilio was given (for a GET, including the query
//! string Twilio added). When that URL lacks the `bodySHA256` parameter the request carries, it is
//! appended.

use base64::Engine as _;
use hmac::Hmac;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::{Delivery, VerifyError, hex, hmac_matches, require_secret};
use crate::piece::http_client::media_type;
use crate::pieces::{constant_time_eq, form_urlencoded_parse};

/// The header carrying Twilio's signature.
pub const TWILIO_HEADER: &str = "x-twilio-signature";

const DISPLAY: &str = "X-Twilio-Signature";
const BODY_HASH: &str = "bodySHA256";

/// Checks `X-Twilio-Signature` for a request Twilio made to the public `url`, with the account's
/// auth token. Form parameters are read from the body when its `Content-Type` is
/// `application/x-www-form-urlencoded`; any other non-empty body must be covered by `bodySHA256`.
pub fn verify_twilio(
    delivery: &Delivery<'_>,
    url: &str,
    auth_token: &str,
) -> Result<(), VerifyError> {
    let auth_token = require_secret(auth_token, "Twilio auth token")?;
    let given = delivery.require_header(TWILIO_HEADER, DISPLAY)?;
    let tag = base64::engine::general_purpose::STANDARD.decode(given).map_err(|_| {
        VerifyError::MalformedHeader {
            header: DISPLAY.to_owned(),
            why: "it is not base64".to_owned(),
        }
    })?;

    let is_form = delivery.header("content-type").map(media_type).as_deref()
        == Some("application/x-www-form-urlencoded");
    let params = if is_form { form_urlencoded_parse(delivery.body) } else { Vec::new() };
    let mut signed_url = url.to_owned();
    if !is_form {
        let url_hash = url_query(url).into_iter().find(|(k, _)| k == BODY_HASH).map(|(_, v)| v);
        match delivery.query_param(BODY_HASH).map(str::to_owned).or(url_hash) {
            Some(hash) => {
                let actual = hex(&Sha256::digest(delivery.body));
                if !constant_time_eq(actual.as_bytes(), hash.to_ascii_lowercase().as_bytes()) {
                    return Err(VerifyError::BodyHashMismatch);
                }
                if !url.contains("bodySHA256=") {
                    signed_url.push(if url.contains('?') { '&' } else { '?' });
                    signed_url.push_str("bodySHA256=");
                    signed_url.push_str(&hash);
                }
            }
            None if delivery.body.iter().all(u8::is_ascii_whitespace) => {}
            None => return Err(VerifyError::UnsignedBody),
        }
    }

    let suffix = signed_params(&params);
    let matches = url_variants(&signed_url).iter().any(|candidate| {
        hmac_matches::<Hmac<Sha1>>(
            auth_token.as_bytes(),
            &[candidate.as_bytes(), suffix.as_bytes()],
            &tag,
        )
    });
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Mismatch {
            header: DISPLAY.to_owned(),
            hint: "check the trigger's webhook URL and auth token",
        })
    }
}

/// The decoded query parameters of a URL.
fn url_query(url: &str) -> Vec<(String, String)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    match without_fragment.split_once('?') {
        Some((_, query)) => form_urlencoded_parse(query.as_bytes()),
        None => Vec::new(),
    }
}

/// The POST parameters as Twilio signs them: sorted by name (then value, duplicates once, as
/// Twilio's own validators do), each name followed by its value.
pub(crate) fn signed_params(params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> =
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.iter().fold(String::new(), |mut out, (k, v)| {
        out.push_str(k);
        out.push_str(v);
        out
    })
}

/// The URL as given, then the same URL with its port removed (any port, as twilio-python and
/// twilio-node do) or, when it has none, with its scheme's default port added: Twilio may sign
/// either form, depending on how the URL was entered.
pub(crate) fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else { return out };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    // An IPv6 literal's colons are inside brackets; a port follows the closing bracket.
    let port_start = match host_port.rfind(']') {
        Some(bracket) => host_port[bracket..].find(':').map(|i| bracket + i),
        None => host_port.rfind(':'),
    };
    let variant = match port_start {
        Some(i) => format!("{scheme}://{userinfo}{}{tail}", &host_port[..i]),
        None => format!("{scheme}://{userinfo}{host_port}:{default_port}{tail}"),
    };
    out.push(variant);
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{headers, mac};
    use super::*;

    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    /// twilio-python's `test_request_validator.py` parameters.
    const PARAMS: &[(&str, &str)] = &[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ];
    const FORM: &str = "application/x-www-form-urlencoded";

    fn form(params: &[(&str, &str)]) -> Vec<u8> {
        crate::pieces::form_urlencode(params.iter().copied()).into_bytes()
    }

    fn check(
        signature: Option<&str>,
        content_type: &str,
        body: &[u8],
        query: &[(&str, &str)],
        url: &str,
        token: &str,
    ) -> Result<(), VerifyError> {
        let mut pairs = vec![("Content-Type", content_type)];
        pairs.extend(signature.map(|s| ("X-Twilio-Signature", s)));
        let headers = headers(&pairs);
        let query = super::super::test_support::headers(query);
        verify_twilio(&Delivery { headers: &headers, query: &query, body, now: 0 }, url, token)
    }

    fn check_form(signature: &str, url: &str) -> Result<(), VerifyError> {
        check(Some(signature), FORM, &form(PARAMS), &[("foo", "1"), ("bar", "2")], url, TOKEN)
    }

    /// The signature as the documented algorithm computes it, written independently.
    fn sign(url: &str, token: &str, params: &[(&str, &str)]) -> String {
        let mut sorted = params.to_vec();
        sorted.sort();
        sorted.dedup();
        let data = sorted.iter().fold(url.to_owned(), |acc, (k, v)| acc + *k + *v);
        base64::engine::general_purpose::STANDARD
            .encode(mac::<Hmac<Sha1>>(token.as_bytes(), &[data.as_bytes()]))
    }

    #[test]
    fn the_official_vectors_verify() {
        assert_eq!(sign(URL, TOKEN, PARAMS), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert_eq!(check_form("RSOYDt4T1cUTdK1PDd93/VVr8B8=", URL), Ok(()));
        // https with port 1234: validates with the port stripped.
        let with_port = "https://mycompany.com:1234/myapp.php?foo=1&bar=2";
        assert_eq!(check_form("RSOYDt4T1cUTdK1PDd93/VVr8B8=", with_port), Ok(()));
        // http with port 1234 (signed as it is).
        let http_port = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
        assert_eq!(check_form("Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", http_port), Ok(()));
        // Signed with the default port added, checked against the URL without it.
        assert_eq!(check_form("kvajT1Ptam85bY51eRf/AJRuM3w=", URL), Ok(()));
        let http = "http://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(check_form("0ZXoZLH/DfblKGATFgpif+LLRf4=", http), Ok(()));
        // Signed without the default port, checked against the URL with it.
        let https_443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(check_form("RSOYDt4T1cUTdK1PDd93/VVr8B8=", https_443), Ok(()));
    }

    #[test]
    fn the_official_repeated_keys_vector_verifies() {
        let body = b"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234";
        let sig = "IK+Dwps556ElfBT0I3Rgjkr1wJU=";
        assert_eq!(check(Some(sig), FORM, body, &[], URL, TOKEN), Ok(()));
        // A repeated identical pair counts once.
        let doubled = b"Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234";
        assert_eq!(check(Some(sig), FORM, doubled, &[], URL, TOKEN), Ok(()));
    }

    #[test]
    fn the_official_json_body_vector_verifies() {
        let body = br#"{"property": "value", "boolean": true}"#;
        let hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        assert_eq!(hex(&Sha256::digest(body)), hash);
        let sig = "a9nBmqA0ju/hNViExpshrM61xv4=";
        let json = "application/json";
        let query = [("foo", "1"), ("bar", "2"), ("bodySHA256", hash)];
        // The configured URL without the parameter (appended), or with it.
        assert_eq!(check(Some(sig), json, body, &query, URL, TOKEN), Ok(()));
        let full = format!("{URL}&bodySHA256={hash}");
        assert_eq!(check(Some(sig), json, body, &query, &full, TOKEN), Ok(()));
        assert_eq!(check(Some(sig), json, body, &[], &full, TOKEN), Ok(()));
        // A tampered body no longer matches the signed hash.
        let tampered = br#"{"property": "evil", "boolean": true}"#;
        assert_eq!(
            check(Some(sig), json, tampered, &query, URL, TOKEN),
            Err(VerifyError::BodyHashMismatch)
        );
        // No hash at all: the body is not covered.
        assert_eq!(check(Some(sig), json, body, &[], URL, TOKEN), Err(VerifyError::UnsignedBody));
    }

    #[test]
    fn a_computed_signature_verifies_and_get_appends_nothing() {
        let url = "https://flows.example.com/hooks/call/abc?CallSid=CA1&CallStatus=completed";
        let sig = sign(url, "another_token_0123", &[]);
        assert_eq!(check(Some(&sig), "", b"", &[], url, "another_token_0123"), Ok(()));
    }

    #[test]
    fn a_wrong_token_url_or_tampered_body_is_a_mismatch() {
        let err =
            check(Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="), FORM, &form(PARAMS), &[], URL, "54321");
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let err = check_form("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://evil.example.com/myapp.php");
        assert!(matches!(err, Err(VerifyError::Mismatch { .. })), "{err:?}");
        let mut tampered = PARAMS.to_vec();
        tampered[2] = ("Digits", "9999");
        let err =
            check(Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="), FORM, &form(&tampered), &[], URL, TOKEN);
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("the X-Twilio-Signature does not match (check the trigger's webhook URL and auth \
                 token)"
                .to_owned())
        );
    }

    #[test]
    fn a_missing_or_malformed_header_is_reported() {
        let err = check(None, FORM, &form(PARAMS), &[], URL, TOKEN).map_err(|e| e.to_string());
        assert_eq!(err, Err("the X-Twilio-Signature header is missing".to_owned()));
        let err = check_form("not base64!", URL).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("the X-Twilio-Signature header is malformed: it is not base64".to_owned())
        );
        let err = check(Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="), FORM, b"", &[], URL, "");
        assert!(matches!(err, Err(VerifyError::NotConfigured { .. })), "{err:?}");
    }

    #[test]
    fn url_variants_add_or_remove_the_port() {
        assert_eq!(url_variants(URL), [URL, "https://mycompany.com:443/myapp.php?foo=1&bar=2"]);
        assert_eq!(
            url_variants("http://user:pw@[::1]:80/x"),
            ["http://user:pw@[::1]:80/x", "http://user:pw@[::1]/x"]
        );
        assert_eq!(
            url_variants("https://h.example:8443/x"),
            ["https://h.example:8443/x", "https://h.example/x"]
        );
        assert_eq!(url_variants("ftp://h.example/x"), ["ftp://h.example/x"]);
        assert_eq!(url_variants("not a url"), ["not a url"]);
    }

    #[test]
    fn signed_params_sort_by_name_then_value() {
        let params = [
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "z".to_owned()),
            ("a".to_owned(), "y".to_owned()),
            ("a".to_owned(), "y".to_owned()),
        ];
        assert_eq!(signed_params(&params), "ayazb2");
    }
}
