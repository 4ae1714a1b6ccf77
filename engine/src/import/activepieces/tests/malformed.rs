//! Inputs with the wrong shape: an `ImportError::Malformed` with the JSON path of the bad part,
//! never a panic.

use serde_json::json;

use crate::import::{ImportError, import_value};

/// The error of importing `doc`, which must be malformed at `path`.
fn malformed_at(doc: Value, path: &str, words: &str) {
    match import_value(doc) {
        Err(ImportError::Malformed { format, path: p, message }) => {
            assert_eq!(format, "ActivePieces");
            assert_eq!(p, path, "{message}");
            assert!(message.contains(words), "{message:?} should mention {words:?}");
        }
        other => panic!("expected Malformed at {path}, got {other:?}"),
    }
}

use serde_json::Value;

fn webhook_trigger(next: Value) -> Value {
    json!({
        "displayName": "t",
        "trigger": {
            "name": "trigger", "type": "PIECE_TRIGGER", "displayName": "Catch Webhook",
            "settings": { "pieceName": "@activepieces/piece-webhook", "triggerName": "catch_webhook", "input": {} },
            "nextAction": next
        }
    })
}

fn piece(name: &str, next: Value) -> Value {
    json!({
        "name": name, "type": "PIECE", "displayName": name,
        "settings": { "pieceName": "@activepieces/piece-twilio", "actionName": "send_sms",
                      "input": { "to": "+1555", "body": "hi" } },
        "nextAction": next
    })
}

#[test]
fn a_step_without_type_names_its_path() {
    let doc = webhook_trigger(piece(
        "step_1",
        json!({ "name": "step_2", "displayName": "x", "settings": {} }),
    ));
    malformed_at(doc, "$.trigger.nextAction.nextAction.type", "no `type`");
    let doc = webhook_trigger(json!({ "name": "step_1", "type": 7 }));
    malformed_at(doc, "$.trigger.nextAction.type", "must be a string");
}

#[test]
fn router_children_must_line_up_with_branches() {
    let router = |children: Value| {
        webhook_trigger(json!({
            "name": "router_1", "type": "ROUTER", "displayName": "Router",
            "settings": {
                "executionType": "EXECUTE_FIRST_MATCH",
                "branches": [
                    { "branchName": "A", "branchType": "CONDITION", "conditions": [[]] },
                    { "branchName": "Otherwise", "branchType": "FALLBACK" }
                ]
            },
            "children": children
        }))
    };
    malformed_at(
        router(json!([null])),
        "$.trigger.nextAction.settings.branches[1]",
        "`Otherwise` has no entry in `children`",
    );
    malformed_at(
        router(json!([null, null, null])),
        "$.trigger.nextAction.children[2]",
        "has no branch",
    );
    malformed_at(router(json!({})), "$.trigger.nextAction.children", "must be an array");
    malformed_at(
        router(json!([null, 5])),
        "$.trigger.nextAction.children[1]",
        "a step must be an object",
    );
    // A router with no `children` at all has no entry for its first branch.
    let mut doc = router(json!(null));
    doc["trigger"]["nextAction"].as_object_mut().unwrap().remove("children");
    malformed_at(doc, "$.trigger.nextAction.settings.branches[0]", "no entry in `children`");
    // Inside a template, the path starts where the template keeps the version.
    let doc = json!({ "name": "x", "template": router(json!([null]))});
    malformed_at(doc, "$.template.trigger.nextAction.settings.branches[1]", "no entry");
}

#[test]
fn router_branches_must_be_objects_in_an_array() {
    let doc = webhook_trigger(json!({
        "name": "router_1", "type": "ROUTER", "displayName": "Router",
        "settings": { "executionType": "EXECUTE_ALL_MATCH", "branches": [ { "branchName": "A" }, "B" ] },
        "children": [null, null]
    }));
    malformed_at(doc, "$.trigger.nextAction.settings.branches[1]", "a branch must be an object");
    let doc = webhook_trigger(json!({
        "name": "router_1", "type": "ROUTER", "displayName": "Router",
        "settings": { "branches": "A" }, "children": []
    }));
    malformed_at(doc, "$.trigger.nextAction.settings.branches", "must be an array");
    let doc = webhook_trigger(json!({
        "name": "router_1", "type": "ROUTER", "displayName": "Router",
        "settings": { "branches": [], "executionType": "EXECUTE_FIRST_MATCH" }, "children": []
    }));
    malformed_at(doc, "$.trigger.nextAction.settings.branches", "at least one branch");
    let doc = webhook_trigger(json!({
        "name": "router_1", "type": "ROUTER", "displayName": "Router",
        "settings": { "branches": [ { "branchName": "A" } ], "executionType": "SOMETIMES" }, "children": [null]
    }));
    malformed_at(doc, "$.trigger.nextAction.settings.executionType", "SOMETIMES");
}

