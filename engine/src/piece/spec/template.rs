//! Spec templates: JSON values whose strings may hold `{{ path }}` placeholders, compiled once when
//! the spec loads and rendered per request.
//!
//! * `"{{ props.channel }}"` (one placeholder, nothing else) keeps the value's type: an array
//!   stays an array. If the value is missing, `null` or `""` it is *absent*: an object drops the
//!   key, an array drops the element, a query parameter or header is not sent.
//! * `"Bearer {{ auth.token }}"` interpolates text; a missing value reads as `""`.
//! * Filters after `|`: `json` (the value as JSON text, e.g. Slack's `blocks` in a form body),
//!   `string`, `number` (text to a number), `join` / `join:<sep>` / `join:", "` (an array as one
//!   string, comma-separated by default; quote a separator that has spaces).
//! * `{"$if": "props.contact_id", "then": <template>, "else": <template>}` renders `then` when the
//!   path holds a value (not missing, null, false, "", [] or {}), otherwise `else` (or absent).
//!   With `"equals": <value>` the condition is that the path holds exactly that value; either
//!   branch may be left out (absent).
//! * `{"$map": "props.to", "to": {"email": "{{item}}"}}` renders `to` once per element of the
//!   array, with `item` bound to the element (absent when the path is absent).
//! * `{"$merge": [<template>, ...]}` merges the objects left to right (later keys win), e.g. fixed
//!   fields plus a user's custom-fields prop.
//!
//! Paths are `root.key.key[0]`, with `["odd key"]` for keys that are not plain words.

use std::fmt;

use serde_json::{Map, Value};

/// A compiled template.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A value without placeholders.
    Literal(Value),
    /// Exactly one placeholder: the value itself, typed.
    Lone(Hole),
    /// Text with placeholders.
    Text(Vec<Part>),
    /// An object; absent members are dropped.
    Object(Vec<(String, Template)>),
    /// An array; absent elements are dropped.
    Array(Vec<Template>),
    /// `$if`.
    If {
        /// The condition.
        path: Path,
        /// With `equals`: the condition is that the path holds exactly this value.
        equals: Option<Value>,
        /// Rendered when the condition holds (absent when none).
        then: Option<Box<Template>>,
        /// Rendered otherwise (absent when none).
        otherwise: Option<Box<Template>>,
    },
    /// `$map`: the array at `path`, each element rendered through `to` with `item` bound to it.
    Map {
        /// The array.
        path: Path,
        /// The template per element.
        to: Box<Template>,
    },
    /// `$merge`.
    Merge(Vec<Template>),
}

/// A piece of interpolated text.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A placeholder.
    Hole(Hole),
}

/// A placeholder: a path and its filters.
#[derive(Debug, Clone, PartialEq)]
pub struct Hole {
    /// What it reads.
    pub path: Path,
    /// Applied in order.
    pub filters: Vec<Filter>,
}

/// Filters.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// The value as JSON text.
    Json,
    /// The value as text (strings as they are, others as JSON).
    String,
    /// Text parsed as a number (numbers pass through).
    Number,
    /// An array's elements as text, joined by the separator.
    Join(String),
}

