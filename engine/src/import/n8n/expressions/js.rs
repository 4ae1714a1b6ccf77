//! A parser for the small subset of JavaScript that n8n expressions use in practice: literals,
//! names, member access (`.`, `?.`, `[]`), calls, unary/binary/ternary operators, array and object
//! literals and template strings. Anything else (arrow functions, `new`, regex literals,
//! assignments, statements) is a parse error, which the caller turns into "not translatable".

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Js {
    /// A number, as written.
    Num(f64),
    /// A string.
    Str(String),
    /// A template literal: text and `${}` parts.
    Template(Vec<Part>),
    /// `true` / `false`.
    Bool(bool),
    /// `null` or `undefined`.
    Null,
    /// A name such as `$json` or `Math`.
    Ident(String),
    /// `object.name` (`optional` for `?.`).
    Member(Box<Js>, String, bool),
    /// `object[index]` (`optional` for `?.[`).
    Index(Box<Js>, Box<Js>, bool),
    /// `callee(args)`.
    Call(Box<Js>, Vec<Js>),
    /// `!x`, `-x`, `+x`.
    Unary(&'static str, Box<Js>),
    /// `a op b`.
    Binary(&'static str, Box<Js>, Box<Js>),
    /// `c ? a : b`.
    Cond(Box<Js>, Box<Js>, Box<Js>),
    /// `[a, b]`.
    Array(Vec<Js>),
    /// `{ key: value }`.
    Object(Vec<(String, Js)>),
}

/// A piece of a template literal.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    /// Literal text.
    Text(String),
    /// A `${ }` expression.
    Expr(Js),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Template(Vec<RawPart>),
    Ident(String),
    Punct(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
enum RawPart {
    Text(String),
    Expr(String),
}

/// Punctuators, longest first so that `===` wins over `==` and `=`.
const PUNCTS: [&str; 30] = [
    "===", "!==", "...", "?.", "??", "==", "!=", "<=", ">=", "&&", "||", "=>", "(", ")", "[", "]",
    "{", "}", ",", ":", "?", ".", "!", "+", "-", "*", "/", "%", "<", ">",
];

/// Parses one expression; the error says what is not supported.
pub(super) fn parse(source: &str) -> Result<Js, String> {
    let tokens = lex(source)?;
    if tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let mut p = Parser { tokens, pos: 0, depth: 0 };
    let expr = p.expression()?;
    match p.peek() {
        None => Ok(expr),
        Some(Tok::Punct("=>")) => Err("arrow functions are not supported".into()),
        Some(t) => Err(format!("unexpected {}", describe(t))),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(_) | Tok::Template(_) => "string".into(),
        Tok::Ident(i) => format!("`{i}`"),
        Tok::Punct(p) => format!("`{p}`"),
    }
}

fn lex(source: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let (s, next) = lex_string(&chars, i)?;
            out.push(Tok::Str(s));
            i = next;
        } else if c == '`' {
            let (parts, next) = lex_template(&chars, i)?;
            out.push(Tok::Template(parts));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || ((chars[i] == '+' || chars[i] == '-')
                        && matches!(chars[i - 1], 'e' | 'E')
                        && !chars[start..i].iter().any(|c| matches!(c, 'x' | 'X'))))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            out.push(Tok::Num(parse_number(&text)?));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) else {
                return Err(format!("`{c}` is not supported"));
            };
            // `?.5` is the conditional operator followed by a number, not optional chaining.
            if *p == "?." && chars.get(i + 2).is_some_and(char::is_ascii_digit) {
                out.push(Tok::Punct("?"));
                i += 1;
                continue;
            }
            out.push(Tok::Punct(p));
            i += p.chars().count();
        }
    }
    Ok(out)
}

fn parse_number(text: &str) -> Result<f64, String> {
    let lower = text.to_ascii_lowercase();
    let parsed = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok().map(|n| n as f64)
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok().map(|n| n as f64)
    } else {
        lower.parse::<f64>().ok()
    };
    parsed.filter(|n| n.is_finite()).ok_or_else(|| format!("`{text}` is not a number"))
}

