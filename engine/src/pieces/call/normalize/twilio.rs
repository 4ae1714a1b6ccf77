//! Twilio Voice status callbacks: form fields, given as a JSON object of strings.

use serde_json::Value;

use super::{Fields, NormalizeError, Normalized, Platform, opt_f64, opt_str, opt_ts, phone};
use super::{req_str, status};

const P: Platform = Platform::Twilio;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    let call_sid = req_str(P, body, &["CallSid"])?;
    let call_status = req_str(P, body, &["CallStatus"])?.to_ascii_lowercase();
    let terminal =
        matches!(call_status.as_str(), "completed" | "busy" | "no-answer" | "canceled" | "failed");
    let direction = opt_str(body, &["Direction"]).and_then(|d| {
        if d == "inbound" {
            Some("inbound")
        } else if d.starts_with("outbound") {
            Some("outbound")
        } else {
            None
        }
    });
    // `Timestamp` (RFC 2822) is when this status was reached: the end for a terminal status.
    let stamp = opt_ts(body, &["Timestamp"]);
    let fields = Fields {
        call_id: Some(call_sid.clone()),
        direction,
        from: phone(opt_str(body, &["From"]).or_else(|| opt_str(body, &["Caller"]))),
        to: phone(opt_str(body, &["To"]).or_else(|| opt_str(body, &["Called"]))),
        status: Some(status(&call_status)),
        started_at: if call_status == "in-progress" || call_status == "answered" {
            stamp
        } else {
            None
        },
        ended_at: if terminal { stamp } else { None },
        duration_sec: opt_f64(body, &["CallDuration"]),
        ended_reason: terminal.then(|| match opt_str(body, &["SipResponseCode"]) {
            Some(code) if call_status != "completed" => format!("{call_status} (SIP {code})"),
            _ => call_status.clone(),
        }),
        recording_url: opt_str(body, &["RecordingUrl"]),
        ..Fields::default()
    };
    let dedupe_key = match opt_str(body, &["SequenceNumber"]) {
        Some(seq) => format!("twilio:{call_sid}:{call_status}:{seq}"),
        None => format!("twilio:{call_sid}:{call_status}"),
    };
    let event = call_status;
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls: vec![] })
}
