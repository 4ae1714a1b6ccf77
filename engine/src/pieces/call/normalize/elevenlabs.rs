//! ElevenLabs Conversational AI post-call webhooks: `{"type", "event_timestamp", "data"}`.

use serde_json::{Map, Value};

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, at, bool_word, opt_f64, opt_str, opt_ts,
    phone, req_obj, req_str, role, status,
};

const P: Platform = Platform::ElevenLabs;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    let event = req_str(P, body, &["type"])?;
    req_obj(P, body, &["data"])?;
    let conversation_id = req_str(P, body, &["data", "conversation_id"])?;
    let d = &body["data"];

    let mut fields = Fields { call_id: Some(conversation_id.clone()), ..Fields::default() };
    if event == "call_initiation_failure" {
        failure(d, &mut fields);
    } else {
        transcription(d, &mut fields);
    }
    let dedupe_key = format!("elevenlabs:{conversation_id}:{event}");
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls: vec![] })
}

/// `post_call_transcription` (and the sparse `post_call_audio`).
fn transcription(d: &Value, f: &mut Fields) {
    let pc = at(d, &["metadata", "phone_call"]).unwrap_or(&Value::Null);
    let direction = match opt_str(pc, &["direction"]).as_deref() {
        Some("inbound") => Some("inbound"),
        Some("outbound") => Some("outbound"),
        _ => None,
    };
    let agent = opt_str(pc, &["agent_number"]);
    let external = opt_str(pc, &["external_number"]);
    let (from, to) = match direction {
        Some("outbound") => (agent, external),
        _ => (external, agent),
    };
    f.direction = direction;
    f.from = phone(from);
    f.to = phone(to);
    f.status = opt_str(d, &["status"]).map(|s| status(&s));
    f.started_at = opt_ts(d, &["metadata", "start_time_unix_secs"]);
    f.duration_sec = opt_f64(d, &["metadata", "call_duration_secs"]);
    f.ended_reason = opt_str(d, &["metadata", "termination_reason"]);
    f.messages = at(d, &["transcript"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    let text = opt_str(t, &["message"])?;
                    Some(Message {
                        role: role(&opt_str(t, &["role"])?),
                        text,
                        at_sec: opt_f64(t, &["time_in_call_secs"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    f.summary = opt_str(d, &["analysis", "transcript_summary"]);
    let mut extracted = Map::new();
    if let Some(Value::Object(results)) = at(d, &["analysis", "data_collection_results"]) {
        for (id, r) in results {
            extracted.insert(id.clone(), r.get("value").cloned().unwrap_or(Value::Null));
        }
    }
    f.extracted = extracted;
    f.successful = opt_str(d, &["analysis", "call_successful"]).and_then(|s| bool_word(&s));
}

/// `call_initiation_failure`: `failure_reason` and the provider's metadata.
fn failure(d: &Value, f: &mut Fields) {
    let reason = opt_str(d, &["failure_reason"]);
    f.status = Some(match reason.as_deref().map(super::status).as_deref() {
        Some("busy") => "busy".to_string(),
        Some("no_answer") => "no_answer".to_string(),
        _ => "failed".to_string(),
    });
    f.ended_reason = reason;
    let meta = at(d, &["metadata"]).unwrap_or(&Value::Null);
    if opt_str(meta, &["type"]).as_deref() == Some("twilio") {
        let b = at(meta, &["body"]).unwrap_or(&Value::Null);
        f.from = phone(opt_str(b, &["From"]));
        f.to = phone(opt_str(b, &["To"]));
        f.direction = opt_str(b, &["Direction"])
            .map(|d| if d.starts_with("outbound") { "outbound" } else { "inbound" });
        f.ended_at = opt_ts(b, &["Timestamp"]);
    } else {
        f.from = phone(opt_str(meta, &["body", "from_number"]).or(opt_str(meta, &["from_number"])));
        f.to = phone(opt_str(meta, &["body", "to_number"]).or(opt_str(meta, &["to_number"])));
    }
}
