//! ActivePieces flow and template exports → flow documents. (Being written.)

use serde_json::Value;

use super::{ImportError, ImportReport};

/// The root trigger of an ActivePieces export, wherever the export kind puts it
/// (`trigger`, `version.trigger`, `template.trigger`, `flows[0].trigger` …).
pub(super) fn root_trigger(doc: &Value) -> Option<&Value> {
    let candidates = [
        doc.get("trigger"),
        doc.pointer("/version/trigger"),
        doc.pointer("/template/trigger"),
        doc.pointer("/flows/0/trigger"),
        doc.pointer("/template/flows/0/trigger"),
    ];
    candidates.into_iter().flatten().find(|t| t.get("type").is_some_and(Value::is_string))
}

/// Converts an ActivePieces export.
pub(super) fn import(_doc: &Value) -> Result<(Value, ImportReport), ImportError> {
    Err(ImportError::Malformed {
        format: "ActivePieces",
        path: "$".into(),
        message: "ActivePieces import is not written yet".into(),
    })
}
#[cfg(test)] mod scratch;
