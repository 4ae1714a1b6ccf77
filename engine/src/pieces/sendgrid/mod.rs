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
