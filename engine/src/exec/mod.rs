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
pub(crate) use run::{execute, execute_step};

/// The `reason` of steps a failure or a `stop` kept from starting: retrying a run from its failed
/// steps runs these again too.
pub const SKIPPED_RUN_ENDED: &str = "the run ended before this step";
