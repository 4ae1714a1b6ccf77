//! Number helpers: rounding, formatting for people, and reading numbers out of text.

use rhai::{Dynamic, Engine, FLOAT, INT};

use super::{HelperResult, fail};
use crate::expr::convert::{type_label, with_article};

/// Decimal places accepted by `round` and `format_number` (f64 has ~17 significant digits; more
/// would only print noise, and a huge count would allocate a huge string).
const MAX_DECIMALS: INT = 20;

pub(super) fn register(engine: &mut Engine) {
    // rhai has `round(decimal)`; an integer is already round.
    engine.register_fn("round", |n: INT| n);
    engine.register_fn("round", round_float);
    engine.register_fn("round", round_int);

    // Without a decimals argument: integers get none, decimal numbers two ("1,234.50").
    engine.register_fn("format_number", |n: INT| format_number(Number::Int(n), 0, ",", "."));
    engine.register_fn("format_number", |n: FLOAT| format_number(Number::Float(n), 2, ",", "."));
    engine.register_fn("format_number", |n: INT, decimals: INT| {
        format_number(Number::Int(n), decimals, ",", ".")
    });
    engine.register_fn("format_number", |n: FLOAT, decimals: INT| {
        format_number(Number::Float(n), decimals, ",", ".")
    });
    engine.register_fn("format_number", |n: INT, decimals: INT, thousands: &str, point: &str| {
        format_number(Number::Int(n), decimals, thousands, point)
    });
    engine.register_fn("format_number", |n: FLOAT, decimals: INT, thousands: &str, point: &str| {
        format_number(Number::Float(n), decimals, thousands, point)
    });

    engine.register_fn("to_int", to_int);
    engine.register_fn("to_float", to_float);
    engine.register_fn("parse_number", parse_number);
}

#[derive(Clone, Copy)]
enum Number {
    Int(INT),
    Float(FLOAT),
}

fn check_decimals(decimals: INT, helper: &str, allow_negative: bool) -> HelperResult<INT> {
    let min = if allow_negative { -MAX_DECIMALS } else { 0 };
    if (min..=MAX_DECIMALS).contains(&decimals) {
        Ok(decimals)
    } else {
        fail(format!(
            "{helper}: decimals must be between {min} and {MAX_DECIMALS} (got {decimals})"
        ))
    }
}

/// `round(n, decimals)`: half away from zero. Negative decimals round to tens, hundreds, ...
fn round_float(n: FLOAT, decimals: INT) -> HelperResult<FLOAT> {
    let decimals = check_decimals(decimals, "round", true)?;
    // Bounded above, so the cast is lossless.
    let factor = 10f64.powi(decimals as i32);
    let scaled = n * factor;
    if !scaled.is_finite() {
        // Too large to have digits at that position: already "rounded".
        return Ok(n);
    }
    Ok(scaled.round() / factor)
}

/// `round(n, decimals)` on an integer: unchanged, or rounded to tens, hundreds, ... when
/// `decimals` is negative.
fn round_int(n: INT, decimals: INT) -> HelperResult<INT> {
    let decimals = check_decimals(decimals, "round", true)?;
    if decimals >= 0 {
        return Ok(n);
    }
    let Some(step) = 10i64.checked_pow(decimals.unsigned_abs() as u32) else {
        return fail("round: the result is out of range");
    };
    let remainder = n % step;
    let down = n - remainder;
    let result = if remainder.abs() * 2 >= step {
        if n >= 0 { down.checked_add(step) } else { down.checked_sub(step) }
    } else {
        Some(down)
    };
    result.map_or_else(|| fail("round: the result is out of range"), Ok)
}

/// `format_number(n, decimals[, thousands, point])`: "1,234.50". Defaults: "," between
/// thousands and "." before decimals; `format_number(n, 2, ".", ",")` gives "1.234,50".
fn format_number(n: Number, decimals: INT, thousands: &str, point: &str) -> HelperResult<String> {
    let decimals = check_decimals(decimals, "format_number", false)? as usize;
    let (negative, digits) = match n {
        Number::Int(i) => {
            let mut text = i.unsigned_abs().to_string();
            if decimals > 0 {
                text.push('.');
                text.extend(std::iter::repeat_n('0', decimals));
            }
            (i < 0, text)
        }
        Number::Float(f) => {
            if !f.is_finite() {
                return fail(format!("format_number: {f} is not a finite number"));
            }
            (f.is_sign_negative(), format!("{:.*}", decimals, f.abs()))
        }
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + int_part.len() / 3 * thousands.len() + 2);
    // "-0.00" reads oddly; a value that rounds to zero has no sign.
    let is_zero = int_part.bytes().all(|b| b == b'0')
        && frac_part.is_none_or(|f| f.bytes().all(|b| b == b'0'));
    if negative && !is_zero {
        out.push('-');
    }
    for (i, digit) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push_str(thousands);
        }
        out.push(digit);
    }
    if let Some(frac_part) = frac_part {
        out.push_str(point);
        out.push_str(frac_part);
    }
    Ok(out)
}