/// Reads a quoted string starting at `start`; returns it and the index after the closing quote.
fn lex_string(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            c if c == quote => return Ok((s, i + 1)),
            '\\' => {
                let (c, next) = escape(chars, i)?;
                s.push_str(&c);
                i = next;
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err("a string is not closed".into())
}

/// An escape sequence at `i` (the backslash): its text and the index after it.
fn escape(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let Some(&c) = chars.get(i + 1) else { return Err("a string ends in `\\`".into()) };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' => Some('\0'),
        'u' | 'x' => None,
        '\n' => return Ok((String::new(), i + 2)),
        other => Some(other),
    };
    if let Some(ch) = simple {
        return Ok((ch.to_string(), i + 2));
    }
    let (digits, next): (String, usize) = if c == 'x' {
        (chars.iter().skip(i + 2).take(2).collect(), i + 4)
    } else if chars.get(i + 2) == Some(&'{') {
        let hex: String = chars.iter().skip(i + 3).take_while(|c| **c != '}').collect();
        let len = hex.chars().count();
        (hex, i + 4 + len)
    } else {
        (chars.iter().skip(i + 2).take(4).collect(), i + 6)
    };
    let ch = u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| format!("bad escape `\\{c}{digits}`"))?;
    Ok((ch.to_string(), next))
}

/// Reads a template literal starting at `start` (the back-tick).
fn lex_template(chars: &[char], start: usize) -> Result<(Vec<RawPart>, usize), String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '`' => {
                if !text.is_empty() {
                    parts.push(RawPart::Text(text));
                }
                return Ok((parts, i + 1));
            }
            '\\' => {
                let (c, next) = escape(chars, i)?;
                text.push_str(&c);
                i = next;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                if !text.is_empty() {
                    parts.push(RawPart::Text(std::mem::take(&mut text)));
                }
                let end = matching_brace(chars, i + 1)
                    .ok_or_else(|| "a `${` in a template string is not closed".to_owned())?;
                parts.push(RawPart::Expr(chars[i + 2..end].iter().collect()));
                i = end + 1;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err("a template string is not closed".into())
}

