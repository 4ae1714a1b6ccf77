//! Steps: the common fields every step has, and one struct per step type.
//!
//! On the wire a step is one flat JSON object (`{"id": "x", "type": "filter", "condition": "…"}`). It is
//! read through [`StepWire`], a flat struct with every field of every type, so that type errors inside
//! a field keep their exact JSON path; the conversion to [`Step`] then checks which fields the step's
//! type allows and requires.

use serde::{Deserialize, Serialize};

use super::{Edge, FlowDuration, JsonMap};

/// Fields every step has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepCommon {
    /// Unique within the flow (loop bodies included); expressions read the output as `steps.<id>`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A disabled step is skipped, but the steps after it still run (it passes through).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Retry policy for failures that another attempt may fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// Each attempt fails with a timeout after this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_sec: Option<f64>,
    /// What a failure (after retries) does to the run.
    #[serde(default, skip_serializing_if = "OnError::is_fail")]
    pub on_error: OnError,
}

/// A step: the common fields plus its type-specific ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `id`, `name`, `disabled`, `retry`, `timeout_sec`, `on_error`.
    pub common: StepCommon,
    /// The type and its fields.
    pub kind: StepKind,
}

impl Step {
    /// The step id.
    pub fn id(&self) -> &str {
        &self.common.id
    }
}

/// The step types.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// Runs an action of a piece.
    Action(ActionStep),
    /// Continues only when a condition holds.
    Filter(FilterStep),
    /// Sends the run down the branches whose conditions hold.
    Router(RouterStep),
    /// Runs a body of steps once per item.
    Loop(LoopStep),
    /// Runs a rhai script.
    Code(CodeStep),
    /// Builds an object from templates.
    Set(SetStep),
    /// Sets the HTTP response of a synchronous webhook.
    Respond(RespondStep),
    /// Ends the run.
    Stop(StopStep),
    /// Pauses the run for a while or until a time.
    Delay(DelayStep),
    /// Pauses the run until its resume URL is called.
    Wait(WaitStep),
    /// Runs another flow.
    Subflow(SubflowStep),
}

impl StepKind {
    /// The `type` string.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Action(_) => "action",
            Self::Filter(_) => "filter",
            Self::Router(_) => "router",
            Self::Loop(_) => "loop",
            Self::Code(_) => "code",
            Self::Set(_) => "set",
            Self::Respond(_) => "respond",
            Self::Stop(_) => "stop",
            Self::Delay(_) => "delay",
            Self::Wait(_) => "wait",
            Self::Subflow(_) => "subflow",
        }
    }
}

/// `type: action`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct ActionStep {
    /// The piece id (`hubspot`, `http`).
    pub piece: String,
    /// The action within the piece (`create_contact`).
    pub action: String,
    /// The connection (id or name) the action authenticates with.
    pub connection: Option<String>,
    /// The action's props; strings may hold `{{ }}` templates.
    pub props: JsonMap,
}

/// `type: filter`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct FilterStep {
    /// A rhai expression; when false, the steps below are skipped.
    pub condition: String,
}

/// `type: router`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct RouterStep {
    /// Which branches run when several conditions hold.
    pub mode: RouterMode,
    /// The branches, in order. One without a condition is the fallback, taken only when no other is.
    pub branches: Vec<Branch>,
}

/// How a router picks branches.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RouterMode {
    /// The first branch (in order) whose condition holds.
    #[default]
    FirstMatch,
    /// Every branch whose condition holds.
    AllMatch,
}

/// A router branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// The name edges refer to.
    pub name: String,
    /// A rhai expression; absent for the fallback branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// `type: loop`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct LoopStep {
    /// A template giving an array, e.g. `"{{ trigger.body.leads }}"`.
    pub items: serde_json::Value,
    /// How many iterations run at once (default 1: one after another).
    pub parallelism: u32,
    /// The body's steps; `item` and `index` are in scope.
    pub steps: Vec<Step>,
    /// The body's edges. Entry steps are those with no incoming body edge.
    pub edges: Vec<Edge>,
}

