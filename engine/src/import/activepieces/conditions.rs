//! ActivePieces branch conditions → one rhai condition.
//!
//! ActivePieces writes a condition as groups: the outer array is OR, each inner array AND, and each
//! entry `{ firstValue, operator, secondValue, caseSensitive }` compares two templates. The rhai
//! keeps ActivePieces' semantics where they matter for flows: text comparisons are case-insensitive
//! unless `caseSensitive` is set and turn any value into text first, number comparisons convert
//! both sides to numbers, and the iteration index is 1-based (handled by the resolver).

use serde_json::Value;

use super::expressions::{Findings, Resolve, Segment, rhai_string, segments, translate_inner};

/// A condition operand as rhai.
enum Operand {
    /// Literal text (no templates).
    Literal(String),
    /// A single `{{ reference }}`: any JSON type.
    Value(String),
    /// Text with references in it: a rhai string.
    Text(String),
}

/// Translates `conditions` (`[[{…}]]`) to a rhai condition. `what` names the branch in notes.
/// When an operand cannot be translated, that comparison becomes `false` (with the original in a
/// comment) and a note says so: a router must still validate and decide something.
pub(super) fn translate(
    conditions: Option<&Value>,
    what: &str,
    resolver: &dyn Resolve,
    f: &mut Findings,
) -> String {
    let groups: Vec<&Vec<Value>> = conditions
        .and_then(Value::as_array)
        .map(|outer| outer.iter().filter_map(Value::as_array).collect())
        .unwrap_or_default();
    let mut ors = Vec::new();
    for group in &groups {
        let ands: Vec<String> = group.iter().map(|c| comparison(c, what, resolver, f)).collect();
        match ands.len() {
            0 => {}
            1 => ors.push(ands.join("")),
            _ if groups.len() > 1 => ors.push(format!("({})", ands.join(" && "))),
            _ => ors.push(ands.join(" && ")),
        }
    }
    if ors.is_empty() {
        f.approx(format!(
            "{what}: no conditions in the export; ActivePieces never takes such a branch, so its \
             condition is `false`"
        ));
        return "false".into();
    }
    ors.join(" || ")
}

/// One `{ firstValue, operator, secondValue }` as rhai.
fn comparison(c: &Value, what: &str, resolver: &dyn Resolve, f: &mut Findings) -> String {
    let operator = c.get("operator").and_then(Value::as_str).unwrap_or("TEXT_CONTAINS");
    let case_sensitive = c.get("caseSensitive").and_then(Value::as_bool).unwrap_or(false);
    let first = c.get("firstValue").unwrap_or(&Value::Null);
    let second = c.get("secondValue").unwrap_or(&Value::Null);
    let a = match operand(first, resolver, f, what) {
        Ok(a) => a,
        Err(original) => return unconvertible(&original, what, f),
    };
    let single = matches!(
        operator,
        "EXISTS"
            | "DOES_NOT_EXIST"
            | "BOOLEAN_IS_TRUE"
            | "BOOLEAN_IS_FALSE"
            | "LIST_IS_EMPTY"
            | "LIST_IS_NOT_EMPTY"
    );
    let b = if single {
        Operand::Literal(String::new())
    } else {
        match operand(second, resolver, f, what) {
            Ok(b) => b,
            Err(original) => return unconvertible(&original, what, f),
        }
    };
    let text = |o: &Operand| text_of(o, !case_sensitive);
    match operator {
        "TEXT_CONTAINS" => format!("{}.contains({})", text(&a), text(&b)),
        "TEXT_DOES_NOT_CONTAIN" => format!("!{}.contains({})", text(&a), text(&b)),
        "TEXT_EXACTLY_MATCHES" => format!("{} == {}", text(&a), text(&b)),
        "TEXT_DOES_NOT_EXACTLY_MATCH" => format!("{} != {}", text(&a), text(&b)),
        // ActivePieces spells the enum value TEXT_START_WITH.
        "TEXT_START_WITH" | "TEXT_STARTS_WITH" => {
            format!("{}.starts_with({})", text(&a), text(&b))
        }
        "TEXT_DOES_NOT_START_WITH" => format!("!{}.starts_with({})", text(&a), text(&b)),
        "TEXT_ENDS_WITH" => format!("{}.ends_with({})", text(&a), text(&b)),
        "TEXT_DOES_NOT_END_WITH" => format!("!{}.ends_with({})", text(&a), text(&b)),
        "NUMBER_IS_GREATER_THAN" => guarded(&[&a, &b], format!("{} > {}", number(&a), number(&b))),
        "NUMBER_IS_LESS_THAN" => guarded(&[&a, &b], format!("{} < {}", number(&a), number(&b))),
        "NUMBER_IS_EQUAL_TO" => guarded(&[&a, &b], format!("{} == {}", number(&a), number(&b))),
        "BOOLEAN_IS_TRUE" => format!("{} == true", value(&a)),
        "BOOLEAN_IS_FALSE" => format!("{} != true", value(&a)),
        "EXISTS" => {
            let v = value(&a);
            format!("({v} != null && {v} != \"\")")
        }
        "DOES_NOT_EXIST" => {
            let v = value(&a);
            format!("({v} == null || {v} == \"\")")
        }
        "LIST_IS_EMPTY" => format!("is_empty({})", value(&a)),
        "LIST_IS_NOT_EMPTY" => format!("!is_empty({})", value(&a)),
        "LIST_CONTAINS" | "LIST_DOES_NOT_CONTAIN" => {
            if !case_sensitive {
                f.approx(format!(
                    "{what}: `{operator}` compares list items exactly here (ActivePieces ignores \
                     case)"
                ));
            }
            let not = if operator == "LIST_DOES_NOT_CONTAIN" { "!" } else { "" };
            format!("{not}{}.contains({})", atom(&value(&a)), value(&b))
        }
        "DATE_IS_BEFORE" => guarded(&[&a, &b], format!("{} < {}", date(&a), date(&b))),
        "DATE_IS_AFTER" => guarded(&[&a, &b], format!("{} > {}", date(&a), date(&b))),
        "DATE_IS_EQUAL" => guarded(&[&a, &b], format!("{} == {}", date(&a), date(&b))),
        other => {
            f.blocker(format!(
                "{what}: the operator `{other}` is unknown; the comparison is `false`"
            ));
            format!("false /* {} */", comment_safe(other))
        }
    }
}

