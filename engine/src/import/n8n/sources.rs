//! What `$json` and `$('Node').item.json` mean in the converted flow.
//!
//! In n8n every node reads the item its input received. Here a step reads earlier outputs by
//! name, so each n8n node's output is described as a [`Source`]: the trigger (with the webhook's
//! and schedule's field names mapped), a step's output (an HTTP request's response body), a
//! loop's `item`, or — for nodes that pass items through unchanged (IF, Filter, Switch, NoOp,
//! Wait, Respond, disabled nodes) — whatever fed them. A Merge, or a node fed by several
//! branches, reads each field from whichever input has it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::expressions::emit::push_key;
use super::expressions::{Access, Key, Reads, Resolve};
use super::graph::{Plan, Role};
use super::kinds::{Family, TriggerKind, passes_through};
use super::model::Workflow;

/// What an n8n node's output items are, in terms of the flow.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Source {
    /// A value at a rhai path.
    Path {
        /// The rhai path (`trigger.body`, `steps.http.body`, `item`).
        code: String,
        /// The step read, for the upstream check.
        step: Option<String>,
        /// The n8n node it stands for (for messages).
        node: String,
        /// For `item`: the loop node whose body it is defined in.
        item_of: Option<usize>,
        /// The node is a placeholder, so its output will be empty.
        unconverted: bool,
    },
    /// The webhook trigger: n8n's `{headers, params, query, body}`.
    Webhook,
    /// The schedule trigger: n8n's `timestamp` is our `scheduled_at`.
    Schedule,
    /// An Edit Fields node that also keeps the input's other fields.
    Set {
        /// Its own output.
        own: Box<Source>,
        /// The top-level field names it sets.
        fields: Vec<String>,
        /// What it received.
        rest: Box<Source>,
    },
    /// Several possible inputs; each field is read from the first that has it.
    Merge(Vec<Source>),
    /// A list the next nodes would process one element at a time (Split Out).
    List(Box<Source>),
    /// No equivalent; the reason.
    Unknown(String),
}

/// The sources of a workflow: each node's output and input.
pub(super) struct Sources<'a> {
    wf: &'a Workflow,
    plan: &'a Plan,
    /// `$json` of each node.
    input: Vec<Source>,
}

impl<'a> Sources<'a> {
    /// Works out every node's input.
    pub fn new(wf: &'a Workflow, plan: &'a Plan) -> Self {
        let mut s = Self { wf, plan, input: Vec::new() };
        let mut memo = BTreeMap::new();
        s.input = (0..wf.nodes.len()).map(|i| s.input_of(i, &mut memo, 0)).collect();
        s
    }

    /// `$json` of node `i`.
    pub fn input(&self, i: usize) -> &Source {
        &self.input[i]
    }

    fn input_of(&self, i: usize, memo: &mut BTreeMap<usize, Source>, depth: usize) -> Source {
        if let Some(s) = memo.get(&i) {
            return s.clone();
        }
        if depth > self.wf.nodes.len() + 2 {
            return Source::Unknown("the data comes through a cycle".into());
        }
        let mut found: Vec<Source> = Vec::new();
        // Links ordered by the target's input index; a Merge that combines items prefers input 2
        // on a clash, so it reads input 2 first.
        let mut links: Vec<(usize, usize)> = self.plan.inputs[i]
            .iter()
            .map(|&(f, o)| {
                let input = self
                    .wf
                    .links
                    .iter()
                    .find(|l| l.from == f && l.output == o && l.to == i)
                    .map_or(0, |l| l.input);
                (input, f)
            })
            .collect();
        links.sort_by_key(|(input, _)| *input);
        if self.plan.families[i] == Family::Merge {
            let params = &self.wf.nodes[i].params;
            if merge_prefers_last(params) {
                links.reverse();
            }
            if let Some(chosen) = merge_chosen_input(params) {
                links.retain(|(input, _)| *input == chosen);
            }
        }
        for (_, f) in links {
            let s = self.output_of(f, i, memo, depth + 1);
            if !found.contains(&s) {
                found.push(s);
            }
        }
        let s = match found.len() {
            0 => Source::Unknown("the node has no input".into()),
            1 => found.remove(0),
            _ => Source::Merge(found),
        };
        memo.insert(i, s.clone());
        s
    }

