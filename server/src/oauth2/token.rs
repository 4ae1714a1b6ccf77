//! The token endpoint (RFC 6749 sections 4.1.3, 4.4 and 6): exchanging an authorization code,
//! refreshing, and buying a token with the client credentials; and turning its answer into a
//! connection's values.
//!
//! Requests are forms sent through the engine's shared HTTP client with `Accept:
//! application/json`; the client authenticates in the body (`client_id`, `client_secret`) or
//! with HTTP basic auth (its id and secret form-encoded first, as section 2.3.1 says), per the
//! spec's `client_auth`. Answers are JSON, or a form-encoded body (GitHub's legacy answer).
//!
//! Errors never quote the client secret, the code, the verifier or a token: the provider's
//! `error` code is kept, its `error_description` is scrubbed of them and shortened.

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use switchboard_engine::piece::http_client::HttpResponse;
use switchboard_engine::{HttpClient, StepError};

use super::config::{ClientCredentials, Provider};
use switchboard_engine::piece::spec::OAuth2ClientAuth;

/// How long one token request may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// At most this many characters of a provider's `error_description` are quoted.
const MAX_DESCRIPTION_CHARS: usize = 200;

/// What is exchanged for a token.
#[derive(Clone, Copy)]
pub enum Grant<'a> {
    /// The code the provider redirected back with.
    AuthorizationCode {
        /// The code.
        code: &'a str,
        /// The `redirect_uri` of the authorization request.
        redirect_uri: &'a str,
        /// The PKCE verifier, for PKCE pieces.
        verifier: Option<&'a str>,
    },
    /// A refresh token.
    RefreshToken(&'a str),
    /// The client credentials alone.
    ClientCredentials,
}

impl Grant<'_> {
    fn secret(&self) -> Option<&str> {
        match self {
            Grant::AuthorizationCode { code, .. } => Some(code),
            Grant::RefreshToken(token) => Some(token),
            Grant::ClientCredentials => None,
        }
    }
}

/// Why no token came back.
#[derive(Debug)]
pub enum TokenError {
    /// The installation has no client id for the piece (the message names the variables).
    NotConfigured(String),
    /// The provider said no (HTTP 4xx, or a 2xx carrying an `error`): a bad code, a dead refresh
    /// token, wrong client credentials.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The provider's `error` code (`invalid_grant`), or `HTTP <status>`.
        error: String,
        /// Its `error_description`, scrubbed and shortened.
        description: Option<String>,
    },
    /// The provider could not be reached or failed (network, timeout, 5xx, 429): trying again
    /// later may work.
    Unavailable(StepError),
    /// The answer is not a token response.
    Malformed(String),
}

impl TokenError {
    /// `invalid_grant: Token has been expired or revoked.`, for messages.
    pub fn reason(&self) -> String {
        match self {
            TokenError::NotConfigured(message) | TokenError::Malformed(message) => message.clone(),
            TokenError::Refused { error, description: Some(d), .. } => format!("{error}: {d}"),
            TokenError::Refused { error, description: None, .. } => error.clone(),
            TokenError::Unavailable(e) => e.message.clone(),
        }
    }
}

/// Sends one token request and returns the provider's answer (an object holding an access
/// token at the spec's path).
pub async fn request(
    http: &HttpClient,
    provider: &Provider,
    grant: Grant<'_>,
) -> Result<Map<String, Value>, TokenError> {
    let client = provider
        .client
        .as_ref()
        .ok_or_else(|| TokenError::NotConfigured(provider.missing_client_message()))?;
    let scope = provider.spec.scopes.join(&provider.spec.scope_separator);
    let mut form: Vec<(&str, &str)> = Vec::new();
    match grant {
        Grant::AuthorizationCode { code, redirect_uri, verifier } => {
            form.extend([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ]);
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
        }
        Grant::RefreshToken(token) => {
            form.extend([("grant_type", "refresh_token"), ("refresh_token", token)]);
        }
        Grant::ClientCredentials => {
            form.push(("grant_type", "client_credentials"));
            if !scope.is_empty() {
                form.push(("scope", &scope));
            }
        }
    }
    let mut builder = http.client().post(&provider.token_url).header("accept", "application/json");
    match provider.spec.client_auth {
        OAuth2ClientAuth::Body => {
            form.push(("client_id", &client.id));
            if let Some(secret) = &client.secret {
                form.push(("client_secret", secret));
            }
        }
        OAuth2ClientAuth::Basic => {
            builder = builder.header("authorization", basic_header(client));
        }
    }
    let response = http.send(builder.form(&form), Some(TIMEOUT)).await.map_err(|mut e| {
        e.details = None;
        TokenError::Unavailable(e)
    })?;
    let mut secrets: Vec<&str> = grant.secret().into_iter().collect();
    if let Grant::AuthorizationCode { verifier: Some(v), .. } = grant {
        secrets.push(v);
    }
    secrets.extend(client.secret.as_deref());
    classify(provider, &response, &secrets)
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 section 2.3.1).
fn basic_header(client: &ClientCredentials) -> String {
    let encode = |s: &str| {
        serde_urlencoded::to_string([("", s)])
            .map(|pair| pair.trim_start_matches('=').to_owned())
            .unwrap_or_default()
    };
    let secret = client.secret.as_deref().unwrap_or_default();
    let pair = format!("{}:{}", encode(&client.id), encode(secret));
    format!("Basic {}", STANDARD.encode(pair))
}

