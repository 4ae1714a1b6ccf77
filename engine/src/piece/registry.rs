//! The registry: every piece the engine can run, by id.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Action, ActionContext, BoxFuture, PieceMeta, SelectOption, TriggerSource};
use crate::step_error::StepError;

/// An integration: its metadata plus the code behind its actions and triggers.
pub trait Piece: Send + Sync {
    /// The declaration.
    fn meta(&self) -> &PieceMeta;
    /// The runnable action with this name (every action in `meta()` must have one).
    fn action(&self, name: &str) -> Option<Arc<dyn Action>>;
    /// The trigger with this name, for pieces that start flows.
    fn trigger(&self, _name: &str) -> Option<Arc<dyn TriggerSource>> {
        None
    }

    /// Checks a connection with a cheap authenticated request (run when a connection is saved).
    /// `Ok` when the credential works, or when the piece has no such check.
    fn test_connection<'a>(
        &'a self,
        _ctx: &'a ActionContext,
    ) -> BoxFuture<'a, Result<(), StepError>> {
        Box::pin(async { Ok(()) })
    }

    /// The options of a `dynamic_select` prop of `action`, fetched with the connection in `ctx`
    /// and the step's other props (those the options depend on).
    fn options<'a>(
        &'a self,
        action: &'a str,
        prop: &'a str,
        _ctx: &'a ActionContext,
        _props: &'a serde_json::Map<String, serde_json::Value>,
    ) -> BoxFuture<'a, Result<Vec<SelectOption>, StepError>> {
        let name = self.meta().name.clone();
        Box::pin(async move {
            Err(StepError::invalid_input(format!(
                "{name} `{action}.{prop}` has no dynamic options"
            )))
        })
    }
}

/// The pieces available to flows. Cheap to clone.
#[derive(Clone, Default)]
pub struct Registry {
    pieces: BTreeMap<String, Arc<dyn Piece>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.pieces.keys()).finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in pieces of the engine (`webhook`, `manual`, `http`, `core`).
    pub fn builtin() -> Self {
        let mut r = Self::new();
        crate::pieces::register_builtin(&mut r);
        r
    }

    /// Adds (or replaces) a piece.
    pub fn register(&mut self, piece: Arc<dyn Piece>) {
        self.pieces.insert(piece.meta().id.clone(), piece);
    }

    /// The piece with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn Piece>> {
        self.pieces.get(id)
    }

    /// Every piece, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Piece>> {
        self.pieces.values()
    }
}
