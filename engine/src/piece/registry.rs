//! The registry: every piece the engine can run, by id.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Action, PieceMeta, TriggerSource};

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
