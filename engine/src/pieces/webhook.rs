//! The `webhook` piece: its `catch` trigger starts a flow from any HTTP request sent to the flow's
//! webhook URL.
//!
//! The trigger's output is `{ "body", "headers", "query", "method" }`:
//! - `body` is parsed by content type: JSON (`application/json`, `*/*+json`) as JSON, a form
//!   (`application/x-www-form-urlencoded`) as an object (a repeated field becomes an array),
//!   anything else as text. A body that is not UTF-8 is given as base64 with `"body_encoding":
//!   "base64"` next to it. An empty body is `null`.
//! - `headers` is an object of lower-case names (repeated headers joined with `, `), `query` an
//!   object (repeated parameters become arrays).
//!
//! Optional authentication (`auth` prop): a shared secret in a header, or HTTP basic auth. Secrets
//! are compared in constant time, and the header that carried the credential is left out of the
//! output so it does not end up in run records. HMAC signatures arrive with the other signature
//! schemes.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::{BuiltinPiece, Prop, constant_time_eq, headers_object, pairs_to_object, svg_data_url};
use crate::piece::http_client::{is_json_media_type, media_type};
use crate::piece::{
    AuthKind, PieceMeta, PropKind, PropMeta, TriggerError, TriggerEvent, TriggerMeta,
    TriggerRequest, TriggerSource,
};

/// The piece id.
pub const PIECE_ID: &str = "webhook";
/// The trigger name.
pub const CATCH: &str = "catch";

/// The piece with its metadata and trigger.
pub fn piece() -> BuiltinPiece {
    BuiltinPiece::new(meta()).with_trigger(CATCH, Arc::new(CatchWebhook))
}

const AUTH_HELP: &str = "Who may call the webhook: anyone with the URL, a caller sending a \
    secret in a header, HTTP basic auth, or a sender signing the body (HMAC). Requests that fail the check get 401 and start no run; the header carrying the credential is \
    left out of `trigger.headers`.";

const DEDUPE_HELP: &str = "Where the event's unique id is: a header name (`idempotency-key`) or \
    a top-level body field (`body.event_id`); `query.<name>` reads a query parameter. A request \
    whose id was already seen does not start a second run, so a sender's retries are harmless.";

/// The piece's metadata.
pub fn meta() -> PieceMeta {
    PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "Webhook".to_owned(),
        description: "Start a flow when any service sends an HTTP request to the flow's webhook \
                      URL."
            .to_owned(),
        category: "Core".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#7c3aed' stroke-width='2' stroke-linecap='round' stroke-linejoin='round'>\
             <path d='M13 2 4 14h7l-1 8 9-12h-7z'/></svg>",
        )),
        auth: AuthKind::None,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: None,
        actions: Vec::new(),
        triggers: vec![TriggerMeta {
            name: CATCH.to_owned(),
            label: "Catch webhook".to_owned(),
            description: "Runs the flow for every request sent to the flow's webhook URL; the \
                          request's body, headers, query and method become `trigger`."
                .to_owned(),
            props: vec![
                Prop::new("auth", "Authentication", PropKind::Json)
                    .help(AUTH_HELP)
                    .default(json!({ "type": "none" }))
                    .example(json!({
                        "type": "header", "name": "x-api-key", "value": "a-long-random-secret"
                    }))
                    .secret()
                    .variants(auth_variants())
                    .build(),
                Prop::new("dedupe_key", "Deduplicate by", PropKind::ShortText)
                    .help(DEDUPE_HELP)
                    .example(json!("body.event_id"))
                    .build(),
            ],
            sample_output: Some(json!({
                "body": { "event": "call_ended", "call_id": "c_123", "duration_sec": 184 },
                "headers": { "content-type": "application/json", "user-agent": "Vapi/1.0" },
                "query": { "source": "vapi" },
                "method": "POST"
            })),
            ..Default::default()
        }],
    }
}

/// The `catch` trigger: parses, and where configured authenticates, the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatchWebhook;

impl TriggerSource for CatchWebhook {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        let auth = WebhookAuth::from_props(props)?;
        auth.verify(request)?;

