//! Runs: enqueue (group commit), claims with leases, the journal, pauses and resumes, listing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use switchboard_engine::exec::{Pause, PausedStep, StepRecord};
use switchboard_engine::{Resume, RunStatus};

use super::{SqliteStore, millis, now_text, parse_json, parse_ts, to_json, ts};
use crate::store::{
    ClaimedRun, Enqueued, JournalBatch, LastRun, NewRun, RunQuery, RunRow, StoreError,
};

/// How a pending resume is stored in `runs.resume`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredResume {
    WakeUp,
    TimedOut,
    Body { body: Value },
}

impl From<StoredResume> for Resume {
    fn from(r: StoredResume) -> Self {
        match r {
            StoredResume::WakeUp => Resume::WakeUp,
            StoredResume::TimedOut => Resume::TimedOut,
            StoredResume::Body { body } => Resume::Body(body),
        }
    }
}

fn status_text(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Succeeded => "succeeded",
        RunStatus::Failed => "failed",
        RunStatus::Paused => "paused",
        RunStatus::Running => "running",
        RunStatus::Queued => "queued",
        RunStatus::Cancelled => "cancelled",
    }
}

fn parse_status(s: &str) -> Result<RunStatus, StoreError> {
    serde_json::from_value(Value::String(s.to_owned())).map_err(|_| StoreError::Corrupt {
        what: "runs.status",
        message: format!("unknown status `{s}`"),
    })
}

const RUN_COLUMNS: &str = "id, flow_id, version, status, trigger, error, response, output, pauses, created_at, started_at, finished_at, duration_ms";

fn opt_json<T: serde::de::DeserializeOwned>(
    row: &SqliteRow,
    col: &'static str,
) -> Result<Option<T>, StoreError> {
    match row.try_get::<Option<&str>, _>(col)? {
        Some(s) => Ok(Some(parse_json(col, s)?)),
        None => Ok(None),
    }
}

fn opt_ts(row: &SqliteRow, col: &'static str) -> Result<Option<DateTime<Utc>>, StoreError> {
    match row.try_get::<Option<&str>, _>(col)? {
        Some(s) => Ok(Some(parse_ts(col, s)?)),
        None => Ok(None),
    }
}

fn run_row(row: &SqliteRow) -> Result<RunRow, StoreError> {
    Ok(RunRow {
        id: row.try_get("id")?,
        flow_id: row.try_get("flow_id")?,
        version: row.try_get("version")?,
        status: parse_status(row.try_get("status")?)?,
        trigger: parse_json("runs.trigger", row.try_get::<&str, _>("trigger")?)?,
        error: opt_json(row, "error")?,
        response: opt_json(row, "response")?,
        output: opt_json(row, "output")?,
        pauses: opt_json::<Vec<PausedStep>>(row, "pauses")?.unwrap_or_default(),
        created_at: parse_ts("runs.created_at", row.try_get::<&str, _>("created_at")?)?,
        started_at: opt_ts(row, "started_at")?,
        finished_at: opt_ts(row, "finished_at")?,
        duration_ms: row.try_get("duration_ms")?,
    })
}

