//! Compiling one level of a flow and each of its steps, with the checks that need the pieces registry
//! and the expression engine.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::graph::{self, Shape};
use super::{CompiledStep, Graph, Node, StepBody};
use crate::expr::{Expr, ExprEngine, ExprError, References, Template};
use crate::flow::{Edge, Flow, JsonMap, Step, StepKind};
use crate::piece::{PropMeta, Registry, TriggerSource};
use crate::validate::Problem;

/// What every level's compilation shares.
pub(super) struct Ctx<'a> {
    pub expr: &'a ExprEngine,
    pub registry: &'a Registry,
    /// Every node id in the flow with its JSON path.
    pub all_ids: &'a HashMap<String, String>,
    pub trigger_id: &'a str,
}

/// A level that encloses the one being compiled: a loop body sees the steps upstream of its loop.
pub(super) struct Enclosing<'a> {
    shape: &'a Shape,
    index: &'a HashMap<&'a str, usize>,
    /// The loop step's index in that level.
    node: usize,
}

/// The trigger's piece and trigger exist and its required props are set.
pub(super) fn check_trigger(
    flow: &Flow,
    registry: &Registry,
    _expr: &ExprEngine,
    problems: &mut Vec<Problem>,
) -> Option<Arc<dyn TriggerSource>> {
    let t = &flow.trigger;
    let Some(piece) = registry.get(&t.piece) else {
        problems.push(Problem::new("trigger.piece", unknown_piece_message(&t.piece, registry)));
        return None;
    };
    let Some(meta) = piece.meta().trigger(&t.trigger) else {
        let names: Vec<&str> = piece.meta().triggers.iter().map(|t| t.name.as_str()).collect();
        problems.push(Problem::new(
            "trigger.trigger",
            if names.is_empty() {
                format!("piece `{}` has no triggers", t.piece)
            } else {
                format!(
                    "piece `{}` has no trigger `{}` (its triggers: {})",
                    t.piece,
                    t.trigger,
                    names.join(", ")
                )
            },
        ));
        return None;
    };
    check_props(
        &meta.props,
        false,
        &t.props,
        "trigger.props",
        &format!("{}.{}", t.piece, t.trigger),
        problems,
    );
    piece.trigger(&t.trigger)
}

fn unknown_piece_message(piece: &str, registry: &Registry) -> String {
    let names: Vec<&str> = registry.iter().map(|p| p.meta().id.as_str()).collect();
    format!("unknown piece `{piece}` (available: {})", names.join(", "))
}

