//! Pipedrive: the Rust behind the declarative spec `engine/pieces/pipedrive.json`.
//!
//! Every action is declared in the spec; the only code is the `webhook_events` trigger, which
//! reads both of Pipedrive's webhook formats and checks the optional HTTP basic auth (see
//! [`trigger`]).

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::WebhookEvents;

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "pipedrive";
/// The webhook trigger's name in the spec.
pub const WEBHOOK_EVENTS: &str = "webhook_events";

/// The trigger sources attached to the spec'd piece, by trigger name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let webhook: Arc<dyn TriggerSource> = Arc::new(WebhookEvents);
    BTreeMap::from([(WEBHOOK_EVENTS.to_owned(), webhook)])
}
