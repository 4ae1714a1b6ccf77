//! The `schedule` piece: `cron` (a cron expression in a time zone) and `interval` (every N minutes,
//! hours…) triggers.
//!
//! The server's scheduler decides when they fire and feeds each firing to the trigger as a request
//! whose JSON body carries `scheduled_at`; the trigger's output is `{ "scheduled_at" }` (RFC 3339).
//! Using the scheduler's planned time rather than the moment the run starts keeps the value stable
//! across a delayed or retried firing.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{BuiltinPiece, Prop, svg_data_url};
use crate::piece::{
    AuthKind, PieceMeta, PropKind, TriggerError, TriggerEvent, TriggerMeta, TriggerRequest,
    TriggerSource,
};

/// The piece id.
pub const PIECE_ID: &str = "schedule";
/// The cron trigger's name.
pub const CRON: &str = "cron";
/// The interval trigger's name.
pub const INTERVAL: &str = "interval";

/// The piece with its metadata and triggers.
pub fn piece() -> BuiltinPiece {
    BuiltinPiece::new(meta())
        .with_trigger(CRON, Arc::new(ScheduleFired))
        .with_trigger(INTERVAL, Arc::new(ScheduleFired))
}

const CRON_HELP: &str = "Five fields: minute, hour, day of month, month, day of week (an \
    optional sixth, leading field gives seconds). `0 9 * * 1-5` is 09:00 on weekdays.";

/// The piece's metadata.
pub fn meta() -> PieceMeta {
    let sample = Some(json!({ "scheduled_at": "2025-06-02T09:00:00Z" }));
    PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "Schedule".to_owned(),
        description: "Start a flow on a schedule: a cron expression in your time zone, or a fixed \
                      interval."
            .to_owned(),
        category: "Core".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#2563eb' stroke-width='2' stroke-linecap='round'>\
             <circle cx='12' cy='12' r='10'/><path d='M12 6v6l4 2'/></svg>",
        )),
        auth: AuthKind::None,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: None,
        actions: Vec::new(),
        triggers: vec![
            TriggerMeta {
                name: CRON.to_owned(),
                label: "Cron schedule".to_owned(),
                description: "Runs the flow at the times a cron expression gives, in the chosen \
                              time zone."
                    .to_owned(),
                props: vec![
                    Prop::new("cron", "Cron expression", PropKind::ShortText)
                        .required()
                        .help(CRON_HELP)
                        .example(json!("0 9 * * 1-5"))
                        .build(),
                    Prop::new("timezone", "Time zone", PropKind::ShortText)
                        .help(
                            "An IANA time zone name; the schedule follows its summer time changes.",
                        )
                        .default(json!("UTC"))
                        .example(json!("Europe/Berlin"))
                        .build(),
                ],
                sample_output: sample.clone(),
                ..Default::default()
            },
            TriggerMeta {
                name: INTERVAL.to_owned(),
                label: "Every interval".to_owned(),
                description: "Runs the flow repeatedly with a fixed time between runs.".to_owned(),
                props: vec![
                    Prop::new("every", "Every", PropKind::ShortText)
                        .required()
                        .help("A number and a unit: `30s`, `15m`, `2h` or `1d`.")
                        .example(json!("15m"))
                        .build(),
                ],
                sample_output: sample,
                ..Default::default()
            },
        ],
    }
}

/// The source of both schedule triggers: `{ "scheduled_at" }` from the scheduler's request body, or
/// the current time when the body gives none (a test run from the editor).
#[derive(Debug, Clone, Copy, Default)]
pub struct ScheduleFired;

impl TriggerSource for ScheduleFired {
    fn event(
        &self,
        _props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        // The body is the scheduler's (or a test run's); anything other than a JSON object is
        // ignored.
        let given = serde_json::from_slice::<Value>(&request.body)
            .ok()
            .and_then(|body| body.get("scheduled_at").cloned());
        let scheduled_at = match given {
            None | Some(Value::Null) => {
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }
            Some(Value::String(s)) if chrono::DateTime::parse_from_rfc3339(&s).is_ok() => s,
            Some(other) => {
                return Err(TriggerError::Malformed(format!(
                    "`scheduled_at` must be an RFC 3339 date-time, not {other}"
                )));
            }
        };
        Ok(TriggerEvent { output: json!({ "scheduled_at": scheduled_at }), dedupe_key: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_at_comes_from_the_body() {
        let request = TriggerRequest::json(&json!({ "scheduled_at": "2025-06-02T09:00:00+02:00" }));
        let event = ScheduleFired.event(&Map::new(), &request);
        assert_eq!(
            event.map(|e| e.output),
            Ok(json!({ "scheduled_at": "2025-06-02T09:00:00+02:00" }))
        );
    }

    #[test]
    fn scheduled_at_defaults_to_now() {
        let before = chrono::Utc::now() - chrono::Duration::seconds(1);
        let output = match ScheduleFired.event(&Map::new(), &TriggerRequest::default()) {
            Ok(e) => e.output,
            Err(e) => panic!("{e}"),
        };
        let at = output["scheduled_at"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        assert!(at.is_some_and(|at| at >= before), "{output}");
    }

    #[test]
    fn bad_scheduled_at_is_refused() {
        let request = TriggerRequest::json(&json!({ "scheduled_at": "tomorrow" }));
        assert!(matches!(
            ScheduleFired.event(&Map::new(), &request),
            Err(TriggerError::Malformed(_))
        ));
    }
}