/// Sorts an answer into a token response or an error. `secrets` are scrubbed from any quoted
/// description.
pub fn classify(
    provider: &Provider,
    response: &HttpResponse,
    secrets: &[&str],
) -> Result<Map<String, Value>, TokenError> {
    let status = response.status;
    let body = parse_body(response);
    let refused = |body: Option<&Map<String, Value>>| TokenError::Refused {
        status,
        error: body.and_then(error_code).unwrap_or_else(|| format!("HTTP {status}")),
        description: body
            .and_then(|b| b.get("error_description"))
            .and_then(Value::as_str)
            .map(|d| scrub(d, secrets)),
    };
    match status {
        200..=299 => {
            let body = body.ok_or_else(|| {
                TokenError::Malformed(format!(
                    "{}'s token endpoint did not answer with a token response",
                    provider.name
                ))
            })?;
            if access_token(provider, &body).is_some() {
                Ok(body)
            } else if error_code(&body).is_some() {
                Err(refused(Some(&body)))
            } else {
                Err(TokenError::Malformed(format!(
                    "{}'s token response has no access token",
                    provider.name
                )))
            }
        }
        429 => Err(unavailable(provider, response)),
        400..=499 => Err(refused(body.as_ref())),
        _ => Err(unavailable(provider, response)),
    }
}

fn unavailable(provider: &Provider, response: &HttpResponse) -> TokenError {
    let mut e = HttpClient::status_error(&format!("{}'s token endpoint", provider.name), response);
    e.details = None;
    TokenError::Unavailable(e)
}

fn parse_body(response: &HttpResponse) -> Option<Map<String, Value>> {
    if let Ok(Value::Object(m)) = serde_json::from_slice(&response.body) {
        return Some(m);
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&response.body).ok()?;
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    (!map.is_empty()).then_some(map)
}

/// The `error` code of an answer (`invalid_grant`; a few APIs nest it in an object).
fn error_code(body: &Map<String, Value>) -> Option<String> {
    match body.get("error")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => {
            o.get("code").or_else(|| o.get("message")).and_then(Value::as_str).map(str::to_owned)
        }
        _ => None,
    }
}

/// Replaces each secret by `[redacted]` and keeps the first characters.
fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, "[redacted]");
    }
    let mut chars = out.chars();
    let mut short: String = chars.by_ref().take(MAX_DESCRIPTION_CHARS).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}

/// The value at a dotted path (`authed_user.access_token`).
fn at_path<'a>(body: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = body.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    Some(value)
}

fn access_token<'a>(provider: &Provider, body: &'a Map<String, Value>) -> Option<&'a str> {
    let path = provider.spec.access_token_path.as_deref().unwrap_or("access_token");
    at_path(body, path).and_then(Value::as_str).filter(|t| !t.is_empty())
}

