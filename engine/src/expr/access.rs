//! What part of the run's data an expression reads, found when it is compiled, and the two ways
//! that knowledge is used at run time:
//!
//! * [`AccessPlan`]: per variable, the tree of property paths read. An evaluation converts only
//!   those parts to rhai (a pruned copy), instead of the whole trigger payload or every step's
//!   output. The pruned copy behaves exactly like the full value for this expression: a map on a
//!   path keeps every key the expression can name, and anything the expression may observe as a
//!   whole (iterate, measure, pass to a function, return) is copied whole.
//! * [`FastPath`]: an expression that is nothing but a path (`steps.http.body.id`) is answered
//!   from the JSON directly, without rhai.

use std::collections::BTreeMap;

use rhai::{Dynamic, Map};
use serde_json::Value;

use super::Root;
use super::convert::json_to_dynamic;
use super::scope::EvalScope;

/// What is read from one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// The value as a whole (also any value the expression could observe beyond named keys).
    Whole,
    /// Only these keys of the value, if it is an object; each with what is read from it.
    Keys(BTreeMap<String, Need>),
}

impl Need {
    /// Adds a path (a sequence of object keys) to an optional need, widening as required.
    fn add_path(slot: &mut Option<Need>, path: &[String]) {
        match slot {
            None => *slot = Some(Need::from_path(path)),
            Some(existing) => existing.merge_path(path),
        }
    }

    fn from_path(path: &[String]) -> Need {
        match path.split_first() {
            None => Need::Whole,
            Some((key, rest)) => {
                let mut keys = BTreeMap::new();
                keys.insert(key.clone(), Need::from_path(rest));
                Need::Keys(keys)
            }
        }
    }

    fn merge_path(&mut self, path: &[String]) {
        match (&mut *self, path.split_first()) {
            (Need::Whole, _) => {}
            (Need::Keys(_), None) => *self = Need::Whole,
            (Need::Keys(keys), Some((key, rest))) => match keys.get_mut(key) {
                Some(child) => child.merge_path(rest),
                None => {
                    keys.insert(key.clone(), Need::from_path(rest));
                }
            },
        }
    }

    /// A rhai copy of the parts of `value` this need covers.
    pub(crate) fn build(&self, value: &Value) -> Dynamic {
        match (self, value) {
            (Need::Keys(keys), Value::Object(object)) => {
                let mut map = Map::new();
                for (key, need) in keys {
                    if let Some(child) = object.get(key) {
                        map.insert(key.as_str().into(), need.build(child));
                    }
                }
                Dynamic::from_map(map)
            }
            // Not an object: property access on it is answered by rhai itself (getters such as
            // `len` on strings, or an error), so it must see the real value.
            _ => json_to_dynamic(value),
        }
    }
}

/// Per root variable, what an expression reads (`None`: the variable is not read at all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AccessPlan {
    needs: [Option<Need>; 6],
}

impl AccessPlan {
    /// Records a read of `root` followed by the given object keys (empty: the whole value).
    pub(crate) fn add(&mut self, root: Root, path: &[String]) {
        Need::add_path(&mut self.needs[root.slot()], path);
    }

    /// Marks every variable as read whole (used when the analysis meets something it does not
    /// understand: correctness first).
    pub(crate) fn read_everything(&mut self) {
        for need in &mut self.needs {
            *need = Some(Need::Whole);
        }
    }

    /// What is read from `root`, if anything.
    pub(crate) fn need(&self, root: Root) -> Option<&Need> {
        self.needs[root.slot()].as_ref()
    }
}

/// One step of a [`FastPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// `.name` or `["name"]`.
    Key(String),
    /// `[n]` with a literal integer.
    Index(i64),
}

/// An expression that is only a path from a root variable, e.g. `steps.lookup.body["e-mail"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FastPath {
    /// The variable the path starts from.
    pub(crate) root: Root,
    /// The keys and indexes followed.
    pub(crate) segments: Vec<Segment>,
}

impl FastPath {
    /// Answers the path from the scope's JSON, or `None` when rhai must decide (missing
    /// intermediate values, indexes out of range, getters such as `.len` on strings, ...).
    pub(crate) fn follow(&self, scope: &EvalScope) -> Option<Value> {
        let outcome = |walked: Walk<'_>| match walked {
            Walk::Found(found) => Some(found.clone()),
            Walk::Missing => Some(Value::Null),
            Walk::Defer => None,
        };
        match self.root {
            Root::Steps => {
                let (Segment::Key(id), rest) = self.segments.split_first()? else { return None };
                match scope.step_output(id) {
                    Some(output) => outcome(walk(&output, rest)),
                    // `steps.unknown` is `()` in rhai; anything after it is an error rhai words.
                    None if rest.is_empty() => Some(Value::Null),
                    None => None,
                }
            }
            root => outcome(walk(scope.root_json(root)?.get(), &self.segments)),
        }
    }
}

/// Outcome of following a fast path.
enum Walk<'a> {
    /// The path led to this value.
    Found(&'a Value),
    /// The last key is absent from an object: rhai would give `()`.
    Missing,
    /// Something rhai handles in its own way (errors, getters, negative indexes): let rhai run.
    Defer,
}

/// Follows `segments` from `value` with rhai's semantics for the cases handled here.
fn walk<'a>(value: &'a Value, segments: &[Segment]) -> Walk<'a> {
    let mut current = value;
    for (i, segment) in segments.iter().enumerate() {
        let is_last = i + 1 == segments.len();
        current = match (segment, current) {
            (Segment::Key(key), Value::Object(object)) => match object.get(key) {
                Some(next) => next,
                None if is_last => return Walk::Missing,
                None => return Walk::Defer,
            },
            (Segment::Index(index), Value::Array(items)) => {
                match usize::try_from(*index).ok().and_then(|i| items.get(i)) {
                    Some(next) => next,
                    None => return Walk::Defer,
                }
            }
            _ => return Walk::Defer,
        };
    }
    Walk::Found(current)
}
