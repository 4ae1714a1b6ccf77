//! Persistence behind one trait, so the embedded SQLite store and a PostgreSQL store (many nodes,
//! `FOR UPDATE SKIP LOCKED`) are interchangeable under the API and the workers.
//!
//! Every write method takes a batch: the server groups concurrent webhooks, claims and journal
//! entries into one transaction each (group commit), so durability does not cost throughput.
//! Nothing above this trait may rely on a single writer: claims are conditional updates, and
//! idempotency is a unique index.

pub mod sqlite;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_engine::exec::{PausedStep, Response, RunError, StepRecord};
use switchboard_engine::{Resume, RunStatus};

/// A storage failure. The API answers 500 (or 503 while the database is unreachable).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed the operation.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be decoded (a bug or a hand-edited database).
    #[error("corrupt stored data in {what}: {message}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The change would break a uniqueness rule (e.g. a name in use).
    #[error("{0}")]
    Conflict(String),
    /// A database URL this build does not support.
    #[error(
        "unsupported database URL `{0}`: use sqlite:PATH (PostgreSQL arrives with the scale-out issue)"
    )]
    UnsupportedUrl(String),
}

/// A flow as stored: its draft document and publishing state.
#[derive(Debug, Clone, Serialize)]
pub struct FlowRow {
    /// Stable id (used in webhook URLs).
    pub id: String,
    /// Display name (from the draft).
    pub name: String,
    /// Folder, for the flows list.
    pub folder: Option<String>,
    /// The draft document.
    pub draft: Value,
    /// Whether webhooks and schedules start runs of the published version.
    pub enabled: bool,
    /// The latest published version.
    pub published_version: Option<i64>,
    /// Whether the draft differs from the published version.
    pub draft_changed: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the draft last changed.
    pub updated_at: DateTime<Utc>,
}

/// A published, immutable version of a flow.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    /// The flow.
    pub flow_id: String,
    /// 1, 2, 3 …
    pub version: i64,
    /// The document as published.
    pub document: Value,
    /// When it was published.
    pub created_at: DateTime<Utc>,
}

/// Filters for listing flows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlowQuery {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// Exact folder.
    pub folder: Option<String>,
}

/// A run to store as queued.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// Its id.
    pub id: String,
    /// The flow.
    pub flow_id: String,
    /// The version it runs; `None` runs the draft (a test run).
    pub version: Option<i64>,
    /// The trigger's output.
    pub trigger: Value,
    /// The request that started it, if any.
    pub raw: Option<switchboard_engine::TriggerRequest>,
    /// Deduplicates retries of the same event.
    pub idempotency_key: Option<String>,
    /// The secret each `wait` step's resume token derives from.
    pub resume_token: String,
    /// When it was received.
    pub created_at: DateTime<Utc>,
    /// Stored already claimed by this node (which has a free worker for it), so it skips the
    /// queue; `None` stores it queued.
    pub claimed_by: Option<String>,
}

impl NewRun {
    /// A run received now, with a fresh id and resume token and nothing else set.
    ///
    /// Ids are UUIDv7 (time-ordered), so new rows land at the right edge of every index on the
    /// id instead of on random pages. The resume token starts with the run id's hex digits
    /// followed by a random secret: a resume finds its run by primary key, with no index of
    /// tokens to maintain on every insert.
    pub fn new(flow_id: &str, version: Option<i64>, trigger: Value) -> Self {
        let id = uuid::Uuid::now_v7();
        Self {
            id: id.to_string(),
            flow_id: flow_id.to_owned(),
            version,
            trigger,
            raw: None,
            idempotency_key: None,
            resume_token: format!("{}{}", id.simple(), uuid::Uuid::new_v4().simple()),
            created_at: Utc::now(),
            claimed_by: None,
        }
    }
}

/// The run a resume token (`<run token>` or `<run token>~<step path>`) belongs to, if it has the
/// shape [`NewRun::new`] gives it.
pub fn run_id_of_token(token: &str) -> Option<String> {
    let hex = token.get(..32)?;
    uuid::Uuid::try_parse(hex).ok().map(|id| id.to_string())
}

/// What [`Store::enqueue`] did with one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored as queued.
    Created,
    /// A run with the same idempotency key exists: this one was not stored.
    Existing {
        /// The first run's id.
        run_id: String,
    },
}

