//! Date helpers.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{assert_message, eval, eval_err, eval_raw};

fn eval_str(source: &str) -> String {
    // `now()` and friends differ between two evaluations: no optimised/unoptimised comparison.
    match eval_raw(source) {
        serde_json::Value::String(s) => s,
        other => panic!("`{source}` gave {other}, not a string"),
    }
}

#[test]
fn now_is_rfc3339_utc() {
    let now = eval_str("now()");
    assert!(now.ends_with('Z'), "{now}");
    let parsed = DateTime::parse_from_rfc3339(&now).unwrap_or_else(|e| panic!("{now}: {e}"));
    assert!((Utc::now() - parsed.to_utc()).num_seconds().abs() < 5);
    let ms = eval_raw("now_ms()").as_i64().unwrap_or_default();
    assert!((Utc::now().timestamp_millis() - ms).abs() < 5_000);
    assert_eq!(eval_str("today()").len(), 10);
    assert_eq!(eval_str("today(\"Pacific/Kiritimati\")").len(), 10);
}

#[test]
fn parse_date_accepts_common_forms() {
    for (input, expected) in [
        ("\"2024-01-31T09:30:00Z\"", "2024-01-31T09:30:00Z"),
        ("\"2024-01-31T11:30:00+02:00\"", "2024-01-31T09:30:00Z"),
        ("\"2024-01-31T09:30:00.250Z\"", "2024-01-31T09:30:00.250Z"),
        ("\"2024-01-31\"", "2024-01-31T00:00:00Z"),
        ("\"2024-01-31 09:30:00\"", "2024-01-31T09:30:00Z"),
        ("\"2024-01-31 09:30\"", "2024-01-31T09:30:00Z"),
        ("\"2024-01-31T09:30:00\"", "2024-01-31T09:30:00Z"),
        ("\"2024-01-31 11:30:00+02:00\"", "2024-01-31T09:30:00Z"),
        ("\"Wed, 31 Jan 2024 10:30:00 +0100\"", "2024-01-31T09:30:00Z"),
        ("1706693400", "2024-01-31T09:30:00Z"),
        ("1706693400000", "2024-01-31T09:30:00Z"),
        ("1706693400.5", "2024-01-31T09:30:00.500Z"),
        ("\"1706693400\"", "2024-01-31T09:30:00Z"),
        ("trigger.created", "2024-01-31T09:30:00Z"),
    ] {
        assert_eq!(eval_str(&format!("parse_date({input})")), expected, "{input}");
    }
    let error = eval_err("parse_date(\"next tuesday\")");
    assert_message(&error, "parse_date: cannot read \"next tuesday\" as a date");
    assert_message(&eval_err("parse_date(true)"), "got a boolean");
    assert_message(&eval_err("parse_date(trigger.missing)"), "got an empty value");
}

#[test]
fn format_date_with_and_without_zone() {
    assert_eq!(eval_str("format_date(trigger.created, \"%Y-%m-%d %H:%M\")"), "2024-01-31 09:30");
    assert_eq!(
        eval_str("trigger.created.format_date(\"%d.%m.%Y %H:%M\", \"Europe/Berlin\")"),
        "31.01.2024 10:30"
    );
    assert_eq!(
        eval_str("format_date(trigger.created, \"%H:%M %Z\", \"America/New_York\")"),
        "04:30 EST"
    );
    assert_eq!(eval_str("format_date(trigger.created, \"%H:%M\", \"+05:30\")"), "15:00");
    assert_eq!(eval_str("format_date(\"2024-01-31T10:30:00+01:00\", \"%H:%M %z\")"), "10:30 +0100");
    assert_eq!(eval_str("format_date(0, \"%A %B %-d %Y\")"), "Thursday January 1 1970");
    assert_message(&eval_err("format_date(trigger.created, \"%Q\")"), "not a valid date format");
    assert_message(
        &eval_err("format_date(trigger.created, \"%H\", \"Mars/Base\")"),
        "unknown time zone",
    );
}

#[test]
fn to_timezone_gives_the_local_offset() {
    assert_eq!(
        eval_str("to_timezone(trigger.created, \"Europe/Berlin\")"),
        "2024-01-31T10:30:00+01:00"
    );
    assert_eq!(
        eval_str("to_timezone(\"2024-07-01T12:00:00Z\", \"Europe/Berlin\")"),
        "2024-07-01T14:00:00+02:00"
    );
    assert_eq!(
        eval_str("to_timezone(\"2024-07-01T12:00:00+02:00\", \"UTC\")"),
        "2024-07-01T10:00:00Z"
    );
    assert_eq!(eval_str("to_timezone(trigger.created, \"-03:00\")"), "2024-01-31T06:30:00-03:00");
}

