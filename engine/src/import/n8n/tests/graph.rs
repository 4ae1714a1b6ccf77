//! Graph edge cases: disconnected nodes, a missing or second trigger, cycles, error outputs,
//! filters from IF outputs, Switch fallbacks on an existing output, Code placeholders.

use serde_json::{Value, json};

use super::*;
use crate::{RunRequest, RunStatus, StepStatus};

fn node(name: &str, kind: &str, version: f64, params: Value) -> Value {
    json!({ "id": name, "name": name, "type": format!("n8n-nodes-base.{kind}"),
            "typeVersion": version, "position": [0, 0], "parameters": params })
}

fn link(to: &str) -> Value {
    json!({ "node": to, "type": "main", "index": 0 })
}

fn doc(nodes: Vec<Value>, connections: Value) -> Value {
    json!({ "name": "graph", "nodes": nodes, "connections": connections, "settings": {} })
}

#[test]
fn a_code_node_becomes_a_placeholder_that_keeps_the_code() {
    let code = "const total = $input.all().length;\nreturn [{ json: { total } }];";
    let (flow, report) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            node("Count", "code", 2.0, json!({ "jsCode": code })),
            node(
                "After",
                "set",
                3.4,
                json!({ "assignments": { "assignments": [
                { "id": "1", "name": "total", "value": "={{ $json.total }}", "type": "number" } ] } }),
            ),
        ],
        json!({ "Start": { "main": [[link("Count")]] }, "Count": { "main": [[link("After")]] } }),
    ));
    compiled(&engine(None), &flow);
    let step = step(&flow, "count");
    assert_eq!(step["type"], "code");
    assert_eq!(step["disabled"], true);
    let script = step["script"].as_str().unwrap();
    assert!(script.contains("// const total = $input.all().length;"), "{script}");
    assert!(script.contains("// return [{ json: { total } }];"), "{script}");
    assert_eq!(item(&report, "Count").outcome, ItemOutcome::Unsupported);
    let after = item(&report, "After");
    assert_eq!(after.outcome, ItemOutcome::Approximated);
    assert!(has_note(after, "reads the output of “Count”, which was not converted"));
}

#[test]
fn disconnected_nodes_and_a_second_trigger_are_disabled_but_kept() {
    let (flow, report) = convert(&doc(
        vec![
            node("Hook", "webhook", 2.0, json!({ "path": "a", "httpMethod": "POST" })),
            node("Main", "noOp", 1.0, json!({})),
            node("Cron", "scheduleTrigger", 1.2, json!({})),
            node("Nightly", "noOp", 1.0, json!({})),
            node("Orphan", "noOp", 1.0, json!({})),
        ],
        json!({ "Hook": { "main": [[link("Main")]] }, "Cron": { "main": [[link("Nightly")]] } }),
    ));
    compiled(&engine(None), &flow);
    assert_eq!(flow["trigger"]["id"], "hook");
    assert_eq!(step(&flow, "cron")["disabled"], true);
    assert_eq!(item(&report, "Cron").outcome, ItemOutcome::Unsupported);
    for id in ["nightly", "orphan"] {
        assert_eq!(step(&flow, id)["disabled"], true, "{id}");
    }
    assert!(step(&flow, "main").get("disabled").is_none());
    assert!(has_note(item(&report, "Orphan"), "never reaches it"));
    assert!(report.notes.iter().any(|n| n.contains("A flow has one trigger")));
    let edges = flow["edges"].as_array().unwrap();
    assert!(edges.contains(&json!({ "from": "cron", "to": "nightly" })));
    assert!(edges.contains(&json!({ "from": "hook", "to": "orphan" })));
}

#[test]
fn without_a_trigger_a_manual_trigger_starts_the_roots() {
    let (flow, report) = convert(&doc(
        vec![node("A", "noOp", 1.0, json!({})), node("B", "noOp", 1.0, json!({}))],
        json!({ "A": { "main": [[link("B")]] } }),
    ));
    compiled(&engine(None), &flow);
    assert_eq!(flow["trigger"]["piece"], "manual");
    assert_eq!(flow["trigger"]["id"], "manual_trigger");
    assert_eq!(
        flow["edges"],
        json!([{ "from": "a", "to": "b" }, { "from": "manual_trigger", "to": "a" }])
    );
    assert!(report.notes.iter().any(|n| n.contains("no trigger node")));
    assert!(flow["ui"]["positions"]["manual_trigger"].is_array());
}

