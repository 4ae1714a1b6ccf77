//! Tests for the call-payload normalisation, one per sample payload.

use serde_json::{Value, json};

use super::*;

macro_rules! sample {
    ($name:literal) => {
        serde_json::from_str::<Value>(include_str!(concat!("../samples/", $name, ".json")))
            .expect("sample is JSON")
    };
}

/// Every key of `trigger.call`, in order.
const KEYS: [&str; 20] = [
    "platform",
    "event",
    "call_id",
    "direction",
    "from",
    "to",
    "status",
    "started_at",
    "ended_at",
    "duration_sec",
    "ended_reason",
    "transcript",
    "messages",
    "summary",
    "recording_url",
    "extracted",
    "sentiment",
    "successful",
    "cost",
    "raw",
];

fn run(platform: Platform, body: &Value) -> Normalized {
    let n = normalize(platform, body).expect("normalises");
    let obj = n.call.as_object().expect("call is an object");
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    assert_eq!(keys, KEYS, "every key present, in order");
    assert_eq!(n.call["raw"], *body, "raw is the payload as received");
    assert_eq!(n.call["platform"], platform.as_str());
    assert_eq!(n.call["event"], n.event.as_str());
    n
}

fn roles_and_at(call: &Value) -> Vec<(String, Value)> {
    call["messages"]
        .as_array()
        .expect("messages array")
        .iter()
        .map(|m| (m["role"].as_str().expect("role").to_string(), m["at_sec"].clone()))
        .collect()
}

#[test]
fn vapi_end_of_call_report() {
    let body = sample!("vapi-end-of-call-report");
    let n = run(Platform::Vapi, &body);
    let c = &n.call;
    assert_eq!(n.event, "end-of-call-report");
    assert_eq!(n.dedupe_key, "vapi:9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11:end-of-call-report");
    assert!(!n.is_tool_request());
    assert_eq!(c["call_id"], "9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11");
    assert_eq!(c["direction"], "inbound");
    assert_eq!(c["from"], "+14155550123");
    assert_eq!(c["to"], "+14155550100");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2026-05-04T14:02:11Z");
    assert_eq!(c["ended_at"], "2026-05-04T14:04:58Z");
    assert_eq!(c["duration_sec"], json!(167));
    assert_eq!(c["ended_reason"], "customer-ended-call");
    assert!(c["transcript"].as_str().expect("transcript").starts_with("AI: Thanks for calling"));
    assert_eq!(
        roles_and_at(c),
        vec![
            ("system".to_string(), json!(0)),
            ("agent".to_string(), json!(0.8)),
            ("user".to_string(), json!(4.1)),
            ("agent".to_string(), json!(19.2)),
        ]
    );
    assert_eq!(c["messages"][2]["text"], "I'd like to book a cleaning.");
    assert_eq!(c["summary"], "Caller booked a cleaning for Wednesday 2:30pm.");
    assert_eq!(
        c["recording_url"],
        "https://storage.vapi.ai/9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11-mono.wav"
    );
    assert_eq!(
        c["extracted"],
        json!({"intent": "book_appointment", "date": "2026-05-06", "time": "14:30", "email": "ada@example.com"})
    );
    assert_eq!(c["sentiment"], Value::Null);
    assert_eq!(c["successful"], true);
    assert_eq!(c["cost"], json!(0.21));
}

#[test]
fn vapi_status_update() {
    let n = run(Platform::Vapi, &sample!("vapi-status-update"));
    assert_eq!(n.event, "status-update");
    assert_eq!(n.dedupe_key, "vapi:9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11:status-update:ended");
    assert_eq!(n.call["status"], "ended");
    assert_eq!(n.call["ended_reason"], "customer-ended-call");
    assert_eq!(n.call["from"], "+14155550123");
    assert_eq!(n.call["messages"], json!([]));
    assert_eq!(n.call["extracted"], json!({}));
    assert_eq!(n.call["transcript"], Value::Null);
    assert_eq!(n.call["duration_sec"], Value::Null);
}

