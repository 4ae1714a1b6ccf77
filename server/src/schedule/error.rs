//! Errors from reading a schedule trigger's props.
//!
//! Each error names the offending prop in its message (`` `cron`: ... ``) and
//! reports its location in the flow document through [`ScheduleError::path`],
//! so the API can list it next to other validation problems.

use thiserror::Error;

/// Why a schedule trigger could not be turned into a
/// [`ScheduleSpec`](super::ScheduleSpec).
///
/// The `Display` text is meant for the person editing the flow: it starts
/// with the prop in backticks and says what is wrong with the value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The trigger is neither `cron` nor `interval`.
    #[error("`trigger`: `{name}` is not a schedule trigger (expected `cron` or `interval`)")]
    UnknownTrigger {
        /// The trigger name as written in the flow.
        name: String,
    },

    /// A required prop is absent or `null`.
    #[error("`{prop}`: required for a `{trigger}` schedule")]
    MissingProp {
        /// The missing prop.
        prop: &'static str,
        /// The trigger that requires it.
        trigger: &'static str,
    },

    /// A prop the trigger does not define.
    ///
    /// Rejected rather than ignored because a misspelt optional prop (say
    /// `timezon`) would otherwise silently fall back to its default.
    #[error("`{prop}`: not a prop of a `{trigger}` schedule (expected {expected})")]
    UnknownProp {
        /// The prop as written in the flow.
        prop: String,
        /// The trigger it was given to.
        trigger: &'static str,
        /// The props the trigger does define, for the message.
        expected: &'static str,
    },

    /// A prop holds the wrong kind of JSON value.
    #[error("`{prop}`: expected {expected}, found {found}")]
    WrongType {
        /// The prop.
        prop: &'static str,
        /// What the prop should hold, e.g. `a string such as "15m"`.
        expected: &'static str,
        /// The JSON type that was found, e.g. `a number`.
        found: &'static str,
    },

    /// `cron` is not an expression croner accepts.
    #[error("`cron`: `{expr}` is not a valid cron expression: {reason}")]
    InvalidCron {
        /// The expression as written (trimmed).
        expr: String,
        /// Which field is wrong and why, e.g. `hour 25 is out of range (0-23)`.
        reason: String,
    },

    /// `cron` parses but no date can ever match it, e.g. `0 0 30 2 *`.
    #[error(
        "`cron`: `{expr}` never fires: no calendar date matches its day-of-month, month and \
         day-of-week fields"
    )]
    CronNeverFires {
        /// The expression as written (trimmed).
        expr: String,
    },

    /// `timezone` is not a name in the IANA time zone database.
    #[error("`timezone`: `{name}` is not an IANA time zone ({})", timezone_hint(.suggestion))]
    InvalidTimezone {
        /// The name as written (trimmed).
        name: String,
        /// The correctly spelt zone when the name only differs in case.
        suggestion: Option<&'static str>,
    },

    /// `every` is not a duration humantime understands.
    #[error("`every`: `{input}` is not a duration (e.g. 90s, 15m, 2h, 1d, 1h 30m): {reason}")]
    InvalidDuration {
        /// The value as written (trimmed).
        input: String,
        /// Why it was rejected.
        reason: String,
    },

    /// `every` is shorter than the one-second minimum.
    #[error("`every`: `{input}` is shorter than the minimum interval of 1s")]
    IntervalTooShort {
        /// The value as written (trimmed).
        input: String,
    },

    /// `anchor` is not an RFC 3339 timestamp.
    #[error(
        "`anchor`: `{input}` is not an RFC 3339 timestamp (e.g. 2024-01-01T09:00:00Z): {reason}"
    )]
    InvalidAnchor {
        /// The value as written (trimmed).
        input: String,
        /// Why it was rejected.
        reason: String,
    },
}

impl ScheduleError {
    /// The JSON path of the offending value inside the flow's trigger, e.g.
    /// `trigger.props.cron`, `trigger.props.timezone`, `trigger.props.every`,
    /// or `trigger.trigger` for an unknown trigger name.
    pub fn path(&self) -> String {
        match self.prop() {
            Some(prop) => format!("trigger.props.{prop}"),
            None => "trigger.trigger".to_owned(),
        }
    }

    /// The prop the error is about, or `None` when it is about the trigger
    /// name rather than a prop.
    pub fn prop(&self) -> Option<&str> {
        match self {
            Self::UnknownTrigger { .. } => None,
            Self::MissingProp { prop, .. } | Self::WrongType { prop, .. } => Some(prop),
            Self::UnknownProp { prop, .. } => Some(prop),
            Self::InvalidCron { .. } | Self::CronNeverFires { .. } => Some("cron"),
            Self::InvalidTimezone { .. } => Some("timezone"),
            Self::InvalidDuration { .. } | Self::IntervalTooShort { .. } => Some("every"),
            Self::InvalidAnchor { .. } => Some("anchor"),
        }
    }
}

/// The parenthesised hint after an unknown time zone: the right spelling when
/// we know it, otherwise an example of the expected form.
fn timezone_hint(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(name) => format!("did you mean {name}?"),
        None => "e.g. Europe/Berlin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_point_at_the_prop() {
        let cron = ScheduleError::InvalidCron { expr: "x".into(), reason: "y".into() };
        assert_eq!(cron.path(), "trigger.props.cron");
        let tz = ScheduleError::InvalidTimezone { name: "x".into(), suggestion: None };
        assert_eq!(tz.path(), "trigger.props.timezone");
        let every = ScheduleError::IntervalTooShort { input: "0s".into() };
        assert_eq!(every.path(), "trigger.props.every");
        let anchor = ScheduleError::InvalidAnchor { input: "x".into(), reason: "y".into() };
        assert_eq!(anchor.path(), "trigger.props.anchor");
        let unknown =
            ScheduleError::UnknownProp { prop: "timezon".into(), trigger: "cron", expected: "" };
        assert_eq!(unknown.path(), "trigger.props.timezon");
        let trigger = ScheduleError::UnknownTrigger { name: "webhook".into() };
        assert_eq!(trigger.path(), "trigger.trigger");
        assert_eq!(trigger.prop(), None);
    }

    #[test]
    fn timezone_message_suggests_the_right_case() {
        let err = ScheduleError::InvalidTimezone {
            name: "europe/berlin".into(),
            suggestion: Some("Europe/Berlin"),
        };
        assert_eq!(
            err.to_string(),
            "`timezone`: `europe/berlin` is not an IANA time zone (did you mean Europe/Berlin?)"
        );
    }
}
