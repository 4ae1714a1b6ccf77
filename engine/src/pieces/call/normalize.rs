//! Call-platform payloads normalised into `trigger.call`.
//!
//! Every supported AI call platform posts its own webhook shape. [`normalize`] turns one payload
//! into the single object flows read as `trigger.call` (DESIGN section 5):
//!
//! ```text
//! { platform, event, call_id, direction, from, to, status, started_at, ended_at, duration_sec,
//!   ended_reason, transcript, messages[{role, text, at_sec}], summary, recording_url,
//!   extracted{…}, sentiment, successful, cost, raw{…} }
//! ```
//!
//! Conventions, whatever the platform:
//!
//! - every key is present; a value the platform does not give is `null`, except `messages`
//!   (`[]` when there are none) and `extracted` (`{}` when there is nothing);
//! - `direction` is `inbound`, `outbound` or `web`;
//! - `status` uses one vocabulary: `queued`, `ringing`, `in_progress`, `forwarding`, `ended`,
//!   `busy`, `no_answer`, `failed`, `canceled` (an unknown platform status is passed on lowercased,
//!   with `-` and spaces turned into `_`);
//! - `started_at` / `ended_at` are RFC 3339 UTC strings (`2026-05-04T14:02:11Z`), whether the
//!   platform sends ISO 8601 with an offset, RFC 2822, or epoch seconds / milliseconds;
//! - `duration_sec` is in seconds (Retell milliseconds, Bland minutes and Twilio strings are
//!   converted), computed from the two timestamps when the platform has no duration field;
//! - `messages[].role` is `agent`, `user`, `tool` or `system`; `at_sec` is seconds from the call's
//!   start when known; `transcript` is plain text (`Agent: …\nUser: …` when built from messages);
//! - `from` / `to` are compacted to E.164 (`+14155550123`) when the platform gives an E.164
//!   number, and passed on unchanged otherwise (SIP URIs, `client:…`, `anonymous`);
//! - `ended_reason` and `sentiment` keep the platform's own words (sentiment lowercased);
//!   `successful` is a boolean only when the platform says so;
//! - `cost` is the call's price in US dollars when the platform reports one in money;
//! - `raw` is the payload exactly as received.
//!
//! [`Normalized`] also carries the event name (per platform, see [`Normalized::event`]), the
//! idempotency key and, for mid-call tool requests, the list of tool calls. The field-by-field
//! mapping for each platform is in `MAPPING.md` beside this module.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

mod bland;
mod elevenlabs;
mod famulor;
mod generic;
mod retell;
mod synthflow;
mod twilio;
mod vapi;

#[cfg(test)]
mod tests;

pub use generic::GENERIC_SCHEMA_DOC;

/// The call platform a payload comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Vapi server-URL messages (`{"message": {"type": …}}`).
    Vapi,
    /// Retell AI webhooks (`{"event", "call"}`) and custom-function requests.
    Retell,
    /// Bland AI post-call webhook (the call object).
    Bland,
    /// Twilio Voice status callbacks (form fields given as a JSON object of strings).
    Twilio,
    /// ElevenLabs Conversational AI post-call webhooks (`{"type", "data"}`).
    ElevenLabs,
    /// Synthflow post-call webhook.
    Synthflow,
    /// Famulor post-call webhook and mid-call tool requests.
    Famulor,
    /// The generic schema a user's own system can post (see [`GENERIC_SCHEMA_DOC`]).
    Generic,
}

impl Platform {
    /// Every platform, in documentation order.
    pub const ALL: [Platform; 8] = [
        Platform::Vapi,
        Platform::Retell,
        Platform::Bland,
        Platform::Twilio,
        Platform::ElevenLabs,
        Platform::Synthflow,
        Platform::Famulor,
        Platform::Generic,
    ];

    /// The platform's identifier, as it appears in `trigger.call.platform`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Vapi => "vapi",
            Platform::Retell => "retell",
            Platform::Bland => "bland",
            Platform::Twilio => "twilio",
            Platform::ElevenLabs => "elevenlabs",
            Platform::Synthflow => "synthflow",
            Platform::Famulor => "famulor",
            Platform::Generic => "generic",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = NormalizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
            .ok_or_else(|| NormalizeError::UnknownPlatform(s.to_string()))
    }
}

