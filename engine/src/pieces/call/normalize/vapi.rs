//! Vapi server-URL messages: `{"message": {"type": …, "call": {…}, …}}`.

use serde_json::{Map, Value};

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, ToolCall, arguments, at, bool_word,
    obj_or_empty, opt_f64, opt_str, opt_ts, phone, req_obj, req_str, role, status,
};

const P: Platform = Platform::Vapi;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    req_obj(P, body, &["message"])?;
    let event = req_str(P, body, &["message", "type"])?;
    let call_id = req_str(P, body, &["message", "call", "id"])?;
    let m = &body["message"];

    let direction = opt_str(m, &["call", "type"]).and_then(|t| match t.as_str() {
        "inboundPhoneCall" => Some("inbound"),
        "outboundPhoneCall" => Some("outbound"),
        "webCall" | "vapi.websocketCall" => Some("web"),
        _ => None,
    });
    let customer =
        opt_str(m, &["customer", "number"]).or_else(|| opt_str(m, &["call", "customer", "number"]));
    let number = opt_str(m, &["phoneNumber", "number"])
        .or_else(|| opt_str(m, &["call", "phoneNumber", "number"]));
    let (from, to) = match direction {
        Some("outbound") => (number, customer),
        _ => (customer, number),
    };

    let started_at = opt_ts(m, &["startedAt"]).or_else(|| opt_ts(m, &["call", "startedAt"]));
    let ended_at = opt_ts(m, &["endedAt"]).or_else(|| opt_ts(m, &["call", "endedAt"]));
    // The spec has no duration; the legacy top-level fields are read when the timestamps lack.
    let duration_sec = match (started_at, ended_at) {
        (Some(_), Some(_)) => None,
        _ => opt_f64(m, &["durationSeconds"])
            .or_else(|| opt_f64(m, &["durationMs"]).map(|ms| ms / 1000.0)),
    };

    let raw_status = opt_str(m, &["status"]).or_else(|| opt_str(m, &["call", "status"]));
    let status = match raw_status {
        Some(s) => Some(status(&s)),
        None if event == "end-of-call-report" => Some("ended".to_string()),
        None => None,
    };

    let messages = at(m, &["artifact", "messages"])
        .or_else(|| at(m, &["messages"]))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(message).collect())
        .unwrap_or_default();

    let mut extracted = obj_or_empty(m, &["analysis", "structuredData"]);
    if extracted.is_empty() {
        extracted = structured_outputs(m);
    }

    let fields = Fields {
        call_id: Some(call_id.clone()),
        direction,
        from: phone(from),
        to: phone(to),
        status,
        started_at,
        ended_at,
        duration_sec,
        ended_reason: opt_str(m, &["endedReason"]).or_else(|| opt_str(m, &["call", "endedReason"])),
        transcript: opt_str(m, &["artifact", "transcript"]).or_else(|| opt_str(m, &["transcript"])),
        messages,
        summary: opt_str(m, &["analysis", "summary"]).or_else(|| opt_str(m, &["summary"])),
        recording_url: opt_str(m, &["artifact", "recordingUrl"])
            .or_else(|| opt_str(m, &["artifact", "recording", "mono", "combinedUrl"]))
            .or_else(|| opt_str(m, &["recordingUrl"])),
        extracted,
        sentiment: None,
        successful: opt_str(m, &["analysis", "successEvaluation"]).and_then(|s| bool_word(&s)),
        cost: opt_f64(m, &["cost"]).or_else(|| opt_f64(m, &["call", "cost"])),
    };

    let tool_calls = if event == "tool-calls" { tool_calls(body)? } else { Vec::new() };

    // Vapi call id + message type, refined where one call sends several messages of a type.
    let suffix = match event.as_str() {
        "status-update" => opt_str(m, &["status"]),
        "tool-calls" => {
            Some(tool_calls.iter().filter_map(|t| t.id.clone()).collect::<Vec<_>>().join(","))
        }
        "end-of-call-report" | "assistant-request" | "hang" => None,
        _ => opt_str(m, &["timestamp"]),
    };
    let dedupe_key = match suffix {
        Some(s) if !s.is_empty() => format!("vapi:{call_id}:{event}:{s}"),
        _ => format!("vapi:{call_id}:{event}"),
    };

    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls })
}

/// One `artifact.messages[]` entry (`BotMessage`, `UserMessage`, `SystemMessage`,
/// `ToolCallMessage`, `ToolCallResultMessage`).
fn message(v: &Value) -> Option<Message> {
    let r = role(&opt_str(v, &["role"])?);
    let text = opt_str(v, &["message"])
        .or_else(|| opt_str(v, &["result"]))
        .or_else(|| {
            let names: Vec<String> = at(v, &["toolCalls"])?
                .as_array()?
                .iter()
                .filter_map(|c| opt_str(c, &["function", "name"]))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        })
        .unwrap_or_default();
    Some(Message { role: r, text, at_sec: opt_f64(v, &["secondsFromStart"]) })
}

/// `artifact.structuredOutputs` (`{id: {name, result}}`) as `{name: result}`.
fn structured_outputs(m: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(Value::Object(outputs)) = at(m, &["artifact", "structuredOutputs"]) {
        for (id, o) in outputs {
            let name = opt_str(o, &["name"]).unwrap_or_else(|| id.clone());
            out.insert(name, o.get("result").cloned().unwrap_or(Value::Null));
        }
    }
    out
}

/// `toolCallList[]` (or, failing that, `toolWithToolCallList[].toolCall`), reading
/// `function.name` / `function.arguments` and falling back to the older `name` / `parameters`.
fn tool_calls(body: &Value) -> Result<Vec<ToolCall>, NormalizeError> {
    let (list, base, inner): (&Vec<Value>, &str, &[&str]) =
        match at(body, &["message", "toolCallList"]).and_then(Value::as_array) {
            Some(l) => (l, "toolCallList", &[]),
            None => {
                match at(body, &["message", "toolWithToolCallList"]).and_then(Value::as_array) {
                    Some(l) => (l, "toolWithToolCallList", &["toolCall"]),
                    None => {
                        return Err(NormalizeError::Missing {
                            platform: P,
                            path: "$.message.toolCallList".to_string(),
                        });
                    }
                }
            }
        };
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let c = at(item, inner).unwrap_or(&Value::Null);
        let name = opt_str(c, &["function", "name"]).or_else(|| opt_str(c, &["name"])).ok_or_else(
            || {
                let mut path = format!("$.message.{base}[{i}]");
                for p in inner {
                    path.push('.');
                    path.push_str(p);
                }
                NormalizeError::Missing { platform: P, path: format!("{path}.function.name") }
            },
        )?;
        let args = at(c, &["function", "arguments"])
            .or_else(|| at(c, &["parameters"]))
            .or_else(|| at(c, &["arguments"]));
        out.push(ToolCall { name, id: opt_str(c, &["id"]), arguments: arguments(args) });
    }
    Ok(out)
}
