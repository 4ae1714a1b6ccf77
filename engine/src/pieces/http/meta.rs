//! The `http` piece's metadata: what the editor shows and the validator checks.

use serde_json::json;

use super::{PIECE_ID, REQUEST};
use crate::piece::{ActionMeta, AuthKind, PieceMeta, PropKind, PropMeta};
use crate::pieces::{Prop, svg_data_url};

/// The methods the `method` prop accepts.
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The piece's metadata.
pub fn meta() -> PieceMeta {
    PieceMeta {
        id: PIECE_ID.to_owned(),
        name: "HTTP".to_owned(),
        description:
            "Call any HTTP API: choose the method, URL, headers, query, body and authentication."
                .to_owned(),
        category: "Core".to_owned(),
        icon: Some(svg_data_url(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' \
             stroke='#0f766e' stroke-width='2'><circle cx='12' cy='12' r='10'/>\
             <path d='M2 12h20M12 2a15 15 0 0 1 0 20M12 2a15 15 0 0 0 0 20'/></svg>",
        )),
        // A connection for this piece holds an `auth` object's fields (`type`, `token`, …).
        auth: AuthKind::Custom,
        auth_fields: Vec::new(),
        auth_help: None,
        oauth2: None,
        docs_url: None,
        actions: vec![ActionMeta {
            name: REQUEST.to_owned(),
            label: "Send HTTP request".to_owned(),
            description:
                "Sends one HTTP request and returns the response's status, headers and body."
                    .to_owned(),
            props: props(),
            extra_props: false,
            internal: false,
            sample_output: Some(json!({
                "status": 200,
                "headers": { "content-type": "application/json; charset=utf-8" },
                "body": { "id": 123, "email": "ada@example.com" }
            })),
        }],
        triggers: Vec::new(),
    }
}

fn props() -> Vec<PropMeta> {
    let method_options: Vec<(&str, &str)> = METHODS.iter().map(|m| (*m, *m)).collect();
    vec![
        Prop::new("method", "Method", PropKind::Select)
            .help("The HTTP method.")
            .options(&method_options)
            .default(json!("GET"))
            .example(json!("POST"))
            .build(),
        Prop::new("url", "URL", PropKind::ShortText)
            .required()
            .help(
                "The full URL, starting with https:// or http://. Query parameters may be given \
                 here or in Query.",
            )
            .example(json!("https://api.example.com/v1/contacts"))
            .build(),
        Prop::new("headers", "Headers", PropKind::KeyValue)
            .help(
                "Request headers. A list as a value sends the header once per item. A Content-Type \
                 here replaces the one the body type sets.",
            )
            .example(json!({ "Accept": "application/json", "X-Api-Version": "2024-06-01" }))
            .build(),
        Prop::new("query", "Query parameters", PropKind::KeyValue)
            .help(
                "Added to the URL's query string (URL-encoded). Values may be text, numbers or \
                 true/false; a list repeats the parameter (`tag=a&tag=b`).",
            )
            .example(json!({ "limit": 50, "status": "active", "tag": ["lead", "qualified"] }))
            .build(),
        Prop::new("body_type", "Body type", PropKind::Select)
            .help(
                "How Body is sent: JSON (the default when a body is set), a form \
                 (application/x-www-form-urlencoded, from an object), raw text with Content type, \
                 or no body.",
            )
            .options(&[
                ("JSON", "json"),
                ("Form (URL-encoded)", "form"),
                ("Raw text", "raw"),
                ("None", "none"),
            ])
            .default(json!("json"))
            .example(json!("form"))
            .build(),
        Prop::new("body", "Body", PropKind::Json)
            .help(
                "The request body: any JSON value for JSON, an object of fields for a form, a \
                 string for raw.",
            )
            .example(json!({ "email": "ada@example.com", "tags": ["lead"] }))
            .build(),
        Prop::new("content_type", "Content type", PropKind::ShortText)
            .help("The Content-Type of a raw body.")
            .default(json!("text/plain"))
            .example(json!("application/xml"))
            .build(),
        Prop::new("auth", "Authentication", PropKind::Json)
            .help(
                "How the request authenticates: none, a bearer token, username and password, or \
                 a key in a header or the query string. When not set, the step's connection (same \
                 fields) is used.",
            )
            .example(json!({ "type": "bearer", "token": "YOUR_API_TOKEN" }))
            .secret()
            .variants(auth_variants())
            .build(),
        Prop::new("timeout_sec", "Timeout (seconds)", PropKind::Number)
            .help(
                "Give up after this many seconds (decimals allowed). The step's own timeout, if \
                 shorter, wins. Default: 30.",
            )
            .example(json!(10))
            .build(),
        Prop::new("response_format", "Response format", PropKind::Select)
            .help(
                "How the response body is returned: Auto (JSON when it is JSON, else text), JSON \
                 (fails if it is not), or Text. A body that is not UTF-8 text is returned as \
                 base64 with `body_encoding: \"base64\"`.",
            )
            .options(&[("Auto", "auto"), ("JSON", "json"), ("Text", "text")])
            .default(json!("auto"))
            .example(json!("json"))
            .build(),
        Prop::new("fail_on_error_status", "Fail on error status", PropKind::Boolean)
            .help(
                "Fail the step when the status is 400 or more (so retries apply to 429 and 5xx). \
                 Turn off to handle error responses in the flow.",
            )
            .default(json!(true))
            .example(json!(false))
            .build(),
        Prop::new("follow_redirects", "Follow redirects", PropKind::Boolean)
            .help(
                "Follow up to 10 redirects (credentials are dropped when a redirect leaves the \
                 host). Turn off to get the 3xx response itself.",
            )
            .default(json!(true))
            .example(json!(false))
            .build(),
        Prop::new("send_idempotency_key", "Send idempotency key", PropKind::Boolean)
            .help(
                "Send an Idempotency-Key header that stays the same when this step is retried in \
                 the same run, for APIs that support it (unless Headers already sets one).",
            )
            .default(json!(false))
            .example(json!(true))
            .build(),
    ]
}

/// The `auth` prop's shapes, for the editor's form.
fn auth_variants() -> Vec<(&'static str, &'static str, Vec<PropMeta>)> {
    let text =
        |name: &str, label: &str| Prop::new(name, label, PropKind::ShortText).required().build();
    let secret = |name: &str, label: &str| {
        Prop::new(name, label, PropKind::ShortText).required().secret().build()
    };
    vec![
        ("none", "None", vec![]),
        ("bearer", "Bearer token", vec![secret("token", "Token")]),
        (
            "basic",
            "Username and password",
            vec![text("username", "Username"), secret("password", "Password")],
        ),
        (
            "header",
            "A key in a header",
            vec![text("name", "Header name"), secret("value", "Value")],
        ),
        (
            "query",
            "A key in the query string",
            vec![text("name", "Parameter name"), secret("value", "Value")],
        ),
    ]
}
