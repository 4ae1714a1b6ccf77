//! The data an evaluation can read: `trigger`, `steps`, `vars`, `run`, and inside loop bodies
//! `item` and `index`.
//!
//! Values are stored once as JSON behind `Arc`s and never copied per evaluation as a whole: an
//! evaluation converts only what its expression reads (see [`super::access`]). Loop iterations
//! get their own layer of step outputs on top of the parent's, so what a loop body records stays
//! inside the iteration, and creating an iteration copies nothing but the item.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use rhai::{Dynamic, Map, Scope};
use serde_json::Value;

use super::Root;
use super::access::{AccessPlan, Need};
use super::convert::json_to_dynamic;
use super::sandbox::FunctionData;

/// The variables an evaluation sees.
///
/// Cloning is cheap and the clone shares the step outputs: a step recorded through one handle is
/// visible through every clone (that is how the executor's branches see each other's results).
/// [`EvalScope::for_iteration`] instead creates a child whose recordings stay its own.
#[derive(Clone)]
pub struct EvalScope {
    globals: Arc<Globals>,
    steps: Arc<StepLayer>,
    iteration: Option<Arc<Iteration>>,
}

/// Values fixed for the whole run.
struct Globals {
    trigger: Value,
    vars: Value,
    run: Value,
}

/// Step outputs recorded at one loop-nesting level, with the level around it as fallback.
struct StepLayer {
    outputs: RwLock<HashMap<String, Arc<Value>>>,
    parent: Option<Arc<StepLayer>>,
}

/// The current loop element.
struct Iteration {
    item: Value,
    index: i64,
}

impl EvalScope {
    /// A scope for one run, before any step has finished.
    pub fn new(trigger: &Value, vars: &Value, run: &Value) -> Self {
        Self {
            globals: Arc::new(Globals {
                trigger: trigger.clone(),
                vars: vars.clone(),
                run: run.clone(),
            }),
            steps: Arc::new(StepLayer { outputs: RwLock::new(HashMap::new()), parent: None }),
            iteration: None,
        }
    }

    /// Records a finished step's output (stored once; evaluations convert only the parts they
    /// read). Recording the same id again replaces the earlier output.
    pub fn set_step(&self, id: &str, output: &Value) {
        self.set_step_shared(id, Arc::new(output.clone()));
    }

    /// Like [`EvalScope::set_step`], for a caller that already holds the output in an `Arc`
    /// (no copy at all).
    pub fn set_step_shared(&self, id: &str, output: Arc<Value>) {
        // A poisoned lock only means another thread panicked while inserting; the map itself is
        // still a valid map, so keep going rather than spreading the panic.
        let mut outputs = self.steps.outputs.write().unwrap_or_else(PoisonError::into_inner);
        outputs.insert(id.to_owned(), output);
    }

    /// The scope of one loop iteration: sees every step visible here, plus `item` and `index`;
    /// steps set on the iteration scope are not visible in the parent scope. Nested loops: an
    /// inner iteration's `item`/`index` shadow the outer ones.
    pub fn for_iteration(&self, item: &Value, index: i64) -> Self {
        Self {
            globals: Arc::clone(&self.globals),
            steps: Arc::new(StepLayer {
                outputs: RwLock::new(HashMap::new()),
                parent: Some(Arc::clone(&self.steps)),
            }),
            iteration: Some(Arc::new(Iteration { item: item.clone(), index })),
        }
    }

    /// The output of step `id` as visible from here (the innermost layer wins).
    pub fn step_output(&self, id: &str) -> Option<Arc<Value>> {
        let mut layer = Some(&self.steps);
        while let Some(current) = layer {
            let outputs = current.outputs.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(output) = outputs.get(id) {
                return Some(Arc::clone(output));
            }
            layer = current.parent.as_ref();
        }
        None
    }

    /// Every visible step output, outer layers first so inner ones override them.
    fn all_steps(&self) -> Vec<(String, Arc<Value>)> {
        let mut layers = Vec::new();
        let mut layer = Some(&self.steps);
        while let Some(current) = layer {
            layers.push(current);
            layer = current.parent.as_ref();
        }
        let mut merged: HashMap<String, Arc<Value>> = HashMap::new();
        for current in layers.into_iter().rev() {
            let outputs = current.outputs.read().unwrap_or_else(PoisonError::into_inner);
            for (id, output) in outputs.iter() {
                merged.insert(id.clone(), Arc::clone(output));
            }
        }
        merged.into_iter().collect()
    }