/// Why a payload could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// A field the platform always sends is absent (or `null`).
    #[error("{platform} payload is missing `{path}`")]
    Missing {
        /// The platform whose shape was expected.
        platform: Platform,
        /// JSON path of the missing field, e.g. `$.message.call.id`.
        path: String,
    },
    /// A field is present but has the wrong JSON type.
    #[error("{platform} payload has `{path}` of the wrong type: expected {expected}")]
    WrongType {
        /// The platform whose shape was expected.
        platform: Platform,
        /// JSON path of the offending field.
        path: String,
        /// What was expected there (e.g. "an object").
        expected: &'static str,
    },
    /// The platform name is not one of [`Platform::ALL`].
    #[error("unknown call platform `{0}`")]
    UnknownPlatform(String),
}

/// One tool (function) call of a mid-call tool request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall {
    /// The tool's name (empty for Famulor, which does not send it: the endpoint is per tool).
    pub name: String,
    /// The platform's id for this call, to be echoed in the answer (Vapi `toolCallId`).
    pub id: Option<String>,
    /// The arguments, as a JSON value (Vapi's string-encoded arguments are parsed).
    pub arguments: Value,
}

/// A normalised call-platform payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Normalized {
    /// The `trigger.call` object: every key present, `raw` = the payload as received.
    pub call: Value,
    /// The event name. Per platform: Vapi's `message.type` (`end-of-call-report`,
    /// `status-update`, `tool-calls`, …); Retell's `event` (`call_started`, `call_ended`,
    /// `call_analyzed`, …) or `tool_call` for a custom-function request; Twilio's `CallStatus`
    /// (`initiated`, `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, `canceled`,
    /// `failed`); ElevenLabs' `type` (`post_call_transcription`, `post_call_audio`,
    /// `call_initiation_failure`); `post_call` for Bland, Synthflow and Famulor, and `tool_call`
    /// for a Famulor mid-call tool; the generic schema's `event`.
    pub event: String,
    /// The idempotency key: the same delivery (a retry) gives the same key.
    pub dedupe_key: String,
    /// The tool calls of a mid-call tool request; empty for every other event.
    pub tool_calls: Vec<ToolCall>,
}

impl Normalized {
    /// Whether the payload is a mid-call tool request that expects an answer.
    pub fn is_tool_request(&self) -> bool {
        !self.tool_calls.is_empty()
    }
}

/// Normalises one webhook payload from `platform` into `trigger.call`.
///
/// Twilio's form-encoded fields are given as a JSON object of strings.
pub fn normalize(platform: Platform, body: &Value) -> Result<Normalized, NormalizeError> {
    if !body.is_object() {
        return Err(NormalizeError::WrongType {
            platform,
            path: "$".to_string(),
            expected: "a JSON object",
        });
    }
    match platform {
        Platform::Vapi => vapi::normalize(body),
        Platform::Retell => retell::normalize(body),
        Platform::Bland => bland::normalize(body),
        Platform::Twilio => twilio::normalize(body),
        Platform::ElevenLabs => elevenlabs::normalize(body),
        Platform::Synthflow => synthflow::normalize(body),
        Platform::Famulor => famulor::normalize(body),
        Platform::Generic => generic::normalize(body),
    }
}

// ---------------------------------------------------------------------------------------------
// The call object under construction.

/// One transcript line.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    role: &'static str,
    text: String,
    at_sec: Option<f64>,
}

/// The normalised fields before they become `trigger.call`.
#[derive(Debug, Default)]
struct Fields {
    call_id: Option<String>,
    direction: Option<&'static str>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    duration_sec: Option<f64>,
    ended_reason: Option<String>,
    transcript: Option<String>,
    messages: Vec<Message>,
    summary: Option<String>,
    recording_url: Option<String>,
    extracted: Map<String, Value>,
    sentiment: Option<String>,
    successful: Option<bool>,
    cost: Option<f64>,
}

