//! Every call platform's trigger through the real server, with the platform's reference payloads
//! (`engine/src/pieces/call/samples/`) signed as the platform signs them:
//!
//! - each non-tool sample starts a run whose `trigger.call` (read from the run record and through
//!   a `set` step) is what `MAPPING.md` says for that payload;
//! - a wrong secret, a missing signature and (Retell, ElevenLabs, Vapi's HMAC plan) a stale
//!   timestamp are 401s naming the platform, never repeating the secret, starting no run, and
//!   listed under `/api/v1/flows/{id}/rejections` with credentials redacted;
//! - the platform's retry of a delivery is answered as a duplicate and starts no second run;
//! - the `events` prop ignores other events (200 `{"ignored":true}`, no run);
//! - Twilio's form callbacks are checked against the server's public URL (query string
//!   included) or the trigger's `webhook_url`.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_engine::pieces::call::sign;
use switchboard_tests::{
    Server, TempDir, all_runs, anonymous_client, create_published, http_client, wait_for_run,
    workspace,
};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A reference payload: its exact bytes (what is sent and signed) and its JSON.
fn sample(name: &str) -> (Vec<u8>, Value) {
    let path = workspace().join("engine/src/pieces/call/samples").join(format!("{name}.json"));
    let bytes = std::fs::read(&path).unwrap();
    let value = serde_json::from_slice(&bytes).unwrap();
    (bytes, value)
}

fn now_secs() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// A flow on the `platform` trigger whose `set` step copies the normalised call's main fields.
fn flow(platform: &str, props: Value) -> Value {
    json!({
        "schema_version": 1,
        "name": format!("{platform} calls"),
        "trigger": { "id": "call", "piece": "call", "trigger": platform, "props": props },
        "steps": [{ "id": "lead", "type": "set", "values": {
            "platform": "{{ trigger.call.platform }}",
            "event": "{{ trigger.call.event }}",
            "call_id": "{{ trigger.call.call_id }}",
            "duration_sec": "{{ trigger.call.duration_sec }}",
            "from": "{{ trigger.call.from }}",
            "to": "{{ trigger.call.to }}",
            "transcript": "{{ trigger.call.transcript }}",
            "messages": "{{ trigger.call.messages }}",
            "summary": "{{ trigger.call.summary }}",
            "extracted": "{{ trigger.call.extracted }}"
        } }],
        "edges": [{ "from": "call", "to": "lead" }]
    })
}