    /// The JSON value of a root that is not `steps` (`None` for `item`/`index` outside a loop).
    pub(crate) fn root_json(&self, root: Root) -> Option<RootValue<'_>> {
        match root {
            Root::Trigger => Some(RootValue::Borrowed(&self.globals.trigger)),
            Root::Vars => Some(RootValue::Borrowed(&self.globals.vars)),
            Root::Run => Some(RootValue::Borrowed(&self.globals.run)),
            Root::Item => self.iteration.as_ref().map(|it| RootValue::Borrowed(&it.item)),
            Root::Index => {
                self.iteration.as_ref().map(|it| RootValue::Owned(Value::from(it.index)))
            }
            Root::Steps => None,
        }
    }

    /// Builds the rhai scope for one evaluation: only the variables the expression's main body
    /// reads, each pruned to the paths it reads. Values are pushed as constants, so a script gets
    /// a clear error if it tries to change them (and any change would only touch this copy).
    /// Variables that function bodies read are left out: they are served by [`FunctionData`].
    pub(crate) fn rhai_scope(
        &self,
        plan: &AccessPlan,
        function_plan: &AccessPlan,
    ) -> Scope<'static> {
        let mut scope = Scope::new();
        for root in Root::ALL {
            if let (Some(need), None) = (plan.need(root), function_plan.need(root)) {
                scope.push_constant_dynamic(root.name(), self.root_value(root, need));
            }
        }
        scope
    }

    /// The copies served to function bodies, and to the main body for the same variables (see
    /// [`FunctionData`]).
    pub(crate) fn function_data(
        &self,
        plan: &AccessPlan,
        function_plan: &AccessPlan,
    ) -> FunctionData {
        let mut data = FunctionData::default();
        for root in Root::ALL {
            if let Some(function_need) = function_plan.need(root) {
                data.functions[root.slot()] = Some(self.root_value(root, function_need));
                data.main[root.slot()] = Some(match plan.need(root) {
                    Some(need) => self.root_value(root, need),
                    None => Dynamic::UNIT,
                });
            }
        }
        data
    }

    /// A root's value restricted to what `need` covers.
    fn root_value(&self, root: Root, need: &Need) -> Dynamic {
        match root {
            Root::Steps => self.steps_value(need),
            Root::Index => match &self.iteration {
                Some(iteration) => Dynamic::from_int(iteration.index),
                None => Dynamic::UNIT,
            },
            _ => match self.root_json(root) {
                Some(value) => need.build(value.get()),
                // `item` outside a loop body reads as `()`.
                None => Dynamic::UNIT,
            },
        }
    }

    /// The `steps` map restricted to what `need` covers.
    fn steps_value(&self, need: &Need) -> Dynamic {
        let mut map = Map::new();
        match need {
            Need::Whole => {
                for (id, output) in self.all_steps() {
                    map.insert(id.as_str().into(), json_to_dynamic(&output));
                }
            }
            Need::Keys(keys) => {
                for (id, step_need) in keys {
                    if let Some(output) = self.step_output(id) {
                        map.insert(id.as_str().into(), step_need.build(&output));
                    }
                }
            }
        }
        Dynamic::from_map(map)
    }
}

/// A root's JSON value, borrowed from the scope or (for `index`) made on the spot.
pub(crate) enum RootValue<'a> {
    Borrowed(&'a Value),
    Owned(Value),
}

impl RootValue<'_> {
    pub(crate) fn get(&self) -> &Value {
        match self {
            RootValue::Borrowed(value) => value,
            RootValue::Owned(value) => value,
        }
    }
}

impl fmt::Debug for EvalScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut step_ids: Vec<String> = self.all_steps().into_iter().map(|(id, _)| id).collect();
        step_ids.sort();
        f.debug_struct("EvalScope")
            .field("steps", &step_ids)
            .field("index", &self.iteration.as_ref().map(|it| it.index))
            .finish_non_exhaustive()
    }
}
