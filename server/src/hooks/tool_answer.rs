//! Answering a sender that waits for the flow's answer in its own format (a mid-call tool):
//! whatever URL it called, the request's runs are awaited together until the trigger's
//! deadline, and the trigger's answer format turns their outcomes into one HTTP answer. A run
//! that fails, pauses or is still going at the deadline still gets an answer the agent can say.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use switchboard_engine::exec::RunError;
use switchboard_engine::piece::{RunAnswer, TriggerEvent};
use switchboard_engine::{CompiledFlow, RunStatus};

use super::{IngestedRun, respond_with};
use crate::app::AppState;
use crate::error::ApiError;
use crate::runtime::SyncOutcome;
use crate::store::Enqueued;

/// What the answer needs besides the runs.
pub(super) struct Answering {
    /// The flow whose trigger formats the answer.
    pub compiled: Arc<CompiledFlow>,
    /// The request's events, one per run, in order.
    pub events: Vec<TriggerEvent>,
    /// When the request arrived.
    pub arrived: Instant,
    /// When the answer must leave.
    pub deadline: Instant,
}

/// A duplicate delivery's run is read back this often until it answers.
const POLL: Duration = Duration::from_millis(20);

/// Waits for every run (until the deadline) and answers in the trigger's format.
pub(super) async fn answer(
    state: &AppState,
    answering: Answering,
    runs: Vec<IngestedRun>,
) -> Response {
    let deadline = tokio::time::Instant::from_std(answering.deadline);
    let outcomes =
        futures_util::future::join_all(runs.into_iter().map(|run| outcome(state, run, deadline)))
            .await;
    let late = outcomes.iter().filter(|o| matches!(o, RunAnswer::TimedOut)).count();
    if late > 0 {
        tracing::warn!(late, "mid-call tool runs did not answer before the platform's deadline");
    }
    let outcome = if late > 0 { "late" } else { "answered" };
    metrics::histogram!(crate::telemetry::TOOL_ANSWER_SECONDS, "outcome" => outcome)
        .record(answering.arrived.elapsed().as_secs_f64());
    match state.runtime.engine().trigger_answers(&answering.compiled) {
        Some((format, _)) => respond_with(format.answer(&answering.events, &outcomes)),
        // `Answering` is only made for triggers with an answer format.
        None => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no_answer_format",
            "the flow's trigger has no answer format",
        )
        .into_response(),
    }
}

async fn outcome(state: &AppState, run: IngestedRun, deadline: tokio::time::Instant) -> RunAnswer {
    if let Enqueued::Existing { run_id } = &run.enqueued {
        return earlier_outcome(state, run_id, deadline).await;
    }
    let Some(waiter) = run.waiter else {
        return earlier_outcome(state, &run.run_id, deadline).await;
    };
    match tokio::time::timeout_at(deadline, waiter).await {
        Ok(Ok(SyncOutcome::Responded(r))) => RunAnswer::Responded(r),
        Ok(Ok(SyncOutcome::Ended(record))) => {
            ended(record.status, record.output, record.error.as_ref())
        }
        Ok(Err(_)) | Err(_) => {
            state.runtime.drop_waiter(&run.run_id);
            RunAnswer::TimedOut
        }
    }
}

/// The outcome of a run an earlier delivery started (the platform retried): read back until it
/// answers or the deadline passes.
async fn earlier_outcome(
    state: &AppState,
    run_id: &str,
    deadline: tokio::time::Instant,
) -> RunAnswer {
    loop {
        match state.runtime.store().get_run(run_id).await {
            Ok(Some(run)) => {
                if let Some(r) = run.response {
                    return RunAnswer::Responded(r);
                }
                if !matches!(run.status, RunStatus::Queued | RunStatus::Running) {
                    return ended(run.status, run.output, run.error.as_ref());
                }
            }
            Ok(None) => return RunAnswer::Failed("the earlier delivery's run is gone".into()),
            Err(e) => tracing::warn!(error = %e, run_id, "reading an earlier tool run failed"),
        }
        if tokio::time::Instant::now() + POLL >= deadline {
            return RunAnswer::TimedOut;
        }
        tokio::time::sleep(POLL).await;
    }
}

fn ended(status: RunStatus, output: Option<Value>, error: Option<&RunError>) -> RunAnswer {
    match status {
        RunStatus::Succeeded => RunAnswer::Finished(output.unwrap_or(Value::Null)),
        RunStatus::Paused => {
            RunAnswer::Failed("the flow paused (a wait or delay step) before answering".into())
        }
        RunStatus::Cancelled => RunAnswer::Failed("the run was cancelled".into()),
        RunStatus::Failed | RunStatus::Queued | RunStatus::Running => RunAnswer::Failed(
            error.map_or_else(|| "the flow failed".to_owned(), |e| e.message.clone()),
        ),
    }
}