#[test]
fn a_cycle_without_a_loop_node_is_cut_with_a_note() {
    let (flow, report) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            node("Try", "noOp", 1.0, json!({})),
            node("Again", "noOp", 1.0, json!({})),
        ],
        json!({
            "Start": { "main": [[link("Try")]] },
            "Try": { "main": [[link("Again")]] },
            "Again": { "main": [[link("Try")]] }
        }),
    ));
    compiled(&engine(None), &flow);
    assert!(!flow["edges"].as_array().unwrap().contains(&json!({ "from": "again", "to": "try" })));
    assert!(has_note(item(&report, "Again"), "would make a cycle"));
}

#[test]
fn an_if_with_only_its_false_output_is_a_negated_filter() {
    let (flow, _) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            node(
                "Has Email",
                "if",
                2.0,
                json!({ "conditions": {
                "conditions": [ { "leftValue": "={{ $json.email }}", "rightValue": "",
                                  "operator": { "type": "string", "operation": "notEmpty", "singleValue": true } } ],
                "combinator": "and" } }),
            ),
            node("Ask", "noOp", 1.0, json!({})),
        ],
        json!({ "Start": { "main": [[link("Has Email")]] }, "Has Email": { "main": [[], [link("Ask")]] } }),
    ));
    compiled(&engine(None), &flow);
    let filter = step(&flow, "has_email");
    assert_eq!(filter["type"], "filter");
    assert_eq!(filter["condition"], "!(!is_empty(trigger.body.email))");
}

#[tokio::test]
async fn an_error_output_becomes_a_success_error_router() {
    let mut http =
        node("Call API", "httpRequest", 4.2, json!({ "url": "http://127.0.0.1:9/nothing" }));
    http["onError"] = json!("continueErrorOutput");
    let (flow, report) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            http,
            node("Worked", "noOp", 1.0, json!({})),
            node("Failed", "noOp", 1.0, json!({})),
        ],
        json!({
            "Start": { "main": [[link("Call API")]] },
            "Call API": { "main": [[link("Worked")], [link("Failed")]] }
        }),
    ));
    let engine = engine(None);
    let compiled = compiled(&engine, &flow);
    assert_eq!(step(&flow, "call_api")["on_error"], "continue");
    let router = step(&flow, "call_api_outcome");
    assert_eq!(router["branches"][0]["condition"], "steps.call_api?.error == ()");
    let edges = flow["edges"].as_array().unwrap();
    assert!(edges.contains(&json!({ "from": "call_api", "to": "call_api_outcome" })));
    assert!(
        edges.contains(&json!({ "from": "call_api_outcome", "to": "worked", "branch": "success" }))
    );
    assert!(
        edges.contains(&json!({ "from": "call_api_outcome", "to": "failed", "branch": "error" }))
    );
    assert!(has_note(item(&report, "Call API"), "error output became a router"));

    let record =
        engine.run(&compiled, RunRequest::new(json!({ "body": {} })), &RunEnv::default()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    assert_eq!(record.steps["failed"].status, StepStatus::Succeeded);
    assert_eq!(record.steps["worked"].status, StepStatus::Skipped);
}

#[test]
fn a_switch_fallback_on_an_existing_output_adds_a_second_branch_edge() {
    let rule = |v: &str| {
        json!({ "conditions": {
        "conditions": [ { "leftValue": "={{ $json.tier }}", "rightValue": v,
                          "operator": { "type": "string", "operation": "equals" } } ],
        "combinator": "and" } })
    };
    let (flow, _) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            node(
                "Tier",
                "switch",
                3.0,
                json!({ "rules": { "values": [rule("gold"), rule("silver")] },
                                                 "options": { "fallbackOutput": 1, "allMatchingOutputs": true } }),
            ),
            node("Gold", "noOp", 1.0, json!({})),
            node("Rest", "noOp", 1.0, json!({})),
        ],
        json!({ "Start": { "main": [[link("Tier")]] }, "Tier": { "main": [[link("Gold")], [link("Rest")]] } }),
    ));
    compiled(&engine(None), &flow);
    let router = step(&flow, "tier");
    assert_eq!(router["mode"], "all_match");
    assert_eq!(router["branches"][2], json!({ "name": "fallback" }));
    let edges = flow["edges"].as_array().unwrap();
    assert!(edges.contains(&json!({ "from": "tier", "to": "rest", "branch": "output_1" })));
    assert!(edges.contains(&json!({ "from": "tier", "to": "rest", "branch": "fallback" })));
}

