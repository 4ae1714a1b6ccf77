//! [`SecretCipher`]: AES-256-GCM encryption of connection secrets at rest, and where its key
//! comes from (the environment, or a key file generated on first start).

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT,
};
use sha2::{Digest, Sha256};

use super::error::SecretsError;
use super::token::hex_encode;

/// The environment variable that holds the encryption key.
pub const ENCRYPTION_KEY_ENV: &str = "SWITCHBOARD_ENCRYPTION_KEY";

/// The key file's name inside the data directory.
pub const KEY_FILE_NAME: &str = "encryption.key";

/// The blob format version this build writes and reads.
pub const BLOB_FORMAT_VERSION: u8 = 1;

/// Key length in bytes (AES-256).
const KEY_LEN: usize = 32;
/// Length of the key id that follows the version byte.
const KEY_ID_LEN: usize = 4;
/// AES-GCM's standard nonce length.
const NONCE_LEN: usize = 12;
/// AES-GCM's tag length.
const TAG_LEN: usize = 16;
/// Version byte plus key id: the part of the blob that is authenticated but not encrypted.
const HEADER_LEN: usize = 1 + KEY_ID_LEN;
/// The shortest valid blob: the encryption of an empty plaintext.
const MIN_BLOB_LEN: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// How long a process that lost the race to create the key file waits for the winner to finish
/// writing it. Writing 45 bytes takes microseconds; this only has to outlast scheduling hiccups.
const KEY_FILE_WAIT: Duration = Duration::from_secs(2);
/// How often the loser of that race looks at the file again.
const KEY_FILE_POLL: Duration = Duration::from_millis(10);

/// Where [`SecretCipher::from_env_or_file`] found its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// From the `SWITCHBOARD_ENCRYPTION_KEY` value.
    Environment,
    /// From a key file that already existed.
    ExistingFile(PathBuf),
    /// Generated now and saved to this new key file. The operator should back it up: secrets
    /// cannot be decrypted without it.
    GeneratedFile(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment => write!(f, "from {ENCRYPTION_KEY_ENV}"),
            Self::ExistingFile(path) => write!(f, "from {}", path.display()),
            Self::GeneratedFile(path) => write!(
                f,
                "generated and saved to {} (back this file up: stored secrets cannot be \
                 decrypted without it)",
                path.display()
            ),
        }
    }
}

/// Encrypts and decrypts connection secrets with one AES-256-GCM key.
///
/// Cheap to clone. `Debug` shows only the key id, never the key.
///
/// # Key
///
/// [`SecretCipher::from_env_or_file`] takes the key, in order, from
///
/// 1. the value of `SWITCHBOARD_ENCRYPTION_KEY` ([`ENCRYPTION_KEY_ENV`]), if the caller passes one:
///    32 bytes as base64 (standard or URL-safe alphabet, padded or not) or as 64 hex characters,
///    surrounding whitespace ignored. Anything else is an error: a typo must not silently fall
///    back to another key;
/// 2. the key file `<data_dir>/encryption.key` ([`KEY_FILE_NAME`]), if it exists (same formats);
/// 3. a new random key, written to that file (mode 0600 on Unix) as standard padded base64, so the
///    file's contents can be moved into the environment variable as they are.
///
/// The file is created with `create_new`, so two processes starting on an empty data directory
/// never overwrite each other's key: the loser of the race reads the winner's file (waiting
/// briefly if it is still being written).
///
/// # Blob format (version 1)
///
/// ```text
/// [ 1 byte version = 1 ][ 4 bytes key id ][ 12 bytes random nonce ][ ciphertext ][ 16 bytes tag ]
/// ```
///
/// The key id is the first 4 bytes of SHA-256 of the key. It lets [`SecretCipher::decrypt`] tell
/// "this was encrypted under a different key" (an operator error with a known fix) from "this was
/// modified" (corruption), which AES-GCM alone reports as the same authentication failure. The
/// version and key id are the AEAD's associated data, so they are authenticated too.
///
/// Random 96-bit nonces are safe for far more secrets than a workflow engine stores (NIST's bound
/// is 2^32 encryptions per key).
#[derive(Clone)]
pub struct SecretCipher {
    aead: Aes256Gcm,
    key_id: [u8; KEY_ID_LEN],
}

