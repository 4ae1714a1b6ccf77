//! The fixture exports: report, translated expressions, validation, and a run against mock
//! vendors checking what each vendor received.

use serde_json::json;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::exec::StepStatus;
use crate::{RunRequest, RunStatus};

fn webhook_event(body: Value) -> Value {
    json!({ "body": body, "headers": { "content-type": "application/json" }, "query": {}, "method": "POST" })
}

fn retell_call(qualified: bool, duration_ms: u64, summary: &str) -> Value {
    webhook_event(json!({
        "event": "call_analyzed",
        "call": {
            "call_id": "call_8f2a",
            "from_number": "+4915112345678",
            "duration_ms": duration_ms,
            "call_analysis": {
                "call_summary": summary,
                "custom_analysis_data": {
                    "qualified": qualified, "email": "ada@example.com",
                    "first_name": "Ada", "last_name": "Lovelace"
                }
            }
        }
    }))
}

#[tokio::test]
async fn template_export_routes_qualified_calls_to_hubspot_and_slack() {
    let (flow, report) = convert("call_qualified_template");
    one_item_per_step(&fixture("call_qualified_template"), &flow, &report);
    assert_eq!(flow["name"], "Retell call → HubSpot + Slack");
    assert!(flow["description"].as_str().unwrap().starts_with("After each Retell call"));
    assert_eq!(
        flow["trigger"],
        json!({ "id": "webhook", "name": "Catch Webhook", "piece": "webhook", "trigger": "catch" })
    );

    expect_item(&report, "webhook", ItemOutcome::Mapped, &[]);
    expect_item(&report, "router_1", ItemOutcome::Mapped, &[]);
    expect_item(
        &report,
        "step_1",
        ItemOutcome::Mapped,
        &["connection named `hubspot-main`", "retry on failure"],
    );
    expect_item(&report, "step_2", ItemOutcome::Mapped, &["connection named `slack-sales`"]);
    expect_item(
        &report,
        "step_3",
        ItemOutcome::Approximated,
        &["id 0 (the first tab)", "\"Sheet1\""],
    );
    assert_eq!(item(&report, "step_1").source, "Create Contact (step_1)");
    assert_eq!(
        item(&report, "step_1").source_type,
        "PIECE @activepieces/piece-hubspot create-contact"
    );
    assert_eq!(item(&report, "router_1").source_type, "ROUTER");
    assert!(
        report.notes.iter().any(|n| n.contains("`hubspot-main` (hubspot)")),
        "{:?}",
        report.notes
    );

    // The router: OR of AND groups, ActivePieces' operators in rhai.
    let router = step(&flow, "router_1");
    assert_eq!(router["mode"], "first_match");
    assert_eq!(
        router["branches"],
        json!([
            { "name": "Qualified", "condition":
                "(trigger.body.call.call_analysis.custom_analysis_data.qualified == true && \
                 (!is_empty(trigger.body.call.duration_ms) && to_float(trigger.body.call.duration_ms) > 30000)) || \
                 trigger.body.call.call_analysis.call_summary.to_string().lower().contains(\"demo\")" },
            { "name": "Otherwise" }
        ])
    );
    // Bracket references read as dot paths; step references read `steps.<id>`.
    let contact = step(&flow, "step_1");
    assert_eq!(contact["piece"], "hubspot");
    assert_eq!(contact["action"], "create_contact");
    assert_eq!(contact["connection"], "hubspot-main");
    assert_eq!(contact["retry"]["max_attempts"], 4);
    assert_eq!(
        contact["props"],
        json!({
            "email": "{{ trigger.body.call.call_analysis.custom_analysis_data.email }}",
            "firstname": "{{ trigger.body.call.call_analysis.custom_analysis_data.first_name }}",
            "lastname": "{{ trigger.body.call.call_analysis.custom_analysis_data.last_name }}",
            "phone": "{{ trigger.body.call.from_number }}",
            "custom_properties": { "hs_lead_status": "NEW" }
        })
    );
    let slack = step(&flow, "step_2");
    assert_eq!(
        slack["props"],
        json!({
            "channel": "C0123456",
            "text": "New qualified lead {{ steps.step_1.properties.firstname }} (HubSpot \
                     {{ steps.step_1.id }}): {{ trigger.body.call.call_analysis.call_summary }}"
        })
    );
    assert_eq!(slack["on_error"], "continue");
    let sheet = step(&flow, "step_3");
    assert_eq!(sheet["action"], "append_row");
    assert_eq!(
        sheet["props"]["values"],
        json!([
            "{{ trigger.body.call.from_number }}",
            "{{ trigger.body.call.call_analysis.call_summary }}",
            "",
            "not qualified"
        ])
    );
    // Edges: router branches name their branch.
    assert_eq!(
        flow["edges"],
        json!([
            { "from": "webhook", "to": "router_1" },
            { "from": "router_1", "to": "step_1", "branch": "Qualified" },
            { "from": "step_1", "to": "step_2" },
            { "from": "router_1", "to": "step_3", "branch": "Otherwise" }
        ])
    );
    let parsed = validate(&flow);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .and(header("authorization", "Bearer pat-test-hubspot"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "501", "properties": { "firstname": "Ada", "email": "ada@example.com" },
            "createdAt": "2025-06-02T09:00:00Z", "updatedAt": "2025-06-02T09:00:00Z"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "channel": "C0123456", "ts": "1700000000.000100", "message": { "text": "x" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/spreadsheets/.+:append$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "spreadsheetId": "1Bxi", "tableRange": "Sheet1!A1:D4",
            "updates": { "updatedRange": "Sheet1!A5:D5", "updatedRows": 1, "updatedColumns": 4, "updatedCells": 4 }
        })))
        .mount(&server)
        .await;
    let engine = engine_for(&server);
    let compiled = engine.compile(parsed).unwrap();

    // A qualified call: HubSpot contact, then the Slack message quoting the contact's id.
    let record = engine
        .run(&compiled, RunRequest::new(retell_call(true, 184_000, "Wants a demo")), &env())
        .await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].url.path(), "/crm/v3/objects/contacts");
    assert_eq!(
        body_json(&sent[0])["properties"],
        json!({ "email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace",
                "phone": "+4915112345678", "hs_lead_status": "NEW" })
    );
    assert_eq!(sent[1].url.path(), "/chat.postMessage");
    assert_eq!(sent[1].headers.get("authorization").unwrap(), "Bearer xoxb-test-slack");
    let slack_body = body_json(&sent[1]);
    assert_eq!(slack_body["channel"], "C0123456");
    assert_eq!(slack_body["text"], "New qualified lead Ada (HubSpot 501): Wants a demo");
    assert_eq!(record.steps["step_3"].status, StepStatus::Skipped);

    // Not qualified and no demo: the fallback branch appends the row.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path_regex("^/spreadsheets/.+:append$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "spreadsheetId": "1Bxi", "tableRange": "Sheet1!A1:D4",
            "updates": { "updatedRange": "Sheet1!A5:D5", "updatedRows": 1 }
        })))
        .mount(&server)
        .await;
    let record = engine
        .run(&compiled, RunRequest::new(retell_call(false, 20_000, "Wrong number")), &env())
        .await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].url.path().contains("1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"),
        "{}",
        sent[0].url
    );
    assert!(sent[0].url.path().contains("Sheet1"), "{}", sent[0].url);
    assert_eq!(sent[0].headers.get("authorization").unwrap(), "Bearer ya29.test-sheets");
    assert_eq!(
        body_json(&sent[0])["values"],
        json!([["+4915112345678", "Wrong number", "", "not qualified"]])
    );
    assert_eq!(record.steps["step_1"].status, StepStatus::Skipped);
}