/// One webhook delivery as a platform sends it.
#[derive(Clone, Debug)]
struct Delivery {
    /// `?…` appended to `/hooks/{id}`, or empty.
    query: String,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Delivery {
    fn json(body: &[u8]) -> Self {
        Self {
            query: String::new(),
            content_type: "application/json",
            headers: Vec::new(),
            body: body.to_vec(),
        }
    }

    fn form(params: &[(String, String)]) -> Self {
        Self {
            query: String::new(),
            content_type: "application/x-www-form-urlencoded",
            headers: Vec::new(),
            body: form_encode(params),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn query(mut self, query: &str) -> Self {
        self.query = query.to_owned();
        self
    }
}

/// `application/x-www-form-urlencoded`, as Twilio writes it.
fn form_encode(params: &[(String, String)]) -> Vec<u8> {
    fn encode(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    out.push(char::from(b));
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(k, &mut out);
        out.push('=');
        encode(v, &mut out);
    }
    out.into_bytes()
}

/// A server of its own, an API client and a client for the (public) hooks.
struct Calls {
    server: Server,
    api: reqwest::Client,
    hooks: reqwest::Client,
    _dir: TempDir, // dropped after the server
}

impl Calls {
    fn start(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let server = Server::start(dir.path(), &[], &[]);
        Self { server, api: http_client(), hooks: anonymous_client(), _dir: dir }
    }

    /// Creates, publishes and enables a flow on the platform's trigger.
    async fn flow(&self, platform: &str, props: Value) -> String {
        create_published(&self.api, &self.server, &flow(platform, props)).await
    }

    /// The hook URL Twilio would be given for this flow (the server's public URL).
    fn hook_url(&self, flow_id: &str) -> String {
        self.server.at(&format!("/hooks/{flow_id}"))
    }

    async fn send(&self, flow_id: &str, d: &Delivery) -> (StatusCode, Value) {
        let mut req = self
            .hooks
            .post(self.server.at(&format!("/hooks/{flow_id}{}", d.query)))
            .header("content-type", d.content_type)
            .body(d.body.clone());
        for (k, v) in &d.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// Sends a delivery that must be accepted; returns the run id and the finished run's record.
    async fn accepted(&self, flow_id: &str, d: &Delivery) -> (String, Value) {
        let (status, body) = self.send(flow_id, d).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let run_id = body["run_id"].as_str().unwrap().to_owned();
        let record = wait_for_run(&self.api, &self.server, &run_id).await;
        assert_eq!(record["status"], "succeeded", "{record}");
        (run_id, record)
    }

    /// Sends a delivery already accepted once: the platform's retry.
    async fn duplicate(&self, flow_id: &str, d: &Delivery, run_id: &str) {
        let (status, body) = self.send(flow_id, d).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["duplicate"], true, "{body}");
        assert_eq!(body["run_id"], run_id, "{body}");
    }

    async fn runs(&self, flow_id: &str) -> usize {
        all_runs(&self.api, &self.server, flow_id).await.len()
    }

    /// Sends a delivery that must be refused: a 401 naming the platform, saying `why`, and
    /// repeating none of `secrets`. Returns its message.
    async fn refused(
        &self,
        flow_id: &str,
        d: &Delivery,
        platform: &str,
        why: &str,
        secrets: &[&str],
    ) -> String {
        let (status, body) = self.send(flow_id, d).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{body}");
        let message = body["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(platform), "the message names {platform}: {message}");
        assert!(message.contains(why), "the message says `{why}`: {message}");
        let text = body.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "the answer repeats a secret: {text}");
        }
        message
    }

    /// The flow's refused deliveries, once all of `messages` (oldest first) are recorded: checks
    /// each (newest first), that credentials are redacted and that no secret appears.
    async fn rejections(&self, flow_id: &str, messages: &[String], secrets: &[&str]) -> Vec<Value> {
        let url = self.server.at(&format!("/api/v1/flows/{flow_id}/rejections?limit=50"));
        let deadline = Instant::now() + Duration::from_secs(5);
        let list = loop {
            let r = self.api.get(&url).send().await.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            let list = body["rejections"].as_array().unwrap().clone();
            if list.len() >= messages.len() || Instant::now() > deadline {
                break list;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(list.len(), messages.len(), "{list:#?}");
        let text = Value::Array(list.clone()).to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "a rejection shows a secret: {text}");
        }
        for (r, message) in list.iter().zip(messages.iter().rev()) {
            assert_eq!(r["flow_id"], flow_id, "{r}");
            assert_eq!(r["status"], 401, "{r}");
            assert_eq!(r["code"], "unauthorized", "{r}");
            assert_eq!(r["reason"], message.as_str(), "{r}");
            assert_eq!(r["request"]["method"], "POST", "{r}");
            assert!(r["request"]["body_bytes"].as_u64().unwrap() > 0, "{r}");
            for part in ["headers", "query"] {
                for pair in r["request"][part].as_array().unwrap() {
                    let name = pair[0].as_str().unwrap().to_ascii_lowercase();
                    if ["secret", "token", "key", "auth"].iter().any(|w| name.contains(w)) {
                        assert_eq!(pair[1], "[redacted]", "{part} `{name}` is a credential: {r}");
                    }
                }
            }
        }
        list
    }
}

/// A recorded header or query parameter of a rejection (`part` = `headers` or `query`).
fn recorded<'a>(rejection: &'a Value, part: &str, name: &str) -> Option<&'a str> {
    rejection["request"][part]
        .as_array()?
        .iter()
        .find(|p| p[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))?[1]
        .as_str()
}

/// Every key of `trigger.call` (MAPPING.md, "Conventions").
const CALL_KEYS: [&str; 20] = [
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

/// Checks a finished run against the normalised call expected for `payload`: the trigger's
/// output in the run record (`trigger.call`, `trigger.event`, no tool calls) and the `set` step's
/// copy of the main fields.
fn assert_call(record: &Value, payload: &Value, expected: &Value) {
    let trigger = &record["steps"]["call"]["output"];
    let call = &trigger["call"];
    let lead = &record["steps"]["lead"]["output"];
    let what = format!("{} {}", expected["platform"], expected["event"]);
    let mut keys: Vec<&str> = call.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut documented = CALL_KEYS.to_vec();
    documented.sort_unstable();
    assert_eq!(keys, documented, "{what}: trigger.call has every documented key");
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&call[key], value, "{what}: trigger.call.{key}");
        if let Some(copied) = lead.get(key) {
            assert_eq!(copied, value, "{what}: the set step's {key}");
        }
    }
    assert_eq!(lead.as_object().unwrap().len(), 10, "{what}: {lead}");
    assert_eq!(call["raw"], *payload, "{what}: trigger.call.raw is the payload");
    assert_eq!(trigger["event"], expected["event"], "{what}: trigger.event");
    assert_eq!(trigger["tool_calls"], json!([]), "{what}: trigger.tool_calls");
}

/// `base` with `changes` applied (top-level keys).
fn with(base: &Value, changes: Value) -> Value {
    let mut out = base.clone();
    for (k, v) in changes.as_object().unwrap() {
        out[k.as_str()] = v.clone();
    }
    out
}

