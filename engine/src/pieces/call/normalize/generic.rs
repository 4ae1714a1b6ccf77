//! The generic call schema, for a user's own system (or any platform Switchboard does not know).
//!
//! POST a JSON object shaped like `trigger.call` itself; only `event` and `call_id` are required:
//!
//! ```json
//! {
//!   "$schema": "https://json-schema.org/draft/2020-12/schema",
//!   "title": "Switchboard generic call event",
//!   "type": "object",
//!   "required": ["event", "call_id"],
//!   "properties": {
//!     "event":        {"type": "string", "description": "call_started | call_ended | call_analyzed | status_update | tool_call, or your own"},
//!     "call_id":      {"type": ["string", "integer"]},
//!     "direction":    {"enum": ["inbound", "outbound", "web", null]},
//!     "from":         {"type": ["string", "null"], "description": "E.164 when a phone number"},
//!     "to":           {"type": ["string", "null"]},
//!     "status":       {"type": ["string", "null"], "description": "queued | ringing | in_progress | forwarding | ended | busy | no_answer | failed | canceled"},
//!     "started_at":   {"type": ["string", "number", "null"], "description": "RFC 3339, or epoch seconds / milliseconds"},
//!     "ended_at":     {"type": ["string", "number", "null"]},
//!     "duration_sec": {"type": ["number", "string", "null"]},
//!     "ended_reason": {"type": ["string", "null"]},
//!     "transcript":   {"type": ["string", "null"], "description": "plain text; 'Agent: …' / 'User: …' lines become messages"},
//!     "messages":     {"type": "array", "items": {"type": "object", "required": ["role", "text"],
//!                      "properties": {"role": {"description": "agent | user | tool | system (assistant, bot, human … accepted)"},
//!                                     "text": {"type": "string"}, "at_sec": {"type": ["number", "null"]}}}},
//!     "summary":       {"type": ["string", "null"]},
//!     "recording_url": {"type": ["string", "null"]},
//!     "extracted":     {"type": "object"},
//!     "sentiment":     {"type": ["string", "null"]},
//!     "successful":    {"type": ["boolean", "string", "null"]},
//!     "cost":          {"type": ["number", "null"], "description": "US dollars"},
//!     "tool_calls":    {"type": "array", "description": "present for a mid-call tool request",
//!                       "items": {"type": "object", "required": ["name"],
//!                                 "properties": {"name": {"type": "string"}, "id": {"type": "string"},
//!                                                "arguments": {"type": ["object", "string"]}}}}
//!   }
//! }
//! ```
//!
//! The idempotency key is `call_id` + `event` (+ the tool-call ids, or a digest of the
//! arguments, for a tool request).

use serde_json::Value;

use super::{
    Fields, Message, NormalizeError, Normalized, Platform, ToolCall, arguments, at, digest,
    obj_or_empty, opt_bool, opt_f64, opt_str, opt_ts, phone, req_str, role, status,
};

const P: Platform = Platform::Generic;

/// The generic call schema (JSON Schema, draft 2020-12), also shown in this module's docs.
pub const GENERIC_SCHEMA_DOC: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Switchboard generic call event",
  "type": "object",
  "required": ["event", "call_id"],
  "properties": {
    "event": {"type": "string"},
    "call_id": {"type": ["string", "integer"]},
    "direction": {"enum": ["inbound", "outbound", "web", null]},
    "from": {"type": ["string", "null"]},
    "to": {"type": ["string", "null"]},
    "status": {"type": ["string", "null"]},
    "started_at": {"type": ["string", "number", "null"]},
    "ended_at": {"type": ["string", "number", "null"]},
    "duration_sec": {"type": ["number", "string", "null"]},
    "ended_reason": {"type": ["string", "null"]},
    "transcript": {"type": ["string", "null"]},
    "messages": {"type": "array", "items": {"type": "object", "required": ["role", "text"],
      "properties": {"role": {"type": "string"}, "text": {"type": "string"},
                     "at_sec": {"type": ["number", "null"]}}}},
    "summary": {"type": ["string", "null"]},
    "recording_url": {"type": ["string", "null"]},
    "extracted": {"type": "object"},
    "sentiment": {"type": ["string", "null"]},
    "successful": {"type": ["boolean", "string", "null"]},
    "cost": {"type": ["number", "null"]},
    "tool_calls": {"type": "array", "items": {"type": "object", "required": ["name"],
      "properties": {"name": {"type": "string"}, "id": {"type": "string"},
                     "arguments": {"type": ["object", "string"]}}}}
  }
}"#;

pub(super) fn normalize(body: &Value) -> Result<Normalized, NormalizeError> {
    let event = req_str(P, body, &["event"])?;
    let call_id = req_str(P, body, &["call_id"])?;

    let messages = at(body, &["messages"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| {
                    Some(Message {
                        role: role(&opt_str(m, &["role"])?),
                        text: opt_str(m, &["text"]).unwrap_or_default(),
                        at_sec: opt_f64(m, &["at_sec"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let mut tool_calls = Vec::new();
    if let Some(list) = at(body, &["tool_calls"]).and_then(Value::as_array) {
        for (i, t) in list.iter().enumerate() {
            let name = opt_str(t, &["name"]).ok_or_else(|| NormalizeError::Missing {
                platform: P,
                path: format!("$.tool_calls[{i}].name"),
            })?;
            tool_calls.push(ToolCall {
                name,
                id: opt_str(t, &["id"]),
                arguments: arguments(at(t, &["arguments"])),
            });
        }
    }

    let fields = Fields {
        call_id: Some(call_id.clone()),
        direction: match opt_str(body, &["direction"]).map(|d| d.to_ascii_lowercase()).as_deref() {
            Some("inbound") => Some("inbound"),
            Some(d) if d.starts_with("outbound") => Some("outbound"),
            Some("web") => Some("web"),
            _ => None,
        },
        from: phone(opt_str(body, &["from"])),
        to: phone(opt_str(body, &["to"])),
        status: opt_str(body, &["status"]).map(|s| status(&s)),
        started_at: opt_ts(body, &["started_at"]),
        ended_at: opt_ts(body, &["ended_at"]),
        duration_sec: opt_f64(body, &["duration_sec"]),
        ended_reason: opt_str(body, &["ended_reason"]),
        transcript: opt_str(body, &["transcript"]),
        messages,
        summary: opt_str(body, &["summary"]),
        recording_url: opt_str(body, &["recording_url"]),
        extracted: obj_or_empty(body, &["extracted"]),
        sentiment: opt_str(body, &["sentiment"]).map(|s| s.to_ascii_lowercase()),
        successful: opt_bool(body, &["successful"]),
        cost: opt_f64(body, &["cost"]),
    };

    let dedupe_key = if tool_calls.is_empty() {
        format!("generic:{call_id}:{event}")
    } else {
        let ids: Vec<String> = tool_calls.iter().filter_map(|t| t.id.clone()).collect();
        let tail = if ids.len() == tool_calls.len() {
            ids.join(",")
        } else {
            digest(at(body, &["tool_calls"]).unwrap_or(&Value::Null))
        };
        format!("generic:{call_id}:{event}:{tail}")
    };
    Ok(Normalized { call: fields.finish(P, &event, body), event, dedupe_key, tool_calls })
}