/// The index of the `}` matching the `{` at `open`, skipping strings.
fn matching_brace(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            '"' | '\'' => i = lex_string(chars, i).ok()?.1 - 1,
            '`' => i = lex_template(chars, i).ok()?.1 - 1,
            _ => {}
        }
        i += 1;
    }
    None
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: [&[&str]; 6] = [
    &["||", "??"],
    &["&&"],
    &["===", "!==", "==", "!="],
    &["<=", ">=", "<", ">"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.eat(p) {
            Ok(())
        } else {
            match self.peek() {
                Some(Tok::Punct("=>")) => Err("arrow functions are not supported".into()),
                Some(t) => Err(format!("expected `{p}`, found {}", describe(t))),
                None => Err(format!("expected `{p}` at the end")),
            }
        }
    }

    fn expression(&mut self) -> Result<Js, String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err("the expression is nested too deeply".into());
        }
        let cond = self.binary(0)?;
        let out = if self.eat("?") {
            let a = self.expression()?;
            self.expect(":")?;
            let b = self.expression()?;
            Js::Cond(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(out)
    }

    fn binary(&mut self, level: usize) -> Result<Js, String> {
        let Some(ops) = LEVELS.get(level) else { return self.unary() };
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct(p)) => ops.iter().find(|o| *o == p).copied(),
                _ => None,
            };
            let Some(op) = op else { break };
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = Js::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Js, String> {
        for op in ["!", "-", "+"] {
            if self.eat(op) {
                return Ok(Js::Unary(op, Box::new(self.unary()?)));
            }
        }
        if matches!(self.peek(), Some(Tok::Ident(i)) if i == "typeof" || i == "new" || i == "await" || i == "void" || i == "delete")
        {
            let Some(Tok::Ident(word)) = self.next() else { return Err("unexpected end".into()) };
            return Err(format!("`{word}` is not supported"));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Js, String> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                e = Js::Member(Box::new(e), self.property_name()?, false);
            } else if self.eat("?.") {
                if self.eat("[") {
                    let index = self.expression()?;
                    self.expect("]")?;
                    e = Js::Index(Box::new(e), Box::new(index), true);
                } else if matches!(self.peek(), Some(Tok::Punct("("))) {
                    return Err("optional calls (`?.(`) are not supported".into());
                } else {
                    e = Js::Member(Box::new(e), self.property_name()?, true);
                }
            } else if self.eat("[") {
                let index = self.expression()?;
                self.expect("]")?;
                e = Js::Index(Box::new(e), Box::new(index), false);
            } else if self.eat("(") {
                let args = self.list(")")?;
                e = Js::Call(Box::new(e), args);
            } else if matches!(self.peek(), Some(Tok::Template(_))) {
                return Err("tagged templates are not supported".into());
            } else {
                return Ok(e);
            }
        }
    }

    fn property_name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(name)) => Ok(name),
            Some(t) => Err(format!("expected a property name, found {}", describe(&t))),
            None => Err("expected a property name at the end".into()),
        }
    }

    /// Comma-separated expressions up to `close`.
    fn list(&mut self, close: &str) -> Result<Vec<Js>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            if self.eat("...") {
                return Err("spread (`...`) is not supported".into());
            }
            items.push(self.expression()?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(",")?;
            if self.eat(close) {
                return Ok(items);
            }
        }
    }

    fn primary(&mut self) -> Result<Js, String> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Js::Num(n)),
            Some(Tok::Str(s)) => Ok(Js::Str(s)),
            Some(Tok::Template(parts)) => {
                let mut out = Vec::with_capacity(parts.len());
                for p in parts {
                    out.push(match p {
                        RawPart::Text(t) => Part::Text(t),
                        RawPart::Expr(e) => Part::Expr(parse(&e)?),
                    });
                }
                Ok(Js::Template(out))
            }
            Some(Tok::Ident(name)) => {
                if matches!(self.peek(), Some(Tok::Punct("=>"))) {
                    return Err("arrow functions are not supported".into());
                }
                Ok(match name.as_str() {
                    "true" => Js::Bool(true),
                    "false" => Js::Bool(false),
                    "null" | "undefined" => Js::Null,
                    "function" | "let" | "const" | "var" | "return" | "this" | "class" => {
                        return Err(format!("`{name}` is not supported"));
                    }
                    _ => Js::Ident(name),
                })
            }
            Some(Tok::Punct("(")) => {
                let e = self.expression()?;
                self.expect(")")?;
                if matches!(self.peek(), Some(Tok::Punct("=>"))) {
                    return Err("arrow functions are not supported".into());
                }
                Ok(e)
            }
            Some(Tok::Punct("/")) => Err("regular expressions (`/…/`) are not supported".into()),
            Some(Tok::Punct("[")) => Ok(Js::Array(self.list("]")?)),
            Some(Tok::Punct("{")) => self.object(),
            Some(t) => Err(format!("unexpected {}", describe(&t))),
            None => Err("the expression ends too early".into()),
        }
    }

    fn object(&mut self) -> Result<Js, String> {
        let mut fields = Vec::new();
        if self.eat("}") {
            return Ok(Js::Object(fields));
        }
        loop {
            let key = match self.next() {
                Some(Tok::Ident(k)) | Some(Tok::Str(k)) => k,
                Some(Tok::Num(n)) => n.to_string(),
                Some(t) => return Err(format!("unexpected {} in an object", describe(&t))),
                None => return Err("an object is not closed".into()),
            };
            let value = if self.eat(":") { self.expression()? } else { Js::Ident(key.clone()) };
            fields.push((key, value));
            if self.eat("}") {
                return Ok(Js::Object(fields));
            }
            self.expect(",")?;
            if self.eat("}") {
                return Ok(Js::Object(fields));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_shapes() {
        let e = parse("$json.body['a b']?.c").unwrap();
        assert!(matches!(e, Js::Member(_, ref n, true) if n == "c"));
        assert!(parse("$('Webhook').item.json.x || 'none'").is_ok());
        assert!(parse("a ? `x ${b + 1} y` : [1, {k: 'v'}]").is_ok());
        assert_eq!(parse("0x10").unwrap(), Js::Num(16.0));
        assert_eq!(parse("1e3").unwrap(), Js::Num(1000.0));
    }

    #[test]
    fn refuses_what_cannot_be_translated() {
        for src in
            ["x => x", "a.map(x => x.id)", "new Date()", "a = 1", "/ab+c/.test(x)", "(a) => 1"]
        {
            assert!(parse(src).is_err(), "{src}");
        }
    }
}
