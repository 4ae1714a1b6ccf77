//! Reading an n8n workflow export into typed nodes and links, with a JSON path for every problem.
//!
//! Only what the converter relies on is checked: a node needs a string `name` (unique, since
//! connections refer to nodes by name) and a string `type`; `connections` must name existing nodes.
//! Everything else is read leniently with n8n's defaults, because exports from different n8n
//! versions omit different optional fields.

use serde_json::{Map, Value};

use crate::import::ImportError;

/// A node type that only decorates the canvas.
pub(super) const STICKY_NOTE: &str = "n8n-nodes-base.stickyNote";

/// A parsed n8n workflow.
#[derive(Debug, Clone)]
pub(super) struct Workflow {
    /// The workflow's name.
    pub name: String,
    /// The nodes, in the export's order.
    pub nodes: Vec<Node>,
    /// The `main` connections between nodes.
    pub links: Vec<Link>,
    /// `settings` of the workflow.
    pub settings: Map<String, Value>,
    /// Names of nodes with pinned test data.
    pub pinned: Vec<String>,
    /// Connection types other than `main` (AI sub-nodes and the like), as `source → target (type)`.
    pub other_links: Vec<String>,
}

/// What a node does when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnFail {
    /// Stop the workflow (n8n's default).
    Stop,
    /// Continue with the regular output.
    Continue,
    /// Continue on a separate error output.
    ErrorOutput,
}

/// One node of the export.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Position in `nodes`.
    pub index: usize,
    /// The unique node name.
    pub name: String,
    /// The node type, e.g. `n8n-nodes-base.slack`.
    pub kind: String,
    /// `typeVersion` (1 when absent).
    pub version: f64,
    /// `parameters` (an empty object when absent).
    pub params: Map<String, Value>,
    /// Canvas position.
    pub position: Option<[f64; 2]>,
    /// `(credential type, credential name)` pairs.
    pub credentials: Vec<(String, String)>,
    /// Disabled in n8n.
    pub disabled: bool,
    /// `onError` / `continueOnFail`.
    pub on_fail: OnFail,
    /// `(maxTries, waitBetweenTries ms)` when `retryOnFail` is set.
    pub retry: Option<(u32, u64)>,
    /// The node as exported, for placeholders.
    pub raw: Value,
}

impl Node {
    /// A parameter.
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.get(name).filter(|v| !v.is_null())
    }

    /// A string parameter, or `default` when absent or not a string.
    pub fn str_param<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.param(name).and_then(Value::as_str).unwrap_or(default)
    }

    /// A boolean parameter, or `default`.
    pub fn bool_param(&self, name: &str, default: bool) -> bool {
        self.param(name).and_then(Value::as_bool).unwrap_or(default)
    }

    /// A nested object parameter (`options`, `additionalFields` …); empty when absent.
    pub fn obj_param(&self, name: &str) -> Map<String, Value> {
        self.param(name).and_then(Value::as_object).cloned().unwrap_or_default()
    }

    /// Whether the type is one of n8n's own nodes with this short name.
    pub fn is(&self, short: &str) -> bool {
        self.kind == format!("n8n-nodes-base.{short}")
    }

    /// The first credential, if any: `(type, name)`.
    pub fn credential(&self) -> Option<&(String, String)> {
        self.credentials.first()
    }
}

/// A `main` connection: output `output` of `from` feeds input `input` of `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Link {
    /// Source node index.
    pub from: usize,
    /// Output index on the source.
    pub output: usize,
    /// Target node index.
    pub to: usize,
    /// Input index on the target (Merge has two).
    pub input: usize,
}

fn malformed(path: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError::Malformed { format: "n8n", path: path.into(), message: message.into() }
}

/// A JSON path segment for an object key: `.key` when it is a plain identifier, else `["key"]`.
pub(super) fn key_path(key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { format!(".{key}") } else { format!("[{}]", Value::String(key.to_owned())) }
}

/// Reads the export.
pub(super) fn parse(doc: &Value) -> Result<Workflow, ImportError> {
    let root = doc.as_object().ok_or_else(|| malformed("$", "must be a JSON object"))?;
    let name = root
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("Imported n8n workflow")
        .to_owned();
    let raw_nodes = root
        .get("nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("$.nodes", "must be an array of nodes"))?;
    let mut nodes = Vec::with_capacity(raw_nodes.len());
    for (index, raw) in raw_nodes.iter().enumerate() {
        nodes.push(parse_node(index, raw)?);
    }
    for node in &nodes {
        if let Some(first) = nodes.iter().find(|n| n.name == node.name && n.index < node.index) {
            return Err(malformed(
                format!("$.nodes[{}].name", node.index),
                format!(
                    "duplicate node name `{}` (also $.nodes[{}]); connections refer to nodes by name",
                    node.name, first.index
                ),
            ));
        }
    }
    let (links, other_links) = parse_connections(root.get("connections"), &nodes)?;
    let settings = match root.get("settings") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(malformed("$.settings", "must be an object")),
    };
    let pinned = match root.get("pinData") {
        Some(Value::Object(m)) => m
            .iter()
            .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    };
    Ok(Workflow { name, nodes, links, settings, pinned, other_links })
}

