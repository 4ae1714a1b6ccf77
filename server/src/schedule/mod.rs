//! Schedule triggers: when a flow that starts on a schedule fires.
//!
//! A flow's trigger such as
//!
//! ```json
//! { "id": "every_morning", "piece": "schedule", "trigger": "cron",
//!   "props": { "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin" } }
//! { "piece": "schedule", "trigger": "interval", "props": { "every": "15m" } }
//! ```
//!
//! is read with [`ScheduleSpec::from_trigger`] (given its `trigger` and
//! `props`); problems come back as a [`ScheduleError`] that names the prop
//! and its JSON path.
//!
//! The server's scheduler then calls [`ScheduleSpec::due`] with the last fire
//! time it recorded: it fires at most one run per call, even after downtime
//! (see [`CatchUp`]), and says when to call again. [`ScheduleSpec::next_after`]
//! answers "when does this fire next" for display, and
//! [`ScheduleSpec::describe`] says the schedule in plain English.
//!
//! Cron expressions are parsed and matched by the `croner` crate.
//!
//! # Cron schedules and daylight saving time
//!
//! A cron expression describes wall-clock times in its zone, and every
//! matching wall-clock time fires exactly once:
//!
//! * a time that does not exist because the clocks spring forward (02:30 on
//!   the last Sunday of March in Europe/Berlin) fires at the first instant
//!   after the gap (03:00 CEST); several such times fire together, once;
//! * a time that happens twice because the clocks fall back (02:30 on the
//!   last Sunday of October in Europe/Berlin) fires at its first occurrence
//!   only (02:30 CEST, not again at 02:30 CET).
//!
//! This applies to every expression alike, so `*/15 * * * *` does not fire
//! during the repeated hour either. Croner's own zoned search treats
//! expressions with repeating hours or minutes differently (it skips gap
//! times and fires both occurrences of repeated ones, as Vixie cron does), so
//! this module only asks croner for wall-clock matches and maps them to
//! instants itself. A schedule that should tick by elapsed time regardless
//! of the clock is an `interval` schedule.
//!
//! # Intervals
//!
//! An interval fires at `anchor + k * every` for whole `k`, where the anchor
//! is the trigger's `anchor` prop or else the time the schedule was created.
//! The fire times are fixed by the anchor, not by when the previous run
//! happened, so they do not drift with processing delays.
//!
//! # Catching up
//!
//! [`ScheduleSpec::due`] fires at most one run per call, for the most recent
//! fire time that has passed; older ones missed while the server was down
//! are dropped. [`CatchUp`] decides whether that most recent one still fires
//! when it is more than [`MISFIRE_GRACE`] overdue.

mod error;
mod next;
mod spec;

pub use next::CatchUp;
pub use spec::ScheduleSpec;
