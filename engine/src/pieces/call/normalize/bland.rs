//! Bland AI post-call webhook: the full call object at the root.

use serde_json::Value;

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, at, obj_or_empty, opt_bool, opt_f64,
    opt_str, opt_ts, parse_ts, phone, req_str, role, status,
};

const P: Platform = Platform::Bland;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    let call_id =
        req_str(P, body, &["call_id"]).or_else(|e| req_str(P, body, &["c_id"]).or(Err(e)))?;
    let event = "post_call".to_string();

    let started_at = opt_ts(body, &["started_at"]);
    let messages = at(body, &["transcripts"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    let at_sec = match (started_at, at(t, &["created_at"]).and_then(parse_ts)) {
                        (Some(s), Some(said)) => {
                            Some(((said - s).num_milliseconds().max(0)) as f64 / 1000.0)
                        }
                        _ => None,
                    };
                    Some(Message {
                        role: role(&opt_str(t, &["user"])?),
                        text: opt_str(t, &["text"]).unwrap_or_default(),
                        at_sec,
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let status = opt_str(body, &["status"])
        .or_else(|| opt_str(body, &["queue_status"]))
        .map(|s| status(&s))
        .or_else(|| opt_bool(body, &["completed"]).filter(|c| *c).map(|_| "ended".to_string()));

    let fields = Fields {
        call_id: Some(call_id.clone()),
        direction: opt_bool(body, &["inbound"]).map(|i| if i { "inbound" } else { "outbound" }),
        from: phone(opt_str(body, &["from"])),
        to: phone(opt_str(body, &["to"])),
        status,
        started_at,
        ended_at: opt_ts(body, &["end_at"]),
        // `corrected_duration` is seconds; `call_length` is minutes.
        duration_sec: opt_f64(body, &["corrected_duration"])
            .or_else(|| opt_f64(body, &["call_length"]).map(|m| m * 60.0)),
        ended_reason: opt_str(body, &["error_message"])
            .or_else(|| opt_str(body, &["call_ended_by"])),
        transcript: opt_str(body, &["concatenated_transcript"]),
        messages,
        summary: opt_str(body, &["summary"]),
        recording_url: opt_str(body, &["recording_url"]),
        extracted: obj_or_empty(body, &["analysis"]),
        sentiment: None,
        successful: None,
        cost: opt_f64(body, &["price"]),
    };
    let dedupe_key = format!("bland:{call_id}:{event}");
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls: vec![] })
}
