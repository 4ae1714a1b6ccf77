//! `subflow` steps on the server: the called flow's published version runs as a run of its own
//! (stored, journaled, visible in its history), with the input as its trigger body.

use serde_json::{Value, json};
use switchboard_engine::piece::BoxFuture;
use switchboard_engine::{ErrorKind, RunStatus, StepError};

use super::waiters::SyncOutcome;
use super::{Runtime, Subflows};
use crate::store::{Enqueued, NewRun};

/// Runs subflows through the pipeline.
pub(super) struct ServerSubflows {
    pub(super) rt: Runtime,
    /// The calling run (the subflow's trigger names it).
    pub(super) parent_run: String,
}

impl Subflows for ServerSubflows {
    fn run<'a>(
        &'a self,
        flow: &'a str,
        input: Value,
        wait: bool,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(async move {
            let fail = |m: String| StepError::new(ErrorKind::Other, m);
            let row = self
                .rt
                .store()
                .get_flow(flow)
                .await
                .map_err(|e| fail(format!("subflow `{flow}`: {e}")))?
                .ok_or_else(|| {
                    StepError::invalid_input(format!("subflow `{flow}` does not exist"))
                })?;
            let version = row.published_version.ok_or_else(|| {
                StepError::invalid_input(format!("subflow `{flow}` has no published version"))
            })?;
            let run = NewRun {
                idempotency_key: Some(format!("subflow-of:{idempotency_key}")),
                ..NewRun::new(
                    flow,
                    Some(version),
                    json!({ "body": input, "parent_run_id": self.parent_run }),
                )
            };
            let id = run.id.clone();
            let waiter = wait.then(|| self.rt.waiter(&id));
            let run_id = match self
                .rt
                .submit(run)
                .await
                .map_err(|e| fail(format!("subflow `{flow}`: {e}")))?
            {
                Enqueued::Created => id,
                Enqueued::Existing { run_id } => {
                    self.rt.drop_waiter(&id);
                    // Started by an earlier attempt of this step: report it rather than wait on it.
                    return Ok(json!({ "run_id": run_id, "already_started": true }));
                }
            };
            let Some(waiter) = waiter else { return Ok(json!({ "run_id": run_id })) };
            match waiter.await {
                Ok(SyncOutcome::Responded(r)) => Ok(r.body),
                Ok(SyncOutcome::Ended(record)) => match record.status {
                    RunStatus::Succeeded => Ok(record.output.unwrap_or(Value::Null)),
                    status => Err(fail(format!(
                        "subflow `{flow}` ended {}: {}",
                        serde_json::to_value(status)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        record.error.map(|e| e.message).unwrap_or_default()
                    ))),
                },
                Err(_) => Err(fail(format!("subflow `{flow}` stopped before it answered"))),
            }
        })
    }
}