impl fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretCipher").field("key_id", &self.key_id()).finish_non_exhaustive()
    }
}

impl SecretCipher {
    /// Loads the key from `env_value` (the value of `SWITCHBOARD_ENCRYPTION_KEY`, if set), else
    /// from `<data_dir>/encryption.key`, else generates one and saves it there (creating
    /// `data_dir` if needed). See [`SecretCipher`] for the formats.
    ///
    /// Blocking file I/O; call it at start-up (or from `spawn_blocking`).
    ///
    /// # Errors
    ///
    /// [`SecretsError::BadEnvKey`] for a value that is not a key (an empty value included),
    /// [`SecretsError::BadKeyFile`] for a key file that does not hold one,
    /// [`SecretsError::KeyFileUnreadable`] / [`SecretsError::KeyFileUnwritable`] with the path,
    /// [`SecretsError::Random`] if the OS RNG fails.
    pub fn from_env_or_file(
        env_value: Option<&str>,
        data_dir: &Path,
    ) -> Result<(Self, KeySource), SecretsError> {
        if let Some(value) = env_value {
            let key = parse_key(value).map_err(|problem| SecretsError::BadEnvKey {
                variable: ENCRYPTION_KEY_ENV,
                problem,
            })?;
            return Ok((Self::from_key(key), KeySource::Environment));
        }
        let (key, source) =
            load_or_generate_key_file(&data_dir.join(KEY_FILE_NAME), KEY_FILE_WAIT)?;
        Ok((Self::from_key(key), source))
    }

