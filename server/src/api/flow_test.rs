//! `POST /api/v1/flows/{id}/test`: the editor's "test the flow" button. Runs the draft with a
//! trigger value the user chose — one of the trigger's sample deliveries (a call platform's
//! end-of-call report, tool call, …) or a value of their own — without the trigger's signature
//! check (the user is signed in; the platform is not involved), and answers with the run record.
//! The steps' outputs become the flow's sample data, as with `/hooks/{id}/test`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::json_body;
use super::openapi::schemas as doc;
use crate::app::AppState;
use crate::error::ApiError;
use crate::runtime::{FlowLoadError, StepTestError};
use crate::store::{Enqueued, NewRun};

/// What to run the draft with: exactly one of the two.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    /// The event of one of the trigger's sample deliveries (`GET /api/v1/pieces`,
    /// `triggers[].samples[].event`), e.g. `end-of-call-report`.
    #[serde(default)]
    sample: Option<String>,
    /// The `trigger` value itself.
    #[serde(default)]
    #[schema(value_type = Object)]
    trigger: Option<Value>,
}

/// Runs the draft with a sample or given trigger value and answers with the run record.
#[utoipa::path(
    post,
    path = "/api/v1/flows/{id}/test",
    tag = "flows",
    operation_id = "testFlow",
    summary = "Test-run the draft with a sample",
    description = "Runs the flow's draft with `trigger` set to one of its trigger's sample \
        deliveries (`sample`: the event name) or to the given `trigger` value, skipping the \
        trigger's signature check, waits for the run to end or pause, and answers with the run \
        record. The steps' outputs become the flow's sample data.",
    params(("id" = String, Path, description = "The flow's id.")),
    request_body(content = TestBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The test run ended or paused: its record.", body = doc::RunRecord),
        (status = 202, description = "The run had not ended within the sync timeout: read it with `GET /api/v1/runs/{id}`.", body = doc::StillRunning),
        (status = 400, description = "`malformed_json`, `invalid_test`: neither or both of `sample` and `trigger`, or no sample with that event.", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 422, description = "`flow_invalid`: the draft does not compile.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`, or `not_stored`: nothing was stored; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body: TestBody = json_body::parse(&json_body::bytes(body)?)?;
    let row =
        state.runtime.store().get_flow(&id).await?.ok_or_else(|| {
            ApiError::not_found("flow_not_found", format!("no flow with id `{id}`"))
        })?;
    state.runtime.flows().get(&id, None).await.map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "flow_invalid", e.to_string())
    })?;
    let trigger = match (body.sample, body.trigger) {
        (Some(event), None) => sample_output(&state, &row.draft, &event)?,
        (None, Some(value)) => value,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_test",
                "give either `sample` (a sample event of the trigger) or `trigger` (its value)",
            ));
        }
    };
    let run = NewRun::new(&id, None, trigger);
    let run_id = run.id.clone();
    let waiter = state.runtime.waiter(&run_id);
    match state.runtime.submit(run).await {
        Ok(Enqueued::Created) => {}
        Ok(Enqueued::Existing { .. }) => {}
        Err(e) => {
            state.runtime.drop_waiter(&run_id);
            return Err(e.into());
        }
    }
    Ok(crate::hooks::wait_and_answer(&state, &run_id, Some(waiter), true).await.into_response())
}

/// The output of the flow trigger's sample delivery for `event`.
fn sample_output(state: &AppState, draft: &Value, event: &str) -> Result<Value, ApiError> {
    super::flows::trigger_meta(state, draft)
        .and_then(|m| m.samples.iter().find(|s| s.event == event))
        .map(|s| s.output.clone())
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_test",
                format!("the flow's trigger has no sample for the event `{event}`"),
            )
        })
}

/// What to test a step with: nothing (the flow's sample data), or a trigger value.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepTestBody {
    /// The `trigger` value to use instead of the trigger's sample data.
    #[serde(default)]
    #[schema(value_type = Object)]
    trigger: Option<Value>,
}

/// Runs one step of the draft alone and answers with its record.
#[utoipa::path(
    post,
    path = "/api/v1/flows/{id}/steps/{step}/test",
    tag = "flows",
    operation_id = "testFlowStep",
    summary = "Test one step",
    description = "Runs one top-level step of the flow's draft alone, with the trigger's value \
        and the other steps' outputs taken from the flow's sample data (its last test run; the \
        trigger's documented sample before any), and answers with the step's record (status, \
        input, output, error, attempts, timing). A succeeding step's output becomes its sample \
        data. Nothing is journaled and no run is stored. Real requests are sent: an action \
        step acts.",
    params(("id" = String, Path, description = "The flow's id."), ("step" = String, Path, description = "The step's id.")),
    request_body(content = StepTestBody, content_type = "application/json", description = "Optional."),
    responses(
        (status = 200, description = "The step ran (it may have failed: see `status` and `error`).", body = doc::StepRecord),
        (status = 400, description = "`malformed_json`; `invalid_test`: no such step, or a step inside a loop (test the loop).", body = doc::ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API key.", body = doc::ApiError),
        (status = 404, description = "`flow_not_found`.", body = doc::ApiError),
        (status = 422, description = "`flow_invalid`: the draft does not compile.", body = doc::ApiError),
        (status = 503, description = "`store_unavailable`: the database is unavailable; try again.", body = doc::ApiError),
    ),
    security(("session_cookie" = []), ("api_key" = [])),
)]
pub async fn test_step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body::bytes(body)?;
    let body: StepTestBody =
        if body.is_empty() { StepTestBody::default() } else { json_body::parse(&body)? };
    match state.runtime.test_step(&id, &step, body.trigger).await {
        Ok(record) => Ok(axum::Json(record).into_response()),
        Err(StepTestError::Flow(FlowLoadError::NotFound(_))) => {
            Err(ApiError::not_found("flow_not_found", format!("no flow with id `{id}`")))
        }
        Err(StepTestError::Flow(FlowLoadError::Store(e)) | StepTestError::Store(e)) => {
            Err(e.into())
        }
        Err(StepTestError::Flow(e)) => {
            Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "flow_invalid", e.to_string()))
        }
        Err(StepTestError::Step(why)) => Err(ApiError::bad_request("invalid_test", why)),
    }
}
