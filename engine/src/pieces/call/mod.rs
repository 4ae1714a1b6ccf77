//! The `call` piece's building blocks: each AI call platform's webhook signature check
//! ([`verify`]) and the normalisation of its payloads into one `trigger.call` object
//! ([`normalize`]), as DESIGN section 5 and `shared/reference/call-platforms.md` describe.

pub mod normalize;
pub mod sign;
pub mod tool;
pub mod trigger;
pub mod verify;

use std::sync::Arc;

use serde_json::{Value, json};

use self::normalize::Platform;
use super::{BuiltinPiece, Prop, svg_data_url};
use crate::piece::{AuthKind, PieceMeta, PropKind, PropMeta, TriggerMeta, TriggerSample};

/// The piece id.
pub const PIECE_ID: &str = "call";

/// A platform's reference payload for one event (`samples/<platform>-<event>.json`).
struct SampleFile {
    platform: Platform,
    event: &'static str,
    label: &'static str,
    json: &'static str,
}

const SAMPLE_FILES: &[SampleFile] = &[
    SampleFile {
        platform: Platform::Vapi,
        event: "end-of-call-report",
        label: "End-of-call report",
        json: include_str!("samples/vapi-end-of-call-report.json"),
    },
    SampleFile {
        platform: Platform::Vapi,
        event: "status-update",
        label: "Status update (ended)",
        json: include_str!("samples/vapi-status-update.json"),
    },
    SampleFile {
        platform: Platform::Vapi,
        event: "tool-calls",
        label: "Tool call",
        json: include_str!("samples/vapi-tool-calls.json"),
    },
    SampleFile {
        platform: Platform::Retell,
        event: "call_analyzed",
        label: "Call analyzed",
        json: include_str!("samples/retell-call_analyzed.json"),
    },
    SampleFile {
        platform: Platform::Retell,
        event: "call_ended",
        label: "Call ended",
        json: include_str!("samples/retell-call_ended.json"),
    },
    SampleFile {
        platform: Platform::Retell,
        event: "call_started",
        label: "Call started",
        json: include_str!("samples/retell-call_started.json"),
    },
    SampleFile {
        platform: Platform::Retell,
        event: "tool_call",
        label: "Custom function",
        json: include_str!("samples/retell-tool_call.json"),
    },
    SampleFile {
        platform: Platform::Bland,
        event: "post_call",
        label: "Call ended",
        json: include_str!("samples/bland-post_call.json"),
    },
    SampleFile {
        platform: Platform::Twilio,
        event: "completed",
        label: "Call completed",
        json: include_str!("samples/twilio-completed.json"),
    },
    SampleFile {
        platform: Platform::Twilio,
        event: "ringing",
        label: "Call ringing",
        json: include_str!("samples/twilio-ringing.json"),
    },
    SampleFile {
        platform: Platform::ElevenLabs,
        event: "post_call_transcription",
        label: "Post-call transcription",
        json: include_str!("samples/elevenlabs-post_call_transcription.json"),
    },
    SampleFile {
        platform: Platform::ElevenLabs,
        event: "call_initiation_failure",
        label: "Call initiation failure",
        json: include_str!("samples/elevenlabs-call_initiation_failure.json"),
    },
    SampleFile {
        platform: Platform::Synthflow,
        event: "post_call",
        label: "Call ended",
        json: include_str!("samples/synthflow-post_call.json"),
    },
    SampleFile {
        platform: Platform::Famulor,
        event: "post_call",
        label: "Call ended",
        json: include_str!("samples/famulor-post_call.json"),
    },
    SampleFile {
        platform: Platform::Famulor,
        event: "tool_call",
        label: "Mid-call tool",
        json: include_str!("samples/famulor-tool_call.json"),
    },
    SampleFile {
        platform: Platform::Generic,
        event: "call_ended",
        label: "Call ended",
        json: include_str!("samples/generic-call_ended.json"),
    },
    SampleFile {
        platform: Platform::Generic,
        event: "tool_call",
        label: "Tool call",
        json: include_str!("samples/generic-tool_call.json"),
    },
];

