//! n8n nodes → our trigger and steps, one family per file; [`Ctx`] is what every mapper uses to
//! translate parameters, pick up credentials and record what differs.

mod branching;
mod core;
mod crm;
mod http;
mod messaging;
mod triggers;

use serde_json::{Map, Value, json};

use super::expressions::{Out, Reads, Translator};
use super::graph::{Plan, Role};
use super::kinds::{App, Family};
use super::model::{Node, OnFail, Workflow};
use super::sources::{Scope, Sources};
use crate::expr::ExprEngine;
use crate::import::{ItemOutcome, placeholder};

/// What every node's mapping shares.
pub(super) struct Env<'a> {
    /// The workflow.
    pub wf: &'a Workflow,
    /// Its plan.
    pub plan: &'a Plan,
    /// What `$json` means for each node.
    pub sources: &'a Sources<'a>,
    /// Checks translated expressions.
    pub engine: &'a ExprEngine,
}

/// One node's mapping in progress.
pub(super) struct Ctx<'a> {
    /// The node.
    pub node: &'a Node,
    /// Its step (or trigger) id.
    pub id: String,
    /// Shared context.
    pub env: &'a Env<'a>,
    scope: Scope<'a>,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// The outcome so far.
    pub outcome: ItemOutcome,
    /// Set when an expression could not be translated: the step is disabled.
    pub disable: bool,
}

/// A mapped node: its JSON and report line.
#[derive(Debug, Clone)]
pub(super) struct Mapped {
    /// The trigger or step JSON.
    pub json: Value,
    /// Mapped, approximated or unsupported.
    pub outcome: ItemOutcome,
    /// What differs.
    pub notes: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// A context for node `i`.
    pub fn new(env: &'a Env<'a>, i: usize) -> Self {
        Self {
            node: &env.wf.nodes[i],
            id: env.plan.id(i).to_owned(),
            env,
            scope: env.sources.scope(i),
            notes: Vec::new(),
            outcome: ItemOutcome::Mapped,
            disable: false,
        }
    }

    /// The translator for this node's parameters.
    pub fn tr(&self) -> Translator<'_> {
        Translator::new(&self.scope, self.env.engine)
    }

    /// The resolver for this node's data references.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }

    /// Adds a note without changing the outcome.
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Adds a note and marks the node approximated.
    pub fn approx(&mut self, note: impl Into<String>) {
        if self.outcome == ItemOutcome::Mapped {
            self.outcome = ItemOutcome::Approximated;
        }
        self.note(note);
    }

    /// Records what translated expressions read: placeholders' outputs and near-equivalents.
    pub fn absorb(&mut self, reads: Reads) {
        for name in reads.unconverted {
            self.approx(format!(
                "It reads the output of “{name}”, which was not converted: that value stays \
                 empty until the placeholder step is rebuilt."
            ));
        }
        for c in reads.caveats {
            self.approx(c);
        }
    }

    /// Records an expression that could not be translated: the step is disabled.
    pub fn untranslatable(&mut self, label: &str, original: &str, reason: &str) {
        self.disable = true;
        self.approx(format!(
            "Parameter `{label}`: the expression `{original}` could not be translated ({reason}); \
             it is kept as text and the step is disabled until it is rewritten."
        ));
    }

    /// A parameter value as a prop (templates for expressions, escaped literal text otherwise).
    pub fn prop(&mut self, label: &str, v: &Value) -> Value {
        let mut reads = Reads::default();
        let mut failures = Vec::new();
        let out = self.tr().value(v, &mut reads, &mut failures);
        self.absorb(reads);
        for f in failures {
            self.untranslatable(label, &f.original, &f.reason);
        }
        out
    }

    /// The node's parameter `name` as a prop; `None` when absent or an empty string.
    pub fn param(&mut self, name: &str) -> Option<Value> {
        let v = self.node.param(name)?.clone();
        if v.as_str().is_some_and(|s| s.is_empty() || s == "=") {
            return None;
        }
        Some(self.prop(name, &v))
    }

    /// A value from a nested collection (`additionalFields.firstName`) as a prop.
    pub fn nested(&mut self, label: &str, v: Option<&Value>) -> Option<Value> {
        let v = v.filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.is_empty()))?;
        Some(self.prop(label, v))
    }

    /// A parameter as a rhai expression; `None` (recorded as untranslatable) when it cannot be.
    pub fn expr(&mut self, label: &str, v: &Value) -> Option<Out> {
        let mut reads = Reads::default();
        let result = self.tr().expr(v, &mut reads);
        match result {
            Ok(out) => {
                self.absorb(reads);
                Some(out)
            }
            Err(reason) => {
                self.untranslatable(label, &v.to_string(), &reason);
                None
            }
        }
    }

    /// A condition built by `build`; when it fails, `false` with the original in a comment, and
    /// the step is disabled.
    pub fn condition(
        &mut self,
        label: &str,
        original: &Value,
        build: impl FnOnce(&Translator<'_>, &mut Reads) -> Result<String, String>,
    ) -> String {
        let mut reads = Reads::default();
        let result = {
            let tr = self.tr();
            build(&tr, &mut reads)
        };
        match result {
            Ok(c) => {
                self.absorb(reads);
                c
            }
            Err(reason) => {
                let text = original.to_string();
                self.untranslatable(label, &text, &reason);
                format!("false /* n8n: {} */", comment_safe(&text))
            }
        }
    }

    /// A JSON-text parameter (`jsonBody` …) as a value; on failure the original text.
    pub fn json_text(&mut self, label: &str, v: &Value) -> Option<Value> {
        let mut reads = Reads::default();
        let result = self.tr().json_text(v, &mut reads);
        match result {
            Ok(value) => {
                self.absorb(reads);
                value
            }
            Err(reason) => {
                let original = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                self.untranslatable(label, &original, &reason);
                Some(Value::String(super::expressions::literal_text(&original)))
            }
        }
    }

    /// The node's credential as the step's connection (named like the n8n credential).
    pub fn connection(&mut self, piece: &str) -> Option<String> {
        let (kind, name) = self.node.credential()?.clone();
        self.note(format!(
            "Create a connection named “{name}” for {piece}: it replaces the n8n credential \
             “{name}” ({kind}), whose secrets are not exported."
        ));
        Some(name)
    }

    /// A disabled placeholder step that keeps the node.
    pub fn placeholder(&mut self, reason: &str) -> Value {
        self.outcome = ItemOutcome::Unsupported;
        self.note(format!(
            "Not converted: {reason}. A disabled placeholder step keeps the original."
        ));
        placeholder::step(&self.id, &self.node.name, "n8n", reason, &self.node.raw)
    }
}

