//! The spec file's shape. Every struct denies unknown fields: a typo in a spec is an error with
//! its JSON path, found by the registry test, not a silently ignored key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::piece::{AuthKind, PropMeta, TriggerMeta};

/// One piece, as written in `engine/pieces/<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PieceSpec {
    /// The key used in flows (`"piece": "slack"`): lower case letters, digits and `_`.
    pub id: String,
    /// Display name, also the vendor's name in error messages ("Slack answered HTTP 404 ...").
    pub name: String,
    /// One sentence.
    pub description: String,
    /// Picker category (`Communication`, `CRM`, `Email`, `Spreadsheets`, `Automation`, ...).
    pub category: String,
    /// Icon: an inline SVG data URL, or a path the editor serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Where the vendor documents its API (shown in the editor next to "custom API call").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    /// The API's base URL, without a trailing slash; may use `{{auth.<field>}}` (Salesforce's
    /// `instance_url`, a Shopify shop domain). `SWITCHBOARD_BASE_URL_<ID>` replaces it.
    pub base_url: String,
    /// Further base URLs by name, for APIs split across hosts (Google Sheets lists spreadsheets
    /// through Drive); a request picks one with `base`. `SWITCHBOARD_BASE_URL_<ID>_<NAME>`
    /// replaces one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bases: BTreeMap<String, String>,
    /// How connections authenticate.
    #[serde(default)]
    pub auth: AuthSpec,
    /// Headers sent with every request of this piece (e.g. an API version header).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// When a response is a failure, and where the vendor's words are; actions may override it.
    #[serde(default)]
    pub errors: ErrorRule,
    /// Requests per second allowed per connection (the vendor's documented rate limit); requests
    /// beyond it wait. `None`: no limit besides the vendor's 429s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// The actions, in picker order.
    pub actions: Vec<ActionSpec>,
    /// Add the "custom API call" action (any request on the API with the connection's auth).
    /// `false` for pieces without an API of their own (hook URLs).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub custom_api_call: bool,
    /// Triggers the vendor pushes (their sources are Rust: signatures are code).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<TriggerMeta>,
}

/// A request rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per `per_seconds`.
    pub requests: u32,
    /// The window, in seconds.
    #[serde(default = "one")]
    pub per_seconds: f64,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

/// How a connection authenticates, and what the editor's connection form asks for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    /// The kind, for the editor (which form to draw) and the catalog.
    #[serde(default)]
    pub kind: AuthKind,
    /// Help shown above the connection form (where to find the key, which scopes it needs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The values a user enters (`token`, `api_key`, `instance_url`, ...); secret ones are marked
    /// `secret` and never shown again. OAuth2 connections get `access_token` (and
    /// `refresh_token`, `expires_at`) from the token exchange instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<PropMeta>,
    /// Headers carrying the credential, e.g. `{"Authorization": "Bearer {{auth.token}}"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters carrying the credential, e.g. `{"api_key": "{{auth.api_key}}"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// HTTP basic auth built from the connection's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicAuth>,
    /// OAuth2 endpoints, for `kind: oauth2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Spec>,
    /// A cheap authenticated request that succeeds only with a working credential: run when a
    /// connection is saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<RequestSpec>,
    /// Connection values the examples and tests use (fake, obviously).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub example: serde_json::Map<String, Value>,
}

/// `username` / `password` templates for HTTP basic auth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// e.g. `{{auth.account_sid}}`.
    pub username: String,
    /// e.g. `{{auth.auth_token}}`.
    #[serde(default)]
    pub password: String,
}

/// OAuth2 as the vendor documents it. Client id and secret are per installation
/// (`SWITCHBOARD_OAUTH2_<PIECE>_CLIENT_ID` / `_CLIENT_SECRET`), never part of a spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Spec {
    /// `authorization_code` (a user consents in the browser) or `client_credentials`.
    #[serde(default)]
    pub grant: OAuth2Grant,
    /// The consent page (authorization code only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorize_url: Option<String>,
    /// Where codes and refresh tokens are exchanged.
    pub token_url: String,
    /// Scopes requested.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How scopes are joined (most vendors: a space; Slack's user scopes: a comma).
    #[serde(default = "space")]
    pub scope_separator: String,
    /// Send a PKCE challenge (S256) with the authorization request.
    #[serde(default)]
    pub pkce: bool,
    /// Extra query parameters of the consent page (e.g. Google's `access_type=offline`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authorize_params: BTreeMap<String, String>,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub client_auth: OAuth2ClientAuth,
    /// Where the access token is in the token response, when not at `access_token` (Slack user
    /// tokens: `authed_user.access_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_path: Option<String>,
    /// Other token-response fields kept as connection values (Salesforce's `instance_url`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
}

fn space() -> String {
    " ".to_owned()
}

/// OAuth2 grant types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuth2Grant {
    /// Browser consent, then a code exchanged for tokens.
    #[default]
    AuthorizationCode,
    /// Machine-to-machine: client id and secret buy a token.
    ClientCredentials,
}

