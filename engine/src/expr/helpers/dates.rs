//! Date helpers. Dates travel as RFC 3339 strings (`2024-01-31T09:30:00Z`); anything without an
//! offset is UTC. Inputs may also be `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`, RFC 2822 (e-mail and
//! HTTP headers) or unix timestamps in seconds or milliseconds (numbers or digit strings).
//!
//! Results keep the offset of the input date, except `parse_date` and `now`, which give UTC, and
//! `to_timezone`, which gives the zone's offset.

use std::fmt::Write as _;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use rhai::{Dynamic, Engine, FLOAT, INT};

use super::{HelperResult, fail};
use crate::expr::convert::{type_label, with_article};

/// Unix timestamps at or above this magnitude are taken as milliseconds (1e11 seconds is the
/// year 5138; 1e11 milliseconds is 1973).
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn("now", || render(&now()));
    engine.register_fn("now_ms", || Utc::now().timestamp_millis());
    engine.register_fn("today", || Utc::now().date_naive().to_string());
    engine.register_fn("today", |zone: &str| -> HelperResult<String> {
        let zone = parse_zone(zone, "today")?;
        Ok(zone.convert(&now()).date_naive().to_string())
    });

    engine.register_fn("parse_date", |date: Dynamic| -> HelperResult<String> {
        Ok(render(&to_datetime(&date, "parse_date")?.to_utc().fixed_offset()))
    });
    engine.register_fn("format_date", |date: Dynamic, format: &str| -> HelperResult<String> {
        let date = to_datetime(&date, "format_date")?;
        format_with(&date, format)
    });
    engine.register_fn(
        "format_date",
        |date: Dynamic, format: &str, zone: &str| -> HelperResult<String> {
            let date = to_datetime(&date, "format_date")?;
            match parse_zone(zone, "format_date")? {
                // Formatting in the named zone keeps `%Z` as its abbreviation (CET, PDT, ...).
                Zone::Named(tz) => format_with(&date.with_timezone(&tz), format),
                Zone::Fixed(offset) => format_with(&date.with_timezone(&offset), format),
            }
        },
    );
    engine.register_fn("to_timezone", |date: Dynamic, zone: &str| -> HelperResult<String> {
        let date = to_datetime(&date, "to_timezone")?;
        Ok(render(&parse_zone(zone, "to_timezone")?.convert(&date)))
    });

    engine.register_fn("add_duration", |date: Dynamic, duration: &str| -> HelperResult<String> {
        let date = to_datetime(&date, "add_duration")?;
        let delta = match parse_duration(duration) {
            Ok(delta) => delta,
            Err(message) => return fail(format!("add_duration: {message}")),
        };
        match date.checked_add_signed(delta) {
            Some(result) => Ok(render(&result)),
            None => fail("add_duration: the resulting date is out of range"),
        }
    });
    engine.register_fn("date_add", |date: Dynamic, amount: INT, unit: &str| {
        date_add(&date, Amount::Int(amount), unit)
    });
    engine.register_fn("date_add", |date: Dynamic, amount: FLOAT, unit: &str| {
        date_add(&date, Amount::Float(amount), unit)
    });
    engine.register_fn("date_diff", date_diff);

    engine.register_fn("day_of_week", |date: Dynamic| -> HelperResult<INT> {
        Ok(INT::from(to_datetime(&date, "day_of_week")?.weekday().number_from_monday()))
    });
    engine.register_fn("day_of_week", |date: Dynamic, zone: &str| -> HelperResult<INT> {
        let date = to_datetime(&date, "day_of_week")?;
        Ok(INT::from(
            parse_zone(zone, "day_of_week")?.convert(&date).weekday().number_from_monday(),
        ))
    });
    engine.register_fn("weekday_name", |date: Dynamic| -> HelperResult<String> {
        Ok(weekday_name(to_datetime(&date, "weekday_name")?.weekday()).to_owned())
    });
    engine.register_fn("weekday_name", |date: Dynamic, zone: &str| -> HelperResult<String> {
        let date = to_datetime(&date, "weekday_name")?;
        Ok(weekday_name(parse_zone(zone, "weekday_name")?.convert(&date).weekday()).to_owned())
    });

    engine.register_fn("to_unix", |date: Dynamic| -> HelperResult<INT> {
        Ok(to_datetime(&date, "to_unix")?.timestamp())
    });
    engine.register_fn("to_unix_ms", |date: Dynamic| -> HelperResult<INT> {
        Ok(to_datetime(&date, "to_unix_ms")?.timestamp_millis())
    });
}

/// The current time, to the millisecond (finer digits only make the strings noisy).
fn now() -> DateTime<FixedOffset> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now).fixed_offset()
}

