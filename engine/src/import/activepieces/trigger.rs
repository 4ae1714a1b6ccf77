//! The ActivePieces trigger → our trigger: webhook `catch`, `schedule` cron, `manual`, a piece
//! trigger of ours when one fits, else a webhook catch marked unsupported.

use serde_json::{Map, Value, json};

use super::super::{ImportError, ItemOutcome};
use super::parse::{kind_of, malformed};
use super::scope::TriggerShape;

/// The converted trigger (without its id, chosen once the step ids are known).
#[derive(Debug)]
pub(super) struct Converted {
    /// Our piece.
    pub piece: &'static str,
    /// Our trigger name.
    pub trigger: &'static str,
    /// Its props.
    pub props: Map<String, Value>,
    /// How its output compares with ActivePieces'.
    pub shape: TriggerShape,
    /// Mapped, approximated or unsupported.
    pub outcome: ItemOutcome,
    /// Report notes.
    pub notes: Vec<String>,
    /// `PIECE_TRIGGER @activepieces/piece-webhook catch_webhook`.
    pub source_type: String,
    /// "Catch Webhook (trigger)".
    pub source: String,
    /// The display name.
    pub display: String,
    /// A readable id to start from (`webhook`, `schedule`, `manual`).
    pub id_hint: &'static str,
}

/// Converts the trigger object found at `path`.
pub(super) fn convert(trigger: &Value, path: &str) -> Result<Converted, ImportError> {
    let Some(obj) = trigger.as_object() else {
        return Err(malformed(
            path,
            format!("the trigger must be an object, not {}", kind_of(trigger)),
        ));
    };
    let type_name = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        _ => return Err(malformed(&format!("{path}.type"), "the trigger has no `type`")),
    };
    let settings = match obj.get("settings") {
        Some(Value::Object(s)) => Some(s),
        None | Some(Value::Null) => None,
        Some(other) => {
            return Err(malformed(
                &format!("{path}.settings"),
                format!("`settings` must be an object, not {}", kind_of(other)),
            ));
        }
    };
    let name = obj.get("name").and_then(Value::as_str).unwrap_or("trigger");
    let display = obj.get("displayName").and_then(Value::as_str).unwrap_or(name).to_string();
    let source = if display == name { name.to_string() } else { format!("{display} ({name})") };
    let get = |key: &str| settings.and_then(|s| s.get(key));
    let piece_name = get("pieceName").and_then(Value::as_str).unwrap_or("");
    let trigger_name = get("triggerName").and_then(Value::as_str).unwrap_or("");
    let input = get("input").and_then(Value::as_object);
    let mut out = Converted {
        piece: "manual",
        trigger: "run",
        props: Map::new(),
        shape: TriggerShape::Same,
        outcome: ItemOutcome::Mapped,
        notes: Vec::new(),
        source_type: type_name.to_string(),
        source,
        display,
        id_hint: "manual",
    };
    match type_name {
        "EMPTY" => {
            out.outcome = ItemOutcome::Approximated;
            out.notes.push(
                "the ActivePieces flow has no trigger yet; a manual trigger starts this flow"
                    .into(),
            );
        }
        // Exports from before piece triggers.
        "WEBHOOK" => webhook(&mut out, input),
        "SCHEDULE" => {
            let cron = get("cronExpression").and_then(Value::as_str).unwrap_or("0 * * * *");
            schedule_cron(&mut out, cron.to_string(), input);
        }
        "PIECE_TRIGGER" | "PIECE" => {
            out.source_type = format!("{type_name} {piece_name} {trigger_name}");
            piece_trigger(&mut out, piece_name, trigger_name, input);
        }
        other => {
            out.outcome = ItemOutcome::Unsupported;
            out.notes.push(format!(
                "trigger type `{other}` is unknown; a manual trigger stands in for it"
            ));
        }
    }
    Ok(out)
}

