//! SendGrid: the Rust behind the declarative spec `engine/pieces/sendgrid.json`.
//!
//! The actions (send email, send dynamic template email) are declared in the spec; the only code
//! is the `email_event` trigger, because checking the ECDSA signature of SendGrid's signed Event
//! Webhook is code (see [`trigger`]).

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::EmailEvent;

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "sendgrid";
/// The event webhook trigger's name in the spec.
pub const EMAIL_EVENT: &str = "email_event";

/// The trigger sources attached to the spec'd piece, by trigger name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let events: Arc<dyn TriggerSource> = Arc::new(EmailEvent);
    BTreeMap::from([(EMAIL_EVENT.to_owned(), events)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::piece::spec::PieceSpec;
    use crate::pieces::declared::SPECS;

    #[test]
    fn every_trigger_of_the_spec_has_a_source() {
        let Some((file, text)) = SPECS.iter().find(|(file, _)| *file == "sendgrid.json") else {
            panic!("sendgrid.json is not embedded");
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
