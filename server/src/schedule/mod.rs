//! Schedule triggers: when a flow that starts on a schedule fires.
//!
//! A flow's trigger such as
//! `{ "piece": "schedule", "trigger": "cron", "props": { "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin" } }`
//! or `{ "piece": "schedule", "trigger": "interval", "props": { "every": "15m" } }`
//! is read with [`ScheduleSpec::from_trigger`]; problems come back as a
//! [`ScheduleError`] that names the prop and its JSON path.
//!
//! The server's scheduler then calls [`ScheduleSpec::due`] with the last fire
//! time it recorded: it fires at most one run per call, even after downtime
//! (see [`CatchUp`]), and says when to call again. [`ScheduleSpec::next_after`]
//! answers "when does this fire next" for display, and
//! [`ScheduleSpec::describe`] says the schedule in plain English.
//!
//! Cron expressions are parsed and matched by the `croner` crate. They are
//! wall-clock schedules in their time zone: a time skipped by a daylight
//! saving change fires right after the change, and a time that happens twice
//! fires once. Intervals fire at fixed multiples of `every` from an anchor,
//! so they do not drift. The details are in the `next` module's docs.

mod error;
mod next;
mod spec;

pub use error::ScheduleError;
pub use next::{CatchUp, Due, MISFIRE_GRACE};
pub use spec::{CompiledCron, MIN_INTERVAL, ScheduleSpec};
