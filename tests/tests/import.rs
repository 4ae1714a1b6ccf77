//! Import through the real binary: n8n and ActivePieces exports posted to `POST
//! /api/v1/flows/import` become flows with a report, run against mock vendors once published;
//! files that cannot be imported are a 422 that says why and where; `switchboard import FILE`
//! prints the document and the report, or saves the flow with `--save`.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{
    Server, TempDir, anonymous_client, http_client, switchboard, wait_for_run, workspace,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn fixture(format: &str, name: &str) -> String {
    let file = workspace().join("engine/src/import").join(format).join("fixtures").join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

struct Setup {
    server: Server,
    client: reqwest::Client,
    vendors: MockServer,
    _dir: TempDir,
}

/// A server whose HubSpot, Slack and Google Sheets point at one mock, with connections named as the
/// imported flows name them.
async fn setup(tag: &str, connections: &[(&str, &str)]) -> Setup {
    let vendors = MockServer::start().await;
    let answers = [
        ("GET", "/hubspot/crm/v3/objects/contacts", json!({ "results": [] })),
        (
            "POST",
            "/hubspot/crm/v3/objects/contacts",
            json!({ "id": "901", "properties": { "firstname": "Ada" } }),
        ),
        (
            "POST",
            "/hubspot/crm/v3/objects/contacts/batch/upsert",
            json!({ "status": "COMPLETE", "results": [{ "id": "902", "properties": {} }] }),
        ),
        ("POST", "/slack/auth.test", json!({ "ok": true, "user_id": "U1" })),
        (
            "POST",
            "/slack/chat.postMessage",
            json!({ "ok": true, "channel": "C0123456", "ts": "1.2" }),
        ),
        ("GET", "/gdrive/about", json!({ "user": { "emailAddress": "ops@example.com" } })),
    ];
    for (m, p, body) in answers {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&vendors)
            .await;
    }
    let dir = TempDir::new(tag);
    let (hubspot, slack, sheets, drive) = (
        format!("{}/hubspot", vendors.uri()),
        format!("{}/slack", vendors.uri()),
        format!("{}/gsheets", vendors.uri()),
        format!("{}/gdrive", vendors.uri()),
    );
    let server = Server::start(
        dir.path(),
        &[],
        &[
            ("SWITCHBOARD_BASE_URL_HUBSPOT", &hubspot),
            ("SWITCHBOARD_BASE_URL_SLACK", &slack),
            ("SWITCHBOARD_BASE_URL_GOOGLE_SHEETS", &sheets),
            ("SWITCHBOARD_BASE_URL_GOOGLE_SHEETS_DRIVE", &drive),
        ],
    );
    let client = http_client();
    for (name, piece) in connections {
        let values = match *piece {
            "hubspot" => json!({ "token": "pat-import-1" }),
            "slack" => json!({ "token": "xoxb-import-1" }),
            "google_sheets" => json!({ "access_token": "ya29.import-1" }),
            other => panic!("no test credentials for {other}"),
        };
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
    async fn import(&self, text: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.server.at("/api/v1/flows/import"))
            .header("content-type", "application/json")
            .body(text.to_owned())
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }

    async fn publish(&self, id: &str) {
        for (action, status) in [("publish", StatusCode::CREATED), ("enable", StatusCode::OK)] {
            let r = self
                .client
                .post(self.server.at(&format!("/api/v1/flows/{id}/{action}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{action}: {}", r.text().await.unwrap());
        }
    }

    /// Sends a webhook to the flow and waits for the run.
    async fn deliver(&self, id: &str, body: Value) -> Value {
        let r = anonymous_client()
            .post(self.server.at(&format!("/hooks/{id}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let accepted: Value = r.json().await.unwrap();
        wait_for_run(&self.client, &self.server, accepted["run_id"].as_str().unwrap()).await
    }

    /// The POSTs the vendors received at `p` (connection checks are GETs, or before the run).
    async fn posts_to(&self, p: &str) -> Vec<Request> {
        let all = self.vendors.received_requests().await.unwrap_or_default();
        all.into_iter().filter(|r| r.url.path() == p && r.method.as_str() == "POST").collect()
    }
}

fn body_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn outcomes(import: &Value) -> Vec<(String, String)> {
    import["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["source"].as_str().unwrap().to_owned(), i["outcome"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn retell_call(qualified: bool) -> Value {
    json!({
        "event": "call_analyzed",
        "call": {
            "call_id": "call_import_1",
            "from_number": "+4915112345678",
            "duration_ms": 184000,
            "call_analysis": {
                "call_summary": "Caller wants a demo next week.",
                "custom_analysis_data": {
                    "qualified": qualified, "email": "ada@example.com",
                    "first_name": "Ada", "last_name": "Lovelace"
                }
            }
        }
    })
}

#[tokio::test]
async fn an_activepieces_template_is_imported_with_its_report_and_runs() {
    let s = setup(
        "import-ap",
        &[("hubspot-main", "hubspot"), ("slack-sales", "slack"), ("sheets-ops", "google_sheets")],
    )
    .await;
    let text = fixture("activepieces", "call_qualified_template.json");
    let (status, flow) = s.import(&text).await;
    assert_eq!(status, StatusCode::CREATED, "{flow}");
    assert_eq!(flow["problems"], json!([]), "{flow}");
    let import = &flow["import"];
    assert_eq!(import["source"], "activepieces");
    assert_eq!(import["summary"], "4 mapped, 1 approximated, 0 unsupported");
    assert_eq!(
        outcomes(import),
        [
            ("Catch Webhook (trigger)", "mapped"),
            ("Qualified? (router_1)", "mapped"),
            ("Create Contact (step_1)", "mapped"),
            ("Send Message To A Channel (step_2)", "mapped"),
            ("Add Row (step_3)", "approximated"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The original is kept whole in the document, with the report.
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(flow["document"]["ui"]["import"]["original"], original);
    assert_eq!(flow["document"]["ui"]["import"]["report"]["items"], import["items"]);

    let id = flow["id"].as_str().unwrap();
    s.publish(id).await;
    let run = s.deliver(id, retell_call(true)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"]["step_3"]["status"], "skipped");
    let contact = body_of(&s.posts_to("/hubspot/crm/v3/objects/contacts").await[0]);
    assert_eq!(contact["properties"]["email"], "ada@example.com");
    assert_eq!(contact["properties"]["phone"], "+4915112345678");
    let message = body_of(&s.posts_to("/slack/chat.postMessage").await[0]);
    assert_eq!(message["channel"], "C0123456");
    assert!(message["text"].as_str().unwrap().contains("(HubSpot 901)"), "{message}");
}

#[tokio::test]
async fn an_n8n_workflow_is_imported_with_its_report_and_runs() {
    let s = setup(
        "import-n8n",
        &[
            ("HubSpot Private App", "hubspot"),
            ("Slack Bot", "slack"),
            ("Google Sheets (ops)", "google_sheets"),
        ],
    )
    .await;
    let text = fixture("n8n", "vapi_qualified_lead.json");
    let (status, flow) = s.import(&text).await;
    assert_eq!(status, StatusCode::CREATED, "{flow}");
    assert_eq!(flow["problems"], json!([]), "{flow}");
    let import = &flow["import"];
    assert_eq!(import["source"], "n8n");
    assert_eq!(import["summary"], "5 mapped, 1 approximated, 0 unsupported");
    assert_eq!(
        outcomes(import),
        [
            ("Vapi Call Ended", "mapped"),
            ("Qualified?", "mapped"),
            ("Upsert HubSpot Contact", "mapped"),
            ("Alert #sales-leads", "mapped"),
            ("Log Unqualified Call", "mapped"),
            ("Sticky Note", "approximated"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let notes = import["notes"].to_string();
    assert!(notes.contains("error workflow"), "{notes}");
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(flow["document"]["ui"]["import"]["original"], original);

    let id = flow["id"].as_str().unwrap();
    s.publish(id).await;
    let call = json!({ "message": {
        "type": "end-of-call-report", "endedReason": "customer-ended-call", "durationSeconds": 95,
        "customer": { "number": "+4915112345678" },
        "analysis": { "summary": "Wants a demo next week", "structuredData": {
            "qualified": true, "email": "ada@example.com", "name": "Ada Lovelace"
        } }
    } });
    let run = s.deliver(id, call).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"]["log_unqualified_call"]["status"], "skipped");
    let upsert = body_of(&s.posts_to("/hubspot/crm/v3/objects/contacts/batch/upsert").await[0]);
    let properties = &upsert["inputs"][0]["properties"];
    assert_eq!(properties["email"], "ada@example.com");
    assert_eq!(properties["firstname"], "Ada");
    assert_eq!(properties["company"], "Unknown", "the `||` default");
    assert_eq!(properties["hs_lead_status"], "NEW");
    let message = body_of(&s.posts_to("/slack/chat.postMessage").await[0]);
    assert_eq!(message["channel"], "C0123SALES");
    assert_eq!(
        message["text"],
        ":fire: Qualified lead Ada Lovelace (+4915112345678): Wants a demo next week [CUSTOMER-ENDED-CALL]"
    );
}

#[tokio::test]
async fn files_that_cannot_be_imported_say_why_and_where() {
    let s = setup("import-bad", &[]).await;
    let cases = [
        ("{ \"nodes\": [", "unrecognised_import", "line 1"),
        ("[1, 2]", "unrecognised_import", "JSON array"),
        ("{ \"hello\": 1 }", "unrecognised_import", "found the keys hello"),
        (
            r#"{ "name": "n", "nodes": [{ "name": "A", "parameters": {} }], "connections": {} }"#,
            "invalid_import",
            "",
        ),
        (
            r#"{ "displayName": "x", "trigger": { "name": "trigger", "type": "PIECE_TRIGGER",
                 "settings": { "pieceName": "@activepieces/piece-webhook", "triggerName": "catch_webhook", "input": {} },
                 "nextAction": { "name": "step_1", "displayName": "No type" } } }"#,
            "invalid_import",
            "",
        ),
    ];
    for (text, code, fragment) in cases {
        let (status, body) = s.import(text).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}: {body}");
        assert_eq!(body["error"]["code"], code, "{text}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(fragment), "{text}: {message}");
        if code == "invalid_import" {
            let path = body["error"]["path"].as_str().unwrap();
            assert!(["$.nodes[0].type", "$.trigger.nextAction.type"].contains(&path), "{body}");
        }
    }
    // Nothing was created by the failures.
    let list: Value =
        s.client.get(s.server.at("/api/v1/flows")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["flows"], json!([]));
    // Our own format still imports as before, with an empty report.
    let ours = json!({
        "schema_version": 1, "name": "ours",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [], "edges": []
    });
    let (status, body) = s.import(&ours.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["import"]["source"], "switchboard");
    assert_eq!(body["import"]["items"], json!([]));
}

#[test]
fn the_cli_prints_the_document_and_the_report_or_saves_the_flow() {
    let file =
        workspace().join("engine/src/import/activepieces/fixtures/call_qualified_template.json");
    let file = file.to_str().unwrap();
    let out = switchboard(&["import", file], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["trigger"]["piece"], "webhook");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("imported from ActivePieces: 4 mapped, 1 approximated, 0 unsupported"),
        "{report}"
    );
    assert!(report.contains("approximated Add Row (step_3)"), "{report}");

    let json_out = switchboard(&["import", file, "--json"], &[]);
    let j: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(j["import"]["source"], "activepieces");
    assert_eq!(j["document"]["name"], doc["name"]);

    // A file that is none of the formats: exit 1 and the reason.
    let dir = TempDir::new("import-cli");
    let bad = dir.write("bad.json", "{\"hello\": 1}");
    let out = switchboard(&["import", &bad], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("not a Switchboard flow, an n8n workflow or an ActivePieces flow")
    );

    // --save: the flow is in the instance's database, listed once the server starts.
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out =
        switchboard(&["import", file, "--save", "--folder", "Imported", "--data-dir", data], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("saved as flow "));
    let server = Server::start(std::path::Path::new(data), &[], &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let list: Value = runtime.block_on(async {
        http_client().get(server.at("/api/v1/flows")).send().await.unwrap().json().await.unwrap()
    });
    assert_eq!(list["flows"][0]["name"], doc["name"]);
    assert_eq!(list["flows"][0]["folder"], "Imported");
}

#[test]
fn the_cli_imports_an_n8n_export_of_several_workflows() {
    // What `n8n export:workflow --all` writes: an array of workflows; here one of them is broken.
    let n8n = |name: &str| serde_json::from_str::<Value>(&fixture("n8n", name)).unwrap();
    let all = json!([
        n8n("vapi_qualified_lead.json"),
        n8n("webhook_switch_router.json"),
        { "name": "broken", "nodes": [{ "name": "A", "parameters": {} }], "connections": {} }
    ]);
    let dir = TempDir::new("import-many");
    let file = dir.write("workflows.json", &all.to_string());

    // Printing several flows needs --save or --json.
    let out = switchboard(&["import", &file], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 flows to import: save them with --save")
    );

    let listed = switchboard(&["import", &file, "--json"], &[]);
    assert_eq!(listed.status.code(), Some(1), "one element could not be imported");
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let sources: Vec<&str> =
        listed.as_array().unwrap().iter().map(|f| f["source"].as_str().unwrap()).collect();
    assert!(sources[0].ends_with("workflows.json[0]") && sources[1].ends_with("workflows.json[1]"));

    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = switchboard(&["import", &file, "--save", "--data-dir", data], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("workflows.json[2]: n8n file, at $[2].nodes[0].type"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("saved as flow ").count(), 2);
    let server = Server::start(std::path::Path::new(data), &[], &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let list: Value = runtime.block_on(async {
        http_client().get(server.at("/api/v1/flows")).send().await.unwrap().json().await.unwrap()
    });
    let mut names: Vec<&str> =
        list["flows"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    let mut expected = [
        n8n("vapi_qualified_lead.json")["name"].as_str().unwrap().to_owned(),
        n8n("webhook_switch_router.json")["name"].as_str().unwrap().to_owned(),
    ];
    expected.sort_unstable();
    assert_eq!(names, expected);
}
