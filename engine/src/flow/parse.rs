//! Reading a flow document from JSON text: syntax, `schema_version` (with explicit migrations), then
//! the typed document, with errors that give the JSON path and the line/column.

use super::Flow;

/// The document version this engine writes and reads natively.
pub const CURRENT_SCHEMA_VERSION: u32 = 1;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ParseError {
    /// JSON path of the offending value (`steps[2].retry.max_attempts`), empty for the document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// 1-based line in the text, when known.
    pub line: Option<usize>,
    /// 1-based column in the text, when known.
    pub column: Option<usize>,
}

impl ParseError {
    fn render(&self) -> String {
        let mut s = String::new();
        if !self.path.is_empty() {
            s.push_str(&self.path);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        if let (Some(l), Some(c)) = (self.line, self.column) {
            s.push_str(&format!(" (line {l}, column {c})"));
        }
        s
    }

    fn document(message: impl Into<String>) -> Self {
        Self { path: String::new(), message: message.into(), line: None, column: None }
    }
}

/// Parses and migrates a flow document.
pub fn parse_flow(text: &str) -> Result<Flow, ParseError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        path: String::new(),
        message: strip_position(&e),
        line: Some(e.line()),
        column: Some(e.column()),
    })?;
    let version = schema_version(&value)?;
    if version != CURRENT_SCHEMA_VERSION {
        // An older document: migrate it explicitly, then read the migrated value (positions refer to
        // the original text, which no longer matches, so they are left out).
        let migrated = migrate(value, version)?;
        return serde_path_to_error::deserialize(&migrated).map_err(|e| ParseError {
            path: display_path(e.path()),
            message: e.inner().to_string(),
            line: None,
            column: None,
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        ParseError {
            path: display_path(e.path()),
            message: strip_position(inner),
            line: Some(inner.line()),
            column: Some(inner.column()),
        }
    })
}

fn schema_version(value: &serde_json::Value) -> Result<u32, ParseError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ParseError::document("a flow document must be a JSON object"))?;
    let v = obj.get("schema_version").ok_or_else(|| {
        ParseError::document(format!(
            "missing `schema_version` (this Switchboard writes {CURRENT_SCHEMA_VERSION})"
        ))
    })?;
    let n = v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| ParseError {
        path: "schema_version".into(),
        message: format!("must be a positive integer, not {v}"),
        line: None,
        column: None,
    })?;
    if n == 0 || n > CURRENT_SCHEMA_VERSION {
        return Err(ParseError {
            path: "schema_version".into(),
            message: format!(
                "unsupported schema_version {n}: this Switchboard reads versions 1 to {CURRENT_SCHEMA_VERSION}; upgrade Switchboard to open this flow"
            ),
            line: None,
            column: None,
        });
    }
    Ok(n)
}

/// Migrates a document from `from` to [`CURRENT_SCHEMA_VERSION`], one explicit step per version.
/// There is only version 1 so far, so every migration step is yet to be written; the function exists so
/// the next version adds a `match` arm here instead of guessing at read time.
pub fn migrate(value: serde_json::Value, from: u32) -> Result<serde_json::Value, ParseError> {
    match from {
        CURRENT_SCHEMA_VERSION => Ok(value),
        other => Err(ParseError::document(format!("no migration from schema_version {other}"))),
    }
}

/// `steps[2].retry` rather than serde_path_to_error's `steps[2].retry` with a leading `.` for the root.
fn display_path(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." { String::new() } else { s }
}

/// serde_json appends " at line L column C" to messages; the position is reported separately.
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
  "schema_version": 1,
  "name": "t",
  "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
  "steps": [ { "id": "a", "type": "set", "values": { "x": 1 } } ],
  "edges": [ { "from": "hook", "to": "a" } ]
}"#;

    #[test]
    fn reads_a_minimal_flow() {
        let flow = parse_flow(MINIMAL).unwrap();
        assert_eq!(flow.steps.len(), 1);
        assert_eq!(flow.trigger.id, "hook");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse_flow("{\n  \"schema_version\": 1,\n  \"name\": \n}").unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(err.to_string().contains("line 4"), "{err}");
    }

    #[test]
    fn type_error_has_path_and_position() {
        let text = MINIMAL.replace(
            r#""values": { "x": 1 }"#,
            r#""values": { "x": 1 }, "retry": { "max_attempts": "three" }"#,
        );
        let err = parse_flow(&text).unwrap_err();
        assert_eq!(err.path, "steps[0].retry.max_attempts");
        assert!(err.message.contains("invalid type: string \"three\""), "{err}");
        assert_eq!(err.line, Some(5));
    }

    #[test]
    fn unknown_top_level_field_is_rejected() {
        let text = MINIMAL.replace(r#""name": "t","#, r#""name": "t", "nmae": "x","#);
        let err = parse_flow(&text).unwrap_err();
        assert!(err.message.contains("unknown field `nmae`"), "{err}");
    }

    #[test]
    fn schema_version_is_checked() {
        let err = parse_flow(&MINIMAL.replace("\"schema_version\": 1", "\"schema_version\": 7"))
            .unwrap_err();
        assert!(err.message.contains("unsupported schema_version 7"), "{err}");
        let err = parse_flow(&MINIMAL.replace("\"schema_version\": 1,", "")).unwrap_err();
        assert!(err.message.contains("missing `schema_version`"), "{err}");
    }
}