/// `type: code`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct CodeStep {
    /// A rhai script; its value is the step's output.
    pub script: String,
}

/// `type: set`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct SetStep {
    /// Keys and templates/values; the output is the resolved object.
    pub values: JsonMap,
}

/// `type: respond`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct RespondStep {
    /// HTTP status (default 200).
    pub status: u16,
    /// Response headers (templates allowed).
    pub headers: JsonMap,
    /// Response body (template or value).
    pub body: serde_json::Value,
}

/// `type: stop`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct StopStep {
    /// How the run ends.
    pub outcome: Outcome,
    /// Why (template allowed); the run's error message when the outcome is `failed`.
    pub message: Option<String>,
}

/// A run's outcome chosen by a `stop` step.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The run succeeded.
    #[default]
    Succeeded,
    /// The run failed.
    Failed,
}

/// `type: delay`: exactly one of `duration` and `until`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct DelayStep {
    /// How long to wait.
    pub duration: Option<FlowDuration>,
    /// A template giving the date-time (RFC 3339) to resume at.
    pub until: Option<String>,
}

/// `type: wait`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct WaitStep {
    /// Give up waiting after this long (default: wait forever).
    pub timeout: Option<FlowDuration>,
    /// What a timeout does.
    pub on_timeout: OnTimeout,
}

/// What a `wait` step does when its timeout passes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    /// The step fails.
    #[default]
    Fail,
    /// The run continues; the step's output is `{ "timed_out": true }`.
    Continue,
}

/// `type: subflow`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
pub struct SubflowStep {
    /// The flow id to run.
    pub flow: String,
    /// Its input (templates allowed); the called flow sees it as `trigger.body`.
    pub input: JsonMap,
    /// Wait for the called flow and return its output (default true), or start it and go on.
    pub wait: bool,
}

/// When and how a step is attempted again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// How the delay grows (default exponential).
    #[serde(default)]
    pub backoff: Backoff,
    /// The delay before the second attempt (default 1000 ms).
    #[serde(default = "default_initial_delay")]
    pub initial_delay_ms: u64,
    /// The largest delay between attempts (default 60 000 ms); a longer `Retry-After` is still honoured
    /// up to 15 minutes.
    #[serde(default = "default_max_delay")]
    pub max_delay_ms: u64,
    /// Randomise each delay by ±25 % so many failed runs do not retry in lockstep (default true).
    #[serde(default = "default_true")]
    pub jitter: bool,
    /// Which failures are retried (default: network, timeout, 5xx, 429).
    #[serde(default = "RetryOn::defaults")]
    pub on: Vec<RetryOn>,
}

fn default_attempts() -> u32 {
    3
}
fn default_initial_delay() -> u64 {
    1000
}
fn default_max_delay() -> u64 {
    60_000
}
fn default_true() -> bool {
    true
}

/// The shape of the delay between attempts.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay each time.
    Fixed,
    /// Doubling each time.
    #[default]
    Exponential,
}

/// A class of failure a retry policy covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum RetryOn {
    /// No response (connection refused, reset, DNS).
    #[serde(rename = "network")]
    Network,
    /// An attempt timed out.
    #[serde(rename = "timeout")]
    Timeout,
    /// The service answered 5xx.
    #[serde(rename = "5xx")]
    ServerError,
    /// The service answered 429 (its `Retry-After` is honoured).
    #[serde(rename = "429")]
    RateLimited,
    /// Every failure, including 4xx and expression errors.
    #[serde(rename = "any")]
    Any,
}

impl RetryOn {
    /// network, timeout, 5xx, 429.
    pub fn defaults() -> Vec<Self> {
        vec![Self::Network, Self::Timeout, Self::ServerError, Self::RateLimited]
    }
}

/// What a step's failure does.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The run fails.
    #[default]
    Fail,
    /// The run goes on; the step's output is `{ "error": {...} }`.
    Continue,
}

impl OnError {
    fn is_fail(&self) -> bool {
        *self == Self::Fail
    }
}

