//! Compiling: expressions versus scripts, error positions, strict variables, language tweaks.

use serde_json::{Value, json};

use super::{
    assert_message, compile_err, engine, eval, eval_err, script, script_compile_err, try_script,
};
use crate::expr::ExprError;
use crate::step_error::{ErrorKind, ExpressionFailure, StepError};

#[test]
fn expressions_reject_statements() {
    for source in ["let x = 1; x", "const y = 2", "fn f() { 1 }", "for x in [1] { x }", "return 1"]
    {
        let error = compile_err(source);
        assert_eq!((error.line, error.column), (Some(1), Some(1)), "{error}");
        assert_message(&error, "only a single expression is allowed");
    }
    // ...but `if` and `switch` are expressions.
    assert_eq!(eval("if trigger.count > 2 { \"many\" } else { \"few\" }"), json!("many"));
    assert_eq!(eval("switch trigger.count { 3 => \"three\", _ => \"other\" }"), json!("three"));
}

#[test]
fn empty_expression_is_an_error() {
    assert_message(&compile_err(""), "empty");
    assert_message(&compile_err("   "), "empty");
}

#[test]
fn syntax_errors_have_positions() {
    let error = compile_err("trigger.count +");
    assert_message(&error, "incomplete");
    let error = compile_err("(1 + 2");
    assert_eq!(error.line, Some(1));
    let error = compile_err("1 + ) 2");
    assert_eq!((error.line, error.column), (Some(1), Some(5)), "{error}");
}

#[test]
fn common_mistakes_get_plain_messages() {
    let cases = [
        ("trigger.status = \"paid\"", "`=` assigns a value; to compare, use `==`", 16),
        ("trigger.count === 3", "`===` is not an operator; use `==`", 15),
        ("trigger.count !== 3", "`!==` is not an operator; use `!=`", 15),
        ("trigger.public and trigger.count > 1", "write `&&` instead", 16),
        ("trigger.public or trigger.count > 1", "write `||` instead", 16),
        ("trigger.first == 'ada'", "text goes in double quotes: \"ada\"", 18),
        ("trigger.count;", "unexpected `;`", 14),
    ];
    for (source, message, column) in cases {
        let error = compile_err(source);
        assert_message(&error, message);
        assert_eq!(error.column, Some(column), "{error}");
    }
}

#[test]
fn multi_line_script_errors_point_at_the_line() {
    let error = script_compile_err("let a = 1;\nlet b = a +;\nb");
    assert_eq!((error.line, error.column), (Some(2), Some(12)), "{error}");
    let error = script_compile_err(
        "let total = 0;\nfor n in trigger.numbers {\n    total += nmber;\n}\ntotal",
    );
    assert_eq!((error.line, error.column), (Some(3), Some(14)), "{error}");
    assert_message(&error, "unknown variable `nmber`");
}

#[test]
fn unknown_variables_are_compile_errors_with_positions() {
    let error = compile_err("triger.x");
    assert_eq!(
        error,
        ExprError {
            expression: "triger.x".to_owned(),
            message: "unknown variable `triger` (did you mean `trigger`?)".to_owned(),
            line: Some(1),
            column: Some(1),
        }
    );
    assert_eq!(
        error.to_string(),
        "`triger.x`: unknown variable `triger` (did you mean `trigger`?) (line 1, column 1)"
    );
    let error = compile_err("trigger.a + custmer.b");
    assert_eq!(error.column, Some(13));
    assert_message(&error, "the data available is trigger, steps, vars, run, item, index");
    // Scripts may declare their own variables; undeclared ones are still errors.
    assert_eq!(script("let doubled = trigger.count * 2; doubled"), json!(6));
    assert_eq!(script_compile_err("let a = 1;\n\n  a + b").line, Some(3));
}

#[test]
fn all_free_variables_are_known() {
    for source in ["trigger", "steps", "vars", "run", "item", "index"] {
        assert!(engine().compile_expression(source).is_ok(), "{source}");
    }
    // Outside a loop body `item` and `index` read as null.
    assert_eq!(eval("item"), Value::Null);
    assert_eq!(eval("index"), Value::Null);
    assert_eq!(eval("vars.threshold"), json!(100));
    assert_eq!(eval("run.resume_urls.approve"), json!("https://example.com/approve"));
}