/// A path into the render scope: a root name and keys or indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// `props`, `auth`, `ctx`, `body`, ...
    pub root: String,
    /// What follows.
    pub segments: Vec<Segment>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)?;
        for s in &self.segments {
            match s {
                Segment::Key(k) if is_word(k) => write!(f, ".{k}")?,
                Segment::Key(k) => write!(f, "[{}]", Value::String(k.clone()))?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// A template that could not be compiled, with where (a JSON path inside the template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// e.g. `body.blocks` (empty: the template itself).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl Path {
    /// Parses `root.key[0]["odd key"]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let mut chars = text.char_indices().peekable();
        let mut root = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c == '.' || c == '[' {
                break;
            }
            root.push(c);
            chars.next();
        }
        if !is_word(&root) {
            return Err(format!("`{text}` is not a path (write e.g. `props.email`)"));
        }
        let rest = &text[root.len()..];
        let mut segments = Vec::new();
        let mut rest = rest;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let key = &after[..end];
                if !is_word(key) {
                    return Err(format!("`{text}`: `{key}` is not a key (quote it: [\"{key}\"])"));
                }
                segments.push(Segment::Key(key.to_owned()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = closing_bracket(after)
                    .ok_or_else(|| format!("`{text}`: a `[` is not closed"))?;
                let inner = after[..end].trim();
                if let Ok(i) = inner.parse::<usize>() {
                    segments.push(Segment::Index(i));
                } else {
                    match serde_json::from_str::<Value>(inner) {
                        Ok(Value::String(k)) => segments.push(Segment::Key(k)),
                        _ => {
                            return Err(format!(
                                "`{text}`: `[{inner}]` is neither an index nor a quoted key"
                            ));
                        }
                    }
                }
                rest = &after[end + 1..];
            } else {
                return Err(format!("`{text}` is not a path (unexpected `{rest}`)"));
            }
        }
        Ok(Self { root, segments })
    }

    /// The first key after the root (`email` in `props.email`), if any.
    pub fn first_key(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// Follows the path in `scope`.
    pub fn lookup<'v>(&self, scope: &Scope<'v>) -> Option<&'v Value> {
        let mut value = scope.root(&self.root)?;
        for s in &self.segments {
            value = match (s, value) {
                (Segment::Key(k), Value::Object(m)) => m.get(k)?,
                (Segment::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(value)
    }
}

fn closing_bracket(s: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// The values a template reads, by root name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'v> {
    roots: [Option<(&'static str, &'v Value)>; 6],
}

impl<'v> Scope<'v> {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a root.
    pub fn with(mut self, name: &'static str, value: &'v Value) -> Self {
        if let Some(slot) = self.roots.iter_mut().find(|s| s.is_none_or(|(n, _)| n == name)) {
            *slot = Some((name, value));
        }
        self
    }

    fn root(&self, name: &str) -> Option<&'v Value> {
        self.roots.iter().flatten().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// Whether a value counts as given (`$if`, and absent lone placeholders).
fn is_present(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => true,
    }
}

impl Template {
    /// Compiles a JSON value.
    pub fn compile(value: &Value) -> Result<Self, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let t = compile_at(value, "", &mut errors);
        if errors.is_empty() { Ok(t) } else { Err(errors) }
    }

    /// Compiles one string.
    pub fn compile_str(text: &str) -> Result<Self, Vec<TemplateError>> {
        Self::compile(&Value::String(text.to_owned()))
    }

    /// Renders; `None` is absent.
    pub fn render(&self, scope: &Scope<'_>) -> Result<Option<Value>, String> {
        Ok(match self {
            Template::Literal(v) => Some(v.clone()),
            Template::Lone(hole) => match hole.path.lookup(scope) {
                Some(v) if !matches!(v, Value::Null) && v != &Value::String(String::new()) => {
                    Some(apply_filters(v.clone(), &hole.filters, &hole.path)?)
                }
                _ => None,
            },
            Template::Text(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => out.push_str(t),
                        Part::Hole(hole) => {
                            if let Some(v) = hole.path.lookup(scope) {
                                let v = apply_filters(v.clone(), &hole.filters, &hole.path)?;
                                push_text(&mut out, &v);
                            }
                        }
                    }
                }
                Some(Value::String(out))
            }
            Template::Object(members) => {
                let mut out = Map::new();
                for (k, t) in members {
                    if let Some(v) = t.render(scope)? {
                        out.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(out))
            }
            Template::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for t in items {
                    if let Some(v) = t.render(scope)? {
                        out.push(v);
                    }
                }
                Some(Value::Array(out))
            }
            Template::If { path, equals, then, otherwise } => {
                let found = path.lookup(scope);
                let holds = match equals {
                    Some(expected) => found == Some(expected),
                    None => found.is_some_and(is_present),
                };
                let branch = if holds { then } else { otherwise };
                match branch {
                    Some(t) => t.render(scope)?,
                    None => None,
                }
            }
            Template::Map { path, to } => match path.lookup(scope) {
                Some(Value::Array(items)) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        if let Some(v) = to.render(&scope.with("item", item))? {
                            out.push(v);
                        }
                    }
                    Some(Value::Array(out))
                }
                None | Some(Value::Null) => None,
                Some(other) => {
                    return Err(format!(
                        "`$map` over `{path}` needs an array, got {}",
                        type_name(other)
                    ));
                }
            },
            Template::Merge(parts) => {
                let mut out = Map::new();
                for t in parts {
                    match t.render(scope)? {
                        Some(Value::Object(m)) => out.extend(m),
                        None | Some(Value::Null) => {}
                        Some(other) => {
                            return Err(format!(
                                "$merge takes objects, got {}",
                                crate::piece::spec::template::type_name(&other)
                            ));
                        }
                    }
                }
                Some(Value::Object(out))
            }
        })
    }

    /// Renders to text (a header, a URL): absent is `None`, non-strings are written as JSON.
    pub fn render_text(&self, scope: &Scope<'_>) -> Result<Option<String>, String> {
        Ok(self.render(scope)?.map(|v| {
            let mut s = String::new();
            push_text(&mut s, &v);
            s
        }))
    }

    /// Every path the template reads.
    pub fn paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a Path>) {
        match self {
            Template::Literal(_) => {}
            Template::Lone(h) => out.push(&h.path),
            Template::Text(parts) => {
                for p in parts {
                    if let Part::Hole(h) = p {
                        out.push(&h.path);
                    }
                }
            }
            Template::Object(m) => m.iter().for_each(|(_, t)| t.collect_paths(out)),
            Template::Array(a) | Template::Merge(a) => a.iter().for_each(|t| t.collect_paths(out)),
            Template::If { path, then, otherwise, .. } => {
                out.push(path);
                for t in [then, otherwise].into_iter().flatten() {
                    t.collect_paths(out);
                }
            }
            Template::Map { path, to } => {
                out.push(path);
                to.collect_paths(out);
            }
        }
    }
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Strings as they are, other values as JSON.
pub(crate) fn push_text(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Null => {}
        other => out.push_str(&other.to_string()),
    }
}

