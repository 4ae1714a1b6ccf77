//! ActivePieces piece actions → our steps: the dispatcher, and ActivePieces' core pieces (HTTP,
//! webhook response, delay, approval, data mapper, text helper), which become our built-in step
//! types. Vendor pieces are in [`super::crm`] and [`super::messaging`].

use serde_json::{Map, Value, json};

use super::crm;
use super::expressions::has_template;
use super::input::Input;
use super::messaging;
use super::scope::Shape;

/// What a piece action became.
#[derive(Debug)]
pub(super) struct Mapping {
    /// `type` and the type's fields (`piece`, `action`, `props` for actions).
    pub fields: Map<String, Value>,
    /// How the output compares with ActivePieces'.
    pub shape: Shape,
    /// Our piece whose connection the step needs (actions of pieces with auth).
    pub auth_piece: Option<&'static str>,
    /// Failures do not fail the run (HTTP's "no error on failure").
    pub continue_on_error: bool,
    /// ActivePieces ends the run after this step (return response).
    pub ends_run: bool,
}

impl Mapping {
    /// An action step of `piece` that authenticates with a connection.
    pub fn action(
        piece: &'static str,
        action: &str,
        props: Map<String, Value>,
        shape: Shape,
    ) -> Self {
        let mut fields = Map::new();
        fields.insert("type".into(), json!("action"));
        fields.insert("piece".into(), json!(piece));
        fields.insert("action".into(), json!(action));
        fields.insert("props".into(), Value::Object(props));
        let auth_piece = (!matches!(piece, "http" | "zapier" | "make" | "n8n")).then_some(piece);
        Self { fields, shape, auth_piece, continue_on_error: false, ends_run: false }
    }

    /// A built-in step of another type (`respond`, `delay`, `set`, `wait`).
    pub fn builtin(fields: Value, shape: Shape) -> Self {
        let fields = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Self { fields, shape, auth_piece: None, continue_on_error: false, ends_run: false }
    }
}

/// Maps `action` of `piece` (`@activepieces/piece-slack`), or `None` when there is no equivalent.
pub(super) fn map(piece: &str, action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let short = piece.strip_prefix("@activepieces/piece-").unwrap_or(piece);
    match short {
        "http" if action == "send_request" => Some(http(inp)),
        "http" | "webhook" if action == "return_response" => Some(respond(inp)),
        "delay" => delay(action, inp),
        "approval" if action == "wait_for_approval" => Some(approval(inp)),
        "data-mapper" if action == "advanced_mapping" => Some(data_mapper(inp)),
        "text-helper" if action == "concat" => Some(concat(inp)),
        "hubspot" => crm::hubspot(action, inp),
        "google-sheets" => crm::google_sheets(action, inp),
        "airtable" => crm::airtable(action, inp),
        "pipedrive" => crm::pipedrive(action, inp),
        "salesforce" => crm::salesforce(action, inp),
        "mailchimp" => crm::mailchimp(action, inp),
        "slack" => messaging::slack(action, inp),
        "discord" => messaging::discord(action, inp),
        "microsoft-teams" => messaging::teams(action, inp),
        "twilio" => messaging::twilio(action, inp),
        "sendgrid" => messaging::sendgrid(action, inp),
        "smtp" => messaging::smtp(action, inp),
        "gmail" => messaging::gmail(action, inp),
        "resend" => messaging::resend(action, inp),
        "postmark" => messaging::postmark(action, inp),
        _ => None,
    }
}

/// A JSON body given as text (ActivePieces' JSON property may hold either): parsed when it is
/// JSON, templates inside strings included.
fn json_body(raw: &Value) -> Value {
    match raw {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| raw.clone()),
        other => other.clone(),
    }
}

