//! ActivePieces `{{ … }}` templates → our templates and rhai expressions.
//!
//! ActivePieces evaluates whatever sits between `{{` and `}}` as JavaScript over the trigger's and
//! the steps' outputs. Only *plain references* are translated: a name followed by `.key`,
//! `['key']`, `["key"]` or `[0]` accessors (`trigger.body.email`, `step_1['data']['x']`). Anything
//! else (`step_1.items.length`, function calls, arithmetic) is JavaScript we cannot run; it is kept
//! as literal text (escaped so our template engine does not read it) and the step is disabled, so
//! the flow still validates and the user sees exactly what to rewrite.
//!
//! What a name means (a step, the trigger, a loop's `item`) is decided by a [`Resolve`]r: this
//! module only parses and renders.

use serde_json::{Map, Value};

/// What translating one step's templates found: notes for the report, and whether the step's
/// behaviour differs (approximated) or it must be disabled (a template could not be translated).
#[derive(Debug, Default)]
pub(super) struct Findings {
    /// Notes for the report item.
    pub notes: Vec<String>,
    /// Something differs from ActivePieces' behaviour.
    pub approximated: bool,
    /// A template was kept as text: the step cannot run as converted.
    pub disable: bool,
}

impl Findings {
    /// A note that does not change the outcome.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// A note about something that behaves differently.
    pub fn approx(&mut self, note: impl Into<String>) {
        self.approximated = true;
        self.notes.push(note.into());
    }

    /// A note about something that cannot run: the step is disabled.
    pub fn blocker(&mut self, note: impl Into<String>) {
        self.approximated = true;
        self.disable = true;
        self.notes.push(note.into());
    }
}

/// One accessor of a plain reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Key {
    /// `.name`, `['name']` or `["name"]`.
    Name(String),
    /// `[3]`.
    Index(u64),
}

/// A plain reference: `root` followed by accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    /// The first name (`trigger`, `step_1`, `loop_1`, `connections`).
    pub root: String,
    /// The accessors after it.
    pub keys: Vec<Key>,
}

/// How a reference reads in our expressions, or why it cannot be translated.
pub(super) enum Resolved {
    /// The rhai expression, and a note when what it reads differs from ActivePieces.
    Expr { rhai: String, note: Option<String> },
    /// Cannot be expressed here; the text says why.
    Untranslatable(String),
}

/// Gives references their meaning in the step being converted.
pub(super) trait Resolve {
    /// The translation of `reference`.
    fn resolve(&self, reference: &Reference) -> Resolved;
}

/// A part of an ActivePieces template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// `{{ inner }}`; `whole` includes the braces.
    Template { inner: &'a str, whole: &'a str },
}

/// Splits `text` like ActivePieces does: each `{{` up to the next `}}`. A `{{` without a closing
/// `}}` stays text.
pub(super) fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            out.push(Segment::Text(rest));
            break;
        };
        let Some(len) = rest[open + 2..].find("}}") else {
            out.push(Segment::Text(rest));
            break;
        };
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        let end = open + 2 + len + 2;
        out.push(Segment::Template {
            inner: &rest[open + 2..open + 2 + len],
            whole: &rest[open..end],
        });
        rest = &rest[end..];
    }
    out
}

/// Whether `text` holds any `{{ … }}`.
pub(super) fn has_template(text: &str) -> bool {
    segments(text).iter().any(|s| matches!(s, Segment::Template { .. }))
}

/// Parses a plain reference (`trigger['body']['email']`, `step_1.items[0].id`); `None` for
/// anything else.
pub(super) fn parse_reference(inner: &str) -> Option<Reference> {
    let s = inner.trim();
    let bytes = s.as_bytes();
    let mut i = 0;
    let root = js_identifier(s, &mut i)?;
    let mut keys = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'?' if bytes.get(i + 1) == Some(&b'.') => {
                // Optional chaining (`a?.b`, `a?.['b']`) reads the same value when it exists.
                i += 2;
                if bytes.get(i) == Some(&b'[') {
                    keys.push(bracket(s, &mut i)?);
                } else {
                    keys.push(Key::Name(js_identifier(s, &mut i)?));
                }
            }
            b'.' => {
                i += 1;
                keys.push(Key::Name(js_identifier(s, &mut i)?));
            }
            b'[' => keys.push(bracket(s, &mut i)?),
            _ => return None,
        }
    }
    Some(Reference { root, keys })
}

