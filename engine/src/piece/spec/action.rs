//! The generic executor: a compiled [`PieceSpec`] as a [`Piece`], each spec'd action as an
//! [`Action`] that renders its request, sends it through the shared client, applies the error
//! rule, follows pagination and picks the output.

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use super::template::{Path, Scope, Template, push_text};
use super::types::{Condition, Encoding, ErrorRule, PieceSpec, RequestSpec};
use super::validate::{SpecError, compile_checked};
use crate::piece::{
    Action, ActionContext, BoxFuture, HttpClient, Piece, PieceMeta, SelectOption, TriggerSource,
};
use crate::pieces::http::request::{ResponseFormat, output as response_value};
use crate::step_error::{ErrorKind, StepError};

/// The name of the "custom API call" action every spec'd piece gets.
pub const CUSTOM_API_CALL: &str = "custom_api_call";

/// A connection check written in Rust, for a piece whose API is not HTTP (SMTP).
pub type ConnectionTest =
    Arc<dyn for<'a> Fn(&'a ActionContext) -> BoxFuture<'a, Result<(), StepError>> + Send + Sync>;

/// A piece run from its spec, plus the Rust behind any `rust: true` actions and its triggers.
pub struct SpecPiece {
    compiled: Arc<Compiled>,
    meta: PieceMeta,
    rust_actions: BTreeMap<String, Arc<dyn Action>>,
    triggers: BTreeMap<String, Arc<dyn TriggerSource>>,
    connection_test: Option<ConnectionTest>,
}

/// What a spec compiles to: templates parsed once.
pub(super) struct Compiled {
    pub(super) spec: PieceSpec,
    pub(super) base_url: Template,
    pub(super) bases: BTreeMap<String, Template>,
    pub(super) headers: Vec<(String, Template)>,
    pub(super) auth_headers: Vec<(String, Template)>,
    pub(super) auth_query: Vec<(String, Template)>,
    pub(super) basic: Option<(Template, Template)>,
    pub(super) actions: BTreeMap<String, CompiledAction>,
    pub(super) test: Option<CompiledRequest>,
    pub(super) errors: CompiledErrors,
    /// Per connection: when the next request may go (spacing requests by the rate limit).
    next_slot: Mutex<HashMap<String, Instant>>,
}

pub(super) struct CompiledAction {
    pub(super) request: Option<CompiledRequest>,
    pub(super) output: Output,
    pub(super) errors: CompiledErrors,
    pub(super) paginate: Option<CompiledPaginate>,
    pub(super) defaults: Map<String, Value>,
}

pub(super) struct CompiledRequest {
    pub(super) method: Method,
    pub(super) base: Option<String>,
    pub(super) url: Option<Template>,
    pub(super) url_hosts: Vec<String>,
    pub(super) path: Vec<PathPart>,
    pub(super) query: Vec<(String, Template)>,
    pub(super) headers: Vec<(String, Template)>,
    pub(super) body: Option<Template>,
    pub(super) encoding: Encoding,
}

/// A piece of a request path: literal text, or a placeholder encoded as one segment (or, with a
/// trailing `*`, as several).
pub(super) enum PathPart {
    Text(String),
    Segment(Template),
    Segments(Template),
}

pub(super) enum Output {
    Path(Path),
    Template(Template),
}

pub(super) struct CompiledPaginate {
    pub(super) items: Path,
    pub(super) next: Path,
    pub(super) query: Option<String>,
    pub(super) max_pages: u32,
}

/// An [`ErrorRule`] with its paths parsed once, when the spec loads.
#[derive(Default)]
pub(super) struct CompiledErrors {
    fail_when: Vec<(Path, Condition)>,
    message: Vec<Path>,
}

