//! Compiled JSON templates: a prop value in which every string containing `{{ }}` has been
//! compiled once, and their rendering.

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value;

use super::convert;
use super::engine::{Expr, ExprEngine, Outcome};
use super::error::{ExprError, TemplateError};
use super::interpolation::{self, Piece};
use super::references::References;
use super::scope::EvalScope;

/// A compiled JSON value: literals stay literals (a template with no `{{ }}` anywhere renders to
/// a clone of the original with no rhai call).
#[derive(Clone, Debug)]
pub struct Template {
    pub(crate) root: Arc<Node>,
}

/// One node of a compiled template.
#[derive(Debug)]
pub(crate) enum Node {
    /// A subtree without any `{{ }}`: cloned as is.
    Literal(Value),
    /// A string that is exactly one `{{ expr }}`: the value keeps its type.
    Typed(Expr),
    /// A string mixing text and `{{ expr }}`s: renders to a string.
    Text(Vec<Part>),
    /// An array with at least one templated element.
    Array(Vec<Node>),
    /// An object with at least one templated value (keys are never templated; order is kept).
    Object(Vec<(String, Node)>),
}

/// A piece of an interpolated string.
#[derive(Debug)]
pub(crate) enum Part {
    Text(String),
    Expr(Expr),
}

impl Template {
    /// A template that always renders to `value` (no expressions).
    pub fn literal(value: Value) -> Template {
        Template { root: Arc::new(Node::Literal(value)) }
    }

    /// Whether the template contains no expression at all.
    pub fn is_static(&self) -> bool {
        matches!(*self.root, Node::Literal(_))
    }

    /// Everything the template's expressions read (the union).
    pub fn references(&self) -> References {
        let mut references = References::default();
        self.for_each_expr(&mut |expr| references.merge(expr.references()));
        references
    }

    /// Calls `f` for every compiled expression in the template, in document order.
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        fn visit(node: &Node, f: &mut dyn FnMut(&Expr)) {
            match node {
                Node::Literal(_) => {}
                Node::Typed(expr) => f(expr),
                Node::Text(parts) => {
                    for part in parts {
                        if let Part::Expr(expr) = part {
                            f(expr);
                        }
                    }
                }
                Node::Array(items) => items.iter().for_each(|item| visit(item, f)),
                Node::Object(entries) => entries.iter().for_each(|(_, value)| visit(value, f)),
            }
        }
        visit(&self.root, f);
    }
}

impl From<Value> for Template {
    fn from(value: Value) -> Self {
        Template::literal(value)
    }
}

