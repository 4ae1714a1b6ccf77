//! Every example of every action of every declared piece, replayed against a local mock server:
//! the request the action sends must be exactly the one the example documents (method, path,
//! query, the headers it names, body), and the output (or error) the one it gives.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value};
use switchboard_engine::piece::spec::{CannedResponse, Example, ExpectedRequest, PieceSpec};
use switchboard_engine::piece::{ActionContext, Connection, HttpClient, HttpConfig, Piece};
use switchboard_engine::pieces::declared;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers with the example's response, then each further page in turn.
struct Pages {
    pages: Vec<CannedResponse>,
    next: AtomicUsize,
}

impl Respond for Pages {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst).min(self.pages.len() - 1);
        let page = &self.pages[i];
        let mut t = ResponseTemplate::new(page.status);
        for (k, v) in &page.headers {
            t = t.insert_header(k.as_str(), v.as_str());
        }
        match &page.body {
            Value::String(s) => t.set_body_string(s.clone()),
            Value::Null => t,
            other => t.set_body_json(other),
        }
    }
}

/// Each example gets a connection of its own: the piece's rate limit spaces requests per
/// connection, and the examples are not one user's traffic.
fn context(spec: &PieceSpec, example: &Example, base: &str) -> ActionContext {
    let mut config = HttpConfig::default();
    config.base_url_overrides.insert(spec.id.clone(), base.to_owned());
    for name in spec.bases.keys() {
        config.base_url_overrides.insert(format!("{}_{name}", spec.id), base.to_owned());
    }
    let values: Map<String, Value> =
        example.auth.clone().unwrap_or_else(|| spec.auth.example.clone());
    ActionContext {
        run_id: "run-1".into(),
        step_path: "step".into(),
        idempotency_key: "run-1:step".into(),
        attempt: 1,
        connection: Some(Connection {
            id: format!("conn-{}", uuid_like(example)),
            name: "test".into(),
            piece: spec.id.clone(),
            values,
        }),
        http: HttpClient::new(config).unwrap(),
        timeout: None,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn uuid_like(example: &Example) -> String {
    format!("{:p}", std::ptr::from_ref(example))
}

fn form_fields(body: &[u8]) -> Value {
    let mut out = Map::new();
    for (k, v) in url_pairs(body) {
        out.insert(k, Value::String(v));
    }
    Value::Object(out)
}

fn url_pairs(text: &[u8]) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(text))).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Checks a request against what the example expects; returns what differs.
fn compare(want: &ExpectedRequest, request: &Request) -> Vec<String> {
    let mut diffs = Vec::new();
    if request.method.as_str() != want.method.to_ascii_uppercase() {
        diffs.push(format!("method: sent {}, expected {}", request.method, want.method));
    }
    if request.url.path() != want.path {
        diffs.push(format!("path: sent {}, expected {}", request.url.path(), want.path));
    }
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in request.url.query_pairs() {
        query.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    let expected: BTreeMap<String, Vec<String>> = want
        .query
        .iter()
        .map(|(k, v)| {
            let values = match v {
                Value::Array(items) => items.iter().map(text).collect(),
                other => vec![text(other)],
            };
            (k.clone(), values)
        })
        .collect();
    if query != expected {
        diffs.push(format!("query: sent {query:?}, expected {expected:?}"));
    }
    for (name, value) in &want.headers {
        let sent = request.headers.get(name.as_str()).and_then(|v| v.to_str().ok());
        if sent != Some(value.as_str()) {
            diffs.push(format!("header {name}: sent {sent:?}, expected {value:?}"));
        }
    }
    let content_type =
        request.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let sent_body: Option<Value> =
        if request.body.is_empty() {
            None
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            Some(form_fields(&request.body))
        } else {
            Some(serde_json::from_slice(&request.body).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&request.body).into_owned())
            }))
        };
    if sent_body != want.body {
        diffs.push(format!(
            "body: sent {}, expected {}",
            sent_body.map_or("nothing".into(), |b| b.to_string()),
            want.body.as_ref().map_or("nothing".into(), ToString::to_string)
        ));
    }
    diffs
}

