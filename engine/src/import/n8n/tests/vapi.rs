//! Fixture (a): Vapi webhook → IF qualified → HubSpot upsert + Slack; false → Google Sheets.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::{RunRequest, RunStatus, StepStatus};

fn call(qualified: bool, duration: u64) -> Value {
    webhook(json!({
        "message": {
            "type": "end-of-call-report",
            "endedReason": "customer-ended-call",
            "durationSeconds": duration,
            "customer": { "number": "+4915112345678" },
            "analysis": {
                "summary": "Wants a demo next week",
                "structuredData": {
                    "qualified": qualified,
                    "email": "ada@example.com",
                    "name": "Ada Lovelace",
                    "company": "Analytical Engines"
                }
            }
        }
    }))
}

#[test]
fn report_lists_every_node_with_its_outcome_and_notes() {
    let (_, report) = convert(&fixture("vapi"));
    outcomes(
        &report,
        &[
            ("Vapi Call Ended", ItemOutcome::Mapped),
            ("Qualified?", ItemOutcome::Mapped),
            ("Upsert HubSpot Contact", ItemOutcome::Mapped),
            ("Alert #sales-leads", ItemOutcome::Mapped),
            ("Log Unqualified Call", ItemOutcome::Mapped),
            ("Sticky Note", ItemOutcome::Approximated),
        ],
    );
    assert_eq!(item(&report, "Qualified?").step.as_deref(), Some("qualified"));
    assert_eq!(item(&report, "Sticky Note").step, None);
    assert!(has_note(item(&report, "Sticky Note"), "Sticky note"));
    let hubspot = item(&report, "Upsert HubSpot Contact");
    assert!(has_note(hubspot, "Create a connection named “HubSpot Private App” for hubspot"));
    assert!(has_note(hubspot, "Retries: 4 attempts"));
    assert!(has_note(item(&report, "Alert #sales-leads"), "On error the run continues"));
    assert!(has_note(item(&report, "Vapi Call Ended"), "/webhook/vapi-end-of-call"));
    assert!(report.notes.iter().any(|n| n.contains("error workflow “Er7wFl0wAbCd1234”")));
    assert!(report.notes.iter().any(|n| n.contains("saveDataSuccessExecution")));
    assert!(
        report.notes.iter().any(|n| n.contains("“Slack Bot” (slack, used by alert_sales_leads)"))
    );
}

#[test]
fn the_flow_has_a_router_and_translated_templates() {
    let (flow, _) = convert(&fixture("vapi"));
    compiled(&engine(None), &flow);
    assert_eq!(
        flow["trigger"],
        json!({
            "id": "vapi_call_ended", "name": "Vapi Call Ended", "piece": "webhook", "trigger": "catch"
        })
    );
    let router = step(&flow, "qualified");
    assert_eq!(router["type"], "router");
    assert_eq!(
        router["branches"],
        json!([
            {
                "name": "true",
                "condition": "(trigger.body.message.analysis.structuredData.qualified == true) && (trigger.body.message.durationSeconds > 30)"
            },
            { "name": "false" }
        ])
    );
    let hubspot = step(&flow, "upsert_hubspot_contact");
    assert_eq!(hubspot["connection"], "HubSpot Private App");
    assert_eq!(hubspot["action"], "upsert_contact");
    assert_eq!(
        hubspot["props"]["email"],
        "{{ trigger.body.message.analysis.structuredData.email }}"
    );
    assert_eq!(
        hubspot["props"]["firstname"],
        "{{ split(trigger.body.message.analysis.structuredData.name, \" \")[0] }}"
    );
    assert_eq!(
        hubspot["props"]["company"],
        "{{ default(trigger.body.message.analysis.structuredData.company, \"Unknown\") }}"
    );
    assert_eq!(hubspot["props"]["custom_properties"], json!({ "hs_lead_status": "NEW" }));
    assert_eq!(hubspot["retry"]["max_attempts"], 4);
    assert_eq!(hubspot["retry"]["initial_delay_ms"], 2000);
    let slack = step(&flow, "alert_sales_leads");
    assert_eq!(slack["on_error"], "continue");
    assert_eq!(slack["props"]["channel"], "C0123SALES");
    assert_eq!(
        slack["props"]["text"],
        ":fire: Qualified lead {{ trigger.body.message.analysis.structuredData.name }} \
         ({{ trigger.body.message.customer.number }}): {{ trigger.body.message.analysis.summary }} \
         [{{ upper(trigger.body.message.endedReason) }}]"
    );
    let sheet = step(&flow, "log_unqualified_call");
    assert_eq!(sheet["props"]["sheet"], "Unqualified");
    assert_eq!(sheet["props"]["spreadsheet_id"], "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms");
    assert_eq!(
        sheet["props"]["values"],
        json!([
            "{{ now() }}",
            "{{ trigger.body.message.customer.number }}",
            "{{ trigger.body.message.endedReason }}"
        ])
    );
    assert!(flow["edges"].as_array().unwrap().contains(&json!({
        "from": "qualified", "to": "log_unqualified_call", "branch": "false"
    })));
    assert_eq!(flow["ui"]["positions"]["qualified"], json!([-240, 300]));
}

