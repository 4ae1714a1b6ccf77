//! Fallbacks (`default`, `coalesce`), identifiers and encodings.

use base64::Engine as _;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_NO_PAD_INDIFFERENT, URL_SAFE_NO_PAD_INDIFFERENT,
};
use rhai::{Dynamic, Engine};

use super::{HelperResult, fail};
use crate::expr::convert::is_blank;

pub(super) fn register(engine: &mut Engine) {
    // `default` is a reserved word in rhai; the sandbox's token mapping turns it back into an
    // ordinary name, so this is a plain function (and `x.default(y)` works too).
    engine.register_fn(
        "default",
        |value: Dynamic, fallback: Dynamic| {
            if is_blank(&value) { fallback } else { value }
        },
    );

    // rhai has no variadic functions: one overload per arity.
    engine.register_fn("coalesce", |a: Dynamic| first_present([a]));
    engine.register_fn("coalesce", |a: Dynamic, b: Dynamic| first_present([a, b]));
    engine.register_fn("coalesce", |a: Dynamic, b: Dynamic, c: Dynamic| first_present([a, b, c]));
    engine.register_fn("coalesce", |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| {
        first_present([a, b, c, d])
    });
    engine.register_fn("coalesce", |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic| {
        first_present([a, b, c, d, e])
    });
    engine.register_fn(
        "coalesce",
        |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic| {
            first_present([a, b, c, d, e, f])
        },
    );
    engine.register_fn(
        "coalesce",
        |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic, g: Dynamic| {
            first_present([a, b, c, d, e, f, g])
        },
    );
    engine.register_fn(
        "coalesce",
        |a: Dynamic,
         b: Dynamic,
         c: Dynamic,
         d: Dynamic,
         e: Dynamic,
         f: Dynamic,
         g: Dynamic,
         h: Dynamic| { first_present([a, b, c, d, e, f, g, h]) },
    );

    engine.register_fn("uuid", || uuid::Uuid::new_v4().to_string());

    engine.register_fn("base64_encode", |text: &str| STANDARD.encode(text.as_bytes()));
    engine.register_fn("base64_decode", base64_decode);
    engine.register_fn("url_encode", url_encode);
    engine.register_fn("url_decode", url_decode);
}

/// The first argument that is not `()` or "" (or `()` when all are).
fn first_present<const N: usize>(values: [Dynamic; N]) -> Dynamic {
    values.into_iter().find(|value| !is_blank(value)).unwrap_or(Dynamic::UNIT)
}

/// `base64_decode(text)`: accepts the standard and URL-safe alphabets, with or without padding,
/// and ignores line breaks (MIME wraps base64 at 76 characters). The bytes must be UTF-8 text.
fn base64_decode(text: &str) -> HelperResult<String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = match STANDARD_NO_PAD_INDIFFERENT.decode(&compact) {
        Ok(bytes) => bytes,
        Err(_) => match URL_SAFE_NO_PAD_INDIFFERENT.decode(&compact) {
            Ok(bytes) => bytes,
            Err(error) => {
                return fail(format!("base64_decode: the text is not valid base64 ({error})"));
            }
        },
    };
    String::from_utf8(bytes)
        .or_else(|_| fail("base64_decode: the decoded bytes are not UTF-8 text"))
}

/// `url_encode(text)`: percent-encodes everything except `A-Z a-z 0-9 - _ . ~` (RFC 3986
/// unreserved characters), like JavaScript's `encodeURIComponent`.
fn url_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// `url_decode(text)`: decodes `%XX` sequences (a `+` stays a `+`, as in
/// `decodeURIComponent`). The result must be UTF-8 text.
fn url_decode(text: &str) -> HelperResult<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = bytes.get(i + 1).and_then(|b| char::from(*b).to_digit(16));
            let low = bytes.get(i + 2).and_then(|b| char::from(*b).to_digit(16));
            let (Some(high), Some(low)) = (high, low) else {
                return fail(format!("url_decode: bad escape at character {} of {text:?}", i + 1));
            };
            // Two hex digits: at most 255.
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).or_else(|_| fail("url_decode: the decoded bytes are not UTF-8 text"))
}