#[test]
fn vapi_tool_calls() {
    let n = run(Platform::Vapi, &sample!("vapi-tool-calls"));
    assert_eq!(n.event, "tool-calls");
    assert_eq!(n.call["status"], "in_progress");
    assert!(n.is_tool_request());
    assert_eq!(
        n.tool_calls,
        vec![ToolCall {
            name: "book_slot".to_string(),
            id: Some("call_VaJOd8ZeZgWCEHDYomyCPfwN".to_string()),
            arguments: json!({"date": "2026-05-06", "time": "14:30"}),
        }]
    );
    assert_eq!(
        n.dedupe_key,
        "vapi:9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11:tool-calls:call_VaJOd8ZeZgWCEHDYomyCPfwN"
    );
}

#[test]
fn vapi_tool_calls_older_flat_shape_and_fallback_list() {
    let flat = json!({"message": {"type": "tool-calls", "call": {"id": "c1"},
        "toolCallList": [{"id": "t1", "name": "sendEmail", "parameters": {"to": "a@b.c"}}]}});
    let n = run(Platform::Vapi, &flat);
    assert_eq!(n.tool_calls[0].name, "sendEmail");
    assert_eq!(n.tool_calls[0].arguments, json!({"to": "a@b.c"}));

    let only_with = json!({"message": {"type": "tool-calls", "call": {"id": "c1"},
        "toolWithToolCallList": [{"type": "function", "toolCall": {"id": "t2",
            "function": {"name": "f", "arguments": {"x": 1}}}}]}});
    let n = run(Platform::Vapi, &only_with);
    assert_eq!(n.tool_calls[0].id.as_deref(), Some("t2"));
    assert_eq!(n.tool_calls[0].arguments, json!({"x": 1}));

    let nameless = json!({"message": {"type": "tool-calls", "call": {"id": "c1"},
        "toolCallList": [{"id": "t1", "function": {"arguments": "{}"}}]}});
    let err = normalize(Platform::Vapi, &nameless).expect_err("no name");
    assert_eq!(
        err.to_string(),
        "vapi payload is missing `$.message.toolCallList[0].function.name`"
    );
}

#[test]
fn retell_call_started() {
    let n = run(Platform::Retell, &sample!("retell-call_started"));
    let c = &n.call;
    assert_eq!(n.event, "call_started");
    assert_eq!(n.dedupe_key, "retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_started");
    assert_eq!(c["status"], "in_progress");
    assert_eq!(c["direction"], "inbound");
    assert_eq!(c["from"], "+12137771234");
    assert_eq!(c["to"], "+12137771235");
    assert_eq!(c["started_at"], "2024-05-02T00:07:55.945Z");
    assert_eq!(c["ended_at"], Value::Null);
    assert_eq!(c["duration_sec"], Value::Null);
}

#[test]
fn retell_call_ended() {
    let n = run(Platform::Retell, &sample!("retell-call_ended"));
    let c = &n.call;
    assert_eq!(n.event, "call_ended");
    assert_eq!(n.dedupe_key, "retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_ended");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["ended_at"], "2024-05-02T00:08:11.736Z");
    assert_eq!(c["duration_sec"], json!(15.791));
    assert_eq!(c["ended_reason"], "user_hangup");
    assert_eq!(
        roles_and_at(c),
        vec![
            ("agent".to_string(), json!(0.5)),
            ("user".to_string(), json!(3.2)),
            ("agent".to_string(), json!(11.9)),
        ]
    );
    assert_eq!(c["cost"], json!(0.7));
    assert_eq!(c["summary"], Value::Null);
    assert_eq!(c["successful"], Value::Null);
    assert_eq!(c["extracted"], json!({"previous_node": "reschedule"}));
    assert!(c["recording_url"].as_str().expect("url").ends_with("/recording.wav"));
}

