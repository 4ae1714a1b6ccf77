//! The built-in pieces: `http` (the generic HTTP request), and the `webhook`, `manual` and
//! `schedule` triggers. [`register_builtin`] adds them to a [`Registry`].
//!
//! Each piece lives in its own module with its metadata next to its code; the helpers here keep
//! that metadata short ([`Prop`]) and give every built-in piece the same [`Piece`] implementation
//! ([`BuiltinPiece`]).

pub mod airtable;
pub mod call;
pub mod declared;
pub mod google_sheets;
pub mod http;
pub mod hubspot;
pub mod mailchimp;
pub mod manual;
pub mod pipedrive;
pub mod postmark;
pub mod resend;
pub mod schedule;
pub mod sendgrid;
pub mod slack;
pub mod smtp;
pub mod twilio;
pub mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::piece::{
    Action, Piece, PieceMeta, PropKind, PropMeta, PropVariant, Registry, SelectOption,
    TriggerSource,
};

/// Adds the built-in pieces to `registry`. They reach the shared HTTP client through
/// [`crate::piece::ActionContext::http`] at run time.
pub fn register_builtin(registry: &mut Registry) {
    registry.register(Arc::new(self::http::piece()));
    registry.register(Arc::new(webhook::piece()));
    registry.register(Arc::new(manual::piece()));
    registry.register(Arc::new(schedule::piece()));
    registry.register(Arc::new(call::piece()));
    declared::register(registry);
}

/// A piece made of its metadata plus the actions and triggers named in it.
pub struct BuiltinPiece {
    meta: PieceMeta,
    actions: BTreeMap<String, Arc<dyn Action>>,
    triggers: BTreeMap<String, Arc<dyn TriggerSource>>,
}

impl BuiltinPiece {
    /// A piece with no actions or triggers attached yet.
    pub fn new(meta: PieceMeta) -> Self {
        Self { meta, actions: BTreeMap::new(), triggers: BTreeMap::new() }
    }

    /// Attaches the code of the action `name` (declared in the metadata).
    pub fn with_action(mut self, name: &str, action: Arc<dyn Action>) -> Self {
        self.actions.insert(name.to_owned(), action);
        self
    }

    /// Attaches the source of the trigger `name` (declared in the metadata).
    pub fn with_trigger(mut self, name: &str, trigger: Arc<dyn TriggerSource>) -> Self {
        self.triggers.insert(name.to_owned(), trigger);
        self
    }
}

impl Piece for BuiltinPiece {
    fn meta(&self) -> &PieceMeta {
        &self.meta
    }

    fn action(&self, name: &str) -> Option<Arc<dyn Action>> {
        self.actions.get(name).cloned()
    }

    fn trigger(&self, name: &str) -> Option<Arc<dyn TriggerSource>> {
        self.triggers.get(name).cloned()
    }
}

/// A builder for [`PropMeta`], so piece metadata reads as a list of props.
#[derive(Debug, Clone)]
pub struct Prop(PropMeta);

impl Prop {
    /// An optional prop with a name, a form label and a kind.
    pub fn new(name: &str, label: &str, kind: PropKind) -> Self {
        Self(PropMeta {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            required: false,
            help: None,
            default: None,
            example: None,
            secret: false,
            options: Vec::new(),
            options_from: None,
            variants: Vec::new(),
        })
    }

    /// Makes the prop required.
    pub fn required(mut self) -> Self {
        self.0.required = true;
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: &str) -> Self {
        self.0.help = Some(help.to_owned());
        self
    }

    /// Sets the value used when the prop is absent.
    pub fn default(mut self, value: Value) -> Self {
        self.0.default = Some(value);
        self
    }

    /// Sets an example value.
    pub fn example(mut self, value: Value) -> Self {
        self.0.example = Some(value);
        self
    }

    /// Marks the prop as a credential (redacted from run records).
    pub fn secret(mut self) -> Self {
        self.0.secret = true;
        self
    }

    /// Sets the options of a select prop, as (label, string value) pairs.
    pub fn options(mut self, options: &[(&str, &str)]) -> Self {
        self.0.options = options
            .iter()
            .map(|(label, value)| SelectOption {
                label: (*label).to_owned(),
                value: Value::String((*value).to_owned()),
            })
            .collect();
        self
    }

