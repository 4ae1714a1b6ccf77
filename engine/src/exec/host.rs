//! What the host (the server, the CLI, a test) gives a run: its input, the journal, connections,
//! subflows, and where a `respond` step's response goes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::record::{Response, StepRecord};
use crate::piece::{BoxFuture, Connections, NoConnections};
use crate::step_error::{ErrorKind, StepError};

/// Receives each step's record as it finishes (succeeded, failed, skipped or paused), top-level and
/// loop-body steps alike, secrets already redacted. The server persists these; on resume they come
/// back as [`RunRequest::prior`].
pub trait Journal: Send + Sync {
    /// Stores one record; `path` is the step's path (`contact`, `each_lead[3].contact`). An error fails
    /// the run: a step whose result cannot be kept must not let later steps act on it.
    fn record<'a>(
        &'a self,
        run_id: &'a str,
        path: &'a str,
        record: &'a StepRecord,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// A journal that keeps nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJournal;

impl Journal for NoJournal {
    fn record<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a StepRecord,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// A journal in memory, in the order records arrived (tests, the CLI).
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: Mutex<Vec<(String, StepRecord)>>,
}

impl MemoryJournal {
    /// Every (path, record) so far.
    pub fn entries(&self) -> Vec<(String, StepRecord)> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// The latest record per path: what a host passes as [`RunRequest::prior`] to resume.
    pub fn latest(&self) -> HashMap<String, StepRecord> {
        self.entries().into_iter().collect()
    }
}

impl Journal for MemoryJournal {
    fn record<'a>(
        &'a self,
        _: &'a str,
        path: &'a str,
        record: &'a StepRecord,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.entries
                .lock()
                .map_err(|_| "journal lock poisoned".to_owned())?
                .push((path.to_owned(), record.clone()));
            Ok(())
        })
    }
}

/// Runs another flow for a `subflow` step.
pub trait Subflows: Send + Sync {
    /// Runs flow `flow` with `input` as its trigger body. With `wait`, returns the called flow's output
    /// (see [`super::RunRecord::output`]); without, returns once it is queued (e.g. `{ "run_id" }`).
    /// `idempotency_key` (run id + step path) is the same when the step runs again after a crash:
    /// the host must not start a second run for it.
    fn run<'a>(
        &'a self,
        flow: &'a str,
        input: serde_json::Value,
        wait: bool,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<serde_json::Value, StepError>>;
}

/// A host without subflows.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSubflows;

impl Subflows for NoSubflows {
    fn run<'a>(
        &'a self,
        flow: &'a str,
        _: serde_json::Value,
        _: bool,
        _: &'a str,
    ) -> BoxFuture<'a, Result<serde_json::Value, StepError>> {
        Box::pin(async move {
            Err(StepError::new(
                ErrorKind::Unsupported,
                format!("cannot run subflow `{flow}`: subflows need the Switchboard server"),
            ))
        })
    }
}

/// How a paused step is resumed.
#[derive(Debug, Clone, PartialEq)]
pub enum Resume {
    /// A `delay` reached its wake-up time.
    WakeUp,
    /// A `wait` step's resume URL was called with this body (it becomes the step's output).
    Body(serde_json::Value),
    /// A `wait` step's timeout passed.
    TimedOut,
}

/// One execution of a flow: a fresh run, or the continuation of one from its journal.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The run id.
    pub run_id: String,
    /// The trigger's output (`trigger` in expressions).
    pub trigger: serde_json::Value,
    /// When the run was first started (kept across resumes).
    pub started_at: DateTime<Utc>,
    /// A secret, random token for this run; each `wait` step's resume token derives from it.
    pub resume_token: String,
    /// The public base of resume URLs (`https://host/hooks/resume`); exposed as `run.resume_url(s)`.
    pub resume_base_url: Option<String>,
    /// Records of steps that already finished (by path): they are restored, not executed again.
    pub prior: HashMap<String, StepRecord>,
    /// Paused steps to resume now, by path.
    pub resume: HashMap<String, Resume>,
    /// Values overlaid on the flow's `vars`.
    pub vars: serde_json::Map<String, serde_json::Value>,
}

impl RunRequest {
    /// A fresh run with a random id and resume token.
    pub fn new(trigger: serde_json::Value) -> Self {
        Self {
            run_id: uuid::Uuid::new_v4().to_string(),
            trigger,
            started_at: Utc::now(),
            resume_token: uuid::Uuid::new_v4().simple().to_string(),
            resume_base_url: None,
            prior: HashMap::new(),
            resume: HashMap::new(),
            vars: serde_json::Map::new(),
        }
    }
}

/// Called with the first `respond` step's response.
pub type RespondHook = Arc<dyn Fn(&Response) + Send + Sync>;

/// The host's services for a run.
#[derive(Clone)]
pub struct RunEnv {
    /// Resolves step connections.
    pub connections: Arc<dyn Connections>,
    /// Receives step records.
    pub journal: Arc<dyn Journal>,
    /// Runs subflows.
    pub subflows: Arc<dyn Subflows>,
    /// Gets the first `respond` step's response as soon as it is set (a synchronous webhook answers
    /// then, while the run goes on).
    pub on_respond: Option<RespondHook>,
    /// When it flips to true, the run stops scheduling steps and ends `cancelled`.
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Default for RunEnv {
    fn default() -> Self {
        Self {
            connections: Arc::new(NoConnections),
            journal: Arc::new(NoJournal),
            subflows: Arc::new(NoSubflows),
            on_respond: None,
            cancel: None,
        }
    }
}

impl std::fmt::Debug for RunEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunEnv").finish_non_exhaustive()
    }
}
