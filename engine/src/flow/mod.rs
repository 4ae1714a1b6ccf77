//! The flow document (schema_version 1): the one JSON shape the editor edits, the API stores, templates
//! are written in and `switchboard run` executes.
//!
//! These types are deliberately dependency-light and strict: unknown fields are rejected when a document
//! is deserialised, so a typo is an error with its JSON path rather than a silently ignored setting.
//! Graph-level rules (ids, edges, cycles, expressions, pieces) are checked by [`crate::validate`].

mod duration;
mod parse;
mod step;

use serde::{Deserialize, Serialize};

pub use duration::FlowDuration;
pub use parse::{CURRENT_SCHEMA_VERSION, ParseError, migrate, parse_flow};
pub use step::{
    ActionStep, Backoff, Branch, CodeStep, DelayStep, FilterStep, LoopStep, OnError, OnTimeout,
    Outcome, RespondStep, RetryOn, RetryPolicy, RouterMode, RouterStep, SetStep, Step, StepCommon,
    StepKind, StopStep, SubflowStep, WaitStep,
};

/// A JSON object, as props and values are written.
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A flow: a trigger, steps, and the edges between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// The document format version; this engine reads 1.
    pub schema_version: u32,
    /// Display name.
    pub name: String,
    /// What the flow is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What starts the flow.
    pub trigger: Trigger,
    /// The steps, in any order (the edges define the order of execution).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Connections between the trigger and steps; together they must form a DAG.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Flow variables, readable in expressions as `vars.<name>`.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub vars: JsonMap,
    /// Run-level settings.
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    /// Editor state (node positions, viewport). The engine never reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<serde_json::Value>,
}

/// What starts a flow: a trigger of a piece (`webhook`/`catch`, `call`/`call_ended`, `schedule`/`cron` …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// The node id edges start from (e.g. `call`).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The piece that owns the trigger.
    pub piece: String,
    /// The trigger's name within the piece.
    pub trigger: String,
    /// The trigger's settings.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub props: JsonMap,
    /// A connection (id or name) for triggers that need credentials (e.g. a signing secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
}

/// A connection from one node to another. Edges out of a router name the branch they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// The upstream node id (the trigger or a step).
    pub from: String,
    /// The downstream step id.
    pub to: String,
    /// For edges out of a router: the branch name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// Run-level settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The whole run fails when it takes longer than this (paused time excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_sec: Option<u64>,
    /// A flow (id) started with the failed run's details when a run of this flow fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_flow: Option<String>,
    /// At most this many runs of this flow execute at once (1 = one after another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
}

impl Settings {
    fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

impl Flow {
    /// Every step at the top level and inside loop bodies, depth first, with its JSON path.
    pub fn all_steps(&self) -> Vec<(String, &Step)> {
        fn walk<'a>(steps: &'a [Step], prefix: &str, out: &mut Vec<(String, &'a Step)>) {
            for (i, s) in steps.iter().enumerate() {
                let path = format!("{prefix}steps[{i}]");
                if let StepKind::Loop(l) = &s.kind {
                    out.push((path.clone(), s));
                    walk(&l.steps, &format!("{path}."), out);
                } else {
                    out.push((path, s));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.steps, "", &mut out);
        out
    }
}