pub(super) fn compile_errors(
    rule: &ErrorRule,
    at: &str,
    errors: &mut Vec<String>,
) -> CompiledErrors {
    let mut path = |text: &str, place: String| match Path::parse(text) {
        Ok(p) => Some(p),
        Err(m) => {
            errors.push(format!("{place}: {m}"));
            None
        }
    };
    let fail_when = rule
        .fail_when
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((path(&c.path, format!("{at}.fail_when[{i}].path"))?, c.clone())))
        .collect();
    let message = rule
        .message
        .iter()
        .enumerate()
        .filter_map(|(i, m)| path(m, format!("{at}.message[{i}]")))
        .collect();
    CompiledErrors { fail_when, message }
}

impl Compiled {
    pub(super) fn new(
        spec: PieceSpec,
        actions: BTreeMap<String, CompiledAction>,
    ) -> Result<Self, SpecError> {
        let mut errors = Vec::new();
        let base_url =
            compile_checked(&Value::String(spec.base_url.clone()), "base_url", &mut errors);
        let bases = spec
            .bases
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    compile_checked(&Value::String(v.clone()), &format!("bases.{k}"), &mut errors),
                )
            })
            .collect();
        let pairs = |map: &BTreeMap<String, String>, at: &str, errors: &mut Vec<_>| {
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        compile_checked(&Value::String(v.clone()), &format!("{at}.{k}"), errors),
                    )
                })
                .collect::<Vec<_>>()
        };
        let headers = pairs(&spec.headers, "headers", &mut errors);
        let auth_headers = pairs(&spec.auth.headers, "auth.headers", &mut errors);
        let auth_query = pairs(&spec.auth.query, "auth.query", &mut errors);
        let basic = spec.auth.basic.as_ref().map(|b| {
            (
                compile_checked(
                    &Value::String(b.username.clone()),
                    "auth.basic.username",
                    &mut errors,
                ),
                compile_checked(
                    &Value::String(b.password.clone()),
                    "auth.basic.password",
                    &mut errors,
                ),
            )
        });
        let test = spec.auth.test.as_ref().map(|r| compile_request(r, "auth.test", &mut errors));
        let error_rule = compile_errors(&spec.errors, "errors", &mut errors);
        if !errors.is_empty() {
            return Err(SpecError::Invalid { piece: spec.id.clone(), problems: errors });
        }
        Ok(Self {
            spec,
            base_url,
            bases,
            headers,
            auth_headers,
            auth_query,
            basic,
            actions,
            test,
            errors: error_rule,
            next_slot: Mutex::new(HashMap::new()),
        })
    }
}

pub(super) fn compile_request(
    r: &RequestSpec,
    at: &str,
    errors: &mut Vec<String>,
) -> CompiledRequest {
    let method =
        Method::from_bytes(r.method.to_ascii_uppercase().as_bytes()).unwrap_or_else(|_| {
            errors.push(format!("{at}.method: `{}` is not an HTTP method", r.method));
            Method::GET
        });
    let path = compile_path(&r.path, &format!("{at}.path"), errors);
    let url = r
        .url
        .as_ref()
        .map(|u| compile_checked(&Value::String(u.clone()), &format!("{at}.url"), errors));
    if r.url.is_some() && !r.path.is_empty() {
        errors.push(format!("{at}: give `url` or `path`, not both"));
    }
    let query = r
        .query
        .iter()
        .map(|(k, v)| (k.clone(), compile_checked(v, &format!("{at}.query.{k}"), errors)))
        .collect();
    let headers = r
        .headers
        .iter()
        .map(|(k, v)| {
            if HeaderName::try_from(k.as_str()).is_err() {
                errors.push(format!("{at}.headers: `{k}` is not a header name"));
            }
            (
                k.clone(),
                compile_checked(&Value::String(v.clone()), &format!("{at}.headers.{k}"), errors),
            )
        })
        .collect();
    let body = r.body.as_ref().map(|b| compile_checked(b, &format!("{at}.body"), errors));
    CompiledRequest {
        method,
        base: r.base.clone(),
        url,
        url_hosts: r.url_hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
        path,
        query,
        headers,
        body,
        encoding: r.encoding,
    }
}

