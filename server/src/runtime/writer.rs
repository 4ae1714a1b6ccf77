//! The writer: one task owns every write of webhooks and executing runs, so new runs, step
//! records and run ends that arrive together share one transaction (group commit). Each commit
//! rewrites the pages at the end of the `runs` table and its indexes once, not once per queue.
//!
//! A failed commit is split up: the webhooks in it are answered with the error (nothing of
//! theirs was stored, their senders retry), and the journal part is retried with backoff rather
//! than dropped, since a lost record means a step runs again after a crash.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{Runtime, ingest, journal};
use crate::store::JournalBatch;

pub(super) async fn run(
    rt: Runtime,
    mut submissions: mpsc::Receiver<ingest::Item>,
    mut entries: mpsc::Receiver<journal::Entry>,
) {
    let mut items = Vec::with_capacity(ingest::MAX_BATCH);
    let mut records = Vec::with_capacity(journal::MAX_BATCH);
    let (mut submissions_open, mut entries_open) = (true, true);
    loop {
        tokio::select! {
            n = submissions.recv_many(&mut items, ingest::MAX_BATCH), if submissions_open => {
                submissions_open = n > 0;
            }
            n = entries.recv_many(&mut records, journal::MAX_BATCH), if entries_open => {
                entries_open = n > 0;
            }
            else => return,
        }
        // Whatever else is already waiting joins this transaction.
        while items.len() < ingest::MAX_BATCH {
            let Ok(item) = submissions.try_recv() else { break };
            items.push(item);
        }
        while records.len() < journal::MAX_BATCH {
            let Ok(entry) = entries.try_recv() else { break };
            records.push(entry);
        }
        let prepared = ingest::prepare(&rt, &mut items);
        let (batch, acks) = journal::batch(&mut records);
        let started = std::time::Instant::now();
        match rt.inner.store.write(&prepared.runs, rt.inner.config.lease, &batch).await {
            Ok(results) => {
                tracing::trace!(
                    runs = prepared.runs.len(),
                    steps = batch.steps.len(),
                    ends = batch.ends.len(),
                    ms = started.elapsed().as_secs_f64() * 1e3,
                    "batch committed"
                );
                ingest::committed(&rt, prepared, results);
            }
            Err(e) => {
                tracing::error!("storing {} new runs failed: {e}", prepared.runs.len());
                ingest::failed(prepared, &e.to_string());
                retry_journal(&rt, &batch).await;
            }
        }
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

/// Writes a journal batch alone until it is stored.
async fn retry_journal(rt: &Runtime, batch: &JournalBatch) {
    if batch.steps.is_empty() && batch.ends.is_empty() {
        return;
    }
    let mut delay = Duration::from_millis(50);
    while let Err(e) = rt.inner.store.write(&[], rt.inner.config.lease, batch).await {
        tracing::error!(
            "journal write of {} steps / {} ends failed, retrying: {e}",
            batch.steps.len(),
            batch.ends.len()
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
