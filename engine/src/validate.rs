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
    /// The id of the step (or trigger) the path points into, when it points into one: an
    /// editor marks that node without resolving indices against a document that may have
    /// changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into(), step: None }
    }
}

/// Sets each problem's [`Problem::step`] from its path (`trigger…`, `steps[i]…`, and loop
/// bodies `steps[i].steps[j]…`).
pub(crate) fn attach_steps(flow: &crate::flow::Flow, problems: &mut [Problem]) {
    for p in problems {
        if p.step.is_some() {
            continue;
        }
        if p.path == "trigger" || p.path.starts_with("trigger.") {
            p.step = Some(flow.trigger.id.clone());
            continue;
        }
        let mut steps = &flow.steps;
        let mut rest = p.path.as_str();
        let mut found = None;
        while let Some(after) = rest.strip_prefix("steps[") {
            let Some((index, tail)) = after.split_once(']') else { break };
            let Some(step) = index.parse::<usize>().ok().and_then(|i| steps.get(i)) else { break };
            found = Some(step.id().to_owned());
            match (&step.kind, tail.strip_prefix('.')) {
                (crate::flow::StepKind::Loop(l), Some(inner)) if inner.starts_with("steps[") => {
                    steps = &l.steps;
                    rest = inner;
                }
                _ => break,
            }
        }
        p.step = found;
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
