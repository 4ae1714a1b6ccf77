//! Postmark: the Rust behind the declarative spec `engine/pieces/postmark.json`.
//!
//! The actions (send email, send email with template) are declared in the spec; the code is the
//! webhook triggers (`inbound_email`, `bounce`, `message_event`), which check the basic auth
//! credentials Postmark sends and pick the events a flow takes (see [`trigger`]).

pub mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::{PostmarkWebhook, WebhookKind};

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "postmark";
/// The inbound email trigger's name in the spec.
pub const INBOUND_EMAIL: &str = "inbound_email";
/// The bounce trigger's name in the spec.
pub const BOUNCE: &str = "bounce";
/// The message event trigger's name in the spec.
pub const MESSAGE_EVENT: &str = "message_event";

/// The trigger sources attached to the spec'd piece, by trigger name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let source = |kind| -> Arc<dyn TriggerSource> { Arc::new(PostmarkWebhook(kind)) };
    BTreeMap::from([
        (INBOUND_EMAIL.to_owned(), source(WebhookKind::Inbound)),
        (BOUNCE.to_owned(), source(WebhookKind::Bounce)),
        (MESSAGE_EVENT.to_owned(), source(WebhookKind::MessageEvent)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::piece::spec::PieceSpec;
    use crate::pieces::declared::SPECS;

    #[test]
    fn every_trigger_of_the_spec_has_a_source() {
        let Some((file, text)) = SPECS.iter().find(|(file, _)| *file == "postmark.json") else {
            panic!("postmark.json is not embedded");
        };
        let spec = match PieceSpec::parse(file, text) {
            Ok(spec) => spec,
            Err(e) => panic!("{e}"),
        };
        let sources = triggers();
        let mut declared: Vec<&str> = spec.triggers.iter().map(|t| t.name.as_str()).collect();
        declared.sort_unstable();
        assert_eq!(declared, sources.keys().map(String::as_str).collect::<Vec<_>>());
    }
}
