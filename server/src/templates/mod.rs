//! Ready-made flows for each customer segment (`flows/templates/*.json`, embedded in the binary):
//! the editor's gallery lists them, and "use template" makes a draft whose steps use the
//! connections the user picked. A template is a flow document plus what the gallery needs: its
//! segments and tags, the connections it asks for, and the sample it is tested with.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The template files (`flows/templates`).
#[derive(rust_embed::RustEmbed)]
#[folder = "../flows/templates"]
struct Files;

/// One connection a template needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeededConnection {
    /// The connection name the template's steps use (`"connection": "hubspot"`): replaced by the
    /// user's choice when the template is used.
    pub name: String,
    /// The piece it is a connection of.
    pub piece: String,
    /// What the gallery asks for ("Your HubSpot account").
    pub label: String,
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    /// Shown in the gallery.
    pub name: String,
    /// What it does, for whom.
    pub description: String,
    /// Customer segments: `sales`, `recruiting`, `lead_gen`, `market_research`,
    /// `multi_location`, `mid_call`, `operations`.
    pub segments: Vec<String>,
    /// Free search words.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The connections it asks for.
    #[serde(default)]
    pub connections: Vec<NeededConnection>,
    /// The trigger sample event it is tested with (call triggers: `end-of-call-report`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// Or the trigger value it is tested with (other triggers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_trigger: Option<Value>,
    /// The flow document.
    pub flow: Value,
}

/// A template with its id (the file name) and the pieces its flow uses.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    /// The file name without `.json`.
    pub id: String,
    /// The pieces of its trigger and steps.
    pub pieces: Vec<String>,
    /// The file.
    #[serde(flatten)]
    pub file: TemplateFile,
}

/// The segments a template may name.
pub const SEGMENTS: &[&str] = &[
    "sales",
    "recruiting",
    "lead_gen",
    "market_research",
    "multi_location",
    "mid_call",
    "operations",
];

/// Every embedded template, parsed once, by use case then name; a file that does not parse is logged and left
/// out (the templates' tests fail on it first).
pub fn all() -> &'static [Template] {
    static ALL: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    ALL.get_or_init(parse_all)
}

fn parse_all() -> Vec<Template> {
    let mut out: Vec<Template> = Files::iter()
        .filter_map(|path| {
            let id = path.strip_suffix(".json")?.to_owned();
            let bytes = Files::get(&path)?.data;
            match serde_json::from_slice::<TemplateFile>(&bytes) {
                Ok(file) => Some(Template { pieces: pieces_of(&file.flow), id, file }),
                Err(e) => {
                    tracing::error!(template = %id, error = %e, "a template does not parse");
                    None
                }
            }
        })
        .collect();
    // By use case (sales first, as the segments are listed), then by name.
    let rank = |t: &Template| {
        let first = t.file.segments.first().map(String::as_str);
        SEGMENTS.iter().position(|s| Some(*s) == first).unwrap_or(SEGMENTS.len())
    };
    out.sort_by(|a, b| (rank(a), &a.file.name).cmp(&(rank(b), &b.file.name)));
    out
}

/// The pieces a flow document uses (trigger and steps, loop bodies included), sorted.
fn pieces_of(flow: &Value) -> Vec<String> {
    fn walk(steps: Option<&Value>, out: &mut BTreeSet<String>) {
        for step in steps.and_then(Value::as_array).into_iter().flatten() {
            if let Some(p) = step.get("piece").and_then(Value::as_str) {
                out.insert(p.to_owned());
            }
            walk(step.get("steps"), out);
        }
    }
    let mut out = BTreeSet::new();
    if let Some(p) = flow.pointer("/trigger/piece").and_then(Value::as_str) {
        out.insert(p.to_owned());
    }
    walk(flow.get("steps"), &mut out);
    out.into_iter().collect()
}

/// The template's flow with its connection names replaced by the user's choices (`chosen`:
/// template connection name → the user's connection name or id).
pub fn instantiate(
    template: &Template,
    chosen: &std::collections::BTreeMap<String, String>,
) -> Value {
    fn walk(steps: Option<&mut Value>, chosen: &std::collections::BTreeMap<String, String>) {
        for step in steps.and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(Value::String(c)) = step.get_mut("connection")
                && let Some(mine) = chosen.get(c.as_str())
            {
                *c = mine.clone();
            }
            walk(step.get_mut("steps"), chosen);
        }
    }
    let mut flow = template.file.flow.clone();
    walk(flow.get_mut("steps"), chosen);
    flow
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_template_parses_names_known_segments_and_uses_its_connections() {
        let all = all();
        assert_eq!(all.len(), Files::iter().count(), "a template file does not parse");
        for t in all {
            assert!(!t.file.segments.is_empty(), "{}", t.id);
            for s in &t.file.segments {
                assert!(SEGMENTS.contains(&s.as_str()), "{}: unknown segment {s}", t.id);
            }
            assert!(
                t.file.sample.is_some() || t.file.sample_trigger.is_some(),
                "{}: no sample",
                t.id
            );
            let text = t.file.flow.to_string();
            for c in &t.file.connections {
                assert!(t.pieces.contains(&c.piece), "{}: {} is not used", t.id, c.piece);
                assert!(
                    text.contains(&format!("\"connection\":\"{}\"", c.name)),
                    "{}: {}",
                    t.id,
                    c.name
                );
            }
        }
    }

    #[test]
    fn using_a_template_puts_the_chosen_connections_in_its_steps() {
        let t = all().iter().find(|t| t.id == "sales-qualified-call-to-hubspot").unwrap();
        let flow = instantiate(t, &[("hubspot".to_owned(), "acme-hubspot".to_owned())].into());
        let connections: Vec<&str> = flow["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.get("connection").and_then(Value::as_str))
            .collect();
        assert_eq!(connections, ["acme-hubspot", "acme-hubspot", "slack"]);
        assert_eq!(t.pieces, ["call", "hubspot", "slack"]);
    }
}