/// A run claimed by a worker, with what it needs to execute or resume.
#[derive(Debug, Clone)]
pub struct ClaimedRun {
    /// Run id.
    pub id: String,
    /// Flow id.
    pub flow_id: String,
    /// Version (`None`: draft).
    pub version: Option<i64>,
    /// Trigger output.
    pub trigger: Value,
    /// Resume secret.
    pub resume_token: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Journal entries from earlier executions (after a crash or a pause).
    pub prior: HashMap<String, StepRecord>,
    /// Pending resumes of paused steps.
    pub resume: HashMap<String, Resume>,
    /// How many times it has been claimed, this claim included.
    pub executions: i64,
}

/// One step record to journal.
#[derive(Debug, Clone)]
pub struct StepWrite {
    /// The run.
    pub run_id: String,
    /// The step path.
    pub path: String,
    /// The record.
    pub record: StepRecord,
}

/// A run's state after an execution ended (finished or paused).
#[derive(Debug, Clone)]
pub struct RunEnd {
    /// The run.
    pub run_id: String,
    /// Its status.
    pub status: RunStatus,
    /// Why it failed.
    pub error: Option<RunError>,
    /// The response a `respond` step set.
    pub response: Option<Response>,
    /// The flow's output.
    pub output: Option<Value>,
    /// Where it waits.
    pub pauses: Vec<PausedStep>,
    /// When to look at it again (a delay's wake-up, a wait's timeout).
    pub wake_at: Option<DateTime<Utc>>,
    /// When the execution started.
    pub started_at: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: f64,
}

/// Journal entries and run ends, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct JournalBatch {
    /// Step records.
    pub steps: Vec<StepWrite>,
    /// Runs that ended or paused.
    pub ends: Vec<RunEnd>,
}

/// A run as listed and shown.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Run id.
    pub id: String,
    /// Flow id.
    pub flow_id: String,
    /// Version (`None`: a test run of the draft).
    pub version: Option<i64>,
    /// Status.
    pub status: RunStatus,
    /// Trigger output.
    pub trigger: Value,
    /// Why it failed.
    pub error: Option<RunError>,
    /// The response set by a `respond` step.
    pub response: Option<Response>,
    /// The flow's output.
    pub output: Option<Value>,
    /// Where it waits.
    pub pauses: Vec<PausedStep>,
    /// When it was received.
    pub created_at: DateTime<Utc>,
    /// When its latest execution started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Duration of its latest execution.
    pub duration_ms: Option<f64>,
}

/// A stored connection. `secret` is the encrypted JSON object of its values.
#[derive(Clone)]
pub struct ConnectionRow {
    /// Stable id.
    pub id: String,
    /// Unique name steps refer to.
    pub name: String,
    /// The piece it authenticates.
    pub piece: String,
    /// The names of its values (shown; the values never are).
    pub fields: Vec<String>,
    /// AES-256-GCM blob.
    pub secret: Vec<u8>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for ConnectionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("piece", &self.piece)
            .finish_non_exhaustive()
    }
}

/// An account.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    /// Stable id.
    pub id: String,
    /// Sign-in email.
    pub email: String,
    /// `owner`.
    pub role: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// An enabled flow that starts on a schedule.
#[derive(Debug, Clone)]
pub struct ScheduledFlow {
    /// The flow.
    pub flow_id: String,
    /// Its published version.
    pub version: i64,
    /// The version's trigger (`piece: schedule`).
    pub trigger: Value,
    /// When the scheduler first saw it enabled.
    pub created_at: DateTime<Utc>,
    /// The scheduled time it last fired for.
    pub last_fired: Option<DateTime<Utc>>,
}

/// A REST hook subscription: `target_url` receives every payload emitted under `event`.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionRow {
    /// Stable id (the subscriber unsubscribes with it).
    pub id: String,
    /// The event name (`order.created`).
    pub event: String,
    /// Where payloads are POSTed.
    pub target_url: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The account that subscribed; `None` for the `SWITCHBOARD_API_KEY` key.
    pub created_by: Option<String>,
}

