//! ActivePieces flow and template exports → flow documents.
//!
//! ActivePieces keeps a flow version as a trigger whose `nextAction` starts a chain of steps
//! (`PIECE`, `CODE`, `LOOP_ON_ITEMS`, `ROUTER`, the older `BRANCH`), each pointing at the next.
//! Exports wrap that version in different ways (a bare version, a flow with `version`, a template
//! with `template` or `flows`); [`locate`] finds it.
//!
//! The work is split by job:
//! - [`parse`] reads and checks the step tree;
//! - [`trigger`] maps the trigger;
//! - [`chain`] walks the tree into steps and edges and writes the report;
//! - [`pieces`], [`crm`], [`messaging`] map piece actions (with [`input`] reading their inputs);
//! - [`expressions`], [`scope`] and [`conditions`] translate `{{ }}` templates and branch
//!   conditions into rhai.

mod chain;
mod conditions;
mod crm;
mod expressions;
mod input;
mod messaging;
mod parse;
mod pieces;
mod scope;
mod trigger;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::{ImportError, ImportReport, SourceFormat, StepIds};
use chain::{Builder, Exit, Level};
use parse::malformed;

/// Where export kinds keep the flow version (the object holding `trigger`), with its JSON path.
const VERSION_PLACES: [(&str, &str); 7] = [
    ("", "$"),
    ("/version", "$.version"),
    ("/flow/version", "$.flow.version"),
    ("/template", "$.template"),
    ("/flows/0", "$.flows[0]"),
    ("/template/flows/0", "$.template.flows[0]"),
    ("/flowVersion", "$.flowVersion"),
];

/// Names our expressions reserve, never given to a step.
const RESERVED: [&str; 6] = ["trigger", "steps", "vars", "run", "item", "index"];

/// The flow version inside an export.
struct Located<'a> {
    /// The object holding `trigger` and `displayName`.
    version: &'a Value,
    /// Its JSON path (`$.template`).
    path: &'static str,
}

/// Finds the flow version in any of the export shapes.
fn locate(doc: &Value) -> Option<Located<'_>> {
    VERSION_PLACES.iter().find_map(|(pointer, path)| {
        let version = if pointer.is_empty() { Some(doc) } else { doc.pointer(pointer) }?;
        let trigger = version.get("trigger")?;
        trigger.get("type").is_some_and(Value::is_string).then_some(Located { version, path })
    })
}

/// The root trigger of an ActivePieces export, wherever the export kind puts it
/// (`trigger`, `version.trigger`, `template.trigger`, `flows[0].trigger` …).
pub(super) fn root_trigger(doc: &Value) -> Option<&Value> {
    locate(doc).and_then(|l| l.version.get("trigger"))
}

/// The first non-empty string among `values`.
fn first_text<'a>(values: &[Option<&'a Value>]) -> Option<&'a str> {
    values.iter().flatten().filter_map(|v| v.as_str()).find(|s| !s.trim().is_empty())
}

/// Converts an ActivePieces export.
pub(super) fn import(doc: &Value) -> Result<(Value, ImportReport), ImportError> {
    let Some(located) = locate(doc) else {
        return Err(malformed("$", "no flow version with a `trigger` was found"));
    };
    let base = located.path;
    let trigger_value = located.version.get("trigger").unwrap_or(&Value::Null);
    let trigger_path = format!("{base}.trigger");
    let converted = trigger::convert(trigger_value, &trigger_path)?;
    let nodes =
        parse::chain(trigger_value.get("nextAction"), &format!("{trigger_path}.nextAction"), 0)?;

    let mut report = ImportReport::new(SourceFormat::Activepieces);
    let mut ids = StepIds::new(RESERVED);
    let mut builder = Builder::new(&nodes, &mut ids, ImportReport::new(SourceFormat::Activepieces));
    let trigger_id = ids.allocate(converted.id_hint);
    report.push(
        converted.source.clone(),
        converted.source_type.clone(),
        Some(&trigger_id),
        converted.outcome,
        converted.notes.clone(),
    );
    builder.names.trigger = Some(converted.shape.clone());
    builder.positions.insert(trigger_id.clone(), json!([0, 0]));

    let mut level = Level::default();
    let mut visible = HashSet::new();
    builder.chain(&nodes, vec![Exit::node(&trigger_id)], &mut level, &mut visible, &[], (0, 140));

    report.items.append(&mut builder.report.items);
    for (name, pieces) in &builder.connections {
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        report.notes.push(format!(
            "create a connection named `{name}` ({}) before running the flow",
            pieces.join(", ")
        ));
    }
    if base.contains("flows[0]") {
        let flows = if base.starts_with("$.template") {
            doc.pointer("/template/flows")
        } else {
            doc.get("flows")
        };
        let count = flows.and_then(Value::as_array).map_or(1, Vec::len);
        if count > 1 {
            report.notes.push(format!(
                "the template holds {count} flows; only the first was imported (import the others \
                 from their own exports)"
            ));
        }
    }

    let name =
        first_text(&[located.version.get("displayName"), doc.get("name"), doc.get("displayName")])
            .unwrap_or("Imported ActivePieces flow");
    let description = first_text(&[doc.get("description"), located.version.get("description")]);

    let mut trigger = Map::new();
    trigger.insert("id".into(), json!(trigger_id));
    trigger.insert("name".into(), json!(converted.display));
    trigger.insert("piece".into(), json!(converted.piece));
    trigger.insert("trigger".into(), json!(converted.trigger));
    if !converted.props.is_empty() {
        trigger.insert("props".into(), Value::Object(converted.props));
    }
    let mut flow = Map::new();
    flow.insert("schema_version".into(), json!(1));
    flow.insert("name".into(), json!(name));
    if let Some(d) = description {
        flow.insert("description".into(), json!(d));
    }
    flow.insert("trigger".into(), Value::Object(trigger));
    flow.insert("steps".into(), Value::Array(level.steps));
    flow.insert("edges".into(), Value::Array(level.edges));
    flow.insert("ui".into(), json!({ "positions": builder.positions }));
    Ok((Value::Object(flow), report))
}
