//! The OpenAPI 3.1 document of the whole HTTP surface, served at `GET /api/v1/openapi.json`.
//!
//! Operations come from the `#[utoipa::path]` annotations on the handlers (`api::*`, `hooks`); the
//! Prometheus endpoint, whose handler lives in `app.rs`, is described by [`metrics_doc`]. Most
//! handlers build their bodies with `json!`, so the [`schemas`] module holds doc-only types that
//! mirror exactly what they return. The flow document is not re-derived: the engine's JSON Schema
//! (`switchboard schema`) is embedded as the `FlowDocument` component when the document is first
//! built, its `$defs` lifted to `FlowDocument<Name>` components so every `$ref` resolves inside
//! this document.

use std::sync::OnceLock;

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::AppState;

/// Name of the session-cookie security scheme (`sb_session`). The private handlers' annotations
/// spell it out (`security(("session_cookie" = []), ("api_key" = []))`): macros take literals.
pub const SESSION_SCHEME: &str = "session_cookie";
/// Name of the bearer API-key security scheme (see [`SESSION_SCHEME`]).
pub const API_KEY_SCHEME: &str = "api_key";
/// Prefix of the components the flow schema's `$defs` are lifted to.
const FLOW_DEFS_PREFIX: &str = "FlowDocument";

/// The OpenAPI document, as utoipa derives it from the annotated handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        description = "Switchboard's HTTP API: flows and their versions, runs, connections, the \
            pieces catalog, accounts and API keys under `/api/v1`; the public webhooks under \
            `/hooks`; health checks and Prometheus metrics.\n\n\
            Every error of the API answers with the `ApiError` body \
            (`{ \"error\": { \"code\", \"message\", \"path\"?, \"problems\"? } }`), except the \
            framework's own rejections of a malformed JSON body, query string or path segment, \
            which are plain text. (`/readyz` and the synchronous webhook's run results have \
            their own bodies.)\n\n\
            Private operations accept either the session cookie `sb_session` (set by \
            `POST /api/v1/auth/setup` and `POST /api/v1/auth/login`) or an API key sent as \
            `Authorization: Bearer <key>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        super::health::healthz,
        super::health::readyz,
        metrics_doc,
        serve,
        super::auth::status,
        super::auth::setup,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::create_api_key,
        super::flows::list,
        super::flows::create,
        super::flows::import,
        super::flows::get,
        super::flows::update,
        super::flows::delete,
        super::flows::publish,
        super::flows::versions,
        super::flows::version,
        super::flows::enable,
        super::flows::disable,
        super::flows::export,
        super::flows::samples,
        super::flows::validate,
        super::templates::list,
        super::templates::get,
        super::templates::use_template,
        super::rejections::list,
        super::flow_test::test,
        super::flow_test::test_step,
        super::runs::list,
        super::runs::get,
        super::runs::retry,
        super::runs::cancel,
        super::connections::list,
        super::connections::create,
        super::connections::get,
        super::connections::update,
        super::connections::delete,
        super::connections::test,
        super::pieces::list,
        super::pieces::options,
        super::subscriptions::create,
        super::subscriptions::list,
        super::subscriptions::delete,
        super::subscriptions::samples,
        crate::oauth2::flow::start,
        crate::oauth2::flow::callback,
        crate::hooks::catch_async,
        crate::hooks::catch_sync,
        crate::hooks::catch_test,
        crate::hooks::resume,
        crate::hooks::confirm_resume,
    ),
    // Referenced by `ref(...)` (an optional body), so not collected from the path.
    components(schemas(super::runs::RetryBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "system", description = "Health checks, metrics and this document."),
        (name = "auth", description = "Owner set-up, sign-in and -out, the current account, API keys."),
        (name = "flows", description = "Flow drafts, published versions, enabling, export and import."),
        (name = "runs", description = "Run records, retries and cancellation."),
        (name = "connections", description = "Piece credentials. Their values are write-only: responses only name the fields."),
        (name = "pieces", description = "The catalog of pieces, their actions and triggers."),
        (name = "templates", description = "Ready-made flows per customer segment, and making a draft from one."),
        (name = "subscriptions", description = "REST hook subscriptions: Zapier, Make and n8n \
            subscribe a URL to an event that flows emit with `switchboard_events.emit`."),
        (name = "webhooks", description = "Public webhook URLs that start and resume runs. They are \
            public by URL (flow ids are unguessable); a flow's `webhook` trigger may require its own \
            header secret or HTTP basic auth."),
    ),
)]
pub struct ApiDoc;

/// Adds the two ways to authenticate to the private API.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The browser session, set by `POST /api/v1/auth/setup` and \
                 `POST /api/v1/auth/login` and cleared by `POST /api/v1/auth/logout`.",
            ))),
        );
        components.add_security_scheme(
            API_KEY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sb_key_…")
                    .description(Some(
                        "An API key (`POST /api/v1/api-keys`), or the key given in \
                         `SWITCHBOARD_API_KEY` at start, as `Authorization: Bearer <key>`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, built once: utoipa's output with the flow JSON Schema embedded.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = match serde_json::to_value(ApiDoc::openapi()) {
            Ok(doc) => doc,
            Err(e) => {
                // Not reachable with utoipa's types; answer with a document that says so.
                tracing::error!("serializing the OpenAPI document failed: {e}");
                return serde_json::json!({
                    "openapi": "3.1.0",
                    "info": { "title": "Switchboard API", "version": env!("CARGO_PKG_VERSION") },
                    "paths": {},
                });
            }
        };
        if let Err(e) = embed_flow_schema(&mut doc, &switchboard_engine::schema::flow_schema_json())
        {
            tracing::error!("embedding the flow schema in the OpenAPI document failed: {e}");
        }
        doc
    })
}

/// Replaces the `FlowDocument` placeholder component with the engine's flow JSON Schema. Its
/// `$defs` become `FlowDocument<Name>` components and its `$ref`s are rewritten to point at them;
/// `$id` and `$schema` are dropped (a 3.1 document's schemas use the OpenAPI dialect, and an `$id`
/// would make the rewritten references resolve against the schema's own URL).
fn embed_flow_schema(doc: &mut Value, schema_text: &str) -> Result<(), String> {
    let mut schema: Value = serde_json::from_str(schema_text)
        .map_err(|e| format!("the flow schema is not JSON: {e}"))?;
    let root = schema.as_object_mut().ok_or("the flow schema is not an object")?;
    let defs = root.remove("$defs");
    root.remove("$id");
    root.remove("$schema");
    rewrite_refs(&mut schema);
    let components = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no components.schemas")?;
    if let Some(defs) = defs {
        let Value::Object(defs) = defs else {
            return Err("the flow schema's `$defs` is not an object".into());
        };
        for (name, mut def) in defs {
            rewrite_refs(&mut def);
            let key = format!("{FLOW_DEFS_PREFIX}{name}");
            if components.contains_key(&key) {
                return Err(format!("component `{key}` exists already"));
            }
            components.insert(key, def);
        }
    }
    components.insert(FLOW_DEFS_PREFIX.to_owned(), schema);
    Ok(())
}

/// Rewrites `#/$defs/X` references to `#/components/schemas/FlowDocumentX`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix("#/$defs/") {
                            *target = format!("#/components/schemas/{FLOW_DEFS_PREFIX}{name}");
                        }
                    }
                    other => rewrite_refs(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// `GET /api/v1/openapi.json` (public): this document, with the configured public URL as its
/// server.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "system",
    operation_id = "getOpenApiDocument",
    summary = "The OpenAPI document",
    description = "This OpenAPI 3.1 document: every route of the server with its parameters, \
        bodies, responses and security. `servers` holds the configured public URL \
        (`--public-url`).",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", body = Object, content_type = "application/json"),
    ),
)]
pub async fn serve(State(state): State<AppState>) -> Json<Value> {
    let base = document();
    let url = state.settings.public_url.trim_end_matches('/');
    let mut out = Map::with_capacity(base.as_object().map_or(0, Map::len) + 1);
    if let Some(fields) = base.as_object() {
        for (key, value) in fields {
            out.insert(key.clone(), value.clone());
            if key == "info" && !url.is_empty() {
                out.insert("servers".into(), serde_json::json!([{ "url": url }]));
            }
        }
    }
    Json(Value::Object(out))
}

