//! n8n conditions (IF, Filter, Switch rules) → rhai boolean expressions.
//!
//! Two formats exist: the filter format of IF v2+, Filter v2+ and Switch v3 (`conditions[]` with
//! `leftValue`, `rightValue`, `operator {type, operation}` and a `combinator`), and the legacy
//! format of IF v1, Filter v1 and Switch v1/v2 (`conditions.string[]`, `conditions.number[]` …
//! with `value1`, `operation`, `value2`). Both become one rhai expression. A regular-expression
//! operation has no helper here, so it is reported as not translatable.

use serde_json::Value;

use super::expressions::{Out, Reads, Translator, Ty};

/// Options of a condition group.
#[derive(Debug, Clone, Copy)]
struct Opts {
    case_sensitive: bool,
    loose: bool,
}

/// A filter-format group (`{ options, conditions: [...], combinator }`). `loose` is the node's
/// `looseTypeValidation` setting.
pub(super) fn filter(
    tr: &Translator<'_>,
    group: &Value,
    loose: bool,
    reads: &mut Reads,
) -> Result<String, String> {
    let options = group.get("options");
    let opts = Opts {
        case_sensitive: options
            .and_then(|o| o.get("caseSensitive"))
            .and_then(Value::as_bool)
            .unwrap_or(true),
        loose: loose
            || options.and_then(|o| o.get("typeValidation")).and_then(Value::as_str)
                == Some("loose"),
    };
    let combinator = match group.get("combinator").and_then(Value::as_str) {
        Some("or") => " || ",
        _ => " && ",
    };
    let list = group.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut parts = Vec::with_capacity(list.len());
    for c in &list {
        let operator = c.get("operator");
        let ty = operator.and_then(|o| o.get("type")).and_then(Value::as_str).unwrap_or("string");
        let op =
            operator.and_then(|o| o.get("operation")).and_then(Value::as_str).unwrap_or("equals");
        let left = c.get("leftValue").unwrap_or(&Value::Null);
        let right = c.get("rightValue").unwrap_or(&Value::Null);
        parts.push(compare(tr, ty, op, left, right, opts, reads)?);
    }
    Ok(join(parts, combinator))
}

/// A legacy group (`{ string: [...], number: [...], boolean: [...], dateTime: [...] }`), all of
/// whose conditions must hold (`all`) or any.
pub(super) fn legacy(
    tr: &Translator<'_>,
    groups: &Value,
    all: bool,
    reads: &mut Reads,
) -> Result<String, String> {
    let mut parts = Vec::new();
    for ty in ["boolean", "dateTime", "number", "string"] {
        for c in groups.get(ty).and_then(Value::as_array).into_iter().flatten() {
            let op = c.get("operation").and_then(Value::as_str).unwrap_or(match ty {
                "number" => "smaller",
                "dateTime" => "after",
                _ => "equal",
            });
            let v1 = c.get("value1").unwrap_or(&Value::Null);
            let v2 = c.get("value2").unwrap_or(&Value::Null);
            parts.push(legacy_compare(tr, ty, op, v1, v2, reads)?);
        }
    }
    Ok(join(parts, if all { " && " } else { " || " }))
}

/// One legacy comparison (also used by Switch v1/v2 rules).
pub(super) fn legacy_compare(
    tr: &Translator<'_>,
    ty: &str,
    op: &str,
    v1: &Value,
    v2: &Value,
    reads: &mut Reads,
) -> Result<String, String> {
    let op = match op {
        "equal" => "equals",
        "notEqual" => "notEquals",
        "smaller" => "lt",
        "smallerEqual" => "lte",
        "larger" => "gt",
        "largerEqual" => "gte",
        "isEmpty" => "empty",
        "isNotEmpty" => "notEmpty",
        other => other,
    };
    compare(tr, ty, op, v1, v2, Opts { case_sensitive: true, loose: false }, reads)
}

