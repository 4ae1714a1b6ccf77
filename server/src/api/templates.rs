//! The templates gallery: `GET /api/v1/templates` (filter by segment, piece, words),
//! `GET /api/v1/templates/{id}` (with its flow), and `POST /api/v1/templates/{id}/use`, which
//! makes a draft flow from it with the user's connections in its steps.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;
use crate::templates::{self, Template};

/// Filters of the gallery.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Only templates for this segment (`sales`, `recruiting`, `lead_gen`, `market_research`,
    /// `multi_location`, `mid_call`, `operations`).
    segment: Option<String>,
    /// Only templates using this piece (`hubspot`).
    piece: Option<String>,
    /// Only templates whose name, description or tags contain this (case-insensitive).
    search: Option<String>,
}

fn summary(t: &Template) -> Value {
    json!({
        "id": t.id, "name": t.file.name, "description": t.file.description,
        "segments": t.file.segments, "tags": t.file.tags, "pieces": t.pieces,
        "connections": t.file.connections,
    })
}

fn find(id: &str) -> Result<&'static Template, ApiError> {
    templates::all()
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("template_not_found", format!("no template `{id}`")))
}

/// Lists the templates.
#[utoipa::path(
    get,
    path = "/api/v1/templates",
    tag = "templates",
    operation_id = "listTemplates",
    summary = "List templates",
    description = "The ready-made flows, by id, without their documents, optionally filtered.",
    params(TemplateQuery),
    responses(
        (status = 200, description = "The templates and the segments there are.", body = doc::TemplateList),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn list(Query(q): Query<TemplateQuery>) -> Json<Value> {
    let words = q.search.as_deref().map(str::to_lowercase).filter(|w| !w.trim().is_empty());
    let list: Vec<Value> = templates::all()
        .iter()
        .filter(|t| q.segment.as_ref().is_none_or(|s| t.file.segments.contains(s)))
        .filter(|t| q.piece.as_ref().is_none_or(|p| t.pieces.contains(p)))
        .filter(|t| {
            words.as_ref().is_none_or(|w| {
                let text =
                    format!("{} {} {}", t.file.name, t.file.description, t.file.tags.join(" "));
                text.to_lowercase().contains(w.trim())
            })
        })
        .map(summary)
        .collect();
    Json(json!({ "templates": list, "segments": templates::SEGMENTS }))
}

/// One template with its flow.
#[utoipa::path(
    get,
    path = "/api/v1/templates/{id}",
    tag = "templates",
    operation_id = "getTemplate",
    summary = "Get a template",
    description = "The template with its flow document and the sample it is tested with, for the \
        gallery's preview.",
    params(("id" = String, Path, description = "The template's id.")),
    responses(
        (status = 200, description = "The template.", body = doc::TemplateDetail),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`template_not_found`.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn get(Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let t = find(&id)?;
    let mut v = summary(t);
    v["flow"] = t.file.flow.clone();
    v["sample"] = json!(t.file.sample);
    v["sample_trigger"] = json!(t.file.sample_trigger);
    Ok(Json(v))
}

/// What to make the draft with.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UseTemplate {
    /// The new flow's name (the template's flow name by default).
    #[serde(default)]
    name: Option<String>,
    /// The folder to put it in.
    #[serde(default)]
    folder: Option<String>,
    /// For each connection the template needs (by its `name`), the user's connection (name or
    /// id). Missing ones stay as the template names them and show up as problems to fix.
    #[serde(default)]
    connections: BTreeMap<String, String>,
}

/// Makes a draft flow from a template.
#[utoipa::path(
    post,
    path = "/api/v1/templates/{id}/use",
    tag = "templates",
    operation_id = "useTemplate",
    summary = "Use a template",
    description = "Creates a draft flow from the template, its steps using the connections given \
        for the ones it needs. The answer is the new flow with its problems (e.g. a connection \
        not chosen yet, a secret to set) and `missing_connections`.",
    params(("id" = String, Path, description = "The template's id.")),
    request_body(content = UseTemplate, content_type = "application/json", description = "Optional."),
    responses(
        (status = 201, description = "The new draft flow.", body = doc::Flow),
        (status = 400, description = "`malformed_json`, or `unknown_connection`: a key is not a connection the template needs.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`template_not_found`.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn use_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let t = find(&id)?;
    let body = json_body::bytes(body)?;
    let req: UseTemplate =
        if body.is_empty() { UseTemplate::default() } else { json_body::parse(&body)? };
    let needed: Vec<&str> = t.file.connections.iter().map(|c| c.name.as_str()).collect();
    if let Some(unknown) = req.connections.keys().find(|k| !needed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(
            "unknown_connection",
            format!(
                "the template needs no connection `{unknown}` (it needs: {})",
                needed.join(", ")
            ),
        ));
    }
    let mut flow = templates::instantiate(t, &req.connections);
    if let Some(name) = req.name.filter(|n| !n.trim().is_empty()) {
        flow["name"] = Value::String(name);
    }
    let text = flow.to_string();
    let (parsed, document) = super::flows::parse_document(text.as_bytes())?;
    let problems = super::flows::problems(&state, &parsed);
    let flow_id = super::flows::new_flow_id();
    let row = state.runtime.store().create_flow(&flow_id, &document, req.folder.as_deref()).await?;
    // The template's sample becomes the flow's trigger sample: the data picker shows its fields
    // and the first test can use it, before any real delivery arrived.
    if let Some(sample) = template_trigger_sample(&state, t, &document) {
        let samples = BTreeMap::from([(parsed.trigger.id.clone(), sample)]);
        state.runtime.store().save_samples(&flow_id, &samples).await?;
    }
    let mut v = super::flows::view(&state, &row, Some(problems));
    let missing: Vec<&str> =
        needed.into_iter().filter(|n| !req.connections.contains_key(*n)).collect();
    v["missing_connections"] = json!(missing);
    v["template"] = json!(t.id);
    Ok((StatusCode::CREATED, Json(v)))
}

/// The trigger value a template is tested with: its `sample_trigger`, or the trigger output of the
/// platform sample event it names.
fn template_trigger_sample(state: &AppState, t: &Template, draft: &Value) -> Option<Value> {
    if let Some(value) = &t.file.sample_trigger {
        return Some(value.clone());
    }
    let event = t.file.sample.as_deref()?;
    let meta = super::flows::trigger_meta(state, draft)?;
    meta.samples.iter().find(|s| s.event == event).map(|s| s.output.clone())
}
