//! The pieces interface: what an integration declares (metadata the editor draws forms from and the
//! validator checks flows against) and the traits through which its actions and triggers run.
//!
//! Pieces are data first: [`PieceMeta`] deserialises from JSON, so a declarative piece (issue "Pieces")
//! is a spec file plus the generic executor; Rust implements [`Action`] only where data cannot say it.

mod connection;
pub mod http_client;
mod meta;
mod registry;
pub mod spec;

use std::future::Future;
use std::pin::Pin;

pub use connection::{Connection, Connections, NoConnections, StaticConnections};
pub use http_client::{HttpClient, HttpConfig};
pub use meta::{
    ActionMeta, AuthKind, OAuth2Meta, OptionsFrom, PieceMeta, PropKind, PropMeta, PropVariant,
    SelectOption, TriggerMeta, TriggerSample,
};
pub use registry::{Piece, Registry};

use crate::step_error::StepError;

/// A boxed, sendable future: the return type of the object-safe async traits in this crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an action gets besides its resolved props.
#[derive(Debug, Clone)]
pub struct ActionContext {
    /// The run this step belongs to.
    pub run_id: String,
    /// The step's path in the run (`contact`, or `each_lead[3].contact` inside a loop).
    pub step_path: String,
    /// Stable across re-executions of the same step in the same run (run id + step path): pass it on
    /// where the vendor supports idempotency keys.
    pub idempotency_key: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The step's connection, resolved by the host.
    pub connection: Option<Connection>,
    /// The shared outbound HTTP client.
    pub http: HttpClient,
    /// The step's timeout, if any: actions should pass it to their requests.
    pub timeout: Option<std::time::Duration>,
}

/// One runnable action of a piece.
pub trait Action: Send + Sync {
    /// Runs the action once with its resolved props (templates already rendered). Retries, timeouts
    /// and journaling are the executor's job, not the action's.
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: serde_json::Value,
    ) -> BoxFuture<'a, Result<serde_json::Value, StepError>>;
}

/// A request as it reached a trigger: the raw HTTP parts, so signature checks see the exact bytes.
#[derive(Debug, Clone, Default)]
pub struct TriggerRequest {
    /// HTTP method, upper case (`POST`).
    pub method: String,
    /// Header names (lower case) and values, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The URL the sender called, as it knows it: the server's public URL (`--public-url`, so a
    /// proxy in front does not change it) with the request's path and query. Signature schemes
    /// that sign the URL (Twilio) check against it. `None` where no HTTP request was made.
    pub url: Option<String>,
}

impl TriggerRequest {
    /// A JSON POST with the given body, as `switchboard run --payload` and tests feed triggers.
    pub fn json(body: &serde_json::Value) -> Self {
        Self {
            method: "POST".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            query: Vec::new(),
            body: body.to_string().into_bytes(),
            url: None,
        }
    }

    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What a trigger made of a request: the flow's `trigger` value, and an optional key that identifies
/// the event, so a sender's retry does not start a second run.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerEvent {
    /// The value bound to `trigger` in expressions.
    pub output: serde_json::Value,
    /// e.g. a call id + event type.
    pub dedupe_key: Option<String>,
}

/// Why a trigger rejected a request. Hosts map these to HTTP statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    /// The body could not be read as its content type says (400).
    #[error("malformed body: {0}")]
    Malformed(String),
    /// The content type is not one this trigger accepts (415).
    #[error("unsupported content type `{0}`")]
    UnsupportedContentType(String),
    /// Authentication or signature check failed (401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The event is valid but this flow does not take it (e.g. filtered event type); no run starts.
    #[error("ignored: {0}")]
    Ignored(String),
    /// A handshake the sender expects a particular answer to (Slack's `url_verification`
    /// challenge): the host answers 200 with this JSON body and starts no run.
    #[error("handshake")]
    Reply(serde_json::Value),
}

/// Turns an incoming request into a trigger event.
pub trait TriggerSource: Send + Sync {
    /// Parses (and where the trigger defines it, verifies) the request. `props` are the trigger's props
    /// from the flow document.
    fn event(
        &self,
        props: &serde_json::Map<String, serde_json::Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError>;

    /// Every event in the request: a batch (several tool calls in one Vapi request) starts one
    /// run per event. An empty list starts nothing. The default is [`TriggerSource::event`].
    fn events(
        &self,
        props: &serde_json::Map<String, serde_json::Value>,
        request: &TriggerRequest,
    ) -> Result<Vec<TriggerEvent>, TriggerError> {
        self.event(props, request).map(|e| vec![e])
    }

    /// Set for a trigger whose sender waits for the flow's answer in its own format (a mid-call
    /// tool): the host then runs the flow synchronously on every hook URL and answers through it.
    fn answers(&self) -> Option<&dyn AnswerFormat> {
        None
    }
}

/// How one run started by a waiting sender ended, as far as its answer goes.
#[derive(Debug, Clone, PartialEq)]
pub enum RunAnswer {
    /// A `respond` step answered (the run may go on).
    Responded(crate::exec::Response),
    /// The run succeeded without a `respond` step: its output.
    Finished(serde_json::Value),
    /// The run failed, was cancelled or paused before answering: why, in words.
    Failed(String),
    /// No answer before the sender's deadline.
    TimedOut,
}

/// The answer a waiting sender expects, in its own format (Vapi's `{"results": [...]}`, …).
pub trait AnswerFormat: Send + Sync {
    /// How long after the request arrived the host must have answered: the sender's own timeout
    /// (from the trigger's props) less a margin. Outcomes still missing then are
    /// [`RunAnswer::TimedOut`].
    fn deadline(&self, props: &serde_json::Map<String, serde_json::Value>) -> std::time::Duration;

    /// The HTTP answer to a request whose events were `events`, given each one's outcome (same
    /// order and length). Always an answer the sender accepts, also when every run failed.
    fn answer(&self, events: &[TriggerEvent], outcomes: &[RunAnswer]) -> crate::exec::Response;
}
