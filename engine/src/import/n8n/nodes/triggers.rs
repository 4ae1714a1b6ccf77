//! Trigger nodes: Webhook → `webhook.catch`, Schedule Trigger / Cron / Interval → `schedule`,
//! Manual Trigger → `manual.run`; other triggers become a manual trigger with a note.

use serde_json::{Value, json};

use super::Ctx;
use crate::import::n8n::kinds::{Family, TriggerKind};

/// The trigger for the flow's trigger node.
pub(super) fn map(ctx: &mut Ctx<'_>, family: Family) -> Value {
    let kind = match family {
        Family::Trigger(k) => k,
        _ => TriggerKind::Other,
    };
    let mut t = match kind {
        TriggerKind::Webhook => webhook(ctx),
        TriggerKind::Schedule => schedule(ctx),
        TriggerKind::Manual => json!({ "piece": "manual", "trigger": "run" }),
        TriggerKind::Form => {
            ctx.approx(
                "The n8n form becomes a webhook: build the form elsewhere and post its fields to \
                 the flow's webhook URL (they arrive as trigger.body).",
            );
            json!({ "piece": "webhook", "trigger": "catch" })
        }
        TriggerKind::Subflow => {
            ctx.approx(
                "Another flow starts this one with a subflow step; its input arrives as \
                 trigger.body. Until then it runs manually.",
            );
            json!({ "piece": "manual", "trigger": "run" })
        }
        TriggerKind::Other => {
            ctx.approx(format!(
                "The trigger `{}` has no equivalent here; the flow starts manually until you \
                 replace the trigger (a webhook or a schedule, say).",
                ctx.node.kind
            ));
            json!({ "piece": "manual", "trigger": "run" })
        }
    };
    if let Some(obj) = t.as_object_mut() {
        obj.insert("id".into(), Value::String(ctx.id.clone()));
        obj.insert("name".into(), Value::String(ctx.node.name.clone()));
    }
    if ctx.node.disabled {
        ctx.approx("The trigger is disabled in n8n; here it is active once the flow is enabled.");
    }
    t
}

fn webhook(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let path = node.str_param("path", "").to_owned();
    let method = node.str_param("httpMethod", "GET").to_owned();
    ctx.note(format!(
        "Point the sender at this flow's webhook URL (n8n listened on {method} /webhook/{path})."
    ));
    if method != "POST" {
        ctx.note(format!(
            "n8n accepted only {method} here; the webhook accepts every method (trigger.method \
             says which)."
        ));
    }
    match node.str_param("responseMode", "onReceived") {
        "responseNode" => ctx.note(
            "Call the flow's /sync webhook URL so the caller gets the Respond step's answer.",
        ),
        "lastNode" => ctx.approx(
            "n8n answered with the last node's data; here call the /sync webhook URL and add a \
             respond step to choose the answer.",
        ),
        _ => {
            let options = node.obj_param("options");
            if node.param("responseCode").is_some()
                || options.contains_key("responseCode")
                || options.contains_key("responseData")
            {
                ctx.approx("The custom immediate response is not kept: the webhook answers 200 once the event is stored.");
            }
        }
    }
    match node.str_param("authentication", "none") {
        "none" => {}
        auth => {
            let cred = node.credential().map(|c| c.1.clone()).unwrap_or_default();
            ctx.approx(format!(
                "n8n checked the caller ({auth}, credential “{cred}”): set the trigger's `auth` \
                 prop (header secret or basic auth) with the same secret, otherwise anyone with \
                 the URL can start the flow."
            ));
        }
    }
    json!({ "piece": "webhook", "trigger": "catch" })
}

fn schedule(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let zone = ctx
        .env
        .wf
        .settings
        .get("timezone")
        .and_then(Value::as_str)
        .filter(|z| !z.is_empty() && *z != "DEFAULT")
        .map(str::to_owned);
    let spec = if node.is("cron") {
        cron_node(node)
    } else if node.is("interval") {
        let every = node.param("interval").and_then(Value::as_f64).unwrap_or(1.0).max(1.0);
        let unit = match node.str_param("unit", "seconds") {
            "minutes" => "m",
            "hours" => "h",
            _ => "s",
        };
        Ok(Spec::Every(format!("{}{unit}", every as u64), None))
    } else {
        schedule_trigger(node)
    };
    let spec = match spec {
        Ok(s) => s,
        Err(why) => {
            ctx.approx(format!(
                "{why}; the schedule is set to every day at midnight until you change it."
            ));
            Spec::Cron("0 0 * * *".into(), None)
        }
    };
    match spec {
        Spec::Every(every, note) => {
            if let Some(n) = note {
                ctx.approx(n);
            }
            json!({ "piece": "schedule", "trigger": "interval", "props": { "every": every } })
        }
        Spec::Cron(cron, note) => {
            if let Some(n) = note {
                ctx.approx(n);
            }
            let mut props = serde_json::Map::new();
            props.insert("cron".into(), Value::String(cron));
            match zone {
                Some(z) => {
                    props.insert("timezone".into(), Value::String(z));
                }
                None => ctx.note(
                    "n8n used the instance's time zone; the schedule runs in UTC unless you set \
                     its time zone.",
                ),
            }
            json!({ "piece": "schedule", "trigger": "cron", "props": props })
        }
    }
}

