//! The expression engine: compiling conditions and scripts, and evaluating them (templates are
//! compiled and rendered in [`super::template`]).

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use rhai::{AST, Dynamic, Engine, ParseError, Scope};
use serde_json::Value;

use super::Root;
use super::access::{AccessPlan, FastPath};
use super::convert::{self, dynamic_to_json};
use super::error::{ExprError, from_eval_error, from_parse_error};
use super::references::{self, References};
use super::sandbox::{self, DeadlineGuard, ExprLimits, FunctionData, FunctionDataGuard};
use super::scope::EvalScope;

/// The configured rhai engine with every helper registered. Cheap to clone (`Arc` inside),
/// `Send + Sync`.
#[derive(Clone)]
pub struct ExprEngine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    engine: Engine,
    limits: ExprLimits,
    /// How many sources were compiled: lets tests prove runs never compile.
    compilations: std::sync::atomic::AtomicU64,
}

/// A compiled expression or script: source + AST + what it references. Clone is cheap (`Arc`).
#[derive(Clone, Debug)]
pub struct Expr {
    inner: Arc<ExprInner>,
}

struct ExprInner {
    source: String,
    ast: AST,
    references: References,
    plan: AccessPlan,
    function_plan: AccessPlan,
    fast_path: Option<FastPath>,
}

impl fmt::Debug for ExprInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expr")
            .field("source", &self.source)
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

impl Expr {
    /// The source text this was compiled from.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// What the expression reads.
    pub fn references(&self) -> &References {
        &self.inner.references
    }
}

/// The result of an evaluation before it is turned into what the caller asked for.
pub(super) enum Outcome {
    /// Answered from the run's data without rhai.
    Json(Value),
    /// Computed by rhai.
    Rhai(Dynamic),
}

impl Default for ExprEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ExprEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExprEngine").field("limits", &self.inner.limits).finish_non_exhaustive()
    }
}

impl ExprEngine {
    /// An engine with the default limits.
    pub fn new() -> Self {
        Self::with_limits(ExprLimits::default())
    }