#[test]
fn retell_call_analyzed() {
    let n = run(Platform::Retell, &sample!("retell-call_analyzed"));
    let c = &n.call;
    assert_eq!(n.event, "call_analyzed");
    assert_eq!(c["summary"], "Caller rescheduled to Friday 10am.");
    assert_eq!(c["sentiment"], "positive");
    assert_eq!(c["successful"], true);
    assert_eq!(
        c["extracted"],
        json!({"previous_node": "reschedule", "new_date": "2026-05-08", "new_time": "10:00"})
    );
}

#[test]
fn retell_tool_call() {
    let n = run(Platform::Retell, &sample!("retell-tool_call"));
    assert_eq!(n.event, "tool_call");
    assert_eq!(n.tool_calls.len(), 1);
    assert_eq!(n.tool_calls[0].name, "book_slot");
    assert_eq!(n.tool_calls[0].id, None);
    assert_eq!(n.tool_calls[0].arguments, json!({"date": "2026-05-06", "time": "14:30"}));
    assert!(
        n.dedupe_key.starts_with("retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:tool_call:book_slot:")
    );
    assert_eq!(n.call["status"], "in_progress");
    assert_eq!(n.call["messages"][1]["text"], "Can I book Wednesday at 2:30?");

    // args_at_root: the arguments are the root object.
    let at_root = json!({"name": "book_slot", "date": "2026-05-06",
        "call": {"call_id": "c1", "call_status": "ongoing"}});
    let n = run(Platform::Retell, &at_root);
    assert_eq!(n.tool_calls[0].arguments, json!({"date": "2026-05-06"}));
}

#[test]
fn bland_post_call() {
    let n = run(Platform::Bland, &sample!("bland-post_call"));
    let c = &n.call;
    assert_eq!(n.event, "post_call");
    assert_eq!(n.dedupe_key, "bland:d9cce3f3-23cf-4fa7-b62c-8be8119b8715:post_call");
    assert_eq!(c["direction"], "outbound");
    assert_eq!(c["from"], "+17163511654");
    assert_eq!(c["to"], "+12223334444");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2024-04-27T23:51:25Z");
    assert_eq!(c["ended_at"], "2024-04-27T23:52:10Z");
    assert_eq!(c["duration_sec"], json!(45));
    assert_eq!(c["ended_reason"], "ASSISTANT");
    assert_eq!(
        roles_and_at(c),
        vec![
            ("user".to_string(), json!(7.287)),
            ("agent".to_string(), json!(9.5)),
            ("user".to_string(), json!(16)),
        ]
    );
    assert!(c["transcript"].as_str().expect("transcript").starts_with("user: Hello?"));
    assert_eq!(c["summary"], "Customer booked three hotel rooms for tomorrow.");
    assert_eq!(c["extracted"], json!({"rooms": 3, "date": "2024-04-28"}));
    assert_eq!(c["cost"], json!(0.068));
    assert_eq!(c["successful"], Value::Null);
}

#[test]
fn bland_call_length_in_minutes() {
    let body = json!({"call_id": "b1", "call_length": 1.5});
    assert_eq!(run(Platform::Bland, &body).call["duration_sec"], json!(90));
}

#[test]
fn twilio_ringing() {
    let n = run(Platform::Twilio, &sample!("twilio-ringing"));
    assert_eq!(n.event, "ringing");
    assert_eq!(n.dedupe_key, "twilio:CA0f1e2d3c4b5a69788796a5b4c3d2e1f0:ringing:0");
    assert_eq!(n.call["status"], "ringing");
    assert_eq!(n.call["direction"], "inbound");
    assert_eq!(n.call["ended_at"], Value::Null);
    assert_eq!(n.call["ended_reason"], Value::Null);
}

