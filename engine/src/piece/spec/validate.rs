//! Reading a spec file and checking it: a spec compiles only when every template parses and
//! reads only what exists (declared props, the connection's fields), every action can run and
//! has an example. Problems name their place (`actions[2].request.body.text`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::action::{
    CUSTOM_API_CALL, Compiled, CompiledAction, CompiledPaginate, Output, compile_errors,
    compile_request,
};
use super::template::{Path, Template};
use super::types::{ActionSpec, OAuth2Grant, PieceSpec};
use crate::piece::{ActionMeta, AuthKind, OAuth2Meta, PieceMeta, PropKind, PropMeta, SelectOption};

/// A spec that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The file is not valid JSON or does not have the spec's shape.
    #[error("piece spec {file}: {path}: {message} (line {line}, column {column})")]
    Parse {
        /// The file (or piece) name.
        file: String,
        /// JSON path of the problem.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The spec parses but is inconsistent.
    #[error("piece spec `{piece}`:\n  {}", problems.join("\n  "))]
    Invalid {
        /// The piece id.
        piece: String,
        /// Every problem, with its place.
        problems: Vec<String>,
    },
}

impl PieceSpec {
    /// Reads a spec file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            SpecError::Parse {
                file: file.to_owned(),
                path,
                line: inner.line(),
                column: inner.column(),
                message: inner.to_string(),
            }
        })
    }

    /// The editor's and validator's view: the declared actions (minus their requests) plus
    /// "custom API call".
    pub fn meta(&self) -> PieceMeta {
        let mut actions: Vec<ActionMeta> = self
            .actions
            .iter()
            .map(|a| ActionMeta {
                name: a.name.clone(),
                label: a.label.clone(),
                description: a.description.clone(),
                props: a.props.clone(),
                extra_props: false,
                sample_output: a
                    .examples
                    .iter()
                    .find(|e| e.error.is_none())
                    .and_then(|e| e.output.clone()),
                internal: a.internal,
            })
            .collect();
        if self.custom_api_call {
            actions.push(custom_api_call_meta(self));
        }
        PieceMeta {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            icon: self.icon.clone(),
            auth: self.auth.kind,
            auth_fields: self.auth.fields.clone(),
            auth_help: self.auth.help.clone(),
            oauth2: self.auth.oauth2.as_ref().map(|o| OAuth2Meta {
                grant: match o.grant {
                    OAuth2Grant::AuthorizationCode => "authorization_code".into(),
                    OAuth2Grant::ClientCredentials => "client_credentials".into(),
                },
                scopes: o.scopes.clone(),
            }),
            docs_url: self.docs_url.clone(),
            actions,
            triggers: self.triggers.clone(),
        }
    }
}

fn prop(name: &str, label: &str, kind: PropKind, required: bool, help: &str) -> PropMeta {
    PropMeta {
        name: name.into(),
        label: label.into(),
        kind,
        required,
        help: Some(help.into()),
        default: None,
        example: None,
        secret: false,
        options: Vec::new(),
        options_from: None,
        variants: Vec::new(),
    }
}

fn custom_api_call_meta(spec: &PieceSpec) -> ActionMeta {
    let mut method = prop("method", "Method", PropKind::Select, true, "The HTTP method.");
    method.options = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .map(|m| SelectOption { label: m.into(), value: Value::String(m.into()) })
        .collect();
    method.default = Some(Value::String("GET".into()));
    ActionMeta {
        name: CUSTOM_API_CALL.into(),
        label: "Custom API call".into(),
        description: format!(
            "Any request on the {} API with this connection's credentials.",
            spec.name
        ),
        props: vec![
            method,
            prop(
                "path",
                "Path",
                PropKind::ShortText,
                true,
                &format!(
                    "Appended to {} (e.g. `/users`); may include a query string.",
                    spec.base_url
                ),
            ),
            prop("query", "Query parameters", PropKind::KeyValue, false, "Added to the URL."),
            prop("headers", "Headers", PropKind::KeyValue, false, "Sent besides the auth headers."),
            prop("body", "Body", PropKind::Json, false, "Sent as JSON."),
        ],
        extra_props: false,
        sample_output: Some(serde_json::json!({ "status": 200, "headers": {}, "body": {} })),
        internal: false,
    }
}

/// Compiles one template, recording problems under `at`.
pub(super) fn compile_checked(value: &Value, at: &str, errors: &mut Vec<String>) -> Template {
    match Template::compile(value) {
        Ok(t) => t,
        Err(problems) => {
            for p in problems {
                let place = if p.at.is_empty() { at.to_owned() } else { format!("{at}.{}", p.at) };
                errors.push(format!("{place}: {}", p.message));
            }
            Template::Literal(Value::Null)
        }
    }
}

/// What templates in one place may read.
struct Reads<'a> {
    roots: &'a [&'a str],
    props: &'a BTreeSet<String>,
    auth: &'a BTreeSet<String>,
}

