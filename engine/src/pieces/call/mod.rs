//! The `call` piece's building blocks: each AI call platform's webhook signature check
//! ([`verify`]) and the normalisation of its payloads into one `trigger.call` object
//! ([`normalize`]), as DESIGN section 5 and `shared/reference/call-platforms.md` describe.

pub mod normalize;
pub mod trigger;
pub mod verify;

use std::sync::Arc;

use serde_json::{Value, json};

use self::normalize::Platform;
use super::{BuiltinPiece, Prop, svg_data_url};
use crate::piece::{AuthKind, PieceMeta, PropKind, PropMeta, TriggerMeta};

/// The piece id.
pub const PIECE_ID: &str = "call";

/// Each platform's trigger: its label, a sentence, its verification props and a sample payload.
fn platform_trigger(platform: Platform) -> (TriggerMeta, &'static str) {
    let secret = |name: &str, label: &str, help: &str| {
        Prop::new(name, label, PropKind::ShortText).required().secret().help(help).build()
    };
    let (label, description, mut props, sample): (&str, &str, Vec<PropMeta>, &str) = match platform {
        Platform::Vapi => (
            "Vapi",
            "Vapi server-URL messages: end-of-call reports, status updates, tool calls.",
            vec![
                secret("secret", "Secret", "The assistant's server URL secret or credential token."),
                Prop::new("auth", "Authentication", PropKind::Select)
                    .options(&[("X-Vapi-Secret header", "secret_header"), ("Bearer token", "bearer"), ("HMAC plan", "hmac")])
                    .default(json!("secret_header"))
                    .help("How the assistant's server credential authenticates requests.")
                    .build(),
            ],
            include_str!("samples/vapi-end-of-call-report.json"),
        ),
        Platform::Retell => (
            "Retell AI",
            "Retell webhooks (call_started, call_ended, call_analyzed) and custom functions.",
            vec![secret("api_key", "API key", "The Retell API key with webhook permission: it signs x-retell-signature.")],
            include_str!("samples/retell-call_analyzed.json"),
        ),
        Platform::Bland => (
            "Bland AI",
            "Bland's webhook after a call.",
            vec![secret("secret", "Webhook signing secret", "Signs X-Webhook-Signature.")],
            include_str!("samples/bland-post_call.json"),
        ),
        Platform::Twilio => (
            "Twilio Voice",
            "Twilio Voice status callbacks (form-encoded).",
            vec![
                secret("auth_token", "Auth token", "The account's auth token: it signs X-Twilio-Signature."),
                Prop::new("webhook_url", "Webhook URL", PropKind::ShortText)
                    .required()
                    .help("This flow's webhook URL exactly as configured in Twilio (the signature covers it).")
                    .build(),
            ],
            include_str!("samples/twilio-completed.json"),
        ),
        Platform::ElevenLabs => (
            "ElevenLabs",
            "ElevenLabs Conversational AI post-call webhooks.",
            vec![secret("secret", "Webhook secret", "Signs ElevenLabs-Signature.")],
            include_str!("samples/elevenlabs-post_call_transcription.json"),
        ),
        Platform::Synthflow => (
            "Synthflow",
            "Synthflow's webhook after a call.",
            vec![secret("secret", "Webhook secret", "Signs the call id (Synthflow-Signature).")],
            include_str!("samples/synthflow-post_call.json"),
        ),
        Platform::Famulor => (
            "Famulor",
            "Famulor post-call webhooks and mid-call tools (Famulor signs nothing: add ?token=<token> to the URL).",
            vec![secret("token", "URL token", "A random token; append ?token=<it> to the webhook URL given to Famulor.")],
            include_str!("samples/famulor-post_call.json"),
        ),
        Platform::Generic => (
            "Any platform (generic JSON)",
            "Your own system's calls in Switchboard's generic call schema.",
            vec![Prop::new("token", "URL token", PropKind::ShortText)
                .secret()
                .help("Optional: when set, requests must carry ?token=<it>.")
                .build()],
            include_str!("samples/generic-call_ended.json"),
        ),
    };
    props.push(
        Prop::new("events", "Events", PropKind::Array)
            .help("Only these events start the flow (e.g. call_analyzed); empty: all.")
            .build(),
    );
    let sample_output = serde_json::from_str::<Value>(sample)
        .ok()
        .and_then(|body| normalize::normalize(platform, &body).ok())
        .map(|n| json!({ "call": n.call, "event": n.event, "tool_calls": [] }));
    (
        TriggerMeta {
            name: platform.as_str().to_owned(),
            label: label.to_owned(),
            description: description.to_owned(),
            props,
            sample_output,
        },
        sample,
    )
}

/// The `call` piece: one trigger per platform.
pub fn piece() -> BuiltinPiece {
    let triggers: Vec<TriggerMeta> =
        Platform::ALL.into_iter().map(|p| platform_trigger(p).0).collect();
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
    piece
}
