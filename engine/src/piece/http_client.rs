//! The engine's outbound HTTP client: one pooled `reqwest::Client` for the whole process, shared by
//! every piece, plus the mapping from transport failures and HTTP error statuses to [`StepError`]s.
//!
//! Decisions worth knowing:
//! - [`HttpClient::send`] reads the whole response body into memory, but never more than
//!   [`HttpConfig::max_response_bytes`]: the body is streamed chunk by chunk and reading stops at
//!   the limit, so a misbehaving (or gzip-bomb) endpoint cannot exhaust the worker's memory.
//! - `send` does not treat HTTP error statuses as failures: some vendors answer 404 for "not found"
//!   lookups that a flow handles, so each caller decides and uses [`HttpClient::status_error`].
//! - Error messages name the host, never the URL: query strings often carry API keys.
//! - Two clients are built once: one that follows redirects (up to 10; reqwest drops
//!   `Authorization` and cookies when a redirect changes host) and one that does not, for callers
//!   that want to see the 3xx themselves. Both use the same configuration.

// `StepError` is the engine-wide failure type that `Action::run` returns; it is large, but it is
// only built on the (cold) failure path, and boxing it here would just move the allocation.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::step_error::{ErrorKind, StepError};

/// The default user agent: `Switchboard/<crate version>`.
const DEFAULT_USER_AGENT: &str = concat!("Switchboard/", env!("CARGO_PKG_VERSION"));

/// At most this many characters of a vendor's error message go into a step error's message.
const MAX_MESSAGE_CHARS: usize = 300;
/// At most this many characters of a non-JSON error body go into a step error's `details`.
const MAX_DETAILS_TEXT_CHARS: usize = 2000;
/// A JSON error body larger than this goes into `details` as truncated text rather than whole: it
/// is stored in the run record with every attempt.
const MAX_DETAILS_JSON_BYTES: usize = 64 * 1024;

/// Settings of the shared outbound client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Total time for one request (connect, send, receive the whole body) when the caller gives
    /// none.
    pub timeout: Duration,
    /// Time allowed to establish a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
    /// The largest response body accepted, in bytes (after decompression).
    pub max_response_bytes: usize,
    /// Base URL per piece id, replacing the piece's default (tests point pieces at a mock server;
    /// self-hosters point them at a proxy or a regional endpoint).
    pub base_url_overrides: HashMap<String, String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_response_bytes: 10 * 1024 * 1024,
            base_url_overrides: HashMap::new(),
        }
    }
}

/// Why the shared client could not be built (bad user agent, TLS set-up failure).
#[derive(Debug, thiserror::Error)]
#[error("could not build the outbound HTTP client: {0}")]
pub struct HttpClientError(#[from] reqwest::Error);

/// A response read in full: what [`HttpClient::send`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Header names (lower case) and values, in arrival order; repeated headers appear repeatedly.
    pub headers: Vec<(String, String)>,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The media type of the `Content-Type` header, lower case and without parameters
    /// (`application/json` for `application/json; charset=utf-8`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(media_type)
    }

    /// The body as text; invalid UTF-8 sequences become U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body deserialised from JSON (use `serde_json::Value` for any JSON). A body that is not
    /// valid JSON (or not of the expected shape) gives an error of kind [`ErrorKind::Other`] with
    /// the position of the problem.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, StepError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            StepError::new(
                ErrorKind::Other,
                format!("the response body is not the expected JSON: {e}"),
            )
        })
    }
}

/// The shared outbound HTTP client. Cheap to clone: every clone shares the connection pools.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: HttpConfig,
    client: reqwest::Client,
    client_no_redirects: reqwest::Client,
}

impl HttpClient {
    /// Builds the process-wide client. Call once at start-up and clone the result.
    pub fn new(config: HttpConfig) -> Result<Self, HttpClientError> {
        // reqwest is built with `rustls-no-provider`: without a process-wide crypto provider the
        // first TLS handshake panics. Installing fails harmlessly when one is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = || {
            reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .timeout(config.timeout)
                .connect_timeout(config.connect_timeout)
                .tcp_nodelay(true)
                // Idle pooled connections are closed before most servers' keep-alive expires, so
                // a reused connection is rarely one the server already dropped.
                .pool_idle_timeout(Duration::from_secs(50))
        };
        let client = builder().build()?;
        let client_no_redirects = builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(Self { inner: Arc::new(Inner { config, client, client_no_redirects }) })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    /// The shared `reqwest` client (follows up to 10 redirects). Build requests with it and pass
    /// them to [`HttpClient::send`].
    pub fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// The shared client variant that returns 3xx responses instead of following them.
    pub fn client_without_redirects(&self) -> &reqwest::Client {
        &self.inner.client_no_redirects
    }

