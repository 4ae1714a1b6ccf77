//! Malformed exports: a clear error with a JSON path, never a panic; and whatever is accepted
//! converts into a flow that validates.

use serde_json::{Value, json};

use super::*;
use crate::import::ImportError;

fn path_of(doc: Value) -> String {
    match super::super::import(&doc) {
        Err(ImportError::Malformed { format, path, message }) => {
            assert_eq!(format, "n8n");
            assert!(!message.is_empty());
            path
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

fn webhook_node() -> Value {
    json!({ "id": "1", "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2,
            "position": [0, 0], "parameters": {} })
}

#[test]
fn malformed_parts_are_named_by_their_path() {
    assert_eq!(path_of(json!({ "nodes": {}, "connections": {} })), "$.nodes");
    assert_eq!(path_of(json!({ "nodes": [webhook_node(), 3], "connections": {} })), "$.nodes[1]");
    assert_eq!(
        path_of(json!({
            "nodes": [webhook_node(), { "name": "B", "type": "n8n-nodes-base.noOp" }, { "name": "C", "parameters": {} }],
            "connections": {}
        })),
        "$.nodes[2].type"
    );
    assert_eq!(
        path_of(
            json!({ "nodes": [webhook_node(), { "type": "n8n-nodes-base.noOp" }], "connections": {} })
        ),
        "$.nodes[1].name"
    );
    assert_eq!(
        path_of(json!({ "nodes": [webhook_node(), webhook_node()], "connections": {} })),
        "$.nodes[1].name"
    );
    assert_eq!(
        path_of(json!({
            "nodes": [webhook_node()],
            "connections": { "Webhook": { "main": [[{ "node": "Gone", "type": "main", "index": 0 }]] } }
        })),
        "$.connections.Webhook.main[0][0].node"
    );
    assert_eq!(
        path_of(json!({
            "nodes": [webhook_node()],
            "connections": { "No Such Node": { "main": [] } }
        })),
        "$.connections[\"No Such Node\"]"
    );
    assert_eq!(path_of(json!({ "nodes": [webhook_node()], "connections": [] })), "$.connections");
    assert_eq!(
        path_of(
            json!({ "nodes": [{ "name": "A", "type": "n8n-nodes-base.noOp", "parameters": [1] }], "connections": {} })
        ),
        "$.nodes[0].parameters"
    );
}

#[test]
fn the_public_entry_reports_the_path_too() {
    let text = json!({
        "name": "x",
        "nodes": [webhook_node(), { "name": "B", "type": "n8n-nodes-base.noOp" }, { "name": "C" }],
        "connections": {}
    })
    .to_string();
    let err = crate::import::import_text(&text).expect_err("malformed");
    assert_eq!(err.path(), Some("$.nodes[2].type"));
    assert!(err.to_string().contains("n8n file, at $.nodes[2].type"), "{err}");
}

/// Every value of every fixture replaced in turn by odd values: the import either fails with
/// `Malformed` or produces a flow that validates. It never panics.
#[test]
fn odd_values_anywhere_never_panic_and_accepted_results_validate() {
    fn paths(v: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let mut p = at.clone();
                    p.push(json!(k));
                    paths(x, p, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let mut p = at.clone();
                    p.push(json!(i));
                    paths(x, p, out);
                }
            }
            _ => {}
        }
    }
    fn slot<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
        let mut cur = v;
        for p in path {
            cur = match p {
                Value::String(k) => cur.get_mut(k.as_str())?,
                Value::Number(i) => cur.get_mut(i.as_u64()? as usize)?,
                _ => return None,
            };
        }
        Some(cur)
    }
    let engine = engine(None);
    let odd = [
        Value::Null,
        json!(7),
        json!("={{ $json.items.map(i => i.id) }}"),
        json!("={{ $('Nope').item.json.x }} {{"),
        json!("={{ 1 /* */ }} */ /* {{ x"),
        json!(1e20),
        json!(-3),
        json!([]),
        json!({}),
    ];
    let mut checked = 0;
    for name in ["vapi", "router", "batch", "merge"] {
        let original = fixture(name);
        let mut all = Vec::new();
        paths(&original, Vec::new(), &mut all);
        for path in all.iter().filter(|p| !p.is_empty()) {
            for value in &odd {
                let mut doc = original.clone();
                let Some(target) = slot(&mut doc, path) else { continue };
                *target = value.clone();
                match super::super::import(&doc) {
                    Ok((flow, report)) => {
                        let parsed = crate::parse_flow(&flow.to_string())
                            .unwrap_or_else(|e| panic!("{name} {path:?} = {value}: {e}\n{flow:#}"));
                        let problems = engine.validate(&parsed);
                        assert!(
                            problems.is_empty(),
                            "{name} {path:?} = {value}: {problems:#?}\n{flow:#}"
                        );
                        let nodes = doc["nodes"].as_array().map_or(0, Vec::len);
                        assert_eq!(report.items.len(), nodes, "{name} {path:?} = {value}");
                    }
                    Err(ImportError::Malformed { .. }) => {}
                    Err(other) => panic!("{name} {path:?} = {value}: {other:?}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}
