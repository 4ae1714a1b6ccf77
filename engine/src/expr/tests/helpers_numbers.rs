//! Number helpers.

use serde_json::json;

use super::{assert_message, eval, eval_err};

#[test]
fn round() {
    assert_eq!(eval("round(trigger.amount, 0)"), json!(1235.0));
    assert_eq!(eval("round(2.71828, 2)"), json!(2.72));
    assert_eq!(eval("round(-2.5, 0)"), json!(-3.0));
    assert_eq!(eval("round(1234.5678, -2)"), json!(1200.0));
    assert_eq!(eval("round(2.5)"), json!(3.0));
    assert_eq!(eval("round(7)"), json!(7));
    assert_eq!(eval("round(7, 2)"), json!(7));
    assert_eq!(eval("round(1250, -2)"), json!(1300));
    assert_eq!(eval("round(-1250, -2)"), json!(-1300));
    assert_eq!(eval("round(1249, -2)"), json!(1200));
    assert_eq!(eval("round(1e300, 10)"), json!(1e300));
    assert_message(&eval_err("round(1.5, 99)"), "decimals must be between");
    assert_message(&eval_err("round(9223372036854775807, -1)"), "out of range");
}

#[test]
fn format_number() {
    assert_eq!(eval("format_number(1234.5, 2)"), json!("1,234.50"));
    assert_eq!(eval("trigger.amount.format_number(2)"), json!("1,234.50"));
    assert_eq!(eval("format_number(1234567)"), json!("1,234,567"));
    assert_eq!(eval("format_number(1234567, 2)"), json!("1,234,567.00"));
    assert_eq!(eval("format_number(0.005, 2)"), json!("0.01"));
    assert_eq!(eval("format_number(-1234.5)"), json!("-1,234.50"));
    assert_eq!(eval("format_number(-0.001, 2)"), json!("0.00"));
    assert_eq!(eval("format_number(999, 0)"), json!("999"));
    assert_eq!(eval("format_number(-9223372036854775808)"), json!("-9,223,372,036,854,775,808"));
    assert_eq!(eval("format_number(1234567.891, 2, \".\", \",\")"), json!("1.234.567,89"));
    assert_eq!(eval("format_number(1234567, 0, \" \", \",\")"), json!("1 234 567"));
    assert_message(&eval_err("format_number(1.5, -1)"), "decimals must be between 0 and 20");
    assert_message(&eval_err("format_number(1.0 / 0.0, 2)"), "not a finite number");
}

#[test]
fn conversions() {
    assert_eq!(eval("to_int(\"42\")"), json!(42));
    assert_eq!(eval("to_int(\" 42.9 \")"), json!(42));
    assert_eq!(eval("to_int(-3.7)"), json!(-3));
    assert_eq!(eval("to_int(true)"), json!(1));
    assert_eq!(eval("to_int(trigger.count)"), json!(3));
    assert_message(&eval_err("to_int(\"abc\")"), "to_int: \"abc\" is not a number");
    assert_message(
        &eval_err("to_int(trigger.missing)"),
        "cannot turn an empty value (null) into an integer",
    );
    assert_message(&eval_err("to_int(\"1e30\")"), "does not fit");

    assert_eq!(eval("to_float(\"2.5\")"), json!(2.5));
    assert_eq!(eval("to_float(3)"), json!(3.0));
    assert_eq!(eval("to_float(false)"), json!(0.0));
    assert_message(&eval_err("to_float(\"x\")"), "not a number");

    assert_eq!(eval("parse_number(\"42\")"), json!(42));
    assert_eq!(eval("parse_number(\"-42.5\")"), json!(-42.5));
    assert_eq!(eval("parse_number(\"1,234.56\")"), json!(1234.56));
    assert_eq!(eval("parse_number(\"1,234,567\")"), json!(1_234_567));
    assert_eq!(eval("parse_number(\"1_000\")"), json!(1000));
    assert_eq!(eval("parse_number(\"2e3\")"), json!(2000.0));
    assert_eq!(eval("parse_number(\".5\")"), json!(0.5));
    assert_eq!(eval("parse_number(7)"), json!(7));
    assert_eq!(eval("parse_number(\"99999999999999999999\")"), json!(1e20));
    for bad in ["\"3,5\"", "\"1,23\"", "\"abc\"", "\"\"", "\"inf\"", "\"NaN\"", "\"1.2.3\""] {
        assert_message(&eval_err(&format!("parse_number({bad})")), "is not a number");
    }
    assert_message(&eval_err("parse_number([1])"), "expected text, got an array");
}
