//! The evaluation scope (steps, loops) and conditions.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{assert_message, checked_eval, engine, eval, sample_scope};
use crate::expr::EvalScope;

fn eval_in(scope: &EvalScope, source: &str) -> Value {
    let expr = engine().compile_expression(source).unwrap_or_else(|e| panic!("{e}"));
    checked_eval(&expr, scope).unwrap_or_else(|e| panic!("{e}"))
}

fn condition(source: &str) -> Result<bool, crate::expr::ExprError> {
    let expr = engine().compile_expression(source).unwrap_or_else(|e| panic!("{e}"));
    engine().eval_bool(&expr, &sample_scope())
}

#[test]
fn conditions_must_be_booleans() {
    assert_eq!(condition("trigger.count > 2").ok(), Some(true));
    assert_eq!(condition("trigger.public").ok(), Some(true));
    assert_eq!(condition("trigger.public && trigger.count > 5").ok(), Some(false));
    assert_eq!(condition("steps.lookup.found").ok(), Some(true));
    // A missing field (or null) counts as false.
    assert_eq!(condition("trigger.missing").ok(), Some(false));
    assert_eq!(condition("trigger.nothing").ok(), Some(false));
    assert_eq!(condition("steps.never_ran").ok(), Some(false));
    assert_eq!(condition("if trigger.count > 100 { true }").ok(), Some(false));

    let error = condition("trigger.first").err().unwrap_or_else(|| panic!("should fail"));
    assert_eq!(error.message, "a condition must be true or false, but this is a string: \"ada\"");
    let error = condition("trigger.count").err().unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "this is an integer: 3");
    let error = condition("trigger.count + 0.5").err().unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "this is a decimal number: 3.5");
    let error = condition("trigger.items").err().unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "this is an array");
    let error =
        condition("#{a: \"x\".pad(100, \"y\")}").err().unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "this is an object");
    assert!(error.message.ends_with('…'), "{error}");
}

#[test]
fn steps_are_visible_once_recorded() {
    let scope = sample_scope();
    assert_eq!(eval_in(&scope, "steps.later"), Value::Null);
    scope.set_step("later", &json!({"v": 1}));
    assert_eq!(eval_in(&scope, "steps.later.v"), json!(1));
    // Clones share the recorded steps.
    let clone = scope.clone();
    clone.set_step("from_clone", &json!(2));
    assert_eq!(eval_in(&scope, "steps.from_clone"), json!(2));
    // Recording again replaces.
    scope.set_step("later", &json!({"v": 3}));
    assert_eq!(eval_in(&scope, "steps.later.v"), json!(3));
    // Shared outputs need no copy.
    scope.set_step_shared("shared", Arc::new(json!([1, 2])));
    assert_eq!(eval_in(&scope, "steps.shared.len()"), json!(2));
    assert_eq!(scope.step_output("shared").as_deref(), Some(&json!([1, 2])));
    assert_eq!(
        eval_in(&scope, "steps.keys()"),
        json!(["cfg", "from_clone", "http", "later", "lookup", "shared"])
    );
}

#[test]
fn loop_iterations_see_item_index_and_parent_steps() {
    let parent = sample_scope();
    let iteration = parent.for_iteration(&json!({"sku": "A1", "qty": 2}), 4);
    assert_eq!(eval_in(&iteration, "item.sku"), json!("A1"));
    assert_eq!(eval_in(&iteration, "item"), json!({"sku": "A1", "qty": 2}));
    assert_eq!(eval_in(&iteration, "index"), json!(4));
    assert_eq!(eval_in(&iteration, "index + 1"), json!(5));
    assert_eq!(eval_in(&iteration, "item.qty * steps.cfg.rate"), json!(4));

    // Steps recorded in the iteration stay there.
    iteration.set_step("inner", &json!("in loop"));
    assert_eq!(eval_in(&iteration, "steps.inner"), json!("in loop"));
    assert_eq!(eval_in(&parent, "steps.inner"), Value::Null);
    assert!(
        !eval_in(&parent, "steps.keys()").as_array().is_some_and(|k| k.contains(&json!("inner")))
    );

    // An iteration shadows a parent step with the same id without changing the parent.
    iteration.set_step("cfg", &json!({"rate": 10}));
    assert_eq!(eval_in(&iteration, "steps.cfg.rate"), json!(10));
    assert_eq!(eval_in(&parent, "steps.cfg.rate"), json!(2));
    assert_eq!(eval_in(&iteration, "steps.cfg"), json!({"rate": 10}));

    // Steps the parent records later are visible too (a live view, not a snapshot).
    parent.set_step("after", &json!(1));
    assert_eq!(eval_in(&iteration, "steps.after"), json!(1));
    assert_eq!(eval_in(&parent, "item"), Value::Null);
}

#[test]
fn nested_loops_shadow_item_and_index() {
    let outer = sample_scope().for_iteration(&json!("outer item"), 1);
    outer.set_step("outer_step", &json!("o"));
    let inner = outer.for_iteration(&json!("inner item"), 7);
    assert_eq!(eval_in(&inner, "item"), json!("inner item"));
    assert_eq!(eval_in(&inner, "index"), json!(7));
    assert_eq!(eval_in(&inner, "steps.outer_step"), json!("o"));
    assert_eq!(eval_in(&outer, "item"), json!("outer item"));
    inner.set_step("inner_step", &json!("i"));
    assert_eq!(eval_in(&outer, "steps.inner_step"), Value::Null);
    assert_eq!(
        eval_in(&inner, "`${item}/${index}/${steps.outer_step}${steps.inner_step}`"),
        json!("inner item/7/oi")
    );
}

#[test]
fn debug_output_lists_steps_without_data() {
    let text = format!("{:?}", sample_scope());
    assert!(text.contains("\"cfg\"") && text.contains("\"lookup\""), "{text}");
    assert!(!text.contains("a@b.c"), "{text}");
    assert!(format!("{:?}", engine()).contains("max_operations"));
    let expr = engine().compile_expression("trigger.count").unwrap_or_else(|e| panic!("{e}"));
    assert!(format!("{expr:?}").contains("trigger.count"));
    assert_eq!(expr.source(), "trigger.count");
}

#[test]
fn paths_behave_like_rhai_for_odd_cases() {
    // Each of these is compared against the unoptimised evaluation by `eval`.
    assert_eq!(eval("trigger.first.len"), json!(3));
    assert_eq!(eval("trigger.tags[-1]"), json!("b"));
    assert_eq!(eval("trigger[\"e-mail\"]"), json!("dash@example.com"));
    assert_eq!(eval("trigger.items[1].price"), json!(5));
    assert_eq!(eval("trigger.nested.deep.value"), json!(42));
    assert_eq!(eval("trigger.nested.missing"), Value::Null);
    assert_eq!(eval("trigger.nested?.missing?.deeper"), Value::Null);
    assert_eq!(eval("steps.http.body"), json!({"z": 1, "a": 2}));
    assert_eq!(eval("steps[\"lookup\"][\"body\"].id"), json!(7));
    assert_eq!(eval("trigger.nested.deep.keys()"), json!(["value"]));
    assert_eq!(eval("\"deep\" in trigger.nested"), json!(true));
    assert_eq!(eval("trigger.nested.len()"), json!(1));
    assert_eq!(eval("trigger.zebra.values()"), json!([2, 3, 1]));
    let error = super::eval_err("trigger.tags[5]");
    assert_message(&error, "out of bounds");
    let error = super::eval_err("trigger.first.nope");
    assert_eq!(error.column, Some(15));
}
