//! The editor is served by the binary itself: `/` and every route of the app give
//! `index.html`, its hashed assets are served with their types and cached for good, and the API
//! keeps answering JSON 404s for what does not exist.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_tests::{Server, TempDir, anonymous_client};

#[tokio::test]
async fn the_binary_serves_the_editor_and_its_assets() {
    let dir = TempDir::new("editor-bundle");
    let server = Server::start(dir.path(), &[], &[]);
    let http = anonymous_client();

    let index = http.get(server.at("/")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert!(index.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let etag = index.headers()["etag"].to_str().unwrap().to_owned();
    let html = index.text().await.unwrap();

    // The app's own routes load the same page (the browser routes).
    let route = http.get(server.at("/flows/some-flow-id")).send().await.unwrap();
    assert_eq!(route.status(), StatusCode::OK);
    assert_eq!(route.text().await.unwrap(), html);

    // Unchanged: 304.
    let again = http.get(server.at("/")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Every script and stylesheet the page names is served, typed and immutable.
    let assets: Vec<&str> = html.split(['"', '\'']).filter(|s| s.starts_with("/assets/")).collect();
    assert!(!assets.is_empty(), "index.html names no assets: {html}");
    for asset in assets {
        let r = http.get(server.at(asset)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        if asset.ends_with(".js") {
            assert!(kind.contains("javascript"), "{asset}: {kind}");
        } else if asset.ends_with(".css") {
            assert!(kind.starts_with("text/css"), "{asset}: {kind}");
        }
        assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    }

    // A missing asset is a 404, not the page; API paths keep their JSON errors.
    let missing = http.get(server.at("/assets/no-such-file.js")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    for (method, path) in
        [("GET", "/api/v1/no-such-thing"), ("POST", "/hooks/x/y/z"), ("POST", "/flows")]
    {
        let r = http.request(method.parse().unwrap(), server.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "not_found", "{method} {path}: {e}");
    }
}
