//! Tests of the ActivePieces import: realistic exports in `fixtures/` converted, validated and run
//! against mock vendors; malformed inputs; detection of every export shape; the translation of
//! templates and conditions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod detection;
mod fixtures;
mod malformed;
mod translation;

use std::sync::Arc;

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::import::{ImportReport, Imported, ItemOutcome, ReportItem, SourceFormat, import_value};
use crate::piece::{Connection, StaticConnections};
use crate::{Engine, Flow, HttpConfig, RunEnv};

/// A fixture export by file name (without `.json`).
fn fixture(name: &str) -> Value {
    let text = match name {
        "call_qualified_template" => include_str!("../fixtures/call_qualified_template.json"),
        "leads_sync_flow_version" => include_str!("../fixtures/leads_sync_flow_version.json"),
        "sms_sync_flow" => include_str!("../fixtures/sms_sync_flow.json"),
        "all_match_router_template" => include_str!("../fixtures/all_match_router_template.json"),
        "legacy_branch_flow" => include_str!("../fixtures/legacy_branch_flow.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// Imports a fixture through the public entry point (detection included).
fn convert(name: &str) -> (Value, ImportReport) {
    let Imported { format, flow, report } = import_value(fixture(name)).unwrap();
    assert_eq!(format, SourceFormat::Activepieces);
    assert_eq!(report.source, SourceFormat::Activepieces);
    (flow, report)
}

/// Parses the converted document and checks it validates with no problem at all.
fn validate(flow: &Value) -> Flow {
    let parsed = crate::parse_flow(&flow.to_string()).unwrap_or_else(|e| panic!("{e}\n{flow:#}"));
    let engine = Engine::with_builtin_pieces(HttpConfig::default()).unwrap();
    let problems = engine.validate(&parsed);
    assert!(problems.is_empty(), "{problems:#?}\n{flow:#}");
    parsed
}

/// The report item of our step `id`.
fn item<'r>(report: &'r ImportReport, id: &str) -> &'r ReportItem {
    let found: Vec<&ReportItem> =
        report.items.iter().filter(|i| i.step.as_deref() == Some(id)).collect();
    assert_eq!(found.len(), 1, "one report item for {id}: {report:#?}");
    found[0]
}

/// Asserts the item's outcome and that some note contains each of `notes`.
fn expect_item(report: &ImportReport, id: &str, outcome: ItemOutcome, notes: &[&str]) {
    let it = item(report, id);
    assert_eq!(it.outcome, outcome, "{it:#?}");
    for n in notes {
        assert!(it.notes.iter().any(|x| x.contains(n)), "no note with {n:?} in {it:#?}");
    }
}

/// A step of the converted flow (top level or in a loop body) by id.
fn step<'f>(flow: &'f Value, id: &str) -> &'f Value {
    fn find<'v>(steps: &'v Value, id: &str) -> Option<&'v Value> {
        steps
            .as_array()?
            .iter()
            .find_map(|s| if s["id"] == id { Some(s) } else { find(&s["steps"], id) })
    }
    find(&flow["steps"], id).unwrap_or_else(|| panic!("no step {id} in {flow:#}"))
}

/// An engine whose vendor pieces all talk to `server`.
fn engine_for(server: &MockServer) -> Engine {
    let mut config = HttpConfig::default();
    for piece in [
        "hubspot",
        "slack",
        "google_sheets",
        "google_sheets_drive",
        "airtable",
        "twilio",
        "sendgrid",
        "pipedrive",
        "pipedrive_v1",
    ] {
        config.base_url_overrides.insert(piece.into(), server.uri());
    }
    Engine::with_builtin_pieces(config).unwrap()
}

/// The connections the fixtures name, with test credentials.
fn env() -> RunEnv {
    let c = |name: &str, piece: &str, values: Value| Connection {
        id: format!("conn-{name}"),
        name: name.into(),
        piece: piece.into(),
        values: values.as_object().cloned().unwrap(),
    };
    RunEnv {
        connections: Arc::new(StaticConnections::new([
            c("hubspot-main", "hubspot", json!({ "token": "pat-test-hubspot" })),
            c("slack-sales", "slack", json!({ "token": "xoxb-test-slack" })),
            c("sheets-ops", "google_sheets", json!({ "access_token": "ya29.test-sheets" })),
            c("airtable_crm", "airtable", json!({ "token": "patTEST.airtable" })),
            c(
                "twilio",
                "twilio",
                json!({ "account_sid": "AC00000000000000000000000000000001", "auth_token": "twilio-test-token" }),
            ),
            c("sendgrid", "sendgrid", json!({ "api_key": "SG.test-key" })),
            c("pipedrive", "pipedrive", json!({ "api_token": "pd-test-token" })),
        ])),
        ..RunEnv::default()
    }
}

/// Points every URL in the converted flow that starts with `host` at the mock server.
fn retarget(flow: &Value, host: &str, server: &MockServer) -> Value {
    serde_json::from_str(&flow.to_string().replace(host, &server.uri())).unwrap()
}

/// The JSON body of a recorded request.
fn body_json(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()))
}

/// Every ActivePieces step (and the trigger) has exactly one report item, and every converted
/// step one item naming it.
fn one_item_per_step(source: &Value, flow: &Value, report: &ImportReport) {
    fn count(step: &Value) -> usize {
        if !step.is_object() {
            return 0;
        }
        let mut n = 1 + count(&step["nextAction"]) + count(&step["firstLoopAction"]);
        n += count(&step["onSuccessAction"]) + count(&step["onFailureAction"]);
        if let Some(children) = step["children"].as_array() {
            n += children.iter().map(count).sum::<usize>();
        }
        n
    }
    let trigger = crate::import::activepieces::root_trigger(source).unwrap();
    let source_steps = count(&trigger["nextAction"]) + 1;
    assert_eq!(report.items.len(), source_steps, "{report:#?}");
    fn ids(steps: &Value, out: &mut Vec<String>) {
        for s in steps.as_array().into_iter().flatten() {
            out.push(s["id"].as_str().unwrap().to_string());
            ids(&s["steps"], out);
        }
    }
    let mut all = vec![flow["trigger"]["id"].as_str().unwrap().to_string()];
    ids(&flow["steps"], &mut all);
    assert_eq!(all.len(), report.items.len());
    for id in &all {
        item(report, id);
    }
    assert_eq!(flow["ui"]["import"]["original"], *source, "the original is kept");
    assert_eq!(flow["ui"]["import"]["source"], "activepieces");
}
