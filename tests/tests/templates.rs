//! Templates through the real server: the gallery lists and filters them, "use template" makes a
//! draft with the user's connections, and each template runs on its sample against mock vendors,
//! sending exactly the requests it should.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_engine::pieces::call::normalize::{Platform, normalize};
use switchboard_tests::{Server, TempDir, http_client, workspace};
use wiremock::matchers::{body_partial_json, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TWILIO_SID: &str = "AC00000000000000000000000000000042";

/// Every template, in the gallery's order (by use case, then name): the gallery lists exactly
/// these, and each has a test below.
const TEMPLATES: [&str; 19] = [
    "sales-call-to-mailchimp-audience",
    "sales-hot-lead-sms",
    "mid-call-hubspot-lookup",
    "sales-no-answer-follow-up",
    "sales-qualified-call-to-hubspot",
    "sales-qualified-call-to-salesforce",
    "recruiting-interested-candidate-to-hubspot",
    "recruiting-interested-candidate-to-pipedrive",
    "recruiting-screening-to-google-sheets",
    "lead-gen-qualified-lead-per-client",
    "market-research-daily-summary-email",
    "market-research-survey-to-airtable",
    "market-research-survey-to-google-sheets",
    "multi-location-calls-to-location-channels",
    "mid-call-book-appointment-hubspot",
    "mid-call-check-availability-calcom",
    "operations-call-log-to-google-sheets",
    "operations-failed-run-alert",
    "operations-failed-run-alert-email",
];

/// The trigger props that hold the call platform's secret, which the user sets after using a
/// template.
const SECRET_PROPS: [&str; 4] = ["secret", "api_key", "auth_token", "token"];

/// The Microsoft Teams Workflows URL of the Westside location's connection.
const TEAMS_WEBHOOK: &str = "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=test-signature-0000";

struct Setup {
    server: Server,
    client: reqwest::Client,
    vendors: MockServer,
    smtp: SmtpSink,
    _dir: TempDir,
}

async fn setup(tag: &str) -> Setup {
    let vendors = MockServer::start().await;
    // Connection tests.
    let checks = [
        ("GET", "/hubspot/crm/v3/objects/contacts", json!({ "results": [] })),
        ("POST", "/slack/auth.test", json!({ "ok": true, "user_id": "U1" })),
        ("GET", &format!("/twilio/Accounts/{TWILIO_SID}.json"), json!({ "sid": TWILIO_SID })),
        ("GET", "/sendgrid/v3/scopes", json!({ "scopes": ["mail.send"] })),
        ("GET", "/postmark/server", json!({ "ID": 1, "Name": "Acme" })),
        ("GET", "/pipedrive/v1/users/me", json!({ "success": true, "data": { "id": 1 } })),
        ("GET", "/gdrive/about", json!({ "user": { "emailAddress": "ops@example.com" } })),
        ("GET", "/airtable/meta/whoami", json!({ "id": "usr1" })),
        ("GET", "/mailchimp/ping", json!({ "health_status": "Everything's Chimpy!" })),
        ("GET", "/salesforce", json!({ "sobjects": "/services/data/v62.0/sobjects" })),
    ];
    for (m, p, body) in checks {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&vendors)
            .await;
    }
    let smtp = SmtpSink::start();
    let dir = TempDir::new(tag);
    let base = |at: &str| format!("{}/{at}", vendors.uri());
    let env: Vec<(String, String)> = [
        ("HUBSPOT", "hubspot"),
        ("SLACK", "slack"),
        ("TWILIO", "twilio"),
        ("SENDGRID", "sendgrid"),
        ("RESEND", "resend"),
        ("POSTMARK", "postmark"),
        ("PIPEDRIVE", "pipedrive/v2"),
        ("PIPEDRIVE_V1", "pipedrive/v1"),
        ("GOOGLE_SHEETS", "gsheets"),
        ("GOOGLE_SHEETS_DRIVE", "gdrive"),
        ("AIRTABLE", "airtable"),
        ("MAILCHIMP", "mailchimp"),
        ("SALESFORCE", "salesforce"),
        ("MICROSOFT_TEAMS", "teams"),
        ("ZAPIER", "zapier"),
    ]
    .into_iter()
    .map(|(piece, at)| (format!("SWITCHBOARD_BASE_URL_{piece}"), base(at)))
    .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start(dir.path(), &[], &env);
    let client = http_client();
    let connections = [
        ("acme-hubspot", "hubspot", json!({ "token": "pat-test-1" })),
        ("acme-slack", "slack", json!({ "token": "xoxb-test-1" })),
        (
            "acme-twilio",
            "twilio",
            json!({ "account_sid": TWILIO_SID, "auth_token": "twilio-token-1" }),
        ),
        ("acme-sendgrid", "sendgrid", json!({ "api_key": "SG.test-key-1" })),
        ("acme-resend", "resend", json!({ "api_key": "re_test_1" })),
        ("acme-postmark", "postmark", json!({ "server_token": "postmark-token-1" })),
        ("acme-pipedrive", "pipedrive", json!({ "api_token": "pipedrive-token-1" })),
        ("acme-sheets", "google_sheets", json!({ "access_token": "ya29.sheets-token-1" })),
        ("acme-airtable", "airtable", json!({ "token": "patAirtable.1" })),
        (
            "acme-mailchimp",
            "mailchimp",
            json!({ "api_key": "0123456789abcdef0123456789abcdef-us21", "server_prefix": "us21" }),
        ),
        (
            "acme-salesforce",
            "salesforce",
            json!({ "access_token": "00D-salesforce-token-1", "instance_url": "https://acme.my.salesforce.com" }),
        ),
        ("westside-teams", "microsoft_teams", json!({ "webhook_url": TEAMS_WEBHOOK })),
        (
            "acme-smtp",
            "smtp",
            json!({ "host": "127.0.0.1", "port": smtp.port, "security": "none",
                    "from_default": "Acme <ops@example.com>" }),
        ),
    ];
    for (name, piece, values) in connections {
        let r = client
            .post(server.at("/api/v1/connections"))
            .json(&json!({ "name": name, "piece": piece, "values": values }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{name}: {}", r.text().await.unwrap());
    }
    Setup { server, client, vendors, smtp, _dir: dir }
}

impl Setup {
    /// Uses a template with the connections named, lets `edit` change the draft (as a user
    /// would set a variable), sets its trigger secret, saves it, and answers with the flow's id.
    async fn use_template(
        &self,
        id: &str,
        connections: Value,
        edit: impl FnOnce(&mut Value),
    ) -> String {
        let r = self
            .client
            .post(self.server.at(&format!("/api/v1/templates/{id}/use")))
            .json(&json!({ "connections": connections }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let flow: Value = r.json().await.unwrap();
        assert_eq!(flow["missing_connections"], json!([]), "{flow}");
        let flow_id = flow["id"].as_str().unwrap().to_owned();
        // The template's sample is the new flow's trigger sample (for the data picker and the
        // first test) before any test ran.
        let samples: Value = self
            .client
            .get(self.server.at(&format!("/api/v1/flows/{flow_id}/samples")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let trigger_id = flow["document"]["trigger"]["id"].as_str().unwrap();
        let expected = match self.sample_of(id).await {
            v if v.get("trigger").is_some() => v["trigger"].clone(),
            _ => samples["samples"][trigger_id].clone(),
        };
        assert!(samples["samples"][trigger_id].is_object(), "{id}: {samples}");
        assert_eq!(samples["samples"][trigger_id], expected, "{id}");
        // The only thing left to the user: the call platform's secret, where there is one.
        let mut doc = flow["document"].clone();
        for p in flow["problems"].as_array().unwrap() {
            let message = p["message"].as_str().unwrap();
            assert!(SECRET_PROPS.iter().any(|k| message.contains(&format!("`{k}`"))), "{id}: {p}");
        }
        for key in SECRET_PROPS {
            if doc["trigger"]["props"].get(key).is_some() {
                doc["trigger"]["props"][key] = json!("a-secret-of-the-users-own-1234");
            }
        }
        edit(&mut doc);
        let saved: Value = self
            .client
            .put(self.server.at(&format!("/api/v1/flows/{flow_id}")))
            .json(&doc)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(saved["problems"], json!([]), "{id} still has problems: {saved}");
        flow_id
    }

    /// Test-runs a flow's draft (`{"sample": …}` or `{"trigger": …}`) and answers with the run.
    async fn test(&self, flow_id: &str, body: &Value) -> Value {
        self.client
            .post(self.server.at(&format!("/api/v1/flows/{flow_id}/test")))
            .json(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// What the gallery tests a template with: its sample event or its sample trigger value.
    async fn sample_of(&self, id: &str) -> Value {
        let detail: Value = self
            .client
            .get(self.server.at(&format!("/api/v1/templates/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match (&detail["sample"], &detail["sample_trigger"]) {
            (Value::String(event), _) => json!({ "sample": event }),
            (_, trigger) => json!({ "trigger": trigger }),
        }
    }

    /// Uses a template, sets its trigger secret, and test-runs it on its sample.
    async fn use_and_test(&self, id: &str, connections: Value) -> (Value, String) {
        self.use_and_test_with(id, connections, |_| {}).await
    }

    /// [`Setup::use_and_test`], with the draft changed by `edit` first.
    async fn use_and_test_with(
        &self,
        id: &str,
        connections: Value,
        edit: impl FnOnce(&mut Value),
    ) -> (Value, String) {
        let flow_id = self.use_template(id, connections, edit).await;
        let sample = self.sample_of(id).await;
        (self.test(&flow_id, &sample).await, flow_id)
    }

    async fn requests_to(&self, p: &str) -> Vec<Request> {
        self.vendors
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == p)
            .collect()
    }

    async fn requests_under(&self, prefix: &str) -> Vec<Request> {
        self.vendors
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path().starts_with(prefix))
            .collect()
    }

    /// Answers `m p` with `status` and a JSON body.
    async fn answer(&self, m: &str, p: &str, status: u16, body: Value) {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&self.vendors)
            .await;
    }

    /// Answers every Google Sheets append, whatever the spreadsheet and tab.
    async fn sheets_append_ok(&self) {
        Mock::given(method("POST"))
            .and(path_regex(r"^/gsheets/spreadsheets/[^/]+/values/.+:append$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "spreadsheetId": "sheet-1", "tableRange": "Sheet!A1:L4",
                "updates": { "updatedRange": "Sheet!A5:L5", "updatedRows": 1, "updatedColumns": 12, "updatedCells": 12 } })))
            .mount(&self.vendors)
            .await;
    }

    async fn slack_ok(&self) {
        self.answer(
            "POST",
            "/slack/chat.postMessage",
            200,
            json!({ "ok": true, "channel": "C1", "ts": "1.2" }),
        )
        .await;
    }

    /// The rows appended to Google Sheets: each request's path and its one row.
    async fn appended_rows(&self) -> Vec<(String, Value)> {
        self.requests_under("/gsheets/")
            .await
            .iter()
            .filter(|r| r.url.path().ends_with(":append"))
            .map(|r| {
                let body = json_of(r);
                assert_eq!(body["values"].as_array().unwrap().len(), 1, "{body}");
                assert_eq!(r.headers["authorization"], "Bearer ya29.sheets-token-1");
                (decoded_path(r), body["values"][0].clone())
            })
            .collect()
    }
}

fn json_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

/// The request's path, percent-decoded.
fn decoded_path(r: &Request) -> String {
    percent_decode(r.url.path())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query_of(r: &Request) -> Vec<(String, String)> {
    r.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn query_value(r: &Request, key: &str) -> Option<String> {
    query_of(r).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Asserts the run succeeded with these steps in these states.
fn assert_steps(record: &Value, expected: &[(&str, &str)]) {
    assert_eq!(record["status"], "succeeded", "{record}");
    for (step, status) in expected {
        assert_eq!(record["steps"][*step]["status"], *status, "step {step}: {record}");
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

// ---------------------------------------------------------------------------------------------
// A tiny SMTP server that keeps every message it is given.

/// One message: the envelope and the DATA as sent.
#[derive(Clone, Debug, Default)]
struct Mail {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

impl Mail {
    /// A header's value, unfolded and with RFC 2047 encoded words decoded.
    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| decode_words(v.trim()))
        })
    }

    /// The (single-part) body, transfer decoding undone.
    fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        match self.header("Content-Transfer-Encoding").map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("base64") => {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD.decode(compact).unwrap(),
                )
                .unwrap()
            }
            Some("quoted-printable") => {
                let joined = body.replace("=\r\n", "");
                let mut out = Vec::new();
                let bytes = joined.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    match joined.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                        Some(Ok(b)) if bytes[i] == b'=' => {
                            out.push(b);
                            i += 3;
                        }
                        _ => {
                            out.push(bytes[i]);
                            i += 1;
                        }
                    }
                }
                String::from_utf8(out).unwrap()
            }
            _ => body.to_owned(),
        }
    }
}

/// Decodes `=?utf-8?b?…?=` words (what mail libraries write for non-ASCII headers).
fn decode_words(value: &str) -> String {
    value
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            match lower.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")) {
                Some(_) => {
                    let encoded = &word["=?utf-8?b?".len()..word.len() - 2];
                    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
                    (String::from_utf8(bytes).unwrap(), true)
                }
                None => (word.to_owned(), false),
            }
        })
        .fold((String::new(), false), |(mut out, last_encoded), (word, encoded)| {
            // Whitespace between two encoded words is not part of the text.
            if !out.is_empty() && (!last_encoded || !encoded) {
                out.push(' ');
            }
            out.push_str(&word);
            (out, encoded)
        })
        .0
}

struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&mails);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = Arc::clone(&sink);
                std::thread::spawn(move || smtp_session(stream, &sink));
            }
        });
        Self { port, mails }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn smtp_session(stream: TcpStream, sink: &Mutex<Vec<Mail>>) {
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream);
    let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes()).is_ok();
    let mut read = || {
        let mut line = String::new();
        match lines.read_line(&mut line) {
            Ok(n) if n > 0 => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
            _ => None,
        }
    };
    if !reply("220 sink.test ESMTP ready") {
        return;
    }
    let mut mail = Mail::default();
    while let Some(line) = read() {
        let upper = line.to_ascii_uppercase();
        let ok = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            reply("250-sink.test") && reply("250 8BITMIME")
        } else if upper.starts_with("MAIL FROM:") {
            let address = line[10..].split_whitespace().next().unwrap_or_default();
            mail.mail_from = address.trim_matches(['<', '>']).to_owned();
            reply("250 2.1.0 Ok")
        } else if upper.starts_with("RCPT TO:") {
            mail.rcpt_to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
            reply("250 2.1.5 Ok")
        } else if upper == "DATA" {
            if !reply("354 End data with <CR><LF>.<CR><LF>") {
                return;
            }
            let mut data = String::new();
            while let Some(line) = read() {
                if line == "." {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line),
                );
                data.push_str("\r\n");
            }
            mail.data = data;
            sink.lock().unwrap().push(std::mem::take(&mut mail));
            reply("250 2.0.0 Ok: queued")
        } else if upper == "QUIT" {
            reply("221 2.0.0 Bye");
            return;
        } else {
            reply("250 2.0.0 Ok")
        };
        if !ok {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The gallery.

#[tokio::test]
async fn the_gallery_lists_and_filters_templates() {
    let s = setup("templates-gallery").await;
    let get = |q: &str| s.client.get(s.server.at(&format!("/api/v1/templates{q}"))).send();
    let all: Value = get("").await.unwrap().json().await.unwrap();
    let ids: Vec<&str> =
        all["templates"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, TEMPLATES, "every template parses, and each one is tested here");
    assert!(all["templates"][0].get("flow").is_none(), "the list leaves the flows out");
    // Every segment has templates.
    for segment in all["segments"].as_array().unwrap() {
        let listed: Value =
            get(&format!("?segment={}", text(segment))).await.unwrap().json().await.unwrap();
        let listed = listed["templates"].as_array().unwrap();
        assert!(!listed.is_empty(), "no template for {segment}");
        assert!(listed.iter().all(|t| t["segments"].as_array().unwrap().contains(segment)));
    }
    let recruiting: Value = get("?segment=recruiting").await.unwrap().json().await.unwrap();
    let recruiting: Vec<&str> = recruiting["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        recruiting,
        [
            "recruiting-interested-candidate-to-hubspot",
            "recruiting-interested-candidate-to-pipedrive",
            "recruiting-screening-to-google-sheets"
        ]
    );
    let sales: Value = get("?segment=sales").await.unwrap().json().await.unwrap();
    assert_eq!(sales["templates"].as_array().unwrap().len(), 7, "{sales}");
    assert!(
        sales["templates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["segments"].as_array().unwrap().contains(&json!("sales")))
    );
    let slack: Value = get("?piece=slack&search=alert").await.unwrap().json().await.unwrap();
    assert!(!slack["templates"].as_array().unwrap().is_empty());
    assert!(
        slack["templates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["pieces"].as_array().unwrap().contains(&json!("slack")))
    );
    let sheets: Value = get("?piece=google_sheets").await.unwrap().json().await.unwrap();
    assert_eq!(sheets["templates"].as_array().unwrap().len(), 6, "{sheets}");
    let missing = get("/nope").await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let wrong = s
        .client
        .post(s.server.at("/api/v1/templates/sales-qualified-call-to-hubspot/use"))
        .json(&json!({ "connections": { "salesforce": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    // Without connections: a draft whose missing connections are listed.
    let partial: Value = s
        .client
        .post(s.server.at("/api/v1/templates/sales-qualified-call-to-hubspot/use"))
        .json(&json!({ "name": "My sales flow", "connections": { "hubspot": "acme-hubspot" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(partial["missing_connections"], json!(["slack"]));
    assert_eq!(partial["name"], "My sales flow");
}

/// A call template tested with a trigger value of its own (rather than one of the platform's
/// reference payloads) holds what the platform's payload (`trigger.call.raw`) normalises to.
#[test]
fn call_templates_sample_triggers_are_what_their_platform_sends() {
    let mut checked = 0;
    for id in TEMPLATES {
        let file = workspace().join(format!("flows/templates/{id}.json"));
        let template: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let trigger = &template["flow"]["trigger"];
        let Some(sample) = template.get("sample_trigger") else { continue };
        if trigger["piece"] != "call" {
            continue;
        }
        let platform: Platform = text(&trigger["trigger"]).parse().unwrap();
        let n = normalize(platform, &sample["call"]["raw"]).unwrap();
        assert_eq!(sample["call"], n.call, "{id}");
        assert_eq!(sample["event"], n.event.as_str(), "{id}");
        let events = trigger["props"]["events"].as_array();
        assert!(events.is_none_or(|e| e.contains(&sample["event"])), "{id}: an event it ignores");
        checked += 1;
    }
    assert_eq!(checked, 5);
}

// ---------------------------------------------------------------------------------------------
// Sales.

#[tokio::test]
async fn the_sales_template_creates_the_contact_and_deal_and_alerts_slack() {
    let s = setup("templates-sales").await;
    Mock::given(method("POST"))
        .and(path("/hubspot/crm/v3/objects/contacts/batch/upsert"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE", "results": [{ "id": "501", "new": true, "properties": { "email": "ada@example.com" } }] })))
        .mount(&s.vendors)
        .await;
    Mock::given(method("POST"))
        .and(path("/hubspot/crm/v3/objects/0-3"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "id": "901", "properties": {}, "createdAt": "2026-05-06T10:00:00Z" }),
        ))
        .mount(&s.vendors)
        .await;
    s.slack_ok().await;
    let (record, _) = s
        .use_and_test(
            "sales-qualified-call-to-hubspot",
            json!({ "hubspot": "acme-hubspot", "slack": "acme-slack" }),
        )
        .await;
    assert_eq!(record["status"], "succeeded", "{record}");
    let upsert = s.requests_to("/hubspot/crm/v3/objects/contacts/batch/upsert").await;
    assert_eq!(upsert.len(), 1);
    assert_eq!(upsert[0].headers["authorization"], "Bearer pat-test-1");
    let input = &json_of(&upsert[0])["inputs"][0];
    assert_eq!(input["id"], "ada@example.com");
    assert_eq!(input["properties"]["lifecyclestage"], "lead");
    let deal = json_of(&s.requests_to("/hubspot/crm/v3/objects/0-3").await[0]);
    assert!(deal["properties"]["dealname"].as_str().unwrap().contains("ada@example.com"), "{deal}");
    assert_eq!(deal["associations"][0]["to"]["id"], "501", "{deal}");
    let slack = json_of(&s.requests_to("/slack/chat.postMessage").await[0]);
    assert_eq!(slack["channel"], "#sales-leads");
    assert!(slack["text"].as_str().unwrap().contains("ada@example.com"), "{slack}");
}

#[tokio::test]
async fn the_hot_lead_template_texts_the_caller_a_booking_link() {
    let s = setup("templates-sms").await;
    let messages = format!("/twilio/Accounts/{TWILIO_SID}/Messages.json");
    Mock::given(method("POST"))
        .and(path(messages.as_str()))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "sid": "SM1", "status": "queued" })),
        )
        .mount(&s.vendors)
        .await;
    let (record, _) =
        s.use_and_test("sales-hot-lead-sms", json!({ "twilio": "acme-twilio" })).await;
    assert_eq!(record["status"], "succeeded", "{record}");
    let sent = s.requests_to(&messages).await;
    assert_eq!(sent.len(), 1);
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&sent[0].body).unwrap();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert!(field("To").unwrap().starts_with('+'), "{form:?}");
    assert_eq!(field("From"), Some("+14155550100"));
    assert!(field("Body").unwrap().contains("https://calendly.com/"), "{form:?}");
    assert!(sent[0].headers["authorization"].to_str().unwrap().starts_with("Basic "));
}

#[tokio::test]
async fn the_no_answer_template_emails_the_lead_and_tasks_a_call_back() {
    let s = setup("templates-no-answer").await;
    // The number dialled is a known lead; any other number is not.
    Mock::given(method("POST"))
        .and(path("/hubspot/crm/v3/objects/contacts/search"))
        .and(body_partial_json(
            json!({ "filterGroups": [{ "filters": [{ "value": "+14155550123" }] }] }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "total": 1, "results": [{
            "id": "601", "properties": { "firstname": "Grace", "lastname": "Hopper", "email": "grace@example.com" } }] })))
        .with_priority(1)
        .mount(&s.vendors)
        .await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/contacts/search",
        200,
        json!({ "total": 0, "results": [] }),
    )
    .await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/tasks",
        201,
        json!({ "id": "7001", "properties": {} }),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/sendgrid/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-1"))
        .mount(&s.vendors)
        .await;
    let (record, flow_id) = s
        .use_and_test(
            "sales-no-answer-follow-up",
            json!({ "hubspot": "acme-hubspot", "sendgrid": "acme-sendgrid" }),
        )
        .await;
    // The sample: the outbound call got a busy line.
    assert_steps(
        &record,
        &[
            ("missed", "succeeded"),
            ("lead", "succeeded"),
            ("retry", "succeeded"),
            ("has_email", "succeeded"),
            ("email", "succeeded"),
        ],
    );
    let search = json_of(&s.requests_to("/hubspot/crm/v3/objects/contacts/search").await[0]);
    assert_eq!(search["filterGroups"][0]["filters"][0]["propertyName"], "phone");
    assert_eq!(search["filterGroups"][0]["filters"][0]["value"], "+14155550123");
    let tasks = s.requests_to("/hubspot/crm/v3/objects/tasks").await;
    assert_eq!(tasks.len(), 1);
    let task = json_of(&tasks[0]);
    let props = &task["properties"];
    assert_eq!(text(&props["hs_task_subject"]), "Call back +14155550123 (Grace Hopper)");
    assert_eq!(props["hs_task_type"], "CALL");
    assert!(text(&props["hs_task_body"]).contains("(busy)"), "{task}");
    assert!(text(&props["hs_task_body"]).contains("A follow-up email was sent."), "{task}");
    assert!(text(&props["hs_timestamp"]).ends_with('Z'), "{task}");
    assert_eq!(task["associations"][0]["to"]["id"], "601");
    let sent = s.requests_to("/sendgrid/v3/mail/send").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].headers["authorization"], "Bearer SG.test-key-1");
    let email = json_of(&sent[0]);
    assert_eq!(email["personalizations"][0]["to"][0]["email"], "grace@example.com");
    assert_eq!(email["from"]["email"], "sales@yourcompany.com");
    assert_eq!(email["subject"], "Sorry we missed you");
    let body = text(&email["content"][0]["value"]);
    assert!(body.starts_with("Hi Grace,\n\nWe just tried to call you"), "{body}");
    assert!(body.contains("https://calendly.com/your-team/intro-call"), "{body}");

    // A voicemail from a number HubSpot does not know: a call-back task, no email.
    let voicemail = json!({ "event": "post_call_transcription", "tool_calls": [], "call": {
        "platform": "elevenlabs", "event": "post_call_transcription", "call_id": "conv_vm_1",
        "direction": "outbound", "from": "+14155550100", "to": "+14155550177", "status": "ended",
        "ended_reason": "voicemail_detected", "extracted": {} } });
    let record = s.test(&flow_id, &json!({ "trigger": voicemail })).await;
    assert_steps(
        &record,
        &[("retry", "succeeded"), ("has_email", "succeeded"), ("email", "skipped")],
    );
    assert_eq!(record["steps"]["has_email"]["output"]["passed"], false);
    let tasks = s.requests_to("/hubspot/crm/v3/objects/tasks").await;
    let task = json_of(&tasks[1]);
    assert_eq!(text(&task["properties"]["hs_task_subject"]), "Call back +14155550177");
    assert!(text(&task["properties"]["hs_task_body"]).contains("No email address on file"));
    assert_eq!(task["associations"], json!([]), "no contact to attach it to: {task}");
    assert_eq!(s.requests_to("/sendgrid/v3/mail/send").await.len(), 1);

    // A call that was answered is left alone.
    let record = s.test(&flow_id, &json!({ "sample": "post_call_transcription" })).await;
    assert_steps(&record, &[("missed", "succeeded"), ("lead", "skipped"), ("email", "skipped")]);
    assert_eq!(s.requests_to("/hubspot/crm/v3/objects/tasks").await.len(), 2);
}

#[tokio::test]
async fn the_salesforce_template_creates_the_lead_and_alerts_slack() {
    let s = setup("templates-salesforce").await;
    s.answer(
        "POST",
        "/salesforce/sobjects/Lead",
        201,
        json!({ "id": "00Q5g00000AbCdEEAV", "errors": [], "success": true }),
    )
    .await;
    s.slack_ok().await;
    let (record, _) = s
        .use_and_test(
            "sales-qualified-call-to-salesforce",
            json!({ "salesforce": "acme-salesforce", "slack": "acme-slack" }),
        )
        .await;
    assert_steps(
        &record,
        &[("qualified", "succeeded"), ("lead", "succeeded"), ("alert", "succeeded")],
    );
    let leads = s.requests_to("/salesforce/sobjects/Lead").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].headers["authorization"], "Bearer 00D-salesforce-token-1");
    let lead = json_of(&leads[0]);
    assert_eq!(lead["FirstName"], "John");
    assert_eq!(lead["LastName"], "Doe");
    assert_eq!(lead["Company"], "Doe Logistics");
    assert_eq!(lead["Email"], "john.doe@example.com");
    assert_eq!(lead["Phone"], "+1234567890");
    assert_eq!(lead["LeadSource"], "Phone Inquiry");
    let description = text(&lead["Description"]);
    assert!(
        description.starts_with(
            "AI call on 2025-09-02 11:28 UTC (125 s): Customer interested in product demo"
        ),
        "{description}"
    );
    assert!(description.contains("Next step: schedule_demo"), "{description}");
    let slack = json_of(&s.requests_to("/slack/chat.postMessage").await[0]);
    assert_eq!(slack["channel"], "#sales-leads");
    let message = text(&slack["text"]);
    assert!(message.contains("John Doe (Doe Logistics, john.doe@example.com)"), "{message}");
    assert!(
        message.ends_with(
            "https://yourcompany.lightning.force.com/lightning/r/Lead/00Q5g00000AbCdEEAV/view"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn the_mailchimp_template_adds_the_caller_to_the_audience_with_tags() {
    let s = setup("templates-mailchimp").await;
    // Mailchimp names a member by the MD5 of their lower-case email: md5("ada@example.com").
    let member = "/mailchimp/lists/a1b2c3d4e5/members/3e3417d7ef77d5932a6734b916515ed5";
    s.answer(
        "PUT",
        member,
        200,
        json!({ "id": "3e3417d7ef77d5932a6734b916515ed5", "email_address": "ada@example.com", "status": "pending" }),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(format!("{member}/tags")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&s.vendors)
        .await;
    let (record, _) = s
        .use_and_test("sales-call-to-mailchimp-audience", json!({ "mailchimp": "acme-mailchimp" }))
        .await;
    assert_steps(&record, &[("has_email", "succeeded"), ("member", "succeeded")]);
    let put = s.requests_to(member).await;
    assert_eq!(put.len(), 1);
    assert!(put[0].headers["authorization"].to_str().unwrap().starts_with("Basic "));
    let body = json_of(&put[0]);
    assert_eq!(body["email_address"], "ada@example.com");
    assert_eq!(body["status_if_new"], "pending");
    assert_eq!(body["merge_fields"], json!({ "PHONE": "+14155550123" }));
    let tags = json_of(&s.requests_to(&format!("{member}/tags")).await[0]);
    assert_eq!(
        tags["tags"],
        json!([{ "name": "phone-call", "status": "active" }, { "name": "book_appointment", "status": "active" }])
    );
}

// ---------------------------------------------------------------------------------------------
// Recruiting.

#[tokio::test]
async fn the_pipedrive_recruiting_template_adds_the_candidate_invites_them_and_tells_hiring() {
    let s = setup("templates-recruit-pipedrive").await;
    s.answer(
        "POST",
        "/pipedrive/v2/persons",
        200,
        json!({ "success": true, "data": { "id": 42, "name": "Maria Gonzalez" } }),
    )
    .await;
    s.answer("POST", "/pipedrive/v1/notes", 200, json!({ "success": true, "data": { "id": 9 } }))
        .await;
    s.answer(
        "POST",
        "/resend/emails",
        200,
        json!({ "id": "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" }),
    )
    .await;
    s.slack_ok().await;
    let (record, _) = s
        .use_and_test(
            "recruiting-interested-candidate-to-pipedrive",
            json!({ "pipedrive": "acme-pipedrive", "resend": "acme-resend", "slack": "acme-slack" }),
        )
        .await;
    assert_steps(
        &record,
        &[
            ("interested", "succeeded"),
            ("person", "succeeded"),
            ("note", "succeeded"),
            ("invite", "succeeded"),
            ("alert", "succeeded"),
        ],
    );
    let persons = s.requests_to("/pipedrive/v2/persons").await;
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0].headers["x-api-token"], "pipedrive-token-1");
    let person = json_of(&persons[0]);
    assert_eq!(person["name"], "Maria Gonzalez");
    assert_eq!(
        person["emails"],
        json!([{ "value": "maria.gonzalez@example.com", "primary": true }])
    );
    assert_eq!(person["phones"], json!([{ "value": "+13125550187", "primary": true }]));
    let note = json_of(&s.requests_to("/pipedrive/v1/notes").await[0]);
    assert_eq!(note["person_id"], 42);
    assert_eq!(note["pinned_to_person_flag"], 1);
    let content = text(&note["content"]);
    assert!(
        content.starts_with("<b>AI phone screen: Warehouse Team Lead</b><br>Maria is interested"),
        "{content}"
    );
    assert!(
        content.contains(
            "Years of experience: 6<br>Available from: 2026-06-01<br>Shift preference: day"
        ),
        "{content}"
    );
    let sent = s.requests_to("/resend/emails").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].headers["authorization"], "Bearer re_test_1");
    let email = json_of(&sent[0]);
    assert_eq!(email["to"], json!(["maria.gonzalez@example.com"]));
    assert_eq!(email["from"], "Northstar Staffing <jobs@yourcompany.com>");
    assert_eq!(email["reply_to"], json!(["riley@yourcompany.com"]));
    assert_eq!(email["subject"], "Next step: your interview for Warehouse Team Lead");
    let body = text(&email["text"]);
    assert!(body.starts_with("Hi Maria,\n\nThanks for taking the time"), "{body}");
    assert!(body.contains("https://calendly.com/your-team/interview"), "{body}");
    let slack = json_of(&s.requests_to("/slack/chat.postMessage").await[0]);
    assert_eq!(slack["channel"], "#hiring");
    let message = text(&slack["text"]);
    assert!(
        message.contains(
            "*Warehouse Team Lead*: Maria Gonzalez (maria.gonzalez@example.com, +13125550187)"
        ),
        "{message}"
    );
    assert!(
        message.ends_with("Pipedrive: https://yourcompany.pipedrive.com/person/42"),
        "{message}"
    );
}