/// A schedule: an interval or a cron expression, each with an optional note on what differs.
enum Spec {
    Every(String, Option<String>),
    Cron(String, Option<String>),
}

fn num(v: Option<&Value>, default: i64) -> i64 {
    v.and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
        .or_else(|| v.and_then(Value::as_str).and_then(|s| s.parse().ok()))
        .unwrap_or(default)
}

/// Schedule Trigger: `rule.interval[]` (the first rule; more are noted).
fn schedule_trigger(node: &crate::import::n8n::model::Node) -> Result<Spec, String> {
    let rules = node
        .param("rule")
        .and_then(|r| r.get("interval"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![json!({})]);
    let Some(rule) = rules.first() else { return Err("the schedule has no rule".into()) };
    let more = (rules.len() > 1).then(|| {
        format!(
            "Only the first of the {} schedule rules is kept; add a flow per other rule.",
            rules.len()
        )
    });
    let field = rule.get("field").and_then(Value::as_str).unwrap_or("days");
    let minute = num(rule.get("triggerAtMinute"), 0);
    let hour = num(rule.get("triggerAtHour"), 0);
    let step = |n: i64| if n <= 1 { "*".to_owned() } else { format!("*/{n}") };
    Ok(match field {
        "seconds" => Spec::Every(format!("{}s", num(rule.get("secondsInterval"), 30).max(1)), more),
        "minutes" => Spec::Every(format!("{}m", num(rule.get("minutesInterval"), 5).max(1)), more),
        "hours" => {
            let n = num(rule.get("hoursInterval"), 1);
            Spec::Cron(format!("{minute} {} * * *", step(n)), more)
        }
        "days" => {
            let n = num(rule.get("daysInterval"), 1);
            Spec::Cron(format!("{minute} {hour} {} * *", step(n)), more)
        }
        "weeks" => {
            let days: Vec<String> = match rule.get("triggerAtDay") {
                Some(Value::Array(d)) if !d.is_empty() => {
                    d.iter().map(|v| num(Some(v), 0).to_string()).collect()
                }
                _ => vec!["0".into()],
            };
            let n = num(rule.get("weeksInterval"), 1);
            let note = (n > 1)
                .then(|| format!("n8n ran every {n} weeks; the cron expression runs every week."));
            Spec::Cron(format!("{minute} {hour} * * {}", days.join(",")), note.or(more))
        }
        "months" => {
            let n = num(rule.get("monthsInterval"), 1);
            let dom = num(rule.get("triggerAtDayOfMonth"), 1);
            Spec::Cron(format!("{minute} {hour} {dom} {} *", step(n)), more)
        }
        "cronExpression" => {
            let expr = rule.get("expression").and_then(Value::as_str).unwrap_or("").trim();
            if expr.is_empty() || expr.starts_with('=') {
                return Err("the cron expression is empty or computed".into());
            }
            Spec::Cron(expr.to_owned(), more)
        }
        other => return Err(format!("the schedule rule `{other}` is not known")),
    })
}

/// The old Cron node: `triggerTimes.item[]`.
fn cron_node(node: &crate::import::n8n::model::Node) -> Result<Spec, String> {
    let items = node
        .param("triggerTimes")
        .and_then(|t| t.get("item"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(item) = items.first() else { return Err("the Cron node has no trigger time".into()) };
    let more = (items.len() > 1).then(|| {
        format!(
            "Only the first of the {} trigger times is kept; add a flow per other time.",
            items.len()
        )
    });
    let hour = num(item.get("hour"), 14);
    let minute = num(item.get("minute"), 0);
    Ok(match item.get("mode").and_then(Value::as_str).unwrap_or("everyDay") {
        "everyMinute" => Spec::Cron("* * * * *".into(), more),
        "everyHour" => Spec::Cron(format!("{minute} * * * *"), more),
        "everyDay" => Spec::Cron(format!("{minute} {hour} * * *"), more),
        "everyWeek" => {
            Spec::Cron(format!("{minute} {hour} * * {}", num(item.get("weekday"), 1)), more)
        }
        "everyMonth" => {
            Spec::Cron(format!("{minute} {hour} {} * *", num(item.get("dayOfMonth"), 1)), more)
        }
        "everyX" => {
            let unit =
                if item.get("unit").and_then(Value::as_str) == Some("minutes") { "m" } else { "h" };
            Spec::Every(format!("{}{unit}", num(item.get("value"), 2).max(1)), more)
        }
        "custom" => {
            let expr = item.get("cronExpression").and_then(Value::as_str).unwrap_or("").trim();
            if expr.is_empty() {
                return Err("the custom cron expression is empty".into());
            }
            Spec::Cron(expr.to_owned(), more)
        }
        other => return Err(format!("the Cron mode `{other}` is not known")),
    })
}