/// The string fields of a Twilio sample, as the form parameters Twilio posts.
fn form_params(payload: &Value) -> Vec<(String, String)> {
    payload
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// A Twilio form callback signed over `url` with `auth_token`.
fn twilio_delivery(url: &str, params: &[(String, String)], auth_token: &str) -> Delivery {
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Delivery::form(params).header("X-Twilio-Signature", &sign::twilio(url, &pairs, auth_token))
}

/// A Vapi delivery signed with the default HMAC plan: hex HMAC-SHA256 of `{timestamp}.{body}` in
/// `x-signature`, the timestamp (here in seconds) in `x-timestamp`. That is the MAC ElevenLabs
/// puts in `v0=` (over `t.body`), so its signer computes it.
fn vapi_hmac(body: &[u8], secret: &str, timestamp: i64) -> Delivery {
    let signed = sign::elevenlabs(body, secret, timestamp);
    let (_, signature) = signed.split_once(",v0=").unwrap();
    Delivery::json(body)
        .header("x-signature", signature)
        .header("x-timestamp", &timestamp.to_string())
}

// ---------------------------------------------------------------------------------------------
// Vapi.

#[tokio::test]
async fn vapi_messages_are_verified_normalised_and_deduplicated() {
    const SECRET: &str = "vapi-server-secret-7c1e";
    const WRONG: &str = "vapi-wrong-secret-0000";
    let h = Calls::start("call-vapi");
    let id = h.flow("vapi", json!({ "secret": SECRET })).await;

    let (report, report_json) = sample("vapi-end-of-call-report");
    let signed = |body: &[u8]| Delivery::json(body).header("X-Vapi-Secret", SECRET);
    let (report_run, record) = h.accepted(&id, &signed(&report)).await;
    let expected_report = json!({
        "platform": "vapi",
        "event": "end-of-call-report",
        "call_id": "9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11",
        "direction": "inbound",
        "from": "+14155550123",
        "to": "+14155550100",
        "status": "ended",
        "started_at": "2026-05-04T14:02:11Z",
        "ended_at": "2026-05-04T14:04:58Z",
        "duration_sec": 167,
        "ended_reason": "customer-ended-call",
        "transcript": report_json["message"]["artifact"]["transcript"],
        "messages": [
            { "role": "system", "text": "You are the receptionist of Acme Dental.", "at_sec": 0 },
            { "role": "agent", "text": "Thanks for calling Acme Dental, how can I help?", "at_sec": 0.8 },
            { "role": "user", "text": "I'd like to book a cleaning.", "at_sec": 4.1 },
            { "role": "agent", "text": "Wednesday at 2:30pm works. You're booked!", "at_sec": 19.2 }
        ],
        "summary": "Caller booked a cleaning for Wednesday 2:30pm.",
        "recording_url": "https://storage.vapi.ai/9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11-mono.wav",
        "extracted": { "intent": "book_appointment", "date": "2026-05-06", "time": "14:30", "email": "ada@example.com" },
        "sentiment": null,
        "successful": true,
        "cost": 0.21
    });
    assert_call(&record, &report_json, &expected_report);

    let (update, update_json) = sample("vapi-status-update");
    let (_, record) = h.accepted(&id, &signed(&update)).await;
    assert_call(
        &record,
        &update_json,
        &json!({
            "platform": "vapi",
            "event": "status-update",
            "call_id": "9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11",
            "direction": "inbound",
            "from": "+14155550123",
            "to": "+14155550100",
            "status": "ended",
            "started_at": null,
            "ended_at": null,
            "duration_sec": null,
            "ended_reason": "customer-ended-call",
            "transcript": null,
            "messages": [],
            "summary": null,
            "recording_url": null,
            "extracted": {},
            "sentiment": null,
            "successful": null,
            "cost": null
        }),
    );

    // Vapi retrying the report starts nothing new.
    h.duplicate(&id, &signed(&report), &report_run).await;
    assert_eq!(h.runs(&id).await, 2);

    let secrets = [SECRET, WRONG];
    let wrong = Delivery::json(&report).header("X-Vapi-Secret", WRONG);
    let refusals = vec![
        h.refused(&id, &wrong, "vapi", "does not match", &secrets).await,
        h.refused(
            &id,
            &Delivery::json(&report),
            "vapi",
            "x-vapi-secret header is missing",
            &secrets,
        )
        .await,
    ];
    assert_eq!(h.runs(&id).await, 2, "a refused delivery starts no run");
    let rejections = h.rejections(&id, &refusals, &secrets).await;
    assert_eq!(recorded(&rejections[1], "headers", "x-vapi-secret"), Some("[redacted]"));
    assert_eq!(recorded(&rejections[0], "headers", "x-vapi-secret"), None);

    // A Bearer Token credential.
    let bearer = h.flow("vapi", json!({ "secret": SECRET, "auth": "bearer" })).await;
    let (_, record) = h
        .accepted(
            &bearer,
            &Delivery::json(&report).header("Authorization", &format!("Bearer {SECRET}")),
        )
        .await;
    assert_call(&record, &report_json, &expected_report);
    let wrong = Delivery::json(&report).header("Authorization", &format!("Bearer {WRONG}"));
    let refusals = vec![
        h.refused(&bearer, &wrong, "vapi", "does not match", &secrets).await,
        // The secret in the legacy header is not a bearer token.
        h.refused(&bearer, &signed(&report), "vapi", "authorization header is missing", &secrets)
            .await,
    ];
    assert_eq!(h.runs(&bearer).await, 1);
    let rejections = h.rejections(&bearer, &refusals, &secrets).await;
    assert_eq!(recorded(&rejections[1], "headers", "authorization"), Some("[redacted]"));
    assert_eq!(recorded(&rejections[0], "headers", "x-vapi-secret"), Some("[redacted]"));

    // An HMAC credential with Vapi's default plan.
    let hmac = h.flow("vapi", json!({ "secret": SECRET, "auth": "hmac" })).await;
    let now = now_secs();
    let (_, record) = h.accepted(&hmac, &vapi_hmac(&report, SECRET, now)).await;
    assert_call(&record, &report_json, &expected_report);
    let mut tampered = vapi_hmac(&report, SECRET, now);
    tampered.body = update.clone();
    let refusals = vec![
        h.refused(&hmac, &vapi_hmac(&report, WRONG, now), "vapi", "does not match", &secrets).await,
        h.refused(&hmac, &tampered, "vapi", "does not match", &secrets).await,
        h.refused(&hmac, &vapi_hmac(&report, SECRET, now - 600), "vapi", "seconds old", &secrets)
            .await,
        h.refused(
            &hmac,
            &Delivery::json(&report),
            "vapi",
            "x-signature header is missing",
            &secrets,
        )
        .await,
    ];
    assert_eq!(h.runs(&hmac).await, 1);
    h.rejections(&hmac, &refusals, &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// Retell.

fn retell_signed(body: &[u8], api_key: &str, timestamp_ms: i64) -> Delivery {
    Delivery::json(body).header("x-retell-signature", &sign::retell(body, api_key, timestamp_ms))
}

#[tokio::test]
async fn retell_webhooks_are_verified_normalised_and_deduplicated() {
    const KEY: &str = "key_retell_webhook_badge_3f9a";
    const WRONG: &str = "key_retell_other_0000";
    let h = Calls::start("call-retell");
    let id = h.flow("retell", json!({ "api_key": KEY })).await;
    let now_ms = now_secs() * 1000;

    let (analyzed, analyzed_json) = sample("retell-call_analyzed");
    let call = &analyzed_json["call"];
    let expected_analyzed = json!({
        "platform": "retell",
        "event": "call_analyzed",
        "call_id": "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6",
        "direction": "inbound",
        "from": "+12137771234",
        "to": "+12137771235",
        "status": "ended",
        "started_at": "2024-05-02T00:07:55.945Z",
        "ended_at": "2024-05-02T00:08:11.736Z",
        "duration_sec": 15.791,
        "ended_reason": "user_hangup",
        "transcript": call["transcript"],
        "messages": [
            { "role": "agent", "text": "Hi, this is Acme Dental, how can I help?", "at_sec": 0.5 },
            { "role": "user", "text": "I'd like to reschedule my appointment to Friday at 10.", "at_sec": 3.2 },
            { "role": "agent", "text": "Done, you're moved to Friday at 10am.", "at_sec": 11.9 }
        ],
        "summary": "Caller rescheduled to Friday 10am.",
        "recording_url": call["recording_url"],
        "extracted": { "previous_node": "reschedule", "new_date": "2026-05-08", "new_time": "10:00" },
        "sentiment": "positive",
        "successful": true,
        "cost": 0.7
    });
    let expected_ended = with(
        &expected_analyzed,
        json!({
            "event": "call_ended",
            "summary": null,
            "extracted": { "previous_node": "reschedule" },
            "sentiment": null,
            "successful": null
        }),
    );
    let expected_started = with(
        &expected_analyzed,
        json!({
            "event": "call_started",
            "status": "in_progress",
            "ended_at": null,
            "duration_sec": null,
            "ended_reason": null,
            "transcript": null,
            "messages": [],
            "summary": null,
            "recording_url": null,
            "extracted": {},
            "sentiment": null,
            "successful": null,
            "cost": null
        }),
    );

    let (started, started_json) = sample("retell-call_started");
    let (_, record) = h.accepted(&id, &retell_signed(&started, KEY, now_ms)).await;
    assert_call(&record, &started_json, &expected_started);
    let (ended, ended_json) = sample("retell-call_ended");
    let (_, record) = h.accepted(&id, &retell_signed(&ended, KEY, now_ms)).await;
    assert_call(&record, &ended_json, &expected_ended);
    let delivery = retell_signed(&analyzed, KEY, now_ms);
    let (analyzed_run, record) = h.accepted(&id, &delivery).await;
    assert_call(&record, &analyzed_json, &expected_analyzed);

    // Retell retrying the same delivery starts nothing new.
    h.duplicate(&id, &delivery, &analyzed_run).await;
    assert_eq!(h.runs(&id).await, 3);

    let secrets = [KEY, WRONG];
    let mut tampered = retell_signed(&ended, KEY, now_ms);
    tampered.body = analyzed.clone();
    let stale = retell_signed(&analyzed, KEY, now_ms - 6 * 60 * 1000);
    let refusals = vec![
        h.refused(
            &id,
            &retell_signed(&analyzed, WRONG, now_ms),
            "retell",
            "does not match",
            &secrets,
        )
        .await,
        h.refused(&id, &tampered, "retell", "does not match", &secrets).await,
        h.refused(&id, &Delivery::json(&analyzed), "retell", "header is missing", &secrets).await,
        h.refused(&id, &stale, "retell", "seconds old", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 3, "a refused delivery starts no run");
    let rejections = h.rejections(&id, &refusals, &secrets).await;
    // The signature is no credential: it is shown, so the user can compare it.
    assert!(recorded(&rejections[0], "headers", "x-retell-signature").unwrap().starts_with("v="));
}

#[tokio::test]
async fn retell_events_outside_the_filter_are_ignored() {
    const KEY: &str = "key_retell_filter_77d0";
    let h = Calls::start("call-retell-events");
    let id = h.flow("retell", json!({ "api_key": KEY, "events": ["call_analyzed"] })).await;
    let now_ms = now_secs() * 1000;

    let (ended, _) = sample("retell-call_ended");
    let (status, body) = h.send(&id, &retell_signed(&ended, KEY, now_ms)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "ignored": true }));
    assert_eq!(h.runs(&id).await, 0, "an ignored event starts no run");

    let (analyzed, analyzed_json) = sample("retell-call_analyzed");
    let (_, record) = h.accepted(&id, &retell_signed(&analyzed, KEY, now_ms)).await;
    assert_eq!(record["steps"]["call"]["output"]["event"], "call_analyzed");
    assert_eq!(record["steps"]["call"]["output"]["call"]["raw"], analyzed_json);
    assert_eq!(h.runs(&id).await, 1);

    // An ignored event is no refusal: only the bad signature sent after it is listed (the
    // refusals are recorded in order, so the ignored one would be there by then).
    let refusal =
        h.refused(&id, &Delivery::json(&ended), "retell", "header is missing", &[KEY]).await;
    h.rejections(&id, &[refusal], &[KEY]).await;
}

// ---------------------------------------------------------------------------------------------
// Bland.

fn bland_signed(body: &[u8], secret: &str) -> Delivery {
    Delivery::json(body).header("X-Webhook-Signature", &sign::bland(body, secret))
}

#[tokio::test]
async fn bland_webhooks_are_verified_normalised_and_deduplicated() {
    const SECRET: &str = "bland-signing-secret-51ab";
    const WRONG: &str = "bland-other-secret-0000";
    let h = Calls::start("call-bland");
    let id = h.flow("bland", json!({ "secret": SECRET })).await;

    let (post_call, payload) = sample("bland-post_call");
    let delivery = bland_signed(&post_call, SECRET);
    let (run_id, record) = h.accepted(&id, &delivery).await;
    let expected = json!({
        "platform": "bland",
        "event": "post_call",
        "call_id": "d9cce3f3-23cf-4fa7-b62c-8be8119b8715",
        "direction": "outbound",
        "from": "+17163511654",
        "to": "+12223334444",
        "status": "ended",
        "started_at": "2024-04-27T23:51:25Z",
        "ended_at": "2024-04-27T23:52:10Z",
        "duration_sec": 45,
        "ended_reason": "ASSISTANT",
        "transcript": payload["concatenated_transcript"],
        "messages": [
            { "role": "user", "text": "Hello?", "at_sec": 7.287 },
            { "role": "agent", "text": "Hi there! I'm calling from the hotel booking service.", "at_sec": 9.5 },
            { "role": "user", "text": "Yes, three rooms for tomorrow please.", "at_sec": 16 }
        ],
        "summary": "Customer booked three hotel rooms for tomorrow.",
        "recording_url": payload["recording_url"],
        "extracted": { "rooms": 3, "date": "2024-04-28" },
        "sentiment": null,
        "successful": null,
        "cost": 0.068
    });
    assert_call(&record, &payload, &expected);

    // Without `corrected_duration` (seconds), `call_length` is in minutes: 0.75 min = 45 s.
    let mut minutes = payload.clone();
    minutes.as_object_mut().unwrap().remove("corrected_duration");
    minutes["call_id"] = json!("d9cce3f3-0000-4fa7-b62c-minutes00001");
    let body = serde_json::to_vec(&minutes).unwrap();
    let (_, record) = h.accepted(&id, &bland_signed(&body, SECRET)).await;
    let call = &record["steps"]["call"]["output"]["call"];
    assert_eq!(call["duration_sec"], 45, "{call}");
    assert_eq!(record["steps"]["lead"]["output"]["duration_sec"], 45);

    h.duplicate(&id, &delivery, &run_id).await;
    assert_eq!(h.runs(&id).await, 2);

    let secrets = [SECRET, WRONG];
    let mut tampered = delivery.clone();
    tampered.body = body.clone();
    let refusals = vec![
        h.refused(&id, &bland_signed(&post_call, WRONG), "bland", "does not match", &secrets).await,
        h.refused(&id, &tampered, "bland", "does not match", &secrets).await,
        h.refused(&id, &Delivery::json(&post_call), "bland", "header is missing", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 2, "a refused delivery starts no run");
    h.rejections(&id, &refusals, &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// Twilio.

#[tokio::test]
async fn twilio_form_callbacks_are_verified_against_the_public_url() {
    const TOKEN: &str = "twilio-auth-token-9e4c";
    const WRONG: &str = "twilio-other-token-0000";
    let h = Calls::start("call-twilio");
    let id = h.flow("twilio", json!({ "auth_token": TOKEN })).await;
    let url = h.hook_url(&id);

    // Signed over the server's URL (its public URL + path).
    let (_, completed_json) = sample("twilio-completed");
    let completed = form_params(&completed_json);
    let delivery = twilio_delivery(&url, &completed, TOKEN);
    let (run_id, record) = h.accepted(&id, &delivery).await;
    let expected_completed = json!({
        "platform": "twilio",
        "event": "completed",
        "call_id": "CA0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "direction": "inbound",
        "from": "+14155550123",
        "to": "+14155550100",
        "status": "ended",
        "started_at": "2026-05-04T14:02:11Z",
        "ended_at": "2026-05-04T14:04:58Z",
        "duration_sec": 167,
        "ended_reason": "completed",
        "transcript": null,
        "messages": [],
        "summary": null,
        "recording_url": completed_json["RecordingUrl"],
        "extracted": {},
        "sentiment": null,
        "successful": null,
        "cost": null
    });
    assert_call(&record, &completed_json, &expected_completed);

    // With a query string in the URL Twilio was given: the signature covers it.
    let (_, ringing_json) = sample("twilio-ringing");
    let ringing = form_params(&ringing_json);
    let with_query = format!("{url}?src=twilio");
    let (_, record) =
        h.accepted(&id, &twilio_delivery(&with_query, &ringing, TOKEN).query("?src=twilio")).await;
    assert_call(
        &record,
        &ringing_json,
        &with(
            &expected_completed,
            json!({
                "event": "ringing",
                "status": "ringing",
                "started_at": null,
                "ended_at": null,
                "duration_sec": null,
                "ended_reason": null,
                "recording_url": null
            }),
        ),
    );

    // Twilio retrying the completed callback starts nothing new.
    h.duplicate(&id, &delivery, &run_id).await;
    assert_eq!(h.runs(&id).await, 2);

    let secrets = [TOKEN, WRONG];
    let mut tampered = delivery.clone();
    let changed: Vec<(String, String)> = completed
        .iter()
        .map(|(k, v)| {
            let v = if k == "CallDuration" { "999".to_owned() } else { v.clone() };
            (k.clone(), v)
        })
        .collect();
    tampered.body = form_encode(&changed);
    let refusals = vec![
        h.refused(
            &id,
            &twilio_delivery(&url, &completed, WRONG),
            "twilio",
            "does not match",
            &secrets,
        )
        .await,
        h.refused(&id, &tampered, "twilio", "does not match", &secrets).await,
        // Signed without the query string the request carries.
        h.refused(
            &id,
            &twilio_delivery(&url, &ringing, TOKEN).query("?src=twilio"),
            "twilio",
            "does not match",
            &secrets,
        )
        .await,
        h.refused(&id, &Delivery::form(&completed), "twilio", "header is missing", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 2, "a refused delivery starts no run");
    h.rejections(&id, &refusals, &secrets).await;

    // A trigger whose `webhook_url` names the address Twilio calls (behind a proxy).
    const PUBLIC: &str = "https://calls.example.com/twilio/status?flow=leads";
    let proxied = h.flow("twilio", json!({ "auth_token": TOKEN, "webhook_url": PUBLIC })).await;
    let (_, record) = h.accepted(&proxied, &twilio_delivery(PUBLIC, &completed, TOKEN)).await;
    assert_call(&record, &completed_json, &expected_completed);
    let refusal = h
        .refused(
            &proxied,
            &twilio_delivery(&h.hook_url(&proxied), &ringing, TOKEN),
            "twilio",
            "does not match",
            &secrets,
        )
        .await;
    assert_eq!(h.runs(&proxied).await, 1);
    h.rejections(&proxied, &[refusal], &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// ElevenLabs.

fn elevenlabs_signed(body: &[u8], secret: &str, timestamp: i64) -> Delivery {
    Delivery::json(body).header("ElevenLabs-Signature", &sign::elevenlabs(body, secret, timestamp))
}

#[tokio::test]
async fn elevenlabs_webhooks_are_verified_normalised_and_deduplicated() {
    const SECRET: &str = "wsec_elevenlabs_hmac_2d8b";
    const WRONG: &str = "wsec_elevenlabs_other_0000";
    let h = Calls::start("call-elevenlabs");
    let id = h.flow("elevenlabs", json!({ "secret": SECRET })).await;
    let now = now_secs();

    let (transcription, transcription_json) = sample("elevenlabs-post_call_transcription");
    let delivery = elevenlabs_signed(&transcription, SECRET, now);
    let (run_id, record) = h.accepted(&id, &delivery).await;
    assert_call(
        &record,
        &transcription_json,
        &json!({
            "platform": "elevenlabs",
            "event": "post_call_transcription",
            "call_id": "conv_01jyhwem8tfvxsbq8mm5zrdcya",
            "direction": "inbound",
            "from": "+14155550123",
            "to": "+14155550100",
            "status": "ended",
            "started_at": "2025-02-14T12:48:17Z",
            "ended_at": "2025-02-14T12:48:39Z",
            "duration_sec": 22,
            "ended_reason": "Call ended by remote party",
            "transcript": "Agent: Hey there Angelo. How are you?\nUser: Can I book a demo for Tuesday?\nAgent: Done, you're booked for Tuesday.",
            // The tool-call-only turn has no message: skipped.
            "messages": [
                { "role": "agent", "text": "Hey there Angelo. How are you?", "at_sec": 0 },
                { "role": "user", "text": "Can I book a demo for Tuesday?", "at_sec": 2 },
                { "role": "agent", "text": "Done, you're booked for Tuesday.", "at_sec": 7 }
            ],
            "summary": "Caller asked to book a demo on Tuesday.",
            "recording_url": null,
            "extracted": { "demo_day": "Tuesday" },
            "sentiment": null,
            "successful": true,
            "cost": null
        }),
    );

    let (failure, failure_json) = sample("elevenlabs-call_initiation_failure");
    let (_, record) = h.accepted(&id, &elevenlabs_signed(&failure, SECRET, now)).await;
    assert_call(
        &record,
        &failure_json,
        &json!({
            "platform": "elevenlabs",
            "event": "call_initiation_failure",
            "call_id": "conv_01jyhx0000000000000000busy",
            "direction": "outbound",
            "from": "+14155550100",
            "to": "+14155550123",
            "status": "busy",
            "started_at": null,
            "ended_at": "2025-02-14T12:50:00Z",
            "duration_sec": null,
            "ended_reason": "busy",
            "transcript": null,
            "messages": [],
            "summary": null,
            "recording_url": null,
            "extracted": {},
            "sentiment": null,
            "successful": null,
            "cost": null
        }),
    );

    h.duplicate(&id, &delivery, &run_id).await;
    assert_eq!(h.runs(&id).await, 2);

    let secrets = [SECRET, WRONG];
    let mut tampered = delivery.clone();
    tampered.body = failure.clone();
    // 31 minutes: past the 30-minute window.
    let stale = elevenlabs_signed(&transcription, SECRET, now - 31 * 60);
    let refusals = vec![
        h.refused(
            &id,
            &elevenlabs_signed(&transcription, WRONG, now),
            "elevenlabs",
            "does not match",
            &secrets,
        )
        .await,
        h.refused(&id, &tampered, "elevenlabs", "does not match", &secrets).await,
        h.refused(
            &id,
            &Delivery::json(&transcription),
            "elevenlabs",
            "header is missing",
            &secrets,
        )
        .await,
        h.refused(&id, &stale, "elevenlabs", "seconds old", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 2, "a refused delivery starts no run");
    h.rejections(&id, &refusals, &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// Synthflow.

#[tokio::test]
async fn synthflow_webhooks_are_verified_normalised_and_deduplicated() {
    const SECRET: &str = "synthflow-workspace-secret-a61f";
    const WRONG: &str = "synthflow-other-secret-0000";
    let h = Calls::start("call-synthflow");
    let id = h.flow("synthflow", json!({ "secret": SECRET })).await;

    let (post_call, payload) = sample("synthflow-post_call");
    let call_id = payload["call"]["call_id"].as_str().unwrap();
    let delivery =
        Delivery::json(&post_call).header("Synthflow-Signature", &sign::synthflow(call_id, SECRET));
    let (run_id, record) = h.accepted(&id, &delivery).await;
    assert_call(
        &record,
        &payload,
        &json!({
            "platform": "synthflow",
            "event": "post_call",
            "call_id": "1711646262471x768387119913843100",
            "direction": null,
            "from": null,
            "to": "+1234334546",
            "status": "ended",
            "started_at": "2024-03-28T17:17:46.205134Z",
            "ended_at": "2024-03-28T17:18:18.205134Z",
            "duration_sec": 32,
            "ended_reason": "agent_goodbye",
            "transcript": "bot: Hello, I am calling from Majestic Estates! Are you interested in buying?\nhuman: Yes. I want to buy a car.",
            "messages": [
                { "role": "agent", "text": "Hello, I am calling from Majestic Estates! Are you interested in buying?", "at_sec": null },
                { "role": "user", "text": "Yes. I want to buy a car.", "at_sec": null }
            ],
            "summary": null,
            "recording_url": null,
            "extracted": { "purchase": "car", "user_name": "David" },
            "sentiment": null,
            "successful": null,
            "cost": null
        }),
    );

    // The header as Synthflow's docs spell it (WSGI's name for it), for another call.
    let mut other = payload.clone();
    other["call"]["call_id"] = json!("1711646262471x000000000000000001");
    let body = serde_json::to_vec(&other).unwrap();
    let wsgi = Delivery::json(&body).header(
        "HTTP_SYNTHFLOW_SIGNATURE",
        &sign::synthflow("1711646262471x000000000000000001", SECRET),
    );
    let (_, record) = h.accepted(&id, &wsgi).await;
    assert_eq!(record["steps"]["lead"]["output"]["call_id"], "1711646262471x000000000000000001");

    h.duplicate(&id, &delivery, &run_id).await;
    assert_eq!(h.runs(&id).await, 2);

    let secrets = [SECRET, WRONG];
    let wrong =
        Delivery::json(&post_call).header("Synthflow-Signature", &sign::synthflow(call_id, WRONG));
    // Another call's id under this call's signature.
    let mut swapped = delivery.clone();
    swapped.body = body.clone();
    let refusals = vec![
        h.refused(&id, &wrong, "synthflow", "does not match", &secrets).await,
        h.refused(&id, &swapped, "synthflow", "does not match", &secrets).await,
        h.refused(&id, &Delivery::json(&post_call), "synthflow", "header is missing", &secrets)
            .await,
    ];
    assert_eq!(h.runs(&id).await, 2, "a refused delivery starts no run");
    h.rejections(&id, &refusals, &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// Famulor.

#[tokio::test]
async fn famulor_webhooks_carry_their_url_token() {
    const TOKEN: &str = "famulor-url-token-5b2e9d";
    const WRONG: &str = "famulor-guess-0000";
    let h = Calls::start("call-famulor");
    let id = h.flow("famulor", json!({ "token": TOKEN })).await;

    let (post_call, payload) = sample("famulor-post_call");
    let delivery = Delivery::json(&post_call).query(&format!("?token={TOKEN}"));
    let (run_id, record) = h.accepted(&id, &delivery).await;
    assert_call(
        &record,
        &payload,
        &json!({
            "platform": "famulor",
            "event": "post_call",
            "call_id": "12345",
            "direction": null,
            "from": "+1234567890",
            "to": "+1987654321",
            "status": "ended",
            "started_at": "2025-09-02T11:28:20Z",
            "ended_at": "2025-09-02T11:30:25Z",
            "duration_sec": 125,
            "ended_reason": "completed",
            "transcript": "Agent: Hello! This is Sarah from Famulor. How are you today?\nUser: Fine, tell me about the Pro Plan.",
            "messages": [
                { "role": "agent", "text": "Hello! This is Sarah from Famulor. How are you today?", "at_sec": 1.315 },
                { "role": "user", "text": "Fine, tell me about the Pro Plan.", "at_sec": 6.8 }
            ],
            "summary": "Customer interested in product demo",
            "recording_url": payload["recording_url"],
            "extracted": payload["extracted_variables"],
            "sentiment": null,
            "successful": null,
            "cost": null
        }),
    );

    h.duplicate(&id, &delivery, &run_id).await;
    assert_eq!(h.runs(&id).await, 1);

    let secrets = [TOKEN, WRONG];
    let wrong = Delivery::json(&post_call).query(&format!("?token={WRONG}"));
    let refusals = vec![
        h.refused(&id, &wrong, "famulor", "does not match", &secrets).await,
        h.refused(&id, &Delivery::json(&post_call), "famulor", "missing", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 1, "a refused delivery starts no run");
    let rejections = h.rejections(&id, &refusals, &secrets).await;
    assert_eq!(recorded(&rejections[1], "query", "token"), Some("[redacted]"));
}

// ---------------------------------------------------------------------------------------------
// Generic.

#[tokio::test]
async fn generic_calls_are_normalised_with_an_optional_token() {
    const TOKEN: &str = "generic-url-token-c03f";
    const WRONG: &str = "generic-guess-0000";
    let h = Calls::start("call-generic");
    let open = h.flow("generic", json!({})).await;

    let (ended, payload) = sample("generic-call_ended");
    let expected = json!({
        "platform": "generic",
        "event": "call_ended",
        "call_id": "my-call-0042",
        "direction": "outbound",
        "from": "+14155550100",
        "to": "+14155550123",
        "status": "ended",
        "started_at": "2026-05-04T14:02:11Z",
        "ended_at": "2026-05-04T14:04:58Z",
        "duration_sec": 167,
        "ended_reason": "user_hangup",
        "transcript": "Agent: Hi, this is Acme calling about your order.\nUser: Great, thanks!",
        "messages": [
            { "role": "agent", "text": "Hi, this is Acme calling about your order.", "at_sec": 0.5 },
            { "role": "user", "text": "Great, thanks!", "at_sec": 3 }
        ],
        "summary": "Order confirmation call.",
        "recording_url": "https://example.com/rec/0042.mp3",
        "extracted": { "order_confirmed": true },
        "sentiment": "positive",
        "successful": true,
        "cost": 0.12
    });
    // No token set: anything in the schema is taken.
    let (run_id, record) = h.accepted(&open, &Delivery::json(&ended)).await;
    assert_call(&record, &payload, &expected);
    h.duplicate(&open, &Delivery::json(&ended), &run_id).await;
    assert_eq!(h.runs(&open).await, 1);

    // With a token, the URL must carry it.
    let id = h.flow("generic", json!({ "token": TOKEN })).await;
    let delivery = Delivery::json(&ended).query(&format!("?token={TOKEN}"));
    let (run_id, record) = h.accepted(&id, &delivery).await;
    assert_call(&record, &payload, &expected);
    h.duplicate(&id, &delivery, &run_id).await;

    let secrets = [TOKEN, WRONG];
    let wrong = Delivery::json(&ended).query(&format!("?token={WRONG}"));
    let refusals = vec![
        h.refused(&id, &wrong, "generic", "does not match", &secrets).await,
        h.refused(&id, &Delivery::json(&ended), "generic", "missing", &secrets).await,
    ];
    assert_eq!(h.runs(&id).await, 1, "a refused delivery starts no run");
    let rejections = h.rejections(&id, &refusals, &secrets).await;
    assert_eq!(recorded(&rejections[1], "query", "token"), Some("[redacted]"));
}
