//! String helpers: case, trimming, padding, splitting and joining, replacing, truncating, slugs,
//! emptiness.

use rhai::{Array, Dynamic, Engine, INT, ImmutableString, NativeCallContext};

use super::{HelperResult, fail};
use crate::expr::convert::{int_to_usize, to_text};

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn("lower", |s: &str| s.to_lowercase());
    engine.register_fn("upper", |s: &str| s.to_uppercase());

    // Replace rhai's in-place versions (which return `()`) with ones returning the result.
    engine.register_fn("trim", |s: &str| s.trim().to_owned());
    engine.register_fn("trim_start", |s: &str| s.trim_start().to_owned());
    engine.register_fn("trim_end", |s: &str| s.trim_end().to_owned());
    engine.register_fn("replace", replace);
    engine.register_fn("truncate", truncate);
    engine.register_fn("truncate", truncate_with_suffix);
    engine.register_fn("pad", |ctx: NativeCallContext, s: &str, len: INT, fill: &str| {
        pad(&ctx, s, len, fill, Side::End, "pad")
    });
    engine.register_fn("pad", |ctx: NativeCallContext, s: &str, len: INT, fill: char| {
        pad(&ctx, s, len, fill.encode_utf8(&mut [0; 4]), Side::End, "pad")
    });
    engine.register_fn("pad_end", |ctx: NativeCallContext, s: &str, len: INT, fill: &str| {
        pad(&ctx, s, len, fill, Side::End, "pad_end")
    });
    engine.register_fn("pad_start", |ctx: NativeCallContext, s: &str, len: INT, fill: &str| {
        pad(&ctx, s, len, fill, Side::Start, "pad_start")
    });

    engine.register_fn("capitalize", capitalize);
    engine.register_fn("title_case", title_case);
    engine.register_fn("slugify", slugify);

    engine.register_fn("split", split);
    engine.register_fn("split", |s: &str| -> Array {
        s.split_whitespace().map(text_value).collect()
    });
    engine.register_fn("join", join);
    engine.register_fn("join", |items: Array| join(items, ","));

    // rhai has `is_empty`/`len` for strings, arrays and maps; a missing field (`()`) is empty
    // too, and any other value (a number, a boolean) is not.
    engine.register_fn("is_empty", |_: ()| true);
    engine.register_fn("is_empty", is_empty_value);
    engine.register_fn("len", |_: ()| 0 as INT);
}

/// `replace(s, from, to)`: every occurrence of `from` replaced. An empty `from` changes nothing
/// (Rust would insert `to` between every character).
fn replace(s: &str, from: &str, to: &str) -> String {
    if from.is_empty() { s.to_owned() } else { s.replace(from, to) }
}

/// `truncate(s, n)`: at most the first `n` characters.
fn truncate(s: &str, max_chars: INT) -> HelperResult<String> {
    let Some(max_chars) = int_to_usize(max_chars) else {
        return fail(format!("truncate: the length must not be negative (got {max_chars})"));
    };
    Ok(s.chars().take(max_chars).collect())
}

/// `truncate(s, n, suffix)`: at most `n` characters, ending with `suffix` (e.g. `"…"`) when
/// something was cut.
fn truncate_with_suffix(s: &str, max_chars: INT, suffix: &str) -> HelperResult<String> {
    let Some(max_chars) = int_to_usize(max_chars) else {
        return fail(format!("truncate: the length must not be negative (got {max_chars})"));
    };
    if s.chars().count() <= max_chars {
        return Ok(s.to_owned());
    }
    let suffix_chars = suffix.chars().count();
    if suffix_chars >= max_chars {
        return Ok(s.chars().take(max_chars).collect());
    }
    let mut out: String = s.chars().take(max_chars - suffix_chars).collect();
    out.push_str(suffix);
    Ok(out)
}

#[derive(Clone, Copy)]
enum Side {
    Start,
    End,
}

/// `pad(s, n, fill)` / `pad_end` / `pad_start`: `s` filled up to `n` characters with repeats of
/// `fill` (`pad_start("7", 3, "0")` is "007"). Longer strings are returned unchanged.
fn pad(
    ctx: &NativeCallContext,
    s: &str,
    len: INT,
    fill: &str,
    side: Side,
    helper: &str,
) -> HelperResult<String> {
    let Some(len) = int_to_usize(len) else {
        return fail(format!("{helper}: the length must not be negative (got {len})"));
    };
    // Every character takes at least one byte: refuse before allocating past the sandbox limit.
    let max = ctx.engine().max_string_size();
    if max > 0 && len > max {
        return fail(format!("{helper}: {len} characters is over the limit of {max}"));
    }
    let current = s.chars().count();
    if current >= len || fill.is_empty() {
        return Ok(s.to_owned());
    }
    let padding: String = fill.chars().cycle().take(len - current).collect();
    Ok(match side {
        Side::Start => padding + s,
        Side::End => format!("{s}{padding}"),
    })
}

/// `capitalize(s)`: first character upper case, the rest lower case ("jOHN" → "John").
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

/// `title_case(s)`: every word capitalised ("hello wORLD-wide" → "Hello World-Wide"). A letter
/// after a letter, digit or apostrophe continues a word ("o'neil" → "O'neil").
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if in_word {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        in_word = c.is_alphanumeric() || c == '\'' || c == '’';
    }
    out
}

/// `slugify(s)`: lower-case ASCII letters and digits separated by single dashes
/// ("Crème Brûlée: 2 Ways!" → "creme-brulee-2-ways"). Common accented Latin letters are
/// transliterated; other characters act as separators.
fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let mut buffer = [0u8; 4];
        let piece: &str =
            if c.is_ascii_alphanumeric() { c.encode_utf8(&mut buffer) } else { transliterate(c) };
        if piece.is_empty() {
            pending_dash = true;
            continue;
        }
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        out.push_str(piece);
    }
    out
}

/// ASCII spelling of common accented (lower-case) Latin letters; "" for anything else.
fn transliterate(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// `split(s, separator)`: the parts between separators. An empty separator splits into
/// characters.
fn split(s: &str, separator: &str) -> Array {
    if separator.is_empty() {
        s.chars().map(|c| Dynamic::from(c.to_string())).collect()
    } else {
        s.split(separator).map(text_value).collect()
    }
}

fn text_value(text: &str) -> Dynamic {
    Dynamic::from(ImmutableString::from(text))
}

/// `join(array, separator)`: the elements as text (like `{{ }}` interpolation: `()` is empty,
/// arrays and objects are JSON) joined by `separator`.
fn join(items: Array, separator: &str) -> HelperResult<String> {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        match to_text(item) {
            Ok(text) => out.push_str(&text),
            Err(message) => return fail(format!("join: element {i}: {message}")),
        }
    }
    Ok(out)
}

/// `is_empty(x)` for any value: `()`, "", [] and #{} are empty; numbers and booleans are not.
fn is_empty_value(value: Dynamic) -> bool {
    let value = value.flatten();
    if value.is_unit() {
        return true;
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        return s.is_empty();
    }
    if let Ok(items) = value.as_array_ref() {
        return items.is_empty();
    }
    if let Ok(map) = value.as_map_ref() {
        return map.is_empty();
    }
    if let Ok(blob) = value.as_blob_ref() {
        return blob.is_empty();
    }
    false
}