    /// Declares the object shapes of a `json` prop told apart by `type` (see [`PropVariant`]):
    /// `(type value, label, fields)`.
    pub fn variants(mut self, variants: Vec<(&str, &str, Vec<PropMeta>)>) -> Self {
        self.0.variants = variants
            .into_iter()
            .map(|(value, label, fields)| PropVariant {
                value: value.to_owned(),
                label: label.to_owned(),
                fields,
            })
            .collect();
        self
    }

    /// The finished metadata.
    pub fn build(self) -> PropMeta {
        self.0
    }
}

/// An inline SVG as a `data:` URL usable in an `<img src>`. Only the characters that break a data
/// URL are escaped, which keeps the SVG readable in the JSON metadata.
pub(crate) fn svg_data_url(svg: &str) -> String {
    let mut out = String::from("data:image/svg+xml,");
    for c in svg.chars() {
        match c {
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Builds a JSON object from name/value pairs: a name seen once maps to its value, a repeated name
/// to the array of its values in order (the convention for query strings and form bodies).
pub fn pairs_to_object<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (name, value) in pairs {
        let value = Value::String(value.to_owned());
        match out.get_mut(name) {
            None => {
                out.insert(name.to_owned(), value);
            }
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        }
    }
    out
}

/// Headers as an object of lower-case names; a repeated header's values are joined with `, `, the
/// way HTTP combines them.
pub(crate) fn headers_object<'a>(
    headers: impl IntoIterator<Item = &'a (String, String)>,
) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match out.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                out.insert(name, Value::String(value.clone()));
            }
        }
    }
    out
}

/// Decodes an `application/x-www-form-urlencoded` body into name/value pairs (`+` is a space, `%XX`
/// a byte; invalid UTF-8 becomes U+FFFD, a malformed escape is kept literally, as browsers do).
pub(crate) fn form_urlencoded_parse(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            (percent_decode_form(name), percent_decode_form(value))
        })
        .collect()
}

fn percent_decode_form(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = input.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes name/value pairs as an `application/x-www-form-urlencoded` body (the WHATWG serializer:
/// alphanumerics and `*-._` stay, a space becomes `+`, every other byte `%XX`).
pub(crate) fn form_urlencode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    fn encode(out: &mut String, s: &str) {
        for b in s.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                    out.push(char::from(b))
                }
                b' ' => out.push('+'),
                b => {
                    const HEX: &[u8; 16] = b"0123456789ABCDEF";
                    out.push('%');
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 0x0f)]));
                }
            }
        }
    }
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode(&mut out, name);
        out.push('=');
        encode(&mut out, value);
    }
    out
}

/// Requires `Authorization: Basic` with exactly these credentials (webhooks and vendor triggers
/// that protect their URL with basic auth). Both halves are always compared, in constant time,
/// so timing does not tell which one was wrong.
pub(crate) fn require_basic_auth(
    request: &crate::piece::TriggerRequest,
    username: &str,
    password: &str,
) -> Result<(), crate::piece::TriggerError> {
    use crate::piece::TriggerError;
    use base64::Engine as _;
    let header = request
        .header("authorization")
        .ok_or_else(|| TriggerError::Unauthorized("the Authorization header is missing".into()))?
        .trim();
    let (scheme, credentials) = header.split_once(' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(TriggerError::Unauthorized("the Authorization header is not Basic".into()));
    }
    let decoded =
        base64::engine::general_purpose::STANDARD.decode(credentials.trim()).map_err(|_| {
            TriggerError::Unauthorized("the Basic credentials are not valid base64".into())
        })?;
    let (user, pass) = match decoded.iter().position(|b| *b == b':') {
        Some(i) => (&decoded[..i], &decoded[i + 1..]),
        None => (&decoded[..], &[][..]),
    };
    let user_ok = constant_time_eq(user, username.as_bytes());
    let pass_ok = constant_time_eq(pass, password.as_bytes());
    if user_ok & pass_ok {
        Ok(())
    } else {
        Err(TriggerError::Unauthorized("wrong username or password".into()))
    }
}

