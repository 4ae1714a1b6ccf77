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
