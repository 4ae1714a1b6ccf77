//! The `request` action's work: props → a checked request ([`parse`]), the exchange ([`execute`]),
//! response → the step's output ([`output`]).
//!
//! Props are read leniently where a template could have produced text instead of a typed value
//! (`"30"` for a number, `"true"` for a boolean, `""` for an unset prop) and strictly everywhere
//! else: a prop that cannot mean anything sensible fails the step with [`ErrorKind::InvalidInput`]
//! naming the prop, rather than sending a request the user did not intend.

// `StepError` is what `Action::run` returns; it is large, but only built on the cold failure path.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName,
    HeaderValue, PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use reqwest::{Method, Url};
use serde_json::{Map, Value};

use super::meta::METHODS;
use crate::piece::http_client::{HttpResponse, host_of, timeout_error, truncate_chars};
use crate::piece::{ActionContext, HttpClient};
use crate::pieces::{form_urlencode, headers_object};
use crate::step_error::{ErrorKind, StepError};

/// Redirects followed before the step fails (the same limit as browsers and reqwest).
const MAX_REDIRECTS: usize = 10;

/// How the response body becomes the output's `body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseFormat {
    /// JSON when the body parses as JSON, else text.
    Auto,
    /// JSON, or the step fails.
    Json,
    /// Always text.
    Text,
}

/// A request ready to send, built from the props.
#[derive(Debug)]
pub(crate) struct RequestSpec {
    pub method: Method,
    /// With the `query` prop (and query auth) already appended.
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// The smaller of the step's timeout and `timeout_sec`; `None` leaves the client's default.
    pub timeout: Option<Duration>,
    pub response_format: ResponseFormat,
    pub fail_on_error_status: bool,
    pub follow_redirects: bool,
    /// The header that carries the credentials, if any: removed when a redirect leaves the origin.
    pub auth_header: Option<HeaderName>,
}

/// Runs the action: checks the props, sends the request (following redirects), shapes the response.
///
/// Redirects are followed here rather than by reqwest because reqwest only drops `Authorization`
/// and cookies when a redirect leaves the origin; a key in a custom header (`X-Api-Key`) would be
/// sent on to whatever host the redirect names.
pub(crate) async fn execute(ctx: &ActionContext, props: &Value) -> Result<Value, StepError> {
    let RequestSpec {
        mut method,
        mut url,
        mut headers,
        mut body,
        timeout,
        response_format,
        fail_on_error_status,
        follow_redirects,
        auth_header,
    } = parse(props, ctx)?;
    // One deadline for the whole chain, so redirects cannot stretch the step's timeout.
    let limit = timeout.unwrap_or(ctx.http.config().timeout);
    let deadline = tokio::time::Instant::now() + limit;
    let mut redirects = 0;
    loop {
        let host = host_of(&url);
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        if remaining.is_zero() {
            return Err(timeout_error(&host, limit));
        }
        tracing::debug!(%method, %host, redirects, "http piece: sending request");
        let mut builder = ctx
            .http
            .client_without_redirects()
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(body) = &body {
            builder = builder.body(body.clone());
        }
        let response = ctx.http.send(builder, Some(remaining)).await.map_err(|e| {
            // Report the step's whole budget, not what was left of it after earlier hops.
            if e.kind == ErrorKind::Timeout { timeout_error(&host, limit) } else { e }
        })?;

        let next = if follow_redirects { redirect_target(&response, &url) } else { None };
        let Some(next) = next else {
            if fail_on_error_status && response.status >= 400 {
                return Err(HttpClient::status_error(&host, &response));
            }
            return output(&response, response_format, &host);
        };
        redirects += 1;
        if redirects > MAX_REDIRECTS {
            return Err(StepError::new(
                ErrorKind::Other,
                format!("{host} redirected more than {MAX_REDIRECTS} times; stopped following"),
            ));
        }
        if !same_origin(&url, &next) {
            // Credentials belong to the origin they were given for.
            for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                headers.remove(name);
            }
            if let Some(name) = &auth_header {
                headers.remove(name);
            }
        }
        // 301, 302 and 303 are re-sent without a body, as GET unless the request was GET or HEAD
        // (what browsers and reqwest do); 307 and 308 repeat the request as it was.
        if matches!(response.status, 301..=303) {
            body = None;
            for name in [CONTENT_TYPE, CONTENT_LENGTH, CONTENT_ENCODING, TRANSFER_ENCODING] {
                headers.remove(name);
            }
            if method != Method::GET && method != Method::HEAD {
                method = Method::GET;
            }
        }
        url = next;
    }
}

