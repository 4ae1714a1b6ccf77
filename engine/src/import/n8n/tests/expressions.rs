//! Expression translation: each supported form, what it evaluates to, and what happens to the
//! forms that cannot be translated.

use serde_json::{Value, json};

use super::*;
use crate::{RunRequest, RunStatus};

/// Webhook → Edit Fields with one assignment per `(name, value)`.
fn set_doc(fields: &[(&str, Value)]) -> Value {
    let assignments: Vec<Value> = fields
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            json!({ "id": format!("a{i}"), "name": name, "value": value, "type": "string" })
        })
        .collect();
    json!({
        "name": "expressions",
        "nodes": [
            { "id": "1", "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
              "position": [0, 0], "parameters": { "httpMethod": "POST", "path": "x" } },
            { "id": "2", "name": "Fields", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
              "position": [200, 0],
              "parameters": { "assignments": { "assignments": assignments }, "options": {} } }
        ],
        "connections": { "Webhook": { "main": [[{ "node": "Fields", "type": "main", "index": 0 }]] } },
        "settings": {}
    })
}

const FORMS: [(&str, &str, &str); 22] = [
    ("path", "={{ $json.body.email }}", "{{ trigger.body.email }}"),
    ("brackets", "={{ $json[\"body\"][\"first name\"] }}", "{{ trigger.body[\"first name\"] }}"),
    ("input", "={{ $input.item.json.body.email }}", "{{ trigger.body.email }}"),
    ("first", "={{ $('Webhook').first().json.query.ref }}", "{{ trigger.query.ref }}"),
    ("item", "={{ $('Webhook').item.json.body.email }}", "{{ trigger.body.email }}"),
    (
        "node",
        "={{ $node[\"Webhook\"].json.headers[\"user-agent\"] }}",
        "{{ trigger.headers[\"user-agent\"] }}",
    ),
    ("now", "={{ $now }}", "{{ now() }}"),
    ("today", "={{ $today }}", "{{ today() }}"),
    ("execution", "={{ $execution.id }}", "{{ run.id }}"),
    ("workflow", "={{ $workflow.name }}", "{{ run.flow_name }}"),
    (
        "methods",
        "={{ $json.body.name.toLowerCase().trim() }}",
        "{{ trim(lower(trigger.body.name)) }}",
    ),
    (
        "fallback",
        "={{ $json.body.nickname || 'there' }}",
        "{{ default(trigger.body.nickname, \"there\") }}",
    ),
    (
        "concat",
        "=Hi {{ $json.body.first + ' ' + $json.body.last }}!",
        "Hi {{ ((trigger.body.first + \" \") + trigger.body.last) }}!",
    ),
    (
        "ternary",
        "={{ $json.body.amount > 100 ? 'big' : 'small' }}",
        "{{ (if (trigger.body.amount > 100) { \"big\" } else { \"small\" }) }}",
    ),
    ("divide", "={{ $json.body.amount / 4 }}", "{{ (to_float(trigger.body.amount) / 4) }}"),
    (
        "includes",
        "={{ $json.body.tags.includes('vip') }}",
        "{{ trigger.body.tags.contains(\"vip\") }}",
    ),
    ("length", "={{ $json.body.tags.length }}", "{{ len(trigger.body.tags) }}"),
    (
        "template",
        "={{ `${$json.body.first}-${$json.body.amount}` }}",
        "{{ (\"\" + to_string(trigger.body.first) + \"-\" + to_string(trigger.body.amount)) }}",
    ),
    ("json", "={{ JSON.stringify($json.body.tags) }}", "{{ json_stringify(trigger.body.tags) }}"),
    (
        "equals",
        "={{ $json.body.first === 'Ada' && $json.body.amount >= 10 }}",
        "{{ ((trigger.body.first == \"Ada\") && (trigger.body.amount >= 10)) }}",
    ),
    ("literal", "plain {{ braces }} stay text", "plain {{ \"{{\" }} braces }} stay text"),
    ("format", "={{ $now.toFormat('yyyy-MM-dd') }}", "{{ format_date(now(), \"%Y-%m-%d\") }}"),
];

