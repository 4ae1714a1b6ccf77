//! The `incoming_message` trigger: an SMS, MMS or WhatsApp message sent to a Twilio number,
//! posted by Twilio as a form to the number's "A message comes in" webhook.
//!
//! # Signature
//!
//! Twilio signs every request in `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the
//! account's auth token, over the full URL Twilio requested followed by every POST parameter's
//! name and value, sorted by name
//! (<https://www.twilio.com/docs/usage/webhooks/webhooks-security>). A [`TriggerRequest`] carries
//! no URL (a proxy in front of this server may have rewritten it anyway), so the URL entered in
//! the Twilio Console is a trigger prop, `webhook_url`, and the auth token another, `auth_token`.
//! Like Twilio's own libraries, the check also accepts the URL with its default port added or
//! its port removed. JSON bodies (sent by some Twilio products) are covered through the
//! `bodySHA256` query parameter Twilio adds to the URL: the signature covers the URL, the hash the
//! body. The check itself is [`crate::pieces::call::verify::verify_twilio`], shared with the call
//! trigger.
//!
//! # Output
//!
//! `{ message_sid, channel ("sms" | "whatsapp"), from, to, body, num_media, media: [{url,
//! content_type}], profile_name, params }`: `from` and `to` without the `whatsapp:` prefix, and
//! `params` every field Twilio sent. The dedupe key is the `MessageSid`, so Twilio's retries start
//! one run.

use serde_json::{Map, Value};

use crate::piece::http_client::media_type;
use crate::piece::{TriggerError, TriggerEvent, TriggerRequest, TriggerSource};
use crate::pieces::call::verify::{Delivery, verify_twilio};
use crate::pieces::{form_urlencoded_parse, pairs_to_object};

/// The header carrying Twilio's signature.
pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

const WHATSAPP_PREFIX: &str = "whatsapp:";

/// The `incoming_message` trigger source.
#[derive(Debug, Clone, Copy, Default)]
pub struct IncomingMessage;

/// Which messages start the flow (the `channel` prop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Any,
    Sms,
    WhatsApp,
}

fn misconfigured(why: &str) -> TriggerError {
    TriggerError::Unauthorized(format!("the Twilio trigger is misconfigured: {why}"))
}

/// A non-empty text prop.
fn text_prop<'a>(props: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    props.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

