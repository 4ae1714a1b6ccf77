//! The random values of an authorization: the `state` that ties the provider's redirect back to
//! the request that started it, and the PKCE (RFC 7636) code verifier with its S256 challenge.
//!
//! Both are 32 bytes from the operating system's secure generator as unpadded URL-safe base64
//! (43 characters, all in PKCE's unreserved alphabet).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new one-time `state` value (256 random bits).
pub fn new_state() -> String {
    crate::secrets::new_token("")
}

/// A new PKCE code verifier (256 random bits, 43 characters).
pub fn new_verifier() -> String {
    crate::secrets::new_token("")
}

/// The S256 code challenge of a verifier: `BASE64URL(SHA256(verifier))` without padding.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of RFC 7636 appendix B (its printed challenge; note that a value ending in
    /// `…K1zXNOuHI5mSusYRow` circulates too, and is wrong).
    #[test]
    fn rfc_7636_appendix_b() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_random_and_unreserved() {
        let a = new_verifier();
        let b = new_verifier();
        assert_ne!(a, b);
        assert!((43..=128).contains(&a.len()), "{a}");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)), "{a}");
        assert_ne!(new_state(), new_state());
        assert_eq!(challenge(&a).len(), 43);
    }
}
