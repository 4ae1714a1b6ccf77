//! Core nodes: Edit Fields (Set), No Operation, Code, Respond to Webhook, Wait, Merge, Split in
//! Batches (Loop Over Items), Split Out and Stop and Error.

use serde_json::{Map, Value, json};

use super::Ctx;
use crate::import::n8n::expressions::{Access, Key, Reads, Resolve, literal_text};
use crate::import::n8n::kinds::Family;
use crate::import::n8n::sources::{loop_items, set_keeps_input};

/// Edit Fields (Set), every version.
pub(super) fn map_set(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let dot = node.obj_param("options").get("dotNotation").and_then(Value::as_bool).unwrap_or(true);
    let mut values = Map::new();
    if node.str_param("mode", "manual") == "raw" {
        let raw = node.param("jsonOutput").cloned().unwrap_or(Value::Null);
        match ctx.json_text("jsonOutput", &raw) {
            Some(Value::Object(m)) => values = m,
            Some(other) => {
                if !ctx.disable {
                    ctx.approx("The JSON output is not an object; it is kept under `output`.");
                }
                values.insert("output".into(), other);
            }
            None => {}
        }
    } else {
        for (name, value) in assignments(ctx) {
            insert_field(&mut values, &name, value, dot);
        }
    }
    if set_keeps_input(node) {
        ctx.note(
            "n8n also kept the input's other fields; the step holds only the fields it sets, and \
             expressions after it read the other fields from the step before it.",
        );
        let include = node.str_param("include", "all");
        if include == "selected" || include == "except" {
            ctx.approx(format!(
                "The input fields to include ({include}) are not filtered: expressions read any \
                 field of the step before."
            ));
        }
    }
    if node.bool_param("duplicateItem", false) {
        ctx.approx("Item duplication (a testing setting) is not kept.");
    }
    json!({ "id": ctx.id, "type": "set", "values": values })
}

/// `(name, prop value)` for each field an Edit Fields node sets.
fn assignments(ctx: &mut Ctx<'_>) -> Vec<(String, Value)> {
    let node = ctx.node;
    let mut out = Vec::new();
    if let Some(list) =
        node.param("assignments").and_then(|a| a.get("assignments")).and_then(Value::as_array)
    {
        for a in list.clone() {
            let name = a.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
            let ty = a.get("type").and_then(Value::as_str).unwrap_or("string").to_owned();
            let value = a.get("value").cloned().unwrap_or(Value::Null);
            let prop = typed(ctx, &name, &ty, value);
            out.push((name, prop));
        }
    } else if let Some(list) =
        node.param("fields").and_then(|a| a.get("values")).and_then(Value::as_array)
    {
        for f in list.clone() {
            let name = f.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
            let key = f.get("type").and_then(Value::as_str).unwrap_or("stringValue").to_owned();
            let value = f.get(&key).cloned().unwrap_or(Value::Null);
            let ty = key.trim_end_matches("Value").to_owned();
            let prop = typed(ctx, &name, &ty, value);
            out.push((name, prop));
        }
    } else if let Some(groups) = node.param("values").and_then(Value::as_object) {
        for (ty, list) in groups.clone() {
            for f in list.as_array().cloned().unwrap_or_default() {
                let name = f.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
                let value = f.get("value").cloned().unwrap_or(Value::Null);
                let prop = typed(ctx, &name, &ty, value);
                out.push((name, prop));
            }
        }
    }
    out.retain(|(name, _)| !name.is_empty());
    out
}

/// A field value: literal numbers, booleans and JSON (arrays, objects) keep their type.
fn typed(ctx: &mut Ctx<'_>, name: &str, ty: &str, value: Value) -> Value {
    if let Value::String(s) = &value
        && !s.starts_with('=')
    {
        match ty {
            "number" => {
                if let Ok(n) = s.trim().parse::<f64>() {
                    return serde_json::Number::from_f64(n).map_or(value.clone(), Value::Number);
                }
            }
            "boolean" if s == "true" || s == "false" => return Value::Bool(s == "true"),
            "array" | "object" | "json" => {
                if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                    return ctx.prop(name, &parsed);
                }
            }
            _ => {}
        }
    }
    if matches!(ty, "array" | "object" | "json")
        && value.as_str().is_some_and(|s| s.starts_with('='))
    {
        // `={ "a": {{ $json.x }} }`: JSON text with expressions inside.
        if let Some(v) = ctx.json_text(name, &value) {
            return v;
        }
    }
    ctx.prop(name, &value)
}

