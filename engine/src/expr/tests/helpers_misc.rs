//! Fallbacks, identifiers, encodings, and rhai built-ins flow authors rely on.

use serde_json::{Value, json};

use super::{assert_message, eval, eval_err, eval_raw};

#[test]
fn default_uses_the_fallback_for_missing_null_and_empty() {
    assert_eq!(eval("default(trigger.missing, \"n/a\")"), json!("n/a"));
    assert_eq!(eval("default(trigger.nothing, 0)"), json!(0));
    assert_eq!(eval("default(trigger.empty, \"blank\")"), json!("blank"));
    assert_eq!(eval("default(trigger.first, \"x\")"), json!("ada"));
    assert_eq!(eval("default(0, 5)"), json!(0));
    assert_eq!(eval("default(false, true)"), json!(false));
    assert_eq!(eval("default([], [1])"), json!([]));
    assert_eq!(eval("trigger.missing.default(\"method\")"), json!("method"));
    assert_eq!(eval("default(steps.never?.value, \"later\")"), json!("later"));
    assert_eq!(eval("trigger.missing ?? \"rhai's own\""), json!("rhai's own"));
}

#[test]
fn coalesce_takes_the_first_present_value() {
    assert_eq!(eval("coalesce(trigger.missing, trigger.empty, trigger.first)"), json!("ada"));
    assert_eq!(eval("coalesce(1, 2)"), json!(1));
    assert_eq!(eval("coalesce((), \"\", (), \"\", (), \"\", (), 8)"), json!(8));
    assert_eq!(eval("coalesce((), \"\")"), Value::Null);
    assert_eq!(eval("coalesce(trigger.missing)"), Value::Null);
}

#[test]
fn uuid_is_a_fresh_v4() {
    let first = eval_raw("uuid()");
    let second = eval_raw("uuid()");
    assert_ne!(first, second);
    let text = first.as_str().unwrap_or_default();
    assert_eq!(text.len(), 36);
    assert_eq!(text.as_bytes()[14], b'4');
}

#[test]
fn base64() {
    assert_eq!(eval("base64_encode(\"hello wörld\")"), json!("aGVsbG8gd8O2cmxk"));
    assert_eq!(eval("base64_decode(\"aGVsbG8gd8O2cmxk\")"), json!("hello wörld"));
    assert_eq!(eval("base64_decode(\"aGVsbG8\")"), json!("hello"));
    assert_eq!(eval("base64_decode(\"aGVs\\nbG8=\")"), json!("hello"));
    // URL-safe alphabet ("??>" is "Pz8+" in the standard one).
    assert_eq!(eval("base64_decode(\"Pz8-\")"), json!("??>"));
    assert_eq!(eval("base64_decode(base64_encode(trigger.name))"), json!("  Ada Lovelace "));
    assert_message(&eval_err("base64_decode(\"***\")"), "not valid base64");
    assert_message(&eval_err("base64_decode(\"/w==\")"), "not UTF-8");
}

#[test]
fn url_encoding() {
    assert_eq!(eval("url_encode(\"a b&c=d/é~\")"), json!("a%20b%26c%3Dd%2F%C3%A9~"));
    assert_eq!(eval("url_decode(\"a%20b%26c%3Dd%2F%C3%A9~+\")"), json!("a b&c=d/é~+"));
    assert_eq!(eval("url_decode(url_encode(trigger.email))"), json!("ADA@Example.com"));
    assert_message(&eval_err("url_decode(\"%zz\")"), "bad escape");
    assert_message(&eval_err("url_decode(\"%ff\")"), "not UTF-8");
}

#[test]
fn map_built_ins() {
    assert_eq!(eval("trigger.nested.deep.keys()"), json!(["value"]));
    assert_eq!(eval("keys(trigger.zebra)"), json!(["a", "m", "z"]));
    assert_eq!(eval("trigger.zebra.values()"), json!([2, 3, 1]));
    assert_eq!(
        eval("trigger.items.map(|i| i.price * i.qty).reduce(|sum, v| sum + v, 0)"),
        json!(11)
    );
    assert_eq!(eval("trigger.items.filter(|i| i.price > 3).len()"), json!(1));
    assert_eq!(eval("type_of(trigger.count)"), json!("i64"));
}
