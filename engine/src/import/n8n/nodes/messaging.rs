//! Messaging nodes: Slack, SendGrid, Twilio, Gmail and Send Email (SMTP).

use serde_json::{Map, Value, json};

use super::{Ctx, action, locator, put, require};

/// Slack: post a message to a channel or a user.
pub(super) fn map_slack(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource = node.str_param("resource", "message").to_owned();
    let operation = node.str_param("operation", "post").to_owned();
    if resource != "message" || operation != "post" {
        return ctx.placeholder(&format!(
            "the Slack operation `{resource} / {operation}` has no action here"
        ));
    }
    let mut props = Map::new();
    let to_user = node.version >= 2.0 && node.str_param("select", "channel") == "user";
    let target = if node.version >= 2.0 {
        let param = if to_user { "user" } else { "channelId" };
        locator(node.param(param)).map(|(v, _, mode)| match (&v, mode.as_str()) {
            (Value::String(s), "url") => {
                Value::String(s.trim_end_matches('/').rsplit('/').next().unwrap_or(s).to_owned())
            }
            _ => v,
        })
    } else {
        node.param("channel").cloned()
    };
    let target = target.map(|v| ctx.prop(if to_user { "user" } else { "channel" }, &v));
    require(ctx, &mut props, if to_user { "user" } else { "channel" }, target);
    put(&mut props, "text", ctx.param("text"));
    let message_type = node.str_param("messageType", "text").to_owned();
    if message_type == "block" || node.param("blocksUi").is_some() {
        let raw = node.param("blocksUi").cloned().unwrap_or(Value::Null);
        let blocks = match ctx.json_text("blocksUi", &raw) {
            Some(Value::Object(mut o)) if o.contains_key("blocks") => o.remove("blocks"),
            other => other,
        };
        put(&mut props, "blocks", blocks);
    }
    if message_type == "attachment"
        || node.param("attachments").is_some_and(|a| a.as_array().is_some_and(|a| !a.is_empty()))
    {
        ctx.approx("Slack attachments are not carried over; use blocks instead.");
    }
    let other = node.obj_param("otherOptions");
    if !to_user {
        let ts = other
            .get("thread_ts")
            .and_then(|t| t.get("replyValues"))
            .and_then(|r| r.get("thread_ts"))
            .or_else(|| other.get("thread_ts").filter(|v| v.is_string()));
        let ts = ctx.nested("thread_ts", ts);
        put(&mut props, "thread_ts", ts);
        if let Some(u) = other.get("unfurl_links").and_then(Value::as_bool) {
            props.insert("unfurl_links".into(), Value::Bool(u));
        }
    }
    if node.version >= 2.1
        && other.get("includeLinkToWorkflow").and_then(Value::as_bool) != Some(false)
    {
        ctx.note(
            "n8n appended a link to the workflow to the message; this message does not have it.",
        );
    }
    let ignored: Vec<&str> = other
        .keys()
        .map(String::as_str)
        .filter(|k| !matches!(*k, "thread_ts" | "unfurl_links" | "includeLinkToWorkflow"))
        .collect();
    if !ignored.is_empty() {
        ctx.approx(format!("These Slack options are not carried over: {}.", ignored.join(", ")));
    }
    let connection = ctx.connection("slack");
    let name = if to_user { "send_direct_message" } else { "send_message" };
    if to_user && !props.contains_key("text") {
        props.insert("text".into(), Value::String(String::new()));
        ctx.approx("A direct message needs a text; it is empty.");
    }
    action(ctx, "slack", name, connection, props)
}

/// A literal comma-separated address list as SendGrid's `[{ "email" }]`.
fn address_objects(ctx: &mut Ctx<'_>, label: &str, v: Option<&Value>) -> Option<Value> {
    let v = v.filter(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))?;
    let s = v.as_str().unwrap_or_default();
    if s.starts_with('=') {
        let one = ctx.prop(label, v);
        return Some(json!([{ "email": one }]));
    }
    Some(Value::Array(
        s.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| json!({ "email": crate::import::n8n::expressions::literal_text(a) }))
            .collect(),
    ))
}

