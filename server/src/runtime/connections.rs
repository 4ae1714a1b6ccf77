//! The engine's [`Connections`] for the server: connections come from the store and are decrypted
//! only for the step that uses them; OAuth2 tokens about to expire are refreshed first (see
//! [`crate::oauth2::refresh`]).

use std::sync::Arc;

use switchboard_engine::piece::{BoxFuture, Connection, Connections};
use switchboard_engine::{ErrorKind, StepError};

use crate::secrets::SecretCipher;
use crate::store::Store;

/// Stored, encrypted connections.
pub struct StoreConnections {
    store: Arc<dyn Store>,
    cipher: SecretCipher,
    oauth2: Option<crate::oauth2::OAuth2>,
}

impl StoreConnections {
    /// Reads connections from `store`, decrypting with `cipher`.
    pub fn new(store: Arc<dyn Store>, cipher: SecretCipher) -> Self {
        Self { store, cipher, oauth2: None }
    }

    /// Refreshes OAuth2 tokens about to expire before handing them to a step.
    pub fn with_oauth2(mut self, oauth2: crate::oauth2::OAuth2) -> Self {
        self.oauth2 = Some(oauth2);
        self
    }
}

impl Connections for StoreConnections {
    fn resolve<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Connection, StepError>> {
        Box::pin(async move {
            let row = self
                .store
                .get_connection(reference)
                .await
                .map_err(|e| {
                    StepError::new(
                        ErrorKind::Connection,
                        format!("connection `{reference}` could not be read: {e}"),
                    )
                })?
                .ok_or_else(|| {
                    StepError::new(
                        ErrorKind::Connection,
                        format!("connection `{reference}` not found"),
                    )
                })?;
            let connection = decrypt(&self.cipher, row)
                .map_err(|message| StepError::new(ErrorKind::Connection, message))?;
            match &self.oauth2 {
                Some(oauth2) => oauth2.fresh(connection).await,
                None => Ok(connection),
            }
        })
    }
}

/// A stored connection with its values decrypted; the error says which connection failed.
pub fn decrypt(
    cipher: &SecretCipher,
    row: crate::store::ConnectionRow,
) -> Result<Connection, String> {
    let values = match cipher.decrypt_json(&row.secret) {
        Ok(serde_json::Value::Object(m)) => m,
        Ok(_) => serde_json::Map::new(),
        Err(e) => return Err(format!("connection `{}` cannot be decrypted: {e}", row.name)),
    };
    Ok(Connection { id: row.id, name: row.name, piece: row.piece, values })
}