/// Rows per multi-row statement (SQLite allows 32,766 bound parameters per statement).
const ROWS_PER_STATEMENT: usize = 256;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl SqliteStore {
    pub(super) async fn write_impl(
        &self,
        runs: &[NewRun],
        lease: Duration,
        journal: &JournalBatch,
    ) -> Result<Vec<Enqueued>, StoreError> {
        if runs.is_empty() && journal.steps.is_empty() && journal.ends.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.writer.begin().await?;
        let enqueued = enqueue(&mut tx, runs, lease).await?;
        write_journal(&mut tx, journal).await?;
        tx.commit().await?;
        Ok(enqueued)
    }

    pub(super) async fn claim_impl(
        &self,
        node: &str,
        ids: Option<&[String]>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedRun>, StoreError> {
        if limit == 0 || ids.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let lease_until = millis(now) + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        let filter = match ids {
            Some(ids) => format!("AND id IN ({})", placeholders(ids.len())),
            None => String::new(),
        };
        let sql = format!(
            "UPDATE runs SET status = 'running', claimed_by = ?, lease_until = ?, executions = executions + 1, started_at = ?
             WHERE id IN (SELECT id FROM runs WHERE status = 'queued' {filter} ORDER BY created_at LIMIT ?)
             RETURNING id, flow_id, version, trigger, resume_token, created_at, resume, executions"
        );
        let mut q =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(node).bind(lease_until).bind(ts(now));
        if let Some(ids) = ids {
            for id in ids {
                q = q.bind(id);
            }
        }
        let rows = q.bind(i64::try_from(limit).unwrap_or(i64::MAX)).fetch_all(&self.writer).await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let resume: HashMap<String, StoredResume> =
                opt_json(row, "resume")?.unwrap_or_default();
            let executions: i64 = row.try_get("executions")?;
            claimed.push(ClaimedRun {
                id: row.try_get("id")?,
                flow_id: row.try_get("flow_id")?,
                version: row.try_get("version")?,
                trigger: parse_json("runs.trigger", row.try_get::<&str, _>("trigger")?)?,
                resume_token: row.try_get("resume_token")?,
                created_at: parse_ts("runs.created_at", row.try_get::<&str, _>("created_at")?)?,
                prior: HashMap::new(),
                resume: resume.into_iter().map(|(k, v)| (k, v.into())).collect(),
                executions,
            });
        }
        // Only a run executed before (crash, pause, retry) has a journal to restore from.
        for run in claimed.iter_mut().filter(|r| r.executions > 1 || !r.resume.is_empty()) {
            run.prior = self.run_steps_from(&run.id, &self.writer).await?.into_iter().collect();
        }
        Ok(claimed)
    }

    pub(super) async fn renew_leases_impl(
        &self,
        node: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let until = millis(Utc::now()) + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        let sql = format!(
            "UPDATE runs SET lease_until = ? WHERE claimed_by = ? AND status = 'running' AND id IN ({})",
            placeholders(ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(until).bind(node);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&self.writer).await?;
        Ok(())
    }

    pub(super) async fn requeue_lapsed_impl(&self) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE runs SET status = 'queued', claimed_by = NULL, lease_until = NULL WHERE status = 'running' AND lease_until < ?",
        )
        .bind(millis(Utc::now()))
        .execute(&self.writer)
        .await?;
        Ok(r.rows_affected())
    }

    pub(super) async fn wake_due_impl(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let rows = sqlx::query("SELECT id, pauses, resume FROM runs WHERE status = 'paused' AND wake_at IS NOT NULL AND wake_at <= ?")
            .bind(millis(now))
            .fetch_all(&mut *tx)
            .await?;
        let mut woken = 0;
        for row in &rows {
            let id: String = row.try_get("id")?;
            let pauses: Vec<PausedStep> = opt_json(row, "pauses")?.unwrap_or_default();
            let mut resume: HashMap<String, StoredResume> =
                opt_json(row, "resume")?.unwrap_or_default();
            for p in &pauses {
                match &p.pause {
                    Pause::Delay { wake_at } if *wake_at <= now => {
                        resume.insert(p.step.clone(), StoredResume::WakeUp);
                    }
                    Pause::Wait { timeout_at: Some(t), .. } if *t <= now => {
                        resume.entry(p.step.clone()).or_insert(StoredResume::TimedOut);
                    }
                    _ => {}
                }
            }
            sqlx::query("UPDATE runs SET status = 'queued', resume = ?, wake_at = NULL WHERE id = ? AND status = 'paused'")
                .bind(to_json(&resume))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            woken += 1;
        }
        tx.commit().await?;
        Ok(woken)
    }

    pub(super) async fn resume_wait_impl(
        &self,
        token: &str,
        body: &Value,
    ) -> Result<Option<String>, StoreError> {
        // `<run token>~<step path>` resumes that step; the bare run token resumes the first wait.
        let run_token = token.split('~').next().unwrap_or(token);
        let Some(run_id) = crate::store::run_id_of_token(run_token) else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT id, pauses, resume FROM runs WHERE id = ? AND resume_token = ? AND status = 'paused'",
        )
        .bind(run_id)
        .bind(run_token)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let id: String = row.try_get("id")?;
        let pauses: Vec<PausedStep> = opt_json(&row, "pauses")?.unwrap_or_default();
        let target = pauses.iter().find(|p| match &p.pause {
            Pause::Wait { resume_token, .. } => resume_token == token || token == run_token,
            Pause::Delay { .. } => false,
        });
        let Some(target) = target else { return Ok(None) };
        let mut resume: HashMap<String, StoredResume> =
            opt_json(&row, "resume")?.unwrap_or_default();
        resume.insert(target.step.clone(), StoredResume::Body { body: body.clone() });
        sqlx::query("UPDATE runs SET status = 'queued', resume = ?, wake_at = NULL WHERE id = ?")
            .bind(to_json(&resume))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    pub(super) async fn cancel_impl(&self, run_id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE runs SET status = 'cancelled', finished_at = ?, claimed_by = NULL, lease_until = NULL, wake_at = NULL,
                             error = '{\"message\":\"the run was cancelled\"}'
             WHERE id = ? AND status IN ('queued', 'running', 'paused')",
        )
        .bind(now_text())
        .bind(run_id)
        .execute(&self.writer)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub(super) async fn retry_impl(
        &self,
        run_id: &str,
        from_start: bool,
        version: Option<i64>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM runs WHERE id = ?")
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?;
        if !matches!(status.as_deref(), Some("failed" | "cancelled" | "succeeded")) {
            return Ok(false);
        }
        if from_start {
            sqlx::query("DELETE FROM run_steps WHERE run_id = ?")
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
        } else {
            // Failed steps run again, and so do the steps a failure kept from starting.
            sqlx::query(
                "DELETE FROM run_steps WHERE run_id = ? AND (json_extract(record, '$.status') = 'failed'
                   OR (json_extract(record, '$.status') = 'skipped' AND json_extract(record, '$.reason') = ?))",
            )
            .bind(run_id)
            .bind(switchboard_engine::exec::SKIPPED_RUN_ENDED)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE runs SET status = 'queued', version = COALESCE(?, version), error = NULL, response = NULL, output = NULL,
                             pauses = NULL, wake_at = NULL, finished_at = NULL, resume = NULL WHERE id = ?",
        )
        .bind(version)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn get_run_impl(&self, id: &str) -> Result<Option<RunRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(run_row).transpose()
    }

    pub(super) async fn last_runs_impl(&self) -> Result<HashMap<String, LastRun>, StoreError> {
        // One index probe per flow (runs_flow_created), not a scan of the runs.
        let rows = sqlx::query(
            "SELECT r.flow_id, r.id, r.status, r.created_at FROM flows f JOIN runs r ON r.id =
               (SELECT id FROM runs WHERE flow_id = f.id ORDER BY created_at DESC, id DESC LIMIT 1)",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let status: &str = r.try_get("status")?;
                Ok((
                    r.try_get("flow_id")?,
                    LastRun {
                        run_id: r.try_get("id")?,
                        status: parse_status(status)?,
                        created_at: parse_ts(
                            "runs.created_at",
                            r.try_get::<&str, _>("created_at")?,
                        )?,
                    },
                ))
            })
            .collect()
    }

    pub(super) async fn list_runs_impl(
        &self,
        q: &RunQuery,
    ) -> Result<(Vec<RunRow>, Option<String>), StoreError> {
        let limit = q.limit.unwrap_or(50).clamp(1, 500);
        let (cursor_at, cursor_id) = match q.cursor.as_deref().and_then(|c| c.split_once('|')) {
            Some((at, id)) => (Some(at.to_owned()), Some(id.to_owned())),
            None => (None, None),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM runs
             WHERE (?1 IS NULL OR flow_id = ?1) AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at < ?4)
               AND (?5 IS NULL OR (created_at, id) < (?5, ?6))
             ORDER BY created_at DESC, id DESC LIMIT ?7"
        )))
        .bind(q.flow_id.as_deref())
        .bind(q.status.map(status_text))
        .bind(q.since.map(ts))
        .bind(q.until.map(ts))
        .bind(cursor_at)
        .bind(cursor_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        let mut runs = rows.iter().map(run_row).collect::<Result<Vec<_>, _>>()?;
        let next = if runs.len() > limit as usize {
            runs.truncate(limit as usize);
            runs.last().map(|r| format!("{}|{}", ts(r.created_at), r.id))
        } else {
            None
        };
        Ok((runs, next))
    }

    async fn run_steps_from(
        &self,
        id: &str,
        pool: &sqlx::SqlitePool,
    ) -> Result<Vec<(String, StepRecord)>, StoreError> {
        let rows = sqlx::query("SELECT path, record FROM run_steps WHERE run_id = ? ORDER BY path")
            .bind(id)
            .fetch_all(pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("path")?,
                    parse_json("run_steps.record", row.try_get::<&str, _>("record")?)?,
                ))
            })
            .collect()
    }

    pub(super) async fn run_steps_impl(
        &self,
        id: &str,
    ) -> Result<Vec<(String, StepRecord)>, StoreError> {
        self.run_steps_from(id, &self.reader).await
    }

    pub(super) async fn prune_runs_impl(
        &self,
        finished_before: DateTime<Utc>,
        keep_per_flow: Option<u32>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let by_age = sqlx::query(
            "DELETE FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?",
        )
        .bind(ts(finished_before))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let by_count = match keep_per_flow {
            Some(keep) => {
                sqlx::query(
                    "DELETE FROM runs WHERE id IN (
                       SELECT id FROM (
                         SELECT id, ROW_NUMBER() OVER (PARTITION BY flow_id ORDER BY created_at DESC, id DESC) AS n
                         FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled'))
                       WHERE n > ?)",
                )
                .bind(i64::from(keep))
                .execute(&mut *tx)
                .await?
                .rows_affected()
            }
            None => 0,
        };
        tx.commit().await?;
        Ok(by_age + by_count)
    }
}