/// Where a redirect response points, if it is one this action follows.
fn redirect_target(response: &HttpResponse, current: &Url) -> Option<Url> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let next = current.join(response.header("location")?.trim()).ok()?;
    // A redirect to another scheme (`ftp:`, `mailto:`) is returned to the flow as it is.
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Checks the props and builds the request they describe.
pub(crate) fn parse(props: &Value, ctx: &ActionContext) -> Result<RequestSpec, StepError> {
    let empty = Map::new();
    let props = match props {
        Value::Object(map) => Props(map),
        Value::Null => Props(&empty),
        other => {
            return Err(invalid(format!("the props must be an object, not {}", type_name(other))));
        }
    };

    let method = parse_method(props.text("method")?)?;
    let mut url = parse_url(props.text("url")?)?;
    let mut query = key_values("query", props.get("query"))?;

    // Headers the user set win over the ones derived from other props (content type), except auth.
    let mut headers = HeaderMap::new();
    for (name, value) in key_values("headers", props.get("headers"))? {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("prop `headers`: `{name}` is not a valid header name")))?;
        let header_value = HeaderValue::from_str(&value).map_err(|_| {
            invalid(format!(
                "prop `headers`: the value of `{name}` is not a valid header value (line breaks \
                 and control characters are not allowed)"
            ))
        })?;
        headers.append(header_name, header_value);
    }

    let (body, content_type) = parse_body(&props)?;
    if let Some(content_type) = content_type
        && !headers.contains_key(CONTENT_TYPE)
    {
        headers.insert(CONTENT_TYPE, content_type);
    }

    // The `auth` prop, else the step's connection (same fields).
    let auth = match props.get("auth") {
        Some(value) => parse_auth(value, AuthSource::Prop)?,
        None => match &ctx.connection {
            Some(connection) => {
                parse_auth(&Value::Object(connection.values.clone()), AuthSource::Connection)?
            }
            None => Auth::None,
        },
    };
    let mut auth_header = None;
    match auth {
        Auth::None => {}
        Auth::Header(name, value) => {
            headers.insert(name.clone(), value);
            auth_header = Some(name);
        }
        Auth::Query(name, value) => query.push((name, value)),
    }

    if props.flag("send_idempotency_key", false)? && !headers.contains_key("idempotency-key") {
        match HeaderValue::from_str(&ctx.idempotency_key) {
            Ok(value) => {
                headers.insert(HeaderName::from_static("idempotency-key"), value);
            }
            // The key is the engine's (run id + step path), never the user's; do not fail their
            // step.
            Err(_) => tracing::warn!(
                "http piece: the idempotency key is not a valid header value; not sent"
            ),
        }
    }

    if !query.is_empty() {
        // Appends to a query the URL may already have, encoding each pair.
        url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }

    let timeout_prop = match props.number("timeout_sec")? {
        None => None,
        Some(secs) if secs > 0.0 => Some(
            Duration::try_from_secs_f64(secs)
                .map_err(|_| invalid("prop `timeout_sec` is too large".to_owned()))?,
        ),
        Some(_) => {
            return Err(invalid(
                "prop `timeout_sec` must be a positive number of seconds".to_owned(),
            ));
        }
    };
    let timeout = match (timeout_prop, ctx.timeout) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };

    let response_format = match props.choice("response_format", &["auto", "json", "text"])? {
        None | Some("auto") => ResponseFormat::Auto,
        Some("json") => ResponseFormat::Json,
        Some(_) => ResponseFormat::Text,
    };

    Ok(RequestSpec {
        method,
        url,
        headers,
        body,
        timeout,
        response_format,
        fail_on_error_status: props.flag("fail_on_error_status", true)?,
        follow_redirects: props.flag("follow_redirects", true)?,
        auth_header,
    })
}

/// The step's output: `{ "status", "headers", "body" }`, plus `"body_encoding": "base64"` when the
/// body is binary.
pub(crate) fn output(
    response: &HttpResponse,
    format: ResponseFormat,
    host: &str,
) -> Result<Value, StepError> {
    let blank = response.body.iter().all(u8::is_ascii_whitespace);
    let (body, base64) = match format {
        ResponseFormat::Json if blank => (Value::Null, false),
        ResponseFormat::Json => match serde_json::from_slice(&response.body) {
            Ok(value) => (value, false),
            Err(e) => {
                return Err(StepError::new(
                    ErrorKind::Other,
                    format!(
                        "the response from {host} is not valid JSON ({e}); set \
                         `response_format` to `auto` or `text` to accept it"
                    ),
                )
                .with_details(Value::String(truncate_chars(&response.text(), 2000))));
            }
        },
        ResponseFormat::Auto if blank => (Value::Null, false),
        // Whatever the content type says: many APIs label JSON as text/plain or text/html.
        ResponseFormat::Auto => match serde_json::from_slice(&response.body) {
            Ok(value) => (value, false),
            Err(_) => text_or_base64(&response.body),
        },
        ResponseFormat::Text => text_or_base64(&response.body),
    };
    let mut out = Map::new();
    out.insert("status".into(), Value::from(response.status));
    out.insert("headers".into(), Value::Object(headers_object(&response.headers)));
    out.insert("body".into(), body);
    if base64 {
        out.insert("body_encoding".into(), Value::String("base64".into()));
    }
    Ok(Value::Object(out))
}

