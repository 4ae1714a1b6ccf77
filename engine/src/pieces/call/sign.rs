//! Signing as each platform signs its webhooks: the other half of [`super::verify`]. Used to
//! send a platform's sample payload to a flow exactly as the platform would (tests, the load
//! benchmark of tool flows, `switchboard` users checking their set-up).

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::verify::hex;

fn mac<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else { return Vec::new() };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Retell's `x-retell-signature`: `v=<ms timestamp>,d=<hex HMAC-SHA256(api_key, body + timestamp)>`.
pub fn retell(body: &[u8], api_key: &str, timestamp_ms: i64) -> String {
    let ts = timestamp_ms.to_string();
    format!("v={ts},d={}", hex(&mac::<Hmac<Sha256>>(api_key.as_bytes(), &[body, ts.as_bytes()])))
}

/// ElevenLabs' `ElevenLabs-Signature`: `t=<s timestamp>,v0=<hex HMAC-SHA256(secret, "t.body")>`.
pub fn elevenlabs(body: &[u8], secret: &str, timestamp_secs: i64) -> String {
    let ts = timestamp_secs.to_string();
    let tag = mac::<Hmac<Sha256>>(secret.as_bytes(), &[ts.as_bytes(), b".", body]);
    format!("t={ts},v0={}", hex(&tag))
}

/// Bland's `X-Webhook-Signature`: hex HMAC-SHA256 of the body.
pub fn bland(body: &[u8], secret: &str) -> String {
    hex(&mac::<Hmac<Sha256>>(secret.as_bytes(), &[body]))
}

/// Synthflow's `Synthflow-Signature`: base64 HMAC-SHA256 of the call id.
pub fn synthflow(call_id: &str, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac::<Hmac<Sha256>>(secret.as_bytes(), &[call_id.as_bytes()]))
}

/// Twilio's `X-Twilio-Signature` of a form POST: base64 HMAC-SHA1 of the URL followed by every
/// parameter's name and value, sorted by name.
pub fn twilio(url: &str, params: &[(&str, &str)], auth_token: &str) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    base64::engine::general_purpose::STANDARD
        .encode(mac::<Hmac<Sha1>>(auth_token.as_bytes(), &[data.as_bytes()]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::piece::TriggerRequest;
    use crate::pieces::call::verify::{
        Delivery, verify_bland, verify_elevenlabs, verify_retell, verify_synthflow, verify_twilio,
    };

    fn delivery_of(request: &TriggerRequest, now: i64) -> Delivery<'_> {
        Delivery::from_request(request, now)
    }

    fn request(headers: &[(&str, &str)], body: &str) -> TriggerRequest {
        TriggerRequest {
            method: "POST".into(),
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            query: Vec::new(),
            body: body.as_bytes().to_vec(),
            url: None,
        }
    }

    #[test]
    fn what_is_signed_here_verifies() {
        let body = r#"{"call_id":"c1","event":"call_ended"}"#;
        let r = request(&[("x-retell-signature", &retell(body.as_bytes(), "k", 1_000_000))], body);
        verify_retell(&delivery_of(&r, 1_000), "k").unwrap();
        let r =
            request(&[("elevenlabs-signature", &elevenlabs(body.as_bytes(), "s", 1_000))], body);
        verify_elevenlabs(&delivery_of(&r, 1_000), "s").unwrap();
        let r = request(&[("x-webhook-signature", &bland(body.as_bytes(), "s"))], body);
        verify_bland(&delivery_of(&r, 0), "s").unwrap();
        let r = request(&[("synthflow-signature", &synthflow("c1", "s"))], body);
        verify_synthflow(&delivery_of(&r, 0), "s").unwrap();
        let form = "CallSid=CA1&CallStatus=completed";
        let sig = twilio(
            "https://x.test/hooks/f",
            &[("CallStatus", "completed"), ("CallSid", "CA1")],
            "t",
        );
        let r = request(
            &[("x-twilio-signature", &sig), ("content-type", "application/x-www-form-urlencoded")],
            form,
        );
        verify_twilio(&delivery_of(&r, 0), "https://x.test/hooks/f", "t").unwrap();
    }
}
