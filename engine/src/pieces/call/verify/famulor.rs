//! Famulor: a secret token in the webhook URL (call-platforms.md, section 7 "Famulor").
//!
//! Famulor documents no signature or authentication for its post-call webhook, so the reference
//! suggests an unguessable token in the webhook URL: the URL entered in Famulor carries
//! `?<param>=<token>` (by default `token`), and a delivery is accepted only when that query
//! parameter equals the configured token, compared in constant time (both sides hashed first, so
//! not even the token's length leaks). This proves only that the sender knows the URL; it has no
//! body integrity and no replay protection, so runs should also be deduplicated on the call `id`.

use super::{Delivery, VerifyError, require_secret, secret_eq};

/// The query parameter carrying the token when none is configured.
pub const FAMULOR_DEFAULT_PARAM: &str = "token";

/// Checks that the webhook URL's `param` query parameter (default [`FAMULOR_DEFAULT_PARAM`] when
/// `param` is blank) carries the configured `token`.
pub fn verify_famulor(
    delivery: &Delivery<'_>,
    param: &str,
    token: &str,
) -> Result<(), VerifyError> {
    let token = require_secret(token, "Famulor webhook URL token")?;
    let param = match param.trim() {
        "" => FAMULOR_DEFAULT_PARAM,
        param => param,
    };
    let given = delivery
        .query_param(param)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| VerifyError::MissingToken { param: param.to_owned() })?;
    if secret_eq(given, token) {
        Ok(())
    } else {
        Err(VerifyError::TokenMismatch { param: param.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::headers;
    use super::*;

    const TOKEN: &str = "fam_7Qm2vX9kLp4R";
    const BODY: &[u8] = br#"{"id":12345,"status":"completed","duration":125}"#;

    fn check(query: &[(&str, &str)], param: &str, token: &str) -> Result<(), VerifyError> {
        let query = headers(query);
        verify_famulor(&Delivery { headers: &[], query: &query, body: BODY, now: 0 }, param, token)
    }

    #[test]
    fn the_right_token_is_accepted() {
        assert_eq!(check(&[("source", "famulor"), ("token", TOKEN)], "", TOKEN), Ok(()));
        assert_eq!(check(&[("k", TOKEN)], "k", TOKEN), Ok(()));
    }

    #[test]
    fn a_wrong_token_is_rejected_without_echoing_it() {
        for wrong in ["fam_7Qm2vX9kLp4r", "fam_7Qm2vX9kLp4", "x"] {
            let err = check(&[("token", wrong)], "token", TOKEN);
            assert_eq!(err, Err(VerifyError::TokenMismatch { param: "token".into() }));
            let message = err.map_err(|e| e.to_string()).err().unwrap_or_default();
            assert!(!message.contains(wrong) && !message.contains(TOKEN), "{message}");
        }
        // The token in another parameter does not count.
        let err = check(&[("secret", TOKEN)], "", TOKEN);
        assert_eq!(err, Err(VerifyError::MissingToken { param: "token".into() }));
    }

    #[test]
    fn a_missing_token_or_configuration_is_reported() {
        assert_eq!(
            check(&[], "", TOKEN).map_err(|e| e.to_string()),
            Err("the `token` token is missing from the webhook URL".into())
        );
        assert!(matches!(
            check(&[("token", "")], "", TOKEN),
            Err(VerifyError::MissingToken { .. })
        ));
        let err = check(&[("token", "")], "", "");
        assert!(matches!(err, Err(VerifyError::NotConfigured { .. })), "{err:?}");
    }
}