#[test]
fn next_action_and_bodies_must_be_objects() {
    malformed_at(
        webhook_trigger(json!("step_1")),
        "$.trigger.nextAction",
        "a step must be an object, not a string",
    );
    malformed_at(
        webhook_trigger(piece("step_1", json!([1]))),
        "$.trigger.nextAction.nextAction",
        "not an array",
    );
    let doc = webhook_trigger(json!({
        "name": "loop_1", "type": "LOOP_ON_ITEMS", "displayName": "Loop",
        "settings": { "items": "{{trigger.body.items}}" }, "firstLoopAction": 3
    }));
    malformed_at(doc, "$.trigger.nextAction.firstLoopAction", "not a number");
    let doc = webhook_trigger(json!({
        "name": "step_1", "type": "BRANCH", "displayName": "If",
        "settings": { "conditions": [] }, "onFailureAction": true
    }));
    malformed_at(doc, "$.trigger.nextAction.onFailureAction", "not a boolean");
    let doc = webhook_trigger(json!({ "name": "step_1", "type": "PIECE", "displayName": "x" }));
    malformed_at(doc, "$.trigger.nextAction.settings", "needs `settings`");
    let doc = webhook_trigger(
        json!({ "name": "step_1", "type": "PIECE", "displayName": "x", "settings": [] }),
    );
    malformed_at(doc, "$.trigger.nextAction.settings", "must be an object");
    let doc = webhook_trigger(json!({ "name": ["x"], "type": "CODE", "displayName": "x" }));
    malformed_at(doc, "$.trigger.nextAction.name", "must be a string");
}

#[test]
fn the_trigger_must_have_the_right_shape() {
    let mut doc = webhook_trigger(json!(null));
    doc["trigger"]["settings"] = json!("webhook");
    malformed_at(doc, "$.trigger.settings", "must be an object");
}

#[test]
fn nesting_has_a_limit() {
    // 80 loops inside each other: refused with a path, not a stack overflow.
    let mut step = json!({ "name": "leaf", "type": "CODE", "displayName": "leaf", "settings": {} });
    for i in 0..80 {
        step = json!({ "name": format!("loop_{i}"), "type": "LOOP_ON_ITEMS", "displayName": "l",
                       "settings": { "items": "{{trigger.body}}" }, "firstLoopAction": step });
    }
    match import_value(webhook_trigger(step)) {
        Err(ImportError::Malformed { message, path, .. }) => {
            assert!(message.contains("nested more than"), "{message}");
            assert!(path.starts_with("$.trigger.nextAction.firstLoopAction"), "{path}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn odd_but_readable_inputs_still_import() {
    // Missing names, unknown step types, a trigger without a next step: converted, never refused.
    let doc = webhook_trigger(json!({
        "type": "MISSING", "displayName": "Lost step", "settings": {},
        "nextAction": { "name": "step_2", "type": "PIECE", "displayName": "No action",
                        "settings": { "pieceName": "@activepieces/piece-slack", "input": null } }
    }));
    let imported = import_value(doc).unwrap();
    assert_eq!(imported.report.items.len(), 3);
    assert_eq!(imported.report.items[1].step.as_deref(), Some("lost_step"));
    assert_eq!(imported.report.items[1].source_type, "MISSING");
    assert!(imported.report.items[2].notes[0].contains("no action selected"));
    let flow = crate::parse_flow(&imported.flow.to_string()).unwrap();
    let engine = crate::Engine::with_builtin_pieces(crate::HttpConfig::default()).unwrap();
    assert!(engine.validate(&flow).is_empty());
    let empty = import_value(webhook_trigger(json!(null))).unwrap();
    assert_eq!(empty.flow["steps"], json!([]));
}
