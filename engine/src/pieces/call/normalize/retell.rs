//! Retell AI: webhooks `{"event", "call": {…}}` and custom-function requests
//! `{"name", "call": {…}, "args": {…}}` (or the arguments at the root with `args_at_root`).

use serde_json::Value;

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, ToolCall, at, digest, obj_or_empty,
    opt_bool, opt_f64, opt_str, opt_ts, phone, req_obj, req_str, role, status,
};

const P: Platform = Platform::Retell;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    let is_function = at(body, &["event"]).is_none() && at(body, &["name"]).is_some();
    let event = if is_function { "tool_call".to_string() } else { req_str(P, body, &["event"])? };
    req_obj(P, body, &["call"])?;
    let call_id = req_str(P, body, &["call", "call_id"])?;
    let c = &body["call"];

    let direction = match opt_str(c, &["call_type"]).as_deref() {
        Some("web_call") => Some("web"),
        _ => match opt_str(c, &["direction"]).as_deref() {
            Some("inbound") => Some("inbound"),
            Some("outbound") => Some("outbound"),
            _ => None,
        },
    };
    let disconnection = opt_str(c, &["disconnection_reason"]);
    let status =
        opt_str(c, &["call_status"]).map(|s| match (s.as_str(), disconnection.as_deref()) {
            ("not_connected", Some("dial_busy")) => "busy".to_string(),
            ("not_connected", Some("dial_no_answer")) => "no_answer".to_string(),
            _ => status(&s),
        });

    let messages = at(c, &["transcript_object"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|u| {
                    Some(Message {
                        role: role(&opt_str(u, &["role"])?),
                        text: opt_str(u, &["content"]).unwrap_or_default(),
                        at_sec: opt_f64(u, &["words", "[0]", "start"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let mut extracted = obj_or_empty(c, &["collected_dynamic_variables"]);
    extracted.extend(obj_or_empty(c, &["call_analysis", "custom_analysis_data"]));

    let fields = Fields {
        call_id: Some(call_id.clone()),
        direction,
        from: phone(opt_str(c, &["from_number"])),
        to: phone(opt_str(c, &["to_number"])),
        status,
        started_at: opt_ts(c, &["start_timestamp"]),
        ended_at: opt_ts(c, &["end_timestamp"]),
        duration_sec: opt_f64(c, &["duration_ms"]).map(|ms| ms / 1000.0),
        ended_reason: disconnection,
        transcript: opt_str(c, &["transcript"]),
        messages,
        summary: opt_str(c, &["call_analysis", "call_summary"]),
        recording_url: opt_str(c, &["recording_url"]),
        extracted,
        sentiment: opt_str(c, &["call_analysis", "user_sentiment"])
            .map(|s| s.to_ascii_lowercase())
            .filter(|s| s != "unknown"),
        successful: opt_bool(c, &["call_analysis", "call_successful"]),
        // `call_cost.combined_cost` is in cents.
        cost: opt_f64(c, &["call_cost", "combined_cost"]).map(|cents| cents / 100.0),
    };

    let mut tool_calls = Vec::new();
    let dedupe_key = if is_function {
        let name = req_str(P, body, &["name"])?;
        let args = match at(body, &["args"]) {
            Some(a) => a.clone(),
            None => {
                // args_at_root: the arguments are the root object itself.
                let mut root = body.as_object().cloned().unwrap_or_default();
                root.remove("name");
                root.remove("call");
                Value::Object(root)
            }
        };
        // Retell retries a failed function request with the same body; a later call of the
        // same function with the same arguments carries a longer live transcript, so the
        // whole body tells a retry from a repeat.
        let key = format!("retell:{call_id}:tool_call:{name}:{}", digest(body));
        tool_calls.push(ToolCall { name, id: None, arguments: args });
        key
    } else {
        format!("retell:{call_id}:{event}")
    };

    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls })
}
