//! Writing OAuth2 tokens into connections: a finished authorization creates the named
//! connection, or updates it when it exists for the same piece (reconnecting); a refresh
//! replaces a connection's values. Values are encrypted with the installation's key; the row
//! lists only their names.

use chrono::Utc;
use serde_json::{Map, Value};

use crate::secrets::SecretCipher;
use crate::store::{ConnectionRow, Store, StoreError};

/// Why a connection could not be saved.
#[derive(Debug)]
pub enum SaveError {
    /// The name belongs to a connection of another piece.
    OtherPiece {
        /// That connection's piece.
        piece: String,
    },
    /// The database failed.
    Store(StoreError),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e)
    }
}

/// Sets a row's values (encrypted), their names and its change time.
pub fn set_values(row: &mut ConnectionRow, cipher: &SecretCipher, values: Map<String, Value>) {
    row.fields = values.keys().cloned().collect();
    row.secret = cipher.encrypt_json(&Value::Object(values));
    row.updated_at = Utc::now();
}

/// Creates the connection `name` of `piece` with `values`, or replaces the values of the
/// existing one of that name and piece.
pub async fn create_or_update(
    store: &dyn Store,
    cipher: &SecretCipher,
    piece: &str,
    name: &str,
    values: Map<String, Value>,
) -> Result<ConnectionRow, SaveError> {
    // Twice at most: a connection created or deleted under the same name between the read and
    // the write sends the second round down the other branch.
    for _ in 0..2 {
        match store.get_connection(name).await?.filter(|row| row.name == name) {
            Some(row) if row.piece != piece => {
                return Err(SaveError::OtherPiece { piece: row.piece });
            }
            Some(mut row) => {
                set_values(&mut row, cipher, values.clone());
                if store.update_connection(&row).await? {
                    return Ok(row);
                }
            }
            None => {
                let now = Utc::now();
                let mut row = ConnectionRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    name: name.to_owned(),
                    piece: piece.to_owned(),
                    fields: Vec::new(),
                    secret: Vec::new(),
                    created_at: now,
                    updated_at: now,
                };
                set_values(&mut row, cipher, values.clone());
                if store.create_connection(&row).await? {
                    return Ok(row);
                }
            }
        }
    }
    Err(SaveError::Store(StoreError::Conflict(format!(
        "the connection `{name}` changed while it was being saved; try again"
    ))))
}