impl Fields {
    /// Fills what can be derived (duration from timestamps, one timestamp from the other plus
    /// the duration, transcript from messages and back) and builds the `trigger.call` value.
    fn finish(mut self, platform: Platform, event: &str, raw: &Value) -> Value {
        if self.duration_sec.is_none()
            && let (Some(s), Some(e)) = (self.started_at, self.ended_at)
        {
            let ms = (e - s).num_milliseconds();
            if ms >= 0 {
                self.duration_sec = Some(ms as f64 / 1000.0);
            }
        }
        if let Some(d) = self.duration_sec
            && let Some(delta) = chrono::Duration::try_milliseconds((d * 1000.0).round() as i64)
        {
            if self.ended_at.is_none()
                && let Some(s) = self.started_at
            {
                self.ended_at = s.checked_add_signed(delta);
            } else if self.started_at.is_none()
                && let Some(e) = self.ended_at
            {
                self.started_at = e.checked_sub_signed(delta);
            }
        }
        if self.messages.is_empty()
            && let Some(t) = &self.transcript
        {
            self.messages = parse_transcript(t);
        }
        if self.transcript.is_none() && !self.messages.is_empty() {
            self.transcript = Some(render_transcript(&self.messages));
        }
        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|m| json!({"role": m.role, "text": m.text, "at_sec": m.at_sec.map(num)}))
            .collect();
        json!({
            "platform": platform.as_str(),
            "event": event,
            "call_id": self.call_id,
            "direction": self.direction,
            "from": self.from,
            "to": self.to,
            "status": self.status,
            "started_at": self.started_at.map(rfc3339),
            "ended_at": self.ended_at.map(rfc3339),
            "duration_sec": self.duration_sec.map(num),
            "ended_reason": self.ended_reason,
            "transcript": self.transcript,
            "messages": messages,
            "summary": self.summary,
            "recording_url": self.recording_url,
            "extracted": self.extracted,
            "sentiment": self.sentiment,
            "successful": self.successful,
            "cost": self.cost.map(num),
            "raw": raw,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Access helpers. Optional reads treat `null` and empty strings as absent.

/// `$.a.b` for the path `["a", "b"]`.
fn json_path(path: &[&str]) -> String {
    let mut s = String::from("$");
    for p in path {
        if p.starts_with('[') {
            s.push_str(p);
        } else {
            s.push('.');
            s.push_str(p);
        }
    }
    s
}

/// The value at `path` under `v`, `None` when absent or `null`.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get(*p)?,
            Value::Array(a) => {
                let idx: usize = p.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
                a.get(idx)?
            }
            _ => return None,
        };
    }
    (!cur.is_null()).then_some(cur)
}

