//! Pauses (delay, wait) and resuming a run from its journal: finished steps are not executed again.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

use std::sync::Arc;

use serde_json::json;
use support::{edges, engine, flow};
use switchboard_engine::exec::{Pause, StepStatus};
use switchboard_engine::{MemoryJournal, Resume, RunEnv, RunRequest, RunStatus};

#[tokio::test]
async fn wait_pauses_then_resumes_with_the_posted_body_without_rerunning_steps() {
    let (engine, calls) = engine();
    let f = flow(
        json!([
            { "id": "before", "type": "action", "piece": "test", "action": "echo", "props": { "text": "ask {{ run.resume_urls.approval }}" } },
            { "id": "approval", "type": "wait", "timeout": "3d" },
            { "id": "after", "type": "action", "piece": "test", "action": "echo", "props": { "text": "{{ steps.approval.decision }}" } },
            { "id": "side", "type": "action", "piece": "test", "action": "echo", "props": {} }
        ]),
        edges(&[
            ("hook", "before"),
            ("before", "approval"),
            ("approval", "after"),
            ("hook", "side"),
        ]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let mut req = RunRequest::new(json!({ "body": {} }));
    req.resume_base_url = Some("https://sb.example/hooks/resume".into());
    let first = engine.run(&compiled, req.clone(), &env).await;
    assert_eq!(first.status, RunStatus::Paused);
    assert_eq!(first.pauses.len(), 1);
    let Pause::Wait { resume_token, timeout_at } = first.pauses[0].pause.clone() else {
        panic!("wait pause")
    };
    assert!(timeout_at.is_some());
    // The URL given to the earlier step is the one that resumes this wait.
    let asked = first.steps["before"].output.as_ref().unwrap()["props"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(asked, format!("ask https://sb.example/hooks/resume/{resume_token}"));
    assert_eq!(first.steps["approval"].status, StepStatus::Paused);
    assert!(!first.steps.contains_key("after"));
    assert_eq!(calls.count("before"), 1);
    assert_eq!(calls.count("side"), 1);

    let mut again = req.clone();
    again.prior = journal.latest();
    again.resume.insert("approval".into(), Resume::Body(json!({ "decision": "approved" })));
    let second = engine.run(&compiled, again, &env).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:#?}", second.error);
    assert_eq!(second.steps["approval"].output, Some(json!({ "decision": "approved" })));
    assert_eq!(second.steps["after"].output.as_ref().unwrap()["props"]["text"], json!("approved"));
    // Finished steps were restored, not run again.
    assert_eq!(calls.count("before"), 1);
    assert_eq!(calls.count("side"), 1);
    assert_eq!(calls.count("after"), 1);
}

#[tokio::test]
async fn a_paused_run_resumed_without_a_resume_stays_paused_with_the_same_token() {
    let (engine, _) = engine();
    let f = flow(json!([{ "id": "w", "type": "wait" }]), edges(&[("hook", "w")]));
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let req = RunRequest::new(json!({}));
    let first = engine.run(&compiled, req.clone(), &env).await;
    let mut again = req;
    again.prior = journal.latest();
    let second = engine.run(&compiled, again, &env).await;
    assert_eq!(second.status, RunStatus::Paused);
    assert_eq!(first.pauses, second.pauses);
}

#[tokio::test]
async fn wait_timeout_fails_or_continues() {
    let (engine, _) = engine();
    for (on_timeout, expected) in [("fail", RunStatus::Failed), ("continue", RunStatus::Succeeded)]
    {
        let f = flow(
            json!([{ "id": "w", "type": "wait", "timeout": "1h", "on_timeout": on_timeout }]),
            edges(&[("hook", "w")]),
        );
        let compiled = engine.compile(f).unwrap();
        let mut req = RunRequest::new(json!({}));
        req.resume.insert("w".into(), Resume::TimedOut);
        let r = engine.run(&compiled, req, &RunEnv::default()).await;
        assert_eq!(r.status, expected, "{on_timeout}");
        if on_timeout == "continue" {
            assert_eq!(r.steps["w"].output, Some(json!({ "timed_out": true })));
        }
    }
}

#[tokio::test]
async fn delay_pauses_until_its_wake_up_time() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "later", "type": "delay", "duration": "2h" }, { "id": "then", "type": "set", "values": { "ok": true } }]),
        edges(&[("hook", "later"), ("later", "then")]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let req = RunRequest::new(json!({}));
    let first = engine.run(&compiled, req.clone(), &env).await;
    assert_eq!(first.status, RunStatus::Paused);
    let Pause::Delay { wake_at } = first.pauses[0].pause else { panic!("delay pause") };
    let secs = (wake_at - chrono::Utc::now()).num_seconds();
    assert!((7190..=7200).contains(&secs), "{secs}");

    let mut again = req;
    again.prior = journal.latest();
    again.resume.insert("later".into(), Resume::WakeUp);
    let second = engine.run(&compiled, again, &env).await;
    assert_eq!(second.status, RunStatus::Succeeded);
    assert!(second.steps["later"].output.as_ref().unwrap()["resumed_at"].is_string());
    assert_eq!(second.steps["then"].output, Some(json!({ "ok": true })));
}

