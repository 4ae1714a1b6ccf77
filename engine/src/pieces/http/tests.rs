//! Tests of the `http` piece against a local mock server (never the internet).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::RequestAction;
use crate::piece::{Action, ActionContext, Connection, HttpClient, HttpConfig};
use crate::step_error::{ErrorKind, StepError};

fn http(config: HttpConfig) -> HttpClient {
    match HttpClient::new(config) {
        Ok(c) => c,
        Err(e) => panic!("client: {e}"),
    }
}

fn ctx() -> ActionContext {
    ActionContext {
        run_id: "run_1".into(),
        step_path: "call_api".into(),
        idempotency_key: "run_1:call_api".into(),
        attempt: 1,
        connection: None,
        http: http(HttpConfig::default()),
        timeout: None,
    }
}

async fn run_with(ctx: &ActionContext, props: Value) -> Result<Value, StepError> {
    RequestAction.run(ctx, props).await
}

async fn run(props: Value) -> Result<Value, StepError> {
    run_with(&ctx(), props).await
}

async fn ok(props: Value) -> Value {
    match run(props).await {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e:?}"),
    }
}

async fn err(props: Value) -> StepError {
    match run(props).await {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

/// A server answering every request with `template`.
async fn server(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(template).mount(&server).await;
    server
}

async fn json_server() -> MockServer {
    server(ResponseTemplate::new(200).set_body_json(json!({ "ok": true }))).await
}

async fn last_request(server: &MockServer) -> Request {
    match server.received_requests().await.and_then(|mut r| r.pop()) {
        Some(r) => r,
        None => panic!("the server received no request"),
    }
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn header_all(request: &Request, name: &str) -> Vec<String> {
    request
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

fn closed_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("bind: {e}"),
    }
}

#[tokio::test]
async fn sends_each_method() {
    let server = json_server().await;
    for m in ["GET", "post", "PUT", "Patch", "DELETE", "HEAD", "OPTIONS"] {
        let out = ok(json!({ "method": m, "url": format!("{}/items", server.uri()) })).await;
        let request = last_request(&server).await;
        assert_eq!(request.method.as_str(), m.to_ascii_uppercase());
        assert_eq!(request.url.path(), "/items");
        assert_eq!(out["status"], 200);
        if m == "HEAD" {
            assert_eq!(out["body"], Value::Null);
        } else {
            assert_eq!(out["body"], json!({ "ok": true }));
        }
    }
    // GET is the default.
    ok(json!({ "url": server.uri() })).await;
    assert_eq!(last_request(&server).await.method.as_str(), "GET");
}

#[tokio::test]
async fn sends_headers() {
    let server = json_server().await;
    ok(json!({
        "url": server.uri(),
        "headers": {
            "X-One": "1", "X-Num": 5, "X-Flag": true, "X-Multi": ["a", "b"], "X-Skip": null
        }
    }))
    .await;
    let request = last_request(&server).await;
    assert_eq!(header(&request, "x-one"), Some("1"));
    assert_eq!(header(&request, "x-num"), Some("5"));
    assert_eq!(header(&request, "x-flag"), Some("true"));
    assert_eq!(header_all(&request, "x-multi"), ["a", "b"]);
    assert!(request.headers.get("x-skip").is_none());
    assert_eq!(
        header(&request, "user-agent"),
        Some(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
    );
    assert!(request.headers.get("idempotency-key").is_none());
}

#[tokio::test]
async fn sends_query_with_arrays() {
    let server = json_server().await;
    ok(json!({
        "url": format!("{}/search?fixed=1", server.uri()),
        "query": { "q": "ada lovelace&co", "n": 3, "b": true, "tag": ["lead", 2], "skip": null }
    }))
    .await;
    let request = last_request(&server).await;
    assert_eq!(request.url.query(), Some("fixed=1&q=ada+lovelace%26co&n=3&b=true&tag=lead&tag=2"));
}

#[tokio::test]
async fn sends_json_body() {
    let server = json_server().await;
    let body = json!({ "email": "ada@example.com", "n": [1, 2] });
    ok(json!({ "method": "POST", "url": server.uri(), "body": body })).await;
    let request = last_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&request.body).ok(), Some(body));

    // A content type set in headers wins.
    ok(json!({
        "method": "POST", "url": server.uri(), "body_type": "json", "body": [1],
        "headers": { "Content-Type": "application/vnd.api+json" }
    }))
    .await;
    let request = last_request(&server).await;
    assert_eq!(header_all(&request, "content-type"), ["application/vnd.api+json"]);
    assert_eq!(request.body, b"[1]");
}

#[tokio::test]
async fn sends_form_body() {
    let server = json_server().await;
    ok(json!({
        "method": "POST", "url": server.uri(), "body_type": "form",
        "body": { "name": "Ada Lovelace", "tags": ["a", "b"], "n": 1, "gone": null }
    }))
    .await;
    let request = last_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(String::from_utf8_lossy(&request.body), "name=Ada+Lovelace&tags=a&tags=b&n=1");
}

#[tokio::test]
async fn sends_raw_body() {
    let server = json_server().await;
    ok(json!({
        "method": "POST", "url": server.uri(),
        "body_type": "raw", "body": "<a>1</a>", "content_type": "application/xml"
    }))
    .await;
    let request = last_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/xml"));
    assert_eq!(request.body, b"<a>1</a>");

    ok(json!({ "method": "POST", "url": server.uri(), "body_type": "RAW", "body": "hello" })).await;
    let request = last_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("text/plain"));
    assert_eq!(request.body, b"hello");
}

