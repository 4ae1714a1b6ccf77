//! Expression errors, and the translation of rhai's compile and runtime errors into messages a
//! flow author can act on.

use std::fmt;

use rhai::{EvalAltResult, LexError, ParseError, ParseErrorType, Position};

use super::Root;
use super::sandbox::{ExprLimits, TIMEOUT_MARKER};
use crate::step_error::{ErrorKind, ExpressionFailure, StepError};

/// An expression failed to compile or to evaluate.
///
/// The position is relative to the expression source (1-based). For a `{{ }}` inside a longer
/// string, the expression is the text between the braces (trimmed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ExprError {
    /// The expression's source text.
    pub expression: String,
    /// What went wrong, in plain words.
    pub message: String,
    /// 1-based line inside the expression, when known.
    pub line: Option<usize>,
    /// 1-based column inside the expression, when known.
    pub column: Option<usize>,
}

impl ExprError {
    /// An error with no position.
    pub(crate) fn new(expression: &str, message: impl Into<String>) -> Self {
        Self {
            expression: expression.to_owned(),
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// An error at a rhai position (which may be "none").
    pub(crate) fn at(expression: &str, message: impl Into<String>, pos: Position) -> Self {
        Self {
            expression: expression.to_owned(),
            message: message.into(),
            line: pos.line(),
            column: pos.position(),
        }
    }
}

/// `` `<expression>`: <message> (line L, column C) ``. Scripts can be long, so a multi-line or
/// very long expression is shown by its first line (cut at 200 characters) followed by `…`; the
/// `expression` field keeps the whole text.
impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        let trimmed = self.expression.trim();
        let first_line = trimmed.lines().next().unwrap_or("");
        if first_line.len() < trimmed.len() || first_line.chars().count() > MAX {
            let shown: String = first_line.chars().take(MAX).collect();
            write!(f, "`{shown} …`")?;
        } else {
            write!(f, "`{}`", self.expression)?;
        }
        write!(f, ": {}{}", self.message, PositionSuffix(self.line, self.column))
    }
}

/// Renders ` (line L, column C)` when the position is known.
struct PositionSuffix(Option<usize>, Option<usize>);

impl fmt::Display for PositionSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(line), Some(column)) => write!(f, " (line {line}, column {column})"),
            (Some(line), None) => write!(f, " (line {line})"),
            _ => Ok(()),
        }
    }
}

impl From<ExprError> for StepError {
    fn from(error: ExprError) -> Self {
        let message = error.to_string();
        let ExprError { expression, line, column, .. } = error;
        StepError {
            expression: Some(ExpressionFailure { expression, line, column }),
            ..StepError::new(ErrorKind::Expression, message)
        }
    }
}

/// One failing `{{ }}` (or other) expression inside a template, with where it sits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    /// Relative JSON path inside the value given to `compile_template`, e.g. `""` for the value
    /// itself, `".email"`, `".blocks[2].text"`.
    pub path: String,
    /// What is wrong with the expression at that path.
    pub error: ExprError,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "at {}: {}", self.path, self.error)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Compile errors
// ---------------------------------------------------------------------------------------------

