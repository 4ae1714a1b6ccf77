//! Switchboard's engine: the flow document, its validation, rhai expressions, the pieces interface and
//! the DAG executor. It knows nothing about HTTP servers or databases: the host gives it a flow, a
//! trigger payload, connections and a journal, and it runs.
//!
//! ```
//! use switchboard_engine::{Engine, HttpConfig, RunEnv, RunRequest, parse_flow};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let flow = parse_flow(r#"{
//!   "schema_version": 1, "name": "hello",
//!   "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
//!   "steps": [ { "id": "greet", "type": "set", "values": { "text": "Hi {{ trigger.body.name }}" } } ],
//!   "edges": [ { "from": "hook", "to": "greet" } ]
//! }"#).unwrap();
//! let engine = Engine::with_builtin_pieces(HttpConfig::default()).unwrap();
//! let compiled = engine.compile(flow).unwrap();
//! let trigger = serde_json::json!({ "body": { "name": "Ada" } });
//! let record = engine.run(&compiled, RunRequest::new(trigger), &RunEnv::default()).await;
//! assert_eq!(record.steps["greet"].output, Some(serde_json::json!({ "text": "Hi Ada" })));
//! # });
//! ```

pub mod compile;
mod engine;
pub mod exec;
pub mod expr;
pub mod flow;
pub mod import;
pub mod piece;
pub mod pieces;
pub mod schema;
pub mod step_error;
pub mod validate;

pub use compile::CompiledFlow;
pub use engine::Engine;
pub use exec::{
    Journal, MemoryJournal, Resume, RunEnv, RunRecord, RunRequest, RunStatus, StepRecord,
    StepStatus,
};
pub use flow::{Flow, parse_flow};
pub use piece::{HttpClient, HttpConfig, Registry, TriggerRequest};
pub use step_error::{ErrorKind, StepError};
pub use validate::Problem;
