//! Reading the ActivePieces step tree (`nextAction` chains, router `children`, loop bodies, old
//! `BRANCH` success/failure chains) into a typed tree, checking its shape on the way: a part with
//! the wrong shape is an [`ImportError::Malformed`] with its JSON path, never a panic.

use serde_json::{Map, Value};

use super::super::ImportError;

/// The format name in errors.
pub(super) const FORMAT: &str = "ActivePieces";

/// Routers and loops nested deeper than this are refused (the walk recurses per level).
const MAX_DEPTH: usize = 64;

/// A malformed-input error at `path`.
pub(super) fn malformed(path: &str, message: impl Into<String>) -> ImportError {
    ImportError::Malformed { format: FORMAT, path: path.to_string(), message: message.into() }
}

/// One ActivePieces step.
#[derive(Debug)]
pub(super) struct Node<'a> {
    /// The step's `name` (`step_1`), what templates call it.
    pub name: String,
    /// The step's `displayName`.
    pub display: String,
    /// The step's JSON (with its `nextAction` chain).
    pub raw: &'a Value,
    /// JSON path of the step.
    pub path: String,
    /// `skip: true`.
    pub skip: bool,
    /// The type and its parts.
    pub kind: Kind<'a>,
}

/// The step types.
#[derive(Debug)]
pub(super) enum Kind<'a> {
    /// `PIECE`: `settings.pieceName`, `actionName`, `input`.
    Piece { settings: &'a Map<String, Value> },
    /// `CODE`: `settings.sourceCode.code`, `input`.
    Code { settings: Option<&'a Map<String, Value>> },
    /// `LOOP_ON_ITEMS`: `settings.items` and the body (`firstLoopAction` chain).
    Loop { items: Option<&'a Value>, body: Vec<Node<'a>> },
    /// `ROUTER` (or the old `BRANCH`, as two branches).
    Router { all_match: bool, legacy: bool, branches: Vec<Branch<'a>> },
    /// Any other type (`MISSING`, newer types): kept as a placeholder.
    Other { type_name: String },
}

/// A router branch and the chain it runs.
#[derive(Debug)]
pub(super) struct Branch<'a> {
    /// `branchName`.
    pub name: String,
    /// `branchType: FALLBACK`.
    pub fallback: bool,
    /// `conditions` (`[[…]]`).
    pub conditions: Option<&'a Value>,
    /// The branch's chain (empty for a `null` child).
    pub chain: Vec<Node<'a>>,
}

impl Node<'_> {
    /// The type as the report shows it (`PIECE @activepieces/piece-slack send_message_to_a_channel`).
    pub fn source_type(&self) -> String {
        match &self.kind {
            Kind::Piece { settings } => {
                let piece = settings.get("pieceName").and_then(Value::as_str).unwrap_or("?");
                let action = settings.get("actionName").and_then(Value::as_str).unwrap_or("?");
                format!("PIECE {piece} {action}")
            }
            Kind::Code { .. } => "CODE".into(),
            Kind::Loop { .. } => "LOOP_ON_ITEMS".into(),
            Kind::Router { legacy: true, .. } => "BRANCH".into(),
            Kind::Router { .. } => "ROUTER".into(),
            Kind::Other { type_name } => type_name.clone(),
        }
    }

    /// "Display name (name)".
    pub fn label(&self) -> String {
        if self.display == self.name {
            self.name.clone()
        } else {
            format!("{} ({})", self.display, self.name)
        }
    }

    /// The step's own JSON, without the steps after it or inside it (they are converted on their
    /// own), for placeholders.
    pub fn own_json(&self) -> Value {
        let mut v = self.raw.clone();
        if let Some(obj) = v.as_object_mut() {
            for key in
                ["nextAction", "firstLoopAction", "children", "onSuccessAction", "onFailureAction"]
            {
                obj.remove(key);
            }
        }
        v
    }
}

/// Reads the chain starting at `first` (a step object, `null` or absent) found at `path`.
pub(super) fn chain<'a>(
    first: Option<&'a Value>,
    path: &str,
    depth: usize,
) -> Result<Vec<Node<'a>>, ImportError> {
    if depth > MAX_DEPTH {
        return Err(malformed(
            path,
            format!("routers and loops nested more than {MAX_DEPTH} deep"),
        ));
    }
    let mut out = Vec::new();
    let mut current = first;
    let mut path = path.to_string();
    while let Some(value) = current {
        if value.is_null() {
            break;
        }
        let Some(obj) = value.as_object() else {
            return Err(malformed(
                &path,
                format!("a step must be an object, not {}", kind_of(value)),
            ));
        };
        out.push(node(obj, value, &path, depth)?);
        current = obj.get("nextAction");
        path.push_str(".nextAction");
    }
    Ok(out)
}

