//! Mid-call tools through the real server: the platform's request runs the flow once per tool
//! call, and the answer comes back in the platform's format — also when a run fails or is too
//! slow for the platform's timeout — on whichever hook URL the platform was given.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, all_runs, create_published, http_client, workspace};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "vapi-tool-secret-5c1";

fn sample(name: &str) -> String {
    std::fs::read_to_string(workspace().join(format!("engine/src/pieces/call/samples/{name}")))
        .unwrap()
}

/// Routes on the tool's name: `check_slot` answers through `respond` (a multi-line text),
/// `book_slot` calls the calendar (which fails in the test), anything else stops the run failed.
fn vapi_tool_flow(calendar: &str, timeout_sec: u64) -> Value {
    json!({
        "schema_version": 1, "name": "slot tools",
        "trigger": { "id": "tool", "piece": "call", "trigger": "vapi_tool",
                     "props": { "secret": SECRET, "timeout_sec": timeout_sec } },
        "steps": [
            { "id": "route", "type": "router", "mode": "first_match", "branches": [
                { "name": "check", "condition": "trigger.tool.name == \"check_slot\"" },
                { "name": "book", "condition": "trigger.tool.name == \"book_slot\"" },
                { "name": "other" } ] },
            { "id": "free", "type": "respond", "body": "{{ trigger.tool.arguments.day }}:\n14:30 and 16:00 are free" },
            { "id": "book", "type": "action", "piece": "http", "action": "request",
              "props": { "method": "POST", "url": format!("{calendar}/book"), "body": "{{ trigger.tool.arguments }}" } },
            { "id": "booked", "type": "respond", "body": { "booked": true, "id": "{{ steps.book.body.id }}" } },
            { "id": "unknown", "type": "stop", "outcome": "failed", "message": "no tool called {{ trigger.tool.name }}" }
        ],
        "edges": [
            { "from": "tool", "to": "route" },
            { "from": "route", "to": "free", "branch": "check" },
            { "from": "route", "to": "book", "branch": "book" },
            { "from": "book", "to": "booked" },
            { "from": "route", "to": "unknown", "branch": "other" }
        ]
    })
}

fn batch(call_id: &str, calls: &[(&str, &str, Value)]) -> Value {
    let list: Vec<Value> = calls
        .iter()
        .map(|(id, name, args)| {
            json!({ "id": id, "type": "function",
                    "function": { "name": name, "arguments": args.to_string() } })
        })
        .collect();
    json!({ "message": {
        "type": "tool-calls", "timestamp": 1_718_000_001_000_i64,
        "call": { "id": call_id, "type": "inboundPhoneCall" },
        "toolCallList": list,
        "toolWithToolCallList": []
    } })
}