fn compile_path(path: &str, at: &str, errors: &mut Vec<String>) -> Vec<PathPart> {
    if !path.is_empty() && !path.starts_with('/') {
        errors
            .push(format!("{at}: `{path}` must start with `/` (or be empty: the base URL itself)"));
    }
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(PathPart::Text(rest[..start].to_owned()));
        }
        let Some(end) = rest[start..].find("}}").map(|e| start + e + 2) else {
            errors.push(format!("{at}: a `{{{{` is not closed"));
            return parts;
        };
        let hole = compile_checked(&Value::String(rest[start..end].to_owned()), at, errors);
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix('*') {
            parts.push(PathPart::Segments(hole));
            rest = after;
        } else {
            parts.push(PathPart::Segment(hole));
        }
    }
    if !rest.is_empty() {
        parts.push(PathPart::Text(rest.to_owned()));
    }
    parts
}

impl SpecPiece {
    /// Compiles a spec (see [`PieceSpec::parse`]); `rust_actions` run the actions marked
    /// `rust: true`.
    pub fn new(
        spec: PieceSpec,
        rust_actions: BTreeMap<String, Arc<dyn Action>>,
        triggers: BTreeMap<String, Arc<dyn TriggerSource>>,
    ) -> Result<Self, SpecError> {
        let compiled = super::validate::compile(spec)?;
        let missing: Vec<String> = compiled
            .spec
            .actions
            .iter()
            .filter(|a| a.rust && !rust_actions.contains_key(&a.name))
            .map(|a| format!("action `{}` is marked `rust` but has no code", a.name))
            .collect();
        if !missing.is_empty() {
            return Err(SpecError::Invalid { piece: compiled.spec.id.clone(), problems: missing });
        }
        let meta = compiled.spec.meta();
        Ok(Self {
            compiled: Arc::new(compiled),
            meta,
            rust_actions,
            triggers,
            connection_test: None,
        })
    }

    /// Checks connections with Rust instead of the spec's `auth.test` request.
    #[must_use]
    pub fn with_connection_test(mut self, test: ConnectionTest) -> Self {
        self.connection_test = Some(test);
        self
    }

    /// The spec it runs.
    pub fn spec(&self) -> &PieceSpec {
        &self.compiled.spec
    }

    /// Runs the spec's connection test: `Ok` when the credential works.
    pub async fn test_connection(&self, ctx: &ActionContext) -> Result<(), StepError> {
        if let Some(test) = &self.connection_test {
            return test(ctx).await;
        }
        let Some(test) = &self.compiled.test else { return Ok(()) };
        let props = Value::Object(Map::new());
        let response = send(&self.compiled, test, ctx, &props, None).await?;
        check(&self.compiled, &self.compiled.errors, &response)?;
        Ok(())
    }

    /// The options of a dynamic select prop, fetched through its `options_from` action with the
    /// step's connection and the props it depends on.
    pub async fn options(
        &self,
        action: &str,
        prop: &str,
        ctx: &ActionContext,
        props: &Map<String, Value>,
    ) -> Result<Vec<SelectOption>, StepError> {
        let from = self
            .compiled
            .spec
            .actions
            .iter()
            .find(|a| a.name == action)
            .and_then(|a| a.props.iter().find(|p| p.name == prop))
            .and_then(|p| p.options_from.clone())
            .ok_or_else(|| {
                StepError::invalid_input(format!(
                    "`{action}.{prop}` of {} has no dynamic options",
                    self.compiled.spec.name
                ))
            })?;
        let input: Map<String, Value> = from
            .depends_on
            .iter()
            .filter_map(|k| props.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        let list = run_action(&self.compiled, &from.action, ctx, Value::Object(input)).await?;
        let value_path =
            Path::parse(&format!("item.{}", from.value)).map_err(StepError::invalid_input)?;
        let label_path = match &from.label {
            Some(l) => Some(Path::parse(&format!("item.{l}")).map_err(StepError::invalid_input)?),
            None => None,
        };
        let items = match list {
            Value::Array(items) => items,
            other => vec![other],
        };
        Ok(items
            .iter()
            .filter_map(|item| {
                let scope = Scope::new().with("item", item);
                let value = value_path.lookup(&scope)?.clone();
                let label = match label_path.as_ref().and_then(|p| p.lookup(&scope)) {
                    Some(l) => text(l),
                    None => text(&value),
                };
                Some(SelectOption { label, value })
            })
            .collect())
    }
}

fn text(v: &Value) -> String {
    let mut s = String::new();
    push_text(&mut s, v);
    s
}

impl Piece for SpecPiece {
    fn meta(&self) -> &PieceMeta {
        &self.meta
    }