/// Inserts `a.b.c` as nested objects (n8n's dot notation) or as one key.
fn insert_field(values: &mut Map<String, Value>, name: &str, value: Value, dot: bool) {
    if !dot || !name.contains('.') {
        values.insert(name.to_owned(), value);
        return;
    }
    let mut parts = name.split('.').peekable();
    let mut cur = values;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(part.to_owned(), value);
            return;
        }
        let entry = cur.entry(part.to_owned()).or_insert_with(|| json!({}));
        if !entry.is_object() {
            *entry = json!({});
        }
        let Some(next) = entry.as_object_mut() else { return };
        cur = next;
    }
}

/// No Operation → an empty Set step (rather than dropping it and rewiring its connections, so the
/// canvas keeps its shape and expressions that name it keep working).
pub(super) fn map_noop(ctx: &mut Ctx<'_>) -> Value {
    ctx.note("Kept as an empty Set step; its data passes through for the expressions after it.");
    json!({ "id": ctx.id, "type": "set", "values": {} })
}

/// Code / Function / Function Item → a disabled placeholder that keeps the code.
pub(super) fn map_code(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let python = node.str_param("language", "javaScript").starts_with("python");
    // Lone carriage returns would end the placeholder's line comments early.
    let code = ["jsCode", "pythonCode", "functionCode"]
        .iter()
        .filter(|k| python == (**k == "pythonCode"))
        .find_map(|k| node.param(k).and_then(Value::as_str))
        .unwrap_or("")
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let lang = if python { "Python" } else { "JavaScript" };
    let reason = format!("{lang} code cannot run here; rewrite it as a rhai code step");
    ctx.outcome = crate::import::ItemOutcome::Unsupported;
    ctx.note(format!(
        "Not converted: {reason}. A disabled placeholder step keeps the original code as comments."
    ));
    crate::import::placeholder::step(&ctx.id, &node.name, "n8n", &reason, &Value::String(code))
}

/// Respond to Webhook → respond.
pub(super) fn map_respond(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let options = node.obj_param("options");
    let with = node.str_param("respondWith", "firstIncomingItem").to_owned();
    let mut status: u64 = 200;
    match options.get("responseCode") {
        Some(Value::Number(n)) => status = n.as_u64().unwrap_or(200),
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => status = s.parse().unwrap_or(200),
        Some(Value::String(s)) if s.starts_with('=') => {
            ctx.approx(format!("The computed response code `{s}` is not kept; it answers 200."))
        }
        _ => {}
    }
    let mut headers = Map::new();
    if let Some(entries) =
        options.get("responseHeaders").and_then(|h| h.get("entries")).and_then(Value::as_array)
    {
        for e in entries.clone() {
            let (Some(name), Some(value)) = (e.get("name").and_then(Value::as_str), e.get("value"))
            else {
                continue;
            };
            let v = ctx.prop(&format!("header {name}"), value);
            headers.insert(name.to_owned(), v);
        }
    }
    let body = match with.as_str() {
        "firstIncomingItem" | "allIncomingItems" => {
            let mut reads = Reads::default();
            match ctx.scope().input(&[], &mut reads) {
                Ok(code) => {
                    ctx.absorb(reads);
                    if with == "allIncomingItems" {
                        Value::String(format!("{{{{ [{code}] }}}}"))
                    } else {
                        Value::String(format!("{{{{ {code} }}}}"))
                    }
                }
                Err(reason) => {
                    ctx.untranslatable("respondWith", &with, &reason);
                    Value::Null
                }
            }
        }
        "json" => {
            let raw = node.param("responseBody").cloned().unwrap_or(Value::Null);
            ctx.json_text("responseBody", &raw).unwrap_or(Value::Null)
        }
        "text" => ctx.param("responseBody").unwrap_or(Value::String(String::new())),
        "noData" => Value::Null,
        "redirect" => {
            if !options.contains_key("responseCode") {
                status = 307;
            }
            if let Some(url) = ctx.param("redirectURL") {
                headers.insert("Location".into(), url);
            }
            Value::Null
        }
        other => return ctx.placeholder(&format!("responding with `{other}` is not supported")),
    };
    if !(100..=599).contains(&status) {
        ctx.approx(format!("The response code {status} is not an HTTP status; it answers 200."));
        status = 200;
    }
    let mut step = json!({ "id": ctx.id, "type": "respond", "status": status, "body": body });
    if !headers.is_empty() {
        step["headers"] = Value::Object(headers);
    }
    step
}

