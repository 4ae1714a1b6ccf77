//! Unit tests of the expressions module.
//!
//! Every evaluation made through [`eval`] / [`script`] is also run with the optimisations off
//! (every variable copied whole, no fast path) and the two results must agree: this checks the
//! access analysis on every expression the tests use.

mod access;
mod compile;
mod conversions;
mod helpers_dates;
mod helpers_json;
mod helpers_misc;
mod helpers_numbers;
mod helpers_phone;
mod helpers_strings;
mod references;
mod sandbox;
mod scope;
mod templates;
mod timing;

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::{EvalScope, Expr, ExprEngine, ExprError};

/// One engine for the whole test run (building one registers every helper).
pub(super) fn engine() -> &'static ExprEngine {
    static ENGINE: OnceLock<ExprEngine> = OnceLock::new();
    ENGINE.get_or_init(ExprEngine::new)
}

pub(super) fn trigger() -> Value {
    json!({
        "name": "  Ada Lovelace ",
        "first": "ada",
        "email": "ADA@Example.com",
        "amount": 1234.5,
        "count": 3,
        "big": 9_007_199_254_740_993_i64,
        "tags": ["a", "b"],
        "nested": {"deep": {"value": 42}},
        "public": true,
        "default": "reserved word as a key",
        "empty": "",
        "nothing": null,
        "items": [{"price": 2, "qty": 3}, {"price": 5, "qty": 1}],
        "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "phone": "0151 1234 5678",
        "created": "2024-01-31T09:30:00Z",
        "e-mail": "dash@example.com",
        "zebra": {"z": 1, "a": 2, "m": 3}
    })
}

/// The sample scope: trigger above, two vars, a run, and two finished steps.
pub(super) fn sample_scope() -> EvalScope {
    let vars = json!({"threshold": 100, "region": "DE"});
    let run = json!({
        "id": "run_1",
        "started_at": "2024-02-01T00:00:00Z",
        "idempotency_key": "k1",
        "resume_urls": {"approve": "https://example.com/approve"}
    });
    let scope = EvalScope::new(&trigger(), &vars, &run);
    scope.set_step(
        "lookup",
        &json!({"found": true, "body": {"id": 7, "email": "a@b.c", "list": [1, 2, 3]}}),
    );
    scope.set_step("http", &json!({"status": 200, "body": {"z": 1, "a": 2}}));
    scope.set_step("cfg", &json!({"rate": 2, "from": "Ada"}));
    scope
}

/// Evaluates `expr` in `scope`, checking that the optimised and unoptimised paths agree.
pub(super) fn checked_eval(expr: &Expr, scope: &EvalScope) -> Result<Value, ExprError> {
    let optimised = engine().eval(expr, scope);
    let unoptimised = engine().eval_unoptimised(expr, scope);
    match (&optimised, &unoptimised) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "optimised and unoptimised results differ for `{}`", expr.source())
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "optimised and unoptimised errors differ for `{}`", expr.source())
        }
        _ => panic!(
            "optimised ({optimised:?}) and unoptimised ({unoptimised:?}) disagree for `{}`",
            expr.source()
        ),
    }
    optimised
}

/// Compiles `source` as an expression and evaluates it in the sample scope.
pub(super) fn try_eval(source: &str) -> Result<Value, ExprError> {
    let expr =
        engine().compile_expression(source).unwrap_or_else(|e| panic!("compile `{source}`: {e}"));
    checked_eval(&expr, &sample_scope())
}

/// Like [`try_eval`], expecting success.
pub(super) fn eval(source: &str) -> Value {
    try_eval(source).unwrap_or_else(|e| panic!("eval `{source}`: {e}"))
}

/// Evaluates without the optimised/unoptimised comparison (for results that change between
/// evaluations, such as `uuid()` and `now()`).
pub(super) fn eval_raw(source: &str) -> Value {
    let expr =
        engine().compile_expression(source).unwrap_or_else(|e| panic!("compile `{source}`: {e}"));
    engine().eval(&expr, &sample_scope()).unwrap_or_else(|e| panic!("eval `{source}`: {e}"))
}

/// Like [`try_eval`], expecting an evaluation error.
pub(super) fn eval_err(source: &str) -> ExprError {
    match try_eval(source) {
        Ok(value) => panic!("`{source}` should fail, got {value}"),
        Err(error) => error,
    }
}

/// Compiles `source` as a script and evaluates it in the sample scope.
pub(super) fn try_script(source: &str) -> Result<Value, ExprError> {
    let expr = engine().compile_script(source).unwrap_or_else(|e| panic!("compile script: {e}"));
    checked_eval(&expr, &sample_scope())
}

/// Like [`try_script`], expecting success.
pub(super) fn script(source: &str) -> Value {
    try_script(source).unwrap_or_else(|e| panic!("script failed: {e}"))
}

/// The compile error of an expression.
pub(super) fn compile_err(source: &str) -> ExprError {
    match engine().compile_expression(source) {
        Ok(_) => panic!("`{source}` should not compile"),
        Err(error) => error,
    }
}

/// The compile error of a script.
pub(super) fn script_compile_err(source: &str) -> ExprError {
    match engine().compile_script(source) {
        Ok(_) => panic!("script should not compile: {source}"),
        Err(error) => error,
    }
}

/// Asserts that `error.message` contains `needle`.
#[track_caller]
pub(super) fn assert_message(error: &ExprError, needle: &str) {
    assert!(error.message.contains(needle), "expected {needle:?} in the message, got: {error}");
}