/// The `type` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum StepType {
    Action,
    Filter,
    Router,
    Loop,
    Code,
    Set,
    Respond,
    Stop,
    Delay,
    Wait,
    Subflow,
}

/// The flat wire form of a step: every field of every type, each optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepWire {
    id: String,
    #[serde(rename = "type")]
    step_type: Option<StepType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_sec: Option<f64>,
    #[serde(default, skip_serializing_if = "OnError::is_fail")]
    on_error: OnError,
    // action
    #[serde(default, skip_serializing_if = "Option::is_none")]
    piece: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    connection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    props: Option<JsonMap>,
    // filter
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    // router
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mode: Option<RouterMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    branches: Option<Vec<Branch>>,
    // loop
    #[serde(default, skip_serializing_if = "Option::is_none")]
    items: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parallelism: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<Step>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    edges: Option<Vec<Edge>>,
    // code
    #[serde(default, skip_serializing_if = "Option::is_none")]
    script: Option<String>,
    // set
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<JsonMap>,
    // respond
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headers: Option<JsonMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
    // stop
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    // delay
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration: Option<FlowDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    // wait
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<FlowDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_timeout: Option<OnTimeout>,
    // subflow
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flow: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input: Option<JsonMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wait: Option<bool>,
}

impl StepWire {
    /// The type-specific fields that are set, by name.
    fn set_fields(&self) -> Vec<&'static str> {
        let checks: [(&'static str, bool); 24] = [
            ("piece", self.piece.is_some()),
            ("action", self.action.is_some()),
            ("connection", self.connection.is_some()),
            ("props", self.props.is_some()),
            ("condition", self.condition.is_some()),
            ("mode", self.mode.is_some()),
            ("branches", self.branches.is_some()),
            ("items", self.items.is_some()),
            ("parallelism", self.parallelism.is_some()),
            ("steps", self.steps.is_some()),
            ("edges", self.edges.is_some()),
            ("script", self.script.is_some()),
            ("values", self.values.is_some()),
            ("status", self.status.is_some()),
            ("headers", self.headers.is_some()),
            ("body", self.body.is_some()),
            ("outcome", self.outcome.is_some()),
            ("message", self.message.is_some()),
            ("duration", self.duration.is_some()),
            ("until", self.until.is_some()),
            ("timeout", self.timeout.is_some()),
            ("on_timeout", self.on_timeout.is_some()),
            ("flow", self.flow.is_some()),
            ("input", self.input.is_some()),
        ];
        let mut set: Vec<&'static str> =
            checks.into_iter().filter(|(_, on)| *on).map(|(n, _)| n).collect();
        if self.wait.is_some() {
            set.push("wait");
        }
        set
    }
}

/// The fields each type allows, for the "not a field of" message.
fn allowed_fields(t: StepType) -> &'static [&'static str] {
    match t {
        StepType::Action => &["piece", "action", "connection", "props"],
        StepType::Filter => &["condition"],
        StepType::Router => &["mode", "branches"],
        StepType::Loop => &["items", "parallelism", "steps", "edges"],
        StepType::Code => &["script"],
        StepType::Set => &["values"],
        StepType::Respond => &["status", "headers", "body"],
        StepType::Stop => &["outcome", "message"],
        StepType::Delay => &["duration", "until"],
        StepType::Wait => &["timeout", "on_timeout"],
        StepType::Subflow => &["flow", "input", "wait"],
    }
}

fn required<T>(value: Option<T>, field: &str, t: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("a `{t}` step needs `{field}`"))
}

impl TryFrom<StepWire> for Step {
    type Error = String;

