//! Flows: create, list, read, update the draft, delete, publish versions, enable, export, import.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use switchboard_engine::{Flow, Problem, import};

use super::json_body;
use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;
use crate::schedule::ScheduleSpec;
use crate::store::{FlowQuery, FlowRow};

/// `?folder=` on create and update.
#[derive(Debug, Default, Deserialize)]
pub struct FolderParam {
    folder: Option<String>,
}

/// Parses a flow document from the body: structure errors (syntax, unknown fields, wrong types) are
/// a 422 with the JSON path and line/column; the graph and pieces are checked separately.
pub(super) fn parse_document(body: &[u8]) -> Result<(Flow, Value), ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("malformed_json", "the body is not UTF-8"))?;
    let flow = switchboard_engine::parse_flow(text).map_err(|e| {
        let mut message = e.message.clone();
        if let (Some(l), Some(c)) = (e.line, e.column) {
            message.push_str(&format!(" (line {l}, column {c})"));
        }
        ApiError::invalid_flow(vec![Problem::new(e.path, message)])
    })?;
    let value = serde_json::to_value(&flow)
        .map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))?;
    Ok((flow, value))
}

/// Every problem with a flow: the engine's validation plus what only the server checks (schedule
/// triggers: cron syntax, time zone, interval).
pub(super) fn problems(state: &AppState, flow: &Flow) -> Vec<Problem> {
    let mut problems = state.runtime.engine().validate(flow);
    if flow.trigger.piece == "schedule"
        && let Err(e) = ScheduleSpec::from_trigger(&flow.trigger.trigger, &flow.trigger.props)
    {
        problems.push(Problem::new(e.path(), e.to_string()));
    }
    problems
}

/// For schedule triggers: the schedule in words and its next fire time.
fn schedule_view(draft: &Value) -> Option<Value> {
    let trigger = draft.get("trigger")?;
    if trigger.get("piece")?.as_str()? != "schedule" {
        return None;
    }
    let props = trigger.get("props").and_then(Value::as_object).cloned().unwrap_or_default();
    let spec = ScheduleSpec::from_trigger(trigger.get("trigger")?.as_str()?, &props).ok()?;
    let now = chrono::Utc::now();
    Some(json!({ "description": spec.describe(), "next_at": spec.anchored(now).next_after(now) }))
}

/// The catalog entry of a draft's trigger (`trigger.piece` / `trigger.trigger`), if known.
pub(super) fn trigger_meta<'a>(
    state: &'a AppState,
    draft: &Value,
) -> Option<&'a switchboard_engine::piece::TriggerMeta> {
    let text = |key: &str| draft.get("trigger")?.get(key)?.as_str();
    state.runtime.engine().registry().get(text("piece")?)?.meta().trigger(text("trigger")?)
}

/// The URL to paste into the sending system (the sync URL when the sender waits for the flow's
/// answer; with `?token=` when the trigger checks a URL token) and where to paste it.
fn sender_setup(state: &AppState, draft: &Value, base: &str, id: &str) -> (String, Option<String>) {
    let Some(meta) = trigger_meta(state, draft) else {
        return (format!("{base}/hooks/{id}"), None);
    };
    let trigger = draft.get("trigger");
    let mut url = format!("{base}/hooks/{id}{}", if meta.answers { "/sync" } else { "" });
    let token = meta.url_token.as_deref().and_then(|prop| {
        trigger?.get("props")?.get(prop)?.as_str().map(str::trim).filter(|t| !t.is_empty())
    });
    if let Some(token) = token {
        url.push_str("?token=");
        url.push_str(&url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>());
    }
    (url, meta.setup.clone())
}

