//! HTTP Request (v1–v4) → `http.request`.

use serde_json::{Map, Value};

use super::{Ctx, action, put, require};

/// HTTP Request.
pub(super) fn map(ctx: &mut Ctx<'_>) -> Value {
    if ctx.node.version >= 3.0 && ctx.node.param("requestMethod").is_none() {
        v4(ctx)
    } else {
        legacy(ctx)
    }
}

/// `parameters: [{name, value}]` as a key/value prop.
fn pairs(ctx: &mut Ctx<'_>, list: Option<&Value>, what: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for p in list.and_then(Value::as_array).cloned().unwrap_or_default() {
        let Some(name) = p.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
            continue;
        };
        if p.get("parameterType").and_then(Value::as_str) == Some("formBinaryData") {
            ctx.approx(format!(
                "The binary {what} `{name}` is not sent (files are not supported)."
            ));
            continue;
        }
        let value = p.get("value").cloned().unwrap_or(Value::String(String::new()));
        let v = ctx.prop(&format!("{what} {name}"), &value);
        out.insert(name.to_owned(), v);
    }
    out
}

fn v4(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let mut props = Map::new();
    let m = method(ctx, "method");
    props.insert("method".into(), m);
    let url = ctx.param("url");
    require(ctx, &mut props, "url", url);
    if node.bool_param("sendQuery", false) {
        if node.str_param("specifyQuery", "keypair") == "json" {
            let raw = node.param("jsonQuery").cloned().unwrap_or(Value::Null);
            put(&mut props, "query", ctx.json_text("jsonQuery", &raw));
        } else {
            let q = pairs(
                ctx,
                node.param("queryParameters").and_then(|q| q.get("parameters")),
                "query",
            );
            props.insert("query".into(), Value::Object(q));
        }
    }
    if node.bool_param("sendHeaders", false) {
        if node.str_param("specifyHeaders", "keypair") == "json" {
            let raw = node.param("jsonHeaders").cloned().unwrap_or(Value::Null);
            put(&mut props, "headers", ctx.json_text("jsonHeaders", &raw));
        } else {
            let h = pairs(
                ctx,
                node.param("headerParameters").and_then(|q| q.get("parameters")),
                "header",
            );
            props.insert("headers".into(), Value::Object(h));
        }
    }
    if node.bool_param("sendBody", false) {
        let content = node.str_param("contentType", "json").to_owned();
        let specify = node.str_param("specifyBody", "keypair").to_owned();
        match content.as_str() {
            "json" | "form-urlencoded" | "multipart-form-data" => {
                let body = if specify == "json" {
                    let raw = node.param("jsonBody").cloned().unwrap_or(Value::Null);
                    ctx.json_text("jsonBody", &raw)
                } else if specify == "string" {
                    ctx.param("body")
                } else {
                    let p = pairs(
                        ctx,
                        node.param("bodyParameters").and_then(|q| q.get("parameters")),
                        "body field",
                    );
                    Some(Value::Object(p))
                };
                put(&mut props, "body", body);
                if content != "json" {
                    props.insert("body_type".into(), Value::String("form".into()));
                }
                if content == "multipart-form-data" {
                    ctx.approx("The multipart form is sent URL-encoded (multipart and files are not supported).");
                }
            }
            "raw" => {
                props.insert("body_type".into(), Value::String("raw".into()));
                put(&mut props, "body", ctx.param("body"));
                put(&mut props, "content_type", ctx.param("rawContentType"));
            }
            other => {
                ctx.disable = true;
                ctx.approx(format!(
                    "The `{other}` body (a file) cannot be sent; the step is disabled until the \
                     body is rebuilt."
                ));
            }
        }
    }
    auth(ctx, node.str_param("authentication", "none"));
    options(ctx, &mut props, &node.obj_param("options"));
    let connection = node.credential().map(|c| c.1.clone());
    let connection = connection.filter(|_| node.str_param("authentication", "none") != "none");
    action(ctx, "http", "request", connection, props)
}

