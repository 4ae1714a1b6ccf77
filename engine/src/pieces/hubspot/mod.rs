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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::piece::spec::PieceSpec;
    use crate::pieces::declared::SPECS;

    #[test]
    fn every_trigger_of_the_spec_has_a_source() {
        let (file, text) = SPECS
            .iter()
            .find(|(file, _)| *file == "hubspot.json")
            .expect("hubspot.json is embedded");
        let spec = PieceSpec::parse(file, text).expect("the spec parses");
        let declared: Vec<&str> = spec.triggers.iter().map(|t| t.name.as_str()).collect();
        let sources = triggers();
        let attached: Vec<&str> = sources.keys().map(String::as_str).collect();
        assert_eq!(declared, attached);
        assert_eq!(spec.id, PIECE_ID);
    }
}
