//! The sandbox: limits stop runaway scripts with clear errors, and evaluations cannot change the
//! run's data.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{assert_message, engine, eval, sample_scope, script, try_script};
use crate::expr::{ExprEngine, ExprLimits};

fn run_with(limits: ExprLimits, source: &str) -> Result<serde_json::Value, crate::expr::ExprError> {
    let engine = ExprEngine::with_limits(limits);
    let expr = engine.compile_script(source).unwrap_or_else(|e| panic!("{e}"));
    engine.eval(&expr, &sample_scope())
}

#[test]
fn an_endless_loop_is_stopped_by_the_operation_limit() {
    let error =
        try_script("let n = 0;\nloop { n += 1; }").err().unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "stopped after 1000000 operations");
    assert_eq!(error.line, Some(2));
    let error = try_script("while true {}").err().unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "endless loop");
}

#[test]
fn the_clock_stops_long_runs() {
    let limits = ExprLimits {
        max_operations: 0,
        max_duration: Some(Duration::from_millis(50)),
        ..ExprLimits::default()
    };
    let started = Instant::now();
    let error = run_with(limits, "loop { }").err().unwrap_or_else(|| panic!("should stop"));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_message(&error, "running longer than 50ms");
}

#[test]
fn a_value_nested_ever_deeper_cannot_exhaust_the_stack() {
    // Each round copies the whole value (cheap in operations, expensive in time); without the
    // clock this would eventually overflow the stack when the value is checked or dropped.
    let limits =
        ExprLimits { max_duration: Some(Duration::from_millis(200)), ..ExprLimits::default() };
    let result = run_with(limits, "let a = []; for i in 0..100000 { a = [a]; } 1");
    assert!(result.is_err());
    // Converting a deeply nested result is refused instead of recursing without bound.
    let error = try_script("let a = []; for i in 0..200 { a = [a]; } a")
        .err()
        .unwrap_or_else(|| panic!("too deep"));
    assert_message(&error, "nested more than 128 levels");
}

#[test]
fn huge_strings_and_arrays_are_stopped() {
    let error = try_script("let s = \"x\";\nloop { s += s; }")
        .err()
        .unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "string");
    assert_message(&error, "over the limit of 10485760");
    // (Smaller limits keep the test fast: rhai re-measures the value after every change.)
    let limits = ExprLimits { max_array_size: 1_000, max_map_size: 1_000, ..ExprLimits::default() };
    let error = run_with(limits.clone(), "let a = [];\nloop { a.push(1); }")
        .err()
        .unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "over the limit of 1000 elements");
    // rhai measures a map when it is used (not on every insert); the operation limit bounds the
    // loop itself.
    let error = run_with(limits, "let m = #{};\nfor i in 0..2000 { m[`k${i}`] = i; }\nm.len()")
        .err()
        .unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "over the limit of 1000 entries");
    let small = ExprLimits { max_string_size: 100, ..ExprLimits::default() };
    let error = run_with(small.clone(), "\"x\".pad(1000, \"y\")")
        .err()
        .unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "pad: 1000 characters is over the limit of 100");
    assert!(run_with(small, "let s = \"x\".pad(90, \"y\"); s + s").is_err());
}

#[test]
fn a_panic_inside_rhai_becomes_an_error() {
    let error = super::eval_err("1 + deliberate_panic()");
    assert_message(&error, "the expression engine failed unexpectedly (deliberate test panic)");
    // The engine keeps working afterwards.
    assert_eq!(eval("trigger.count + 1"), json!(4));
}

#[test]
fn recursion_is_bounded() {
    let error =
        try_script("fn f(n) { f(n + 1) }\nf(0)").err().unwrap_or_else(|| panic!("should stop"));
    assert_message(&error, "too many nested function calls");
}

#[test]
fn expression_depth_is_bounded() {
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    assert!(engine().compile_expression(&deep).is_err());
    let fine = format!("{}1{}", "(".repeat(20), ")".repeat(20));
    assert_eq!(eval(&fine), json!(1));
}

