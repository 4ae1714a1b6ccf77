//! Reading a schedule trigger's props into a [`ScheduleSpec`].
//!
//! Two triggers exist:
//!
//! * `cron`: props `cron` (required) and `timezone` (optional IANA name,
//!   default UTC). The expression has 5 fields (minute hour day-of-month
//!   month day-of-week) or 6 with a leading seconds field, or is one of the
//!   aliases `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`
//!   (`@annually`). Croner's extensions `L`, `W`, `#` and the `+` day-of-week
//!   prefix (day-of-month AND day-of-week) are accepted; a year field is not.
//! * `interval`: props `every` (required humantime duration such as `90s`,
//!   `15m`, `2h`, `1d`, `1h 30m`; at least 1 s) and `anchor` (optional RFC
//!   3339 timestamp that fixes the phase of the fire times).
//!
//! Any other prop is an error, so that a misspelt optional prop cannot
//! silently fall back to its default.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds, Year};
use serde_json::{Map, Value};

use super::error::ScheduleError;

/// The shortest interval an `interval` schedule may have.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// When a schedule trigger fires, as read from its props by
/// [`ScheduleSpec::from_trigger`].
///
/// Fire times are computed by [`ScheduleSpec::next_after`] and
/// [`ScheduleSpec::due`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleSpec {
    /// Fires at the wall-clock times in `tz` that a cron expression matches.
    Cron {
        /// The expression as written in the flow (trimmed).
        expr: String,
        /// The zone whose wall clock the expression is read in (UTC unless
        /// the trigger sets `timezone`).
        tz: Tz,
        /// The parsed expression. Only [`ScheduleSpec::from_trigger`] can make
        /// one, which keeps it in step with `expr`.
        compiled: CompiledCron,
    },
    /// Fires every `every`, at `anchor + k * every` for whole `k`.
    Interval {
        /// The period; at least [`MIN_INTERVAL`].
        every: Duration,
        /// The instant that fixes the phase of the fire times. When `None`,
        /// [`ScheduleSpec::due`] uses the time the schedule was created, so
        /// the fire times do not drift with processing delays.
        anchor: Option<DateTime<Utc>>,
    },
}

/// A cron expression parsed by croner.
///
/// Opaque so that croner does not leak into Switchboard's API and so that a
/// [`ScheduleSpec::Cron`] can only be made by parsing its `expr`. Boxed
/// because a parsed expression is a few hundred bytes, which would make every
/// `ScheduleSpec` that large.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompiledCron(pub(super) Box<Cron>);

/// The aliases croner expands, lowercase. `@reboot` is deliberately absent:
/// it is not a time, and croner does not support it either.
const CRON_ALIASES: [&str; 6] =
    ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"];

/// One field of a cron expression, for error messages.
struct CronField {
    /// The field's name in messages, e.g. `hour`.
    name: &'static str,
    /// The smallest plain number the field accepts.
    min: u32,
    /// The largest plain number the field accepts.
    max: u32,
    /// What the field accepts, following croner's documentation.
    accepts: &'static str,
}

/// The fields of a 6-field expression; a 5-field one starts at index 1.
const CRON_FIELDS: [CronField; 6] = [
    CronField { name: "second", min: 0, max: 59, accepts: "0-59 with * , - /" },
    CronField { name: "minute", min: 0, max: 59, accepts: "0-59 with * , - /" },
    CronField { name: "hour", min: 0, max: 23, accepts: "0-23 with * , - /" },
    CronField { name: "day-of-month", min: 1, max: 31, accepts: "1-31 with * , - / ? L W" },
    CronField { name: "month", min: 1, max: 12, accepts: "1-12 or JAN-DEC with * , - /" },
    CronField {
        name: "day-of-week",
        min: 0,
        max: 7,
        accepts: "0-7 or SUN-SAT with * , - / ? # L and a leading +",
    },
];

impl ScheduleSpec {
    /// Reads a schedule trigger: `trigger_name` is the trigger's `trigger`
    /// (`cron` or `interval`) and `props` its `props` object.
    ///
    /// # Errors
    ///
    /// A [`ScheduleError`] naming the first offending prop (see
    /// [`ScheduleError::path`]) when the trigger is unknown, a required prop
    /// is missing, a prop is unknown or of the wrong type, or a value is
    /// invalid.
    pub fn from_trigger(
        trigger_name: &str,
        props: &Map<String, Value>,
    ) -> Result<ScheduleSpec, ScheduleError> {
        match trigger_name {
            "cron" => cron_from_props(props),
            "interval" => interval_from_props(props),
            other => Err(ScheduleError::UnknownTrigger { name: other.to_owned() }),
        }
    }

