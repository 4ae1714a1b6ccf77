//! Reading a piece step's `settings.input` while mapping it: each read translates the templates and
//! marks the key as used, so whatever the mapping did not carry over can be reported at the end.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::expressions::{Findings, Resolve, translate_value};

/// Inputs that never carry meaning for the conversion (editor-only markdown, the connection,
/// ActivePieces' own switches left at their defaults are handled by [`meaningful`]).
const IGNORED: [&str; 4] = ["auth", "markdown", "info", "mentionOriginFlow"];

/// A step's input being mapped.
pub(super) struct Input<'a> {
    map: Option<&'a Map<String, Value>>,
    used: HashSet<String>,
    resolver: &'a dyn Resolve,
    /// What the mapping found.
    pub f: &'a mut Findings,
}

impl<'a> Input<'a> {
    /// Wraps `input` (absent when the export has none).
    pub fn new(
        map: Option<&'a Map<String, Value>>,
        resolver: &'a dyn Resolve,
        f: &'a mut Findings,
    ) -> Self {
        Self { map, used: HashSet::new(), resolver, f }
    }

    /// The raw value of the first of `keys` that is set (not null, not ""); marks all as used.
    pub fn raw(&mut self, keys: &[&str]) -> Option<&'a Value> {
        let mut found = None;
        for k in keys {
            self.used.insert((*k).to_string());
            if found.is_none() {
                found = self.map.and_then(|m| m.get(*k)).filter(|v| present(v));
            }
        }
        found
    }

    /// The translated value of the first of `keys` that is set, named `prop` in notes.
    pub fn get(&mut self, keys: &[&str], prop: &str) -> Option<Value> {
        let raw = self.raw(keys)?;
        Some(self.translate(raw, prop))
    }

    /// Translates `value` (templates inside it) for the prop `prop`.
    pub fn translate(&mut self, value: &Value, prop: &str) -> Value {
        translate_value(value, prop, self.resolver, self.f)
    }

    /// Copies the first set of `keys` into `props[to]`, translated.
    pub fn copy(&mut self, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
        if let Some(v) = self.get(keys, to) {
            props.insert(to.to_string(), v);
        }
    }

    /// Like [`Input::copy`] for a prop our action requires: when the export leaves it empty, a
    /// visible stand-in keeps the flow valid and the step is disabled until it is filled in.
    pub fn require(&mut self, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
        match self.get(keys, to) {
            Some(v) => {
                props.insert(to.to_string(), v);
            }
            None => {
                self.f.blocker(format!(
                    "`{to}` is required but empty in the export: fill it in and enable the step"
                ));
                props.insert(to.to_string(), Value::String("(set me)".into()));
            }
        }
    }

    /// Whether the input has `key` at all (even empty).
    pub fn has(&self, key: &str) -> bool {
        self.map.is_some_and(|m| m.contains_key(key))
    }

    /// Marks `keys` as handled without reading them.
    pub fn skip(&mut self, keys: &[&str]) {
        for k in keys {
            self.used.insert((*k).to_string());
        }
    }

    /// Reports every set input the mapping did not use: our action has nothing to put it in.
    pub fn finish(&mut self, ours: &str) {
        let Some(map) = self.map else { return };
        for (k, v) in map {
            if self.used.contains(k) || IGNORED.contains(&k.as_str()) || !meaningful(v) {
                continue;
            }
            let shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let shown: String = if shown.chars().count() > 80 {
                format!("{}…", shown.chars().take(80).collect::<String>())
            } else {
                shown
            };
            self.f.approx(format!(
                "input `{k}` ({shown}) is not carried over: {ours} has no such setting"
            ));
            self.used.insert(k.clone());
        }
    }
}

/// Set: not null, not "", not an empty list or object (what ActivePieces stores for a field left
/// blank).
fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// Worth a note when dropped: set, not `false`, not an empty list or object.
fn meaningful(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty() && o.values().any(meaningful),
        _ => true,
    }
}
