//! Tests of the n8n importer: four realistic exports converted, validated and run against mock
//! vendors, plus expression translation, malformed input and edge cases of the graph.

mod batch;
mod expressions;
mod graph;
mod malformed;
mod merge;
mod nodes;
mod router;
mod vapi;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::compile::CompiledFlow;
use crate::import::{ImportReport, ItemOutcome, ReportItem};
use crate::piece::{Connection, StaticConnections};
use crate::{Engine, HttpConfig, RunEnv};

/// A fixture export, parsed.
pub(super) fn fixture(name: &str) -> Value {
    let text = match name {
        "vapi" => include_str!("../fixtures/vapi_qualified_lead.json"),
        "router" => include_str!("../fixtures/webhook_switch_router.json"),
        "batch" => include_str!("../fixtures/scheduled_batch_sync.json"),
        "merge" => include_str!("../fixtures/demo_request_merge.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).expect("the fixture is JSON")
}

/// Converts an export, which must succeed.
pub(super) fn convert(doc: &Value) -> (Value, ImportReport) {
    match super::import(doc) {
        Ok(out) => out,
        Err(e) => panic!("import failed: {e}"),
    }
}

/// An engine whose pieces all call `base` (a mock server), or the real hosts when `None`.
pub(super) fn engine(base: Option<&str>) -> Engine {
    let mut config = HttpConfig::default();
    if let Some(base) = base {
        for piece in [
            "slack",
            "hubspot",
            "google_sheets",
            "google_sheets_drive",
            "airtable",
            "pipedrive",
            "pipedrive_v1",
            "sendgrid",
            "twilio",
        ] {
            config.base_url_overrides.insert(piece.to_owned(), base.to_owned());
        }
    }
    Engine::with_builtin_pieces(config).expect("engine")
}

/// Parses and validates a converted flow (no problems allowed) and compiles it.
pub(super) fn compiled(engine: &Engine, flow: &Value) -> CompiledFlow {
    let parsed = match crate::parse_flow(&flow.to_string()) {
        Ok(f) => f,
        Err(e) => panic!("the converted flow does not parse: {e}\n{flow:#}"),
    };
    let problems = engine.validate(&parsed);
    assert!(problems.is_empty(), "validation problems: {problems:#?}\n{flow:#}");
    engine.compile(parsed).expect("compiles")
}

/// The report line of a node.
pub(super) fn item<'a>(report: &'a ImportReport, source: &str) -> &'a ReportItem {
    let matching: Vec<&ReportItem> = report.items.iter().filter(|i| i.source == source).collect();
    assert_eq!(matching.len(), 1, "exactly one report item for {source}: {report:#?}");
    matching[0]
}

/// Asserts the outcome of each named node, and that the report lists exactly these nodes.
pub(super) fn outcomes(report: &ImportReport, expected: &[(&str, ItemOutcome)]) {
    let names: Vec<&str> = report.items.iter().map(|i| i.source.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, wanted, "report items");
    for (name, outcome) in expected {
        assert_eq!(item(report, name).outcome, *outcome, "{name}: {:#?}", item(report, name));
    }
}

/// Whether any note of `item` contains `text`.
pub(super) fn has_note(item: &ReportItem, text: &str) -> bool {
    item.notes.iter().any(|n| n.contains(text))
}

/// A step by id, at the top level or inside a loop body.
pub(super) fn step<'a>(flow: &'a Value, id: &str) -> &'a Value {
    fn find<'a>(steps: &'a Value, id: &str) -> Option<&'a Value> {
        for s in steps.as_array()? {
            if s["id"] == id {
                return Some(s);
            }
            if let Some(found) = s.get("steps").and_then(|b| find(b, id)) {
                return Some(found);
            }
        }
        None
    }
    find(&flow["steps"], id).unwrap_or_else(|| panic!("no step {id} in {flow:#}"))
}

/// A connection named `name` for `piece` with the piece's documented example credentials.
pub(super) fn connection(name: &str, piece: &str) -> Connection {
    let spec = match piece {
        "slack" => include_str!("../../../../pieces/slack.json"),
        "hubspot" => include_str!("../../../../pieces/hubspot.json"),
        "google_sheets" => include_str!("../../../../pieces/google_sheets.json"),
        "airtable" => include_str!("../../../../pieces/airtable.json"),
        "pipedrive" => include_str!("../../../../pieces/pipedrive.json"),
        "sendgrid" => include_str!("../../../../pieces/sendgrid.json"),
        "twilio" => include_str!("../../../../pieces/twilio.json"),
        other => panic!("no example credentials for {other}"),
    };
    let spec: Value = serde_json::from_str(spec).expect("piece spec");
    let values = spec["auth"]["example"].as_object().cloned().expect("auth example");
    Connection {
        id: format!("conn-{name}"),
        name: name.to_owned(),
        piece: piece.to_owned(),
        values,
    }
}

/// A connection with the given values.
pub(super) fn connection_with(name: &str, piece: &str, values: Value) -> Connection {
    let values: Map<String, Value> = values.as_object().cloned().expect("values object");
    Connection {
        id: format!("conn-{name}"),
        name: name.to_owned(),
        piece: piece.to_owned(),
        values,
    }
}

/// A run environment resolving these connections.
pub(super) fn env(connections: Vec<Connection>) -> RunEnv {
    RunEnv { connections: Arc::new(StaticConnections::new(connections)), ..RunEnv::default() }
}

/// The webhook trigger's output for a JSON body.
pub(super) fn webhook(body: Value) -> Value {
    json!({
        "body": body,
        "headers": { "content-type": "application/json" },
        "query": {},
        "method": "POST"
    })
}

/// The JSON bodies of the requests `server` received on paths starting with `prefix`.
pub(super) async fn bodies(server: &wiremock::MockServer, prefix: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().starts_with(prefix))
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// Form fields of the requests `server` received on paths starting with `prefix`.
pub(super) async fn forms(server: &wiremock::MockServer, prefix: &str) -> Vec<Map<String, Value>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().starts_with(prefix))
        .map(|r| {
            let url =
                reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(&r.body)))
                    .expect("form body");
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect()
        })
        .collect()
}
