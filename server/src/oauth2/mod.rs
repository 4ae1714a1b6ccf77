//! OAuth2 connections: the authorization code flow with PKCE (the editor opens
//! `GET /api/v1/oauth2/{piece}/start`, the provider redirects the browser to the public
//! `GET /api/v1/oauth2/callback`, which exchanges the code and saves the connection), the client
//! credentials grant (a connection created without values buys its own token), and refreshing
//! tokens before they expire, one refresh at a time per connection.
//!
//! What a piece's OAuth2 is comes from its spec (`auth.oauth2`: endpoints, scopes, PKCE, client
//! auth, where the token is, which answer fields to keep); the installation's client id and secret
//! and endpoint overrides come from the environment ([`config`]). A connection holds
//! `access_token`, `refresh_token`, `expires_at` (RFC 3339), `token_type`, `scope` and the spec's
//! `keep` fields, encrypted like every connection value.
//!
//! - [`config`]: the environment settings per piece.
//! - [`pkce`]: state values, PKCE verifiers and challenges.
//! - [`pending`]: started authorizations, by state (one use, 10 minutes).
//! - [`authorize`]: the consent URL.
//! - [`token`]: token endpoint requests and answers.
//! - [`save`]: writing tokens into connections.
//! - [`refresh`]: refresh before expiry, single-flight per connection.
//! - [`flow`]: the HTTP handlers; [`page`]: the pages the browser sees after the callback.

pub mod authorize;
pub mod config;
pub mod flow;
pub mod page;
pub mod pending;
pub mod pkce;
pub mod refresh;
pub mod save;
pub mod token;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use switchboard_engine::HttpClient;
use switchboard_engine::piece::spec::{OAuth2Grant, PieceSpec};

use crate::error::ApiError;
use crate::secrets::SecretCipher;
use crate::store::Store;
use config::Provider;

/// The OAuth2 side of the server: every OAuth2 piece's settings, the started authorizations and
/// the refresh locks. Cheap to clone (shared).
#[derive(Clone)]
pub struct OAuth2 {
    inner: Arc<Inner>,
}

struct Inner {
    providers: BTreeMap<String, Provider>,
    http: HttpClient,
    store: Arc<dyn Store>,
    cipher: SecretCipher,
    pending: pending::PendingStore,
    refreshing: refresh::Locks,
}

impl OAuth2 {
    /// The OAuth2 pieces among `specs` (a later spec with the same id replaces an earlier one),
    /// with their settings read through `lookup`.
    pub fn new(
        specs: &[PieceSpec],
        http: HttpClient,
        store: Arc<dyn Store>,
        cipher: SecretCipher,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut providers = BTreeMap::new();
        for spec in specs {
            providers.remove(&spec.id);
            if let Some(oauth2) = &spec.auth.oauth2 {
                let provider = Provider::new(&spec.id, &spec.name, oauth2, lookup)
                    .map_err(|e| anyhow::anyhow!("piece `{}`: {e}", spec.id))?;
                providers.insert(spec.id.clone(), provider);
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                providers,
                http,
                store,
                cipher,
                pending: pending::PendingStore::default(),
                refreshing: refresh::Locks::default(),
            }),
        })
    }

    /// The built-in declared pieces plus `custom` ones (from `--pieces-dir`), with settings from
    /// the environment (`SWITCHBOARD_OAUTH2_<PIECE>_*`).
    pub fn from_env(
        custom: &[PieceSpec],
        http: HttpClient,
        store: Arc<dyn Store>,
        cipher: SecretCipher,
    ) -> anyhow::Result<Self> {
        let mut specs: Vec<PieceSpec> = switchboard_engine::pieces::declared::SPECS
            .iter()
            .filter_map(|(file, text)| PieceSpec::parse(file, text).ok())
            .collect();
        specs.extend(custom.iter().cloned());
        let lookup = |name: &str| std::env::var(name).ok();
        Self::new(&specs, http, store, cipher, &lookup)
    }

    /// The ids of the pieces whose OAuth app is configured (for the start-up log).
    pub fn configured(&self) -> Vec<&str> {
        self.inner
            .providers
            .values()
            .filter(|p| p.client.is_some())
            .map(|p| p.piece.as_str())
            .collect()
    }

    /// A piece's OAuth2 settings.
    pub(crate) fn provider(&self, piece: &str) -> Option<&Provider> {
        self.inner.providers.get(piece)
    }

    /// For a connection created without values: a client credentials piece buys its token now
    /// (the values to store); any other piece gets `None` (nothing to fetch).
    pub async fn client_credentials_values(
        &self,
        piece: &str,
    ) -> Result<Option<Map<String, Value>>, ApiError> {
        let Some(provider) =
            self.provider(piece).filter(|p| p.spec.grant == OAuth2Grant::ClientCredentials)
        else {
            return Ok(None);
        };
        let response = token::request(&self.inner.http, provider, token::Grant::ClientCredentials)
            .await
            .map_err(|e| token_api_error(provider, &e))?;
        token::connection_values(provider, &response, None, chrono::Utc::now())
            .map(Some)
            .map_err(|e| token_api_error(provider, &e))
    }
}

/// The API error for a failed token request made for the API.
fn token_api_error(provider: &Provider, e: &token::TokenError) -> ApiError {
    match e {
        token::TokenError::NotConfigured(message) => {
            ApiError::bad_request("oauth2_not_configured", message.clone())
        }
        token::TokenError::Refused { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "connection_test_failed",
            format!("{} refused the client credentials: {}", provider.name, e.reason()),
        ),
        token::TokenError::Unavailable(_) | token::TokenError::Malformed(_) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "vendor_error",
            format!("no token from {}: {}", provider.name, e.reason()),
        ),
    }
}

/// The API error for a connection that could not be refreshed (options, connection tests).
pub fn refresh_api_error(e: switchboard_engine::StepError) -> ApiError {
    match e.kind {
        switchboard_engine::ErrorKind::Connection => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "connection_expired", e.message)
        }
        _ => ApiError::new(StatusCode::BAD_GATEWAY, "vendor_error", e.message),
    }
}