    /// The schedule in plain English, e.g.
    /// `At 09:00, on Monday, Tuesday, Wednesday, Thursday, and Friday (Europe/Berlin)`
    /// or `Every 15 minutes`.
    ///
    /// Cron descriptions come from croner and always name the time zone,
    /// since the same expression fires at different instants in different
    /// zones.
    pub fn describe(&self) -> String {
        match self {
            Self::Cron { expr, tz, compiled } => {
                let text = compiled.0.describe();
                let text = text.trim().trim_end_matches('.');
                if text.is_empty() {
                    format!("On the cron schedule `{expr}` ({})", tz.name())
                } else {
                    format!("{text} ({})", tz.name())
                }
            }
            Self::Interval { every, anchor } => {
                let mut text = format!("Every {}", english_duration(*every));
                if let Some(anchor) = anchor {
                    text.push_str(&format!(
                        ", aligned to {}",
                        anchor.format("%Y-%m-%d %H:%M:%S UTC")
                    ));
                }
                text
            }
        }
    }
}

/// Reads the props of a `cron` trigger.
fn cron_from_props(props: &Map<String, Value>) -> Result<ScheduleSpec, ScheduleError> {
    let expr = match props.get("cron") {
        None | Some(Value::Null) => {
            return Err(ScheduleError::MissingProp { prop: "cron", trigger: "cron" });
        }
        Some(Value::String(expr)) => expr,
        Some(other) => {
            return Err(ScheduleError::WrongType {
                prop: "cron",
                expected: "a cron expression string such as \"0 9 * * 1-5\"",
                found: json_type(other),
            });
        }
    };
    let compiled = compile_cron(expr)?;
    let tz = timezone_from_prop(props.get("timezone"))?;
    reject_unknown_props(props, "cron", &["cron", "timezone"], "`cron` and `timezone`")?;
    Ok(ScheduleSpec::Cron { expr: expr.trim().to_owned(), tz, compiled })
}

/// Reads the props of an `interval` trigger.
fn interval_from_props(props: &Map<String, Value>) -> Result<ScheduleSpec, ScheduleError> {
    let every = match props.get("every") {
        None | Some(Value::Null) => {
            return Err(ScheduleError::MissingProp { prop: "every", trigger: "interval" });
        }
        Some(Value::String(every)) => parse_every(every)?,
        Some(other) => {
            // A bare number is refused rather than guessed at: seconds and
            // milliseconds are both common conventions.
            return Err(ScheduleError::WrongType {
                prop: "every",
                expected: "a duration string such as \"15m\"",
                found: json_type(other),
            });
        }
    };
    let anchor = match props.get("anchor") {
        None | Some(Value::Null) => None,
        Some(Value::String(anchor)) => {
            let input = anchor.trim();
            let parsed = DateTime::parse_from_rfc3339(input).map_err(|err| {
                ScheduleError::InvalidAnchor { input: input.to_owned(), reason: err.to_string() }
            })?;
            Some(parsed.with_timezone(&Utc))
        }
        Some(other) => {
            return Err(ScheduleError::WrongType {
                prop: "anchor",
                expected: "an RFC 3339 timestamp string such as \"2024-01-01T09:00:00Z\"",
                found: json_type(other),
            });
        }
    };
    reject_unknown_props(props, "interval", &["every", "anchor"], "`every` and `anchor`")?;
    Ok(ScheduleSpec::Interval { every, anchor })
}

/// Parses `every` and enforces the minimum.
fn parse_every(raw: &str) -> Result<Duration, ScheduleError> {
    let input = raw.trim();
    let every = humantime::parse_duration(input).map_err(|err| ScheduleError::InvalidDuration {
        input: input.to_owned(),
        reason: err.to_string(),
    })?;
    if every < MIN_INTERVAL {
        return Err(ScheduleError::IntervalTooShort { input: input.to_owned() });
    }
    // Fire times are computed with chrono, whose durations are narrower than
    // std's; refusing here keeps that arithmetic from failing later.
    if TimeDelta::from_std(every).is_err() {
        return Err(ScheduleError::InvalidDuration {
            input: input.to_owned(),
            reason: "it is too long".to_owned(),
        });
    }
    Ok(every)
}

