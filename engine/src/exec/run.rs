//! The scheduler. One level (the top level or a loop iteration) runs as a loop over ready nodes:
//! control steps (filter, router, set, code, respond, stop, delay, wait) run inline, steps that wait
//! on the outside world (actions, subflows, loops) run as futures polled together, so independent
//! branches overlap without a task per step.
//!
//! Join rule: a node is decided once every parent has finished or been skipped; it runs if at least
//! one incoming edge is active, otherwise it is skipped and passes the skip on.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::{Value, json};

use super::host::{Resume, RunEnv, RunRequest};
use super::record::{
    Pause, PausedStep, Response, RunError, RunRecord, RunStatus, StepRecord, StepStatus,
};
use super::{redact, retry};
use crate::compile::{CompiledFlow, CompiledStep, Graph, StepBody};
use crate::engine::Engine;
use crate::expr::{EvalScope, Template};
use crate::flow::{OnError, OnTimeout, Outcome, RouterMode};
use crate::piece::{ActionContext, BoxFuture};
use crate::step_error::{ErrorKind, StepError};

/// Runs (or resumes) a flow to its end or its next pause.
pub(crate) async fn execute(
    engine: &Engine,
    flow: &CompiledFlow,
    req: RunRequest,
    env: &RunEnv,
) -> RunRecord {
    let started = Instant::now();
    let started_at = Utc::now();
    let doc = flow.flow();
    let mut vars = doc.vars.clone();
    vars.extend(req.vars.clone());
    let run_value = run_scope(&req, flow);
    let scope = EvalScope::new(&req.trigger, &Value::Object(vars), &run_value);
    if flow.read_steps.contains(&doc.trigger.id) {
        scope.set_step(&doc.trigger.id, &req.trigger);
    }
    let ctx = RunCtx::new(engine, flow, env, &req);
    let main = ctx.run_level(&flow.main, scope, String::new(), true);
    let timeout = doc.settings.timeout_sec.map(Duration::from_secs);
    let mut cancel = env.cancel.clone();
    let cancelled = async {
        match cancel.as_mut() {
            Some(rx) => {
                if rx.wait_for(|c| *c).await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        level = main => Ended::Level(Box::new(level)),
        () = sleep_or_forever(timeout) => Ended::TimedOut,
        () = cancelled => Ended::Cancelled,
    };

    let top = ctx.top.lock().map(|mut m| std::mem::take(&mut *m)).unwrap_or_default();
    let mut steps = by_id(&flow.main, top);
    let mut trigger_record = StepRecord::skipped("");
    trigger_record.status = StepStatus::Succeeded;
    trigger_record.reason = None;
    trigger_record.attempts = 1;
    trigger_record.started_at = req.started_at;
    trigger_record.output = Some(req.trigger.clone());
    steps.insert(doc.trigger.id.clone(), trigger_record);

    let halt = ctx.halt.lock().ok().and_then(|mut h| h.take());
    let response = ctx.response.lock().ok().and_then(|mut r| r.take());
    let (status, error, pauses) = match outcome {
        Ended::TimedOut => (
            RunStatus::Failed,
            Some(RunError {
                step: None,
                message: format!(
                    "the run timed out after {} s",
                    timeout.map_or(0, |t| t.as_secs())
                ),
            }),
            Vec::new(),
        ),
        Ended::Cancelled => (
            RunStatus::Cancelled,
            Some(RunError { step: None, message: "the run was cancelled".into() }),
            Vec::new(),
        ),
        Ended::Level(level) => match (halt, level.failure) {
            (Some(Halt::Stopped { step, outcome: Outcome::Failed, message }), _) => (
                RunStatus::Failed,
                Some(RunError {
                    step: Some(step),
                    message: message.unwrap_or_else(|| "stopped by a stop step".into()),
                }),
                Vec::new(),
            ),
            (Some(Halt::Stopped { .. }), _) => (RunStatus::Succeeded, None, Vec::new()),
            (None, Some((step, err))) => (
                RunStatus::Failed,
                Some(RunError {
                    message: format!("step `{step}` failed: {}", err.message),
                    step: Some(step),
                }),
                Vec::new(),
            ),
            (None, None) if !level.paused.is_empty() => (RunStatus::Paused, None, level.paused),
            (None, None) => (RunStatus::Succeeded, None, Vec::new()),
        },
    };
    let output = match &response {
        Some(r) => Some(r.body.clone()),
        None => last_output(&flow.main, &steps),
    };
    let mut record = RunRecord {
        run_id: req.run_id.clone(),
        status,
        error,
        started_at,
        duration_ms: millis(started.elapsed()),
        steps,
        response,
        output,
        pauses,
    };
    let secrets = ctx.secrets.lock().map(|s| s.clone()).unwrap_or_default();
    if let Some(e) = record.error.as_mut() {
        redact::redact_str(&mut e.message, &secrets);
    }
    if let Some(o) = record.output.as_mut() {
        redact::redact_strings(o, &secrets);
    }
    record
}

/// Runs one top-level step of `flow` alone, as the editor's "test this step": `given` holds the
/// outputs of the other steps (sample data from earlier tests) and the trigger's value is
/// `req.trigger`. Nothing is journaled; the step's record (redacted) is the result.
pub(crate) async fn execute_step(
    engine: &Engine,
    flow: &CompiledFlow,
    step_id: &str,
    req: RunRequest,
    given: &BTreeMap<String, Value>,
    env: &RunEnv,
) -> Result<StepRecord, String> {
    let doc = flow.flow();
    let Some(i) = flow.main.nodes.iter().position(|n| n.id == step_id && n.step.is_some()) else {
        return Err(if in_a_loop(&doc.steps, step_id) {
            format!("step `{step_id}` is inside a loop: test the loop instead")
        } else {
            format!("the flow has no step `{step_id}`")
        });
    };
    let mut vars = doc.vars.clone();
    vars.extend(req.vars.clone());
    let run_value = run_scope(&req, flow);
    let scope = EvalScope::new(&req.trigger, &Value::Object(vars), &run_value);
    scope.set_step(&doc.trigger.id, &req.trigger);
    for (id, output) in given {
        if id != step_id && *id != doc.trigger.id {
            scope.set_step(id, output);
        }
    }
    let ctx = RunCtx::new(engine, flow, env, &req);
    let done = match ctx.start(&flow.main, i, &scope, "") {
        Started::Done(done) => *done,
        Started::Pending(fut) => fut.await.1,
    };
    let mut record = done.record;
    redact_record(&mut record, &ctx.secrets());
    Ok(record)
}

/// Whether a step with this id sits in a loop body (at any depth).
fn in_a_loop(steps: &[crate::flow::Step], id: &str) -> bool {
    steps.iter().any(|s| match &s.kind {
        crate::flow::StepKind::Loop(l) => {
            l.steps.iter().any(|b| b.id() == id) || in_a_loop(&l.steps, id)
        }
        _ => false,
    })
}

enum Ended {
    Level(Box<LevelResult>),
    TimedOut,
    Cancelled,
}

async fn sleep_or_forever(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// `run` in expressions.
fn run_scope(req: &RunRequest, flow: &CompiledFlow) -> Value {
    let mut run = json!({
        "id": req.run_id,
        "started_at": req.started_at.to_rfc3339(),
        "flow_name": flow.flow().name,
    });
    if let Some(base) = &req.resume_base_url {
        let base = base.trim_end_matches('/');
        let mut urls = serde_json::Map::new();
        for node in &flow.main.nodes {
            if let Some(CompiledStep { body: StepBody::Wait { .. }, .. }) = &node.step {
                urls.insert(
                    node.id.clone(),
                    Value::String(format!("{base}/{}", resume_token(req, &node.id))),
                );
            }
        }
        run["resume_url"] = Value::String(format!("{base}/{}", req.resume_token));
        run["resume_urls"] = Value::Object(urls);
    }
    run
}

/// The resume token of the `wait` step at `path`: the run's secret token plus the path, spelled with
/// URL-safe characters that cannot occur in step ids (so two paths never share a token).
pub(crate) fn resume_token(req: &RunRequest, path: &str) -> String {
    let encoded: String = path
        .chars()
        .filter_map(|c| match c {
            '[' => Some('-'),
            ']' => None,
            '.' => Some('~'),
            c => Some(c),
        })
        .collect();
    format!("{}~{encoded}", req.resume_token)
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Records indexed by node, as a map by step id.
fn by_id(graph: &Graph, records: Vec<Option<StepRecord>>) -> BTreeMap<String, StepRecord> {
    records
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| Some((graph.nodes.get(i)?.id.clone(), r?)))
        .collect()
}

/// The output of the last succeeded step in topological order.
fn last_output(graph: &Graph, records: &BTreeMap<String, StepRecord>) -> Option<Value> {
    graph.order.iter().rev().find_map(|&i| {
        let node = &graph.nodes[i];
        node.step.as_ref()?;
        let r = records.get(&node.id)?;
        (r.status == StepStatus::Succeeded).then(|| r.output.clone()).flatten()
    })
}

/// A reason the whole run stops scheduling steps.
enum Halt {
    Stopped { step: String, outcome: Outcome, message: Option<String> },
}

struct RunCtx<'a> {
    engine: &'a Engine,
    flow: &'a CompiledFlow,
    env: &'a RunEnv,
    req: &'a RunRequest,
    /// Secret strings met so far (connection values, secret props): redacted from every record.
    secrets: Mutex<Vec<String>>,
    /// The first `respond` step's response.
    response: Mutex<Option<Response>>,
    halt: Mutex<Option<Halt>>,
    /// Top-level records, kept here so a run timeout still reports what finished.
    /// Indexed by node, like [`LevelResult::records`].
    top: Mutex<Vec<Option<StepRecord>>>,
}

/// What a level produced.
#[derive(Default)]
struct LevelResult {
    /// Indexed by node: inserting is O(1) and never moves other records (a map is built once, at
    /// the end).
    records: Vec<Option<StepRecord>>,
    failure: Option<(String, StepError)>,
    paused: Vec<PausedStep>,
}

/// Which outgoing edges of a finished node are active.
#[derive(Debug, Clone)]
enum Outlet {
    All,
    None,
    Branches(Vec<String>),
}

impl Outlet {
    fn allows(&self, branch: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::None => false,
            Self::Branches(taken) => branch.is_some_and(|b| taken.iter().any(|t| t == b)),
        }
    }
}

/// What happened to a node, for the scheduler.
struct NodeDone {
    record: StepRecord,
    outlet: Outlet,
    effect: Effect,
    /// Restored from the journal: do not journal again.
    restored: bool,
}

enum Effect {
    None,
    FailRun(StepError),
    Pause(Vec<PausedStep>),
    Halt(Halt),
}

enum NodeState {
    Waiting { remaining: usize, reached: bool },
    Started,
    Finished,
}

impl<'a> RunCtx<'a> {
    fn new(
        engine: &'a Engine,
        flow: &'a CompiledFlow,
        env: &'a RunEnv,
        req: &'a RunRequest,
    ) -> Self {
        Self {
            engine,
            flow,
            env,
            req,
            secrets: Mutex::new(Vec::new()),
            response: Mutex::new(None),
            halt: Mutex::new(None),
            top: Mutex::new(vec![None; flow.main.nodes.len()]),
        }
    }

    fn halted(&self) -> bool {
        self.halt.lock().map(|h| h.is_some()).unwrap_or(true)
    }

    fn add_secrets(&self, values: Vec<String>) {
        if values.is_empty() {
            return;
        }
        if let Ok(mut s) = self.secrets.lock() {
            for v in values {
                if !s.contains(&v) {
                    s.push(v);
                }
            }
        }
    }

    fn secrets(&self) -> Vec<String> {
        self.secrets.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Runs one level to completion (or until nothing more can run).
    fn run_level(
        &'a self,
        graph: &'a Graph,
        scope: EvalScope,
        prefix: String,
        top: bool,
    ) -> BoxFuture<'a, LevelResult> {
        Box::pin(async move {
            let n = graph.nodes.len();
            let mut state: Vec<NodeState> = (0..n)
                .map(|i| {
                    let mut parents: Vec<usize> =
                        graph.shape.parents[i].iter().map(|p| p.from).collect();
                    parents.sort_unstable();
                    parents.dedup();
                    NodeState::Waiting { remaining: parents.len(), reached: false }
                })
                .collect();
            let mut result = LevelResult { records: vec![None; n], ..LevelResult::default() };
            let mut ready: VecDeque<usize> = VecDeque::new();
            let mut inflight: FuturesUnordered<BoxFuture<'a, (usize, NodeDone)>> =
                FuturesUnordered::new();
            let mut finished: VecDeque<(usize, NodeDone)> = VecDeque::new();

            for &e in &graph.entries {
                if graph.nodes[e].step.is_none() {
                    // The trigger: already done.
                    state[e] = NodeState::Finished;
                    self.release(graph, e, &Outlet::All, &mut state, &mut ready, &mut finished);
                } else {
                    ready.push_back(e);
                }
            }

            loop {
                // Finishing a node may make others ready (or skip them): settle those first.
                while let Some((j, done)) = finished.pop_front() {
                    self.finish(
                        graph,
                        j,
                        done,
                        &scope,
                        &prefix,
                        top,
                        &mut state,
                        &mut ready,
                        &mut finished,
                        &mut result,
                    )
                    .await;
                }
                if let Some(i) = ready.pop_front() {
                    if result.failure.is_some() || self.halted() {
                        continue;
                    }
                    state[i] = NodeState::Started;
                    match self.start(graph, i, &scope, &prefix) {
                        Started::Done(done) => finished.push_back((i, *done)),
                        Started::Pending(fut) => inflight.push(fut),
                    }
                    continue;
                }
                let Some((i, done)) = inflight.next().await else { break };
                finished.push_back((i, done));
            }

            // A failure or a stop leaves steps that never started: record them as skipped.
            if result.failure.is_some() || self.halted() {
                for &i in &graph.order {
                    if matches!(state[i], NodeState::Waiting { .. })
                        && graph.nodes[i].step.is_some()
                    {
                        let record = StepRecord::skipped(super::SKIPPED_RUN_ENDED);
                        self.store(i, record, top, &mut result);
                    }
                }
            }
            result
        })
    }

    /// Marks the children of a finished node; queues those now decided.
    fn release(
        &self,
        graph: &Graph,
        i: usize,
        outlet: &Outlet,
        state: &mut [NodeState],
        ready: &mut VecDeque<usize>,
        finished: &mut VecDeque<(usize, NodeDone)>,
    ) {
        for &c in &graph.shape.children[i] {
            let active = graph.shape.parents[c]
                .iter()
                .any(|p| p.from == i && outlet.allows(p.branch.as_deref()));
            if let NodeState::Waiting { remaining, reached } = &mut state[c] {
                *remaining = remaining.saturating_sub(1);
                *reached |= active;
                if *remaining == 0 {
                    if *reached {
                        ready.push_back(c);
                    } else {
                        state[c] = NodeState::Finished;
                        finished.push_back((
                            c,
                            NodeDone {
                                record: StepRecord::skipped("not reached"),
                                outlet: Outlet::None,
                                effect: Effect::None,
                                restored: false,
                            },
                        ));
                    }
                }
            }
        }
    }

    fn store(&self, i: usize, record: StepRecord, top: bool, result: &mut LevelResult) {
        // Top-level records live in `self.top` (so a run timeout still sees them), loop-body
        // records in the level's result: each record is stored once, never copied.
        if top {
            if let Ok(mut t) = self.top.lock()
                && let Some(slot) = t.get_mut(i)
            {
                *slot = Some(record);
            }
        } else if let Some(slot) = result.records.get_mut(i) {
            *slot = Some(record);
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        graph: &Graph,
        i: usize,
        mut done: NodeDone,
        scope: &EvalScope,
        prefix: &str,
        top: bool,
        state: &mut [NodeState],
        ready: &mut VecDeque<usize>,
        finished: &mut VecDeque<(usize, NodeDone)>,
        result: &mut LevelResult,
    ) {
        let node = &graph.nodes[i];
        let path = format!("{prefix}{}", node.id);
        state[i] = NodeState::Finished;
        if !done.restored {
            let secrets = self.secrets();
            redact_record(&mut done.record, &secrets);
            if let Err(e) = self.env.journal.record(&self.req.run_id, &path, &done.record).await {
                result.failure.get_or_insert((
                    path.clone(),
                    StepError::new(ErrorKind::Other, format!("journal: {e}")),
                ));
            }
        }
        if let Some(out) = &done.record.output
            && matches!(done.record.status, StepStatus::Succeeded | StepStatus::Failed)
            && self.flow.read_steps.contains(&node.id)
        {
            scope.set_step(&node.id, out);
        }
        let paused = matches!(done.effect, Effect::Pause(_));
        match done.effect {
            Effect::None => {}
            Effect::FailRun(e) => {
                result.failure.get_or_insert((path, e));
            }
            Effect::Pause(p) => result.paused.extend(p),
            Effect::Halt(h) => {
                if let Ok(mut slot) = self.halt.lock() {
                    slot.get_or_insert(h);
                }
            }
        }
        self.store(i, done.record, top, result);
        if !paused {
            self.release(graph, i, &done.outlet, state, ready, finished);
        }
    }

    /// Starts a node: restores it from the journal, or runs it inline, or returns its future.
    fn start(&'a self, graph: &'a Graph, i: usize, scope: &EvalScope, prefix: &str) -> Started<'a> {
        let node = &graph.nodes[i];
        let Some(step) = node.step.as_ref() else {
            return Started::done(ok(StepRecord::skipped(""), Outlet::All));
        };
        let path = format!("{prefix}{}", node.id);
        if let Some(prior) = self.req.prior.get(&path)
            && prior.is_final()
        {
            return Started::Done(Box::new(restore(step, prior.clone())));
        }
        if step.common.disabled {
            return Started::done(ok(StepRecord::skipped("disabled"), Outlet::All));
        }
        let started_at = Utc::now();
        let clock = tokio::time::Instant::now();
        match &step.body {
            StepBody::Action { .. } | StepBody::Subflow { .. } => {
                let scope = scope.clone();
                Started::Pending(Box::pin(async move {
                    let done = self.attempts(step, &scope, &path, started_at, clock).await;
                    (i, done)
                }))
            }
            StepBody::Loop { items, parallelism, body } => {
                let scope = scope.clone();
                Started::Pending(Box::pin(async move {
                    let done = self
                        .run_loop(step, items, *parallelism, body, &scope, &path, started_at, clock)
                        .await;
                    (i, done)
                }))
            }
            _ => Started::done(self.inline(step, scope, &path, started_at, clock)),
        }
    }

    /// Control steps: no I/O, no retries.
    fn inline(
        &self,
        step: &CompiledStep,
        scope: &EvalScope,
        path: &str,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let expr = self.engine.expr();
        let mut outlet = Outlet::All;
        let mut effect = Effect::None;
        let result: Result<Value, StepError> = match &step.body {
            StepBody::Filter { condition } => {
                expr.eval_bool(condition, scope).map_err(StepError::from).map(|passed| {
                    if !passed {
                        outlet = Outlet::None;
                    }
                    json!({ "passed": passed })
                })
            }
            StepBody::Router { mode, branches } => {
                let mut taken = Vec::new();
                let mut failed = None;
                for (name, cond) in branches {
                    let Some(cond) = cond else { continue };
                    match expr.eval_bool(cond, scope) {
                        Ok(true) => {
                            taken.push(name.clone());
                            if *mode == RouterMode::FirstMatch {
                                break;
                            }
                        }
                        Ok(false) => {}
                        Err(e) => {
                            failed = Some(StepError::from(e));
                            break;
                        }
                    }
                }
                match failed {
                    Some(e) => Err(e),
                    None => {
                        if taken.is_empty()
                            && let Some((name, _)) = branches.iter().find(|(_, c)| c.is_none())
                        {
                            taken.push(name.clone());
                        }
                        let out = json!({ "branches": taken });
                        outlet = Outlet::Branches(taken);
                        Ok(out)
                    }
                }
            }
            StepBody::Code { script } => expr.eval(script, scope).map_err(StepError::from),
            StepBody::Set { values } => expr.render(values, scope).map_err(StepError::from),
            StepBody::Respond { status, headers, body } => {
                self.respond(*status, headers, body, scope)
            }
            StepBody::Stop { outcome, message } => {
                let message = match message {
                    Some(t) => match expr.render(t, scope) {
                        Ok(Value::String(s)) => Some(s),
                        Ok(Value::Null) => None,
                        Ok(other) => Some(other.to_string()),
                        Err(e) => {
                            return self.failed(
                                step,
                                StepError::from(e),
                                None,
                                1,
                                started_at,
                                clock,
                            );
                        }
                    },
                    None => None,
                };
                effect = Effect::Halt(Halt::Stopped {
                    step: path.to_owned(),
                    outcome: *outcome,
                    message: message.clone(),
                });
                Ok(json!({ "outcome": outcome, "message": message }))
            }
            StepBody::Delay { duration, until } => {
                return self.delay(*duration, until.as_ref(), scope, path, started_at, clock);
            }
            StepBody::Wait { timeout, on_timeout } => {
                return self.wait(step, *timeout, *on_timeout, path, started_at, clock);
            }
            StepBody::Action { .. } | StepBody::Subflow { .. } | StepBody::Loop { .. } => {
                Err(StepError::new(ErrorKind::Other, "internal: asynchronous step run inline"))
            }
        };
        match result {
            Ok(output) => NodeDone {
                record: succeeded(started_at, clock, 1, None, output),
                outlet,
                effect,
                restored: false,
            },
            Err(e) => self.failed(step, e, None, 1, started_at, clock),
        }
    }

    fn respond(
        &self,
        status: u16,
        headers: &Template,
        body: &Template,
        scope: &EvalScope,
    ) -> Result<Value, StepError> {
        let expr = self.engine.expr();
        let headers_value = expr.render(headers, scope)?;
        let body = expr.render(body, scope)?;
        let mut headers = BTreeMap::new();
        if let Value::Object(m) = &headers_value {
            for (k, v) in m {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => continue,
                    other => other.to_string(),
                };
                headers.insert(k.to_ascii_lowercase(), v);
            }
        }
        let response = Response { status, headers, body };
        let out = serde_json::to_value(&response).unwrap_or(Value::Null);
        if let Ok(mut slot) = self.response.lock()
            && slot.is_none()
        {
            if let Some(cb) = &self.env.on_respond {
                cb(&response);
            }
            *slot = Some(response);
        }
        Ok(out)
    }

    fn delay(
        &self,
        duration: Option<Duration>,
        until: Option<&Template>,
        scope: &EvalScope,
        path: &str,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        if self.req.resume.contains_key(path) {
            return ok(
                succeeded(
                    started_at,
                    clock,
                    1,
                    None,
                    json!({ "resumed_at": Utc::now().to_rfc3339() }),
                ),
                Outlet::All,
            );
        }
        let wake_at = match self.req.prior.get(path).and_then(|r| r.pause.clone()) {
            Some(Pause::Delay { wake_at }) => wake_at,
            _ => match (duration, until) {
                (Some(d), _) => match chrono::Duration::from_std(d) {
                    Ok(d) => started_at + d,
                    Err(_) => {
                        return self.fail_plain(
                            StepError::invalid_input("the delay is too long"),
                            started_at,
                            clock,
                        );
                    }
                },
                (None, Some(t)) => match self.engine.expr().render(t, scope) {
                    Ok(Value::String(s)) => match DateTime::parse_from_rfc3339(s.trim()) {
                        Ok(t) => t.with_timezone(&Utc),
                        Err(e) => {
                            return self.fail_plain(
                                StepError::invalid_input(format!(
                                    "`until` must be an RFC 3339 date-time, got `{s}` ({e})"
                                )),
                                started_at,
                                clock,
                            );
                        }
                    },
                    Ok(other) => {
                        return self.fail_plain(
                            StepError::invalid_input(format!(
                                "`until` must be an RFC 3339 date-time, got {other}"
                            )),
                            started_at,
                            clock,
                        );
                    }
                    Err(e) => return self.fail_plain(e.into(), started_at, clock),
                },
                (None, None) => started_at,
            },
        };
        if wake_at <= Utc::now() {
            return ok(
                succeeded(
                    started_at,
                    clock,
                    1,
                    None,
                    json!({ "resumed_at": Utc::now().to_rfc3339() }),
                ),
                Outlet::All,
            );
        }
        self.paused(path, Pause::Delay { wake_at }, started_at, clock)
    }

    fn wait(
        &self,
        step: &CompiledStep,
        timeout: Option<Duration>,
        on_timeout: OnTimeout,
        path: &str,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        match self.req.resume.get(path) {
            Some(Resume::Body(body)) => {
                return ok(succeeded(started_at, clock, 1, None, body.clone()), Outlet::All);
            }
            Some(Resume::TimedOut | Resume::WakeUp) => {
                return match on_timeout {
                    OnTimeout::Continue => ok(
                        succeeded(started_at, clock, 1, None, json!({ "timed_out": true })),
                        Outlet::All,
                    ),
                    OnTimeout::Fail => self.failed(
                        step,
                        StepError::new(
                            ErrorKind::Timeout,
                            "no one resumed this wait step before its timeout",
                        ),
                        None,
                        1,
                        started_at,
                        clock,
                    ),
                };
            }
            None => {}
        }
        let pause = match self.req.prior.get(path).and_then(|r| r.pause.clone()) {
            Some(p @ Pause::Wait { .. }) => p,
            _ => Pause::Wait {
                resume_token: resume_token(self.req, path),
                timeout_at: timeout
                    .and_then(|t| chrono::Duration::from_std(t).ok())
                    .map(|t| started_at + t),
            },
        };
        self.paused(path, pause, started_at, clock)
    }

    fn paused(
        &self,
        path: &str,
        pause: Pause,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let mut record = StepRecord::skipped("");
        record.status = StepStatus::Paused;
        record.reason = None;
        record.attempts = 1;
        record.started_at = started_at;
        record.duration_ms = millis(clock.elapsed());
        record.pause = Some(pause.clone());
        NodeDone {
            record,
            outlet: Outlet::None,
            effect: Effect::Pause(vec![PausedStep { step: path.to_owned(), pause }]),
            restored: false,
        }
    }

    /// A failure of a step that has no `on_error` choice to make (e.g. bad `until`): still honours it.
    fn fail_plain(
        &self,
        error: StepError,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let mut record = StepRecord::skipped("");
        record.status = StepStatus::Failed;
        record.reason = None;
        record.attempts = 1;
        record.started_at = started_at;
        record.duration_ms = millis(clock.elapsed());
        record.error = Some(error.clone());
        NodeDone { record, outlet: Outlet::None, effect: Effect::FailRun(error), restored: false }
    }

    /// A failed step: the run fails, or with `on_error: continue` the output becomes `{ "error" }`.
    fn failed(
        &self,
        step: &CompiledStep,
        error: StepError,
        input: Option<Value>,
        attempts: u32,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let mut record = StepRecord::skipped("");
        record.status = StepStatus::Failed;
        record.reason = None;
        record.attempts = attempts;
        record.started_at = started_at;
        record.duration_ms = millis(clock.elapsed());
        record.input = input;
        record.error = Some(error.clone());
        match step.common.on_error {
            OnError::Continue => {
                record.output = Some(json!({ "error": error }));
                NodeDone { record, outlet: Outlet::All, effect: Effect::None, restored: false }
            }
            OnError::Fail => NodeDone {
                record,
                outlet: Outlet::None,
                effect: Effect::FailRun(error),
                restored: false,
            },
        }
    }

    /// Actions and subflows: render the input once, then attempt with timeout and retry policy.
    async fn attempts(
        &self,
        step: &CompiledStep,
        scope: &EvalScope,
        path: &str,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let expr = self.engine.expr();
        let (template, secret_props) = match &step.body {
            StepBody::Action { props, secret_props, .. } => (props, secret_props.as_slice()),
            StepBody::Subflow { input, .. } => (input, &[][..]),
            _ => {
                return self.failed(
                    step,
                    StepError::new(ErrorKind::Other, "internal: not an action"),
                    None,
                    0,
                    started_at,
                    clock,
                );
            }
        };
        let input = match expr.render(template, scope) {
            Ok(v) => v,
            Err(e) => return self.failed(step, e.into(), None, 1, started_at, clock),
        };
        let mut secret_values = Vec::new();
        redact::secret_prop_values(&input, secret_props, &mut secret_values);
        self.add_secrets(secret_values);
        let recorded_input = {
            let mut v = input.clone();
            if let Value::Object(m) = &mut v {
                for name in secret_props {
                    if let Some(slot) = m.get_mut(name) {
                        *slot = Value::String(redact::REDACTED.into());
                    }
                }
            }
            v
        };

        let connection = match &step.body {
            StepBody::Action { connection: Some(reference), piece, .. } => {
                match self.env.connections.resolve(reference).await {
                    Ok(c) if c.piece != *piece && piece != "http" => {
                        let e = StepError::new(
                            ErrorKind::Connection,
                            format!(
                                "connection `{reference}` belongs to piece `{}`, not `{piece}`",
                                c.piece
                            ),
                        );
                        return self.failed(step, e, Some(recorded_input), 1, started_at, clock);
                    }
                    Ok(c) => {
                        self.add_secrets(c.secret_values());
                        Some(c)
                    }
                    Err(e) => {
                        return self.failed(step, e, Some(recorded_input), 1, started_at, clock);
                    }
                }
            }
            _ => None,
        };

        let timeout = step.common.timeout_sec.map(Duration::from_secs_f64);
        let max_attempts = step.common.retry.as_ref().map_or(1, |r| r.max_attempts.max(1));
        let mut attempt = 1;
        loop {
            let once = async {
                match &step.body {
                    StepBody::Action { action, .. } => {
                        let ctx = ActionContext {
                            run_id: self.req.run_id.clone(),
                            step_path: path.to_owned(),
                            idempotency_key: format!("{}:{path}", self.req.run_id),
                            attempt,
                            connection: connection.clone(),
                            http: self.engine.http().clone(),
                            timeout,
                        };
                        action.run(&ctx, input.clone()).await
                    }
                    StepBody::Subflow { flow, wait, .. } => {
                        let key = format!("{}:{path}", self.req.run_id);
                        self.env.subflows.run(flow, input.clone(), *wait, &key).await
                    }
                    _ => Err(StepError::new(ErrorKind::Other, "internal: not an action")),
                }
            };
            let result = match timeout {
                Some(t) => match tokio::time::timeout(t, once).await {
                    Ok(r) => r,
                    Err(_) => Err(StepError::new(
                        ErrorKind::Timeout,
                        format!("the step timed out after {} s", fmt_secs(t)),
                    )),
                },
                None => once.await,
            };
            match result {
                Ok(output) => {
                    return ok(
                        succeeded(started_at, clock, attempt, Some(recorded_input), output),
                        Outlet::All,
                    );
                }
                Err(e) => {
                    let next = attempt + 1;
                    let wait = step
                        .common
                        .retry
                        .as_ref()
                        .filter(|p| next <= max_attempts && retry::retries(p, &e))
                        .and_then(|p| retry::delay(p, next, &e));
                    match wait {
                        Some(d) if !self.halted() => {
                            tracing::debug!(
                                step = path,
                                attempt,
                                delay_ms = d.as_millis() as u64,
                                "retrying step"
                            );
                            tokio::time::sleep(d).await;
                            attempt = next;
                        }
                        _ => {
                            return self.failed(
                                step,
                                e,
                                Some(recorded_input),
                                attempt,
                                started_at,
                                clock,
                            );
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_loop(
        &'a self,
        step: &'a CompiledStep,
        items: &'a Template,
        parallelism: usize,
        body: &'a Graph,
        scope: &EvalScope,
        path: &str,
        started_at: DateTime<Utc>,
        clock: tokio::time::Instant,
    ) -> NodeDone {
        let items = match self.engine.expr().render(items, scope) {
            Ok(Value::Array(a)) => a,
            Ok(Value::Null) => Vec::new(),
            Ok(other) => {
                let e = StepError::invalid_input(format!(
                    "`items` must give an array, got {}",
                    type_name(&other)
                ));
                return self.failed(step, e, None, 1, started_at, clock);
            }
            Err(e) => return self.failed(step, e.into(), None, 1, started_at, clock),
        };
        let count = items.len();
        let mut runs = futures_util::stream::iter(items.into_iter().enumerate())
            .map(|(index, item)| {
                let iter_scope = scope.for_iteration(&item, index as i64);
                self.run_level(body, iter_scope, format!("{path}[{index}]."), false)
            })
            .buffered(parallelism);
        let mut iterations = Vec::with_capacity(count);
        let mut outputs = Vec::with_capacity(count);
        let mut paused = Vec::new();
        let mut failure = None;
        let mut index = 0usize;
        while let Some(level) = runs.next().await {
            let mut out = serde_json::Map::new();
            for &i in &body.order {
                let id = &body.nodes[i].id;
                if let Some(Some(r)) = level.records.get(i)
                    && matches!(r.status, StepStatus::Succeeded | StepStatus::Failed)
                    && let Some(o) = &r.output
                {
                    out.insert(id.clone(), o.clone());
                }
            }
            outputs.push(Value::Object(out));
            iterations.push(by_id(body, level.records));
            paused.extend(level.paused);
            if let Some((p, e)) = level.failure {
                failure = Some((index, p, e));
                break;
            }
            if self.halted() {
                break;
            }
            index += 1;
        }
        let input = Some(json!({ "items": count, "parallelism": parallelism }));
        if let Some((index, p, e)) = failure {
            let mut err = e.clone();
            err.message = format!("item {index}: step `{p}` failed: {}", e.message);
            let mut done = self.failed(step, err, input, 1, started_at, clock);
            done.record.iterations = Some(iterations);
            return done;
        }
        if !paused.is_empty() {
            let mut record = StepRecord::skipped("");
            record.status = StepStatus::Paused;
            record.reason = None;
            record.attempts = 1;
            record.started_at = started_at;
            record.duration_ms = millis(clock.elapsed());
            record.input = input;
            record.iterations = Some(iterations);
            return NodeDone {
                record,
                outlet: Outlet::None,
                effect: Effect::Pause(paused),
                restored: false,
            };
        }
        let mut record = succeeded(started_at, clock, 1, input, Value::Array(outputs));
        record.iterations = Some(iterations);
        ok(record, Outlet::All)
    }
}

enum Started<'a> {
    Done(Box<NodeDone>),
    Pending(BoxFuture<'a, (usize, NodeDone)>),
}

impl Started<'_> {
    fn done(d: NodeDone) -> Self {
        Self::Done(Box::new(d))
    }
}

fn ok(record: StepRecord, outlet: Outlet) -> NodeDone {
    NodeDone { record, outlet, effect: Effect::None, restored: false }
}

fn succeeded(
    started_at: DateTime<Utc>,
    clock: tokio::time::Instant,
    attempts: u32,
    input: Option<Value>,
    output: Value,
) -> StepRecord {
    StepRecord {
        status: StepStatus::Succeeded,
        attempts,
        started_at,
        duration_ms: millis(clock.elapsed()),
        input,
        output: Some(output),
        error: None,
        reason: None,
        iterations: None,
        pause: None,
    }
}

/// A node restored from its journal record: same outlet as when it first finished.
fn restore(step: &CompiledStep, record: StepRecord) -> NodeDone {
    let outlet = match record.status {
        StepStatus::Succeeded => match (&step.body, &record.output) {
            (StepBody::Filter { .. }, Some(o)) if o.get("passed") == Some(&Value::Bool(false)) => {
                Outlet::None
            }
            (StepBody::Router { .. }, Some(o)) => Outlet::Branches(
                o.get("branches")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|b| b.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
            ),
            _ => Outlet::All,
        },
        StepStatus::Failed if step.common.on_error == OnError::Continue => Outlet::All,
        StepStatus::Skipped if step.common.disabled => Outlet::All,
        _ => Outlet::None,
    };
    let effect = match (&record.status, &step.body) {
        (StepStatus::Failed, _) if step.common.on_error == OnError::Fail => {
            Effect::FailRun(record.error.clone().unwrap_or_else(|| {
                StepError::new(ErrorKind::Other, "failed in an earlier execution")
            }))
        }
        (StepStatus::Succeeded, StepBody::Stop { outcome, .. }) => Effect::Halt(Halt::Stopped {
            step: step.common.id.clone(),
            outcome: *outcome,
            message: record
                .output
                .as_ref()
                .and_then(|o| o.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }),
        _ => Effect::None,
    };
    NodeDone { record, outlet, effect, restored: true }
}

fn redact_record(record: &mut StepRecord, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    if let Some(v) = record.input.as_mut() {
        redact::redact_strings(v, secrets);
    }
    if let Some(v) = record.output.as_mut() {
        redact::redact_strings(v, secrets);
    }
    if let Some(e) = record.error.as_mut() {
        redact::redact_str(&mut e.message, secrets);
        if let Some(d) = e.details.as_mut() {
            redact::redact_strings(d, secrets);
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s}") }
}