/// Translates a rhai parse error.
pub(crate) fn from_parse_error(
    source: &str,
    error: &ParseError,
    expression_only: bool,
) -> ExprError {
    let message = match error.err_type() {
        ParseErrorType::VariableUndefined(name) => unknown_variable(name),
        ParseErrorType::BadInput(LexError::UnexpectedInput(token)) if token == ";" => {
            "unexpected `;`: only a single expression is allowed here (statements belong in a \
             code step)"
                .to_owned()
        }
        ParseErrorType::BadInput(LexError::UnexpectedInput(token)) if token == "=" => {
            "`=` assigns a value; to compare, use `==`".to_owned()
        }
        ParseErrorType::BadInput(LexError::UnexpectedInput(token))
            if matches!(token.as_str(), "and" | "or" | "not") =>
        {
            let operator = match token.as_str() {
                "and" => "&&",
                "or" => "||",
                _ => "!",
            };
            format!("unexpected `{token}`: write `{operator}` instead")
        }
        // rhai words these "'===' is not a valid operator. This is not JavaScript! ...".
        ParseErrorType::BadInput(LexError::UnexpectedInput(text))
            if text.starts_with("'==='") || text.starts_with("'!=='") =>
        {
            let operator = if text.starts_with("'==='") { "==" } else { "!=" };
            format!("`{operator}=` is not an operator; use `{operator}`")
        }
        ParseErrorType::BadInput(LexError::MalformedChar(text)) if text.chars().count() > 1 => {
            format!("single quotes are for one character; text goes in double quotes: \"{text}\"")
        }
        ParseErrorType::BadInput(LexError::UnexpectedInput(token))
            if expression_only && is_statement_keyword(token) =>
        {
            format!(
                "`{token}` is a statement, but only a single expression is allowed here \
                 (statements belong in a code step)"
            )
        }
        ParseErrorType::BadInput(LexError::ImproperSymbol(symbol, _))
        | ParseErrorType::Reserved(symbol)
            if matches!(symbol.as_str(), "eval" | "import" | "export") =>
        {
            format!("`{symbol}` is not available in expressions")
        }
        ParseErrorType::UnexpectedEOF => "the expression is incomplete".to_owned(),
        other => other.to_string(),
    };
    ExprError::at(source, message, error.position())
}

fn is_statement_keyword(token: &str) -> bool {
    matches!(
        token,
        "let"
            | "const"
            | "fn"
            | "for"
            | "while"
            | "loop"
            | "do"
            | "return"
            | "throw"
            | "break"
            | "continue"
            | "try"
            | "import"
            | "export"
    )
}

/// "unknown variable" with a suggestion when the name is a near miss of a known one.
fn unknown_variable(name: &str) -> String {
    let known: Vec<&str> = Root::ALL.iter().map(|root| root.name()).collect();
    match known.iter().find(|candidate| edit_distance(name, candidate) <= 2) {
        Some(suggestion) => format!("unknown variable `{name}` (did you mean `{suggestion}`?)"),
        None => format!(
            "unknown variable `{name}`; the data available is {} (scripts may declare their own \
             with `let`)",
            known.join(", ")
        ),
    }
}

/// Levenshtein distance (short identifiers only, so the quadratic table is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

// ---------------------------------------------------------------------------------------------
// Runtime errors
// ---------------------------------------------------------------------------------------------

/// Translates a rhai runtime error. Errors raised inside functions and closures are unwrapped to
/// the innermost one (its position is inside the same source, which is the useful place to
/// point at) and the call chain is mentioned after the message.
pub(crate) fn from_eval_error(
    source: &str,
    error: &EvalAltResult,
    limits: &ExprLimits,
) -> ExprError {
    let mut frames: Vec<String> = Vec::new();
    let mut innermost = error;
    let mut position = error.position();
    while let EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) = innermost {
        frames.push(if name.starts_with("anon$") {
            "in a closure".to_owned()
        } else {
            format!("in function `{name}`")
        });
        if !pos.is_none() {
            position = *pos;
        }
        innermost = inner;
    }
    if !innermost.position().is_none() {
        position = innermost.position();
    }
    let mut message = describe(innermost, limits);
    if !frames.is_empty() {
        frames.reverse();
        message.push_str(" (");
        message.push_str(&frames.join(", "));
        message.push(')');
    }
    ExprError::at(source, message, position)
}