#[tokio::test]
async fn the_hubspot_recruiting_template_saves_the_candidate_invites_them_and_tells_hiring() {
    let s = setup("templates-recruit-hubspot").await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/contacts/batch/upsert",
        200,
        json!({ "status": "COMPLETE", "results": [{ "id": "701", "new": true, "properties": {} }] }),
    )
    .await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/notes",
        201,
        json!({ "id": "8001", "properties": {} }),
    )
    .await;
    s.answer(
        "POST",
        "/postmark/email",
        200,
        json!({ "To": "james.carter@example.com", "SubmittedAt": "2026-05-05T12:25:00-04:00",
                "MessageID": "0a129aee-e1cd-480d-b08d-4f48548ff48d", "ErrorCode": 0, "Message": "OK" }),
    )
    .await;
    s.slack_ok().await;
    let (record, _) = s
        .use_and_test(
            "recruiting-interested-candidate-to-hubspot",
            json!({ "hubspot": "acme-hubspot", "postmark": "acme-postmark", "slack": "acme-slack" }),
        )
        .await;
    assert_steps(
        &record,
        &[
            ("contact", "succeeded"),
            ("note", "succeeded"),
            ("invite", "succeeded"),
            ("alert", "succeeded"),
        ],
    );
    let upsert = json_of(&s.requests_to("/hubspot/crm/v3/objects/contacts/batch/upsert").await[0]);
    let input = &upsert["inputs"][0];
    assert_eq!(input["id"], "james.carter@example.com");
    assert_eq!(
        input["properties"],
        json!({ "email": "james.carter@example.com", "firstname": "James", "lastname": "Carter", "phone": "+16175550134" })
    );
    let note = json_of(&s.requests_to("/hubspot/crm/v3/objects/notes").await[0]);
    assert_eq!(note["properties"]["hs_timestamp"], "2026-05-05T16:24:12Z");
    let body = text(&note["properties"]["hs_note_body"]);
    assert!(
        body.starts_with("<p><strong>AI phone screen: Registered Nurse (ICU)</strong></p>"),
        "{body}"
    );
    assert!(
        body.contains("<li>License state: MA</li><li>Earliest start: 2026-05-26</li>"),
        "{body}"
    );
    assert_eq!(note["associations"][0]["to"]["id"], "701");
    let sent = s.requests_to("/postmark/email").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].headers["x-postmark-server-token"], "postmark-token-1");
    let email = json_of(&sent[0]);
    assert_eq!(email["To"], "james.carter@example.com");
    assert_eq!(email["From"], "Harbor Health Recruiting <recruiting@yourcompany.com>");
    assert_eq!(email["ReplyTo"], "ava@yourcompany.com");
    assert_eq!(email["Subject"], "Your interview for Registered Nurse (ICU)");
    assert_eq!(email["Tag"], "interview-invite");
    assert!(text(&email["TextBody"]).starts_with("Hi James,\n\nThank you for speaking with us"));
    let slack = json_of(&s.requests_to("/slack/chat.postMessage").await[0]);
    assert_eq!(slack["channel"], "#hiring");
    let message = text(&slack["text"]);
    assert!(message.contains("James Carter wants to interview for *Registered Nurse (ICU)* (7 years, can start 2026-05-26)"), "{message}");
}

