//! The embedded store: SQLite in WAL mode, migrations applied at open. Writes go through one
//! connection (SQLite has one writer anyway) in batched transactions; reads use a separate pool so
//! they never queue behind writes.

mod accounts;
mod flows;
mod rejections;
mod runs;
mod subscriptions;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::store::{ConnectionRow, LastRun, RejectionRow, ScheduledFlow, SubscriptionRow, UserRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use switchboard_engine::exec::StepRecord;

use super::{
    ClaimedRun, Enqueued, FlowQuery, FlowRow, JournalBatch, NewRun, RunQuery, RunRow, Store,
    StoreError, VersionRow,
};

/// The schema, oldest first.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../../migrations/sqlite/0001_init.sql")),
    (2, "schedules", include_str!("../../../migrations/sqlite/0002_schedules.sql")),
    (3, "accounts", include_str!("../../../migrations/sqlite/0003_accounts.sql")),
    (4, "resume_by_id", include_str!("../../../migrations/sqlite/0004_resume_by_id.sql")),
    (5, "subscriptions", include_str!("../../../migrations/sqlite/0005_subscriptions.sql")),
    (6, "hook_rejections", include_str!("../../../migrations/sqlite/0006_hook_rejections.sql")),
];

/// SQLite-backed [`Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    maintenance: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9);
            // only an OS crash or power loss can lose the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16384")
            // Checkpoints run in the background (`checkpoint`), never inside a commit: a checkpoint
            // ends with fsyncs that would stall every webhook waiting on that commit. This
            // threshold is only a safety net should the background task fall far behind.
            .pragma("wal_autocheckpoint", "65536");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        let maintenance =
            SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await?;
        let migrations = MIGRATIONS
            .iter()
            .map(|(v, d, sql)| {
                Migration::new(
                    *v,
                    Cow::Borrowed(*d),
                    MigrationType::Simple,
                    sqlx::AssertSqlSafe(*sql).into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations).run(&writer).await?;
        Ok(Self { writer, reader, maintenance })
    }
}

pub(super) fn now_text() -> String {
    ts(Utc::now())
}

/// Timestamps are stored as RFC 3339 text with microseconds in UTC: sortable as text.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(super) fn parse_ts(what: &'static str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt { what, message: e.to_string() })
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt { what, message: e.to_string() })
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub(super) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

use sqlx::SqlSafeStr as _;