/// Where the client id and secret go at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuth2ClientAuth {
    /// `client_id` and `client_secret` in the form body.
    #[default]
    Body,
    /// HTTP basic auth header.
    Basic,
}

/// When a response is a failure, and where its message is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRule {
    /// Conditions that make a 2xx response a failure too (HTTP 4xx/5xx always are), e.g.
    /// `{"path": "body.ok", "equals": false}` for Slack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fail_when: Vec<Condition>,
    /// Where the vendor's own words are, first present wins (`body.error`, `body.message`,
    /// `body.errors[0].message`). Without it the usual fields are tried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message: Vec<String>,
}

/// `path` (into `{status, headers, body}`) equals `equals`, or with `exists`, is present or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// e.g. `body.ok`.
    pub path: String,
    /// The value that means failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    /// `true`: failure when the path is present; `false`: when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// One action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// The key used in flows (`"action": "send_message"`).
    pub name: String,
    /// What the picker shows.
    pub label: String,
    /// One sentence on what it does.
    pub description: String,
    /// Its props, in form order (a `dynamic_select` names its `options_from` action).
    #[serde(default)]
    pub props: Vec<PropMeta>,
    /// The request. Absent only for actions implemented in Rust (`rust: true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSpec>,
    /// The action's code is Rust (registered under the piece's id and this name); the spec still
    /// gives its props, examples and documentation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rust: bool,
    /// What the step outputs: a path into `{status, headers, body}` (default `body`), or an
    /// object template over `status`, `headers`, `body` and `props`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Replaces the piece's error rule for this action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorRule>,
    /// How a listing action pages: the output is then every page's items in one array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paginate: Option<Paginate>,
    /// Hidden from the picker: used to fill dynamic selects (`options_from`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Requests sent, responses got: at least one per action, replayed by the registry test.
    pub examples: Vec<Example>,
}

/// An HTTP request, as templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    pub method: String,
    /// Which of the piece's `bases` the path is appended to (default: `base_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Appended to the base URL (empty: the base URL itself); placeholders in it are
    /// percent-encoded as one path segment each (a `{{ }}` followed by `*` keeps its slashes:
    /// `/files/{{props.path}}*`).
    #[serde(default)]
    pub path: String,
    /// A whole URL instead of base and path, for APIs where the user holds the address (a Teams
    /// or Zapier hook URL): e.g. `{{props.hook_url}}` or `{{auth.webhook_url}}`. Only `http(s)`
    /// URLs are sent; the piece's base-URL override replaces its origin (tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For `url` requests: the hosts the URL may point at (`hooks.zapier.com`, or
    /// `*.make.com` for any subdomain); empty: any host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_hosts: Vec<String>,
    /// Query parameters; an absent value drops the parameter, an array repeats it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, Value>,
    /// Headers; an absent value drops the header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body template (see [`super::template`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// How the body is encoded.
    #[serde(default)]
    pub encoding: Encoding,
}

/// Body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// `application/json`.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`; nested values are sent as JSON text.
    Form,
}

/// How a listing action fetches the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paginate {
    /// The array of items in each page (`body.channels`).
    pub items: String,
    /// Where the next page's cursor is in a response (`body.response_metadata.next_cursor`);
    /// paging stops when it is absent, null or empty.
    pub next: String,
    /// The query parameter the cursor goes into for the next request (`cursor`, `after`,
    /// `offset`); without it the cursor is the next page's URL (absolute, or a path on the base).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// At most this many pages (default 10): a listing in a flow is bounded.
    #[serde(default = "ten")]
    pub max_pages: u32,
}

fn ten() -> u32 {
    10
}

/// One example of an action: what goes in, the request it must send, what comes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    pub name: String,
    /// The action's props.
    pub props: serde_json::Map<String, Value>,
    /// Connection values (defaults to the piece's `auth.example`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<serde_json::Map<String, Value>>,
    /// The request the action must send.
    pub request: ExpectedRequest,
    /// The canned answer of the mock server (also each further page, for paginated actions,
    /// in `pages`).
    pub response: CannedResponse,
    /// Further pages (or the answers to a Rust action's further requests), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<CannedResponse>,
    /// The requests expected after the first, in order (next pages, a Rust action's further
    /// calls); each is checked like `request`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<ExpectedRequest>,
    /// The step's output for that response; with `error`, the failure's message must contain
    /// this text instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// A failing example: the text the error message must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the mock server must see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    /// Method.
    pub method: String,
    /// Path, after the base URL's own path (percent-encoded, as sent).
    pub path: String,
    /// Query parameters, exactly (auth query parameters included): a string, or an array of
    /// strings for a repeated parameter.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, Value>,
    /// Headers that must be present with these values (names case-insensitive).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body, exactly: JSON, or for form bodies an object of the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A response the mock server gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedResponse {
    /// Status (default 200).
    #[serde(default = "ok_status")]
    pub status: u16,
    /// Headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON body (a string is sent as text).
    #[serde(default)]
    pub body: Value,
}

fn ok_status() -> u16 {
    200
}
