//! The API's error type: every failure answers with a stable JSON shape,
//! `{ "error": { "code", "message", "path"?, "problems"? } }`, and a 4xx/5xx status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_engine::Problem;

use crate::store::StoreError;

/// An API failure.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    path: Option<String>,
    problems: Vec<Problem>,
    /// Not a failure: a trigger's handshake answer (Slack's challenge), sent as the 200 body.
    reply: Option<Box<serde_json::Value>>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Problem]>::is_empty")]
    problems: &'a [Problem],
}

impl ApiError {
    /// An error with a status, a stable code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            path: None,
            problems: Vec::new(),
            reply: None,
        }
    }

    /// 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 409.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422 with a code and message.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// The same error, pointing at a JSON path of the request.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// 422 with every validation problem.
    pub fn invalid_flow(problems: Vec<Problem>) -> Self {
        let message = match problems.len() {
            1 => format!("the flow has a problem: {}", problems[0]),
            n => format!(
                "the flow has {n} problems; the first: {}",
                problems.first().map(ToString::to_string).unwrap_or_default()
            ),
        };
        let path = problems.first().map(|p| p.path.clone()).filter(|p| !p.is_empty());
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_flow",
            message,
            path,
            problems,
            reply: None,
        }
    }

    /// A trigger's handshake: the request gets `body` as a 200 answer and starts no run.
    pub fn reply(body: serde_json::Value) -> Self {
        Self { reply: Some(Box::new(body)), ..Self::new(StatusCode::OK, "reply", "handshake") }
    }

    /// The handshake answer, for [`ApiError::reply`].
    pub fn reply_body(&self) -> Option<&serde_json::Value> {
        self.reply.as_deref()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The stable error code (`unauthorized`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                path: self.path.as_deref(),
                problems: &self.problems,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let StoreError::Conflict(message) = e {
            return Self::conflict("name_taken", message);
        }
        tracing::error!("store: {e}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the database is unavailable; try again",
        )
    }
}

impl From<crate::runtime::IngestError> for ApiError {
    fn from(e: crate::runtime::IngestError) -> Self {
        tracing::error!("ingest: {e}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_stored",
            format!("{e}; nothing was stored, retry the request"),
        )
    }
}
