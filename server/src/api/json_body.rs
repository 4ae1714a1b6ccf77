//! Reading request bodies with errors that say what and where.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The raw body, or a 413/400 JSON error.
pub fn bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than the configured limit (--max-body-bytes)",
            )
        } else {
            ApiError::bad_request(
                "unreadable_body",
                format!("the request body could not be read: {e}"),
            )
        }
    })
}

/// Parses a JSON body; serde_json's message names the problem with its line and column.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))
}