/// Reads `timezone`; absent, `null` and blank all mean UTC, since an editor
/// that clears the field may send either.
fn timezone_from_prop(value: Option<&Value>) -> Result<Tz, ScheduleError> {
    match value {
        None | Some(Value::Null) => Ok(Tz::UTC),
        Some(Value::String(name)) => {
            let name = name.trim();
            if name.is_empty() {
                return Ok(Tz::UTC);
            }
            name.parse::<Tz>().map_err(|_| ScheduleError::InvalidTimezone {
                name: name.to_owned(),
                // Zone names are case-sensitive, but a wrongly cased one is
                // an obvious slip worth pointing out.
                suggestion: chrono_tz::TZ_VARIANTS
                    .iter()
                    .find(|tz| tz.name().eq_ignore_ascii_case(name))
                    .map(|tz| tz.name()),
            })
        }
        Some(other) => Err(ScheduleError::WrongType {
            prop: "timezone",
            expected: "an IANA time zone name such as \"Europe/Berlin\"",
            found: json_type(other),
        }),
    }
}

/// Fails on the first prop not in `known`.
fn reject_unknown_props(
    props: &Map<String, Value>,
    trigger: &'static str,
    known: &[&str],
    expected: &'static str,
) -> Result<(), ScheduleError> {
    match props.keys().find(|key| !known.contains(&key.as_str())) {
        Some(prop) => Err(ScheduleError::UnknownProp { prop: prop.clone(), trigger, expected }),
        None => Ok(()),
    }
}

/// The croner parser for Switchboard's dialect: optional seconds field, no
/// year field, POSIX weekday numbers (0 and 7 are Sunday), day-of-month OR
/// day-of-week unless the latter starts with `+`, and no `5/15` shorthand.
fn cron_parser() -> CronParser {
    CronParser::builder().seconds(Seconds::Optional).year(Year::Disallowed).build()
}

/// Parses a cron expression, explaining failures field by field.
fn compile_cron(raw: &str) -> Result<CompiledCron, ScheduleError> {
    let expr = raw.trim();
    let invalid = |reason: String| ScheduleError::InvalidCron { expr: expr.to_owned(), reason };

    if expr.is_empty() {
        return Err(invalid("the expression is empty".to_owned()));
    }
    if expr.starts_with('@') {
        if !CRON_ALIASES.iter().any(|alias| alias.eq_ignore_ascii_case(expr)) {
            return Err(invalid(
                "unknown alias (use @hourly, @daily, @weekly, @monthly or @yearly)".to_owned(),
            ));
        }
    } else {
        // Checked here because croner's own message for this case talks
        // about years, which Switchboard does not offer.
        let count = expr.split_whitespace().count();
        if !(5..=6).contains(&count) {
            return Err(invalid(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a \
                 leading seconds field, found {count}"
            )));
        }
    }

    let cron = cron_parser().parse(expr).map_err(|err| invalid(explain_cron_error(expr, &err)))?;

    // Croner accepts expressions such as `0 0 30 2 *` that can never match;
    // a schedule like that would silently never run, so refuse it here.
    // Without a year field every expression that matches at all matches
    // again within a 400-year Gregorian cycle, so any start point will do.
    if cron.find_next_occurrence(&DateTime::UNIX_EPOCH.naive_utc(), true).is_err() {
        return Err(ScheduleError::CronNeverFires { expr: expr.to_owned() });
    }
    Ok(CompiledCron(Box::new(cron)))
}

/// Turns croner's error for `expr` into a reason that names the field and
/// value at fault, e.g. `hour 25 is out of range (0-23)`.
///
/// Croner's messages do not say which field failed, so each field (and then
/// each comma-separated part of it) is re-parsed on its own inside an
/// otherwise valid expression to find the culprit. The checks on numbers are
/// our own so that the wording does not depend on croner's message text.
fn explain_cron_error(expr: &str, whole: &CronError) -> String {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let Some(offset) = CRON_FIELDS.len().checked_sub(fields.len()) else {
        return croner_reason(whole);
    };
    for (index, text) in fields.iter().enumerate() {
        let slot = index + offset;
        let Some(field) = CRON_FIELDS.get(slot) else { break };
        let Err(field_err) = parse_in_slot(slot, text) else { continue };
        for part in text.split(',').filter(|part| !part.is_empty()) {
            if let Err(part_err) = parse_in_slot(slot, part) {
                return explain_part(field, part, &part_err);
            }
        }
        return format!("{} `{text}`: {}", field.name, croner_reason(&field_err));
    }
    croner_reason(whole)
}

