//! The provider's consent URL (RFC 6749 section 4.1.1, with RFC 7636's S256 challenge).

use super::config::Provider;

/// What goes into one authorization request besides the provider's own settings.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The installation's client id.
    pub client_id: &'a str,
    /// `{public_url}/api/v1/oauth2/callback`.
    pub redirect_uri: &'a str,
    /// The one-time state value.
    pub state: &'a str,
    /// The S256 challenge, for PKCE pieces.
    pub code_challenge: Option<&'a str>,
}

/// The consent URL: the provider's authorize URL with `response_type=code`, `client_id`,
/// `redirect_uri`, `scope` (joined by the spec's separator), `state`, the PKCE challenge and the
/// spec's `authorize_params` (which cannot replace the parameters above). `None` when the piece
/// has no authorize URL.
pub fn url(provider: &Provider, request: Request<'_>) -> Option<String> {
    let base = provider.authorize_url.as_deref()?;
    let spec = &provider.spec;
    let scope = spec.scopes.join(&spec.scope_separator);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", request.client_id),
        ("redirect_uri", request.redirect_uri),
    ];
    if !scope.is_empty() {
        pairs.push(("scope", &scope));
    }
    pairs.push(("state", request.state));
    if let Some(challenge) = request.code_challenge {
        pairs.push(("code_challenge", challenge));
        pairs.push(("code_challenge_method", "S256"));
    }
    for (k, v) in &spec.authorize_params {
        if !pairs.iter().any(|(name, _)| name == k) {
            pairs.push((k, v));
        }
    }
    let query = serde_urlencoded::to_string(&pairs).ok()?;
    let joiner = match base.find('?') {
        None => "?",
        Some(i) if i + 1 == base.len() || base.ends_with('&') => "",
        Some(_) => "&",
    };
    Some(format!("{base}{joiner}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::config::Provider;

    fn provider(spec: serde_json::Value) -> Provider {
        let spec = serde_json::from_value(spec).unwrap();
        Provider::new("acme", "Acme", &spec, &|_| None).unwrap()
    }

    fn query(url: &str) -> Vec<(String, String)> {
        let (_, q) = url.split_once('?').unwrap();
        serde_urlencoded::from_str(q).unwrap()
    }

    #[test]
    fn carries_every_parameter() {
        let p = provider(serde_json::json!({
            "authorize_url": "https://login.acme.example/authorize",
            "token_url": "https://login.acme.example/token",
            "scopes": ["contacts.read", "offline access"],
            "scope_separator": ",",
            "pkce": true,
            "authorize_params": { "access_type": "offline", "state": "ignored" }
        }));
        let url = url(
            &p,
            Request {
                client_id: "client 1",
                redirect_uri: "http://127.0.0.1:8080/api/v1/oauth2/callback",
                state: "st4te",
                code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            },
        )
        .unwrap();
        assert!(url.starts_with("https://login.acme.example/authorize?response_type=code&"));
        let pairs = query(&url);
        let get = |k: &str| {
            pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(get("client_id"), ["client 1"]);
        assert_eq!(get("redirect_uri"), ["http://127.0.0.1:8080/api/v1/oauth2/callback"]);
        assert_eq!(get("scope"), ["contacts.read,offline access"]);
        assert_eq!(get("state"), ["st4te"]);
        assert_eq!(get("code_challenge"), ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"]);
        assert_eq!(get("code_challenge_method"), ["S256"]);
        assert_eq!(get("access_type"), ["offline"]);
    }

    #[test]
    fn keeps_an_existing_query_and_omits_empty_scope_and_pkce() {
        let p = provider(serde_json::json!({
            "authorize_url": "https://login.acme.example/authorize?prompt=consent",
            "token_url": "https://login.acme.example/token"
        }));
        let request =
            Request { client_id: "c", redirect_uri: "r", state: "s", code_challenge: None };
        let url = url(&p, request).unwrap();
        assert!(url.starts_with("https://login.acme.example/authorize?prompt=consent&"), "{url}");
        assert!(!url.contains("scope=") && !url.contains("code_challenge"), "{url}");
    }
}