/// Whether the piece's base URL is HTTP (or a template holding one, `{{auth.instance_url}}/…`).
/// Pieces of another protocol (`smtp://…`) have only Rust actions, whose own module replays the
/// examples against a server of that protocol.
fn speaks_http(spec: &PieceSpec) -> bool {
    match spec.base_url.split_once("://") {
        Some((scheme, _)) => {
            let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
            assert!(http || spec.actions.iter().all(|a| a.rust), "{}: HTTP actions", spec.id);
            http
        }
        None => true,
    }
}

#[tokio::test]
async fn every_example_of_every_declared_piece_sends_the_documented_request() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (file, text) in declared::selected() {
        let piece = declared::load(file, text).unwrap_or_else(|e| panic!("{e}"));
        let spec = piece.spec().clone();
        if !speaks_http(&spec) {
            continue;
        }
        for action in &spec.actions {
            for example in &action.examples {
                let label = format!("{}.{} \"{}\"", spec.id, action.name, example.name);
                let server = MockServer::start().await;
                let mut pages = vec![example.response.clone()];
                pages.extend(example.pages.iter().cloned());
                Mock::given(any())
                    .respond_with(Pages { pages, next: AtomicUsize::new(0) })
                    .mount(&server)
                    .await;
                let ctx = context(&spec, example, &server.uri());
                let code = piece.action(&action.name).unwrap();
                let result = code.run(&ctx, Value::Object(example.props.clone())).await;
                replayed += 1;
                let requests = server.received_requests().await.unwrap_or_default();
                match requests.first() {
                    Some(r) => {
                        for d in compare(&example.request, r) {
                            failures.push(format!("{label}: {d}"));
                        }
                    }
                    None => failures.push(format!("{label}: no request was sent")),
                }
                for (i, want) in example.then.iter().enumerate() {
                    match requests.get(i + 1) {
                        Some(r) => {
                            for d in compare(want, r) {
                                failures.push(format!("{label}: request {}: {d}", i + 2));
                            }
                        }
                        None => failures.push(format!("{label}: request {} was not sent", i + 2)),
                    }
                }
                let expected_requests = 1 + example.pages.len();
                if requests.len() != expected_requests {
                    failures.push(format!(
                        "{label}: sent {} requests, expected {expected_requests}",
                        requests.len()
                    ));
                }
                match (&result, &example.error, &example.output) {
                    (Err(e), Some(want), _) if e.message.contains(want.as_str()) => {}
                    (Err(e), Some(want), _) => {
                        failures.push(format!(
                            "{label}: error `{}` does not contain `{want}`",
                            e.message
                        ));
                    }
                    (Err(e), None, _) => failures.push(format!("{label}: failed: {}", e.message)),
                    (Ok(out), Some(_), _) => {
                        failures.push(format!("{label}: expected an error, got {out}"))
                    }
                    (Ok(out), None, Some(want)) if out != want => {
                        failures.push(format!("{label}: output {out}, expected {want}"));
                    }
                    (Ok(_), None, _) => {}
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_spec_loads_and_is_named_after_its_piece() {
    assert!(!declared::SPECS.is_empty());
    for (file, text) in declared::SPECS {
        let piece = declared::load(file, text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            format!("{}.json", piece.spec().id),
            *file,
            "a spec file is named after its piece id"
        );
    }
}

#[test]
fn declared_pieces_are_in_the_builtin_registry_with_a_custom_api_call() {
    let registry = switchboard_engine::piece::Registry::builtin();
    for (file, text) in declared::SPECS {
        let spec = PieceSpec::parse(file, text).unwrap();
        let piece =
            registry.get(&spec.id).unwrap_or_else(|| panic!("{} is not registered", spec.id));
        let offered = piece.meta().action("custom_api_call").is_some();
        assert_eq!(offered, spec.custom_api_call, "{}", spec.id);
        assert_eq!(piece.action("custom_api_call").is_some(), spec.custom_api_call, "{}", spec.id);
    }
}