/// `send_request` → our `http` `request`.
fn http(inp: &mut Input<'_>) -> Mapping {
    let mut props = Map::new();
    if let Some(m) = inp.raw(&["method"]) {
        props.insert("method".into(), json!(m.as_str().unwrap_or("GET").to_uppercase()));
    }
    inp.require(&mut props, &["url"], "url");
    if let Some(h) = inp.get(&["headers"], "headers").filter(non_empty_object) {
        props.insert("headers".into(), h);
    }
    if let Some(q) = inp.get(&["queryParams", "query_params"], "query").filter(non_empty_object) {
        props.insert("query".into(), q);
    }
    let body_type = inp.raw(&["body_type"]).and_then(Value::as_str).unwrap_or("none");
    let data = inp.raw(&["body"]).map(|b| b.get("data").unwrap_or(b).clone());
    match (body_type, data) {
        ("json", Some(d)) => {
            let parsed = json_body(&d);
            if parsed.is_string() && has_template(parsed.as_str().unwrap_or_default()) {
                inp.f.approx(
                    "`body`: the JSON body is text with templates outside strings; it is sent as \
                     a JSON string: rewrite it as a JSON object",
                );
            }
            let body = inp.translate(&parsed, "body");
            props.insert("body".into(), body);
        }
        ("form_data", Some(d)) => {
            props.insert("body_type".into(), json!("form"));
            let body = inp.translate(&d, "body");
            props.insert("body".into(), body);
            inp.f.note("form data is sent URL-encoded (ActivePieces sends multipart)");
        }
        ("raw", Some(d)) => {
            props.insert("body_type".into(), json!("raw"));
            let body = inp.translate(&d, "body");
            props.insert("body".into(), body);
        }
        _ => {}
    }
    let auth_type =
        inp.raw(&["authType", "authentication"]).and_then(Value::as_str).unwrap_or("NONE");
    let fields = inp.raw(&["authFields"]).cloned().unwrap_or(Value::Null);
    let field = |k: &str| fields.get(k).cloned().unwrap_or(json!(""));
    let auth = match auth_type {
        "BEARER_TOKEN" => Some(json!({ "type": "bearer", "token": field("token") })),
        "BASIC" => Some(
            json!({ "type": "basic", "username": field("username"), "password": field("password") }),
        ),
        _ => None,
    };
    if let Some(auth) = auth {
        let auth = inp.translate(&auth, "auth");
        props.insert("auth".into(), auth);
        inp.f.note("the request's credentials are in the step's `auth` prop; consider an HTTP connection instead");
    }
    if let Some(t) = inp.raw(&["timeout"]).and_then(Value::as_f64) {
        props.insert("timeout_sec".into(), json!(t));
    }
    let failsafe = inp.raw(&["failsafe"]).and_then(Value::as_bool).unwrap_or(false);
    if inp.raw(&["use_proxy"]).and_then(Value::as_bool).unwrap_or(false) {
        inp.f.approx("the request went through a proxy in ActivePieces; here it is sent directly");
    }
    inp.skip(&["proxy_settings", "body_type"]);
    inp.finish("our HTTP request");
    let mut m = Mapping::action("http", "request", props, Shape::Same);
    if failsafe {
        m.continue_on_error = true;
        failsafe_shape(&mut m);
    }
    m
}

/// "No error on failure" becomes `on_error: continue`; the output is then `{ error }` rather than
/// ActivePieces' error message.
fn failsafe_shape(m: &mut Mapping) {
    m.shape = Shape::Differs(
        "after a failure (\"no error on failure\") the output is `{ error }`".into(),
    );
}

fn non_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(|o| !o.is_empty())
}

/// `return_response` → `respond`. Both the current form (`responseType` + `body: { status,
/// headers, data }`) and the older one (`status`, `headers`, `body_type`, `body: { data }`).
fn respond(inp: &mut Input<'_>) -> Mapping {
    let body_obj = inp.raw(&["body"]).cloned();
    let nested = |k: &str| body_obj.as_ref().and_then(|b| b.get(k)).cloned();
    let kind = inp
        .raw(&["responseType", "body_type"])
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_string();
    let status_raw = nested("status").or_else(|| inp.raw(&["status"]).cloned());
    let headers_raw = nested("headers").or_else(|| inp.raw(&["headers"]).cloned());
    let data = nested("data");
    let mut status = 200u16;
    match &status_raw {
        Some(Value::Number(n)) => {
            status = n.as_u64().and_then(|n| u16::try_from(n).ok()).unwrap_or(200)
        }
        Some(Value::String(s)) if s.trim().parse::<u16>().is_ok() => {
            status = s.trim().parse().unwrap_or(200);
        }
        Some(Value::String(s)) if !s.is_empty() => inp.f.approx(format!(
            "`status` `{s}` is computed in ActivePieces; ours is a fixed number (200): set it"
        )),
        _ => {}
    }
    let mut headers = headers_raw
        .filter(non_empty_object)
        .map(|h| inp.translate(&h, "headers"))
        .unwrap_or_else(|| json!({}));
    let body = match (kind.as_str(), data) {
        ("redirect", Some(url)) => {
            status = 302;
            let url = inp.translate(&url, "Location");
            if let Some(h) = headers.as_object_mut() {
                h.insert("Location".into(), url);
            }
            Value::Null
        }
        ("raw", Some(d)) => inp.translate(&d, "body"),
        (_, Some(d)) => {
            let parsed = json_body(&d);
            inp.translate(&parsed, "body")
        }
        (_, None) => Value::Null,
    };
    let ends_run = inp.raw(&["respond"]).and_then(Value::as_str) != Some("respond");
    inp.f.note("a caller gets this response from the flow's /sync webhook URL");
    inp.finish("our respond step");
    let mut m = Mapping::builtin(
        json!({ "type": "respond", "status": status, "headers": headers, "body": body }),
        Shape::Differs("our respond step returns the response sent".into()),
    );
    m.ends_run = ends_run;
    m
}

