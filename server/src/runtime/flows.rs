//! Compiled flows by (flow, version): a published version never changes, so it is compiled once per
//! process; drafts are compiled per test run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchboard_engine::{CompiledFlow, Engine, Problem};
use tokio::sync::Semaphore;

use crate::store::{Store, StoreError};

/// Why a flow could not be loaded for a run.
#[derive(Debug, thiserror::Error)]
pub enum FlowLoadError {
    /// No such flow or version.
    #[error("flow `{0}` not found")]
    NotFound(String),
    /// The stored document does not compile (e.g. a piece was removed since it was published).
    #[error("flow `{flow}` is invalid: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The flow.
        flow: String,
        /// What is wrong.
        problems: Vec<Problem>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Compiled published versions by (flow, version).
type Compiled = Mutex<HashMap<(String, i64), Arc<CompiledFlow>>>;
/// Per-flow concurrency limits: (the limit, its semaphore).
type Limits = Mutex<HashMap<String, (u32, Arc<Semaphore>)>>;

/// What a webhook needs to know about a flow: whether it takes events, and which version runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveState {
    /// Enabled.
    pub enabled: bool,
    /// The published version.
    pub published_version: Option<i64>,
}

/// How long a flow's live state is trusted without asking the store. This node forgets it at once
/// when its own API changes the flow; the bound matters for changes made on another node.
const LIVE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Live states by flow id (`None`: no such flow), with when they were read.
type Live = Mutex<HashMap<String, (std::time::Instant, Option<LiveState>)>>;

/// The cache.
#[derive(Clone)]
pub struct FlowCache {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    compiled: Arc<Compiled>,
    limits: Arc<Limits>,
    live: Arc<Live>,
}

impl FlowCache {
    pub(super) fn new(store: Arc<dyn Store>, engine: Arc<Engine>) -> Self {
        Self {
            store,
            engine,
            compiled: Arc::default(),
            limits: Arc::default(),
            live: Arc::default(),
        }
    }

    /// The compiled flow: `version` `None` is the current draft.
    pub async fn get(
        &self,
        flow_id: &str,
        version: Option<i64>,
    ) -> Result<Arc<CompiledFlow>, FlowLoadError> {
        let Some(version) = version else {
            let row = self
                .store
                .get_flow(flow_id)
                .await?
                .ok_or_else(|| FlowLoadError::NotFound(flow_id.to_owned()))?;
            return self.compile(flow_id, row.draft);
        };
        let key = (flow_id.to_owned(), version);
        if let Some(c) = self.compiled.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let row = self
            .store
            .get_version(flow_id, version)
            .await?
            .ok_or_else(|| FlowLoadError::NotFound(format!("{flow_id} (version {version})")))?;
        let compiled = self.compile(flow_id, row.document)?;
        if let Ok(mut m) = self.compiled.lock() {
            m.insert(key, compiled.clone());
        }
        Ok(compiled)
    }

    fn compile(
        &self,
        flow_id: &str,
        document: serde_json::Value,
    ) -> Result<Arc<CompiledFlow>, FlowLoadError> {
        let invalid = |problems| FlowLoadError::Invalid { flow: flow_id.to_owned(), problems };
        let flow = serde_json::from_value(document)
            .map_err(|e| invalid(vec![Problem::new("", e.to_string())]))?;
        self.engine.compile(flow).map(Arc::new).map_err(invalid)
    }

    /// Whether the flow exists, is enabled, and which version is published (cached briefly: every
    /// webhook asks).
    pub async fn live(&self, flow_id: &str) -> Result<Option<LiveState>, StoreError> {
        if let Some((at, state)) = self.live.lock().ok().and_then(|m| m.get(flow_id).copied())
            && at.elapsed() < LIVE_TTL
        {
            return Ok(state);
        }
        let state = self.store.get_flow(flow_id).await?.map(|row| LiveState {
            enabled: row.enabled,
            published_version: row.published_version,
        });
        if let Ok(mut m) = self.live.lock() {
            if m.len() > 100_000 {
                m.clear();
            }
            m.insert(flow_id.to_owned(), (std::time::Instant::now(), state));
        }
        Ok(state)
    }

    /// Drops what is cached about a flow (its draft, publishing or enabled state changed).
    pub fn forget(&self, flow_id: &str) {
        if let Ok(mut m) = self.live.lock() {
            m.remove(flow_id);
        }
    }

    /// The semaphore enforcing `settings.concurrency` of a flow, if it sets one.
    pub fn limit(&self, flow: &CompiledFlow, flow_id: &str) -> Option<Arc<Semaphore>> {
        let n = flow.flow().settings.concurrency?.max(1);
        let mut limits = self.limits.lock().ok()?;
        let entry = limits
            .entry(flow_id.to_owned())
            .or_insert_with(|| (n, Arc::new(Semaphore::new(n as usize))));
        if entry.0 != n {
            *entry = (n, Arc::new(Semaphore::new(n as usize)));
        }
        Some(entry.1.clone())
    }
}
