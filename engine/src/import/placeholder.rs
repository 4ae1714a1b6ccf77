//! The disabled step that stands in for a node the import could not convert.

use serde_json::{Value, json};

/// A disabled `code` step named after the source node. Its script is only comments: why the node was
/// not converted, then the original (the node's code when it had some, else its JSON), so the user
/// sees both in the editor and can rebuild the step by hand. A disabled step passes through: the
/// steps after it still run.
pub fn step(id: &str, name: &str, source: &str, reason: &str, original: &Value) -> Value {
    let body = match original {
        Value::String(code) => code.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut script = format!(
        "// Imported from {source}, not converted: {reason}\n\
         // This step is disabled; the steps after it still run. The original follows.\n//\n"
    );
    for line in body.lines() {
        script.push_str("// ");
        script.push_str(line);
        script.push('\n');
    }
    script.push_str("()\n");
    json!({ "id": id, "name": name, "type": "code", "disabled": true, "script": script })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_is_a_valid_disabled_code_step_keeping_the_original() {
        let original =
            json!({ "type": "n8n-nodes-base.code", "parameters": { "jsCode": "return 1;" } });
        let s = step("code", "Code", "n8n", "JavaScript cannot run here", &original);
        assert_eq!(s["disabled"], true);
        let script = s["script"].as_str().unwrap();
        assert!(script.contains("JavaScript cannot run here"));
        assert!(script.contains("//     \"jsCode\": \"return 1;\""));
        let flow = json!({
            "schema_version": 1, "name": "p",
            "trigger": { "id": "t", "piece": "manual", "trigger": "run" },
            "steps": [s], "edges": [{ "from": "t", "to": "code" }]
        });
        let flow = crate::parse_flow(&flow.to_string()).expect("parses");
        let engine = crate::Engine::with_builtin_pieces(crate::HttpConfig::default()).unwrap();
        assert!(engine.validate(&flow).is_empty(), "{:?}", engine.validate(&flow));
    }
}
