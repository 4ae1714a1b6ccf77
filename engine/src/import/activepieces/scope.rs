//! What a name in an ActivePieces template means at one step of the converted flow: the trigger,
//! an upstream step (and how its output's shape changed), or a loop's `item`/`index`.

use std::collections::{HashMap, HashSet};

use super::expressions::{Key, Reference, Resolve, Resolved, render_keys};

/// How a converted step's output relates to the ActivePieces step's output, so references into
/// it can be rewritten (or flagged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shape {
    /// The same shape: `step_1.x` reads `steps.<id>.x`.
    Same,
    /// ActivePieces returns `{ data: … }` (plus metadata); ours returns what was under `data`.
    StripData,
    /// Ours wraps ActivePieces' value under this key (`{ result: … }`).
    Prefix(&'static str),
    /// Different; the text says how.
    Differs(String),
    /// A disabled placeholder: its output is empty until the user rebuilds it.
    Placeholder,
    /// A loop: ActivePieces' `item`/`index`/`iterations` have no equivalent after the loop.
    Loop,
}

/// What the trigger's output looks like compared with ActivePieces'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TriggerShape {
    /// `{ body, headers, queryParams, method }` → our `{ body, headers, query, method }`.
    Webhook,
    /// Read as is.
    Same,
    /// Different; the text says how.
    Differs(String),
}

/// A converted (or to-be-converted) ActivePieces step.
#[derive(Debug, Clone)]
pub(super) struct StepInfo {
    /// Our step id.
    pub id: String,
    /// Known once the step is converted.
    pub shape: Option<Shape>,
    /// The ActivePieces names of the loops it sits in, outermost first.
    pub loops: Vec<String>,
}

/// Everything the conversion knows about names.
#[derive(Debug, Default)]
pub(super) struct Names {
    /// ActivePieces step name → what it became.
    pub steps: HashMap<String, StepInfo>,
    /// The trigger's output shape.
    pub trigger: Option<TriggerShape>,
}

/// The view from one step: which ActivePieces names run before it, and which loops it is in.
pub(super) struct Scope<'a> {
    /// All names.
    pub names: &'a Names,
    /// ActivePieces step names that are upstream in the converted graph.
    pub visible: &'a HashSet<String>,
    /// Enclosing loops (ActivePieces names), outermost first.
    pub loops: &'a [String],
}

impl Resolve for Scope<'_> {
    fn resolve(&self, r: &Reference) -> Resolved {
        match r.root.as_str() {
            "trigger" => self.trigger(r),
            "connections" => Resolved::Untranslatable(
                "connection values cannot be read in expressions; the step's connection \
                 authenticates it"
                    .into(),
            ),
            name if self.loops.iter().any(|l| l == name) => self.loop_variable(r),
            name => match self.names.steps.get(name) {
                Some(info) => self.step(r, info),
                None => Resolved::Untranslatable(format!("`{name}` is not a step of this flow")),
            },
        }
    }
}

