//! Walking the ActivePieces step tree into our steps and edges.
//!
//! A chain (`nextAction` after `nextAction`) becomes steps joined by edges. A router's branches
//! start with edges out of the router naming the branch; the step after the router
//! (`router.nextAction`) is joined from the end of every branch (and from the router itself for a
//! branch that does nothing), which our join rule runs once the branch that was taken is done. A
//! loop's body becomes the loop step's own `steps`/`edges`.
//!
//! Every ActivePieces step gets exactly one report item, in source order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::super::placeholder;
use super::super::{ImportReport, ItemOutcome, StepIds};
use super::conditions;
use super::expressions::{Findings, connection_name, translate_value};
use super::input::Input;
use super::parse::{Branch, Kind, Node};
use super::pieces;
use super::scope::{Names, Scope, Shape, StepInfo};

/// Vertical distance between steps in the editor layout.
const STEP_Y: i64 = 140;
/// Horizontal distance between router branches in the editor layout.
const BRANCH_X: i64 = 320;

/// One level of the flow being built: the top level or a loop body.
#[derive(Debug, Default)]
pub(super) struct Level {
    /// The steps.
    pub steps: Vec<Value>,
    /// The edges.
    pub edges: Vec<Value>,
}

/// Where the next step connects from: a node, and the router branch when it is a router's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Exit {
    from: String,
    branch: Option<String>,
}

impl Exit {
    /// An exit from a node that is not a router.
    pub fn node(id: &str) -> Self {
        Self { from: id.to_string(), branch: None }
    }
}

/// The conversion's state.
pub(super) struct Builder {
    /// What names mean.
    pub names: Names,
    /// Node path → our step id.
    ids: HashMap<String, String>,
    /// The report being written.
    pub report: ImportReport,
    /// Connection name → our pieces that use it.
    pub connections: BTreeMap<String, BTreeSet<String>>,
    /// Editor positions.
    pub positions: Map<String, Value>,
}