    fn try_from(w: StepWire) -> Result<Self, String> {
        let Some(step_type) = w.step_type else {
            return Err(format!(
                "step `{}` has no `type` (one of action, filter, router, loop, code, set, respond, stop, delay, wait, subflow)",
                w.id
            ));
        };
        let allowed = allowed_fields(step_type);
        let stray: Vec<&str> =
            w.set_fields().into_iter().filter(|f| !allowed.contains(f)).collect();
        let t = serde_json::to_value(step_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if !stray.is_empty() {
            let list = stray.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            let fields = allowed.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            return Err(format!("{list} not allowed on a `{t}` step (its fields: {fields})"));
        }
        let common = StepCommon {
            id: w.id,
            name: w.name,
            disabled: w.disabled,
            retry: w.retry,
            timeout_sec: w.timeout_sec,
            on_error: w.on_error,
        };
        if let Some(secs) = common.timeout_sec
            && !(secs.is_finite() && secs > 0.0)
        {
            return Err(format!("`timeout_sec` must be a positive number of seconds, not {secs}"));
        }
        let kind = match step_type {
            StepType::Action => StepKind::Action(ActionStep {
                piece: required(w.piece, "piece", &t)?,
                action: required(w.action, "action", &t)?,
                connection: w.connection,
                props: w.props.unwrap_or_default(),
            }),
            StepType::Filter => {
                StepKind::Filter(FilterStep { condition: required(w.condition, "condition", &t)? })
            }
            StepType::Router => StepKind::Router(RouterStep {
                mode: w.mode.unwrap_or_default(),
                branches: required(w.branches, "branches", &t)?,
            }),
            StepType::Loop => {
                let parallelism = w.parallelism.unwrap_or(1);
                if parallelism == 0 {
                    return Err("`parallelism` must be at least 1".into());
                }
                StepKind::Loop(LoopStep {
                    items: required(w.items, "items", &t)?,
                    parallelism,
                    steps: w.steps.unwrap_or_default(),
                    edges: w.edges.unwrap_or_default(),
                })
            }
            StepType::Code => {
                StepKind::Code(CodeStep { script: required(w.script, "script", &t)? })
            }
            StepType::Set => StepKind::Set(SetStep { values: required(w.values, "values", &t)? }),
            StepType::Respond => {
                let status = w.status.unwrap_or(200);
                if !(100..=599).contains(&status) {
                    return Err(format!("`status` must be an HTTP status (100-599), not {status}"));
                }
                StepKind::Respond(RespondStep {
                    status,
                    headers: w.headers.unwrap_or_default(),
                    body: w.body.unwrap_or(serde_json::Value::Null),
                })
            }
            StepType::Stop => StepKind::Stop(StopStep {
                outcome: w.outcome.unwrap_or_default(),
                message: w.message,
            }),
            StepType::Delay => {
                if w.duration.is_some() == w.until.is_some() {
                    return Err("a `delay` step needs exactly one of `duration` and `until`".into());
                }
                StepKind::Delay(DelayStep { duration: w.duration, until: w.until })
            }
            StepType::Wait => StepKind::Wait(WaitStep {
                timeout: w.timeout,
                on_timeout: w.on_timeout.unwrap_or_default(),
            }),
            StepType::Subflow => StepKind::Subflow(SubflowStep {
                flow: required(w.flow, "flow", &t)?,
                input: w.input.unwrap_or_default(),
                wait: w.wait.unwrap_or(true),
            }),
        };
        Ok(Step { common, kind })
    }
}

impl From<&Step> for StepWire {
    fn from(s: &Step) -> Self {
        let c = s.common.clone();
        let mut w = StepWire {
            id: c.id,
            name: c.name,
            disabled: c.disabled,
            retry: c.retry,
            timeout_sec: c.timeout_sec,
            on_error: c.on_error,
            ..Default::default()
        };
        match &s.kind {
            StepKind::Action(a) => {
                w.step_type = Some(StepType::Action);
                w.piece = Some(a.piece.clone());
                w.action = Some(a.action.clone());
                w.connection = a.connection.clone();
                w.props = Some(a.props.clone());
            }
            StepKind::Filter(f) => {
                w.step_type = Some(StepType::Filter);
                w.condition = Some(f.condition.clone());
            }
            StepKind::Router(r) => {
                w.step_type = Some(StepType::Router);
                w.mode = Some(r.mode);
                w.branches = Some(r.branches.clone());
            }
            StepKind::Loop(l) => {
                w.step_type = Some(StepType::Loop);
                w.items = Some(l.items.clone());
                w.parallelism = (l.parallelism != 1).then_some(l.parallelism);
                w.steps = Some(l.steps.clone());
                w.edges = Some(l.edges.clone());
            }
            StepKind::Code(c) => {
                w.step_type = Some(StepType::Code);
                w.script = Some(c.script.clone());
            }
            StepKind::Set(s) => {
                w.step_type = Some(StepType::Set);
                w.values = Some(s.values.clone());
            }
            StepKind::Respond(r) => {
                w.step_type = Some(StepType::Respond);
                w.status = Some(r.status);
                w.headers = (!r.headers.is_empty()).then(|| r.headers.clone());
                w.body = Some(r.body.clone());
            }
            StepKind::Stop(s) => {
                w.step_type = Some(StepType::Stop);
                w.outcome = Some(s.outcome);
                w.message = s.message.clone();
            }
            StepKind::Delay(d) => {
                w.step_type = Some(StepType::Delay);
                w.duration = d.duration.clone();
                w.until = d.until.clone();
            }
            StepKind::Wait(x) => {
                w.step_type = Some(StepType::Wait);
                w.timeout = x.timeout.clone();
                w.on_timeout = Some(x.on_timeout);
            }
            StepKind::Subflow(x) => {
                w.step_type = Some(StepType::Subflow);
                w.flow = Some(x.flow.clone());
                w.input = Some(x.input.clone());
                w.wait = Some(x.wait);
            }
        }
        w
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StepWire::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = StepWire::deserialize(d)?;
        Step::try_from(wire).map_err(serde::de::Error::custom)
    }
}

/// The schema of a step: one alternative per type, each the common fields plus that type's fields.
impl schemars::JsonSchema for Step {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let common = StepCommon::json_schema(generator);
        let variants: Vec<(StepType, &str, schemars::Schema)> = vec![
            (StepType::Action, "Runs an action of a piece.", ActionStep::json_schema(generator)),
            (
                StepType::Filter,
                "Continues only when the condition holds.",
                FilterStep::json_schema(generator),
            ),
            (
                StepType::Router,
                "Sends the run down the branches whose conditions hold.",
                RouterStep::json_schema(generator),
            ),
            (
                StepType::Loop,
                "Runs a body of steps once per item.",
                LoopStep::json_schema(generator),
            ),
            (StepType::Code, "Runs a rhai script.", CodeStep::json_schema(generator)),
            (StepType::Set, "Builds an object from templates.", SetStep::json_schema(generator)),
            (
                StepType::Respond,
                "Sets the response of a synchronous webhook.",
                RespondStep::json_schema(generator),
            ),
            (StepType::Stop, "Ends the run.", StopStep::json_schema(generator)),
            (
                StepType::Delay,
                "Pauses the run for a while or until a time.",
                DelayStep::json_schema(generator),
            ),
            (
                StepType::Wait,
                "Pauses the run until its resume URL is called.",
                WaitStep::json_schema(generator),
            ),
            (StepType::Subflow, "Runs another flow.", SubflowStep::json_schema(generator)),
        ];
        let mut one_of = Vec::new();
        for (t, description, specific) in variants {
            let tag = serde_json::to_value(t).unwrap_or(serde_json::Value::Null);
            let mut properties = common.get("properties").cloned().unwrap_or_default();
            let mut required: Vec<serde_json::Value> =
                common.get("required").and_then(|r| r.as_array()).cloned().unwrap_or_default();
            if let (Some(p), Some(sp)) =
                (properties.as_object_mut(), specific.get("properties").and_then(|v| v.as_object()))
            {
                for (k, v) in sp {
                    p.insert(k.clone(), v.clone());
                }
                p.insert("type".into(), serde_json::json!({ "const": tag }));
            }
            required.push("type".into());
            // Fields with a default are optional on the wire even though the Rust field is not an Option.
            let wire_required: &[&str] = match t {
                StepType::Action => &["piece", "action"],
                StepType::Filter => &["condition"],
                StepType::Router => &["branches"],
                StepType::Loop => &["items"],
                StepType::Code => &["script"],
                StepType::Set => &["values"],
                StepType::Subflow => &["flow"],
                _ => &[],
            };
            required.extend(wire_required.iter().map(|f| serde_json::Value::from(*f)));
            let mut schema = serde_json::json!({
                "type": "object",
                "title": format!("{} step", tag.as_str().unwrap_or_default()),
                "description": description,
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            });
            if t == StepType::Delay
                && let Some(o) = schema.as_object_mut()
            {
                o.insert(
                    "oneOf".into(),
                    serde_json::json!([{ "required": ["duration"] }, { "required": ["until"] }]),
                );
            }
            one_of.push(schema);
        }
        schemars::json_schema!({ "oneOf": one_of })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<Step, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn every_type_round_trips() {
        let docs = [
            json!({"id": "a", "type": "action", "piece": "http", "action": "request", "props": {"url": "http://x"}}),
            json!({"id": "f", "type": "filter", "condition": "true"}),
            json!({"id": "r", "type": "router", "mode": "all_match", "branches": [{"name": "a", "condition": "true"}, {"name": "else"}]}),
            json!({"id": "l", "type": "loop", "items": "{{ trigger.body }}", "parallelism": 4, "steps": [{"id": "x", "type": "set", "values": {}}], "edges": []}),
            json!({"id": "c", "type": "code", "script": "1 + 1"}),
            json!({"id": "s", "type": "set", "values": {"a": 1}}),
            json!({"id": "p", "type": "respond", "status": 201, "body": {"ok": true}}),
            json!({"id": "x", "type": "stop", "outcome": "failed", "message": "no"}),
            json!({"id": "d", "type": "delay", "duration": "2h"}),
            json!({"id": "w", "type": "wait", "timeout": "3d", "on_timeout": "continue"}),
            json!({"id": "u", "type": "subflow", "flow": "f1", "input": {"a": 1}, "wait": false}),
        ];
        for doc in docs {
            let step = parse(doc.clone()).unwrap();
            let back = serde_json::to_value(&step).unwrap();
            let again = parse(back).unwrap();
            assert_eq!(step, again, "{doc}");
        }
    }