#[test]
fn add_duration_reads_short_durations() {
    for (duration, expected) in [
        ("90s", "2024-01-31T09:31:30Z"),
        ("2h", "2024-01-31T11:30:00Z"),
        ("3d", "2024-02-03T09:30:00Z"),
        ("1h30m", "2024-01-31T11:00:00Z"),
        ("1 day 2 hours", "2024-02-01T11:30:00Z"),
        ("-15m", "2024-01-31T09:15:00Z"),
        ("1.5h", "2024-01-31T11:00:00Z"),
        ("1w", "2024-02-07T09:30:00Z"),
        ("250ms", "2024-01-31T09:30:00.250Z"),
    ] {
        assert_eq!(
            eval_str(&format!("add_duration(trigger.created, \"{duration}\")")),
            expected,
            "{duration}"
        );
    }
    // The input's offset is kept.
    assert_eq!(
        eval_str("add_duration(\"2024-01-31T10:00:00+01:00\", \"1h\")"),
        "2024-01-31T11:00:00+01:00"
    );
    assert_message(
        &eval_err("add_duration(trigger.created, \"2 fortnights\")"),
        "unknown unit \"fortnights\"",
    );
    assert_message(&eval_err("add_duration(trigger.created, \"90\")"), "needs a unit");
    assert_message(
        &eval_err("add_duration(trigger.created, \"1 month\")"),
        "date_add(date, n, \"months\")",
    );
    assert_message(&eval_err("add_duration(trigger.created, \"\")"), "cannot read");
    assert_message(
        &eval_err("add_duration(trigger.created, \"99999999999999999999d\")"),
        "too long",
    );
}

#[test]
fn date_add_is_calendar_aware() {
    assert_eq!(eval_str("date_add(trigger.created, 1, \"month\")"), "2024-02-29T09:30:00Z");
    assert_eq!(eval_str("date_add(trigger.created, -2, \"months\")"), "2023-11-30T09:30:00Z");
    assert_eq!(eval_str("date_add(trigger.created, 1, \"year\")"), "2025-01-31T09:30:00Z");
    assert_eq!(eval_str("date_add(trigger.created, 10, \"days\")"), "2024-02-10T09:30:00Z");
    assert_eq!(eval_str("date_add(trigger.created, 1.5, \"hours\")"), "2024-01-31T11:00:00Z");
    assert_eq!(eval_str("date_add(trigger.created, -30, \"seconds\")"), "2024-01-31T09:29:30Z");
    assert_message(&eval_err("date_add(trigger.created, 1.5, \"months\")"), "whole numbers");
    assert_message(&eval_err("date_add(trigger.created, 1, \"lightyears\")"), "unknown unit");
}

#[test]
fn date_diff_counts_whole_units() {
    let start = "\"2024-01-31T09:30:00Z\"";
    for (end, unit, expected) in [
        ("\"2024-02-01T09:29:59Z\"", "days", 0),
        ("\"2024-02-01T09:30:00Z\"", "days", 1),
        ("\"2024-01-31T12:00:00Z\"", "hours", 2),
        ("\"2024-01-31T12:00:00Z\"", "minutes", 150),
        ("\"2024-01-30T09:30:00Z\"", "days", -1),
        ("\"2024-02-29T09:30:00Z\"", "months", 1),
        ("\"2024-02-28T09:30:00Z\"", "months", 0),
        ("\"2025-01-31T09:30:00Z\"", "years", 1),
        ("\"2025-01-30T09:30:00Z\"", "years", 0),
        ("\"2023-12-31T09:30:00Z\"", "months", -1),
        ("\"2024-03-01T00:00:00Z\"", "weeks", 4),
    ] {
        assert_eq!(
            eval(&format!("date_diff({start}, {end}, \"{unit}\")")),
            json!(expected),
            "{end} {unit}"
        );
    }
    assert_eq!(eval("date_diff(0, 1000, \"ms\")"), json!(1_000_000));
}

#[test]
fn weekdays_and_unix_times() {
    assert_eq!(eval("day_of_week(trigger.created)"), json!(3));
    assert_eq!(eval("day_of_week(\"2024-02-04\")"), json!(7));
    assert_eq!(eval("day_of_week(\"2024-02-04T23:30:00Z\", \"Europe/Berlin\")"), json!(1));
    assert_eq!(eval("weekday_name(trigger.created)"), json!("Wednesday"));
    assert_eq!(eval("weekday_name(\"2024-02-04T23:30:00Z\", \"Europe/Berlin\")"), json!("Monday"));
    assert_eq!(eval("to_unix(trigger.created)"), json!(1_706_693_400));
    assert_eq!(eval("to_unix_ms(trigger.created)"), json!(1_706_693_400_000_i64));
}