impl TriggerSource for IncomingMessage {
    fn event(
        &self,
        props: &Map<String, Value>,
        request: &TriggerRequest,
    ) -> Result<TriggerEvent, TriggerError> {
        // The URL Twilio signed: the flow's public URL, unless the trigger names another.
        let url = text_prop(props, "webhook_url")
            .or(request.url.as_deref())
            .ok_or_else(|| misconfigured("`webhook_url` is missing"))?;
        let token = text_prop(props, "auth_token")
            .ok_or_else(|| misconfigured("`auth_token` is missing"))?;
        let channel = match text_prop(props, "channel") {
            None | Some("any") => Channel::Any,
            Some("sms") => Channel::Sms,
            Some("whatsapp") => Channel::WhatsApp,
            Some(other) => {
                return Err(misconfigured(&format!(
                    "unknown `channel` `{other}` (use any, sms or whatsapp)"
                )));
            }
        };
        if !request.method.eq_ignore_ascii_case("POST") {
            return Err(TriggerError::Malformed(format!(
                "Twilio sent a {} request; set the number's webhook to HTTP POST",
                request.method
            )));
        }

        let media = request.header("content-type").map(media_type).unwrap_or_default();
        let is_form = media == "application/x-www-form-urlencoded";
        let params = if is_form { form_urlencoded_parse(&request.body) } else { Vec::new() };
        let delivery = Delivery::from_request(request, chrono::Utc::now().timestamp());
        verify_twilio(&delivery, url, token)
            .map_err(|e| TriggerError::Unauthorized(e.to_string()))?;

        let fields = pairs_to_object(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let output = if is_form {
            message_output(fields)
        } else {
            // A signed JSON body (bodySHA256): passed on as it is.
            serde_json::from_slice(&request.body)
                .map_err(|e| TriggerError::Malformed(format!("the body is not valid JSON: {e}")))?
        };
        let whatsapp = output.get("channel").and_then(Value::as_str) == Some("whatsapp");
        match (channel, whatsapp) {
            (Channel::Sms, true) => {
                return Err(TriggerError::Ignored(
                    "a WhatsApp message (this flow takes SMS)".into(),
                ));
            }
            (Channel::WhatsApp, false) => {
                return Err(TriggerError::Ignored("an SMS (this flow takes WhatsApp)".into()));
            }
            _ => {}
        }
        let dedupe_key = output
            .get("message_sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(TriggerEvent { output, dedupe_key })
    }
}

/// The trigger's output for a message form.
fn message_output(fields: Map<String, Value>) -> Value {
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    let from = text("From");
    let to = text("To");
    let whatsapp = from.starts_with(WHATSAPP_PREFIX) || to.starts_with(WHATSAPP_PREFIX);
    let num_media: u32 = text("NumMedia").trim().parse().unwrap_or(0);
    let media: Vec<Value> = (0..num_media)
        .filter_map(|i| {
            let url = fields.get(&format!("MediaUrl{i}")).and_then(Value::as_str)?;
            let mut item = Map::new();
            item.insert("url".into(), Value::String(url.to_owned()));
            if let Some(ct) = fields.get(&format!("MediaContentType{i}")).and_then(Value::as_str) {
                item.insert("content_type".into(), Value::String(ct.to_owned()));
            }
            Some(Value::Object(item))
        })
        .collect();
    let sid = match text("MessageSid") {
        "" => text("SmsMessageSid"),
        sid => sid,
    };

    let mut out = Map::new();
    out.insert("message_sid".into(), Value::String(sid.to_owned()));
    out.insert("channel".into(), Value::String(if whatsapp { "whatsapp" } else { "sms" }.into()));
    out.insert("from".into(), Value::String(strip_whatsapp(from).to_owned()));
    out.insert("to".into(), Value::String(strip_whatsapp(to).to_owned()));
    out.insert("body".into(), Value::String(text("Body").to_owned()));
    out.insert("num_media".into(), Value::from(num_media));
    out.insert("media".into(), Value::Array(media));
    if let Some(name) = fields.get("ProfileName").and_then(Value::as_str) {
        out.insert("profile_name".into(), Value::String(name.to_owned()));
    }
    out.insert("params".into(), Value::Object(fields));
    Value::Object(out)
}

fn strip_whatsapp(address: &str) -> &str {
    address.strip_prefix(WHATSAPP_PREFIX).unwrap_or(address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pieces::call::verify::{hex, signed_params};
    use crate::pieces::form_urlencode;
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    use serde_json::json;
    use sha1::Sha1;
    use sha2::{Digest, Sha256};

    const TOKEN: &str = "12345678901234567890123456789012";
    const URL: &str = "https://flows.example.com/hooks/catch/abc123?source=twilio";

    /// The signature as Twilio computes it: written out here from the documented algorithm,
    /// independently of the code under test.
    fn sign(url: &str, token: &str, params: &[(&str, &str)]) -> String {
        let mut sorted = params.to_vec();
        sorted.sort();
        let mut data = url.to_owned();
        for (k, v) in sorted {
            data.push_str(k);
            data.push_str(v);
        }
        let mut mac = match <Hmac<Sha1> as KeyInit>::new_from_slice(token.as_bytes()) {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        Mac::update(&mut mac, data.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn form_request(params: &[(&str, &str)], signature: &str) -> TriggerRequest {
        TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/x-www-form-urlencoded".into()),
                (SIGNATURE_HEADER.into(), signature.into()),
            ],
            query: vec![("source".into(), "twilio".into())],
            body: form_urlencode(params.iter().copied()).into_bytes(),
        }
    }

    fn props(extra: Value) -> Map<String, Value> {
        let mut p = json!({ "webhook_url": URL, "auth_token": TOKEN });
        if let (Some(p), Value::Object(extra)) = (p.as_object_mut(), extra) {
            p.extend(extra);
        }
        match p {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    const SMS: &[(&str, &str)] = &[
        ("ToCountry", "US"),
        ("SmsMessageSid", "SM9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"),
        ("NumMedia", "0"),
        ("MessageSid", "SM9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", "+14155550123"),
        ("To", "+14155550100"),
        ("Body", "Is my order on its way? 100% & more"),
        ("NumSegments", "1"),
        ("ApiVersion", "2010-04-01"),
    ];

    const WHATSAPP: &[(&str, &str)] = &[
        ("MessageSid", "SMaaaabbbbccccddddeeeeffff00001111"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", "whatsapp:+14155550123"),
        ("To", "whatsapp:+14155238886"),
        ("Body", "Photo of the damage"),
        ("NumMedia", "1"),
        ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0"),
        ("MediaContentType0", "image/jpeg"),
        ("ProfileName", "Ada"),
        ("WaId", "14155550123"),
    ];

    fn ok(props: &Map<String, Value>, request: &TriggerRequest) -> TriggerEvent {
        match IncomingMessage.event(props, request) {
            Ok(e) => e,
            Err(e) => panic!("unexpected rejection: {e}"),
        }
    }

    fn unauthorized(props: &Map<String, Value>, request: &TriggerRequest) -> String {
        match IncomingMessage.event(props, request) {
            Err(TriggerError::Unauthorized(m)) => m,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn a_signed_sms_is_accepted() {
        let request = form_request(SMS, &sign(URL, TOKEN, SMS));
        let event = ok(&props(json!({})), &request);
        assert_eq!(event.dedupe_key.as_deref(), Some("SM9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"));
        assert_eq!(event.output["channel"], "sms");
        assert_eq!(event.output["from"], "+14155550123");
        assert_eq!(event.output["body"], "Is my order on its way? 100% & more");
        assert_eq!(event.output["num_media"], 0);
        assert_eq!(event.output["params"]["ToCountry"], "US");
    }

    #[test]
    fn a_signed_whatsapp_message_is_accepted_without_prefixes() {
        let request = form_request(WHATSAPP, &sign(URL, TOKEN, WHATSAPP));
        let event = ok(&props(json!({ "channel": "whatsapp" })), &request);
        assert_eq!(event.output["channel"], "whatsapp");
        assert_eq!(event.output["from"], "+14155550123");
        assert_eq!(event.output["to"], "+14155238886");
        assert_eq!(event.output["profile_name"], "Ada");
        assert_eq!(
            event.output["media"],
            json!([{
                "url": "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0",
                "content_type": "image/jpeg"
            }])
        );
    }

    #[test]
    fn a_bad_signature_is_rejected() {
        // Signed with another token.
        let request = form_request(SMS, &sign(URL, "another-token", SMS));
        assert!(unauthorized(&props(json!({})), &request).contains("does not match"));
        // Signed for another URL.
        let request = form_request(SMS, &sign("https://evil.example.com/", TOKEN, SMS));
        assert!(unauthorized(&props(json!({})), &request).contains("does not match"));
        // A tampered body.
        let mut request = form_request(SMS, &sign(URL, TOKEN, SMS));
        let mut tampered = SMS.to_vec();
        tampered[7] = ("Body", "Send me a refund");
        request.body = form_urlencode(tampered).into_bytes();
        assert!(unauthorized(&props(json!({})), &request).contains("does not match"));
        // No signature, or not base64.
        let mut request = form_request(SMS, "");
        request.headers.retain(|(k, _)| k != SIGNATURE_HEADER);
        assert!(unauthorized(&props(json!({})), &request).contains("missing"));
        let request = form_request(SMS, "not base64!");
        assert!(unauthorized(&props(json!({})), &request).contains("not base64"));
    }

    #[test]
    fn the_default_port_may_be_added_or_removed() {
        let with_port = "https://flows.example.com:443/hooks/catch/abc123?source=twilio";
        let request = form_request(SMS, &sign(with_port, TOKEN, SMS));
        ok(&props(json!({})), &request);
        let request = form_request(SMS, &sign(URL, TOKEN, SMS));
        ok(&props(json!({ "webhook_url": with_port })), &request);
        // Which URL forms are tried is tested with the check itself (`call::verify::twilio`).
    }

    #[test]
    fn channel_filter_ignores_the_other_channel() {
        let whatsapp = form_request(WHATSAPP, &sign(URL, TOKEN, WHATSAPP));
        assert!(matches!(
            IncomingMessage.event(&props(json!({ "channel": "sms" })), &whatsapp),
            Err(TriggerError::Ignored(_))
        ));
        let sms = form_request(SMS, &sign(URL, TOKEN, SMS));
        assert!(matches!(
            IncomingMessage.event(&props(json!({ "channel": "whatsapp" })), &sms),
            Err(TriggerError::Ignored(_))
        ));
    }

    #[test]
    fn missing_settings_fail_closed() {
        let request = form_request(SMS, &sign(URL, TOKEN, SMS));
        let no_token: Map<String, Value> =
            props(json!({})).into_iter().filter(|(k, _)| k != "auth_token").collect();
        assert!(unauthorized(&no_token, &request).contains("misconfigured"));
        let no_url: Map<String, Value> =
            props(json!({})).into_iter().filter(|(k, _)| k != "webhook_url").collect();
        assert!(unauthorized(&no_url, &request).contains("misconfigured"));
    }

    #[test]
    fn a_json_body_is_covered_by_body_sha256() {
        let body = br#"{"event":"test"}"#;
        let hash = hex(&Sha256::digest(body));
        let signed_url = format!("{URL}&bodySHA256={hash}");
        let request = TriggerRequest {
            url: None,
            method: "POST".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                (SIGNATURE_HEADER.into(), sign(&signed_url, TOKEN, &[])),
            ],
            query: vec![("source".into(), "twilio".into()), ("bodySHA256".into(), hash)],
            body: body.to_vec(),
        };
        let event = ok(&props(json!({})), &request);
        assert_eq!(event.output, json!({ "event": "test" }));
        let mut tampered = request.clone();
        tampered.body = br#"{"event":"evil"}"#.to_vec();
        assert!(unauthorized(&props(json!({})), &tampered).contains("bodySHA256"));
        let mut unsigned = request;
        unsigned.query.retain(|(k, _)| k != "bodySHA256");
        assert!(unauthorized(&props(json!({})), &unsigned).contains("does not cover"));
    }

    #[test]
    fn twilios_documented_example_verifies() {
        // The worked example of Twilio's "Validating requests" documentation.
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ];
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut request = form_request(&params, "GvWf1cFY/Q7PnoempGyD5oXAezc=");
        request.query = vec![("foo".into(), "1".into()), ("bar".into(), "2".into())];
        let props = props(json!({ "webhook_url": url, "auth_token": "12345" }));
        assert!(IncomingMessage.event(&props, &request).is_ok());
        assert_eq!(sign(url, "12345", &params), "GvWf1cFY/Q7PnoempGyD5oXAezc=");
    }

    #[test]
    fn signed_params_sort_by_name_then_value() {
        let params = [
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "z".to_owned()),
            ("a".to_owned(), "y".to_owned()),
        ];
        assert_eq!(signed_params(&params), "ayazb2");
    }
}