impl Builder {
    /// Gives every step of `nodes` (loop bodies and branches included) an id: its ActivePieces
    /// name when that is a valid id, else one made from it.
    pub fn new(nodes: &[Node<'_>], ids: &mut StepIds, report: ImportReport) -> Self {
        let mut b = Self {
            names: Names::default(),
            ids: HashMap::new(),
            report,
            connections: BTreeMap::new(),
            positions: Map::new(),
        };
        b.assign(nodes, ids, &mut Vec::new());
        b
    }

    fn assign(&mut self, nodes: &[Node<'_>], ids: &mut StepIds, loops: &mut Vec<String>) {
        for node in nodes {
            let id = ids.allocate(&node.name);
            self.ids.insert(node.path.clone(), id.clone());
            // Names are unique in ActivePieces; should one repeat, references mean the first.
            self.names.steps.entry(node.name.clone()).or_insert(StepInfo {
                id,
                shape: None,
                loops: loops.clone(),
            });
            match &node.kind {
                Kind::Loop { body, .. } => {
                    loops.push(node.name.clone());
                    self.assign(body, ids, loops);
                    loops.pop();
                }
                Kind::Router { branches, .. } => {
                    for b in branches {
                        self.assign(&b.chain, ids, loops);
                    }
                }
                _ => {}
            }
        }
    }

    fn id_of(&self, node: &Node<'_>) -> String {
        self.ids.get(&node.path).cloned().unwrap_or_else(|| node.name.clone())
    }

    fn set_shape(&mut self, node: &Node<'_>, shape: Shape) {
        if let Some(info) = self.names.steps.get_mut(&node.name)
            && self.ids.get(&node.path) == Some(&info.id)
        {
            info.shape = Some(shape);
        }
    }

    /// Converts `nodes` into `level`, connected from `exits`; returns the exits of its end and the
    /// next free row of the layout.
    pub fn chain(
        &mut self,
        nodes: &[Node<'_>],
        mut exits: Vec<Exit>,
        level: &mut Level,
        visible: &mut HashSet<String>,
        loops: &[String],
        (x, mut y): (i64, i64),
    ) -> (Vec<Exit>, i64) {
        for (k, node) in nodes.iter().enumerate() {
            let id = self.id_of(node);
            connect(level, &exits, &id);
            self.positions.insert(id.clone(), json!([x, y]));
            match &node.kind {
                Kind::Router { all_match, legacy, branches } => {
                    let names = self
                        .router(node, &id, *all_match, *legacy, branches, level, visible, loops);
                    visible.insert(node.name.clone());
                    let mut union = visible.clone();
                    let mut out = Vec::new();
                    let mut end = y + STEP_Y;
                    for (i, (branch, name)) in branches.iter().zip(names).enumerate() {
                        let mut seen = visible.clone();
                        let start = vec![Exit { from: id.clone(), branch: Some(name) }];
                        let offset = i64::try_from(i).unwrap_or(0) * BRANCH_X;
                        let (ends, row) = self.chain(
                            &branch.chain,
                            start,
                            level,
                            &mut seen,
                            loops,
                            (x + offset, y + STEP_Y),
                        );
                        union.extend(seen);
                        for e in ends {
                            if !out.contains(&e) {
                                out.push(e);
                            }
                        }
                        end = end.max(row);
                    }
                    *visible = union;
                    exits = out;
                    y = end;
                }
                Kind::Loop { items, body } => {
                    let step = self.looped(node, &id, *items, body, visible, loops, (x, y));
                    level.steps.push(step);
                    visible.insert(node.name.clone());
                    exits = vec![Exit::node(&id)];
                    y += STEP_Y * (1 + i64::try_from(body.len()).unwrap_or(0));
                }
                _ => {
                    let has_next = k + 1 < nodes.len();
                    let step = self.single(node, &id, visible, loops, has_next);
                    level.steps.push(step);
                    visible.insert(node.name.clone());
                    exits = vec![Exit::node(&id)];
                    y += STEP_Y;
                }
            }
        }
        (exits, y)
    }

    /// A piece, code or unknown step.
    fn single(
        &mut self,
        node: &Node<'_>,
        id: &str,
        visible: &HashSet<String>,
        loops: &[String],
        has_next: bool,
    ) -> Value {
        let settings = match &node.kind {
            Kind::Piece { settings } => *settings,
            Kind::Code { settings } => {
                let code = settings
                    .and_then(|s| s.get("sourceCode"))
                    .and_then(|c| c.get("code"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let mut original = code.to_string();
                if let Some(input) = settings
                    .and_then(|s| s.get("input"))
                    .filter(|i| i.as_object().is_some_and(|o| !o.is_empty()))
                {
                    let input = serde_json::to_string_pretty(input).unwrap_or_default();
                    original.push_str("\n\nInputs (`inputs.<name>` in the code):\n");
                    original.push_str(&input);
                }
                return self.placeholder(
                    node,
                    id,
                    "a CODE step runs TypeScript/JavaScript, which cannot run here; rewrite it as a \
                     rhai code step",
                    &Value::String(original),
                );
            }
            Kind::Other { type_name } => {
                let reason = format!("step type `{type_name}` has no equivalent");
                return self.placeholder(node, id, &reason, &node.own_json());
            }
            Kind::Loop { .. } | Kind::Router { .. } => return json!({}),
        };
        let piece = settings.get("pieceName").and_then(Value::as_str).unwrap_or("");
        let action = settings.get("actionName").and_then(Value::as_str).unwrap_or("");
        let input = settings.get("input").and_then(Value::as_object);
        let mut f = Findings::default();
        let mapping = {
            let scope = Scope { names: &self.names, visible, loops };
            let mut inp = Input::new(input, &scope, &mut f);
            pieces::map(piece, action, &mut inp)
        };
        let Some(m) = mapping else {
            let reason = if action.is_empty() {
                format!("the `{piece}` step has no action selected")
            } else {
                format!("`{piece}` action `{action}` has no equivalent here")
            };
            return self.placeholder(node, id, &reason, &node.own_json());
        };
        let mut step = Map::new();
        step.insert("id".into(), json!(id));
        step.insert("name".into(), json!(node.display));
        for (k, v) in m.fields {
            step.insert(k, v);
        }
        if let Some(piece) = m.auth_piece {
            let connection = match step.get("connection").and_then(Value::as_str) {
                Some(existing) => Some(existing.to_string()),
                None => match input.and_then(|i| i.get("auth")) {
                    Some(auth) => {
                        let name = connection_name(auth);
                        if name.is_none() {
                            f.note("the export's `auth` is not a `{{connections[…]}}` reference: choose a connection");
                        }
                        name
                    }
                    None => {
                        f.note("the export names no connection: choose one for this step");
                        None
                    }
                },
            };
            if let Some(name) = connection {
                f.note(format!("create a connection named `{name}` for {piece}"));
                self.connections.entry(name.clone()).or_default().insert(piece.to_string());
                step.insert("connection".into(), json!(name));
            }
        }
        error_handling(settings, &mut step, &mut f);
        if m.continue_on_error {
            step.insert("on_error".into(), json!("continue"));
            f.note("\"no error on failure\": a failure leaves `{ error }` as the output and the run goes on");
        }
        if m.ends_run && has_next {
            f.approx(
                "ActivePieces stops the run after returning the response; here the steps after it \
                 still run (add a stop step if they should not)",
            );
        }
        self.finish(node, id, step, f, m.shape)
    }

    /// Common end of a converted step: skip/disable, the report item, the shape.
    fn finish(
        &mut self,
        node: &Node<'_>,
        id: &str,
        mut step: Map<String, Value>,
        mut f: Findings,
        shape: Shape,
    ) -> Value {
        if node.skip {
            f.note("skipped in ActivePieces: disabled here (the steps after it still run)");
        }
        if node.skip || f.disable {
            step.insert("disabled".into(), json!(true));
        }
        let outcome = if f.approximated { ItemOutcome::Approximated } else { ItemOutcome::Mapped };
        self.report.push(node.label(), node.source_type(), Some(id), outcome, f.notes);
        self.set_shape(node, shape);
        Value::Object(step)
    }

    /// A disabled placeholder keeping the original.
    fn placeholder(&mut self, node: &Node<'_>, id: &str, reason: &str, original: &Value) -> Value {
        let step = placeholder::step(id, &node.display, "ActivePieces", reason, original);
        let mut notes = vec![reason.to_string()];
        notes
            .push("a disabled placeholder keeps the original; the steps after it still run".into());
        self.report.push(
            node.label(),
            node.source_type(),
            Some(id),
            ItemOutcome::Unsupported,
            notes,
        );
        self.set_shape(node, Shape::Placeholder);
        step
    }

    /// A router step (its branches are converted by the caller); returns the branch names used.
    #[allow(clippy::too_many_arguments)]
    fn router(
        &mut self,
        node: &Node<'_>,
        id: &str,
        all_match: bool,
        legacy: bool,
        branches: &[Branch<'_>],
        level: &mut Level,
        visible: &HashSet<String>,
        loops: &[String],
    ) -> Vec<String> {
        let mut f = Findings::default();
        let mut names: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let mut fallback_seen = false;
        {
            let scope = Scope { names: &self.names, visible, loops };
            for b in branches {
                let mut name = b.name.clone();
                let mut n = 2;
                while names.contains(&name) {
                    name = format!("{} {n}", b.name);
                    n += 1;
                }
                if b.fallback && !fallback_seen {
                    fallback_seen = true;
                    out.push(json!({ "name": name }));
                } else if b.fallback {
                    f.approx(format!(
                        "branch `{name}` is a second fallback, which ActivePieces never takes: its \
                         condition is `false`"
                    ));
                    out.push(json!({ "name": name, "condition": "false" }));
                } else {
                    let condition = conditions::translate(
                        b.conditions,
                        &format!("branch `{name}`"),
                        &scope,
                        &mut f,
                    );
                    out.push(json!({ "name": name, "condition": condition }));
                }
                names.push(name);
            }
        }
        if all_match {
            f.note(
                "every matching branch runs; here they run at the same time, not one after another",
            );
        }
        if legacy {
            f.note("an old BRANCH step: its success and failure paths are the `true` and `false` branches");
        }
        if node.skip {
            f.approx("a skipped router is disabled here, which lets every branch run");
        }
        let step = json!({
            "id": id,
            "name": node.display,
            "type": "router",
            "mode": if all_match { "all_match" } else { "first_match" },
            "branches": out,
        });
        let step = match step {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let shape = Shape::Differs("our router returns `{ branches: [names taken] }`".into());
        let value = self.finish(node, id, step, f, shape);
        level.steps.push(value);
        names
    }

    /// A loop step with its body converted inside it.
    #[allow(clippy::too_many_arguments)]
    fn looped(
        &mut self,
        node: &Node<'_>,
        id: &str,
        items: Option<&Value>,
        body: &[Node<'_>],
        visible: &HashSet<String>,
        loops: &[String],
        (x, y): (i64, i64),
    ) -> Value {
        if body.is_empty() {
            let step = placeholder::step(
                id,
                &node.display,
                "ActivePieces",
                "the loop has no steps in its body, so it does nothing",
                &node.own_json(),
            );
            self.report.push(
                node.label(),
                node.source_type(),
                Some(id),
                ItemOutcome::Approximated,
                vec![
                    "the loop has no steps, so it does nothing: kept as a disabled placeholder"
                        .into(),
                ],
            );
            self.set_shape(node, Shape::Loop);
            return step;
        }
        let mut f = Findings::default();
        let items = match items.filter(|v| !v.is_null() && v.as_str() != Some("")) {
            Some(v) => {
                let scope = Scope { names: &self.names, visible, loops };
                translate_value(v, "items", &scope, &mut f)
            }
            None => {
                f.blocker(
                    "`items` is empty in the export: set the list to loop over and enable the step",
                );
                json!([])
            }
        };
        f.note("inside the loop, `item` and `index` (from 0) replace the loop's `item` and `index` (from 1)");
        let step = json!({ "id": id, "name": node.display, "type": "loop", "items": items });
        let step = match step {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        // The loop's item comes first in the report; its body follows.
        let mut step = match self.finish(node, id, step, f, Shape::Loop) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut inner = loops.to_vec();
        inner.push(node.name.clone());
        let mut body_level = Level::default();
        let mut seen = visible.clone();
        self.chain(
            body,
            Vec::new(),
            &mut body_level,
            &mut seen,
            &inner,
            (x + BRANCH_X / 2, y + STEP_Y),
        );
        step.insert("steps".into(), Value::Array(body_level.steps));
        step.insert("edges".into(), Value::Array(body_level.edges));
        Value::Object(step)
    }
}

/// Edges from every exit to `to`.
fn connect(level: &mut Level, exits: &[Exit], to: &str) {
    for e in exits {
        let mut edge = json!({ "from": e.from, "to": to });
        if let (Some(branch), Some(obj)) = (&e.branch, edge.as_object_mut()) {
            obj.insert("branch".into(), json!(branch));
        }
        level.edges.push(edge);
    }
}

/// `errorHandlingOptions` → `on_error` / `retry`.
fn error_handling(settings: &Map<String, Value>, step: &mut Map<String, Value>, f: &mut Findings) {
    let options = settings.get("errorHandlingOptions");
    let on = |k: &str| {
        options
            .and_then(|o| o.get(k))
            .and_then(|v| v.get("value"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    if on("continueOnFailure") {
        step.insert("on_error".into(), json!("continue"));
    }
    if on("retryOnFailure") {
        step.insert(
            "retry".into(),
            json!({ "max_attempts": 4, "backoff": "exponential", "on": ["any"] }),
        );
        f.note("retry on failure: up to 4 attempts with exponential backoff");
    }
}
