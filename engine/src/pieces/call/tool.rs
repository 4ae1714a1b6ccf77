//! Mid-call tool triggers: a platform asks for a tool's result while the caller waits on the
//! line. Each tool call of a request starts its own run (a router on `trigger.tool.name` picks
//! the work), the runs are answered together in the platform's format, and the answer leaves
//! before the platform's own timeout, also when a run fails or is slow.
//!
//! Answers per platform (`shared/reference/call-platforms.md`):
//! - Vapi: HTTP 200 `{"results":[{"name","toolCallId","result"|"error"}]}`, one result per tool
//!   call, every `result`/`error` a single-line string (Vapi ignores any other status).
//! - Retell (custom function) and Famulor (mid-call tool): the flow's `respond` step as it is
//!   (its body goes to the model); a failed run answers 200 `{"error": "…"}` so the agent can
//!   say so instead of the platform retrying a failing flow.
//! - Generic: HTTP 200 `{"results":[{"id","name","result"|"error"}]}`, results as JSON values.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::normalize::{Platform, ToolCall, normalize};
use super::trigger::{body_of, verify};
use crate::exec::Response;
use crate::piece::{
    AnswerFormat, RunAnswer, TriggerError, TriggerEvent, TriggerRequest, TriggerSource,
};

/// The platforms that call tools mid-call.
pub const TOOL_PLATFORMS: [Platform; 4] =
    [Platform::Vapi, Platform::Retell, Platform::Famulor, Platform::Generic];

/// The trigger name of a platform's tool trigger (`vapi_tool`).
pub fn trigger_name(platform: Platform) -> String {
    format!("{}_tool", platform.as_str())
}

/// How long the platform waits for an answer unless the trigger's `timeout_sec` says otherwise.
pub fn default_timeout_sec(platform: Platform) -> u64 {
    match platform {
        // `Server.timeoutSeconds` defaults to 20.
        Platform::Vapi => 20,
        // A custom function's `timeout_ms` defaults to 120 000.
        Platform::Retell => 120,
        // Famulor's tool `timeout` and the generic schema have no documented default.
        _ => 10,
    }
}

/// The mid-call tool trigger of one platform.
#[derive(Debug, Clone, Copy)]
pub struct ToolTrigger(pub Platform);

impl TriggerSource for ToolTrigger {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        self.events(props, request)?
            .into_iter()
            .next()
            .ok_or_else(|| TriggerError::Ignored("the request holds no tool call".into()))
    }

    fn events(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<Vec<TriggerEvent>, TriggerError> {
        tool_events(self.0, props, request, chrono::Utc::now().timestamp())
    }

    fn answers(&self) -> Option<&dyn AnswerFormat> {
        Some(self)
    }
}

/// [`ToolTrigger::events`] at the given time (Unix seconds).
pub(super) fn tool_events(
    platform: Platform,
    props: &Map<String, Value>,
    request: &TriggerRequest,
    now: i64,
) -> Result<Vec<TriggerEvent>, TriggerError> {
    verify(platform, props, request, now)?;
    let body = body_of(platform, request)?;
    let normalized =
        normalize(platform, &body).map_err(|e| TriggerError::Malformed(e.to_string()))?;
    if !normalized.is_tool_request() {
        return Err(TriggerError::Ignored(format!(
            "{platform} `{}` is not a tool call: this flow answers tool calls only",
            normalized.event
        )));
    }
    let all: Vec<Value> = normalized.tool_calls.iter().map(tool_value).collect();
    let single = normalized.tool_calls.len() == 1;
    Ok(normalized
        .tool_calls
        .iter()
        .enumerate()
        .map(|(i, tool)| TriggerEvent {
            output: json!({
                "call": normalized.call,
                "event": normalized.event,
                "tool": tool_value(tool),
                "tool_calls": all,
            }),
            dedupe_key: Some(match (&tool.id, single) {
                (Some(id), _) => format!("{}:{id}", normalized.dedupe_key),
                (None, true) => normalized.dedupe_key.clone(),
                (None, false) => format!("{}:{i}", normalized.dedupe_key),
            }),
        })
        .collect())
}

fn tool_value(t: &ToolCall) -> Value {
    json!({ "name": t.name, "id": t.id, "arguments": t.arguments })
}

