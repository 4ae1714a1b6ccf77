//! The one error type of the secrets module.
//!
//! Every message says what went wrong and where (which environment variable, which file) and what
//! an operator can do about it. No variant carries key bytes, plaintext or a password: values that
//! were rejected are described (their length, what they decoded to), never echoed, because these
//! messages end up in logs and HTTP responses.
//!
//! Underlying causes (`std::io::Error`, the RNG's and the password hasher's errors) are attached as
//! [`std::error::Error::source`] rather than repeated in the message, so render the chain
//! (`anyhow`'s `{:#}`, as `main` does) to see them.

use std::path::PathBuf;

use aes_gcm::aead::common::getrandom;

/// What the accepted key formats are, spelled out once so every key error says the same thing.
const ACCEPTED_KEY_FORMATS: &str = "expected 32 bytes encoded as base64 (standard or URL-safe \
     alphabet, with or without padding: 43 or 44 characters) or as 64 hexadecimal characters, \
     e.g. the output of `openssl rand -base64 32`";

/// Why a secrets operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// The key given in the environment variable (`SWITCHBOARD_ENCRYPTION_KEY`) is not a key.
    #[error("{variable} is not a usable encryption key: {problem}; {ACCEPTED_KEY_FORMATS}")]
    BadEnvKey {
        /// The environment variable's name.
        variable: &'static str,
        /// What is wrong with the value (its length or what it decoded to, never the value).
        problem: String,
    },

    /// The key file exists but does not hold a key.
    #[error(
        "encryption key file {} does not hold a usable key: {problem}; {ACCEPTED_KEY_FORMATS}. \
         The file must hold the key the stored secrets were encrypted with: restore it from a \
         backup, or delete it only if no secrets have been saved yet",
        path.display()
    )]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with its contents (never the contents).
        problem: String,
    },

    /// The key file exists (or may exist) but could not be read.
    #[error("cannot read encryption key file {}", path.display())]
    KeyFileUnreadable {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A new key file could not be created or written (or its directory could not be created).
    #[error(
        "cannot create encryption key file {} (set SWITCHBOARD_ENCRYPTION_KEY instead, or make \
         the data directory writable)",
        path.display()
    )]
    KeyFileUnwritable {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The operating system's secure random number generator failed.
    #[error("the operating system's secure random number generator failed")]
    Random(#[source] getrandom::Error),

    /// The blob was encrypted under another key than the one this process was started with.
    #[error(
        "secret was encrypted with a different key (key id {blob_key_id}; the current key's id is \
         {current_key_id}): start Switchboard with the key it was saved with \
         (SWITCHBOARD_ENCRYPTION_KEY or <data dir>/encryption.key), or enter the secret again"
    )]
    WrongKey {
        /// Hex id of the key the blob names (first 4 bytes of the key's SHA-256).
        blob_key_id: String,
        /// Hex id of the key in use.
        current_key_id: String,
    },

    /// The blob names a format version this build does not know.
    #[error(
        "encrypted secret has format version {version}, this build reads only version \
         {supported}: the data is corrupt or was written by a newer Switchboard"
    )]
    UnsupportedVersion {
        /// The version byte found.
        version: u8,
        /// The version this build reads and writes.
        supported: u8,
    },

    /// The blob is truncated or was modified (authentication failed under the right key).
    #[error("encrypted secret is corrupt: {reason}")]
    CorruptBlob {
        /// What is wrong.
        reason: String,
    },

    /// The blob decrypted, but the plaintext is not JSON (it was not written by `encrypt_json`).
    #[error("decrypted secret is not valid JSON (line {line}, column {column})")]
    NotJson {
        /// Line of the first syntax error.
        line: usize,
        /// Column of the first syntax error.
        column: usize,
    },

    /// The plaintext exceeds what AES-GCM can encrypt under one nonce (about 64 GiB).
    #[error("a secret of {len} bytes is too large to encrypt (AES-GCM's limit is 64 GiB)")]
    PlaintextTooLarge {
        /// The plaintext's length in bytes.
        len: usize,
    },

    /// Argon2 could not hash a password (an RNG failure or an internal error; never the password).
    #[error("password hashing failed")]
    PasswordHash(#[source] argon2::password_hash::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_errors_name_the_accepted_formats_and_the_place() {
        let env = SecretsError::BadEnvKey {
            variable: "SWITCHBOARD_ENCRYPTION_KEY",
            problem: "it is empty".to_owned(),
        }
        .to_string();
        assert!(env.starts_with("SWITCHBOARD_ENCRYPTION_KEY is not a usable encryption key"));
        assert!(env.contains("base64") && env.contains("64 hexadecimal characters"));

        let file = SecretsError::BadKeyFile {
            path: PathBuf::from("/data/encryption.key"),
            problem: "it is empty".to_owned(),
        }
        .to_string();
        assert!(file.contains("/data/encryption.key"));
        assert!(file.contains("base64") && file.contains("restore it from a backup"));
    }

    #[test]
    fn io_errors_keep_the_cause_as_source() {
        let err = SecretsError::KeyFileUnreadable {
            path: PathBuf::from("/data/encryption.key"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert!(err.to_string().contains("/data/encryption.key"));
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn wrong_key_says_so() {
        let err = SecretsError::WrongKey {
            blob_key_id: "01020304".to_owned(),
            current_key_id: "a0b0c0d0".to_owned(),
        };
        let text = err.to_string();
        assert!(text.contains("encrypted with a different key"));
        assert!(text.contains("01020304") && text.contains("a0b0c0d0"));
    }
}
