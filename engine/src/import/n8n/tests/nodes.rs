//! The other node types and versions: each converts into a step that validates, with the props
//! its piece expects.

use serde_json::{Value, json};

use super::*;
use crate::{RunRequest, RunStatus};

fn node(name: &str, kind: &str, version: f64, params: Value) -> Value {
    json!({ "id": name, "name": name, "type": format!("n8n-nodes-base.{kind}"),
            "typeVersion": version, "position": [0, 0], "parameters": params,
            "credentials": { "cred": { "id": "1", "name": format!("{name} account") } } })
}

/// Every node after the trigger, each fed by the trigger (plus the extra `links`).
fn star(trigger: Value, nodes: Vec<Value>, links: &[(&str, usize, &str)]) -> Value {
    let trigger_name = trigger["name"].as_str().unwrap().to_owned();
    let mut connections = serde_json::Map::new();
    let fed: Vec<&str> = links.iter().map(|(_, _, to)| *to).collect();
    let firsts: Vec<Value> = nodes
        .iter()
        .filter(|n| !fed.contains(&n["name"].as_str().unwrap()))
        .map(|n| json!({ "node": n["name"], "type": "main", "index": 0 }))
        .collect();
    connections.insert(trigger_name, json!({ "main": [firsts] }));
    for (from, output, to) in links {
        let entry = connections.entry((*from).to_owned()).or_insert_with(|| json!({ "main": [] }));
        let outputs = entry["main"].as_array_mut().unwrap();
        while outputs.len() <= *output {
            outputs.push(json!([]));
        }
        outputs[*output]
            .as_array_mut()
            .unwrap()
            .push(json!({ "node": to, "type": "main", "index": 0 }));
    }
    let mut all = vec![trigger];
    all.extend(nodes);
    json!({ "name": "nodes", "nodes": all, "connections": connections, "settings": {} })
}

