//! Account passwords: Argon2id hashing, verification and the password policy.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a random 16-byte
//! salt, so the parameters travel with each hash: raising them later only affects new hashes, and
//! old ones still verify. The parameters are OWASP's recommended Argon2id minimum (19 MiB, two
//! passes, one lane): about 15-70 ms per hash in release builds.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};

use super::error::SecretsError;

/// The shortest password [`check_password_policy`] accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The longest password [`check_password_policy`] accepts, in characters. Generous enough for
/// any passphrase or password manager; it only bounds the work a login request can cause.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The hasher for new passwords, pinned rather than `Argon2::default()` so that a change of the
/// crate's defaults cannot silently weaken (or change the cost of) new hashes.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes `password` with Argon2id and a random salt, as a PHC string to store.
///
/// CPU-heavy (tens of milliseconds): call it from `spawn_blocking` in async code.
///
/// # Errors
///
/// [`SecretsError::PasswordHash`] if the OS RNG fails or Argon2 reports an internal error.
pub fn hash_password(password: &str) -> Result<String, SecretsError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(SecretsError::PasswordHash)
}

/// Whether `password` matches the PHC string `phc` made by [`hash_password`]. A malformed or
/// unsupported PHC string is a mismatch, not an error: either way the login must fail.
///
/// Uses the parameters recorded in `phc` (so older hashes keep verifying) and compares in
/// constant time. `phc` must come from the database, not from a request: its parameters decide
/// how much memory and time verification takes. CPU-heavy like [`hash_password`].
///
/// To avoid revealing which accounts exist, verify against some stored hash even when the
/// account is unknown, so both paths take the same time.
#[must_use]
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    hasher().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Checks a new password against the policy: at least [`MIN_PASSWORD_CHARS`] characters (and at
/// most [`MAX_PASSWORD_CHARS`]). Characters are Unicode scalar values, so a non-Latin password
/// is not penalised for taking several bytes per character.
///
/// # Errors
///
/// A sentence the user can act on, ready to show next to the password field.
pub fn check_password_policy(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        let noun = if chars == 1 { "character" } else { "characters" };
        return Err(format!(
            "The password is too short: it has {chars} {noun}, use at least {MIN_PASSWORD_CHARS}."
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!(
            "The password is too long: it has {chars} characters, use at most \
             {MAX_PASSWORD_CHARS}."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let phc = hash_password("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(verify_password("correct horse battery staple", &phc));
        assert!(!verify_password("correct horse battery stapler", &phc));
        assert!(!verify_password("", &phc));
    }

    #[test]
    fn salts_are_random() {
        let a = hash_password("same password").unwrap();
        let b = hash_password("same password").unwrap();
        assert_ne!(a, b);
        assert!(verify_password("same password", &a) && verify_password("same password", &b));
    }

    #[test]
    fn unicode_and_empty_passwords_hash() {
        let phc = hash_password("pässwörd-日本語").unwrap();
        assert!(verify_password("pässwörd-日本語", &phc));
        assert!(!verify_password("passwörd-日本語", &phc));
        let empty = hash_password("").unwrap();
        assert!(verify_password("", &empty));
    }

    #[test]
    fn malformed_phc_never_verifies() {
        for phc in ["", "plaintext", "$argon2id$", "$argon2id$v=19$m=19456,t=2,p=1$", "$md5$x$y"] {
            assert!(!verify_password("plaintext", phc), "{phc:?}");
        }
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        use argon2::password_hash::CustomizedPasswordHasher;
        let cheap = Params::new(8, 1, 1, None).unwrap();
        let phc = hasher()
            .hash_password_with_params(b"old password", b"saltsaltsaltsalt", cheap)
            .unwrap()
            .to_string();
        assert!(phc.contains("m=8,t=1,p=1"), "{phc}");
        assert!(verify_password("old password", &phc));
        assert!(!verify_password("new password", &phc));
    }

    #[test]
    fn policy_wants_eight_characters() {
        let err = check_password_policy("short").unwrap_err();
        assert_eq!(err, "The password is too short: it has 5 characters, use at least 8.");
        assert!(check_password_policy("x").unwrap_err().contains("it has 1 character,"));
        assert!(check_password_policy("").is_err());
        assert!(check_password_policy("1234567").is_err());
        assert!(check_password_policy("12345678").is_ok());
        // Eight characters, more than eight bytes: counted as characters.
        assert!(check_password_policy("日本語日本語日本").is_ok());
        assert!(check_password_policy("日本語日本語日").is_err());
    }

    #[test]
    fn policy_bounds_the_length() {
        assert!(check_password_policy(&"a".repeat(MAX_PASSWORD_CHARS)).is_ok());
        let err = check_password_policy(&"a".repeat(MAX_PASSWORD_CHARS + 1)).unwrap_err();
        assert!(err.contains("too long") && err.contains("1024"), "{err}");
    }
}