/// A JavaScript identifier starting at `*i`.
fn js_identifier(s: &str, i: &mut usize) -> Option<String> {
    let start = *i;
    for (offset, c) in s[start..].char_indices() {
        let ok =
            c == '_' || c == '$' || c.is_ascii_alphabetic() || (offset > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        *i = start + offset + c.len_utf8();
    }
    (*i > start).then(|| s[start..*i].to_string())
}

/// `['key']`, `["key"]` or `[12]` starting at `*i` (on the `[`).
fn bracket(s: &str, i: &mut usize) -> Option<Key> {
    let rest = s.get(*i + 1..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\'' || first == '"' {
        let mut key = String::new();
        let mut escaped = false;
        for (offset, c) in chars {
            if escaped {
                key.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == first {
                let close = *i + 1 + offset + c.len_utf8();
                if s.as_bytes().get(close) != Some(&b']') {
                    return None;
                }
                *i = close + 1;
                return Some(Key::Name(key));
            } else {
                key.push(c);
            }
        }
        None
    } else {
        let end = rest.find(']')?;
        let number = rest[..end].trim().parse::<u64>().ok()?;
        *i += 1 + end + 1;
        Some(Key::Index(number))
    }
}

/// Words rhai reserves: keys spelled like them are read with `["…"]` rather than `.…`.
const RHAI_KEYWORDS: [&str; 36] = [
    "as",
    "break",
    "catch",
    "const",
    "continue",
    "curry",
    "debug",
    "do",
    "else",
    "eval",
    "export",
    "false",
    "fn",
    "for",
    "if",
    "import",
    "in",
    "is_def_fn",
    "is_def_var",
    "is_shared",
    "let",
    "loop",
    "null",
    "print",
    "private",
    "return",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "type_of",
    "until",
    "while",
    "Fn",
    "var",
];

/// Whether `name` can follow a `.` in rhai.
fn rhai_property(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RHAI_KEYWORDS.contains(&name)
}

/// A rhai string literal.
pub(super) use crate::import::rhai_text::string_literal as rhai_string;

/// Appends `keys` to `base` as rhai accessors (`.name`, `["odd-name"]`, `[0]`); with `optional`,
/// each accessor tolerates a missing value before it (`?.`, `?[`).
pub(super) fn render_keys(base: &str, keys: &[Key], optional: bool) -> String {
    let mut out = base.to_string();
    for key in keys {
        match key {
            Key::Name(name) if rhai_property(name) => {
                out.push_str(if optional { "?." } else { "." });
                out.push_str(name);
            }
            Key::Name(name) => {
                out.push_str(if optional { "?[" } else { "[" });
                out.push_str(&rhai_string(name));
                out.push(']');
            }
            Key::Index(n) => {
                out.push_str(if optional { "?[" } else { "[" });
                out.push_str(&n.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The literal form of an untranslatable `{{ … }}`: our template engine prints `{{` for
/// `{{ "{{" }}`, so the original text survives as text.
pub(super) fn escape_braces(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// Translates one string prop: plain references become `{{ expr }}`, other text stays, and each
/// untranslatable `{{ … }}` is kept as literal text with a blocker note naming `prop`.
pub(super) fn translate_string(
    text: &str,
    prop: &str,
    resolver: &dyn Resolve,
    f: &mut Findings,
) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for segment in segments(text) {
        match segment {
            Segment::Text(t) => out.push_str(&escape_braces(t)),
            Segment::Template { inner, whole } => match translate_inner(inner, resolver) {
                Ok((rhai, note)) => {
                    if let Some(note) = note {
                        f.approx(format!("`{prop}`: {note}"));
                    }
                    out.push_str("{{ ");
                    out.push_str(&rhai);
                    out.push_str(" }}");
                }
                Err(why) => {
                    f.blocker(format!(
                        "`{prop}`: `{whole}` is kept as text ({why}); rewrite it as a rhai \
                         expression and enable the step"
                    ));
                    out.push_str(&escape_braces(whole));
                }
            },
        }
    }
    out
}

/// The rhai expression for the inside of one `{{ … }}`, or why there is none.
pub(super) fn translate_inner(
    inner: &str,
    resolver: &dyn Resolve,
) -> Result<(String, Option<String>), String> {
    let Some(reference) = parse_reference(inner) else {
        return Err("JavaScript, not a plain reference".into());
    };
    // `x.length` reads like a path but is JavaScript's length of a list or text.
    if reference.keys.last() == Some(&Key::Name("length".into())) {
        return Err("`.length` is JavaScript; rhai writes `.len()`".into());
    }
    match resolver.resolve(&reference) {
        Resolved::Expr { rhai, note } => Ok((rhai, note)),
        Resolved::Untranslatable(why) => Err(why),
    }
}

/// Translates a prop value of any JSON type: strings as templates, arrays and objects element by
/// element (object keys are kept), other values as they are.
pub(super) fn translate_value(
    value: &Value,
    prop: &str,
    resolver: &dyn Resolve,
    f: &mut Findings,
) -> Value {
    match value {
        Value::String(s) => Value::String(translate_string(s, prop, resolver, f)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| translate_value(v, &format!("{prop}[{i}]"), resolver, f))
                .collect(),
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), translate_value(v, &format!("{prop}.{k}"), resolver, f));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A connection reference in a step's `auth` input: `{{connections['my-slack']}}` or
/// `{{connections.my_slack}}` gives `my-slack` / `my_slack`.
pub(super) fn connection_name(value: &Value) -> Option<String> {
    let text = value.as_str()?;
    let segs = segments(text.trim());
    let [Segment::Template { inner, .. }] = segs.as_slice() else { return None };
    let reference = parse_reference(inner)?;
    match (reference.root.as_str(), reference.keys.as_slice()) {
        ("connections", [Key::Name(name), ..]) => Some(name.clone()),
        _ => None,
    }
}