/// Compares two byte strings in time that depends only on their lengths, so a caller guessing a
/// secret learns nothing from how fast a wrong guess is rejected.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keeps the optimiser from turning the fold into an early-exit comparison.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registry() -> Registry {
        let mut registry = Registry::new();
        register_builtin(&mut registry);
        registry
    }

    /// Whether `value` is of the JSON type a prop of `prop`'s kind takes.
    fn fits(prop: &PropMeta, value: &Value) -> bool {
        match prop.kind {
            PropKind::ShortText | PropKind::LongText => value.is_string(),
            PropKind::Number => value.is_number(),
            PropKind::Boolean => value.is_boolean(),
            PropKind::Select => prop.options.iter().any(|o| &o.value == value),
            PropKind::DynamicSelect => value.is_string() || value.is_number(),
            PropKind::MultiSelect | PropKind::Array => value.is_array(),
            PropKind::Json => true,
            PropKind::KeyValue => value.is_object(),
            PropKind::DateTime => {
                value.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
            }
            PropKind::File => value.is_string(),
        }
    }

    #[test]
    fn builtin_pieces_are_registered() {
        let registry = registry();
        for id in ["http", "manual", "schedule", "webhook"] {
            assert!(registry.get(id).is_some_and(|p| p.meta().id == id), "{id} is missing");
        }
    }

    #[test]
    fn every_piece_has_complete_metadata_that_round_trips() {
        for piece in registry().iter() {
            let meta = piece.meta();
            let json = match serde_json::to_value(meta) {
                Ok(v) => v,
                Err(e) => panic!("{}: metadata does not serialise: {e}", meta.id),
            };
            let back: PieceMeta = match serde_json::from_value(json) {
                Ok(m) => m,
                Err(e) => panic!("{}: metadata does not deserialise: {e}", meta.id),
            };
            assert_eq!(&back, meta);
            assert!(
                !meta.name.is_empty() && !meta.description.is_empty() && !meta.category.is_empty()
            );
            assert!(meta.icon.as_deref().is_some_and(|i| i.starts_with("data:image/svg+xml,")));
            assert!(!meta.actions.is_empty() || !meta.triggers.is_empty(), "{}", meta.id);

            let mut props = Vec::new();
            for action in &meta.actions {
                assert!(
                    piece.action(&action.name).is_some(),
                    "{}.{} has no code",
                    meta.id,
                    action.name
                );
                assert!(!action.description.is_empty() && action.sample_output.is_some());
                props.extend(
                    action.props.iter().map(|p| (format!("{}.{}", meta.id, action.name), p)),
                );
            }
            for trigger in &meta.triggers {
                assert!(
                    piece.trigger(&trigger.name).is_some(),
                    "{}.{} has no code",
                    meta.id,
                    trigger.name
                );
                assert!(!trigger.description.is_empty() && trigger.sample_output.is_some());
                props.extend(
                    trigger.props.iter().map(|p| (format!("{}.{}", meta.id, trigger.name), p)),
                );
            }
            for (owner, prop) in props {
                assert!(
                    !prop.label.is_empty() && prop.help.is_some(),
                    "{owner}.{} lacks label/help",
                    prop.name
                );
                if let Some(example) = &prop.example {
                    assert!(
                        fits(prop, example),
                        "{owner}.{}: example {example} does not fit {:?}",
                        prop.name,
                        prop.kind
                    );
                }
                if let Some(default) = &prop.default {
                    assert!(
                        fits(prop, default),
                        "{owner}.{}: default {default} does not fit {:?}",
                        prop.name,
                        prop.kind
                    );
                }
                if matches!(prop.kind, PropKind::Select | PropKind::MultiSelect) {
                    assert!(!prop.options.is_empty(), "{owner}.{} has no options", prop.name);
                }
            }
        }
    }

    #[test]
    fn form_encoding_round_trips() {
        let encoded = form_urlencode([("name", "Ada Lovelace"), ("tag", "a&b=c"), ("é", "100%")]);
        assert_eq!(encoded, "name=Ada+Lovelace&tag=a%26b%3Dc&%C3%A9=100%25");
        let decoded = form_urlencoded_parse(encoded.as_bytes());
        assert_eq!(
            decoded,
            [
                ("name".to_owned(), "Ada Lovelace".to_owned()),
                ("tag".to_owned(), "a&b=c".to_owned()),
                ("é".to_owned(), "100%".to_owned())
            ]
        );
        assert_eq!(
            form_urlencoded_parse(b"a=%zz&b&&c="),
            [
                ("a".to_owned(), "%zz".to_owned()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn repeated_pairs_become_arrays() {
        let object = pairs_to_object([("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")]);
        assert_eq!(Value::Object(object), json!({ "a": ["1", "3", "4"], "b": "2" }));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secrets"));
        assert!(constant_time_eq(b"", b""));
    }
}