/// RFC 3339 with `Z` for UTC and only as many fractional digits as needed (none, 3, 6 or 9).
pub(crate) fn render(date: &DateTime<FixedOffset>) -> String {
    date.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Reads a date argument: text in one of the accepted forms, or a unix timestamp.
pub(crate) fn to_datetime(value: &Dynamic, helper: &str) -> HelperResult<DateTime<FixedOffset>> {
    if let Ok(n) = value.as_int() {
        return from_unix(n, helper);
    }
    if let Ok(f) = value.as_float() {
        if !f.is_finite() {
            return fail(format!("{helper}: {f} is not a timestamp"));
        }
        let millis = if f.abs() >= MILLIS_THRESHOLD as f64 { f } else { f * 1000.0 };
        // Saturating float-to-int conversion; out-of-range values are rejected by `from_unix_ms`.
        return from_unix_ms(millis.round() as i64, helper);
    }
    if let Ok(text) = value.as_immutable_string_ref() {
        return match parse_date_text(text.as_str()) {
            Some(date) => Ok(date),
            None => fail(format!(
                "{helper}: cannot read {:?} as a date; use RFC 3339 (2024-01-31T09:30:00Z), \
                 YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a unix timestamp",
                text.as_str()
            )),
        };
    }
    fail(format!(
        "{helper}: expected a date (text such as 2024-01-31T09:30:00Z, or a unix timestamp), got \
         {}",
        with_article(type_label(value))
    ))
}

fn from_unix(n: i64, helper: &str) -> HelperResult<DateTime<FixedOffset>> {
    if n.abs() >= MILLIS_THRESHOLD {
        from_unix_ms(n, helper)
    } else {
        match DateTime::from_timestamp(n, 0) {
            Some(date) => Ok(date.fixed_offset()),
            None => fail(format!("{helper}: timestamp {n} is out of range")),
        }
    }
}

fn from_unix_ms(ms: i64, helper: &str) -> HelperResult<DateTime<FixedOffset>> {
    match DateTime::from_timestamp_millis(ms) {
        Some(date) => Ok(date.fixed_offset()),
        None => fail(format!("{helper}: timestamp {ms} ms is out of range")),
    }
}

/// Parses the accepted text forms; `None` when none matches.
fn parse_date_text(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok().and_then(|n| from_unix(n, "").ok());
    }
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date);
    }
    // "2024-01-31 09:30:00+02:00": RFC 3339 with a space instead of the `T`.
    if text.len() > 10 && text.as_bytes()[10] == b' ' && text.is_char_boundary(11) {
        let with_t = format!("{}T{}", &text[..10], &text[11..]);
        if let Ok(date) = DateTime::parse_from_rfc3339(&with_t) {
            return Some(date);
        }
    }
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Some(date);
    }
    const NAIVE_FORMATS: [&str; 4] =
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"];
    for format in NAIVE_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc().fixed_offset());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc().fixed_offset())
}

/// A time zone argument: an IANA name (`Europe/Berlin`), `UTC`, or a fixed offset (`+02:00`).
pub(crate) enum Zone {
    Named(Tz),
    Fixed(FixedOffset),
}

impl Zone {
    fn convert(&self, date: &DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Zone::Named(tz) => date.with_timezone(tz).fixed_offset(),
            Zone::Fixed(offset) => date.with_timezone(offset),
        }
    }
}

pub(crate) fn parse_zone(name: &str, helper: &str) -> HelperResult<Zone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") {
        return Ok(Zone::Named(Tz::UTC));
    }
    if (name.starts_with('+') || name.starts_with('-'))
        && let Some(offset) = parse_offset(name)
    {
        return Ok(Zone::Fixed(offset));
    }
    match Tz::from_str(name) {
        Ok(tz) => Ok(Zone::Named(tz)),
        Err(_) => fail(format!(
            "{helper}: unknown time zone {name:?}; use an IANA name such as \"Europe/Berlin\", \
             \"UTC\" or an offset such as \"+02:00\""
        )),
    }
}

/// `+HH`, `+HHMM` or `+HH:MM` (and the same with `-`).
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    if minutes >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// strftime formatting; an invalid format is an error, not a panic.
fn format_with<Z: TimeZone>(date: &DateTime<Z>, format: &str) -> HelperResult<String>
where
    Z::Offset: std::fmt::Display,
{
    let mut out = String::new();
    match write!(out, "{}", date.format(format)) {
        Ok(()) => Ok(out),
        Err(_) => {
            fail(format!("format_date: {format:?} is not a valid date format (see strftime)"))
        }
    }
}

/// A duration unit: a fixed number of milliseconds, or a calendar unit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    Millis(i64),
    Months(i64),
}

fn parse_unit(unit: &str) -> Option<Unit> {
    let unit = unit.trim().to_ascii_lowercase();
    Some(match unit.as_str() {
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => Unit::Millis(1),
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Millis(1_000),
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Millis(60_000),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Millis(3_600_000),
        "d" | "day" | "days" => Unit::Millis(86_400_000),
        "w" | "week" | "weeks" => Unit::Millis(604_800_000),
        "mo" | "month" | "months" => Unit::Months(1),
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Months(12),
        _ => return None,
    })
}

