//! The example flows in `flows/examples/` parse, validate and run with their sample payloads.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;

use serde_json::{Value, json};
use switchboard_engine::{
    Engine, HttpConfig, RunEnv, RunRequest, RunStatus, TriggerRequest, parse_flow,
};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../flows/examples")
}

fn load(name: &str) -> (switchboard_engine::CompiledFlow, Value, Engine) {
    let engine = Engine::with_builtin_pieces(HttpConfig::default()).unwrap();
    let text = std::fs::read_to_string(examples_dir().join(format!("{name}.json"))).unwrap();
    let flow = parse_flow(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let compiled = engine.compile(flow).unwrap_or_else(|p| panic!("{name}: {p:#?}"));
    let payload = std::fs::read(examples_dir().join(format!("{name}.payload.json"))).unwrap();
    let event = engine
        .trigger_event(&compiled, &TriggerRequest::json(&serde_json::from_slice(&payload).unwrap()))
        .unwrap();
    (compiled, event.output, engine)
}

#[test]
fn every_example_parses_and_validates() {
    let engine = Engine::with_builtin_pieces(HttpConfig::default()).unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.ends_with(".payload.json") {
            continue;
        }
        let flow = parse_flow(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let problems = engine.validate(&flow);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        seen += 1;
    }
    assert!(seen >= 2);
}

#[tokio::test]
async fn lead_router_scores_and_routes() {
    let (compiled, trigger, engine) = load("lead-router");
    let r = engine.run(&compiled, RunRequest::new(trigger), &RunEnv::default()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:#?}", r.error);
    assert_eq!(
        r.steps["clean"].output,
        Some(json!({ "phone": "+4915112345678", "name": "Ada Lovelace", "company": "unknown" }))
    );
    assert_eq!(r.response.unwrap().body, json!({ "score": 55, "route": "hot" }));
    assert_eq!(r.steps["warm"].status, switchboard_engine::StepStatus::Skipped);
}

#[tokio::test]
async fn call_completed_posts_to_the_sink() {
    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sink"))
        .and(body_json(json!({ "text": "Qualified lead +4915112345678: Interested in demo", "email": "lead@example.com" })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "received": true })))
        .expect(1)
        .mount(&sink)
        .await;
    let (compiled, trigger, engine) = load("call-completed");
    let mut req = RunRequest::new(trigger);
    req.vars.insert("sink_url".into(), json!(format!("{}/sink", sink.uri())));
    let r = engine.run(&compiled, req, &RunEnv::default()).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:#?}", r.error);
    assert_eq!(r.response.unwrap().body, json!({ "ok": true, "forwarded": true }));
    assert_eq!(r.steps["forward"].output.as_ref().unwrap()["body"], json!({ "received": true }));
}