#[test]
fn twilio_completed() {
    let n = run(Platform::Twilio, &sample!("twilio-completed"));
    let c = &n.call;
    assert_eq!(n.event, "completed");
    assert_eq!(n.dedupe_key, "twilio:CA0f1e2d3c4b5a69788796a5b4c3d2e1f0:completed:3");
    assert_eq!(c["call_id"], "CA0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    assert_eq!(c["from"], "+14155550123");
    assert_eq!(c["to"], "+14155550100");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["ended_at"], "2026-05-04T14:04:58Z");
    assert_eq!(c["started_at"], "2026-05-04T14:02:11Z");
    assert_eq!(c["duration_sec"], json!(167));
    assert_eq!(c["ended_reason"], "completed");
    assert!(c["recording_url"].as_str().expect("url").contains("/Recordings/RE"));
    assert_eq!(c["transcript"], Value::Null);

    let mut outbound = sample!("twilio-completed");
    outbound["Direction"] = json!("outbound-dial");
    outbound["CallStatus"] = json!("busy");
    outbound["SipResponseCode"] = json!("486");
    outbound.as_object_mut().expect("object").remove("SequenceNumber");
    let n = run(Platform::Twilio, &outbound);
    assert_eq!(n.call["direction"], "outbound");
    assert_eq!(n.call["status"], "busy");
    assert_eq!(n.call["ended_reason"], "busy (SIP 486)");
    assert_eq!(n.dedupe_key, "twilio:CA0f1e2d3c4b5a69788796a5b4c3d2e1f0:busy");
}

#[test]
fn elevenlabs_post_call_transcription() {
    let n = run(Platform::ElevenLabs, &sample!("elevenlabs-post_call_transcription"));
    let c = &n.call;
    assert_eq!(n.event, "post_call_transcription");
    assert_eq!(n.dedupe_key, "elevenlabs:conv_01jyhwem8tfvxsbq8mm5zrdcya:post_call_transcription");
    assert_eq!(c["call_id"], "conv_01jyhwem8tfvxsbq8mm5zrdcya");
    assert_eq!(c["direction"], "inbound");
    assert_eq!(c["from"], "+14155550123");
    assert_eq!(c["to"], "+14155550100");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2025-02-14T12:48:17Z");
    assert_eq!(c["ended_at"], "2025-02-14T12:48:39Z");
    assert_eq!(c["duration_sec"], json!(22));
    assert_eq!(c["ended_reason"], "Call ended by remote party");
    assert_eq!(
        roles_and_at(c),
        vec![
            ("agent".to_string(), json!(0)),
            ("user".to_string(), json!(2)),
            ("agent".to_string(), json!(7)),
        ]
    );
    assert_eq!(
        c["transcript"],
        "Agent: Hey there Angelo. How are you?\nUser: Can I book a demo for Tuesday?\n\
         Agent: Done, you're booked for Tuesday."
    );
    assert_eq!(c["summary"], "Caller asked to book a demo on Tuesday.");
    assert_eq!(c["extracted"], json!({"demo_day": "Tuesday"}));
    assert_eq!(c["successful"], true);
    assert_eq!(c["cost"], Value::Null);
}

#[test]
fn elevenlabs_call_initiation_failure() {
    let n = run(Platform::ElevenLabs, &sample!("elevenlabs-call_initiation_failure"));
    let c = &n.call;
    assert_eq!(n.event, "call_initiation_failure");
    assert_eq!(n.dedupe_key, "elevenlabs:conv_01jyhx0000000000000000busy:call_initiation_failure");
    assert_eq!(c["status"], "busy");
    assert_eq!(c["ended_reason"], "busy");
    assert_eq!(c["direction"], "outbound");
    assert_eq!(c["from"], "+14155550100");
    assert_eq!(c["to"], "+14155550123");
    assert_eq!(c["ended_at"], "2025-02-14T12:50:00Z");
}

#[test]
fn synthflow_post_call() {
    let n = run(Platform::Synthflow, &sample!("synthflow-post_call"));
    let c = &n.call;
    assert_eq!(n.event, "post_call");
    assert_eq!(n.dedupe_key, "synthflow:1711646262471x768387119913843100:post_call");
    assert_eq!(c["to"], "+1234334546");
    assert_eq!(c["from"], Value::Null);
    assert_eq!(c["direction"], Value::Null);
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2024-03-28T17:17:46.205134Z");
    assert_eq!(c["ended_at"], "2024-03-28T17:18:18.205134Z");
    assert_eq!(c["duration_sec"], json!(32));
    assert_eq!(c["ended_reason"], "agent_goodbye");
    assert_eq!(
        roles_and_at(c),
        vec![("agent".to_string(), Value::Null), ("user".to_string(), Value::Null)]
    );
    assert_eq!(c["messages"][1]["text"], "Yes. I want to buy a car.");
    assert_eq!(c["extracted"], json!({"purchase": "car", "user_name": "David"}));
}