#[async_trait]
impl Store for SqliteStore {
    async fn create_flow(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<&str>,
    ) -> Result<FlowRow, StoreError> {
        self.create_flow_impl(id, draft, folder).await
    }
    async fn get_flow(&self, id: &str) -> Result<Option<FlowRow>, StoreError> {
        self.get_flow_impl(id).await
    }
    async fn list_flows(&self, query: &FlowQuery) -> Result<Vec<FlowRow>, StoreError> {
        self.list_flows_impl(query).await
    }
    async fn update_draft(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<Option<&str>>,
    ) -> Result<Option<FlowRow>, StoreError> {
        self.update_draft_impl(id, draft, folder).await
    }
    async fn delete_flow(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_flow_impl(id).await
    }
    async fn publish(&self, id: &str) -> Result<Option<VersionRow>, StoreError> {
        self.publish_impl(id).await
    }
    async fn list_versions(&self, flow_id: &str) -> Result<Vec<VersionRow>, StoreError> {
        self.list_versions_impl(flow_id).await
    }
    async fn get_version(
        &self,
        flow_id: &str,
        version: i64,
    ) -> Result<Option<VersionRow>, StoreError> {
        self.get_version_impl(flow_id, version).await
    }
    async fn set_enabled(&self, id: &str, enabled: bool) -> Result<Option<FlowRow>, StoreError> {
        self.set_enabled_impl(id, enabled).await
    }
    async fn save_samples(
        &self,
        flow_id: &str,
        samples: &BTreeMap<String, Value>,
    ) -> Result<(), StoreError> {
        self.save_samples_impl(flow_id, samples).await
    }
    async fn samples(&self, flow_id: &str) -> Result<BTreeMap<String, Value>, StoreError> {
        self.samples_impl(flow_id).await
    }
    async fn write(
        &self,
        runs: &[NewRun],
        lease: Duration,
        journal: &JournalBatch,
    ) -> Result<Vec<Enqueued>, StoreError> {
        self.write_impl(runs, lease, journal).await
    }
    async fn claim(
        &self,
        node: &str,
        ids: Option<&[String]>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedRun>, StoreError> {
        self.claim_impl(node, ids, limit, lease).await
    }
    async fn renew_leases(
        &self,
        node: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<(), StoreError> {
        self.renew_leases_impl(node, ids, lease).await
    }
    async fn release_node(&self, node: &str) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE runs SET status = 'queued', claimed_by = NULL, lease_until = NULL WHERE status = 'running' AND claimed_by = ?")
            .bind(node)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }
    async fn requeue_lapsed(&self) -> Result<u64, StoreError> {
        self.requeue_lapsed_impl().await
    }
    async fn wake_due(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.wake_due_impl(now).await
    }
    async fn resume_wait(&self, token: &str, body: &Value) -> Result<Option<String>, StoreError> {
        self.resume_wait_impl(token, body).await
    }
    async fn cancel(&self, run_id: &str) -> Result<bool, StoreError> {
        self.cancel_impl(run_id).await
    }
    async fn retry(
        &self,
        run_id: &str,
        from_start: bool,
        version: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.retry_impl(run_id, from_start, version).await
    }
    async fn get_run(&self, id: &str) -> Result<Option<RunRow>, StoreError> {
        self.get_run_impl(id).await
    }
    async fn list_runs(
        &self,
        query: &RunQuery,
    ) -> Result<(Vec<RunRow>, Option<String>), StoreError> {
        self.list_runs_impl(query).await
    }
    async fn run_steps(&self, id: &str) -> Result<Vec<(String, StepRecord)>, StoreError> {
        self.run_steps_impl(id).await
    }
    async fn scheduled_flows(&self) -> Result<Vec<ScheduledFlow>, StoreError> {
        self.scheduled_flows_impl().await
    }
    async fn mark_fired(&self, flow_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.mark_fired_impl(flow_id, at).await
    }
    async fn create_connection(&self, c: &ConnectionRow) -> Result<bool, StoreError> {
        self.create_connection_impl(c).await
    }
    async fn list_connections(&self) -> Result<Vec<ConnectionRow>, StoreError> {
        self.list_connections_impl().await
    }
    async fn get_connection(&self, id_or_name: &str) -> Result<Option<ConnectionRow>, StoreError> {
        self.get_connection_impl(id_or_name).await
    }
    async fn update_connection(&self, c: &ConnectionRow) -> Result<bool, StoreError> {
        self.update_connection_impl(c).await
    }
    async fn delete_connection(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_connection_impl(id).await
    }
    async fn count_users(&self) -> Result<i64, StoreError> {
        self.count_users_impl().await
    }
    async fn create_user(&self, user: &UserRow, password_hash: &str) -> Result<bool, StoreError> {
        self.create_user_impl(user, password_hash).await
    }
    async fn user_by_email(&self, email: &str) -> Result<Option<(UserRow, String)>, StoreError> {
        self.user_by_email_impl(email).await
    }
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.create_session_impl(token_hash, user_id, expires_at).await
    }
    async fn session_user(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        self.session_user_impl(token_hash).await
    }
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.delete_session_impl(token_hash).await
    }
    async fn create_api_key(
        &self,
        id: &str,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        self.create_api_key_impl(id, user_id, name, token_hash).await
    }
    async fn api_key_user(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        self.api_key_user_impl(token_hash).await
    }
    async fn create_subscription(
        &self,
        sub: &SubscriptionRow,
    ) -> Result<(SubscriptionRow, bool), StoreError> {
        self.create_subscription_impl(sub).await
    }
    async fn list_subscriptions(
        &self,
        event: Option<&str>,
    ) -> Result<Vec<SubscriptionRow>, StoreError> {
        self.list_subscriptions_impl(event).await
    }
    async fn delete_subscription(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_subscription_impl(id).await
    }
    async fn record_event_sample(
        &self,
        event: &str,
        dedupe_key: Option<&str>,
        payload: &Value,
        keep: u32,
    ) -> Result<(), StoreError> {
        self.record_event_sample_impl(event, dedupe_key, payload, keep).await
    }
    async fn event_samples(&self, event: &str, limit: u32) -> Result<Vec<Value>, StoreError> {
        self.event_samples_impl(event, limit).await
    }
    async fn last_runs(&self) -> Result<HashMap<String, LastRun>, StoreError> {
        self.last_runs_impl().await
    }
    async fn record_rejection(&self, row: &RejectionRow, keep: u32) -> Result<(), StoreError> {
        self.record_rejection_impl(row, keep).await
    }
    async fn rejections(&self, flow_id: &str, limit: u32) -> Result<Vec<RejectionRow>, StoreError> {
        self.rejections_impl(flow_id, limit).await
    }
    async fn prune_runs(
        &self,
        finished_before: DateTime<Utc>,
        keep_per_flow: Option<u32>,
    ) -> Result<u64, StoreError> {
        self.prune_runs_impl(finished_before, keep_per_flow).await
    }
    async fn checkpoint(&self) -> Result<(), StoreError> {
        // First the bulk, with its fsyncs, on a connection of its own: PASSIVE copies the WAL
        // into the database file without blocking the writer.
        let (_, wal_frames, _): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&self.maintenance).await?;
        // Then the few frames committed meanwhile, on the writer's own connection, between two
        // of its transactions: the next write finds the WAL fully copied and starts it over, so
        // the WAL file stays small however long the load lasts.
        if wal_frames > 0 {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.writer).await?;
        }
        Ok(())
    }
    async fn queue_depth(&self) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE status = 'queued'")
            .fetch_one(&self.reader)
            .await?;
        Ok(n)
    }
}
