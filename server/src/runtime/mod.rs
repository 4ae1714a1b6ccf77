//! The run pipeline of one node: ingest (group commit) → dispatch (batched claims with leases) →
//! execution (the engine, bounded concurrency) → journal (batched writes). Every stage batches
//! whatever is waiting, so a burst costs a few transactions, not one per webhook.
//!
//! Durability: a webhook is acknowledged only after its run is committed ([`Runtime::submit`]).
//! A run's steps are journaled as they finish; after a crash, runs whose lease lapsed are claimed
//! again and resumed from their journal.

mod connections;
mod dispatch;
mod execute;
mod flows;
mod ingest;
mod journal;
mod scheduler;
mod step_test;
mod subflows;
mod waiters;
mod writer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_engine::Engine;
use switchboard_engine::exec::Subflows;
use tokio::sync::{Notify, mpsc, watch};

pub use connections::{StoreConnections, decrypt as decrypt_connection};
pub use flows::{FlowCache, FlowLoadError};
pub use ingest::IngestError;
pub use step_test::StepTestError;
pub use waiters::SyncOutcome;

use crate::store::{Enqueued, NewRun, Store};

/// Tunables of the pipeline.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// This node's name in claims (stable across restarts of the same node).
    pub node: String,
    /// Runs executing at once on this node.
    pub workers: usize,
    /// How long a claim holds before another node (or this one, restarted) may take the run.
    pub lease: Duration,
    /// The public base of resume URLs (`http://host:port/hooks/resume`).
    pub resume_base_url: Option<String>,
    /// What a schedule does about fire times missed while the server was down.
    pub catch_up: crate::schedule::CatchUp,
    /// Finished runs older than this are deleted.
    pub retention_age: Duration,
    /// At most this many finished runs are kept per flow.
    pub retention_runs_per_flow: Option<u32>,
    /// How often retention runs.
    pub retention_every: Duration,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            node: "local".into(),
            workers: 256,
            lease: Duration::from_secs(30),
            resume_base_url: None,
            catch_up: crate::schedule::CatchUp::Once,
            retention_age: Duration::from_secs(30 * 86_400),
            retention_runs_per_flow: None,
            retention_every: Duration::from_secs(600),
        }
    }
}

/// The pipeline's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    connections: Arc<dyn switchboard_engine::piece::Connections>,
    config: RuntimeConfig,
    flows: FlowCache,
    ingest: mpsc::Sender<ingest::Item>,
    dispatch: mpsc::Sender<String>,
    wake: Notify,
    journal: mpsc::Sender<journal::Entry>,
    waiters: waiters::Waiters,
    /// Free workers: a run needs a permit to execute.
    slots: Arc<tokio::sync::Semaphore>,
    /// Cancellation switches of the runs executing here.
    running: Mutex<HashMap<String, watch::Sender<bool>>>,
    shutdown: watch::Sender<bool>,
}

impl Runtime {
    /// Starts the pipeline's tasks. Runs left `running` by an earlier process of this node are
    /// queued again first (their journal makes that safe).
    pub async fn start(
        store: Arc<dyn Store>,
        engine: Arc<Engine>,
        connections: Arc<dyn switchboard_engine::piece::Connections>,
        config: RuntimeConfig,
    ) -> Self {
        let (ingest_tx, ingest_rx) = mpsc::channel(16_384);
        let (dispatch_tx, dispatch_rx) = mpsc::channel(16_384);
        let (journal_tx, journal_rx) = mpsc::channel(65_536);
        let (shutdown, _) = watch::channel(false);
        let flows = FlowCache::new(store.clone(), engine.clone());
        let slots = Arc::new(tokio::sync::Semaphore::new(config.workers.max(1)));
        let runtime = Self {
            inner: Arc::new(Inner {
                store,
                engine,
                connections,
                config,
                flows,
                ingest: ingest_tx,
                dispatch: dispatch_tx,
                wake: Notify::new(),
                journal: journal_tx,
                waiters: waiters::Waiters::default(),
                slots,
                running: Mutex::new(HashMap::new()),
                shutdown,
            }),
        };
        match runtime.inner.store.release_node(&runtime.inner.config.node).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!("resuming {n} runs this node was executing when it stopped"),
            Err(e) => tracing::warn!("could not release this node's earlier claims: {e}"),
        }
        if let Err(e) = runtime.inner.store.requeue_lapsed().await {
            tracing::warn!("could not requeue lapsed runs at start: {e}");
        }
        tokio::spawn(writer::run(runtime.clone(), ingest_rx, journal_rx));
        tokio::spawn(dispatch::run(runtime.clone(), dispatch_rx));
        tokio::spawn(dispatch::housekeeping(runtime.clone()));
        tokio::spawn(dispatch::checkpoints(runtime.clone()));
        runtime
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.inner.engine
    }

    /// Compiled flows.
    pub fn flows(&self) -> &FlowCache {
        &self.inner.flows
    }

    /// Stores a run durably (batched with concurrent submissions) and queues it for execution.
    pub async fn submit(&self, run: NewRun) -> Result<Enqueued, IngestError> {
        ingest::submit(self, run).await
    }

    /// Registers interest in a run's response or end (for synchronous webhooks). Register before
    /// submitting so the answer cannot be missed.
    pub fn waiter(&self, run_id: &str) -> tokio::sync::oneshot::Receiver<SyncOutcome> {
        self.inner.waiters.register(run_id)
    }

    /// Forgets a waiter (the caller gave up).
    pub fn drop_waiter(&self, run_id: &str) {
        self.inner.waiters.remove(run_id);
    }

    /// Wakes the dispatcher: runs were queued outside the ingest path (resume, retry, wake-ups).
    pub fn poke(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops a run executing on this node (the store already marks it cancelled).
    pub fn cancel_local(&self, run_id: &str) {
        if let Ok(running) = self.inner.running.lock()
            && let Some(tx) = running.get(run_id)
        {
            let _ = tx.send(true);
        }
    }

    /// Asks the background tasks to stop taking new work.
    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }

    /// Runs executing on this node.
    pub fn in_flight(&self) -> usize {
        self.inner.running.lock().map(|r| r.len()).unwrap_or(0)
    }
}
