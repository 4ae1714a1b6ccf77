//! Writing a parsed n8n (JavaScript) expression as a rhai expression.
//!
//! Data references (`$json…`, `$('Node')…json…`, `$node["Node"].json…`, `$input.item.json…`) are
//! handed to a [`Resolve`] implementation, which knows which step or trigger each n8n node became.
//! Calls of functions and methods go to [`super::library`]; everything else is rewritten
//! construct by construct. A construct without a faithful rhai equivalent is an error (the caller
//! then keeps the original text and flags the step), except for a few near-equivalents that are
//! accepted with a caveat the report repeats.

use std::collections::BTreeSet;

use super::js::{Js, Part};

/// One step of a property path read from an n8n item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::import::n8n) enum Key {
    /// `.name` / `["name"]`.
    Name(String),
    /// `[3]`.
    Index(i64),
}

/// A key and whether the source wrote it with `?.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::import::n8n) struct Access {
    /// The key.
    pub key: Key,
    /// Written with optional chaining.
    pub optional: bool,
}

/// What a translated expression reads, for the validator-equivalent checks and the report.
#[derive(Debug, Default, Clone)]
pub(in crate::import::n8n) struct Reads {
    /// Step ids read through `steps.<id>`.
    pub steps: BTreeSet<String>,
    /// Whether `item` (a loop body's element) is read.
    pub item: bool,
    /// Names of n8n nodes read whose conversion is a placeholder (their output will be empty).
    pub unconverted: BTreeSet<String>,
    /// Near-equivalents used, in words.
    pub caveats: Vec<String>,
}

/// Turns n8n data references into rhai paths.
pub(in crate::import::n8n) trait Resolve {
    /// `$json` (the node's input item) read along `path`.
    fn input(&self, path: &[Access], reads: &mut Reads) -> Result<String, String>;
    /// The item of the node named `name` (`$('name').item.json`) read along `path`.
    fn node(&self, name: &str, path: &[Access], reads: &mut Reads) -> Result<String, String>;
}

/// The static type of an emitted expression, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::import::n8n) enum Ty {
    /// Certainly a boolean.
    Bool,
    /// Certainly a string.
    Str,
    /// Certainly a number.
    Num,
    /// A date-time (text) produced by `$now` and friends; Luxon methods apply.
    Date,
    /// Anything.
    Any,
}

/// An emitted rhai expression.
#[derive(Debug, Clone)]
pub(in crate::import::n8n) struct Out {
    /// The rhai source.
    pub code: String,
    /// What it gives.
    pub ty: Ty,
}

impl Out {
    pub(super) fn new(code: impl Into<String>, ty: Ty) -> Self {
        Self { code: code.into(), ty }
    }
}

/// Words rhai reads as keywords (or reserves), so that a property of that name must be written
/// `x["name"]` rather than `x.name`.
const RESERVED: [&str; 44] = [
    "fn",
    "let",
    "in",
    "this",
    "as",
    "do",
    "loop",
    "var",
    "switch",
    "private",
    "const",
    "print",
    "until",
    "Fn",
    "eval",
    "curry",
    "debug",
    "throw",
    "try",
    "catch",
    "return",
    "break",
    "continue",
    "while",
    "for",
    "else",
    "if",
    "true",
    "false",
    "import",
    "export",
    "null",
    "type_of",
    "is_shared",
    "is_def_var",
    "is_def_fn",
    "call",
    "global",
    "static",
    "match",
    "module",
    "super",
    "is",
    "new",
];

/// Appends `key` to `base` as rhai property or index access.
pub(in crate::import::n8n) fn push_key(base: &mut String, access: &Access, safe: bool) {
    let q = if access.optional || safe { "?" } else { "" };
    match &access.key {
        Key::Name(name) if is_plain(name) => {
            base.push_str(q);
            base.push('.');
            base.push_str(name);
        }
        Key::Name(name) => {
            base.push_str(q);
            base.push('[');
            base.push_str(&quote(name));
            base.push(']');
        }
        Key::Index(i) => {
            base.push_str(q);
            base.push('[');
            base.push_str(&i.to_string());
            base.push(']');
        }
    }
}

fn is_plain(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&name)
}

/// A rhai string literal.
pub(in crate::import::n8n) use crate::import::rhai_text::string_literal as quote;

/// A rhai number literal.
pub(in crate::import::n8n) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 { format!("{}", n as i64) } else { format!("{n:?}") }
}

/// JavaScript truthiness as a rhai boolean.
pub(in crate::import::n8n) fn truthy(out: &Out) -> String {
    if out.ty == Ty::Bool {
        out.code.clone()
    } else {
        let c = &out.code;
        format!("!({c} == () || {c} == false || {c} == \"\" || {c} == 0)")
    }
}

