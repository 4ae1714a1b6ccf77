//! When a schedule fires: the next fire time, and what is due after a pause.
//!
//! The rules (daylight saving, interval anchoring, catch-up) are documented
//! on the parent module. How cron fire times are computed is explained above
//! `cron_after`.

use std::time::Duration;

use chrono::{DateTime, MappedLocalTime, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;

use super::spec::ScheduleSpec;

/// How late a fire time may be found and still count as on time rather than
/// missed. It absorbs timer jitter and short restarts; 60 s is also Quartz's
/// default misfire threshold.
pub const MISFIRE_GRACE: Duration = Duration::from_secs(60);

/// What to do about fire times that passed while the schedule was not being
/// looked at (server down, flow paused), i.e. more than [`MISFIRE_GRACE`]
/// before `now`.
///
/// Either way at most one run fires per [`ScheduleSpec::due`] call and older
/// missed fire times are never replayed one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CatchUp {
    /// Drop missed fire times; the schedule resumes with the next one.
    Skip,
    /// Fire once for the most recent missed fire time, like n8n and cron
    /// implementations with a catch-up of one. The default: a daily report
    /// that was missed because of a restart still goes out.
    #[default]
    Once,
}

/// The answer of [`ScheduleSpec::due`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Due {
    /// The scheduled time to fire a run for now, if any. The caller should
    /// record it as the schedule's last fire time.
    pub fire_at: Option<DateTime<Utc>>,
    /// When to call [`ScheduleSpec::due`] again: the first fire time after
    /// `now`. `None` when the schedule has no further fire time within the
    /// range croner and chrono can represent.
    pub next: Option<DateTime<Utc>>,
}

impl ScheduleSpec {
    /// The first fire time strictly after `after`.
    ///
    /// Cron times follow the daylight-saving rules in the `schedule` module
    /// docs: a time skipped by a spring-forward change fires right after the
    /// gap, and a repeated time fires once.
    ///
    /// An interval without an `anchor` is anchored at the Unix epoch here (so
    /// `every: 15m` fires on the quarter hours); call
    /// [`ScheduleSpec::anchored`] first to get the fire times
    /// [`ScheduleSpec::due`] uses.
    ///
    /// Returns `None` only when no fire time is representable (beyond year
    /// 5000 for cron, or past chrono's range).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.fire_after(after, DateTime::UNIX_EPOCH)
    }

    /// This schedule with an interval's missing `anchor` set to `created`,
    /// which is the anchor [`ScheduleSpec::due`] uses. Cron schedules and
    /// anchored intervals are returned unchanged.
    pub fn anchored(&self, created: DateTime<Utc>) -> ScheduleSpec {
        match self {
            Self::Interval { every, anchor: None } => {
                Self::Interval { every: *every, anchor: Some(created) }
            }
            other => other.clone(),
        }
    }

    /// What to fire now and when to look again.
    ///
    /// * `last_fired`: the `fire_at` of the last run this schedule fired, if
    ///   any.
    /// * `created`: when the schedule was created (or activated). Nothing at
    ///   or before it fires, and it anchors intervals without an `anchor`.
    /// * `now`: the current time.
    /// * `catch_up`: what to do when the most recent fire time is more than
    ///   [`MISFIRE_GRACE`] old.
    ///
    /// Fires at most one run: for the most recent fire time in
    /// `(max(last_fired, created), now]`. If several passed, the older ones
    /// are dropped. If the clock went backwards past `last_fired`, nothing
    /// fires until it is passed again.
    pub fn due(
        &self,
        last_fired: Option<DateTime<Utc>>,
        created: DateTime<Utc>,
        now: DateTime<Utc>,
        catch_up: CatchUp,
    ) -> Due {
        // A last fire time from before the schedule was (re)created belongs
        // to an earlier life of it and must not open the catch-up window.
        let since = last_fired.map_or(created, |last| last.max(created));
        let fire_at = self.fire_at_or_before(now, created).filter(|latest| *latest > since).filter(
            |latest| match catch_up {
                CatchUp::Once => true,
                // `latest <= now`, so the difference is never negative and
                // the conversion cannot fail.
                CatchUp::Skip => (now - *latest).to_std().is_ok_and(|late| late <= MISFIRE_GRACE),
            },
        );
        let next = self.fire_after(now.max(since), created);
        Due { fire_at, next }
    }

    /// The first fire time strictly after `after`, with `default_anchor`
    /// standing in for a missing interval anchor.
    fn fire_after(
        &self,
        after: DateTime<Utc>,
        default_anchor: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self {
            Self::Cron { tz, compiled, .. } => cron_after(&compiled.0, *tz, after),
            Self::Interval { every, anchor } => {
                let (anchor, step) = lattice(*every, anchor.unwrap_or(default_anchor))?;
                let k = (nanos(after) - anchor).div_euclid(step).checked_add(1)?;
                from_nanos(anchor.checked_add(k.checked_mul(step)?)?)
            }
        }
    }

    /// The last fire time at or before `at`, with `default_anchor` standing
    /// in for a missing interval anchor.
    fn fire_at_or_before(
        &self,
        at: DateTime<Utc>,
        default_anchor: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self {
            Self::Cron { tz, compiled, .. } => cron_at_or_before(&compiled.0, *tz, at),
            Self::Interval { every, anchor } => {
                let (anchor, step) = lattice(*every, anchor.unwrap_or(default_anchor))?;
                let k = (nanos(at) - anchor).div_euclid(step);
                from_nanos(anchor.checked_add(k.checked_mul(step)?)?)
            }
        }
    }
}

