//! n8n workflow exports → flow documents.
//!
//! The conversion runs in stages, each in its own module:
//! - [`model`] reads the export (nodes, `main` connections keyed by node name, settings) and
//!   reports malformed input with a JSON path;
//! - [`kinds`] classifies node types and what each of their outputs means;
//! - [`graph`] picks the trigger, gives every node a step id, finds loop bodies, turns connections
//!   into edges (router branches for IF/Switch) and works out which steps each step may read;
//! - [`sources`] decides what `$json` and `$('Node').item.json` mean at each node;
//! - [`expressions`] and [`conditions`] translate n8n's JavaScript expressions and conditions into
//!   rhai templates and conditions;
//! - [`nodes`] maps each node type to a trigger or a step and writes the report line.
//!
//! Anything without an equivalent becomes a disabled placeholder (never silently dropped), and an
//! expression that cannot be translated is kept as text in a disabled step, so the result always
//! validates and the report says what to look at.

mod conditions;
mod expressions;
mod graph;
mod kinds;
mod model;
mod nodes;
mod sources;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{ImportError, ImportReport, ItemOutcome, SourceFormat};
use crate::expr::ExprEngine;
use graph::{Plan, Role};

/// Converts an n8n workflow export.
pub(super) fn import(doc: &Value) -> Result<(Value, ImportReport), ImportError> {
    let wf = model::parse(doc)?;
    let plan = graph::plan(&wf);
    let sources = sources::Sources::new(&wf, &plan);
    let env = nodes::Env { wf: &wf, plan: &plan, sources: &sources, engine: checker() };

    let mut report = ImportReport::new(SourceFormat::N8n);
    let mut trigger = None;
    let mut steps: BTreeMap<usize, Value> = BTreeMap::new();
    for node in &wf.nodes {
        let i = node.index;
        if plan.roles[i] == Role::Sticky {
            report.push(
                &node.name,
                &node.kind,
                None,
                ItemOutcome::Approximated,
                vec![
                    "Sticky note: not converted (the editor has no canvas notes); its text stays \
                     in ui.import.original."
                        .into(),
                ],
            );
            continue;
        }
        let mapped = nodes::map(&env, i);
        report.push(&node.name, &node.kind, Some(plan.id(i)), mapped.outcome, mapped.notes);
        if plan.roles[i] == Role::Trigger {
            trigger = Some(mapped.json);
        } else {
            steps.insert(i, mapped.json);
        }
    }
    let trigger = trigger.unwrap_or_else(|| {
        json!({ "id": plan.trigger_id, "name": "Manual trigger", "piece": "manual", "trigger": "run" })
    });

    let (top_steps, top_edges) = assemble(&wf, &plan, &mut steps, None);
    let mut flow = json!({
        "schema_version": 1,
        "name": wf.name,
        "description": format!("Imported from the n8n workflow “{}”.", wf.name),
        "trigger": trigger,
        "steps": top_steps,
        "edges": top_edges,
    });
    let settings = settings(&wf, &mut report);
    if !settings.is_empty() {
        flow["settings"] = Value::Object(settings);
    }
    flow["ui"] = json!({ "positions": positions(&wf, &plan) });

    report.notes.extend(plan.flow_notes.iter().cloned());
    connections_note(&flow, &mut report);
    if !wf.pinned.is_empty() {
        report
            .notes
            .push(format!("Pinned test data is not imported (nodes: {}).", wf.pinned.join(", ")));
    }
    Ok((flow, report))
}

/// The expression engine that checks every translation compiles; built once, since building one
/// registers every helper.
fn checker() -> &'static ExprEngine {
    static CHECKER: std::sync::OnceLock<ExprEngine> = std::sync::OnceLock::new();
    CHECKER.get_or_init(ExprEngine::new)
}

/// The steps and edges of one level (`None`: the top level), loop bodies nested in their loops.
fn assemble(
    wf: &model::Workflow,
    plan: &Plan,
    steps: &mut BTreeMap<usize, Value>,
    level: Option<usize>,
) -> (Vec<Value>, Vec<Value>) {
    let mut out = Vec::new();
    let members: Vec<usize> = steps.keys().copied().filter(|&i| plan.level[i] == level).collect();
    for i in members {
        let Some(mut step) = steps.remove(&i) else { continue };
        if plan.loops.contains_key(&i) && step.get("type").and_then(Value::as_str) == Some("loop") {
            let (body, edges) = assemble(wf, plan, steps, Some(i));
            step["steps"] = Value::Array(body);
            step["edges"] = Value::Array(edges);
        }
        out.push(step);
        if let Some(r) = plan.routers.iter().find(|r| r.node == i) {
            out.push(json!({
                "id": r.id,
                "name": format!("{} succeeded?", wf.nodes[i].name),
                "type": "router",
                "mode": "first_match",
                "branches": [
                    { "name": "success", "condition": format!("steps.{}?.error == ()", plan.id(i)) },
                    { "name": "error" }
                ]
            }));
        }
    }
    let edges = plan
        .edges
        .iter()
        .filter(|e| e.level == level)
        .map(|e| {
            let mut edge = json!({ "from": e.from, "to": e.to });
            if let Some(b) = &e.branch {
                edge["branch"] = Value::String(b.clone());
            }
            edge
        })
        .collect();
    (out, edges)
}