/// The connection's values after a token response: `access_token` (from the spec's path),
/// `refresh_token` (the previous one when the answer has none), `expires_at` (RFC 3339, from
/// `expires_in`; absent when the answer gives no lifetime), `token_type`, `scope`, and the spec's
/// `keep` fields. Other previous values (fields the user entered) are kept.
pub fn connection_values(
    provider: &Provider,
    response: &Map<String, Value>,
    previous: Option<&Map<String, Value>>,
    now: DateTime<Utc>,
) -> Result<Map<String, Value>, TokenError> {
    let token = access_token(provider, response).ok_or_else(|| {
        TokenError::Malformed(format!("{}'s token response has no access token", provider.name))
    })?;
    let mut values = previous.cloned().unwrap_or_default();
    values.remove("expires_at");
    values.insert("access_token".into(), Value::String(token.to_owned()));
    if let Some(refresh) = response.get("refresh_token").and_then(Value::as_str) {
        values.insert("refresh_token".into(), Value::String(refresh.to_owned()));
    }
    if let Some(seconds) = response.get("expires_in").and_then(seconds) {
        let at = now + chrono::Duration::milliseconds((seconds * 1000.0) as i64);
        values.insert(
            "expires_at".into(),
            Value::String(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
    }
    for key in ["token_type", "scope"] {
        if let Some(v) = response.get(key).and_then(Value::as_str) {
            values.insert(key.into(), Value::String(v.to_owned()));
        }
    }
    for key in &provider.spec.keep {
        if let Some(v) = at_path(response, key) {
            values.insert(key.clone(), v.clone());
        }
    }
    Ok(values)
}

/// `expires_in` as seconds: a number or a numeric string, never negative, at most ten years.
fn seconds(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then(|| n.clamp(0.0, 10.0 * 365.0 * 86_400.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(extra: Value) -> Provider {
        let mut spec = json!({ "token_url": "https://login.acme.example/token", "authorize_url": "https://login.acme.example/a" });
        if let (Value::Object(s), Value::Object(e)) = (&mut spec, extra) {
            s.extend(e);
        }
        let spec = serde_json::from_value(spec).unwrap();
        Provider::new("acme", "Acme", &spec, &|_| None).unwrap()
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
    }

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_token_response_becomes_connection_values() {
        let p = provider(json!({ "keep": ["instance_url"] }));
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        let body = object(json!({
            "access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600,
            "token_type": "Bearer", "scope": "a b", "instance_url": "https://eu1.example", "id": "x"
        }));
        let values = connection_values(&p, &body, None, now).unwrap();
        assert_eq!(
            Value::Object(values),
            json!({
                "access_token": "at-1", "refresh_token": "rt-1",
                "expires_at": "2026-01-01T01:00:00Z", "token_type": "Bearer", "scope": "a b",
                "instance_url": "https://eu1.example"
            })
        );
    }

    #[test]
    fn a_refresh_keeps_what_the_answer_leaves_out() {
        let p = provider(json!({ "keep": ["instance_url"] }));
        let now = Utc::now();
        let previous = object(json!({
            "access_token": "old", "refresh_token": "rt-1", "expires_at": "2020-01-01T00:00:00Z",
            "instance_url": "https://eu1.example", "shop": "my-shop"
        }));
        let values =
            connection_values(&p, &object(json!({ "access_token": "new" })), Some(&previous), now)
                .unwrap();
        assert_eq!(values["access_token"], "new");
        assert_eq!(values["refresh_token"], "rt-1");
        assert_eq!(values["instance_url"], "https://eu1.example");
        assert_eq!(values["shop"], "my-shop");
        assert!(values.get("expires_at").is_none(), "a stale expiry is dropped");
    }

    #[test]
    fn the_access_token_may_be_nested() {
        let p = provider(json!({ "access_token_path": "authed_user.access_token" }));
        let body = object(
            json!({ "ok": true, "authed_user": { "access_token": "xoxp-1" }, "expires_in": "60" }),
        );
        let r = classify(&p, &response(200, &Value::Object(body).to_string()), &[]).unwrap();
        let values = connection_values(&p, &r, None, Utc::now()).unwrap();
        assert_eq!(values["access_token"], "xoxp-1");
        assert!(values.contains_key("expires_at"));
    }

    #[test]
    fn refusals_keep_the_error_code_and_hide_secrets() {
        let p = provider(json!({}));
        let r = classify(
            &p,
            &response(
                400,
                r#"{"error":"invalid_grant","error_description":"refresh token rt-secret-1 was revoked"}"#,
            ),
            &["rt-secret-1"],
        );
        match r {
            Err(TokenError::Refused { status: 400, error, description: Some(d) }) => {
                assert_eq!(error, "invalid_grant");
                assert_eq!(d, "refresh token [redacted] was revoked");
            }
            other => panic!("{other:?}"),
        }
        // Slack-style: 200 with an error and no token.
        match classify(&p, &response(200, r#"{"ok":false,"error":"invalid_code"}"#), &[]) {
            Err(TokenError::Refused { error, .. }) => assert_eq!(error, "invalid_code"),
            other => panic!("{other:?}"),
        }
        match classify(&p, &response(401, "nope"), &[]) {
            Err(TokenError::Refused { error, .. }) => assert_eq!(error, "HTTP 401"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(&p, &response(503, "down"), &[]),
            Err(TokenError::Unavailable(_))
        ));
        assert!(matches!(classify(&p, &response(200, "{}"), &[]), Err(TokenError::Malformed(_))));
    }

    #[test]
    fn form_encoded_answers_are_read() {
        let p = provider(json!({}));
        let body =
            classify(&p, &response(200, "access_token=gho_1&scope=repo&token_type=bearer"), &[])
                .unwrap();
        assert_eq!(body["access_token"], "gho_1");
    }

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        let client = ClientCredentials { id: "id 1".into(), secret: Some("s:é".into()) };
        let header = basic_header(&client);
        let decoded = STANDARD.decode(header.trim_start_matches("Basic ")).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "id+1:s%3A%C3%A9");
    }
}