#[test]
fn the_original_is_kept_when_imported_through_the_public_entry() {
    let text = include_str!("../fixtures/vapi_qualified_lead.json");
    let imported = crate::import::import_text(text).expect("imports");
    assert_eq!(imported.format, crate::import::SourceFormat::N8n);
    assert_eq!(imported.flow["ui"]["import"]["original"]["id"], "VapiLeadQual01");
    assert!(imported.flow["ui"]["positions"].is_object());
}

#[tokio::test]
async fn qualified_calls_reach_hubspot_and_slack_and_the_rest_reach_the_sheet() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts/batch/upsert"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE",
            "results": [{ "id": "151", "new": true, "properties": { "email": "ada@example.com" } }]
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "channel": "C0123SALES", "ts": "1700000000.000100", "message": {}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/spreadsheets/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "spreadsheetId": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms",
            "updates": { "updatedRange": "Unqualified!A2:C2", "updatedRows": 1 }
        })))
        .mount(&server)
        .await;

    let (flow, _) = convert(&fixture("vapi"));
    let engine = engine(Some(&server.uri()));
    let flow = compiled(&engine, &flow);
    let env = env(vec![
        connection("HubSpot Private App", "hubspot"),
        connection("Slack Bot", "slack"),
        connection("Google Sheets (ops)", "google_sheets"),
    ]);

    let record = engine.run(&flow, RunRequest::new(call(true, 184)), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    let hubspot = bodies(&server, "/crm/").await;
    assert_eq!(hubspot.len(), 1);
    assert_eq!(hubspot[0]["inputs"][0]["id"], "ada@example.com");
    assert_eq!(
        hubspot[0]["inputs"][0]["properties"],
        json!({
            "email": "ada@example.com",
            "firstname": "Ada",
            "phone": "+4915112345678",
            "company": "Analytical Engines",
            "lifecyclestage": "lead",
            "hs_lead_status": "NEW"
        })
    );
    let slack = bodies(&server, "/chat.postMessage").await;
    assert_eq!(slack.len(), 1);
    assert_eq!(slack[0]["channel"], "C0123SALES");
    assert_eq!(
        slack[0]["text"],
        ":fire: Qualified lead Ada Lovelace (+4915112345678): Wants a demo next week \
         [CUSTOMER-ENDED-CALL]"
    );
    assert!(bodies(&server, "/spreadsheets/").await.is_empty(), "the false branch was skipped");
    assert_eq!(record.steps["log_unqualified_call"].status, StepStatus::Skipped);

    // A short call is not qualified: only the sheet gets a row.
    let record = engine.run(&flow, RunRequest::new(call(true, 12)), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");
    assert_eq!(bodies(&server, "/crm/").await.len(), 1);
    assert_eq!(bodies(&server, "/chat.postMessage").await.len(), 1);
    let rows = bodies(&server, "/spreadsheets/").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0]["values"][0];
    assert!(row[0].as_str().is_some_and(|t| t.starts_with("20")), "{row}");
    assert_eq!(row[1], "+4915112345678");
    assert_eq!(row[2], "customer-ended-call");
    assert_eq!(record.steps["upsert_hubspot_contact"].status, StepStatus::Skipped);
}
