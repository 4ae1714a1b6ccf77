//! The server end to end: the real binary on a random port with a fresh data directory.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, all_runs, create_published, http_client, wait_for_run};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn flow_doc(sink: &str) -> Value {
    json!({
        "schema_version": 1,
        "name": "Call completed",
        "trigger": { "id": "call", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "qualified", "type": "filter", "condition": "trigger.body.qualified == true" },
            { "id": "notify", "type": "action", "piece": "http", "action": "request",
              "props": { "method": "POST", "url": format!("{sink}/sink"), "body": { "run": "{{ run.id }}", "from": "{{ trigger.body.from }}" } } },
            { "id": "answer", "type": "respond", "body": { "ok": true, "status": "{{ steps.notify.status }}" } }
        ],
        "edges": [
            { "from": "call", "to": "qualified" },
            { "from": "qualified", "to": "notify" },
            { "from": "notify", "to": "answer" }
        ]
    })
}

async fn sink() -> MockServer {
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": 1 })))
        .mount(&sink)
        .await;
    sink
}

#[tokio::test]
async fn flows_api_lifecycle_and_errors() {
    let dir = TempDir::new("flows-api");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let sink = sink().await;
    let doc = flow_doc(&sink.uri());

    // Create: 201 with id and the webhook URLs.
    let r = client.post(server.at("/api/v1/flows?folder=sales")).json(&doc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["folder"], json!("sales"));
    assert!(created["webhook_urls"]["async"].as_str().unwrap().ends_with(&format!("/hooks/{id}")));

    // List with search and folder.
    let list: Value = client
        .get(server.at("/api/v1/flows?search=call&folder=sales"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["flows"].as_array().unwrap().len(), 1);
    let list: Value = client
        .get(server.at("/api/v1/flows?search=nothing-like-this"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["flows"], json!([]));

    // Enabling before publishing is refused.
    let r = client.post(server.at(&format!("/api/v1/flows/{id}/enable"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], json!("not_published"));

    // A draft webhook is not live until enabled.
    let r = client.post(server.at(&format!("/hooks/{id}"))).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], json!("flow_not_enabled"));

    // Publish → version 1; a second publish → version 2; versions listed newest first.
    for expected in [1, 2] {
        let r =
            client.post(server.at(&format!("/api/v1/flows/{id}/publish"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.json::<Value>().await.unwrap()["version"], json!(expected));
    }
    let versions: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}/versions")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions["versions"][0]["version"], json!(2));
    let v1: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}/versions/1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v1["document"]["name"], json!("Call completed"));

    // PUT with a structural error: 422 with the JSON path and position.
    let bad = "{\"schema_version\": 1, \"name\": \"x\",\n \"trigger\": {\"id\": \"t\", \"piece\": \"webhook\", \"trigger\": \"catch\"},\n \"steps\": [{\"id\": \"s\", \"type\": \"set\", \"valuez\": {}}]}";
    let r = client.put(server.at(&format!("/api/v1/flows/{id}"))).body(bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], json!("invalid_flow"));
    assert_eq!(e["error"]["path"], json!("steps[0].valuez"));
    assert!(e["error"]["message"].as_str().unwrap().contains("line 3"), "{e}");

    // PUT with semantic problems is saved as a draft, with the problems; publishing it is refused.
    let mut incomplete = doc.clone();
    incomplete["steps"][1]["props"] = json!({ "method": "POST" });
    let r = client
        .put(server.at(&format!("/api/v1/flows/{id}")))
        .json(&incomplete)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["draft_changed"], json!(true));
    assert_eq!(saved["problems"][0]["path"], json!("steps[1].props.url"));
    let r = client.post(server.at(&format!("/api/v1/flows/{id}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["problems"][0]["path"], json!("steps[1].props.url"));

    // Malformed JSON.
    let r = client.post(server.at("/api/v1/flows")).body("{ not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Export then import makes a copy.
    let exported: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}/export")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client.post(server.at("/api/v1/flows/import")).json(&exported).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // Unknown ids: 404 with a code.
    let r = client.get(server.at("/api/v1/flows/nope")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], json!("flow_not_found"));

    // Delete.
    let r = client.delete(server.at(&format!("/api/v1/flows/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = client.get(server.at(&format!("/api/v1/flows/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Health, readiness, the pieces catalog.
    assert_eq!(client.get(server.at("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    let ready: Value = client.get(server.at("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], json!("ready"));
    let pieces: Value =
        client.get(server.at("/api/v1/pieces")).send().await.unwrap().json().await.unwrap();
    assert!(pieces["pieces"].as_array().unwrap().iter().any(|p| p["id"] == json!("http")));
}

#[tokio::test]
async fn webhooks_async_sync_test_and_idempotency() {
    let dir = TempDir::new("hooks");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let sink = sink().await;
    let id = create_published(&client, &server, &flow_doc(&sink.uri())).await;

    // Async: 202 with the run id, then the run succeeds with every step recorded.
    let r = client
        .post(server.at(&format!("/hooks/{id}")))
        .json(&json!({ "qualified": true, "from": "+4915112345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run_id = r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned();
    let run = wait_for_run(&client, &server, &run_id).await;
    assert_eq!(run["status"], json!("succeeded"), "{run}");
    assert_eq!(run["steps"]["qualified"]["output"], json!({ "passed": true }));
    assert_eq!(run["steps"]["notify"]["input"]["body"]["from"], json!("+4915112345678"));
    assert_eq!(run["steps"]["notify"]["output"]["status"], json!(200));
    assert_eq!(run["steps"]["call"]["output"]["body"]["from"], json!("+4915112345678"));

    // Sync: the respond step's body.
    let r = client
        .post(server.at(&format!("/hooks/{id}/sync")))
        .json(&json!({ "qualified": true, "from": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "ok": true, "status": 200 }));

    // Sync, filtered out: no respond step ran; the run's end answers.
    let r = client
        .post(server.at(&format!("/hooks/{id}/sync")))
        .json(&json!({ "qualified": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], json!("succeeded"));

    // Form-encoded and raw bodies are accepted too.
    let r = client
        .post(server.at(&format!("/hooks/{id}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("qualified=true&from=%2B1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = client
        .post(server.at(&format!("/hooks/{id}")))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    // Malformed JSON: 400 with the position.
    let r = client
        .post(server.at(&format!("/hooks/{id}")))
        .header("content-type", "application/json")
        .body("{\"a\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], json!("malformed_body"));

    // Unknown flow.
    let r = client.post(server.at("/hooks/does-not-exist")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Idempotency-Key: the same run, never a second one.
    let mut ids = HashSet::new();
    for _ in 0..3 {
        let r = client
            .post(server.at(&format!("/hooks/{id}")))
            .header("Idempotency-Key", "call-42-ended")
            .json(&json!({ "qualified": true }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        ids.insert(r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);

    // Test variant: runs the draft (even a changed one) and answers with the run record.
    let mut draft = flow_doc(&sink.uri());
    draft["steps"][2]["body"] = json!({ "draft": true });
    client.put(server.at(&format!("/api/v1/flows/{id}"))).json(&draft).send().await.unwrap();
    let r = client
        .post(server.at(&format!("/hooks/{id}/test")))
        .json(&json!({ "qualified": true, "from": "t" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let record: Value = r.json().await.unwrap();
    assert_eq!(record["test"], json!(true));
    assert_eq!(record["response"]["body"], json!({ "draft": true }));
    // …and its outputs become sample data for the editor.
    let samples: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}/samples")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(samples["samples"]["qualified"], json!({ "passed": true }));
    assert_eq!(samples["samples"]["call"]["body"]["from"], json!("t"));
    // The live webhook still runs the published version.
    let r = client
        .post(server.at(&format!("/hooks/{id}/sync")))
        .json(&json!({ "qualified": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["ok"], json!(true));

    // Prometheus metrics (public, like /healthz) count what happened.
    let metrics = switchboard_tests::anonymous_client()
        .get(server.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "switchboard_runs_total{status=\"succeeded\"}",
        "switchboard_webhooks_total{outcome=\"duplicate\"} 2",
        "switchboard_webhook_ingest_seconds_bucket",
        "switchboard_step_duration_seconds_count{piece=\"http\",status=\"succeeded\"}",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }
}

#[tokio::test]
async fn body_size_limit_is_a_clear_413() {
    let dir = TempDir::new("limit");
    let server = Server::start(
        dir.path(),
        &["--max-body-bytes", "1024", "--webhook-ack-status", "200"],
        &[],
    );
    let client = http_client();
    let sink = sink().await;
    let id = create_published(&client, &server, &flow_doc(&sink.uri())).await;
    // A small body is acknowledged with the configured status.
    let r = client
        .post(server.at(&format!("/hooks/{id}")))
        .json(&json!({ "qualified": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let big = json!({ "qualified": true, "blob": "x".repeat(4096) });
    let r = client.post(server.at(&format!("/hooks/{id}"))).json(&big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], json!("body_too_large"));
}

#[tokio::test]
async fn runs_api_filters_paginates_retries_and_cancels() {
    let dir = TempDir::new("runs");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    // A sink that fails: the runs fail at `notify`.
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&failing)
        .await;
    let id = create_published(&client, &server, &flow_doc(&failing.uri())).await;
    let mut run_ids = Vec::new();
    for _ in 0..5 {
        let r: Value = client
            .post(server.at(&format!("/hooks/{id}")))
            .json(&json!({ "qualified": true }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        run_ids.push(r["run_id"].as_str().unwrap().to_owned());
    }
    for r in &run_ids {
        let run = wait_for_run(&client, &server, r).await;
        assert_eq!(run["status"], json!("failed"));
        assert_eq!(run["error"]["step"], json!("notify"));
    }
    // Filters and pagination.
    let page: Value = client
        .get(server.at(&format!("/api/v1/runs?flow_id={id}&status=failed&limit=2")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["runs"].as_array().unwrap().len(), 2);
    assert!(page["next_cursor"].is_string());
    assert_eq!(all_runs(&client, &server, &id).await.len(), 5);
    let none: Value = client
        .get(server.at(&format!("/api/v1/runs?flow_id={id}&status=succeeded")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["runs"], json!([]));

    // Retry from the failed step once the sink works: `qualified` is not run again.
    failing.reset().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&failing)
        .await;
    let before: Value = client
        .get(server.at(&format!("/api/v1/runs/{}", run_ids[0])))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client
        .post(server.at(&format!("/api/v1/runs/{}/retry", run_ids[0])))
        .json(&json!({ "from": "failed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let after = wait_for_run(&client, &server, &run_ids[0]).await;
    assert_eq!(after["status"], json!("succeeded"), "{after}");
    assert_eq!(
        after["steps"]["qualified"]["started_at"],
        before["steps"]["qualified"]["started_at"]
    );
    // Retry from the start on the latest version.
    let r = client
        .post(server.at(&format!("/api/v1/runs/{}/retry", run_ids[1])))
        .json(&json!({ "from": "start", "version": "latest" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(wait_for_run(&client, &server, &run_ids[1]).await["status"], json!("succeeded"));
    // A bad retry body is a 400.
    let r = client
        .post(server.at(&format!("/api/v1/runs/{}/retry", run_ids[2])))
        .json(&json!({ "from": "middle" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Cancel: a finished run cannot be cancelled; a waiting one can.
    let r = client
        .post(server.at(&format!("/api/v1/runs/{}/cancel", run_ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let waiting = json!({
        "schema_version": 1, "name": "approval",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "approve", "type": "wait" }, { "id": "done", "type": "set", "values": { "decision": "{{ steps.approve.decision }}" } }],
        "edges": [{ "from": "hook", "to": "approve" }, { "from": "approve", "to": "done" }]
    });
    let wid = create_published(&client, &server, &waiting).await;
    let r: Value = client
        .post(server.at(&format!("/hooks/{wid}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paused = wait_for_run(&client, &server, r["run_id"].as_str().unwrap()).await;
    assert_eq!(paused["status"], json!("paused"));
    let r = client
        .post(server.at(&format!("/api/v1/runs/{}/cancel", paused["run_id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let got: Value = client
        .get(server.at(&format!("/api/v1/runs/{}", paused["run_id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["status"], json!("cancelled"));
}

#[tokio::test]
async fn wait_steps_park_and_resume_across_a_restart() {
    let dir = TempDir::new("resume");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let doc = json!({
        "schema_version": 1, "name": "approval",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "ask", "type": "set", "values": { "link": "{{ run.resume_urls.approve }}" } },
            { "id": "approve", "type": "wait", "timeout": "3d" },
            { "id": "done", "type": "set", "values": { "decision": "{{ steps.approve.decision }}" } }
        ],
        "edges": [{ "from": "hook", "to": "ask" }, { "from": "ask", "to": "approve" }, { "from": "approve", "to": "done" }]
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
    let run_id = r["run_id"].as_str().unwrap().to_owned();
    let paused = wait_for_run(&client, &server, &run_id).await;
    assert_eq!(paused["status"], json!("paused"));
    let link = paused["steps"]["ask"]["output"]["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&server.at("/hooks/resume/")), "{link}");
    let token = link.rsplit('/').next().unwrap().to_owned();

    // Restart: the paused run survives.
    server.kill9();
    let server = Server::start(dir.path(), &[], &[]);
    let r = client
        .post(server.at(&format!("/hooks/resume/{token}")))
        .json(&json!({ "decision": "approved" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let done = wait_for_run(&client, &server, &run_id).await;
    assert_eq!(done["status"], json!("succeeded"), "{done}");
    assert_eq!(done["steps"]["done"]["output"], json!({ "decision": "approved" }));
    // The token is spent.
    let r = client
        .post(server.at(&format!("/hooks/resume/{token}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delay_steps_wake_up() {
    let dir = TempDir::new("delay");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let doc = json!({
        "schema_version": 1, "name": "later",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "nap", "type": "delay", "duration": "1s" }, { "id": "done", "type": "set", "values": { "ok": true } }],
        "edges": [{ "from": "hook", "to": "nap" }, { "from": "nap", "to": "done" }]
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
    let run_id = r["run_id"].as_str().unwrap().to_owned();
    assert_eq!(wait_for_run(&client, &server, &run_id).await["status"], json!("paused"));
    for _ in 0..200 {
        let run: Value = client
            .get(server.at(&format!("/api/v1/runs/{run_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if run["status"] == json!("succeeded") {
            assert_eq!(run["steps"]["done"]["output"], json!({ "ok": true }));
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delay never woke up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_concurrent_webhooks_make_two_thousand_runs() {
    let dir = TempDir::new("burst");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let sink = sink().await;
    let id = create_published(&client, &server, &flow_doc(&sink.uri())).await;
    let url = server.at(&format!("/hooks/{id}"));
    let sends = (0..2000).map(|i| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let r = client
                .post(&url)
                .json(&json!({ "qualified": i % 2 == 0, "from": format!("+1{i}") }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned()
        }
    });
    let ids: Vec<String> = futures_util::future::join_all(sends).await;
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 2000);
    // Every run finishes exactly once.
    for _ in 0..600 {
        let runs = all_runs(&client, &server, &id).await;
        if runs.len() == 2000 && runs.iter().all(|r| r["status"] == json!("succeeded")) {
            let listed: HashSet<String> =
                runs.iter().map(|r| r["run_id"].as_str().unwrap().to_owned()).collect();
            assert_eq!(listed, ids.iter().cloned().collect::<HashSet<_>>());
            // Half were qualified: exactly 1,000 reached the sink.
            assert_eq!(sink.received_requests().await.unwrap().len(), 1000);
            return;
        }
        assert!(runs.len() <= 2000, "duplicated runs: {}", runs.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not every run finished");
}

#[tokio::test]
async fn schedules_fire_and_bad_schedules_are_refused() {
    let dir = TempDir::new("schedule");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let doc = |props: Value| {
        json!({
            "schema_version": 1, "name": "tick",
            "trigger": { "id": "clock", "piece": "schedule", "trigger": "interval", "props": props },
            "steps": [{ "id": "note", "type": "set", "values": { "at": "{{ trigger.scheduled_at }}" } }],
            "edges": [{ "from": "clock", "to": "note" }]
        })
    };
    // A bad interval: saved as a draft with the problem, refused at publish.
    let r: Value = client
        .post(server.at("/api/v1/flows"))
        .json(&doc(json!({ "every": "soon" })))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["problems"][0]["path"], json!("trigger.props.every"), "{r}");
    let bad_id = r["id"].as_str().unwrap();
    let r =
        client.post(server.at(&format!("/api/v1/flows/{bad_id}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A one-second interval fires, once per tick, with the scheduled time as its trigger.
    let id = create_published(&client, &server, &doc(json!({ "every": "1s" }))).await;
    let flow: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(flow["schedule"]["description"].is_string(), "{flow}");
    for _ in 0..100 {
        let runs: Value = client
            .get(server.at(&format!("/api/v1/runs?flow_id={id}&status=succeeded")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let runs = runs["runs"].as_array().unwrap();
        if runs.len() >= 2 {
            let first = wait_for_run(&client, &server, runs[0]["run_id"].as_str().unwrap()).await;
            assert!(
                first["steps"]["note"]["output"]["at"].as_str().unwrap().ends_with("+00:00"),
                "{first}"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the interval schedule did not fire twice in 10 s");
}

#[tokio::test]
async fn retention_keeps_the_newest_runs_per_flow() {
    let dir = TempDir::new("retention");
    let server = Server::start(
        dir.path(),
        &["--retention-runs-per-flow", "3", "--retention-every", "300ms"],
        &[],
    );
    let client = http_client();
    let sink = sink().await;
    let id = create_published(&client, &server, &flow_doc(&sink.uri())).await;
    let mut last = String::new();
    for i in 0..6 {
        let r = client
            .post(server.at(&format!("/hooks/{id}/sync")))
            .json(&json!({ "qualified": true, "from": i.to_string() }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let runs: Value = client
            .get(server.at(&format!("/api/v1/runs?flow_id={id}&limit=1")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        last = runs["runs"][0]["run_id"].as_str().unwrap().to_owned();
    }
    for _ in 0..100 {
        let runs = all_runs(&client, &server, &id).await;
        if runs.len() == 3 {
            assert!(runs.iter().any(|r| r["run_id"] == json!(last)), "the newest run was pruned");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("retention did not prune to 3 runs");
}

#[tokio::test]
async fn error_flows_and_per_flow_concurrency() {
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_millis(250)),
        )
        .mount(&slow)
        .await;
    Mock::given(method("POST"))
        .and(path("/broken"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "message": "bad email" })))
        .mount(&slow)
        .await;
    let dir = TempDir::new("errorflow");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();

    // The alert flow records what failed.
    let alert = create_published(&client, &server, &json!({
        "schema_version": 1, "name": "alert",
        "trigger": { "id": "failure", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "note", "type": "set", "values": { "text": "{{ trigger.body.flow_name }} failed: {{ trigger.body.error.message }}" } }],
        "edges": [{ "from": "failure", "to": "note" }]
    })).await;
    let failing = create_published(&client, &server, &json!({
        "schema_version": 1, "name": "CRM sync",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "push", "type": "action", "piece": "http", "action": "request", "props": { "method": "POST", "url": format!("{}/broken", slow.uri()) } }],
        "edges": [{ "from": "hook", "to": "push" }],
        "settings": { "error_flow": alert }
    })).await;
    let r: Value = client
        .post(server.at(&format!("/hooks/{failing}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        wait_for_run(&client, &server, r["run_id"].as_str().unwrap()).await["status"],
        json!("failed")
    );
    let mut alerted = None;
    for _ in 0..100 {
        let runs = all_runs(&client, &server, &alert).await;
        if let Some(run) = runs.first() {
            alerted = Some(wait_for_run(&client, &server, run["run_id"].as_str().unwrap()).await);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let alerted = alerted.expect("the error flow ran");
    let text = alerted["steps"]["note"]["output"]["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with("CRM sync failed: step `push` failed:") && text.contains("bad email"),
        "{text}"
    );

    // settings.concurrency = 1: runs of the flow never overlap.
    let sequential = create_published(&client, &server, &json!({
        "schema_version": 1, "name": "one at a time",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "call", "type": "action", "piece": "http", "action": "request", "props": { "method": "POST", "url": format!("{}/slow", slow.uri()) } }],
        "edges": [{ "from": "hook", "to": "call" }],
        "settings": { "concurrency": 1 }
    })).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r: Value = client
            .post(server.at(&format!("/hooks/{sequential}")))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(r["run_id"].as_str().unwrap().to_owned());
    }
    let mut spans = Vec::new();
    for id in &ids {
        let run = wait_for_run(&client, &server, id).await;
        let step = &run["steps"]["call"];
        let start = step["started_at"].as_str().unwrap().to_owned();
        spans.push((start, step["duration_ms"].as_f64().unwrap()));
    }
    spans.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in spans.windows(2) {
        let a = chrono_ms(&pair[0].0);
        let b = chrono_ms(&pair[1].0);
        assert!(b >= a + pair[0].1 - 1.0, "runs overlapped: {spans:?}");
    }
}

/// Milliseconds since the epoch of an RFC 3339 timestamp (no date crate needed for a test).
fn chrono_ms(s: &str) -> f64 {
    let (date, time) = s.split_once('T').unwrap();
    let day: f64 = date.rsplit('-').next().unwrap().parse().unwrap();
    let time = time.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: f64 = parts.next().unwrap().parse().unwrap();
    let m: f64 = parts.next().unwrap().parse().unwrap();
    let sec: f64 = parts.next().unwrap().parse().unwrap();
    (((day * 24.0 + h) * 60.0 + m) * 60.0 + sec) * 1000.0
}

#[tokio::test]
async fn subflows_run_as_their_own_runs() {
    let dir = TempDir::new("subflow");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let child = create_published(&client, &server, &json!({
        "schema_version": 1, "name": "normalise phone",
        "trigger": { "id": "input", "piece": "manual", "trigger": "run" },
        "steps": [{ "id": "out", "type": "set", "values": { "phone": "{{ e164(trigger.body.phone, \"DE\") }}" } }],
        "edges": [{ "from": "input", "to": "out" }]
    })).await;
    let parent = create_published(&client, &server, &json!({
        "schema_version": 1, "name": "parent",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "clean", "type": "subflow", "flow": child, "input": { "phone": "{{ trigger.body.phone }}" } },
            { "id": "answer", "type": "respond", "body": { "phone": "{{ steps.clean.phone }}" } }
        ],
        "edges": [{ "from": "hook", "to": "clean" }, { "from": "clean", "to": "answer" }]
    })).await;
    let r = client
        .post(server.at(&format!("/hooks/{parent}/sync")))
        .json(&json!({ "phone": "0151 1234 5678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "phone": "+4915112345678" }));
    // The child ran as a run of its own.
    assert_eq!(all_runs(&client, &server, &child).await.len(), 1);
}

#[tokio::test]
async fn a_sync_webhook_that_takes_too_long_is_a_504_and_the_run_goes_on() {
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&slow)
        .await;
    let dir = TempDir::new("sync-timeout");
    let server = Server::start(dir.path(), &["--sync-timeout", "300ms"], &[]);
    let client = http_client();
    let id = create_published(&client, &server, &flow_doc(&slow.uri())).await;
    let r = client
        .post(server.at(&format!("/hooks/{id}/sync")))
        .json(&json!({ "qualified": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], json!("timeout"));
    let runs = all_runs(&client, &server, &id).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        wait_for_run(&client, &server, runs[0]["run_id"].as_str().unwrap()).await["status"],
        json!("succeeded")
    );
}

#[tokio::test]
async fn a_document_is_validated_without_being_saved() {
    let dir = TempDir::new("validate");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let validate = |doc: Value| client.post(server.at("/api/v1/flows/validate")).json(&doc).send();
    let r = validate(json!({
        "schema_version": 1, "name": "draft",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "tidy", "type": "set", "values": { "x": "{{ steps.nowhere.y }}" } }],
        "edges": [{ "from": "hook", "to": "tidy" }]
    }))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let problem = &body["problems"][0];
    assert_eq!(problem["step"], "tidy", "{body}");
    assert!(problem["path"].as_str().unwrap().starts_with("steps[0]"), "{body}");
    let ok: Value = validate(json!({
        "schema_version": 1, "name": "fine",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" }, "steps": [], "edges": []
    }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(ok["problems"], json!([]));
    let broken = validate(json!({ "schema_version": 1, "name": 3 })).await.unwrap();
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let flows: Value =
        client.get(server.at("/api/v1/flows")).send().await.unwrap().json().await.unwrap();
    assert_eq!(flows["flows"], json!([]), "nothing was stored");
}