async fn post_vapi(url: &str, body: &Value, secret: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("x-vapi-secret", secret)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_vapi_batch_is_answered_together_in_vapis_format_even_when_a_tool_fails() {
    let calendar = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/book"))
        .respond_with(ResponseTemplate::new(409).set_body_string("slot taken"))
        .mount(&calendar)
        .await;
    let dir = TempDir::new("tools-vapi");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let id = create_published(&client, &server, &vapi_tool_flow(&calendar.uri(), 20)).await;

    let body = batch(
        "call-batch-1",
        &[
            ("tc_check", "check_slot", json!({ "day": "Tuesday" })),
            ("tc_book", "book_slot", json!({ "day": "Tuesday", "time": "14:30" })),
            ("tc_odd", "transfer_call", json!({})),
        ],
    );
    // Vapi is given the async URL by mistake: a tool trigger answers there too.
    let r = post_vapi(&server.at(&format!("/hooks/{id}")), &body, SECRET).await;
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.unwrap();
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{answer}");
    assert_eq!(
        results[0],
        json!({ "name": "check_slot", "toolCallId": "tc_check", "result": "Tuesday: 14:30 and 16:00 are free" })
    );
    assert_eq!(results[1]["toolCallId"], "tc_book");
    let error = results[1]["error"].as_str().unwrap();
    assert!(error.contains("409") && !error.contains('\n'), "{error}");
    assert!(results[2]["error"].as_str().unwrap().contains("no tool called transfer_call"));
    assert_eq!(all_runs(&client, &server, &id).await.len(), 3);

    // Vapi retries the same request: the same answer, no new runs.
    let again: Value = post_vapi(&server.at(&format!("/hooks/{id}/sync")), &body, SECRET)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, answer);
    assert_eq!(all_runs(&client, &server, &id).await.len(), 3);

    // A wrong secret is refused before anything runs, and the refusal is there to see.
    let r = post_vapi(&server.at(&format!("/hooks/{id}")), &batch("c2", &[]), "guess").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(all_runs(&client, &server, &id).await.len(), 3);
    let mut refused = Value::Null;
    for _ in 0..100 {
        refused = client
            .get(server.at(&format!("/api/v1/flows/{id}/rejections")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !refused["rejections"].as_array().unwrap_or_else(|| panic!("{refused}")).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first = &refused["rejections"][0];
    assert_eq!(first["status"], 401, "{refused}");
    assert!(first["reason"].as_str().unwrap().contains("vapi"), "{first}");
    assert!(!refused.to_string().contains("guess"), "the guessed secret is redacted: {refused}");

    // The flow's view gives the URL to paste (sync) and where to paste it.
    let flow: Value = client
        .get(server.at(&format!("/api/v1/flows/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        flow["webhook_urls"]["platform"].as_str().unwrap().ends_with(&format!("/hooks/{id}/sync"))
    );
    assert!(flow["setup_hint"].as_str().unwrap().contains("Server URL"));
}

#[tokio::test]
async fn a_slow_tool_is_answered_before_the_platforms_timeout() {
    let calendar = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/book"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&calendar)
        .await;
    let dir = TempDir::new("tools-deadline");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let id = create_published(&client, &server, &vapi_tool_flow(&calendar.uri(), 1)).await;
    let body = batch("call-slow", &[("tc_slow", "book_slot", json!({ "day": "Friday" }))]);
    let started = Instant::now();
    let r = post_vapi(&server.at(&format!("/hooks/{id}/sync")), &body, SECRET).await;
    let took = started.elapsed();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.unwrap();
    assert!(answer["results"][0]["error"].as_str().unwrap().contains("too long"), "{answer}");
    // A 1 s platform timeout: the answer leaves at 0.75 s, before Vapi gives up.
    assert!(took < Duration::from_millis(1000), "answered after {took:?}");
    assert!(took >= Duration::from_millis(700), "answered after {took:?}");
}

#[tokio::test]
async fn retell_and_famulor_tools_answer_with_the_flows_respond_body() {
    let dir = TempDir::new("tools-retell-famulor");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let respond = |trigger: &str, props: Value| {
        json!({
            "schema_version": 1, "name": format!("{trigger} booking"),
            "trigger": { "id": "tool", "piece": "call", "trigger": trigger, "props": props },
            "steps": [
                { "id": "check", "type": "router", "mode": "first_match", "branches": [
                    { "name": "ok", "condition": "trigger.tool.arguments.date != \"\"" },
                    { "name": "bad" } ] },
                { "id": "answer", "type": "respond", "body": {
                    "status": "booked", "date": "{{ trigger.tool.arguments.date }}", "call": "{{ trigger.call.call_id }}" } },
                { "id": "fail", "type": "stop", "outcome": "failed", "message": "no date given" }
            ],
            "edges": [
                { "from": "tool", "to": "check" },
                { "from": "check", "to": "answer", "branch": "ok" },
                { "from": "check", "to": "fail", "branch": "bad" }
            ]
        })
    };

    // Retell: a custom-function request signed with the API key.
    let retell = create_published(
        &client,
        &server,
        &respond("retell_tool", json!({ "api_key": "key_retell_7" })),
    )
    .await;
    let body = sample("retell-tool_call.json");
    let now_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
            as i64;
    let signature =
        switchboard_engine::pieces::call::sign::retell(body.as_bytes(), "key_retell_7", now_ms);
    let r = reqwest::Client::new()
        .post(server.at(&format!("/hooks/{retell}/sync")))
        .header("content-type", "application/json")
        .header("x-retell-signature", &signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({ "status": "booked", "date": "2026-05-06", "call": "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6" })
    );
    let old = switchboard_engine::pieces::call::sign::retell(
        body.as_bytes(),
        "key_retell_7",
        now_ms - 10 * 60 * 1000,
    );
    let r = reqwest::Client::new()
        .post(server.at(&format!("/hooks/{retell}/sync")))
        .header("x-retell-signature", &old)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Famulor: the tool's parameters as a flat object, the URL token, the flow's answer as is;
    // a failing run still answers 200 with an error the agent can say.
    let famulor = create_published(
        &client,
        &server,
        &respond("famulor_tool", json!({ "token": "fam-tok-3" })),
    )
    .await;
    let url = server.at(&format!("/hooks/{famulor}/sync?token=fam-tok-3"));
    let ok: Value = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "customer_name": "Ada", "date": "2026-06-01" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["status"], "booked");
    assert_eq!(ok["date"], "2026-06-01");
    let r = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "customer_name": "Ada", "date": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({ "error": "the tool failed: no date given" })
    );
    let flow: Value = client
        .get(server.at(&format!("/api/v1/flows/{famulor}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        flow["webhook_urls"]["platform"].as_str().unwrap().ends_with("/sync?token=fam-tok-3"),
        "{flow}"
    );
}