/// Parses `text` as field `slot` of an expression whose other fields are
/// known to be valid.
fn parse_in_slot(slot: usize, text: &str) -> Result<Cron, CronError> {
    let mut fields = ["0", "0", "0", "*", "*", "*"];
    if let Some(field) = fields.get_mut(slot) {
        *field = text;
    }
    cron_parser().parse(&fields.join(" "))
}

/// Explains why one comma-separated part of a field was rejected.
fn explain_part(field: &CronField, part: &str, err: &CronError) -> String {
    let in_range = |n: u32| (field.min..=field.max).contains(&n);
    let range = format!("{}-{}", field.min, field.max);
    let name = field.name;
    if let Ok(n) = part.parse::<u32>() {
        if !in_range(n) {
            return format!("{name} {n} is out of range ({range})");
        }
    } else if let Some((low, high)) = part.split_once('-')
        && let (Ok(low), Ok(high)) = (low.parse::<u32>(), high.parse::<u32>())
    {
        if !in_range(low) || !in_range(high) {
            return format!("{name} range {part} is out of range ({range})");
        }
        if low > high {
            return format!("{name} range {part} runs backwards (write {high}-{low})");
        }
    }
    match err {
        CronError::IllegalCharacters(_) => {
            format!("{name} `{part}` is not valid here (use {})", field.accepts)
        }
        other => format!("{name} `{part}`: {}", croner_reason(other)),
    }
}

/// Croner's error as a clause to follow a colon: no `Component error:`
/// prefix, no trailing full stop, lowercase start.
fn croner_reason(err: &CronError) -> String {
    let text = match err {
        CronError::ComponentError(msg) | CronError::InvalidPattern(msg) => msg.clone(),
        CronError::IllegalCharacters(_) => "it contains a character cron does not allow".to_owned(),
        CronError::EmptyPattern => "the expression is empty".to_owned(),
        other => other.to_string(),
    };
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "croner rejected it".to_owned(),
    }
}