/// The reference payloads of a platform: its tool calls (`tools`) or everything else.
fn samples(platform: Platform, tools: bool) -> Vec<TriggerSample> {
    SAMPLE_FILES
        .iter()
        .filter(|f| f.platform == platform)
        .filter_map(|f| {
            let payload: Value = serde_json::from_str(f.json).ok()?;
            let n = normalize::normalize(platform, &payload).ok()?;
            if n.is_tool_request() != tools {
                return None;
            }
            let all: Vec<Value> = n
                .tool_calls
                .iter()
                .map(|t| json!({ "name": t.name, "id": t.id, "arguments": t.arguments }))
                .collect();
            let mut output = json!({ "call": n.call, "event": n.event, "tool_calls": all });
            if let Some(first) = all.first() {
                output["tool"] = first.clone();
            }
            Some(TriggerSample {
                event: f.event.to_owned(),
                label: f.label.to_owned(),
                content_type: if platform == Platform::Twilio {
                    "application/x-www-form-urlencoded"
                } else {
                    "application/json"
                }
                .to_owned(),
                payload,
                output,
            })
        })
        .collect()
}

fn secret_prop(name: &str, label: &str, help: &str) -> PropMeta {
    Prop::new(name, label, PropKind::ShortText).required().secret().help(help).build()
}

/// The props that authenticate the platform's requests.
fn verification_props(platform: Platform) -> Vec<PropMeta> {
    match platform {
        Platform::Vapi => vec![
            secret_prop("secret", "Secret", "The server URL secret or credential token set in Vapi."),
            Prop::new("auth", "Authentication", PropKind::Select)
                .options(&[("X-Vapi-Secret header", "secret_header"), ("Bearer token", "bearer"), ("HMAC plan", "hmac")])
                .default(json!("secret_header"))
                .help("How Vapi's server credential authenticates requests.")
                .build(),
        ],
        Platform::Retell => vec![secret_prop(
            "api_key",
            "API key",
            "The Retell API key with the webhook badge (Settings → API Keys): it signs x-retell-signature.",
        )],
        Platform::Bland => vec![secret_prop("secret", "Webhook signing secret", "From Bland's Dev Portal: it signs X-Webhook-Signature.")],
        Platform::Twilio => vec![
            secret_prop("auth_token", "Auth token", "The account's auth token (Console → Account info): it signs X-Twilio-Signature."),
            Prop::new("webhook_url", "Webhook URL", PropKind::ShortText)
                .help("Only when Twilio calls another address than this flow's URL under --public-url (the signature covers the URL).")
                .build(),
        ],
        Platform::ElevenLabs => vec![secret_prop("secret", "Webhook secret", "The HMAC secret ElevenLabs shows when the webhook is created: it signs ElevenLabs-Signature.")],
        Platform::Synthflow => vec![secret_prop("secret", "Webhook secret", "The workspace's webhook secret key: it signs the call id (Synthflow-Signature).")],
        Platform::Famulor => vec![secret_prop(
            "token",
            "URL token",
            "A long random value: Famulor signs nothing, so the webhook URL carries ?token=<it>.",
        )],
        Platform::Generic => vec![Prop::new("token", "URL token", PropKind::ShortText)
            .secret()
            .help("Optional: when set, requests must carry ?token=<it>.")
            .build()],
    }
}