#[tokio::test]
async fn the_screening_template_writes_the_answers_to_a_sheet_row() {
    let s = setup("templates-screening").await;
    s.sheets_append_ok().await;
    let (record, _) = s
        .use_and_test(
            "recruiting-screening-to-google-sheets",
            json!({ "google_sheets": "acme-sheets" }),
        )
        .await;
    assert_steps(&record, &[("row", "succeeded")]);
    let rows = s.appended_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'Candidates':append"
    );
    assert_eq!(
        rows[0].1,
        json!([
            "2026-05-06",
            "Daniel Okafor",
            "+14695550176",
            "Delivery Driver (CDL-B)",
            "yes",
            "4",
            "early mornings",
            "2026-05-18",
            "24",
            "yes",
            3.3,
            "1778080200123x845512093311742100"
        ])
    );
    let request = &s.requests_under("/gsheets/").await[0];
    assert_eq!(query_value(request, "valueInputOption").as_deref(), Some("USER_ENTERED"));
}

// ---------------------------------------------------------------------------------------------
// Lead generation.

#[tokio::test]
async fn the_agency_template_sends_the_lead_to_its_clients_crm_and_the_report() {
    let s = setup("templates-agency").await;
    s.sheets_append_ok().await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/contacts/batch/upsert",
        200,
        json!({ "status": "COMPLETE", "results": [{ "id": "501", "new": true, "properties": {} }] }),
    )
    .await;
    s.answer(
        "POST",
        "/zapier/hooks/catch/123456/abcdef/",
        200,
        json!({ "status": "success", "id": "018f8a1e" }),
    )
    .await;
    let (record, _) = s
        .use_and_test(
            "lead-gen-qualified-lead-per-client",
            json!({ "client_a_hubspot": "acme-hubspot", "client_b_pipedrive": "acme-pipedrive",
                    "agency_sheets": "acme-sheets" }),
        )
        .await;
    // The sample call was to Bright Smile Dental's number.
    assert_steps(
        &record,
        &[
            ("qualified", "succeeded"),
            ("lead", "succeeded"),
            ("report", "succeeded"),
            ("client", "succeeded"),
            ("a_contact", "succeeded"),
            ("a_zap", "succeeded"),
            ("b_person", "skipped"),
            ("b_deal", "skipped"),
        ],
    );
    assert_eq!(record["steps"]["client"]["output"]["branches"], json!(["client_a"]));
    let rows = s.appended_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'Leads':append");
    assert_eq!(
        rows[0].1,
        json!([
            "2026-05-04 07:04",
            "Bright Smile Dental",
            "ada@example.com",
            "+14155550123",
            "Caller booked a cleaning for Wednesday 2:30pm.",
            167,
            "9c1f6c2e-3b7a-4f0e-9a55-0d2f6f4c1e11"
        ])
    );
    let upsert = json_of(&s.requests_to("/hubspot/crm/v3/objects/contacts/batch/upsert").await[0]);
    assert_eq!(
        upsert["inputs"][0]["properties"],
        json!({ "email": "ada@example.com", "phone": "+14155550123", "lifecyclestage": "lead" })
    );
    let zaps = s.requests_to("/zapier/hooks/catch/123456/abcdef/").await;
    assert_eq!(zaps.len(), 1);
    let zap = json_of(&zaps[0]);
    assert_eq!(zap["event"], "qualified_lead");
    assert_eq!(zap["client"], "Bright Smile Dental");
    assert_eq!(zap["hubspot_contact_id"], "501");
    assert_eq!(zap["appointment_date"], "2026-05-06");
    assert_eq!(zap["appointment_time"], "14:30");
    assert!(s.requests_under("/pipedrive/v2/").await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Market research.

#[tokio::test]
async fn the_survey_sheet_template_writes_every_answer() {
    let s = setup("templates-survey-sheet").await;
    s.sheets_append_ok().await;
    let (record, _) = s
        .use_and_test(
            "market-research-survey-to-google-sheets",
            json!({ "google_sheets": "acme-sheets" }),
        )
        .await;
    assert_steps(&record, &[("row", "succeeded")]);
    let rows = s.appended_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'Survey responses':append"
    );
    assert_eq!(
        rows[0].1,
        json!([
            "2026-05-04",
            "13:45",
            "+15035550163",
            "yes",
            8,
            "yes",
            "Fresh produce, but the delivery was 40 minutes late",
            "Narrower delivery windows",
            "no",
            212,
            "The customer rated their last delivery 8/10: fresh produce but 40 minutes late. They would recommend Fresh Basket and want narrower delivery windows.",
            "conv_01jz4t2b7c9d1e3f5g7h9j1k3m"
        ])
    );
}