    fn action(&self, name: &str) -> Option<Arc<dyn Action>> {
        if let Some(a) = self.rust_actions.get(name) {
            return Some(a.clone());
        }
        if (name == CUSTOM_API_CALL && self.compiled.spec.custom_api_call)
            || self.compiled.actions.contains_key(name)
        {
            return Some(Arc::new(SpecAction {
                compiled: self.compiled.clone(),
                name: name.to_owned(),
            }));
        }
        None
    }

    fn trigger(&self, name: &str) -> Option<Arc<dyn TriggerSource>> {
        self.triggers.get(name).cloned()
    }

    fn test_connection<'a>(
        &'a self,
        ctx: &'a ActionContext,
    ) -> BoxFuture<'a, Result<(), StepError>> {
        Box::pin(SpecPiece::test_connection(self, ctx))
    }

    fn options<'a>(
        &'a self,
        action: &'a str,
        prop: &'a str,
        ctx: &'a ActionContext,
        props: &'a Map<String, Value>,
    ) -> BoxFuture<'a, Result<Vec<SelectOption>, StepError>> {
        Box::pin(SpecPiece::options(self, action, prop, ctx, props))
    }
}

/// One spec'd action (or the custom API call).
pub struct SpecAction {
    compiled: Arc<Compiled>,
    name: String,
}

impl Action for SpecAction {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(async move {
            if self.name == CUSTOM_API_CALL {
                return custom_api_call(&self.compiled, ctx, &props).await;
            }
            run_action(&self.compiled, &self.name, ctx, props).await
        })
    }
}