/// Text that cannot open or close a rhai block comment (they nest, so `/*` matters too).
fn comment_safe(text: &str) -> String {
    let mut t = text.replace(['\r', '\n'], " ");
    loop {
        let next = t.replace("/*", "/ *").replace("*/", "* /");
        if next == t {
            return t;
        }
        t = next;
    }
}

/// An action step.
pub(super) fn action(
    ctx: &Ctx<'_>,
    piece: &str,
    action: &str,
    connection: Option<String>,
    props: Map<String, Value>,
) -> Value {
    let mut step = json!({ "id": ctx.id, "type": "action", "piece": piece, "action": action });
    if let Some(c) = connection {
        step["connection"] = Value::String(c);
    }
    step["props"] = Value::Object(props);
    step
}

/// Sets a required prop, or — when n8n has no value for it — a visible marker, and disables the
/// step so that it does not run half configured.
pub(super) fn require(
    ctx: &mut Ctx<'_>,
    props: &mut Map<String, Value>,
    key: &str,
    v: Option<Value>,
) {
    match v {
        Some(v) => {
            props.insert(key.to_owned(), v);
        }
        None => {
            ctx.disable = true;
            ctx.approx(format!(
                "The n8n node gives no value for `{key}`, which is required here; set it (the \
                 step is disabled until then)."
            ));
            props.insert(key.to_owned(), Value::String(format!("(set {key})")));
        }
    }
}

/// Inserts `value` under `key` when present.
pub(super) fn put(props: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        props.insert(key.to_owned(), v);
    }
}

/// The value of an n8n resource locator (`{ "__rl": true, "value": …, "mode": … }`) or a plain
/// value, with the cached display name when the value is an internal id.
pub(super) fn locator(v: Option<&Value>) -> Option<(Value, Option<String>, String)> {
    let v = v?;
    match v {
        Value::Object(o) if o.contains_key("__rl") || o.contains_key("mode") => {
            let value = o.get("value").cloned().unwrap_or(Value::Null);
            if value.is_null() || value.as_str().is_some_and(str::is_empty) {
                return None;
            }
            let cached = o.get("cachedResultName").and_then(Value::as_str).map(str::to_owned);
            let mode = o.get("mode").and_then(Value::as_str).unwrap_or("id").to_owned();
            Some((value, cached, mode))
        }
        Value::String(s) if s.is_empty() => None,
        Value::Null => None,
        other => Some((other.clone(), None, "id".into())),
    }
}

