//! The Rust behind the `slack` spec: its Events API trigger.

mod trigger;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::piece::TriggerSource;

pub use trigger::{Events, TOLERANCE_SECS};

/// The Slack triggers by name.
pub fn triggers() -> BTreeMap<String, Arc<dyn TriggerSource>> {
    let mut t: BTreeMap<String, Arc<dyn TriggerSource>> = BTreeMap::new();
    t.insert("events".to_owned(), Arc::new(Events));
    t
}