impl Reads<'_> {
    fn check(&self, template: &Template, at: &str, errors: &mut Vec<String>) {
        for path in template.paths() {
            self.check_path(path, at, errors);
        }
    }

    fn check_path(&self, path: &Path, at: &str, errors: &mut Vec<String>) {
        // `item` is bound inside `$map`; what it holds is the mapped array's elements.
        if path.root == "item" {
            return;
        }
        if !self.roots.contains(&path.root.as_str()) {
            errors.push(format!(
                "{at}: `{path}` reads `{}`; here only {} can be read",
                path.root,
                self.roots.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            ));
            return;
        }
        let (known, what) = match path.root.as_str() {
            "props" => (self.props, "prop"),
            "auth" => (self.auth, "connection field"),
            "ctx" => (&ctx_fields(), "ctx field"),
            _ => return,
        };
        match path.first_key() {
            Some(k) if known.contains(k) => {}
            Some(k) => errors.push(format!("{at}: `{path}`: there is no {what} `{k}`")),
            None => errors.push(format!("{at}: `{path}` must name a {what}")),
        }
    }
}

fn ctx_fields() -> BTreeSet<String> {
    ["run_id", "step_path", "idempotency_key", "now", "now_ms"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// Checks a parsed spec and compiles its templates.
pub(super) fn compile(spec: PieceSpec) -> Result<Compiled, SpecError> {
    let mut errors = Vec::new();
    if spec.id.is_empty()
        || !spec.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        errors.push(format!("id: `{}` must be lower case letters, digits and `_`", spec.id));
    }
    let mut auth_fields: BTreeSet<String> =
        spec.auth.fields.iter().map(|f| f.name.clone()).collect();
    if let Some(o) = &spec.auth.oauth2 {
        auth_fields.extend(["access_token", "refresh_token", "expires_at"].map(String::from));
        auth_fields.extend(o.keep.iter().cloned());
        if o.grant == OAuth2Grant::AuthorizationCode && o.authorize_url.is_none() {
            errors.push(
                "auth.oauth2.authorize_url: required for the authorization code grant".into(),
            );
        }
    }
    if spec.auth.kind == AuthKind::Oauth2 && spec.auth.oauth2.is_none() {
        errors.push("auth.oauth2: an `oauth2` connection needs its endpoints".into());
    }
    if spec.auth.kind != AuthKind::None && spec.auth.example.is_empty() {
        errors.push("auth.example: give fake connection values for the examples".into());
    }
    for k in spec.auth.example.keys() {
        if !auth_fields.contains(k) {
            errors.push(format!("auth.example.{k}: there is no connection field `{k}`"));
        }
    }
    let no_props = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut actions = BTreeMap::new();
    for (i, action) in spec.actions.iter().enumerate() {
        let at = format!("actions[{i}]");
        if !names.insert(action.name.clone()) {
            errors.push(format!("{at}.name: `{}` is declared twice", action.name));
        }
        if action.name == CUSTOM_API_CALL {
            errors.push(format!("{at}.name: `{CUSTOM_API_CALL}` is added to every piece"));
        }
        if let Some(compiled) = compile_action(&spec, action, &at, &auth_fields, &mut errors) {
            actions.insert(action.name.clone(), compiled);
        }
    }
    // Dynamic selects must name a listing action that exists.
    for (i, action) in spec.actions.iter().enumerate() {
        for (j, p) in action.props.iter().enumerate() {
            let at = format!("actions[{i}].props[{j}]");
            match (&p.options_from, p.kind) {
                (Some(from), _) => {
                    if !names.contains(&from.action) {
                        errors.push(format!(
                            "{at}.options_from.action: there is no action `{}`",
                            from.action
                        ));
                    }
                    for d in &from.depends_on {
                        if !action.props.iter().any(|q| &q.name == d) {
                            errors.push(format!(
                                "{at}.options_from.depends_on: there is no prop `{d}`"
                            ));
                        }
                    }
                }
                (None, PropKind::DynamicSelect) => {
                    errors.push(format!("{at}: a `dynamic_select` needs `options_from`"));
                }
                _ => {}
            }
        }
    }
    // The piece-level templates are compiled once, by `Compiled::new`; what they read is
    // checked on the result.
    let piece = spec.id.clone();
    let compiled = match Compiled::new(spec, actions) {
        Ok(c) => c,
        Err(SpecError::Invalid { problems, .. }) => {
            errors.extend(problems);
            return Err(SpecError::Invalid { piece, problems: errors });
        }
        Err(e) => return Err(e),
    };
    let auth_reads = Reads { roots: &["auth"], props: &no_props, auth: &auth_fields };
    auth_reads.check(&compiled.base_url, "base_url", &mut errors);
    for (k, t) in &compiled.bases {
        auth_reads.check(t, &format!("bases.{k}"), &mut errors);
    }
    for (at, pairs) in [
        ("headers", &compiled.headers),
        ("auth.headers", &compiled.auth_headers),
        ("auth.query", &compiled.auth_query),
    ] {
        for (k, t) in pairs {
            auth_reads.check(t, &format!("{at}.{k}"), &mut errors);
        }
    }
    if let Some((user, password)) = &compiled.basic {
        auth_reads.check(user, "auth.basic.username", &mut errors);
        auth_reads.check(password, "auth.basic.password", &mut errors);
    }
    if let Some(test) = &compiled.test {
        let reads = Reads { roots: &["auth", "ctx"], props: &no_props, auth: &auth_fields };
        check_request_reads(test, &reads, "auth.test", &mut errors);
    }
    if errors.is_empty() {
        Ok(compiled)
    } else {
        Err(SpecError::Invalid { piece, problems: errors })
    }
}

fn check_request_reads(
    r: &super::action::CompiledRequest,
    reads: &Reads<'_>,
    at: &str,
    errors: &mut Vec<String>,
) {
    if let Some(u) = &r.url {
        reads.check(u, &format!("{at}.url"), errors);
    }
    for part in &r.path {
        if let super::action::PathPart::Segment(t) | super::action::PathPart::Segments(t) = part {
            reads.check(t, &format!("{at}.path"), errors);
        }
    }
    for (k, t) in &r.query {
        reads.check(t, &format!("{at}.query.{k}"), errors);
    }
    for (k, t) in &r.headers {
        reads.check(t, &format!("{at}.headers.{k}"), errors);
    }
    if let Some(b) = &r.body {
        reads.check(b, &format!("{at}.body"), errors);
    }
}

fn compile_action(
    spec: &PieceSpec,
    action: &ActionSpec,
    at: &str,
    auth_fields: &BTreeSet<String>,
    errors: &mut Vec<String>,
) -> Option<CompiledAction> {
    let mut props = BTreeSet::new();
    for (j, p) in action.props.iter().enumerate() {
        if !props.insert(p.name.clone()) {
            errors.push(format!("{at}.props[{j}].name: `{}` is declared twice", p.name));
        }
    }
    if action.examples.is_empty() {
        errors.push(format!("{at}.examples: every action needs at least one example"));
    }
    for (j, e) in action.examples.iter().enumerate() {
        for k in e.props.keys() {
            if !props.contains(k) {
                errors.push(format!("{at}.examples[{j}].props.{k}: there is no prop `{k}`"));
            }
        }
        if e.error.is_none() {
            for p in action.props.iter().filter(|p| p.required && p.default.is_none()) {
                if !e.props.contains_key(&p.name) {
                    errors.push(format!(
                        "{at}.examples[{j}].props: the required prop `{}` is missing",
                        p.name
                    ));
                }
            }
        }
    }
    let request = match (&action.request, action.rust) {
        (Some(r), false) => {
            let mut errs = Vec::new();
            if let Some(base) = &r.base
                && !spec.bases.contains_key(base)
            {
                errs.push(format!("{at}.request.base: the piece has no base `{base}` in `bases`"));
            }
            let c = compile_request(r, &format!("{at}.request"), &mut errs);
            errors.extend(errs);
            let reads =
                Reads { roots: &["props", "auth", "ctx"], props: &props, auth: auth_fields };
            check_request_reads(&c, &reads, &format!("{at}.request"), errors);
            Some(c)
        }
        (None, true) => None,
        (Some(_), true) => {
            errors.push(format!("{at}: a `rust` action has no `request`"));
            None
        }
        (None, false) => {
            errors.push(format!("{at}.request: missing (or mark the action `rust: true`)"));
            None
        }
    };
    let response_reads =
        Reads { roots: &["status", "headers", "body", "props"], props: &props, auth: auth_fields };
    let output = match &action.output {
        None => Output::Path(Path { root: "body".into(), segments: Vec::new() }),
        Some(Value::String(p)) if !p.contains("{{") => match Path::parse(p) {
            Ok(path) => {
                response_reads.check_path(&path, &format!("{at}.output"), errors);
                Output::Path(path)
            }
            Err(m) => {
                errors.push(format!("{at}.output: {m}"));
                Output::Path(Path { root: "body".into(), segments: Vec::new() })
            }
        },
        Some(t) => {
            let t = compile_checked(t, &format!("{at}.output"), errors);
            response_reads.check(&t, &format!("{at}.output"), errors);
            Output::Template(t)
        }
    };
    let paginate = action.paginate.as_ref().map(|p| {
        let mut path = |text: &str, field: &str| match Path::parse(text) {
            Ok(path) => {
                response_reads.check_path(&path, &format!("{at}.paginate.{field}"), errors);
                path
            }
            Err(m) => {
                errors.push(format!("{at}.paginate.{field}: {m}"));
                Path { root: "body".into(), segments: Vec::new() }
            }
        };
        CompiledPaginate {
            items: path(&p.items, "items"),
            next: path(&p.next, "next"),
            query: p.query.clone(),
            max_pages: p.max_pages,
        }
    });
    let defaults: Map<String, Value> = action
        .props
        .iter()
        .filter_map(|p| p.default.clone().map(|d| (p.name.clone(), d)))
        .collect();
    Some(CompiledAction {
        request,
        output,
        errors: compile_errors(
            action.errors.as_ref().unwrap_or(&spec.errors),
            &format!("{at}.errors"),
            errors,
        ),
        paginate,
        defaults,
    })
}
