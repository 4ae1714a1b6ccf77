//! The `events` trigger: what Slack's Events API posts (a message in a channel, an app mention, a
//! reaction, ...), verified with the app's signing secret.
//!
//! # Signature
//!
//! Slack signs every request (<https://api.slack.com/authentication/verifying-requests-from-slack>):
//! `X-Slack-Signature` is `v0=` + the hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw
//! body}`, keyed with the app's signing secret. A timestamp more than five minutes from now is
//! refused, so a captured request cannot be replayed later.
//!
//! # The handshake
//!
//! When the Request URL is saved in the app's settings, Slack posts a signed `url_verification`
//! event and expects its `challenge` back: the trigger answers it directly and starts no run.
//!
//! # Output
//!
//! `event_callback` requests start a run with `{ "type", "event", "team_id", "api_app_id",
//! "event_id", "event_time", "authorizations" }` (the envelope as Slack sent it). `event_id` is the
//! dedupe key: Slack retries an event it thinks was not received (`X-Slack-Retry-Num`) with the
//! same id. The optional `event_types` prop keeps only those inner event types (`message`,
//! `app_mention`, ...); others are answered 200 and start nothing, as Slack requires.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};

/// How far a request's timestamp may be from now, in seconds.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// The `events` trigger source.
#[derive(Debug, Clone, Copy, Default)]
pub struct Events;

impl TriggerSource for Events {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        event_at(props, request, chrono::Utc::now().timestamp())
    }
}

fn unauthorized(why: &str) -> TriggerError {
    TriggerError::Unauthorized(format!("Slack signature check failed: {why}"))
}

/// [`Events::event`] at the given time (Unix seconds).
fn event_at(
    props: &Map<String, Value>,
    request: &TriggerRequest,
    now: i64,
) -> Result<TriggerEvent, TriggerError> {
    let secret = props
        .get("signing_secret")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            TriggerError::Unauthorized(
                "the Slack trigger is misconfigured: `signing_secret` is missing".into(),
            )
        })?;
    verify(secret, request, now)?;
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|e| TriggerError::Malformed(format!("the Slack event is not JSON: {e}")))?;
    match body.get("type").and_then(Value::as_str) {
        Some("url_verification") => {
            let challenge = body.get("challenge").cloned().unwrap_or(Value::Null);
            Err(TriggerError::Reply(json!({ "challenge": challenge })))
        }
        Some("event_callback") => {
            let inner = body.pointer("/event/type").and_then(Value::as_str).unwrap_or_default();
            if let Some(Value::Array(types)) = props.get("event_types")
                && !types.is_empty()
                && !types.iter().any(|t| t.as_str() == Some(inner))
            {
                return Err(TriggerError::Ignored(format!(
                    "event type `{inner}` is not one this flow takes"
                )));
            }
            let dedupe_key = body.get("event_id").and_then(Value::as_str).map(str::to_owned);
            let mut output = Map::new();
            for key in [
                "type",
                "event",
                "team_id",
                "api_app_id",
                "event_id",
                "event_time",
                "authorizations",
            ] {
                if let Some(v) = body.get(key) {
                    output.insert(key.to_owned(), v.clone());
                }
            }
            Ok(TriggerEvent { output: Value::Object(output), dedupe_key })
        }
        other => Err(TriggerError::Ignored(format!(
            "Slack request of type `{}` is not an event",
            other.unwrap_or("?")
        ))),
    }
}