    /// What node `f` outputs to node `to` (which matters for loops: inside the body it is the
    /// current item).
    fn output_of(
        &self,
        f: usize,
        to: usize,
        memo: &mut BTreeMap<usize, Source>,
        depth: usize,
    ) -> Source {
        let node = &self.wf.nodes[f];
        let family = self.plan.families[f];
        if self.plan.roles[f] == Role::Trigger {
            return trigger_source(family, &self.plan.trigger_id);
        }
        if self.plan.roles[f] == Role::ExtraTrigger {
            return Source::Unknown(format!(
                "“{}” is a trigger this flow does not have",
                node.name
            ));
        }
        let own = |suffix: &str, unconverted: bool| Source::Path {
            code: format!("steps.{}{suffix}", self.plan.id(f)),
            step: Some(self.plan.id(f).to_owned()),
            node: node.name.clone(),
            item_of: None,
            unconverted,
        };
        if family == Family::Loop {
            return if self.plan.in_body(to, f) {
                Source::Path {
                    code: "item".into(),
                    step: None,
                    node: node.name.clone(),
                    item_of: Some(f),
                    unconverted: false,
                }
            } else {
                Source::Unknown(format!(
                    "after the loop “{}”, n8n passes on every processed item; read the steps you \
                     need by name",
                    node.name
                ))
            };
        }
        if node.disabled || passes_through(family) {
            return self.input_of(f, memo, depth);
        }
        match family {
            Family::Wait if node.str_param("resume", "timeInterval") != "webhook" => {
                self.input_of(f, memo, depth)
            }
            Family::Merge => {
                if merge_outputs_nothing(node) {
                    Source::Unknown(format!("“{}” outputs no data in this mode", node.name))
                } else {
                    self.input_of(f, memo, depth)
                }
            }
            Family::Http => {
                let full = node
                    .obj_param("options")
                    .get("response")
                    .and_then(|r| r.get("response"))
                    .and_then(|r| r.get("fullResponse"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if full { own("", false) } else { own(".body", false) }
            }
            Family::Set => {
                let fields = set_fields(node);
                if set_keeps_input(node) {
                    Source::Set {
                        own: Box::new(own("", false)),
                        fields,
                        rest: Box::new(self.input_of(f, memo, depth)),
                    }
                } else {
                    own("", false)
                }
            }
            Family::SplitOut => Source::List(Box::new(own(".items", false))),
            Family::Code | Family::Unknown => own("", true),
            _ => own("", false),
        }
    }

    /// A resolver for the expressions of node `i`.
    pub fn scope(&'a self, i: usize) -> Scope<'a> {
        Scope { sources: self, node: i }
    }

    /// Node `name`'s output as seen from node `from`.
    fn named(&self, name: &str, from: usize) -> Result<Source, String> {
        let Some(f) = self.wf.nodes.iter().position(|n| n.name == name) else {
            return Err(format!("there is no node named “{name}”"));
        };
        if self.plan.roles[f] == Role::Sticky {
            return Err(format!("“{name}” is a sticky note"));
        }
        let mut memo = BTreeMap::new();
        Ok(self.output_of(f, from, &mut memo, 0))
    }
}

fn trigger_source(family: Family, trigger_id: &str) -> Source {
    let path = |code: &str| Source::Path {
        code: code.to_owned(),
        step: None,
        node: trigger_id.to_owned(),
        item_of: None,
        unconverted: false,
    };
    match family {
        Family::Trigger(TriggerKind::Webhook) => Source::Webhook,
        Family::Trigger(TriggerKind::Schedule) => Source::Schedule,
        Family::Trigger(TriggerKind::Other) => path("trigger"),
        _ => path("trigger.body"),
    }
}

/// The top-level field names an Edit Fields / Set node sets.
pub(super) fn set_fields(node: &super::model::Node) -> Vec<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    let dot = node.obj_param("options").get("dotNotation").and_then(Value::as_bool).unwrap_or(true);
    let mut add = |name: &str| {
        let top = if dot { name.split('.').next().unwrap_or(name) } else { name };
        names.insert(top.to_owned());
    };
    let lists = [
        node.param("assignments").and_then(|a| a.get("assignments")),
        node.param("fields").and_then(|a| a.get("values")),
    ];
    for list in lists.into_iter().flatten().filter_map(Value::as_array) {
        for a in list {
            if let Some(n) = a.get("name").and_then(Value::as_str) {
                add(n);
            }
        }
    }
    if let Some(values) = node.param("values").and_then(Value::as_object) {
        for list in values.values().filter_map(Value::as_array) {
            for a in list {
                if let Some(n) = a.get("name").and_then(Value::as_str) {
                    add(n);
                }
            }
        }
    }
    names.into_iter().collect()
}

/// Whether a Set node keeps the input's other fields (its default differs by version).
pub(super) fn set_keeps_input(node: &super::model::Node) -> bool {
    if node.version >= 3.3 {
        node.bool_param("includeOtherFields", false)
    } else if node.version >= 3.0 {
        node.str_param("include", "all") != "none"
    } else {
        !node.bool_param("keepOnlySet", false)
    }
}

fn merge_mode(params: &serde_json::Map<String, Value>) -> &str {
    params.get("mode").and_then(Value::as_str).unwrap_or("append")
}

/// Merge modes that combine items prefer input 2's value on a clash.
fn merge_prefers_last(params: &serde_json::Map<String, Value>) -> bool {
    matches!(
        merge_mode(params),
        "combine"
            | "mergeByIndex"
            | "mergeByKey"
            | "multiplex"
            | "combineByPosition"
            | "combineByFields"
            | "combineAll"
    )
}

/// The input a "choose branch" / "pass through" Merge outputs (0-based).
fn merge_chosen_input(params: &serde_json::Map<String, Value>) -> Option<usize> {
    match merge_mode(params) {
        "passThrough" => {
            Some(usize::from(params.get("output").and_then(Value::as_str) == Some("input2")))
        }
        "chooseBranch" => {
            let v = params.get("useDataOfInput").or_else(|| params.get("output"));
            Some(match v {
                Some(Value::Number(n)) => (n.as_u64().unwrap_or(1) as usize).saturating_sub(1),
                Some(Value::String(s)) if s == "input2" || s == "2" => 1,
                _ => 0,
            })
        }
        _ => None,
    }
}

fn merge_outputs_nothing(node: &super::model::Node) -> bool {
    let mode = merge_mode(&node.params);
    mode == "wait"
        || (mode == "chooseBranch"
            && node.str_param("chooseBranchMode", "") == "waitForBoth"
            && node.str_param("output", "") == "empty")
}

/// `steps.x.body` as `steps.x?.body`: a step on a branch that did not run reads as empty instead
/// of failing the expression.
fn safe_path(code: &str) -> String {
    match code.strip_prefix("steps.") {
        Some(rest) => {
            let (id, tail) = rest.split_once('.').unwrap_or((rest, ""));
            if tail.is_empty() {
                format!("steps.{id}")
            } else {
                format!("steps.{id}?.{}", tail.replace('.', "?."))
            }
        }
        None => code.to_owned(),
    }
}

/// Resolves data references for one node.
pub(super) struct Scope<'a> {
    sources: &'a Sources<'a>,
    node: usize,
}

impl Scope<'_> {
    fn render(
        &self,
        s: &Source,
        path: &[Access],
        safe: bool,
        reads: &mut Reads,
    ) -> Result<String, String> {
        let plan = self.sources.plan;
        match s {
            Source::Path { code, step, node, item_of, unconverted } => {
                if let Some(step) = step
                    && !plan.allowed[self.node].contains(step)
                {
                    return Err(format!(
                        "it reads “{node}”, which does not run before this step in the flow"
                    ));
                }
                if let Some(l) = item_of
                    && plan.level[self.node] != Some(*l)
                {
                    return Err(format!(
                        "it reads the current item of the loop “{node}” outside that loop's body"
                    ));
                }
                let mut out = if safe { safe_path(code) } else { code.clone() };
                for a in path {
                    push_key(&mut out, a, safe);
                }
                if let Some(step) = step {
                    reads.steps.insert(step.clone());
                }
                if item_of.is_some() {
                    reads.item = true;
                }
                if *unconverted {
                    reads.unconverted.insert(node.clone());
                }
                Ok(out)
            }
            Source::Webhook => {
                match path.first().map(|a| &a.key) {
                    None => {}
                    Some(Key::Name(k)) if matches!(k.as_str(), "body" | "headers" | "query") => {}
                    Some(Key::Name(k)) if k == "params" => {
                        return Err("the webhook's path parameters ($json.params) have no \
                                    equivalent"
                            .into());
                    }
                    Some(_) => {
                        return Err("the webhook trigger gives body, headers and query only".into());
                    }
                }
                let mut out = String::from("trigger");
                for a in path {
                    push_key(&mut out, a, safe);
                }
                Ok(out)
            }
            Source::Schedule => match path {
                [] => Ok("trigger".into()),
                [Access { key: Key::Name(k), .. }] if k == "timestamp" => {
                    Ok("trigger.scheduled_at".into())
                }
                _ => {
                    Err("the schedule trigger gives only the scheduled time ($json.timestamp)"
                        .into())
                }
            },
            Source::Set { own, fields, rest } => match path.first().map(|a| &a.key) {
                Some(Key::Name(k)) if fields.contains(k) => self.render(own, path, safe, reads),
                Some(_) => self.render(rest, path, safe, reads),
                None => Err("the whole item of an Edit Fields node that keeps the other input \
                             fields has no single equivalent"
                    .into()),
            },
            Source::Merge(list) => {
                let mut parts = Vec::new();
                let mut last_err = None;
                for item in list {
                    let mut local = Reads::default();
                    match self.render(item, path, true, &mut local) {
                        Ok(code) => {
                            parts.push(code);
                            reads.steps.extend(local.steps);
                            reads.item |= local.item;
                            reads.unconverted.extend(local.unconverted);
                        }
                        Err(e) => last_err = Some(e),
                    }
                }
                match parts.len() {
                    0 => Err(last_err.unwrap_or_else(|| "the node has no input".into())),
                    1 => Ok(parts.remove(0)),
                    2..=8 => Ok(format!("coalesce({})", parts.join(", "))),
                    _ => Err("the node has more than 8 inputs".into()),
                }
            }
            Source::List(inner) => {
                if path.is_empty() {
                    self.render(inner, path, safe, reads)
                } else {
                    Err("n8n runs the following nodes once per element of the split list; put \
                         them in a loop over that list"
                        .into())
                }
            }
            Source::Unknown(why) => Err(why.clone()),
        }
    }
}

impl Resolve for Scope<'_> {
    fn input(&self, path: &[Access], reads: &mut Reads) -> Result<String, String> {
        self.render(self.sources.input(self.node), path, false, reads)
    }

    fn node(&self, name: &str, path: &[Access], reads: &mut Reads) -> Result<String, String> {
        let s = self.sources.named(name, self.node)?;
        self.render(&s, path, false, reads)
    }
}

/// The whole input of node `i` as a rhai expression giving an array, for a loop's `items`: an
/// array stays as it is (n8n splits an HTTP array response into items), anything else becomes a
/// one-element array.
pub(super) fn loop_items(scope: &Scope<'_>, reads: &mut Reads) -> Result<String, String> {
    let code = scope.input(&[], reads)?;
    Ok(format!("if type_of({code}) == \"array\" {{ {code} }} else {{ [{code}] }}"))
}
