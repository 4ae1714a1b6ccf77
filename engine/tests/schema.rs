//! `flows/flow.schema.json` is generated from the Rust types; this test fails when it is stale.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p switchboard-engine --test schema`.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;

#[test]
fn the_committed_schema_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../flows/flow.schema.json");
    let generated = switchboard_engine::schema::flow_schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "flows/flow.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p switchboard-engine --test schema`"
    );
}

#[test]
fn the_schema_describes_every_step_type() {
    let schema: serde_json::Value =
        serde_json::from_str(&switchboard_engine::schema::flow_schema_json()).unwrap();
    let text = schema.to_string();
    for t in [
        "action", "filter", "router", "loop", "code", "set", "respond", "stop", "delay", "wait",
        "subflow",
    ] {
        assert!(text.contains(&format!("\"const\":\"{t}\"")), "step type {t} missing");
    }
}