#[tokio::test]
async fn body_type_none_sends_nothing() {
    let server = json_server().await;
    ok(json!({ "method": "POST", "url": server.uri(), "body_type": "none", "body": { "x": 1 } }))
        .await;
    let request = last_request(&server).await;
    assert!(request.body.is_empty());
    assert!(request.headers.get("content-type").is_none());

    ok(json!({ "method": "POST", "url": server.uri() })).await;
    assert!(last_request(&server).await.body.is_empty());
}

#[tokio::test]
async fn applies_each_auth_kind() {
    let server = json_server().await;
    let url = format!("{}/x?keep=1", server.uri());

    ok(json!({ "url": url, "auth": { "type": "basic", "username": "user", "password": "pass" } }))
        .await;
    assert_eq!(header(&last_request(&server).await, "authorization"), Some("Basic dXNlcjpwYXNz"));

    ok(json!({ "url": url, "auth": { "type": "bearer", "token": "tok_123" } })).await;
    assert_eq!(header(&last_request(&server).await, "authorization"), Some("Bearer tok_123"));

    // Auth replaces a same-named header from `headers`.
    ok(json!({
        "url": url,
        "headers": { "X-Api-Key": "old" },
        "auth": { "type": "header", "name": "X-Api-Key", "value": "k_456" }
    }))
    .await;
    assert_eq!(header_all(&last_request(&server).await, "x-api-key"), ["k_456"]);

    ok(json!({ "url": url, "auth": { "type": "query", "name": "api_key", "value": "q 789" } }))
        .await;
    assert_eq!(last_request(&server).await.url.query(), Some("keep=1&api_key=q+789"));

    ok(json!({ "url": url, "auth": { "type": "none" } })).await;
    assert!(last_request(&server).await.headers.get("authorization").is_none());
}

#[tokio::test]
async fn uses_the_connection_when_auth_is_absent() {
    let server = json_server().await;
    let mut ctx = ctx();
    let mut values = serde_json::Map::new();
    values.insert("type".into(), json!("bearer"));
    values.insert("token".into(), json!("conn-token"));
    ctx.connection =
        Some(Connection { id: "c1".into(), name: "api".into(), piece: "http".into(), values });

    let run = |props| run_with(&ctx, props);
    assert!(run(json!({ "url": server.uri() })).await.is_ok());
    assert_eq!(header(&last_request(&server).await, "authorization"), Some("Bearer conn-token"));

    // The prop wins over the connection.
    assert!(
        run(json!({ "url": server.uri(), "auth": { "type": "bearer", "token": "prop-token" } }))
            .await
            .is_ok()
    );
    assert_eq!(header(&last_request(&server).await, "authorization"), Some("Bearer prop-token"));

    // A connection without a usable type is a connection error.
    let mut bad = ctx.clone();
    let mut values = serde_json::Map::new();
    values.insert("api_key".into(), json!("k"));
    bad.connection =
        Some(Connection { id: "c2".into(), name: "bad".into(), piece: "http".into(), values });
    let e = match run_with(&bad, json!({ "url": server.uri() })).await {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::Connection);
    assert!(e.message.contains("`type` is missing"), "{}", e.message);
}