/// A comparison whose operand is JavaScript: `false`, with the original kept in a comment.
fn unconvertible(original: &str, what: &str, f: &mut Findings) -> String {
    f.approx(format!(
        "{what}: `{original}` is JavaScript, not a plain reference; the comparison is `false` \
         until it is rewritten in rhai"
    ));
    format!("false /* {} */", comment_safe(original))
}

/// A comment body that cannot end the comment early.
fn comment_safe(text: &str) -> String {
    text.replace("*/", "* /")
}

/// Parses one operand; `Err` carries the untranslatable `{{ … }}`.
fn operand(
    value: &Value,
    resolver: &dyn Resolve,
    f: &mut Findings,
    what: &str,
) -> Result<Operand, String> {
    let text = match value {
        Value::String(s) => s.as_str(),
        Value::Null => return Ok(Operand::Literal(String::new())),
        Value::Bool(b) => return Ok(Operand::Literal(b.to_string())),
        Value::Number(n) => return Ok(Operand::Literal(n.to_string())),
        other => return Ok(Operand::Literal(other.to_string())),
    };
    let segs = segments(text);
    let mut parts: Vec<(bool, String)> = Vec::new();
    for seg in &segs {
        match seg {
            Segment::Text(t) => parts.push((false, (*t).to_string())),
            Segment::Template { inner, whole } => match translate_inner(inner, resolver) {
                Ok((rhai, note)) => {
                    if let Some(note) = note {
                        f.approx(format!("{what}: {note}"));
                    }
                    parts.push((true, rhai));
                }
                Err(_) => return Err((*whole).to_string()),
            },
        }
    }
    Ok(match parts.as_slice() {
        [] => Operand::Literal(String::new()),
        [(false, t)] => Operand::Literal(t.clone()),
        [(true, e)] => Operand::Value(e.clone()),
        _ => Operand::Text(
            parts
                .iter()
                .map(
                    |(is_expr, s)| {
                        if *is_expr { format!("{}.to_string()", atom(s)) } else { rhai_string(s) }
                    },
                )
                .collect::<Vec<_>>()
                .join(" + "),
        ),
    })
}

/// The operand as text (lower-cased when `fold`), as ActivePieces compares text.
fn text_of(o: &Operand, fold: bool) -> String {
    match o {
        Operand::Literal(t) if fold => rhai_string(&t.to_lowercase()),
        Operand::Literal(t) => rhai_string(t),
        Operand::Value(e) if fold => format!("{}.to_string().lower()", atom(e)),
        Operand::Value(e) => format!("{}.to_string()", atom(e)),
        Operand::Text(e) if fold => format!("({e}).lower()"),
        Operand::Text(e) => format!("({e})"),
    }
}

/// The operand as a number when it is one, as ActivePieces' `Number(…)`.
fn number(o: &Operand) -> String {
    match o {
        Operand::Literal(t) => match t.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Ok(n) if n.is_finite() => n.to_string(),
            _ => rhai_string(t),
        },
        Operand::Value(e) => format!("to_float({e})"),
        Operand::Text(e) => format!("to_float({e})"),
    }
}

/// `comparison`, false when a referenced operand is missing or empty: ActivePieces compares a
/// missing number as NaN (or an invalid date), which is false, where our conversions would fail
/// the step.
fn guarded(operands: &[&Operand], comparison: String) -> String {
    let guards: Vec<String> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Value(e) => Some(format!("!is_empty({e})")),
            _ => None,
        })
        .collect();
    if guards.is_empty() {
        comparison
    } else {
        format!("({} && {comparison})", guards.join(" && "))
    }
}

/// The operand as a value.
fn value(o: &Operand) -> String {
    match o {
        Operand::Literal(t) => rhai_string(t),
        Operand::Value(e) => e.clone(),
        Operand::Text(e) => format!("({e})"),
    }
}

/// The operand as a comparable instant.
fn date(o: &Operand) -> String {
    format!("to_unix({})", value(o))
}

/// `e` ready to receive a method call: paths as they are, anything else in parentheses.
fn atom(e: &str) -> String {
    if e.contains(' ') && !(e.starts_with('(') && e.ends_with(')')) {
        format!("({e})")
    } else {
        e.to_string()
    }
}