pub(super) fn view(state: &AppState, row: &FlowRow, problems: Option<Vec<Problem>>) -> Value {
    let base = state.settings.public_url.trim_end_matches('/');
    let mut v = json!({
        "id": row.id,
        "name": row.name,
        "folder": row.folder,
        "enabled": row.enabled,
        "published_version": row.published_version,
        "draft_changed": row.draft_changed,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "document": row.draft,
        "webhook_urls": {
            "async": format!("{base}/hooks/{}", row.id),
            "sync": format!("{base}/hooks/{}/sync", row.id),
            "test": format!("{base}/hooks/{}/test", row.id),
        },
    });
    let (platform_url, hint) = sender_setup(state, &row.draft, base, &row.id);
    v["webhook_urls"]["platform"] = json!(platform_url);
    if let Some(hint) = hint {
        v["setup_hint"] = json!(hint);
    }
    if let Some(p) = problems {
        v["problems"] = json!(p);
    }
    if let Some(schedule) = schedule_view(&row.draft) {
        v["schedule"] = schedule;
    }
    v
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("flow_not_found", format!("no flow with id `{id}`"))
}

/// `POST /api/v1/flows`: the body is the flow document. 201 with the flow (and any validation
/// problems: a draft may be incomplete; publishing requires none).
#[utoipa::path(
    post,
    path = "/api/v1/flows",
    tag = "flows",
    operation_id = "createFlow",
    summary = "Create a flow",
    description = "Creates a flow whose draft is the body. The draft may be incomplete: its \
        validation problems are listed in `problems`, and publishing requires none.",
    params(("folder" = Option<String>, Query, description = "Put the flow in this folder.")),
    request_body(
        content = doc::FlowDocument,
        content_type = "application/json",
        description = "The flow document. A document that does not parse (syntax, unknown fields, \
            wrong types) is a 422; graph and piece problems do not fail the request and are \
            listed in the response's `problems`.",
    ),
    responses(
        (status = 201, description = "The new flow, with its draft's validation problems.", body = doc::Flow),
        (status = 400, description = "`malformed_json`: the body is not UTF-8; or `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 422, description = "`invalid_flow`: the body is not a flow document; `path` and `problems` give the JSON path, the message the line and column.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    Query(q): Query<FolderParam>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_body::bytes(body)?;
    let (flow, document) = parse_document(&body)?;
    let problems = problems(&state, &flow);
    let id = new_flow_id();
    let row = state.runtime.store().create_flow(&id, &document, q.folder.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &row, Some(problems)))))
}

/// `POST /api/v1/flows/validate`: the problems of a document, without saving it.
#[utoipa::path(
    post,
    path = "/api/v1/flows/validate",
    tag = "flows",
    operation_id = "validateFlow",
    summary = "Validate a document",
    description = "The validation problems of the body, a flow document, as publishing would         report them; nothing is stored. Each problem names its JSON path and, when the path         points into a step or the trigger, that node's id (`step`).",
    request_body(content = doc::FlowDocument, content_type = "application/json"),
    responses(
        (status = 200, description = "The problems (empty: the document can be published).", body = doc::Problems),
        (status = 400, description = "`malformed_json`: the body is not UTF-8; or `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 422, description = "`invalid_flow`: the body is not a flow document; `path` and `problems` give the JSON path, the message the line and column.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn validate(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body::bytes(body)?;
    let (flow, _) = parse_document(&body)?;
    Ok(Json(json!({ "problems": problems(&state, &flow) })))
}

/// Short, URL-safe, unguessable flow ids (webhook URLs are public).
pub(crate) fn new_flow_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `GET /api/v1/flows?search=&folder=`.
#[utoipa::path(
    get,
    path = "/api/v1/flows",
    tag = "flows",
    operation_id = "listFlows",
    summary = "List flows",
    description = "Flows by name, without their documents, optionally filtered.",
    params(
        ("search" = Option<String>, Query, description = "Only flows whose name contains this (case-insensitive)."),
        ("folder" = Option<String>, Query, description = "Only flows in this folder (exact)."),
    ),
    responses(
        (status = 200, description = "The flows.", body = doc::FlowList),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<FlowQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = state.runtime.store().list_flows(&q).await?;
    let mut last_runs = state.runtime.store().last_runs().await?;
    let flows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = view(&state, r, None);
            if let Some(o) = v.as_object_mut() {
                o.remove("document");
                o.insert("last_run".into(), json!(last_runs.remove(&r.id)));
            }
            v
        })
        .collect();
    Ok(Json(json!({ "flows": flows })))
}

