//! REST hook subscriptions (Zapier, Make, n8n) through the real binary: subscribe, a flow's
//! `switchboard_events.emit` step delivering to every subscriber, 410 Gone unsubscribing, the
//! sample list, unsubscribe, validation errors, and auth.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_tests::{
    Server, TempDir, anonymous_client, create_published, http_client, wait_for_run,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENT: &str = "order.created";

async fn subscribe(client: &reqwest::Client, server: &Server, body: Value) -> reqwest::Response {
    client.post(server.at("/api/v1/subscriptions")).json(&body).send().await.unwrap()
}

async fn error_code(r: reqwest::Response) -> (StatusCode, String, String) {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    let code = body["error"]["code"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    (status, code, message)
}

#[tokio::test]
async fn subscribers_receive_emitted_events() {
    let dir = TempDir::new("subscriptions");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let data = json!({ "id": "ord_1042", "customer": "ada@example.com" });

    // Two subscribers: a live Zap, and one whose Zap was turned off (410 Gone).
    let zap = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/standard/1/secret-token-live"))
        .and(header("content-type", "application/json"))
        .and(header("x-switchboard-event", EVENT))
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": "success" })))
        .expect(1)
        .mount(&zap)
        .await;
    let gone = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/standard/2/secret-token-gone"))
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(410))
        .expect(1)
        .mount(&gone)
        .await;
    let zap_url = format!("{}/hooks/standard/1/secret-token-live", zap.uri());
    let gone_url = format!("{}/hooks/standard/2/secret-token-gone", gone.uri());

    let r = subscribe(&client, &server, json!({ "event": EVENT, "target_url": zap_url })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let live: Value = r.json().await.unwrap();
    assert_eq!(live["event"], EVENT);
    assert_eq!(live["target_url"], zap_url.as_str());
    let live_id = live["id"].as_str().unwrap().to_owned();
    let r = subscribe(&client, &server, json!({ "event": EVENT, "target_url": gone_url })).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let gone_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // Subscribing again returns the existing subscription.
    let r = subscribe(&client, &server, json!({ "event": EVENT, "target_url": zap_url })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], live_id.as_str());

    // No samples before the first event: an empty array, as Zapier's perform list expects.
    let samples_url = server.at(&format!("/api/v1/subscriptions/samples?event={EVENT}"));
    let samples: Value = client.get(&samples_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(samples, json!([]));

    // A published flow: webhook → emit.
    let doc = json!({
        "schema_version": 1, "name": "orders to zapier",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{
            "id": "notify", "type": "action", "piece": "switchboard_events", "action": "emit",
            "props": {
                "event": EVENT,
                "data": { "id": "{{ trigger.body.id }}", "customer": "{{ trigger.body.email }}" }
            }
        }],
        "edges": [{ "from": "hook", "to": "notify" }]
    });
    let flow_id = create_published(&client, &server, &doc).await;
    let r = client
        .post(server.at(&format!("/hooks/{flow_id}")))
        .json(&json!({ "id": "ord_1042", "email": "ada@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let run_id = r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned();
    let record = wait_for_run(&client, &server, &run_id).await;
    assert_eq!(record["status"], "succeeded", "{record}");
    let output = &record["steps"]["notify"]["output"];
    assert_eq!(output["event"], EVENT);
    assert_eq!(output["subscribers"], 2);
    assert_eq!(output["delivered"], 1);
    assert_eq!(
        output["failed"],
        json!([{
            "subscription_id": gone_id, "target_url": gone.uri(), "status": 410, "unsubscribed": true
        }])
    );
    assert!(!record.to_string().contains("secret-token"), "the run record leaks a URL: {record}");

    // The 410 subscriber is gone; the live one stays.
    let list: Value = client
        .get(server.at(&format!("/api/v1/subscriptions?event={EVENT}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> =
        list["subscriptions"].as_array().unwrap().iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, [live_id.as_str()]);

    // The payload is the event's sample data.
    let samples: Value = client.get(&samples_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(samples, json!([data]));

    // Unsubscribe: 204, then 404.
    let delete_url = server.at(&format!("/api/v1/subscriptions/{live_id}"));
    assert_eq!(client.delete(&delete_url).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let (status, code, _) = error_code(client.delete(&delete_url).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "subscription_not_found"));
    let list: Value =
        client.get(server.at("/api/v1/subscriptions")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["subscriptions"], json!([]));

    // With no subscriber left, emitting still succeeds and updates the samples.
    let r = client
        .post(server.at(&format!("/hooks/{flow_id}")))
        .json(&json!({ "id": "ord_1043", "email": "grace@example.com" }))
        .send()
        .await
        .unwrap();
    let run_id = r.json::<Value>().await.unwrap()["run_id"].as_str().unwrap().to_owned();
    let record = wait_for_run(&client, &server, &run_id).await;
    assert_eq!(record["steps"]["notify"]["output"]["delivered"], 0, "{record}");
    let samples: Value = client.get(&samples_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(samples[0]["id"], "ord_1043");
    assert_eq!(samples[1]["id"], "ord_1042");
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_the_error_shape() {
    let dir = TempDir::new("subscriptions-errors");
    let server = Server::start(dir.path(), &[], &[]);
    let client = http_client();
    let ok_url = "https://hooks.example.com/hooks/standard/1/abc";
    let loop_url = server.at("/hooks/some-flow");
    let localhost_loop = loop_url.replace("127.0.0.1", "localhost");
    for (body, needle) in [
        (json!({ "event": EVENT, "target_url": "not a url" }), "not a URL"),
        (json!({ "event": EVENT, "target_url": "ftp://example.com/x" }), "http(s)"),
        (json!({ "event": EVENT, "target_url": "https://u:p@example.com/x" }), "credentials"),
        (json!({ "event": EVENT, "target_url": loop_url }), "this Switchboard server"),
        (json!({ "event": EVENT, "target_url": localhost_loop }), "this Switchboard server"),
        (json!({ "event": EVENT }), "`target_url` is required"),
        (json!({ "event": "Order Created", "target_url": ok_url }), "`event`"),
        (json!({ "event": "", "target_url": ok_url }), "`event`"),
        (json!({ "event": 7, "target_url": ok_url }), "`event` must be a string"),
        (json!(["not", "an", "object"]), "JSON object"),
    ] {
        let (status, code, message) =
            error_code(subscribe(&client, &server, body.clone()).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code, "invalid_subscription", "{body}");
        assert!(message.contains(needle), "{body}: {message}");
    }
    let r = client
        .post(server.at("/api/v1/subscriptions"))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(r).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "malformed_json"));
    for url in ["/api/v1/subscriptions/samples", "/api/v1/subscriptions/samples?event=Bad%20Name"] {
        let (status, code, _) = error_code(client.get(server.at(url)).send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_event"), "{url}");
    }
    // Nothing was stored.
    let list: Value =
        client.get(server.at("/api/v1/subscriptions")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["subscriptions"], json!([]));

    // Every route needs credentials (an API key is how a Zapier app authenticates).
    let anon = anonymous_client();
    for (m, p) in [
        ("GET", "/api/v1/subscriptions"),
        ("POST", "/api/v1/subscriptions"),
        ("DELETE", "/api/v1/subscriptions/x"),
        ("GET", "/api/v1/subscriptions/samples?event=e"),
    ] {
        let r = anon
            .request(m.parse().unwrap(), server.at(p))
            .json(&json!({ "event": EVENT, "target_url": ok_url }))
            .send()
            .await
            .unwrap();
        let (status, code, _) = error_code(r).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthenticated"),
            "{m} {p}"
        );
    }
}