#[tokio::test]
async fn idempotency_key_only_when_asked_and_not_set() {
    let server = json_server().await;
    ok(json!({ "method": "POST", "url": server.uri(), "send_idempotency_key": true })).await;
    assert_eq!(header(&last_request(&server).await, "idempotency-key"), Some("run_1:call_api"));

    ok(json!({
        "method": "POST", "url": server.uri(),
        "send_idempotency_key": "true", "headers": { "Idempotency-Key": "mine" }
    }))
    .await;
    assert_eq!(header_all(&last_request(&server).await, "idempotency-key"), ["mine"]);

    ok(json!({ "method": "POST", "url": server.uri() })).await;
    assert!(last_request(&server).await.headers.get("idempotency-key").is_none());
}

#[tokio::test]
async fn json_and_text_responses() {
    let json_resp = server(
        ResponseTemplate::new(200)
            .set_body_raw(r#"{"id":7}"#, "application/json; charset=utf-8")
            .append_header("X-Multi", "a")
            .append_header("X-Multi", "b"),
    )
    .await;
    let out = ok(json!({ "url": json_resp.uri() })).await;
    assert_eq!(out["status"], 200);
    assert_eq!(out["body"], json!({ "id": 7 }));
    assert_eq!(out["headers"]["content-type"], "application/json; charset=utf-8");
    assert_eq!(out["headers"]["x-multi"], "a, b");
    assert!(out.get("body_encoding").is_none());

    let out = ok(json!({ "url": json_resp.uri(), "response_format": "text" })).await;
    assert_eq!(out["body"], r#"{"id":7}"#);

    let text = server(ResponseTemplate::new(200).set_body_raw("hello", "text/plain")).await;
    assert_eq!(ok(json!({ "url": text.uri() })).await["body"], "hello");
    let e = err(json!({ "url": text.uri(), "response_format": "json" })).await;
    assert_eq!(e.kind, ErrorKind::Other);
    assert!(e.message.contains("not valid JSON"), "{}", e.message);

    // Auto parses JSON even when it is labelled as text.
    let mislabelled =
        server(ResponseTemplate::new(200).set_body_raw(r#"{"a":1}"#, "text/plain")).await;
    assert_eq!(ok(json!({ "url": mislabelled.uri() })).await["body"], json!({ "a": 1 }));

    let binary =
        server(ResponseTemplate::new(200).set_body_raw(vec![0xff_u8, 0x00, 0xfe], "image/png"))
            .await;
    let out = ok(json!({ "url": binary.uri() })).await;
    assert_eq!(out["body"], "/wD+");
    assert_eq!(out["body_encoding"], "base64");

    let empty = server(ResponseTemplate::new(204)).await;
    let out = ok(json!({ "url": empty.uri() })).await;
    assert_eq!(out["status"], 204);
    assert_eq!(out["body"], Value::Null);
}

#[tokio::test]
async fn error_status_fails_with_the_vendor_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/contacts/9"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({ "message": "Contact not found" })),
        )
        .mount(&server)
        .await;
    let url = format!("{}/contacts/9?api_key=secret-in-url", server.uri());
    let e = err(json!({ "url": url })).await;
    assert_eq!(e.kind, ErrorKind::Http);
    assert_eq!(e.status, Some(404));
    let host = server.address().to_string();
    assert_eq!(e.message, format!("{host} answered HTTP 404 Not Found: Contact not found"));
    assert!(!e.message.contains("secret-in-url"));
    assert_eq!(e.details, Some(json!({ "message": "Contact not found" })));
}

#[tokio::test]
async fn error_status_is_returned_when_asked() {
    let server =
        server(ResponseTemplate::new(404).set_body_json(json!({ "message": "Contact not found" })))
            .await;
    let out = ok(json!({ "url": server.uri(), "fail_on_error_status": false })).await;
    assert_eq!(out["status"], 404);
    assert_eq!(out["body"], json!({ "message": "Contact not found" }));
}

#[tokio::test]
async fn retry_after_seconds_and_date() {
    let limited = server(ResponseTemplate::new(429).insert_header("Retry-After", "7")).await;
    let e = err(json!({ "url": limited.uri() })).await;
    assert_eq!(e.status, Some(429));
    assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
    assert!(e.message.contains("429 Too Many Requests"), "{}", e.message);

    let date = (chrono::Utc::now() + chrono::Duration::seconds(90))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let unavailable =
        server(ResponseTemplate::new(503).insert_header("Retry-After", date.as_str())).await;
    let e = err(json!({ "url": unavailable.uri() })).await;
    assert_eq!(e.status, Some(503));
    let after = e.retry_after.unwrap_or_default();
    assert!(after > Duration::from_secs(85) && after <= Duration::from_secs(90), "{after:?}");
}

#[tokio::test]
async fn times_out() {
    let slow = server(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    let started = Instant::now();
    let e = err(json!({ "url": slow.uri(), "timeout_sec": 0.2 })).await;
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.message.contains("timed out after 200ms"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(2));

    // The step's timeout wins when it is the smaller one.
    let mut ctx = ctx();
    ctx.timeout = Some(Duration::from_millis(300));
    let e = match run_with(&ctx, json!({ "url": slow.uri(), "timeout_sec": "10" })).await {
        Ok(v) => panic!("expected a timeout, got {v}"),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.message.contains("300ms"), "{}", e.message);
}

#[tokio::test]
async fn refuses_oversized_responses() {
    let big = server(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 64 * 1024])).await;
    let mut ctx = ctx();
    ctx.http = http(HttpConfig { max_response_bytes: 16 * 1024, ..HttpConfig::default() });
    let e = match run_with(&ctx, json!({ "url": big.uri() })).await {
        Ok(v) => panic!("expected an error, got status {}", v["status"]),
        Err(e) => e,
    };
    assert!(e.message.contains("larger than the 16 KiB limit"), "{}", e.message);
    // Just under the limit passes.
    let fits = server(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 16 * 1024])).await;
    assert!(run_with(&ctx, json!({ "url": fits.uri(), "response_format": "text" })).await.is_ok());
}