/// Maps node `i` (not a sticky note).
pub(super) fn map(env: &Env<'_>, i: usize) -> Mapped {
    let mut ctx = Ctx::new(env, i);
    let family = env.plan.families[i];
    let role = env.plan.roles[i];
    if role == Role::Trigger {
        let json = ordered(triggers::map(&mut ctx, family));
        return Mapped { json, outcome: ctx.outcome, notes: finish_notes(&ctx, i) };
    }
    let mut step = if role == Role::ExtraTrigger {
        ctx.placeholder(
            "a flow has a single trigger, and this is not the one this flow starts with",
        )
    } else {
        match family {
            Family::If => branching::map_if(&mut ctx),
            Family::Switch => branching::map_switch(&mut ctx),
            Family::Filter => branching::map_filter(&mut ctx),
            Family::Set => core::map_set(&mut ctx),
            Family::NoOp => core::map_noop(&mut ctx),
            Family::Code => core::map_code(&mut ctx),
            Family::Respond => core::map_respond(&mut ctx),
            Family::Wait => core::map_wait(&mut ctx),
            Family::Merge => core::map_merge(&mut ctx),
            Family::Loop => core::map_loop(&mut ctx, i),
            Family::SplitOut => core::map_split_out(&mut ctx),
            Family::StopAndError => core::map_stop(&mut ctx),
            Family::Http => http::map(&mut ctx),
            Family::App(App::Slack) => messaging::map_slack(&mut ctx),
            Family::App(App::SendGrid) => messaging::map_sendgrid(&mut ctx),
            Family::App(App::Twilio) => messaging::map_twilio(&mut ctx),
            Family::App(App::Gmail) => messaging::map_gmail(&mut ctx),
            Family::App(App::EmailSend) => messaging::map_email_send(&mut ctx),
            Family::App(App::Hubspot) => crm::map_hubspot(&mut ctx),
            Family::App(App::Pipedrive) => crm::map_pipedrive(&mut ctx),
            Family::App(App::GoogleSheets) => crm::map_google_sheets(&mut ctx),
            Family::App(App::Airtable) => crm::map_airtable(&mut ctx),
            Family::Trigger(_) | Family::Sticky | Family::Unknown => ctx
                .placeholder(&format!("the node type `{}` has no equivalent here", ctx.node.kind)),
        }
    };
    common(&mut ctx, &mut step, i);
    Mapped { json: ordered(step), outcome: ctx.outcome, notes: finish_notes(&ctx, i) }
}

/// The same object with `id`, `name` and `type` first, as people write flows.
fn ordered(v: Value) -> Value {
    let Value::Object(mut map) = v else { return v };
    let mut out = Map::new();
    for key in ["id", "name", "type"] {
        if let Some(x) = map.remove(key) {
            out.insert(key.into(), x);
        }
    }
    out.extend(map);
    Value::Object(out)
}

fn finish_notes(ctx: &Ctx<'_>, i: usize) -> Vec<String> {
    let mut notes = ctx.notes.clone();
    for n in &ctx.env.plan.notes[i] {
        if !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    notes
}

/// Name, disabled, retry and error handling, which every step has.
fn common(ctx: &mut Ctx<'_>, step: &mut Value, i: usize) {
    let node = ctx.node;
    let Some(obj) = step.as_object_mut() else { return };
    obj.insert("name".into(), Value::String(node.name.clone()));
    let placeholder = ctx.outcome == ItemOutcome::Unsupported;
    let mut disabled = ctx.disable || placeholder;
    if node.disabled {
        disabled = true;
        ctx.notes.push("Disabled in n8n, so disabled here: the steps after it still run.".into());
    }
    if ctx.env.plan.unreached[i] {
        disabled = true;
        ctx.notes.push(
            "The trigger never reaches it in n8n (it is not connected), so it is disabled here."
                .into(),
        );
    }
    if disabled {
        obj.insert("disabled".into(), Value::Bool(true));
    }
    if placeholder {
        return;
    }
    if let Some((tries, wait)) = node.retry {
        obj.insert(
            "retry".into(),
            json!({
                "max_attempts": tries,
                "backoff": "fixed",
                "initial_delay_ms": wait,
                "jitter": false
            }),
        );
        ctx.notes.push(format!(
            "Retries: {tries} attempts, {wait} ms apart, on network errors, timeouts, 5xx and 429 \
             (n8n retried every error)."
        ));
    }
    match node.on_fail {
        OnFail::Stop => {}
        OnFail::Continue => {
            obj.insert("on_error".into(), Value::String("continue".into()));
            ctx.notes.push(
                "On error the run continues and the step's output is `{ \"error\": … }` (n8n: \
                 continue on fail)."
                    .into(),
            );
        }
        OnFail::ErrorOutput => {
            obj.insert("on_error".into(), Value::String("continue".into()));
            if ctx.env.plan.routers.iter().any(|r| r.node == i) {
                ctx.notes.push(
                    "Its error output became a router after it: branch `success` when the step \
                     worked, `error` when its output is `{ \"error\": … }`."
                        .into(),
                );
            } else {
                ctx.notes.push(
                    "On error the run continues (the n8n error output is not connected).".into(),
                );
            }
        }
    }
}