#[test]
fn apps_and_legacy_versions_map_to_valid_steps() {
    let doc = star(
        node("Start", "manualTrigger", 1.0, json!({})),
        vec![
            node(
                "Deal",
                "hubspot",
                2.0,
                json!({ "resource": "deal", "stage": "appointmentscheduled",
                "additionalFields": { "dealName": "={{ $json.company }} deal", "amount": 1200,
                                      "associatedVids": "101,102" } }),
            ),
            node(
                "PD Deal",
                "pipedrive",
                1.0,
                json!({ "title": "={{ $json.company }}", "associateWith": "person",
                "person_id": 42, "additionalFields": { "value": 500, "currency": "EUR", "visible_to": "3" } }),
            ),
            node(
                "Gmail",
                "gmail",
                2.1,
                json!({ "sendTo": "={{ $json.email }}", "subject": "Hi",
                "message": "<b>Hello</b>", "options": { "ccList": "boss@acme.test" } }),
            ),
            node(
                "Call",
                "twilio",
                1.0,
                json!({ "resource": "call", "operation": "make", "from": "+1555",
                "to": "={{ $json.phone }}", "message": "Your code is 42" }),
            ),
            node(
                "DM",
                "slack",
                2.2,
                json!({ "select": "user",
                "user": { "__rl": true, "value": "U0123", "mode": "id" }, "text": "ping" }),
            ),
            node(
                "Template",
                "sendGrid",
                1.0,
                json!({ "resource": "mail", "fromEmail": "a@acme.test",
                "toEmail": "={{ $json.email }}", "dynamicTemplate": true, "templateId": "d-123",
                "dynamicTemplateFields": { "fields": [ { "key": "name", "value": "={{ $json.name }}" } ] } }),
            ),
            node(
                "Old HTTP",
                "httpRequest",
                1.0,
                json!({ "requestMethod": "POST", "url": "https://x.test/a",
                "bodyParametersUi": { "parameter": [ { "name": "email", "value": "={{ $json.email }}" } ] },
                "options": { "bodyContentType": "form-urlencoded", "timeout": 5000 } }),
            ),
            node(
                "Raw Set",
                "set",
                3.4,
                json!({ "mode": "raw",
                "jsonOutput": "={\n  \"who\": \"{{ $json.name }}\",\n  \"n\": {{ $json.count }}\n}" }),
            ),
            node(
                "Old Switch",
                "switch",
                2.0,
                json!({ "dataType": "string", "value1": "={{ $json.plan }}",
                "rules": { "rules": [ { "value2": "pro", "output": 0 }, { "value2": "team", "output": 0 },
                                      { "operation": "contains", "value2": "free", "output": 1 } ] },
                "fallbackOutput": 3 }),
            ),
            node(
                "By Number",
                "switch",
                3.0,
                json!({ "mode": "expression", "numberOutputs": 2,
                "output": "={{ $json.tier === 'gold' ? 0 : 1 }}" }),
            ),
            node(
                "Only Adults",
                "filter",
                2.0,
                json!({ "conditions": { "conditions": [
                { "leftValue": "={{ $json.age }}", "rightValue": 18, "operator": { "type": "number", "operation": "gte" } },
                { "leftValue": "={{ $json.tags }}", "rightValue": "vip", "operator": { "type": "array", "operation": "contains" } } ],
                "combinator": "or" } }),
            ),
            node(
                "Until",
                "wait",
                1.1,
                json!({ "resume": "specificTime", "dateTime": "={{ $json.at }}" }),
            ),
            node("Subflow", "executeWorkflow", 1.0, json!({ "workflowId": "abc" })),
        ],
        &[],
    );
    let (flow, report) = convert(&doc);
    compiled(&engine(None), &flow);

    let deal = step(&flow, "deal");
    assert_eq!(deal["action"], "create_deal");
    assert_eq!(deal["props"]["dealname"], "{{ trigger.body.company }} deal");
    assert_eq!(deal["props"]["dealstage"], "appointmentscheduled");
    assert_eq!(deal["props"]["contact_id"], "101");
    assert!(has_note(item(&report, "Deal"), "Only the first associated contact"));
    let pd = step(&flow, "pd_deal");
    assert_eq!(pd["action"], "add_deal");
    assert_eq!(pd["props"]["person_id"], 42);
    assert_eq!(pd["props"]["currency"], "EUR");
    assert!(has_note(item(&report, "PD Deal"), "visible_to"));
    let gmail = step(&flow, "gmail");
    assert_eq!(
        (gmail["piece"].as_str(), gmail["action"].as_str()),
        (Some("smtp"), Some("send_email"))
    );
    assert_eq!(gmail["props"]["html"], "<b>Hello</b>");
    assert_eq!(gmail["props"]["cc"], "boss@acme.test");
    assert_eq!(item(&report, "Gmail").outcome, ItemOutcome::Approximated);
    assert_eq!(
        step(&flow, "call")["props"]["twiml"],
        "<Response><Say>Your code is 42</Say></Response>"
    );
    assert_eq!(step(&flow, "dm")["action"], "send_direct_message");
    assert_eq!(step(&flow, "dm")["props"]["user"], "U0123");
    let template = step(&flow, "template");
    assert_eq!(template["action"], "send_template_email");
    assert_eq!(
        template["props"]["dynamic_template_data"],
        json!({ "name": "{{ trigger.body.name }}" })
    );
    let old = step(&flow, "old_http");
    assert_eq!(old["props"]["body"], json!({ "email": "{{ trigger.body.email }}" }));
    assert_eq!(old["props"]["body_type"], "form");
    assert_eq!(old["props"]["timeout_sec"], 5.0);
    assert_eq!(
        step(&flow, "raw_set")["values"],
        json!({ "who": "{{ trigger.body.name }}", "n": "{{ trigger.body.count }}" })
    );
    let switch = step(&flow, "old_switch");
    assert_eq!(
        switch["branches"][0]["condition"],
        "(trigger.body.plan == \"pro\") || (trigger.body.plan == \"team\")"
    );
    assert_eq!(
        switch["branches"][1]["condition"],
        "(to_string(trigger.body.plan).contains(\"free\"))"
    );
    assert_eq!(switch["branches"].as_array().unwrap().last(), Some(&json!({ "name": "fallback" })));
    assert_eq!(
        step(&flow, "by_number")["branches"][1]["condition"],
        "((if (trigger.body.tier == \"gold\") { 0 } else { 1 })) == 1"
    );
    assert_eq!(
        step(&flow, "only_adults")["condition"],
        "(trigger.body.age >= 18) || (default(trigger.body.tags, []).contains(\"vip\"))"
    );
    assert_eq!(step(&flow, "until")["until"], "{{ trigger.body.at }}");
    assert_eq!(item(&report, "Subflow").outcome, ItemOutcome::Unsupported);
    assert_eq!(step(&flow, "subflow")["disabled"], true);
}