fn verify(secret: &str, request: &TriggerRequest, now: i64) -> Result<(), TriggerError> {
    let timestamp = request
        .header("x-slack-request-timestamp")
        .ok_or_else(|| unauthorized("no X-Slack-Request-Timestamp header"))?;
    let sent: i64 =
        timestamp.trim().parse().map_err(|_| unauthorized("the timestamp is not a number"))?;
    if (now - sent).abs() > TOLERANCE_SECS {
        return Err(unauthorized("the request is more than five minutes old"));
    }
    let signature = request
        .header("x-slack-signature")
        .and_then(|s| s.trim().strip_prefix("v0="))
        .ok_or_else(|| unauthorized("no `v0=` X-Slack-Signature header"))?;
    let expected = decode_hex(signature).ok_or_else(|| unauthorized("the signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| unauthorized("the signing secret cannot be used"))?;
    mac.update(format!("v0:{}:", timestamp.trim()).as_bytes());
    mac.update(&request.body);
    mac.verify_slice(&expected).map_err(|_| unauthorized("the signature does not match"))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const NOW: i64 = 1_531_420_618;

    fn sign(secret: &str, ts: &str, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("v0:{ts}:{body}").as_bytes());
        let bytes = mac.finalize().into_bytes();
        format!("v0={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    fn request(body: &str, ts: &str, signature: &str) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-slack-request-timestamp".into(), ts.into()),
                ("x-slack-signature".into(), signature.into()),
            ],
            query: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn props(extra: Value) -> Map<String, Value> {
        let mut p = json!({ "signing_secret": SECRET }).as_object().cloned().unwrap();
        if let Value::Object(m) = extra {
            p.extend(m);
        }
        p
    }

    #[test]
    fn slacks_documented_example_signature_verifies() {
        // The example from Slack's "Verifying requests from Slack" guide.
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let r = request(
            body,
            "1531420618",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        );
        assert!(verify(SECRET, &r, NOW).is_ok());
    }

    #[test]
    fn the_url_verification_challenge_is_answered_without_a_run() {
        let body = r#"{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
        let r = request(body, "1531420618", &sign(SECRET, "1531420618", body));
        match event_at(&props(json!({})), &r, NOW) {
            Err(TriggerError::Reply(v)) => assert_eq!(
                v,
                json!({ "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" })
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_event_starts_a_run_deduplicated_by_its_id() {
        let body = r#"{"token":"t","team_id":"T1","api_app_id":"A1","event":{"type":"app_mention","user":"U1","text":"<@U0> hi","channel":"C1","ts":"1.2"},"type":"event_callback","event_id":"Ev08MFMKH6","event_time":1531420618}"#;
        let r = request(body, "1531420618", &sign(SECRET, "1531420618", body));
        let e = event_at(&props(json!({})), &r, NOW + 60).unwrap();
        assert_eq!(e.dedupe_key.as_deref(), Some("Ev08MFMKH6"));
        assert_eq!(e.output["event"]["text"], "<@U0> hi");
        assert_eq!(e.output["team_id"], "T1");
        assert!(e.output.get("token").is_none(), "the verification token is not passed on");
        let only_messages = props(json!({ "event_types": ["message"] }));
        assert!(matches!(event_at(&only_messages, &r, NOW), Err(TriggerError::Ignored(_))));
    }

    #[test]
    fn bad_signatures_stale_requests_and_missing_settings_are_refused() {
        let body = r#"{"type":"event_callback","event":{"type":"message"},"event_id":"E1"}"#;
        let good = sign(SECRET, "1531420618", body);
        let wrong_secret = sign("another-secret", "1531420618", body);
        for (r, now) in [
            (request(body, "1531420618", &wrong_secret), NOW),
            (request(&body.replace("E1", "E2"), "1531420618", &good), NOW),
            (request(body, "1531420618", "v0=zz"), NOW),
            (request(body, "1531420618", "a2114d57"), NOW),
            (request(body, "1531420618", &good), NOW + TOLERANCE_SECS + 1),
            (request(body, "1531420618", &good), NOW - TOLERANCE_SECS - 1),
        ] {
            assert!(
                matches!(event_at(&props(json!({})), &r, now), Err(TriggerError::Unauthorized(_))),
                "{:?}",
                r.headers
            );
        }
        let r = request(body, "1531420618", &good);
        assert!(matches!(event_at(&Map::new(), &r, NOW), Err(TriggerError::Unauthorized(_))));
    }
}
