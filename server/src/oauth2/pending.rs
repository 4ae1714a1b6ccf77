//! Authorizations in progress: what `start` remembers under its `state` value until the
//! provider redirects the browser back to the callback.
//!
//! Each entry is good for one callback within [`PENDING_TTL`] (10 minutes): taking it removes it,
//! so a replayed redirect is refused. Entries live in this process's memory: a restart forgets
//! them (the user starts again), and with several nodes the callback must reach the node that
//! served `start` (sticky sessions). At most [`MAX_PENDING`] are held; expired ones are dropped
//! whenever one is added.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a started authorization may take.
pub const PENDING_TTL: Duration = Duration::from_secs(10 * 60);
/// At most this many authorizations wait at once.
pub const MAX_PENDING: usize = 10_000;

/// One started authorization.
#[derive(Clone, PartialEq, Eq)]
pub struct Pending {
    /// The piece being connected.
    pub piece: String,
    /// The connection to create (or update, when it exists for the same piece).
    pub name: String,
    /// The PKCE code verifier, when the piece uses PKCE.
    pub verifier: Option<String>,
    /// The `redirect_uri` sent with the authorization request (the token request repeats it).
    pub redirect_uri: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("piece", &self.piece)
            .field("name", &self.name)
            .field("verifier", &self.verifier.as_ref().map(|_| "[redacted]"))
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Too many authorizations are waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// The started authorizations, by `state`.
#[derive(Debug)]
pub struct PendingStore {
    entries: Mutex<HashMap<String, (Instant, Pending)>>,
    ttl: Duration,
    capacity: usize,
}

impl Default for PendingStore {
    fn default() -> Self {
        Self::new(PENDING_TTL, MAX_PENDING)
    }
}

impl PendingStore {
    /// A store whose entries last `ttl`, holding at most `capacity`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl, capacity }
    }

    /// Remembers an authorization under its `state`.
    pub fn insert(&self, state: String, pending: Pending) -> Result<(), Full> {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
        if entries.len() >= self.capacity {
            return Err(Full);
        }
        entries.insert(state, (now, pending));
        Ok(())
    }

    /// The authorization started under `state`, removed: `None` when it is unknown, already
    /// used or expired.
    pub fn take(&self, state: &str) -> Option<Pending> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (at, pending) = entries.remove(state)?;
        (at.elapsed() < self.ttl).then_some(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending {
            piece: "acme".into(),
            name: "main".into(),
            verifier: Some("verifier-secret".into()),
            redirect_uri: "http://localhost/api/v1/oauth2/callback".into(),
        }
    }

    #[test]
    fn a_state_is_good_for_one_callback() {
        let store = PendingStore::default();
        store.insert("s1".into(), pending()).unwrap();
        assert_eq!(store.take("nope"), None);
        assert_eq!(store.take("s1"), Some(pending()));
        assert_eq!(store.take("s1"), None, "replayed");
    }

    #[test]
    fn expired_states_are_refused_and_dropped() {
        let store = PendingStore::new(Duration::ZERO, 2);
        store.insert("s1".into(), pending()).unwrap();
        assert_eq!(store.take("s1"), None);
        // Expired entries do not count against the capacity.
        for i in 0..5 {
            store.insert(format!("s{i}"), pending()).unwrap();
        }
    }

    #[test]
    fn capacity_is_bounded() {
        let store = PendingStore::new(PENDING_TTL, 2);
        store.insert("a".into(), pending()).unwrap();
        store.insert("b".into(), pending()).unwrap();
        assert_eq!(store.insert("c".into(), pending()), Err(Full));
    }

    #[test]
    fn debug_hides_the_verifier() {
        assert!(!format!("{:?}", pending()).contains("verifier-secret"));
    }
}
