//! The entry point: an [`Engine`] holds the expression engine, the pieces and the HTTP client, and
//! validates, compiles and runs flows.

use crate::compile::{self, CompiledFlow};
use crate::exec::{self, RunEnv, RunRecord, RunRequest};
use crate::expr::ExprEngine;
use crate::flow::Flow;
use crate::piece::{
    AnswerFormat, HttpClient, HttpConfig, Registry, TriggerError, TriggerEvent, TriggerRequest,
};
use crate::step_error::StepError;
use crate::validate::Problem;

/// Validates, compiles and runs flows. Build one per process and share it (`Arc<Engine>`).
pub struct Engine {
    expr: ExprEngine,
    registry: Registry,
    http: HttpClient,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("pieces", &self.registry).finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with the given pieces and HTTP client.
    pub fn new(registry: Registry, http: HttpClient) -> Self {
        Self { expr: ExprEngine::new(), registry, http }
    }

    /// An engine with the built-in pieces and an HTTP client built from `config`.
    pub fn with_builtin_pieces(config: HttpConfig) -> Result<Self, StepError> {
        let http = HttpClient::new(config).map_err(|e| {
            StepError::new(
                crate::step_error::ErrorKind::Other,
                format!("cannot build the HTTP client: {e}"),
            )
        })?;
        Ok(Self::new(Registry::builtin(), http))
    }

    /// The expression engine.
    pub fn expr(&self) -> &ExprEngine {
        &self.expr
    }

    /// The pieces.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Adds a piece (hosts and tests register their own).
    pub fn register(&mut self, piece: std::sync::Arc<dyn crate::piece::Piece>) {
        self.registry.register(piece);
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Every problem in the flow (empty when it is valid).
    pub fn validate(&self, flow: &Flow) -> Vec<Problem> {
        match self.compile(flow.clone()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    /// Validates and compiles a flow: expressions are compiled here, once, not per run.
    pub fn compile(&self, flow: Flow) -> Result<CompiledFlow, Vec<Problem>> {
        compile::compile(flow, &self.expr, &self.registry)
    }

    /// Turns a request into the flow's trigger event (parsing, verification, dedupe key).
    pub fn trigger_event(
        &self,
        flow: &CompiledFlow,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        match &flow.trigger_source {
            Some(source) => source.event(&flow.flow().trigger.props, request),
            None => Err(TriggerError::Ignored(format!(
                "trigger `{}.{}` does not take requests",
                flow.flow().trigger.piece,
                flow.flow().trigger.trigger
            ))),
        }
    }

    /// Every event of a request (one per run to start; see [`TriggerSource::events`]).
    pub fn trigger_events(
        &self,
        flow: &CompiledFlow,
        request: &TriggerRequest,
    ) -> Result<Vec<TriggerEvent>, TriggerError> {
        match &flow.trigger_source {
            Some(source) => source.events(&flow.flow().trigger.props, request),
            None => self.trigger_event(flow, request).map(|e| vec![e]),
        }
    }

    /// The answer format of the flow's trigger, when its sender waits for one (a mid-call tool),
    /// with the deadline its props set.
    pub fn trigger_answers<'f>(
        &self,
        flow: &'f CompiledFlow,
    ) -> Option<(&'f dyn AnswerFormat, std::time::Duration)> {
        let format = flow.trigger_source.as_deref()?.answers()?;
        Some((format, format.deadline(&flow.flow().trigger.props)))
    }

    /// Runs one top-level step alone (the editor's "test this step"): `request.trigger` is the
    /// trigger's value and `given` the outputs of the other steps (sample data). Nothing is
    /// journaled. An error names a step that is missing or sits inside a loop.
    pub async fn run_step(
        &self,
        flow: &CompiledFlow,
        step_id: &str,
        request: RunRequest,
        given: &std::collections::BTreeMap<String, serde_json::Value>,
        env: &RunEnv,
    ) -> Result<crate::exec::StepRecord, String> {
        exec::execute_step(self, flow, step_id, request, given, env).await
    }

    /// Runs a flow (or resumes it: see [`RunRequest::prior`] and [`RunRequest::resume`]) until it
    /// ends or pauses.
    pub async fn run(&self, flow: &CompiledFlow, request: RunRequest, env: &RunEnv) -> RunRecord {
        exec::execute(self, flow, request, env).await
    }
}