#[test]
fn evaluations_cannot_change_the_run_data() {
    let scope = sample_scope();
    let run = |source: &str| {
        let expr = engine().compile_script(source).unwrap_or_else(|e| panic!("{e}"));
        engine().eval(&expr, &scope)
    };
    // Changing a value is refused...
    let error =
        run("trigger.count = 99; trigger.count").err().unwrap_or_else(|| panic!("should fail"));
    assert_eq!(error.message, "`trigger` is read-only; copy the value into a `let` variable first");
    assert_eq!(run("trigger.count").ok(), Some(json!(3)));
    // ...and what rhai does allow (adding a key to a constant map) only touches this
    // evaluation's copy.
    assert_eq!(run("trigger.fresh = 99; trigger.fresh").ok(), Some(json!(99)));
    assert_eq!(run("trigger.fresh").ok(), Some(serde_json::Value::Null));
    // In-place methods are refused on the data (and would only touch a copy anyway).
    let error =
        run("steps.lookup.body.list.push(4); 1").err().unwrap_or_else(|| panic!("should fail"));
    assert!(error.message.contains("only read"), "{error}");
    assert_eq!(run("steps.lookup.body.list").ok(), Some(json!([1, 2, 3])));
    // A copy is a copy.
    assert_eq!(run("let t = trigger.tags; t.push(\"c\"); t").ok(), Some(json!(["a", "b", "c"])));
    assert_eq!(run("trigger.tags").ok(), Some(json!(["a", "b"])));
    // Replacing a whole variable is refused.
    let error = run("trigger = 1; trigger").err().unwrap_or_else(|| panic!("should fail"));
    assert!(error.message.contains("read-only"), "{error}");
    assert_eq!(script("trigger.count"), json!(3));
}

#[test]
fn closures_can_read_the_value_being_iterated() {
    // In plain rhai the closure would find `trigger` locked by `map` (a "data race").
    assert_eq!(script("trigger.items.map(|x| x.price + trigger.count)"), json!([5, 8]));
    assert_eq!(
        script("trigger.items.filter(|x| x.qty > trigger.items[1].qty).map(|x| x.price)"),
        json!([2])
    );
    assert_eq!(script("trigger.items.map(|x| x.price * steps.cfg.rate)"), json!([4, 10]));
    assert_eq!(
        script("trigger.items.map(|x| trigger.tags.map(|t| `${t}${x.qty}${trigger.first}`))"),
        json!([["a3ada", "b3ada"], ["a1ada", "b1ada"]])
    );
    // `for_each` may change the array, so it needs a copy of the run data (rhai's rule for
    // read-only values); `for` loops read directly.
    let error =
        try_script("let total = 0;\ntrigger.items.for_each(|| total += this.price);\ntotal")
            .err()
            .unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "copy the value into a `let` variable first");
    assert_eq!(
        script(
            "let total = 0;\nlet items = trigger.items;\nitems.for_each(|| total += this.price);\ntotal"
        ),
        json!(7)
    );
    // The same pattern on a script's own variable is still rhai's limitation, explained.
    let error = try_script("let m = #{a: [1, 2], y: 1};\nm.a.map(|x| x + m.y)")
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "copy the value into a `let` variable first");
    assert_eq!(
        script("let m = #{a: [1, 2], y: 1};\nlet y = m.y;\nm.a.map(|x| x + y)"),
        json!([2, 3])
    );
}

#[test]
fn limits_default_as_documented() {
    let limits = ExprLimits::default();
    assert_eq!(limits.max_operations, 1_000_000);
    assert_eq!(limits.max_call_levels, 32);
    assert_eq!(limits.max_expr_depth, 64);
    assert_eq!(limits.max_string_size, 10 * 1024 * 1024);
    assert_eq!(limits.max_array_size, 100_000);
    assert_eq!(limits.max_map_size, 100_000);
    assert_eq!(engine().limits(), &limits);
}

#[test]
fn the_engine_is_cheap_to_share_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ExprEngine>();
    assert_send_sync::<crate::expr::Expr>();
    assert_send_sync::<crate::expr::EvalScope>();
    assert_send_sync::<crate::expr::Template>();

    let expr = engine()
        .compile_expression("trigger.count * 2 + steps.cfg.rate")
        .unwrap_or_else(|e| panic!("{e}"));
    let scope = sample_scope();
    std::thread::scope(|threads| {
        for _ in 0..4 {
            threads.spawn(|| {
                for _ in 0..200 {
                    assert_eq!(engine().eval(&expr, &scope).ok(), Some(json!(8)));
                }
            });
        }
    });
}