#[tokio::test]
async fn the_survey_airtable_template_records_the_answers_and_flags_an_unhappy_customer() {
    let s = setup("templates-survey-airtable").await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/airtable/appYOURBASEID0000/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "id": "recwPQIfs4wKPyc9D", "createdTime": "2026-05-06T15:14:00.000Z", "fields": {} }),
        ))
        .mount(&s.vendors)
        .await;
    s.slack_ok().await;
    let (record, _) = s
        .use_and_test(
            "market-research-survey-to-airtable",
            json!({ "airtable": "acme-airtable", "slack": "acme-slack" }),
        )
        .await;
    assert_steps(
        &record,
        &[
            ("completed", "succeeded"),
            ("record", "succeeded"),
            ("unhappy", "succeeded"),
            ("alert", "succeeded"),
        ],
    );
    let created = s.requests_under("/airtable/appYOURBASEID0000/").await;
    assert_eq!(created.len(), 1);
    assert_eq!(decoded_path(&created[0]), "/airtable/appYOURBASEID0000/Survey responses");
    assert_eq!(created[0].headers["authorization"], "Bearer patAirtable.1");
    let body = json_of(&created[0]);
    assert_eq!(body["typecast"], true);
    assert_eq!(
        body["fields"],
        json!({
            "Phone": "+15035550188",
            "Called at": "2026-05-06T15:10:00Z",
            "Satisfaction": 6,
            "Would recommend": "no",
            "Main reason": "Two items were missing from the order",
            "Improvement": "Check orders before they leave the store",
            "Follow-up OK": true,
            "Summary": "The customer rated their last delivery 6/10 because two items were missing, would not recommend Fresh Basket yet, and asked for orders to be checked before dispatch.",
            "Recording": "https://storage.vapi.ai/b7e3a1d4-6c2f-4e8a-9d15-2f7c8a9b0e31-mono.wav",
            "Call ID": "b7e3a1d4-6c2f-4e8a-9d15-2f7c8a9b0e31"
        })
    );
    let slack = json_of(&s.requests_to("/slack/chat.postMessage").await[0]);
    assert_eq!(slack["channel"], "#customer-care");
    let message = text(&slack["text"]);
    assert!(
        message.starts_with(
            ":warning: Survey score 6/10 from +15035550188, who is happy to be called back."
        ),
        "{message}"
    );
    assert!(message.ends_with("Suggestion: Check orders before they leave the store"), "{message}");
}

