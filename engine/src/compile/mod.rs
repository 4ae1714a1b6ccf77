//! Compiling a flow: every check of the validator, and the form the executor runs — graphs with
//! resolved edges and a topological order, expressions and templates compiled once (never per run),
//! actions looked up in the registry.

mod graph;
mod steps;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use graph::Shape;

use crate::expr::{Expr, ExprEngine, Template};
use crate::flow::{Flow, OnTimeout, Outcome, RouterMode, StepCommon};
use crate::piece::{Action, Registry, TriggerSource};
use crate::validate::Problem;

/// A validated flow, ready to run any number of times (share it behind an `Arc`).
pub struct CompiledFlow {
    flow: Flow,
    pub(crate) main: Graph,
    pub(crate) trigger_source: Option<Arc<dyn TriggerSource>>,
    /// The ids of steps some expression reads through `steps.<id>`; outputs of other steps are not
    /// converted for the expression engine.
    pub(crate) read_steps: std::collections::HashSet<String>,
}

impl std::fmt::Debug for CompiledFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledFlow").field("name", &self.flow.name).finish_non_exhaustive()
    }
}

impl CompiledFlow {
    /// The document it was compiled from.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// Every step id with its type, in a topological order of the top level (loop bodies follow their
    /// loop).
    pub fn step_order(&self) -> Vec<String> {
        fn walk(g: &Graph, prefix: &str, out: &mut Vec<String>) {
            for &i in &g.order {
                let node = &g.nodes[i];
                let Some(step) = &node.step else { continue };
                out.push(format!("{prefix}{}", node.id));
                if let StepBody::Loop { body, .. } = &step.body {
                    walk(body, &format!("{prefix}{}[].", node.id), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.main, "", &mut out);
        out
    }

    /// Number of steps, loop bodies included.
    pub fn step_count(&self) -> usize {
        self.flow.all_steps().len()
    }
}

/// One level of the flow: the top level (node 0 is the trigger) or a loop body.
#[derive(Debug)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    pub shape: Shape,
    pub order: Vec<usize>,
    /// Nodes that start the level: the trigger, or a body's steps without incoming edges.
    pub entries: Vec<usize>,
}

/// A node: the trigger (no step) or a step.
#[derive(Debug)]
pub(crate) struct Node {
    pub id: String,
    pub step: Option<CompiledStep>,
}

/// A step ready to execute.
pub(crate) struct CompiledStep {
    pub common: StepCommon,
    pub body: StepBody,
}

impl std::fmt::Debug for CompiledStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledStep").field("id", &self.common.id).finish_non_exhaustive()
    }
}

/// The compiled form of each step type.
pub(crate) enum StepBody {
    Action {
        piece: String,
        action: Arc<dyn Action>,
        connection: Option<String>,
        props: Template,
        /// Props whose values are credentials: redacted from records.
        secret_props: Vec<String>,
    },
    Filter {
        condition: Expr,
    },
    Router {
        mode: RouterMode,
        branches: Vec<(String, Option<Expr>)>,
    },
    Loop {
        items: Template,
        parallelism: usize,
        body: Box<Graph>,
    },
    Code {
        script: Expr,
    },
    Set {
        values: Template,
    },
    Respond {
        status: u16,
        headers: Template,
        body: Template,
    },
    Stop {
        outcome: Outcome,
        message: Option<Template>,
    },
    Delay {
        duration: Option<std::time::Duration>,
        until: Option<Template>,
    },
    Wait {
        timeout: Option<std::time::Duration>,
        on_timeout: OnTimeout,
    },
    Subflow {
        flow: String,
        input: Template,
        wait: bool,
    },
}

/// Compiles a flow, or returns every problem found.
pub(crate) fn compile(
    flow: Flow,
    expr: &ExprEngine,
    registry: &Registry,
) -> Result<CompiledFlow, Vec<Problem>> {
    let mut problems = Vec::new();
    let ids = collect_ids(&flow, &mut problems);
    let trigger_source = steps::check_trigger(&flow, registry, expr, &mut problems);
    let mut read_steps = std::collections::HashSet::new();
    let ctx = steps::Ctx { expr, registry, all_ids: &ids, trigger_id: &flow.trigger.id };
    let main = steps::compile_level(
        &ctx,
        Some(&flow.trigger.id),
        &flow.steps,
        &flow.edges,
        "",
        &[],
        &mut read_steps,
        &mut problems,
    );
    if problems.is_empty() {
        Ok(CompiledFlow { flow, main, trigger_source, read_steps })
    } else {
        crate::validate::attach_steps(&flow, &mut problems);
        Err(problems)
    }
}

/// Every node id in the flow (trigger, steps, loop bodies) with its JSON path; reports duplicates and
/// ids expressions could not read as `steps.<id>`.
fn collect_ids(flow: &Flow, problems: &mut Vec<Problem>) -> HashMap<String, String> {
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut add = |id: &str, path: String, problems: &mut Vec<Problem>| {
        if !is_identifier(id) {
            problems.push(Problem::new(
                format!("{path}.id"),
                format!(
                    "id `{id}` must be letters, digits and underscores, starting with a letter or underscore, so expressions can read it as steps.{id}"
                ),
            ));
        }
        if let Some(first) = ids.get(id) {
            problems.push(Problem::new(
                format!("{path}.id"),
                format!("duplicate id `{id}` (also used by {first})"),
            ));
        } else {
            ids.insert(id.to_owned(), path);
        }
    };
    add(&flow.trigger.id, "trigger".into(), problems);
    for (path, step) in flow.all_steps() {
        add(step.id(), path, problems);
    }
    ids
}

fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(id, "trigger" | "steps" | "vars" | "run" | "item" | "index")
}
