//! The piece's metadata, its props, and delivery against mock subscribers.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use switchboard_engine::piece::{ActionContext, HttpClient, HttpConfig, Piece, PropKind};
use switchboard_engine::{ErrorKind, StepError};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::store::sqlite::SqliteStore;

struct TestStore {
    store: Arc<dyn Store>,
    dir: std::path::PathBuf,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn test_store() -> TestStore {
    let dir = std::env::temp_dir().join(format!(
        "switchboard-events-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let store = SqliteStore::open(&dir.join("test.db")).await.unwrap();
    TestStore { store: Arc::new(store), dir }
}

async fn subscribe(store: &dyn Store, event: &str, url: &str) -> String {
    let row = SubscriptionRow {
        id: uuid::Uuid::new_v4().to_string(),
        event: event.into(),
        target_url: url.into(),
        created_at: Utc::now(),
        created_by: None,
    };
    store.create_subscription(&row).await.unwrap().0.id
}

fn ctx() -> ActionContext {
    ActionContext {
        run_id: "run1".into(),
        step_path: "notify".into(),
        idempotency_key: "run1:notify".into(),
        attempt: 1,
        connection: None,
        http: HttpClient::new(HttpConfig::default()).unwrap(),
        timeout: None,
    }
}

async fn run(store: &TestStore, props: Value) -> Result<Value, StepError> {
    let piece = piece(Some(store.store.clone()));
    let action = piece.action(EMIT).unwrap();
    let ctx = ctx();
    action.run(&ctx, props).await
}

/// The same completeness rules the engine applies to its built-in registry.
#[test]
fn metadata_is_complete_and_round_trips() {
    let piece = piece(None);
    let meta = piece.meta();
    let back: PieceMeta = serde_json::from_value(serde_json::to_value(meta).unwrap()).unwrap();
    assert_eq!(&back, meta);
    assert_eq!(meta.id, PIECE_ID);
    assert_eq!(meta.category, "Automation");
    assert!(!meta.name.is_empty() && !meta.description.is_empty());
    assert!(meta.icon.as_deref().is_some_and(|i| i.starts_with("data:image/svg+xml,")));
    assert!(!meta.actions.is_empty());
    for action in &meta.actions {
        assert!(piece.action(&action.name).is_some(), "{} has no code", action.name);
        assert!(!action.description.is_empty() && action.sample_output.is_some());
        for prop in &action.props {
            assert!(!prop.label.is_empty() && prop.help.is_some(), "{} lacks help", prop.name);
            let example = prop.example.as_ref().unwrap();
            match prop.kind {
                PropKind::ShortText => assert!(example.is_string()),
                PropKind::Json => {}
                other => panic!("unexpected kind {other:?}"),
            }
        }
    }
    // The engine accepts a flow that uses it.
    let mut engine =
        switchboard_engine::Engine::with_builtin_pieces(HttpConfig::default()).unwrap();
    engine.register(Arc::new(piece));
    let flow = switchboard_engine::parse_flow(
        &json!({
            "schema_version": 1, "name": "emit",
            "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
            "steps": [{ "id": "notify", "type": "action", "piece": PIECE_ID, "action": EMIT,
                        "props": { "event": "order.created", "data": { "id": "{{ trigger.body.id }}" } } }],
            "edges": [{ "from": "hook", "to": "notify" }]
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(engine.validate(&flow), Vec::new());
}

#[test]
fn event_names() {
    for ok in ["order.created", "a", "lead_won-2", &"x".repeat(MAX_EVENT_LEN)] {
        assert!(check_event_name(ok).is_ok(), "{ok}");
    }
    for bad in ["", "Order", "order created", "order/created", "é", &"x".repeat(65)] {
        assert!(check_event_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn labels_show_the_origin_only() {
    assert_eq!(
        target_label("https://hooks.zapier.com/hooks/standard/1/secret-token?x=y"),
        "https://hooks.zapier.com"
    );
    assert_eq!(target_label("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080");
    assert_eq!(target_label("not a url"), "the subscriber");
}

#[test]
fn delivery_timeouts_stay_inside_the_step_timeout() {
    assert_eq!(delivery_timeout(None), DELIVERY_TIMEOUT);
    assert_eq!(delivery_timeout(Some(Duration::from_secs(60))), DELIVERY_TIMEOUT);
    assert_eq!(delivery_timeout(Some(Duration::from_secs(2))), Duration::from_millis(1800));
}

#[tokio::test]
async fn delivers_to_every_subscriber_and_unsubscribes_on_410() {
    let store = test_store().await;
    let data = json!({ "id": "ord_1", "total": 12.5 });
    let live = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/standard/1/secret"))
        .and(header("x-switchboard-event", "order.created"))
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&live)
        .await;
    let gone = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(410))
        .expect(1)
        .mount(&gone)
        .await;
    let other = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&other)
        .await;

    subscribe(
        store.store.as_ref(),
        "order.created",
        &format!("{}/hooks/standard/1/secret", live.uri()),
    )
    .await;
    let gone_id = subscribe(
        store.store.as_ref(),
        "order.created",
        &format!("{}/z/secret?token=t", gone.uri()),
    )
    .await;
    subscribe(store.store.as_ref(), "order.paid", &other.uri()).await;

    let out = run(&store, json!({ "event": "order.created", "data": data })).await.unwrap();
    assert_eq!(out["event"], "order.created");
    assert_eq!(out["subscribers"], 2);
    assert_eq!(out["delivered"], 1);
    assert_eq!(
        out["failed"],
        json!([{ "subscription_id": gone_id, "target_url": gone.uri(), "status": 410, "unsubscribed": true }])
    );
    assert!(!out.to_string().contains("secret"), "{out}");
    let left = store.store.list_subscriptions(Some("order.created")).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left.iter().all(|s| s.id != gone_id));
    assert_eq!(store.store.event_samples("order.created", 10).await.unwrap(), [data]);
}

#[tokio::test]
async fn fails_retryably_only_when_every_delivery_failed_retryably() {
    let store = test_store().await;
    let down = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&down).await;
    // A port that was free a moment ago: nothing listens there (wiremock pools its servers, so
    // a dropped MockServer would still answer).
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    subscribe(store.store.as_ref(), "e", &format!("{}/a", down.uri())).await;
    subscribe(store.store.as_ref(), "e", &format!("{closed}/b")).await;
    let err = run(&store, json!({ "event": "e", "data": { "n": 1 } })).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.status, Some(503));
    assert!(err.message.contains("no subscriber of `e`"), "{}", err.message);
    assert_eq!(err.details.as_ref().unwrap()["failed"].as_array().unwrap().len(), 2);

    // Only unreachable subscribers: a network error.
    let store = test_store().await;
    subscribe(store.store.as_ref(), "e", &format!("{closed}/b")).await;
    let err = run(&store, json!({ "event": "e", "data": { "n": 1 } })).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");

    // A 4xx among the failures: a retry would not help it, so the step reports and succeeds.
    let refusing = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400)).mount(&refusing).await;
    subscribe(store.store.as_ref(), "e", &refusing.uri()).await;
    let out = run(&store, json!({ "event": "e", "data": { "n": 1 } })).await.unwrap();
    assert_eq!(out["delivered"], 0);
    let failed = out["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().any(|f| f["status"] == 400));
    assert!(failed.iter().any(|f| f["error"].as_str().is_some_and(|e| e.contains("connect"))));

    // One delivery succeeds: partial failures are reported, not raised.
    let store = test_store().await;
    let ok = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(202)).mount(&ok).await;
    subscribe(store.store.as_ref(), "e", &ok.uri()).await;
    subscribe(store.store.as_ref(), "e", &down.uri()).await;
    let out = run(&store, json!({ "event": "e", "data": [1, 2] })).await.unwrap();
    assert_eq!(out["delivered"], 1);
    assert_eq!(out["failed"][0]["status"], 503);
}

#[tokio::test]
async fn no_subscribers_is_a_success_and_the_sample_is_kept_once_per_step() {
    let store = test_store().await;
    for _ in 0..2 {
        // The same step twice (a retry): one sample.
        let out = run(&store, json!({ "event": "quiet", "data": { "a": 1 } })).await.unwrap();
        assert_eq!(
            out,
            json!({ "event": "quiet", "subscribers": 0, "delivered": 0, "failed": [] })
        );
    }
    assert_eq!(store.store.event_samples("quiet", 10).await.unwrap(), [json!({ "a": 1 })]);
}

#[tokio::test]
async fn bad_props_and_no_store() {
    let store = test_store().await;
    for (props, needle) in [
        (json!({ "event": "Bad Name", "data": {} }), "character"),
        (json!({ "event": 3, "data": {} }), "must be text"),
        (json!({ "data": {} }), "`event` is required"),
        (json!({ "event": "ok" }), "`data` is required"),
        (json!({ "event": "ok", "data": null }), "`data` is required"),
    ] {
        let err = run(&store, props).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains(needle), "{}", err.message);
    }
    let piece = piece(None);
    let err = piece
        .action(EMIT)
        .unwrap()
        .run(&ctx(), json!({ "event": "e", "data": {} }))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
}