#[tokio::test]
async fn split_out_feeds_a_loop_and_respond_returns_the_item() {
    let doc = json!({
        "name": "split",
        "nodes": [
            { "id": "1", "name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
              "parameters": { "httpMethod": "POST", "path": "s", "responseMode": "responseNode" } },
            { "id": "2", "name": "Split", "type": "n8n-nodes-base.splitOut", "typeVersion": 1, "position": [200, 0],
              "parameters": { "fieldToSplitOut": "body.leads", "options": {} } },
            { "id": "3", "name": "Each", "type": "n8n-nodes-base.splitInBatches", "typeVersion": 3, "position": [400, 0],
              "parameters": { "options": {} } },
            { "id": "4", "name": "Shape", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [600, 100],
              "parameters": { "assignments": { "assignments": [
                  { "id": "a", "name": "contact.email", "value": "={{ $json.email.toUpperCase() }}", "type": "string" },
                  { "id": "b", "name": "source", "value": "={{ $('Hook').item.json.query.src }}", "type": "string" } ] },
                  "includeOtherFields": true } },
            { "id": "5", "name": "Reply", "type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1, "position": [600, -100],
              "parameters": { "respondWith": "firstIncomingItem", "options": {} } }
        ],
        "connections": {
            "Hook": { "main": [[{ "node": "Split", "type": "main", "index": 0 }]] },
            "Split": { "main": [[{ "node": "Each", "type": "main", "index": 0 }]] },
            "Each": { "main": [[{ "node": "Reply", "type": "main", "index": 0 }],
                               [{ "node": "Shape", "type": "main", "index": 0 }]] },
            "Shape": { "main": [[{ "node": "Each", "type": "main", "index": 0 }]] }
        }
    });
    let (flow, report) = convert(&doc);
    let engine = engine(None);
    let compiled = compiled(&engine, &flow);
    assert_eq!(step(&flow, "split")["values"], json!({ "items": "{{ trigger.body.leads }}" }));
    assert_eq!(item(&report, "Split").outcome, ItemOutcome::Mapped);
    assert_eq!(
        step(&flow, "shape")["values"],
        json!({ "contact": { "email": "{{ upper(item.email) }}" }, "source": "{{ trigger.query.src }}" })
    );
    // After the loop's done output there is no single item; the Respond step says so.
    assert_eq!(item(&report, "Reply").outcome, ItemOutcome::Approximated);
    assert_eq!(step(&flow, "reply")["disabled"], true);

    let trigger = json!({ "body": { "leads": [ { "email": "a@x.test" }, { "email": "b@x.test" } ] },
                          "headers": {}, "query": { "src": "ads" }, "method": "POST" });
    let record = engine.run(&compiled, RunRequest::new(trigger), &RunEnv::default()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let iterations = record.steps["each"].iterations.as_ref().expect("iterations");
    assert_eq!(iterations.len(), 2);
    assert_eq!(
        iterations[1]["shape"].output,
        Some(json!({ "contact": { "email": "B@X.TEST" }, "source": "ads" }))
    );
}

#[test]
fn schedules_of_every_kind_become_schedule_triggers() {
    let cases = [
        (
            node(
                "T",
                "scheduleTrigger",
                1.2,
                json!({ "rule": { "interval": [ { "field": "minutes", "minutesInterval": 15 } ] } }),
            ),
            json!({ "piece": "schedule", "trigger": "interval", "props": { "every": "15m" } }),
        ),
        (
            node(
                "T",
                "scheduleTrigger",
                1.2,
                json!({ "rule": { "interval": [ { "field": "cronExpression", "expression": "0 */2 * * *" } ] } }),
            ),
            json!({ "piece": "schedule", "trigger": "cron", "props": { "cron": "0 */2 * * *" } }),
        ),
        (
            node("T", "scheduleTrigger", 1.2, json!({})),
            json!({ "piece": "schedule", "trigger": "cron", "props": { "cron": "0 0 * * *" } }),
        ),
        (
            node(
                "T",
                "cron",
                1.0,
                json!({ "triggerTimes": { "item": [ { "mode": "everyWeek", "hour": 9, "minute": 15, "weekday": "1" } ] } }),
            ),
            json!({ "piece": "schedule", "trigger": "cron", "props": { "cron": "15 9 * * 1" } }),
        ),
        (
            node("T", "interval", 1.0, json!({ "interval": 2, "unit": "hours" })),
            json!({ "piece": "schedule", "trigger": "interval", "props": { "every": "2h" } }),
        ),
    ];
    for (trigger, want) in cases {
        let doc = star(trigger, vec![node("Next", "noOp", 1.0, json!({}))], &[]);
        let (flow, report) = convert(&doc);
        compiled(&engine(None), &flow);
        let mut got = flow["trigger"].clone();
        got.as_object_mut().unwrap().retain(|k, _| k != "id" && k != "name");
        assert_eq!(got, want, "{report:#?}");
    }
}

#[test]
fn absurd_numbers_and_units_stay_bounded_and_valid() {
    let doc = star(
        node("Start", "manualTrigger", 1.0, json!({})),
        vec![
            node(
                "Huge Switch",
                "switch",
                3.0,
                json!({ "mode": "expression", "numberOutputs": 4_000_000_000_u64,
                "output": "={{ 1 }}", "options": { "fallbackOutput": 4_000_000_000_u64 } }),
            ),
            node(
                "Old Switch",
                "switch",
                1.0,
                json!({ "value1": 1,
                "rules": { "rules": [ { "value2": 1, "output": 9_000_000_000_u64 } ] }, "fallbackOutput": 9_000_000_000_u64 }),
            ),
            node("Forever", "wait", 1.1, json!({ "amount": 1e12, "unit": "days" })),
            node("Odd Unit", "wait", 1.1, json!({ "amount": 3, "unit": "fortnights" })),
            node(
                "Computed",
                "wait",
                1.1,
                json!({ "amount": "={{ $json.minutes }}", "unit": "minutes" }),
            ),
        ],
        &[],
    );
    let (flow, report) = convert(&doc);
    compiled(&engine(None), &flow);
    assert!(step(&flow, "huge_switch")["branches"].as_array().unwrap().len() <= 65);
    assert_eq!(step(&flow, "forever")["duration"], "3650d");
    assert!(has_note(item(&report, "Forever"), "capped at ten years"));
    assert_eq!(step(&flow, "odd_unit")["disabled"], true);
    assert_eq!(
        step(&flow, "computed")["until"],
        "{{ date_add(now(), trigger.body.minutes, \"minutes\") }}"
    );
}
