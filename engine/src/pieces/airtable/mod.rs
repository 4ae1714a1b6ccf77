//! Airtable: the declarative spec (`engine/pieces/airtable.json`) plus its trigger,
//! [`trigger::WebhookNotification`], which checks the MAC of Airtable's webhook pings.
//!
//! Every action is declarative; the trigger is Rust because signatures are code.

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::{Action, TriggerSource};

/// The piece id.
pub const PIECE_ID: &str = "airtable";

/// Rust actions and triggers by name, as the declared-piece loader takes them.
pub type RustParts = (BTreeMap<String, Arc<dyn Action>>, BTreeMap<String, Arc<dyn TriggerSource>>);

/// The Rust behind the spec: the `webhook_notification` trigger (no Rust actions).
pub fn rust_parts() -> RustParts {
    let mut triggers: BTreeMap<String, Arc<dyn TriggerSource>> = BTreeMap::new();
    triggers
        .insert(trigger::WEBHOOK_NOTIFICATION.to_owned(), Arc::new(trigger::WebhookNotification));
    (BTreeMap::new(), triggers)
}
