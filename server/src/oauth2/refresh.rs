//! Refreshing tokens before they expire, when a step (or the editor) resolves a connection.
//!
//! A connection needs a new token when its `expires_at` is less than [`MARGIN`] (60 s) away or
//! past; a client credentials connection also when it has no token at all. The authorization
//! code grant refreshes with `grant_type=refresh_token` (keeping the old refresh token when the
//! answer has none); the client credentials grant buys a new token.
//!
//! Single flight: each connection being refreshed has a `tokio` mutex in [`Locks`]. Concurrent
//! steps queue on it; the first one in reads the stored values again, refreshes, stores the new
//! values and releases; the others, once in, read the stored values again too, find them fresh
//! and use them without calling the provider. So N concurrent steps make one refresh request
//! (per process: nodes sharing a database do not coordinate). The mutex is removed from the map
//! when its last user releases it.
//!
//! A refused refresh token (HTTP 400/401 or an `error` in the answer) fails the step with a
//! [`ErrorKind::Connection`] error saying the connection must be reconnected; a provider that
//! cannot be reached fails it with the transport error's kind. Messages name the piece and the
//! connection, and quote only the provider's error code and scrubbed description.

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use switchboard_engine::piece::Connection;
use switchboard_engine::piece::spec::OAuth2Grant;
use switchboard_engine::{ErrorKind, StepError};

use super::OAuth2;
use super::config::{Provider, env_name};
use super::token::{self, Grant, TokenError};

/// How long before its expiry a token is replaced.
pub const MARGIN: Duration = Duration::from_secs(60);