/// Inserts new runs: one multi-row statement per chunk (with SQLite's per-statement overhead, and
/// sqlx's hand-off to its connection thread, a statement per webhook would cap ingest).
async fn enqueue(
    tx: &mut sqlx::SqliteConnection,
    runs: &[NewRun],
    lease: Duration,
) -> Result<Vec<Enqueued>, StoreError> {
    let now = Utc::now();
    let lease_until = millis(now) + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    let mut inserted: HashSet<String> = HashSet::with_capacity(runs.len());
    for chunk in runs.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT OR IGNORE INTO runs (id, flow_id, version, status, trigger, raw_method, raw_headers, raw_query,
                                         raw_body, idempotency_key, resume_token, created_at,
                                         claimed_by, lease_until, started_at, executions)
             VALUES {} RETURNING id",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            let (method, headers, query, body) = match &r.raw {
                Some(raw) => (
                    Some(raw.method.clone()),
                    Some(to_json(&raw.headers)),
                    Some(to_json(&raw.query)),
                    Some(raw.body.clone()),
                ),
                None => (None, None, None, None),
            };
            let claimed = r.claimed_by.is_some();
            q = q
                .bind(r.id.clone())
                .bind(r.flow_id.clone())
                .bind(r.version)
                .bind(if claimed { "running" } else { "queued" })
                .bind(to_json(&r.trigger))
                .bind(method)
                .bind(headers)
                .bind(query)
                .bind(body)
                .bind(r.idempotency_key.clone())
                .bind(r.resume_token.clone())
                .bind(ts(r.created_at))
                .bind(r.claimed_by.clone())
                .bind(claimed.then_some(lease_until))
                .bind(claimed.then(|| ts(now)))
                .bind(i64::from(claimed));
        }
        inserted.extend(q.fetch_all(&mut *tx).await?);
    }
    let mut out = Vec::with_capacity(runs.len());
    for r in runs {
        if inserted.contains(&r.id) {
            out.push(Enqueued::Created);
            continue;
        }
        // Not inserted: its idempotency key was taken (by an earlier run or one in this batch).
        let existing: Option<String> = match &r.idempotency_key {
            Some(key) => {
                sqlx::query_scalar("SELECT id FROM runs WHERE flow_id = ? AND idempotency_key = ?")
                    .bind(&r.flow_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        match existing {
            Some(run_id) => out.push(Enqueued::Existing { run_id }),
            None => {
                return Err(StoreError::Corrupt {
                    what: "runs",
                    message: format!("run {} was neither stored nor a duplicate", r.id),
                });
            }
        }
    }
    Ok(out)
}

/// Writes step records and run ends.
async fn write_journal(
    tx: &mut sqlx::SqliteConnection,
    batch: &JournalBatch,
) -> Result<(), StoreError> {
    for chunk in batch.steps.chunks(ROWS_PER_STATEMENT * 2) {
        let sql = format!(
            "INSERT OR REPLACE INTO run_steps (run_id, path, record) VALUES {}",
            vec!["(?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in chunk {
            q = q.bind(s.run_id.clone()).bind(s.path.clone()).bind(to_json(&s.record));
        }
        q.execute(&mut *tx).await?;
    }
    for chunk in batch.ends.chunks(ROWS_PER_STATEMENT) {
        // `AND runs.status = 'running'`: a run cancelled while it executed stays cancelled.
        let sql = format!(
            "UPDATE runs SET status = v.column2, error = v.column3, response = v.column4, output = v.column5,
                             pauses = v.column6, wake_at = v.column7, started_at = v.column8,
                             finished_at = v.column9, duration_ms = v.column10,
                             claimed_by = NULL, lease_until = NULL, resume = NULL
             FROM (VALUES {}) AS v
             WHERE runs.id = v.column1 AND runs.status = 'running'",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            let finished =
                !matches!(e.status, RunStatus::Paused | RunStatus::Running | RunStatus::Queued);
            q = q
                .bind(e.run_id.clone())
                .bind(status_text(e.status))
                .bind(e.error.as_ref().map(to_json))
                .bind(e.response.as_ref().map(to_json))
                .bind(e.output.as_ref().map(to_json))
                .bind((!e.pauses.is_empty()).then(|| to_json(&e.pauses)))
                .bind(e.wake_at.map(millis))
                .bind(ts(e.started_at))
                .bind(finished.then(now_text))
                .bind(e.duration_ms);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}