/// A non-empty string (numbers and booleans are written out) at `path`.
fn opt_str(v: &Value, path: &[&str]) -> Option<String> {
    match at(v, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number at `path`, also read from a numeric string.
fn opt_f64(v: &Value, path: &[&str]) -> Option<f64> {
    match at(v, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A boolean at `path`, also read from `"true"` / `"false"` strings.
fn opt_bool(v: &Value, path: &[&str]) -> Option<bool> {
    match at(v, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => bool_word(s),
        _ => None,
    }
}

/// An object at `path` (a clone), or an empty map.
fn obj_or_empty(v: &Value, path: &[&str]) -> Map<String, Value> {
    match at(v, path) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// The required object at `path` under the payload root.
fn req_obj<'a>(
    platform: Platform,
    root: &'a Value,
    path: &[&str],
) -> Result<&'a Map<String, Value>, NormalizeError> {
    match at(root, path) {
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(NormalizeError::WrongType {
            platform,
            path: json_path(path),
            expected: "an object",
        }),
        None => Err(NormalizeError::Missing { platform, path: json_path(path) }),
    }
}

/// The required string (or number, written out) at `path` under the payload root.
fn req_str(platform: Platform, root: &Value, path: &[&str]) -> Result<String, NormalizeError> {
    match at(root, path) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::String(_)) | None => {
            Err(NormalizeError::Missing { platform, path: json_path(path) })
        }
        Some(_) => Err(NormalizeError::WrongType {
            platform,
            path: json_path(path),
            expected: "a string or a number",
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions.

/// A JSON number, integral when the value is whole (so `167`, not `167.0`).
fn num(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// RFC 3339 in UTC, with fractional seconds only when there are some.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Epoch seconds, or milliseconds when the magnitude says so (after the year 5138 in seconds).
fn from_epoch(f: f64) -> Option<DateTime<Utc>> {
    let ms = if f.abs() >= 1.0e11 { f } else { f * 1000.0 };
    Utc.timestamp_millis_opt(ms.round() as i64).single()
}

/// A timestamp from epoch seconds / milliseconds, RFC 3339 / ISO 8601, RFC 2822, or a naive
/// `YYYY-MM-DD HH:MM:SS` read as UTC.
fn parse_ts(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            if let Ok(f) = s.parse::<f64>() {
                return from_epoch(f);
            }
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Some(t.with_timezone(&Utc));
            }
            if let Ok(t) = DateTime::parse_from_rfc2822(s) {
                return Some(t.with_timezone(&Utc));
            }
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(|n| n.and_utc())
        }
        _ => None,
    }
}

/// The timestamp at `path`.
fn opt_ts(v: &Value, path: &[&str]) -> Option<DateTime<Utc>> {
    at(v, path).and_then(parse_ts)
}

/// `true`/`false` words: `true`, `yes`, `success`, `pass`, `successful` and their opposites.
fn bool_word(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "success" | "successful" | "pass" | "passed" => Some(true),
        "false" | "no" | "failure" | "failed" | "unsuccessful" | "fail" => Some(false),
        _ => None,
    }
}

/// A phone number compacted to E.164 when it is one; anything else unchanged.
fn phone(s: Option<String>) -> Option<String> {
    let s = s?;
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix('+')
        && rest.chars().all(|c| c.is_ascii_digit() || " -().".contains(c))
    {
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if (7..=15).contains(&digits.len()) {
            return Some(format!("+{digits}"));
        }
    }
    Some(t.to_string())
}

/// The shared status vocabulary (see the module docs).
fn status(s: &str) -> String {
    let k = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let mapped = match k.as_str() {
        "scheduled" | "queued" | "queue" | "registered" | "initiated" | "new" | "pending" => {
            "queued"
        }
        "ringing" => "ringing",
        "in_progress" | "ongoing" | "answered" | "active" | "started" => "in_progress",
        "forwarding" | "transferring" => "forwarding",
        "ended" | "completed" | "complete" | "done" | "finished" => "ended",
        "busy" => "busy",
        "no_answer" | "not_answered" | "unanswered" => "no_answer",
        "failed" | "error" | "not_found" | "not_connected" | "deletion_failed" => "failed",
        "canceled" | "cancelled" => "canceled",
        _ => return k,
    };
    mapped.to_string()
}

/// Message role vocabulary: `agent`, `user`, `tool`, `system`.
fn role(s: &str) -> &'static str {
    match s.trim().to_ascii_lowercase().as_str() {
        "agent" | "assistant" | "bot" | "ai" | "robot" => "agent",
        "system" => "system",
        "tool"
        | "tool_calls"
        | "tool_call_result"
        | "tool_call_invocation"
        | "function"
        | "agent-action"
        | "agent_action" => "tool",
        _ => "user",
    }
}

/// The role for a `Label:` prefix in a plain-text transcript, when the label is a known one.
fn label_role(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_lowercase().as_str() {
        "agent" | "assistant" | "bot" | "ai" | "robot" => Some("agent"),
        "user" | "human" | "customer" | "caller" => Some("user"),
        "system" => Some("system"),
        "tool" => Some("tool"),
        _ => None,
    }
}

/// Splits a `Role: text` transcript into messages; unlabelled lines continue the last one.
fn parse_transcript(t: &str) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for line in t.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let labelled = line
            .split_once(':')
            .and_then(|(label, text)| label_role(label).map(|r| (r, text.trim())));
        match (labelled, out.last_mut()) {
            (Some((role, text)), _) => {
                out.push(Message { role, text: text.to_string(), at_sec: None })
            }
            (None, Some(last)) => {
                last.text.push(' ');
                last.text.push_str(line);
            }
            (None, None) => {
                out.push(Message { role: "user", text: line.to_string(), at_sec: None })
            }
        }
    }
    out
}

/// `Agent: …\nUser: …` from messages.
fn render_transcript(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| {
            let label = match m.role {
                "agent" => "Agent",
                "tool" => "Tool",
                "system" => "System",
                _ => "User",
            };
            format!("{label}: {}", m.text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tool-call arguments: a JSON string is parsed (kept as a string when it is not JSON).
fn arguments(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => {
            if s.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
            }
        }
        Some(v) => v.clone(),
        None => Value::Object(Map::new()),
    }
}

/// A short stable digest of a JSON value, for dedupe keys of requests without an id.
fn digest(v: &Value) -> String {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    Sha256::digest(&bytes).iter().take(8).map(|b| format!("{b:02x}")).collect()
}