/// Describes `GET /metrics`, whose handler lives in `app.rs`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "system",
    operation_id = "getMetrics",
    summary = "Prometheus metrics",
    description = "The server's metrics in the Prometheus text exposition format (version 0.0.4): \
        `switchboard_runs_total`, `switchboard_step_duration_seconds`, \
        `switchboard_webhook_ingest_seconds`, `switchboard_webhooks_total`, \
        `switchboard_queue_depth`, `switchboard_runs_in_flight`. The body is empty when the \
        metrics recorder could not be installed at start.",
    responses(
        (status = 200, description = "The metrics, Prometheus text format.", body = String, content_type = "text/plain; version=0.0.4"),
    ),
)]
#[allow(dead_code, reason = "documents the `/metrics` handler of app.rs; never called")]
fn metrics_doc() {}

/// Doc-only types: the exact shapes of the `json!` bodies the handlers build. They are never
/// constructed; [`ApiDoc`] reads their schemas.
///
/// Fields whose schema is inlined (`#[schema(inline)]`) carry `//` comments, not doc comments:
/// utoipa wraps an inlined schema that has a field description in an `allOf` with an `object`,
/// which no string could match. The inlined type's own doc comment describes the field instead.
#[allow(
    dead_code,
    clippy::large_enum_variant,
    reason = "doc-only types: they describe bodies, they are never constructed"
)]
pub mod schemas {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    use chrono::{DateTime, Utc};
    use serde_json::Value;
    use utoipa::ToSchema;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    // ---- errors ----

    /// The body of every API failure.
    #[derive(ToSchema)]
    pub struct ApiError {
        // What went wrong.
        #[schema(inline)]
        pub error: ApiErrorDetail,
    }

    /// The error itself.
    #[derive(ToSchema)]
    pub struct ApiErrorDetail {
        /// A stable, machine-readable code (`flow_not_found`, `invalid_flow`, `unauthenticated`…).
        pub code: String,
        /// What went wrong, in plain words.
        pub message: String,
        /// For `invalid_flow`: the JSON path of the first problem, when it is not the whole document.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub path: Option<String>,
        /// For `invalid_flow`: every problem found.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub problems: Vec<Problem>,
    }

