//! Running a compiled flow: the DAG scheduler, every step type, retries and timeouts, pauses, the
//! journal and resuming from it.

mod host;
mod record;
mod redact;
mod retry;
mod run;

pub use host::{
    Journal, MemoryJournal, NoJournal, NoSubflows, Resume, RunEnv, RunRequest, Subflows,
};
pub use record::{
    Pause, PausedStep, Response, RunError, RunRecord, RunStatus, StepRecord, StepStatus,
};
pub use redact::REDACTED;
pub(crate) use run::execute;