#[tokio::test]
async fn flow_version_fetches_leads_and_loops_into_airtable() {
    let (flow, report) = convert("leads_sync_flow_version");
    one_item_per_step(&fixture("leads_sync_flow_version"), &flow, &report);
    assert_eq!(
        flow["trigger"],
        json!({ "id": "schedule", "name": "Every Day", "piece": "schedule", "trigger": "cron",
                "props": { "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin" } })
    );
    expect_item(&report, "schedule", ItemOutcome::Mapped, &[]);
    // `trigger.timestamp` has no counterpart in our schedule trigger's output.
    expect_item(
        &report,
        "step_1",
        ItemOutcome::Approximated,
        &["`query.since`", "`{ scheduled_at }`"],
    );
    expect_item(&report, "loop_1", ItemOutcome::Mapped, &["`index` (from 0)"]);
    expect_item(&report, "step_2", ItemOutcome::Mapped, &["connection named `airtable_crm`"]);
    expect_item(
        &report,
        "step_3",
        ItemOutcome::Approximated,
        &["`text`: `{{step_1.body.leads.length}}` is kept as text", "`.length` is JavaScript"],
    );
    assert_eq!(item(&report, "loop_1").source_type, "LOOP_ON_ITEMS");

    let http = step(&flow, "step_1");
    assert_eq!(http["piece"], "http");
    assert_eq!(
        http["props"],
        json!({
            "method": "GET", "url": "https://crm.example.com/api/leads",
            "headers": { "Accept": "application/json" },
            "query": { "status": "new", "since": "{{ trigger.timestamp }}" },
            "auth": { "type": "bearer", "token": "crm-token-123" },
            "timeout_sec": 20.0
        })
    );
    let lp = step(&flow, "loop_1");
    assert_eq!(lp["type"], "loop");
    assert_eq!(lp["items"], "{{ steps.step_1.body.leads }}");
    assert_eq!(lp["edges"], json!([]));
    let record_step = step(&flow, "step_2");
    assert_eq!(
        record_step["props"]["fields"],
        json!({
            "Email": "{{ item.email }}", "Name": "{{ item[\"full name\"] }}",
            "Position": "{{ index + 1 }}", "Source": "{{ steps.step_1.body.source }}"
        })
    );
    // The JavaScript stays visible as text, escaped so the template engine prints it.
    let summary = step(&flow, "step_3");
    assert_eq!(summary["disabled"], true);
    assert_eq!(
        summary["props"]["text"],
        "Synced {{ \"{{\" }}step_1.body.leads.length}} new leads from {{ steps.step_1.body.source }}"
    );
    assert_eq!(
        flow["edges"],
        json!([
            { "from": "schedule", "to": "step_1" },
            { "from": "step_1", "to": "loop_1" },
            { "from": "loop_1", "to": "step_3" }
        ])
    );
    let server = MockServer::start().await;
    let flow = retarget(&flow, "https://crm.example.com", &server);
    let parsed = validate(&flow);
    Mock::given(method("GET"))
        .and(path("/api/leads"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "source": "webinar",
            "leads": [
                { "email": "ada@example.com", "full name": "Ada Lovelace" },
                { "email": "grace@example.com", "full name": "Grace Hopper" }
            ]
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/appXb12LeadsBase/tblLeads01"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "rec1", "createdTime": "2025-06-02T09:00:00.000Z", "fields": {}
        })))
        .mount(&server)
        .await;
    let engine = engine_for(&server);
    let compiled = engine.compile(parsed).unwrap();
    let record = engine
        .run(
            &compiled,
            RunRequest::new(json!({ "scheduled_at": "2025-06-02T09:00:00+02:00" })),
            &env(),
        )
        .await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[0].url.path(), "/api/leads");
    // A missing value leaves the parameter out.
    assert_eq!(sent[0].url.query(), Some("status=new"));
    assert_eq!(sent[0].headers.get("authorization").unwrap(), "Bearer crm-token-123");
    for (request, (email, name, position)) in sent[1..]
        .iter()
        .zip([("ada@example.com", "Ada Lovelace", 1), ("grace@example.com", "Grace Hopper", 2)])
    {
        assert_eq!(request.headers.get("authorization").unwrap(), "Bearer patTEST.airtable");
        assert_eq!(
            body_json(request)["fields"],
            json!({ "Email": email, "Name": name, "Position": position, "Source": "webinar" })
        );
    }
    // The summary was disabled: nothing reached Slack.
    assert_eq!(record.steps["step_3"].status, StepStatus::Skipped);
}

