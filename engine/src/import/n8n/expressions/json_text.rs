//! JSON written as text with `{{ }}` expressions inside it (n8n's `jsonBody`, `responseBody`,
//! `jsonOutput`), turned into a JSON value whose strings are our templates.
//!
//! Each expression is swapped for a marker (quoted when it stands outside a JSON string, as in
//! `"count": {{ $json.n }}`), the result is parsed as JSON, and the markers are swapped back as
//! `{{ rhai }}` parts. A value that is exactly one bare expression keeps its type.

use serde_json::Value;

use super::{Piece, Reads, Translator, literal_text, split};

fn marker(n: usize) -> String {
    format!("@@n8n-expr-{n}@@")
}

/// Translates the text `s` (with or without the leading `=`).
pub(super) fn translate(
    tr: &Translator<'_>,
    s: &str,
    reads: &mut Reads,
) -> Result<Option<Value>, String> {
    let (text, is_expr) = match s.strip_prefix('=') {
        Some(t) => (t, true),
        None => (s, false),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let pieces = if is_expr { split(text) } else { vec![Piece::Text(text)] };
    // The whole text is one expression (`={{ $json }}`, `={{ JSON.stringify(...) }}`).
    if let [Piece::Code(c)] = pieces.as_slice() {
        let out = tr.code(c, reads)?;
        return Ok(Some(Value::String(format!("{{{{ {} }}}}", out.code))));
    }
    let mut json = String::new();
    let mut codes = Vec::new();
    let mut in_string = false;
    for p in &pieces {
        match p {
            Piece::Text(t) => {
                let mut escaped = false;
                for c in t.chars() {
                    if in_string {
                        if escaped {
                            escaped = false;
                        } else if c == '\\' {
                            escaped = true;
                        } else if c == '"' {
                            in_string = false;
                        }
                    } else if c == '"' {
                        in_string = true;
                    }
                }
                json.push_str(t);
            }
            Piece::Code(c) => {
                let out = tr.code(c, reads)?;
                let m = marker(codes.len());
                if in_string {
                    json.push_str(&m);
                } else {
                    json.push('"');
                    json.push_str(&m);
                    json.push('"');
                }
                codes.push(out.code);
            }
        }
    }
    let parsed: Value = serde_json::from_str(&json)
        .map_err(|e| format!("it is not valid JSON once its expressions are filled in ({e})"))?;
    restore(parsed, &codes).map(Some)
}

fn restore(v: Value, codes: &[String]) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(restore_text(&s, codes)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| restore(i, codes)).collect::<Result<_, _>>()?)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if k.contains("@@n8n-expr-") {
                    return Err("an object key made by an expression is not supported".into());
                }
                out.insert(k, restore(v, codes)?);
            }
            Value::Object(out)
        }
        other => other,
    })
}

/// A string with markers as template text: the text around them escaped, each marker a `{{ }}`.
fn restore_text(s: &str, codes: &[String]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("@@n8n-expr-") {
        let after = &rest[start + 11..];
        let Some(end) = after.find("@@") else { break };
        let Some(code) = after[..end].parse::<usize>().ok().and_then(|n| codes.get(n)) else {
            break;
        };
        out.push_str(&literal_text(&rest[..start]));
        out.push_str("{{ ");
        out.push_str(code);
        out.push_str(" }}");
        rest = &after[end + 2..];
    }
    out.push_str(&literal_text(rest));
    out
}
