//! Auth on every private route, the owner's first start, sessions, API keys, and connections
//! encrypted at rest and never returned.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, anonymous_client, create_published, http_client};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PRIVATE_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/flows"),
    ("POST", "/api/v1/flows"),
    ("GET", "/api/v1/flows/x"),
    ("PUT", "/api/v1/flows/x"),
    ("DELETE", "/api/v1/flows/x"),
    ("POST", "/api/v1/flows/x/publish"),
    ("GET", "/api/v1/flows/x/versions"),
    ("GET", "/api/v1/flows/x/versions/1"),
    ("POST", "/api/v1/flows/x/enable"),
    ("POST", "/api/v1/flows/x/disable"),
    ("GET", "/api/v1/flows/x/export"),
    ("GET", "/api/v1/flows/x/samples"),
    ("POST", "/api/v1/flows/import"),
    ("GET", "/api/v1/runs"),
    ("GET", "/api/v1/runs/x"),
    ("POST", "/api/v1/runs/x/retry"),
    ("POST", "/api/v1/runs/x/cancel"),
    ("GET", "/api/v1/pieces"),
    ("GET", "/api/v1/connections"),
    ("POST", "/api/v1/connections"),
    ("GET", "/api/v1/connections/x"),
    ("PUT", "/api/v1/connections/x"),
    ("DELETE", "/api/v1/connections/x"),
    ("GET", "/api/v1/auth/me"),
    ("POST", "/api/v1/api-keys"),
    ("GET", "/api/v1/oauth2/x/start"),
    ("GET", "/api/v1/subscriptions"),
    ("POST", "/api/v1/subscriptions"),
    ("DELETE", "/api/v1/subscriptions/x"),
    ("GET", "/api/v1/subscriptions/samples"),
];

#[tokio::test]
async fn every_private_route_needs_credentials() {
    let dir = TempDir::new("auth-routes");
    let server = Server::start(dir.path(), &[], &[]);
    let anon = anonymous_client();
    for (m, p) in PRIVATE_ROUTES {
        let r =
            anon.request(m.parse().unwrap(), server.at(p)).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{m} {p}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], json!("unauthenticated"), "{m} {p}");
        // A wrong key is no better.
        let r = anon
            .request(m.parse().unwrap(), server.at(p))
            .bearer_auth("sb_key_wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{m} {p}");
    }
    // Public: health, readiness, auth status, webhooks (404 for an unknown flow, not 401).
    assert_eq!(anon.get(server.at("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(anon.get(server.at("/readyz")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        anon.get(server.at("/api/v1/auth/status")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        anon.post(server.at("/hooks/x")).json(&json!({})).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn owner_setup_sessions_and_api_keys() {
    let dir = TempDir::new("auth-owner");
    let server = Server::start(dir.path(), &[], &[]);
    let browser = anonymous_client();
    let status: Value =
        browser.get(server.at("/api/v1/auth/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["setup_required"], json!(true));

    // A weak password is refused with a message a person can act on.
    let r = browser
        .post(server.at("/api/v1/auth/setup"))
        .json(&json!({ "email": "ada@example.com", "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.json::<Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at least 8")
    );

    // Set-up signs the owner in (session cookie).
    let r = browser
        .post(server.at("/api/v1/auth/setup"))
        .json(&json!({ "email": "ada@example.com", "password": "correct horse battery" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let me: Value =
        browser.get(server.at("/api/v1/auth/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["email"], json!("ada@example.com"));
    // Only once.
    let r = anonymous_client()
        .post(server.at("/api/v1/auth/setup"))
        .json(&json!({ "email": "eve@example.com", "password": "correct horse battery" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // An API key made in the session works as a bearer token.
    let key: Value = browser
        .post(server.at("/api/v1/api-keys"))
        .json(&json!({ "name": "zapier" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = key["key"].as_str().unwrap();
    assert!(token.starts_with("sb_key_"));
    let r =
        anonymous_client().get(server.at("/api/v1/flows")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Sign out ends the session; a wrong password does not sign in; the right one does.
    assert_eq!(
        browser.post(server.at("/api/v1/auth/logout")).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        browser.get(server.at("/api/v1/auth/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let r = browser
        .post(server.at("/api/v1/auth/login"))
        .json(&json!({ "email": "ada@example.com", "password": "wrong password!" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = browser
        .post(server.at("/api/v1/auth/login"))
        .json(&json!({ "email": "ADA@example.com", "password": "correct horse battery" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        browser.get(server.at("/api/v1/auth/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn owner_from_the_environment() {
    let dir = TempDir::new("auth-env");
    let server = Server::start(
        dir.path(),
        &[],
        &[
            ("SWITCHBOARD_OWNER_EMAIL", "ops@example.com"),
            ("SWITCHBOARD_OWNER_PASSWORD", "a long enough password"),
        ],
    );
    let browser = anonymous_client();
    let status: Value =
        browser.get(server.at("/api/v1/auth/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["setup_required"], json!(false));
    let r = browser
        .post(server.at("/api/v1/auth/login"))
        .json(&json!({ "email": "ops@example.com", "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn connections_are_encrypted_at_rest_never_returned_and_used_by_steps() {
    const SECRET: &str = "pat-na1-7f3c2b1a-SUPER-SECRET-TOKEN";
    let crm = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "id": "123", "echo": SECRET })),
        )
        .expect(1)
        .mount(&crm)
        .await;
    let dir = TempDir::new("connections");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();

    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "crm-main", "piece": "http", "values": { "type": "bearer", "token": SECRET } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["fields"], json!(["type", "token"]));
    assert!(!created.to_string().contains(SECRET));
    let listed =
        client.get(server.at("/api/v1/connections")).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains("crm-main") && !listed.contains(SECRET));
    // Names are unique (on create and on rename); unknown pieces are refused.
    let other: Value = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "crm-other", "piece": "http", "values": {} }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client
        .put(server.at(&format!("/api/v1/connections/{}", other["id"].as_str().unwrap())))
        .json(&json!({ "name": "crm-main" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], json!("name_taken"));
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "crm-main", "piece": "http", "values": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "x", "piece": "nope", "values": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A step uses it by name; the secret reaches the vendor and nothing else.
    let doc = json!({
        "schema_version": 1, "name": "crm",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "contact", "type": "action", "piece": "http", "action": "request", "connection": "crm-main",
                    "props": { "method": "POST", "url": format!("{}/contacts", crm.uri()), "body": { "email": "{{ trigger.body.email }}" } } }],
        "edges": [{ "from": "hook", "to": "contact" }]
    });
    let id = create_published(&client, &server, &doc).await;
    let id = id.as_str();
    let r: Value = client
        .post(server.at(&format!("/hooks/{id}/sync")))
        .json(&json!({ "email": "a@b.c" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], json!("succeeded"), "{r}");
    let run_id = r["run_id"].as_str().unwrap();
    let record = client
        .get(server.at(&format!("/api/v1/runs/{run_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(record.contains("\"status\":201"), "{record}");
    assert!(!record.contains(SECRET), "the run record leaks the secret: {record}");
    assert!(record.contains("[redacted]"));

    // The database files never hold the secret's bytes.
    server.kill9();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{} holds the secret",
                p.display()
            );
        }
    }
}
