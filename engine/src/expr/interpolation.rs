//! Splitting a string into literal text and `{{ expr }}` parts.
//!
//! The end of an expression is found with a small rhai-aware scanner rather than by searching for
//! the next `}}`: string literals, comments and nested braces are skipped, so `{{ "}}" }}` and
//! `{{ #{a: #{b: 1}} }}` work. If the scanner cannot find the end (say, an unclosed quote inside
//! the braces), the first `}}` is used instead so that rhai reports the real problem with its
//! position; only a `{{` with no `}}` after it at all is reported here.

/// A piece of a template string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Literal text, copied as is.
    Text(&'a str),
    /// The text between `{{` and `}}`, trimmed.
    Expr(&'a str),
}

/// A `{{` without a matching `}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unterminated {
    /// 1-based line of the `{{` inside the string.
    pub(crate) line: usize,
    /// 1-based column (in characters) of the `{{` inside the string.
    pub(crate) column: usize,
}

/// Splits `text` into pieces. A string without `{{` is a single `Text` piece.
pub(crate) fn split(text: &str) -> Result<Vec<Piece<'_>>, Unterminated> {
    let mut pieces = Vec::new();
    let mut rest_start = 0;
    while let Some(found) = text[rest_start..].find("{{") {
        let open = rest_start + found;
        let body_start = open + 2;
        let body_end = match scan_expression(&text[body_start..]) {
            Some(len) => body_start + len,
            None => match text[body_start..].find("}}") {
                Some(len) => body_start + len,
                None => {
                    let (line, column) = line_column(text, open);
                    return Err(Unterminated { line, column });
                }
            },
        };
        if open > rest_start {
            pieces.push(Piece::Text(&text[rest_start..open]));
        }
        pieces.push(Piece::Expr(text[body_start..body_end].trim()));
        rest_start = body_end + 2;
    }
    if rest_start < text.len() || pieces.is_empty() {
        pieces.push(Piece::Text(&text[rest_start..]));
    }
    Ok(pieces)
}

/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// What the scanner is inside of.
#[derive(Clone, Copy)]
enum Mode {
    /// Code, with the number of `{` opened (and not yet closed) at this level.
    Code { depth: usize },
    /// A back-tick string (whose `${ ... }` parts are code again).
    Backtick,
}

/// Returns the byte length of the expression starting at `body` (the text right after `{{`),
/// i.e. the offset of the `}}` that closes it, or `None` if the scanner runs off the end.
fn scan_expression(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut stack = vec![Mode::Code { depth: 0 }];
    let mut i = 0;
    while i < bytes.len() {
        let current = *stack.last()?;
        let byte = bytes[i];
        match current {
            Mode::Backtick => match byte {
                b'`' => {
                    stack.pop();
                    i += 1;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Mode::Code { depth: 0 });
                    i += 2;
                }
                _ => i += 1,
            },
            Mode::Code { depth } => match byte {
                b'"' => i = skip_quoted(bytes, i, b'"')?,
                b'\'' => i = skip_quoted(bytes, i, b'\'')?,
                b'`' => {
                    stack.push(Mode::Backtick);
                    i += 1;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n);
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i)?,
                b'{' => {
                    set_depth(&mut stack, depth + 1);
                    i += 1;
                }
                b'}' if depth > 0 => {
                    set_depth(&mut stack, depth - 1);
                    i += 1;
                }
                b'}' if stack.len() > 1 => {
                    // The `}` closing a `${ ... }` inside a back-tick string.
                    stack.pop();
                    i += 1;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
                _ => i += 1,
            },
        }
    }
    None
}

fn set_depth(stack: &mut [Mode], depth: usize) {
    if let Some(top) = stack.last_mut() {
        *top = Mode::Code { depth };
    }
}

/// Skips a quoted literal starting at `start` (which holds the quote); returns the offset after
/// the closing quote. A backslash escapes the next byte.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Skips a (possibly nested, as in rhai) block comment starting at `start`.
fn skip_block_comment(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}