#[test]
fn supported_forms_are_translated_and_validate() {
    let fields: Vec<(&str, Value)> = FORMS.iter().map(|(n, v, _)| (*n, json!(v))).collect();
    let (flow, report) = convert(&set_doc(&fields));
    compiled(&engine(None), &flow);
    let values = &step(&flow, "fields")["values"];
    for (name, _, want) in FORMS {
        assert_eq!(values[name], want, "{name}");
    }
    assert_eq!(item(&report, "Fields").outcome, ItemOutcome::Mapped, "{report:#?}");
    assert!(step(&flow, "fields").get("disabled").is_none());
}

#[tokio::test]
async fn translated_forms_evaluate_like_n8n() {
    let fields: Vec<(&str, Value)> = FORMS.iter().map(|(n, v, _)| (*n, json!(v))).collect();
    let (flow, _) = convert(&set_doc(&fields));
    let engine = engine(None);
    let flow = compiled(&engine, &flow);
    let trigger = json!({
        "body": {
            "email": "ada@example.com",
            "first name": "Ada",
            "name": "  ADA Lovelace ",
            "first": "Ada",
            "last": "Lovelace",
            "amount": 250,
            "tags": ["vip", "lead"]
        },
        "headers": { "user-agent": "Vapi/1.0" },
        "query": { "ref": "ad-7" },
        "method": "POST"
    });
    let record = engine.run(&flow, RunRequest::new(trigger), &RunEnv::default()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let out = record.steps["fields"].output.clone().unwrap_or_default();
    assert_eq!(out["path"], "ada@example.com");
    assert_eq!(out["brackets"], "Ada");
    assert_eq!(out["first"], "ad-7");
    assert_eq!(out["node"], "Vapi/1.0");
    assert_eq!(out["methods"], "ada lovelace");
    assert_eq!(out["fallback"], "there");
    assert_eq!(out["concat"], "Hi Ada Lovelace!");
    assert_eq!(out["ternary"], "big");
    assert_eq!(out["divide"], 62.5);
    assert_eq!(out["includes"], true);
    assert_eq!(out["length"], 2);
    assert_eq!(out["template"], "Ada-250");
    assert_eq!(out["json"], "[\"vip\",\"lead\"]");
    assert_eq!(out["equals"], true);
    assert_eq!(out["workflow"], "expressions");
    assert_eq!(out["literal"], "plain {{ braces }} stay text");
    assert_eq!(out["format"].as_str().map(str::len), Some(10));
}

#[test]
fn an_untranslatable_expression_keeps_the_text_and_disables_the_step() {
    for (original, why) in [
        ("={{ $json.body.items.map(i => i.id) }}", "arrow functions"),
        ("={{ $json.params.id }}", "path parameters"),
        ("={{ $env.API_KEY }}", "environment variables"),
        ("={{ $('Nowhere').item.json.x }}", "no node named “Nowhere”"),
        ("={{ $json.body.text.match(/[0-9]+/)[0] }}", "regular expressions"),
    ] {
        let (flow, report) = convert(&set_doc(&[
            ("ok", json!("={{ $json.body.email }}")),
            ("out", json!(original)),
        ]));
        compiled(&engine(None), &flow);
        let fields = step(&flow, "fields");
        assert_eq!(fields["disabled"], true, "{original}");
        assert_eq!(fields["values"]["ok"], "{{ trigger.body.email }}");
        let kept = fields["values"]["out"].as_str().unwrap();
        assert!(!kept.contains("{{ $"), "{kept}");
        assert_eq!(kept.replace("{{ \"{{\" }}", "{{"), original, "the original text is kept");
        let item = item(&report, "Fields");
        assert_eq!(item.outcome, ItemOutcome::Approximated);
        assert!(has_note(item, "Parameter `out`"), "{item:#?}");
        assert!(has_note(item, original), "{item:#?}");
        assert!(has_note(item, why), "{original}: {item:#?}");
    }
}

fn regex_if(pattern: &str, case_sensitive: bool) -> Value {
    json!({
        "name": "regex",
        "nodes": [
            { "id": "1", "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0], "parameters": {} },
            { "id": "2", "name": "Is Email", "type": "n8n-nodes-base.if", "typeVersion": 2,
              "position": [200, 0],
              "parameters": { "conditions": {
                  "options": { "caseSensitive": case_sensitive, "typeValidation": "strict" },
                  "conditions": [ { "leftValue": "={{ $json.body.email }}", "rightValue": pattern,
                                     "operator": { "type": "string", "operation": "regex" } } ],
                  "combinator": "and" } } },
            { "id": "3", "name": "Yes", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [400, 0], "parameters": {} },
            { "id": "4", "name": "No", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [400, 200], "parameters": {} }
        ],
        "connections": {
            "Webhook": { "main": [[{ "node": "Is Email", "type": "main", "index": 0 }]] },
            "Is Email": { "main": [[{ "node": "Yes", "type": "main", "index": 0 }], [{ "node": "No", "type": "main", "index": 0 }]] }
        }
    })
}

#[test]
fn regex_conditions_use_the_matches_helper_with_their_flags() {
    let (flow, report) = convert(&regex_if(".+@.+", true));
    compiled(&engine(None), &flow);
    let router = step(&flow, "is_email");
    assert_eq!(router.get("disabled"), None);
    assert_eq!(
        router["branches"][0]["condition"],
        "matches(to_string(trigger.body.email), \".+@.+\")"
    );
    assert_eq!(item(&report, "Is Email").outcome, ItemOutcome::Mapped);
    // JavaScript's /…/flags form, and case-insensitive comparison, become inline flags.
    let (flow, _) = convert(&regex_if("/^ADA@/m", false));
    let condition = step(&flow, "is_email")["branches"][0]["condition"].clone();
    assert_eq!(condition, "matches(to_string(trigger.body.email), \"(?mi)^ADA@\")");
}

#[test]
fn an_untranslatable_condition_becomes_false_and_disables_the_router() {
    // Look-ahead: our regular expressions run in linear time and have none.
    let (flow, report) = convert(&regex_if("^(?=.*@).+$", true));
    compiled(&engine(None), &flow);
    let router = step(&flow, "is_email");
    assert_eq!(router["disabled"], true);
    assert!(router["branches"][0]["condition"].as_str().unwrap().starts_with("false /* n8n:"));
    let it = item(&report, "Is Email");
    assert_eq!(it.outcome, ItemOutcome::Approximated);
    assert!(has_note(it, "cannot be used here"), "{it:#?}");
    assert!(has_note(item(&report, "Yes"), "empty Set step"));
}

#[test]
fn legacy_if_and_set_versions_translate() {
    let doc = json!({
        "name": "legacy",
        "nodes": [
            { "id": "1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {} },
            { "id": "2", "name": "Old Set", "type": "n8n-nodes-base.set", "typeVersion": 2, "position": [200, 0],
              "parameters": { "keepOnlySet": true, "values": {
                  "string": [ { "name": "who", "value": "={{ $json.name }}" } ],
                  "number": [ { "name": "n", "value": 3 } ] }, "options": {} } },
            { "id": "3", "name": "Old IF", "type": "n8n-nodes-base.if", "typeVersion": 1, "position": [400, 0],
              "parameters": { "conditions": {
                  "number": [ { "value1": "={{ $json.n }}", "operation": "largerEqual", "value2": 2 } ],
                  "string": [ { "value1": "={{ $json.who }}", "operation": "startsWith", "value2": "A" } ] },
                  "combineOperation": "any" } },
            { "id": "4", "name": "Then", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [600, 0], "parameters": {} }
        ],
        "connections": {
            "Start": { "main": [[{ "node": "Old Set", "type": "main", "index": 0 }]] },
            "Old Set": { "main": [[{ "node": "Old IF", "type": "main", "index": 0 }]] },
            "Old IF": { "main": [[{ "node": "Then", "type": "main", "index": 0 }]] }
        }
    });
    let (flow, report) = convert(&doc);
    compiled(&engine(None), &flow);
    assert_eq!(
        step(&flow, "old_set")["values"],
        json!({ "who": "{{ trigger.body.name }}", "n": 3 })
    );
    let filter = step(&flow, "old_if");
    assert_eq!(filter["type"], "filter");
    assert_eq!(
        filter["condition"],
        "(steps.old_set.n >= 2) || (to_string(steps.old_set.who).starts_with(\"A\"))"
    );
    assert!(has_note(item(&report, "Old IF"), "Only the true output is connected"));
}
