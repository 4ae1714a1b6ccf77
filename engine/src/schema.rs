//! The JSON Schema of the flow document, generated from the Rust types (`flows/flow.schema.json` is
//! this output; a test fails when the file is stale).

/// The schema as pretty-printed JSON, with a trailing newline.
pub fn flow_schema_json() -> String {
    let mut schema = schemars::schema_for!(crate::flow::Flow);
    schema.insert("$id".into(), "https://switchboard.dev/schema/flow-v1.json".into());
    schema.insert(
        "description".into(),
        "A Switchboard flow document (schema_version 1): a trigger, steps and the edges between them.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
