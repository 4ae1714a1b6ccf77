//! Fixture (c): Schedule → HTTP Request → Loop Over Items (Set → Airtable → Code) → done →
//! Slack summary.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::{RunRequest, RunStatus};

#[test]
fn report_loop_body_and_schedule() {
    let (flow, report) = convert(&fixture("batch"));
    outcomes(
        &report,
        &[
            ("Weekday Mornings", ItemOutcome::Mapped),
            ("Fetch New Leads", ItemOutcome::Mapped),
            ("Loop Over Leads", ItemOutcome::Mapped),
            ("Prepare Record", ItemOutcome::Mapped),
            ("Create Lead Record", ItemOutcome::Mapped),
            ("Tag Hot Leads", ItemOutcome::Unsupported),
            ("Post Summary", ItemOutcome::Mapped),
        ],
    );
    assert!(has_note(item(&report, "Tag Hot Leads"), "JavaScript code cannot run here"));
    assert!(has_note(item(&report, "Loop Over Leads"), "once per item"));
    compiled(&engine(None), &flow);

    assert_eq!(
        flow["trigger"]["props"],
        json!({ "cron": "30 7 * * 1,2,3,4,5", "timezone": "Europe/Berlin" })
    );
    let fetch = step(&flow, "fetch_new_leads");
    assert_eq!(
        fetch["props"]["query"],
        json!({
            "status": "new",
            "since": "{{ format_date(date_add(today(), -1, \"days\"), \"%Y-%m-%d\") }}"
        })
    );
    let lp = step(&flow, "loop_over_leads");
    assert_eq!(lp["type"], "loop");
    assert_eq!(
        lp["items"],
        "{{ if type_of(steps.fetch_new_leads.body) == \"array\" { steps.fetch_new_leads.body } else { [steps.fetch_new_leads.body] } }}"
    );
    let body: Vec<&str> =
        lp["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(body, ["prepare_record", "create_lead_record", "tag_hot_leads"]);
    assert_eq!(
        lp["edges"],
        json!([
            { "from": "prepare_record", "to": "create_lead_record" },
            { "from": "create_lead_record", "to": "tag_hot_leads" }
        ])
    );
    assert_eq!(
        step(&flow, "prepare_record")["values"],
        json!({
            "Name": "{{ item.first_name }} {{ item.last_name }}",
            "Email": "{{ lower(item.email) }}",
            "Score": "{{ item.score }}",
            "Source": "lead-api"
        })
    );
    assert_eq!(
        step(&flow, "create_lead_record")["props"]["fields"]["Email"],
        "{{ steps.prepare_record.Email }}"
    );
    let code = step(&flow, "tag_hot_leads");
    assert_eq!(code["disabled"], true);
    assert!(code["script"].as_str().unwrap().contains("// for (const item of $input.all()) {"));
    assert!(
        flow["edges"]
            .as_array()
            .unwrap()
            .contains(&json!({ "from": "loop_over_leads", "to": "post_summary" }))
    );
    assert_eq!(
        step(&flow, "post_summary")["props"]["text"],
        "Lead sync finished at {{ format_date(now(), \"%H:%M\") }} (scheduled {{ trigger.scheduled_at }})"
    );
}

#[tokio::test]
async fn every_fetched_lead_becomes_a_record_then_the_summary_is_posted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com", "score": 91 },
            { "first_name": "Grace", "last_name": "Hopper", "email": "grace@EXAMPLE.com", "score": 64 }
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/appLeads12345678/tblLeads87654321"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "rec1", "fields": {} })),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "ts": "1.2" })))
        .mount(&server)
        .await;

    let (flow, _) = convert(&fixture("batch"));
    let flow: serde_json::Value =
        serde_json::from_str(&flow.to_string().replace("https://api.leads.test", &server.uri()))
            .unwrap();
    let engine = engine(Some(&server.uri()));
    let flow = compiled(&engine, &flow);
    let env = env(vec![connection("Airtable PAT", "airtable"), connection("Slack Bot", "slack")]);
    let trigger = json!({ "scheduled_at": "2025-06-02T07:30:00+02:00" });
    let record = engine.run(&flow, RunRequest::new(trigger), &env).await;
    assert_eq!(record.status, RunStatus::Succeeded, "{record:#?}");

    let requests = server.received_requests().await.unwrap_or_default();
    let fetch = requests.iter().find(|r| r.url.path() == "/v1/leads").expect("fetched");
    let query: Vec<(String, String)> =
        fetch.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert!(query.contains(&("status".into(), "new".into())), "{query:?}");
    assert!(query.iter().any(|(k, v)| k == "since" && v.len() == 10), "{query:?}");

    let records = bodies(&server, "/appLeads12345678/").await;
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0],
        json!({
            "fields": { "Name": "Ada Lovelace", "Email": "ada@example.com", "Score": 91, "Source": "lead-api" },
            "typecast": true
        })
    );
    assert_eq!(records[1]["fields"]["Email"], "grace@example.com");
    let slack = bodies(&server, "/chat.postMessage").await;
    assert_eq!(slack.len(), 1);
    let text = slack[0]["text"].as_str().unwrap();
    assert!(text.starts_with("Lead sync finished at "), "{text}");
    assert!(text.ends_with("(scheduled 2025-06-02T07:30:00+02:00)"), "{text}");
    assert_eq!(slack[0]["channel"], "C0456OPS");
    let iterations = record.steps["loop_over_leads"].iterations.as_ref().expect("iterations");
    assert_eq!(iterations.len(), 2);
}
