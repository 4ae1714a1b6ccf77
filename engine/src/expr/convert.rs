//! Conversions between JSON and rhai values, and the text form used for interpolation.
//!
//! JSON integers become rhai `INT` (i64), other numbers `FLOAT`; `null` becomes `()`. Going back,
//! `()` is `null`, integers stay integers and floats stay floats (`5000.0` renders as `5000.0`),
//! and a non-finite float is an error rather than a panic or a silent `null`.

use std::fmt::Write as _;

use rhai::{Array, Dynamic, INT, ImmutableString, Map};
use serde_json::{Number, Value};

/// How deep a rhai value may nest when converted to JSON. Matches `serde_json`'s own parse
/// limit; it also keeps the recursive conversion far away from the end of a 2 MiB worker stack
/// when a script builds a pathologically nested value.
const MAX_DEPTH: usize = 128;

/// Converts a JSON value into a rhai value (a deep conversion; callers convert only what an
/// expression reads).
pub(crate) fn json_to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => number_to_dynamic(n),
        Value::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        Value::Array(items) => {
            Dynamic::from_array(items.iter().map(json_to_dynamic).collect::<Array>())
        }
        Value::Object(entries) => {
            let mut map = Map::new();
            for (key, item) in entries {
                map.insert(key.as_str().into(), json_to_dynamic(item));
            }
            Dynamic::from_map(map)
        }
    }
}

/// A JSON number as rhai sees it: integers that fit i64 are `INT`, everything else `FLOAT`
/// (u64 values above `i64::MAX` lose precision, as they would in JavaScript).
fn number_to_dynamic(n: &Number) -> Dynamic {
    if let Some(i) = n.as_i64() {
        Dynamic::from_int(i)
    } else {
        // `as_f64` only fails for arbitrary-precision numbers, which this workspace does not
        // enable; NaN keeps the failure visible instead of inventing a value.
        Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// Converts a rhai value to JSON. Fails (with a plain-words message) for values JSON cannot hold:
/// non-finite floats, function pointers, timestamps and anything nested too deeply.
pub(crate) fn dynamic_to_json(value: &Dynamic) -> Result<Value, String> {
    to_json_at(value, 0)
}

fn to_json_at(value: &Dynamic, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("the value is nested more than {MAX_DEPTH} levels deep"));
    }
    if value.is_shared() {
        // Closures may hand back shared values; read through the lock (one level at a time).
        return to_json_at(&value.flatten_clone(), depth);
    }
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(f) = value.as_float() {
        return float_to_json(f);
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        return Ok(Value::String(s.as_str().to_owned()));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if let Ok(items) = value.as_array_ref() {
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            out.push(to_json_at(item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(map) = value.as_map_ref() {
        let mut out = serde_json::Map::with_capacity(map.len());
        for (key, item) in map.iter() {
            out.insert(key.to_string(), to_json_at(item, depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    if let Ok(blob) = value.as_blob_ref() {
        return Ok(Value::Array(blob.iter().map(|b| Value::Number((*b).into())).collect()));
    }
    Err(format!("{} cannot be turned into JSON", with_article(type_label(value))))
}

/// A float as a JSON number; NaN and infinities have no JSON form.
pub(crate) fn float_to_json(f: f64) -> Result<Value, String> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| format!("the result is not a finite number ({f})"))
}

/// Appends the interpolation text of a rhai value: strings as they are, numbers and booleans in
/// their natural form, `()` as nothing, arrays and maps as compact JSON.
pub(crate) fn append_text(out: &mut String, value: &Dynamic) -> Result<(), String> {
    if value.is_shared() {
        return append_text(out, &value.flatten_clone());
    }
    if value.is_unit() {
        return Ok(());
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        out.push_str(s.as_str());
        return Ok(());
    }
    if let Ok(c) = value.as_char() {
        out.push(c);
        return Ok(());
    }
    if let Ok(i) = value.as_int() {
        // Writing to a String cannot fail.
        let _ = write!(out, "{i}");
        return Ok(());
    }
    if let Ok(b) = value.as_bool() {
        out.push_str(if b { "true" } else { "false" });
        return Ok(());
    }
    let json = dynamic_to_json(value)?;
    append_json_text(out, &json);
    Ok(())
}

/// The interpolation text of a JSON value (same rules as [`append_text`]).
pub(crate) fn append_json_text(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Array(_) | Value::Object(_) => {
            // Serialising a `Value` to a String cannot fail (keys are always strings).
            let _ = write!(out, "{value}");
        }
    }
}

/// The text form of a rhai value as a new string (see [`append_text`]).
pub(crate) fn to_text(value: &Dynamic) -> Result<String, String> {
    let mut out = String::new();
    append_text(&mut out, value)?;
    Ok(out)
}

/// Whether a value counts as "empty" for `default`/`coalesce`: `()` (missing or null) or "".
pub(crate) fn is_blank(value: &Dynamic) -> bool {
    if value.is_shared() {
        return is_blank(&value.flatten_clone());
    }
    value.is_unit() || value.as_immutable_string_ref().is_ok_and(|s| s.is_empty())
}

/// A type name a flow author understands (rhai's own are Rust-flavoured: `i64`, `map`, ...).
pub(crate) fn type_label(value: &Dynamic) -> &'static str {
    if value.is_shared() {
        return type_label(&value.flatten_clone());
    }
    if value.is_unit() {
        "empty value (null)"
    } else if value.is_bool() {
        "boolean"
    } else if value.is_int() {
        "integer"
    } else if value.is_float() {
        "decimal number"
    } else if value.is_string() {
        "string"
    } else if value.is_char() {
        "character"
    } else if value.is_array() {
        "array"
    } else if value.is_map() {
        "object"
    } else if value.is_blob() {
        "blob"
    } else if value.is_fnptr() {
        "function"
    } else if value.is_timestamp() {
        "timestamp"
    } else {
        "value of an unsupported type"
    }
}

/// A label with its indefinite article: "a string", "an integer".
pub(crate) fn with_article(label: &str) -> String {
    let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {label}")
}

/// The same labels for JSON values (used when a value came straight from the run's data).
pub(crate) fn json_type_label(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty value (null)",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "decimal number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short preview of a value for error messages (at most ~60 characters).
pub(crate) fn preview(value: &Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// Converts an `INT` to `usize`, for sizes and counts given by scripts.
pub(crate) fn int_to_usize(n: INT) -> Option<usize> {
    usize::try_from(n).ok()
}
