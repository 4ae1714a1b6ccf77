//! Pieces through the real server, against a local mock of the vendor's API: the catalog, a
//! dynamic select's options, the connection test run when a connection is saved, a spec'd action
//! in a flow, and Slack's approval buttons resuming a `wait` step through the confirmation page.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, create_published, http_client, wait_for_run};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "xoxb-test-3f9a1c";

async fn slack_mock() -> MockServer {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth.test"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "team": "Acme" })),
        )
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth.test"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "invalid_auth" })),
        )
        .mount(&slack)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations.list"))
        .and(query_param("limit", "200"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "channels": [{ "id": "C0123456", "name": "sales" }, { "id": "C0654321", "name": "leads" }],
            "response_metadata": { "next_cursor": "" }
        })))
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "ok": true, "channel": "C0123456", "ts": "1700000000.000100" }),
            ),
        )
        .mount(&slack)
        .await;
    slack
}

/// Saves the connection `slack` with the token the mock accepts (its test passes).
async fn save_slack_connection(client: &reqwest::Client, server: &Server) {
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "slack", "piece": "slack", "values": { "token": TOKEN } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

fn start(dir: &TempDir, slack: &MockServer) -> Server {
    Server::start(dir.path(), &[], &[("SWITCHBOARD_BASE_URL_SLACK", &slack.uri())])
}

#[tokio::test]
async fn the_catalog_lists_spec_pieces_with_their_forms() {
    let dir = TempDir::new("pieces-catalog");
    let slack = slack_mock().await;
    let server = start(&dir, &slack);
    let client = http_client();
    let catalog: Value =
        client.get(server.at("/api/v1/pieces")).send().await.unwrap().json().await.unwrap();
    let pieces = catalog["pieces"].as_array().unwrap();
    let ids: Vec<&str> = pieces.iter().filter_map(|p| p["id"].as_str()).collect();
    for id in ["slack", "hubspot", "salesforce", "google_sheets", "twilio", "sendgrid", "zapier"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let slack_meta = pieces.iter().find(|p| p["id"] == "slack").unwrap();
    assert_eq!(slack_meta["auth"], "bearer");
    assert_eq!(slack_meta["auth_fields"][0]["name"], "token");
    assert_eq!(slack_meta["auth_fields"][0]["secret"], true);
    let send = slack_meta["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "send_message")
        .unwrap();
    assert_eq!(send["props"][0]["options_from"]["action"], "list_channels");
    assert!(send["sample_output"]["ts"].is_string());
    let custom =
        slack_meta["actions"].as_array().unwrap().iter().any(|a| a["name"] == "custom_api_call");
    assert!(custom);
    let sheets = pieces.iter().find(|p| p["id"] == "google_sheets").unwrap();
    assert_eq!(sheets["oauth2"]["grant"], "authorization_code");
}

#[tokio::test]
async fn connections_are_tested_before_they_are_saved() {
    let dir = TempDir::new("pieces-connections");
    let slack = slack_mock().await;
    let server = start(&dir, &slack);
    let client = http_client();

    let bad = "xoxb-wrong-token-0000";
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "slack-bad", "piece": "slack", "values": { "token": bad } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("connection_test_failed") && body.contains("invalid_auth"), "{body}");
    assert!(!body.contains(bad), "the error quotes the secret: {body}");
    let list: Value =
        client.get(server.at("/api/v1/connections")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["connections"], json!([]), "a failed test saves nothing");

    // `test: false` saves without checking (e.g. an API that is not reachable yet).
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "slack-unchecked", "piece": "slack", "values": { "token": bad }, "test": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let unchecked: Value = r.json().await.unwrap();
    let r = client
        .post(server.at(&format!("/api/v1/connections/{}/test", unchecked["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    save_slack_connection(&client, &server).await;
    let r = client.post(server.at("/api/v1/connections/slack/test")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "ok": true }));
}

#[tokio::test]
async fn dynamic_selects_list_the_vendors_options() {
    let dir = TempDir::new("pieces-options");
    let slack = slack_mock().await;
    let server = start(&dir, &slack);
    let client = http_client();
    save_slack_connection(&client, &server).await;
    let r = client
        .post(server.at("/api/v1/pieces/slack/options"))
        .json(&json!({ "action": "send_message", "prop": "channel", "connection": "slack" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = r.json().await.unwrap();
    assert_eq!(
        got,
        json!({ "options": [{ "label": "sales", "value": "C0123456" }, { "label": "leads", "value": "C0654321" }] })
    );
    let r = client
        .post(server.at("/api/v1/pieces/slack/options"))
        .json(&json!({ "action": "send_message", "prop": "text", "connection": "slack" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = client
        .post(server.at("/api/v1/pieces/nope/options"))
        .json(&json!({ "action": "a", "prop": "b" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_slack_approval_resumes_the_wait_step_after_confirmation() {
    let dir = TempDir::new("pieces-approval");
    let slack = slack_mock().await;
    let server = start(&dir, &slack);
    let client = http_client();
    save_slack_connection(&client, &server).await;
    let doc = json!({
        "schema_version": 1, "name": "discount approval",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "ask", "type": "action", "piece": "slack", "action": "request_approval", "connection": "slack",
              "props": { "channel": "C0123456", "text": "Give *Acme* 20%?", "resume_url": "{{ run.resume_urls.approval }}" } },
            { "id": "approval", "type": "wait", "timeout": "1d" },
            { "id": "done", "type": "set", "values": { "decision": "{{ steps.approval.decision }}" } }
        ],
        "edges": [{ "from": "hook", "to": "ask" }, { "from": "ask", "to": "approval" }, { "from": "approval", "to": "done" }]
    });
    let id = create_published(&client, &server, &doc).await;
    let r: Value = client
        .post(server.at(&format!("/hooks/{id}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paused = wait_for_run(&client, &server, r["run_id"].as_str().unwrap()).await;
    assert_eq!(paused["status"], "paused", "{paused}");

    // The message Slack got carries the approve link.
    let sent = slack.received_requests().await.unwrap();
    let post = sent.iter().find(|r| r.url.path() == "/chat.postMessage").unwrap();
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    let approve = body["blocks"][1]["elements"][0]["url"].as_str().unwrap().to_owned();
    assert!(
        approve.starts_with(&server.at("/hooks/resume/"))
            && approve.ends_with("?decision=approved"),
        "{approve}"
    );

    // Opening the link (a browser, or a mail scanner) only shows a confirmation page.
    let page = reqwest::get(&approve).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\"") && html.contains("decision: approved"),
        "{html}"
    );
    let still = wait_for_run(&client, &server, paused["run_id"].as_str().unwrap()).await;
    assert_eq!(still["status"], "paused");

    // Confirming posts the form: the wait step's output is the link's answer.
    let r = reqwest::Client::new()
        .post(&approve)
        .header("accept", "text/html")
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("recorded"));
    let mut done = Value::Null;
    for _ in 0..100 {
        done = wait_for_run(&client, &server, paused["run_id"].as_str().unwrap()).await;
        if done["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["steps"]["done"]["output"], json!({ "decision": "approved" }));

    // The link works once.
    let again = reqwest::Client::new()
        .post(&approve)
        .header("accept", "text/html")
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

/// HMAC-SHA256, for signing test requests the way Slack does.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

#[tokio::test]
async fn slack_events_answer_the_challenge_and_start_runs_when_signed() {
    let dir = TempDir::new("pieces-slack-events");
    let slack = slack_mock().await;
    let server = start(&dir, &slack);
    let client = http_client();
    let secret = "slack-signing-secret-7c1d";
    let doc = json!({
        "schema_version": 1, "name": "mentions",
        "trigger": { "id": "slack", "piece": "slack", "trigger": "events", "props": { "signing_secret": secret, "event_types": ["app_mention"] } },
        "steps": [{ "id": "text", "type": "set", "values": { "text": "{{ trigger.event.text }}" } }],
        "edges": [{ "from": "slack", "to": "text" }]
    });
    let id = create_published(&client, &server, &doc).await;
    let post = |body: String, signature_secret: &'static str| {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let mac = hmac_sha256(signature_secret.as_bytes(), format!("v0:{ts}:{body}").as_bytes());
        let signature =
            format!("v0={}", mac.iter().map(|b| format!("{b:02x}")).collect::<String>());
        reqwest::Client::new()
            .post(server.at(&format!("/hooks/{id}")))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", signature)
            .body(body)
    };
    let r = post(
        json!({ "type": "url_verification", "challenge": "c-42", "token": "t" }).to_string(),
        secret,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "challenge": "c-42" }));

    let event = json!({ "type": "event_callback", "event_id": "Ev1", "team_id": "T1",
                        "event": { "type": "app_mention", "text": "<@U0> new lead" } })
    .to_string();
    let r = post(event.clone(), "not-the-secret").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = post(event.clone(), secret).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run: Value = r.json().await.unwrap();
    let done = wait_for_run(&client, &server, run["run_id"].as_str().unwrap()).await;
    assert_eq!(done["steps"]["text"]["output"], json!({ "text": "<@U0> new lead" }));
    // Slack's retry of the same event starts no second run.
    let again: Value = post(event, secret).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["duplicate"], true);
}
