//! The error a step fails with: what went wrong, in words a user can act on, plus what the retry logic
//! needs to decide whether another attempt may help.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The class of a step failure. Retry policies select on it (see [`crate::flow::RetryOn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Connecting, sending or receiving failed before a response arrived.
    Network,
    /// The step (or one attempt of it) ran out of time.
    Timeout,
    /// The remote service answered with an HTTP error status (see `status`).
    Http,
    /// An expression or template failed to evaluate.
    Expression,
    /// The step's resolved input is not acceptable (wrong type, missing value).
    InvalidInput,
    /// The step's connection is missing, of the wrong piece, or unusable.
    Connection,
    /// The host does not offer what the step needs (e.g. subflows outside a server).
    Unsupported,
    /// A `stop` step, a cancellation or the run timeout ended the run.
    Cancelled,
    /// Anything else.
    Other,
}

/// Where in an expression an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpressionFailure {
    /// The expression's source text.
    pub expression: String,
    /// 1-based line within the expression, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column within the expression, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// Why a step failed. This is what ends up in the run record's `error` (after secret redaction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct StepError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// A plain-words message, e.g. `HubSpot: contact already exists (id 123)`.
    pub message: String,
    /// The HTTP status, for [`ErrorKind::Http`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How long the service asked us to wait before trying again (`Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "duration_ms_opt")]
    pub retry_after: Option<Duration>,
    /// For expression failures: the expression and the position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<ExpressionFailure>,
    /// Extra context, e.g. the vendor's error body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl StepError {
    /// A failure of the given kind with a message and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
            retry_after: None,
            expression: None,
            details: None,
        }
    }

    /// A failure caused by an HTTP error status.
    pub fn http(status: u16, message: impl Into<String>) -> Self {
        Self { status: Some(status), ..Self::new(ErrorKind::Http, message) }
    }

    /// A network failure (no response).
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }

    /// Bad resolved input for the step.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Adds the vendor's response or other context.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Adds a `Retry-After` delay.
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }
}

/// Serialises an optional `Duration` as whole milliseconds (`retry_after_ms` in JSON would be nicer, but
/// the field name is shared with the Rust API).
mod duration_ms_opt {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_with_and_without_optional_fields() {
        let plain = StepError::network("reset");
        let back: StepError =
            serde_json::from_value(serde_json::to_value(&plain).unwrap()).unwrap();
        assert_eq!(back, plain);
        let full = StepError::http(429, "slow down")
            .with_retry_after(Some(Duration::from_millis(1500)))
            .with_details(serde_json::json!({ "a": 1 }));
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["retry_after"], serde_json::json!(1500));
        assert_eq!(serde_json::from_value::<StepError>(json).unwrap(), full);
    }
}