        let (body, base64_encoded) = parse_body(request)?;
        let credential_header = auth.credential_header();
        let headers =
            headers_object(request.headers.iter().filter(|(name, _)| {
                credential_header.is_none_or(|h| !name.eq_ignore_ascii_case(h))
            }));
        let query = pairs_to_object(request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));

        let dedupe_key = match props.get("dedupe_key") {
            None | Some(Value::Null) => None,
            Some(Value::String(spec)) if spec.trim().is_empty() => None,
            Some(Value::String(spec)) => dedupe_value(spec.trim(), request, &body),
            // A misconfigured dedupe key must not silently disable deduplication.
            Some(other) => {
                return Err(TriggerError::Malformed(format!(
                    "the webhook's `dedupe_key` setting must be text, not {other}"
                )));
            }
        };

        let mut output = Map::new();
        output.insert("body".into(), body);
        if base64_encoded {
            output.insert("body_encoding".into(), Value::String("base64".into()));
        }
        output.insert("headers".into(), Value::Object(headers));
        output.insert("query".into(), Value::Object(query));
        output.insert("method".into(), Value::String(request.method.to_ascii_uppercase()));
        Ok(TriggerEvent { output: Value::Object(output), dedupe_key })
    }
}

/// Parses a request body by its content type. Returns the value and whether it is base64 (a body
/// that is neither JSON nor a form and not valid UTF-8).
pub(crate) fn parse_body(request: &TriggerRequest) -> Result<(Value, bool), TriggerError> {
    if request.body.is_empty() {
        return Ok((Value::Null, false));
    }
    let media = request.header("content-type").map(media_type).unwrap_or_default();
    if is_json_media_type(&media) {
        // Some senders post a blank line with a JSON content type: nothing, not an error.
        if request.body.iter().all(u8::is_ascii_whitespace) {
            return Ok((Value::Null, false));
        }
        return serde_json::from_slice(&request.body)
            .map(|v| (v, false))
            .map_err(|e| TriggerError::Malformed(format!("the body is not valid JSON: {e}")));
    }
    if media == "application/x-www-form-urlencoded" {
        let pairs = super::form_urlencoded_parse(&request.body);
        let object = pairs_to_object(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        return Ok((Value::Object(object), false));
    }
    Ok(match std::str::from_utf8(&request.body) {
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => {
            (Value::String(base64::engine::general_purpose::STANDARD.encode(&request.body)), true)
        }
    })
}

/// The event id named by the `dedupe_key` prop, if the request has one.
fn dedupe_value(spec: &str, request: &TriggerRequest, body: &Value) -> Option<String> {
    let value = if let Some(field) = spec.strip_prefix("body.") {
        body.get(field).cloned()
    } else if let Some(name) = spec.strip_prefix("query.") {
        request.query.iter().find(|(k, _)| k == name).map(|(_, v)| Value::String(v.clone()))
    } else {
        let name =
            spec.strip_prefix("headers.").or_else(|| spec.strip_prefix("header.")).unwrap_or(spec);
        request.header(name).map(|v| Value::String(v.to_owned()))
    };
    match value? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s),
        // Numbers, booleans and (unusually) objects: their compact JSON text identifies them.
        other => Some(other.to_string()),
    }
}

/// The `auth` prop's shapes, for the editor's form.
fn auth_variants() -> Vec<(&'static str, &'static str, Vec<PropMeta>)> {
    let text = |name: &str, label: &str, example: &str| {
        Prop::new(name, label, PropKind::ShortText).required().example(json!(example)).build()
    };
    let secret = |name: &str, label: &str| {
        Prop::new(name, label, PropKind::ShortText).required().secret().build()
    };
    vec![
        ("none", "None: anyone with the URL", vec![]),
        (
            "header",
            "A secret in a header",
            vec![text("name", "Header name", "x-api-key"), secret("value", "Secret value")],
        ),
        (
            "basic",
            "Username and password (HTTP basic)",
            vec![text("username", "Username", "vapi"), secret("password", "Password")],
        ),
        (
            "hmac",
            "A signature of the body (HMAC)",
            vec![
                text("header", "Signature header", "x-signature"),
                secret("secret", "Signing secret"),
                Prop::new("algorithm", "Hash", PropKind::Select)
                    .options(&[("SHA-256", "sha256"), ("SHA-1", "sha1"), ("SHA-512", "sha512")])
                    .default(json!("sha256"))
                    .build(),
                Prop::new("encoding", "Encoding", PropKind::Select)
                    .options(&[("hex", "hex"), ("base64", "base64")])
                    .default(json!("hex"))
                    .build(),
                Prop::new("prefix", "Prefix", PropKind::ShortText)
                    .help("Text before the signature in the header, e.g. sha256=")
                    .example(json!("sha256="))
                    .build(),
            ],
        ),
    ]
}

