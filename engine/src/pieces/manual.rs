//! The `manual` piece: its `run` trigger starts a flow on demand (the editor's "Run" button, the
//! API, `switchboard run --payload`). The given input, a JSON document, becomes `trigger.body`.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{BuiltinPiece, svg_data_url};
use crate::piece::{
    AuthKind, PieceMeta, TriggerError, TriggerEvent, TriggerMeta, TriggerRequest, TriggerSource,
};

/// The piece id.
pub const PIECE_ID: &str = "manual";
/// The trigger name.
pub const RUN: &str = "run";

/// The piece with its metadata and trigger.
pub fn piece() -> BuiltinPiece {
    BuiltinPiece::new(meta()).with_trigger(RUN, Arc::new(RunManually))
}

/// The piece's metadata.
pub fn meta() -> PieceMeta {
    PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "Manual".to_owned(),
        description: "Start a flow by hand, from the editor, the API or the command line, with \
                      optional JSON input."
            .to_owned(),
        category: "Core".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#059669' stroke-width='2' stroke-linejoin='round'>\
             <circle cx='12' cy='12' r='10'/><path d='M10 8l6 4-6 4z'/></svg>",
        )),
        auth: AuthKind::None,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: None,
        actions: Vec::new(),
        triggers: vec![TriggerMeta {
            name: RUN.to_owned(),
            label: "Run manually".to_owned(),
            description: "Runs the flow when you start it; the JSON input you give becomes \
                          `trigger.body`."
                .to_owned(),
            props: Vec::new(),
            sample_output: Some(json!({
                "body": { "email": "ada@example.com", "phone": "+14155550123" }
            })),
            ..Default::default()
        }],
    }
}

/// The `run` trigger: the request body, parsed as JSON, becomes `body` (`null` when empty).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunManually;

impl TriggerSource for RunManually {
    fn event(
        &self,
        _props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        let body = if request.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            // Input that is not JSON is refused rather than passed as null, so a typo in a payload
            // file is reported instead of running the flow with no input.
            serde_json::from_slice(&request.body)
                .map_err(|e| TriggerError::Malformed(format!("the input is not valid JSON: {e}")))?
        };
        Ok(TriggerEvent { output: json!({ "body": body }), dedupe_key: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_becomes_body() {
        let request = TriggerRequest::json(&json!({ "email": "ada@example.com" }));
        let event = RunManually.event(&Map::new(), &request);
        assert_eq!(
            event,
            Ok(TriggerEvent {
                output: json!({ "body": { "email": "ada@example.com" } }),
                dedupe_key: None
            })
        );
    }

    #[test]
    fn empty_input_is_null_and_bad_json_is_refused() {
        let empty = TriggerRequest::default();
        assert_eq!(
            RunManually.event(&Map::new(), &empty).map(|e| e.output),
            Ok(json!({ "body": null }))
        );
        let bad =
            TriggerRequest { url: None, body: b"{oops".to_vec(), ..TriggerRequest::default() };
        match RunManually.event(&Map::new(), &bad) {
            Err(TriggerError::Malformed(m)) => assert!(m.contains("line 1 column 2"), "{m}"),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }
}