fn describe(error: &EvalAltResult, limits: &ExprLimits) -> String {
    match error {
        EvalAltResult::ErrorRuntime(value, _) => {
            if value.is_unit() {
                "the script threw an error".to_owned()
            } else {
                value.to_string()
            }
        }
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "stopped after {} operations (is there an endless loop?)",
            limits.max_operations
        ),
        EvalAltResult::ErrorTerminated(token, _)
            if token.as_immutable_string_ref().is_ok_and(|t| t.as_str() == TIMEOUT_MARKER) =>
        {
            match limits.max_duration {
                Some(limit) => format!("stopped after running longer than {limit:?}"),
                None => "stopped after running too long".to_owned(),
            }
        }
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "too many nested function calls (at most {} are allowed)",
            limits.max_call_levels
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => data_too_large(what, limits),
        EvalAltResult::ErrorDataRace(..) => "a closure cannot read a variable that is being \
             iterated or changed at the same time; copy the value into a `let` variable first"
            .to_owned(),
        EvalAltResult::ErrorFunctionNotFound(signature, _) => function_not_found(signature),
        EvalAltResult::ErrorDotExpr(text, _) if text.contains("for type '()'") => {
            match quoted(text) {
                Some(property) => format!(
                    "cannot read `{property}` of an empty value (the value before it is missing \
                     or null); use `?.` to allow a missing value"
                ),
                None => "cannot read a property of an empty value (missing or null)".to_owned(),
            }
        }
        EvalAltResult::ErrorIndexingType(type_name, _) if type_name == "()" => {
            "cannot index into an empty value (the value before `[` is missing or null); use `?[` \
             to allow a missing value"
                .to_owned()
        }
        EvalAltResult::ErrorNonPureMethodCallOnConstant(name, _) => format!(
            "`{name}` would change the run's data, which expressions may only read; copy the value \
             into a `let` variable first"
        ),
        EvalAltResult::ErrorAssignmentToConstant(name, _) => {
            format!("`{name}` is read-only; copy the value into a `let` variable first")
        }
        other => {
            // rhai appends " (line L, position C)"; the position is reported separately.
            let text = other.to_string();
            let position = other.position();
            if position.is_none() {
                text
            } else {
                text.strip_suffix(&format!(" ({position})"))
                    .map_or_else(|| text.clone(), str::to_owned)
            }
        }
    }
}

fn data_too_large(what: &str, limits: &ExprLimits) -> String {
    let limit = match what {
        w if w.contains("string") => Some(("characters", limits.max_string_size)),
        w if w.contains("array") => Some(("elements", limits.max_array_size)),
        w if w.contains("map") => Some(("entries", limits.max_map_size)),
        _ => None,
    };
    match limit {
        Some((unit, max)) => format!("{what} is over the limit of {max} {unit}"),
        None => format!("{what} is over the sandbox limit"),
    }
}

/// The first `'...'`-quoted part of a rhai message.
fn quoted(text: &str) -> Option<&str> {
    let start = text.find('\'')? + 1;
    let len = text[start..].find('\'')?;
    Some(&text[start..start + len])
}

/// rhai writes signatures like `lower (())` or `join (array, &str | ImmutableString | String)`;
/// this spells the types the way the rest of the messages do and explains `()` arguments.
fn function_not_found(signature: &str) -> String {
    let (name, args) = match signature.split_once(" (") {
        Some((name, rest)) => (name, rest.strip_suffix(')').unwrap_or(rest)),
        None => (signature, ""),
    };
    let types: Vec<&str> = if args.is_empty() { Vec::new() } else { split_types(args) };
    let friendly: Vec<&str> = types.iter().map(|t| friendly_type(t)).collect();
    let mut message = if friendly.is_empty() {
        format!("there is no function `{name}` without arguments")
    } else {
        format!("there is no function `{name}` taking ({})", friendly.join(", "))
    };
    if types.iter().any(|t| t.trim() == "()") {
        message.push_str(
            "; an argument is empty (a missing field or null): use default(x, fallback) or `?.`",
        );
    }
    message
}

/// Splits rhai's argument list at top-level commas (`|` alternatives contain no commas).
fn split_types(args: &str) -> Vec<&str> {
    args.split(", ").map(str::trim).collect()
}

fn friendly_type(rust_type: &str) -> &str {
    match rust_type.trim() {
        "()" => "null",
        "i64" | "i32" => "integer",
        "f64" | "f32" => "decimal number",
        "bool" => "boolean",
        "char" => "character",
        "map" => "object",
        "array" => "array",
        "blob" => "blob",
        "Fn" => "function",
        t if t.contains("ImmutableString") || t == "string" => "string",
        t => t,
    }
}