    /// A cipher for this key.
    #[must_use]
    pub fn from_key(key: [u8; KEY_LEN]) -> Self {
        let digest = Sha256::digest(key);
        let key_id = [digest[0], digest[1], digest[2], digest[3]];
        Self { aead: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)), key_id }
    }

    /// The key's id as 8 hex characters (the first 4 bytes of its SHA-256): safe to log, and
    /// what [`SecretsError::WrongKey`] names, so operators can tell keys apart.
    #[must_use]
    pub fn key_id(&self) -> String {
        hex_encode(&self.key_id)
    }

    /// Encrypts `plaintext` into a self-describing blob (see [`SecretCipher`]).
    ///
    /// # Panics
    ///
    /// Only if the operating system's secure RNG fails or `plaintext` exceeds AES-GCM's 64 GiB
    /// limit. Use [`Self::try_encrypt`] to get those as errors instead.
    #[must_use]
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        match self.try_encrypt(plaintext) {
            Ok(blob) => blob,
            // Both causes are outside any request's control in practice (bodies are limited far
            // below 64 GiB; an RNG failure means the OS is broken), and continuing without
            // encryption is not an option.
            Err(e) => panic!("cannot encrypt a secret: {e}"),
        }
    }

    /// Like [`Self::encrypt`], but reports an RNG failure or an oversized plaintext as an error.
    ///
    /// # Errors
    ///
    /// [`SecretsError::Random`] or [`SecretsError::PlaintextTooLarge`].
    pub fn try_encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, SecretsError> {
        let nonce_bytes = <[u8; NONCE_LEN]>::try_generate().map_err(SecretsError::Random)?;
        let header = self.header();
        let ciphertext = self
            .aead
            .encrypt(&Nonce::from(nonce_bytes), Payload { msg: plaintext, aad: &header })
            // aes-gcm's only encryption failure is a plaintext over its length limit.
            .map_err(|_| SecretsError::PlaintextTooLarge { len: plaintext.len() })?;
        let mut blob = Vec::with_capacity(HEADER_LEN + NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&header);
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&ciphertext);
        Ok(blob)
    }

    /// Decrypts a blob made by [`Self::encrypt`] under the same key.
    ///
    /// # Errors
    ///
    /// [`SecretsError::WrongKey`] if the blob was made under another key,
    /// [`SecretsError::UnsupportedVersion`] for an unknown format version, and
    /// [`SecretsError::CorruptBlob`] if it is truncated or was modified.
    pub fn decrypt(&self, blob: &[u8]) -> Result<Vec<u8>, SecretsError> {
        let Some((&version, rest)) = blob.split_first() else {
            return Err(corrupt("it is empty".to_owned()));
        };
        if version != BLOB_FORMAT_VERSION {
            return Err(SecretsError::UnsupportedVersion {
                version,
                supported: BLOB_FORMAT_VERSION,
            });
        }
        if blob.len() < MIN_BLOB_LEN {
            return Err(corrupt(format!(
                "it is {} bytes long, shorter than the {MIN_BLOB_LEN}-byte minimum",
                blob.len()
            )));
        }
        let Some((key_id, rest)) = rest.split_first_chunk::<KEY_ID_LEN>() else {
            return Err(corrupt("its header is truncated".to_owned()));
        };
        // Checked before decrypting so a wrong key gets its own error (with both ids) instead
        // of AES-GCM's generic authentication failure.
        if *key_id != self.key_id {
            return Err(SecretsError::WrongKey {
                blob_key_id: hex_encode(key_id),
                current_key_id: self.key_id(),
            });
        }
        let Some((nonce, ciphertext)) = rest.split_first_chunk::<NONCE_LEN>() else {
            return Err(corrupt("its nonce is truncated".to_owned()));
        };
        self.aead
            .decrypt(&Nonce::from(*nonce), Payload { msg: ciphertext, aad: &self.header() })
            .map_err(|_| {
                corrupt("authentication failed: the data was modified or truncated".to_owned())
            })
    }

    /// Encrypts a JSON value (a connection's secret fields) as its compact JSON text.
    ///
    /// # Panics
    ///
    /// As [`Self::encrypt`].
    #[must_use]
    pub fn encrypt_json(&self, value: &serde_json::Value) -> Vec<u8> {
        // `Value`'s `Display` is its compact JSON and cannot fail, unlike `serde_json::to_vec`'s
        // signature suggests (a `Value` has only string map keys).
        self.encrypt(value.to_string().as_bytes())
    }

    /// Decrypts a blob made by [`Self::encrypt_json`].
    ///
    /// # Errors
    ///
    /// As [`Self::decrypt`], plus [`SecretsError::NotJson`] if the plaintext is not JSON.
    pub fn decrypt_json(&self, blob: &[u8]) -> Result<serde_json::Value, SecretsError> {
        let plaintext = self.decrypt(blob)?;
        // Only the position is kept: serde_json's messages are about syntax, but the plaintext
        // is a secret and nothing of it may reach a log.
        serde_json::from_slice(&plaintext)
            .map_err(|e| SecretsError::NotJson { line: e.line(), column: e.column() })
    }

    /// Version byte and key id: the blob's authenticated, unencrypted prefix.
    fn header(&self) -> [u8; HEADER_LEN] {
        let [a, b, c, d] = self.key_id;
        [BLOB_FORMAT_VERSION, a, b, c, d]
    }
}

fn corrupt(reason: String) -> SecretsError {
    SecretsError::CorruptBlob { reason }
}

