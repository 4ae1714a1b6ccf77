//! Refused webhook deliveries, the newest few per flow.

use sqlx::Row;

use super::{SqliteStore, parse_json, parse_ts, to_json, ts};
use crate::store::{RejectionRow, StoreError};

impl SqliteStore {
    pub(super) async fn record_rejection_impl(
        &self,
        row: &RejectionRow,
        keep: u32,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        // The flow may have been deleted since the request arrived: then there is nothing to show.
        sqlx::query(
            "INSERT INTO hook_rejections (id, flow_id, at, status, code, reason, request)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM flows WHERE id = ?2)",
        )
        .bind(&row.id)
        .bind(&row.flow_id)
        .bind(ts(row.at))
        .bind(i64::from(row.status))
        .bind(&row.code)
        .bind(&row.reason)
        .bind(to_json(&row.request))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM hook_rejections WHERE flow_id = ?1 AND id NOT IN
             (SELECT id FROM hook_rejections WHERE flow_id = ?1 ORDER BY id DESC LIMIT ?2)",
        )
        .bind(&row.flow_id)
        .bind(i64::from(keep))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn rejections_impl(
        &self,
        flow_id: &str,
        limit: u32,
    ) -> Result<Vec<RejectionRow>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM hook_rejections WHERE flow_id = ? ORDER BY id DESC LIMIT ?")
                .bind(flow_id)
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(RejectionRow {
                    id: r.try_get("id")?,
                    flow_id: r.try_get("flow_id")?,
                    at: parse_ts("hook_rejections.at", r.try_get::<&str, _>("at")?)?,
                    status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(0),
                    code: r.try_get("code")?,
                    reason: r.try_get("reason")?,
                    request: parse_json(
                        "hook_rejections.request",
                        r.try_get::<&str, _>("request")?,
                    )?,
                })
            })
            .collect()
    }
}
