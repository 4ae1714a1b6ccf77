//! Every validation rule: all problems are reported at once, each with its JSON path.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod support;

use serde_json::{Value, json};
use support::engine;
use switchboard_engine::{Flow, Problem};

fn problems(doc: Value) -> Vec<Problem> {
    let (engine, _) = engine();
    let flow: Flow = serde_json::from_value(doc).expect("document parses");
    engine.validate(&flow)
}

fn doc(steps: Value, edges: Value) -> Value {
    json!({
        "schema_version": 1, "name": "v",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": steps, "edges": edges
    })
}

fn has(problems: &[Problem], path: &str, needle: &str) -> bool {
    problems.iter().any(|p| p.path == path && p.message.contains(needle))
}

#[track_caller]
fn assert_has(problems: &[Problem], path: &str, needle: &str) {
    assert!(has(problems, path, needle), "expected `{needle}` at `{path}` in {problems:#?}");
}

#[test]
fn a_valid_flow_has_no_problems() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "filter", "condition": "trigger.body.x > 1" }, { "id": "b", "type": "set", "values": { "y": "{{ steps.a.passed }}" } }]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "b" }]),
    ));
    assert!(p.is_empty(), "{p:#?}");
}

#[test]
fn duplicate_ids_name_both_places() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }, { "id": "a", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }]),
    ));
    assert_has(&p, "steps[1].id", "duplicate id `a` (also used by steps[0])");
}

#[test]
fn ids_must_be_identifiers() {
    let p = problems(doc(
        json!([{ "id": "my-step", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "my-step" }]),
    ));
    assert_has(&p, "steps[0].id", "must be letters, digits and underscores");
    let p = problems(doc(
        json!([{ "id": "steps", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "steps" }]),
    ));
    assert_has(&p, "steps[0].id", "must be letters");
}

#[test]
fn edges_to_unknown_nodes() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "ghost" }, { "from": "nobody", "to": "a" }]),
    ));
    assert_has(&p, "edges[1].to", "edge refers to unknown node `ghost`");
    assert_has(&p, "edges[2].from", "edge refers to unknown node `nobody`");
}

#[test]
fn edges_into_the_trigger_and_duplicates() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }, { "from": "hook", "to": "a" }, { "from": "a", "to": "hook" }]),
    ));
    assert_has(&p, "edges[1]", "duplicate of edges[0]");
    assert_has(&p, "edges[2].to", "no edge may lead into the trigger");
}

#[test]
fn cycles_are_reported_with_their_members() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }, { "id": "b", "type": "set", "values": {} }, { "id": "c", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "c" }, { "from": "c", "to": "a" }]),
    ));
    assert_has(&p, "steps[0]", "cycle between `a`, `b`, `c`");
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "a" }]),
    ));
    assert_has(&p, "edges[1]", "cycle: `a` leads to itself");
}

#[test]
fn unreachable_steps() {
    let p = problems(doc(
        json!([{ "id": "a", "type": "set", "values": {} }, { "id": "island", "type": "set", "values": {} }]),
        json!([{ "from": "hook", "to": "a" }]),
    ));
    assert_has(&p, "steps[1]", "step `island` is unreachable");
}

#[test]
fn router_edges_must_name_a_known_branch() {
    let p = problems(doc(
        json!([
            { "id": "r", "type": "router", "branches": [{ "name": "yes", "condition": "true" }, { "name": "no" }] },
            { "id": "a", "type": "set", "values": {} },
            { "id": "b", "type": "set", "values": {} },
            { "id": "c", "type": "set", "values": {} }
        ]),
        json!([
            { "from": "hook", "to": "r" },
            { "from": "r", "to": "a", "branch": "maybe" },
            { "from": "r", "to": "b" },
            { "from": "a", "to": "c", "branch": "yes" }
        ]),
    ));
    assert_has(&p, "edges[1].branch", "router `r` has no branch `maybe` (its branches: yes, no)");
    assert_has(&p, "edges[2]", "an edge out of router `r` must name its `branch`");
    assert_has(&p, "edges[3].branch", "`a` is not a router");
}