fn parse_node(index: usize, raw: &Value) -> Result<Node, ImportError> {
    let at = |field: &str| format!("$.nodes[{index}]{field}");
    let obj = raw.as_object().ok_or_else(|| malformed(at(""), "a node must be a JSON object"))?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(malformed(at(".name"), "the node name is empty")),
        Some(_) => return Err(malformed(at(".name"), "the node name must be a string")),
        None => return Err(malformed(at(".name"), "the node has no `name`")),
    };
    let kind = match obj.get("type") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(malformed(at(".type"), "the node type is empty")),
        Some(_) => return Err(malformed(at(".type"), "the node type must be a string")),
        None => {
            return Err(malformed(at(".type"), format!("node `{name}` has no `type`")));
        }
    };
    let params = match obj.get("parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(malformed(at(".parameters"), "must be an object")),
    };
    let version = obj.get("typeVersion").and_then(Value::as_f64).unwrap_or(1.0);
    let position = obj.get("position").and_then(Value::as_array).and_then(|p| {
        match (p.first().and_then(Value::as_f64), p.get(1).and_then(Value::as_f64)) {
            (Some(x), Some(y)) => Some([x, y]),
            _ => None,
        }
    });
    let credentials = match obj.get("credentials") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(kind, c)| {
                let name = match c {
                    Value::Object(c) => c
                        .get("name")
                        .and_then(Value::as_str)
                        .or_else(|| c.get("id").and_then(Value::as_str))
                        .unwrap_or(kind),
                    Value::String(s) => s,
                    _ => kind,
                };
                (kind.clone(), name.to_owned())
            })
            .collect(),
        _ => Vec::new(),
    };
    let on_fail = match obj.get("onError").and_then(Value::as_str) {
        Some("continueRegularOutput") => OnFail::Continue,
        Some("continueErrorOutput") => OnFail::ErrorOutput,
        Some(_) => OnFail::Stop,
        None if obj.get("continueOnFail").and_then(Value::as_bool) == Some(true) => {
            OnFail::Continue
        }
        None => OnFail::Stop,
    };
    let number = |key: &str| {
        obj.get(key).and_then(|v| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
    };
    let retry = (obj.get("retryOnFail").and_then(Value::as_bool) == Some(true)).then(|| {
        // n8n's defaults: 3 tries, 1000 ms apart; it caps them at 5 tries and 5000 ms.
        let tries = number("maxTries").unwrap_or(3.0).clamp(1.0, 5.0) as u32;
        let wait = number("waitBetweenTries").unwrap_or(1000.0).clamp(0.0, 5000.0) as u64;
        (tries, wait)
    });
    Ok(Node {
        index,
        name,
        kind,
        version,
        params,
        position,
        credentials,
        disabled: obj.get("disabled").and_then(Value::as_bool).unwrap_or(false),
        on_fail,
        retry,
        raw: raw.clone(),
    })
}

type Links = (Vec<Link>, Vec<String>);

fn parse_connections(value: Option<&Value>, nodes: &[Node]) -> Result<Links, ImportError> {
    let mut links = Vec::new();
    let mut other = Vec::new();
    let conns = match value {
        None | Some(Value::Null) => return Ok((links, other)),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(malformed("$.connections", "must be an object keyed by node name")),
    };
    let find = |name: &str| nodes.iter().position(|n| n.name == name);
    for (source, by_type) in conns {
        let at = format!("$.connections{}", key_path(source));
        let from = find(source).ok_or_else(|| {
            malformed(&at, format!("connections start at `{source}`, but no node has that name"))
        })?;
        let by_type = by_type
            .as_object()
            .ok_or_else(|| malformed(&at, "must be an object keyed by connection type"))?;
        for (conn_type, outputs) in by_type {
            let at = format!("{at}{}", key_path(conn_type));
            let outputs = match outputs {
                Value::Null => continue,
                Value::Array(a) => a,
                _ => return Err(malformed(&at, "must be an array of outputs")),
            };
            for (output, targets) in outputs.iter().enumerate() {
                let at = format!("{at}[{output}]");
                let targets = match targets {
                    Value::Null => continue,
                    Value::Array(a) => a,
                    _ => return Err(malformed(&at, "must be an array of connections")),
                };
                for (k, target) in targets.iter().enumerate() {
                    let at = format!("{at}[{k}]");
                    let t = target
                        .as_object()
                        .ok_or_else(|| malformed(&at, "a connection must be an object"))?;
                    let name = t.get("node").and_then(Value::as_str).ok_or_else(|| {
                        malformed(format!("{at}.node"), "must be the target node's name")
                    })?;
                    let to = find(name).ok_or_else(|| {
                        malformed(
                            format!("{at}.node"),
                            format!("`{source}` connects to `{name}`, but no node has that name"),
                        )
                    })?;
                    let input = t.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                    if conn_type == "main" {
                        links.push(Link { from, output, to, input });
                    } else {
                        other.push(format!("{source} → {name} ({conn_type})"));
                    }
                }
            }
        }
    }
    Ok((links, other))
}