/// One mutex per connection being refreshed.
#[derive(Default)]
pub struct Locks {
    map: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Locks {
    /// The connection's mutex (created when nobody holds one).
    fn acquire(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(id.to_owned()).or_default().clone()
    }

    /// Gives `lock` back; the last user removes it from the map.
    fn release(&self, id: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        // Clones are made only under the map's lock: two references (the map's and this one)
        // mean nobody else holds or waits for it.
        if Arc::strong_count(&lock) == 2 {
            map.remove(id);
        }
    }

    /// How many connections have a mutex (tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Whether `values` need a new token at `now`.
pub fn needs_refresh(provider: &Provider, values: &Map<String, Value>, now: DateTime<Utc>) -> bool {
    let has_token =
        values.get("access_token").and_then(Value::as_str).is_some_and(|t| !t.is_empty());
    if !has_token && provider.spec.grant == OAuth2Grant::ClientCredentials {
        return true;
    }
    let Some(expires_at) = values
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    else {
        return false;
    };
    let margin = chrono::Duration::from_std(MARGIN).unwrap_or(chrono::Duration::zero());
    expires_at.to_utc() - now <= margin
}

impl OAuth2 {
    /// The connection, with a fresh token when it was about to expire (stored for the next
    /// step). Connections of other pieces, and tokens with time left, are returned as they are.
    pub async fn fresh(&self, connection: Connection) -> Result<Connection, StepError> {
        let Some(provider) = self.provider(&connection.piece) else {
            return Ok(connection);
        };
        if !needs_refresh(provider, &connection.values, Utc::now()) {
            return Ok(connection);
        }
        let id = connection.id.clone();
        let lock = self.inner.refreshing.acquire(&id);
        let result = {
            let _turn = lock.lock().await;
            self.refresh_in_turn(provider, connection).await
        };
        self.inner.refreshing.release(&id, lock);
        result
    }

    /// Refreshes the connection, holding its mutex.
    async fn refresh_in_turn(
        &self,
        provider: &Provider,
        connection: Connection,
    ) -> Result<Connection, StepError> {
        // Another step may have refreshed it while this one waited: read the stored values again.
        let store = self.inner.store.as_ref();
        let unreadable = |e: String| {
            StepError::new(
                ErrorKind::Connection,
                format!("connection `{}` could not be read: {e}", connection.name),
            )
        };
        let Some(mut row) =
            store.get_connection(&connection.id).await.map_err(|e| unreadable(e.to_string()))?
        else {
            return Err(StepError::new(
                ErrorKind::Connection,
                format!("connection `{}` not found", connection.name),
            ));
        };
        let current = match self.inner.cipher.decrypt_json(&row.secret) {
            Ok(Value::Object(m)) => m,
            Ok(_) => Map::new(),
            Err(e) => return Err(unreadable(e.to_string())),
        };
        if !needs_refresh(provider, &current, Utc::now()) {
            return Ok(Connection {
                id: row.id,
                name: row.name,
                piece: row.piece,
                values: current,
            });
        }
        let grant = match provider.spec.grant {
            OAuth2Grant::ClientCredentials => Grant::ClientCredentials,
            OAuth2Grant::AuthorizationCode => {
                match current.get("refresh_token").and_then(Value::as_str) {
                    Some(token) if !token.is_empty() => Grant::RefreshToken(token),
                    _ => {
                        return Err(StepError::new(
                            ErrorKind::Connection,
                            format!(
                                "{} connection `{}` must be reconnected: its access token expired \
                                 and the provider gave no refresh token",
                                provider.name, row.name
                            ),
                        ));
                    }
                }
            }
        };
        let answer = token::request(&self.inner.http, provider, grant)
            .await
            .map_err(|e| refresh_error(provider, &row.name, grant, e))?;
        let values = token::connection_values(provider, &answer, Some(&current), Utc::now())
            .map_err(|e| refresh_error(provider, &row.name, grant, e))?;
        super::save::set_values(&mut row, &self.inner.cipher, values.clone());
        match store.update_connection(&row).await {
            Ok(true) => {
                tracing::info!(piece = %row.piece, connection = %row.name, "OAuth2 token refreshed")
            }
            // The step still gets the token; the next one refreshes again.
            Ok(false) => {
                tracing::warn!(connection = %row.name, "connection deleted while its token was refreshed")
            }
            Err(e) => {
                tracing::error!(connection = %row.name, "the refreshed token could not be stored: {e}")
            }
        }
        Ok(Connection { id: row.id, name: row.name, piece: row.piece, values })
    }
}

/// The step error for a failed refresh.
fn refresh_error(provider: &Provider, name: &str, grant: Grant<'_>, e: TokenError) -> StepError {
    let what = format!("{} connection `{name}`", provider.name);
    let settings = format!(
        "{} and {}",
        env_name(&provider.piece, "CLIENT_ID"),
        env_name(&provider.piece, "CLIENT_SECRET")
    );
    match e {
        TokenError::Refused { ref error, .. }
            if error == "invalid_client" || error == "unauthorized_client" =>
        {
            StepError::new(
                ErrorKind::Connection,
                format!(
                    "{what} could not be refreshed: the provider refused this installation's \
                     client credentials ({}); check {settings}",
                    e.reason()
                ),
            )
        }
        TokenError::Refused { status, ref error, ref description } => {
            let said = description
                .as_ref()
                .map(|d| format!(". The provider said: {d}"))
                .unwrap_or_default();
            let message = match grant {
                Grant::RefreshToken(_) if matches!(status, 200..=299 | 400 | 401) => format!(
                    "{what} must be reconnected: the provider refused its refresh token ({error}){said}"
                ),
                Grant::ClientCredentials => format!(
                    "{what} could not get a token: the provider refused the client credentials \
                     ({error}){said}; check {settings}"
                ),
                _ => format!("{what} could not be refreshed: the provider answered {error}{said}"),
            };
            StepError::new(ErrorKind::Connection, message)
        }
        TokenError::Unavailable(mut inner) => {
            inner.message = format!("{what} could not be refreshed: {}", inner.message);
            inner
        }
        TokenError::NotConfigured(message) | TokenError::Malformed(message) => StepError::new(
            ErrorKind::Connection,
            format!("{what} could not be refreshed: {message}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(grant: &str) -> Provider {
        let spec = serde_json::from_value(json!({
            "grant": grant,
            "authorize_url": "https://login.acme.example/authorize",
            "token_url": "https://login.acme.example/token"
        }))
        .unwrap();
        Provider::new("acme", "Acme", &spec, &|_| None).unwrap()
    }

    fn values(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn refresh_within_a_minute_of_expiry() {
        let p = provider("authorization_code");
        let now = DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z").unwrap().to_utc();
        let at = |s: &str| values(json!({ "access_token": "t", "expires_at": s }));
        assert!(!needs_refresh(&p, &at("2026-01-01T12:01:01Z"), now));
        assert!(needs_refresh(&p, &at("2026-01-01T12:01:00Z"), now));
        assert!(needs_refresh(&p, &at("2025-12-31T00:00:00Z"), now));
        assert!(needs_refresh(&p, &at("2026-01-01T13:00:30+01:00"), now));
        // No (readable) expiry: the token is used as it is.
        assert!(!needs_refresh(&p, &values(json!({ "access_token": "t" })), now));
        assert!(!needs_refresh(&p, &at("tomorrow"), now));
        // Client credentials without a token fetch one.
        assert!(needs_refresh(&provider("client_credentials"), &values(json!({})), now));
        assert!(!needs_refresh(&p, &values(json!({})), now));
    }

    #[test]
    fn refused_refresh_tokens_ask_for_a_reconnect() {
        let p = provider("authorization_code");
        let e = refresh_error(
            &p,
            "sales",
            Grant::RefreshToken("rt"),
            TokenError::Refused { status: 400, error: "invalid_grant".into(), description: None },
        );
        assert_eq!(e.kind, ErrorKind::Connection);
        assert_eq!(
            e.message,
            "Acme connection `sales` must be reconnected: the provider refused its refresh token \
             (invalid_grant)"
        );
        let e = refresh_error(
            &p,
            "sales",
            Grant::RefreshToken("rt"),
            TokenError::Refused { status: 401, error: "invalid_client".into(), description: None },
        );
        assert!(e.message.contains("SWITCHBOARD_OAUTH2_ACME_CLIENT_ID"), "{}", e.message);
    }

    #[tokio::test]
    async fn locks_are_shared_while_held_and_dropped_after() {
        let locks = Locks::default();
        let a = locks.acquire("c1");
        let b = locks.acquire("c1");
        assert!(Arc::ptr_eq(&a, &b));
        let guard = a.lock().await;
        assert!(b.try_lock().is_err(), "the second caller waits");
        drop(guard);
        locks.release("c1", a);
        assert_eq!(locks.len(), 1, "still held by the second caller");
        locks.release("c1", b);
        assert_eq!(locks.len(), 0);
    }
}