#[tokio::test]
async fn flow_export_with_code_unknown_piece_and_skip_answers_the_sync_webhook() {
    let (flow, report) = convert("sms_sync_flow");
    one_item_per_step(&fixture("sms_sync_flow"), &flow, &report);
    assert_eq!(flow["name"], "Missed call → SMS follow-up");
    assert_eq!(
        flow["trigger"]["props"]["auth"],
        json!({ "type": "header", "name": "x-api-key", "value": "s3cret-key" })
    );
    expect_item(&report, "step_1", ItemOutcome::Unsupported, &["TypeScript/JavaScript"]);
    expect_item(
        &report,
        "step_2",
        ItemOutcome::Approximated,
        &["`body`: reads `step_1`, which was not converted"],
    );
    expect_item(
        &report,
        "step_3",
        ItemOutcome::Unsupported,
        &["`@activepieces/piece-foo` action `enrich_contact` has no equivalent"],
    );
    expect_item(&report, "step_4", ItemOutcome::Mapped, &["skipped in ActivePieces"]);
    expect_item(&report, "step_5", ItemOutcome::Mapped, &["/sync webhook URL"]);
    assert_eq!(item(&report, "step_1").source_type, "CODE");

    // Placeholders are disabled code steps keeping the original.
    let code = step(&flow, "step_1");
    assert_eq!((code["type"].as_str(), code["disabled"].as_bool()), (Some("code"), Some(true)));
    let script = code["script"].as_str().unwrap();
    assert!(script.contains("// export const code = async (inputs) => {"), "{script}");
    assert!(script.contains("\"phone\": \"{{trigger.body.phone}}\""), "{script}");
    let foo = step(&flow, "step_3");
    assert_eq!(foo["disabled"], true);
    assert!(foo["script"].as_str().unwrap().contains("\"pieceName\": \"@activepieces/piece-foo\""));
    assert!(
        !foo["script"].as_str().unwrap().contains("nextAction"),
        "the rest of the flow is not in it"
    );
    assert_eq!(step(&flow, "step_4")["disabled"], true);
    assert_eq!(
        step(&flow, "step_2")["props"]["body"],
        "Hi {{ trigger.body.name }}, sorry we missed your call! Ref {{ steps.step_1?.ref }}"
    );
    assert_eq!(
        step(&flow, "step_5"),
        &json!({
            "id": "step_5", "name": "Return Response", "type": "respond", "status": 201,
            "headers": { "X-Flow": "sms-follow-up" },
            "body": { "ok": true, "sid": "{{ steps.step_2.sid }}", "to": "{{ steps.step_2.to }}" }
        })
    );
    let parsed = validate(&flow);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Accounts/AC00000000000000000000000000000001/Messages.json"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": "SM9a1b", "to": "+4915112345678", "status": "queued"
        })))
        .mount(&server)
        .await;
    let engine = engine_for(&server);
    let compiled = engine.compile(parsed).unwrap();
    let event = webhook_event(json!({ "phone": "+4915112345678", "name": "Ada" }));
    let record = engine.run(&compiled, RunRequest::new(event), &env()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "only Twilio is called: {sent:?}");
    let form: std::collections::HashMap<String, String> =
        reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(&sent[0].body)))
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
    assert_eq!(form["To"], "+4915112345678");
    assert_eq!(form["From"], "+15005550006");
    assert!(form["Body"].starts_with("Hi Ada, sorry we missed your call! Ref"), "{form:?}");
    for skipped in ["step_1", "step_3", "step_4"] {
        assert_eq!(record.steps[skipped].status, StepStatus::Skipped, "{skipped}");
    }
    let response = record.response.expect("the respond step answered");
    assert_eq!(response.status, 201);
    assert_eq!(response.body, json!({ "ok": true, "sid": "SM9a1b", "to": "+4915112345678" }));
}