/// Names a JSON value's type for "expected ..., found ..." messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `Duration` in words: `hour`, `15 minutes`, `1 hour and 30 minutes`.
/// A single unit of one drops the number so it reads "Every hour".
fn english_duration(every: Duration) -> String {
    const UNITS: [(u64, &str); 4] =
        [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")];
    let mut left = every.as_secs();
    let mut parts: Vec<(u64, &str)> = Vec::new();
    for (size, unit) in UNITS {
        let count = left / size;
        left %= size;
        if count > 0 {
            parts.push((count, unit));
        }
    }
    let millis = u64::from(every.subsec_millis());
    if millis > 0 {
        parts.push((millis, "millisecond"));
    }
    match parts.as_slice() {
        [] => "instant".to_owned(),
        [(1, unit)] => (*unit).to_owned(),
        _ => {
            let words: Vec<String> = parts
                .iter()
                .map(
                    |(count, unit)| {
                        if *count == 1 { format!("1 {unit}") } else { format!("{count} {unit}s") }
                    },
                )
                .collect();
            match words.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn props(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("test props must be an object, got {other}"),
        }
    }

    fn parse(trigger: &str, value: Value) -> Result<ScheduleSpec, ScheduleError> {
        ScheduleSpec::from_trigger(trigger, &props(value))
    }

    fn cron_err(expr: &str) -> ScheduleError {
        parse("cron", json!({ "cron": expr })).unwrap_err()
    }

    #[test]
    fn parses_five_field_cron_with_timezone() {
        let spec =
            parse("cron", json!({ "cron": " 0 9 * * 1-5 ", "timezone": "Europe/Berlin" })).unwrap();
        let ScheduleSpec::Cron { expr, tz, .. } = &spec else { panic!("not cron: {spec:?}") };
        assert_eq!(expr, "0 9 * * 1-5");
        assert_eq!(*tz, Tz::Europe__Berlin);
    }

    #[test]
    fn timezone_defaults_to_utc() {
        for value in [
            json!({ "cron": "@daily" }),
            json!({ "cron": "@daily", "timezone": null }),
            json!({ "cron": "@daily", "timezone": "  " }),
        ] {
            let ScheduleSpec::Cron { tz, .. } = parse("cron", value).unwrap() else {
                panic!("not cron")
            };
            assert_eq!(tz, Tz::UTC);
        }
    }

    #[test]
    fn parses_six_field_cron_with_seconds() {
        let spec = parse("cron", json!({ "cron": "*/10 * * * * *" })).unwrap();
        assert_eq!(spec.describe(), "At every 10 seconds (UTC)");
    }

    #[test]
    fn parses_every_alias() {
        for alias in ["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@DAILY"]
        {
            let spec = parse("cron", json!({ "cron": alias }))
                .unwrap_or_else(|err| panic!("{alias}: {err}"));
            assert!(matches!(spec, ScheduleSpec::Cron { .. }), "{alias}");
        }
    }

    #[test]
    fn parses_croner_extensions() {
        for expr in [
            "0 0 L * *",
            "0 0 LW * *",
            "0 0 15W * *",
            "0 0 * * 5#2",
            "0 0 * * 5L",
            "0 0 * * FRI#L",
            "0 0 1 * +MON",
            "0 0 ? * MON-FRI",
            "0 12 * JAN,JUL SUN",
        ] {
            parse("cron", json!({ "cron": expr })).unwrap_or_else(|err| panic!("{expr}: {err}"));
        }
    }

    #[test]
    fn parses_interval_durations() {
        for (every, secs) in [
            ("90s", 90),
            ("15m", 900),
            ("2h", 7_200),
            ("1d", 86_400),
            ("1h 30m", 5_400),
            (" 1s ", 1),
        ] {
            let spec = parse("interval", json!({ "every": every })).unwrap();
            assert_eq!(
                spec,
                ScheduleSpec::Interval { every: Duration::from_secs(secs), anchor: None },
                "{every}"
            );
        }
    }

    #[test]
    fn parses_interval_anchor() {
        let spec =
            parse("interval", json!({ "every": "1d", "anchor": "2024-01-01T10:00:00+01:00" }))
                .unwrap();
        let anchor = DateTime::parse_from_rfc3339("2024-01-01T09:00:00Z").unwrap().to_utc();
        assert_eq!(
            spec,
            ScheduleSpec::Interval { every: Duration::from_secs(86_400), anchor: Some(anchor) }
        );
    }

    #[test]
    fn out_of_range_hour_names_field_and_value() {
        let err = cron_err("0 25 * * *");
        assert_eq!(err.path(), "trigger.props.cron");
        assert_eq!(
            err.to_string(),
            "`cron`: `0 25 * * *` is not a valid cron expression: hour 25 is out of range (0-23)"
        );
    }

    #[test]
    fn cron_errors_explain_each_field() {
        let cases = [
            ("61 * * * *", "minute 61 is out of range (0-59)"),
            ("0 0 32 * *", "day-of-month 32 is out of range (1-31)"),
            ("0 0 * 13 *", "month 13 is out of range (1-12)"),
            ("0 0 * * 8", "day-of-week 8 is out of range (0-7)"),
            ("60 0 0 * * *", "second 60 is out of range (0-59)"),
            ("0 9,25 * * *", "hour 25 is out of range (0-23)"),
            ("1-70 * * * *", "minute range 1-70 is out of range (0-59)"),
            ("0 17-9 * * *", "hour range 17-9 runs backwards (write 9-17)"),
            ("*/0 * * * *", "minute `*/0`: step cannot be zero"),
            (
                "0 0 * * MON-FRX",
                "day-of-week `MON-FRX` is not valid here (use 0-7 or SUN-SAT with * , \
              - / ? # L and a leading +)",
            ),
            (
                "0 0 * *",
                "expected 5 fields (minute hour day-of-month month day-of-week) or 6 \
              with a leading seconds field, found 4",
            ),
            (
                "0 0 0 1 1 * 2030",
                "expected 5 fields (minute hour day-of-month month \
              day-of-week) or 6 with a leading seconds field, found 7",
            ),
            ("@fortnightly", "unknown alias (use @hourly, @daily, @weekly, @monthly or @yearly)"),
            ("", "the expression is empty"),
        ];
        for (expr, reason) in cases {
            let err = cron_err(expr);
            assert_eq!(
                err,
                ScheduleError::InvalidCron { expr: expr.to_owned(), reason: reason.to_owned() },
                "{expr}"
            );
        }
    }

    #[test]
    fn single_number_step_points_at_the_fix() {
        let ScheduleError::InvalidCron { reason, .. } = cron_err("0/15 * * * *") else {
            panic!("expected InvalidCron")
        };
        assert!(reason.starts_with("minute `0/15`: invalid step syntax"), "{reason}");
        assert!(reason.contains("*/15"), "{reason}");
    }

    #[test]
    fn cron_that_never_fires_is_rejected() {
        let err = cron_err("0 0 30 2 *");
        assert_eq!(err, ScheduleError::CronNeverFires { expr: "0 0 30 2 *".to_owned() });
        assert_eq!(err.path(), "trigger.props.cron");
    }

    #[test]
    fn unknown_timezone_is_reported() {
        let err =
            parse("cron", json!({ "cron": "0 9 * * *", "timezone": "Europe/Berln" })).unwrap_err();
        assert_eq!(err.path(), "trigger.props.timezone");
        assert_eq!(
            err.to_string(),
            "`timezone`: `Europe/Berln` is not an IANA time zone (e.g. Europe/Berlin)"
        );
        let err = parse("cron", json!({ "cron": "0 9 * * *", "timezone": "america/new_york" }))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`timezone`: `america/new_york` is not an IANA time zone (did you mean \
             America/New_York?)"
        );
    }

    #[test]
    fn interval_errors_are_reported() {
        let err = parse("interval", json!({ "every": "500ms" })).unwrap_err();
        assert_eq!(err.path(), "trigger.props.every");
        assert_eq!(err.to_string(), "`every`: `500ms` is shorter than the minimum interval of 1s");

        let err = parse("interval", json!({ "every": "0s" })).unwrap_err();
        assert_eq!(err, ScheduleError::IntervalTooShort { input: "0s".to_owned() });

        let err = parse("interval", json!({ "every": "15x" })).unwrap_err();
        assert_eq!(err.path(), "trigger.props.every");
        assert!(
            err.to_string().starts_with(
                "`every`: `15x` is not a duration (e.g. 90s, 15m, 2h, 1d, 1h 30m): unknown time \
                 unit \"x\""
            ),
            "{err}"
        );

        let err = parse("interval", json!({ "every": 900 })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`every`: expected a duration string such as \"15m\", found a number"
        );

        let err = parse("interval", json!({ "every": "1h", "anchor": "tomorrow" })).unwrap_err();
        assert_eq!(err.path(), "trigger.props.anchor");
    }

    #[test]
    fn missing_wrong_and_unknown_props_are_reported() {
        let err = parse("cron", json!({ "timezone": "UTC" })).unwrap_err();
        assert_eq!(err.to_string(), "`cron`: required for a `cron` schedule");
        assert_eq!(err.path(), "trigger.props.cron");

        let err = parse("interval", json!({})).unwrap_err();
        assert_eq!(err.path(), "trigger.props.every");

        let err = parse("cron", json!({ "cron": ["0 9 * * *"] })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`cron`: expected a cron expression string such as \"0 9 * * 1-5\", found an array"
        );

        let err =
            parse("cron", json!({ "cron": "0 9 * * *", "timezon": "Europe/Berlin" })).unwrap_err();
        assert_eq!(err.path(), "trigger.props.timezon");
        assert_eq!(
            err.to_string(),
            "`timezon`: not a prop of a `cron` schedule (expected `cron` and `timezone`)"
        );

        let err = parse("webhook", json!({})).unwrap_err();
        assert_eq!(err.path(), "trigger.trigger");
        assert_eq!(
            err.to_string(),
            "`trigger`: `webhook` is not a schedule trigger (expected `cron` or `interval`)"
        );
    }

    #[test]
    fn describes_cron_with_its_zone() {
        let spec =
            parse("cron", json!({ "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin" })).unwrap();
        assert_eq!(
            spec.describe(),
            "At 09:00, on Monday, Tuesday, Wednesday, Thursday, and Friday (Europe/Berlin)"
        );
        let spec = parse("cron", json!({ "cron": "@hourly" })).unwrap();
        assert_eq!(spec.describe(), "At minute 0 past every hour (UTC)");
    }

    #[test]
    fn describes_intervals() {
        let cases = [
            ("15m", "Every 15 minutes"),
            ("1h", "Every hour"),
            ("1d", "Every day"),
            ("90s", "Every 1 minute and 30 seconds"),
            ("1h 30m", "Every 1 hour and 30 minutes"),
            ("1d 2h 3m", "Every 1 day, 2 hours and 3 minutes"),
            ("1500ms", "Every 1 second and 500 milliseconds"),
        ];
        for (every, text) in cases {
            let spec = parse("interval", json!({ "every": every })).unwrap();
            assert_eq!(spec.describe(), text, "{every}");
        }
        let spec =
            parse("interval", json!({ "every": "1d", "anchor": "2024-01-01T09:00:00Z" })).unwrap();
        assert_eq!(spec.describe(), "Every day, aligned to 2024-01-01 09:00:00 UTC");
    }
}
