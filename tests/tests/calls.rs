//! Call-platform webhooks through the real server: a platform's own payload, verified, starts a
//! run whose `trigger.call` is the normalised call; a bad token is a 401 that starts nothing; the
//! platform's retry of the same call starts no second run.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, create_published, http_client, wait_for_run, workspace};

#[tokio::test]
async fn a_famulor_call_runs_a_flow_with_the_normalised_call() {
    let dir = TempDir::new("calls-famulor");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let doc = json!({
        "schema_version": 1, "name": "after the call",
        "trigger": { "id": "call", "piece": "call", "trigger": "famulor", "props": { "token": "famulor-url-token-9f2" } },
        "steps": [{ "id": "lead", "type": "set", "values": {
            "platform": "{{ trigger.call.platform }}", "id": "{{ trigger.call.call_id }}",
            "seconds": "{{ trigger.call.duration_sec }}" } }],
        "edges": [{ "from": "call", "to": "lead" }]
    });
    let id = create_published(&client, &server, &doc).await;
    let sample = std::fs::read_to_string(
        workspace().join("engine/src/pieces/call/samples/famulor-post_call.json"),
    )
    .unwrap();
    let payload: Value = serde_json::from_str(&sample).unwrap();
    let post = |token: &str| {
        reqwest::Client::new().post(server.at(&format!("/hooks/{id}?token={token}"))).json(&payload)
    };
    let r = post("wrong").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(body.contains("famulor") && !body.contains("famulor-url-token-9f2"), "{body}");

    let r = post("famulor-url-token-9f2").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run: Value = r.json().await.unwrap();
    let done = wait_for_run(&client, &server, run["run_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let lead = &done["steps"]["lead"]["output"];
    assert_eq!(lead["platform"], "famulor");
    assert!(lead["id"].is_string() || lead["id"].is_number(), "{lead}");

    // Famulor retrying the same call starts nothing new.
    let again: Value = post("famulor-url-token-9f2").send().await.unwrap().json().await.unwrap();
    assert_eq!(again["duplicate"], true);
}