#[tokio::test]
async fn the_daily_summary_template_emails_yesterdays_survey_results() {
    let s = setup("templates-daily-summary").await;
    let header = json!([
        "Date",
        "Time",
        "Phone",
        "Completed",
        "Satisfaction",
        "Would recommend",
        "Main reason",
        "Improvement",
        "Follow-up OK",
        "Duration (s)",
        "Summary",
        "Call ID"
    ]);
    Mock::given(method("GET"))
        .and(path_regex(r"^/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "range": "'Survey responses'!A1:L1000", "majorDimension": "ROWS",
            "values": [
                header,
                ["2026-05-03", "18:02", "+15035550101", "yes", "9", "yes", "Fast", "Nothing", "no", "190", "…", "c0"],
                ["2026-05-04", "13:45", "+15035550163", "yes", "8", "yes", "Fresh", "Narrower delivery windows", "no", "212", "…", "c1"],
                ["2026-05-04", "14:20", "+15035550188", "yes", "6", "no", "Missing items", "Check orders before they leave the store", "yes", "211", "…", "c2"],
                ["2026-05-04", "15:05", "+15035550190", "no", "", "", "", "", "no", "31", "Hung up", "c3"]
            ] })))
        .mount(&s.vendors)
        .await;
    Mock::given(method("POST"))
        .and(path("/sendgrid/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "sg-2"))
        .mount(&s.vendors)
        .await;
    let (record, _) = s
        .use_and_test(
            "market-research-daily-summary-email",
            json!({ "google_sheets": "acme-sheets", "sendgrid": "acme-sendgrid" }),
        )
        .await;
    assert_steps(
        &record,
        &[
            ("day", "succeeded"),
            ("rows", "succeeded"),
            ("tally", "succeeded"),
            ("email", "succeeded"),
        ],
    );
    let reads = s.requests_under("/gsheets/").await;
    assert_eq!(reads.len(), 1);
    assert_eq!(
        decoded_path(&reads[0]),
        "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'Survey responses'"
    );
    assert_eq!(query_value(&reads[0], "majorDimension").as_deref(), Some("ROWS"));
    assert_eq!(record["steps"]["rows"]["output"]["count"], 3);
    let sent = s.requests_to("/sendgrid/v3/mail/send").await;
    assert_eq!(sent.len(), 1);
    let email = json_of(&sent[0]);
    assert_eq!(email["personalizations"][0]["to"][0]["email"], "research-team@yourcompany.com");
    assert_eq!(email["from"]["email"], "reports@yourcompany.com");
    assert_eq!(email["subject"], "Survey calls on Monday, May 4, 2026: 2 completed of 3");
    assert_eq!(
        text(&email["content"][0]["value"]),
        "Survey results for Monday, May 4, 2026\n\nCalls logged: 3\nCompleted surveys: 2\n\
         Average satisfaction: 7.0 / 10\nWould recommend: 1 of 2 (50%)\n\n\
         What respondents want improved:\n- Narrower delivery windows\n\
         - Check orders before they leave the store\n\n\
         All responses: https://docs.google.com/spreadsheets/d/PASTE-YOUR-SPREADSHEET-ID/edit"
    );
}

// ---------------------------------------------------------------------------------------------
// Multi-location.

#[tokio::test]
async fn the_multi_location_template_routes_each_call_to_its_location() {
    let s = setup("templates-locations").await;
    s.sheets_append_ok().await;
    s.slack_ok().await;
    Mock::given(method("POST"))
        .and(path("/teams/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&s.vendors)
        .await;
    let connections = json!({ "slack": "acme-slack", "westside_teams": "westside-teams",
                              "google_sheets": "acme-sheets" });
    let (record, _) =
        s.use_and_test("multi-location-calls-to-location-channels", connections.clone()).await;
    // The sample call was to the Downtown number.
    assert_steps(
        &record,
        &[
            ("where", "succeeded"),
            ("log", "succeeded"),
            ("downtown", "succeeded"),
            ("uptown", "skipped"),
            ("westside", "skipped"),
            ("other", "skipped"),
        ],
    );
    let posted = s.requests_to("/slack/chat.postMessage").await;
    assert_eq!(posted.len(), 1);
    let slack = json_of(&posted[0]);
    assert_eq!(slack["channel"], "#downtown-front-desk");
    assert_eq!(
        slack["text"],
        ":telephone_receiver: Call for Acme Dental Downtown from +12137771234: Caller rescheduled to Friday 10am."
    );
    let rows = s.appended_rows().await;
    assert_eq!(
        rows[0].0,
        "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'All calls':append"
    );
    assert_eq!(
        rows[0].1,
        json!([
            "2024-05-01 17:07",
            "Acme Dental Downtown",
            "+12137771234",
            "Caller rescheduled to Friday 10am.",
            "positive",
            15.791,
            "https://dxc03zgurdly9.cloudfront.net/Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6/recording.wav",
            "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6"
        ])
    );
    assert!(s.requests_under("/teams/").await.is_empty());

    // The same number set up as Westside's: its Teams channel hears about it instead.
    let (record, _) = s
        .use_and_test_with("multi-location-calls-to-location-channels", connections, |doc| {
            doc["vars"]["downtown_number"] = json!("+12137770000");
            doc["vars"]["westside_number"] = json!("+12137771235");
        })
        .await;
    assert_steps(&record, &[("downtown", "skipped"), ("westside", "succeeded")]);
    assert_eq!(s.requests_to("/slack/chat.postMessage").await.len(), 1);
    let teams = s.requests_under("/teams/").await;
    assert_eq!(teams.len(), 1);
    assert_eq!(query_value(&teams[0], "sig").as_deref(), Some("test-signature-0000"));
    let card = &json_of(&teams[0])["attachments"][0]["content"];
    assert_eq!(card["body"][0]["text"], "Call for Acme Dental Westside");
    assert_eq!(
        card["body"][1]["text"],
        "From **+12137771234**: Caller rescheduled to Friday 10am."
    );
    assert_eq!(card["actions"][0]["title"], "Listen to the call");
    assert_eq!(
        card["actions"][0]["url"],
        "https://dxc03zgurdly9.cloudfront.net/Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6/recording.wav"
    );
    assert_eq!(s.appended_rows().await[1].1[1], "Acme Dental Westside");
}

// ---------------------------------------------------------------------------------------------
// Mid-call tools.

#[tokio::test]
async fn the_mid_call_lookup_template_answers_the_agent_from_hubspot() {
    let s = setup("templates-tool").await;
    Mock::given(method("POST"))
        .and(path("/hubspot/crm/v3/objects/contacts/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "total": 1, "results": [{
            "id": "501", "properties": { "firstname": "Ada", "lastname": "Lovelace", "lifecyclestage": "customer" } }] })))
        .mount(&s.vendors)
        .await;
    let (record, _) =
        s.use_and_test("mid-call-hubspot-lookup", json!({ "hubspot": "acme-hubspot" })).await;
    assert_eq!(record["status"], "succeeded", "{record}");
    assert_eq!(
        record["response"]["body"], "The caller is Ada Lovelace, a customer in HubSpot.",
        "{record}"
    );
    let search = json_of(&s.requests_to("/hubspot/crm/v3/objects/contacts/search").await[0]);
    // The sample tool call gives no email: the caller is looked up by the calling number.
    let filter = &search["filterGroups"][0]["filters"][0];
    assert_eq!(filter["propertyName"], "phone", "{search}");
    assert!(filter["value"].as_str().unwrap().starts_with('+'), "{search}");
}

