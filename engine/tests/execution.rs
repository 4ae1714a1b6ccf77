//! Every step type and scheduling rule, run through the real executor.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::{edges, engine, flow, run, run_with};
use switchboard_engine::exec::{Response, StepStatus};
use switchboard_engine::piece::{Connection, StaticConnections};
use switchboard_engine::{RunEnv, RunStatus};

fn status(record: &switchboard_engine::RunRecord, id: &str) -> StepStatus {
    record.steps.get(id).unwrap_or_else(|| panic!("no record for {id}: {:#?}", record.steps)).status
}

fn output(record: &switchboard_engine::RunRecord, id: &str) -> Value {
    record.steps[id].output.clone().unwrap_or(Value::Null)
}

#[tokio::test]
async fn set_templates_keep_types_or_interpolate() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "s", "type": "set", "values": {
            "typed_number": "{{ trigger.body.n }}",
            "typed_object": "{{ trigger.body.obj }}",
            "typed_array": "{{ trigger.body.list }}",
            "spaced": "  {{ trigger.body.n }}  ",
            "text": "n={{ trigger.body.n }}, obj={{ trigger.body.obj }}",
            "literal": 42,
            "nested": { "deep": ["{{ trigger.body.n + 1 }}"] }
        }}]),
        edges(&[("hook", "s")]),
    );
    let r = run(&engine, f, json!({ "n": 7, "obj": { "a": 1 }, "list": [1, 2] })).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(
        output(&r, "s"),
        json!({
            "typed_number": 7, "typed_object": { "a": 1 }, "typed_array": [1, 2], "spaced": 7,
            "text": "n=7, obj={\"a\":1}", "literal": 42, "nested": { "deep": [8] }
        })
    );
}

#[tokio::test]
async fn filter_false_skips_the_path_below_and_the_run_succeeds() {
    let (engine, calls) = engine();
    let f = flow(
        json!([
            { "id": "gate", "type": "filter", "condition": "trigger.body.qualified == true" },
            { "id": "after", "type": "action", "piece": "test", "action": "echo", "props": {} },
            { "id": "after2", "type": "set", "values": { "x": 1 } },
            { "id": "side", "type": "set", "values": { "y": 2 } }
        ]),
        edges(&[("hook", "gate"), ("gate", "after"), ("after", "after2"), ("hook", "side")]),
    );
    let r = run(&engine, f, json!({ "qualified": false })).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(output(&r, "gate"), json!({ "passed": false }));
    assert_eq!(status(&r, "after"), StepStatus::Skipped);
    assert_eq!(status(&r, "after2"), StepStatus::Skipped);
    assert_eq!(status(&r, "side"), StepStatus::Succeeded);
    assert!(calls.all().is_empty());
}