/// The `auth` prop, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WebhookAuth {
    None,
    Header { name: String, value: String },
    Basic { username: String, password: String },
    Hmac { header: String, secret: String, algorithm: HmacAlgorithm, base64: bool, prefix: String },
}

/// The hash behind an HMAC signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HmacAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

/// Whether `tag` is the HMAC of `body` under `secret` (compared in constant time by `verify_slice`).
fn hmac_matches(algorithm: HmacAlgorithm, secret: &[u8], body: &[u8], tag: &[u8]) -> bool {
    use hmac::{Hmac, KeyInit, Mac};
    fn check<D>(secret: &[u8], body: &[u8], tag: &[u8]) -> bool
    where
        Hmac<D>: KeyInit + Mac,
        D: hmac::EagerHash,
    {
        match <Hmac<D> as KeyInit>::new_from_slice(secret) {
            Ok(mut mac) => {
                Mac::update(&mut mac, body);
                mac.verify_slice(tag).is_ok()
            }
            Err(_) => false,
        }
    }
    match algorithm {
        HmacAlgorithm::Sha1 => check::<sha1::Sha1>(secret, body, tag),
        HmacAlgorithm::Sha256 => check::<sha2::Sha256>(secret, body, tag),
        HmacAlgorithm::Sha512 => check::<sha2::Sha512>(secret, body, tag),
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl WebhookAuth {
    /// Reads the `auth` prop. A broken configuration rejects every request (fail closed) rather
    /// than letting anyone in.
    fn from_props(props: &Map<String, Value>) -> Result<Self, TriggerError> {
        let misconfigured = |why: &str| {
            TriggerError::Unauthorized(format!(
                "the webhook's authentication is misconfigured: {why}"
            ))
        };
        let auth = match props.get("auth") {
            None | Some(Value::Null) => return Ok(Self::None),
            Some(Value::Object(auth)) => auth,
            Some(_) => return Err(misconfigured("`auth` must be an object with a `type`")),
        };
        let field = |name: &str| -> Result<String, TriggerError> {
            match auth.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                _ => Err(misconfigured(&format!("`auth.{name}` is missing"))),
            }
        };
        let kind = match auth.get("type") {
            Some(Value::String(kind)) => kind.trim().to_ascii_lowercase(),
            // `{}` means no auth; fields without a type are a mistake, not an open door.
            None | Some(Value::Null) if auth.is_empty() => return Ok(Self::None),
            _ => {
                return Err(misconfigured(
                    "`auth.type` is missing (`none`, `header`, `basic` or `hmac`)",
                ));
            }
        };
        match kind.as_str() {
            "none" => Ok(Self::None),
            "header" => Ok(Self::Header { name: field("name")?, value: field("value")? }),
            "basic" => {
                Ok(Self::Basic { username: field("username")?, password: field("password")? })
            }
            "hmac" => {
                let optional = |name: &str| {
                    auth.get(name).and_then(Value::as_str).map(str::to_ascii_lowercase)
                };
                let algorithm = match optional("algorithm").as_deref() {
                    None | Some("sha256") => HmacAlgorithm::Sha256,
                    Some("sha1") => HmacAlgorithm::Sha1,
                    Some("sha512") => HmacAlgorithm::Sha512,
                    Some(other) => {
                        return Err(misconfigured(&format!(
                            "unknown `auth.algorithm` `{other}` (use sha256, sha1 or sha512)"
                        )));
                    }
                };
                let base64 = match optional("encoding").as_deref() {
                    None | Some("hex") => false,
                    Some("base64") => true,
                    Some(other) => {
                        return Err(misconfigured(&format!(
                            "unknown `auth.encoding` `{other}` (use hex or base64)"
                        )));
                    }
                };
                Ok(Self::Hmac {
                    header: field("header")?,
                    secret: field("secret")?,
                    algorithm,
                    base64,
                    prefix: auth
                        .get("prefix")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                })
            }
            other => Err(misconfigured(&format!(
                "unknown type `{other}` (use `none`, `header`, `basic` or `hmac`)"
            ))),
        }
    }

    fn verify(&self, request: &TriggerRequest) -> Result<(), TriggerError> {
        match self {
            Self::None => Ok(()),
            Self::Hmac { header, secret, algorithm, base64, prefix } => {
                let given = request.header(header).ok_or_else(|| {
                    TriggerError::Unauthorized(format!(
                        "the `{header}` signature header is missing"
                    ))
                })?;
                let given = given.trim();
                let given = given.strip_prefix(prefix.as_str()).unwrap_or(given);
                let tag = if *base64 {
                    base64::engine::general_purpose::STANDARD.decode(given).ok()
                } else {
                    decode_hex(&given.to_ascii_lowercase())
                };
                match tag {
                    Some(tag)
                        if hmac_matches(*algorithm, secret.as_bytes(), &request.body, &tag) =>
                    {
                        Ok(())
                    }
                    Some(_) => Err(TriggerError::Unauthorized(format!(
                        "the `{header}` signature does not match the body"
                    ))),
                    None => Err(TriggerError::Unauthorized(format!(
                        "the `{header}` signature is not valid {}",
                        if *base64 { "base64" } else { "hex" }
                    ))),
                }
            }
            Self::Header { name, value } => match request.header(name) {
                None => Err(TriggerError::Unauthorized(format!("the `{name}` header is missing"))),
                Some(given) if constant_time_eq(given.trim().as_bytes(), value.as_bytes()) => {
                    Ok(())
                }
                Some(_) => Err(TriggerError::Unauthorized(format!(
                    "the `{name}` header is not the expected secret"
                ))),
            },
            Self::Basic { username, password } => {
                super::require_basic_auth(request, username, password)
            }
        }
    }

    /// The header that carries the credential, kept out of the trigger output.
    fn credential_header(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Header { name, .. } => Some(name),
            Self::Basic { .. } => Some("authorization"),
            Self::Hmac { header, .. } => Some(header),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(content_type: Option<&str>, body: &[u8]) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "post".into(),
            headers: content_type
                .map(|ct| vec![("content-type".to_owned(), ct.to_owned())])
                .unwrap_or_default(),
            query: Vec::new(),
            body: body.to_vec(),
        }
    }

    fn props(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(m) => m,
            other => panic!("props must be an object, got {other}"),
        }
    }

    fn event(props_value: Value, request: &TriggerRequest) -> Result<TriggerEvent, TriggerError> {
        CatchWebhook.event(&props(props_value), request)
    }

    fn ok(props_value: Value, request: &TriggerRequest) -> TriggerEvent {
        match event(props_value, request) {
            Ok(e) => e,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    /// The reason of an `Unauthorized` rejection (panics on anything else).
    fn rejected(props_value: Value, request: &TriggerRequest) -> String {
        match event(props_value, request) {
            Err(TriggerError::Unauthorized(reason)) => reason,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn json_body() {
        let e = ok(
            json!({}),
            &request(Some("application/json; charset=utf-8"), br#"{"a":1,"b":[true]}"#),
        );
        assert_eq!(e.output["body"], json!({ "a": 1, "b": [true] }));
        assert_eq!(e.output["method"], "POST");
        assert_eq!(e.dedupe_key, None);
        let e = ok(json!({}), &request(Some("application/vnd.api+json"), b"[1,2]"));
        assert_eq!(e.output["body"], json!([1, 2]));
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let err =
            event(json!({}), &request(Some("application/json"), b"{\n  \"a\": 1,\n  oops\n}"));
        match err {
            Err(TriggerError::Malformed(m)) => assert!(m.contains("line 3 column 3"), "{m}"),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn form_body_with_repeated_keys() {
        let e = ok(
            json!({}),
            &request(
                Some("application/x-www-form-urlencoded"),
                b"name=Ada+Lovelace&tag=a&tag=b&note=%E2%9C%93",
            ),
        );
        assert_eq!(
            e.output["body"],
            json!({ "name": "Ada Lovelace", "tag": ["a", "b"], "note": "✓" })
        );
    }

    #[test]
    fn text_binary_and_empty_bodies() {
        let e = ok(json!({}), &request(Some("text/plain"), b"hello"));
        assert_eq!(e.output["body"], "hello");
        assert!(e.output.get("body_encoding").is_none());

        let e = ok(json!({}), &request(None, b"{\"not\": \"parsed without a JSON content type\"}"));
        assert_eq!(e.output["body"], "{\"not\": \"parsed without a JSON content type\"}");

        let e = ok(json!({}), &request(Some("application/octet-stream"), &[0xff, 0x00, 0xfe]));
        assert_eq!(e.output["body"], "/wD+");
        assert_eq!(e.output["body_encoding"], "base64");

        for ct in [Some("application/json"), Some("text/plain"), None] {
            let e = ok(json!({}), &request(ct, b""));
            assert_eq!(e.output["body"], Value::Null, "{ct:?}");
        }
        let e = ok(json!({}), &request(Some("application/json"), b"  \n"));
        assert_eq!(e.output["body"], Value::Null);
    }

    #[test]
    fn headers_and_query_objects() {
        let mut r = request(Some("application/json"), b"{}");
        r.headers.push(("X-Call-Id".into(), "c1".into()));
        r.headers.push(("accept".into(), "text/html".into()));
        r.headers.push(("Accept".into(), "application/json".into()));
        r.query =
            vec![("a".into(), "1".into()), ("b".into(), "x".into()), ("a".into(), "2".into())];
        let e = ok(json!({}), &r);
        assert_eq!(
            e.output,
            json!({
                "body": {},
                "headers": {
                    "content-type": "application/json",
                    "x-call-id": "c1",
                    "accept": "text/html, application/json"
                },
                "query": { "a": ["1", "2"], "b": "x" },
                "method": "POST"
            })
        );
    }

    fn header_auth() -> Value {
        json!({ "auth": { "type": "header", "name": "X-Api-Key", "value": "s3cret-value" } })
    }

    #[test]
    fn header_auth_ok_bad_missing() {
        let mut r = request(Some("application/json"), b"{}");
        r.headers.push(("x-api-key".into(), "s3cret-value".into()));
        let e = ok(header_auth(), &r);
        assert!(
            e.output["headers"].get("x-api-key").is_none(),
            "the secret must not reach the output"
        );

        let mut bad = request(Some("application/json"), b"{}");
        bad.headers.push(("x-api-key".into(), "s3cret-valuE".into()));
        assert!(rejected(header_auth(), &bad).contains("not the expected secret"));

        let missing = request(Some("application/json"), b"{}");
        assert_eq!(rejected(header_auth(), &missing), "the `X-Api-Key` header is missing");
    }

    #[test]
    fn basic_auth_ok_and_bad() {
        let props_value =
            json!({ "auth": { "type": "basic", "username": "vapi", "password": "p:ss" } });
        let with_auth = |credentials: &str| {
            let mut r = request(Some("application/json"), b"{}");
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            r.headers.push(("authorization".into(), format!("Basic {encoded}")));
            r
        };
        let e = ok(props_value.clone(), &with_auth("vapi:p:ss"));
        assert!(e.output["headers"].get("authorization").is_none());
        assert_eq!(
            rejected(props_value.clone(), &with_auth("vapi:wrong")),
            "wrong username or password"
        );
        assert_eq!(
            rejected(props_value.clone(), &with_auth("other:p:ss")),
            "wrong username or password"
        );
        let mut bearer = request(Some("application/json"), b"{}");
        bearer.headers.push(("authorization".into(), "Bearer abc".into()));
        assert!(rejected(props_value.clone(), &bearer).contains("not Basic"));
        let none = request(Some("application/json"), b"{}");
        assert!(rejected(props_value, &none).contains("missing"));
    }

    #[test]
    fn misconfigured_auth_fails_closed() {
        let r = request(Some("application/json"), b"{}");
        for auth in [
            json!({ "type": "header", "name": "x-key" }),
            json!({ "type": "hmac" }),
            json!({ "type": 1 }),
            json!({ "name": "x-key", "value": "s3cret" }),
            json!("secret"),
        ] {
            assert!(rejected(json!({ "auth": auth }), &r).contains("misconfigured"));
        }
        assert!(event(json!({ "auth": { "type": "none" } }), &r).is_ok());
        assert!(event(json!({ "auth": {} }), &r).is_ok());
    }

    #[test]
    fn dedupe_key_from_header_body_and_query() {
        let mut r = request(Some("application/json"), br#"{"event_id":"evt_1","seq":42}"#);
        r.headers.push(("Idempotency-Key".into(), "idem-9".into()));
        r.query.push(("delivery".into(), "d-3".into()));
        assert_eq!(
            ok(json!({ "dedupe_key": "idempotency-key" }), &r).dedupe_key.as_deref(),
            Some("idem-9")
        );
        assert_eq!(
            ok(json!({ "dedupe_key": "body.event_id" }), &r).dedupe_key.as_deref(),
            Some("evt_1")
        );
        assert_eq!(ok(json!({ "dedupe_key": "body.seq" }), &r).dedupe_key.as_deref(), Some("42"));
        assert_eq!(
            ok(json!({ "dedupe_key": "query.delivery" }), &r).dedupe_key.as_deref(),
            Some("d-3")
        );
        assert_eq!(ok(json!({ "dedupe_key": "body.missing" }), &r).dedupe_key, None);
        assert_eq!(ok(json!({ "dedupe_key": "" }), &r).dedupe_key, None);
    }

    fn signed(header: &str, signature: &str) -> TriggerRequest {
        let mut r = request(Some("application/json"), br#"{"call_id":"c-1"}"#);
        r.headers.push((header.to_owned(), signature.to_owned()));
        r
    }

    const SHA256_HEX: &str = "280c564ecbfac43e5084d8fd9c20b0386014efe81822b7c533a6839cf2e872e6";

    #[test]
    fn hmac_sha256_hex_with_and_without_prefix() {
        let auth =
            json!({ "auth": { "type": "hmac", "header": "x-signature", "secret": "whsec_test" } });
        let e = ok(auth.clone(), &signed("x-signature", SHA256_HEX));
        assert_eq!(e.output["body"]["call_id"], json!("c-1"));
        assert!(
            e.output["headers"].get("x-signature").is_none(),
            "the signature header is left out"
        );
        // Upper-case hex is the same signature.
        ok(auth, &signed("x-signature", &SHA256_HEX.to_ascii_uppercase()));
        let prefixed = json!({ "auth": { "type": "hmac", "header": "x-hub-signature-256", "secret": "whsec_test", "prefix": "sha256=" } });
        ok(prefixed, &signed("x-hub-signature-256", &format!("sha256={SHA256_HEX}")));
    }

    #[test]
    fn hmac_sha1_base64_and_sha512() {
        let sha1 = json!({ "auth": { "type": "hmac", "header": "x-sig", "secret": "whsec_test", "algorithm": "sha1", "encoding": "base64" } });
        ok(sha1, &signed("x-sig", "y97F6qxxLnBR7b8BvE1A65iRHlo="));
        let sha512 = json!({ "auth": { "type": "hmac", "header": "x-sig", "secret": "whsec_test", "algorithm": "sha512" } });
        ok(
            sha512,
            &signed(
                "x-sig",
                "f85f0e514468abfa303ab3c298612dc226125fc7ac73a6fdc15c7829c2ff8a1ca08c6cda864066b0de35226e1d7bbce4e5ca25822290715e15b59690f1460e5a",
            ),
        );
    }

    #[test]
    fn hmac_rejections_say_why() {
        let auth =
            json!({ "auth": { "type": "hmac", "header": "x-signature", "secret": "whsec_test" } });
        let wrong = SHA256_HEX.replace('2', "3");
        let cases = [
            (
                request(Some("application/json"), br#"{"call_id":"c-1"}"#),
                "signature header is missing",
            ),
            (signed("x-signature", &wrong), "does not match the body"),
            (signed("x-signature", "not-hex!"), "is not valid hex"),
        ];
        for (req, needle) in cases {
            match event(auth.clone(), &req) {
                Err(TriggerError::Unauthorized(m)) => assert!(m.contains(needle), "{m}"),
                other => panic!("expected 401 with `{needle}`, got {other:?}"),
            }
        }
        // A tampered body fails with the original signature.
        let mut tampered = signed("x-signature", SHA256_HEX);
        tampered.body = br#"{"call_id":"c-2"}"#.to_vec();
        assert!(matches!(event(auth, &tampered), Err(TriggerError::Unauthorized(_))));
        let bad =
            json!({ "auth": { "type": "hmac", "header": "x", "secret": "s", "algorithm": "md5" } });
        match event(bad, &signed("x", SHA256_HEX)) {
            Err(TriggerError::Unauthorized(m)) => {
                assert!(m.contains("unknown `auth.algorithm` `md5`"), "{m}")
            }
            other => panic!("{other:?}"),
        }
    }
}
