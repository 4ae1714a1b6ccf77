//! Templates through the real server: the gallery lists and filters them, "use template" makes a
//! draft with the user's connections, and each template runs on its sample against mock vendors,
//! sending exactly the requests it should.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{Server, TempDir, http_client};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TWILIO_SID: &str = "AC00000000000000000000000000000042";

struct Setup {
    server: Server,
    client: reqwest::Client,
    vendors: MockServer,
    _dir: TempDir,
}

async fn setup(tag: &str) -> Setup {
    let vendors = MockServer::start().await;
    // Connection tests.
    Mock::given(method("GET"))
        .and(path("/hubspot/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "results": [] })))
        .mount(&vendors)
        .await;
    Mock::given(method("POST"))
        .and(path("/slack/auth.test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "user_id": "U1" })),
        )
        .mount(&vendors)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/twilio/Accounts/{TWILIO_SID}.json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": TWILIO_SID })))
        .mount(&vendors)
        .await;
    let dir = TempDir::new(tag);
    let base = |piece: &str| format!("{}/{piece}", vendors.uri());
    let (hubspot, slack, twilio) = (base("hubspot"), base("slack"), base("twilio"));
    let server = Server::start(
        dir.path(),
        &[],
        &[
            ("SWITCHBOARD_BASE_URL_HUBSPOT", &hubspot),
            ("SWITCHBOARD_BASE_URL_SLACK", &slack),
            ("SWITCHBOARD_BASE_URL_TWILIO", &twilio),
        ],
    );
    let client = http_client();
    let connections = [
        ("acme-hubspot", "hubspot", json!({ "token": "pat-test-1" })),
        ("acme-slack", "slack", json!({ "token": "xoxb-test-1" })),
        (
            "acme-twilio",
            "twilio",
            json!({ "account_sid": TWILIO_SID, "auth_token": "twilio-token-1" }),
        ),
    ];
    for (name, piece, values) in connections {
        let r = client
            .post(server.at("/api/v1/connections"))
            .json(&json!({ "name": name, "piece": piece, "values": values }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    }
    Setup { server, client, vendors, _dir: dir }
}

impl Setup {
    /// Uses a template with the connections named, sets its trigger secret, and test-runs it.
    async fn use_and_test(&self, id: &str, connections: Value) -> (Value, Value) {
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
        // The only thing left to the user: the call platform's secret, where there is one.
        let mut doc = flow["document"].clone();
        for p in flow["problems"].as_array().unwrap() {
            assert!(p["message"].as_str().unwrap().contains("secret"), "{id}: {p}");
        }
        if doc["trigger"]["props"].get("secret").is_some() {
            doc["trigger"]["props"]["secret"] = json!("a-secret-of-the-users-own-1234");
        }
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
        let detail: Value = self
            .client
            .get(self.server.at(&format!("/api/v1/templates/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = match (&detail["sample"], &detail["sample_trigger"]) {
            (Value::String(event), _) => json!({ "sample": event }),
            (_, trigger) => json!({ "trigger": trigger }),
        };
        let record: Value = self
            .client
            .post(self.server.at(&format!("/api/v1/flows/{flow_id}/test")))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (record, doc)
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
}

fn json_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn the_gallery_lists_and_filters_templates() {
    let s = setup("templates-gallery").await;
    let get = |q: &str| s.client.get(s.server.at(&format!("/api/v1/templates{q}"))).send();
    let all: Value = get("").await.unwrap().json().await.unwrap();
    let ids: Vec<&str> =
        all["templates"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"sales-qualified-call-to-hubspot"), "{all}");
    assert!(all["templates"][0].get("flow").is_none(), "the list leaves the flows out");
    let sales: Value = get("?segment=sales").await.unwrap().json().await.unwrap();
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
    Mock::given(method("POST"))
        .and(path("/slack/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "channel": "C1", "ts": "1.2" })),
        )
        .mount(&s.vendors)
        .await;
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