fn apply_filters(mut v: Value, filters: &[Filter], path: &Path) -> Result<Value, String> {
    for f in filters {
        v = match f {
            Filter::Json => Value::String(v.to_string()),
            Filter::String => {
                let mut s = String::new();
                push_text(&mut s, &v);
                Value::String(s)
            }
            Filter::Number => match &v {
                Value::Number(_) => v,
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(|n| {
                        if n.fract() == 0.0 && n.abs() < 9.0e15 {
                            #[allow(clippy::cast_possible_truncation)]
                            Some(Value::from(n as i64))
                        } else {
                            serde_json::Number::from_f64(n).map(Value::Number)
                        }
                    })
                    .ok_or_else(|| format!("`{path}` is `{s}`, not a number"))?,
                other => return Err(format!("`{path}` is {}, not a number", type_name(other))),
            },
            Filter::Join(sep) => match &v {
                Value::Array(items) => {
                    let texts: Vec<String> = items
                        .iter()
                        .map(|i| {
                            let mut s = String::new();
                            push_text(&mut s, i);
                            s
                        })
                        .collect();
                    Value::String(texts.join(sep))
                }
                _ => v,
            },
        };
    }
    Ok(v)
}

fn compile_at(value: &Value, at: &str, errors: &mut Vec<TemplateError>) -> Template {
    let child = |key: &str| if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") };
    match value {
        Value::String(s) => match compile_text(s) {
            Ok(t) => t,
            Err(message) => {
                errors.push(TemplateError { at: at.to_owned(), message });
                Template::Literal(Value::Null)
            }
        },
        Value::Object(m) if m.contains_key("$map") => {
            for k in m.keys() {
                if !matches!(k.as_str(), "$map" | "to") {
                    errors.push(TemplateError {
                        at: child(k),
                        message: format!("`{k}` is not allowed in `$map` (it takes `to`)"),
                    });
                }
            }
            let path = match m.get("$map") {
                Some(Value::String(p)) => Path::parse(p),
                _ => Err("`$map` takes a path, e.g. \"props.recipients\"".to_owned()),
            };
            let path = path.unwrap_or_else(|message| {
                errors.push(TemplateError { at: child("$map"), message });
                Path { root: "props".into(), segments: Vec::new() }
            });
            let Some(to) = m.get("to") else {
                errors
                    .push(TemplateError { at: at.to_owned(), message: "`$map` needs `to`".into() });
                return Template::Literal(Value::Null);
            };
            Template::Map { path, to: Box::new(compile_at(to, &child("to"), errors)) }
        }
        Value::Object(m) if m.contains_key("$if") => {
            for k in m.keys() {
                if !matches!(k.as_str(), "$if" | "equals" | "then" | "else") {
                    errors.push(TemplateError {
                        at: child(k),
                        message: format!(
                            "`{k}` is not allowed in `$if` (use `equals`, `then` and `else`)"
                        ),
                    });
                }
            }
            let path = match m.get("$if") {
                Some(Value::String(p)) => Path::parse(p),
                _ => Err("`$if` takes a path, e.g. \"props.contact_id\"".to_owned()),
            };
            let path = path.unwrap_or_else(|message| {
                errors.push(TemplateError { at: child("$if"), message });
                Path { root: "props".into(), segments: Vec::new() }
            });
            if !m.contains_key("then") && !m.contains_key("else") {
                errors.push(TemplateError {
                    at: at.to_owned(),
                    message: "`$if` needs `then` or `else`".into(),
                });
            }
            Template::If {
                path,
                equals: m.get("equals").cloned(),
                then: m.get("then").map(|t| Box::new(compile_at(t, &child("then"), errors))),
                otherwise: m.get("else").map(|e| Box::new(compile_at(e, &child("else"), errors))),
            }
        }
        Value::Object(m) if m.contains_key("$merge") => {
            if m.len() != 1 {
                errors.push(TemplateError {
                    at: at.to_owned(),
                    message: "`$merge` stands alone in its object".into(),
                });
            }
            match m.get("$merge") {
                Some(Value::Array(parts)) => Template::Merge(
                    parts
                        .iter()
                        .enumerate()
                        .map(|(i, p)| compile_at(p, &format!("{}[{i}]", child("$merge")), errors))
                        .collect(),
                ),
                _ => {
                    errors.push(TemplateError {
                        at: child("$merge"),
                        message: "`$merge` takes an array of templates".into(),
                    });
                    Template::Literal(Value::Null)
                }
            }
        }
        Value::Object(m) => {
            let members: Vec<(String, Template)> =
                m.iter().map(|(k, v)| (k.clone(), compile_at(v, &child(k), errors))).collect();
            if members.iter().all(|(_, t)| matches!(t, Template::Literal(_))) {
                Template::Literal(value.clone())
            } else {
                Template::Object(members)
            }
        }
        Value::Array(items) => {
            let items: Vec<Template> = items
                .iter()
                .enumerate()
                .map(|(i, v)| compile_at(v, &format!("{at}[{i}]"), errors))
                .collect();
            if items.iter().all(|t| matches!(t, Template::Literal(_))) {
                Template::Literal(value.clone())
            } else {
                Template::Array(items)
            }
        }
        other => Template::Literal(other.clone()),
    }
}