/// SendGrid: send a mail (plain or dynamic template).
pub(super) fn map_sendgrid(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource =
        node.str_param("resource", if node.param("toEmail").is_some() { "mail" } else { "list" });
    if resource != "mail" || node.str_param("operation", "send") != "send" {
        return ctx
            .placeholder(&format!("the SendGrid `{resource}` operations have no action here"));
    }
    let mut props = Map::new();
    let to = node.param("toEmail").cloned();
    let to = match to {
        Some(Value::String(s)) if !s.starts_with('=') && s.contains(',') => {
            ctx.approx(
                "SendGrid sends to the first recipient only; add cc or more steps for the others.",
            );
            Some(Value::String(s.split(',').next().unwrap_or("").trim().to_owned()))
        }
        other => other,
    };
    let to = to.map(|v| ctx.prop("toEmail", &v));
    require(ctx, &mut props, "to", to);
    let from = ctx.param("fromEmail");
    require(ctx, &mut props, "from", from);
    put(&mut props, "from_name", ctx.param("fromName"));
    let dynamic = node.bool_param("dynamicTemplate", false);
    if dynamic {
        let template = ctx.param("templateId");
        require(ctx, &mut props, "template_id", template);
        let fields = node
            .param("dynamicTemplateFields")
            .and_then(|f| f.get("fields"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut data = Map::new();
        for f in fields {
            let Some(k) = f.get("key").and_then(Value::as_str) else { continue };
            let v =
                ctx.prop(&format!("template field {k}"), f.get("value").unwrap_or(&Value::Null));
            data.insert(k.to_owned(), v);
        }
        if !data.is_empty() {
            props.insert("dynamic_template_data".into(), Value::Object(data));
        }
    } else {
        let subject = ctx.param("subject");
        require(ctx, &mut props, "subject", subject);
        let body = ctx.param("contentValue");
        let key = if node.str_param("contentType", "text/plain") == "text/html" {
            "html"
        } else {
            "text"
        };
        require(ctx, &mut props, key, body);
    }
    let extra = node.obj_param("additionalFields");
    let cc = address_objects(ctx, "ccEmail", extra.get("ccEmail"));
    put(&mut props, "cc", cc);
    let bcc = address_objects(ctx, "bccEmail", extra.get("bccEmail"));
    put(&mut props, "bcc", bcc);
    let reply = ctx.nested("replyToEmail", extra.get("replyToEmail"));
    put(&mut props, "reply_to", reply);
    if let Some(Value::String(c)) =
        extra.get("categories").filter(|c| c.as_str().is_some_and(|s| !s.starts_with('=')))
    {
        let list: Vec<Value> = c
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect();
        props.insert("categories".into(), Value::Array(list));
    }
    if let Some(at) = extra.get("sendAt").filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        && let Some(out) = ctx.expr("sendAt", at)
    {
        props.insert("send_at".into(), Value::String(format!("{{{{ to_unix({}) }}}}", out.code)));
    }
    if extra.get("enableSandbox").and_then(Value::as_bool) == Some(true) {
        props.insert("sandbox_mode".into(), Value::Bool(true));
    }
    let ignored: Vec<&str> = extra
        .keys()
        .map(String::as_str)
        .filter(|k| {
            !matches!(
                *k,
                "ccEmail" | "bccEmail" | "replyToEmail" | "categories" | "sendAt" | "enableSandbox"
            )
        })
        .collect();
    if !ignored.is_empty() {
        ctx.approx(format!("These SendGrid fields are not carried over: {}.", ignored.join(", ")));
    }
    let connection = ctx.connection("sendgrid");
    let name = if dynamic { "send_template_email" } else { "send_email" };
    action(ctx, "sendgrid", name, connection, props)
}

/// Twilio: send an SMS / WhatsApp message, or make a call.
pub(super) fn map_twilio(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource = node.str_param("resource", "sms").to_owned();
    let operation =
        node.str_param("operation", if resource == "call" { "make" } else { "send" }).to_owned();
    let mut props = Map::new();
    let to = ctx.param("to");
    require(ctx, &mut props, "to", to);
    let from = ctx.param("from");
    let name = match (resource.as_str(), operation.as_str()) {
        ("sms", "send") => {
            put(&mut props, "from", from);
            put(&mut props, "body", ctx.param("message"));
            if node.bool_param("toWhatsapp", false) { "send_whatsapp" } else { "send_sms" }
        }
        ("call", "make") => {
            require(ctx, &mut props, "from", from);
            let message = ctx.param("message");
            let twiml = if node.bool_param("useTwiml", false) {
                message
            } else {
                message.map(|m| {
                    let text = m.as_str().unwrap_or_default();
                    Value::String(format!("<Response><Say>{text}</Say></Response>"))
                })
            };
            put(&mut props, "twiml", twiml);
            "make_call"
        }
        _ => {
            return ctx.placeholder(&format!(
                "the Twilio operation `{resource} / {operation}` has no action here"
            ));
        }
    };
    if let Some(cb) = ctx.nested("statusCallback", node.obj_param("options").get("statusCallback"))
    {
        props.insert("status_callback".into(), cb);
    }
    let connection = ctx.connection("twilio");
    action(ctx, "twilio", name, connection, props)
}

/// Text and/or HTML bodies by the node's format setting.
fn bodies(
    ctx: &mut Ctx<'_>,
    props: &mut Map<String, Value>,
    format: Option<&str>,
    text_key: &str,
    html_key: &str,
) {
    match format {
        Some("html") => put(props, "html", ctx.param(html_key)),
        Some("text") => put(props, "text", ctx.param(text_key)),
        _ => {
            put(props, "text", ctx.param(text_key));
            put(props, "html", ctx.param(html_key));
        }
    }
}

/// Gmail: send → `smtp.send_email` through Gmail's SMTP server.
pub(super) fn map_gmail(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource = node.str_param("resource", "message").to_owned();
    let operation = node.str_param("operation", "send").to_owned();
    if resource != "message" || operation != "send" {
        return ctx.placeholder(&format!(
            "the Gmail operation `{resource} / {operation}` has no action here"
        ));
    }
    let mut props = Map::new();
    let to = if node.param("sendTo").is_some() {
        ctx.param("sendTo")
    } else {
        node.param("toList").cloned().map(|v| ctx.prop("toList", &v))
    };
    require(ctx, &mut props, "to", to);
    let subject = ctx.param("subject");
    require(ctx, &mut props, "subject", subject);
    let email_type =
        node.str_param("emailType", if node.version >= 2.1 { "html" } else { "text" }).to_owned();
    if email_type == "html" {
        put(&mut props, "html", ctx.param("message"));
    } else {
        put(&mut props, "text", ctx.param("message"));
    }
    let options = node.obj_param("options");
    for (key, prop) in [("ccList", "cc"), ("bccList", "bcc"), ("replyTo", "reply_to")] {
        let v = ctx.nested(key, options.get(key));
        put(&mut props, prop, v);
    }
    if options.contains_key("senderName") {
        ctx.approx("The sender name is not kept: the smtp connection's default sender is used.");
    }
    ctx.approx(
        "Gmail is sent through SMTP: make the smtp connection for smtp.gmail.com, port 587 \
         (STARTTLS), with the Gmail address and an app password.",
    );
    let connection = ctx.connection("smtp");
    action(ctx, "smtp", "send_email", connection, props)
}

/// Send Email (SMTP) → `smtp.send_email`.
pub(super) fn map_email_send(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let operation = node.str_param("operation", "send").to_owned();
    if operation != "send" {
        return ctx
            .placeholder(&format!("the Send Email operation `{operation}` has no action here"));
    }
    let mut props = Map::new();
    let to = ctx.param("toEmail");
    require(ctx, &mut props, "to", to);
    let subject = ctx.param("subject");
    require(ctx, &mut props, "subject", subject);
    put(&mut props, "from", ctx.param("fromEmail"));
    let format = node.param("emailFormat").and_then(Value::as_str).map(str::to_owned);
    bodies(ctx, &mut props, format.as_deref(), "text", "html");
    let options = node.obj_param("options");
    for (key, prop) in [("ccEmail", "cc"), ("bccEmail", "bcc"), ("replyTo", "reply_to")] {
        let v = ctx.nested(key, options.get(key).or_else(|| node.param(key)));
        put(&mut props, prop, v);
    }
    if options.contains_key("attachments")
        || node.param("attachments").is_some_and(|a| a.as_str().is_some_and(|s| !s.is_empty()))
    {
        ctx.approx("Attachments are not sent (files are not supported).");
    }
    if options.get("allowUnauthorizedCerts").and_then(Value::as_bool) == Some(true) {
        ctx.approx("Accepting invalid TLS certificates is not supported.");
    }
    let connection = ctx.connection("smtp");
    action(ctx, "smtp", "send_email", connection, props)
}
