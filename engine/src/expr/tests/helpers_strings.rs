//! String helpers, called both as functions and as methods on the (read-only) run data.

use serde_json::{Value, json};

use super::{assert_message, eval, eval_err, script};

#[test]
fn case() {
    assert_eq!(eval("trigger.email.lower()"), json!("ada@example.com"));
    assert_eq!(eval("lower(trigger.email)"), json!("ada@example.com"));
    assert_eq!(eval("trigger.first.upper()"), json!("ADA"));
    assert_eq!(eval("upper(\"straße\")"), json!("STRASSE"));
    assert_eq!(eval("trigger.first.capitalize()"), json!("Ada"));
    assert_eq!(eval("capitalize(\"jOHN\")"), json!("John"));
    assert_eq!(eval("capitalize(\"\")"), json!(""));
    assert_eq!(eval("title_case(\"hello wORLD-wide o'neil\")"), json!("Hello World-Wide O'neil"));
    assert_eq!(eval("trigger.name.trim().title_case()"), json!("Ada Lovelace"));
    // rhai's own names still work.
    assert_eq!(eval("trigger.first.to_upper()"), json!("ADA"));
}

#[test]
fn trim_returns_the_trimmed_value() {
    assert_eq!(eval("trigger.name.trim()"), json!("Ada Lovelace"));
    assert_eq!(eval("trim(trigger.name)"), json!("Ada Lovelace"));
    assert_eq!(eval("trigger.name.trim_start()"), json!("Ada Lovelace "));
    assert_eq!(eval("trigger.name.trim_end()"), json!("  Ada Lovelace"));
    // On a script variable too: the variable itself is left alone.
    assert_eq!(script("let s = \"  x  \"; let t = s.trim(); [s, t]"), json!(["  x  ", "x"]));
}

#[test]
fn split_and_join() {
    assert_eq!(eval("\"a,b,,c\".split(\",\")"), json!(["a", "b", "", "c"]));
    assert_eq!(eval("split(\"abc\", \"\")"), json!(["a", "b", "c"]));
    assert_eq!(eval("trigger.name.split()"), json!(["Ada", "Lovelace"]));
    assert_eq!(eval("trigger.tags.join(\", \")"), json!("a, b"));
    assert_eq!(eval("join(trigger.tags)"), json!("a,b"));
    assert_eq!(
        eval("[1, 2.5, true, (), \"s\", [1], #{k: 1}].join(\"|\")"),
        json!("1|2.5|true||s|[1]|{\"k\":1}")
    );
    assert_eq!(eval("[].join(\"-\")"), json!(""));
    assert_eq!(eval("trigger.name.trim().split(\" \").join(\"_\")"), json!("Ada_Lovelace"));
}

#[test]
fn replace_contains_and_affixes() {
    assert_eq!(eval("trigger.first.replace(\"a\", \"4\")"), json!("4d4"));
    assert_eq!(eval("replace(\"aaa\", \"\", \"x\")"), json!("aaa"));
    assert_eq!(eval("trigger.email.contains(\"@\")"), json!(true));
    assert_eq!(eval("trigger.tags.contains(\"b\")"), json!(true));
    assert_eq!(eval("trigger.nested.contains(\"deep\")"), json!(true));
    assert_eq!(eval("\"b\" in trigger.tags"), json!(true));
    assert_eq!(eval("trigger.email.starts_with(\"ADA\")"), json!(true));
    assert_eq!(eval("trigger.email.ends_with(\".org\")"), json!(false));
    assert_eq!(eval("trigger.first.index_of(\"d\")"), json!(1));
}