    /// The base URL a piece should call: the configured override for `piece` if there is one, else
    /// `default`. Trailing slashes are removed so callers can always append `/path`.
    pub fn base_url(&self, piece: &str, default: &str) -> String {
        let base = self.inner.config.base_url_overrides.get(piece).map_or(default, String::as_str);
        base.trim_end_matches('/').to_owned()
    }

    /// Sends a request built from [`HttpClient::client`] (or
    /// [`HttpClient::client_without_redirects`]) and reads the whole response.
    ///
    /// `timeout` bounds the whole exchange (connect, send, body); `None` uses
    /// [`HttpConfig::timeout`]. A given timeout replaces the default rather than being capped by
    /// it, so a step may allow a slow endpoint more time. HTTP error statuses are returned as
    /// responses, not errors; see [`HttpClient::status_error`].
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Option<Duration>,
    ) -> Result<HttpResponse, StepError> {
        let (client, request) = request.build_split();
        let mut request = request.map_err(|e| {
            // A builder error is a bad URL or header given by the caller. The URL is not shown: its
            // query string may hold a secret.
            StepError::invalid_input(format!(
                "the HTTP request could not be built: {}",
                cause_text(&e).unwrap_or_else(|| "invalid URL or header".to_owned())
            ))
        })?;
        let host = host_of(request.url());
        let limit = timeout.unwrap_or(self.inner.config.timeout);
        *request.timeout_mut() = Some(limit);
        let max_bytes = self.inner.config.max_response_bytes;

        let exchange = async {
            let response =
                client.execute(request).await.map_err(|e| transport_error(&e, &host, limit))?;
            read_response(response, max_bytes, &host, limit).await
        };
        // reqwest's own timeout covers the body too; this outer one is a guarantee that holds even
        // if a body stalls in a way reqwest does not see (e.g. inside the decompressor).
        match tokio::time::timeout(limit, exchange).await {
            Ok(result) => result,
            Err(_) => Err(timeout_error(&host, limit)),
        }
    }

    /// The step error for a response with an HTTP error status: kind [`ErrorKind::Http`], the
    /// status, a plain message (`api.example.com answered HTTP 404 Not Found: Contact not found`)
    /// quoting the vendor's own error message when the body has one, the parsed body as `details`,
    /// and the `Retry-After` delay when the response gives one. `service` names the vendor or host.
    pub fn status_error(service: &str, response: &HttpResponse) -> StepError {
        let status = response.status;
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map(|r| format!(" {r}"))
            .unwrap_or_default();

        let parsed: Option<serde_json::Value> = if response.body.iter().all(u8::is_ascii_whitespace)
        {
            None
        } else {
            serde_json::from_slice(&response.body).ok()
        };
        let text =
            std::str::from_utf8(&response.body).ok().map(str::trim).filter(|t| !t.is_empty());

        let vendor_message = match (&parsed, text) {
            (Some(json), _) => vendor_message(json),
            // A short plain-text body is usually the message itself; HTML and XML pages are not.
            (None, Some(t)) if !t.starts_with('<') => Some(t.to_owned()),
            _ => None,
        };
        let mut message = format!("{service} answered HTTP {status}{reason}");
        if let Some(vendor) = vendor_message {
            let vendor = truncate_chars(&collapse_whitespace(&vendor), MAX_MESSAGE_CHARS);
            if !vendor.is_empty() {
                message.push_str(": ");
                message.push_str(&vendor);
            }
        }

        let mut error = StepError::http(status, message);
        error.details = match (parsed, text) {
            (Some(json), _) if response.body.len() <= MAX_DETAILS_JSON_BYTES => Some(json),
            (_, Some(t)) => {
                Some(serde_json::Value::String(truncate_chars(t, MAX_DETAILS_TEXT_CHARS)))
            }
            _ => None,
        };
        error.retry_after =
            response.header("retry-after").and_then(|v| parse_retry_after(v, Utc::now()));
        error
    }
}