#[test]
fn famulor_post_call() {
    let n = run(Platform::Famulor, &sample!("famulor-post_call"));
    let c = &n.call;
    assert_eq!(n.event, "post_call");
    assert_eq!(n.dedupe_key, "famulor:12345:post_call");
    assert_eq!(c["call_id"], "12345");
    assert_eq!(c["from"], "+1234567890");
    assert_eq!(c["to"], "+1987654321");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2025-09-02T11:28:20Z");
    assert_eq!(c["ended_at"], "2025-09-02T11:30:25Z");
    assert_eq!(c["duration_sec"], json!(125));
    assert_eq!(c["ended_reason"], "completed");
    assert_eq!(
        roles_and_at(c),
        vec![("agent".to_string(), json!(1.315)), ("user".to_string(), json!(6.8))]
    );
    assert_eq!(c["summary"], "Customer interested in product demo");
    assert_eq!(c["extracted"]["lead_quality"], "high");
    assert_eq!(c["recording_url"], "https://app.famulor.de/storage/recordings/12345/recording.mp3");

    let mut text = sample!("famulor-post_call");
    text["transcript"] = json!("Bot: Hello!\nCustomer: Hi.");
    let n = run(Platform::Famulor, &text);
    assert_eq!(roles_and_at(&n.call).len(), 2);
    assert_eq!(n.call["transcript"], "Bot: Hello!\nCustomer: Hi.");
}

#[test]
fn famulor_tool_call() {
    let body = sample!("famulor-tool_call");
    let n = run(Platform::Famulor, &body);
    assert_eq!(n.event, "tool_call");
    assert!(n.is_tool_request());
    assert_eq!(n.tool_calls[0].arguments, body);
    assert_eq!(n.tool_calls[0].name, "");
    assert!(n.dedupe_key.starts_with("famulor:-:tool_call:"));
    assert_eq!(run(Platform::Famulor, &body).dedupe_key, n.dedupe_key);
}

#[test]
fn generic_call_ended() {
    let n = run(Platform::Generic, &sample!("generic-call_ended"));
    let c = &n.call;
    assert_eq!(n.event, "call_ended");
    assert_eq!(n.dedupe_key, "generic:my-call-0042:call_ended");
    assert_eq!(c["direction"], "outbound");
    assert_eq!(c["from"], "+14155550100");
    assert_eq!(c["status"], "ended");
    assert_eq!(c["started_at"], "2026-05-04T14:02:11Z");
    assert_eq!(c["ended_at"], "2026-05-04T14:04:58Z");
    assert_eq!(c["duration_sec"], json!(167));
    assert_eq!(
        roles_and_at(c),
        vec![("agent".to_string(), json!(0.5)), ("user".to_string(), json!(3))]
    );
    assert_eq!(
        c["transcript"],
        "Agent: Hi, this is Acme calling about your order.\nUser: Great, thanks!"
    );
    assert_eq!(c["extracted"], json!({"order_confirmed": true}));
    assert_eq!(c["sentiment"], "positive");
    assert_eq!(c["successful"], true);
    assert_eq!(c["cost"], json!(0.12));
}

#[test]
fn generic_tool_call() {
    let n = run(Platform::Generic, &sample!("generic-tool_call"));
    assert_eq!(n.event, "tool_call");
    assert_eq!(n.dedupe_key, "generic:my-call-0042:tool_call:tc_1");
    assert_eq!(n.tool_calls[0].name, "lookup_order");
    assert_eq!(n.tool_calls[0].arguments, json!({"order_id": "A-1001"}));
}

