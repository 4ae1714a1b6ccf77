//! Synchronous webhooks wait here for their run's response (a `respond` step) or its end.

use std::collections::HashMap;
use std::sync::Mutex;

use switchboard_engine::RunRecord;
use switchboard_engine::exec::Response;
use tokio::sync::oneshot;

/// What a synchronous webhook answers with.
#[derive(Debug)]
pub enum SyncOutcome {
    /// A `respond` step set the response (the run may still be going).
    Responded(Response),
    /// The run ended (or paused) without a `respond` step.
    Ended(Box<RunRecord>),
}

#[derive(Default)]
pub(super) struct Waiters {
    map: Mutex<HashMap<String, oneshot::Sender<SyncOutcome>>>,
}

impl Waiters {
    pub(super) fn register(&self, run_id: &str) -> oneshot::Receiver<SyncOutcome> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut m) = self.map.lock() {
            m.insert(run_id.to_owned(), tx);
        }
        rx
    }

    pub(super) fn remove(&self, run_id: &str) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(run_id);
        }
    }

    /// Answers the waiter of `run_id`, if any (once).
    pub(super) fn answer(&self, run_id: &str, outcome: SyncOutcome) {
        let tx = self.map.lock().ok().and_then(|mut m| m.remove(run_id));
        if let Some(tx) = tx {
            let _ = tx.send(outcome);
        }
    }

    pub(super) fn is_waiting(&self, run_id: &str) -> bool {
        self.map.lock().map(|m| m.contains_key(run_id)).unwrap_or(false)
    }
}
