//! Secrets: everything the server keeps that must not leak if its database or logs do.
//!
//! - **Connection secrets at rest** ([`SecretCipher`]): the API keys and OAuth tokens in a
//!   connection's values are stored encrypted with AES-256-GCM, as n8n does with its encryption
//!   key. The key comes from `SWITCHBOARD_ENCRYPTION_KEY` ([`ENCRYPTION_KEY_ENV`]) or from
//!   `<data dir>/encryption.key` ([`KEY_FILE_NAME`]), which is generated (mode 0600) on first start
//!   when neither exists. Each blob names the key it was encrypted under (a 4-byte key id), so
//!   starting with the wrong key gives [`SecretsError::WrongKey`], not a generic failure. Losing
//!   the key means losing every stored secret: [`KeySource::GeneratedFile`] is the cue to tell
//!   the operator to back the file up.
//! - **Account passwords** ([`hash_password`], [`verify_password`], [`check_password_policy`]):
//!   Argon2id PHC strings with random salts; the policy returns a message a user can act on.
//! - **Session tokens and API keys** ([`new_token`], [`token_hash`]): prefixed random tokens of
//!   which the database stores only the SHA-256, plus [`constant_time_eq`] for secrets compared
//!   directly (webhook secrets, signatures).
//!
//! Nothing here logs, and no error or `Debug` output contains a key, a plaintext secret or a
//! password. The file and hashing work is blocking: call it at start-up or from `spawn_blocking`.
//!
//! ```ignore
//! let env = std::env::var(secrets::ENCRYPTION_KEY_ENV).ok();
//! let (cipher, source) = secrets::SecretCipher::from_env_or_file(env.as_deref(), &data_dir)?;
//! tracing::info!(key_id = %cipher.key_id(), "encryption key {source}");
//! let blob = cipher.encrypt_json(&connection_values);
//! let values = cipher.decrypt_json(&blob)?;
//! ```

mod cipher;
mod error;
mod password;
mod token;

pub use cipher::{ENCRYPTION_KEY_ENV, KeySource, SecretCipher};
pub use password::{check_password_policy, hash_password, verify_password};
pub use token::{
    API_KEY_PREFIX, SESSION_TOKEN_PREFIX, constant_time_eq, hex_encode, new_token, token_hash,
};