fn piece_trigger(
    out: &mut Converted,
    piece: &str,
    trigger: &str,
    input: Option<&Map<String, Value>>,
) {
    let short = piece.strip_prefix("@activepieces/piece-").unwrap_or(piece);
    match (short, trigger) {
        ("webhook", "catch_webhook") => webhook(out, input),
        ("webhook", "catch_request_with_response" | "catch_webhook_with_response") => {
            webhook(out, input);
            out.notes.push(
                "send requests to the flow's /sync webhook URL to get the `respond` step's answer"
                    .into(),
            );
        }
        ("schedule", _) => schedule(out, trigger, input),
        ("manual-trigger", _) => {
            out.notes.push("the input given when starting the flow is `trigger.body`".into());
        }
        ("pipedrive", _) => {
            // Our Pipedrive trigger needs no secret, so it can stand in directly.
            out.piece = "pipedrive";
            out.trigger = "webhook_events";
            out.id_hint = "pipedrive";
            out.outcome = ItemOutcome::Approximated;
            out.shape = TriggerShape::Differs(
                "our Pipedrive trigger gives Pipedrive's webhook event".into(),
            );
            out.notes.push(format!(
                "`{trigger}` became our Pipedrive webhook trigger: set `events` to the events it \
                 should start on, and check what later steps read from `trigger`"
            ));
        }
        _ => {
            webhook(out, input);
            out.props = Map::new();
            out.outcome = ItemOutcome::Unsupported;
            out.shape = TriggerShape::Differs("a webhook's `{ body, headers, query }`".into());
            let ours = match short {
                "slack" => Some("slack `events` (needs the app's signing secret)"),
                "hubspot" => Some("hubspot `webhook_events` (needs the app's client secret)"),
                "airtable" => {
                    Some("airtable `webhook_notification` (needs the webhook's MAC secret)")
                }
                "mailchimp" => Some("mailchimp `audience_event` (needs a secret)"),
                "postmark" => Some(
                    "postmark `inbound_email`/`bounce`/`message_event` (need basic-auth credentials)",
                ),
                "resend" => Some("resend `email_event` (needs the signing secret)"),
                "sendgrid" => Some("sendgrid `email_event` (needs the verification key)"),
                "twilio" => Some("twilio `incoming_message` (needs the auth token)"),
                _ => None,
            };
            out.notes.push(match ours {
                Some(ours) => format!(
                    "`{piece}` trigger `{trigger}` was not converted: a webhook trigger stands in; \
                     switch to our {ours} once you have its credentials"
                ),
                None => format!(
                    "`{piece}` trigger `{trigger}` has no equivalent here: a webhook trigger stands \
                     in; point the service (or a relay) at the flow's webhook URL"
                ),
            });
        }
    }
}

/// Our webhook `catch`, with ActivePieces' basic/header authentication carried over.
fn webhook(out: &mut Converted, input: Option<&Map<String, Value>>) {
    out.piece = "webhook";
    out.trigger = "catch";
    out.id_hint = "webhook";
    out.shape = TriggerShape::Webhook;
    let field = |k: &str| {
        input
            .and_then(|i| i.get("authFields"))
            .and_then(|f| f.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    match input.and_then(|i| i.get("authType")).and_then(Value::as_str) {
        Some("basic") => {
            out.props.insert(
                "auth".into(),
                json!({ "type": "basic", "username": field("username"), "password": field("password") }),
            );
        }
        Some("header") => {
            out.props.insert(
                "auth".into(),
                json!({ "type": "header", "name": field("headerName"), "value": field("headerValue") }),
            );
        }
        _ => {}
    }
}

/// ActivePieces' schedule triggers, all expressed as cron.
fn schedule(out: &mut Converted, trigger: &str, input: Option<&Map<String, Value>>) {
    let num = |k: &str, default: i64| -> i64 {
        match input.and_then(|i| i.get(k)) {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(default),
            _ => default,
        }
    };
    let weekends =
        input.and_then(|i| i.get("run_on_weekends")).and_then(Value::as_bool).unwrap_or(false);
    let days = if weekends { "*" } else { "1-5" };
    let cron = match trigger {
        "every_x_minutes" => format!("*/{} * * * *", num("minutes", 5).clamp(1, 59)),
        "every_hour" => format!("0 * * * {days}"),
        "every_day" => format!("0 {} * * {days}", num("hour_of_the_day", 0).clamp(0, 23)),
        "every_week" => format!(
            "0 {} * * {}",
            num("hour_of_the_day", 0).clamp(0, 23),
            num("day_of_the_week", 1).clamp(0, 6)
        ),
        "every_month" => format!(
            "0 {} {} * *",
            num("hour_of_the_day", 0).clamp(0, 23),
            num("day_of_the_month", 1).clamp(1, 31)
        ),
        "cron_expression" => input
            .and_then(|i| i.get("cronExpression"))
            .and_then(Value::as_str)
            .filter(|c| !c.trim().is_empty())
            .unwrap_or("0 * * * *")
            .to_string(),
        other => {
            out.outcome = ItemOutcome::Approximated;
            out.notes.push(format!(
                "schedule `{other}` is unknown; it runs hourly here: set the cron expression"
            ));
            "0 * * * *".to_string()
        }
    };
    schedule_cron(out, cron, input);
}

fn schedule_cron(out: &mut Converted, cron: String, input: Option<&Map<String, Value>>) {
    out.piece = "schedule";
    out.trigger = "cron";
    out.id_hint = "schedule";
    out.shape = TriggerShape::Differs("our schedule trigger gives `{ scheduled_at }`".into());
    out.props.insert("cron".into(), Value::String(cron));
    if let Some(tz) = input.and_then(|i| i.get("timezone")).and_then(Value::as_str)
        && !tz.trim().is_empty()
    {
        out.props.insert("timezone".into(), Value::String(tz.to_string()));
    }
}
