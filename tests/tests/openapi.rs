//! The OpenAPI document (`GET /api/v1/openapi.json`) against the real server: it is public, it is
//! OpenAPI 3.1, every route the router defines is documented with its method (and nothing else
//! is), private operations and only they declare a security requirement, and the document holds
//! together (every `$ref` resolves, path parameters match the templates, operation ids are unique).
//!
//! The routes are read from the router's source (`server/src/app.rs`, `server/src/api/mod.rs`), so
//! adding a route without documenting it fails here.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_tests::{Server, TempDir, anonymous_client, http_client, switchboard, workspace};

/// The HTTP methods the router source may use (`axum::routing::{get, post, …}`).
const METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head", "options", "trace"];

/// Operations that must be public whatever the source scan says (a sanity check of the scan).
const KNOWN_PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/auth/status"),
    ("post", "/api/v1/auth/setup"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/hooks/{flow_id}"),
    ("post", "/hooks/{flow_id}/sync"),
    ("post", "/hooks/{flow_id}/test"),
    ("post", "/hooks/resume/{token}"),
];

/// One route the router defines: `(method, path)` with whether it is behind the auth middleware.
type Routes = BTreeMap<(String, String), bool>;

fn source(relative: &str) -> String {
    let path = workspace().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every route of the router, from its source: `app.rs` (public, mounted at the root) and
/// `api/mod.rs` (mounted at `/api/v1`; the routes after `let private` are behind the auth layer).
fn router_routes() -> Routes {
    let app = source("server/src/app.rs");
    assert!(
        app.contains(r#".nest("/api/v1", api::router("#),
        "app.rs no longer nests api::router at /api/v1: update this test"
    );
    assert!(!app.contains("route_layer"), "app.rs gained an auth layer: update this test");
    let api = source("server/src/api/mod.rs");
    let split = api.find("let private").expect("api/mod.rs has a `let private` router");
    let (public, private) = api.split_at(split);
    assert!(
        private.contains("crate::auth::require"),
        "the private router is no longer behind crate::auth::require: update this test"
    );

    let mut routes = Routes::new();
    for (text, prefix, is_private) in
        [(app.as_str(), "", false), (public, "/api/v1", false), (private, "/api/v1", true)]
    {
        for (method, path) in scan_routes(text) {
            let key = (method, format!("{prefix}{path}"));
            assert!(routes.insert(key.clone(), is_private).is_none(), "route {key:?} twice");
        }
    }
    assert!(routes.len() > 30, "the scan found too few routes: {routes:?}");
    routes
}

/// The `(method, path)` pairs of every `.route("path", get(…).post(…))` call in `text`, a call
/// possibly spanning lines. Comment lines are skipped.
fn scan_routes(text: &str) -> Vec<(String, String)> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(".route(") {
        let args = &rest[at + ".route(".len()..];
        let end = closing_paren(args).unwrap_or_else(|| panic!("unbalanced .route({args}"));
        let call = &args[..end];
        let open = call.find('"').unwrap_or_else(|| panic!("no path in .route({call})"));
        let len = call[open + 1..].find('"').unwrap_or_else(|| panic!("bad path in {call}"));
        let path = &call[open + 1..open + 1 + len];
        let handlers = &call[open + 1 + len + 1..];
        let methods = methods_called(handlers);
        assert!(!methods.is_empty(), "no method router in .route({call})");
        for m in methods {
            out.push((m, path.to_owned()));
        }
        rest = &args[end..];
    }
    out
}

/// The index of the `)` closing the call whose arguments start `text`.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// The method names called as functions (`get(`, `.post(`) in a route's handler expression.
fn methods_called(handlers: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in handlers.char_indices() {
        let before = handlers[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        for m in METHODS {
            if handlers[i..].starts_with(&format!("{m}(")) {
                found.push((*m).to_owned());
            }
        }
        for unsupported in ["any(", "on(", "route_service(", "nest_service("] {
            assert!(
                !handlers[i..].starts_with(unsupported),
                "`{unsupported}` in a route: this test cannot tell its methods; update it"
            );
        }
    }
    found
}

/// Starts a server and fetches the document without credentials.
async fn fetch_document(tag: &str) -> (TempDir, Server, Value) {
    let dir = TempDir::new(tag);
    let server = Server::start(dir.path(), &[], &[]);
    let r = anonymous_client().get(server.at("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let content_type = r.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let text = r.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).expect("the document is JSON");
    (dir, server, doc)
}

/// Every `(method, path, operation)` of the document.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let paths = doc["paths"].as_object().expect("`paths` is an object");
    let mut out = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item is an object") {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_public_and_openapi_3_1() {
    let (_dir, server, doc) = fetch_document("openapi-public").await;
    let version = doc["openapi"].as_str().expect("`openapi` is a string");
    assert!(version.starts_with("3.1."), "openapi {version}");
    assert_eq!(doc["info"]["title"], "Switchboard API");
    assert!(doc["info"]["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(doc["servers"][0]["url"].as_str(), Some(server.url.as_str()));
    // Credentials are not needed, and they do not change the answer.
    let with_key = http_client().get(server.at("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(with_key.status(), StatusCode::OK);
    assert_eq!(with_key.json::<Value>().await.unwrap(), doc);
}

#[tokio::test]
async fn every_route_is_documented_with_its_method_and_nothing_else_is() {
    let (_dir, _server, doc) = fetch_document("openapi-routes").await;
    let routes = router_routes();
    let documented: BTreeSet<(String, String)> =
        operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let defined: BTreeSet<(String, String)> = routes.keys().cloned().collect();
    let missing: Vec<_> = defined.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without documentation: {missing:?}");
    let extra: Vec<_> = documented.difference(&defined).collect();
    assert!(extra.is_empty(), "documented operations the router does not define: {extra:?}");
}

#[tokio::test]
async fn private_operations_and_only_they_require_credentials() {
    let (_dir, server, doc) = fetch_document("openapi-security").await;
    let routes = router_routes();
    for (method, path) in KNOWN_PUBLIC {
        assert_eq!(
            routes.get(&((*method).to_owned(), (*path).to_owned())),
            Some(&false),
            "{method} {path} should be a public route"
        );
    }

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["type"], "apiKey");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "sb_session");
    assert_eq!(schemes["api_key"]["type"], "http");
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    assert!(doc.get("security").is_none(), "no document-wide security: public routes exist");

    let anon = anonymous_client();
    for (method, path, op) in operations(&doc) {
        let private = routes[&(method.clone(), path.clone())];
        let security = op.get("security");
        if private {
            let alternatives: BTreeSet<String> = security
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{method} {path} is private but has no `security`"))
                .iter()
                .flat_map(|req| {
                    let req = req.as_object().unwrap();
                    assert_eq!(req.len(), 1, "{method} {path}: schemes are alternatives");
                    req.keys().cloned()
                })
                .collect();
            let expected: BTreeSet<String> =
                ["api_key", "session_cookie"].into_iter().map(str::to_owned).collect();
            assert_eq!(alternatives, expected, "{method} {path}");
            assert!(op["responses"].get("401").is_some(), "{method} {path} documents no 401");
        } else {
            assert!(security.is_none(), "{method} {path} is public but has `security`");
        }

        // The server agrees: without credentials, private operations answer 401, public ones
        // never do (unknown ids answer 404, missing bodies 4xx of their own).
        let url = server.at(&path.replace("{flow_id}", "nope").replace("{token}", "nope"));
        let url = url.replace("{id}", "nope").replace("{version}", "1");
        let r = anon.request(method.to_uppercase().parse().unwrap(), &url).send().await.unwrap();
        if private {
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"]["code"], "unauthenticated", "{method} {path}");
        } else {
            assert_ne!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_document_holds_together() {
    let (_dir, _server, doc) = fetch_document("openapi-structure").await;

    // Every `$ref` resolves inside the document.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in &refs {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("non-local $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "unresolved $ref {r}");
    }

    let declared_tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .expect("`tags` is an array")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut operation_ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let what = format!("{method} {path}");
        for field in ["summary", "description", "operationId"] {
            assert!(op[field].as_str().is_some_and(|s| !s.is_empty()), "{what}: no {field}");
        }
        assert!(operation_ids.insert(op["operationId"].as_str().unwrap()), "{what}: id reused");
        let tags = op["tags"].as_array().unwrap_or_else(|| panic!("{what}: no tags"));
        assert!(!tags.is_empty(), "{what}: no tags");
        for t in tags {
            assert!(declared_tags.contains(t.as_str().unwrap()), "{what}: undeclared tag {t}");
        }

        // Path parameters are exactly the template's, and required.
        let template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let in_path: BTreeSet<String> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                assert_eq!(p["required"], true, "{what}: optional path parameter {p}");
                p["name"].as_str().unwrap().to_owned()
            })
            .collect();
        let template: BTreeSet<String> = template.into_iter().map(str::to_owned).collect();
        assert_eq!(in_path, template, "{what}: path parameters");
        for p in &params {
            assert!(p.get("schema").is_some(), "{what}: parameter without schema {p}");
        }

        if let Some(body) = op.get("requestBody") {
            let content = body["content"].as_object();
            assert!(content.is_some_and(|c| !c.is_empty()), "{what}: request body without content");
        }
        let responses =
            op["responses"].as_object().unwrap_or_else(|| panic!("{what}: no responses"));
        assert!(!responses.is_empty(), "{what}: no responses");
        for (status, response) in responses {
            assert!(
                status == "default" || status.parse::<u16>().is_ok_and(|s| (100..600).contains(&s)),
                "{what}: status {status}"
            );
            assert!(response["description"].as_str().is_some(), "{what} {status}: no description");
            // Every JSON error answers with the one shared error schema, but for the two
            // answers that are not API errors: readiness and a failed synchronous run.
            let not_api_errors = [("/readyz", "503"), ("/hooks/{flow_id}/sync", "500")];
            if (status.starts_with('4') || status.starts_with('5'))
                && !not_api_errors.contains(&(path.as_str(), status.as_str()))
                && let Some(schema) = response.pointer("/content/application~1json/schema")
            {
                assert_eq!(schema["$ref"], "#/components/schemas/ApiError", "{what} {status}");
            }
        }
    }

    // The shared error shape.
    let error = &doc["components"]["schemas"]["ApiError"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    let inner = &error["properties"]["error"];
    assert_eq!(inner["required"], serde_json::json!(["code", "message"]));
    for field in ["code", "message", "path", "problems"] {
        assert!(inner["properties"].get(field).is_some(), "ApiError.error.{field}");
    }

    // The flow document component is the engine's schema (`switchboard schema`), embedded.
    let out = switchboard(&["schema"], &[]);
    assert!(out.status.success());
    let engine: Value = serde_json::from_slice(&out.stdout).unwrap();
    let embedded = &doc["components"]["schemas"]["FlowDocument"];
    assert_eq!(embedded["required"], engine["required"]);
    assert_eq!(
        keys(&embedded["properties"]),
        keys(&engine["properties"]),
        "FlowDocument properties"
    );
    for name in keys(&engine["$defs"]) {
        assert!(
            doc["components"]["schemas"].get(format!("FlowDocument{name}")).is_some(),
            "FlowDocument{name}"
        );
    }
    let create = &doc["paths"]["/api/v1/flows"]["post"];
    assert_eq!(
        create.pointer("/requestBody/content/application~1json/schema/$ref"),
        Some(&Value::from("#/components/schemas/FlowDocument"))
    );
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == "$ref" => out.push(s.clone()),
                    other => collect_refs(other, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