/// `GET /api/v1/flows/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}",
    tag = "flows",
    operation_id = "getFlow",
    summary = "Get a flow",
    description = "The flow with its draft document and the draft's validation problems.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The flow.", body = doc::Flow),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = state.runtime.store().get_flow(&id).await?.ok_or_else(|| not_found(&id))?;
    let problems = serde_json::from_value::<Flow>(row.draft.clone())
        .map(|f| problems(&state, &f))
        .unwrap_or_else(|e| vec![Problem::new("", e.to_string())]);
    Ok(Json(view(&state, &row, Some(problems))))
}

/// `PUT /api/v1/flows/{id}`: replaces the draft.
#[utoipa::path(
    put,
    path = "/api/v1/flows/{id}",
    tag = "flows",
    operation_id = "updateFlow",
    summary = "Replace a flow's draft",
    description = "Replaces the draft document (published versions do not change) and, with \
        `folder`, moves the flow.",
    params(
        ("id" = String, Path, description = "The flow's id."),
        ("folder" = Option<String>, Query, description = "Move the flow to this folder; empty takes it out of any folder; absent leaves it where it is."),
    ),
    request_body(
        content = doc::FlowDocument,
        content_type = "application/json",
        description = "The flow document. A document that does not parse (syntax, unknown fields, \
            wrong types) is a 422; graph and piece problems do not fail the request and are \
            listed in the response's `problems`.",
    ),
    responses(
        (status = 200, description = "The flow, with its draft's validation problems.", body = doc::Flow),
        (status = 400, description = "`malformed_json`: the body is not UTF-8; or `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 422, description = "`invalid_flow`: the body is not a flow document; `path` and `problems` give the JSON path, the message the line and column.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<FolderParam>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body::bytes(body)?;
    let (flow, document) = parse_document(&body)?;
    let problems = problems(&state, &flow);
    let folder = q.folder.as_deref().map(|f| if f.is_empty() { None } else { Some(f) });
    let row = state
        .runtime
        .store()
        .update_draft(&id, &document, folder)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(view(&state, &row, Some(problems))))
}

/// `DELETE /api/v1/flows/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v1/flows/{id}",
    tag = "flows",
    operation_id = "deleteFlow",
    summary = "Delete a flow",
    description = "Deletes the flow: its webhooks answer 404 from then on.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.runtime.flows().forget(&id);
    if state.runtime.store().delete_flow(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&id))
    }
}

/// `POST /api/v1/flows/{id}/publish`: the draft becomes the next immutable version, if valid.
#[utoipa::path(
    post,
    path = "/api/v1/flows/{id}/publish",
    tag = "flows",
    operation_id = "publishFlow",
    summary = "Publish the draft",
    description = "The draft becomes the next immutable version, if it has no validation \
        problems. An enabled flow's webhooks and schedule use the new version from then on.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 201, description = "The new version.", body = doc::Published),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 422, description = "`invalid_flow`: the draft has problems, all of them in `problems`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let row = state.runtime.store().get_flow(&id).await?.ok_or_else(|| not_found(&id))?;
    let flow: Flow = serde_json::from_value(row.draft.clone())
        .map_err(|e| ApiError::invalid_flow(vec![Problem::new("", e.to_string())]))?;
    let problems = problems(&state, &flow);
    if !problems.is_empty() {
        return Err(ApiError::invalid_flow(problems));
    }
    let version = state.runtime.store().publish(&id).await?.ok_or_else(|| not_found(&id))?;
    state.runtime.flows().forget(&id);
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "flow_id": id, "version": version.version, "created_at": version.created_at }),
        ),
    ))
}