/// A segment of a member/index/call chain.
enum Seg<'j> {
    Prop(&'j str, bool),
    Index(&'j Js, bool),
    Call(&'j [Js]),
}

fn flatten(js: &Js) -> (&Js, Vec<Seg<'_>>) {
    let mut segs = Vec::new();
    let mut cur = js;
    loop {
        match cur {
            Js::Member(obj, name, opt) => {
                segs.push(Seg::Prop(name, *opt));
                cur = obj;
            }
            Js::Index(obj, index, opt) => {
                segs.push(Seg::Index(index, *opt));
                cur = obj;
            }
            Js::Call(callee, args) => {
                segs.push(Seg::Call(args));
                cur = callee;
            }
            _ => break,
        }
    }
    segs.reverse();
    (cur, segs)
}

/// Where a data reference points.
enum Target<'j> {
    Input,
    Node(&'j str),
}

/// Translates one expression; collects what it reads.
pub(super) struct Emitter<'a> {
    resolve: &'a dyn Resolve,
    /// What the expressions translated so far read.
    pub reads: Reads,
}

impl<'a> Emitter<'a> {
    /// An emitter resolving data references with `resolve`.
    pub fn new(resolve: &'a dyn Resolve) -> Self {
        Self { resolve, reads: Reads::default() }
    }

    /// Emits `js`.
    pub fn emit(&mut self, js: &Js) -> Result<Out, String> {
        match js {
            Js::Num(n) => Ok(Out::new(number(*n), Ty::Num)),
            Js::Str(s) => Ok(Out::new(quote(s), Ty::Str)),
            Js::Bool(b) => Ok(Out::new(b.to_string(), Ty::Bool)),
            Js::Null => Ok(Out::new("()", Ty::Any)),
            Js::Template(parts) => {
                let mut code = String::from("(\"\"");
                for p in parts {
                    code.push_str(" + ");
                    match p {
                        Part::Text(t) => code.push_str(&quote(t)),
                        Part::Expr(e) => {
                            let o = self.emit(e)?;
                            code.push_str(&format!("to_string({})", o.code));
                        }
                    }
                }
                code.push(')');
                Ok(Out::new(code, Ty::Str))
            }
            Js::Ident(_) | Js::Member(..) | Js::Index(..) | Js::Call(..) => self.chain(js),
            Js::Unary(op, e) => {
                let o = self.emit(e)?;
                Ok(match *op {
                    "!" if o.ty == Ty::Bool => Out::new(format!("!{}", paren(&o.code)), Ty::Bool),
                    "!" => {
                        let c = &o.code;
                        Out::new(
                            format!("({c} == () || {c} == false || {c} == \"\" || {c} == 0)"),
                            Ty::Bool,
                        )
                    }
                    "-" => Out::new(format!("-{}", paren(&o.code)), Ty::Num),
                    _ => Out::new(format!("parse_number({})", o.code), Ty::Num),
                })
            }
            Js::Binary(op, a, b) => self.binary(op, a, b),
            Js::Cond(c, a, b) => {
                let c = self.emit(c)?;
                let a = self.emit(a)?;
                let b = self.emit(b)?;
                let ty = if a.ty == b.ty { a.ty } else { Ty::Any };
                Ok(Out::new(
                    format!("(if {} {{ {} }} else {{ {} }})", truthy(&c), a.code, b.code),
                    ty,
                ))
            }
            Js::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for i in items {
                    parts.push(self.emit(i)?.code);
                }
                Ok(Out::new(format!("[{}]", parts.join(", ")), Ty::Any))
            }
            Js::Object(fields) => {
                let mut parts = Vec::with_capacity(fields.len());
                for (k, v) in fields {
                    parts.push(format!("{}: {}", quote(k), self.emit(v)?.code));
                }
                Ok(Out::new(format!("#{{{}}}", parts.join(", ")), Ty::Any))
            }
        }
    }

    fn binary(&mut self, op: &str, a: &Js, b: &Js) -> Result<Out, String> {
        let a = self.emit(a)?;
        let b = self.emit(b)?;
        let (x, y) = (&a.code, &b.code);
        Ok(match op {
            "||" if a.ty == Ty::Bool && b.ty == Ty::Bool => {
                Out::new(format!("({x} || {y})"), Ty::Bool)
            }
            "||" if a.ty == Ty::Bool => {
                Out::new(format!("(if {x} {{ true }} else {{ {y} }})"), Ty::Any)
            }
            // `a || 'fallback'` is how n8n users give defaults; `default` treats a missing, null or
            // empty value as absent, which is what they mean (it differs only for 0 and false).
            "||" => {
                Out::new(format!("default({x}, {y})"), if a.ty == b.ty { a.ty } else { Ty::Any })
            }
            "??" => Out::new(format!("({x} ?? {y})"), Ty::Any),
            "&&" if a.ty == Ty::Bool && b.ty == Ty::Bool => {
                Out::new(format!("({x} && {y})"), Ty::Bool)
            }
            "&&" => Out::new(format!("(if {} {{ {y} }} else {{ {x} }})", truthy(&a)), Ty::Any),
            "===" | "==" => Out::new(format!("({x} == {y})"), Ty::Bool),
            "!==" | "!=" => Out::new(format!("({x} != {y})"), Ty::Bool),
            "<" | ">" | "<=" | ">=" => Out::new(format!("({x} {op} {y})"), Ty::Bool),
            "+" => {
                let ty = match (a.ty, b.ty) {
                    (Ty::Str, _) | (_, Ty::Str) => Ty::Str,
                    (Ty::Num, Ty::Num) => Ty::Num,
                    _ => Ty::Any,
                };
                Out::new(format!("({x} + {y})"), ty)
            }
            // JavaScript divides in floating point; rhai divides integers as integers.
            "/" => Out::new(format!("(to_float({x}) / {y})"), Ty::Num),
            "-" | "*" | "%" => Out::new(format!("({x} {op} {y})"), Ty::Num),
            other => return Err(format!("the operator `{other}` is not supported")),
        })
    }

    fn chain(&mut self, js: &Js) -> Result<Out, String> {
        let (root, segs) = flatten(js);
        let (mut out, mut i) = self.base(root, &segs)?;
        while i < segs.len() {
            match &segs[i] {
                Seg::Prop(name, _) if matches!(segs.get(i + 1), Some(Seg::Call(_))) => {
                    let Some(Seg::Call(args)) = segs.get(i + 1) else { break };
                    out = self.method(out, name, args)?;
                    i += 2;
                    continue;
                }
                Seg::Prop("length", _) => out = Out::new(format!("len({})", out.code), Ty::Num),
                Seg::Prop(name, opt) => {
                    if out.ty == Ty::Date {
                        return Err(format!("the date property `.{name}` is not supported"));
                    }
                    let mut code = paren(&out.code);
                    push_key(
                        &mut code,
                        &Access { key: Key::Name((*name).to_owned()), optional: *opt },
                        false,
                    );
                    out = Out::new(code, Ty::Any);
                }
                Seg::Index(index, opt) => {
                    let index = self.emit(index)?;
                    let q = if *opt { "?" } else { "" };
                    out = Out::new(format!("{}{q}[{}]", paren(&out.code), index.code), Ty::Any);
                }
                Seg::Call(_) => return Err("calling a value is not supported".into()),
            }
            i += 1;
        }
        Ok(out)
    }

    /// The start of a chain: a data reference, an n8n variable, a global function, or any other
    /// expression. Returns it and how many segments it used.
    fn base(&mut self, root: &Js, segs: &[Seg<'_>]) -> Result<(Out, usize), String> {
        let Js::Ident(name) = root else { return Ok((self.emit(root)?, 0)) };
        let prop = |i: usize| match segs.get(i) {
            Some(Seg::Prop(p, _)) => Some(*p),
            _ => None,
        };
        match name.as_str() {
            "$json" => self.data(Target::Input, segs, 0),
            "$input" => {
                let used = item_selector(segs, 0)
                    .ok_or("only `$input.item.json`, `$input.first().json` and `$input.last().json` are supported")?;
                self.data(Target::Input, segs, used)
            }
            "$" => {
                let node = match segs.first() {
                    Some(Seg::Call([Js::Str(n)])) => n.as_str(),
                    _ => return Err("`$(…)` needs a node name in quotes".into()),
                };
                let used = item_selector(segs, 1).ok_or_else(|| {
                    format!("only `$('{node}').item.json`, `.first().json` and `.last().json` are supported")
                })?;
                self.data(Target::Node(node), segs, used)
            }
            "$node" => {
                let node = match segs.first() {
                    Some(Seg::Index(Js::Str(n), _)) => n.as_str(),
                    Some(Seg::Prop(n, _)) => n,
                    _ => return Err("`$node` needs a node name".into()),
                };
                if prop(1) != Some("json") {
                    return Err(format!("only `$node[\"{node}\"].json` is supported"));
                }
                self.data(Target::Node(node), segs, 2)
            }
            "$items" => {
                let target = match segs.first() {
                    Some(Seg::Call([])) => Target::Input,
                    Some(Seg::Call([Js::Str(n)])) => Target::Node(n.as_str()),
                    _ => return Err("`$items` needs a node name in quotes".into()),
                };
                match (segs.get(1), prop(2)) {
                    (Some(Seg::Index(Js::Num(n), _)), Some("json")) if *n == 0.0 => {
                        self.data(target, segs, 3)
                    }
                    _ => Err("only `$items(…)[0].json` is supported".into()),
                }
            }
            "$now" => Ok((Out::new("now()", Ty::Date), 0)),
            "$today" => Ok((Out::new("today()", Ty::Date), 0)),
            "$execution" => match prop(0) {
                Some("id") => Ok((Out::new("run.id", Ty::Str), 1)),
                Some("resumeUrl") => Ok((Out::new("run.resume_url", Ty::Str), 1)),
                _ => Err("only `$execution.id` and `$execution.resumeUrl` are supported".into()),
            },
            "$workflow" => match prop(0) {
                Some("name") => Ok((Out::new("run.flow_name", Ty::Str), 1)),
                _ => Err("only `$workflow.name` is supported".into()),
            },
            "$vars" => Ok((Out::new("vars", Ty::Any), 0)),
            "$env" => Err("environment variables (`$env`) cannot be read by flows".into()),
            _ => self.global(name, segs),
        }
    }

    /// A data reference: the static keys after it are resolved together so that the resolver can
    /// route each field (e.g. to the right input of a Merge).
    fn data(
        &mut self,
        target: Target<'_>,
        segs: &[Seg<'_>],
        from: usize,
    ) -> Result<(Out, usize), String> {
        let mut path = Vec::new();
        let mut i = from;
        while let Some(seg) = segs.get(i) {
            let access = match seg {
                Seg::Prop(name, _) if matches!(segs.get(i + 1), Some(Seg::Call(_))) => break,
                Seg::Prop("length", _) => break,
                Seg::Prop(name, opt) => {
                    Access { key: Key::Name((*name).to_owned()), optional: *opt }
                }
                Seg::Index(Js::Str(name), opt) => {
                    Access { key: Key::Name(name.clone()), optional: *opt }
                }
                Seg::Index(Js::Num(n), opt) if n.fract() == 0.0 => {
                    Access { key: Key::Index(*n as i64), optional: *opt }
                }
                _ => break,
            };
            path.push(access);
            i += 1;
        }
        let code = match target {
            Target::Input => self.resolve.input(&path, &mut self.reads)?,
            Target::Node(name) => self.resolve.node(name, &path, &mut self.reads)?,
        };
        Ok((Out::new(code, Ty::Any), i))
    }

    /// Global objects and functions: `Math.round(x)`, `JSON.stringify(x)`, `String(x)` …
    fn global(&mut self, name: &str, segs: &[Seg<'_>]) -> Result<(Out, usize), String> {
        let (func, args, used) = match (segs.first(), segs.get(1)) {
            (Some(Seg::Prop(f, _)), Some(Seg::Call(args))) => (format!("{name}.{f}"), *args, 2),
            (Some(Seg::Call(args)), _) => (name.to_owned(), *args, 1),
            _ => return Err(format!("`{name}` is not known here")),
        };
        let mut a = Vec::with_capacity(args.len());
        for arg in args {
            a.push(self.emit(arg)?);
        }
        let out = super::library::function(&func, &a)?;
        Ok((out, used))
    }

    fn method(&mut self, recv: Out, name: &str, args: &[Js]) -> Result<Out, String> {
        let mut a = Vec::with_capacity(args.len());
        for arg in args {
            a.push(self.emit(arg)?);
        }
        super::library::method(&recv, name, args, &a, &mut self.reads)
    }
}

/// `$input.item.json`, `.first().json`, `.last().json`, `.all()[0].json` starting at `at`;
/// returns the index after `json`.
fn item_selector(segs: &[Seg<'_>], at: usize) -> Option<usize> {
    let prop = |i: usize| match segs.get(i) {
        Some(Seg::Prop(p, _)) => Some(*p),
        _ => None,
    };
    let call0 = |i: usize| matches!(segs.get(i), Some(Seg::Call([])));
    match prop(at)? {
        "item" if prop(at + 1) == Some("json") => Some(at + 2),
        "first" | "last" if call0(at + 1) && prop(at + 2) == Some("json") => Some(at + 3),
        "all"
            if call0(at + 1)
                && matches!(segs.get(at + 2), Some(Seg::Index(Js::Num(n), _)) if *n == 0.0)
                && prop(at + 3) == Some("json") =>
        {
            Some(at + 4)
        }
        _ => None,
    }
}

/// Wraps compound code in parentheses so a following `.x` or `[i]` applies to all of it.
pub(super) fn paren(code: &str) -> String {
    let simple = code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '?' | '[' | ']' | '"'))
        || (code.ends_with(')')
            && !code.starts_with('(')
            && !code.starts_with('-')
            && !code.starts_with('!'));
    if simple { code.to_owned() } else { format!("({code})") }
}