async fn run_action(
    compiled: &Compiled,
    name: &str,
    ctx: &ActionContext,
    props: Value,
) -> Result<Value, StepError> {
    let action = compiled.actions.get(name).ok_or_else(|| {
        StepError::new(
            ErrorKind::Unsupported,
            format!("{} has no action `{name}`", compiled.spec.name),
        )
    })?;
    let Some(request) = &action.request else {
        return Err(StepError::new(
            ErrorKind::Unsupported,
            format!("{} `{name}` has no request", compiled.spec.name),
        ));
    };
    let mut props = match props {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => {
            return Err(StepError::invalid_input(format!(
                "props must be an object, not {}",
                super::template::type_name(&other)
            )));
        }
    };
    for (k, v) in &action.defaults {
        props.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let props = Value::Object(props);
    let Some(paginate) = &action.paginate else {
        let response = send(compiled, request, ctx, &props, None).await?;
        check(compiled, &action.errors, &response)?;
        return pick_output(&action.output, &response, &props);
    };
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..paginate.max_pages.max(1) {
        let next = cursor.as_ref().map(|c| match &paginate.query {
            Some(param) => NextPage::Query(param.clone(), c.clone()),
            None => NextPage::Url(c.clone()),
        });
        let response = send(compiled, request, ctx, &props, next.as_ref()).await?;
        check(compiled, &action.errors, &response)?;
        let scope = response_scope(&response, &props);
        match paginate.items.lookup(&scope) {
            Some(Value::Array(items)) => all.extend(items.iter().cloned()),
            Some(Value::Null) | None => {}
            Some(other) => all.push(other.clone()),
        }
        cursor = paginate.next.lookup(&scope).map(text).filter(|c| !c.is_empty());
        if cursor.is_none() {
            break;
        }
    }
    Ok(Value::Array(all))
}

enum NextPage {
    Query(String, String),
    Url(String),
}

fn response_scope<'v>(response: &'v Value, props: &'v Value) -> Scope<'v> {
    let get = |k: &str| response.get(k).unwrap_or(&Value::Null);
    Scope::new()
        .with("status", get("status"))
        .with("headers", get("headers"))
        .with("body", get("body"))
        .with("props", props)
}

fn pick_output(output: &Output, response: &Value, props: &Value) -> Result<Value, StepError> {
    let scope = response_scope(response, props);
    match output {
        Output::Path(p) => Ok(p.lookup(&scope).cloned().unwrap_or(Value::Null)),
        Output::Template(t) => t
            .render(&scope)
            .map(|v| v.unwrap_or(Value::Null))
            .map_err(|m| StepError::new(ErrorKind::Other, m)),
    }
}

/// Fails on HTTP errors and on the rule's conditions, in the vendor's words.
fn check(compiled: &Compiled, rule: &CompiledErrors, response: &Value) -> Result<(), StepError> {
    let status = response.get("status").and_then(Value::as_u64).unwrap_or(0);
    let failed_condition = rule.fail_when.iter().any(|(p, c)| matches(p, c, response));
    if status < 400 && !failed_condition {
        return Ok(());
    }
    let body = response.get("body").cloned().unwrap_or(Value::Null);
    let scope = Scope::new().with("body", &body).with("status", &Value::Null);
    let vendor = rule
        .message
        .iter()
        .find_map(|p| p.lookup(&scope).map(text).filter(|t| !t.is_empty()))
        .or_else(|| crate::piece::http_client::vendor_message_of(&body));
    let name = &compiled.spec.name;
    let mut error = if status >= 400 {
        let mut e = StepError::http(
            u16::try_from(status).unwrap_or(500),
            match &vendor {
                Some(v) => format!("{name}: {v} (HTTP {status})"),
                None => format!("{name} answered HTTP {status}"),
            },
        );
        e.retry_after = response
            .pointer("/headers/retry-after")
            .and_then(Value::as_str)
            .and_then(|v| crate::piece::http_client::parse_retry_after(v, chrono::Utc::now()));
        e
    } else {
        StepError::new(
            ErrorKind::Other,
            format!("{name}: {}", vendor.as_deref().unwrap_or("the request failed")),
        )
    };
    error.details = Some(body);
    Err(error)
}

fn matches(path: &Path, c: &Condition, response: &Value) -> bool {
    let get = |k: &str| response.get(k).unwrap_or(&Value::Null);
    let scope = Scope::new()
        .with("status", get("status"))
        .with("headers", get("headers"))
        .with("body", get("body"));
    let found = path.lookup(&scope);
    if let Some(exists) = c.exists {
        return found.is_some() == exists;
    }
    match (&c.equals, found) {
        (Some(expected), Some(v)) => v == expected,
        _ => false,
    }
}

/// The connection's values, or an error when the piece needs one and the step has none.
fn auth_values(compiled: &Compiled, ctx: &ActionContext) -> Result<Value, StepError> {
    match &ctx.connection {
        Some(c) if c.piece != compiled.spec.id && c.piece != "http" => Err(StepError::new(
            ErrorKind::Connection,
            format!("connection `{}` is for {}, not {}", c.name, c.piece, compiled.spec.name),
        )),
        Some(c) => Ok(Value::Object(c.values.clone())),
        None if compiled.spec.auth.kind == crate::piece::AuthKind::None => {
            Ok(Value::Object(Map::new()))
        }
        None => Err(StepError::new(
            ErrorKind::Connection,
            format!(
                "this step needs a {} connection (set `connection` on the step)",
                compiled.spec.name
            ),
        )),
    }
}

fn render_err(compiled: &Compiled, what: &str) -> impl Fn(String) -> StepError {
    let name = compiled.spec.name.clone();
    let what = what.to_owned();
    move |m| StepError::invalid_input(format!("{name}: {what}: {m}"))
}

async fn send(
    compiled: &Compiled,
    request: &CompiledRequest,
    ctx: &ActionContext,
    props: &Value,
    next: Option<&NextPage>,
) -> Result<Value, StepError> {
    let auth = auth_values(compiled, ctx)?;
    let now = chrono::Utc::now();
    let run = json!({
        "run_id": ctx.run_id,
        "step_path": ctx.step_path,
        "idempotency_key": ctx.idempotency_key,
        "now": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "now_ms": now.timestamp_millis(),
    });
    let scope = Scope::new().with("props", props).with("auth", &auth).with("ctx", &run);
    let (override_key, base_template) = match &request.base {
        Some(name) => (
            format!("{}_{name}", compiled.spec.id),
            compiled.bases.get(name).unwrap_or(&compiled.base_url),
        ),
        None => (compiled.spec.id.clone(), &compiled.base_url),
    };
    let base = render_base(compiled, base_template, &scope)?;
    let base = ctx.http.base_url(&override_key, base.trim_end_matches('/'));
    let url = match (next, &request.url) {
        (Some(NextPage::Url(u)), _) if u.starts_with("http://") || u.starts_with("https://") => {
            next_page_url(&base, u)?
        }
        (Some(NextPage::Url(path)), _) => format!("{}{}", origin_of(&base), path),
        (_, Some(url)) => whole_url(compiled, url, &request.url_hosts, &scope, ctx)?,
        _ => format!("{base}{}", render_path(&request.path, &scope, compiled)?),
    };
    let mut url = reqwest::Url::parse(&url).map_err(|e| {
        StepError::invalid_input(format!(
            "{}: the request URL is not valid: {e}",
            compiled.spec.name
        ))
    })?;
    let mut query: Vec<(String, String)> = Vec::new();
    if !matches!(next, Some(NextPage::Url(_))) {
        for (k, t) in &request.query {
            match t.render(&scope).map_err(render_err(compiled, &format!("query `{k}`")))? {
                Some(Value::Array(items)) => {
                    query.extend(items.iter().map(|v| (k.clone(), text(v))));
                }
                Some(v) => query.push((k.clone(), text(&v))),
                None => {}
            }
        }
    }
    if let Some(NextPage::Query(param, cursor)) = next {
        query.retain(|(k, _)| k != param);
        query.push((param.clone(), cursor.clone()));
    }
    for (k, t) in &compiled.auth_query {
        if let Some(v) = t.render_text(&scope).map_err(render_err(compiled, "auth"))? {
            query.push((k.clone(), v));
        }
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query.iter());
    }

    let http: &HttpClient = &ctx.http;
    let mut builder = http.client().request(request.method.clone(), url);
    let mut header_pairs: Vec<(&str, String)> = Vec::new();
    for (k, t) in compiled.headers.iter().chain(&request.headers).chain(&compiled.auth_headers) {
        if let Some(v) =
            t.render_text(&scope).map_err(render_err(compiled, &format!("header `{k}`")))?
            && !v.is_empty()
        {
            header_pairs.push((k, v));
        }
    }
    for (k, v) in header_pairs {
        let name = HeaderName::try_from(k).map_err(|_| {
            StepError::invalid_input(format!("{}: `{k}` is not a header name", compiled.spec.name))
        })?;
        let value = HeaderValue::try_from(v).map_err(|_| {
            StepError::invalid_input(format!(
                "{}: the value of header `{k}` is not valid",
                compiled.spec.name
            ))
        })?;
        builder = builder.header(name, value);
    }
    if let Some((user, password)) = &compiled.basic {
        let user =
            user.render_text(&scope).map_err(render_err(compiled, "auth"))?.unwrap_or_default();
        let password = password.render_text(&scope).map_err(render_err(compiled, "auth"))?;
        builder = builder.basic_auth(user, password);
    }
    if let Some(body) = &request.body
        && !matches!(next, Some(NextPage::Url(_)))
    {
        let value = body
            .render(&scope)
            .map_err(render_err(compiled, "body"))?
            .unwrap_or(Value::Object(Map::new()));
        builder = match request.encoding {
            Encoding::Json => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&value).unwrap_or_default()),
            Encoding::Form => {
                // An array repeats its field (Twilio's `MediaUrl`), like query parameters.
                let mut fields: Vec<(String, String)> = Vec::new();
                if let Value::Object(m) = &value {
                    for (k, v) in m {
                        match v {
                            Value::Array(items) => {
                                fields.extend(items.iter().map(|i| (k.clone(), text(i))));
                            }
                            other => fields.push((k.clone(), text(other))),
                        }
                    }
                }
                builder.form(&fields)
            }
        };
    }

    wait_for_slot(compiled, ctx).await;
    let response = http.send(builder, ctx.timeout).await?;
    response_value(&response, ResponseFormat::Auto, &compiled.spec.name)
}

