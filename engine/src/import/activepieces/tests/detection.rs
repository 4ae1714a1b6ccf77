//! Every ActivePieces export shape is detected and imported from where it keeps the flow version.

use serde_json::json;

use crate::import::{SourceFormat, detect, import_value};

fn version(name: &str) -> Value {
    json!({
        "displayName": name,
        "schemaVersion": "7",
        "valid": true,
        "trigger": {
            "name": "trigger", "type": "PIECE_TRIGGER", "displayName": "Catch Webhook",
            "settings": { "pieceName": "@activepieces/piece-webhook", "triggerName": "catch_webhook", "input": {} },
            "nextAction": {
                "name": "step_1", "type": "PIECE", "displayName": "SMS",
                "settings": { "pieceName": "@activepieces/piece-twilio", "actionName": "send_sms",
                              "input": { "to": "{{trigger.body.phone}}", "body": "hi" } }
            }
        }
    })
}

use serde_json::Value;

#[test]
fn every_export_shape_is_detected_and_named() {
    let shapes = [
        ("bare flow version", version("Bare"), "Bare"),
        ("flow with version", json!({ "version": version("In flow") }), "In flow"),
        (
            "flow from the API",
            json!({ "id": "fl_1", "projectId": "p", "status": "ENABLED", "version": version("Api") }),
            "Api",
        ),
        ("flow wrapper", json!({ "flow": { "version": version("Wrapped") } }), "Wrapped"),
        (
            "template",
            json!({ "name": "Tpl", "description": "d", "tags": [], "pieces": [], "template": version("Tpl version") }),
            "Tpl version",
        ),
        (
            "template with flows",
            json!({ "name": "Many", "flows": [version("First"), version("Second")] }),
            "First",
        ),
        (
            "template holding flows",
            json!({ "name": "Nested", "template": { "flows": [version("Inner")] } }),
            "Inner",
        ),
    ];
    for (what, doc, name) in shapes {
        assert_eq!(detect(&doc), Some(SourceFormat::Activepieces), "{what}");
        let imported = import_value(doc).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(imported.format, SourceFormat::Activepieces, "{what}");
        assert_eq!(imported.flow["name"], name, "{what}");
        assert_eq!(imported.flow["steps"][0]["action"], "send_sms", "{what}");
    }
}

#[test]
fn a_template_without_a_display_name_uses_its_name() {
    let mut v = version("");
    v.as_object_mut().unwrap().remove("displayName");
    let imported = import_value(json!({ "name": "Template name", "template": v })).unwrap();
    assert_eq!(imported.flow["name"], "Template name");
}

#[test]
fn other_documents_are_not_taken_for_activepieces() {
    let ours = json!({ "schema_version": 1, "name": "x", "trigger": { "id": "t", "piece": "manual", "trigger": "run", "type": "x" } });
    assert_eq!(detect(&ours), Some(SourceFormat::Switchboard));
    let n8n = json!({ "nodes": [], "connections": {}, "trigger": { "type": "EMPTY" } });
    assert_eq!(detect(&n8n), Some(SourceFormat::N8n));
    assert_eq!(
        detect(&json!({ "trigger": { "name": "trigger" } })),
        None,
        "a trigger needs a type"
    );
    assert_eq!(detect(&json!({ "flows": [] })), None);
    assert_eq!(detect(&json!({ "version": { "trigger": "catch_webhook" } })), None);
}

#[test]
fn older_and_empty_triggers_are_read() {
    let mut doc = version("Empty");
    doc["trigger"] = json!({ "name": "trigger", "type": "EMPTY", "displayName": "Select Trigger", "settings": {} });
    let imported = import_value(doc).unwrap();
    assert_eq!(imported.flow["trigger"]["piece"], "manual");
    assert_eq!(imported.report.items[0].outcome, crate::import::ItemOutcome::Approximated);

    let mut doc = version("Old schedule");
    doc["trigger"] = json!({ "name": "trigger", "type": "SCHEDULE", "displayName": "Schedule",
                             "settings": { "cronExpression": "*/15 * * * *" } });
    let imported = import_value(doc).unwrap();
    assert_eq!(imported.flow["trigger"]["props"]["cron"], "*/15 * * * *");
}