/// Reads the body chunk by chunk, stopping as soon as it would exceed `max_bytes`.
async fn read_response(
    mut response: reqwest::Response,
    max_bytes: usize,
    host: &str,
    limit: Duration,
) -> Result<HttpResponse, StepError> {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();

    // Refuse early when the server announces a body over the limit; otherwise count as we read.
    let announced = response.content_length();
    if announced.is_some_and(|len| len > max_bytes as u64) {
        return Err(too_large_error(host, max_bytes));
    }
    let capacity =
        announced.map_or(0, |len| usize::try_from(len).unwrap_or(max_bytes)).min(max_bytes);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e, host, limit))? {
        if body.len().saturating_add(chunk.len()) > max_bytes {
            return Err(too_large_error(host, max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse { status, headers, body })
}

/// Maps a reqwest failure to a step error that names the host but not the URL.
fn transport_error(err: &reqwest::Error, host: &str, limit: Duration) -> StepError {
    let cause = cause_text(err);
    let with_cause = |prefix: String| match &cause {
        Some(c) => format!("{prefix}: {c}"),
        None => prefix,
    };
    if err.is_timeout() {
        timeout_error(host, limit)
    } else if err.is_connect() {
        StepError::network(with_cause(format!("could not connect to {host}")))
    } else if err.is_redirect() {
        StepError::new(ErrorKind::Other, with_cause(format!("{host} redirected too many times")))
    } else if err.is_decode() {
        StepError::new(
            ErrorKind::Other,
            with_cause(format!("could not decode the response from {host}")),
        )
    } else if err.is_body() {
        StepError::network(with_cause(format!(
            "the connection to {host} failed while reading the response"
        )))
    } else if err.is_builder() {
        StepError::invalid_input(with_cause("the HTTP request could not be built".to_owned()))
    } else {
        StepError::network(with_cause(format!("the request to {host} failed")))
    }
}

/// The error for a request to `host` that ran out of its `limit`.
pub(crate) fn timeout_error(host: &str, limit: Duration) -> StepError {
    StepError::new(
        ErrorKind::Timeout,
        format!("the request to {host} timed out after {}", format_duration(limit)),
    )
}

fn too_large_error(host: &str, max_bytes: usize) -> StepError {
    StepError::new(
        ErrorKind::Other,
        format!(
            "the response from {host} is larger than the {} limit for response bodies",
            format_bytes(max_bytes)
        ),
    )
    .with_details(serde_json::json!({ "max_response_bytes": max_bytes }))
}

/// The innermost cause of a reqwest error, in words (e.g. `Connection refused (os error 111)`).
/// reqwest's own layers are skipped: their text includes the full URL.
fn cause_text(err: &reqwest::Error) -> Option<String> {
    let mut current = std::error::Error::source(err);
    let mut innermost = None;
    while let Some(e) = current {
        if !e.is::<reqwest::Error>() {
            innermost = Some(e);
        }
        current = e.source();
    }
    let text = innermost?.to_string();
    // Belt and braces: should a lower layer ever quote the URL, keep only its host.
    let text = match err.url() {
        Some(url) => text.replace(url.as_str(), &host_of(url)),
        None => text,
    };
    Some(text)
}

/// `host` or `host:port` of a URL, for messages.
pub(crate) fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "the server".to_owned(),
    }
}

/// The vendor's error message from a JSON error body, looking where APIs usually put it.
/// The vendor's own error message in a JSON error body, from the fields APIs commonly use.
pub(crate) fn vendor_message_of(body: &serde_json::Value) -> Option<String> {
    vendor_message(body)
}

fn vendor_message(body: &serde_json::Value) -> Option<String> {
    let str_at = |pointer: &str| body.pointer(pointer).and_then(|v| v.as_str()).map(str::to_owned);
    if let Some(m) = str_at("/message") {
        return Some(m);
    }
    if let Some(e) = str_at("/error") {
        // OAuth style: `{ "error": "invalid_grant", "error_description": "…" }`.
        return Some(match str_at("/error_description") {
            Some(d) => format!("{e}: {d}"),
            None => e,
        });
    }
    str_at("/error/message")
        .or_else(|| str_at("/errors/0/message"))
        .or_else(|| str_at("/errors/0"))
        .or_else(|| str_at("/detail"))
        // FastAPI validation errors: `{ "detail": [{ "msg": "…" }] }`.
        .or_else(|| str_at("/detail/0/msg"))
        .or_else(|| str_at("/error_description"))
        .or_else(|| str_at("/title"))
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (IMF-fixdate, RFC 850 or asctime).
/// A date in the past gives zero.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT").map(|d| d.and_utc())
        })
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y").map(|d| d.and_utc())
        })
        .ok()?;
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// The media type of a `Content-Type` value, lower case, without parameters.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether a media type is JSON (`application/json`, `application/problem+json`, `text/json`).
pub(crate) fn is_json_media_type(media_type: &str) -> bool {
    media_type == "application/json" || media_type == "text/json" || media_type.ends_with("+json")
}

