//! Webhook deliveries a flow's trigger refused (a bad signature, a wrong URL token, a body it
//! cannot read) are recorded, so the user can see why a platform's calls start nothing
//! (`GET /api/v1/flows/{id}/rejections`). Recording never slows or fails the webhook: a
//! bounded queue feeds a background task, and a flood of bad requests only drops the surplus.

use std::sync::Arc;

use serde_json::{Value, json};
use switchboard_engine::exec::REDACTED;
use switchboard_engine::piece::TriggerRequest;
use tokio::sync::mpsc;

use crate::error::ApiError;
use crate::store::{RejectionRow, Store};

/// How many refused deliveries are kept per flow.
pub const KEEP_PER_FLOW: u32 = 50;
/// How much of a refused body is kept.
const BODY_EXCERPT: usize = 4096;
/// Refusals waiting to be written; beyond this they are dropped (and counted in the metrics).
const QUEUE: usize = 256;

/// Hands refused deliveries to the background writer.
#[derive(Clone)]
pub struct Rejections {
    tx: mpsc::Sender<RejectionRow>,
}

impl Rejections {
    /// Starts the background writer.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<RejectionRow>(QUEUE);
        tokio::spawn(async move {
            while let Some(row) = rx.recv().await {
                if let Err(e) = store.record_rejection(&row, KEEP_PER_FLOW).await {
                    tracing::warn!(error = %e, flow_id = %row.flow_id, "recording a refused webhook failed");
                }
            }
        });
        Self { tx }
    }

    /// Records that `flow_id`'s trigger refused `request` with `error` (client errors only: an
    /// ignored event or a handshake is not a refusal).
    pub fn record(&self, flow_id: &str, error: &ApiError, request: &TriggerRequest) {
        let status = error.status();
        if !status.is_client_error() {
            return;
        }
        tracing::info!(
            flow_id,
            status = status.as_u16(),
            reason = error.message(),
            "webhook refused"
        );
        let row = RejectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            flow_id: flow_id.to_owned(),
            at: chrono::Utc::now(),
            status: status.as_u16(),
            code: error.code().to_owned(),
            reason: error.message().to_owned(),
            request: describe(request),
        };
        if self.tx.try_send(row).is_err() {
            metrics::counter!(crate::telemetry::WEBHOOKS, "outcome" => "refusal_not_recorded")
                .increment(1);
        }
    }
}

/// Whether a header or query parameter of this name carries a credential.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["secret", "token", "key", "auth", "cookie", "password", "credential"]
        .iter()
        .any(|word| n.contains(word))
}

fn pairs(list: &[(String, String)]) -> Value {
    list.iter()
        .map(|(k, v)| {
            let v = if is_secret_name(k) { REDACTED } else { v.as_str() };
            json!([k, v])
        })
        .collect()
}

/// The request as the user sees it: credentials redacted, the body cut to an excerpt.
fn describe(request: &TriggerRequest) -> Value {
    let mut end = request.body.len().min(BODY_EXCERPT);
    let text = loop {
        match std::str::from_utf8(&request.body[..end]) {
            Ok(t) => break t.to_owned(),
            // Cut inside a character: step back to its start.
            Err(e) if e.error_len().is_none() => end = e.valid_up_to(),
            Err(_) => break String::from_utf8_lossy(&request.body[..end]).into_owned(),
        }
    };
    json!({
        "method": request.method,
        "headers": pairs(&request.headers),
        "query": pairs(&request.query),
        "body": text,
        "body_bytes": request.body.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_and_bodies_cut_on_a_character() {
        let request = TriggerRequest {
            method: "POST".into(),
            headers: vec![
                ("x-vapi-secret".into(), "hunter2".into()),
                ("authorization".into(), "Bearer abc".into()),
                ("x-retell-signature".into(), "v=1,d=ff".into()),
            ],
            query: vec![("token".into(), "guess".into()), ("source".into(), "vapi".into())],
            body: format!("a{}", "é".repeat(3000)).into_bytes(),
            url: None,
        };
        let d = describe(&request);
        let text = d.to_string();
        assert!(!text.contains("hunter2") && !text.contains("abc") && !text.contains("guess"));
        assert!(text.contains("v=1,d=ff") && text.contains("vapi"));
        assert_eq!(d["body"].as_str().map(str::len), Some(4095));
        assert_eq!(d["body_bytes"], 6001);
    }
}