/// Where the URL and secret go on the platform's side.
fn setup(platform: Platform, tools: bool) -> &'static str {
    match (platform, tools) {
        (Platform::Vapi, false) => {
            "In the Vapi dashboard, open the assistant → Advanced → Server URL: paste the webhook URL, and the secret as the server URL secret (or a Bearer/HMAC credential, chosen under Authentication). Pick the server messages to send (end-of-call-report, status-update)."
        }
        (Platform::Vapi, true) => {
            "In Vapi, create a tool (Tools → Create tool → Custom tool): set its Server URL to this flow's sync URL and its secret (or credential) to the secret here; set Timeout here to the tool's server timeout (20 s by default)."
        }
        (Platform::Retell, false) => {
            "In Retell, paste the webhook URL as the agent's webhook URL (or the account webhook under Webhooks). Paste the API key that carries the webhook badge here."
        }
        (Platform::Retell, true) => {
            "In the Retell agent's LLM, add a Custom Function: URL = this flow's sync URL, method POST, and the same timeout as here. Retell signs it with the API key that carries the webhook badge."
        }
        (Platform::Bland, _) => {
            "In Bland, set the call's or pathway's webhook to the webhook URL (or the Dev Portal's webhook settings), and paste the signing secret from the Dev Portal here."
        }
        (Platform::Twilio, _) => {
            "In the Twilio Console, open the phone number → Voice configuration → Call status changes: paste the webhook URL (HTTP POST). Paste the account's auth token here. Behind a proxy, start Switchboard with --public-url set to the address Twilio calls."
        }
        (Platform::ElevenLabs, _) => {
            "In ElevenLabs → Agents platform settings → Post-call webhook, create a webhook with the webhook URL and paste the HMAC secret it shows here."
        }
        (Platform::Synthflow, _) => {
            "In Synthflow, paste the webhook URL in the assistant's post-call webhook setting, and the workspace's webhook secret key here."
        }
        (Platform::Famulor, false) => {
            "In Famulor, enable the assistant's Post call webhook and paste the webhook URL: it carries ?token=… (Famulor signs nothing)."
        }
        (Platform::Famulor, true) => {
            "In Famulor → Mid-call tools, create a tool whose endpoint is this flow's sync URL (it carries ?token=…), method POST, with the parameters the agent collects."
        }
        (Platform::Generic, false) => {
            "POST JSON in Switchboard's generic call schema (see the call piece's docs) to the webhook URL; add ?token=… when a token is set."
        }
        (Platform::Generic, true) => {
            "POST {\"event\":\"tool_call\",\"call_id\",\"tool_calls\":[{\"id\",\"name\",\"arguments\"}]} to this flow's sync URL; the answer is {\"results\":[{\"id\",\"name\",\"result\"|\"error\"}]}."
        }
    }
}

fn label(platform: Platform) -> &'static str {
    match platform {
        Platform::Vapi => "Vapi",
        Platform::Retell => "Retell AI",
        Platform::Bland => "Bland AI",
        Platform::Twilio => "Twilio Voice",
        Platform::ElevenLabs => "ElevenLabs",
        Platform::Synthflow => "Synthflow",
        Platform::Famulor => "Famulor",
        Platform::Generic => "Any platform (generic JSON)",
    }
}

fn url_token(platform: Platform) -> Option<String> {
    matches!(platform, Platform::Famulor | Platform::Generic).then(|| "token".to_owned())
}

/// Each platform's call-event trigger.
fn platform_trigger(platform: Platform) -> TriggerMeta {
    let description = match platform {
        Platform::Vapi => "Vapi server messages: end-of-call reports and status updates.",
        Platform::Retell => "Retell webhooks: call_started, call_ended, call_analyzed.",
        Platform::Bland => "Bland's webhook after a call.",
        Platform::Twilio => "Twilio Voice status callbacks (form-encoded).",
        Platform::ElevenLabs => "ElevenLabs Conversational AI post-call webhooks.",
        Platform::Synthflow => "Synthflow's webhook after a call.",
        Platform::Famulor => "Famulor's post-call webhook.",
        Platform::Generic => "Your own system's calls in Switchboard's generic call schema.",
    };
    let mut props = verification_props(platform);
    props.push(
        Prop::new("events", "Events", PropKind::Array)
            .help("Only these events start the flow (e.g. call_analyzed); empty: all.")
            .build(),
    );
    props.push(
        Prop::new("statuses", "Call statuses", PropKind::Array)
            .help("Only calls in these statuses start the flow: ended (completed), no_answer, busy, failed, canceled, in_progress, ringing, queued; empty: all.")
            .build(),
    );
    let samples = samples(platform, false);
    TriggerMeta {
        name: platform.as_str().to_owned(),
        label: label(platform).to_owned(),
        description: description.to_owned(),
        props,
        sample_output: samples.first().map(|s| s.output.clone()),
        samples,
        setup: Some(setup(platform, false).to_owned()),
        answers: false,
        url_token: url_token(platform),
    }
}