impl AnswerFormat for ToolTrigger {
    fn deadline(&self, props: &Map<String, Value>) -> Duration {
        let seconds = match props.get("timeout_sec") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default_timeout_sec(self.0) as f64)
        .min(3600.0);
        let timeout = Duration::from_secs_f64(seconds);
        // Leave time for the answer to travel: a second, or a quarter of a short timeout.
        timeout - (timeout / 4).min(Duration::from_secs(1))
    }

    fn answer(&self, events: &[TriggerEvent], outcomes: &[RunAnswer]) -> Response {
        match self.0 {
            Platform::Vapi => results(events, outcomes, |tool, outcome| {
                let mut r = json!({ "name": tool["name"], "toolCallId": tool["id"] });
                match outcome {
                    Ok(v) => r["result"] = Value::String(single_line(&text_of(&v))),
                    Err(e) => r["error"] = Value::String(single_line(&e)),
                }
                r
            }),
            Platform::Generic => results(events, outcomes, |tool, outcome| {
                let mut r = json!({ "id": tool["id"], "name": tool["name"] });
                match outcome {
                    Ok(v) => r["result"] = v,
                    Err(e) => r["error"] = Value::String(e),
                }
                r
            }),
            _ => match outcomes.first() {
                Some(RunAnswer::Responded(r)) => r.clone(),
                Some(RunAnswer::Finished(output)) => ok(output.clone()),
                Some(other) => ok(json!({ "error": failure(other).unwrap_or_default() })),
                None => ok(json!({ "error": "the request held no tool call" })),
            },
        }
    }
}

fn ok(body: Value) -> Response {
    Response { status: 200, headers: Default::default(), body }
}

/// `{"results": [...]}`, one entry per event, built by `entry(tool, Ok(result) | Err(error))`.
fn results(
    events: &[TriggerEvent],
    outcomes: &[RunAnswer],
    entry: impl Fn(&Value, Result<Value, String>) -> Value,
) -> Response {
    let list: Vec<Value> = events
        .iter()
        .zip(outcomes)
        .map(|(event, outcome)| {
            let tool = &event.output["tool"];
            let result = match failure(outcome) {
                Some(error) => Err(error),
                None => Ok(match outcome {
                    RunAnswer::Responded(r) => r.body.clone(),
                    RunAnswer::Finished(v) => v.clone(),
                    _ => Value::Null,
                }),
            };
            entry(tool, result.map(|v| if v.is_null() { json!("done") } else { v }))
        })
        .collect();
    ok(json!({ "results": list }))
}

/// Why an outcome is a failure the agent should hear about, or `None` for a result.
fn failure(outcome: &RunAnswer) -> Option<String> {
    match outcome {
        RunAnswer::Responded(r) if r.status >= 400 => Some(match text_of(&r.body) {
            t if t.trim().is_empty() => format!("the tool answered with HTTP status {}", r.status),
            t => t,
        }),
        RunAnswer::Responded(_) | RunAnswer::Finished(_) => None,
        RunAnswer::Failed(why) => Some(format!("the tool failed: {why}")),
        RunAnswer::TimedOut => {
            Some("the tool took too long to answer; please try again in a moment".into())
        }
    }
}