#[tokio::test]
async fn join_runs_once_when_any_parent_reached_it() {
    let (engine, calls) = engine();
    // hook → a (passes) → join ; hook → b (blocked) → join
    let f = flow(
        json!([
            { "id": "a", "type": "filter", "condition": "true" },
            { "id": "b", "type": "filter", "condition": "false" },
            { "id": "join", "type": "action", "piece": "test", "action": "echo", "props": {} }
        ]),
        edges(&[("hook", "a"), ("hook", "b"), ("a", "join"), ("b", "join")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(status(&r, "join"), StepStatus::Succeeded);
    assert_eq!(calls.count("join"), 1);
}

#[tokio::test]
async fn join_is_skipped_when_no_parent_reached_it() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "a", "type": "filter", "condition": "false" },
            { "id": "b", "type": "filter", "condition": "false" },
            { "id": "join", "type": "set", "values": {} }
        ]),
        edges(&[("hook", "a"), ("hook", "b"), ("a", "join"), ("b", "join")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(status(&r, "join"), StepStatus::Skipped);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn join_waits_for_every_parent() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "slow", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 40 } },
            { "id": "fast", "type": "set", "values": { "v": 1 } },
            { "id": "join", "type": "set", "values": { "slow": "{{ steps.slow.slept_ms }}", "fast": "{{ steps.fast.v }}" } }
        ]),
        edges(&[("hook", "slow"), ("hook", "fast"), ("slow", "join"), ("fast", "join")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(output(&r, "join"), json!({ "slow": 40, "fast": 1 }));
}

#[tokio::test]
async fn independent_branches_run_concurrently() {
    let (engine, _) = engine();
    let steps: Vec<Value> = (0..5)
        .map(|i| json!({ "id": format!("s{i}"), "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 200 } }))
        .collect();
    let e: Vec<(String, String)> = (0..5).map(|i| ("hook".to_owned(), format!("s{i}"))).collect();
    let e: Vec<(&str, &str)> = e.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let started = std::time::Instant::now();
    let r = run(&engine, flow(Value::Array(steps), edges(&e)), json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    // Five 200 ms sleeps one after another would take a second.
    assert!(started.elapsed() < std::time::Duration::from_millis(900), "{:?}", started.elapsed());
}

fn router_flow(mode: &str) -> switchboard_engine::Flow {
    flow(
        json!([
            { "id": "route", "type": "router", "mode": mode, "branches": [
                { "name": "big", "condition": "trigger.body.amount > 100" },
                { "name": "even", "condition": "trigger.body.amount % 2 == 0" },
                { "name": "other" }
            ]},
            { "id": "big_step", "type": "set", "values": {} },
            { "id": "even_step", "type": "set", "values": {} },
            { "id": "other_step", "type": "set", "values": {} }
        ]),
        json!([
            { "from": "hook", "to": "route" },
            { "from": "route", "to": "big_step", "branch": "big" },
            { "from": "route", "to": "even_step", "branch": "even" },
            { "from": "route", "to": "other_step", "branch": "other" }
        ]),
    )
}

#[tokio::test]
async fn router_first_match_takes_only_the_first() {
    let (engine, _) = engine();
    let r = run(&engine, router_flow("first_match"), json!({ "amount": 200 })).await;
    assert_eq!(output(&r, "route"), json!({ "branches": ["big"] }));
    assert_eq!(status(&r, "big_step"), StepStatus::Succeeded);
    assert_eq!(status(&r, "even_step"), StepStatus::Skipped);
    assert_eq!(status(&r, "other_step"), StepStatus::Skipped);
}

#[tokio::test]
async fn router_all_match_takes_every_match() {
    let (engine, _) = engine();
    let r = run(&engine, router_flow("all_match"), json!({ "amount": 200 })).await;
    assert_eq!(output(&r, "route"), json!({ "branches": ["big", "even"] }));
    assert_eq!(status(&r, "even_step"), StepStatus::Succeeded);
    assert_eq!(status(&r, "other_step"), StepStatus::Skipped);
}

#[tokio::test]
async fn router_fallback_only_when_nothing_matches() {
    let (engine, _) = engine();
    for mode in ["first_match", "all_match"] {
        let r = run(&engine, router_flow(mode), json!({ "amount": 7 })).await;
        assert_eq!(output(&r, "route"), json!({ "branches": ["other"] }), "{mode}");
        assert_eq!(status(&r, "other_step"), StepStatus::Succeeded);
        assert_eq!(status(&r, "big_step"), StepStatus::Skipped);
    }
}

#[tokio::test]
async fn loop_collects_outputs_in_item_order_sequentially() {
    let (engine, calls) = engine();
    let f = flow(
        json!([{ "id": "each", "type": "loop", "items": "{{ trigger.body.items }}",
            "steps": [
                { "id": "double", "type": "code", "script": "item * 2" },
                { "id": "say", "type": "action", "piece": "test", "action": "echo",
                  "props": { "text": "#{{ index }}: {{ steps.double }}" } }
            ],
            "edges": [{ "from": "double", "to": "say" }] }]),
        edges(&[("hook", "each")]),
    );
    let r = run(&engine, f, json!({ "items": [1, 2, 3] })).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let out = output(&r, "each");
    let doubles: Vec<Value> = out.as_array().unwrap().iter().map(|o| o["double"].clone()).collect();
    assert_eq!(doubles, vec![json!(2), json!(4), json!(6)]);
    assert_eq!(out[2]["say"]["props"]["text"], json!("#2: 6"));
    assert_eq!(calls.paths(), vec!["each[0].say", "each[1].say", "each[2].say"]);
    let iterations = r.steps["each"].iterations.as_ref().unwrap();
    assert_eq!(iterations.len(), 3);
    assert_eq!(iterations[1]["double"].output, Some(json!(4)));
}

#[tokio::test]
async fn loop_parallelism_overlaps_iterations_and_keeps_order() {
    let (engine, _) = engine();
    // Items sleep for decreasing times so they finish in reverse order.
    let f = flow(
        json!([{ "id": "each", "type": "loop", "items": "{{ trigger.body.items }}", "parallelism": 4,
            "steps": [{ "id": "nap", "type": "action", "piece": "test", "action": "sleep",
                        "props": { "ms": "{{ item }}", "tag": "{{ index }}" } }], "edges": [] }]),
        edges(&[("hook", "each")]),
    );
    let started = std::time::Instant::now();
    let r = run(&engine, f, json!({ "items": [300, 200, 100, 50] })).await;
    let elapsed = started.elapsed();
    let tags: Vec<Value> =
        output(&r, "each").as_array().unwrap().iter().map(|o| o["nap"]["tag"].clone()).collect();
    assert_eq!(tags, vec![json!(0), json!(1), json!(2), json!(3)]);
    assert!(
        elapsed < std::time::Duration::from_millis(600),
        "sequential would take 650 ms: {elapsed:?}"
    );
}

#[tokio::test]
async fn nested_loops_see_their_own_item_and_outer_steps() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "base", "type": "set", "values": { "k": 10 } },
            { "id": "outer", "type": "loop", "items": "{{ [1, 2] }}", "steps": [
                { "id": "o", "type": "set", "values": { "v": "{{ item }}" } },
                { "id": "inner", "type": "loop", "items": "{{ [100, 200] }}", "steps": [
                    { "id": "sum", "type": "code", "script": "item + steps.o.v + steps.base.k" }
                ], "edges": [] }
            ], "edges": [{ "from": "o", "to": "inner" }] }
        ]),
        edges(&[("hook", "base"), ("base", "outer")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{:#?}", r.error);
    let out = output(&r, "outer");
    assert_eq!(out[0]["inner"], json!([{ "sum": 111 }, { "sum": 211 }]));
    assert_eq!(out[1]["inner"], json!([{ "sum": 112 }, { "sum": 212 }]));
}

#[tokio::test]
async fn loop_over_a_non_array_fails_clearly() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "each", "type": "loop", "items": "{{ trigger.body }}", "steps": [{ "id": "x", "type": "set", "values": {} }], "edges": [] }]),
        edges(&[("hook", "each")]),
    );
    let r = run(&engine, f, json!({ "a": 1 })).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(
        r.steps["each"]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("`items` must give an array, got an object")
    );
}