    /// One thing wrong with a flow document.
    #[derive(ToSchema)]
    pub struct Problem {
        /// JSON path into the document (`steps[2].props.email`, `edges[4]`); empty when the
        /// problem is about the whole document.
        pub path: String,
        /// What is wrong, in plain words.
        pub message: String,
        /// The id of the step (or trigger) the path points into; absent when none.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub step: Option<String>,
    }

    /// A document's validation problems.
    #[derive(ToSchema)]
    pub struct Problems {
        /// Every problem; empty when the document can be published.
        pub problems: Vec<Problem>,
    }

    /// The templates gallery.
    #[derive(ToSchema)]
    pub struct TemplateList {
        /// The templates (without their flows).
        pub templates: Vec<TemplateSummary>,
        /// Every segment a template may name.
        pub segments: Vec<String>,
    }

    /// A template in the gallery.
    #[derive(ToSchema)]
    pub struct TemplateSummary {
        /// Its id (for `GET /api/v1/templates/{id}` and `…/use`).
        pub id: String,
        /// Its name.
        pub name: String,
        /// What it does, for whom.
        pub description: String,
        /// Its customer segments.
        pub segments: Vec<String>,
        /// Search words.
        pub tags: Vec<String>,
        /// The pieces its flow uses.
        pub pieces: Vec<String>,
        /// The connections it asks for.
        pub connections: Vec<crate::templates::NeededConnection>,
    }

    /// A template with its flow.
    #[derive(ToSchema)]
    pub struct TemplateDetail {
        /// The gallery's fields.
        #[serde(flatten)]
        pub summary: TemplateSummary,
        /// The flow document.
        pub flow: FlowDocument,
        /// The trigger sample event it is tested with, if a call trigger.
        #[schema(required = true)]
        pub sample: Option<String>,
        /// Or the trigger value it is tested with.
        #[schema(required = true, value_type = Option<Object>)]
        pub sample_trigger: Option<Value>,
    }

    // ---- health ----