/// `delayFor` / `delay_until` → `delay`.
fn delay(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let shape = || Shape::Differs("our delay step returns `{ resumed_at }`".into());
    match action {
        "delayFor" | "delay_for" | "delay-for" => {
            let unit =
                inp.raw(&["unit"]).and_then(Value::as_str).unwrap_or("seconds").to_lowercase();
            let suffix = match unit.as_str() {
                "minutes" | "minute" => "m",
                "hours" | "hour" => "h",
                "days" | "day" => "d",
                _ => "s",
            };
            let amount = match inp.raw(&["delayFor", "delay_for"]) {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let duration = match amount {
                Some(n) if n >= 0.0 => format!("{}{suffix}", n.round()),
                _ => {
                    inp.f.blocker(
                        "the delay's length is computed in ActivePieces; ours is a fixed duration \
                         (1 minute here): set it",
                    );
                    "1m".to_string()
                }
            };
            inp.finish("our delay step");
            Some(Mapping::builtin(json!({ "type": "delay", "duration": duration }), shape()))
        }
        "delay_until" | "delayUntil" | "delay-until" => {
            let until = match inp.get(&["delayUntilTimestamp", "delay_until_timestamp"], "until") {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => {
                    inp.f.blocker("`until` is empty in the export: set it and enable the step");
                    "(set me)".to_string()
                }
            };
            inp.finish("our delay step");
            Some(Mapping::builtin(json!({ "type": "delay", "until": until }), shape()))
        }
        _ => None,
    }
}

/// `wait_for_approval` → `wait`.
fn approval(inp: &mut Input<'_>) -> Mapping {
    inp.f.approx(
        "the run pauses until its resume URL (`run.resume_url`) is called; send the approval \
         link yourself (e.g. in a message before this step): the output is the body posted \
         there, not ActivePieces' `{ approved }`",
    );
    inp.finish("our wait step");
    Mapping::builtin(
        json!({ "type": "wait" }),
        Shape::Differs("our wait step returns the body posted to the resume URL".into()),
    )
}

/// `advanced_mapping` → `set` with the same object.
fn data_mapper(inp: &mut Input<'_>) -> Mapping {
    let values = match inp.get(&["mapping"], "mapping") {
        Some(Value::Object(m)) => Value::Object(m),
        Some(other) => {
            inp.f.approx("the mapping is not an object; it is kept under `value`");
            json!({ "value": other })
        }
        None => json!({}),
    };
    inp.finish("our set step");
    Mapping::builtin(json!({ "type": "set", "values": values }), Shape::Same)
}

/// Text helper `concat` → `set { result }` (references to it read `result`).
fn concat(inp: &mut Input<'_>) -> Mapping {
    let separator = inp.raw(&["separator"]).and_then(Value::as_str).unwrap_or("").to_string();
    let texts = inp.raw(&["texts"]).cloned().unwrap_or(json!([]));
    let mut parts = Vec::new();
    for (i, t) in texts.as_array().map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
        let translated = inp.translate(t, &format!("texts[{i}]"));
        parts.push(match translated {
            Value::String(s) => s,
            other => other.to_string(),
        });
    }
    let separator = super::expressions::escape_braces(&separator);
    inp.finish("our set step");
    Mapping::builtin(
        json!({ "type": "set", "values": { "result": parts.join(&separator) } }),
        Shape::Prefix("result"),
    )
}