#[tokio::test]
async fn code_step_returns_its_value() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "c", "type": "code", "script": "let total = 0;\nfor n in trigger.body.nums { total += n; }\n#{ total: total, count: trigger.body.nums.len() }" }]),
        edges(&[("hook", "c")]),
    );
    let r = run(&engine, f, json!({ "nums": [1, 2, 3, 4] })).await;
    assert_eq!(output(&r, "c"), json!({ "total": 10, "count": 4 }));
}

#[tokio::test]
async fn failing_expression_fails_the_step_with_expression_and_position() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "c", "type": "code", "script": "let x = 1;\nx + trigger.body.text.nope()" }]),
        edges(&[("hook", "c")]),
    );
    let r = run(&engine, f, json!({ "text": "hi" })).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.steps["c"].error.clone().unwrap();
    let expr = err.expression.expect("expression details");
    assert!(expr.expression.contains("nope()"));
    assert_eq!(expr.line, Some(2));
    assert!(err.message.contains("nope"), "{}", err.message);
    assert_eq!(r.error.clone().unwrap().step.as_deref(), Some("c"));
}

#[tokio::test]
async fn respond_sets_the_response_and_notifies_the_host_once() {
    let (engine, _) = engine();
    let seen: Arc<Mutex<Vec<Response>>> = Arc::default();
    let sink = seen.clone();
    let env = RunEnv {
        on_respond: Some(Arc::new(move |r: &Response| sink.lock().unwrap().push(r.clone()))),
        ..RunEnv::default()
    };
    let f = flow(
        json!([
            { "id": "r1", "type": "respond", "status": 201, "headers": { "X-Run": "{{ run.id }}" }, "body": { "ok": true, "n": "{{ trigger.body.n }}" } },
            { "id": "r2", "type": "respond", "body": "second" }
        ]),
        edges(&[("hook", "r1"), ("r1", "r2")]),
    );
    let r = run_with(&engine, f, json!({ "n": 3 }), &env).await;
    let resp = r.response.clone().unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.body, json!({ "ok": true, "n": 3 }));
    assert_eq!(resp.headers["x-run"], r.run_id);
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(r.output, Some(json!({ "ok": true, "n": 3 })));
}