#[test]
fn disabled_nodes_stay_disabled_and_pass_data_through() {
    let mut skip = node(
        "Skip Me",
        "set",
        3.4,
        json!({ "assignments": { "assignments": [
        { "id": "1", "name": "x", "value": "1", "type": "string" } ] } }),
    );
    skip["disabled"] = json!(true);
    let (flow, report) = convert(&doc(
        vec![
            node("Hook", "webhook", 2.0, json!({ "httpMethod": "POST", "path": "p" })),
            skip,
            node(
                "Use",
                "set",
                3.4,
                json!({ "assignments": { "assignments": [
                { "id": "1", "name": "email", "value": "={{ $json.body.email }}", "type": "string" } ] } }),
            ),
        ],
        json!({ "Hook": { "main": [[link("Skip Me")]] }, "Skip Me": { "main": [[link("Use")]] } }),
    ));
    compiled(&engine(None), &flow);
    assert_eq!(step(&flow, "skip_me")["disabled"], true);
    assert!(has_note(item(&report, "Skip Me"), "Disabled in n8n"));
    assert_eq!(step(&flow, "use")["values"]["email"], "{{ trigger.body.email }}");
}

#[test]
fn wait_for_a_webhook_and_respond_and_stop_map_to_their_steps() {
    let (flow, report) = convert(&doc(
        vec![
            node(
                "Hook",
                "webhook",
                2.0,
                json!({ "httpMethod": "POST", "path": "p", "responseMode": "responseNode" }),
            ),
            node(
                "Approval",
                "wait",
                1.1,
                json!({ "resume": "webhook", "limitWaitTime": true,
                                                  "resumeAmount": 2, "resumeUnit": "days" }),
            ),
            node(
                "Answer",
                "respondToWebhook",
                1.1,
                json!({ "respondWith": "text",
                                                          "responseBody": "=Approved: {{ $json.decision }}" }),
            ),
            node(
                "Fail",
                "stopAndError",
                1.0,
                json!({ "errorMessage": "=Rejected by {{ $json.by }}" }),
            ),
        ],
        json!({ "Hook": { "main": [[link("Approval")]] }, "Approval": { "main": [[link("Answer"), link("Fail")]] } }),
    ));
    compiled(&engine(None), &flow);
    assert_eq!(
        step(&flow, "approval"),
        &json!({
            "id": "approval", "name": "Approval", "type": "wait", "timeout": "2d", "on_timeout": "continue"
        })
    );
    assert!(has_note(item(&report, "Approval"), "run.resume_urls.approval"));
    assert_eq!(step(&flow, "answer")["body"], "Approved: {{ steps.approval.decision }}");
    assert_eq!(step(&flow, "fail")["message"], "Rejected by {{ steps.approval.by }}");
    assert_eq!(step(&flow, "fail")["outcome"], "failed");
}

#[tokio::test]
async fn nested_loops_keep_their_bodies_and_items_apart() {
    let set = |name: &str, value: &str| {
        node(
            name,
            "set",
            3.4,
            json!({ "assignments": { "assignments": [
            { "id": "1", "name": "v", "value": value, "type": "string" } ] } }),
        )
    };
    let (flow, report) = convert(&doc(
        vec![
            node("Start", "manualTrigger", 1.0, json!({})),
            node("Teams", "splitInBatches", 3.0, json!({})),
            set("Team", "={{ $json.name }}"),
            node("Members", "splitInBatches", 3.0, json!({})),
            set("Member", "={{ $json.email }} in {{ $('Team').item.json.v }}"),
            set("Team Done", "={{ $('Teams').item.json.name }}"),
            set("All Done", "done"),
        ],
        json!({
            "Start": { "main": [[link("Teams")]] },
            "Teams": { "main": [[link("All Done")], [link("Team")]] },
            "Team": { "main": [[link("Members")]] },
            "Members": { "main": [[link("Team Done")], [link("Member")]] },
            "Member": { "main": [[link("Members")]] },
            "Team Done": { "main": [[link("Teams")]] }
        }),
    ));
    let engine = engine(None);
    let compiled = compiled(&engine, &flow);
    let teams = step(&flow, "teams");
    let ids = |v: &Value| -> Vec<String> {
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(teams), ["team", "members", "team_done"]);
    assert_eq!(ids(step(&flow, "members")), ["member"]);
    assert_eq!(step(&flow, "member")["values"]["v"], "{{ item.email }} in {{ steps.team.v }}");
    // Members reads the current team through `Team`; the inner loop's `item` is a member.
    assert_eq!(
        step(&flow, "members")["items"],
        "{{ if type_of(steps.team) == \"array\" { steps.team } else { [steps.team] } }}"
    );
    assert_eq!(step(&flow, "team_done")["values"]["v"], "{{ item.name }}");
    assert_eq!(item(&report, "All Done").outcome, ItemOutcome::Mapped);

    let trigger = json!({ "body": {} });
    let record = engine.run(&compiled, RunRequest::new(trigger), &RunEnv::default()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
}
