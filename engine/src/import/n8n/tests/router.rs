//! Fixture (b): Webhook → Switch (3 rules + fallback) → Slack / Twilio / SendGrid / HTTP
//! Request → Respond to Webhook.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::{RunRequest, RunStatus, StepStatus};

fn lead(channel: &str) -> Value {
    webhook(json!({
        "name": " Ada ",
        "email": "Ada@Example.com",
        "phone": "+14155550123",
        "channel": channel,
        "score": 87
    }))
}

#[test]
fn report_and_structure() {
    let (flow, report) = convert(&fixture("router"));
    outcomes(
        &report,
        &[
            ("Lead Webhook", ItemOutcome::Mapped),
            ("Route by Channel", ItemOutcome::Mapped),
            ("Notify Slack", ItemOutcome::Mapped),
            ("Send SMS", ItemOutcome::Mapped),
            ("Send Welcome Email", ItemOutcome::Mapped),
            ("Forward to CRM", ItemOutcome::Mapped),
            ("Respond OK", ItemOutcome::Mapped),
        ],
    );
    assert!(has_note(item(&report, "Lead Webhook"), "/sync webhook URL"));
    assert!(has_note(
        item(&report, "Forward to CRM"),
        "Create an http connection named “CRM API key”"
    ));
    assert!(report.notes.iter().any(|n| n.contains("Pinned test data")));
    compiled(&engine(None), &flow);

    let router = step(&flow, "route_by_channel");
    assert_eq!(router["mode"], "first_match");
    assert_eq!(
        router["branches"],
        json!([
            { "name": "Slack", "condition": "trigger.body.channel == \"slack\"" },
            { "name": "SMS", "condition": "trigger.body.channel == \"sms\"" },
            { "name": "Email", "condition": "lower(to_string(trigger.body.channel)) == \"email\"" },
            { "name": "Other" }
        ])
    );
    let edges = flow["edges"].as_array().unwrap();
    for (to, branch) in [
        ("notify_slack", "Slack"),
        ("send_sms", "SMS"),
        ("send_welcome_email", "Email"),
        ("forward_to_crm", "Other"),
    ] {
        assert!(edges.contains(&json!({ "from": "route_by_channel", "to": to, "branch": branch })));
        assert!(edges.contains(&json!({ "from": to, "to": "respond_ok" })));
    }
    let http = step(&flow, "forward_to_crm");
    assert_eq!(
        http["props"],
        json!({
            "method": "POST",
            "url": "https://crm.example.test/api/leads",
            "headers": { "X-Source": "switchboard" },
            "body": {
                "name": "{{ trigger.body.name }}",
                "email": "{{ lower(trigger.body.email) }}",
                "channel": "{{ trigger.body.channel }}",
                "score": "{{ default(trigger.body.score, 0) }}",
                "tags": ["inbound", "{{ trigger.body.channel }}"]
            },
            "timeout_sec": 10.0
        })
    );
    assert_eq!(http["connection"], "CRM API key");
    let respond = step(&flow, "respond_ok");
    assert_eq!(respond["status"], 202);
    assert_eq!(respond["body"], json!({ "ok": true, "routed": "{{ trigger.body.channel }}" }));
    assert_eq!(flow["settings"]["timeout_sec"], 120);
    assert_eq!(
        step(&flow, "send_sms")["props"]["body"],
        "Hi {{ trim(trigger.body.name) }}, thanks for reaching out! Reply STOP to opt out."
    );
}

async fn mocks() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "ts": "1.2" })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/Accounts/.+/Messages.json$"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "sid": "SM1", "status": "queued" })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("X-Message-Id", "m-1"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/leads"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "lead-9" })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn each_channel_takes_its_branch_and_the_webhook_gets_the_answer() {
    let server = mocks().await;
    let (flow, _) = convert(&fixture("router"));
    // The CRM's URL is absolute in the workflow; point it at the mock.
    let flow: Value =
        serde_json::from_str(&flow.to_string().replace("https://crm.example.test", &server.uri()))
            .unwrap();
    let engine = engine(Some(&server.uri()));
    let flow = compiled(&engine, &flow);
    let env = env(vec![
        connection("Slack Bot", "slack"),
        connection("Twilio main", "twilio"),
        connection("SendGrid account", "sendgrid"),
        connection_with(
            "CRM API key",
            "http",
            json!({ "type": "header", "name": "X-Api-Key", "value": "crm-secret" }),
        ),
    ]);

    let record = engine.run(&flow, RunRequest::new(lead("sms")), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let sms = forms(&server, "/Accounts/").await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["To"], "+14155550123");
    assert_eq!(sms[0]["From"], "+14155550100");
    assert_eq!(sms[0]["Body"], "Hi Ada, thanks for reaching out! Reply STOP to opt out.");
    assert!(bodies(&server, "/chat.postMessage").await.is_empty());
    assert!(bodies(&server, "/v3/").await.is_empty());
    assert_eq!(record.steps["notify_slack"].status, StepStatus::Skipped);
    let response = record.response.as_ref().expect("a response");
    assert_eq!(response.status, 202);
    assert_eq!(response.body, json!({ "ok": true, "routed": "sms" }));

    // Case-insensitive rule: "EMAIL" goes to SendGrid.
    let record = engine.run(&flow, RunRequest::new(lead("EMAIL")), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let mail = bodies(&server, "/v3/mail/send").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["personalizations"][0]["to"][0]["email"], "Ada@Example.com");
    assert_eq!(mail[0]["from"], json!({ "email": "hello@acme.test", "name": "Acme" }));
    assert_eq!(mail[0]["subject"], "Welcome,  Ada ");
    assert_eq!(mail[0]["content"][0]["type"], "text/html");

    // Anything else falls back to the CRM, with the header credential.
    let record = engine.run(&flow, RunRequest::new(lead("fax")), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let requests = server.received_requests().await.unwrap_or_default();
    let crm: Vec<_> = requests.iter().filter(|r| r.url.path() == "/api/leads").collect();
    assert_eq!(crm.len(), 1);
    assert_eq!(crm[0].headers.get("x-api-key").and_then(|v| v.to_str().ok()), Some("crm-secret"));
    assert_eq!(crm[0].headers.get("x-source").and_then(|v| v.to_str().ok()), Some("switchboard"));
    let body: Value = serde_json::from_slice(&crm[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "name": " Ada ",
            "email": "ada@example.com",
            "channel": "fax",
            "score": 87,
            "tags": ["inbound", "fax"]
        })
    );
    assert_eq!(
        record.response.as_ref().map(|r| r.body.clone()),
        Some(json!({ "ok": true, "routed": "fax" }))
    );
}