fn unit_letter(unit: &str) -> Option<(&'static str, f64)> {
    Some(match unit {
        "seconds" => ("s", 1.0),
        "minutes" => ("m", 60.0),
        "hours" => ("h", 3600.0),
        "days" => ("d", 86400.0),
        _ => return None,
    })
}

/// `amount` `unit` as a duration text (`"5m"`, `"90s"`); `None` unless positive and under ten
/// years (a longer wait is a mistake in the export, not a plan).
fn duration(amount: f64, unit: &str) -> Option<String> {
    let (letter, secs) = unit_letter(unit)?;
    if amount <= 0.0 || !amount.is_finite() || amount * secs > 10.0 * 365.0 * 86400.0 {
        return None;
    }
    Some(if amount.fract() == 0.0 {
        format!("{}{letter}", amount as u64)
    } else {
        format!("{}s", (amount * secs).round() as u64)
    })
}

/// Wait → delay (a time) or wait (a resume call).
pub(super) fn map_wait(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    match node.str_param("resume", "timeInterval") {
        "timeInterval" => {
            let unit = node.str_param("unit", "hours").to_owned();
            if unit_letter(&unit).is_none() {
                ctx.untranslatable(
                    "unit",
                    &unit,
                    "the unit is not seconds, minutes, hours or days",
                );
                return json!({ "id": ctx.id, "type": "delay", "duration": "1h" });
            }
            let amount = node.param("amount").cloned().unwrap_or(json!(1));
            let literal = amount.as_f64().or_else(|| {
                amount.as_str().filter(|s| !s.starts_with('=')).and_then(|s| s.trim().parse().ok())
            });
            if let Some(a) = literal {
                let text = match duration(a, &unit) {
                    Some(text) => text,
                    None if a.is_finite() && a > 0.0 => {
                        ctx.approx(format!("The wait of {a} {unit} is capped at ten years."));
                        "3650d".to_owned()
                    }
                    None => "0s".to_owned(),
                };
                return json!({ "id": ctx.id, "type": "delay", "duration": text });
            }
            if let Some(out) = ctx.expr("amount", &amount) {
                let until = format!(
                    "{{{{ date_add(now(), {}, {}) }}}}",
                    out.code,
                    crate::import::n8n::expressions::emit::quote(&unit)
                );
                return json!({ "id": ctx.id, "type": "delay", "until": until });
            }
            let original = amount.as_str().map_or_else(|| amount.to_string(), str::to_owned);
            json!({ "id": ctx.id, "type": "delay", "until": literal_text(&original) })
        }
        "specificTime" => {
            let until = ctx.param("dateTime").unwrap_or(Value::String("{{ now() }}".into()));
            json!({ "id": ctx.id, "type": "delay", "until": until })
        }
        mode => {
            if mode != "webhook" {
                ctx.approx(format!(
                    "n8n resumed on a {mode} submission; here the run resumes when its resume URL \
                     is called."
                ));
            }
            ctx.note(format!(
                "The run pauses until its resume URL is called: `run.resume_urls.{}` (n8n's \
                 $execution.resumeUrl); the posted body becomes this step's output.",
                ctx.id
            ));
            let mut step = json!({ "id": ctx.id, "type": "wait" });
            if node.bool_param("limitWaitTime", false) {
                if node.str_param("limitType", "afterTimeInterval") == "afterTimeInterval" {
                    let amount = node.param("resumeAmount").and_then(Value::as_f64).unwrap_or(1.0);
                    let unit = node.str_param("resumeUnit", "hours");
                    if let Some(t) = duration(amount, unit) {
                        step["timeout"] = Value::String(t);
                        step["on_timeout"] = Value::String("continue".into());
                    }
                } else {
                    ctx.approx("The time limit at a fixed date is not kept: the step waits without a limit.");
                }
            }
            step
        }
    }
}

/// Merge → a join: a step with several parents that runs once they have all finished.
pub(super) fn map_merge(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let mode = node.str_param("mode", "append");
    match mode {
        "append" => ctx.approx(
            "Merge (append): n8n outputs the items of both inputs one after the other, so the \
             next nodes run once per item; here the next steps run once, after both branches, \
             and `$json` after it reads each field from the first input that has it.",
        ),
        "chooseBranch" | "passThrough" => ctx.approx(
            "Merge (choose branch): the join runs once after its inputs, even when only one of \
             them ran (n8n waits for data on both), and the expressions after it read the \
             chosen input.",
        ),
        "wait" => ctx.approx(
            "Merge (wait): the join waits for both inputs; n8n then output one empty item, so \
             `$json` after it has no equivalent.",
        ),
        "combineBySql" => ctx.approx(
            "Merge (SQL query) has no equivalent: the join waits for both inputs; the query is \
             not run.",
        ),
        other => ctx.approx(format!(
            "Merge ({other}): n8n combines the items of the inputs into one; here the join runs \
             once after both branches, and `$json` after it reads each field from input 2 when \
             it has it, else input 1 (n8n's default on a clash)."
        )),
    }
    let inputs = ctx.env.plan.inputs[node.index].len();
    if inputs < 2 {
        ctx.note(format!("Only {inputs} input is connected."));
    }
    json!({ "id": ctx.id, "type": "set", "values": {} })
}

