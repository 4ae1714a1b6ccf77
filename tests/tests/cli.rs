//! The `switchboard validate` and `switchboard run` commands, through the real binary.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use serde_json::{Value, json};
use switchboard_tests::{TempDir, switchboard};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn validate_accepts_the_examples() {
    for f in ["flows/examples/call-completed.json", "flows/examples/lead-router.json"] {
        let o = switchboard(&["validate", f], &[]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(stdout(&o).contains("valid"));
    }
}

#[test]
fn validate_lists_every_problem_and_exits_1() {
    let dir = TempDir::new("validate");
    let f = dir.write(
        "bad.json",
        &json!({
            "schema_version": 1, "name": "bad",
            "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
            "steps": [
                { "id": "a", "type": "filter", "condition": "trigger.body.x >" },
                { "id": "b", "type": "action", "piece": "nosuch", "action": "go", "props": {} },
                { "id": "c", "type": "set", "values": { "v": "{{ steps.zzz }}" } }
            ],
            "edges": [{ "from": "hook", "to": "a" }, { "from": "a", "to": "b" }, { "from": "a", "to": "ghost" }]
        })
        .to_string(),
    );
    let o = switchboard(&["validate", &f], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "steps[0].condition",
        "steps[1].piece: unknown piece `nosuch`",
        "edges[2].to",
        "steps[2]",
        "unknown step `zzz`",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    let o = switchboard(&["validate", "--json", &f], &[]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], json!(false));
    assert!(v["problems"].as_array().unwrap().len() >= 5);
}

#[test]
fn validate_reports_syntax_errors_with_line_and_column() {
    let dir = TempDir::new("syntax");
    let f = dir.write("broken.json", "{\n  \"schema_version\": 1,\n  \"name\": \"x\",,\n}");
    let o = switchboard(&["validate", &f], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
}

#[test]
fn run_prints_a_step_by_step_summary() {
    let o = switchboard(
        &[
            "run",
            "flows/examples/lead-router.json",
            "--payload",
            "flows/examples/lead-router.payload.json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("succeeded"), "{out}");
    assert!(out.contains("✓ clean"), "{out}");
    assert!(out.contains("– warm"), "{out}");
    assert!(out.contains("[2]"), "loop iterations are listed: {out}");
    assert!(out.contains("response: 200 {\"score\":55,\"route\":\"hot\"}"), "{out}");
}

#[tokio::test]
async fn run_json_prints_the_run_record_and_calls_the_sink() {
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": 1 })))
        .expect(1)
        .mount(&sink)
        .await;
    let dir = TempDir::new("run");
    let flow_text = std::fs::read_to_string(
        switchboard_tests::workspace().join("flows/examples/call-completed.json"),
    )
    .unwrap()
    .replace("http://127.0.0.1:18080/sink", &format!("{}/sink", sink.uri()));
    let f = dir.write("flow.json", &flow_text);
    let o = tokio::task::spawn_blocking(move || {
        switchboard(
            &["run", &f, "--payload", "flows/examples/call-completed.payload.json", "--json"],
            &[],
        )
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let record: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(record["status"], json!("succeeded"));
    assert_eq!(record["steps"]["qualified"]["output"], json!({ "passed": true }));
    assert_eq!(record["steps"]["forward"]["output"]["status"], json!(200));
    assert_eq!(record["response"]["body"], json!({ "ok": true, "forwarded": true }));
    for field in ["run_id", "started_at", "duration_ms"] {
        assert!(record.get(field).is_some(), "{field}");
    }
}

#[test]
fn a_failed_run_exits_1() {
    let dir = TempDir::new("fail");
    let f = dir.write(
        "stop.json",
        &json!({
            "schema_version": 1, "name": "stop",
            "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
            "steps": [{ "id": "halt", "type": "stop", "outcome": "failed", "message": "nope" }],
            "edges": [{ "from": "hook", "to": "halt" }]
        })
        .to_string(),
    );
    let o = switchboard(&["run", &f], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error: nope"), "{}", stdout(&o));
}

#[test]
fn user_create_makes_the_owner_once() {
    let dir = TempDir::new("user");
    let data = dir.path().to_string_lossy().into_owned();
    let o = switchboard(
        &["user", "create", "--email", "owner@example.com", "--data-dir", &data],
        &[("SWITCHBOARD_OWNER_PASSWORD", "long enough pw")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("created account owner@example.com"));
    let o = switchboard(
        &[
            "user",
            "create",
            "--email",
            "owner@example.com",
            "--password",
            "long enough pw",
            "--data-dir",
            &data,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("an account with this email exists"));
    let o = switchboard(
        &["user", "create", "--email", "x@example.com", "--password", "short", "--data-dir", &data],
        &[],
    );
    assert!(stderr(&o).contains("at least 8"), "{}", stderr(&o));
}