#[test]
fn router_branches_are_unique_with_one_fallback() {
    let p = problems(doc(
        json!([{ "id": "r", "type": "router", "branches": [{ "name": "x" }, { "name": "x" }] }]),
        json!([{ "from": "hook", "to": "r" }]),
    ));
    assert_has(&p, "steps[0].branches[1].name", "duplicate branch name `x`");
    assert_has(&p, "steps[0].branches[1]", "only one branch may be the fallback");
    let p = problems(doc(
        json!([{ "id": "r", "type": "router", "branches": [] }]),
        json!([{ "from": "hook", "to": "r" }]),
    ));
    assert_has(&p, "steps[0].branches", "at least one branch");
}

#[test]
fn unknown_piece_action_and_trigger() {
    let p = problems(doc(
        json!([
            { "id": "a", "type": "action", "piece": "nosuch", "action": "x", "props": {} },
            { "id": "b", "type": "action", "piece": "test", "action": "nosuch", "props": {} }
        ]),
        json!([{ "from": "hook", "to": "a" }, { "from": "hook", "to": "b" }]),
    ));
    assert_has(&p, "steps[0].piece", "unknown piece `nosuch`");
    assert_has(
        &p,
        "steps[1].action",
        "piece `test` has no action `nosuch` (its actions: echo, sleep, fail)",
    );
    let mut d = doc(json!([]), json!([]));
    d["trigger"]["trigger"] = json!("nope");
    assert_has(&problems(d.clone()), "trigger.trigger", "piece `webhook` has no trigger `nope`");
    d["trigger"]["piece"] = json!("nothing");
    assert_has(&problems(d), "trigger.piece", "unknown piece `nothing`");
}

#[test]
fn missing_required_and_unknown_props() {
    let p = problems(doc(
        json!([
            { "id": "a", "type": "action", "piece": "test", "action": "sleep", "props": { "tag": "x" } },
            { "id": "b", "type": "action", "piece": "test", "action": "sleep", "props": { "ms": "", "colour": "red" } }
        ]),
        json!([{ "from": "hook", "to": "a" }, { "from": "hook", "to": "b" }]),
    ));
    assert_has(&p, "steps[0].props.ms", "missing required prop `ms`");
    assert_has(&p, "steps[1].props.ms", "missing required prop `ms`");
    assert_has(&p, "steps[1].props.colour", "unknown prop `colour` for test.sleep");
}

#[test]
fn expression_syntax_errors_have_line_and_column() {
    let p = problems(doc(
        json!([
            { "id": "f", "type": "filter", "condition": "trigger.body.x >" },
            { "id": "c", "type": "code", "script": "let a = 1;\nlet b = ;" },
            { "id": "s", "type": "set", "values": { "greeting": "Hi {{ trigger.body.name +  }}!" } }
        ]),
        json!([{ "from": "hook", "to": "f" }, { "from": "hook", "to": "c" }, { "from": "hook", "to": "s" }]),
    ));
    assert!(
        p.iter().any(|p| p.path == "steps[0].condition" && p.message.contains("line 1")),
        "{p:#?}"
    );
    assert!(
        p.iter().any(|p| p.path == "steps[1].script" && p.message.contains("line 2")),
        "{p:#?}"
    );
    assert!(p.iter().any(|p| p.path == "steps[2].values.greeting"), "{p:#?}");
}

#[test]
fn unknown_variables_are_reported() {
    let p = problems(doc(
        json!([{ "id": "f", "type": "filter", "condition": "triger.body.x > 1" }]),
        json!([{ "from": "hook", "to": "f" }]),
    ));
    assert!(
        p.iter().any(|p| p.path == "steps[0].condition" && p.message.contains("triger")),
        "{p:#?}"
    );
}

#[test]
fn references_to_unknown_steps() {
    let p = problems(doc(
        json!([{ "id": "s", "type": "set", "values": { "v": "{{ steps.ghost.x }}" } }]),
        json!([{ "from": "hook", "to": "s" }]),
    ));
    assert_has(&p, "steps[0].values", "refers to unknown step `ghost`");
}

#[test]
fn references_to_steps_that_do_not_run_before() {
    let p = problems(doc(
        json!([
            { "id": "a", "type": "set", "values": { "v": "{{ steps.b.x }}" } },
            { "id": "b", "type": "set", "values": {} },
            { "id": "c", "type": "filter", "condition": "steps.d.x == 1" },
            { "id": "d", "type": "set", "values": {} }
        ]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "b" }, { "from": "hook", "to": "c" }, { "from": "hook", "to": "d" }]),
    ));
    assert_has(&p, "steps[0].values", "`steps.b` (line 1, column");
    assert_has(&p, "steps[0].values", "is read before `b` runs: `b` is not upstream of `a`");
    assert_has(&p, "steps[2].condition", "`d` is not upstream of `c`");
}

