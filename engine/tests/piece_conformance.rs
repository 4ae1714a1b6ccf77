//! Every example request of the pieces that have an official OpenAPI spec, and their connection
//! tests, checked against that spec: the URL is under one of the spec's servers and matches one
//! of its templated paths, the method is an operation of that path, required parameters and body
//! properties are present, and the values sent have the types (and enum values) the spec gives.
//!
//! The specs are trimmed copies of the vendors' own files (`tests/apis/<vendor>.json`, made by
//! `python3 engine/tests/apis/trim.py`; each says where it came from in `x-source`). Where an
//! official spec is known to be wrong or outdated, [`VENDORS`] lists a narrow, documented
//! [`Rule`] rather than loosening the checker, and a rule no example needs any more is an error.
//!
//! The checker knows `$ref` (with sibling keywords), `allOf`, `oneOf`/`anyOf` (some alternative
//! must fit; `oneOf`'s exclusivity is not checked), `type` (a list of types, `nullable`),
//! `enum`, `const`, `required`, `properties`, `additionalProperties` and `items`. Properties a
//! schema does not list are reported unless it allows them (`additionalProperties`) or lists
//! none. Formats, patterns, lengths and bounds are not checked. Query, path and form values are
//! text on the wire: they must parse as the type the spec gives (`"30"` for an integer).
#![allow(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use switchboard_engine::piece::spec::template::{Scope, Template};
use switchboard_engine::piece::spec::{Encoding, PieceSpec, RequestSpec};
use switchboard_engine::pieces::declared;

/// A piece and the official spec its requests are checked against.
struct Vendor {
    piece: &'static str,
    /// The trimmed spec's file name in `tests/apis/`, and its text.
    file: &'static str,
    text: &'static str,
    /// Where the spec is known to be wrong or outdated.
    rules: &'static [Rule],
    /// Requests no copied official file covers: method, path prefix under the spec's server,
    /// and why. Listed, not checked; an entry a spec path matches is an error.
    uncovered: &'static [(&'static str, &'static str, &'static str)],
}

/// One documented exception to an official spec.
struct Rule {
    allow: Allow,
    why: &'static str,
}

/// What a [`Rule`] allows.
#[derive(Debug)]
enum Allow {
    /// Requests may go to this URL too, as if it were one of the spec's servers.
    Server(&'static str),
    /// A required parameter or top-level form field of this name is carried by the
    /// `Authorization` header the piece sends.
    AuthParam(&'static str),
    /// An operation the spec lists under `listed` may be called with `sent`.
    Method { sent: &'static str, listed: &'static str },
    /// In a JSON body, this top-level field (documented as JSON text in a form field) may be
    /// that JSON value itself, of this type.
    JsonValue { field: &'static str, json_type: &'static str },
    /// In a body, the top-level property `field` may be left out when `when` is given.
    OptionalWith { field: &'static str, when: &'static str },
}

/// The pieces checked, with the official specs' known defects.
const VENDORS: &[Vendor] = &[
    Vendor {
        piece: "slack",
        file: "slack.json",
        text: include_str!("apis/slack.json"),
        rules: &[
            Rule {
                allow: Allow::AuthParam("token"),
                why: "the archived spec (2021) models the token as a required `token` header, \
                      query or form parameter; Slack documents `Authorization: Bearer <token>` \
                      as the way to pass it (and requires it for JSON bodies)",
            },
            Rule {
                allow: Allow::Method { sent: "POST", listed: "GET" },
                why: "the archived spec lists some methods (auth.test) under GET only; Slack's \
                      Web API accepts GET or POST for every method and documents POST",
            },
            Rule {
                allow: Allow::JsonValue { field: "blocks", json_type: "array" },
                why: "the spec documents the form encoding, where `blocks` is JSON text; in a \
                      JSON body (which the operation consumes) Slack takes the array itself",
            },
        ],
        uncovered: &[],
    },
    Vendor {
        piece: "hubspot",
        file: "hubspot.json",
        text: include_str!("apis/hubspot.json"),
        rules: &[],
        uncovered: &[(
            "GET",
            "/crm/v3/pipelines/",
            "HubSpot's CRM Pipelines spec (PublicApiSpecs/CRM/Pipelines/Rollouts/145896/v3/\
             pipelines.json) is not among the copied files",
        )],
    },
    Vendor {
        piece: "twilio",
        file: "twilio.json",
        text: include_str!("apis/twilio.json"),
        rules: &[],
        uncovered: &[],
    },
    Vendor {
        piece: "sendgrid",
        file: "sendgrid.json",
        text: include_str!("apis/sendgrid.json"),
        rules: &[],
        uncovered: &[(
            "GET",
            "/v3/scopes",
            "the connection test's /v3/scopes is in SendGrid's API-keys spec, not in the \
             copied mail spec (tsg_mail_v3.json)",
        )],
    },
    Vendor {
        piece: "resend",
        file: "resend.json",
        text: include_str!("apis/resend.json"),
        rules: &[Rule {
            allow: Allow::OptionalWith { field: "subject", when: "template" },
            why: "the spec marks `subject` required, but Resend's send-email docs say a \
                  template's own subject is used when the payload gives none",
        }],
        uncovered: &[],
    },
    Vendor {
        piece: "discord",
        file: "discord.json",
        text: include_str!("apis/discord.json"),
        rules: &[Rule {
            allow: Allow::Server("https://discord.com/api"),
            why: "webhook URLs as Discord hands them out carry no API version \
                  (https://discord.com/api/webhooks/<id>/<token>); the spec's server is \
                  https://discord.com/api/v10",
        }],
        uncovered: &[],
    },
];

/// The declared pieces no official OpenAPI spec is copied for, and why: not checked here.
const NO_OFFICIAL_SPEC: &[(&str, &str)] = &[
    ("airtable", "Airtable publishes no OpenAPI document, only SDKs"),
    ("google_sheets", "Google publishes discovery documents (sheets.v4.json), not OpenAPI"),
    ("mailchimp", "the Marketing API's Swagger file is not among the copied references"),
    ("make", "a scenario's own webhook URL: its payload is the user's"),
    ("microsoft_teams", "a workflow or incoming-webhook URL: no vendor spec"),
    (
        "microsoft_teams_graph",
        "Microsoft Graph's Teams OpenAPI (msgraph-sdk-powershell openApiDocs/v1.0/Teams.yml) \
         is not among the copied references",
    ),
    ("n8n", "a workflow's own webhook URL: its payload is the user's"),
    ("pipedrive", "Pipedrive commits no spec file, only generated clients"),
    ("postmark", "Postmark publishes no official OpenAPI document"),
    ("salesforce", "Salesforce generates an org-specific spec; none is published"),
    ("smtp", "SMTP is a mail protocol, not an HTTP API"),
    ("zapier", "a Zap's own catch-hook URL: its payload is the user's"),
];

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A request as a piece sends it, reduced to what an OpenAPI document says something about.
#[derive(Debug, Clone, Default)]
struct Sent {
    method: String,
    /// The whole URL without its query, the path percent-encoded as sent.
    url: String,
    /// Query parameters, each with its values (more than one: repeated).
    query: BTreeMap<String, Vec<String>>,
    /// Names of the headers sent, lower case.
    headers: BTreeSet<String>,
    body: Option<Value>,
    /// The body is form-encoded: an object of text fields.
    form: bool,
}

/// How a value travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// JSON, typed.
    Json,
    /// Text (a query, path or form value) that must parse as the schema's type.
    Text,
    /// A form body: an object whose members are text.
    Form,
}

/// Which properties a schema lists.
enum Known {
    /// It says nothing about properties.
    Nothing,
    /// It allows any.
    Open,
    /// These, and no others.
    Only(BTreeSet<String>),
}

impl Known {
    fn and(self, other: Known) -> Known {
        match (self, other) {
            (Known::Open, _) | (_, Known::Open) => Known::Open,
            (Known::Nothing, k) | (k, Known::Nothing) => k,
            (Known::Only(mut a), Known::Only(b)) => {
                a.extend(b);
                Known::Only(a)
            }
        }
    }
}

/// One piece's official spec, and the rules used while checking against it.
struct Checker<'r> {
    file: &'static str,
    doc: Value,
    rules: &'r [Rule],
    uncovered: &'r [(&'static str, &'static str, &'static str)],
    used: RefCell<BTreeSet<usize>>,
    /// The request being checked sends an `Authorization` header.
    authorized: Cell<bool>,
    /// How deep [`Checker::value`] is.
    depth: Cell<usize>,
}