    /// Always `ok`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum OkStatus {
        /// The process answers.
        Ok,
    }

    /// Always `ready`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ReadyStatus {
        /// The database answers.
        Ready,
    }

    /// Always `unavailable`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum UnavailableStatus {
        /// The database does not answer.
        Unavailable,
    }

    /// What is unavailable: `database`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum UnavailableReason {
        /// The database does not answer.
        Database,
    }

    /// The process answers.
    #[derive(ToSchema)]
    pub struct Healthy {
        // Always `ok`.
        #[schema(inline)]
        pub status: OkStatus,
    }

    /// The server can take work.
    #[derive(ToSchema)]
    pub struct Ready {
        // Always `ready`.
        #[schema(inline)]
        pub status: ReadyStatus,
        /// Runs stored and waiting for a worker.
        pub queued_runs: i64,
    }

    /// The server cannot take work.
    #[derive(ToSchema)]
    pub struct NotReady {
        // Always `unavailable`.
        #[schema(inline)]
        pub status: UnavailableStatus,
        // What is unavailable: `database`.
        #[schema(inline)]
        pub reason: UnavailableReason,
    }

    // ---- accounts ----

    /// An account.
    #[derive(ToSchema)]
    pub struct User {
        /// Stable id.
        pub id: String,
        /// Sign-in email.
        pub email: String,
        /// The account's role: `owner`.
        pub role: String,
        /// When it was created.
        pub created_at: DateTime<Utc>,
    }

    /// Whether the owner account must still be created, and who is signed in.
    #[derive(ToSchema)]
    pub struct AuthStatus {
        /// `true` until the owner account exists (then `POST /api/v1/auth/setup` answers 409).
        pub setup_required: bool,
        /// The account of the request's session or API key; `null` when anonymous or when the
        /// request uses the `SWITCHBOARD_API_KEY` key.
        #[schema(required = true)]
        pub user: Option<User>,
    }

    /// The signed-in account (the session cookie is in `Set-Cookie`).
    #[derive(ToSchema)]
    pub struct SignedIn {
        /// The account.
        pub user: User,
    }

    /// Present, as `environment`, only for the `SWITCHBOARD_API_KEY` key.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EnvironmentKey {
        /// The key given in `SWITCHBOARD_API_KEY`.
        Environment,
    }

    /// Who the caller is.
    #[derive(ToSchema)]
    pub struct Me {
        /// The account; `null` for the `SWITCHBOARD_API_KEY` key.
        #[schema(required = true)]
        pub user: Option<User>,
        // Present (`environment`) only for the `SWITCHBOARD_API_KEY` key.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(inline, nullable = false)]
        pub api_key: Option<EnvironmentKey>,
    }

    /// A new API key. The key is shown only in this response.
    #[derive(ToSchema)]
    pub struct ApiKeyCreated {
        /// The key's id.
        pub id: String,
        /// Its name (trimmed).
        pub name: String,
        /// The key (`sb_key_…`): send it as `Authorization: Bearer <key>`. It is not stored and
        /// cannot be shown again.
        pub key: String,
    }

    // ---- connections ----

    /// A connection. Its values are never returned, only their names.
    #[derive(ToSchema)]
    pub struct Connection {
        /// Stable id.
        pub id: String,
        /// Unique name steps refer to.
        pub name: String,
        /// The piece it authenticates.
        pub piece: String,
        /// The names of its values.
        pub fields: Vec<String>,
        /// When it was created.
        pub created_at: DateTime<Utc>,
        /// When it last changed.
        pub updated_at: DateTime<Utc>,
    }

    /// Every connection.
    #[derive(ToSchema)]
    pub struct ConnectionList {
        /// The connections, by name.
        pub connections: Vec<Connection>,
    }

    /// The connection works.
    #[derive(ToSchema)]
    pub struct ConnectionTestOk {
        /// Always `true`.
        pub ok: bool,
    }

    /// A dynamic select's options.
    #[derive(ToSchema)]
    pub struct OptionList {
        /// In the vendor's order.
        pub options: Vec<SelectOption>,
    }

    // ---- flows ----

    /// A flow document: the engine's JSON Schema (`switchboard schema`), embedded when the
    /// document is built.
    pub struct FlowDocument;

    impl utoipa::PartialSchema for FlowDocument {
        fn schema() -> RefOr<Schema> {
            // Replaced by the engine's schema in `embed_flow_schema`.
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("A Switchboard flow document (schema_version 1)."))
                .into()
        }
    }

    impl ToSchema for FlowDocument {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed(super::FLOW_DEFS_PREFIX)
        }
    }

    /// The flow's webhook URLs, under the configured public URL.
    #[derive(ToSchema)]
    pub struct WebhookUrls {
        /// `POST` starts a run of the published version and answers 202 at once.
        #[serde(rename = "async")]
        #[schema(format = "uri")]
        pub async_url: String,
        /// `POST` starts a run of the published version and waits for its response.
        #[serde(rename = "sync")]
        #[schema(format = "uri")]
        pub sync_url: String,
        /// `POST` runs the draft and answers with the run record.
        #[serde(rename = "test")]
        #[schema(format = "uri")]
        pub test_url: String,
        /// The URL to paste into the sending system: the sync URL for a trigger whose sender
        /// waits for the flow's answer (mid-call tools), with `?token=` when the trigger checks
        /// a URL token (Famulor); otherwise the async URL.
        #[schema(format = "uri")]
        pub platform: String,
    }

    /// A schedule trigger's schedule.
    #[derive(ToSchema)]
    pub struct Schedule {
        /// The schedule in words.
        pub description: String,
        /// The next time it fires; `null` when it never fires again.
        #[schema(required = true)]
        pub next_at: Option<DateTime<Utc>>,
    }

    /// A flow, without its document.
    #[derive(ToSchema)]
    pub struct FlowSummary {
        /// Stable, unguessable id (used in the webhook URLs).
        pub id: String,
        /// Display name (from the draft).
        pub name: String,
        /// Folder; `null` when in none.
        #[schema(required = true)]
        pub folder: Option<String>,
        /// Whether webhooks and schedules start runs of the published version.
        pub enabled: bool,
        /// The latest published version; `null` before the first publish.
        #[schema(required = true)]
        pub published_version: Option<i64>,
        /// Whether the draft differs from the published version.
        pub draft_changed: bool,
        /// When it was created.
        pub created_at: DateTime<Utc>,
        /// When the draft last changed.
        pub updated_at: DateTime<Utc>,
        /// The webhook URLs.
        pub webhook_urls: WebhookUrls,
        /// Where to paste the webhook URL (and secret) in the sending system, for triggers that
        /// say (the call platforms).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub setup_hint: Option<String>,
        /// Present only for flows whose draft has a valid `schedule` trigger.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub schedule: Option<Schedule>,
    }

    /// A flow with its draft document and every validation problem of the draft.
    #[derive(ToSchema)]
    pub struct Flow {
        /// The flow.
        #[serde(flatten)]
        pub summary: FlowSummary,
        /// The draft document.
        pub document: FlowDocument,
        /// Every problem of the draft (a draft may be incomplete; publishing requires none).
        pub problems: Vec<Problem>,
    }

    /// A flow just imported: the flow, its problems and what the conversion did.
    #[derive(ToSchema)]
    pub struct ImportedFlow {
        /// The flow with its draft and problems.
        #[serde(flatten)]
        pub flow: Flow,
        /// What the import did (for our own format: `source` `switchboard` and no items).
        pub import: ImportSummary,
    }

    /// The import report.
    #[derive(ToSchema)]
    pub struct ImportSummary {
        /// The format the file was read as: `switchboard`, `n8n` or `activepieces`.
        pub source: String,
        /// "5 mapped, 1 approximated, 1 unsupported".
        pub summary: String,
        /// Source nodes converted with the same behaviour.
        pub mapped: usize,
        /// Source nodes converted with a difference to check (see their notes).
        pub approximated: usize,
        /// Source nodes kept as disabled placeholder steps.
        pub unsupported: usize,
        /// One item per source node, in the source's order.
        pub items: Vec<ImportItem>,
        /// Notes about the flow as a whole.
        pub notes: Vec<String>,
    }

    /// One source node and what became of it.
    #[derive(ToSchema)]
    pub struct ImportItem {
        /// The node's name in the source.
        pub source: String,
        /// The node's type in the source (`n8n-nodes-base.slack`).
        pub source_type: String,
        /// The step (or trigger) id it became.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub step: Option<String>,
        /// `mapped`, `approximated` or `unsupported`.
        pub outcome: String,
        /// What differs, what to check, or why it was not converted.
        pub notes: Vec<String>,
    }

    /// A flow with its draft document.
    #[derive(ToSchema)]
    pub struct FlowWithDraft {
        /// The flow.
        #[serde(flatten)]
        pub summary: FlowSummary,
        /// The draft document.
        pub document: FlowDocument,
    }

    /// Flows matching the filters, by name.
    #[derive(ToSchema)]
    pub struct FlowList {
        /// The flows.
        pub flows: Vec<FlowListItem>,
    }

    /// A flow in the list: its summary and its latest run.
    #[derive(ToSchema)]
    pub struct FlowListItem {
        /// The flow.
        #[serde(flatten)]
        pub summary: FlowSummary,
        /// Its latest run; `null` when it never ran.
        #[schema(required = true)]
        pub last_run: Option<crate::store::LastRun>,
    }

    /// A version just published.
    #[derive(ToSchema)]
    pub struct Published {
        /// The flow.
        pub flow_id: String,
        /// The new version number (1, 2, 3 …).
        pub version: i64,
        /// When it was published.
        pub created_at: DateTime<Utc>,
    }

    /// A published version, without its document.
    #[derive(ToSchema)]
    pub struct VersionSummary {
        /// The version number.
        pub version: i64,
        /// When it was published.
        pub created_at: DateTime<Utc>,
        /// The flow's name in that version; `null` if the document has none.
        #[schema(required = true)]
        pub name: Option<String>,
    }

    /// A flow's published versions.
    #[derive(ToSchema)]
    pub struct VersionList {
        /// The versions.
        pub versions: Vec<VersionSummary>,
    }

    /// A published, immutable version of a flow.
    #[derive(ToSchema)]
    pub struct FlowVersion {
        /// The flow.
        pub flow_id: String,
        /// The version number.
        pub version: i64,
        /// When it was published.
        pub created_at: DateTime<Utc>,
        /// The document as published.
        pub document: FlowDocument,
    }

    /// Sample data for the editor's data picker.
    #[derive(ToSchema)]
    pub struct Samples {
        /// Each step's output from the latest test run, by step id.
        #[schema(additional_properties = true)]
        pub samples: BTreeMap<String, Value>,
    }

    /// The webhook deliveries a flow's trigger refused, newest first.
    #[derive(ToSchema)]
    pub struct Rejections {
        /// The refusals.
        pub rejections: Vec<crate::store::RejectionRow>,
    }

    // ---- runs ----

    /// Where a run stands.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RunStatus {
        /// Every reached step finished.
        Succeeded,
        /// A step failed the run, a `stop` step failed it, or it timed out.
        Failed,
        /// Waiting on a `delay` or `wait` step; see `pauses`.
        Paused,
        /// Being executed.
        Running,
        /// Stored, not yet claimed by a worker.
        Queued,
        /// Cancelled by a user.
        Cancelled,
    }

    /// Where a step stands.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum StepStatus {
        /// Produced its output.
        Succeeded,
        /// Failed after its attempts.
        Failed,
        /// Not run: no active path reached it, or it is disabled.
        Skipped,
        /// A `delay` or `wait` that has not resumed yet.
        Paused,
    }

    /// Why a run failed.
    #[derive(ToSchema)]
    pub struct RunError {
        /// The step that failed the run, when one did.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub step: Option<String>,
        /// What happened.
        pub message: String,
    }

    /// A run, as listed.
    #[derive(ToSchema)]
    pub struct RunSummary {
        /// Run id.
        pub run_id: String,
        /// Flow id.
        pub flow_id: String,
        /// The version it runs; `null` for a test run of the draft.
        #[schema(required = true)]
        pub version: Option<i64>,
        /// Whether it is a test run of the draft.
        pub test: bool,
        /// Where it stands.
        pub status: RunStatus,
        /// Why it failed; `null` unless it failed.
        #[schema(required = true)]
        pub error: Option<RunError>,
        /// When it was received.
        pub created_at: DateTime<Utc>,
        /// When its latest execution started; `null` before the first.
        #[schema(required = true)]
        pub started_at: Option<DateTime<Utc>>,
        /// When it finished; `null` until it has.
        #[schema(required = true)]
        pub finished_at: Option<DateTime<Utc>>,
        /// Duration of its latest execution in milliseconds; `null` before the first.
        #[schema(required = true)]
        pub duration_ms: Option<f64>,
    }

    /// A page of runs, newest first.
    #[derive(ToSchema)]
    pub struct RunList {
        /// The runs.
        pub runs: Vec<RunSummary>,
        /// Pass as `cursor` to get the next page; `null` on the last page.
        #[schema(required = true)]
        pub next_cursor: Option<String>,
    }

    /// The class of a step failure.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ErrorKind {
        /// Connecting, sending or receiving failed before a response arrived.
        Network,
        /// The step ran out of time.
        Timeout,
        /// The remote service answered with an HTTP error status (see `status`).
        Http,
        /// An expression or template failed to evaluate.
        Expression,
        /// The step's resolved input is not acceptable.
        InvalidInput,
        /// The step's connection is missing, of the wrong piece, or unusable.
        Connection,
        /// The host does not offer what the step needs.
        Unsupported,
        /// A `stop` step, a cancellation or the run timeout ended the run.
        Cancelled,
        /// Anything else.
        Other,
    }

    /// Where in an expression an evaluation failed.
    #[derive(ToSchema)]
    pub struct ExpressionFailure {
        /// The expression's source text.
        pub expression: String,
        /// 1-based line within the expression, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub line: Option<u64>,
        /// 1-based column within the expression, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub column: Option<u64>,
    }

    /// Why a step failed (secrets redacted).
    #[derive(ToSchema)]
    pub struct StepError {
        /// The class of failure.
        pub kind: ErrorKind,
        /// What happened, in plain words.
        pub message: String,
        /// The HTTP status, for `http` failures.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub status: Option<u16>,
        /// How long the service asked to wait before trying again, in milliseconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub retry_after: Option<u64>,
        /// For expression failures: the expression and the position.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub expression: Option<ExpressionFailure>,
        /// Extra context, e.g. the vendor's error body.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub details: Option<Value>,
    }

    /// Why a step is paused.
    #[derive(ToSchema)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum Pause {
        /// A `delay` step: it resumes at `wake_at`.
        Delay {
            /// When it resumes.
            wake_at: DateTime<Utc>,
        },
        /// A `wait` step: it resumes when its resume URL (`/hooks/resume/{resume_token}`) is
        /// posted to, or at `timeout_at`.
        Wait {
            /// The token of the step's resume URL.
            resume_token: String,
            /// When the wait gives up, if it has a timeout.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            timeout_at: Option<DateTime<Utc>>,
        },
    }

    /// A paused step.
    #[derive(ToSchema)]
    pub struct PausedStep {
        /// The step's path (`approval`, or `each_lead[3].approval`).
        pub step: String,
        /// Why and until when.
        #[serde(flatten)]
        pub pause: Pause,
    }

    /// What a step did.
    #[derive(ToSchema)]
    pub struct StepRecord {
        /// Where it stands.
        pub status: StepStatus,
        /// Attempts made (0 for skipped steps).
        pub attempts: u32,
        /// When its first attempt started.
        pub started_at: DateTime<Utc>,
        /// Time spent, retries and backoff included, in milliseconds.
        pub duration_ms: f64,
        /// The resolved input (rendered props), secrets redacted.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub input: Option<Value>,
        /// The output, secrets redacted.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub output: Option<Value>,
        /// Why it failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub error: Option<StepError>,
        /// Why it was skipped (`disabled`, `not reached`, `run stopped`).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub reason: Option<String>,
        /// For loops: each iteration's step records by step id, in item order.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false, no_recursion)]
        pub iterations: Option<Vec<BTreeMap<String, StepRecord>>>,
        /// For paused steps: why and until when.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub pause: Option<Pause>,
    }

    /// The HTTP response a `respond` step set.
    #[derive(ToSchema)]
    pub struct RespondStepResponse {
        /// HTTP status.
        pub status: u16,
        /// Headers.
        pub headers: BTreeMap<String, String>,
        /// Body.
        pub body: Value,
    }

    /// The run record: the run with each top-level step's record.
    #[derive(ToSchema)]
    pub struct RunRecord {
        /// The run.
        #[serde(flatten)]
        pub summary: RunSummary,
        /// Each top-level step's record by step id, the trigger's included (its output is the
        /// trigger event); loop bodies are inside their loop's `iterations`.
        pub steps: BTreeMap<String, StepRecord>,
        /// The response a `respond` step set; `null` if none did.
        #[schema(required = true)]
        pub response: Option<RespondStepResponse>,
        /// The flow's output: the `respond` body if one ran, else the output of the last step
        /// that succeeded; `null` until the run ends.
        #[schema(required = true)]
        pub output: Option<Value>,
        /// Where the run waits, when `paused`.
        pub pauses: Vec<PausedStep>,
    }

    /// Always `queued`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum QueuedStatus {
        /// Queued again.
        Queued,
    }

    /// Always `cancelled`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum CancelledStatus {
        /// Cancelled.
        Cancelled,
    }

    /// Always `running`.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RunningStatus {
        /// Still running.
        Running,
    }

    /// The run is queued again.
    #[derive(ToSchema)]
    pub struct RetryAccepted {
        /// The run (a retry keeps its id).
        pub run_id: String,
        // Always `queued`.
        #[schema(inline)]
        pub status: QueuedStatus,
    }

    /// The run is cancelled.
    #[derive(ToSchema)]
    pub struct CancelAccepted {
        /// The run.
        pub run_id: String,
        // Always `cancelled`.
        #[schema(inline)]
        pub status: CancelledStatus,
    }

    // ---- pieces ----

    /// How a piece's connections authenticate.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AuthKind {
        /// No credentials.
        None,
        /// An API key in a header or the query.
        ApiKey,
        /// A bearer token.
        Bearer,
        /// HTTP basic auth.
        Basic,
        /// OAuth2.
        Oauth2,
        /// Piece-specific fields.
        Custom,
    }

    /// The kinds of props a form can ask for.
    #[derive(ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum PropKind {
        /// One line of text.
        ShortText,
        /// Several lines of text.
        LongText,
        /// A number.
        Number,
        /// A checkbox.
        Boolean,
        /// One of fixed options.
        Select,
        /// One of options fetched through the piece's API.
        DynamicSelect,
        /// Several of fixed options.
        MultiSelect,
        /// Any JSON value.
        Json,
        /// An object of string keys to values.
        KeyValue,
        /// A list of values.
        Array,
        /// A date-time (RFC 3339).
        DateTime,
        /// A file (URL or base64 content).
        File,
    }

    /// One option of a select prop.
    #[derive(ToSchema)]
    pub struct SelectOption {
        /// What the form shows.
        pub label: String,
        /// What the prop gets.
        pub value: Value,
    }

    /// One prop of an action or trigger.
    #[derive(ToSchema)]
    pub struct PropMeta {
        /// The key in `props`.
        pub name: String,
        /// The form label.
        pub label: String,
        /// The input kind.
        pub kind: PropKind,
        /// Whether a flow must set it.
        pub required: bool,
        /// Help text under the field.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub help: Option<String>,
        /// The value used when the prop is absent.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub default: Option<Value>,
        /// An example value.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub example: Option<Value>,
        /// A credential: its value is redacted from run records. Present only when `true`.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pub secret: bool,
        /// Options of a `select` / `multi_select` prop; absent when none.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub options: Vec<SelectOption>,
        /// For a `dynamic_select`: where its options come from (fetch them with
        /// `POST /api/v1/pieces/{piece}/options`).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub options_from: Option<OptionsFrom>,
        /// For a `json` prop holding one of several objects told apart by `type`: each shape and
        /// its fields (omitted when empty).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub variants: Vec<PropVariant>,
    }

    /// One shape of a `variants` prop: `{"type": value, <fields>…}`.
    #[derive(ToSchema)]
    pub struct PropVariant {
        /// The value of the object's `type` field.
        pub value: String,
        /// What the form shows for it.
        pub label: String,
        /// The object's other fields.
        #[schema(no_recursion)]
        pub fields: Vec<PropMeta>,
    }

    /// Where a dynamic select's options come from.
    #[derive(ToSchema)]
    pub struct OptionsFrom {
        /// The listing action of the same piece.
        pub action: String,
        /// Path of each option's value within an item of its output.
        pub value: String,
        /// Path of each option's label (defaults to the value).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub label: Option<String>,
        /// Props of the step the options depend on; absent when none.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub depends_on: Vec<String>,
    }

    /// A piece's OAuth2 set-up, as the editor needs it.
    #[derive(ToSchema)]
    pub struct OAuth2Meta {
        /// `authorization_code` or `client_credentials`.
        pub grant: String,
        /// Scopes requested.
        pub scopes: Vec<String>,
    }

    /// One action of a piece.
    #[derive(ToSchema)]
    pub struct ActionMeta {
        /// The key used in flows (`"action": "send_message"`).
        pub name: String,
        /// What the picker shows.
        pub label: String,
        /// One sentence on what it does.
        pub description: String,
        /// Its props, in form order.
        pub props: Vec<PropMeta>,
        /// Whether props not declared above are accepted.
        pub extra_props: bool,
        /// What a successful run typically returns.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub sample_output: Option<Value>,
        /// Hidden from the action picker (fills dynamic selects). Present only when `true`.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pub internal: bool,
    }

    /// One trigger of a piece.
    #[derive(ToSchema)]
    pub struct TriggerMeta {
        /// The key used in flows (`"trigger": "catch"`).
        pub name: String,
        /// What the picker shows.
        pub label: String,
        /// One sentence on what starts it.
        pub description: String,
        /// Its props.
        pub props: Vec<PropMeta>,
        /// An example of the trigger's output.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub sample_output: Option<Value>,
        /// Sample deliveries, one per event the sender sends (call platforms). Absent when none.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub samples: Vec<TriggerSample>,
        /// Where to paste the flow's webhook URL (and secret) in the sending system.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub setup: Option<String>,
        /// The sender waits for the flow's answer (mid-call tools): give it the `/sync` URL.
        /// Present only when `true`.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pub answers: bool,
        /// The prop whose value the webhook URL carries as `?token=`.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub url_token: Option<String>,
    }

    /// One sample delivery of a trigger.
    #[derive(ToSchema)]
    pub struct TriggerSample {
        /// The event it stands for (`end-of-call-report`).
        pub event: String,
        /// What the editor shows.
        pub label: String,
        /// The body as the sender posts it (a form's fields as an object of strings).
        pub payload: Value,
        /// The body's content type.
        pub content_type: String,
        /// The trigger's output for it: `trigger` in the flow's expressions.
        pub output: Value,
    }

    /// Everything the editor and the validator know about a piece.
    #[derive(ToSchema)]
    pub struct Piece {
        /// The key used in flows (`"piece": "slack"`).
        pub id: String,
        /// Display name.
        pub name: String,
        /// One sentence.
        pub description: String,
        /// Picker category (`Communication`, `CRM`, `Core`…).
        pub category: String,
        /// Icon (a URL path or an inline SVG data URL).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub icon: Option<String>,
        /// How its connections authenticate.
        pub auth: AuthKind,
        /// What the connection form asks for; absent when nothing.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub auth_fields: Vec<PropMeta>,
        /// Help shown above the connection form.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub auth_help: Option<String>,
        /// For OAuth2 pieces: the grant and scopes.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub oauth2: Option<OAuth2Meta>,
        /// Where the vendor documents its API.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub docs_url: Option<String>,
        /// Its actions.
        pub actions: Vec<ActionMeta>,
        /// Its triggers.
        pub triggers: Vec<TriggerMeta>,
    }

    /// The pieces catalog.
    #[derive(ToSchema)]
    pub struct PieceList {
        /// Every registered piece.
        pub pieces: Vec<Piece>,
    }

    // ---- webhooks ----

    /// The event is stored and its run queued.
    #[derive(ToSchema)]
    pub struct WebhookAccepted {
        /// The queued run.
        pub run_id: String,
    }

    /// A delivery whose idempotency key (`Idempotency-Key` header, or the trigger's
    /// `dedupe_key`) was seen before: no new run was started.
    #[derive(ToSchema)]
    pub struct DuplicateDelivery {
        /// The first delivery's run.
        pub run_id: String,
        /// Always `true`.
        pub duplicate: bool,
        /// Sync and test hooks only, when the first run is stored: where it stands.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub status: Option<RunStatus>,
        /// Sync and test hooks only, with `status`: the first run's output (`null` until it ends).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub output: Option<Value>,
    }

    /// The trigger ignored the request (e.g. the flow's trigger does not take requests): 200,
    /// and no run.
    #[derive(ToSchema)]
    pub struct WebhookIgnored {
        /// Always `true`.
        pub ignored: bool,
    }

    /// `POST /hooks/{flow_id}`: a duplicate, or an ignored request.
    #[derive(ToSchema)]
    #[serde(untagged)]
    pub enum AsyncHookOk {
        /// A duplicate delivery.
        Duplicate(DuplicateDelivery),
        /// An ignored request.
        Ignored(WebhookIgnored),
    }

    /// A synchronous run's result, when no `respond` step answered.
    #[derive(ToSchema)]
    pub struct SyncRunResult {
        /// The run.
        pub run_id: String,
        /// Where it stands: `succeeded` (200), `paused` (202), `failed` or `cancelled` (500).
        pub status: RunStatus,
        /// The flow's output; `null` if it has none.
        #[schema(required = true)]
        pub output: Option<Value>,
        /// Why it failed; `null` unless it failed.
        #[schema(required = true)]
        pub error: Option<RunError>,
    }

    /// `POST /hooks/{flow_id}/sync` with status 200, when no `respond` step answered.
    #[derive(ToSchema)]
    #[serde(untagged)]
    pub enum SyncHookOk {
        /// The run ended.
        Ended(SyncRunResult),
        /// A duplicate delivery.
        Duplicate(DuplicateDelivery),
        /// An ignored request.
        Ignored(WebhookIgnored),
    }

    /// `POST /hooks/{flow_id}/test` with status 200.
    #[derive(ToSchema)]
    #[serde(untagged)]
    pub enum TestHookOk {
        /// The test run ended (or paused): its record.
        Record(RunRecord),
        /// A duplicate delivery.
        Duplicate(DuplicateDelivery),
        /// An ignored request.
        Ignored(WebhookIgnored),
    }

    /// The test run did not end in time to read its record back.
    #[derive(ToSchema)]
    pub struct StillRunning {
        /// The run: read it with `GET /api/v1/runs/{id}`.
        pub run_id: String,
        // Always `running`.
        #[schema(inline)]
        pub status: RunningStatus,
    }

    /// The paused run will resume.
    #[derive(ToSchema)]
    pub struct Resumed {
        /// The run that resumes.
        pub run_id: String,
        /// Always `true`.
        pub resumed: bool,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_schema_is_embedded_and_every_ref_resolves() {
        let doc = document();
        let flow = doc.pointer("/components/schemas/FlowDocument");
        assert!(flow.and_then(|f| f.get("properties")).is_some(), "FlowDocument: {flow:?}");
        let mut refs = Vec::new();
        collect_refs(doc, &mut refs);
        assert!(refs.iter().any(|r| r.starts_with("#/components/schemas/FlowDocument")));
        for r in refs {
            let pointer = r.strip_prefix('#').unwrap_or("not a local ref");
            assert!(doc.pointer(pointer).is_some(), "unresolved $ref {r}");
        }
    }

    #[test]
    fn a_defs_name_that_collides_is_an_error() {
        let mut doc = serde_json::json!({ "components": { "schemas": { "FlowDocumentX": {} } } });
        let schema = r##"{ "type": "object", "$defs": { "X": { "$ref": "#/$defs/X" } } }"##;
        assert!(embed_flow_schema(&mut doc, schema).is_err());
        let mut doc = serde_json::json!({ "components": { "schemas": {} } });
        assert!(embed_flow_schema(&mut doc, schema).is_ok());
        assert_eq!(
            doc.pointer("/components/schemas/FlowDocumentX/$ref"),
            Some(&Value::from("#/components/schemas/FlowDocumentX"))
        );
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if k == "$ref" => out.push(s.clone()),
                        other => collect_refs(other, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
