//! The journal: step records and run ends from every executing run, queued for the writer (see
//! `writer`), which commits them in batches.

use std::sync::Arc;

use switchboard_engine::exec::{Journal, StepRecord};
use switchboard_engine::piece::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::Runtime;
use crate::store::{JournalBatch, RunEnd, StepWrite};

/// At most this many entries per transaction.
pub(super) const MAX_BATCH: usize = 4096;

pub(super) enum Entry {
    Step(Box<StepWrite>),
    End(Box<RunEnd>, oneshot::Sender<()>),
}

/// The engine's [`Journal`], feeding the writer.
pub(super) struct StoreJournal {
    tx: mpsc::Sender<Entry>,
}

impl StoreJournal {
    pub(super) fn new(rt: &Runtime) -> Arc<Self> {
        Arc::new(Self { tx: rt.inner.journal.clone() })
    }
}

impl Journal for StoreJournal {
    fn record<'a>(
        &'a self,
        run_id: &'a str,
        path: &'a str,
        record: &'a StepRecord,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let entry = Entry::Step(Box::new(StepWrite {
                run_id: run_id.to_owned(),
                path: path.to_owned(),
                record: record.clone(),
            }));
            self.tx.send(entry).await.map_err(|_| "the journal writer stopped".to_owned())
        })
    }
}

/// Queues a run's end and waits until it is committed.
pub(super) async fn end(rt: &Runtime, end: RunEnd) {
    let (tx, rx) = oneshot::channel();
    if rt.inner.journal.send(Entry::End(Box::new(end), tx)).await.is_ok() {
        let _ = rx.await;
    }
}

/// Sorts journal entries into a batch, and the acknowledgements to send once it is committed.
pub(super) fn batch(entries: &mut Vec<Entry>) -> (JournalBatch, Vec<oneshot::Sender<()>>) {
    let mut batch = JournalBatch::default();
    let mut acks = Vec::new();
    for e in entries.drain(..) {
        match e {
            Entry::Step(s) => batch.steps.push(*s),
            Entry::End(end, ack) => {
                batch.ends.push(*end);
                acks.push(ack);
            }
        }
    }
    (batch, acks)
}
