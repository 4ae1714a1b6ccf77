//! n8n parameter values → our templates and rhai expressions.
//!
//! An n8n parameter that starts with `=` is an expression: literal text with `{{ JavaScript }}`
//! parts. Each part is parsed ([`js`]) and rewritten as rhai ([`emit`]); the text around it stays
//! text. A parameter without `=` is literal text, in which a `{{` must be escaped so that our
//! template engine does not read it as an expression. Every emitted expression is compiled once
//! here as a safety net, so a translation never produces a template that fails validation.

pub(super) mod emit;
mod js;
mod json_text;
mod library;

use serde_json::{Map, Value};

use crate::expr::ExprEngine;

pub(super) use emit::{Access, Key, Out, Reads, Resolve, Ty};

/// A piece of an n8n expression string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// The JavaScript between `{{` and `}}`, trimmed.
    Code(&'a str),
}

/// A parameter value that could not be translated.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Failure {
    /// The original text.
    pub original: String,
    /// Why.
    pub reason: String,
}

/// Literal text made safe for our templates: `{{` becomes `{{ "{{" }}`.
pub(super) fn literal_text(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// Splits the text of an expression (after the `=`) into text and code. A `{{` without a closing
/// `}}` is text, as n8n treats it.
pub(super) fn split(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let open = rest + found;
        let Some(len) = code_len(&text[open + 2..]) else { break };
        if open > rest {
            out.push(Piece::Text(&text[rest..open]));
        }
        out.push(Piece::Code(text[open + 2..open + 2 + len].trim()));
        rest = open + 2 + len + 2;
    }
    if rest < text.len() {
        out.push(Piece::Text(&text[rest..]));
    }
    out
}

/// The length of the code up to the `}}` that closes it, skipping strings and nested braces.
fn code_len(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    // An unbalanced quote or brace: fall back to the first `}}`, as n8n's own splitter does.
    body.find("}}")
}

/// Translates parameter values for one node.
pub(super) struct Translator<'a> {
    resolve: &'a dyn Resolve,
    engine: &'a ExprEngine,
}

impl<'a> Translator<'a> {
    /// A translator resolving data references with `resolve`; `engine` checks the results.
    pub fn new(resolve: &'a dyn Resolve, engine: &'a ExprEngine) -> Self {
        Self { resolve, engine }
    }

    /// One `{{ }}` part as a checked rhai expression.
    pub fn code(&self, js_source: &str, reads: &mut Reads) -> Result<Out, String> {
        let parsed = js::parse(js_source)?;
        let mut emitter = emit::Emitter::new(self.resolve);
        let out = emitter.emit(&parsed)?;
        self.engine
            .compile_expression(&out.code)
            .map_err(|e| format!("the translation `{}` does not compile: {e}", out.code))?;
        merge_reads(reads, emitter.reads);
        Ok(out)
    }