fn text_or_base64(body: &[u8]) -> (Value, bool) {
    match std::str::from_utf8(body) {
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => (Value::String(base64::engine::general_purpose::STANDARD.encode(body)), true),
    }
}

fn parse_method(text: Option<String>) -> Result<Method, StepError> {
    let method = text.map_or_else(|| "GET".to_owned(), |m| m.to_ascii_uppercase());
    if !METHODS.contains(&method.as_str()) {
        return Err(invalid(format!(
            "prop `method`: unknown method `{method}`; use one of {}",
            METHODS.join(", ")
        )));
    }
    Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid(format!("prop `method`: unknown method `{method}`")))
}

fn parse_url(text: Option<String>) -> Result<Url, StepError> {
    let text = text.ok_or_else(|| invalid("prop `url` is required".to_owned()))?;
    // Shown without its query or fragment, which may hold a key.
    let shown = truncate_chars(text.split(['?', '#']).next().unwrap_or_default(), 100);
    let url = Url::parse(&text).map_err(|e| {
        invalid(format!(
            "prop `url`: `{shown}` is not a valid URL ({e}); give the full address, e.g. \
             https://api.example.com/v1/items"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "prop `url`: only http:// and https:// URLs are supported, not `{}:`",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("prop `url`: `{shown}` has no host")));
    }
    Ok(url)
}

/// The request body and the content type it implies.
fn parse_body(props: &Props<'_>) -> Result<(Option<Vec<u8>>, Option<HeaderValue>), StepError> {
    let body = props.get("body");
    let body_type = match props.choice("body_type", &["json", "form", "raw", "none"])? {
        Some(t) => t,
        None if body.is_some() => "json",
        None => "none",
    };
    let Some(body) = body else { return Ok((None, None)) };
    match body_type {
        "json" => {
            let bytes = serde_json::to_vec(body)
                .map_err(|e| invalid(format!("prop `body` could not be encoded as JSON: {e}")))?;
            Ok((Some(bytes), Some(HeaderValue::from_static("application/json"))))
        }
        "form" => {
            if !body.is_object() {
                return Err(invalid(format!(
                    "prop `body`: body type `form` needs an object of fields, not {}",
                    type_name(body)
                )));
            }
            let fields = key_values("body", Some(body))?;
            let encoded = form_urlencode(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            Ok((
                Some(encoded.into_bytes()),
                Some(HeaderValue::from_static("application/x-www-form-urlencoded")),
            ))
        }
        "raw" => {
            let text = scalar_text(body).ok_or_else(|| {
                invalid(format!(
                    "prop `body`: body type `raw` needs text, not {}; use body type `json` to \
                     send JSON",
                    type_name(body)
                ))
            })?;
            let content_type =
                props.text("content_type")?.unwrap_or_else(|| "text/plain".to_owned());
            let content_type = HeaderValue::from_str(&content_type).map_err(|_| {
                invalid("prop `content_type` is not a valid Content-Type value".to_owned())
            })?;
            Ok((Some(text.into_bytes()), Some(content_type)))
        }
        _ => Ok((None, None)),
    }
}

/// Where an auth object came from, for messages and the error kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthSource {
    Prop,
    Connection,
}

impl AuthSource {
    fn error(self, why: &str) -> StepError {
        match self {
            Self::Prop => invalid(format!("prop `auth`: {why}")),
            Self::Connection => {
                StepError::new(ErrorKind::Connection, format!("the step's connection: {why}"))
            }
        }
    }
}

/// Credentials, reduced to what they add to the request.
#[derive(Debug)]
enum Auth {
    None,
    Header(HeaderName, HeaderValue),
    Query(String, String),
}

fn parse_auth(value: &Value, source: AuthSource) -> Result<Auth, StepError> {
    let auth = match value {
        Value::Object(map) => map,
        Value::String(s) if s.trim().is_empty() => return Ok(Auth::None),
        other => {
            return Err(source.error(&format!(
                "must be an object like {{\"type\": \"bearer\", \"token\": \"…\"}}, not {}",
                type_name(other)
            )));
        }
    };
    let field = |name: &str| auth.get(name).and_then(scalar_text).filter(|s| !s.is_empty());
    let required = |name: &str, kind: &str| {
        field(name).ok_or_else(|| source.error(&format!("`{name}` is missing for `{kind}` auth")))
    };
    let kind = match auth.get("type").and_then(Value::as_str).map(|t| t.trim().to_ascii_lowercase())
    {
        Some(kind) if !kind.is_empty() => kind,
        // No type: infer it from the fields, which is what connections saved without one look like.
        _ if field("token").is_some() || field("access_token").is_some() => "bearer".to_owned(),
        _ if field("username").is_some() => "basic".to_owned(),
        _ if field("name").is_some() && field("value").is_some() => "header".to_owned(),
        _ if auth.is_empty() => "none".to_owned(),
        _ => return Err(source.error("`type` is missing (none, basic, bearer, header or query)")),
    };
    let sensitive = |value: String| {
        HeaderValue::from_str(&value)
            .map(|mut v| {
                v.set_sensitive(true);
                v
            })
            .map_err(|_| source.error("the credential contains characters not allowed in a header"))
    };
    match kind.as_str() {
        "none" => Ok(Auth::None),
        "basic" => {
            let username = required("username", "basic")?;
            let password = field("password").unwrap_or_default();
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            Ok(Auth::Header(AUTHORIZATION, sensitive(format!("Basic {encoded}"))?))
        }
        "bearer" => {
            let token = field("token").or_else(|| field("access_token"));
            let token =
                token.ok_or_else(|| source.error("`token` is missing for `bearer` auth"))?;
            Ok(Auth::Header(AUTHORIZATION, sensitive(format!("Bearer {token}"))?))
        }
        "header" => {
            let name = required("name", "header")?;
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| source.error(&format!("`{name}` is not a valid header name")))?;
            Ok(Auth::Header(name, sensitive(required("value", "header")?)?))
        }
        "query" => Ok(Auth::Query(required("name", "query")?, required("value", "query")?)),
        other => Err(source
            .error(&format!("unknown type `{other}`; use none, basic, bearer, header or query"))),
    }
}