/// A request's own `url`: only `http(s)`; with the piece's base-URL override set (tests), its
/// origin is replaced by the override's.
fn whole_url(
    compiled: &Compiled,
    url: &Template,
    hosts: &[String],
    scope: &Scope<'_>,
    ctx: &ActionContext,
) -> Result<String, StepError> {
    let text = url.render_text(scope).map_err(render_err(compiled, "URL"))?.unwrap_or_default();
    let parsed = reqwest::Url::parse(text.trim()).map_err(|e| {
        StepError::invalid_input(format!("{}: the URL is not valid: {e}", compiled.spec.name))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(StepError::invalid_input(format!(
            "{}: only http and https URLs can be called",
            compiled.spec.name
        )));
    }
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let allowed = hosts.is_empty()
        || hosts.iter().any(|h| match h.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == *h,
        });
    if !allowed {
        return Err(StepError::invalid_input(format!(
            "{}: `{host}` is not one of its addresses (expected {})",
            compiled.spec.name,
            hosts.join(" or ")
        )));
    }
    match ctx.http.config().base_url_overrides.get(&compiled.spec.id) {
        Some(origin) => {
            let mut rest = parsed.path().to_owned();
            if let Some(q) = parsed.query() {
                rest.push('?');
                rest.push_str(q);
            }
            Ok(format!("{}{rest}", origin.trim_end_matches('/')))
        }
        None => Ok(parsed.to_string()),
    }
}

