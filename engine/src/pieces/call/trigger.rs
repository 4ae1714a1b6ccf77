//! The `call` piece's triggers: one per platform. Each checks the platform's signature
//! ([`super::verify`]), normalises the payload ([`super::normalize`]) and starts a run with
//! `trigger.call` (DESIGN section 5), `trigger.event` and, for mid-call tool requests,
//! `trigger.tool_calls`. A platform's retry of the same event is deduplicated by the
//! platform's own ids.

use serde_json::{Map, Value, json};

use super::normalize::{Platform, normalize};
use super::verify::{
    Delivery, VapiAuth, VapiHmacPlan, VerifyError, verify_bland, verify_elevenlabs, verify_famulor,
    verify_retell, verify_synthflow, verify_twilio, verify_vapi,
};
use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// The trigger of one platform.
#[derive(Debug, Clone, Copy)]
pub struct CallTrigger(pub Platform);

impl TriggerSource for CallTrigger {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        event_at(self.0, props, request, chrono::Utc::now().timestamp())
    }
}

fn text<'a>(props: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    props.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn required<'a>(
    platform: Platform,
    props: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a str, TriggerError> {
    text(props, name).ok_or_else(|| {
        TriggerError::Unauthorized(format!(
            "the {platform} call trigger is misconfigured: `{name}` is missing"
        ))
    })
}

fn refused(platform: Platform, e: &VerifyError) -> TriggerError {
    TriggerError::Unauthorized(format!("{platform} signature check failed: {e}"))
}

/// Checks the request as the platform signs it.
pub(super) fn verify(
    platform: Platform,
    props: &Map<String, Value>,
    request: &TriggerRequest,
    now: i64,
) -> Result<(), TriggerError> {
    let delivery = Delivery::from_request(request, now);
    let result = match platform {
        Platform::Vapi => {
            let secret = required(platform, props, "secret")?;
            let auth = match text(props, "auth") {
                None | Some("secret_header") => VapiAuth::secret_header(secret),
                Some("bearer") => VapiAuth::bearer(secret),
                Some("hmac") => VapiAuth::Hmac(VapiHmacPlan::new(secret)),
                Some(other) => {
                    return Err(TriggerError::Unauthorized(format!(
                        "the vapi call trigger is misconfigured: unknown `auth` `{other}` \
                         (secret_header, bearer or hmac)"
                    )));
                }
            };
            verify_vapi(&delivery, &auth)
        }
        Platform::Retell => verify_retell(&delivery, required(platform, props, "api_key")?),
        Platform::Bland => verify_bland(&delivery, required(platform, props, "secret")?),
        Platform::Twilio => {
            // The URL Twilio signed: the flow's public URL, unless the trigger names another.
            let url = text(props, "webhook_url").or(request.url.as_deref()).ok_or_else(|| {
                TriggerError::Unauthorized(
                    "the twilio call trigger is misconfigured: `webhook_url` is missing".into(),
                )
            })?;
            verify_twilio(&delivery, url, required(platform, props, "auth_token")?)
        }
        Platform::ElevenLabs => verify_elevenlabs(&delivery, required(platform, props, "secret")?),
        Platform::Synthflow => verify_synthflow(&delivery, required(platform, props, "secret")?),
        Platform::Famulor => {
            verify_famulor(&delivery, "token", required(platform, props, "token")?)
        }
        // The generic schema is the user's own system: a URL token when one is set.
        Platform::Generic => match text(props, "token") {
            Some(token) => verify_famulor(&delivery, "token", token),
            None => Ok(()),
        },
    };
    result.map_err(|e| refused(platform, &e))
}

/// The body as the platform sends it: JSON, or (Twilio) form fields as an object of strings.
pub(super) fn body_of(platform: Platform, request: &TriggerRequest) -> Result<Value, TriggerError> {
    let form = request
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if platform == Platform::Twilio && form {
        let pairs = crate::pieces::form_urlencoded_parse(&request.body);
        return Ok(Value::Object(crate::pieces::pairs_to_object(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )));
    }
    serde_json::from_slice(&request.body)
        .map_err(|e| TriggerError::Malformed(format!("the {platform} webhook is not JSON: {e}")))
}

/// [`CallTrigger::event`] at the given time (Unix seconds).
fn event_at(
    platform: Platform,
    props: &Map<String, Value>,
    request: &TriggerRequest,
    now: i64,
) -> Result<TriggerEvent, TriggerError> {
    verify(platform, props, request, now)?;
    let body = body_of(platform, request)?;
    let normalized =
        normalize(platform, &body).map_err(|e| TriggerError::Malformed(e.to_string()))?;
    if let Some(Value::Array(events)) = props.get("events")
        && !events.is_empty()
        && !events.iter().any(|e| e.as_str() == Some(normalized.event.as_str()))
    {
        return Err(TriggerError::Ignored(format!(
            "{platform} event `{}` is not one this flow takes",
            normalized.event
        )));
    }
    if let Some(Value::Array(statuses)) = props.get("statuses")
        && !statuses.is_empty()
    {
        let status = normalized.call.get("status").and_then(Value::as_str).unwrap_or_default();
        if !statuses.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(status))) {
            return Err(TriggerError::Ignored(format!(
                "{platform} call status `{status}` is not one this flow takes"
            )));
        }
    }
    let tool_calls: Vec<Value> = normalized
        .tool_calls
        .iter()
        .map(|t| json!({ "name": t.name, "id": t.id, "arguments": t.arguments }))
        .collect();
    Ok(TriggerEvent {
        output: json!({
            "call": normalized.call,
            "event": normalized.event,
            "tool_calls": tool_calls,
        }),
        dedupe_key: Some(normalized.dedupe_key),
    })
}