#[tokio::test]
async fn stop_ends_the_run_with_its_outcome() {
    let (engine, calls) = engine();
    let f = |outcome: &str| {
        flow(
            json!([
                { "id": "halt", "type": "stop", "outcome": outcome, "message": "no budget: {{ trigger.body.budget }}" },
                { "id": "after", "type": "action", "piece": "test", "action": "echo", "props": {} }
            ]),
            edges(&[("hook", "halt"), ("halt", "after")]),
        )
    };
    let r = run(&engine, f("failed"), json!({ "budget": 0 })).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.error.clone().unwrap().message, "no budget: 0");
    assert_eq!(status(&r, "after"), StepStatus::Skipped);
    let r = run(&engine, f("succeeded"), json!({ "budget": 0 })).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert!(calls.all().is_empty());
}

#[tokio::test]
async fn disabled_step_is_skipped_but_passes_through() {
    let (engine, calls) = engine();
    let f = flow(
        json!([
            { "id": "off", "type": "action", "piece": "test", "action": "echo", "props": {}, "disabled": true },
            { "id": "next", "type": "set", "values": { "ran": true } }
        ]),
        edges(&[("hook", "off"), ("off", "next")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(status(&r, "off"), StepStatus::Skipped);
    assert_eq!(r.steps["off"].reason.as_deref(), Some("disabled"));
    assert_eq!(status(&r, "next"), StepStatus::Succeeded);
    assert!(calls.all().is_empty());
}

#[tokio::test]
async fn on_error_continue_turns_the_failure_into_output() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "bad", "type": "action", "piece": "test", "action": "fail", "props": { "status": 404 }, "on_error": "continue" },
            { "id": "next", "type": "set", "values": { "saw": "{{ steps.bad.error.status }}" } }
        ]),
        edges(&[("hook", "bad"), ("bad", "next")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    assert_eq!(status(&r, "bad"), StepStatus::Failed);
    assert_eq!(output(&r, "next"), json!({ "saw": 404 }));
}

#[tokio::test]
async fn a_failure_fails_the_run_and_skips_what_had_not_started() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "bad", "type": "action", "piece": "test", "action": "fail", "props": { "status": 400 } },
            { "id": "next", "type": "set", "values": {} }
        ]),
        edges(&[("hook", "bad"), ("bad", "next")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    let e = r.error.clone().unwrap();
    assert_eq!(e.step.as_deref(), Some("bad"));
    assert!(e.message.contains("Test: status 400"));
    assert_eq!(status(&r, "next"), StepStatus::Skipped);
}

#[tokio::test]
async fn step_timeout_fails_the_attempt() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "slow", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 5000 }, "timeout_sec": 0.05 }]),
        edges(&[("hook", "slow")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.steps["slow"].error.clone().unwrap();
    assert_eq!(err.kind, switchboard_engine::ErrorKind::Timeout);
    assert!(err.message.contains("timed out after 0.05 s"), "{}", err.message);
}

#[tokio::test(start_paused = true)]
async fn flow_timeout_fails_the_run_and_keeps_finished_steps() {
    let (engine, _) = engine();
    let mut f = flow(
        json!([
            { "id": "quick", "type": "set", "values": { "a": 1 } },
            { "id": "slow", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 60000 } }
        ]),
        edges(&[("hook", "quick"), ("quick", "slow")]),
    );
    f.settings.timeout_sec = Some(5);
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.error.clone().unwrap().message.contains("timed out after 5 s"));
    assert_eq!(status(&r, "quick"), StepStatus::Succeeded);
}