#[test]
fn scripts_return_the_last_value_or_return() {
    assert_eq!(
        script("let total = 0;\nfor n in trigger.numbers { total += n; }\ntotal"),
        json!(55)
    );
    assert_eq!(script("if trigger.count > 1 { return \"early\"; }\n\"late\""), json!("early"));
    assert_eq!(script("fn double(x) { x * 2 }\ndouble(trigger.count)"), json!(6));
    assert_eq!(script("let m = #{}; m.a = 1; m.b = [trigger.count]; m"), json!({"a": 1, "b": [3]}));
    assert_eq!(script("let x = 1;"), Value::Null);
    assert_eq!(script("let n = 0; loop { n += 1; if n == 4 { break; } } n"), json!(4));
}

#[test]
fn functions_and_closures_see_the_flow_data() {
    assert_eq!(script("fn total() {\n  trigger.count * steps.cfg.rate\n}\ntotal()"), json!(6));
    // A parameter of the same name wins.
    assert_eq!(script("fn total(trigger) { trigger.count * 2 }\ntotal(#{count: 5})"), json!(10));
    assert_eq!(script("let f = || trigger.count + 1;\nf.call()"), json!(4));
    assert_eq!(script("let f = |x| [x, item];\nf.call(1)"), json!([1, null]));
}

#[test]
fn thrown_errors_keep_their_message_and_position() {
    let error = try_script("let a = 1;\n  throw `bad ${a}`;")
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(error.message, "bad 1");
    assert_eq!(error.line, Some(2));
}

#[test]
fn errors_inside_functions_point_inside_the_function() {
    let error = try_script("fn f(x) {\n  x.no_such_method()\n}\nf(1)")
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!((error.line, error.column), (Some(2), Some(5)), "{error}");
    assert_message(&error, "no function `no_such_method` taking (integer)");
    assert_message(&error, "(in function `f`)");
    let error = try_script("[1, 2].map(|x| x / 0)").err().unwrap_or_else(|| panic!("should fail"));
    assert_message(&error, "Division by zero");
    assert_message(&error, "in a closure");
}

#[test]
fn dynamic_code_and_modules_are_not_available() {
    assert_message(&compile_err("eval(\"1 + 1\")"), "`eval` is not available");
    assert_message(&script_compile_err("import \"x\" as y;\n1"), "`import` is not available");
    // print and debug are accepted and discarded.
    assert_eq!(script("print(\"hello\"); debug(1); 7"), json!(7));
}

#[test]
fn reserved_words_work_as_names() {
    assert_eq!(eval("trigger.public"), json!(true));
    assert_eq!(eval("trigger.default"), json!("reserved word as a key"));
    assert_eq!(
        eval("#{default: 1, new: 2, public: 3}"),
        json!({"default": 1, "new": 2, "public": 3})
    );
    assert_eq!(eval("trigger.nothing == null"), json!(true));
    assert_eq!(eval("null"), Value::Null);
    assert_eq!(eval("default(null, 5)"), json!(5));
    // `call` (a word rhai reserves for function pointers) is a field name flows need:
    // `trigger.call` is every call trigger's normalised call.
    assert_eq!(eval("#{call: #{id: 7}}.call.id"), json!(7));
    assert_eq!(eval("Fn(\"abs\").call(-3)"), json!(3));
}

#[test]
fn expression_errors_become_step_errors() {
    let error = eval_err("trigger.nothing.inner");
    let step_error = StepError::from(error.clone());
    assert_eq!(step_error.kind, ErrorKind::Expression);
    assert_eq!(
        step_error.expression,
        Some(ExpressionFailure {
            expression: "trigger.nothing.inner".to_owned(),
            line: Some(1),
            column: Some(17)
        })
    );
    assert_eq!(step_error.message, error.to_string());
    assert!(
        step_error
            .message
            .starts_with("`trigger.nothing.inner`: cannot read `inner` of an empty value")
    );
}

#[test]
fn long_scripts_are_shortened_in_messages_only() {
    let source = "let a = 1;\nlet b = 2;\nno_such(a)";
    let error = try_script(source).err().unwrap_or_else(|| panic!("should fail"));
    assert_eq!(error.expression, source);
    assert!(error.to_string().starts_with("`let a = 1; …`: "), "{error}");
    assert_eq!(error.line, Some(3));
}