/// What a request is checked as: the differences (and the operation, when one was found), or
/// why it is not checked.
enum Outcome {
    Checked(Vec<String>, Option<String>),
    Uncovered(&'static str),
}

impl<'r> Checker<'r> {
    fn new(
        file: &'static str,
        doc: Value,
        rules: &'r [Rule],
        uncovered: &'r [(&'static str, &'static str, &'static str)],
    ) -> Self {
        Checker {
            file,
            doc,
            rules,
            uncovered,
            used: RefCell::default(),
            authorized: Cell::new(false),
            depth: Cell::new(0),
        }
    }

    fn of(vendor: &'r Vendor) -> Self {
        let doc = serde_json::from_str(vendor.text)
            .unwrap_or_else(|e| panic!("tests/apis/{} is not JSON: {e}", vendor.file));
        Checker::new(vendor.file, doc, vendor.rules, vendor.uncovered)
    }

    /// The first rule `f` accepts, marked as used.
    fn allowed(&self, f: impl Fn(&Allow) -> bool) -> bool {
        match self.rules.iter().position(|r| f(&r.allow)) {
            Some(i) => {
                self.used.borrow_mut().insert(i);
                true
            }
            None => false,
        }
    }

    fn swagger(&self) -> bool {
        self.doc.get("swagger").is_some()
    }

    /// The spec's server URLs, without a trailing slash.
    fn servers(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.swagger() {
            let host = self.doc["host"].as_str().unwrap_or_default();
            let base = self.doc["basePath"].as_str().unwrap_or_default();
            let schemes = self.doc["schemes"].as_array().cloned().unwrap_or_default();
            for scheme in schemes.iter().filter_map(Value::as_str) {
                out.push(format!("{scheme}://{host}{base}").trim_end_matches('/').to_owned());
            }
            return out;
        }
        let mut lists = vec![&self.doc["servers"]];
        if let Some(paths) = self.doc["paths"].as_object() {
            lists.extend(paths.values().map(|item| &item["servers"]));
        }
        for list in lists {
            for server in list.as_array().into_iter().flatten() {
                if let Some(url) = server["url"].as_str() {
                    let url = url.trim_end_matches('/').to_owned();
                    if !out.contains(&url) {
                        out.push(url);
                    }
                }
            }
        }
        out
    }

    /// The path under the spec's server, or (allowed) another server.
    fn relative(&self, url: &str) -> Option<String> {
        let under = |server: &str| {
            url.strip_prefix(server).filter(|rest| rest.starts_with('/')).map(str::to_owned)
        };
        if let Some(rest) = self.servers().iter().find_map(|s| under(s)) {
            return Some(rest);
        }
        let (i, rest) = self.rules.iter().enumerate().find_map(|(i, r)| match r.allow {
            Allow::Server(s) => under(s).map(|rest| (i, rest)),
            _ => None,
        })?;
        self.used.borrow_mut().insert(i);
        Some(rest)
    }

    /// Follows a local `$ref`.
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.doc.pointer(pointer)
    }

    /// A parameter or request body, `$ref`s followed.
    fn deref<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match v.get("$ref").and_then(Value::as_str).and_then(|r| self.resolve(r)) {
                Some(target) => v = target,
                None => break,
            }
        }
        v
    }

    /// Checks one request; every difference from the spec, described.
    fn check(&self, sent: &Sent) -> Outcome {
        let Some(rel) = self.relative(&sent.url) else {
            let servers = self.servers().join(", ");
            return fail(format!(
                "{} is not under the servers of {} ({servers})",
                sent.url, self.file
            ));
        };
        let method = sent.method.to_ascii_uppercase();
        let Found { template, item, key, path_values } = match self.operation(&method, &rel) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let op = &item[key.as_str()];
        let mut out = Vec::new();
        let params = self.parameters(&item, op);
        self.authorized.set(sent.headers.contains("authorization"));
        let by_auth = |name: &str| self.by_auth(name);
        let mut op_name = format!("{} {template}", key.to_ascii_uppercase());
        if key != method.to_ascii_lowercase() {
            op_name.push_str(&format!(" (sent as {method})"));
        }
        // Path parameters.
        for (name, value) in &path_values {
            match params.iter().find(|p| p["in"] == "path" && p["name"] == name.as_str()) {
                Some(p) => self.value(
                    &Value::String(value.clone()),
                    &param_schema(p),
                    &format!("path parameter `{name}`"),
                    Mode::Text,
                    true,
                    &mut out,
                ),
                None => out.push(format!("{op_name}: path parameter `{name}` is not declared")),
            }
        }
        // Query parameters.
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap_or_default();
            if p["required"] == true && !sent.query.contains_key(name) && !by_auth(name) {
                out.push(format!("{op_name}: required query parameter `{name}` is missing"));
            }
        }
        for (name, values) in &sent.query {
            let Some(p) = params.iter().find(|p| p["in"] == "query" && p["name"] == name.as_str())
            else {
                out.push(format!("{op_name}: query parameter `{name}` is not in the spec"));
                continue;
            };
            let schema = param_schema(p);
            let repeatable = self.deref(&schema)["type"] == "array";
            if values.len() > 1 && !repeatable {
                out.push(format!("{op_name}: query parameter `{name}` is repeated"));
            }
            for value in values {
                let at = format!("query parameter `{name}`");
                self.value(&Value::String(value.clone()), &schema, &at, Mode::Text, true, &mut out);
            }
        }
        // Headers.
        for p in params.iter().filter(|p| p["in"] == "header" && p["required"] == true) {
            let name = p["name"].as_str().unwrap_or_default();
            if !sent.headers.contains(&name.to_ascii_lowercase()) && !by_auth(name) {
                out.push(format!("{op_name}: required header `{name}` is not sent"));
            }
        }
        // The body.
        let media =
            if sent.form { "application/x-www-form-urlencoded" } else { "application/json" };
        let mode = if sent.form { Mode::Form } else { Mode::Json };
        let body = if self.swagger() { self.swagger_body(op, &params) } else { self.body(op) };
        match (body, &sent.body) {
            (Body::None, None) => {}
            (Body::None, Some(_)) => out.push(format!("{op_name}: the spec takes no body")),
            (Body::Schemas { required, by_media }, None) => {
                if required {
                    out.push(format!("{op_name}: the spec requires a body, none is sent"));
                }
                // Swagger 2.0 form fields: a required one is missing when there is no body.
                if let Some(Value::Array(names)) =
                    by_media.get(media).and_then(|s| s.get("required"))
                {
                    for name in names.iter().filter_map(Value::as_str) {
                        if !by_auth(name) {
                            out.push(format!("{op_name}: required form field `{name}` is missing"));
                        }
                    }
                }
            }
            (Body::Schemas { by_media, .. }, Some(value)) => match by_media.get(media) {
                Some(schema) => self.value(value, schema, "body", mode, true, &mut out),
                None => out.push(format!(
                    "{op_name}: the spec takes no {media} body (it takes {})",
                    by_media.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            },
        }
        Outcome::Checked(out, Some(op_name))
    }

    /// The operation a request is for: its path matches, most literal first, and its method is
    /// listed (or allowed by a rule).
    fn operation(&self, method: &str, rel: &str) -> Result<Found, Outcome> {
        let lower = method.to_ascii_lowercase();
        let listed = |item: &Value| -> Vec<&'static str> {
            METHODS.iter().copied().filter(|m| item.get(*m).is_some()).collect()
        };
        let paths = self.doc["paths"].as_object().into_iter().flatten();
        let mut found: Vec<Found> = paths
            .filter_map(|(template, item)| {
                let path_values = match_path(template, rel)?;
                Some(Found {
                    template: template.clone(),
                    item: item.clone(),
                    key: lower.clone(),
                    path_values,
                })
            })
            .collect();
        if found.is_empty() {
            if let Some(&(_, _, why)) =
                self.uncovered.iter().find(|(m, prefix, _)| *m == method && rel.starts_with(prefix))
            {
                return Err(Outcome::Uncovered(why));
            }
            return Err(fail(format!(
                "no path of {} matches {method} {rel} (re-run engine/tests/apis/trim.py if the \
                 official spec has it)",
                self.file
            )));
        }
        found.sort_by_key(|f| {
            (!listed(&f.item).contains(&lower.as_str()), f.template.matches('{').count())
        });
        let mut best = found.swap_remove(0);
        let methods = listed(&best.item);
        if methods.contains(&lower.as_str()) {
            return Ok(best);
        }
        let alias = methods.iter().find(|m| {
            let m = m.to_ascii_uppercase();
            self.allowed(
                |a| matches!(a, Allow::Method { sent, listed } if *sent == method && *listed == m),
            )
        });
        match alias {
            Some(m) => {
                best.key = (*m).to_owned();
                Ok(best)
            }
            None => Err(fail(format!(
                "{method} is not an operation of {} in {} (it lists {})",
                best.template,
                self.file,
                methods.iter().map(|m| m.to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// A required parameter the `Authorization` header sent carries (allowed by a rule).
    fn by_auth(&self, name: &str) -> bool {
        self.authorized.get() && self.allowed(|a| matches!(a, Allow::AuthParam(n) if *n == name))
    }

    /// Path-level and operation-level parameters, the operation's winning.
    fn parameters(&self, item: &Value, op: &Value) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for list in [&item["parameters"], &op["parameters"]] {
            for p in list.as_array().into_iter().flatten() {
                let p = self.deref(p).clone();
                out.retain(|q| !(q["name"] == p["name"] && q["in"] == p["in"]));
                out.push(p);
            }
        }
        out
    }

    /// An OpenAPI 3 request body: a schema per media type (JSON ones under `application/json`).
    fn body(&self, op: &Value) -> Body {
        let Some(rb) = op.get("requestBody").map(|rb| self.deref(rb)) else {
            return Body::None;
        };
        let mut by_media = BTreeMap::new();
        for (media, content) in rb["content"].as_object().into_iter().flatten() {
            let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let key = if essence == "application/json" || essence.ends_with("+json") {
                "application/json".to_owned()
            } else {
                essence
            };
            by_media.entry(key).or_insert_with(|| content["schema"].clone());
        }
        Body::Schemas { required: rb["required"] == true, by_media }
    }

    /// A Swagger 2.0 body: the `body` parameter's schema, or the `formData` parameters as an
    /// object, for each type the operation consumes.
    fn swagger_body(&self, op: &Value, params: &[Value]) -> Body {
        let consumes: Vec<String> = op
            .get("consumes")
            .or(self.doc.get("consumes"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_else(|| vec!["application/json".to_owned()]);
        let body_param = params.iter().find(|p| p["in"] == "body");
        let fields: Vec<&Value> = params.iter().filter(|p| p["in"] == "formData").collect();
        let schema = match body_param {
            Some(p) => p["schema"].clone(),
            None if fields.is_empty() => return Body::None,
            None => {
                let mut properties = Map::new();
                let mut required = Vec::new();
                for p in &fields {
                    let name = p["name"].as_str().unwrap_or_default().to_owned();
                    if p["required"] == true {
                        required.push(Value::String(name.clone()));
                    }
                    properties.insert(name, param_schema(p));
                }
                json!({"type": "object", "properties": properties, "required": required})
            }
        };
        let by_media = consumes
            .iter()
            .map(|m| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .map(|m| (m, schema.clone()))
            .collect();
        Body::Schemas { required: body_param.is_some_and(|p| p["required"] == true), by_media }
    }

    /// Which properties `schema` lists, through `$ref` and `allOf`.
    fn known(&self, schema: &Value, depth: usize) -> Known {
        let Some(s) = schema.as_object() else { return Known::Open };
        if depth > 32 {
            return Known::Open;
        }
        let mut known = match (s.get("properties"), s.get("additionalProperties")) {
            (_, Some(a)) if a != &Value::Bool(false) => return Known::Open,
            _ if s.contains_key("oneOf") || s.contains_key("anyOf") => return Known::Open,
            (Some(Value::Object(p)), _) => Known::Only(p.keys().cloned().collect()),
            (None, Some(_)) => Known::Only(BTreeSet::new()),
            _ => Known::Nothing,
        };
        if let Some(target) = s.get("$ref").and_then(Value::as_str).and_then(|r| self.resolve(r)) {
            known = known.and(self.known(target, depth + 1));
        }
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            known = known.and(self.known(part, depth + 1));
        }
        known
    }

    /// Checks `v` against `schema`; `closed`: report properties the schema does not list (off
    /// for the parts of an `allOf`, checked together by their parent).
    fn value(
        &self,
        v: &Value,
        schema: &Value,
        at: &str,
        mode: Mode,
        closed: bool,
        out: &mut Vec<String>,
    ) {
        let s = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return out.push(format!("{at}: the spec allows no value here")),
            Value::Object(s) => s,
            _ => return,
        };
        let depth = self.depth.get();
        if depth > 64 {
            return out.push(format!("{at}: the schema nests too deep (a $ref cycle?)"));
        }
        self.depth.set(depth + 1);
        self.schema_keywords(v, s, schema, at, mode, closed, out);
        self.depth.set(depth);
    }

    /// [`Self::value`] for one schema object.
    #[allow(clippy::too_many_arguments)]
    fn schema_keywords(
        &self,
        v: &Value,
        s: &Map<String, Value>,
        schema: &Value,
        at: &str,
        mode: Mode,
        closed: bool,
        out: &mut Vec<String>,
    ) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.value(v, target, at, mode, false, out),
                None => out.push(format!("{at}: the spec's {r} does not resolve")),
            }
        }
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.value(v, part, at, mode, false, out);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                self.alternatives(v, branches, key, at, mode, out);
            }
        }
        self.local(v, s, at, mode, out);
        if closed && let (Value::Object(members), Known::Only(names)) = (v, self.known(schema, 0)) {
            for name in members.keys().filter(|k| !names.contains(*k)) {
                out.push(format!("{at}: property `{name}` is not in the spec's schema"));
            }
        }
    }

    /// `oneOf` / `anyOf`: some branch must fit.
    fn alternatives(
        &self,
        v: &Value,
        branches: &[Value],
        key: &str,
        at: &str,
        mode: Mode,
        out: &mut Vec<String>,
    ) {
        let mut closest: Option<Vec<String>> = None;
        for branch in branches {
            let mut errors = Vec::new();
            self.value(v, branch, at, mode, true, &mut errors);
            if errors.is_empty() {
                return;
            }
            if closest.as_ref().is_none_or(|c| errors.len() < c.len()) {
                closest = Some(errors);
            }
        }
        out.push(format!(
            "{at}: fits none of the {} alternatives of the spec's {key} (closest: {})",
            branches.len(),
            closest.unwrap_or_default().join("; ")
        ));
    }

    /// A top-level JSON body field the spec documents as JSON text (allowed by a rule).
    fn json_value(&self, field: &str, v: &Value, mode: Mode) -> bool {
        mode == Mode::Json
            && self.allowed(
                |a| matches!(a, Allow::JsonValue { field: f, json_type: t } if *f == field && *t == type_of(v)),
            )
    }

    /// The keywords of one schema object, without its `$ref`, `allOf`, `oneOf` and `anyOf`.
    fn local(
        &self,
        v: &Value,
        s: &Map<String, Value>,
        at: &str,
        mode: Mode,
        out: &mut Vec<String>,
    ) {
        let mut types: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && s.get("nullable") == Some(&Value::Bool(true)) {
            types.push("null");
        }
        let text = mode == Mode::Text;
        if !types.is_empty() && !types.iter().any(|t| self.fits(v, t, s, at, text)) {
            return out.push(format!(
                "{at}: is {} {}, the spec says {}",
                if text { "the text" } else { type_of(v) },
                short(v),
                types.join(" or ")
            ));
        }
        if let Some(Value::Array(allowed)) = s.get("enum")
            && !allowed.iter().any(|e| same(v, e, text))
        {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            return out.push(format!("{at}: {} is not one of {}", short(v), list.join(", ")));
        }
        if let Some(c) = s.get("const")
            && !same(v, c, text)
        {
            return out.push(format!("{at}: {} is not {c}", short(v)));
        }
        let inner = if mode == Mode::Form { Mode::Text } else { mode };
        match v {
            Value::Object(members) if !text => {
                for name in s.get("required").and_then(Value::as_array).into_iter().flatten() {
                    let Some(name) = name.as_str() else { continue };
                    if members.contains_key(name) || (at == "body" && self.optional(name, members))
                    {
                        continue;
                    }
                    out.push(format!("{at}: missing required property `{name}`"));
                }
                let properties = s.get("properties").and_then(Value::as_object);
                for (name, member) in members {
                    let here = format!("{at}.{name}");
                    match properties.and_then(|p| p.get(name)) {
                        Some(_) if at == "body" && self.json_value(name, member, mode) => {}
                        Some(schema) => self.value(member, schema, &here, inner, true, out),
                        None => {
                            if let Some(extra) = s.get("additionalProperties")
                                && extra.is_object()
                            {
                                self.value(member, extra, &here, inner, true, out);
                            }
                        }
                    }
                }
            }
            Value::Array(items) if !text => {
                if let Some(schema) = s.get("items").filter(|i| i.is_object()) {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, schema, &format!("{at}[{i}]"), inner, true, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `v` is of type `t`: as JSON, or as text that parses as one.
    fn fits(&self, v: &Value, t: &str, s: &Map<String, Value>, at: &str, text: bool) -> bool {
        let Value::String(raw) = v else { return type_matches(type_of(v), t) };
        if !text {
            return t == "string";
        }
        match t {
            "string" => true,
            "integer" => raw.parse::<i64>().is_ok() || raw.parse::<u64>().is_ok(),
            "number" => raw.parse::<f64>().is_ok_and(f64::is_finite),
            "boolean" => raw == "true" || raw == "false",
            "object" => matches!(serde_json::from_str(raw), Ok(Value::Object(_))),
            // One value of a repeatable field: it must fit the items.
            "array" => {
                let mut errors = Vec::new();
                if let Some(items) = s.get("items") {
                    self.value(v, items, at, Mode::Text, true, &mut errors);
                }
                errors.is_empty()
            }
            _ => false,
        }
    }

    /// A required top-level property a rule lets the body leave out.
    fn optional(&self, name: &str, members: &Map<String, Value>) -> bool {
        self.by_auth(name)
            || self.allowed(|a| {
                matches!(a, Allow::OptionalWith { field, when }
                    if *field == name && members.contains_key(*when))
            })
    }
}

/// The operation a request is for.
struct Found {
    /// Its path in the spec.
    template: String,
    /// The path item.
    item: Value,
    /// Its method in the spec (lower case; another than the one sent when a rule allows it).
    key: String,
    /// The path parameters' values.
    path_values: Vec<(String, String)>,
}

/// A request that is checked and differs, in one way only.
fn fail(difference: String) -> Outcome {
    Outcome::Checked(vec![difference], None)
}

/// An operation's body, by media type.
enum Body {
    None,
    Schemas { required: bool, by_media: BTreeMap<String, Value> },
}

/// A parameter's schema: OpenAPI 3's `schema`, or Swagger 2.0's keywords on the parameter.
fn param_schema(p: &Value) -> Value {
    if let Some(schema) = p.get("schema") {
        return schema.clone();
    }
    let keep = ["type", "format", "enum", "items", "default"];
    Value::Object(
        p.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// Matches a path against an OpenAPI path template (`{name}` stands for part of a segment);
/// the parameters' values, or `None`.
fn match_path(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut out = Vec::new();
    for (t, p) in t.iter().zip(&p) {
        out.extend(match_segment(t, p)?);
    }
    Some(out)
}

fn match_segment(template: &str, text: &str) -> Option<Vec<(String, String)>> {
    let Some(open) = template.find('{') else {
        return (template == text).then(Vec::new);
    };
    let (literal, rest) = template.split_at(open);
    let text = text.strip_prefix(literal)?;
    let close = rest.find('}')?;
    let name = &rest[1..close];
    let after = &rest[close + 1..];
    // Each non-empty split of the text between this parameter and the rest of the segment.
    (1..=text.len()).filter(|&i| text.is_char_boundary(i)).find_map(|i| {
        let mut found = match_segment(after, &text[i..])?;
        found.insert(0, (name.to_owned(), text[..i].to_owned()));
        Some(found)
    })
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(actual: &str, wanted: &str) -> bool {
    actual == wanted || (actual == "integer" && wanted == "number")
}

/// `v` equals an enum or const value `e` (as text, for text values).
fn same(v: &Value, e: &Value, text: bool) -> bool {
    match (v, e) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::Number(b)) if text => a.parse::<f64>().ok() == b.as_f64(),
        (Value::String(a), Value::Bool(b)) if text => a == if *b { "true" } else { "false" },
        _ => v == e,
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// The header names a piece's request sends, lower case.
fn header_names(spec: &PieceSpec, request: Option<&RequestSpec>) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = spec
        .headers
        .keys()
        .chain(spec.auth.headers.keys())
        .map(|k| k.to_ascii_lowercase())
        .collect();
    if spec.auth.basic.is_some() {
        names.insert("authorization".into());
    }
    if let Some(r) = request {
        names.extend(r.headers.keys().map(|k| k.to_ascii_lowercase()));
    }
    names
}

fn render_text(text: &str, scope: &Scope<'_>) -> String {
    Template::compile_str(text)
        .ok()
        .and_then(|t| t.render_text(scope).ok().flatten())
        .unwrap_or_default()
}

fn render(value: &Value, scope: &Scope<'_>) -> Option<Value> {
    Template::compile(value).ok().and_then(|t| t.render(scope).ok().flatten())
}

/// A query value as text: one, or each of an array's.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        other => vec![other.to_string()],
    }
}

/// The base URL a request's path is appended to, connection values filled in.
fn base(spec: &PieceSpec, request: Option<&RequestSpec>, scope: &Scope<'_>) -> String {
    let named = request.and_then(|r| r.base.as_ref()).and_then(|b| spec.bases.get(b));
    render_text(named.unwrap_or(&spec.base_url), scope).trim_end_matches('/').to_owned()
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> String {
    reqwest::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

/// Every example request of a piece, and its connection test: (label, request).
fn requests(spec: &PieceSpec) -> Vec<(String, Sent)> {
    let mut out = Vec::new();
    for action in &spec.actions {
        let request = action.request.as_ref();
        for example in &action.examples {
            let auth =
                Value::Object(example.auth.clone().unwrap_or_else(|| spec.auth.example.clone()));
            let props = Value::Object(example.props.clone());
            let scope = Scope::new().with("auth", &auth).with("props", &props);
            let want = &example.request;
            let url = match request.and_then(|r| r.url.as_ref()) {
                Some(url) => format!("{}{}", origin(&render_text(url, &scope)), want.path),
                None => format!("{}{}", base(spec, request, &scope), want.path),
            };
            let mut headers = header_names(spec, request);
            headers.extend(want.headers.keys().map(|k| k.to_ascii_lowercase()));
            let sent = Sent {
                method: want.method.clone(),
                url,
                query: want.query.iter().map(|(k, v)| (k.clone(), texts(v))).collect(),
                headers,
                body: want.body.clone(),
                form: request.map_or_else(
                    || {
                        want.headers.iter().any(|(k, v)| {
                            k.eq_ignore_ascii_case("content-type")
                                && v.starts_with("application/x-www-form-urlencoded")
                        })
                    },
                    |r| r.encoding == Encoding::Form,
                ),
            };
            out.push((format!("{}.{} \"{}\"", spec.id, action.name, example.name), sent));
        }
    }
    if let Some(test) = &spec.auth.test {
        let auth = Value::Object(spec.auth.example.clone());
        let scope = Scope::new().with("auth", &auth);
        let url = match &test.url {
            Some(url) => {
                let url = render_text(url, &scope);
                reqwest::Url::parse(&url)
                    .map(|u| format!("{}{}", origin(&url), u.path()))
                    .unwrap_or(url)
            }
            None => {
                format!("{}{}", base(spec, Some(test), &scope), render_text(&test.path, &scope))
            }
        };
        let mut query: BTreeMap<String, Vec<String>> = test
            .query
            .iter()
            .filter_map(|(k, v)| render(v, &scope).map(|v| (k.clone(), texts(&v))))
            .collect();
        for (k, v) in &spec.auth.query {
            query.insert(k.clone(), vec![render_text(v, &scope)]);
        }
        let sent = Sent {
            method: test.method.clone(),
            url,
            query,
            headers: header_names(spec, Some(test)),
            body: test.body.as_ref().and_then(|b| render(b, &scope)),
            form: test.encoding == Encoding::Form,
        };
        out.push((format!("{} connection test", spec.id), sent));
    }
    out
}

fn piece_spec(id: &str) -> PieceSpec {
    let file = format!("{id}.json");
    let (_, text) = declared::SPECS
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("no piece {id} in engine/pieces"));
    PieceSpec::parse(&file, text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_request_conforms_to_the_vendors_official_spec() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for vendor in VENDORS {
        let checker = Checker::of(vendor);
        let spec = piece_spec(vendor.piece);
        let (mut checked, mut uncovered) = (0, Vec::new());
        let mut operations: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (label, sent) in requests(&spec) {
            match checker.check(&sent) {
                Outcome::Checked(errors, op) => {
                    checked += 1;
                    let op = op.unwrap_or_else(|| "?".into());
                    operations.entry(op).or_default().push(label.clone());
                    failures.extend(errors.into_iter().map(|e| format!("{label}: {e}")));
                }
                Outcome::Uncovered(why) => uncovered.push(format!("{label} ({why})")),
            }
        }
        let used = checker.used.borrow();
        for (_, rule) in vendor.rules.iter().enumerate().filter(|(i, _)| !used.contains(i)) {
            failures.push(format!(
                "{}: the rule {:?} ({}) is not needed by any request any more: remove it",
                vendor.piece, rule.allow, rule.why
            ));
        }
        summary.push(format!(
            "{} against tests/apis/{}: {checked} requests checked",
            vendor.piece, vendor.file
        ));
        for (op, labels) in operations {
            summary.push(format!("  {op}: {}", labels.join(", ")));
        }
        for label in uncovered {
            summary.push(format!("  not covered: {label}"));
        }
    }
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} requests differ from the vendors' official specs:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_declared_piece_is_checked_or_has_no_official_spec() {
    for (file, _) in declared::SPECS {
        let id = file.trim_end_matches(".json");
        let checked = VENDORS.iter().any(|v| v.piece == id);
        let listed = NO_OFFICIAL_SPEC.iter().any(|(p, _)| *p == id);
        assert!(
            checked != listed,
            "{id}: add it to VENDORS (with a trimmed official spec) or to NO_OFFICIAL_SPEC, once"
        );
    }
    for (id, _) in NO_OFFICIAL_SPEC {
        assert!(declared::SPECS.iter().any(|(f, _)| *f == format!("{id}.json")), "no piece {id}");
    }
}

#[test]
fn uncovered_requests_are_not_in_the_specs() {
    for vendor in VENDORS {
        let checker = Checker::of(vendor);
        let paths = checker.doc["paths"].as_object().cloned().unwrap_or_default();
        for (method, prefix, _) in vendor.uncovered {
            let listed = paths.iter().filter(|(p, _)| p.starts_with(prefix));
            for (path, item) in listed {
                assert!(
                    item.get(method.to_ascii_lowercase()).is_none(),
                    "{}: {method} {path} is in {}: drop it from `uncovered`",
                    vendor.piece,
                    vendor.file
                );
            }
        }
        assert!(checker.doc["x-source"].is_array(), "{} has no x-source", vendor.file);
    }
}

#[cfg(test)]
mod checker {
    use super::*;

    /// A small spec exercising what the checker knows.
    fn toy() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "toy", "version": "1"},
            "servers": [{"url": "https://api.example.com/v1"}],
            "paths": {
                "/things": {
                    "post": {
                        "parameters": [
                            {"name": "mode", "in": "query", "required": true,
                             "schema": {"type": "string", "enum": ["fast", "slow"]}},
                            {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                        ],
                        "requestBody": {"required": true, "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
                            "application/x-www-form-urlencoded": {"schema": {
                                "type": "object", "required": ["To"],
                                "properties": {
                                    "To": {"type": "string"},
                                    "Timeout": {"type": "integer"},
                                    "Event": {"type": "array", "items": {"type": "string"}}
                                }
                            }}
                        }},
                        "responses": {}
                    }
                },
                "/things/{id}.json": {
                    "parameters": [{"name": "id", "in": "path", "required": true,
                                    "schema": {"type": "integer"}}],
                    "get": {"responses": {}}
                }
            },
            "components": {"schemas": {
                "Thing": {
                    "allOf": [{"$ref": "#/components/schemas/Base"}, {
                        "type": "object",
                        "required": ["to"],
                        "properties": {
                            "to": {"oneOf": [{"type": "string"},
                                             {"type": "array", "items": {"type": "string"}}]},
                            "count": {"type": ["integer", "null"]},
                            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
                        }
                    }]
                },
                "Base": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Tag": {"type": "object", "required": ["name"], "additionalProperties": false,
                        "properties": {"name": {"type": "string"}, "kind": {"enum": ["a", "b"]}}}
            }}
        })
    }

    fn post(body: Value) -> Sent {
        Sent {
            method: "POST".into(),
            url: "https://api.example.com/v1/things".into(),
            query: [("mode".to_owned(), vec!["fast".to_owned()])].into(),
            body: Some(body),
            ..Sent::default()
        }
    }

    fn errors(checker: &Checker<'_>, sent: &Sent) -> Vec<String> {
        match checker.check(sent) {
            Outcome::Checked(errors, _) => errors,
            Outcome::Uncovered(why) => panic!("uncovered: {why}"),
        }
    }

    fn assert_reports(errors: &[String], wanted: &[&str]) {
        for w in wanted {
            assert!(errors.iter().any(|e| e.contains(w)), "no `{w}` in {errors:#?}");
        }
        assert_eq!(errors.len(), wanted.len(), "{errors:#?}");
    }

    #[test]
    fn a_conforming_request_passes() {
        let checker = Checker::new("toy.json", toy(), &[], &[]);
        let ok = post(json!({"to": ["a@example.com"], "name": "x", "count": null,
                              "tags": [{"name": "t", "kind": "a"}]}));
        assert_reports(&errors(&checker, &ok), &[]);
        let mut form = post(json!({"To": "+1555", "Timeout": "30", "Event": "answered"}));
        form.form = true;
        form.query.insert("limit".into(), vec!["20".into()]);
        assert_reports(&errors(&checker, &form), &[]);
        let get = Sent {
            method: "GET".into(),
            url: "https://api.example.com/v1/things/42.json".into(),
            ..Sent::default()
        };
        assert_reports(&errors(&checker, &get), &[]);
    }

    #[test]
    fn a_wrong_request_is_reported() {
        let checker = Checker::new("toy.json", toy(), &[], &[]);
        let mut unknown = post(json!({"to": "a@example.com"}));
        unknown.url = "https://api.example.com/v1/thingz".into();
        assert_reports(&errors(&checker, &unknown), &["no path of toy.json matches POST /thingz"]);

        let mut elsewhere = post(json!({"to": "a@example.com"}));
        elsewhere.url = "https://other.example.com/v1/things".into();
        assert_reports(&errors(&checker, &elsewhere), &["is not under the servers"]);

        let mut method = post(json!({"to": "a@example.com"}));
        method.method = "DELETE".into();
        assert_reports(&errors(&checker, &method), &["DELETE is not an operation of /things"]);

        let wrong = post(json!({"name": 7, "count": "3", "colour": "red",
                                 "tags": [{"kind": "c", "extra": 1}]}));
        assert_reports(
            &errors(&checker, &wrong),
            &[
                "body: missing required property `to`",
                "body.name: is integer 7, the spec says string",
                "body.count: is string \"3\", the spec says integer or null",
                "body: property `colour` is not in the spec's schema",
                "body.tags[0]: missing required property `name`",
                "body.tags[0].kind: \"c\" is not one of \"a\", \"b\"",
                "body.tags[0]: property `extra` is not in the spec's schema",
            ],
        );

        let alternatives = post(json!({"to": 5}));
        assert_reports(&errors(&checker, &alternatives), &["body.to: fits none of the 2"]);

        let mut query = post(json!({"to": "a@example.com"}));
        query.query =
            [("limit".into(), vec!["ten".into()]), ("page".into(), vec!["2".into()])].into();
        assert_reports(
            &errors(&checker, &query),
            &[
                "required query parameter `mode` is missing",
                "query parameter `limit`: is the text \"ten\", the spec says integer",
                "query parameter `page` is not in the spec",
            ],
        );

        let mut no_body = post(json!({}));
        no_body.body = None;
        assert_reports(&errors(&checker, &no_body), &["the spec requires a body"]);

        let mut form = post(json!({"Timeout": "soon", "Event": "x", "From": "+1"}));
        form.form = true;
        assert_reports(
            &errors(&checker, &form),
            &[
                "body: missing required property `To`",
                "body.Timeout: is the text \"soon\", the spec says integer",
                "body: property `From` is not in the spec's schema",
            ],
        );

        let get = Sent {
            method: "GET".into(),
            url: "https://api.example.com/v1/things/abc.json".into(),
            ..Sent::default()
        };
        assert_reports(&errors(&checker, &get), &["path parameter `id`: is the text \"abc\""]);
    }

    #[test]
    fn the_real_specs_catch_wrong_requests() {
        let vendor = |id: &str| VENDORS.iter().find(|v| v.piece == id).unwrap();
        let hubspot = Checker::of(vendor("hubspot"));
        let mut contact = post(json!({
            "properties": {"email": 1},
            "associations": [{"to": {"id": "1"},
                              "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                         "associationTypeId": "279"}]}]
        }));
        contact.url = "https://api.hubapi.com/crm/v3/objects/contacts".into();
        contact.query.clear();
        assert_reports(
            &errors(&hubspot, &contact),
            &[
                "body.properties.email: is integer 1, the spec says string",
                "body.associations[0].types[0].associationTypeId: is string \"279\"",
            ],
        );
        contact.body = Some(json!({"properties": {}}));
        assert_reports(&errors(&hubspot, &contact), &["missing required property `associations`"]);
        contact.url = "https://api.hubapi.com/crm/v3/objects/contact".into();
        assert_reports(&errors(&hubspot, &contact), &["no path of hubspot.json matches"]);

        let twilio = Checker::of(vendor("twilio"));
        let mut call = post(json!({"To": "+14155550123", "Timeout": "soon"}));
        call.url = "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/\
                    Calls.json"
            .into();
        call.query.clear();
        call.form = true;
        assert_reports(
            &errors(&twilio, &call),
            &["missing required property `From`", "body.Timeout: is the text \"soon\""],
        );

        let slack = Checker::of(vendor("slack"));
        let mut message = post(json!({"text": "hi", "unfurl_links": "no"}));
        message.url = "https://slack.com/api/chat.postMessage".into();
        message.query.clear();
        message.headers.insert("authorization".into());
        assert_reports(
            &errors(&slack, &message),
            &[
                "body: missing required property `channel`",
                "body.unfurl_links: is string \"no\", the spec says boolean",
            ],
        );
        // Without the Authorization header Slack's `token` rule does not apply.
        message.headers.clear();
        message.body = Some(json!({"channel": "C1"}));
        assert_reports(&errors(&slack, &message), &["required header `token` is not sent"]);

        let sendgrid = Checker::of(vendor("sendgrid"));
        let mut mail = post(json!({
            "personalizations": [{"cc": [{"name": "Ada"}]}],
            "from": "orders@example.com",
            "content": [{"type": "text/plain"}],
            "send_at": "tomorrow"
        }));
        mail.url = "https://api.sendgrid.com/v3/mail/send".into();
        mail.query.clear();
        assert_reports(
            &errors(&sendgrid, &mail),
            &[
                "body.personalizations[0]: missing required property `to`",
                "body.personalizations[0].cc[0]: missing required property `email`",
                "body.from: is string \"orders@example.com\", the spec says object",
                "body.content[0]: missing required property `value`",
                "body.send_at: is string \"tomorrow\", the spec says integer",
            ],
        );

        let resend = Checker::of(vendor("resend"));
        let mut email = post(json!({"from": "a@example.com", "to": 5, "html": "<p>hi</p>"}));
        email.url = "https://api.resend.com/emails".into();
        email.query.clear();
        assert_reports(
            &errors(&resend, &email),
            &["missing required property `subject`", "body.to: fits none of the 2 alternatives"],
        );

        let discord = Checker::of(vendor("discord"));
        let mut hook = post(json!({"embeds": [{"title": "t", "color": "green",
                                               "fields": [{"name": "n"}]}]}));
        hook.url = "https://discord.com/api/webhooks/123/tok".into();
        hook.query = [("wait".into(), vec!["yes".into()])].into();
        assert_reports(
            &errors(&discord, &hook),
            &[
                "query parameter `wait`: is the text \"yes\", the spec says boolean",
                "body: fits none of the 2 alternatives of the spec's anyOf",
            ],
        );
        let found = errors(&discord, &hook).join("\n");
        assert!(found.contains("body.embeds[0].color: is string \"green\""), "{found}");
        assert!(found.contains("body.embeds[0].fields[0]: missing required property `value`"));
    }
}