/// An object prop of names to values as name/value pairs: text, numbers and booleans give one pair,
/// a list one pair per item, `null` none. Nested objects are refused (there is no standard
/// encoding).
fn key_values(prop: &str, value: Option<&Value>) -> Result<Vec<(String, String)>, StepError> {
    let map = match value {
        None => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(Vec::new()),
        Some(other) => {
            return Err(invalid(format!(
                "prop `{prop}` must be an object of names to values, not {}",
                type_name(other)
            )));
        }
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (name, value) in map {
        let not_scalar = |v: &Value| {
            invalid(format!(
                "prop `{prop}`: `{name}` holds {}; use text, numbers, true/false or a list of them",
                type_name(v)
            ))
        };
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for item in items.iter().filter(|i| !i.is_null()) {
                    pairs.push((name.clone(), scalar_text(item).ok_or_else(|| not_scalar(item))?));
                }
            }
            other => {
                pairs.push((name.clone(), scalar_text(other).ok_or_else(|| not_scalar(other))?))
            }
        }
    }
    Ok(pairs)
}

/// Text, a number or a boolean as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn invalid(message: String) -> StepError {
    StepError::invalid_input(message)
}

/// Typed access to the props object; `null` and (for non-text uses) `""` count as absent.
struct Props<'a>(&'a Map<String, Value>);

impl<'a> Props<'a> {
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A text prop, trimmed; numbers and booleans count as their text; blank is absent.
    fn text(&self, name: &str) -> Result<Option<String>, StepError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(scalar_text(v)),
            Some(other) => {
                Err(invalid(format!("prop `{name}` must be text, not {}", type_name(other))))
            }
        }
    }

    /// A boolean prop; `"true"` / `"false"` (what a template renders) are accepted.
    fn flag(&self, name: &str, default: bool) -> Result<bool, StepError> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(default),
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(invalid(format!(
                    "prop `{name}` must be true or false, not `{}`",
                    truncate_chars(s, 40)
                ))),
            },
            Some(other) => Err(invalid(format!(
                "prop `{name}` must be true or false, not {}",
                type_name(other)
            ))),
        }
    }

    /// A number prop; numeric text is accepted.
    fn number(&self, name: &str) -> Result<Option<f64>, StepError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                s.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map(Some).ok_or_else(|| {
                    invalid(format!(
                        "prop `{name}` must be a number, not `{}`",
                        truncate_chars(s, 40)
                    ))
                })
            }
            Some(other) => {
                Err(invalid(format!("prop `{name}` must be a number, not {}", type_name(other))))
            }
        }
    }

    /// One of fixed lower-case options (matched case-insensitively); blank is absent.
    fn choice(
        &self,
        name: &str,
        options: &[&'static str],
    ) -> Result<Option<&'static str>, StepError> {
        let Some(text) = self.text(name)? else { return Ok(None) };
        let lower = text.to_ascii_lowercase();
        options.iter().find(|o| **o == lower).map(|o| Some(*o)).ok_or_else(|| {
            invalid(format!(
                "prop `{name}`: unknown value `{}`; use one of {}",
                truncate_chars(&text, 40),
                options.join(", ")
            ))
        })
    }
}