#[tokio::test]
async fn the_booking_tool_template_creates_the_task_and_confirms_the_time_to_the_agent() {
    let s = setup("templates-booking").await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/contacts/search",
        200,
        json!({ "total": 1, "results": [{ "id": "501", "properties": { "firstname": "Jane", "lastname": "Doe", "email": "jane@example.com" } }] }),
    )
    .await;
    s.answer(
        "POST",
        "/hubspot/crm/v3/objects/tasks",
        201,
        json!({ "id": "7002", "properties": {} }),
    )
    .await;
    let (record, _) = s
        .use_and_test("mid-call-book-appointment-hubspot", json!({ "hubspot": "acme-hubspot" }))
        .await;
    assert_steps(&record, &[("slot", "succeeded"), ("find", "succeeded"), ("task", "succeeded")]);
    // The sample: book_slot on 2026-05-06 at 14:30, New York time.
    assert_eq!(
        record["response"]["body"],
        "Booked for Wednesday, May 6 at 2:30 PM. Confirm the day and time with the caller, using \
         their first name Jane, and tell them the team looks forward to seeing them.",
        "{record}"
    );
    let search = json_of(&s.requests_to("/hubspot/crm/v3/objects/contacts/search").await[0]);
    assert_eq!(search["filterGroups"][0]["filters"][0]["value"], "+14155550123");
    let tasks = s.requests_to("/hubspot/crm/v3/objects/tasks").await;
    assert_eq!(tasks.len(), 1);
    let task = json_of(&tasks[0]);
    assert_eq!(
        task["properties"]["hs_task_subject"],
        "Appointment: Jane Doe, Wednesday, May 6 at 2:30 PM"
    );
    assert_eq!(task["properties"]["hs_timestamp"], "2026-05-06T18:30:00Z");
    assert_eq!(task["properties"]["hs_task_priority"], "HIGH");
    assert_eq!(
        task["properties"]["hs_task_body"],
        "Booked by the AI receptionist during a call from +14155550123. Reason: not given."
    );
    assert_eq!(task["associations"][0]["to"]["id"], "501");
}

