//! Validation results: every problem in a flow at once, each with the JSON path it is about.
//!
//! The checks themselves live in [`crate::compile`]: a flow is valid exactly when it compiles, so the
//! validator and the executor can never disagree.

use serde::{Deserialize, Serialize};

/// One thing wrong with a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// JSON path into the document: `steps[2].props.email`, `edges[4]`, `trigger.props`.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}
