//! Group commit for incoming runs: every submission waiting when the writer is free goes into the
//! same transaction, and each submitter is answered once that transaction has committed.

use tokio::sync::{mpsc, oneshot};

use super::Runtime;
use crate::store::{Enqueued, NewRun, StoreError};

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

pub(super) async fn run(rt: Runtime, mut rx: mpsc::Receiver<Item>) {
    let mut batch: Vec<Item> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let runs: Vec<NewRun> = batch.iter().map(|i| i.run.clone()).collect();
        let started = std::time::Instant::now();
        match rt.inner.store.enqueue(&runs).await {
            Ok(results) => {
                tracing::trace!(
                    runs = runs.len(),
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    "ingest batch committed"
                );
                for (item, result) in batch.drain(..).zip(results) {
                    if result == Enqueued::Created {
                        // A full dispatch queue only means the dispatcher finds the run by polling.
                        let _ = rt.inner.dispatch.try_send(item.run.id.clone());
                    }
                    let _ = item.reply.send(Ok(result));
                }
                rt.inner.wake.notify_one();
            }
            Err(e) => {
                tracing::error!("ingest batch of {} failed: {e}", runs.len());
                let message = e.to_string();
                for item in batch.drain(..) {
                    let _ = item.reply.send(Err(message.clone()));
                }
            }
        }
    }
}