impl ExprEngine {
    /// Walks a JSON value; every string containing `{{ }}` is compiled. All errors are reported at
    /// once, each with the JSON path of the string it is in.
    pub fn compile_template(&self, value: &Value) -> Result<Template, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let node = self.compile_node(value, String::new(), &mut errors);
        if errors.is_empty() { Ok(Template { root: Arc::new(node) }) } else { Err(errors) }
    }

    fn compile_node(&self, value: &Value, path: String, errors: &mut Vec<TemplateError>) -> Node {
        if !has_braces(value) {
            // The common case for big static props: one clone, no per-level rebuilding.
            return Node::Literal(value.clone());
        }
        match value {
            Value::String(text) => self.compile_string(text, path, errors),
            Value::Array(items) => {
                let nodes: Vec<Node> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.compile_node(item, push_index(&path, i), errors))
                    .collect();
                if nodes.iter().all(|node| matches!(node, Node::Literal(_))) {
                    Node::Literal(value.clone())
                } else {
                    Node::Array(nodes)
                }
            }
            Value::Object(entries) => {
                let nodes: Vec<(String, Node)> = entries
                    .iter()
                    .map(|(key, item)| {
                        (key.clone(), self.compile_node(item, push_key(&path, key), errors))
                    })
                    .collect();
                if nodes.iter().all(|(_, node)| matches!(node, Node::Literal(_))) {
                    Node::Literal(value.clone())
                } else {
                    Node::Object(nodes)
                }
            }
            other => Node::Literal(other.clone()),
        }
    }

    fn compile_string(&self, text: &str, path: String, errors: &mut Vec<TemplateError>) -> Node {
        let pieces = match interpolation::split(text) {
            Ok(pieces) => pieces,
            Err(unterminated) => {
                errors.push(TemplateError {
                    path,
                    error: ExprError {
                        expression: text.to_owned(),
                        message: "`{{` is never closed with `}}`".to_owned(),
                        line: Some(unterminated.line),
                        column: Some(unterminated.column),
                    },
                });
                return Node::Literal(Value::String(text.to_owned()));
            }
        };

        // Exactly one `{{ expr }}`, ignoring whitespace around it: keep the value's type.
        let mut non_blank =
            pieces.iter().filter(|piece| !matches!(piece, Piece::Text(t) if t.trim().is_empty()));
        if let (Some(Piece::Expr(source)), None) = (non_blank.next(), non_blank.next()) {
            return match self.compile_expression(source) {
                Ok(expr) => Node::Typed(expr),
                Err(error) => {
                    errors.push(TemplateError { path, error });
                    Node::Literal(Value::String(text.to_owned()))
                }
            };
        }

        if pieces.iter().all(|piece| matches!(piece, Piece::Text(_))) {
            return Node::Literal(Value::String(text.to_owned()));
        }

        let mut parts = Vec::with_capacity(pieces.len());
        let mut failed = false;
        for piece in pieces {
            match piece {
                Piece::Text(t) => parts.push(Part::Text(t.to_owned())),
                Piece::Expr(source) => match self.compile_expression(source) {
                    Ok(expr) => parts.push(Part::Expr(expr)),
                    Err(error) => {
                        failed = true;
                        errors.push(TemplateError { path: path.clone(), error });
                    }
                },
            }
        }
        if failed { Node::Literal(Value::String(text.to_owned())) } else { Node::Text(parts) }
    }

    /// Renders a template to a JSON value.
    pub fn render(&self, template: &Template, scope: &EvalScope) -> Result<Value, ExprError> {
        self.render_node(&template.root, scope)
    }

    fn render_node(&self, node: &Node, scope: &EvalScope) -> Result<Value, ExprError> {
        match node {
            Node::Literal(value) => Ok(value.clone()),
            Node::Typed(expr) => self.eval(expr, scope),
            Node::Text(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(text) => out.push_str(text),
                        Part::Expr(expr) => self.append_interpolated(&mut out, expr, scope)?,
                    }
                }
                Ok(Value::String(out))
            }
            Node::Array(items) => items
                .iter()
                .map(|item| self.render_node(item, scope))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Node::Object(entries) => {
                let mut object = serde_json::Map::with_capacity(entries.len());
                for (key, item) in entries {
                    object.insert(key.clone(), self.render_node(item, scope)?);
                }
                Ok(Value::Object(object))
            }
        }
    }

    fn append_interpolated(
        &self,
        out: &mut String,
        expr: &Expr,
        scope: &EvalScope,
    ) -> Result<(), ExprError> {
        match self.evaluate(expr, scope)? {
            Outcome::Json(value) => {
                convert::append_json_text(out, &value);
                Ok(())
            }
            Outcome::Rhai(value) => convert::append_text(out, &value)
                .map_err(|message| ExprError::new(expr.source(), message)),
        }
    }
}

/// Whether any string in `value` contains `{{`.
fn has_braces(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains("{{"),
        Value::Array(items) => items.iter().any(has_braces),
        Value::Object(entries) => entries.values().any(has_braces),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Appends `.key` (or `["key"]` when the key is not a plain identifier) to a JSON path.
fn push_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{key}")
    } else {
        // A JSON string literal is a valid, unambiguous way to write any key.
        let mut out = String::with_capacity(path.len() + key.len() + 4);
        out.push_str(path);
        out.push('[');
        let _ = write!(out, "{}", Value::String(key.to_owned()));
        out.push(']');
        out
    }
}

/// Appends `[index]` to a JSON path.
fn push_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
