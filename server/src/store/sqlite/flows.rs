//! Flows, versions and sample data.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, now_text, parse_json, parse_ts, to_json};
use crate::store::{FlowQuery, FlowRow, ScheduledFlow, StoreError, VersionRow};

const FLOW_COLUMNS: &str =
    "id, name, folder, draft, enabled, published_version, draft_changed, created_at, updated_at";

fn flow_row(row: &SqliteRow) -> Result<FlowRow, StoreError> {
    Ok(FlowRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        folder: row.try_get("folder")?,
        draft: parse_json("flows.draft", row.try_get::<&str, _>("draft")?)?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        published_version: row.try_get("published_version")?,
        draft_changed: row.try_get::<i64, _>("draft_changed")? != 0,
        created_at: parse_ts("flows.created_at", row.try_get::<&str, _>("created_at")?)?,
        updated_at: parse_ts("flows.updated_at", row.try_get::<&str, _>("updated_at")?)?,
    })
}

fn version_row(row: &SqliteRow) -> Result<VersionRow, StoreError> {
    Ok(VersionRow {
        flow_id: row.try_get("flow_id")?,
        version: row.try_get("version")?,
        document: parse_json("flow_versions.document", row.try_get::<&str, _>("document")?)?,
        created_at: parse_ts("flow_versions.created_at", row.try_get::<&str, _>("created_at")?)?,
    })
}

fn name_of(draft: &Value) -> String {
    draft.get("name").and_then(Value::as_str).unwrap_or("Untitled flow").to_owned()
}

impl SqliteStore {
    pub(super) async fn create_flow_impl(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<&str>,
    ) -> Result<FlowRow, StoreError> {
        let now = now_text();
        sqlx::query(
            "INSERT INTO flows (id, name, folder, draft, enabled, draft_changed, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 1, ?, ?)",
        )
        .bind(id)
        .bind(name_of(draft))
        .bind(folder)
        .bind(to_json(draft))
        .bind(&now)
        .bind(&now)
        .execute(&self.writer)
        .await?;
        self.get_flow_from(id, &self.writer)
            .await?
            .ok_or(StoreError::Corrupt { what: "flows", message: "inserted flow vanished".into() })
    }