// Cron fire times.
//
// Let `fire(L)` be the instant a matching wall-clock time `L` fires at: the
// instant itself, the earlier one when `L` happens twice, the end of the gap
// when it never happens. `fire` never decreases as `L` grows, so the first
// fire time after an instant is `fire` of the first match at or after the
// smallest wall-clock time that fires after it, and likewise backwards. That
// takes one croner search on naive wall-clock times plus time zone lookups.

/// The first cron fire time strictly after `after`.
fn cron_after(cron: &Cron, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Croner works in whole seconds and fire times are whole seconds, so
    // "after 09:00:00.5" is the same question as "after 09:00:00".
    let after = whole_second(after)?;
    let wall = after.with_timezone(&tz).naive_local();
    let start = match repeated(tz, wall) {
        // `after` is the second occurrence of a repeated wall-clock time.
        // The rest of the repeated range already fired on its first pass,
        // so the first candidate is the first wall-clock time after it.
        Some((first, second)) if first != after => end_of_repeat(tz, first, second)?,
        _ => wall.checked_add_signed(TimeDelta::seconds(1))?,
    };
    let local = cron.find_next_occurrence(&start, true).ok()?;
    fire_instant(tz, local)
}

/// The last cron fire time at or before `at`.
fn cron_at_or_before(cron: &Cron, tz: Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let at = whole_second(at)?;
    let wall = at.with_timezone(&tz).naive_local();
    let end = match repeated(tz, wall) {
        // `at` is in the second pass of a repeated range: the whole range
        // fired on its first pass, before `at`, so it all counts.
        Some((first, second)) if first != at => {
            end_of_repeat(tz, first, second)?.checked_sub_signed(TimeDelta::seconds(1))?
        }
        _ => wall,
    };
    let local = cron.find_previous_occurrence(&end, true).ok()?;
    fire_instant(tz, local)
}

/// The instant a matching wall-clock time fires at (`fire` above).
fn fire_instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(at) => Some(at.to_utc()),
        MappedLocalTime::Ambiguous(a, b) => Some(a.to_utc().min(b.to_utc())),
        MappedLocalTime::None => end_of_gap(tz, local),
    }
}

/// The two instants of a wall-clock time that happens twice, earlier first,
/// or `None` if it happens once or never.
fn repeated(tz: Tz, local: NaiveDateTime) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Ambiguous(a, b) => {
            let (a, b) = (a.to_utc(), b.to_utc());
            Some((a.min(b), a.max(b)))
        }
        MappedLocalTime::Single(_) | MappedLocalTime::None => None,
    }
}