#[test]
fn generic_schema_doc_is_json() {
    let schema: Value = serde_json::from_str(GENERIC_SCHEMA_DOC).expect("schema is JSON");
    assert_eq!(schema["required"], json!(["event", "call_id"]));
}

#[test]
fn wrong_shapes_name_the_missing_path() {
    let cases = [
        (Platform::Vapi, json!({}), "vapi payload is missing `$.message`"),
        (
            Platform::Vapi,
            json!({"message": {"type": "x"}}),
            "vapi payload is missing `$.message.call.id`",
        ),
        (
            Platform::Vapi,
            json!({"message": []}),
            "vapi payload has `$.message` of the wrong type: expected an object",
        ),
        (
            Platform::Retell,
            json!({"call": {"call_id": "x"}}),
            "retell payload is missing `$.event`",
        ),
        (Platform::Retell, json!({"event": "call_ended"}), "retell payload is missing `$.call`"),
        (
            Platform::Retell,
            json!({"event": "call_ended", "call": {}}),
            "retell payload is missing `$.call.call_id`",
        ),
        (Platform::Bland, json!({"status": "completed"}), "bland payload is missing `$.call_id`"),
        (
            Platform::Twilio,
            json!({"CallStatus": "ringing"}),
            "twilio payload is missing `$.CallSid`",
        ),
        (Platform::Twilio, json!({"CallSid": "CA1"}), "twilio payload is missing `$.CallStatus`"),
        (
            Platform::ElevenLabs,
            json!({"type": "post_call_transcription", "data": {}}),
            "elevenlabs payload is missing `$.data.conversation_id`",
        ),
        (
            Platform::Synthflow,
            json!({"status": "completed", "call": {}}),
            "synthflow payload is missing `$.call.call_id`",
        ),
        (
            Platform::Generic,
            json!({"event": "call_ended"}),
            "generic payload is missing `$.call_id`",
        ),
        (
            Platform::Generic,
            json!({"event": "tool_call", "call_id": "c", "tool_calls": [{}]}),
            "generic payload is missing `$.tool_calls[0].name`",
        ),
        (
            Platform::Famulor,
            json!([1]),
            "famulor payload has `$` of the wrong type: expected a JSON object",
        ),
    ];
    for (platform, body, message) in cases {
        let err = normalize(platform, &body).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn platform_names_round_trip() {
    for p in Platform::ALL {
        assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
        assert_eq!(serde_json::to_value(p).expect("serialises"), json!(p.as_str()));
    }
    assert!("skype".parse::<Platform>().is_err());
}

#[test]
fn conversions() {
    assert_eq!(phone(Some("+1 (415) 555-0100".into())).as_deref(), Some("+14155550100"));
    assert_eq!(
        phone(Some("sip:alice@example.com".into())).as_deref(),
        Some("sip:alice@example.com")
    );
    assert_eq!(phone(Some("  ".into())), None);
    assert_eq!(status("in-progress"), "in_progress");
    assert_eq!(status("no-answer"), "no_answer");
    assert_eq!(status("Something Else"), "something_else");
    assert_eq!(
        parse_ts(&json!(1714608475945_i64)).map(rfc3339).as_deref(),
        Some("2024-05-02T00:07:55.945Z")
    );
    assert_eq!(
        parse_ts(&json!("1739537297")).map(rfc3339).as_deref(),
        Some("2025-02-14T12:48:17Z")
    );
    assert_eq!(
        parse_ts(&json!("Mon, 04 May 2026 14:04:58 +0000")).map(rfc3339).as_deref(),
        Some("2026-05-04T14:04:58Z")
    );
    assert_eq!(
        parse_ts(&json!("2024-03-28 17:17:46")).map(rfc3339).as_deref(),
        Some("2024-03-28T17:17:46Z")
    );
    assert_eq!(parse_ts(&json!("not a date")), None);
    assert_eq!(arguments(Some(&json!("not json"))), json!("not json"));
    assert_eq!(arguments(None), json!({}));
}
