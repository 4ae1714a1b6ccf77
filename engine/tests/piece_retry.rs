//! A spec'd piece inside a flow, against a mock of the vendor: a 429 with `Retry-After` is retried
//! after the delay the vendor asked for, a refusal in the vendor's words (Slack's `ok: false`) is
//! not retried, and the connection's secret never reaches the run record.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use switchboard_engine::exec::StepStatus;
use switchboard_engine::piece::{Connection, HttpConfig, StaticConnections};
use switchboard_engine::{Engine, RunEnv, RunRequest, RunStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "xoxb-secret-5b2e9c";

fn engine(slack: &MockServer) -> Engine {
    let mut config = HttpConfig::default();
    config.base_url_overrides.insert("slack".into(), slack.uri());
    Engine::with_builtin_pieces(config).unwrap()
}

fn env() -> RunEnv {
    let connection = Connection {
        id: "c1".into(),
        name: "slack".into(),
        piece: "slack".into(),
        values: json!({ "token": TOKEN }).as_object().cloned().unwrap(),
    };
    RunEnv { connections: Arc::new(StaticConnections::new([connection])), ..RunEnv::default() }
}

fn flow() -> switchboard_engine::Flow {
    serde_json::from_value(json!({
        "schema_version": 1, "name": "notify",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{
            "id": "post", "type": "action", "piece": "slack", "action": "send_message",
            "connection": "slack",
            "props": { "channel": "C0123456", "text": "Lead {{ trigger.body.from }}" },
            "retry": { "max_attempts": 3, "initial_delay_ms": 10, "jitter": false }
        }],
        "edges": [{ "from": "hook", "to": "post" }]
    }))
    .unwrap()
}

#[tokio::test]
async fn a_429_is_retried_after_the_vendors_retry_after() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "channel": "C0123456", "ts": "1.2" })),
        )
        .mount(&slack)
        .await;
    let engine = engine(&slack);
    let compiled = engine.compile(flow()).unwrap();
    let started = Instant::now();
    let record = engine
        .run(&compiled, RunRequest::new(json!({ "body": { "from": "+4915112345678" } })), &env())
        .await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    let step = &record.steps["post"];
    assert_eq!(step.attempts, 2);
    assert!(started.elapsed().as_millis() >= 950, "Retry-After: 1 was not honoured");
    assert_eq!(step.output.as_ref().unwrap()["ts"], "1.2");
    let sent = slack.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    let body: Value = serde_json::from_slice(&sent[1].body).unwrap();
    assert_eq!(body["text"], "Lead +4915112345678");
    assert!(!serde_json::to_string(&record).unwrap().contains(TOKEN));
}

#[tokio::test]
async fn a_refusal_in_the_vendors_words_is_not_retried() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "channel_not_found" })),
        )
        .mount(&slack)
        .await;
    let engine = engine(&slack);
    let compiled = engine.compile(flow()).unwrap();
    let record = engine.run(&compiled, RunRequest::new(json!({ "body": {} })), &env()).await;
    assert_eq!(record.status, RunStatus::Failed);
    let step = &record.steps["post"];
    assert_eq!(step.status, StepStatus::Failed);
    assert_eq!(step.attempts, 1);
    let error = step.error.as_ref().unwrap();
    assert_eq!(error.message, "Slack: channel_not_found");
    assert_eq!(slack.received_requests().await.unwrap().len(), 1);
}
