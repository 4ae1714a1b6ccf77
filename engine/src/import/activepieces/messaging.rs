//! Messaging and email pieces: Slack, Discord, Microsoft Teams, Twilio, SendGrid, SMTP, Gmail
//! (sent over SMTP), Resend, Postmark.

use serde_json::{Map, Value, json};

use super::input::Input;
use super::pieces::Mapping;
use super::scope::Shape;

/// Slack: channel and direct messages.
pub(super) fn slack(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let mut props = Map::new();
    let ours = match action {
        "send_channel_message" | "send_message_to_a_channel" | "send_message" => {
            inp.require(&mut props, &["channel"], "channel");
            inp.copy(&mut props, &["text"], "text");
            inp.copy(&mut props, &["threadTs", "thread_ts"], "thread_ts");
            inp.copy(&mut props, &["blocks"], "blocks");
            inp.copy(&mut props, &["unfurlLinks", "unfurl_links"], "unfurl_links");
            "send_message"
        }
        "send_direct_message" => {
            inp.require(&mut props, &["userId", "user"], "user");
            inp.require(&mut props, &["text"], "text");
            inp.copy(&mut props, &["blocks"], "blocks");
            "send_direct_message"
        }
        _ => return None,
    };
    if inp.raw(&["sendAsBot"]).and_then(Value::as_bool) == Some(false) {
        inp.f
            .approx("the message was sent as the user in ActivePieces; here it is sent by the bot");
    }
    inp.finish("our Slack action");
    Some(Mapping::action("slack", ours, props, Shape::Same))
}

/// Discord: a message through a channel webhook. ActivePieces takes the webhook URL as an input;
/// ours keeps it in a connection.
pub(super) fn discord(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_message_webhook" {
        return None;
    }
    let mut props = Map::new();
    inp.copy(&mut props, &["content"], "content");
    inp.copy(&mut props, &["username"], "username");
    inp.copy(&mut props, &["avatar_url"], "avatar_url");
    inp.copy(&mut props, &["tts"], "tts");
    inp.skip(&["webhook_url"]);
    inp.f.approx(
        "the webhook URL moves to a Discord connection: create one named `discord-webhook` with \
         the URL from the original step",
    );
    inp.finish("our Discord action");
    let mut m = Mapping::action("discord", "send_message", props, Shape::Same);
    m.fields.insert("connection".into(), json!("discord-webhook"));
    Some(m)
}

/// Microsoft Teams: a channel message through the Graph API.
pub(super) fn teams(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if !matches!(action, "microsoft_teams_send_channel_message" | "send_channel_message") {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["teamId", "team_id"], "team_id");
    inp.require(&mut props, &["channelId", "channel_id"], "channel_id");
    inp.require(&mut props, &["content", "message"], "content");
    if let Some(t) = inp.raw(&["contentType", "content_type"]).and_then(Value::as_str) {
        props.insert("content_type".into(), json!(t.to_lowercase()));
    }
    inp.finish("our Microsoft Teams action");
    Some(Mapping::action(
        "microsoft_teams_graph",
        "send_channel_message",
        props,
        Shape::Differs("ours returns `{ id, web_url, created_at, subject }`".into()),
    ))
}

/// Twilio: an SMS.
pub(super) fn twilio(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_sms" {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["to"], "to");
    inp.copy(&mut props, &["from"], "from");
    inp.copy(&mut props, &["body"], "body");
    inp.finish("our Twilio action");
    Some(Mapping::action("twilio", "send_sms", props, Shape::Same))
}

/// Splits ActivePieces' `content_type` + `content` (or `body_type` + `body`) into our `text` or
/// `html` prop.
fn content(
    inp: &mut Input<'_>,
    props: &mut Map<String, Value>,
    type_keys: &[&str],
    body_keys: &[&str],
    text: &str,
    html: &str,
) {
    let kind = inp.raw(type_keys).and_then(Value::as_str).unwrap_or("text").to_lowercase();
    let to = if kind.contains("html") { html } else { text };
    inp.copy(props, body_keys, to);
}

/// One address from ActivePieces' list of recipients (our SendGrid action takes one).
fn single_recipient(inp: &mut Input<'_>, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
    match inp.get(keys, to) {
        Some(Value::Array(items)) if !items.is_empty() => {
            if items.len() > 1 {
                inp.f.approx(format!(
                    "`{to}`: only the first of {} recipients is kept; add more steps (or use cc)",
                    items.len()
                ));
            }
            if let Some(first) = items.into_iter().next() {
                props.insert(to.to_string(), first);
            }
        }
        Some(Value::Array(_)) | None => inp.require(props, keys, to),
        Some(v) => {
            props.insert(to.to_string(), v);
        }
    }
}

/// A list prop from ActivePieces' list, or its single text as is (our email actions take
/// comma-separated addresses too, and a `{{ }}` may give a whole list).
fn list(inp: &mut Input<'_>, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
    match inp.get(keys, to) {
        Some(Value::Array(items)) if items.is_empty() => {}
        Some(v) => {
            props.insert(to.to_string(), v);
        }
        None => {}
    }
}