#[test]
fn truncate() {
    assert_eq!(eval("truncate(\"Hello world\", 5)"), json!("Hello"));
    assert_eq!(eval("\"Hello world\".truncate(20)"), json!("Hello world"));
    assert_eq!(eval("\"Hello world\".truncate(8, \"…\")"), json!("Hello w…"));
    assert_eq!(eval("\"Hello\".truncate(8, \"…\")"), json!("Hello"));
    assert_eq!(eval("\"Hello world\".truncate(2, \"...\")"), json!("He"));
    assert_eq!(eval("\"héllo\".truncate(2)"), json!("hé"));
    assert_message(&eval_err("\"x\".truncate(-1)"), "must not be negative");
    // Arrays keep rhai's own `truncate` (in place) on script variables.
    assert_eq!(script("let a = [1, 2, 3]; a.truncate(1); a"), json!([1]));
}

#[test]
fn pad() {
    assert_eq!(eval("\"7\".pad_start(3, \"0\")"), json!("007"));
    assert_eq!(eval("pad_end(\"ab\", 5, \"-=\")"), json!("ab-=-"));
    assert_eq!(eval("\"ab\".pad(4, \".\")"), json!("ab.."));
    assert_eq!(eval("trigger.first.pad(2, \"*\")"), json!("ada"));
    assert_eq!(eval("\"x\".pad(3, '_')"), json!("x__"));
    assert_eq!(eval("\"x\".pad_start(3, \"\")"), json!("x"));
    assert_message(&eval_err("\"x\".pad(-1, \" \")"), "must not be negative");
}

#[test]
fn slugify() {
    assert_eq!(eval("slugify(\"Crème Brûlée: 2 Ways!\")"), json!("creme-brulee-2-ways"));
    assert_eq!(eval("\"  --Hello__World--  \".slugify()"), json!("hello-world"));
    assert_eq!(eval("slugify(\"Straße & Æble\")"), json!("strasse-aeble"));
    assert_eq!(eval("slugify(\"日本\")"), json!(""));
}

#[test]
fn emptiness_and_length() {
    for (source, expected) in [
        ("is_empty(trigger.empty)", true),
        ("trigger.empty.is_empty()", true),
        ("is_empty(trigger.nothing)", true),
        ("is_empty(trigger.missing)", true),
        ("is_empty([])", true),
        ("is_empty(#{})", true),
        ("is_empty(trigger.first)", false),
        ("trigger.tags.is_empty()", false),
        ("trigger.nested.is_empty()", false),
        ("is_empty(0)", false),
        ("is_empty(false)", false),
    ] {
        assert_eq!(eval(source), Value::Bool(expected), "{source}");
    }
    assert_eq!(eval("trigger.first.len()"), json!(3));
    assert_eq!(eval("len(\"héllo\")"), json!(5));
    assert_eq!(eval("trigger.tags.len()"), json!(2));
    assert_eq!(eval("trigger.nested.len()"), json!(1));
    assert_eq!(eval("len(trigger.missing)"), json!(0));
}

#[test]
fn helpful_error_for_a_missing_value() {
    let error = eval_err("trigger.missing.upper()");
    assert_message(&error, "there is no function `upper` taking (null)");
    assert_message(&error, "use default(x, fallback)");
    assert_eq!(error.column, Some(17));
}

#[test]
fn matches_tests_a_regular_expression() {
    assert_eq!(eval("trigger.email.matches(\"@Example\\\\.com$\")"), json!(true));
    assert_eq!(eval("matches(trigger.email, \"^ada\")"), json!(false));
    assert_eq!(eval("matches(trigger.email, \"(?i)^ada\")"), json!(true));
    assert_eq!(eval("matches(\"+49 151 1234\", \"^\\\\+\\\\d{2}\")"), json!(true));
    // The same pattern again comes from the cache.
    assert_eq!(
        eval("[matches(\"a1\", \"\\\\d\"), matches(\"b\", \"\\\\d\")]"),
        json!([true, false])
    );
    assert_message(
        &eval_err("matches(\"x\", \"(unclosed\")"),
        "matches: the pattern \"(unclosed\" is not valid",
    );
    // Look-around is not supported (every pattern runs in linear time).
    assert_message(&eval_err("matches(\"x\", \"(?=x)\")"), "matches: the pattern");
}
