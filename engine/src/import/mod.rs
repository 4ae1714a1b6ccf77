//! Import of flows written for other tools into the flow document.
//!
//! [`import_text`] reads a JSON file that is either our own flow document, an n8n workflow export or an
//! ActivePieces flow/template export, and answers with a flow document plus an [`ImportReport`] that
//! says, node by node, what was mapped, what was approximated and what could not be converted.
//!
//! Conversion never fails silently and never loses the original: a node that cannot be converted becomes
//! a disabled placeholder `code` step ([`placeholder::step`]) that says why and carries the original as
//! a comment, and the whole source document is kept under the flow's `ui.import.original`. The result is
//! a plain JSON document; the caller parses and validates it like any other draft.

mod activepieces;
mod ids;
mod n8n;
pub mod placeholder;
mod report;
mod rhai_text;

use serde::Serialize;
use serde_json::{Value, json};

pub use ids::StepIds;
pub use report::{ImportReport, ItemOutcome, ReportItem};

/// Where an imported document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Our own flow document (as exported).
    Switchboard,
    /// An n8n workflow export (`nodes` + `connections` keyed by node name).
    N8n,
    /// An ActivePieces flow, flow version or template export (`trigger` with `nextAction` chains).
    Activepieces,
}

impl SourceFormat {
    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Switchboard => "Switchboard",
            Self::N8n => "n8n",
            Self::Activepieces => "ActivePieces",
        }
    }
}

/// A converted document and what the conversion did.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The format the input was read as.
    pub format: SourceFormat,
    /// The flow document (schema_version 1), not yet validated.
    pub flow: Value,
    /// Node by node, what the conversion did (empty for our own format).
    pub report: ImportReport,
}

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The text is not JSON.
    #[error("the file is not JSON: {message} (line {line}, column {column})")]
    NotJson {
        /// What the JSON parser said.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// JSON, but none of the formats we read.
    #[error("the file is not a Switchboard flow, an n8n workflow or an ActivePieces flow: {hint}")]
    UnknownFormat {
        /// What was looked for and not found.
        hint: String,
    },
    /// Recognised, but a required part is missing or has the wrong shape.
    #[error("{format} file, at {path}: {message}")]
    Malformed {
        /// The format it was recognised as.
        format: &'static str,
        /// JSON path of the bad part (`$.nodes[2].type`).
        path: String,
        /// What is wrong there.
        message: String,
    },
}

impl ImportError {
    /// The JSON path of the problem, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Malformed { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The same error for element `index` of an array of flows.
    fn at_index(self, index: usize) -> Self {
        match self {
            Self::Malformed { format, path, message } => Self::Malformed {
                format,
                path: format!("$[{index}]{}", path.strip_prefix('$').unwrap_or(&path)),
                message,
            },
            Self::UnknownFormat { hint } => {
                Self::UnknownFormat { hint: format!("element {index} of the array: {hint}") }
            }
            other => other,
        }
    }
}

/// Reads a file's text in whichever supported format it is written.
pub fn import_text(text: &str) -> Result<Imported, ImportError> {
    import_value(parse_json(text)?)
}

/// Reads a file that may hold several flows: a JSON array of them (what `n8n export:workflow
/// --all` writes) gives one result per element, in order, an element's error naming its index
/// (`$[2].nodes[0].type`); any other document gives one result.
pub fn import_text_many(text: &str) -> Result<Vec<Result<Imported, ImportError>>, ImportError> {
    match parse_json(text)? {
        Value::Array(items) if !items.is_empty() => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, item)| import_value(item).map_err(|e| e.at_index(i)))
            .collect()),
        value => Ok(vec![import_value(value)]),
    }
}

fn parse_json(text: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::NotJson {
        message: e.to_string().split(" at line").next().unwrap_or_default().to_string(),
        line: e.line(),
        column: e.column(),
    })
}

/// Converts an already-parsed document.
pub fn import_value(value: Value) -> Result<Imported, ImportError> {
    match detect(&value) {
        Some(SourceFormat::Switchboard) => Ok(Imported {
            format: SourceFormat::Switchboard,
            flow: value,
            report: ImportReport::new(SourceFormat::Switchboard),
        }),
        Some(SourceFormat::N8n) => n8n::import(&value).map(|(flow, report)| Imported {
            format: SourceFormat::N8n,
            flow: keep_original(flow, &report, value),
            report,
        }),
        Some(SourceFormat::Activepieces) => {
            activepieces::import(&value).map(|(flow, report)| Imported {
                format: SourceFormat::Activepieces,
                flow: keep_original(flow, &report, value),
                report,
            })
        }
        None => Err(ImportError::UnknownFormat { hint: unknown_hint(&value) }),
    }
}

/// Which format a JSON document is written in, if any of ours.
pub fn detect(value: &Value) -> Option<SourceFormat> {
    let obj = value.as_object()?;
    if obj.contains_key("schema_version") && obj.contains_key("trigger") {
        return Some(SourceFormat::Switchboard);
    }
    if obj.get("nodes").is_some_and(Value::is_array) && obj.contains_key("connections") {
        return Some(SourceFormat::N8n);
    }
    if activepieces::root_trigger(value).is_some() {
        return Some(SourceFormat::Activepieces);
    }
    None
}

fn unknown_hint(value: &Value) -> String {
    match value {
        Value::Object(obj) if obj.is_empty() => "it is an empty object".into(),
        Value::Object(obj) => {
            let keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
            format!(
                "expected `schema_version` + `trigger` (Switchboard), `nodes` + `connections` \
                 (n8n) or a `trigger` with `nextAction` (ActivePieces); found the keys {}",
                keys.join(", ")
            )
        }
        Value::Array(_) => {
            "it is a JSON array (several flows: `switchboard import FILE --save` imports each)"
                .into()
        }
        _ => "it is not a JSON object".into(),
    }
}

/// Puts the report and the whole source document under `ui.import` (next to the positions the
/// converter chose), so the editor can show the report and nothing of the original is lost.
fn keep_original(mut flow: Value, report: &ImportReport, original: Value) -> Value {
    if let Some(obj) = flow.as_object_mut() {
        let ui = obj.entry("ui").or_insert_with(|| json!({}));
        if let Some(ui) = ui.as_object_mut() {
            ui.insert(
                "import".into(),
                json!({ "source": report.source, "report": report, "original": original }),
            );
        }
    }
    flow
}