    #[test]
    fn field_of_another_type_is_named() {
        let err =
            parse(json!({"id": "s", "type": "set", "values": {}, "condition": "x"})).unwrap_err();
        assert!(
            err.contains("`condition` not allowed on a `set` step (its fields: `values`)"),
            "{err}"
        );
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = parse(json!({"id": "f", "type": "filter"})).unwrap_err();
        assert!(err.contains("a `filter` step needs `condition`"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = parse(json!({"id": "f", "type": "filter", "condtion": "x"})).unwrap_err();
        assert!(err.contains("unknown field `condtion`"), "{err}");
    }

    #[test]
    fn missing_type_lists_the_types() {
        let err = parse(json!({"id": "f"})).unwrap_err();
        assert!(err.contains("has no `type`"), "{err}");
    }

    #[test]
    fn delay_needs_exactly_one_of_duration_and_until() {
        assert!(parse(json!({"id": "d", "type": "delay"})).is_err());
        assert!(
            parse(json!({"id": "d", "type": "delay", "duration": "1s", "until": "x"})).is_err()
        );
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(parse(json!({"id": "p", "type": "respond", "status": 42})).is_err());
        assert!(parse(json!({"id": "l", "type": "loop", "items": [], "parallelism": 0})).is_err());
        assert!(
            parse(json!({"id": "f", "type": "filter", "condition": "x", "timeout_sec": -1}))
                .is_err()
        );
    }

    #[test]
    fn retry_defaults() {
        let s = parse(json!({"id": "f", "type": "filter", "condition": "x", "retry": {}})).unwrap();
        let r = s.common.retry.unwrap();
        assert_eq!(r.max_attempts, 3);
        assert_eq!(r.backoff, Backoff::Exponential);
        assert_eq!(r.on, RetryOn::defaults());
    }
}