/// Split in Batches / Loop Over Items → loop (its body is filled in by the assembly).
pub(super) fn map_loop(ctx: &mut Ctx<'_>, i: usize) -> Value {
    let node = ctx.node;
    if !ctx.env.plan.loops.contains_key(&i) {
        ctx.approx("The loop output does not lead to a loop body; kept as an empty Set step.");
        return json!({ "id": ctx.id, "type": "set", "values": {} });
    }
    let mut reads = Reads::default();
    let items = match loop_items(ctx.scope(), &mut reads) {
        Ok(code) => {
            ctx.absorb(reads);
            Value::String(format!("{{{{ {code} }}}}"))
        }
        Err(reason) => {
            ctx.untranslatable("items", "the loop's input items", &reason);
            json!([])
        }
    };
    let batch = node.param("batchSize").and_then(Value::as_u64).unwrap_or(10);
    if batch > 1 {
        ctx.note(format!(
            "n8n handed the body {batch} items at a time; here each item goes through the body \
             on its own as `item` (the same unless a body node combined items)."
        ));
    }
    ctx.note(
        "The loop body runs once per item (`item` in expressions); the done output continues \
         after the loop, whose output lists each item's results.",
    );
    if node.version < 3.0 {
        ctx.approx(
            "Split in Batches before v3 has one output: every node after it became the loop \
             body; check where the loop should end.",
        );
    }
    if node.obj_param("options").get("reset").is_some_and(|v| v != &Value::Bool(false)) {
        ctx.approx("The reset option is not kept.");
    }
    json!({ "id": ctx.id, "type": "loop", "items": items })
}

/// Split Out / Item Lists (split out items) → a Set step holding the list as `items`.
pub(super) fn map_split_out(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let field = node.str_param("fieldToSplitOut", "").to_owned();
    let first = field.split(',').next().unwrap_or("").trim().to_owned();
    if field.contains(',') {
        ctx.approx(format!("Only the first field to split out (`{first}`) is kept."));
    }
    let path: Vec<Access> = first
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| Access { key: Key::Name(s.to_owned()), optional: false })
        .collect();
    let mut reads = Reads::default();
    let items = if first.is_empty() || first.starts_with('=') {
        ctx.untranslatable(
            "fieldToSplitOut",
            &field,
            "the field to split out is empty or computed",
        );
        Value::String(literal_text(&field))
    } else {
        match ctx.scope().input(&path, &mut reads) {
            Ok(code) => {
                ctx.absorb(reads);
                Value::String(format!("{{{{ {code} }}}}"))
            }
            Err(reason) => {
                ctx.untranslatable("fieldToSplitOut", &field, &reason);
                Value::String(literal_text(&field))
            }
        }
    };
    let i = node.index;
    let wf = ctx.env.wf;
    let into_loop = wf
        .links
        .iter()
        .filter(|l| l.from == i)
        .all(|l| ctx.env.plan.families[l.to] == Family::Loop);
    let note = "n8n passed each element on as its own item; here the step's `items` holds the \
                list, which a loop goes through.";
    if into_loop {
        ctx.note(note);
    } else {
        ctx.approx(format!(
            "{note} Put the steps after it in a loop over `steps.{}.items`.",
            ctx.id
        ));
    }
    if node.str_param("include", "noOtherFields") != "noOtherFields" {
        ctx.approx("The other fields n8n copied onto each element are not included.");
    }
    json!({ "id": ctx.id, "type": "set", "values": { "items": items } })
}

/// Stop and Error → stop (failed).
pub(super) fn map_stop(ctx: &mut Ctx<'_>) -> Value {
    let message = if ctx.node.str_param("errorType", "errorMessage") == "errorObject" {
        ctx.param("errorObject")
    } else {
        ctx.param("errorMessage")
    };
    let mut step = json!({ "id": ctx.id, "type": "stop", "outcome": "failed" });
    if let Some(Value::String(m)) = message {
        step["message"] = Value::String(m);
    }
    step
}