/// The first instant after the gap that contains the non-existent wall-clock
/// time `local`.
fn end_of_gap(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    // UTC offsets stay within ±16 h, so 26 h either side of `local` read as
    // UTC is an instant whose wall clock is before `local` and one whose wall
    // clock is past it. The first instant whose wall clock is past `local`
    // is where the clock jumped over it.
    const SPAN: i64 = 26 * 3_600;
    let guess = local.and_utc().timestamp();
    let jump = first_second(guess.checked_sub(SPAN)?, guess.checked_add(SPAN)?, |second| {
        Some(wall_clock(tz, second)? > local)
    })?;
    DateTime::from_timestamp(jump, 0)
}

/// The first wall-clock time after a repeated range, given the two instants
/// `earlier < later` that share a wall-clock time inside it.
fn end_of_repeat(tz: Tz, earlier: DateTime<Utc>, later: DateTime<Utc>) -> Option<NaiveDateTime> {
    // The clock fell back somewhere in (earlier, later]: find the first
    // second on the later offset. The second before it is the last of the
    // first pass, whose wall-clock time is the last repeated one.
    let later_offset = utc_offset(tz, later.timestamp())?;
    let fell_back = first_second(earlier.timestamp(), later.timestamp(), |second| {
        Some(utc_offset(tz, second)? == later_offset)
    })?;
    wall_clock(tz, fell_back.checked_sub(1)?)?.checked_add_signed(TimeDelta::seconds(1))
}

/// Binary search for the smallest second in `(low, high]` where `holds` is
/// true, given that it is false at `low` and true at `high`.
///
/// Even if `holds` is not monotonic in between, the answer is a second where
/// it turns from false to true, which is all the callers need: each looks
/// for a clock change, and time zones never change twice within a day.
fn first_second(mut low: i64, mut high: i64, holds: impl Fn(i64) -> Option<bool>) -> Option<i64> {
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if holds(mid)? {
            high = mid;
        } else {
            low = mid;
        }
    }
    Some(high)
}

/// The wall-clock time in `tz` at a Unix second.
fn wall_clock(tz: Tz, second: i64) -> Option<NaiveDateTime> {
    Some(DateTime::from_timestamp(second, 0)?.with_timezone(&tz).naive_local())
}

/// The UTC offset of `tz`, in seconds, at a Unix second.
fn utc_offset(tz: Tz, second: i64) -> Option<i32> {
    let at = DateTime::from_timestamp(second, 0)?;
    Some(tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc())
}

/// `at` with its fraction of a second dropped.
fn whole_second(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.timestamp(), 0)
}

// Interval fire times, computed in i128 nanoseconds: chrono's range is about
// ±262,000 years, which is under 10^22 ns, so sums and the products below
// stay far inside i128 (and overflow is checked anyway).

/// The anchor and period in nanoseconds, or `None` for a zero period, which
/// only a hand-built spec can have.
fn lattice(every: Duration, anchor: DateTime<Utc>) -> Option<(i128, i128)> {
    let step = i128::try_from(every.as_nanos()).ok().filter(|step| *step > 0)?;
    Some((nanos(anchor), step))
}

/// Nanoseconds since the Unix epoch.
fn nanos(at: DateTime<Utc>) -> i128 {
    i128::from(at.timestamp()) * 1_000_000_000 + i128::from(at.timestamp_subsec_nanos())
}