fn legacy(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let mut props = Map::new();
    let m = method(ctx, "requestMethod");
    props.insert("method".into(), m);
    let url = ctx.param("url");
    require(ctx, &mut props, "url", url);
    let json_params = node.bool_param("jsonParameters", false);
    let options = node.obj_param("options");
    for (ui, json_key, prop, what) in [
        ("queryParametersUi", "queryParametersJson", "query", "query"),
        ("headerParametersUi", "headerParametersJson", "headers", "header"),
        ("bodyParametersUi", "bodyParametersJson", "body", "body field"),
    ] {
        let value = if json_params {
            let raw = node.param(json_key).cloned().unwrap_or(Value::Null);
            ctx.json_text(json_key, &raw)
        } else {
            let list = node.param(ui).and_then(|u| u.get("parameter")).cloned();
            let p = pairs(ctx, list.as_ref(), what);
            (!p.is_empty()).then_some(Value::Object(p))
        };
        put(&mut props, prop, value);
    }
    match options.get("bodyContentType").and_then(Value::as_str) {
        Some("form-urlencoded") | Some("multipart-form-data") => {
            props.insert("body_type".into(), Value::String("form".into()));
        }
        Some("raw") => {
            props.insert("body_type".into(), Value::String("raw".into()));
        }
        _ => {}
    }
    match node.str_param("responseFormat", "json") {
        "string" => {
            props.insert("response_format".into(), Value::String("text".into()));
        }
        "file" => ctx.approx("The response is not saved as a file; its body is returned as text."),
        _ => {}
    }
    auth(ctx, node.str_param("authentication", "none"));
    if let Some(ms) = options.get("timeout").and_then(Value::as_f64) {
        props.insert("timeout_sec".into(), num(ms / 1000.0));
    }
    if options.get("fullResponse").and_then(Value::as_bool) == Some(true) {
        ctx.note(
            "The full response is `{ status, headers, body }` (n8n: statusCode, headers, body).",
        );
    }
    let connection = node.credential().map(|c| c.1.clone());
    let connection = connection.filter(|_| node.str_param("authentication", "none") != "none");
    action(ctx, "http", "request", connection, props)
}

/// The HTTP method: a literal upper-cased (GET when absent), an expression translated.
fn method(ctx: &mut Ctx<'_>, param: &str) -> Value {
    match ctx.node.param(param).cloned() {
        Some(Value::String(s)) if s.starts_with('=') => ctx.prop(param, &Value::String(s)),
        Some(Value::String(s)) if !s.trim().is_empty() => Value::String(s.trim().to_uppercase()),
        _ => Value::String("GET".into()),
    }
}

fn num(n: f64) -> Value {
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// Authentication: n8n's credential becomes an http connection of the same name.
fn auth(ctx: &mut Ctx<'_>, mode: &str) {
    if mode == "none" {
        return;
    }
    let node = ctx.node;
    let Some((kind, name)) = node.credential().cloned() else {
        ctx.approx(format!(
            "The request used {mode} authentication without a credential; add one."
        ));
        return;
    };
    let shape = match kind.as_str() {
        "httpHeaderAuth" => Some("{\"type\": \"header\", \"name\": …, \"value\": …}"),
        "httpBasicAuth" => Some("{\"type\": \"basic\", \"username\": …, \"password\": …}"),
        "httpQueryAuth" => Some("{\"type\": \"query\", \"name\": …, \"value\": …}"),
        "httpBearerAuth" => Some("{\"type\": \"bearer\", \"token\": …}"),
        _ => None,
    };
    match shape {
        Some(shape) => ctx.note(format!(
            "Create an http connection named “{name}” with {shape} (it replaces the n8n \
             credential “{name}”)."
        )),
        None => ctx.approx(format!(
            "The n8n credential “{name}” ({kind}) is used through an http connection named \
             “{name}”: give it the token the service expects (e.g. {{\"type\": \"bearer\", \
             \"token\": …}}); OAuth flows and custom signing are not reproduced."
        )),
    }
}

fn options(ctx: &mut Ctx<'_>, props: &mut Map<String, Value>, options: &Map<String, Value>) {
    if let Some(ms) = options.get("timeout").and_then(Value::as_f64) {
        props.insert("timeout_sec".into(), num(ms / 1000.0));
    }
    let response = options.get("response").and_then(|r| r.get("response"));
    if let Some(r) = response {
        if r.get("neverError").and_then(Value::as_bool) == Some(true) {
            props.insert("fail_on_error_status".into(), Value::Bool(false));
        }
        match r.get("responseFormat").and_then(Value::as_str) {
            Some("text") => {
                props.insert("response_format".into(), Value::String("text".into()));
            }
            Some("json") => {
                props.insert("response_format".into(), Value::String("json".into()));
            }
            Some("file") => {
                ctx.approx("The response is not saved as a file; its body is returned as text.")
            }
            _ => {}
        }
        if r.get("fullResponse").and_then(Value::as_bool) == Some(true) {
            ctx.note("The full response is `{ status, headers, body }` (n8n: statusCode, headers, body).");
        }
    }
    if options
        .get("redirect")
        .and_then(|r| r.get("redirect"))
        .and_then(|r| r.get("followRedirects"))
        .and_then(Value::as_bool)
        == Some(false)
    {
        props.insert("follow_redirects".into(), Value::Bool(false));
    }
    for (key, what) in [
        ("batching", "request batching"),
        ("proxy", "the proxy"),
        ("allowUnauthorizedCerts", "accepting invalid certificates"),
        ("pagination", "pagination"),
    ] {
        if options.get(key).is_some_and(|v| v != &Value::Bool(false)) {
            ctx.approx(format!("The option for {what} is not kept."));
        }
    }
    ctx.note(
        "n8n gave the response body as the item (and split an array into items); here the \
         step's output is `{ status, headers, body }`, and expressions after it read `body`.",
    );
}