#[tokio::test]
async fn all_match_router_runs_every_matching_branch_then_joins_once() {
    let (flow, report) = convert("all_match_router_template");
    one_item_per_step(&fixture("all_match_router_template"), &flow, &report);
    assert_eq!(flow["name"], "Inbound lead fan-out");
    assert!(
        report.notes.iter().any(|n| n.contains("the template holds 2 flows")),
        "{:?}",
        report.notes
    );
    expect_item(&report, "router_1", ItemOutcome::Mapped, &["at the same time"]);
    expect_item(&report, "step_1", ItemOutcome::Mapped, &["connection named `sendgrid`"]);
    expect_item(
        &report,
        "step_2",
        ItemOutcome::Approximated,
        &["input `visibleTo` (3) is not carried over"],
    );
    expect_item(&report, "step_3", ItemOutcome::Mapped, &[]);
    expect_item(&report, "step_4", ItemOutcome::Mapped, &["no error on failure"]);

    let router = step(&flow, "router_1");
    assert_eq!(router["mode"], "all_match");
    assert_eq!(
        router["branches"],
        json!([
            { "name": "Email", "condition": "(trigger.body.email != null && trigger.body.email != \"\")" },
            { "name": "CRM", "condition": "(!is_empty(trigger.body.score) && to_float(trigger.body.score) > 50)" },
            { "name": "Webinar", "condition": "trigger.body.source.to_string() == \"Webinar\"" }
        ])
    );
    assert_eq!(
        step(&flow, "step_1")["props"],
        json!({
            "to": "{{ trigger.body.email }}", "from": "sales@acme.test", "from_name": "Acme Sales",
            "subject": "Thanks, {{ trigger.body.name }}",
            "html": "<p>Hi {{ trigger.body.name }}, thanks for your interest!</p>"
        })
    );
    // Pipedrive's `data` wrapper is gone from our output: references drop it.
    assert_eq!(
        step(&flow, "step_3")["props"],
        json!({ "title": "Deal for {{ steps.step_2.name }}", "value": 1000, "currency": "EUR",
                "person_id": "{{ steps.step_2.id }}" })
    );
    // The step after the router joins every branch end, and the empty branch from the router.
    assert_eq!(
        flow["edges"],
        json!([
            { "from": "webhook", "to": "router_1" },
            { "from": "router_1", "to": "step_1", "branch": "Email" },
            { "from": "router_1", "to": "step_2", "branch": "CRM" },
            { "from": "step_2", "to": "step_3" },
            { "from": "step_1", "to": "step_4" },
            { "from": "step_3", "to": "step_4" },
            { "from": "router_1", "to": "step_4", "branch": "Webinar" }
        ])
    );
    assert_eq!(step(&flow, "step_4")["on_error"], "continue");

    let server = MockServer::start().await;
    let flow = retarget(&flow, "https://hooks.example.com", &server);
    let parsed = validate(&flow);
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202).insert_header("x-message-id", "msg-1"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/persons"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "success": true, "data": { "id": 77, "name": "Ada Lovelace" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/deals"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "success": true, "data": { "id": 900, "title": "Deal for Ada Lovelace" }
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/audit"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let engine = engine_for(&server);
    let compiled = engine.compile(parsed).unwrap();
    let lead = json!({ "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+4915112345678",
                       "score": 80, "source": "Webinar" });
    let record = engine.run(&compiled, RunRequest::new(webhook_event(lead)), &env()).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
    assert_eq!(
        record.steps["router_1"].output,
        Some(json!({ "branches": ["Email", "CRM", "Webinar"] }))
    );
    let sent = server.received_requests().await.unwrap();
    let by_path = |p: &str| sent.iter().filter(|r| r.url.path() == p).collect::<Vec<_>>();
    let mail = by_path("/v3/mail/send");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].headers.get("authorization").unwrap(), "Bearer SG.test-key");
    let mail = body_json(mail[0]);
    assert_eq!(mail["personalizations"][0]["to"][0]["email"], "ada@example.com");
    assert_eq!(mail["from"], json!({ "email": "sales@acme.test", "name": "Acme Sales" }));
    assert_eq!(mail["subject"], "Thanks, Ada Lovelace");
    let persons = by_path("/persons");
    assert_eq!(persons.len(), 1);
    let person = body_json(persons[0]);
    assert_eq!(person["name"], "Ada Lovelace");
    assert_eq!(person["emails"][0]["value"], "ada@example.com");
    let deals = by_path("/deals");
    assert_eq!(deals.len(), 1);
    let deal = body_json(deals[0]);
    assert_eq!(
        (deal["title"].as_str(), deal["person_id"].as_i64()),
        (Some("Deal for Ada Lovelace"), Some(77))
    );
    let audit = by_path("/audit");
    assert_eq!(audit.len(), 1, "the join runs once");
    assert_eq!(audit[0].headers.get("x-source").unwrap(), "activepieces");
    assert_eq!(
        body_json(audit[0]),
        json!({ "lead": "ada@example.com", "source": "Webinar", "score": 80 })
    );
}

