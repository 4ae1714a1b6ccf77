//! A rough timing check of the expression work in the benchmark flow (run it in release:
//! `cargo test --release -- --ignored --nocapture expression_cost`). The real benchmark lives
//! with the executor; this only guards against an accidental order-of-magnitude regression.

use std::time::Instant;

use serde_json::json;

use super::engine;
use crate::expr::{EvalScope, ExprEngine};

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn expression_cost_of_the_benchmark_flow() {
    let engine = engine();
    let filter = engine
        .compile_expression("trigger.amount > 100 && trigger.status == \"paid\"")
        .unwrap_or_else(|e| panic!("{e}"));
    let set = engine
        .compile_template(&json!({
            "email": "{{ trigger.customer.email.lower() }}",
            "greeting": "Hello {{ trigger.customer.name }}!",
            "total": "{{ trigger.amount * 1.19 }}"
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let code = engine
        .compile_script("let sum = 0;\nfor n in trigger.numbers { sum += n; }\nsum")
        .unwrap_or_else(|e| panic!("{e}"));
    let route_a =
        engine.compile_expression("steps.code.sum > 40").unwrap_or_else(|e| panic!("{e}"));
    let route_b = engine
        .compile_expression("steps.set.email.ends_with(\"@example.com\")")
        .unwrap_or_else(|e| panic!("{e}"));
    let last = engine
        .compile_template(&json!({"result": "{{ steps.code.sum }}", "id": "{{ run.id }}"}))
        .unwrap_or_else(|e| panic!("{e:?}"));

    let trigger = json!({
        "amount": 150.5,
        "status": "paid",
        "customer": {"email": "Ada@Example.com", "name": "Ada"},
        "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    });
    let run = json!({"id": "run_1"});
    let one_run = || {
        let scope = EvalScope::new(&trigger, &json!({}), &run);
        assert!(engine.eval_bool(&filter, &scope).unwrap_or(false));
        let set_output = engine.render(&set, &scope).unwrap_or_else(|e| panic!("{e}"));
        scope.set_step("set", &set_output);
        let sum = engine.eval(&code, &scope).unwrap_or_else(|e| panic!("{e}"));
        scope.set_step("code", &json!({"sum": sum}));
        let a = engine.eval_bool(&route_a, &scope).unwrap_or(false);
        let b = engine.eval_bool(&route_b, &scope).unwrap_or(false);
        assert!(a && b);
        std::hint::black_box(engine.render(&last, &scope).unwrap_or_else(|e| panic!("{e}")));
    };

    for _ in 0..1_000 {
        one_run();
    }
    let runs = 20_000u32;
    let started = Instant::now();
    for _ in 0..runs {
        one_run();
    }
    let per_run = started.elapsed() / runs;
    println!("expression work per benchmark run: {per_run:?}");

    let per_eval = |expr: &crate::expr::Expr, label: &str| {
        let scope = EvalScope::new(&trigger, &json!({}), &run);
        scope.set_step("code", &json!({"sum": 55}));
        scope.set_step("set", &json!({"email": "ada@example.com"}));
        let n = 100_000u32;
        let started = Instant::now();
        for _ in 0..n {
            std::hint::black_box(engine.eval(expr, &scope).ok());
        }
        println!("  {label}: {:?}/eval", started.elapsed() / n);
    };
    per_eval(&filter, "filter condition");
    per_eval(&code, "loop script");
    per_eval(&route_a, "route condition");
    let path =
        engine.compile_expression("trigger.customer.email").unwrap_or_else(|e| panic!("{e}"));
    per_eval(&path, "plain path (fast path)");
    let method = engine
        .compile_expression("trigger.customer.email.lower()")
        .unwrap_or_else(|e| panic!("{e}"));
    per_eval(&method, "method call");

    // The part of an evaluation spent preparing the data (pruned copies, rhai scope).
    let scope = EvalScope::new(&trigger, &json!({}), &run);
    let (plan, function_plan) = (ExprEngine::plan(&filter), ExprEngine::function_plan(&filter));
    let n = 100_000u32;
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(scope.rhai_scope(plan, function_plan));
    }
    println!("  preparing the filter's scope: {:?}", started.elapsed() / n);
}