#[tokio::test]
async fn the_availability_tool_template_reads_calcom_and_answers_the_agent() {
    let s = setup("templates-calcom").await;
    Mock::given(method("GET"))
        .and(path("/calcom/v2/slots"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "status": "success", "data": {
            "2026-05-06": [
                { "start": "2026-05-06T09:00:00.000-04:00" },
                { "start": "2026-05-06T11:30:00.000-04:00" },
                { "start": "2026-05-06T16:00:00.000-04:00" }
            ] } }),
        ))
        .mount(&s.vendors)
        .await;
    let calcom = format!("{}/calcom", s.vendors.uri());
    let (record, flow_id) = s
        .use_and_test_with("mid-call-check-availability-calcom", json!({}), |doc| {
            doc["vars"]["calcom_api"] = json!(calcom);
        })
        .await;
    // The sample asks for 14:30 on 2026-05-06, which is taken.
    assert_steps(
        &record,
        &[
            ("slots", "succeeded"),
            ("pick", "succeeded"),
            ("say_others", "succeeded"),
            ("say_free", "skipped"),
        ],
    );
    assert_eq!(
        record["response"]["body"],
        "14:30 is taken on Wednesday, May 6. Free times that day: 9:00 AM, 11:30 AM, 4:00 PM. Offer two of them.",
        "{record}"
    );
    let asked = s.requests_to("/calcom/v2/slots").await;
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].headers["cal-api-version"], "2024-09-04");
    let mut query = query_of(&asked[0]);
    query.sort();
    assert_eq!(
        query,
        [
            ("end", "2026-05-06"),
            ("eventTypeId", "123456"),
            ("start", "2026-05-06"),
            ("timeZone", "America/New_York")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    // A free time is confirmed.
    let mut trigger = s.sample_of("mid-call-check-availability-calcom").await;
    assert_eq!(trigger, json!({ "sample": "tool_call" }));
    let pieces: Value =
        s.client.get(s.server.at("/api/v1/pieces")).send().await.unwrap().json().await.unwrap();
    let call = pieces["pieces"].as_array().unwrap().iter().find(|p| p["id"] == "call").unwrap();
    let retell =
        call["triggers"].as_array().unwrap().iter().find(|t| t["name"] == "retell_tool").unwrap();
    trigger = retell["samples"][0]["output"].clone();
    trigger["tool"]["arguments"]["time"] = json!("16:00");
    let record = s.test(&flow_id, &json!({ "trigger": trigger })).await;
    assert_steps(&record, &[("say_free", "succeeded"), ("say_others", "skipped")]);
    assert_eq!(
        record["response"]["body"],
        "Yes, 16:00 on Wednesday, May 6 is free. Ask the caller to confirm it."
    );
}

// ---------------------------------------------------------------------------------------------
// Operations.

#[tokio::test]
async fn the_error_flow_template_posts_the_failure_to_slack() {
    let s = setup("templates-ops").await;
    Mock::given(method("POST"))
        .and(path("/slack/chat.postMessage"))
        .and(body_partial_json(json!({ "channel": "#ops-alerts" })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "channel": "C2", "ts": "3.4" })),
        )
        .mount(&s.vendors)
        .await;
    let (record, _) =
        s.use_and_test("operations-failed-run-alert", json!({ "slack": "acme-slack" })).await;
    assert_eq!(record["status"], "succeeded", "{record}");
    let text = json_of(&s.requests_to("/slack/chat.postMessage").await[0])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("failed at `contact`") && text.contains("token is invalid"), "{text}");
}

#[tokio::test]
async fn the_error_email_template_mails_the_failure_to_the_on_call_team() {
    let s = setup("templates-ops-email").await;
    let (record, _) =
        s.use_and_test("operations-failed-run-alert-email", json!({ "smtp": "acme-smtp" })).await;
    assert_steps(&record, &[("email", "succeeded")]);
    let mails = s.smtp.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.mail_from, "switchboard@yourcompany.com");
    assert_eq!(mail.rcpt_to, ["oncall@yourcompany.com"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Switchboard: Qualified call → HubSpot + Slack failed at step contact")
    );
    assert_eq!(mail.header("To").as_deref(), Some("oncall@yourcompany.com"));
    let body = mail.body();
    assert!(
        body.starts_with(
            "The flow \"Qualified call → HubSpot + Slack\" failed at 2026-05-06T14:35:02+00:00."
        ),
        "{body}"
    );
    assert!(
        body.contains("Step: contact\r\nError: step `contact` failed: HubSpot answered 401"),
        "{body}"
    );
    assert!(
        body.contains(
            "https://switchboard.yourcompany.com/runs/0192f0c4-5b1e-7cc2-9a51-3f0d2b8c9e11"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn the_call_log_template_writes_every_call_to_the_sheet() {
    let s = setup("templates-call-log").await;
    s.sheets_append_ok().await;
    let (record, _) = s
        .use_and_test(
            "operations-call-log-to-google-sheets",
            json!({ "google_sheets": "acme-sheets" }),
        )
        .await;
    assert_steps(&record, &[("row", "succeeded")]);
    let rows = s.appended_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        "/gsheets/spreadsheets/PASTE-YOUR-SPREADSHEET-ID/values/'Call log':append"
    );
    assert_eq!(
        rows[0].1,
        json!([
            "2026-05-04",
            "07:04",
            "inbound",
            "+14155550123",
            "+14155550100",
            "completed",
            167,
            "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Recordings/RE0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "CA0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        ])
    );
}
