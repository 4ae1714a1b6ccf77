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
