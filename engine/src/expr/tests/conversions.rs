//! JSON ↔ rhai conversions.

use serde_json::{Value, json};

use super::{assert_message, eval, eval_err, script, try_script};
use crate::expr::convert::{dynamic_to_json, json_to_dynamic};

#[test]
fn json_round_trips_through_rhai() {
    let samples = [
        json!(null),
        json!(true),
        json!(0),
        json!(-42),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(1.5),
        json!(-0.25),
        json!(1e300),
        json!("text with \"quotes\" and ünïcödé"),
        json!([]),
        json!({}),
        json!([1, [2, [3, {"a": null}]]]),
        json!({"a": {"b": [1, 2.5, "x", null, true]}, "": "empty key"}),
    ];
    for sample in samples {
        assert_eq!(
            dynamic_to_json(&json_to_dynamic(&sample)).ok(),
            Some(sample.clone()),
            "{sample}"
        );
    }
}

#[test]
fn numbers_keep_their_kind() {
    assert!(eval("trigger.count").is_i64());
    assert!(eval("trigger.count * 2").is_i64());
    assert!(eval("trigger.amount").is_f64());
    assert!(eval("trigger.count * 1.0").is_f64());
    assert_eq!(eval("trigger.count * 1.0"), json!(3.0));
    assert_eq!(eval("trigger.big"), json!(9_007_199_254_740_993_i64));
    assert_eq!(eval("trigger.big + 1"), json!(9_007_199_254_740_994_i64));
    assert_eq!(script("9223372036854775807"), json!(i64::MAX));
}

#[test]
fn integers_beyond_i64_become_floats() {
    let value = json_to_dynamic(&json!(u64::MAX));
    assert!(value.is_float());
    assert_eq!(dynamic_to_json(&value).ok(), Some(json!(u64::MAX as f64)));
}

#[test]
fn rhai_values_become_json() {
    assert_eq!(eval("()"), Value::Null);
    assert_eq!(eval("'c'"), json!("c"));
    assert_eq!(eval("[1, 'c', [()], #{x: #{y: 2.5}}]"), json!([1, "c", [null], {"x": {"y": 2.5}}]));
    assert_eq!(script("let b = blob(3, 7); b"), json!([7, 7, 7]));
}

#[test]
fn values_json_cannot_hold_are_errors() {
    assert_message(&eval_err("sqrt(-1.0)"), "not a finite number");
    assert_message(&eval_err("1.0 / 0.0"), "finite");
    assert_message(&eval_err("Fn(\"uuid\")"), "a function cannot be turned into JSON");
    assert_message(&eval_err("timestamp()"), "a timestamp cannot be turned into JSON");
    assert_message(&eval_err("1..3"), "cannot be turned into JSON");
    assert_message(
        &try_script("let f = |x| x; [f]").err().unwrap_or_else(|| panic!("should fail")),
        "function",
    );
}