const UNITS_HINT: &str = "use ms, seconds, minutes, hours, days, weeks, months or years";

/// Parses `90s`, `2h`, `3d`, `1h30m`, `1 day 2 hours`, `-15m`, `1.5h`.
fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let trimmed = text.trim();
    let (negative, mut rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let mut total_ms = 0f64;
    let mut parts = 0;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let number_len =
            rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let Ok(amount) = rest[..number_len].parse::<f64>() else {
            return Err(format!(
                "cannot read {text:?} as a duration (examples: \"90s\", \"2h\", \"1h30m\")"
            ));
        };
        rest = rest[number_len..].trim_start();
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit_text = &rest[..unit_len];
        rest = &rest[unit_len..];
        match parse_unit(unit_text) {
            Some(Unit::Millis(ms)) => total_ms += amount * ms as f64,
            Some(Unit::Months(_)) => {
                return Err(format!(
                    "months and years have no fixed length; use date_add(date, n, \"months\") \
                     instead of {text:?}"
                ));
            }
            None if unit_text.is_empty() => {
                return Err(format!("{text:?} needs a unit after the number ({UNITS_HINT})"));
            }
            None => return Err(format!("unknown unit {unit_text:?} in {text:?} ({UNITS_HINT})")),
        }
        parts += 1;
    }
    if parts == 0 {
        return Err(format!(
            "cannot read {text:?} as a duration (examples: \"90s\", \"2h\", \"1h30m\")"
        ));
    }
    let signed = if negative { -total_ms } else { total_ms };
    millis_delta(signed).ok_or_else(|| format!("{text:?} is too long a duration"))
}

fn millis_delta(ms: f64) -> Option<TimeDelta> {
    // i64 milliseconds cover ±292 million years; anything beyond is rejected rather than wrapped.
    if !ms.is_finite() || ms.abs() >= i64::MAX as f64 {
        return None;
    }
    TimeDelta::try_milliseconds(ms.round() as i64)
}

enum Amount {
    Int(INT),
    Float(FLOAT),
}

/// `date_add(date, amount, unit)`: calendar-aware for months and years (Jan 31 + 1 month is the
/// last day of February), exact for the other units. `amount` may be negative.
fn date_add(date: &Dynamic, amount: Amount, unit: &str) -> HelperResult<String> {
    let date = to_datetime(date, "date_add")?;
    let Some(unit_value) = parse_unit(unit) else {
        return fail(format!("date_add: unknown unit {unit:?} ({UNITS_HINT})"));
    };
    let result = match unit_value {
        Unit::Millis(ms) => {
            let total = match amount {
                Amount::Int(n) => n as f64 * ms as f64,
                Amount::Float(f) => f * ms as f64,
            };
            millis_delta(total).and_then(|delta| date.checked_add_signed(delta))
        }
        Unit::Months(factor) => {
            let whole = match amount {
                Amount::Int(n) => Some(n),
                Amount::Float(f) if f.fract() == 0.0 && f.abs() < 1e12 => Some(f as i64),
                Amount::Float(_) => None,
            };
            let Some(whole) = whole else {
                return fail(format!("date_add: {unit} must be added in whole numbers"));
            };
            whole.checked_mul(factor).and_then(|months| add_months(&date, months))
        }
    };
    match result {
        Some(result) => Ok(render(&result)),
        None => fail("date_add: the resulting date is out of range"),
    }
}

fn add_months(date: &DateTime<FixedOffset>, months: i64) -> Option<DateTime<FixedOffset>> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        date.checked_add_months(magnitude)
    } else {
        date.checked_sub_months(magnitude)
    }
}

/// `date_diff(start, end, unit)`: how many whole `unit`s from `start` to `end` (negative when
/// `end` is earlier), counting calendar months for months and years.
fn date_diff(start: Dynamic, end: Dynamic, unit: &str) -> HelperResult<INT> {
    let start = to_datetime(&start, "date_diff")?;
    let end = to_datetime(&end, "date_diff")?;
    let Some(unit_value) = parse_unit(unit) else {
        return fail(format!("date_diff: unknown unit {unit:?} ({UNITS_HINT})"));
    };
    match unit_value {
        Unit::Millis(ms) => Ok((end - start).num_milliseconds() / ms),
        Unit::Months(factor) => {
            // Count in the start date's offset so "the same day of the month" means what it says.
            let end_local = end.with_timezone(start.offset());
            let mut months = i64::from(end_local.year() - start.year()) * 12
                + i64::from(end_local.month())
                - i64::from(start.month());
            // The calendar difference can overshoot by one (Jan 20 → Feb 10 is not a whole
            // month): step back while `start + months` lies beyond `end`.
            while months > 0 && add_months(&start, months).is_none_or(|d| d > end) {
                months -= 1;
            }
            while months < 0 && add_months(&start, months).is_none_or(|d| d < end) {
                months += 1;
            }
            Ok(months / factor)
        }
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
