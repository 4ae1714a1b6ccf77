//! The browser editor: the built bundle of `web/` (`web/dist`, committed), embedded in the
//! binary and served at `/`, so the binary alone gives the editor. Paths the bundle does not
//! have fall back to `index.html` (the app routes in the browser), except under `/api/` and
//! `/hooks/`, which answer a JSON 404 like the rest of the API.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::secrets::hex_encode;

/// The files of `web/dist` (read from disk in debug builds, embedded in release builds).
#[derive(rust_embed::RustEmbed)]
#[folder = "../web/dist"]
struct Bundle;

const INDEX: &str = "index.html";

/// Serves a bundle file, `index.html` for the app's own routes, or the API's 404.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let api = ["/api/", "/hooks/"].iter().any(|p| path.starts_with(p)) || path == "/api";
    if api || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::not_found("not_found", format!("no route for {method} {path}"))
            .into_response();
    }
    let wanted = path.trim_start_matches('/');
    let (name, file) = match Bundle::get(wanted).filter(|_| !wanted.is_empty()) {
        Some(file) => (wanted, file),
        // A missing hashed asset is a real 404: answering index.html would hand the browser
        // HTML for a script.
        None if wanted.starts_with("assets/") => {
            return (StatusCode::NOT_FOUND, "no such file in the editor bundle").into_response();
        }
        None => match Bundle::get(INDEX) {
            Some(file) => (INDEX, file),
            None => {
                return (
                    StatusCode::NOT_FOUND,
                    "the editor bundle is missing: build it with `npm run build` in web/",
                )
                    .into_response();
            }
        },
    };
    let etag = format!("\"{}\"", hex_encode(&file.metadata.sha256_hash()[..16]));
    let cache = if name.starts_with("assets/") {
        // Vite names assets by their content hash: they never change under the same name.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response_headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(file.metadata.mimetype()) {
        response_headers.insert(header::CONTENT_TYPE, v);
    }
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, v);
    }
    response_headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }
    (StatusCode::OK, response_headers, file.data.into_owned()).into_response()
}
