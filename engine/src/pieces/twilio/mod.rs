//! Twilio: the Rust behind the declarative spec `engine/pieces/twilio.json`.
//!
//! The actions (send SMS, send WhatsApp message, start call) are declared in the spec; the only
//! code is the `incoming_message` trigger, because checking Twilio's `X-Twilio-Signature` is
//! code (see [`trigger`]).

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::IncomingMessage;

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "twilio";
/// The incoming message trigger's name in the spec.
pub const INCOMING_MESSAGE: &str = "incoming_message";

/// The trigger sources attached to the spec'd piece, by trigger name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let incoming: Arc<dyn TriggerSource> = Arc::new(IncomingMessage);
    BTreeMap::from([(INCOMING_MESSAGE.to_owned(), incoming)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::piece::spec::PieceSpec;
    use crate::pieces::declared::SPECS;

    #[test]
    fn every_trigger_of_the_spec_has_a_source() {
        let Some((file, text)) = SPECS.iter().find(|(file, _)| *file == "twilio.json") else {
            panic!("twilio.json is not embedded");
        };
        let spec = match PieceSpec::parse(file, text) {
            Ok(spec) => spec,
            Err(e) => panic!("{e}"),
        };
        let sources = triggers();
        let declared: Vec<&str> = spec.triggers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(declared, sources.keys().map(String::as_str).collect::<Vec<_>>());
    }
}
