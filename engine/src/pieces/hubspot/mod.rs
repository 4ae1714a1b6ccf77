//! HubSpot: the Rust behind the declarative spec `engine/pieces/hubspot.json`.
//!
//! Every action is declared in the spec; the only code is the `webhook_events` trigger, because
//! checking HubSpot's v3 request signature is code (see [`trigger`]).

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::WebhookEvents;

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "hubspot";
/// The webhook trigger's name in the spec.
pub const WEBHOOK_EVENTS: &str = "webhook_events";

/// The trigger sources attached to the spec'd piece, by trigger name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let webhook: Arc<dyn TriggerSource> = Arc::new(WebhookEvents);
    BTreeMap::from([(WEBHOOK_EVENTS.to_owned(), webhook)])
}
