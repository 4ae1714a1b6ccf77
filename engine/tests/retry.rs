//! Retry policies, timed with tokio's paused clock (no real waiting, exact delays).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

use serde_json::json;
use support::{edges, engine, flow, run};
use switchboard_engine::RunStatus;
use switchboard_engine::exec::StepStatus;

fn failing(props: serde_json::Value, retry: serde_json::Value) -> switchboard_engine::Flow {
    flow(
        json!([{ "id": "call", "type": "action", "piece": "test", "action": "fail", "props": props, "retry": retry }]),
        edges(&[("hook", "call")]),
    )
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_without_jitter_is_exact() {
    let (engine, calls) = engine();
    let f = failing(
        json!({ "times": 3, "status": 503 }),
        json!({ "max_attempts": 4, "backoff": "exponential", "initial_delay_ms": 1000, "jitter": false }),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let rec = &r.steps["call"];
    assert_eq!(rec.attempts, 4);
    // 1 s + 2 s + 4 s of backoff.
    assert!((rec.duration_ms - 7000.0).abs() < 5.0, "{}", rec.duration_ms);
    assert_eq!(calls.all().iter().map(|c| c.2).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
}

#[tokio::test(start_paused = true)]
async fn fixed_backoff_with_jitter_stays_within_a_quarter() {
    let (engine, _) = engine();
    let f = failing(
        json!({ "times": 2 }),
        json!({ "max_attempts": 3, "backoff": "fixed", "initial_delay_ms": 1000, "jitter": true }),
    );
    let r = run(&engine, f, json!({})).await;
    let d = r.steps["call"].duration_ms;
    assert!((1500.0..=2500.0).contains(&d), "{d}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_on_429() {
    let (engine, _) = engine();
    let f = failing(
        json!({ "times": 1, "status": 429, "retry_after_s": 7 }),
        json!({ "max_attempts": 2, "initial_delay_ms": 10, "jitter": false }),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert!((r.steps["call"].duration_ms - 7000.0).abs() < 5.0, "{}", r.steps["call"].duration_ms);
}

#[tokio::test(start_paused = true)]
async fn attempts_run_out_and_the_last_error_is_kept() {
    let (engine, calls) = engine();
    let f = failing(
        json!({ "status": 502 }),
        json!({ "max_attempts": 3, "initial_delay_ms": 100, "jitter": false }),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.steps["call"].status, StepStatus::Failed);
    assert_eq!(r.steps["call"].attempts, 3);
    assert_eq!(r.steps["call"].error.as_ref().unwrap().status, Some(502));
    assert_eq!(calls.all().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried_by_default() {
    let (engine, calls) = engine();
    let f = failing(json!({ "status": 404 }), json!({ "max_attempts": 5 }));
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.steps["call"].attempts, 1);
    assert_eq!(calls.all().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn any_retries_client_errors_too() {
    let (engine, _) = engine();
    let f = failing(
        json!({ "times": 1, "status": 404 }),
        json!({ "max_attempts": 2, "on": ["any"], "jitter": false }),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.steps["call"].attempts, 2);
}

#[tokio::test(start_paused = true)]
async fn network_errors_are_retried_by_default() {
    let (engine, _) = engine();
    let f = failing(json!({ "times": 2 }), json!({ "initial_delay_ms": 500, "jitter": false }));
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.steps["call"].attempts, 3);
    assert!((r.steps["call"].duration_ms - 1500.0).abs() < 5.0);
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_per_attempt() {
    let (engine, calls) = engine();
    let f = flow(
        json!([{ "id": "slow", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 10000 },
                 "timeout_sec": 1, "retry": { "max_attempts": 3, "initial_delay_ms": 100, "jitter": false } }]),
        edges(&[("hook", "slow")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.steps["slow"].attempts, 3);
    assert_eq!(calls.all().len(), 3);
    // 3 × 1 s timeouts + 100 ms + 200 ms backoff.
    assert!((r.steps["slow"].duration_ms - 3300.0).abs() < 5.0, "{}", r.steps["slow"].duration_ms);
}