    async fn get_flow_from(
        &self,
        id: &str,
        pool: &sqlx::SqlitePool,
    ) -> Result<Option<FlowRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(pool)
        .await?;
        row.as_ref().map(flow_row).transpose()
    }

    pub(super) async fn get_flow_impl(&self, id: &str) -> Result<Option<FlowRow>, StoreError> {
        self.get_flow_from(id, &self.reader).await
    }

    pub(super) async fn list_flows_impl(&self, q: &FlowQuery) -> Result<Vec<FlowRow>, StoreError> {
        let search = q.search.as_deref().map(|s| format!("%{}%", s.to_lowercase()));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE (?1 IS NULL OR lower(name) LIKE ?1) AND (?2 IS NULL OR folder = ?2) ORDER BY lower(name), id"
        )))
        .bind(search)
        .bind(q.folder.as_deref())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(flow_row).collect()
    }

    pub(super) async fn update_draft_impl(
        &self,
        id: &str,
        draft: &Value,
        folder: Option<Option<&str>>,
    ) -> Result<Option<FlowRow>, StoreError> {
        let result = sqlx::query(
            "UPDATE flows SET draft = ?, name = ?, draft_changed = 1, updated_at = ?, folder = CASE WHEN ? THEN ? ELSE folder END WHERE id = ?",
        )
        .bind(to_json(draft))
        .bind(name_of(draft))
        .bind(now_text())
        .bind(folder.is_some())
        .bind(folder.flatten())
        .bind(id)
        .execute(&self.writer)
        .await?;
        if result.rows_affected() == 0 {
            return Ok(None);
        }
        self.get_flow_from(id, &self.writer).await
    }

    pub(super) async fn delete_flow_impl(&self, id: &str) -> Result<bool, StoreError> {
        let r =
            sqlx::query("DELETE FROM flows WHERE id = ?").bind(id).execute(&self.writer).await?;
        Ok(r.rows_affected() > 0)
    }

    pub(super) async fn publish_impl(&self, id: &str) -> Result<Option<VersionRow>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let Some(row) = sqlx::query("SELECT draft, published_version FROM flows WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let draft: String = row.try_get("draft")?;
        let next = row.try_get::<Option<i64>, _>("published_version")?.unwrap_or(0) + 1;
        let now = now_text();
        sqlx::query("INSERT INTO flow_versions (flow_id, version, document, created_at) VALUES (?, ?, ?, ?)")
            .bind(id)
            .bind(next)
            .bind(&draft)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE flows SET published_version = ?, draft_changed = 0 WHERE id = ?")
            .bind(next)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.get_version_from(id, next, &self.writer).await
    }

    async fn get_version_from(
        &self,
        flow_id: &str,
        version: i64,
        pool: &sqlx::SqlitePool,
    ) -> Result<Option<VersionRow>, StoreError> {
        let row = sqlx::query("SELECT flow_id, version, document, created_at FROM flow_versions WHERE flow_id = ? AND version = ?")
            .bind(flow_id)
            .bind(version)
            .fetch_optional(pool)
            .await?;
        row.as_ref().map(version_row).transpose()
    }

    pub(super) async fn list_versions_impl(
        &self,
        flow_id: &str,
    ) -> Result<Vec<VersionRow>, StoreError> {
        let rows = sqlx::query("SELECT flow_id, version, document, created_at FROM flow_versions WHERE flow_id = ? ORDER BY version DESC")
            .bind(flow_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(version_row).collect()
    }

    pub(super) async fn get_version_impl(
        &self,
        flow_id: &str,
        version: i64,
    ) -> Result<Option<VersionRow>, StoreError> {
        self.get_version_from(flow_id, version, &self.reader).await
    }

    pub(super) async fn set_enabled_impl(
        &self,
        id: &str,
        enabled: bool,
    ) -> Result<Option<FlowRow>, StoreError> {
        let r = sqlx::query("UPDATE flows SET enabled = ? WHERE id = ?")
            .bind(enabled)
            .bind(id)
            .execute(&self.writer)
            .await?;
        if r.rows_affected() == 0 {
            return Ok(None);
        }
        self.get_flow_from(id, &self.writer).await
    }

    pub(super) async fn save_samples_impl(
        &self,
        flow_id: &str,
        samples: &BTreeMap<String, Value>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let now = now_text();
        for (step, data) in samples {
            sqlx::query(
                "INSERT INTO flow_samples (flow_id, step_id, data, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (flow_id, step_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            )
            .bind(flow_id)
            .bind(step)
            .bind(to_json(data))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn samples_impl(
        &self,
        flow_id: &str,
    ) -> Result<BTreeMap<String, Value>, StoreError> {
        let rows = sqlx::query("SELECT step_id, data FROM flow_samples WHERE flow_id = ?")
            .bind(flow_id)
            .fetch_all(&self.reader)
            .await?;
        let mut out = BTreeMap::new();
        for row in rows {
            out.insert(
                row.try_get("step_id")?,
                parse_json("flow_samples.data", row.try_get::<&str, _>("data")?)?,
            );
        }
        Ok(out)
    }

    pub(super) async fn scheduled_flows_impl(&self) -> Result<Vec<ScheduledFlow>, StoreError> {
        // First sight of an enabled schedule: remember when, so nothing before it fires.
        sqlx::query(
            "INSERT OR IGNORE INTO schedules (flow_id, created_at)
             SELECT f.id, ? FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
             WHERE f.enabled = 1 AND json_extract(v.document, '$.trigger.piece') = 'schedule'",
        )
        .bind(now_text())
        .execute(&self.writer)
        .await?;
        let rows = sqlx::query(
            "SELECT f.id, f.published_version, v.document, s.created_at, s.last_fired
             FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
             JOIN schedules s ON s.flow_id = f.id
             WHERE f.enabled = 1 AND json_extract(v.document, '$.trigger.piece') = 'schedule'",
        )
        .fetch_all(&self.writer)
        .await?;
        rows.iter()
            .map(|row| {
                let document: Value =
                    parse_json("flow_versions.document", row.try_get::<&str, _>("document")?)?;
                Ok(ScheduledFlow {
                    flow_id: row.try_get("id")?,
                    version: row.try_get("published_version")?,
                    trigger: document.get("trigger").cloned().unwrap_or(Value::Null),
                    created_at: parse_ts(
                        "schedules.created_at",
                        row.try_get::<&str, _>("created_at")?,
                    )?,
                    last_fired: match row.try_get::<Option<&str>, _>("last_fired")? {
                        Some(t) => Some(parse_ts("schedules.last_fired", t)?),
                        None => None,
                    },
                })
            })
            .collect()
    }

    pub(super) async fn mark_fired_impl(
        &self,
        flow_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE schedules SET last_fired = ? WHERE flow_id = ?")
            .bind(super::ts(at))
            .bind(flow_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