#[tokio::test]
async fn legacy_branch_export_becomes_a_true_false_router() {
    let (flow, report) = convert("legacy_branch_flow");
    one_item_per_step(&fixture("legacy_branch_flow"), &flow, &report);
    expect_item(&report, "step_1", ItemOutcome::Mapped, &["old BRANCH step"]);
    assert_eq!(item(&report, "step_1").source_type, "BRANCH");
    expect_item(&report, "step_3", ItemOutcome::Mapped, &[]);
    expect_item(&report, "step_4", ItemOutcome::Mapped, &[]);
    let router = step(&flow, "step_1");
    assert_eq!(
        router["branches"],
        json!([
            { "name": "true", "condition":
                "(!is_empty(trigger.body.amount) && to_float(trigger.body.amount) > 100) && \
                 trigger.body.country.to_string().starts_with(\"D\")" },
            { "name": "false" }
        ])
    );
    // A JSON body written as text is parsed; the templates inside its strings are translated.
    assert_eq!(
        step(&flow, "step_2")["props"]["body"],
        json!({ "order": "{{ trigger.body.id }}", "priority": "high" })
    );
    assert_eq!(
        step(&flow, "step_3")["values"],
        json!({ "status": "small", "amount": "{{ trigger.body.amount }}" })
    );
    assert_eq!(
        step(&flow, "step_4")["values"],
        json!({ "result": "Order {{ trigger.body.id }} triaged" })
    );
    // The text helper's output was the text itself; ours is `{ result }`.
    assert_eq!(step(&flow, "step_5")["body"], "{{ steps.step_4.result }}");

    let server = MockServer::start().await;
    let flow = retarget(&flow, "https://fulfil.example.com", &server);
    let parsed = validate(&flow);
    Mock::given(method("POST"))
        .and(path("/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "queued": true })))
        .mount(&server)
        .await;
    let engine = engine_for(&server);
    let compiled = engine.compile(parsed).unwrap();
    for (amount, country, calls, taken) in
        [(500, "DE", 1, "step_2"), (50, "DE", 0, "step_3"), (500, "FR", 0, "step_3")]
    {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path("/orders"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "queued": true })))
            .mount(&server)
            .await;
        let event = webhook_event(json!({ "id": "A-17", "amount": amount, "country": country }));
        let record = engine.run(&compiled, RunRequest::new(event), &RunEnv::default()).await;
        assert_eq!(record.status, RunStatus::Succeeded, "{:?}", record.error);
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), calls, "amount {amount} {country}");
        if calls == 1 {
            assert_eq!(body_json(&sent[0]), json!({ "order": "A-17", "priority": "high" }));
        }
        assert_eq!(record.steps[taken].status, StepStatus::Succeeded);
        let response = record.response.expect("responded");
        assert_eq!(response.body, json!("Order A-17 triaged"));
    }
}