impl Scope<'_> {
    fn trigger(&self, r: &Reference) -> Resolved {
        match self.names.trigger.as_ref().unwrap_or(&TriggerShape::Same) {
            TriggerShape::Webhook => {
                let mut keys = r.keys.clone();
                let mut note = None;
                let rename = match keys.first() {
                    Some(Key::Name(k)) if k == "queryParams" => Some("query"),
                    Some(Key::Name(k)) if k == "rawBody" => {
                        note = Some(
                            "our webhook trigger has no raw body; `trigger.body` is the parsed body"
                                .to_string(),
                        );
                        Some("body")
                    }
                    None => {
                        note = Some(
                            "our webhook trigger calls the query `query` (ActivePieces: \
                             `queryParams`)"
                                .to_string(),
                        );
                        None
                    }
                    _ => None,
                };
                if let (Some(to), Some(first)) = (rename, keys.first_mut()) {
                    *first = Key::Name(to.into());
                }
                Resolved::Expr { rhai: render_keys("trigger", &keys, false), note }
            }
            TriggerShape::Same => {
                Resolved::Expr { rhai: render_keys("trigger", &r.keys, false), note: None }
            }
            TriggerShape::Differs(why) => Resolved::Expr {
                rhai: render_keys("trigger", &r.keys, false),
                note: Some(format!("reads the trigger's output, whose shape differs: {why}")),
            },
        }
    }

    /// `loop_1.item…` / `loop_1.index` inside the body of `loop_1`.
    fn loop_variable(&self, r: &Reference) -> Resolved {
        let innermost = self.loops.last().is_some_and(|l| *l == r.root);
        if !innermost {
            return Resolved::Untranslatable(format!(
                "`{}` is an outer loop: inside the inner loop only the inner loop's `item` and \
                 `index` are in scope",
                r.root
            ));
        }
        match r.keys.split_first() {
            Some((Key::Name(k), rest)) if k == "item" => {
                Resolved::Expr { rhai: render_keys("item", rest, false), note: None }
            }
            // ActivePieces counts iterations from 1, we count from 0.
            Some((Key::Name(k), [])) if k == "index" => {
                Resolved::Expr { rhai: "index + 1".into(), note: None }
            }
            _ => Resolved::Untranslatable(format!(
                "only `{0}.item` and `{0}.index` have an equivalent inside the loop",
                r.root
            )),
        }
    }

    fn step(&self, r: &Reference, info: &StepInfo) -> Resolved {
        let name = &r.root;
        let (Some(shape), true) = (&info.shape, self.visible.contains(name)) else {
            return Resolved::Untranslatable(if info.loops.len() > self.loops.len() {
                format!(
                    "`{name}` is inside a loop's body; after the loop only the loop's output \
                     (every iteration) can be read"
                )
            } else {
                format!("`{name}` does not run before this step in the converted flow")
            });
        };
        if !info.loops.iter().zip(self.loops).all(|(a, b)| a == b)
            || info.loops.len() > self.loops.len()
        {
            return Resolved::Untranslatable(format!(
                "`{name}` is inside a loop's body; after the loop only the loop's output \
                 (every iteration) can be read"
            ));
        }
        let base = format!("steps.{}", info.id);
        match shape {
            Shape::Same => Resolved::Expr { rhai: render_keys(&base, &r.keys, false), note: None },
            Shape::StripData => match r.keys.split_first() {
                Some((Key::Name(k), rest)) if k == "data" => {
                    Resolved::Expr { rhai: render_keys(&base, rest, false), note: None }
                }
                _ => Resolved::Expr {
                    rhai: render_keys(&base, &r.keys, false),
                    note: Some(format!(
                        "`{name}` returns what ActivePieces returned under `data`; `{}` may read \
                         something else",
                        render_keys(name, &r.keys, false)
                    )),
                },
            },
            Shape::Prefix(key) => {
                let mut keys = vec![Key::Name((*key).to_string())];
                keys.extend(r.keys.iter().cloned());
                Resolved::Expr { rhai: render_keys(&base, &keys, false), note: None }
            }
            Shape::Differs(why) => Resolved::Expr {
                rhai: render_keys(&base, &r.keys, false),
                note: Some(format!(
                    "reads `{name}`, whose output differs from ActivePieces': {why}"
                )),
            },
            Shape::Placeholder => Resolved::Expr {
                // `?.`: the placeholder has no output, and a missing value must not fail the
                // steps that read it until the user rebuilds it.
                rhai: render_keys(&base, &r.keys, true),
                note: Some(format!(
                    "reads `{name}`, which was not converted: the value is empty until `{}` is \
                     rebuilt",
                    info.id
                )),
            },
            Shape::Loop => Resolved::Untranslatable(format!(
                "`{name}` is a loop: its output here is the list of iterations, not ActivePieces' \
                 `item`/`index`/`iterations`"
            )),
        }
    }
}