/// Parses a key in any accepted format. The error describes the problem without echoing the
/// value, since it may be (a mistyped) key.
fn parse_key(text: &str) -> Result<[u8; KEY_LEN], String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".to_owned());
    }
    // Hex first: 64 hex characters are also valid base64 (of 48 bytes), so the order matters.
    if text.len() == 2 * KEY_LEN
        && let Some(key) = hex_decode_key(text)
    {
        return Ok(key);
    }
    let decoded =
        STANDARD_PAD_INDIFFERENT.decode(text).or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(text));
    if let Some(key) =
        decoded.as_deref().ok().and_then(|bytes| <[u8; KEY_LEN]>::try_from(bytes).ok())
    {
        return Ok(key);
    }
    // Describe the failure in the terms the operator most likely meant: a hex string of the
    // wrong length usually also decodes as base64, but "47 bytes of base64" would only confuse.
    if text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "it looks like hex but has {} characters, not {}",
            text.len(),
            2 * KEY_LEN
        ));
    }
    match decoded {
        Ok(bytes) => Err(format!("it decodes as base64 to {} bytes, not {KEY_LEN}", bytes.len())),
        Err(_) => Err(format!(
            "it is {} characters long and is neither valid base64 nor hex",
            text.chars().count()
        )),
    }
}

/// Decodes exactly 64 hex characters (either case); `None` for anything else.
fn hex_decode_key(text: &str) -> Option<[u8; KEY_LEN]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let pairs = text.as_bytes().chunks_exact(2);
    if pairs.len() != KEY_LEN || !pairs.remainder().is_empty() {
        return None;
    }
    let mut key = [0u8; KEY_LEN];
    for (byte, pair) in key.iter_mut().zip(pairs) {
        let [high, low] = *pair else { return None };
        *byte = (nibble(high)? << 4) | nibble(low)?;
    }
    Some(key)
}

/// Reads the key file: `Ok(None)` if it does not exist.
fn read_key_file(path: &Path) -> Result<Option<[u8; KEY_LEN]>, SecretsError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SecretsError::KeyFileUnreadable { path: path.to_path_buf(), source });
        }
    };
    let bad = |problem: String| SecretsError::BadKeyFile { path: path.to_path_buf(), problem };
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| bad(format!("it is {} bytes of binary data, not text", bytes.len())))?;
    parse_key(text).map(Some).map_err(bad)
}

/// Reads the key file, or creates it with a fresh key if there is none.
///
/// `wait` bounds how long to wait for another process that created the file first to finish
/// writing it (a parameter so tests of the give-up path stay fast).
fn load_or_generate_key_file(
    path: &Path,
    wait: Duration,
) -> Result<([u8; KEY_LEN], KeySource), SecretsError> {
    let deadline = Instant::now() + wait;
    loop {
        // What to report if time runs out after this round.
        let last_problem = match read_key_file(path) {
            Ok(Some(key)) => return Ok((key, KeySource::ExistingFile(path.to_path_buf()))),
            // Missing: create it. If another process created it since we looked, go round again
            // and read theirs.
            Ok(None) => match create_key_file(path)? {
                Some(key) => return Ok((key, KeySource::GeneratedFile(path.to_path_buf()))),
                // Still missing after this, the path exists for `create_new` but not for
                // `read`: a dangling symbolic link, say.
                None => SecretsError::KeyFileUnreadable {
                    path: path.to_path_buf(),
                    source: io::Error::new(
                        io::ErrorKind::NotFound,
                        "the path exists but cannot be opened as a file (a dangling symbolic \
                         link?)",
                    ),
                },
            },
            // Between another process's `create_new` and its write, the file is empty (or, in
            // principle, partly written). That can only be the case for a file modified moments
            // ago; an older bad file is a real problem and is reported at once.
            Err(e @ SecretsError::BadKeyFile { .. }) if modified_within(path, wait) => e,
            Err(e) => return Err(e),
        };
        if Instant::now() >= deadline {
            return Err(last_problem);
        }
        std::thread::sleep(KEY_FILE_POLL);
    }
}

/// Whether the file at `path` was modified less than `age` ago. A modification time in the
/// future (clock skew, e.g. on a network file system) counts as recent: waiting a little is the
/// safe side.
fn modified_within(path: &Path, age: Duration) -> bool {
    fs::metadata(path)
        .and_then(|meta| meta.modified())
        .is_ok_and(|modified| modified.elapsed().map_or(true, |elapsed| elapsed < age))
}