/// The instant `nanos` nanoseconds after the Unix epoch, if chrono can hold it.
fn from_nanos(nanos: i128) -> Option<DateTime<Utc>> {
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).ok()?;
    let subsec = u32::try_from(nanos.rem_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(seconds, subsec)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::{Map, Value, json};

    use super::*;

    fn cron(expr: &str, tz: &str) -> ScheduleSpec {
        spec("cron", json!({ "cron": expr, "timezone": tz }))
    }

    fn every(duration: &str) -> ScheduleSpec {
        spec("interval", json!({ "every": duration }))
    }

    fn spec(trigger: &str, props: Value) -> ScheduleSpec {
        let props: Map<String, Value> = serde_json::from_value(props).unwrap();
        ScheduleSpec::from_trigger(trigger, &props).unwrap()
    }

    /// An instant from RFC 3339 text.
    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    /// The first `count` fire times after `start`.
    fn series(spec: &ScheduleSpec, start: &str, count: usize) -> Vec<DateTime<Utc>> {
        let mut times = Vec::new();
        let mut after = at(start);
        for _ in 0..count {
            after = spec.next_after(after).unwrap();
            times.push(after);
        }
        times
    }

    fn times(texts: &[&str]) -> Vec<DateTime<Utc>> {
        texts.iter().map(|text| at(text)).collect()
    }

    #[test]
    fn crosses_a_month_boundary() {
        let daily = cron("0 0 * * *", "UTC");
        assert_eq!(daily.next_after(at("2024-01-31T12:00:00Z")), Some(at("2024-02-01T00:00:00Z")));
        // The 31st skips the months without one.
        let on_31st = cron("30 23 31 * *", "UTC");
        assert_eq!(
            series(&on_31st, "2024-01-31T23:30:00Z", 2),
            times(&["2024-03-31T23:30:00Z", "2024-05-31T23:30:00Z"])
        );
        // In Berlin, midnight on the 1st is still the previous month in UTC.
        let monthly = cron("@monthly", "Europe/Berlin");
        assert_eq!(
            monthly.next_after(at("2024-01-15T00:00:00Z")),
            Some(at("2024-01-31T23:00:00Z"))
        );
    }

    #[test]
    fn leap_day_fires_every_four_years() {
        let leap = cron("0 0 29 2 *", "UTC");
        assert_eq!(
            series(&leap, "2023-06-01T00:00:00Z", 3),
            times(&["2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        );
        // 2100 is not a leap year.
        assert_eq!(leap.next_after(at("2096-03-01T00:00:00Z")), Some(at("2104-02-29T00:00:00Z")));
    }

    #[test]
    fn is_strictly_after() {
        let daily = cron("0 9 * * *", "UTC");
        assert_eq!(daily.next_after(at("2024-05-01T09:00:00Z")), Some(at("2024-05-02T09:00:00Z")));
        assert_eq!(
            daily.next_after(at("2024-05-01T08:59:59.999Z")),
            Some(at("2024-05-01T09:00:00Z"))
        );
        assert_eq!(
            daily.next_after(at("2024-05-01T09:00:00.001Z")),
            Some(at("2024-05-02T09:00:00Z"))
        );
    }

    #[test]
    fn weekdays_skip_the_weekend() {
        let weekdays = cron("0 9 * * 1-5", "Europe/Berlin");
        // Friday 7 June 2024, 10:00 CEST.
        assert_eq!(
            series(&weekdays, "2024-06-07T08:00:00Z", 2),
            times(&["2024-06-10T07:00:00Z", "2024-06-11T07:00:00Z"])
        );
        let weekend = cron("0 10 * * SAT,SUN", "UTC");
        assert_eq!(
            series(&weekend, "2024-06-05T00:00:00Z", 3),
            times(&["2024-06-08T10:00:00Z", "2024-06-09T10:00:00Z", "2024-06-15T10:00:00Z"])
        );
    }

    #[test]
    fn aliases_fire_when_documented() {
        let start = "2024-05-15T10:20:00Z";
        let cases = [
            ("@hourly", "2024-05-15T11:00:00Z"),
            ("@daily", "2024-05-16T00:00:00Z"),
            ("@weekly", "2024-05-19T00:00:00Z"),
            ("@monthly", "2024-06-01T00:00:00Z"),
            ("@yearly", "2025-01-01T00:00:00Z"),
            ("@annually", "2025-01-01T00:00:00Z"),
        ];
        for (alias, expected) in cases {
            assert_eq!(cron(alias, "UTC").next_after(at(start)), Some(at(expected)), "{alias}");
        }
    }

    #[test]
    fn seconds_and_croner_extensions() {
        assert_eq!(
            series(&cron("*/20 * * * * *", "UTC"), "2024-05-15T10:20:05Z", 3),
            times(&["2024-05-15T10:20:20Z", "2024-05-15T10:20:40Z", "2024-05-15T10:21:00Z"])
        );
        let last_day = cron("0 0 L * *", "UTC");
        assert_eq!(
            last_day.next_after(at("2024-02-10T00:00:00Z")),
            Some(at("2024-02-29T00:00:00Z"))
        );
        // 15 June 2024 is a Saturday, so the nearest weekday is Friday the 14th.
        let nearest = cron("0 0 15W * *", "UTC");
        assert_eq!(
            nearest.next_after(at("2024-06-01T00:00:00Z")),
            Some(at("2024-06-14T00:00:00Z"))
        );
        let second_friday = cron("0 0 * * 5#2", "UTC");
        assert_eq!(
            second_friday.next_after(at("2024-06-01T00:00:00Z")),
            Some(at("2024-06-14T00:00:00Z"))
        );
    }

    #[test]
    fn berlin_spring_forward_fires_after_the_gap() {
        // 31 March 2024: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        let daily = cron("30 2 * * *", "Europe/Berlin");
        assert_eq!(
            series(&daily, "2024-03-30T12:00:00Z", 2),
            // 02:30 does not exist on the 31st: 03:00 CEST; then 02:30 CEST.
            times(&["2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z"])
        );
        // An hourly schedule fires for the missing 02:30 at 03:00, then
        // carries on at 03:30.
        let hourly = cron("30 * * * *", "Europe/Berlin");
        assert_eq!(
            series(&hourly, "2024-03-31T00:00:00Z", 3),
            times(&["2024-03-31T00:30:00Z", "2024-03-31T01:00:00Z", "2024-03-31T01:30:00Z"])
        );
        // Every missing quarter hour and 03:00 itself fire once, together.
        let quarterly = cron("*/15 * * * *", "Europe/Berlin");
        assert_eq!(
            series(&quarterly, "2024-03-31T00:40:00Z", 3),
            times(&["2024-03-31T00:45:00Z", "2024-03-31T01:00:00Z", "2024-03-31T01:15:00Z"])
        );
    }

    #[test]
    fn berlin_fall_back_fires_once() {
        // 27 October 2024: 03:00 CEST becomes 02:00 CET (01:00 UTC), so
        // 02:00-02:59 happens twice.
        let daily = cron("30 2 * * *", "Europe/Berlin");
        assert_eq!(
            series(&daily, "2024-10-26T12:00:00Z", 2),
            // 02:30 CEST, then 02:30 CET the next day; not 02:30 CET on the 27th.
            times(&["2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"])
        );
        let half_hourly = cron("*/30 * * * *", "Europe/Berlin");
        assert_eq!(
            series(&half_hourly, "2024-10-26T23:45:00Z", 4),
            // 02:00 CEST, 02:30 CEST, then 03:00 CET.
            times(&[
                "2024-10-27T00:00:00Z",
                "2024-10-27T00:30:00Z",
                "2024-10-27T02:00:00Z",
                "2024-10-27T02:30:00Z"
            ])
        );
        // Asked from inside the second pass (02:10 CET).
        assert_eq!(
            half_hourly.next_after(at("2024-10-27T01:10:00Z")),
            Some(at("2024-10-27T02:00:00Z"))
        );
    }

    #[test]
    fn new_york_spring_forward_fires_after_the_gap() {
        // 10 March 2024: 02:00 EST becomes 03:00 EDT (07:00 UTC).
        let daily = cron("30 2 * * *", "America/New_York");
        assert_eq!(
            series(&daily, "2024-03-09T12:00:00Z", 3),
            times(&["2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z", "2024-03-12T06:30:00Z"])
        );
    }

    #[test]
    fn new_york_fall_back_fires_once() {
        // 3 November 2024: 02:00 EDT becomes 01:00 EST (06:00 UTC).
        let daily = cron("30 1 * * *", "America/New_York");
        assert_eq!(
            series(&daily, "2024-11-02T12:00:00Z", 2),
            // 01:30 EDT, then 01:30 EST on the 4th.
            times(&["2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"])
        );
        // Asked from the second 01:30 itself, the next one is a day later.
        assert_eq!(daily.next_after(at("2024-11-03T06:30:00Z")), Some(at("2024-11-04T06:30:00Z")));
    }

    #[test]
    fn interval_is_anchored_and_does_not_drift() {
        let quarter = every("15m").anchored(at("2024-05-01T10:03:20Z"));
        // The previous run finished late; the next one is still on the grid.
        assert_eq!(
            quarter.next_after(at("2024-05-01T10:18:20.731Z")),
            Some(at("2024-05-01T10:33:20Z"))
        );
        assert_eq!(
            series(&quarter, "2024-05-01T10:03:20Z", 3),
            times(&["2024-05-01T10:18:20Z", "2024-05-01T10:33:20Z", "2024-05-01T10:48:20Z"])
        );
        // Without an anchor, next_after counts from the Unix epoch.
        assert_eq!(
            every("15m").next_after(at("2024-05-01T10:03:20Z")),
            Some(at("2024-05-01T10:15:00Z"))
        );
        // An explicit anchor fixes the phase, before or after it.
        let aligned = spec("interval", json!({ "every": "1d", "anchor": "2030-01-01T09:00:00Z" }));
        assert_eq!(
            aligned.next_after(at("2024-05-01T10:00:00Z")),
            Some(at("2024-05-02T09:00:00Z"))
        );
        assert_eq!(aligned.anchored(at("2024-01-01T00:00:00Z")), aligned);
    }

    #[test]
    fn due_after_three_missed_fires() {
        let hourly = cron("0 * * * *", "UTC");
        let created = at("2024-05-01T00:00:00Z");
        let last = Some(at("2024-05-01T08:00:00Z"));
        // 09:00, 10:00 and 11:00 were missed while the server was down.
        let now = at("2024-05-01T11:20:00Z");

        let once = hourly.due(last, created, now, CatchUp::Once);
        assert_eq!(
            once,
            Due {
                fire_at: Some(at("2024-05-01T11:00:00Z")),
                next: Some(at("2024-05-01T12:00:00Z"))
            }
        );
        let skip = hourly.due(last, created, now, CatchUp::Skip);
        assert_eq!(skip, Due { fire_at: None, next: Some(at("2024-05-01T12:00:00Z")) });
        assert_eq!(CatchUp::default(), CatchUp::Once);
    }

    #[test]
    fn due_interval_after_three_missed_fires() {
        let quarter = every("15m");
        let created = at("2024-05-01T10:03:20Z");
        let last = Some(at("2024-05-01T10:18:20Z"));
        let now = at("2024-05-01T11:10:00Z");
        // 10:33:20, 10:48:20 and 11:03:20 were missed.
        assert_eq!(
            quarter.due(last, created, now, CatchUp::Once),
            Due {
                fire_at: Some(at("2024-05-01T11:03:20Z")),
                next: Some(at("2024-05-01T11:18:20Z"))
            }
        );
        assert_eq!(
            quarter.due(last, created, now, CatchUp::Skip),
            Due { fire_at: None, next: Some(at("2024-05-01T11:18:20Z")) }
        );
    }

    #[test]
    fn due_when_nothing_is_due() {
        let daily = cron("0 9 * * *", "Europe/Berlin");
        let created = at("2024-05-01T00:00:00Z");
        // Fired this morning, 09:00 CEST; looking again in the afternoon.
        let due = daily.due(
            Some(at("2024-05-02T07:00:00Z")),
            created,
            at("2024-05-02T13:00:00Z"),
            CatchUp::Once,
        );
        assert_eq!(due, Due { fire_at: None, next: Some(at("2024-05-03T07:00:00Z")) });

        // A new schedule does not fire for times before it was created.
        let quarter = every("15m");
        let created = at("2024-05-01T10:03:20Z");
        let due = quarter.due(None, created, at("2024-05-01T10:10:00Z"), CatchUp::Once);
        assert_eq!(due, Due { fire_at: None, next: Some(at("2024-05-01T10:18:20Z")) });
        let due =
            daily.due(None, at("2024-05-02T07:30:00Z"), at("2024-05-02T08:00:00Z"), CatchUp::Once);
        assert_eq!(due, Due { fire_at: None, next: Some(at("2024-05-03T07:00:00Z")) });
    }

    #[test]
    fn due_on_time_fires_under_either_policy() {
        let hourly = cron("0 * * * *", "UTC");
        let created = at("2024-05-01T00:00:00Z");
        let last = Some(at("2024-05-01T09:00:00Z"));
        // The timer woke a little after 10:00.
        let now = at("2024-05-01T10:00:00.250Z");
        let expected = Due {
            fire_at: Some(at("2024-05-01T10:00:00Z")),
            next: Some(at("2024-05-01T11:00:00Z")),
        };
        assert_eq!(hourly.due(last, created, now, CatchUp::Skip), expected);
        assert_eq!(hourly.due(last, created, now, CatchUp::Once), expected);
        // Once recorded, the same time does not fire again.
        let again = hourly.due(expected.fire_at, created, now, CatchUp::Once);
        assert_eq!(again, Due { fire_at: None, next: Some(at("2024-05-01T11:00:00Z")) });
        // More than the grace late counts as missed.
        let late = at("2024-05-01T10:01:01Z");
        assert_eq!(hourly.due(last, created, late, CatchUp::Skip).fire_at, None);
        assert_eq!(
            hourly.due(last, created, late, CatchUp::Once).fire_at,
            Some(at("2024-05-01T10:00:00Z"))
        );
    }

    #[test]
    fn due_first_fire_of_a_new_schedule() {
        let quarter = every("15m");
        let created = at("2024-05-01T10:03:20Z");
        let due = quarter.due(None, created, at("2024-05-01T10:18:20.100Z"), CatchUp::Skip);
        assert_eq!(
            due,
            Due {
                fire_at: Some(at("2024-05-01T10:18:20Z")),
                next: Some(at("2024-05-01T10:33:20Z"))
            }
        );
    }

    #[test]
    fn due_ignores_a_clock_that_went_back() {
        let hourly = cron("0 * * * *", "UTC");
        let created = at("2024-05-01T00:00:00Z");
        let last = Some(at("2024-05-01T10:00:00Z"));
        let due = hourly.due(last, created, at("2024-05-01T09:30:00Z"), CatchUp::Once);
        assert_eq!(due, Due { fire_at: None, next: Some(at("2024-05-01T11:00:00Z")) });
    }

    #[test]
    fn due_across_daylight_saving_changes() {
        let daily = cron("30 2 * * *", "Europe/Berlin");
        let created = at("2024-03-01T00:00:00Z");
        // The missing 02:30 fires at 03:00 CEST (01:00 UTC).
        let due = daily.due(
            Some(at("2024-03-30T01:30:00Z")),
            created,
            at("2024-03-31T01:00:30Z"),
            CatchUp::Skip,
        );
        assert_eq!(
            due,
            Due {
                fire_at: Some(at("2024-03-31T01:00:00Z")),
                next: Some(at("2024-04-01T00:30:00Z"))
            }
        );
        // At the second 02:45 (CET) the first 02:30 already fired.
        let due = daily.due(
            Some(at("2024-10-27T00:30:00Z")),
            created,
            at("2024-10-27T01:45:00Z"),
            CatchUp::Once,
        );
        assert_eq!(due, Due { fire_at: None, next: Some(at("2024-10-28T01:30:00Z")) });
        // Down from Saturday to Sunday 02:45 CET: catch up the 02:30 CEST run.
        let due = daily.due(
            Some(at("2024-10-26T00:30:00Z")),
            created,
            at("2024-10-27T01:45:00Z"),
            CatchUp::Once,
        );
        assert_eq!(due.fire_at, Some(at("2024-10-27T00:30:00Z")));
    }

    #[test]
    fn wall_clock_helpers_find_the_changes() {
        let berlin = Tz::Europe__Berlin;
        let gap = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap().and_hms_opt(2, 0, 0).unwrap();
        assert_eq!(end_of_gap(berlin, gap), Some(at("2024-03-31T01:00:00Z")));
        let end = end_of_repeat(berlin, at("2024-10-27T00:15:00Z"), at("2024-10-27T01:15:00Z"));
        let three = NaiveDate::from_ymd_opt(2024, 10, 27).unwrap().and_hms_opt(3, 0, 0).unwrap();
        assert_eq!(end, Some(three));
    }
}
