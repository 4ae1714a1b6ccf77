//! The installation's OAuth2 settings, read once at start from the environment:
//!
//! - `SWITCHBOARD_OAUTH2_<PIECE>_CLIENT_ID` / `SWITCHBOARD_OAUTH2_<PIECE>_CLIENT_SECRET`: the
//!   OAuth app this installation registered with the vendor (`<PIECE>` is the piece id upper
//!   cased: `SWITCHBOARD_OAUTH2_SALESFORCE_CLIENT_ID`). A piece without a client id cannot be
//!   connected through OAuth2; the secret may be left out for public (PKCE-only) clients.
//! - `SWITCHBOARD_OAUTH2_<PIECE>_TOKEN_URL` / `SWITCHBOARD_OAUTH2_<PIECE>_AUTHORIZE_URL`: replace
//!   the spec's endpoints (tests point them at a mock provider; self-hosters at a sandbox or
//!   regional login host, e.g. Salesforce's `test.salesforce.com`). They are whole URLs, not
//!   bases: a vendor's login host is rarely its API host, so `SWITCHBOARD_BASE_URL_<PIECE>` does
//!   not move them.
//!
//! The client id and secret are never logged, returned or put in an error message: their
//! `Debug` output is redacted.

use switchboard_engine::piece::spec::OAuth2Spec;

/// Prefix of every OAuth2 setting.
const PREFIX: &str = "SWITCHBOARD_OAUTH2_";

/// The name of one setting of a piece: `SWITCHBOARD_OAUTH2_ACME_CLIENT_ID` for `("acme",
/// "CLIENT_ID")`.
pub fn env_name(piece: &str, setting: &str) -> String {
    format!("{PREFIX}{}_{setting}", piece.to_ascii_uppercase())
}

/// The installation's OAuth app for one piece.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The app's client id.
    pub id: String,
    /// The app's client secret (absent for public clients).
    pub secret: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &"[redacted]")
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// One piece's OAuth2 set-up: the spec's endpoints (or their overrides) and the client.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The piece id.
    pub piece: String,
    /// The piece's display name (`Salesforce`), for messages.
    pub name: String,
    /// What the spec says.
    pub spec: OAuth2Spec,
    /// Where codes, refresh tokens and client credentials are exchanged.
    pub token_url: String,
    /// The consent page (authorization code grant).
    pub authorize_url: Option<String>,
    /// The installation's client, when configured.
    pub client: Option<ClientCredentials>,
}

impl Provider {
    /// Reads the piece's settings through `lookup` (the environment; empty values count as
    /// unset). An endpoint override that is not an `http(s)` URL is an error naming its variable.
    pub fn new(
        piece: &str,
        name: &str,
        spec: &OAuth2Spec,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let get = |setting: &str| lookup(&env_name(piece, setting)).filter(|v| !v.is_empty());
        let url = |setting: &str| match get(setting) {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => Ok(Some(u)),
            Some(_) => Err(format!("{} must be an http(s) URL", env_name(piece, setting))),
            None => Ok(None),
        };
        let token_url = url("TOKEN_URL")?.unwrap_or_else(|| spec.token_url.clone());
        let authorize_url = url("AUTHORIZE_URL")?.or_else(|| spec.authorize_url.clone());
        let client =
            get("CLIENT_ID").map(|id| ClientCredentials { id, secret: get("CLIENT_SECRET") });
        Ok(Self {
            piece: piece.to_owned(),
            name: name.to_owned(),
            spec: spec.clone(),
            token_url,
            authorize_url,
            client,
        })
    }

    /// What an operator must set to connect this piece, for error messages.
    pub fn missing_client_message(&self) -> String {
        format!(
            "OAuth2 is not configured for {}: set {} and {} to the OAuth app's credentials",
            self.name,
            env_name(&self.piece, "CLIENT_ID"),
            env_name(&self.piece, "CLIENT_SECRET"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn spec() -> OAuth2Spec {
        serde_json::from_value(serde_json::json!({
            "authorize_url": "https://login.acme.example/authorize",
            "token_url": "https://login.acme.example/token"
        }))
        .unwrap()
    }

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_client_and_overrides_from_the_environment() {
        let vars = lookup(&[
            ("SWITCHBOARD_OAUTH2_ACME_CLIENT_ID", "id-1"),
            ("SWITCHBOARD_OAUTH2_ACME_CLIENT_SECRET", "secret-1"),
            ("SWITCHBOARD_OAUTH2_ACME_TOKEN_URL", "http://127.0.0.1:9/token"),
        ]);
        let p = Provider::new("acme", "Acme", &spec(), &vars).unwrap();
        assert_eq!(
            p.client,
            Some(ClientCredentials { id: "id-1".into(), secret: Some("secret-1".into()) })
        );
        assert_eq!(p.token_url, "http://127.0.0.1:9/token");
        assert_eq!(p.authorize_url.as_deref(), Some("https://login.acme.example/authorize"));
        assert!(!format!("{p:?}").contains("secret-1"));
        assert!(!format!("{p:?}").contains("id-1"));
    }

    #[test]
    fn unset_or_empty_means_not_configured() {
        let p = Provider::new(
            "acme",
            "Acme",
            &spec(),
            &lookup(&[("SWITCHBOARD_OAUTH2_ACME_CLIENT_ID", "")]),
        )
        .unwrap();
        assert!(p.client.is_none());
        assert_eq!(p.token_url, "https://login.acme.example/token");
        let message = p.missing_client_message();
        assert!(message.contains("SWITCHBOARD_OAUTH2_ACME_CLIENT_ID"), "{message}");
        assert!(message.contains("SWITCHBOARD_OAUTH2_ACME_CLIENT_SECRET"), "{message}");
    }

    #[test]
    fn a_bad_override_is_an_error() {
        let vars = lookup(&[("SWITCHBOARD_OAUTH2_ACME_AUTHORIZE_URL", "login.acme.example")]);
        let e = Provider::new("acme", "Acme", &spec(), &vars).unwrap_err();
        assert!(e.contains("SWITCHBOARD_OAUTH2_ACME_AUTHORIZE_URL"), "{e}");
    }
}