/// Filters and pagination for listing runs (newest first).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunQuery {
    /// Only this flow.
    pub flow_id: Option<String>,
    /// Only this status.
    pub status: Option<RunStatus>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The storage operations the server needs.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a flow with a draft.
    async fn create_flow(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<&str>,
    ) -> Result<FlowRow, StoreError>;
    /// A flow by id.
    async fn get_flow(&self, id: &str) -> Result<Option<FlowRow>, StoreError>;
    /// Flows, by name.
    async fn list_flows(&self, query: &FlowQuery) -> Result<Vec<FlowRow>, StoreError>;
    /// Replaces the draft (and folder when given).
    async fn update_draft(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<Option<&str>>,
    ) -> Result<Option<FlowRow>, StoreError>;
    /// Deletes a flow, its versions and samples (runs are kept until retention prunes them).
    async fn delete_flow(&self, id: &str) -> Result<bool, StoreError>;
    /// Stores the draft as the next immutable version.
    async fn publish(&self, id: &str) -> Result<Option<VersionRow>, StoreError>;
    /// Every version of a flow, newest first.
    async fn list_versions(&self, flow_id: &str) -> Result<Vec<VersionRow>, StoreError>;
    /// One version.
    async fn get_version(
        &self,
        flow_id: &str,
        version: i64,
    ) -> Result<Option<VersionRow>, StoreError>;
    /// Turns webhooks and schedules on or off.
    async fn set_enabled(&self, id: &str, enabled: bool) -> Result<Option<FlowRow>, StoreError>;
    /// Saves sample data per step (from a test run).
    async fn save_samples(
        &self,
        flow_id: &str,
        samples: &BTreeMap<String, Value>,
    ) -> Result<(), StoreError>;
    /// Sample data per step.
    async fn samples(&self, flow_id: &str) -> Result<BTreeMap<String, Value>, StoreError>;

    /// Stores new runs and a journal batch in one transaction (either may be empty). New runs
    /// are queued, or already claimed (with `lease`) when [`NewRun::claimed_by`] is set; a run
    /// whose idempotency key exists is not stored. Sharing the transaction is what lets one
    /// commit serve webhooks and executing runs alike.
    async fn write(
        &self,
        runs: &[NewRun],
        lease: Duration,
        journal: &JournalBatch,
    ) -> Result<Vec<Enqueued>, StoreError>;
    /// Claims queued runs for `node` with a lease: the given ids (if still queued), else the oldest.
    async fn claim(
        &self,
        node: &str,
        ids: Option<&[String]>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedRun>, StoreError>;
    /// Extends the lease of runs `node` still executes.
    async fn renew_leases(
        &self,
        node: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<(), StoreError>;
    /// Puts the runs `node` had claimed back in the queue: called when that node starts, since
    /// none of them can still be executing. Returns how many.
    async fn release_node(&self, node: &str) -> Result<u64, StoreError>;
    /// Puts runs whose lease lapsed (their worker vanished) back in the queue; returns how many.
    async fn requeue_lapsed(&self) -> Result<u64, StoreError>;
    /// Paused runs whose wake-up time has come: queued again with a wake-up or timeout resume.
    async fn wake_due(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Resumes the `wait` step holding this token with `body`; returns the run id, or `None` when
    /// no paused run waits on it.
    async fn resume_wait(&self, token: &str, body: &Value) -> Result<Option<String>, StoreError>;
    /// Marks a queued, running or paused run cancelled.
    async fn cancel(&self, run_id: &str) -> Result<bool, StoreError>;
    /// Queues a finished run again: from the start (journal cleared) or from its failed steps
    /// (failed records removed), on the given version.
    async fn retry(
        &self,
        run_id: &str,
        from_start: bool,
        version: Option<i64>,
    ) -> Result<bool, StoreError>;
    /// A run.
    async fn get_run(&self, id: &str) -> Result<Option<RunRow>, StoreError>;
    /// Runs, newest first, and the cursor of the next page.
    async fn list_runs(
        &self,
        query: &RunQuery,
    ) -> Result<(Vec<RunRow>, Option<String>), StoreError>;
    /// A run's journal, by path.
    async fn run_steps(&self, id: &str) -> Result<Vec<(String, StepRecord)>, StoreError>;
    /// Enabled flows whose published version starts on a schedule, with their firing state.
    async fn scheduled_flows(&self) -> Result<Vec<ScheduledFlow>, StoreError>;
    /// Records that a schedule fired for the given scheduled time.
    async fn mark_fired(&self, flow_id: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Stores a connection (its values already encrypted); false when the name is taken.
    async fn create_connection(&self, c: &ConnectionRow) -> Result<bool, StoreError>;
    /// Every connection, by name.
    async fn list_connections(&self) -> Result<Vec<ConnectionRow>, StoreError>;
    /// A connection by id or by name.
    async fn get_connection(&self, id_or_name: &str) -> Result<Option<ConnectionRow>, StoreError>;
    /// Replaces a connection's name, fields and secret; false when it does not exist,
    /// [`StoreError::Conflict`] when the new name is taken.
    async fn update_connection(&self, c: &ConnectionRow) -> Result<bool, StoreError>;
    /// Deletes a connection.
    async fn delete_connection(&self, id: &str) -> Result<bool, StoreError>;
    /// How many accounts exist.
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Creates an account; false when the email is taken.
    async fn create_user(&self, user: &UserRow, password_hash: &str) -> Result<bool, StoreError>;
    /// An account and its password hash.
    async fn user_by_email(&self, email: &str) -> Result<Option<(UserRow, String)>, StoreError>;
    /// Stores a session (by the hash of its token).
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The account of an unexpired session.
    async fn session_user(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Stores an API key (by the hash of its token).
    async fn create_api_key(
        &self,
        id: &str,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError>;
    /// The account an API key belongs to.
    async fn api_key_user(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError>;
    /// Stores a subscription. When one exists for the same event and target URL, nothing is
    /// stored and that one is returned with `false`; otherwise `sub` with `true`.
    async fn create_subscription(
        &self,
        sub: &SubscriptionRow,
    ) -> Result<(SubscriptionRow, bool), StoreError>;
    /// Subscriptions, oldest first; only those of `event` when given.
    async fn list_subscriptions(
        &self,
        event: Option<&str>,
    ) -> Result<Vec<SubscriptionRow>, StoreError>;
    /// Deletes a subscription; false when it does not exist.
    async fn delete_subscription(&self, id: &str) -> Result<bool, StoreError>;
    /// Records an emitted payload of `event` as sample data and keeps only the newest `keep`.
    /// A payload with a `dedupe_key` already recorded for the event replaces it in place.
    async fn record_event_sample(
        &self,
        event: &str,
        dedupe_key: Option<&str>,
        payload: &Value,
        keep: u32,
    ) -> Result<(), StoreError>;
    /// The latest payloads emitted under `event`, newest first, at most `limit`.
    async fn event_samples(&self, event: &str, limit: u32) -> Result<Vec<Value>, StoreError>;
    /// Deletes finished runs (and their journals) that ended before `finished_before`, and beyond
    /// the newest `keep_per_flow` finished runs of each flow. Returns how many were deleted.
    async fn prune_runs(
        &self,
        finished_before: DateTime<Utc>,
        keep_per_flow: Option<u32>,
    ) -> Result<u64, StoreError>;
    /// Every flow's latest run, by flow id (flows that never ran are absent).
    async fn last_runs(&self) -> Result<HashMap<String, LastRun>, StoreError>;
    /// Records a refused webhook delivery, keeping the newest `keep` of its flow.
    async fn record_rejection(&self, row: &RejectionRow, keep: u32) -> Result<(), StoreError>;
    /// A flow's refused deliveries, newest first, at most `limit`.
    async fn rejections(&self, flow_id: &str, limit: u32) -> Result<Vec<RejectionRow>, StoreError>;
    /// Background maintenance of the database files (SQLite: a WAL checkpoint); called a few
    /// times a second, from a task of its own.
    async fn checkpoint(&self) -> Result<(), StoreError>;
    /// How many runs are queued.
    async fn queue_depth(&self) -> Result<i64, StoreError>;
}

/// A flow's latest run, for the flows list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LastRun {
    /// The run.
    pub run_id: String,
    /// Where it stands.
    #[schema(value_type = String)]
    pub status: RunStatus,
    /// When it was received.
    pub created_at: DateTime<Utc>,
}

/// A webhook delivery a flow's trigger refused.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RejectionRow {
    /// Ordered by arrival.
    pub id: String,
    /// The flow whose hook was called.
    pub flow_id: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// The HTTP status answered (401, 400, 415).
    pub status: u16,
    /// The error code answered (`unauthorized`).
    pub code: String,
    /// Why, as answered to the sender.
    pub reason: String,
    /// The request: `method`, `headers` and `query` (secret values redacted), `body` (the
    /// first 4 KiB as text) and `body_bytes`.
    #[schema(value_type = Object)]
    pub request: Value,
}

/// Opens the store a database URL names (`sqlite:./switchboard-data/switchboard.db`).
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        return Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open(std::path::Path::new(path)).await?,
        ));
    }
    Err(StoreError::UnsupportedUrl(url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_token_names_its_run() {
        let run = NewRun::new("f", Some(1), Value::Null);
        assert_eq!(run_id_of_token(&run.resume_token).as_deref(), Some(run.id.as_str()));
        let step_token = format!("{}~wait_step", run.resume_token);
        assert_eq!(run_id_of_token(&step_token).as_deref(), Some(run.id.as_str()));
        assert_eq!(run_id_of_token("short"), None);
        assert_eq!(run_id_of_token(&"z".repeat(64)), None);
        // Two runs made in a row sort by creation: their ids are time-ordered.
        let later = NewRun::new("f", Some(1), Value::Null);
        assert!(later.id > run.id);
    }
}