#[tokio::test]
async fn cancellation_ends_the_run() {
    let (engine, _) = engine();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let env = RunEnv { cancel: Some(rx), ..RunEnv::default() };
    let f = flow(
        json!([{ "id": "slow", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": 60000 } }]),
        edges(&[("hook", "slow")]),
    );
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        tx.send(true).ok();
        tx
    });
    let r = run_with(&engine, f, json!({}), &env).await;
    assert_eq!(r.status, RunStatus::Cancelled);
    drop(canceller.await);
}

#[tokio::test]
async fn connections_are_resolved_and_their_secrets_redacted() {
    let (engine, _) = engine();
    let env = RunEnv {
        connections: Arc::new(StaticConnections::new([Connection {
            id: "c1".into(),
            name: "main".into(),
            piece: "test".into(),
            values: serde_json::from_value(json!({ "api_key": "sk_live_supersecret" })).unwrap(),
        }])),
        ..RunEnv::default()
    };
    let f = flow(
        json!([{ "id": "e", "type": "action", "piece": "test", "action": "echo", "connection": "main",
                 "props": { "text": "key is {{ trigger.body.k }}", "token": "tok_123456" } }]),
        edges(&[("hook", "e")]),
    );
    let r = run_with(&engine, f, json!({ "k": "sk_live_supersecret" }), &env).await;
    assert_eq!(r.status, RunStatus::Succeeded);
    let text = serde_json::to_string(&r.steps["e"]).unwrap();
    assert!(!text.contains("sk_live_supersecret"), "{text}");
    assert!(!text.contains("tok_123456"), "{text}");
    assert_eq!(r.steps["e"].input.as_ref().unwrap()["token"], json!("[redacted]"));
    assert_eq!(output(&r, "e")["connection"], json!("main"));
}

#[tokio::test]
async fn missing_connection_fails_the_step() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "e", "type": "action", "piece": "test", "action": "echo", "connection": "nope", "props": {} }]),
        edges(&[("hook", "e")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.steps["e"].error.as_ref().unwrap().message.contains("connection `nope` not found"));
}

struct EchoSubflows;
impl switchboard_engine::exec::Subflows for EchoSubflows {
    fn run<'a>(
        &'a self,
        flow: &'a str,
        input: Value,
        wait: bool,
        key: &'a str,
    ) -> switchboard_engine::piece::BoxFuture<'a, Result<Value, switchboard_engine::StepError>>
    {
        Box::pin(
            async move { Ok(json!({ "flow": flow, "input": input, "waited": wait, "key": key })) },
        )
    }
}

#[tokio::test]
async fn subflow_calls_the_host() {
    let (engine, _) = engine();
    let env = RunEnv { subflows: Arc::new(EchoSubflows), ..RunEnv::default() };
    let f = flow(
        json!([{ "id": "sub", "type": "subflow", "flow": "enrich", "input": { "phone": "{{ trigger.body.p }}" } }]),
        edges(&[("hook", "sub")]),
    );
    let r = run_with(&engine, f, json!({ "p": "+1555" }), &env).await;
    assert_eq!(
        output(&r, "sub"),
        json!({ "flow": "enrich", "input": { "phone": "+1555" }, "waited": true, "key": format!("{}:sub", r.run_id) })
    );
    // Without a host that runs subflows the step fails clearly.
    let f = flow(
        json!([{ "id": "sub", "type": "subflow", "flow": "enrich" }]),
        edges(&[("hook", "sub")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert!(
        r.steps["sub"]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("subflows need the Switchboard server")
    );
}

#[tokio::test]
async fn output_is_the_last_succeeded_step_without_respond() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "a", "type": "set", "values": { "x": 1 } }, { "id": "b", "type": "set", "values": { "y": 2 } }]),
        edges(&[("hook", "a"), ("a", "b")]),
    );
    let r = run(&engine, f, json!({})).await;
    assert_eq!(r.output, Some(json!({ "y": 2 })));
    assert_eq!(r.steps["hook"].output, Some(json!({ "body": {} })));
}

