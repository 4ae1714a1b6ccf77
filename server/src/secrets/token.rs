//! Bearer tokens (editor sessions, API keys): generation, the hash the database stores, and
//! constant-time comparison.
//!
//! A token is a prefix naming its kind (`sb_sess_`, `sb_key_`) followed by 32 random bytes as
//! unpadded URL-safe base64 (43 characters). The prefix makes a leaked token recognisable (secret
//! scanners, logs) and tells the server which table to look in; the 256 random bits make guessing
//! hopeless.
//!
//! The database stores only [`token_hash`] of a token, so a leaked database yields nothing that
//! authenticates. A plain SHA-256 (no salt, no slow hash) is right here, unlike for passwords:
//! the input already has 256 bits of entropy, and an unsalted hash lets the server look the token
//! up by its hash with an index.

use aes_gcm::aead::Generate;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of editor session tokens.
pub const SESSION_TOKEN_PREFIX: &str = "sb_sess_";

/// Prefix of REST API keys.
pub const API_KEY_PREFIX: &str = "sb_key_";

/// Random bytes in a token.
const TOKEN_RANDOM_BYTES: usize = 32;

/// A new token: `prefix` followed by 32 random bytes as unpadded URL-safe base64.
///
/// Show it to the user once and store only [`token_hash`] of it.
///
/// # Panics
///
/// Only if the operating system's secure random number generator fails, which leaves no safe
/// way to continue.
#[must_use]
pub fn new_token(prefix: &str) -> String {
    let bytes = <[u8; TOKEN_RANDOM_BYTES]>::generate();
    let mut token = String::with_capacity(prefix.len() + 43);
    token.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(bytes, &mut token);
    token
}

/// SHA-256 of the token as 64 lowercase hex characters: what the database stores and looks
/// tokens up by.
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex_encode(&Sha256::digest(token.as_bytes()))
}

/// Compares two byte strings in time that depends only on their lengths, not on where they
/// differ. For secrets compared directly (webhook secrets, HMAC signatures); lengths are not
/// treated as secret.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Lowercase hex of `bytes` (no crate in the set provides base16, and this is all it takes).
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    #[test]
    fn tokens_have_the_prefix_and_32_random_bytes() {
        for prefix in [SESSION_TOKEN_PREFIX, API_KEY_PREFIX, ""] {
            let token = new_token(prefix);
            let rest = token.strip_prefix(prefix).unwrap();
            assert_eq!(rest.len(), 43, "{token}");
            assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(URL_SAFE_NO_PAD.decode(rest).unwrap().len(), 32);
        }
    }

    #[test]
    fn tokens_are_unique() {
        let tokens: HashSet<String> = (0..1000).map(|_| new_token(SESSION_TOKEN_PREFIX)).collect();
        assert_eq!(tokens.len(), 1000);
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = new_token(API_KEY_PREFIX);
        let hash = token_hash(&token);
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(hash, token_hash(&token));
        assert_ne!(hash, token_hash(&new_token(API_KEY_PREFIX)));
        assert!(!hash.contains(token.trim_start_matches(API_KEY_PREFIX)));
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"Secret"));
        assert!(!constant_time_eq(b"secret", b"secrets"));
        assert!(!constant_time_eq(b"", b"x"));
    }

    #[test]
    fn hex_encode_is_lowercase_and_complete() {
        assert_eq!(hex_encode(&[]), "");
        assert_eq!(hex_encode(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }
}