/// Renders a base URL, refusing connection values that would move the request elsewhere: a
/// placeholder that starts the URL must hold a plain `http(s)://host[:port][/path]` (Salesforce's
/// `instance_url`), any other one a single host label or path segment (Mailchimp's
/// `server_prefix`). The credential goes wherever the base URL points.
fn render_base(
    compiled: &Compiled,
    template: &Template,
    scope: &Scope<'_>,
) -> Result<String, StepError> {
    let refuse = |what: String| {
        StepError::new(
            ErrorKind::Connection,
            format!("{}: the connection's {what}", compiled.spec.name),
        )
    };
    let parts: Vec<super::template::Part> = match template {
        Template::Literal(v) => return Ok(text(v)),
        Template::Lone(hole) => vec![super::template::Part::Hole(hole.clone())],
        Template::Text(parts) => parts.clone(),
        _ => return Err(refuse("base URL template is not text".into())),
    };
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            super::template::Part::Text(t) => out.push_str(t),
            super::template::Part::Hole(hole) => {
                let value = hole.path.lookup(scope).map(text).unwrap_or_default();
                let value = value.trim().trim_end_matches('/');
                if i == 0 {
                    let url = reqwest::Url::parse(value)
                        .map_err(|_| refuse(format!("`{}` is not a URL", hole.path)))?;
                    if !matches!(url.scheme(), "http" | "https")
                        || !url.username().is_empty()
                        || url.password().is_some()
                        || url.query().is_some()
                        || url.fragment().is_some()
                    {
                        return Err(refuse(format!(
                            "`{}` must be a plain https:// address",
                            hole.path
                        )));
                    }
                } else if value.is_empty()
                    || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(refuse(format!(
                        "`{}` must be letters, digits and `-` only (it is part of the API's address)",
                        hole.path
                    )));
                }
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

/// A next-page URL from a response must stay on the API's host: the request carries the
/// credential.
fn next_page_url(base: &str, next: &str) -> Result<String, StepError> {
    let (Ok(b), Ok(n)) = (reqwest::Url::parse(base), reqwest::Url::parse(next)) else {
        return Err(StepError::new(ErrorKind::Other, "the next page's URL is not valid"));
    };
    if b.origin() != n.origin() {
        return Err(StepError::new(
            ErrorKind::Other,
            format!(
                "the next page is on another host ({}); not following it",
                n.host_str().unwrap_or("?")
            ),
        ));
    }
    Ok(next.to_owned())
}

fn origin_of(base: &str) -> String {
    reqwest::Url::parse(base)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| base.to_owned())
}