    /// An engine with the given limits.
    pub fn with_limits(limits: ExprLimits) -> Self {
        let engine = sandbox::build_engine(&limits);
        Self {
            inner: Arc::new(EngineInner {
                engine,
                limits,
                compilations: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// The limits this engine enforces.
    pub fn limits(&self) -> &ExprLimits {
        &self.inner.limits
    }

    /// How many expressions and scripts this engine has compiled so far.
    pub fn compilations(&self) -> u64 {
        self.inner.compilations.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// One expression (conditions, the inside of `{{ }}`). Statements such as `let` are rejected.
    pub fn compile_expression(&self, source: &str) -> Result<Expr, ExprError> {
        if source.trim().is_empty() {
            return Err(ExprError::new(source, "the expression is empty"));
        }
        self.parse(source, true, |engine, scope| {
            engine.compile_expression_with_scope(scope, source)
        })
    }

    /// A script (code steps): statements allowed, its value is the last expression or `return`.
    pub fn compile_script(&self, source: &str) -> Result<Expr, ExprError> {
        self.parse(source, false, |engine, scope| engine.compile_with_scope(scope, source))
    }

    /// Compiles with a panic guard (see `run_rhai`).
    fn parse(
        &self,
        source: &str,
        expression_only: bool,
        parse: impl FnOnce(&Engine, &Scope<'static>) -> Result<AST, ParseError>,
    ) -> Result<Expr, ExprError> {
        self.inner.compilations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let scope = compile_scope();
        match panic::catch_unwind(AssertUnwindSafe(|| parse(&self.inner.engine, &scope))) {
            Ok(Ok(ast)) => {
                super::helpers::warm_up_if_used(source);
                Ok(Self::finish(source, ast))
            }
            Ok(Err(error)) => Err(from_parse_error(source, &error, expression_only)),
            Err(payload) => Err(ExprError::new(source, internal_failure(payload.as_ref()))),
        }
    }

    fn finish(source: &str, ast: AST) -> Expr {
        let analysis = references::analyse(&ast);
        Expr {
            inner: Arc::new(ExprInner {
                source: source.to_owned(),
                ast,
                references: analysis.references,
                plan: analysis.plan,
                function_plan: analysis.function_plan,
                fast_path: analysis.fast_path,
            }),
        }
    }

    /// Evaluates to a JSON value.
    pub fn eval(&self, expr: &Expr, scope: &EvalScope) -> Result<Value, ExprError> {
        match self.evaluate(expr, scope)? {
            Outcome::Json(value) => Ok(value),
            Outcome::Rhai(value) => {
                dynamic_to_json(&value).map_err(|message| ExprError::new(expr.source(), message))
            }
        }
    }

    /// For conditions: must evaluate to a bool; `()` (a missing field) counts as false; any other
    /// type is an error saying what type it got.
    pub fn eval_bool(&self, expr: &Expr, scope: &EvalScope) -> Result<bool, ExprError> {
        let not_a_bool = |label: &str, shown: String| {
            ExprError::new(
                expr.source(),
                format!(
                    "a condition must be true or false, but this is {}: {shown}",
                    convert::with_article(label)
                ),
            )
        };
        match self.evaluate(expr, scope)? {
            Outcome::Json(Value::Bool(b)) => Ok(b),
            Outcome::Json(Value::Null) => Ok(false),
            Outcome::Json(other) => {
                Err(not_a_bool(convert::json_type_label(&other), convert::preview(&other)))
            }
            Outcome::Rhai(value) => {
                if let Ok(b) = value.as_bool() {
                    return Ok(b);
                }
                if value.is_unit() {
                    return Ok(false);
                }
                let shown = dynamic_to_json(&value)
                    .map_or_else(|_| value.to_string(), |json| convert::preview(&json));
                Err(not_a_bool(convert::type_label(&value), shown))
            }
        }
    }

    /// Runs an expression: from the JSON directly when it is a plain path, through rhai otherwise.
    pub(super) fn evaluate(&self, expr: &Expr, scope: &EvalScope) -> Result<Outcome, ExprError> {
        let inner = &expr.inner;
        if let Some(path) = &inner.fast_path
            && let Some(value) = path.follow(scope)
        {
            return Ok(Outcome::Json(value));
        }
        let rhai_scope = scope.rhai_scope(&inner.plan, &inner.function_plan);
        let function_data = scope.function_data(&inner.plan, &inner.function_plan);
        self.run_rhai(expr, rhai_scope, function_data).map(Outcome::Rhai)
    }

    fn run_rhai(
        &self,
        expr: &Expr,
        mut rhai_scope: Scope<'static>,
        function_data: FunctionData,
    ) -> Result<Dynamic, ExprError> {
        let _deadline = DeadlineGuard::start(&self.inner.limits);
        let _function_data = FunctionDataGuard::install(function_data);
        // rhai has `unwrap`s on paths user scripts can reach in theory; a panic there must fail
        // this step, not the executor's task. The scope is dropped afterwards and the AST is
        // immutable, so nothing half-updated is observed after an unwind.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            self.inner.engine.eval_ast_with_scope::<Dynamic>(&mut rhai_scope, &expr.inner.ast)
        }));
        match outcome {
            Ok(result) => {
                result.map_err(|error| from_eval_error(expr.source(), &error, &self.inner.limits))
            }
            Err(payload) => Err(ExprError::new(expr.source(), internal_failure(payload.as_ref()))),
        }
    }

    /// Test hook: evaluates through rhai with every variable copied whole (no pruning, no fast
    /// path), to check that the optimisations never change a result.
    #[cfg(test)]
    pub(crate) fn eval_unoptimised(
        &self,
        expr: &Expr,
        scope: &EvalScope,
    ) -> Result<Value, ExprError> {
        let mut plan = AccessPlan::default();
        plan.read_everything();
        let value = if expr.inner.function_plan == AccessPlan::default() {
            self.run_rhai(
                expr,
                scope.rhai_scope(&plan, &AccessPlan::default()),
                FunctionData::default(),
            )?
        } else {
            self.run_rhai(expr, Scope::new(), scope.function_data(&plan, &plan))?
        };
        dynamic_to_json(&value).map_err(|message| ExprError::new(expr.source(), message))
    }

    /// Test hook: whether `expr` is answered without rhai.
    #[cfg(test)]
    pub(crate) fn has_fast_path(expr: &Expr) -> bool {
        expr.inner.fast_path.is_some()
    }

    /// Test hook: the access plan of `expr`'s main body.
    #[cfg(test)]
    pub(crate) fn plan(expr: &Expr) -> &AccessPlan {
        &expr.inner.plan
    }

    /// Test hook: the access plan of `expr`'s function and closure bodies.
    #[cfg(test)]
    pub(crate) fn function_plan(expr: &Expr) -> &AccessPlan {
        &expr.inner.function_plan
    }
}

/// The message for a panic caught inside rhai.
fn internal_failure(payload: &(dyn Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no details".to_owned());
    format!("the expression engine failed unexpectedly ({detail})")
}

/// The compile-time scope: declares the free variables so strict mode accepts them. They are
/// declared as plain variables (not constants) so the optimiser never folds their values in.
fn compile_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    for root in Root::ALL {
        scope.push_dynamic(root.name(), Dynamic::UNIT);
    }
    scope
}