fn compile_text(s: &str) -> Result<Template, String> {
    if !s.contains("{{") {
        return Ok(Template::Literal(Value::String(s.to_owned())));
    }
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(Part::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("`{s}`: a `{{{{` is not closed"))?;
        parts.push(Part::Hole(compile_hole(&after[..end]).map_err(|e| format!("`{s}`: {e}"))?));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(match parts.as_slice() {
        [Part::Hole(h)] => Template::Lone(h.clone()),
        _ => Template::Text(parts),
    })
}

fn compile_hole(inner: &str) -> Result<Hole, String> {
    let mut pieces = inner.split('|');
    let path = Path::parse(pieces.next().unwrap_or_default())?;
    let mut filters = Vec::new();
    for f in pieces {
        let f = f.trim();
        let (name, arg) = match f.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a)),
            None => (f, None),
        };
        filters.push(match (name, arg) {
            ("json", None) => Filter::Json,
            ("string", None) => Filter::String,
            ("number", None) => Filter::Number,
            ("join", None) => Filter::Join(",".into()),
            ("join", Some(sep)) => {
                let sep = sep.trim();
                Filter::Join(if sep.starts_with('"') {
                    serde_json::from_str::<String>(sep)
                        .map_err(|_| format!("`join:{sep}`: the separator's quotes do not close"))?
                } else {
                    sep.to_owned()
                })
            }
            _ => {
                return Err(format!(
                    "unknown filter `{f}` (there are `json`, `string`, `number`, `join[:sep]`)"
                ));
            }
        });
    }
    Ok(Hole { path, filters })
}