/// Reads a number from text: optional sign, digits, optional fraction and exponent; surrounding
/// whitespace and `_` are ignored, and `,` is accepted as a thousands separator only in proper
/// groups of three ("1,234.5" but not "3,5", which is ambiguous).
fn parse_text(text: &str) -> Option<Number> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    let cleaned = if cleaned.contains(',') { strip_thousands(&cleaned)? } else { cleaned };
    let unsigned = cleaned.strip_prefix(['+', '-']).unwrap_or(&cleaned);
    if unsigned.is_empty()
        || !unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        // Rejects "inf", "NaN" and friends, which Rust's float parser would accept.
        return None;
    }
    if unsigned.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = cleaned.parse::<INT>()
    {
        return Some(Number::Int(i));
    }
    cleaned.parse::<FLOAT>().ok().filter(|f| f.is_finite()).map(Number::Float)
}

/// Removes thousands separators when they form groups of three before the decimal point.
fn strip_thousands(text: &str) -> Option<String> {
    let (int_part, rest) = match text.find(['.', 'e', 'E']) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let digits = int_part.strip_prefix(['+', '-']).unwrap_or(int_part);
    let mut groups = digits.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    if !groups.all(|group| group.len() == 3) {
        return None;
    }
    Some(format!("{}{rest}", int_part.replace(',', "")))
}

fn describe_for_error(value: &Dynamic) -> String {
    match value.as_immutable_string_ref() {
        Ok(text) => format!("{:?}", text.as_str()),
        Err(_) => with_article(type_label(value)),
    }
}

/// `parse_number(x)`: an integer if the text is a whole number, a decimal otherwise. Numbers are
/// returned unchanged.
fn parse_number(value: Dynamic) -> HelperResult<Dynamic> {
    if value.is_int() || value.is_float() {
        return Ok(value);
    }
    if let Ok(text) = value.as_immutable_string_ref() {
        return match parse_text(text.as_str()) {
            Some(Number::Int(i)) => Ok(Dynamic::from_int(i)),
            Some(Number::Float(f)) => Ok(Dynamic::from_float(f)),
            None => fail(format!("parse_number: {:?} is not a number", text.as_str())),
        };
    }
    fail(format!("parse_number: expected text, got {}", describe_for_error(&value)))
}

/// `to_int(x)`: numbers are truncated toward zero, text is parsed, booleans are 0 or 1.
fn to_int(value: Dynamic) -> HelperResult<INT> {
    let number = if let Ok(i) = value.as_int() {
        Number::Int(i)
    } else if let Ok(f) = value.as_float() {
        Number::Float(f)
    } else if let Ok(b) = value.as_bool() {
        Number::Int(INT::from(b))
    } else if let Ok(text) = value.as_immutable_string_ref() {
        match parse_text(text.as_str()) {
            Some(number) => number,
            None => return fail(format!("to_int: {:?} is not a number", text.as_str())),
        }
    } else {
        return fail(format!("to_int: cannot turn {} into an integer", describe_for_error(&value)));
    };
    match number {
        Number::Int(i) => Ok(i),
        Number::Float(f) => {
            let truncated = f.trunc();
            // i64::MAX as f64 rounds up to 2^63, which is itself out of range.
            if truncated.is_finite() && truncated >= i64::MIN as f64 && truncated < i64::MAX as f64
            {
                Ok(truncated as INT)
            } else {
                fail(format!("to_int: {f} does not fit in an integer"))
            }
        }
    }
}

/// `to_float(x)`: numbers and numeric text as a decimal number; booleans are 0.0 or 1.0.
fn to_float(value: Dynamic) -> HelperResult<FLOAT> {
    if let Ok(f) = value.as_float() {
        return Ok(f);
    }
    if let Ok(i) = value.as_int() {
        return Ok(i as FLOAT);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(if b { 1.0 } else { 0.0 });
    }
    if let Ok(text) = value.as_immutable_string_ref() {
        return match parse_text(text.as_str()) {
            Some(Number::Int(i)) => Ok(i as FLOAT),
            Some(Number::Float(f)) => Ok(f),
            None => fail(format!("to_float: {:?} is not a number", text.as_str())),
        };
    }
    fail(format!("to_float: cannot turn {} into a decimal number", describe_for_error(&value)))
}