fn node<'a>(
    obj: &'a Map<String, Value>,
    raw: &'a Value,
    path: &str,
    depth: usize,
) -> Result<Node<'a>, ImportError> {
    let type_name = match obj.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => {
            return Err(malformed(
                &format!("{path}.type"),
                format!("`type` must be a string, not {}", kind_of(other)),
            ));
        }
        None => return Err(malformed(&format!("{path}.type"), "the step has no `type`")),
    };
    let display = obj.get("displayName").and_then(Value::as_str).map(str::to_string);
    let name = match obj.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            display.clone().unwrap_or_else(|| "step".into())
        }
        Some(other) => {
            return Err(malformed(
                &format!("{path}.name"),
                format!("`name` must be a string, not {}", kind_of(other)),
            ));
        }
    };
    let settings = match obj.get("settings") {
        None | Some(Value::Null) => None,
        Some(Value::Object(s)) => Some(s),
        Some(other) => {
            return Err(malformed(
                &format!("{path}.settings"),
                format!("`settings` must be an object, not {}", kind_of(other)),
            ));
        }
    };
    let kind = match type_name.as_str() {
        "PIECE" => {
            let settings = settings.ok_or_else(|| {
                malformed(&format!("{path}.settings"), "a PIECE step needs `settings`")
            })?;
            Kind::Piece { settings }
        }
        "CODE" => Kind::Code { settings },
        "LOOP_ON_ITEMS" => Kind::Loop {
            items: settings.and_then(|s| s.get("items")),
            body: chain(obj.get("firstLoopAction"), &format!("{path}.firstLoopAction"), depth + 1)?,
        },
        "ROUTER" => router(obj, settings, path, depth)?,
        "BRANCH" => Kind::Router {
            all_match: false,
            legacy: true,
            branches: vec![
                Branch {
                    name: "true".into(),
                    fallback: false,
                    conditions: settings.and_then(|s| s.get("conditions")),
                    chain: chain(
                        obj.get("onSuccessAction"),
                        &format!("{path}.onSuccessAction"),
                        depth + 1,
                    )?,
                },
                Branch {
                    name: "false".into(),
                    fallback: true,
                    conditions: None,
                    chain: chain(
                        obj.get("onFailureAction"),
                        &format!("{path}.onFailureAction"),
                        depth + 1,
                    )?,
                },
            ],
        },
        _ => Kind::Other { type_name },
    };
    Ok(Node {
        display: display.unwrap_or_else(|| name.clone()),
        name,
        raw,
        path: path.to_string(),
        skip: obj.get("skip").and_then(Value::as_bool).unwrap_or(false),
        kind,
    })
}

/// A `ROUTER`: `settings.branches[i]` runs `children[i]`; the two arrays must line up.
fn router<'a>(
    obj: &'a Map<String, Value>,
    settings: Option<&'a Map<String, Value>>,
    path: &str,
    depth: usize,
) -> Result<Kind<'a>, ImportError> {
    let settings = settings
        .ok_or_else(|| malformed(&format!("{path}.settings"), "a ROUTER needs `settings`"))?;
    let branches_path = format!("{path}.settings.branches");
    let branches = match settings.get("branches") {
        Some(Value::Array(b)) if !b.is_empty() => b,
        Some(Value::Array(_)) => {
            return Err(malformed(&branches_path, "a ROUTER needs at least one branch"));
        }
        Some(other) => {
            return Err(malformed(
                &branches_path,
                format!("`branches` must be an array, not {}", kind_of(other)),
            ));
        }
        None => return Err(malformed(&branches_path, "a ROUTER needs `branches`")),
    };
    let children: &[Value] = match obj.get("children") {
        Some(Value::Array(c)) => c,
        None | Some(Value::Null) => &[],
        Some(other) => {
            return Err(malformed(
                &format!("{path}.children"),
                format!("`children` must be an array, not {}", kind_of(other)),
            ));
        }
    };
    if children.len() > branches.len() {
        return Err(malformed(
            &format!("{path}.children[{}]", branches.len()),
            format!(
                "{} children for {} branches: this child has no branch in `settings.branches`",
                children.len(),
                branches.len()
            ),
        ));
    }
    let all_match = match settings.get("executionType").and_then(Value::as_str) {
        Some("EXECUTE_ALL_MATCH") => true,
        Some("EXECUTE_FIRST_MATCH") | None => false,
        Some(other) => {
            return Err(malformed(
                &format!("{path}.settings.executionType"),
                format!(
                    "unknown executionType `{other}` (EXECUTE_FIRST_MATCH or EXECUTE_ALL_MATCH)"
                ),
            ));
        }
    };
    let mut out = Vec::with_capacity(branches.len());
    for (i, b) in branches.iter().enumerate() {
        let bpath = format!("{branches_path}[{i}]");
        let Some(bobj) = b.as_object() else {
            return Err(malformed(
                &bpath,
                format!("a branch must be an object, not {}", kind_of(b)),
            ));
        };
        let name = bobj
            .get("branchName")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .map_or_else(|| format!("Branch {}", i + 1), str::to_string);
        let Some(child) = children.get(i) else {
            return Err(malformed(
                &bpath,
                format!(
                    "branch `{name}` has no entry in `children` ({} branches, {} children)",
                    branches.len(),
                    children.len()
                ),
            ));
        };
        out.push(Branch {
            name,
            fallback: bobj.get("branchType").and_then(Value::as_str) == Some("FALLBACK"),
            conditions: bobj.get("conditions"),
            chain: chain(Some(child), &format!("{path}.children[{i}]"), depth + 1)?,
        });
    }
    Ok(Kind::Router { all_match, legacy: false, branches: out })
}

/// "an array", "a string" … for messages.
pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
