//! The run record: what a run produced, as the API returns it and `switchboard run --json` prints it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::step_error::StepError;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every reached step finished (a path cut by a filter still counts as success).
    Succeeded,
    /// A step failed (with `on_error: fail`), a `stop` step failed the run, or it timed out.
    Failed,
    /// Waiting on a `delay` or `wait` step; see `pauses`.
    Paused,
    /// Being executed.
    Running,
    /// Stored, not yet claimed by a worker.
    Queued,
    /// Cancelled by a user.
    Cancelled,
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Produced its output.
    Succeeded,
    /// Failed after its attempts (the run continued if `on_error` is `continue`).
    Failed,
    /// Not run: no active path reached it, or it is disabled.
    Skipped,
    /// A `delay` or `wait` that has not resumed yet.
    Paused,
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Where it stands.
    pub status: StepStatus,
    /// Attempts made (0 for skipped steps).
    pub attempts: u32,
    /// When its first attempt started.
    pub started_at: DateTime<Utc>,
    /// Time spent, retries and backoff included, in milliseconds (microsecond precision).
    pub duration_ms: f64,
    /// The resolved input (rendered props), secrets redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
    /// The output, secrets redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StepError>,
    /// Why it was skipped (`disabled`, `not reached`, `run stopped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For loops: each iteration's step records, in item order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<Vec<BTreeMap<String, StepRecord>>>,
    /// For paused steps: what the host must persist to resume it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Pause>,
}

impl StepRecord {
    /// A skipped step.
    pub fn skipped(reason: &str) -> Self {
        Self {
            status: StepStatus::Skipped,
            attempts: 0,
            started_at: Utc::now(),
            duration_ms: 0.0,
            input: None,
            output: None,
            error: None,
            reason: Some(reason.to_owned()),
            iterations: None,
            pause: None,
        }
    }

    /// Whether the record is final (a resumed run does not execute the step again).
    pub fn is_final(&self) -> bool {
        self.status != StepStatus::Paused
    }
}

/// Why a run is paused at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pause {
    /// A `delay` step: resume at `wake_at`.
    Delay {
        /// When to resume.
        wake_at: DateTime<Utc>,
    },
    /// A `wait` step: resume when `resume_token` is posted to, or at `timeout_at`.
    Wait {
        /// The token of this step's resume URL.
        resume_token: String,
        /// When the wait gives up, if it has a timeout.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_at: Option<DateTime<Utc>>,
    },
}

/// A paused step, as the host sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PausedStep {
    /// The step's path (`approval`, or `each_lead[3].approval`).
    pub step: String,
    /// Why and until when.
    #[serde(flatten)]
    pub pause: Pause,
}

/// The response a `respond` step set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body.
    pub body: serde_json::Value,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunError {
    /// The step that failed the run, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// What happened.
    pub message: String,
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run id.
    pub run_id: String,
    /// Its outcome.
    pub status: RunStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long this execution took, in milliseconds.
    pub duration_ms: f64,
    /// Each top-level step's record, by id (loop bodies are inside their loop's `iterations`).
    pub steps: BTreeMap<String, StepRecord>,
    /// The response a `respond` step set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    /// The flow's output: the `respond` body if one ran, else the output of the last step that
    /// succeeded (in topological order). A subflow step returns this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
    /// Where the run waits, when `paused`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<PausedStep>,
}
