//! Synthflow post-call webhook: root `status`, `lead`, `call`, `executed_actions`,
//! `collected_variables`.

use serde_json::{Map, Value};

use super::{
    Fields, NormalizeError, Normalized, Platform, at, opt_f64, opt_str, opt_ts, phone, req_obj,
    req_str, status,
};

const P: Platform = Platform::Synthflow;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    req_obj(P, body, &["call"])?;
    let call_id = req_str(P, body, &["call", "call_id"])?;
    let c = &body["call"];
    let event = "post_call".to_string();

    let mut extracted = Map::new();
    if let Some(Value::Object(actions)) = at(body, &["executed_actions"]) {
        for action in actions.values() {
            if let Some(Value::Object(ret)) = at(action, &["return_value"]) {
                extracted.extend(ret.clone());
            }
        }
    }
    if let Some(Value::Object(by_agent)) = at(body, &["collected_variables"]) {
        for vars in by_agent.values().filter_map(Value::as_object) {
            for (name, v) in vars {
                if v.get("collected").and_then(Value::as_bool) != Some(false) {
                    extracted.insert(name.clone(), v.get("value").cloned().unwrap_or(Value::Null));
                }
            }
        }
    }

    let end_reason = match opt_str(c, &["end_call_reason"]) {
        Some(r) if r == "custom_end_call" => match opt_str(c, &["custom_end_call_reason"]) {
            Some(x) => Some(format!("{r}: {x}")),
            None => Some(r),
        },
        other => other,
    };

    let fields = Fields {
        call_id: Some(call_id.clone()),
        // No direction field; the lead is the person the agent talked to (the callee of the
        // usual outbound call), so it goes to `to`.
        to: phone(opt_str(body, &["lead", "phone_number"])),
        status: opt_str(c, &["status"]).or_else(|| opt_str(body, &["status"])).map(|s| status(&s)),
        started_at: opt_ts(c, &["start_time"]),
        duration_sec: opt_f64(c, &["duration"]),
        ended_reason: end_reason,
        transcript: opt_str(c, &["transcript"]).map(|t| t.trim().to_string()),
        recording_url: opt_str(c, &["recording_url"]).or_else(|| opt_str(body, &["recording_url"])),
        extracted,
        ..Fields::default()
    };
    let dedupe_key = format!("synthflow:{call_id}:{event}");
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls: vec![] })
}
