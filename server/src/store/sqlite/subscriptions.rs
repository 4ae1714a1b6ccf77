//! REST hook subscriptions and the sample payloads of their events.

use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, now_text, parse_json, parse_ts, to_json, ts};
use crate::store::{StoreError, SubscriptionRow};

fn subscription_row(row: &SqliteRow) -> Result<SubscriptionRow, StoreError> {
    Ok(SubscriptionRow {
        id: row.try_get("id")?,
        event: row.try_get("event")?,
        target_url: row.try_get("target_url")?,
        created_at: parse_ts("subscriptions.created_at", row.try_get::<&str, _>("created_at")?)?,
        created_by: row.try_get("created_by")?,
    })
}

impl SqliteStore {
    pub(super) async fn create_subscription_impl(
        &self,
        sub: &SubscriptionRow,
    ) -> Result<(SubscriptionRow, bool), StoreError> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO subscriptions (id, event, target_url, created_at, created_by) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (event, target_url) DO NOTHING",
        )
        .bind(&sub.id)
        .bind(&sub.event)
        .bind(&sub.target_url)
        .bind(ts(sub.created_at))
        .bind(&sub.created_by)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        let result = if inserted {
            (sub.clone(), true)
        } else {
            let row = sqlx::query("SELECT * FROM subscriptions WHERE event = ? AND target_url = ?")
                .bind(&sub.event)
                .bind(&sub.target_url)
                .fetch_one(&mut *tx)
                .await?;
            (subscription_row(&row)?, false)
        };
        tx.commit().await?;
        Ok(result)
    }

    pub(super) async fn list_subscriptions_impl(
        &self,
        event: Option<&str>,
    ) -> Result<Vec<SubscriptionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM subscriptions WHERE ?1 IS NULL OR event = ?1 ORDER BY created_at, id",
        )
        .bind(event)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(subscription_row).collect()
    }

    pub(super) async fn delete_subscription_impl(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM subscriptions WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    pub(super) async fn record_event_sample_impl(
        &self,
        event: &str,
        dedupe_key: Option<&str>,
        payload: &Value,
        keep: u32,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO event_samples (event, dedupe_key, payload, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (event, dedupe_key) DO UPDATE SET payload = excluded.payload",
        )
        .bind(event)
        .bind(dedupe_key)
        .bind(to_json(payload))
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM event_samples WHERE event = ?1 AND seq NOT IN
             (SELECT seq FROM event_samples WHERE event = ?1 ORDER BY seq DESC LIMIT ?2)",
        )
        .bind(event)
        .bind(i64::from(keep))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn event_samples_impl(
        &self,
        event: &str,
        limit: u32,
    ) -> Result<Vec<Value>, StoreError> {
        let rows = sqlx::query(
            "SELECT payload FROM event_samples WHERE event = ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(event)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| parse_json("event_samples.payload", row.try_get::<&str, _>("payload")?))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

    use chrono::Utc;
    use serde_json::json;

    use crate::store::Store;
    use crate::store::sqlite::SqliteStore;

    use super::SubscriptionRow;

    async fn store(tag: &str) -> (SqliteStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "switchboard-subscriptions-{tag}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let store = SqliteStore::open(&dir.join("test.db")).await.unwrap();
        (store, dir)
    }

    fn sub(id: &str, event: &str, url: &str) -> SubscriptionRow {
        SubscriptionRow {
            id: id.into(),
            event: event.into(),
            target_url: url.into(),
            created_at: Utc::now(),
            created_by: None,
        }
    }

    #[tokio::test]
    async fn subscriptions_are_unique_per_event_and_url() {
        let (store, dir) = store("unique").await;
        let (first, created) = store
            .create_subscription(&sub("a", "order.created", "https://x.test/1"))
            .await
            .unwrap();
        assert!(created);
        assert_eq!(first.id, "a");
        let (again, created) = store
            .create_subscription(&sub("b", "order.created", "https://x.test/1"))
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.id, "a");
        store.create_subscription(&sub("c", "order.paid", "https://x.test/1")).await.unwrap();
        assert_eq!(store.list_subscriptions(None).await.unwrap().len(), 2);
        let paid = store.list_subscriptions(Some("order.paid")).await.unwrap();
        assert_eq!(paid.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["c"]);
        assert!(store.delete_subscription("c").await.unwrap());
        assert!(!store.delete_subscription("c").await.unwrap());
        assert!(store.list_subscriptions(Some("order.paid")).await.unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn samples_keep_the_newest_and_dedupe_retries() {
        let (store, dir) = store("samples").await;
        for n in 0..5 {
            let key = format!("run{n}/emit");
            store.record_event_sample("e", Some(&key), &json!({ "n": n }), 3).await.unwrap();
        }
        // A retried step replaces its own sample rather than adding one.
        store.record_event_sample("e", Some("run4/emit"), &json!({ "n": 44 }), 3).await.unwrap();
        store.record_event_sample("other", None, &json!(1), 3).await.unwrap();
        let samples = store.event_samples("e", 10).await.unwrap();
        assert_eq!(samples, [json!({ "n": 44 }), json!({ "n": 3 }), json!({ "n": 2 })]);
        assert_eq!(store.event_samples("e", 1).await.unwrap(), [json!({ "n": 44 })]);
        assert!(store.event_samples("none", 10).await.unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