    /// A prop value: expressions become templates, literal text is escaped, objects and arrays
    /// are translated element by element. A string that cannot be translated is kept as literal
    /// text and reported in `failures`.
    pub fn value(&self, v: &Value, reads: &mut Reads, failures: &mut Vec<Failure>) -> Value {
        match v {
            Value::String(s) => match s.strip_prefix('=') {
                Some(expr) => match self.template(expr, reads) {
                    Ok(t) => Value::String(t),
                    Err(reason) => {
                        failures.push(Failure { original: s.clone(), reason });
                        Value::String(literal_text(s))
                    }
                },
                None => Value::String(literal_text(s)),
            },
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.value(i, reads, failures)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| (k.clone(), self.value(v, reads, failures))).collect(),
            ),
            other => other.clone(),
        }
    }

    /// The text of an expression (after `=`) as one of our templates.
    fn template(&self, text: &str, reads: &mut Reads) -> Result<String, String> {
        let pieces = split(text);
        let mut out = String::new();
        let mut local = Reads::default();
        for p in &pieces {
            match p {
                Piece::Text(t) => out.push_str(&literal_text(t)),
                Piece::Code(c) => {
                    let code = self.code(c, &mut local)?;
                    out.push_str("{{ ");
                    out.push_str(&code.code);
                    out.push_str(" }}");
                }
            }
        }
        merge_reads(reads, local);
        Ok(out)
    }

    /// A parameter as a rhai expression (for conditions and computed values): literals become
    /// rhai literals, expressions their translation, mixed text a string concatenation.
    pub fn expr(&self, v: &Value, reads: &mut Reads) -> Result<Out, String> {
        let Some(s) = v.as_str() else { return Ok(Out { code: json_to_rhai(v), ty: ty_of(v) }) };
        let Some(text) = s.strip_prefix('=') else {
            return Ok(Out { code: emit::quote(s), ty: Ty::Str });
        };
        let pieces = split(text);
        let mut local = Reads::default();
        let out = match pieces.as_slice() {
            [] => Out { code: "\"\"".into(), ty: Ty::Str },
            [Piece::Code(c)] => self.code(c, &mut local)?,
            _ => {
                let mut code = String::from("(\"\"");
                for p in &pieces {
                    code.push_str(" + ");
                    match p {
                        Piece::Text(t) => code.push_str(&emit::quote(t)),
                        Piece::Code(c) => {
                            code.push_str(&format!("to_string({})", self.code(c, &mut local)?.code))
                        }
                    }
                }
                code.push(')');
                Out { code, ty: Ty::Str }
            }
        };
        merge_reads(reads, local);
        Ok(out)
    }

    /// A JSON parameter written as text (`jsonBody`, `responseBody`, `jsonOutput`), possibly with
    /// `{{ }}` expressions inside, as a value whose strings are templates. `Ok(None)` for an
    /// empty text.
    pub fn json_text(&self, v: &Value, reads: &mut Reads) -> Result<Option<Value>, String> {
        match v {
            Value::String(s) => json_text::translate(self, s, reads),
            Value::Null => Ok(None),
            other => {
                let mut failures = Vec::new();
                let value = self.value(other, reads, &mut failures);
                match failures.into_iter().next() {
                    Some(f) => Err(f.reason),
                    None => Ok(Some(value)),
                }
            }
        }
    }
}

fn merge_reads(into: &mut Reads, from: Reads) {
    into.steps.extend(from.steps);
    into.item |= from.item;
    into.unconverted.extend(from.unconverted);
    for c in from.caveats {
        if !into.caveats.contains(&c) {
            into.caveats.push(c);
        }
    }
}

fn ty_of(v: &Value) -> Ty {
    match v {
        Value::Bool(_) => Ty::Bool,
        Value::Number(_) => Ty::Num,
        Value::String(_) => Ty::Str,
        _ => Ty::Any,
    }
}

/// A JSON value as a rhai literal.
pub(super) fn json_to_rhai(v: &Value) -> String {
    match v {
        Value::Null => "()".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), emit::number),
        Value::String(s) => emit::quote(s),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(json_to_rhai).collect::<Vec<_>>().join(", "))
        }
        Value::Object(map) => format!("#{{{}}}", object_fields(map)),
    }
}

fn object_fields(map: &Map<String, Value>) -> String {
    map.iter()
        .map(|(k, v)| format!("{}: {}", emit::quote(k), json_to_rhai(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_code() {
        assert_eq!(
            split("Hi {{ $json.name }}, {{ '}}' }}!"),
            vec![
                Piece::Text("Hi "),
                Piece::Code("$json.name"),
                Piece::Text(", "),
                Piece::Code("'}}'"),
                Piece::Text("!")
            ]
        );
        assert_eq!(split("no code {{ here"), vec![Piece::Text("no code {{ here")]);
        assert_eq!(literal_text("a {{b}}"), "a {{ \"{{\" }}b}}");
    }
}