/// n8n positions as `ui.positions`.
fn positions(wf: &model::Workflow, plan: &Plan) -> Map<String, Value> {
    let mut out = Map::new();
    for node in &wf.nodes {
        if let (Some([x, y]), Some(id)) = (node.position, plan.ids[node.index].as_ref()) {
            out.insert(id.clone(), point(x, y));
        }
    }
    if plan.trigger.is_none() {
        let (x, y) = wf
            .nodes
            .iter()
            .filter_map(|n| n.position)
            .fold((f64::INFINITY, 0.0), |(mx, my), [x, y]| if x < mx { (x, y) } else { (mx, my) });
        let x = if x.is_finite() { x - 250.0 } else { 0.0 };
        out.insert(plan.trigger_id.clone(), point(x, y));
    }
    for r in &plan.routers {
        if let Some([x, y]) = wf.nodes[r.node].position {
            out.insert(r.id.clone(), point(x + 120.0, y + 120.0));
        }
    }
    out
}

/// `[x, y]`, as whole numbers when they are (n8n positions usually are).
fn point(x: f64, y: f64) -> Value {
    let n = |v: f64| if v.fract() == 0.0 && v.abs() < 1e15 { json!(v as i64) } else { json!(v) };
    json!([n(x), n(y)])
}

/// Workflow settings: the execution timeout carries over; the rest becomes notes.
fn settings(wf: &model::Workflow, report: &mut ImportReport) -> Map<String, Value> {
    let mut out = Map::new();
    let mut ignored = Vec::new();
    for (key, value) in &wf.settings {
        match key.as_str() {
            "executionTimeout" => {
                if let Some(secs) = value.as_f64().filter(|s| *s > 0.0) {
                    out.insert("timeout_sec".into(), json!(secs.ceil() as u64));
                }
            }
            "errorWorkflow" => {
                if let Some(id) = value.as_str().filter(|s| !s.is_empty()) {
                    report.notes.push(format!(
                        "n8n started the error workflow “{id}” when a run failed: import that \
                         workflow too and set this flow's settings.error_flow to its flow id."
                    ));
                }
            }
            "executionOrder" => {
                if value.as_str() == Some("v0") {
                    report.notes.push(
                        "The workflow used n8n's legacy execution order (v0); here independent \
                         branches run concurrently."
                            .into(),
                    );
                }
            }
            "timezone" => {}
            _ => ignored.push(key.clone()),
        }
    }
    if !ignored.is_empty() {
        report.notes.push(format!(
            "These n8n workflow settings are not carried over: {}.",
            ignored.join(", ")
        ));
    }
    out
}

/// One note listing the connections to create, with the steps that use each.
fn connections_note(flow: &Value, report: &mut ImportReport) {
    let mut by_name: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    fn walk(steps: &Value, out: &mut BTreeMap<String, (String, Vec<String>)>) {
        for s in steps.as_array().into_iter().flatten() {
            if let (Some(c), Some(piece)) = (
                s.get("connection").and_then(Value::as_str),
                s.get("piece").and_then(Value::as_str),
            ) {
                let entry =
                    out.entry(c.to_owned()).or_insert_with(|| (piece.to_owned(), Vec::new()));
                entry.1.push(s.get("id").and_then(Value::as_str).unwrap_or("").to_owned());
            }
            if let Some(body) = s.get("steps") {
                walk(body, out);
            }
        }
    }
    walk(&flow["steps"], &mut by_name);
    if by_name.is_empty() {
        return;
    }
    let list: Vec<String> = by_name
        .iter()
        .map(|(name, (piece, steps))| format!("“{name}” ({piece}, used by {})", steps.join(", ")))
        .collect();
    report.notes.push(format!(
        "Create these connections before running the flow (n8n credentials are not exported): {}.",
        list.join("; ")
    ));
}