#[tokio::test]
async fn delay_until_a_past_time_does_not_pause_and_a_bad_time_fails() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "d", "type": "delay", "until": "{{ trigger.at }}" }]),
        edges(&[("hook", "d")]),
    );
    let compiled = engine.compile(f).unwrap();
    let r = engine
        .run(
            &compiled,
            RunRequest::new(json!({ "at": "2020-01-01T00:00:00Z" })),
            &RunEnv::default(),
        )
        .await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let r = engine
        .run(&compiled, RunRequest::new(json!({ "at": "next tuesday" })), &RunEnv::default())
        .await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.steps["d"].error.as_ref().unwrap().message.contains("RFC 3339"));
}

#[tokio::test]
async fn crash_recovery_resumes_from_the_journal_and_skips_finished_steps() {
    // Simulates a crash: the journal holds the first two steps; the third never finished.
    let (engine, calls) = engine();
    let f = flow(
        json!([
            { "id": "a", "type": "action", "piece": "test", "action": "echo", "props": { "text": "a" } },
            { "id": "gate", "type": "filter", "condition": "steps.a.props.text == \"a\"" },
            { "id": "b", "type": "action", "piece": "test", "action": "echo", "props": { "text": "{{ steps.a.props.text }}b" } }
        ]),
        edges(&[("hook", "a"), ("a", "gate"), ("gate", "b")]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let req = RunRequest::new(json!({}));
    let full = engine.run(&compiled, req.clone(), &env).await;
    assert_eq!(full.status, RunStatus::Succeeded);
    let mut prior = journal.latest();
    prior.remove("b");
    let mut again = req;
    again.prior = prior;
    let resumed = engine.run(&compiled, again, &RunEnv::default()).await;
    assert_eq!(resumed.status, RunStatus::Succeeded);
    assert_eq!(resumed.steps["b"].output.as_ref().unwrap()["props"]["text"], json!("ab"));
    assert_eq!(calls.count("a"), 1, "a finished before the crash: not run again");
    assert_eq!(
        calls.count("b"),
        2,
        "b was in flight: it runs again, with the same idempotency key"
    );
    let keys: Vec<_> = calls.all().iter().filter(|c| c.1 == "b").map(|c| c.3.clone()).collect();
    assert_eq!(keys[0], keys[1]);
}

#[tokio::test]
async fn a_filter_that_blocked_stays_blocking_after_resume() {
    let (engine, calls) = engine();
    let f = flow(
        json!([
            { "id": "gate", "type": "filter", "condition": "false" },
            { "id": "b", "type": "action", "piece": "test", "action": "echo", "props": {} },
            { "id": "w", "type": "wait" }
        ]),
        edges(&[("hook", "gate"), ("gate", "b"), ("hook", "w")]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let req = RunRequest::new(json!({}));
    engine.run(&compiled, req.clone(), &env).await;
    let mut again = req;
    again.prior = journal.latest();
    again.resume.insert("w".into(), Resume::Body(json!({})));
    let r = engine.run(&compiled, again, &env).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(r.steps["b"].status, StepStatus::Skipped);
    assert!(calls.all().is_empty());
}

#[tokio::test]
async fn loops_resume_finished_iterations_from_the_journal() {
    let (engine, calls) = engine();
    let f = flow(
        json!([{ "id": "each", "type": "loop", "items": "{{ [1, 2, 3] }}", "steps": [
            { "id": "say", "type": "action", "piece": "test", "action": "echo", "props": { "text": "{{ item }}" } },
            { "id": "ok", "type": "wait" }
        ], "edges": [{ "from": "say", "to": "ok" }] }]),
        edges(&[("hook", "each")]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    let req = RunRequest::new(json!({}));
    let first = engine.run(&compiled, req.clone(), &env).await;
    // Sequential loop: the first iteration pauses... and the others run until their own waits.
    assert_eq!(first.status, RunStatus::Paused);
    assert_eq!(first.steps["each"].status, StepStatus::Paused);
    let paused: Vec<String> = first.pauses.iter().map(|p| p.step.clone()).collect();
    assert_eq!(paused, vec!["each[0].ok", "each[1].ok", "each[2].ok"]);
    assert_eq!(calls.all().len(), 3);

    let mut again = req;
    again.prior = journal.latest();
    for p in &paused {
        again.resume.insert(p.clone(), Resume::Body(json!({ "fine": true })));
    }
    let second = engine.run(&compiled, again, &env).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:#?}", second.error);
    assert_eq!(calls.all().len(), 3, "the echo steps were not run again");
    assert_eq!(second.steps["each"].output.as_ref().unwrap()[1]["ok"], json!({ "fine": true }));
}

#[tokio::test]
async fn the_journal_gets_every_step_including_loop_bodies() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "each", "type": "loop", "items": "{{ [1, 2] }}", "steps": [{ "id": "x", "type": "set", "values": { "v": "{{ item }}" } }], "edges": [] },
            { "id": "done", "type": "set", "values": {} }
        ]),
        edges(&[("hook", "each"), ("each", "done")]),
    );
    let compiled = engine.compile(f).unwrap();
    let journal = Arc::new(MemoryJournal::default());
    let env = RunEnv { journal: journal.clone(), ..RunEnv::default() };
    engine.run(&compiled, RunRequest::new(json!({})), &env).await;
    let paths: Vec<String> = journal.entries().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, vec!["each[0].x", "each[1].x", "each", "done"]);
}
