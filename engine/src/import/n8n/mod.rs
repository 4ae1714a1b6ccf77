//! n8n workflow exports → flow documents. (Being written.)

use serde_json::Value;

use super::{ImportError, ImportReport};

/// Converts an n8n workflow export.
pub(super) fn import(_doc: &Value) -> Result<(Value, ImportReport), ImportError> {
    Err(ImportError::Malformed {
        format: "n8n",
        path: "$".into(),
        message: "n8n import is not written yet".into(),
    })
}
