//! Connections: the credentials a step uses, resolved by the host (the server decrypts them from its
//! store; the CLI reads them from a file or the environment).

use std::collections::HashMap;

use super::BoxFuture;
use crate::step_error::{ErrorKind, StepError};

/// A resolved connection. `values` hold the secrets: never log or record them (the executor redacts
/// every string in `secret_values()` from run records).
#[derive(Clone, PartialEq)]
pub struct Connection {
    /// Stable id.
    pub id: String,
    /// The name flows may reference it by.
    pub name: String,
    /// The piece it authenticates.
    pub piece: String,
    /// Auth fields (`api_key`, `token`, `username`/`password`, `access_token`, custom fields …).
    pub values: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("piece", &self.piece)
            .field("values", &"[redacted]")
            .finish()
    }
}

impl Connection {
    /// A string field of the connection.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(|v| v.as_str())
    }

    /// Every string value long enough to be a secret, for redaction.
    pub fn secret_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_strings(&serde_json::Value::Object(self.values.clone()), &mut out);
        out.retain(|s| s.len() >= 4);
        out
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(m) => m.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// Resolves the `connection` a step names (by id or by name).
pub trait Connections: Send + Sync {
    /// The connection, or an error of kind [`ErrorKind::Connection`].
    fn resolve<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Connection, StepError>>;
}

/// A host without connections: every lookup fails with a clear message.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoConnections;

impl Connections for NoConnections {
    fn resolve<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Connection, StepError>> {
        Box::pin(async move {
            Err(StepError::new(
                ErrorKind::Connection,
                format!("connection `{reference}` not found: no connections are configured"),
            ))
        })
    }
}

/// Connections held in memory (the CLI's connections file, tests).
#[derive(Debug, Clone, Default)]
pub struct StaticConnections {
    by_key: HashMap<String, Connection>,
}

impl StaticConnections {
    /// Indexes the connections by id and by name.
    pub fn new(connections: impl IntoIterator<Item = Connection>) -> Self {
        let mut by_key = HashMap::new();
        for c in connections {
            by_key.insert(c.name.clone(), c.clone());
            by_key.insert(c.id.clone(), c);
        }
        Self { by_key }
    }
}

impl Connections for StaticConnections {
    fn resolve<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Connection, StepError>> {
        let found = self.by_key.get(reference).cloned();
        Box::pin(async move {
            found.ok_or_else(|| {
                StepError::new(ErrorKind::Connection, format!("connection `{reference}` not found"))
            })
        })
    }
}