/// Like [`list`] for a required prop.
fn required_list(inp: &mut Input<'_>, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
    list(inp, props, keys, to);
    if !props.contains_key(to) {
        inp.require(props, keys, to);
    }
}

/// SendGrid: an email.
pub(super) fn sendgrid(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_email" {
        return None;
    }
    let mut props = Map::new();
    single_recipient(inp, &mut props, &["to"], "to");
    inp.require(&mut props, &["from"], "from");
    inp.copy(&mut props, &["from_name", "fromName"], "from_name");
    inp.copy(&mut props, &["reply_to", "replyTo"], "reply_to");
    inp.require(&mut props, &["subject"], "subject");
    content(inp, &mut props, &["content_type"], &["content"], "text", "html");
    inp.finish("our SendGrid action");
    Some(Mapping::action(
        "sendgrid",
        "send_email",
        props,
        Shape::Differs("ours returns `{ status, message_id }`".into()),
    ))
}

/// The sender as one address: ActivePieces gives the name and the address separately.
fn sender(
    inp: &mut Input<'_>,
    props: &mut Map<String, Value>,
    name_keys: &[&str],
    from_keys: &[&str],
) {
    let name = inp.get(name_keys, "from");
    let address = inp.get(from_keys, "from");
    let text = |v: Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    match (name, address) {
        (Some(n), Some(a)) => {
            props.insert("from".into(), json!(format!("{} <{}>", text(n), text(a))));
        }
        (None, Some(a)) => {
            props.insert("from".into(), a);
        }
        (Some(_), None) => inp.f.note(
            "the sender name is dropped: without an address the connection's default sender is used",
        ),
        (None, None) => {}
    }
}

/// SMTP: an email.
pub(super) fn smtp(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if !matches!(action, "send-email" | "send_email") {
        return None;
    }
    Some(email_over_smtp(inp, &["from"], &["senderName", "sender_name"], &["to"]))
}

/// Gmail: an email, sent over SMTP (we have no Gmail API piece).
pub(super) fn gmail(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_email" {
        return None;
    }
    inp.f.approx(
        "Gmail is reached over SMTP here: the connection must be an SMTP connection for the Gmail \
         account (smtp.gmail.com, port 587, an app password); drafts and threads are not supported",
    );
    inp.skip(&["draft"]);
    Some(email_over_smtp(inp, &["from"], &["sender_name", "senderName"], &["receiver", "to"]))
}

fn email_over_smtp(inp: &mut Input<'_>, from: &[&str], name: &[&str], to: &[&str]) -> Mapping {
    let mut props = Map::new();
    required_list(inp, &mut props, to, "to");
    list(inp, &mut props, &["cc"], "cc");
    list(inp, &mut props, &["bcc"], "bcc");
    sender(inp, &mut props, name, from);
    inp.copy(&mut props, &["replyTo", "reply_to"], "reply_to");
    inp.require(&mut props, &["subject"], "subject");
    content(inp, &mut props, &["body_type", "bodyType"], &["body", "body_text"], "text", "html");
    inp.finish("our SMTP action");
    Mapping::action(
        "smtp",
        "send_email",
        props,
        Shape::Differs("ours returns the SMTP server's answer".into()),
    )
}

/// Resend: an email.
pub(super) fn resend(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_email" {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["from"], "from");
    required_list(inp, &mut props, &["to"], "to");
    inp.require(&mut props, &["subject"], "subject");
    if inp.has("content") {
        content(inp, &mut props, &["content_type"], &["content"], "text", "html");
    }
    inp.copy(&mut props, &["html"], "html");
    inp.copy(&mut props, &["text"], "text");
    list(inp, &mut props, &["reply_to", "replyTo"], "reply_to");
    list(inp, &mut props, &["cc"], "cc");
    list(inp, &mut props, &["bcc"], "bcc");
    inp.finish("our Resend action");
    Some(Mapping::action("resend", "send_email", props, Shape::Same))
}

/// Postmark: an email.
pub(super) fn postmark(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "send_email" {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["from"], "from");
    inp.require(&mut props, &["to"], "to");
    inp.require(&mut props, &["subject"], "subject");
    inp.copy(&mut props, &["html_body", "htmlBody"], "html_body");
    inp.copy(&mut props, &["text_body", "textBody"], "text_body");
    inp.copy(&mut props, &["cc"], "cc");
    inp.copy(&mut props, &["bcc"], "bcc");
    inp.copy(&mut props, &["reply_to", "replyTo"], "reply_to");
    inp.copy(&mut props, &["tag"], "tag");
    inp.finish("our Postmark action");
    Some(Mapping::action(
        "postmark",
        "send_email",
        props,
        Shape::Differs("ours returns `{ message_id, to, submitted_at }`".into()),
    ))
}