/// Required props are set; undeclared props are flagged unless the action takes extra props.
fn check_props(
    declared: &[PropMeta],
    extra_allowed: bool,
    props: &JsonMap,
    path: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    for p in declared.iter().filter(|p| p.required && p.default.is_none()) {
        let missing = match props.get(&p.name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        if missing {
            problems.push(Problem::new(
                format!("{path}.{}", p.name),
                format!("missing required prop `{}` ({}) of {what}", p.name, p.label),
            ));
        }
    }
    if !extra_allowed {
        for key in props.keys() {
            if !declared.iter().any(|p| &p.name == key) {
                let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
                problems.push(Problem::new(
                    format!("{path}.{key}"),
                    format!("unknown prop `{key}` for {what} (its props: {})", names.join(", ")),
                ));
            }
        }
    }
}

/// Compiles one level: `trigger_id` is set at the top level, where node 0 is the trigger.
#[allow(clippy::too_many_arguments)]
pub(super) fn compile_level(
    ctx: &Ctx<'_>,
    trigger_id: Option<&str>,
    steps: &[Step],
    edges: &[Edge],
    prefix: &str,
    enclosing: &[Enclosing<'_>],
    read_steps: &mut HashSet<String>,
    problems: &mut Vec<Problem>,
) -> Graph {
    let mut ids: Vec<&str> = Vec::with_capacity(steps.len() + 1);
    let mut node_paths: Vec<String> = Vec::with_capacity(steps.len() + 1);
    if let Some(t) = trigger_id {
        ids.push(t);
        node_paths.push("trigger".into());
    }
    let offset = ids.len();
    for (i, s) in steps.iter().enumerate() {
        ids.push(s.id());
        node_paths.push(format!("{prefix}steps[{i}]"));
    }
    let local: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let elsewhere = |id: &str| ctx.all_ids.contains_key(id);
    let shape = graph::build(
        &ids,
        &node_paths,
        edges,
        &format!("{prefix}edges"),
        trigger_id.map(|_| 0),
        &elsewhere,
        problems,
    );
    check_branches(steps, edges, &local, offset, prefix, problems);

    let mut nodes: Vec<Node> = Vec::with_capacity(ids.len());
    if let Some(t) = trigger_id {
        nodes.push(Node { id: t.to_owned(), step: None });
    }
    for (i, step) in steps.iter().enumerate() {
        let me = offset + i;
        let path = &node_paths[me];
        let mut refs =
            RefCheck { ctx, shape: &shape, index: &local, me, enclosing, read_steps, problems };
        let compiled = compile_step(ctx, step, path, me, &shape, &local, enclosing, &mut refs);
        nodes.push(Node { id: step.id().to_owned(), step: compiled });
    }

    let entries = match trigger_id {
        Some(_) => vec![0],
        None => (0..nodes.len()).filter(|&i| shape.parents[i].is_empty()).collect(),
    };
    let order = shape.order.clone();
    Graph { nodes, shape, order, entries }
}

/// Router edges name one of the router's branches; other edges name none.
fn check_branches(
    steps: &[Step],
    edges: &[Edge],
    local: &HashMap<&str, usize>,
    offset: usize,
    prefix: &str,
    problems: &mut Vec<Problem>,
) {
    for (i, e) in edges.iter().enumerate() {
        let path = format!("{prefix}edges[{i}]");
        let router = local
            .get(e.from.as_str())
            .and_then(|&ix| ix.checked_sub(offset))
            .and_then(|ix| steps.get(ix))
            .and_then(|s| match &s.kind {
                StepKind::Router(r) => Some(r),
                _ => None,
            });
        match (router, &e.branch) {
            (Some(r), Some(b)) if !r.branches.iter().any(|x| &x.name == b) => {
                let names: Vec<&str> = r.branches.iter().map(|b| b.name.as_str()).collect();
                problems.push(Problem::new(
                    format!("{path}.branch"),
                    format!(
                        "router `{}` has no branch `{b}` (its branches: {})",
                        e.from,
                        names.join(", ")
                    ),
                ));
            }
            (Some(r), None) => {
                let names: Vec<&str> = r.branches.iter().map(|b| b.name.as_str()).collect();
                problems.push(Problem::new(
                    path,
                    format!(
                        "an edge out of router `{}` must name its `branch` (one of: {})",
                        e.from,
                        names.join(", ")
                    ),
                ));
            }
            (None, Some(_)) if local.contains_key(e.from.as_str()) => {
                problems.push(Problem::new(
                    format!("{path}.branch"),
                    format!(
                        "`{}` is not a router: only edges out of a router name a branch",
                        e.from
                    ),
                ));
            }
            _ => {}
        }
    }
}

/// Checks what an expression reads against what runs before the step that holds it.
struct RefCheck<'a, 'b> {
    ctx: &'a Ctx<'a>,
    shape: &'a Shape,
    index: &'a HashMap<&'a str, usize>,
    me: usize,
    enclosing: &'a [Enclosing<'a>],
    read_steps: &'b mut HashSet<String>,
    problems: &'b mut Vec<Problem>,
}

impl RefCheck<'_, '_> {
    fn expression(
        &mut self,
        path: &str,
        source: &str,
        compiled: Result<Expr, ExprError>,
    ) -> Option<Expr> {
        match compiled {
            Ok(e) => {
                self.references(path, e.references());
                Some(e)
            }
            Err(err) => {
                let _ = source;
                self.problems.push(Problem::new(path, err.to_string()));
                None
            }
        }
    }

    fn template(&mut self, path: &str, value: &Value) -> Option<Template> {
        match self.ctx.expr.compile_template(value) {
            Ok(t) => {
                let refs = t.references();
                self.references(path, &refs);
                Some(t)
            }
            Err(errors) => {
                for e in errors {
                    self.problems
                        .push(Problem::new(format!("{path}{}", e.path), e.error.to_string()));
                }
                None
            }
        }
    }

    fn references(&mut self, path: &str, refs: &References) {
        let me_id = self.node_id(self.me).to_owned();
        if (refs.item || refs.index) && self.enclosing.is_empty() {
            let var = if refs.item { "item" } else { "index" };
            self.problems
                .push(Problem::new(path, format!("`{var}` is only defined inside a loop body")));
        }
        for (sid, line, column) in &refs.steps {
            let at = format!("`steps.{sid}` (line {line}, column {column})");
            if !self.ctx.all_ids.contains_key(sid) {
                self.problems
                    .push(Problem::new(path, format!("{at} refers to unknown step `{sid}`")));
                continue;
            }
            self.read_steps.insert(sid.clone());
            if sid == self.ctx.trigger_id {
                continue;
            }
            if let Some(&ix) = self.index.get(sid.as_str()) {
                if !self.shape.is_upstream(ix, self.me) {
                    self.problems.push(Problem::new(
                        path,
                        format!(
                            "{at} is read before `{sid}` runs: `{sid}` is not upstream of `{me_id}`"
                        ),
                    ));
                }
                continue;
            }
            let mut found = false;
            for enc in self.enclosing.iter().rev() {
                if let Some(&ix) = enc.index.get(sid.as_str()) {
                    found = true;
                    if ix == enc.node {
                        self.problems.push(Problem::new(
                            path,
                            format!("{at} is the loop `{me_id}` runs in: its output exists only after the loop"),
                        ));
                    } else if !enc.shape.is_upstream(ix, enc.node) {
                        self.problems.push(Problem::new(
                            path,
                            format!("{at} is read before `{sid}` runs: `{sid}` is not upstream of `{me_id}`'s loop"),
                        ));
                    }
                    break;
                }
            }
            if !found {
                self.problems.push(Problem::new(
                    path,
                    format!("{at} is inside another loop's body; read that loop's output instead"),
                ));
            }
        }
    }

    fn node_id(&self, ix: usize) -> &str {
        self.index.iter().find(|(_, i)| **i == ix).map(|(id, _)| *id).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)]
fn compile_step(
    ctx: &Ctx<'_>,
    step: &Step,
    path: &str,
    me: usize,
    shape: &Shape,
    local: &HashMap<&str, usize>,
    enclosing: &[Enclosing<'_>],
    refs: &mut RefCheck<'_, '_>,
) -> Option<CompiledStep> {
    let body = match &step.kind {
        StepKind::Action(a) => {
            let Some(piece) = ctx.registry.get(&a.piece) else {
                refs.problems.push(Problem::new(
                    format!("{path}.piece"),
                    unknown_piece_message(&a.piece, ctx.registry),
                ));
                return None;
            };
            let meta = piece.meta();
            let (Some(action_meta), Some(action)) =
                (meta.action(&a.action), piece.action(&a.action))
            else {
                let names: Vec<&str> = meta.actions.iter().map(|a| a.name.as_str()).collect();
                refs.problems.push(Problem::new(
                    format!("{path}.action"),
                    format!(
                        "piece `{}` has no action `{}` (its actions: {})",
                        a.piece,
                        a.action,
                        names.join(", ")
                    ),
                ));
                return None;
            };
            check_props(
                &action_meta.props,
                action_meta.extra_props,
                &a.props,
                &format!("{path}.props"),
                &format!("{}.{}", a.piece, a.action),
                refs.problems,
            );
            let props = refs.template(&format!("{path}.props"), &Value::Object(a.props.clone()))?;
            StepBody::Action {
                piece: a.piece.clone(),
                action,
                connection: a.connection.clone(),
                props,
                secret_props: action_meta
                    .props
                    .iter()
                    .filter(|p| p.secret)
                    .map(|p| p.name.clone())
                    .collect(),
            }
        }
        StepKind::Filter(f) => {
            let condition = refs.expression(
                &format!("{path}.condition"),
                &f.condition,
                ctx.expr.compile_expression(&f.condition),
            )?;
            StepBody::Filter { condition }
        }
        StepKind::Router(r) => {
            if r.branches.is_empty() {
                refs.problems.push(Problem::new(
                    format!("{path}.branches"),
                    "a router needs at least one branch",
                ));
            }
            let mut seen = HashSet::new();
            let mut fallbacks = 0;
            let mut branches = Vec::with_capacity(r.branches.len());
            let mut ok = true;
            for (i, b) in r.branches.iter().enumerate() {
                let bpath = format!("{path}.branches[{i}]");
                if !seen.insert(b.name.as_str()) {
                    refs.problems.push(Problem::new(
                        format!("{bpath}.name"),
                        format!("duplicate branch name `{}`", b.name),
                    ));
                }
                match &b.condition {
                    None => {
                        fallbacks += 1;
                        if fallbacks > 1 {
                            refs.problems.push(Problem::new(
                                bpath,
                                "only one branch may be the fallback (a branch without a condition)",
                            ));
                        }
                        branches.push((b.name.clone(), None));
                    }
                    Some(c) => {
                        match refs.expression(
                            &format!("{bpath}.condition"),
                            c,
                            ctx.expr.compile_expression(c),
                        ) {
                            Some(e) => branches.push((b.name.clone(), Some(e))),
                            None => ok = false,
                        }
                    }
                }
            }
            if !ok {
                return None;
            }
            StepBody::Router { mode: r.mode, branches }
        }
        StepKind::Loop(l) => {
            let items = refs.template(&format!("{path}.items"), &l.items);
            let mut chain: Vec<Enclosing<'_>> = Vec::with_capacity(enclosing.len() + 1);
            chain.extend(enclosing.iter().map(|e| Enclosing {
                shape: e.shape,
                index: e.index,
                node: e.node,
            }));
            chain.push(Enclosing { shape, index: local, node: me });
            if l.steps.is_empty() {
                refs.problems.push(Problem::new(
                    format!("{path}.steps"),
                    "a loop needs at least one step in its body",
                ));
            }
            let body = compile_level(
                ctx,
                None,
                &l.steps,
                &l.edges,
                &format!("{path}."),
                &chain,
                refs.read_steps,
                refs.problems,
            );
            StepBody::Loop {
                items: items?,
                parallelism: usize::try_from(l.parallelism).unwrap_or(1).max(1),
                body: Box::new(body),
            }
        }
        StepKind::Code(c) => {
            let script = refs.expression(
                &format!("{path}.script"),
                &c.script,
                ctx.expr.compile_script(&c.script),
            )?;
            StepBody::Code { script }
        }
        StepKind::Set(s) => StepBody::Set {
            values: refs.template(&format!("{path}.values"), &Value::Object(s.values.clone()))?,
        },
        StepKind::Respond(r) => {
            let headers =
                refs.template(&format!("{path}.headers"), &Value::Object(r.headers.clone()));
            let body = refs.template(&format!("{path}.body"), &r.body);
            StepBody::Respond { status: r.status, headers: headers?, body: body? }
        }
        StepKind::Stop(s) => {
            let message = match &s.message {
                Some(m) => {
                    Some(refs.template(&format!("{path}.message"), &Value::String(m.clone()))?)
                }
                None => None,
            };
            StepBody::Stop { outcome: s.outcome, message }
        }
        StepKind::Delay(d) => {
            let until = match &d.until {
                Some(u) => {
                    Some(refs.template(&format!("{path}.until"), &Value::String(u.clone()))?)
                }
                None => None,
            };
            StepBody::Delay { duration: d.duration.as_ref().map(|d| d.get()), until }
        }
        StepKind::Wait(w) => StepBody::Wait {
            timeout: w.timeout.as_ref().map(|d| d.get()),
            on_timeout: w.on_timeout,
        },
        StepKind::Subflow(s) => StepBody::Subflow {
            flow: s.flow.clone(),
            input: refs.template(&format!("{path}.input"), &Value::Object(s.input.clone()))?,
            wait: s.wait,
        },
    };
    Some(CompiledStep { common: step.common.clone(), body })
}