fn join(parts: Vec<String>, combinator: &str) -> String {
    match parts.len() {
        0 => "true".into(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(combinator),
    }
}

/// An operand: an expression, or a literal read as the comparison's type.
fn operand(tr: &Translator<'_>, v: &Value, ty: &str, reads: &mut Reads) -> Result<Out, String> {
    if let Some(s) = v.as_str()
        && !s.starts_with('=')
    {
        match ty {
            "number" => {
                if let Ok(n) = s.trim().parse::<f64>() {
                    return Ok(Out { code: super::expressions::emit::number(n), ty: Ty::Num });
                }
            }
            "boolean" if s == "true" || s == "false" => {
                return Ok(Out { code: s.to_owned(), ty: Ty::Bool });
            }
            _ => {}
        }
    }
    tr.expr(v, reads)
}

fn compare(
    tr: &Translator<'_>,
    ty: &str,
    op: &str,
    left: &Value,
    right: &Value,
    opts: Opts,
    reads: &mut Reads,
) -> Result<String, String> {
    let l = operand(tr, left, ty, reads)?;
    // Operations on one value ignore the right-hand side, which n8n leaves as "".
    let single = matches!(op, "exists" | "notExists" | "empty" | "notEmpty" | "true" | "false");
    let r = if single {
        Out { code: "()".into(), ty: Ty::Any }
    } else {
        operand(tr, right, ty, reads)?
    };
    let (mut lc, mut rc) = (l.code.clone(), r.code.clone());
    if ty == "string" && matches!(op, "regex" | "notRegex") {
        let pattern = regex_pattern(right, opts.case_sensitive)?;
        let test =
            format!("matches(to_string({lc}), {})", super::expressions::emit::quote(&pattern));
        return Ok(if op == "regex" { test } else { format!("!{test}") });
    }
    if ty == "string" && !opts.case_sensitive {
        lc = format!("lower(to_string({lc}))");
        rc = match right.as_str() {
            // A literal is lowered here rather than on every run.
            Some(t) if !t.starts_with('=') => super::expressions::emit::quote(&t.to_lowercase()),
            _ => format!("lower(to_string({rc}))"),
        };
    } else if ty == "string"
        && l.ty != Ty::Str
        && (matches!(
            op,
            "contains"
                | "notContains"
                | "startsWith"
                | "notStartsWith"
                | "endsWith"
                | "notEndsWith"
        ) || (opts.loose && matches!(op, "equals" | "notEquals")))
    {
        // String methods need a string: a missing field reads as "" (so it matches nothing).
        lc = format!("to_string({lc})");
    } else if ty == "number" && opts.loose && l.ty != Ty::Num {
        lc = format!("parse_number(to_string({lc}))");
    }
    let common = match op {
        "exists" => Some(format!("{lc} != ()")),
        "notExists" => Some(format!("{lc} == ()")),
        "empty" => Some(format!("is_empty({lc})")),
        "notEmpty" => Some(format!("!is_empty({lc})")),
        _ => None,
    };
    if let Some(c) = common {
        return Ok(c);
    }
    let unsupported = || format!("the {ty} condition `{op}` is not supported");
    Ok(match ty {
        "string" => match op {
            "equals" => format!("{lc} == {rc}"),
            "notEquals" => format!("{lc} != {rc}"),
            "contains" => format!("{lc}.contains({rc})"),
            "notContains" => format!("!{lc}.contains({rc})"),
            "startsWith" => format!("{lc}.starts_with({rc})"),
            "notStartsWith" => format!("!{lc}.starts_with({rc})"),
            "endsWith" => format!("{lc}.ends_with({rc})"),
            "notEndsWith" => format!("!{lc}.ends_with({rc})"),
            _ => return Err(unsupported()),
        },
        "number" => match op {
            "equals" => format!("{lc} == {rc}"),
            "notEquals" => format!("{lc} != {rc}"),
            "gt" => format!("{lc} > {rc}"),
            "lt" => format!("{lc} < {rc}"),
            "gte" => format!("{lc} >= {rc}"),
            "lte" => format!("{lc} <= {rc}"),
            _ => return Err(unsupported()),
        },
        "boolean" => match op {
            "true" if opts.loose => format!("({lc} == true || {lc} == \"true\")"),
            "false" if opts.loose => format!("({lc} == false || {lc} == \"false\")"),
            "true" => format!("{lc} == true"),
            "false" => format!("{lc} == false"),
            "equals" => format!("{lc} == {rc}"),
            "notEquals" => format!("{lc} != {rc}"),
            _ => return Err(unsupported()),
        },
        "dateTime" => {
            let (a, b) = (format!("to_unix({lc})"), format!("to_unix({rc})"));
            match op {
                "equals" => format!("{a} == {b}"),
                "notEquals" => format!("{a} != {b}"),
                "after" => format!("{a} > {b}"),
                "before" => format!("{a} < {b}"),
                "afterOrEquals" => format!("{a} >= {b}"),
                "beforeOrEquals" => format!("{a} <= {b}"),
                _ => return Err(unsupported()),
            }
        }
        "array" => match op {
            "contains" => format!("default({lc}, []).contains({rc})"),
            "notContains" => format!("!default({lc}, []).contains({rc})"),
            "lengthEquals" => format!("len({lc}) == {rc}"),
            "lengthNotEquals" => format!("len({lc}) != {rc}"),
            "lengthGt" => format!("len({lc}) > {rc}"),
            "lengthLt" => format!("len({lc}) < {rc}"),
            "lengthGte" => format!("len({lc}) >= {rc}"),
            "lengthLte" => format!("len({lc}) <= {rc}"),
            _ => return Err(unsupported()),
        },
        _ => return Err(unsupported()),
    })
}

/// n8n's regex operand (`/^\d+$/i` or a bare pattern) as a pattern for our `matches` helper, with
/// its flags inline (`(?i)`); refused when it is an expression or uses what our regular
/// expressions lack (look-around, back-references).
fn regex_pattern(right: &Value, case_sensitive: bool) -> Result<String, String> {
    let text = match right.as_str() {
        Some(t) if !t.starts_with('=') => t,
        _ => return Err("a regular expression given by an expression is not supported".into()),
    };
    let (body, flags) = match text.strip_prefix('/').and_then(|rest| rest.rsplit_once('/')) {
        Some((body, flags)) if flags.chars().all(|c| "gimsuyd".contains(c)) => (body, flags),
        _ => (text, ""),
    };
    let mut inline: String = flags.chars().filter(|c| "ims".contains(*c)).collect();
    if !case_sensitive && !inline.contains('i') {
        inline.push('i');
    }
    let pattern = if inline.is_empty() { body.to_owned() } else { format!("(?{inline}){body}") };
    crate::expr::check_pattern(&pattern)
        .map_err(|e| format!("the regular expression {text:?} cannot be used here: {e}"))?;
    Ok(pattern)
}
