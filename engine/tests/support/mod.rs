//! Shared fixtures for the engine's integration tests: a `test` piece whose actions echo, fail on
//! demand, sleep and count calls, and helpers to build engines and flows.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::type_complexity)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use switchboard_engine::piece::{
    Action, ActionContext, ActionMeta, BoxFuture, Piece, PieceMeta, PropKind, PropMeta,
};
use switchboard_engine::{
    Engine, ErrorKind, Flow, HttpConfig, RunEnv, RunRecord, RunRequest, StepError,
};

/// Calls the test piece received, by action name: (step path, attempt, props).
#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<(String, String, u32, Value)>>>);

impl Calls {
    pub fn all(&self) -> Vec<(String, String, u32, Value)> {
        self.0.lock().unwrap().clone()
    }
    pub fn paths(&self) -> Vec<String> {
        self.all().into_iter().map(|(_, p, _, _)| p).collect()
    }
    pub fn count(&self, path: &str) -> usize {
        self.all().iter().filter(|(_, p, _, _)| p == path).count()
    }
}

struct TestAction {
    name: &'static str,
    calls: Calls,
    failures: Arc<Mutex<HashMap<String, u32>>>,
}

impl Action for TestAction {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(async move {
            self.calls.0.lock().unwrap().push((
                self.name.into(),
                ctx.step_path.clone(),
                ctx.attempt,
                props.clone(),
            ));
            match self.name {
                "echo" => {
                    Ok(json!({ "props": props, "attempt": ctx.attempt, "key": ctx.idempotency_key,
                                     "connection": ctx.connection.as_ref().map(|c| c.name.clone()) }))
                }
                "sleep" => {
                    let ms = props.get("ms").and_then(Value::as_u64).unwrap_or(10);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(json!({ "slept_ms": ms, "tag": props.get("tag") }))
                }
                "fail" => {
                    // Fails `times` times per step path, then succeeds.
                    let times =
                        props.get("times").and_then(Value::as_u64).unwrap_or(u64::MAX) as u32;
                    let mut f = self.failures.lock().unwrap();
                    let n = f.entry(ctx.step_path.clone()).or_insert(0);
                    if *n < times {
                        *n += 1;
                        let status = props.get("status").and_then(Value::as_u64).map(|s| s as u16);
                        let retry_after = props
                            .get("retry_after_s")
                            .and_then(Value::as_u64)
                            .map(Duration::from_secs);
                        let err = match status {
                            Some(s) => StepError::http(s, format!("Test: status {s}")),
                            None => StepError::new(ErrorKind::Network, "Test: connection reset"),
                        };
                        return Err(err.with_retry_after(retry_after));
                    }
                    Ok(json!({ "ok": true, "attempt": ctx.attempt }))
                }
                _ => Err(StepError::invalid_input("unknown test action")),
            }
        })
    }
}

struct TestPiece {
    meta: PieceMeta,
    actions: HashMap<String, Arc<dyn Action>>,
}

impl Piece for TestPiece {
    fn meta(&self) -> &PieceMeta {
        &self.meta
    }
    fn action(&self, name: &str) -> Option<Arc<dyn Action>> {
        self.actions.get(name).cloned()
    }
}

fn prop(name: &str, kind: PropKind, required: bool) -> PropMeta {
    PropMeta {
        name: name.into(),
        label: name.into(),
        kind,
        required,
        help: None,
        default: None,
        example: None,
        secret: name == "token",
        options: Vec::new(),
        options_from: None,
        variants: Vec::new(),
    }
}

/// An engine with the built-in pieces plus `test` (actions echo, sleep, fail).
pub fn engine() -> (Engine, Calls) {
    let mut engine = Engine::with_builtin_pieces(HttpConfig::default()).expect("http client");
    let calls = Calls::default();
    let failures = Arc::new(Mutex::new(HashMap::new()));
    let mut actions: HashMap<String, Arc<dyn Action>> = HashMap::new();
    let mut metas = Vec::new();
    for name in ["echo", "sleep", "fail"] {
        actions.insert(
            name.into(),
            Arc::new(TestAction { name, calls: calls.clone(), failures: failures.clone() }),
        );
        let props = match name {
            "echo" => vec![
                prop("text", PropKind::ShortText, false),
                prop("token", PropKind::ShortText, false),
            ],
            "sleep" => {
                vec![prop("ms", PropKind::Number, true), prop("tag", PropKind::ShortText, false)]
            }
            _ => vec![
                prop("times", PropKind::Number, false),
                prop("status", PropKind::Number, false),
                prop("retry_after_s", PropKind::Number, false),
            ],
        };
        metas.push(ActionMeta {
            name: name.into(),
            label: name.into(),
            description: String::new(),
            props,
            extra_props: name == "echo",
            sample_output: None,
            internal: false,
        });
    }
    engine.register(Arc::new(TestPiece {
        meta: PieceMeta {
            id: "test".into(),
            name: "Test".into(),
            description: String::new(),
            category: "Test".into(),
            icon: None,
            auth: Default::default(),
            auth_fields: Vec::new(),
            auth_help: None,
            oauth2: None,
            docs_url: None,
            actions: metas,
            triggers: Vec::new(),
        },
        actions,
    }));
    (engine, calls)
}

/// A flow from a webhook trigger `hook` with these steps and edges.
pub fn flow(steps: Value, edges: Value) -> Flow {
    serde_json::from_value(json!({
        "schema_version": 1,
        "name": "test",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": steps,
        "edges": edges,
    }))
    .expect("test flow parses")
}

/// Compiles and runs with `body` as the webhook body.
pub async fn run(engine: &Engine, flow: Flow, body: Value) -> RunRecord {
    run_with(engine, flow, body, &RunEnv::default()).await
}

pub async fn run_with(engine: &Engine, flow: Flow, body: Value, env: &RunEnv) -> RunRecord {
    let compiled = engine.compile(flow).unwrap_or_else(|p| panic!("flow should compile: {p:#?}"));
    engine.run(&compiled, RunRequest::new(json!({ "body": body })), env).await
}

/// Edges `a → b` from pairs.
pub fn edges(pairs: &[(&str, &str)]) -> Value {
    Value::Array(pairs.iter().map(|(f, t)| json!({ "from": f, "to": t })).collect())
}
