//! kill -9 the server while runs are in flight, start it again: every webhook that got a 2xx ends
//! in exactly one finished run, and steps that had finished are not executed again.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, create_published, http_client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WEBHOOKS: usize = 120;

fn hits_by_run(requests: &[wiremock::Request], route: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for r in requests.iter().filter(|r| r.url.path() == route) {
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        *out.entry(body["run"].as_str().unwrap().to_owned()).or_insert(0) += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_mid_flight_loses_nothing_and_repeats_no_finished_step() {
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/first"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&sink)
        .await;
    // The slow step: runs pile up here when the server is killed.
    Mock::given(method("POST"))
        .and(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_millis(700)),
        )
        .mount(&sink)
        .await;

    let dir = TempDir::new("crash");
    let server = Server::start(dir.path(), &["--workers", "64"], &[]);
    let client = http_client();
    let doc = json!({
        "schema_version": 1, "name": "crash",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "first", "type": "action", "piece": "http", "action": "request",
              "props": { "method": "POST", "url": format!("{}/first", sink.uri()), "body": { "run": "{{ run.id }}" } } },
            { "id": "slow", "type": "action", "piece": "http", "action": "request",
              "props": { "method": "POST", "url": format!("{}/slow", sink.uri()), "body": { "run": "{{ run.id }}" } } },
            { "id": "done", "type": "set", "values": { "ok": true } }
        ],
        "edges": [{ "from": "hook", "to": "first" }, { "from": "first", "to": "slow" }, { "from": "slow", "to": "done" }]
    });
    let flow_id = create_published(&client, &server, &doc).await;

    let url = server.at(&format!("/hooks/{flow_id}"));
    let sends = (0..WEBHOOKS).map(|i| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let r = client.post(&url).json(&json!({ "n": i })).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned()
        }
    });
    let acked: Vec<String> = futures_util::future::join_all(sends).await;

    // Let runs get into the slow step, note which had finished `first`, then kill -9.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut first_done = HashSet::new();
    for id in acked.iter().take(40) {
        let run: Value = client
            .get(server.at(&format!("/api/v1/runs/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if run["steps"]["first"]["status"] == json!("succeeded") {
            first_done.insert(id.clone());
        }
    }
    server.kill9();
    assert!(!first_done.is_empty(), "no run had finished its first step before the kill");

    let server = Server::start(dir.path(), &["--workers", "64"], &[]);
    let mut finished = false;
    for _ in 0..300 {
        let page: Value = client
            .get(server.at(&format!("/api/v1/runs?flow_id={flow_id}&status=succeeded&limit=500")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["runs"].as_array().unwrap().len() == WEBHOOKS {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(finished, "not every acknowledged webhook finished after the restart");

    // Exactly one run per acknowledged webhook.
    let all: Value = client
        .get(server.at(&format!("/api/v1/runs?flow_id={flow_id}&limit=500")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: HashSet<String> = all["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, acked.iter().cloned().collect::<HashSet<_>>());

    let requests = sink.received_requests().await.unwrap();
    let first = hits_by_run(&requests, "/first");
    let slow = hits_by_run(&requests, "/slow");
    for id in &acked {
        assert!(first.get(id).copied().unwrap_or(0) >= 1, "run {id} never ran `first`");
        assert!(slow.get(id).copied().unwrap_or(0) >= 1, "run {id} never ran `slow`");
    }
    // A step whose record was journaled before the crash is not executed again.
    for id in &first_done {
        assert_eq!(first.get(id).copied(), Some(1), "run {id} ran `first` again after the restart");
    }
    // Some runs really were interrupted mid-flight (they hit the slow step twice).
    assert!(slow.values().any(|&n| n >= 2), "the kill interrupted no run; the test proves nothing");
}