/// `30s`, `1.5s`, `200ms`.
fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// `10 MiB`, `512 KiB`, `100 bytes`.
fn format_bytes(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of `s`, with `…` when something was cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client() -> HttpClient {
        match HttpClient::new(HttpConfig::default()) {
            Ok(c) => c,
            Err(e) => panic!("client: {e}"),
        }
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
    }

    #[test]
    fn vendor_messages_are_found_in_common_fields() {
        let cases = [
            (r#"{"message":"Contact not found"}"#, "Contact not found"),
            (r#"{"error":"channel_not_found"}"#, "channel_not_found"),
            (
                r#"{"error":"invalid_grant","error_description":"Bad code"}"#,
                "invalid_grant: Bad code",
            ),
            (r#"{"error":{"message":"Invalid API key","code":401}}"#, "Invalid API key"),
            (r#"{"errors":[{"message":"email is taken"}]}"#, "email is taken"),
            (r#"{"detail":"Not authenticated"}"#, "Not authenticated"),
            (r#"{"detail":[{"msg":"field required"}]}"#, "field required"),
        ];
        for (body, expected) in cases {
            let err = HttpClient::status_error("Vendor", &response(400, body));
            assert_eq!(
                err.message,
                format!("Vendor answered HTTP 400 Bad Request: {expected}"),
                "{body}"
            );
            assert_eq!(err.kind, ErrorKind::Http);
            assert_eq!(err.status, Some(400));
            assert!(err.details.is_some());
        }
    }

    #[test]
    fn text_bodies_are_quoted_and_truncated_html_is_not() {
        let err = HttpClient::status_error("api.example.com", &response(502, "upstream down\n"));
        assert_eq!(err.message, "api.example.com answered HTTP 502 Bad Gateway: upstream down");
        assert_eq!(err.details, Some(json!("upstream down")));

        let long = "x".repeat(1000);
        let err = HttpClient::status_error("h", &response(500, &long));
        assert!(err.message.ends_with('…'));
        assert!(err.message.chars().count() < 400);

        let err =
            HttpClient::status_error("h", &response(404, "<html><body>Not here</body></html>"));
        assert_eq!(err.message, "h answered HTTP 404 Not Found");

        let err = HttpClient::status_error("h", &response(500, ""));
        assert_eq!(err.message, "h answered HTTP 500 Internal Server Error");
        assert_eq!(err.details, None);
    }

    #[test]
    fn huge_json_error_bodies_are_truncated_in_details() {
        let body = serde_json::to_string(&json!({ "message": "bad", "blob": "z".repeat(100_000) }))
            .unwrap_or_default();
        let err = HttpClient::status_error("h", &response(400, &body));
        assert_eq!(err.message, "h answered HTTP 400 Bad Request: bad");
        let details = err.details.as_ref().and_then(|d| d.as_str()).unwrap_or_default();
        assert!(details.chars().count() <= MAX_DETAILS_TEXT_CHARS + 1, "{}", details.len());
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = Utc::now();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = now + chrono::Duration::seconds(120);
        let imf = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let got = parse_retry_after(&imf, now).unwrap_or_default();
        assert!(got > Duration::from_secs(118) && got <= Duration::from_secs(120), "{got:?}");
        let asctime = later.format("%a %b %e %H:%M:%S %Y").to_string();
        assert!(parse_retry_after(&asctime, now).is_some_and(|d| d > Duration::from_secs(118)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn status_error_reads_retry_after_for_any_status() {
        let mut resp = response(503, "");
        resp.headers.push(("retry-after".into(), "3".into()));
        assert_eq!(HttpClient::status_error("h", &resp).retry_after, Some(Duration::from_secs(3)));
    }

    #[test]
    fn base_url_overrides_win() {
        let mut config = HttpConfig::default();
        config.base_url_overrides.insert("slack".into(), "http://127.0.0.1:9999/".into());
        let http = match HttpClient::new(config) {
            Ok(c) => c,
            Err(e) => panic!("client: {e}"),
        };
        assert_eq!(http.base_url("slack", "https://slack.com/api"), "http://127.0.0.1:9999");
        assert_eq!(http.base_url("hubspot", "https://api.hubapi.com/"), "https://api.hubapi.com");
    }

    #[test]
    fn formats() {
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_millis(200)), "200ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(format_bytes(100), "100 bytes");
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(media_type("Application/JSON; charset=utf-8"), "application/json");
    }

    #[tokio::test]
    async fn send_reads_status_headers_and_body() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/ok"))
            .respond_with(
                ResponseTemplate::new(201).insert_header("X-Thing", "1").set_body_string("hi"),
            )
            .mount(&server)
            .await;
        let http = client();
        let resp = http.send(http.client().get(format!("{}/ok", server.uri())), None).await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => panic!("send: {e}"),
        };
        assert_eq!(resp.status, 201);
        assert_eq!(resp.header("x-thing"), Some("1"));
        assert_eq!(resp.text(), "hi");
        assert!(resp.is_success());
    }

    #[tokio::test]
    async fn network_errors_name_the_host_not_the_url() {
        let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
            Ok(addr) => addr.port(),
            Err(e) => panic!("bind: {e}"),
        };
        let http = client();
        let url = format!("http://127.0.0.1:{port}/x?api_key=secret123");
        let err = match http.send(http.client().get(url), None).await {
            Ok(r) => panic!("expected an error, got {r:?}"),
            Err(e) => e,
        };
        assert_eq!(err.kind, ErrorKind::Network);
        assert!(
            err.message.starts_with(&format!("could not connect to 127.0.0.1:{port}")),
            "{}",
            err.message
        );
        assert!(!err.message.contains("secret123"), "{}", err.message);
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 2048]))
            .mount(&server)
            .await;
        let http =
            match HttpClient::new(HttpConfig { max_response_bytes: 1024, ..HttpConfig::default() })
            {
                Ok(c) => c,
                Err(e) => panic!("client: {e}"),
            };
        let err = match http.send(http.client().get(server.uri()), None).await {
            Ok(r) => panic!("expected an error, got status {}", r.status),
            Err(e) => e,
        };
        assert_eq!(err.kind, ErrorKind::Other);
        assert!(err.message.contains("larger than the 1 KiB limit"), "{}", err.message);
    }

    /// A body without Content-Length (chunked, as gzip-decoded and streamed bodies are) is counted
    /// while it is read, and reading stops at the limit even though the server would send more.
    #[tokio::test]
    async fn chunked_bodies_are_cut_at_the_limit() {
        use std::io::{BufRead, BufReader, Write};

        let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("bind: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("addr: {e}"),
        };
        // A plain-thread server: answers one request with an endless stream of 1 KiB chunks and
        // stops when the client hangs up.
        std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else { return };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = reader.into_inner();
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
            for _ in 0..10_000 {
                if stream.write_all(chunk.as_bytes()).is_err() {
                    return;
                }
            }
        });

        let http =
            match HttpClient::new(HttpConfig { max_response_bytes: 4096, ..HttpConfig::default() })
            {
                Ok(c) => c,
                Err(e) => panic!("client: {e}"),
            };
        let request = http.client().get(format!("http://127.0.0.1:{port}/stream"));
        let err = match http.send(request, Some(Duration::from_secs(5))).await {
            Ok(r) => panic!("expected an error, got {} bytes", r.body.len()),
            Err(e) => e,
        };
        assert!(err.message.contains("larger than the 4 KiB limit"), "{}", err.message);
    }

    #[tokio::test]
    async fn timeouts_are_reported_as_such() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
            .mount(&server)
            .await;
        let http = client();
        let err = match http
            .send(http.client().get(server.uri()), Some(Duration::from_millis(150)))
            .await
        {
            Ok(r) => panic!("expected a timeout, got {}", r.status),
            Err(e) => e,
        };
        assert_eq!(err.kind, ErrorKind::Timeout);
        assert_eq!(
            err.message,
            format!("the request to {} timed out after 150ms", server.address())
        );
    }
}