/// `GET /api/v1/flows/{id}/versions`.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}/versions",
    tag = "flows",
    operation_id = "listFlowVersions",
    summary = "List published versions",
    description = "The flow's published versions, without their documents.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The versions.", body = doc::VersionList),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn versions(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.runtime.store().get_flow(&id).await?.ok_or_else(|| not_found(&id))?;
    let rows = state.runtime.store().list_versions(&id).await?;
    let versions: Vec<Value> = rows.iter().map(|v| json!({ "version": v.version, "created_at": v.created_at, "name": v.document.get("name") })).collect();
    Ok(Json(json!({ "versions": versions })))
}

/// `GET /api/v1/flows/{id}/versions/{version}`.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}/versions/{version}",
    tag = "flows",
    operation_id = "getFlowVersion",
    summary = "Get a published version",
    description = "One published version with its document.",
    params(
        ("id" = String, Path, description = "The flow's id."),
        ("version" = i64, Path, description = "The version number (1, 2, 3 …)."),
    ),
    responses(
        (status = 200, description = "The version.", body = doc::FlowVersion),
        (status = 400, description = "`version` is not an integer.", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`version_not_found`: no such flow, or no such version of it.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    let v = state.runtime.store().get_version(&id, version).await?.ok_or_else(|| {
        ApiError::not_found("version_not_found", format!("flow `{id}` has no version {version}"))
    })?;
    Ok(Json(
        json!({ "flow_id": v.flow_id, "version": v.version, "created_at": v.created_at, "document": v.document }),
    ))
}

async fn set_enabled(state: &AppState, id: &str, enabled: bool) -> Result<Json<Value>, ApiError> {
    let row = state.runtime.store().get_flow(id).await?.ok_or_else(|| not_found(id))?;
    if enabled && row.published_version.is_none() {
        return Err(ApiError::conflict("not_published", "publish the flow before enabling it"));
    }
    let row = state.runtime.store().set_enabled(id, enabled).await?.ok_or_else(|| not_found(id))?;
    state.runtime.flows().forget(id);
    Ok(Json(view(state, &row, None)))
}

/// `POST /api/v1/flows/{id}/enable`.
#[utoipa::path(
    post,
    path = "/api/v1/flows/{id}/enable",
    tag = "flows",
    operation_id = "enableFlow",
    summary = "Enable a flow",
    description = "Webhooks and the schedule start runs of the published version from now on.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The flow.", body = doc::FlowWithDraft),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 409, description = "`not_published`: publish the flow before enabling it.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_enabled(&state, &id, true).await
}

/// `POST /api/v1/flows/{id}/disable`.
#[utoipa::path(
    post,
    path = "/api/v1/flows/{id}/disable",
    tag = "flows",
    operation_id = "disableFlow",
    summary = "Disable a flow",
    description = "Webhooks (other than `/test`) answer 404 and the schedule stops; runs already \
        stored go on.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The flow.", body = doc::FlowWithDraft),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_enabled(&state, &id, false).await
}

/// `GET /api/v1/flows/{id}/export`: the draft document, as a file.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}/export",
    tag = "flows",
    operation_id = "exportFlow",
    summary = "Export the draft",
    description = "The draft document as a download, ready for `POST /api/v1/flows/import`.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The draft document.", body = doc::FlowDocument,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"<slug of the name>.json\"`"))),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let row = state.runtime.store().get_flow(&id).await?.ok_or_else(|| not_found(&id))?;
    let file = format!("attachment; filename=\"{}.json\"", slug(&row.name));
    Ok(([(axum::http::header::CONTENT_DISPOSITION, file)], Json(row.draft)))
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "flow".into() } else { s }
}

