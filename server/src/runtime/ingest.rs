//! Group commit for incoming runs: every submission waiting when the writer is free goes into the
//! same transaction, and each submitter is answered once that transaction has committed.

use tokio::sync::{mpsc, oneshot};

use super::Runtime;
use crate::store::{ClaimedRun, Enqueued, NewRun, StoreError};

/// At most this many runs per transaction.
const MAX_BATCH: usize = 1024;

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

pub(super) async fn run(rt: Runtime, mut rx: mpsc::Receiver<Item>) {
    let mut batch: Vec<Item> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Runs that find a free worker are stored already claimed and start as soon as the
        // transaction commits, without a round through the queue; the rest are queued.
        let mut permits = Vec::with_capacity(batch.len());
        let mut replies = Vec::with_capacity(batch.len());
        let runs: Vec<NewRun> = batch
            .drain(..)
            .map(|Item { mut run, reply }| {
                let permit = rt.inner.slots.clone().try_acquire_owned().ok();
                if permit.is_some() {
                    run.claimed_by = Some(rt.inner.config.node.clone());
                }
                permits.push(permit);
                replies.push(reply);
                run
            })
            .collect();
        let started = std::time::Instant::now();
        match rt.inner.store.enqueue(&runs, rt.inner.config.lease).await {
            Ok(results) => {
                tracing::trace!(
                    runs = runs.len(),
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    "ingest batch committed"
                );
                for (((reply, result), run), permit) in
                    replies.into_iter().zip(results).zip(runs).zip(permits)
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
            Err(e) => {
                tracing::error!("ingest batch of {} failed: {e}", runs.len());
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(message.clone()));
                }
            }
        }
    }
}
