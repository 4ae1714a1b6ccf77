//! Fixture (d): Webhook → Edit Fields → (HTTP enrich | Wait) → Merge → Pipedrive + Send Email +
//! an unknown community node.

use std::sync::Arc;

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::exec::{MemoryJournal, Resume};
use crate::pieces::smtp::test_server::{Script, TestServer};
use crate::{RunRequest, RunStatus};

#[test]
fn report_join_references_and_placeholder() {
    let (flow, report) = convert(&fixture("merge"));
    outcomes(
        &report,
        &[
            ("Form Submitted", ItemOutcome::Mapped),
            ("Set", ItemOutcome::Mapped),
            ("Enrich Company", ItemOutcome::Mapped),
            ("Wait 5s", ItemOutcome::Mapped),
            ("Merge", ItemOutcome::Approximated),
            ("Create Person", ItemOutcome::Mapped),
            ("Notify Sales", ItemOutcome::Mapped),
            ("Score Lead", ItemOutcome::Unsupported),
        ],
    );
    assert!(has_note(item(&report, "Merge"), "Merge (combine)"));
    assert!(has_note(item(&report, "Score Lead"), "`n8n-nodes-foo.bar` has no equivalent"));
    compiled(&engine(None), &flow);

    assert_eq!(
        step(&flow, "wait_5s"),
        &json!({ "id": "wait_5s", "name": "Wait 5s", "type": "delay", "duration": "5s" })
    );
    let merge = step(&flow, "merge");
    assert_eq!(merge["type"], "set");
    let edges = flow["edges"].as_array().unwrap();
    assert!(edges.contains(&json!({ "from": "enrich_company", "to": "merge" })));
    assert!(edges.contains(&json!({ "from": "wait_5s", "to": "merge" })));
    assert_eq!(
        step(&flow, "enrich_company")["props"]["url"],
        "https://enrich.example.test/v1/companies?domain={{ split(steps.set.email, \"@\")[1] }}"
    );
    let person = step(&flow, "create_person");
    assert_eq!(
        person["props"],
        json!({
            "name": "{{ steps.set.fullName }}",
            "email": "{{ trigger.body.email }}",
            "phone": "{{ trigger.body.phone }}"
        })
    );
    let mail = step(&flow, "notify_sales");
    assert_eq!(mail["props"]["subject"], "Demo request from {{ steps.set.company }}");
    assert_eq!(
        mail["props"]["text"],
        "Name: {{ steps.set.fullName }}\nEmail: {{ trigger.body.email }}\nEmployees: \
         {{ coalesce(steps.set?.employees, steps.enrich_company?.body?.employees) }}"
    );
    let placeholder = step(&flow, "score_lead");
    assert_eq!(placeholder["type"], "code");
    assert_eq!(placeholder["disabled"], true);
    assert!(placeholder["script"].as_str().unwrap().contains("n8n-nodes-foo.bar"));
}

#[tokio::test]
async fn the_join_waits_for_the_delay_then_creates_the_person_and_mails_sales() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/companies"))
        .and(query_param("domain", "engines.test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "employees": 250 })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/persons"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "success": true, "data": { "id": 42 } })),
        )
        .mount(&server)
        .await;
    let smtp = TestServer::start(Script::default()).await;

    let (flow, _) = convert(&fixture("merge"));
    let flow: Value = serde_json::from_str(
        &flow.to_string().replace("https://enrich.example.test", &server.uri()),
    )
    .unwrap();
    let engine = engine(Some(&server.uri()));
    let flow = compiled(&engine, &flow);
    let journal = Arc::new(MemoryJournal::default());
    let mut run_env = env(vec![
        connection("Pipedrive main", "pipedrive"),
        connection_with(
            "SMTP Office",
            "smtp",
            json!({ "host": "127.0.0.1", "port": smtp.port, "security": "none" }),
        ),
    ]);
    run_env.journal = journal.clone();
    let request = RunRequest::new(webhook(json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": " Ada@Engines.test ",
        "company": "Analytical Engines",
        "phone": "+4915112345678"
    })));

    let first = engine.run(&flow, request.clone(), &run_env).await;
    assert_eq!(first.status, RunStatus::Paused, "{first:#?}");
    assert_eq!(first.pauses.len(), 1);
    assert_eq!(first.pauses[0].step, "wait_5s");
    assert!(bodies(&server, "/persons").await.is_empty(), "the join waits for the delay");

    let mut again = request;
    again.prior = journal.latest();
    again.resume.insert("wait_5s".into(), Resume::WakeUp);
    let second = engine.run(&flow, again, &run_env).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{second:#?}");

    let persons = bodies(&server, "/persons").await;
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0]["name"], "Ada Lovelace");
    assert_eq!(persons[0]["emails"], json!([{ "value": " Ada@Engines.test ", "primary": true }]));
    assert_eq!(persons[0]["phones"], json!([{ "value": "+4915112345678", "primary": true }]));

    // One connection, one message.
    let mail = smtp.session();
    let data = mail.data.clone().unwrap_or_default();
    assert_eq!(mail.mail_from.as_deref(), Some("bot@acme.test"));
    assert_eq!(mail.rcpt_to, ["sales@acme.test"]);
    assert!(data.contains("Subject: Demo request from Analytical Engines"), "{data}");
    assert!(data.contains("Name: Ada Lovelace"), "{data}");
    assert!(data.contains("Employees: 250"), "{data}");
    assert_eq!(second.steps["score_lead"].status, crate::StepStatus::Skipped);
}
