//! The small pages the browser shows at the end of an authorization (the provider redirected it
//! to the callback, usually in a popup the editor opened). Each one tells the opener what
//! happened with `postMessage({type: "switchboard:oauth2", connection | error}, "*")`; the
//! message carries a connection id or an error text, never a secret.
//!
//! The pages are not cached and send no referrer (the callback URL holds the code).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// "Connected to <Piece>. You can close this window."
pub fn connected(piece_name: &str, connection_id: &str) -> Response {
    page(
        StatusCode::OK,
        &format!("Connected to {piece_name}"),
        &format!("Connected to {piece_name}. You can close this window."),
        &json!({ "type": "switchboard:oauth2", "connection": connection_id }),
    )
}

/// A failure: what went wrong, in words, with a 4xx/5xx status.
pub fn failed(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Connection failed",
        &format!("{message} You can close this window."),
        &json!({ "type": "switchboard:oauth2", "error": message }),
    )
}

fn page(status: StatusCode, title: &str, text: &str, message: &Value) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title} · Switchboard</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;\
         padding:0 1rem;color:#222}}</style></head>\n<body><p>{text}</p>\n\
         <script>window.opener?.postMessage({message}, \"*\");</script></body></html>\n",
        title = escape_html(title),
        text = escape_html(text),
        message = script_json(message),
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Text safe inside HTML elements and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON safe inside a `<script>` element (no `</script>`, no `<!--`, no line separators).
fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_success_page_tells_the_opener() {
        let r = connected("Acme <Corp>", "c-1");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let text = body(r).await;
        assert!(text.contains("Connected to Acme &lt;Corp&gt;. You can close this window."));
        assert!(text.contains(
            r#"window.opener?.postMessage({"type":"switchboard:oauth2","connection":"c-1"}, "*")"#
        ));
    }

    #[tokio::test]
    async fn failures_cannot_inject_markup() {
        let r = failed(StatusCode::BAD_REQUEST, "bad </script><script>alert(1)</script>");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let text = body(r).await;
        assert_eq!(text.matches("<script>").count(), 1, "{text}");
        assert!(text.contains("bad &lt;/script&gt;"));
    }
}