#[tokio::test]
async fn network_error_names_the_host() {
    let port = closed_port();
    let e = err(json!({ "url": format!("http://127.0.0.1:{port}/hook?token=abc123") })).await;
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{}", e.message);
    assert!(!e.message.contains("abc123"), "{}", e.message);
}

#[tokio::test]
async fn redirects_are_followed_unless_disabled() {
    let server = MockServer::start().await;
    Mock::given(path("/old"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/new"))
        .mount(&server)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("moved")))
        .mount(&server)
        .await;
    let url = format!("{}/old", server.uri());
    assert_eq!(ok(json!({ "url": url })).await["body"], "moved");
    let out = ok(json!({ "url": url, "follow_redirects": false })).await;
    assert_eq!(out["status"], 302);
    assert_eq!(out["headers"]["location"], "/new");
}

#[tokio::test]
async fn redirects_keep_credentials_only_within_the_origin() {
    let other = json_server().await;
    let first = MockServer::start().await;
    Mock::given(path("/start"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/same"))
        .mount(&first)
        .await;
    Mock::given(path("/same"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/away", other.uri())),
        )
        .mount(&first)
        .await;
    for auth in [
        json!({ "type": "header", "name": "X-Api-Key", "value": "k_1" }),
        json!({ "type": "bearer", "token": "t_1" }),
    ] {
        let out = ok(json!({ "url": format!("{}/start", first.uri()), "auth": auth })).await;
        assert_eq!(out["body"], json!({ "ok": true }));
        let same = match first.received_requests().await.and_then(|r| r.last().cloned()) {
            Some(r) => r,
            None => panic!("no request"),
        };
        assert_eq!(same.url.path(), "/same");
        assert!(
            same.headers.contains_key("x-api-key") || same.headers.contains_key("authorization")
        );
        let away = last_request(&other).await;
        assert_eq!(away.url.path(), "/away");
        assert!(away.headers.get("x-api-key").is_none(), "{auth}");
        assert!(away.headers.get("authorization").is_none(), "{auth}");
    }
}

#[tokio::test]
async fn see_other_after_post_becomes_a_get_without_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/submit"))
        .respond_with(ResponseTemplate::new(303).insert_header("Location", "/result"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/result"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("done")))
        .mount(&server)
        .await;
    let out = ok(json!({
        "method": "POST", "url": format!("{}/submit", server.uri()), "body": { "a": 1 }
    }))
    .await;
    assert_eq!(out["body"], "done");
    let last = last_request(&server).await;
    assert!(last.body.is_empty());
    assert!(last.headers.get("content-type").is_none());
}

#[tokio::test]
async fn redirect_loops_stop() {
    let server = server(ResponseTemplate::new(302).insert_header("Location", "/again")).await;
    let e = err(json!({ "url": server.uri() })).await;
    assert_eq!(e.kind, ErrorKind::Other);
    assert!(e.message.contains("redirected more than 10 times"), "{}", e.message);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(11));
}

#[tokio::test]
async fn invalid_props_name_the_prop() {
    let cases = [
        (json!({}), "prop `url` is required"),
        (json!({ "url": "   " }), "prop `url` is required"),
        (
            json!({ "url": "api.example.com/x?key=s3cr3t" }),
            "prop `url`: `api.example.com/x` is not a valid URL",
        ),
        (json!({ "url": "ftp://example.com/file" }), "only http:// and https://"),
        (
            json!({ "url": "http://example.com", "method": "FETCH" }),
            "prop `method`: unknown method `FETCH`",
        ),
        (
            json!({ "url": "http://example.com", "body_type": "form", "body": "a=1" }),
            "prop `body`: body type `form` needs an object",
        ),
        (
            json!({ "url": "http://x.test", "body_type": "form", "body": { "a": { "b": 2 } } }),
            "prop `body`: `a` holds an object",
        ),
        (
            json!({ "url": "http://example.com", "body_type": "raw", "body": { "a": 1 } }),
            "prop `body`: body type `raw` needs text",
        ),
        (
            json!({ "url": "http://example.com", "body_type": "xml", "body": "x" }),
            "prop `body_type`: unknown value `xml`",
        ),
        (
            json!({ "url": "http://example.com", "headers": ["x"] }),
            "prop `headers` must be an object",
        ),
        (
            json!({ "url": "http://example.com", "headers": { "bad name": "x" } }),
            "prop `headers`: `bad name` is not a valid header name",
        ),
        (
            json!({ "url": "http://example.com", "headers": { "x": "a\nb" } }),
            "prop `headers`: the value of `x`",
        ),
        (
            json!({ "url": "http://example.com", "query": { "q": { "nested": 1 } } }),
            "prop `query`: `q` holds an object",
        ),
        (
            json!({ "url": "http://example.com", "auth": { "type": "digest" } }),
            "prop `auth`: unknown type `digest`",
        ),
        (
            json!({ "url": "http://example.com", "auth": { "type": "bearer" } }),
            "prop `auth`: `token` is missing",
        ),
        (json!({ "url": "http://example.com", "auth": "token" }), "prop `auth`: must be an object"),
        (
            json!({ "url": "http://example.com", "timeout_sec": -1 }),
            "prop `timeout_sec` must be a positive number",
        ),
        (
            json!({ "url": "http://example.com", "timeout_sec": "soon" }),
            "prop `timeout_sec` must be a number",
        ),
        (
            json!({ "url": "http://example.com", "response_format": "xml" }),
            "prop `response_format`: unknown value `xml`",
        ),
        (
            json!({ "url": "http://example.com", "fail_on_error_status": "maybe" }),
            "prop `fail_on_error_status` must be true or false",
        ),
        (json!("http://example.com"), "the props must be an object"),
    ];
    for (props, expected) in cases {
        let e = err(props.clone()).await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{props}");
        assert!(
            e.message.contains(expected),
            "{props}: `{}` does not contain `{expected}`",
            e.message
        );
        assert!(!e.message.contains("s3cr3t"), "{}", e.message);
    }
}
