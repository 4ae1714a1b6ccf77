//! Incoming runs: submissions wait for the writer (see `writer`), which stores every submission
//! waiting when it is free in one transaction, and each submitter is answered once that
//! transaction has committed.

use tokio::sync::oneshot;

use super::Runtime;
use crate::store::{ClaimedRun, Enqueued, NewRun, StoreError};

/// At most this many runs per transaction.
pub(super) const MAX_BATCH: usize = 1024;

/// Why a run could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database failed: nothing was stored, the sender should retry.
    #[error("could not store the event: {0}")]
    Store(#[from] StoreError),
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
}

pub(super) struct Item {
    run: NewRun,
    reply: oneshot::Sender<Result<Enqueued, String>>,
}

pub(super) async fn submit(rt: &Runtime, run: NewRun) -> Result<Enqueued, IngestError> {
    let (reply, answer) = oneshot::channel();
    rt.inner.ingest.send(Item { run, reply }).await.map_err(|_| IngestError::ShuttingDown)?;
    match answer.await {
        Ok(Ok(e)) => Ok(e),
        Ok(Err(message)) => {
            Err(IngestError::Store(StoreError::Corrupt { what: "ingest", message }))
        }
        Err(_) => Err(IngestError::ShuttingDown),
    }
}

/// A run stored already claimed, as a worker takes it: a fresh run has no journal and no resumes.
fn claimed(run: NewRun) -> ClaimedRun {
    ClaimedRun {
        id: run.id,
        flow_id: run.flow_id,
        version: run.version,
        trigger: run.trigger,
        resume_token: run.resume_token,
        created_at: run.created_at,
        prior: Default::default(),
        resume: Default::default(),
        executions: 1,
    }
}

/// Runs taken from a batch of submissions, and what to do with each once they are committed.
pub(super) struct Prepared {
    pub(super) runs: Vec<NewRun>,
    replies: Vec<oneshot::Sender<Result<Enqueued, String>>>,
    permits: Vec<Option<tokio::sync::OwnedSemaphorePermit>>,
}

/// Runs that find a free worker are stored already claimed and start as soon as the transaction
/// commits, without a round through the queue; the rest are queued.
pub(super) fn prepare(rt: &Runtime, items: &mut Vec<Item>) -> Prepared {
    let mut prepared = Prepared {
        runs: Vec::with_capacity(items.len()),
        replies: Vec::with_capacity(items.len()),
        permits: Vec::with_capacity(items.len()),
    };
    for Item { mut run, reply } in items.drain(..) {
        let permit = rt.inner.slots.clone().try_acquire_owned().ok();
        if permit.is_some() {
            run.claimed_by = Some(rt.inner.config.node.clone());
        }
        prepared.permits.push(permit);
        prepared.replies.push(reply);
        prepared.runs.push(run);
    }
    prepared
}

/// After the commit: answers each submitter and starts the runs that were stored claimed.
pub(super) fn committed(rt: &Runtime, prepared: Prepared, results: Vec<Enqueued>) {
    let Prepared { runs, replies, permits } = prepared;
    for (((reply, result), run), permit) in replies.into_iter().zip(results).zip(runs).zip(permits)
    {
        let created = result == Enqueued::Created;
        let _ = reply.send(Ok(result));
        match permit {
            Some(permit) if created => {
                let rt = rt.clone();
                tokio::spawn(async move {
                    super::execute::execute(&rt, claimed(run)).await;
                    drop(permit);
                });
            }
            // A full dispatch queue only means the dispatcher finds the run by polling.
            None if created => {
                let _ = rt.inner.dispatch.try_send(run.id);
            }
            _ => {}
        }
    }
    rt.inner.wake.notify_one();
}

/// The commit failed: nothing was stored, every submitter hears so.
pub(super) fn failed(prepared: Prepared, message: &str) {
    for reply in prepared.replies {
        let _ = reply.send(Err(message.to_owned()));
    }
}