/// A platform's mid-call tool trigger.
fn tool_trigger(platform: Platform) -> TriggerMeta {
    let mut props = verification_props(platform);
    props.push(
        Prop::new("timeout_sec", "Timeout (seconds)", PropKind::Number)
            .default(json!(tool::default_timeout_sec(platform)))
            .help("The platform's timeout for this tool: the answer leaves before it, with an error the agent can say if the flow is not done.")
            .build(),
    );
    let samples = samples(platform, true);
    TriggerMeta {
        name: tool::trigger_name(platform),
        label: format!("{} — mid-call tool", label(platform)),
        description: "Answers a tool (function) call while the caller is on the line: each tool \
                      call runs the flow, and its `respond` step is the result."
            .to_owned(),
        props,
        sample_output: samples.first().map(|s| s.output.clone()),
        samples,
        setup: Some(setup(platform, true).to_owned()),
        answers: true,
        url_token: url_token(platform),
    }
}

/// The `call` piece: one trigger per platform, and a mid-call tool trigger per platform that
/// calls tools.
pub fn piece() -> BuiltinPiece {
    let triggers: Vec<TriggerMeta> = Platform::ALL
        .into_iter()
        .map(platform_trigger)
        .chain(tool::TOOL_PLATFORMS.into_iter().map(tool_trigger))
        .collect();
    let mut piece = BuiltinPiece::new(PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "AI phone call".to_owned(),
        description: "Starts flows from AI call platforms' webhooks, verified and normalised into \
                      `trigger.call`."
            .to_owned(),
        category: "Calls".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#7c3aed' stroke-width='2' stroke-linejoin='round'>\
             <path d='M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2'/></svg>",
        )),
        auth: AuthKind::None,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: None,
        actions: Vec::new(),
        triggers,
    });
    for platform in Platform::ALL {
        piece = piece.with_trigger(platform.as_str(), Arc::new(trigger::CallTrigger(platform)));
    }
    for platform in tool::TOOL_PLATFORMS {
        piece = piece
            .with_trigger(&tool::trigger_name(platform), Arc::new(tool::ToolTrigger(platform)));
    }
    piece
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::piece::Piece as _;

    #[test]
    fn every_sample_file_normalises_and_every_trigger_has_samples() {
        for f in SAMPLE_FILES {
            let payload: Value = serde_json::from_str(f.json).unwrap();
            let n = normalize::normalize(f.platform, &payload)
                .unwrap_or_else(|e| panic!("{}-{}: {e}", f.platform, f.event));
            assert_eq!(n.event, f.event, "{}-{}", f.platform, f.event);
        }
        let piece = piece();
        for t in &piece.meta().triggers {
            assert!(!t.samples.is_empty(), "{} has no samples", t.name);
            assert!(t.setup.is_some(), "{} has no set-up text", t.name);
            assert_eq!(t.answers, t.name.ends_with("_tool"), "{}", t.name);
            for s in &t.samples {
                assert_eq!(s.output["event"], s.event.as_str());
                assert!(s.output["call"]["raw"].is_object());
                if t.answers {
                    assert!(s.output["tool"]["name"].is_string(), "{}", t.name);
                }
            }
        }
    }
}
