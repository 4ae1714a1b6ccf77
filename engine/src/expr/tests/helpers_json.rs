//! JSON helpers.

use serde_json::json;

use super::{assert_message, eval, eval_err};

#[test]
fn parse() {
    assert_eq!(
        eval("json_parse(\"{\\\"a\\\": [1, 2.5, null, true]}\")"),
        json!({"a": [1, 2.5, null, true]})
    );
    assert_eq!(eval("parse_json(\"42\").to_string()"), json!("42"));
    assert_eq!(eval("json_parse(\"\\\"text\\\"\")"), json!("text"));
    assert_eq!(eval("json_parse(\"{\\\"n\\\": 1}\").n + 1"), json!(2));
    let error = eval_err("json_parse(\"{oops}\")");
    assert_message(&error, "json_parse: the text is not valid JSON");
    assert_message(&eval_err("json_parse(\"[\".pad(1000, \"[\"))"), "not valid JSON");
}

#[test]
fn stringify() {
    assert_eq!(eval("json_stringify(trigger.tags)"), json!("[\"a\",\"b\"]"));
    assert_eq!(eval("trigger.nested.to_json()"), json!("{\"deep\":{\"value\":42}}"));
    assert_eq!(eval("to_json(#{b: 1.0, a: ()})"), json!("{\"a\":null,\"b\":1.0}"));
    assert_eq!(eval("to_json([1, \"x\"])"), json!("[1,\"x\"]"));
    assert_eq!(eval("to_json(\"he said \\\"hi\\\"\")"), json!("\"he said \\\"hi\\\"\""));
    assert_eq!(eval("to_json(())"), json!("null"));
    assert_eq!(eval("json_stringify(#{a: [1]}, true)"), json!("{\n  \"a\": [\n    1\n  ]\n}"));
    assert_eq!(
        eval("json_parse(json_stringify(trigger.items))"),
        json!([{"price": 2, "qty": 3}, {"price": 5, "qty": 1}])
    );
    assert_message(
        &eval_err("json_stringify(sqrt(-1.0))"),
        "json_stringify: the result is not a finite number",
    );
}