fn render_path(
    parts: &[PathPart],
    scope: &Scope<'_>,
    compiled: &Compiled,
) -> Result<String, StepError> {
    let mut out = String::new();
    for part in parts {
        match part {
            PathPart::Text(t) => out.push_str(t),
            PathPart::Segment(t) | PathPart::Segments(t) => {
                let value = t.render_text(scope).map_err(render_err(compiled, "path"))?;
                let Some(value) = value.filter(|v| !v.is_empty()) else {
                    return Err(StepError::invalid_input(format!(
                        "{}: a value the request path needs is missing ({})",
                        compiled.spec.name,
                        t.paths().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    )));
                };
                if matches!(part, PathPart::Segments(_)) {
                    let segments: Vec<String> = value.split('/').map(encode_segment).collect();
                    out.push_str(&segments.join("/"));
                } else {
                    out.push_str(&encode_segment(&value));
                }
            }
        }
    }
    Ok(out)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so a value can never add a
/// path segment or a query.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Spaces requests of one connection by the piece's rate limit.
async fn wait_for_slot(compiled: &Compiled, ctx: &ActionContext) {
    let Some(limit) = compiled.spec.rate_limit else { return };
    if limit.requests == 0 {
        return;
    }
    let interval = Duration::from_secs_f64(limit.per_seconds.max(0.0) / f64::from(limit.requests));
    let key = ctx.connection.as_ref().map(|c| c.id.clone()).unwrap_or_default();
    let wait = {
        let mut slots = compiled.next_slot.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let slot = slots.get(&key).copied().filter(|s| *s > now).unwrap_or(now);
        slots.insert(key, slot + interval);
        slot.saturating_duration_since(now)
    };
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// `custom_api_call`: any request on the piece's API with its auth.
async fn custom_api_call(
    compiled: &Compiled,
    ctx: &ActionContext,
    props: &Value,
) -> Result<Value, StepError> {
    let get = |k: &str| props.get(k).filter(|v| !v.is_null());
    let method = get("method").and_then(Value::as_str).unwrap_or("GET").to_ascii_uppercase();
    let path = get("path").and_then(Value::as_str).unwrap_or_default();
    if !path.starts_with('/') {
        return Err(StepError::invalid_input(format!(
            "`path` must start with `/` (it is appended to {}'s base URL)",
            compiled.spec.name
        )));
    }
    // The path is the user's own: `{{` in it is text here, so it is escaped from templating by
    // passing it through as a literal part.
    let mut query = BTreeMap::new();
    if let Some(Value::Object(q)) = get("query") {
        for (k, v) in q {
            query.insert(k.clone(), Template::Literal(v.clone()));
        }
    }
    let mut headers = Vec::new();
    if let Some(Value::Object(h)) = get("headers") {
        for (k, v) in h {
            headers.push((k.clone(), Template::Literal(Value::String(text(v)))));
        }
    }
    let request = CompiledRequest {
        base: None,
        url: None,
        url_hosts: Vec::new(),
        method: Method::from_bytes(method.as_bytes())
            .map_err(|_| StepError::invalid_input(format!("`{method}` is not an HTTP method")))?,
        path: vec![PathPart::Text(path.to_owned())],
        query: query.into_iter().collect(),
        headers,
        body: get("body").map(|b| Template::Literal(b.clone())),
        encoding: Encoding::Json,
    };
    let response = send(compiled, &request, ctx, props, None).await?;
    check(compiled, &CompiledErrors::default(), &response)?;
    Ok(response)
}