/// A value as the text a model reads: strings as they are, anything else as compact JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Vapi rejects results with line breaks: every run of whitespace containing one becomes a space.
fn single_line(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_owned();
    }
    s.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::pieces::call::trigger::tests::{props, request};

    fn responded(status: u16, body: Value) -> RunAnswer {
        RunAnswer::Responded(Response { status, headers: Default::default(), body })
    }

    const VAPI_BATCH: &str = r#"{"message":{"type":"tool-calls","call":{"id":"call-1"},
        "toolCallList":[
          {"id":"tc_a","type":"function","function":{"name":"check_slot","arguments":"{\"day\":\"tue\"}"}},
          {"id":"tc_b","type":"function","function":{"name":"book_slot","arguments":{"day":"tue","time":"14:30"}}}],
        "toolWithToolCallList":[]}}"#;

    #[test]
    fn a_vapi_batch_is_one_event_per_tool_call_answered_together_on_single_lines() {
        let p = props(json!({ "secret": "s3cret" }));
        let r = request(&[("x-vapi-secret", "s3cret")], &[], VAPI_BATCH);
        let events = tool_events(Platform::Vapi, &p, &r, 0).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].output["tool"]["name"], "check_slot");
        assert_eq!(events[0].output["tool"]["arguments"]["day"], "tue");
        assert_eq!(events[1].output["tool"]["arguments"]["time"], "14:30");
        assert_eq!(events[1].output["tool_calls"].as_array().unwrap().len(), 2);
        assert_ne!(events[0].dedupe_key, events[1].dedupe_key);
        assert!(events[1].dedupe_key.as_deref().unwrap().ends_with(":tc_b"));

        let answer = ToolTrigger(Platform::Vapi).answer(
            &events,
            &[
                responded(200, json!("Tuesday:\n 14:30 and\r\n16:00 are free")),
                RunAnswer::Failed("step `book` failed: HTTP 409\nslot taken".into()),
            ],
        );
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.body,
            json!({ "results": [
                { "name": "check_slot", "toolCallId": "tc_a", "result": "Tuesday: 14:30 and 16:00 are free" },
                { "name": "book_slot", "toolCallId": "tc_b", "error": "the tool failed: step `book` failed: HTTP 409 slot taken" },
            ]})
        );
    }

    #[test]
    fn vapi_results_are_strings_and_errors_are_spoken_not_statuses() {
        let p = props(json!({ "secret": "s3cret" }));
        let r = request(&[("x-vapi-secret", "s3cret")], &[], VAPI_BATCH);
        let events = tool_events(Platform::Vapi, &p, &r, 0).unwrap();
        let answer = ToolTrigger(Platform::Vapi).answer(
            &events,
            &[RunAnswer::Finished(json!({ "free": [14, 16] })), responded(404, json!(""))],
        );
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body["results"][0]["result"], r#"{"free":[14,16]}"#);
        assert_eq!(answer.body["results"][1]["error"], "the tool answered with HTTP status 404");
        let late = ToolTrigger(Platform::Vapi)
            .answer(&events, &[RunAnswer::TimedOut, RunAnswer::Finished(Value::Null)]);
        assert!(late.body["results"][0]["error"].as_str().unwrap().contains("too long"));
        assert_eq!(late.body["results"][1]["result"], "done");
    }

    #[test]
    fn a_retell_function_is_answered_with_the_respond_body_or_a_spoken_error() {
        let body = include_str!("samples/retell-tool_call.json");
        let key = "key_test";
        let signature = super::super::sign::retell(body.as_bytes(), key, 1_714_608_475_945);
        let r = request(&[("x-retell-signature", &signature)], &[], body);
        let p = props(json!({ "api_key": key }));
        let events = tool_events(Platform::Retell, &p, &r, 1_714_608_476).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].output["tool"]["name"], "book_slot");
        assert_eq!(events[0].output["call"]["call_id"], "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
        let t = ToolTrigger(Platform::Retell);
        let answer = t.answer(&events, &[responded(200, json!({ "status": "booked" }))]);
        assert_eq!(answer.body, json!({ "status": "booked" }));
        let failed = t.answer(&events, &[RunAnswer::Failed("HubSpot is down".into())]);
        assert_eq!(
            (failed.status, failed.body),
            (200, json!({ "error": "the tool failed: HubSpot is down" }))
        );
    }

    #[test]
    fn famulor_tools_need_their_url_token_and_post_call_reports_are_not_tool_calls() {
        let p = props(json!({ "token": "tok" }));
        let body = include_str!("samples/famulor-tool_call.json");
        let events =
            tool_events(Platform::Famulor, &p, &request(&[], &[("token", "tok")], body), 0)
                .unwrap();
        assert_eq!(events[0].output["tool"]["arguments"]["date"], "2026-05-06");
        assert!(matches!(
            tool_events(Platform::Famulor, &p, &request(&[], &[], body), 0),
            Err(TriggerError::Unauthorized(_))
        ));
        let report = include_str!("samples/famulor-post_call.json");
        assert!(matches!(
            tool_events(Platform::Famulor, &p, &request(&[], &[("token", "tok")], report), 0),
            Err(TriggerError::Ignored(_))
        ));
    }

    #[test]
    fn the_generic_answer_keeps_json_results() {
        let body = include_str!("samples/generic-tool_call.json");
        let events =
            tool_events(Platform::Generic, &Map::new(), &request(&[], &[], body), 0).unwrap();
        let answer = ToolTrigger(Platform::Generic)
            .answer(&events, &[responded(200, json!({ "status": "shipped" }))]);
        assert_eq!(
            answer.body,
            json!({ "results": [{ "id": "tc_1", "name": "lookup_order", "result": { "status": "shipped" } }] })
        );
    }

    #[test]
    fn deadlines_come_from_the_platform_timeout_less_a_margin() {
        let vapi = ToolTrigger(Platform::Vapi);
        assert_eq!(vapi.deadline(&Map::new()), Duration::from_secs(19));
        assert_eq!(vapi.deadline(&props(json!({ "timeout_sec": 2 }))), Duration::from_millis(1500));
        assert_eq!(vapi.deadline(&props(json!({ "timeout_sec": "5" }))), Duration::from_secs(4));
        assert_eq!(vapi.deadline(&props(json!({ "timeout_sec": -3 }))), Duration::from_secs(19));
        assert_eq!(ToolTrigger(Platform::Retell).deadline(&Map::new()), Duration::from_secs(119));
    }
}
