//! Famulor: the post-call webhook (integer `id`, `status`, `transcript`, …) and mid-call tool
//! requests (the tool's parameters as a flat JSON object; the contract is not documented).

use serde_json::Value;

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, ToolCall, at, digest, obj_or_empty,
    opt_f64, opt_str, opt_ts, phone, req_str, role, status,
};

const P: Platform = Platform::Famulor;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    // A post-call payload always has its integer `id` and a `status`; anything else is taken
    // as a mid-call tool request.
    let post_call = at(body, &["id"]).is_some() && at(body, &["status"]).is_some();
    if !post_call {
        return Ok(tool_request(body));
    }
    let call_id = req_str(P, body, &["id"])?;
    let event = "post_call".to_string();

    // No direction field: campaign calls (with `lead` / `campaign`) are outbound.
    let outbound = at(body, &["lead"]).is_some() || at(body, &["campaign"]).is_some();
    let customer = opt_str(body, &["customer_phone"]);
    let assistant = opt_str(body, &["assistant_phone"]);
    let (from, to) = if outbound { (assistant, customer) } else { (customer, assistant) };

    let started_at = opt_ts(body, &["created_at"]);
    let (transcript, messages) = match at(body, &["transcript"]) {
        Some(Value::Array(a)) => (
            None,
            a.iter()
                .filter_map(|t| {
                    let said = opt_f64(t, &["timestamp"]);
                    let at_sec = match (said, started_at) {
                        (Some(s), Some(start)) => {
                            Some((s - start.timestamp_millis() as f64 / 1000.0).max(0.0))
                        }
                        _ => None,
                    };
                    Some(Message {
                        role: role(&opt_str(t, &["sender"]).unwrap_or_default()),
                        text: opt_str(t, &["text"])?,
                        at_sec: at_sec.map(|x| (x * 1000.0).round() / 1000.0),
                    })
                })
                .collect(),
        ),
        _ => (opt_str(body, &["transcript"]), Vec::new()),
    };
    let extracted = obj_or_empty(body, &["extracted_variables"]);
    let fields = Fields {
        call_id: Some(call_id.clone()),
        direction: outbound.then_some("outbound"),
        from: phone(from),
        to: phone(to),
        status: opt_str(body, &["status"]).map(|s| status(&s)),
        started_at,
        ended_at: opt_ts(body, &["finished_at"]),
        duration_sec: opt_f64(body, &["duration"]),
        ended_reason: opt_str(body, &["status"]),
        transcript,
        messages,
        // The summary is whatever the post-call schema extracts as `summary`.
        summary: extracted.get("summary").and_then(Value::as_str).map(str::to_string),
        recording_url: opt_str(body, &["recording_url"]),
        extracted,
        ..Fields::default()
    };
    let dedupe_key = format!("famulor:{call_id}:{event}");
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls: vec![] })
}

/// A mid-call tool request: the whole body is the arguments.
fn tool_request(body: &Value) -> Normalized {
    let event = "tool_call".to_string();
    let call_id = opt_str(body, &["call_id"]);
    let dedupe_key =
        format!("famulor:{}:tool_call:{}", call_id.as_deref().unwrap_or("-"), digest(body));
    let fields = Fields { call_id, status: Some("in_progress".to_string()), ..Fields::default() };
    Normalized {
        call: fields.finish(P, &event, body),
        event,
        dedupe_key,
        tool_calls: vec![ToolCall { name: String::new(), id: None, arguments: body.clone() }],
    }
}