#[test]
fn loop_bodies_see_upstream_steps_but_not_the_loop_itself_or_other_bodies() {
    let p = problems(doc(
        json!([
            { "id": "pre", "type": "set", "values": {} },
            { "id": "l1", "type": "loop", "items": "{{ [1] }}", "steps": [
                { "id": "x", "type": "set", "values": { "ok": "{{ steps.pre }}", "self": "{{ steps.l1 }}" } }
            ], "edges": [] },
            { "id": "l2", "type": "loop", "items": "{{ [1] }}", "steps": [
                { "id": "y", "type": "set", "values": { "other": "{{ steps.x }}" } }
            ], "edges": [] },
            { "id": "after", "type": "set", "values": { "i": "{{ item }}" } }
        ]),
        json!([{ "from": "hook", "to": "pre" }, { "from": "pre", "to": "l1" }, { "from": "l1", "to": "l2" }, { "from": "l2", "to": "after" }]),
    ));
    assert!(!p.iter().any(|p| p.message.contains("steps.pre")), "{p:#?}");
    assert_has(&p, "steps[1].steps[0].values", "is the loop `x` runs in");
    assert_has(&p, "steps[2].steps[0].values", "inside another loop's body");
    assert_has(&p, "steps[3].values", "`item` is only defined inside a loop body");
}

#[test]
fn loop_bodies_are_checked_like_the_top_level() {
    let p = problems(doc(
        json!([{ "id": "l", "type": "loop", "items": "{{ [1] }}", "steps": [
            { "id": "a", "type": "set", "values": {} },
            { "id": "b", "type": "set", "values": {} }
        ], "edges": [{ "from": "a", "to": "b" }, { "from": "b", "to": "a" }, { "from": "a", "to": "hook" }] }]),
        json!([{ "from": "hook", "to": "l" }]),
    ));
    assert_has(&p, "steps[0].steps[0]", "cycle between `a`, `b`");
    assert_has(&p, "steps[0].edges[2].to", "edges cannot cross a loop body's boundary");
    let p = problems(doc(
        json!([{ "id": "l", "type": "loop", "items": [], "steps": [], "edges": [] }]),
        json!([{ "from": "hook", "to": "l" }]),
    ));
    assert_has(&p, "steps[0].steps", "at least one step");
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = problems(doc(
        json!([
            { "id": "a", "type": "filter", "condition": "(" },
            { "id": "a", "type": "set", "values": {} },
            { "id": "z", "type": "action", "piece": "nope", "action": "x", "props": {} }
        ]),
        json!([{ "from": "hook", "to": "a" }, { "from": "a", "to": "q" }]),
    ));
    assert!(p.len() >= 4, "{p:#?}");
}

#[test]
fn parse_errors_carry_paths() {
    let err = switchboard_engine::parse_flow(
        r#"{"schema_version": 1, "name": "x", "trigger": {"id": "t", "piece": "webhook", "trigger": "catch"},
            "steps": [{"id": "s", "type": "set", "values": {}, "conditon": "x"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "steps[0].conditon");
    assert!(err.message.contains("unknown field `conditon`"), "{err}");
    assert_eq!(err.line, Some(2));
}

#[test]
fn problems_name_the_step_they_are_in_also_inside_loops() {
    let p = problems(json!({
        "schema_version": 1, "name": "v",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch", "props": { "nope": 1 } },
        "steps": [
            { "id": "ok", "type": "set", "values": { "a": 1 } },
            { "id": "each", "type": "loop", "items": "{{ trigger.body.items }}", "steps": [
                { "id": "inner", "type": "filter", "condition": "this is not rhai (" } ], "edges": [] },
            { "id": "bad", "type": "code", "script": "let = ;" }
        ],
        "edges": [{ "from": "hook", "to": "ok" }, { "from": "ok", "to": "each" }, { "from": "each", "to": "bad" }]
    }));
    let step_of = |prefix: &str| {
        p.iter()
            .find(|x| x.path.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {p:#?}"))
            .step
            .clone()
    };
    assert_eq!(step_of("steps[1].steps[0]"), Some("inner".into()));
    assert_eq!(step_of("steps[2]"), Some("bad".into()));
    assert_eq!(step_of("trigger"), Some("hook".into()));
}
