//! Connections, accounts, sessions and API keys.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, now_text, parse_json, parse_ts, to_json, ts};
use crate::store::{ConnectionRow, StoreError, UserRow};

fn connection_row(row: &SqliteRow) -> Result<ConnectionRow, StoreError> {
    Ok(ConnectionRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        piece: row.try_get("piece")?,
        fields: parse_json("connections.fields", row.try_get::<&str, _>("fields")?)?,
        secret: row.try_get("secret")?,
        created_at: parse_ts("connections.created_at", row.try_get::<&str, _>("created_at")?)?,
        updated_at: parse_ts("connections.updated_at", row.try_get::<&str, _>("updated_at")?)?,
    })
}

fn user_row(row: &SqliteRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: row.try_get("role")?,
        created_at: parse_ts("users.created_at", row.try_get::<&str, _>("created_at")?)?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl SqliteStore {
    pub(super) async fn create_connection_impl(
        &self,
        c: &ConnectionRow,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO connections (id, name, piece, fields, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.piece)
        .bind(to_json(&c.fields))
        .bind(&c.secret)
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .execute(&self.writer)
        .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn list_connections_impl(&self) -> Result<Vec<ConnectionRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM connections ORDER BY lower(name)")
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(connection_row).collect()
    }

    pub(super) async fn get_connection_impl(
        &self,
        key: &str,
    ) -> Result<Option<ConnectionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM connections WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
        )
        .bind(key)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(connection_row).transpose()
    }

    pub(super) async fn update_connection_impl(
        &self,
        c: &ConnectionRow,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE connections SET name = ?, fields = ?, secret = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&c.name)
        .bind(to_json(&c.fields))
        .bind(&c.secret)
        .bind(now_text())
        .bind(&c.id)
        .execute(&self.writer)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("a connection named `{}` exists", c.name))
            } else {
                e.into()
            }
        })?;
        Ok(r.rows_affected() > 0)
    }

    pub(super) async fn delete_connection_impl(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM connections WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    pub(super) async fn count_users_impl(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.writer).await?)
    }

    pub(super) async fn create_user_impl(
        &self,
        u: &UserRow,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&u.id)
        .bind(&u.email)
        .bind(password_hash)
        .bind(&u.role)
        .bind(ts(u.created_at))
        .execute(&self.writer)
        .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn user_by_email_impl(
        &self,
        email: &str,
    ) -> Result<Option<(UserRow, String)>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE email = ? COLLATE NOCASE")
            .bind(email)
            .fetch_optional(&self.reader)
            .await?;
        match row {
            Some(r) => Ok(Some((user_row(&r)?, r.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    pub(super) async fn create_session_impl(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(ts(expires_at))
            .bind(now_text())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub(super) async fn session_user_impl(
        &self,
        token_hash: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now_text())
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub(super) async fn delete_session_impl(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub(super) async fn create_api_key_impl(
        &self,
        id: &str,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_keys (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(now_text())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub(super) async fn api_key_user_impl(
        &self,
        token_hash: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user_row).transpose()
    }
}