#[cfg(test)]
pub(super) mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A POST with these headers, query and body, as a platform sends it.
    pub(in crate::pieces::call) fn request(
        headers: &[(&str, &str)],
        query: &[(&str, &str)],
        body: &str,
    ) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            query: query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// Trigger props from a JSON object.
    pub(in crate::pieces::call) fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    const FAMULOR: &str = include_str!("samples/famulor-post_call.json");
    const VAPI_REPORT: &str = include_str!("samples/vapi-end-of-call-report.json");
    const VAPI_TOOLS: &str = include_str!("samples/vapi-tool-calls.json");

    #[test]
    fn a_famulor_call_with_its_url_token_starts_a_run_with_trigger_call() {
        let p = props(json!({ "token": "t0k3n-famulor" }));
        let ok = request(
            &[("content-type", "application/json")],
            &[("token", "t0k3n-famulor")],
            FAMULOR,
        );
        let e = event_at(Platform::Famulor, &p, &ok, 0).unwrap();
        assert_eq!(e.output["call"]["platform"], "famulor");
        assert_eq!(e.output["event"], "post_call");
        assert!(e.output["call"]["raw"].is_object());
        assert!(e.dedupe_key.unwrap().starts_with("famulor"));
        let wrong = request(&[], &[("token", "guess")], FAMULOR);
        assert!(matches!(
            event_at(Platform::Famulor, &p, &wrong, 0),
            Err(TriggerError::Unauthorized(_))
        ));
        let missing = request(&[], &[], FAMULOR);
        assert!(matches!(
            event_at(Platform::Famulor, &p, &missing, 0),
            Err(TriggerError::Unauthorized(_))
        ));
    }

    #[test]
    fn statuses_keep_only_the_calls_asked_for() {
        let ended = props(json!({ "token": "t", "statuses": ["ended"] }));
        let ok = request(&[], &[("token", "t")], FAMULOR);
        assert!(event_at(Platform::Famulor, &ended, &ok, 0).is_ok());
        let missed = props(json!({ "token": "t", "statuses": ["no_answer", "busy"] }));
        assert!(matches!(
            event_at(Platform::Famulor, &missed, &ok, 0),
            Err(TriggerError::Ignored(_))
        ));
    }

    #[test]
    fn vapi_events_are_filtered_and_tool_calls_listed() {
        let p = props(json!({ "secret": "vapi-secret", "events": ["end-of-call-report"] }));
        let signed = |body: &str| request(&[("x-vapi-secret", "vapi-secret")], &[], body).clone();
        let report = event_at(Platform::Vapi, &p, &signed(VAPI_REPORT), 0).unwrap();
        assert_eq!(report.output["event"], "end-of-call-report");
        assert!(report.output["call"]["duration_sec"].is_number());
        assert!(matches!(
            event_at(Platform::Vapi, &p, &signed(VAPI_TOOLS), 0),
            Err(TriggerError::Ignored(_))
        ));
        let all = props(json!({ "secret": "vapi-secret" }));
        let tools = event_at(Platform::Vapi, &all, &signed(VAPI_TOOLS), 0).unwrap();
        assert!(!tools.output["tool_calls"].as_array().unwrap().is_empty());
        let bad = request(&[("x-vapi-secret", "nope")], &[], VAPI_REPORT);
        assert!(matches!(
            event_at(Platform::Vapi, &all, &bad, 0),
            Err(TriggerError::Unauthorized(_))
        ));
        assert!(matches!(
            event_at(Platform::Vapi, &Map::new(), &signed(VAPI_REPORT), 0),
            Err(TriggerError::Unauthorized(_))
        ));
    }
}