/// Creates the key file with a new key: `Ok(None)` if it already exists (another process won).
fn create_key_file(path: &Path) -> Result<Option<[u8; KEY_LEN]>, SecretsError> {
    let unwritable =
        |source: io::Error| SecretsError::KeyFileUnwritable { path: path.to_path_buf(), source };
    let key = <[u8; KEY_LEN]>::try_generate().map_err(SecretsError::Random)?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        fs::create_dir_all(parent).map_err(unwritable)?;
    }

    let mut options = OpenOptions::new();
    // `create_new` is the lock: exactly one process gets to write the key.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Set at creation, so the key is never readable by others, not even briefly.
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(unwritable(e)),
    };
    let contents = format!("{}\n", STANDARD.encode(key));
    if let Err(e) = file.write_all(contents.as_bytes()).and_then(|()| file.sync_all()) {
        drop(file);
        // An empty or partial key file would make every later start fail; removing it lets the
        // next start (or a racing process) try again. Failure to remove changes nothing for the
        // error we report.
        let _ = fs::remove_file(path);
        return Err(unwritable(e));
    }
    // Make the new directory entry durable too: after a power loss, a missing key file would
    // mean a new key and every secret saved meanwhile unreadable.
    #[cfg(unix)]
    if let Some(parent) = parent {
        fs::File::open(parent).and_then(|dir| dir.sync_all()).map_err(unwritable)?;
    }
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Barrier};

    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use serde_json::json;

    use super::*;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let dir = std::env::temp_dir().join(format!(
                "switchboard-secrets-test-{}-{nanos}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// Writes `contents` to `path` with a modification time an hour ago, like a key file left
    /// by an earlier start.
    fn write_old_file(path: &Path, contents: &[u8]) {
        fs::write(path, contents).unwrap();
        let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        fs::File::options().write(true).open(path).unwrap().set_modified(an_hour_ago).unwrap();
    }

    /// A key whose base64 has both `+` and `/` (so `-` and `_` in the URL-safe alphabet).
    fn test_key() -> [u8; KEY_LEN] {
        std::array::from_fn(|i| [0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff][i % 6])
    }

    fn cipher() -> SecretCipher {
        SecretCipher::from_key(test_key())
    }

    #[test]
    fn round_trips() {
        let cipher = cipher();
        for plaintext in [&b""[..], b"x", b"sk_live_abcdef", &[0u8; 10_000]] {
            let blob = cipher.encrypt(plaintext);
            assert_eq!(cipher.decrypt(&blob).unwrap(), plaintext);
        }
    }

    #[test]
    fn blob_layout_is_version_key_id_nonce_ciphertext_tag() {
        let cipher = cipher();
        let blob = cipher.encrypt(b"hello");
        assert_eq!(blob.len(), 1 + 4 + 12 + 5 + 16);
        assert_eq!(blob[0], 1);
        let digest = Sha256::digest(test_key());
        assert_eq!(&blob[1..5], &digest[..4]);
        assert_eq!(cipher.key_id(), hex_encode(&digest[..4]));
        assert!(!blob.windows(5).any(|w| w == b"hello"));
    }

    #[test]
    fn same_plaintext_encrypts_differently() {
        let cipher = cipher();
        let a = cipher.encrypt(b"same");
        let b = cipher.encrypt(b"same");
        assert_ne!(a, b);
        assert_ne!(a[5..17], b[5..17], "nonces must differ");
    }

    #[test]
    fn tampering_anywhere_after_the_header_is_rejected() {
        let cipher = cipher();
        let blob = cipher.encrypt(b"top secret");
        let (nonce_at, ciphertext_at, tag_at) = (5, 17, blob.len() - 1);
        for (what, index) in [("nonce", nonce_at), ("ciphertext", ciphertext_at), ("tag", tag_at)] {
            let mut tampered = blob.clone();
            tampered[index] ^= 0x01;
            match cipher.decrypt(&tampered) {
                Err(SecretsError::CorruptBlob { reason }) => {
                    assert!(reason.contains("authentication failed"), "{what}: {reason}");
                }
                other => panic!("tampered {what} gave {other:?}"),
            }
        }
    }

    #[test]
    fn truncated_and_empty_blobs_are_corrupt() {
        let cipher = cipher();
        let blob = cipher.encrypt(b"top secret");
        for len in [0, 1, 5, 17, MIN_BLOB_LEN - 1, blob.len() - 1] {
            assert!(
                matches!(cipher.decrypt(&blob[..len]), Err(SecretsError::CorruptBlob { .. })),
                "length {len}"
            );
        }
    }

    #[test]
    fn unknown_version_is_reported() {
        let cipher = cipher();
        let mut blob = cipher.encrypt(b"x");
        blob[0] = 2;
        assert!(matches!(
            cipher.decrypt(&blob),
            Err(SecretsError::UnsupportedVersion { version: 2, supported: 1 })
        ));
    }

    #[test]
    fn wrong_key_is_detected_with_its_own_error() {
        let blob = cipher().encrypt(b"top secret");
        let other = SecretCipher::from_key([9u8; KEY_LEN]);
        let err = other.decrypt(&blob).unwrap_err();
        match &err {
            SecretsError::WrongKey { blob_key_id, current_key_id } => {
                assert_eq!(*blob_key_id, cipher().key_id());
                assert_eq!(*current_key_id, other.key_id());
            }
            other => panic!("expected WrongKey, got {other:?}"),
        }
        assert!(err.to_string().contains("encrypted with a different key"));
    }

    #[test]
    fn tampered_key_id_reads_as_wrong_key() {
        let cipher = cipher();
        let mut blob = cipher.encrypt(b"x");
        blob[1] ^= 0xff;
        assert!(matches!(cipher.decrypt(&blob), Err(SecretsError::WrongKey { .. })));
    }

    #[test]
    fn json_round_trips() {
        let cipher = cipher();
        let value = json!({ "api_key": "sk_live_123", "nested": { "n": 1, "list": [true, null] } });
        let blob = cipher.encrypt_json(&value);
        assert_eq!(cipher.decrypt_json(&blob).unwrap(), value);
    }

    #[test]
    fn decrypt_json_rejects_non_json_without_echoing_it() {
        let cipher = cipher();
        let blob = cipher.encrypt(b"not json: hunter2");
        let err = cipher.decrypt_json(&blob).unwrap_err();
        assert!(matches!(err, SecretsError::NotJson { line: 1, .. }), "{err:?}");
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = test_key();
        let shown = format!("{:?}", cipher());
        assert!(shown.contains("key_id"));
        assert!(!shown.contains(&hex_encode(&key)));
        assert!(!shown.contains(&STANDARD.encode(key)));
        assert!(!shown.contains("251"), "no raw key bytes: {shown}");
    }

    #[test]
    fn accepts_every_documented_key_format() {
        let key = test_key();
        let standard = STANDARD.encode(key);
        assert!(standard.contains('+') && standard.contains('/') && standard.ends_with('='));
        let formats = [
            standard,
            STANDARD_NO_PAD.encode(key),
            URL_SAFE.encode(key),
            URL_SAFE_NO_PAD.encode(key),
            hex_encode(&key),
            hex_encode(&key).to_uppercase(),
            format!("  {}\n", STANDARD.encode(key)),
        ];
        for text in formats {
            assert_eq!(parse_key(&text).unwrap(), key, "{text:?}");
            let (cipher, source) = SecretCipher::from_env_or_file(
                Some(&text),
                Path::new("/nonexistent/never/created"),
            )
            .unwrap();
            assert_eq!(source, KeySource::Environment);
            assert_eq!(cipher.key_id(), SecretCipher::from_key(key).key_id());
        }
    }

    #[test]
    fn rejects_other_key_formats_with_a_clear_error() {
        let cases = [
            (String::new(), "it is empty"),
            ("   \n".to_owned(), "it is empty"),
            (STANDARD.encode([1u8; 16]), "decodes as base64 to 16 bytes"),
            (STANDARD.encode([1u8; 33]), "decodes as base64 to 33 bytes"),
            ("ab".repeat(31), "looks like hex but has 62 characters"),
            ("0".repeat(63), "looks like hex but has 63 characters"),
            ("my secret password!".to_owned(), "neither valid base64 nor hex"),
            // Mixed alphabets are neither standard nor URL-safe base64.
            (format!("+_{}", &URL_SAFE_NO_PAD.encode([0u8; 32])[2..]), "neither"),
        ];
        let dir = TempDir::new();
        for (value, expected) in cases {
            let err = SecretCipher::from_env_or_file(Some(&value), dir.path()).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, SecretsError::BadEnvKey { .. }), "{value:?}: {err:?}");
            assert!(text.contains(expected), "{value:?}: {text}");
            assert!(text.contains(ENCRYPTION_KEY_ENV) && text.contains("base64"), "{text}");
            assert!(text.contains("64 hexadecimal characters"), "{text}");
            if !value.trim().is_empty() {
                assert!(!text.contains(value.trim()), "the value must not be echoed: {text}");
            }
        }
        // A bad environment value never falls back to (or creates) a key file.
        assert!(!dir.path().join(KEY_FILE_NAME).exists());
    }

    #[test]
    fn environment_takes_precedence_over_the_key_file() {
        let dir = TempDir::new();
        fs::write(dir.path().join(KEY_FILE_NAME), STANDARD.encode([3u8; 32])).unwrap();
        let (cipher, source) =
            SecretCipher::from_env_or_file(Some(&hex_encode(&test_key())), dir.path()).unwrap();
        assert_eq!(source, KeySource::Environment);
        assert_eq!(cipher.key_id(), SecretCipher::from_key(test_key()).key_id());
    }

    #[test]
    fn generates_a_key_file_then_reuses_it() {
        let dir = TempDir::new();
        let data_dir = dir.path().join("not-yet-created");
        let path = data_dir.join(KEY_FILE_NAME);

        let (first, source) = SecretCipher::from_env_or_file(None, &data_dir).unwrap();
        assert_eq!(source, KeySource::GeneratedFile(path.clone()));
        assert!(source.to_string().contains("back this file up"));

        let (second, source) = SecretCipher::from_env_or_file(None, &data_dir).unwrap();
        assert_eq!(source, KeySource::ExistingFile(path.clone()));
        assert_eq!(first.key_id(), second.key_id());
        let blob = first.encrypt(b"survives a restart");
        assert_eq!(second.decrypt(&blob).unwrap(), b"survives a restart");

        // The file holds standard base64, usable as the environment variable as it is.
        let contents = fs::read_to_string(&path).unwrap();
        assert_eq!(contents.trim().len(), 44);
        let (from_env, _) = SecretCipher::from_env_or_file(Some(&contents), &data_dir).unwrap();
        assert_eq!(from_env.decrypt(&blob).unwrap(), b"survives a restart");
    }

    #[cfg(unix)]
    #[test]
    fn generated_key_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new();
        SecretCipher::from_env_or_file(None, dir.path()).unwrap();
        let mode = fs::metadata(dir.path().join(KEY_FILE_NAME)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn concurrent_first_starts_end_with_one_key() {
        const THREADS: usize = 8;
        for _ in 0..5 {
            let dir = TempDir::new();
            let barrier = Arc::new(Barrier::new(THREADS));
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let barrier = Arc::clone(&barrier);
                    let data_dir = dir.path().to_path_buf();
                    std::thread::spawn(move || {
                        barrier.wait();
                        SecretCipher::from_env_or_file(None, &data_dir).unwrap()
                    })
                })
                .collect();
            let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            let generated =
                results.iter().filter(|(_, s)| matches!(s, KeySource::GeneratedFile(_))).count();
            assert_eq!(generated, 1);
            let blob = results[0].0.encrypt(b"shared");
            for (cipher, _) in &results {
                assert_eq!(cipher.decrypt(&blob).unwrap(), b"shared");
            }
        }
    }

    #[test]
    fn a_bad_key_file_is_reported_not_replaced() {
        let dir = TempDir::new();
        let path = dir.path().join(KEY_FILE_NAME);
        for (contents, expected) in [
            (&b""[..], "it is empty"),
            (b"short", "neither valid base64 nor hex"),
            (&[0xff, 0xfe, 0x00][..], "binary data"),
        ] {
            write_old_file(&path, contents);
            let started = Instant::now();
            let err = SecretCipher::from_env_or_file(None, dir.path()).unwrap_err();
            assert!(started.elapsed() < KEY_FILE_WAIT, "a file found on the first look is final");
            assert!(matches!(&err, SecretsError::BadKeyFile { path: p, .. } if *p == path));
            let text = err.to_string();
            assert!(
                text.contains(expected) && text.contains(&path.display().to_string()),
                "{text}"
            );
            assert_eq!(fs::read(&path).unwrap(), contents, "the file must be left alone");
        }
    }

    #[test]
    fn a_key_file_being_written_is_waited_for() {
        let dir = TempDir::new();
        let path = dir.path().join(KEY_FILE_NAME);
        // Another process has created the file but not written the key yet.
        fs::write(&path, b"").unwrap();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                fs::write(&path, format!("{}\n", STANDARD.encode(test_key()))).unwrap();
            })
        };
        let (cipher, source) = SecretCipher::from_env_or_file(None, dir.path()).unwrap();
        writer.join().unwrap();
        assert_eq!(source, KeySource::ExistingFile(path));
        assert_eq!(cipher.key_id(), SecretCipher::from_key(test_key()).key_id());
    }

    #[test]
    fn a_fresh_bad_key_file_is_reported_after_the_wait() {
        let dir = TempDir::new();
        let path = dir.path().join(KEY_FILE_NAME);
        fs::write(&path, b"").unwrap();
        let err = load_or_generate_key_file(&path, Duration::from_millis(50)).unwrap_err();
        assert!(matches!(err, SecretsError::BadKeyFile { .. }), "{err:?}");
    }

    #[test]
    fn an_unreadable_key_file_names_its_path() {
        let dir = TempDir::new();
        let path = dir.path().join(KEY_FILE_NAME);
        fs::create_dir(&path).unwrap();
        match SecretCipher::from_env_or_file(None, dir.path()) {
            Err(SecretsError::KeyFileUnreadable { path: p, .. }) => assert_eq!(p, path),
            other => panic!("expected KeyFileUnreadable, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_unwritable_data_dir_names_the_key_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
        // Root ignores permission bits; there is nothing to test then.
        let probe = dir.path().join("probe");
        let writable = fs::write(&probe, b"").is_ok();
        if !writable {
            match SecretCipher::from_env_or_file(None, dir.path()) {
                Err(SecretsError::KeyFileUnwritable { path, .. }) => {
                    assert_eq!(path, dir.path().join(KEY_FILE_NAME));
                }
                other => panic!("expected KeyFileUnwritable, got {other:?}"),
            }
        }
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_gives_up_instead_of_looping() {
        let dir = TempDir::new();
        let path = dir.path().join(KEY_FILE_NAME);
        std::os::unix::fs::symlink(dir.path().join("missing-target"), &path).unwrap();
        let err = load_or_generate_key_file(&path, Duration::from_millis(50)).unwrap_err();
        assert!(matches!(err, SecretsError::KeyFileUnreadable { .. }), "{err:?}");
        assert!(!dir.path().join("missing-target").exists(), "must not write through the link");
    }
}