/// `POST /api/v1/flows/import`: a flow document (ours as exported, an n8n workflow or an ActivePieces
/// flow/template) becomes a new flow, with a report of what the conversion did.
#[utoipa::path(
    post,
    path = "/api/v1/flows/import",
    tag = "flows",
    operation_id = "importFlow",
    summary = "Import a flow",
    description = "A Switchboard flow document (as exported), an n8n workflow export or an \
        ActivePieces flow, flow version or template export becomes a new flow. n8n and \
        ActivePieces files are converted: the answer's `import` lists every source node as \
        `mapped`, `approximated` or `unsupported`; a node that could not be converted becomes a \
        disabled step that keeps the original, and the whole source file is kept under the \
        document's `ui.import.original`.",
    params(("folder" = Option<String>, Query, description = "Put the flow in this folder.")),
    request_body(
        content = Object,
        content_type = "application/json",
        description = "The file: a flow document, an n8n workflow or an ActivePieces export. A \
            file that is none of these, or one whose required parts are missing, is a 422 naming \
            the JSON path; graph and piece problems do not fail the request and are listed in the \
            response's `problems`.",
    ),
    responses(
        (status = 201, description = "The new flow, with its draft's validation problems and the import report.", body = doc::ImportedFlow),
        (status = 400, description = "`malformed_json`: the body is not UTF-8; or `unreadable_body`.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 413, description = "`body_too_large`: the body is larger than the configured limit.", body = doc::ApiError),
        (status = 422, description = "`invalid_flow`: a Switchboard document that does not parse (`path`, `problems`); `unrecognised_import`: not JSON, or none of the formats; `invalid_import`: an n8n or ActivePieces file missing a required part (`path`).", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn import(
    State(state): State<AppState>,
    Query(q): Query<FolderParam>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_body::bytes(body)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("malformed_json", "the body is not UTF-8"))?;
    let imported = import::import_text(text).map_err(import_error)?;
    let (flow, document) = if imported.format == import::SourceFormat::Switchboard {
        parse_document(&body)?
    } else {
        // A converted document that does not parse is a converter bug; say so rather than store it.
        parse_document(imported.flow.to_string().as_bytes()).map_err(|e| {
            ApiError::unprocessable(
                "invalid_import",
                format!(
                    "the {} file was converted, but the result is not a valid flow: {}",
                    imported.format.label(),
                    e.message()
                ),
            )
        })?
    };
    let problems = problems(&state, &flow);
    let id = new_flow_id();
    let row = state.runtime.store().create_flow(&id, &document, q.folder.as_deref()).await?;
    let mut view = view(&state, &row, Some(problems));
    if let Some(obj) = view.as_object_mut() {
        obj.insert("import".into(), import_view(&imported.report));
    }
    Ok((StatusCode::CREATED, Json(view)))
}

/// The report as the API shows it: the counts, a one-line summary and the items.
fn import_view(report: &import::ImportReport) -> Value {
    json!({
        "source": report.source,
        "summary": report.summary(),
        "mapped": report.count(import::ItemOutcome::Mapped),
        "approximated": report.count(import::ItemOutcome::Approximated),
        "unsupported": report.count(import::ItemOutcome::Unsupported),
        "items": report.items,
        "notes": report.notes,
    })
}

fn import_error(e: import::ImportError) -> ApiError {
    let code = match e {
        import::ImportError::Malformed { .. } => "invalid_import",
        _ => "unrecognised_import",
    };
    let error = ApiError::unprocessable(code, e.to_string());
    match e.path() {
        Some(path) => error.with_path(path),
        None => error,
    }
}

/// `GET /api/v1/flows/{id}/samples`: sample data per step from the last test run.
#[utoipa::path(
    get,
    path = "/api/v1/flows/{id}/samples",
    tag = "flows",
    operation_id = "getFlowSamples",
    summary = "Sample data",
    description = "Each step's output from the flow's latest test run (`POST /hooks/{flow_id}/test`), \
        for the editor's data picker.",
    params(("id" = String, Path, description = "The flow's id.")),
    responses(
        (status = 200, description = "The samples.", body = doc::Samples),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn samples(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.runtime.store().get_flow(&id).await?.ok_or_else(|| not_found(&id))?;
    let samples = state.runtime.store().samples(&id).await?;
    Ok(Json(json!({ "samples": samples })))
}