#[tokio::test]
async fn vars_and_run_are_in_scope() {
    let (engine, _) = engine();
    let mut f = flow(
        json!([{ "id": "a", "type": "set", "values": { "channel": "{{ vars.channel }}", "has_id": "{{ run.id.len() > 0 }}" } }]),
        edges(&[("hook", "a")]),
    );
    f.vars.insert("channel".into(), json!("#sales"));
    let r = run(&engine, f, json!({})).await;
    assert_eq!(output(&r, "a"), json!({ "channel": "#sales", "has_id": true }));
}

#[tokio::test]
async fn steps_can_read_the_trigger_by_its_id() {
    let (engine, _) = engine();
    let f = flow(
        json!([{ "id": "a", "type": "set", "values": { "n": "{{ steps.hook.body.n }}" } }]),
        edges(&[("hook", "a")]),
    );
    let r = run(&engine, f, json!({ "n": 5 })).await;
    assert_eq!(output(&r, "a"), json!({ "n": 5 }));
}

#[tokio::test]
async fn runs_never_compile_expressions() {
    let (engine, _) = engine();
    let f = flow(
        json!([
            { "id": "gate", "type": "filter", "condition": "trigger.body.n > 1" },
            { "id": "s", "type": "set", "values": { "a": "{{ trigger.body.n * 2 }}", "b": "x{{ trigger.body.n }}" } },
            { "id": "c", "type": "code", "script": "let t = 0; for i in 0..10 { t += i; } t" }
        ]),
        edges(&[("hook", "gate"), ("gate", "s"), ("s", "c")]),
    );
    let compiled = engine.compile(f).unwrap();
    let after_compile = engine.expr().compilations();
    assert!(after_compile >= 4);
    for _ in 0..5 {
        let r = engine
            .run(
                &compiled,
                switchboard_engine::RunRequest::new(json!({ "body": { "n": 3 } })),
                &RunEnv::default(),
            )
            .await;
        assert_eq!(r.status, RunStatus::Succeeded);
    }
    assert_eq!(engine.expr().compilations(), after_compile);
}

#[tokio::test]
async fn one_step_runs_alone_with_the_sample_data_of_the_others() {
    let (engine, _) = engine();
    let compiled = engine
        .compile(flow(
            json!([
                { "id": "lookup", "type": "set", "values": { "email": "{{ trigger.body.email }}" } },
                { "id": "greet", "type": "set", "values": {
                    "text": "Hi {{ steps.lookup.email }} from {{ trigger.body.city }}" } },
                { "id": "each", "type": "loop", "items": "{{ [1, 2] }}",
                  "steps": [{ "id": "inner", "type": "set", "values": { "n": "{{ item }}" } }], "edges": [] }
            ]),
            edges(&[("hook", "lookup"), ("lookup", "greet"), ("greet", "each")]),
        ))
        .unwrap();
    let given: std::collections::BTreeMap<String, Value> =
        [("lookup".to_owned(), json!({ "email": "ada@example.com" }))].into();
    let request = switchboard_engine::RunRequest::new(json!({ "body": { "city": "Berlin" } }));
    let record = engine
        .run_step(&compiled, "greet", request.clone(), &given, &RunEnv::default())
        .await
        .unwrap();
    assert_eq!(record.status, StepStatus::Succeeded);
    assert_eq!(record.output.unwrap()["text"], "Hi ada@example.com from Berlin");

    let inner =
        engine.run_step(&compiled, "inner", request.clone(), &given, &RunEnv::default()).await;
    assert!(inner.unwrap_err().contains("inside a loop"));
    let missing = engine.run_step(&compiled, "nope", request, &given, &RunEnv::default()).await;
    assert!(missing.unwrap_err().contains("no step `nope`"));
}
