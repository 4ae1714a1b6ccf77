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

    // The flows list shows each flow's latest run.
    let list: Value =
        client.get(server.at("/api/v1/flows")).send().await.unwrap().json().await.unwrap();
    let listed = list["flows"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap();
    assert_eq!(listed["last_run"]["run_id"], run["run_id"], "{listed}");
    assert_eq!(listed["last_run"]["status"], "succeeded");
    assert!(listed.get("document").is_none());

    // Famulor retrying the same call starts nothing new.
    let again: Value = post("famulor-url-token-9f2").send().await.unwrap().json().await.unwrap();
    assert_eq!(again["duplicate"], true);
}

#[tokio::test]
async fn the_editor_tests_a_draft_with_a_platform_sample_without_signing_it() {
    let dir = TempDir::new("calls-sample-test");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let doc = json!({
        "schema_version": 1, "name": "after a Vapi call",
        "trigger": { "id": "call", "piece": "call", "trigger": "vapi", "props": { "secret": "not-needed-here" } },
        "steps": [{ "id": "lead", "type": "set", "values": {
            "platform": "{{ trigger.call.platform }}", "seconds": "{{ trigger.call.duration_sec }}" } }],
        "edges": [{ "from": "call", "to": "lead" }]
    });
    let created: Value = client
        .post(server.at("/api/v1/flows"))
        .json(&doc)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let test = |body: Value| {
        client.post(server.at(&format!("/api/v1/flows/{id}/test"))).json(&body).send()
    };

    let r = test(json!({ "sample": "end-of-call-report" })).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let record: Value = r.json().await.unwrap();
    assert_eq!(record["status"], "succeeded", "{record}");
    assert_eq!(record["steps"]["lead"]["output"]["platform"], "vapi");
    // The outputs are the draft's sample data for the data picker.
    let samples: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}/samples")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(samples["samples"]["lead"]["platform"], "vapi", "{samples}");

    let own = test(json!({ "trigger": { "call": { "platform": "mine", "duration_sec": 3 } } }))
        .await
        .unwrap();
    let record: Value = own.json().await.unwrap();
    assert_eq!(record["steps"]["lead"]["output"]["platform"], "mine", "{record}");

    // One step alone: with the trigger's sample data (the last test's), or a value given here.
    let step = |body: Option<Value>| {
        let r = client.post(server.at(&format!("/api/v1/flows/{id}/steps/lead/test")));
        match body {
            Some(b) => r.json(&b).send(),
            None => r.send(),
        }
    };
    let alone: Value = step(None).await.unwrap().json().await.unwrap();
    assert_eq!(alone["status"], "succeeded", "{alone}");
    assert_eq!(alone["output"]["platform"], "mine", "the last test's trigger value: {alone}");
    let given: Value =
        step(Some(json!({ "trigger": { "call": { "platform": "retell", "duration_sec": 1 } } })))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(given["output"]["platform"], "retell", "{given}");
    let missing = client
        .post(server.at(&format!("/api/v1/flows/{id}/steps/nope/test")))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);

    for bad in [
        json!({ "sample": "no-such-event" }),
        json!({}),
        json!({ "sample": "status-update", "trigger": {} }),
    ] {
        let r = test(bad.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "invalid_test", "{e}");
    }
    // Anonymous callers cannot run drafts this way.
    let anonymous = reqwest::Client::new()
        .post(server.at(&format!("/api/v1/flows/{id}/test")))
        .json(&json!({ "sample": "end-of-call-report" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
