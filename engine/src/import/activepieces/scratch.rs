#![allow(clippy::unwrap_used, missing_docs)]
use serde_json::json;
use crate::expr::{EvalScope, ExprEngine};

#[test]
fn probe() {
    let e = ExprEngine::new();
    let t = json!({"body": {"score": 42, "s": "30", "name": "Ada", "flag": true, "x-y": "dash", "arr": [1,2], "obj": {"a": 1}}});
    let scope = EvalScope::new(&t, &json!({}), &json!({}));
    for src in [
        "trigger.body.missing",
        "trigger[\"body\"][\"x-y\"]",
        "trigger.body.missing == \"x\"",
        "trigger.body.missing > 3",
        "trigger.body.score > 30",
        "trigger.body.s > 3",
        "`${trigger.body.missing}`",
        "`${trigger.body.score}`",
        "`${trigger.body.obj}`",
        "`${trigger.body.arr}`",
        "trigger.body.score.to_string()",
        "trigger.body.missing.to_string()",
        "lower(`${trigger.body.name}`).contains(lower(\"ad\"))",
        "false /* x */",
        "parse_number(\"30\")",
        "parse_number(`${trigger.body.s}`)",
        "to_json(trigger.body.obj)",
        "is_empty(trigger.body.missing)",
        "trigger.body.arr.contains(1)",
        "trigger.body.flag == true",
        "`${trigger.body.flag}` == \"true\"",
        "\"30\" == 30",
        "to_float(trigger.body.s)",
        "to_float(trigger.body.score)",
        "to_float(trigger.body.missing)",
        "type_of(trigger.body.score)",
        "trigger.body.arr[0]",
        "trigger.body.arr[5]",
        "trigger.body.missing.x",
    ] {
        let r = e.compile_expression(src).map_err(|e| e.to_string()).and_then(|x| e.eval(&x, &scope).map_err(|e| e.to_string()));
        println!("{src}  =>  {r:?}");
    }
}
