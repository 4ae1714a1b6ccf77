//! OAuth2 connections end to end, through the real server and a local mock provider: custom
//! OAuth2 pieces loaded from `--pieces-dir`, the authorization code flow with PKCE (start →
//! consent URL, callback → token request → connection), tokens never returned by the API, steps
//! sending `Authorization: Bearer <token>`, refresh before expiry with one refresh for many
//! concurrent steps, a dead refresh token, the client credentials grant, and the refusals
//! (replayed or unknown state, provider errors, pieces that cannot start).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use switchboard_tests::{
    Server, TEST_API_KEY, TempDir, anonymous_client, binary, create_published, http_client,
};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ACME_CLIENT_ID: &str = "acme-client-id";
const ACME_CLIENT_SECRET: &str = "acme-client-SECRET-7f3c";
const BETA_CLIENT_ID: &str = "beta-client-id";
const BETA_CLIENT_SECRET: &str = "beta-client-SECRET-91ab";

/// An authorization code piece: PKCE, HTTP basic client auth, an extra consent parameter and a
/// kept answer field. Its endpoints are fake hosts; the server's environment moves the token
/// endpoint and the API to the mock provider.
fn acme_spec() -> Value {
    json!({
        "id": "acme", "name": "Acme", "description": "A test CRM.", "category": "CRM",
        "base_url": "https://api.acme.invalid/v1",
        "auth": {
            "kind": "oauth2",
            "oauth2": {
                "authorize_url": "https://login.acme.invalid/authorize",
                "token_url": "https://login.acme.invalid/oauth/token",
                "scopes": ["contacts.read", "contacts.write"],
                "pkce": true,
                "authorize_params": { "access_type": "offline" },
                "client_auth": "basic",
                "keep": ["instance_url"]
            },
            "headers": { "Authorization": "Bearer {{auth.access_token}}" },
            "example": { "access_token": "example-token" }
        },
        "actions": [me_action()]
    })
}

/// A client credentials piece, client auth in the body.
fn beta_spec() -> Value {
    json!({
        "id": "beta", "name": "Beta", "description": "A test reporting API.", "category": "Analytics",
        "base_url": "https://api.beta.invalid/v1",
        "auth": {
            "kind": "oauth2",
            "oauth2": {
                "grant": "client_credentials",
                "token_url": "https://auth.beta.invalid/token",
                "scopes": ["reports.read"]
            },
            "headers": { "Authorization": "Bearer {{auth.access_token}}" },
            "example": { "access_token": "example-token" }
        },
        "actions": [me_action()]
    })
}

/// An authorization code piece whose OAuth app this installation did not configure.
fn gamma_spec() -> Value {
    let mut spec = acme_spec();
    spec["id"] = json!("gamma");
    spec["name"] = json!("Gamma");
    spec
}

fn me_action() -> Value {
    json!({
        "name": "me", "label": "Who am I", "description": "The account the connection is for.",
        "request": { "method": "GET", "path": "/me" },
        "examples": [{
            "name": "me", "props": {},
            "request": { "method": "GET", "path": "/me" },
            "response": { "body": { "id": "u1" } },
            "output": { "id": "u1" }
        }]
    })
}

/// A server with the three test pieces, pointed at `provider`.
struct Setup {
    server: Server,
    provider: MockServer,
    _data: TempDir,
    _pieces: TempDir,
}

async fn setup(tag: &str) -> Setup {
    let provider = MockServer::start().await;
    let pieces = TempDir::new(&format!("{tag}-pieces"));
    pieces.write("acme.json", &acme_spec().to_string());
    pieces.write("beta.json", &beta_spec().to_string());
    pieces.write("gamma.json", &gamma_spec().to_string());
    let data = TempDir::new(tag);
    let uri = provider.uri();
    let pieces_dir = pieces.path().to_str().unwrap().to_owned();
    let env = [
        ("SWITCHBOARD_OAUTH2_ACME_CLIENT_ID", ACME_CLIENT_ID.to_owned()),
        ("SWITCHBOARD_OAUTH2_ACME_CLIENT_SECRET", ACME_CLIENT_SECRET.to_owned()),
        ("SWITCHBOARD_OAUTH2_ACME_TOKEN_URL", format!("{uri}/acme/oauth/token")),
        ("SWITCHBOARD_BASE_URL_ACME", format!("{uri}/acme/v1")),
        ("SWITCHBOARD_OAUTH2_BETA_CLIENT_ID", BETA_CLIENT_ID.to_owned()),
        ("SWITCHBOARD_OAUTH2_BETA_CLIENT_SECRET", BETA_CLIENT_SECRET.to_owned()),
        ("SWITCHBOARD_OAUTH2_BETA_TOKEN_URL", format!("{uri}/beta/token")),
        ("SWITCHBOARD_BASE_URL_BETA", format!("{uri}/beta/v1")),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(data.path(), &["--pieces-dir", &pieces_dir], &env);
    Setup { server, provider, _data: data, _pieces: pieces }
}

/// A flow whose one step calls `piece`'s `me` action with `connection`.
fn me_flow(piece: &str, connection: &str) -> Value {
    json!({
        "schema_version": 1, "name": format!("{piece} me"),
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [{ "id": "me", "type": "action", "piece": piece, "action": "me",
                    "connection": connection, "props": {} }],
        "edges": [{ "from": "hook", "to": "me" }]
    })
}

/// Runs the flow once through its synchronous webhook; returns the run record.
async fn run_once(client: &reqwest::Client, server: &Server, flow_id: &str) -> Value {
    let r: Value = client
        .post(server.at(&format!("/hooks/{flow_id}/sync")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_id = r["run_id"].as_str().unwrap_or_else(|| panic!("no run: {r}"));
    client
        .get(server.at(&format!("/api/v1/runs/{run_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The query parameters of a URL, as a map (each name once).
fn query(url: &str) -> serde_json::Map<String, Value> {
    let url = Url::parse(url).unwrap();
    let mut out = serde_json::Map::new();
    for (k, v) in url.query_pairs() {
        assert!(out.insert(k.to_string(), json!(v)).is_none(), "{k} twice in {url}");
    }
    out
}

/// A form body, as a map.
fn form(request: &Request) -> serde_json::Map<String, Value> {
    query(&format!("http://x/?{}", String::from_utf8_lossy(&request.body)))
}

/// The requests the provider got at `at`.
async fn requests_to(provider: &MockServer, at: &str) -> Vec<Request> {
    provider.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == at).collect()
}

/// `GET start` as the editor does (JSON); returns the consent URL's parameters.
async fn start(
    client: &reqwest::Client,
    server: &Server,
    name: &str,
) -> serde_json::Map<String, Value> {
    let r = client
        .get(server.at(&format!("/api/v1/oauth2/acme/start?name={name}")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let url = body["url"].as_str().unwrap();
    assert!(url.starts_with("https://login.acme.invalid/authorize?"), "{url}");
    query(url)
}

async fn callback(server: &Server, query: &str) -> (StatusCode, String) {
    // The provider redirects the browser: no API key, no session.
    let r = anonymous_client()
        .get(server.at(&format!("/api/v1/oauth2/callback?{query}")))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    (status, r.text().await.unwrap())
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "refresh_token": refresh, "expires_in": 3600,
        "token_type": "Bearer", "scope": "contacts.read contacts.write",
        "instance_url": "https://eu1.acme.invalid"
    }))
}

fn acme_basic_auth() -> String {
    format!("Basic {}", STANDARD.encode(format!("{ACME_CLIENT_ID}:{ACME_CLIENT_SECRET}")))
}

#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    let Setup { server, provider, _data, _pieces } = setup("oauth2-code").await;
    let client = http_client();
    const ACCESS: &str = "acme-ACCESS-SECRET-1111";
    const REFRESH: &str = "acme-REFRESH-SECRET-2222";
    Mock::given(method("POST"))
        .and(path("/acme/oauth/token"))
        .and(body_string_contains("code=code-1&"))
        .respond_with(token_answer(ACCESS, REFRESH))
        .mount(&provider)
        .await;
    Mock::given(method("POST"))
        .and(path("/acme/oauth/token"))
        .and(body_string_contains("code=code-2&"))
        .respond_with(token_answer("acme-ACCESS-SECRET-3333", "acme-REFRESH-SECRET-4444"))
        .mount(&provider)
        .await;
    Mock::given(method("POST"))
        .and(path("/acme/oauth/token"))
        .and(body_string_contains("code=bad-code&"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({ "error": "invalid_grant", "error_description": "Code expired." }),
        ))
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/acme/v1/me"))
        .and(header("authorization", format!("Bearer {ACCESS}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "u1" })))
        .expect(1)
        .mount(&provider)
        .await;

    // Start: the consent URL carries everything the provider needs.
    let redirect_uri = server.at("/api/v1/oauth2/callback");
    let consent = start(&client, &server, "acme-main").await;
    assert_eq!(consent["response_type"], "code");
    assert_eq!(consent["client_id"], ACME_CLIENT_ID);
    assert_eq!(consent["redirect_uri"], redirect_uri.as_str());
    assert_eq!(consent["scope"], "contacts.read contacts.write");
    assert_eq!(consent["code_challenge_method"], "S256");
    assert_eq!(consent["access_type"], "offline");
    let state = consent["state"].as_str().unwrap().to_owned();
    assert!(state.len() >= 43, "{state}");
    let challenge = consent["code_challenge"].as_str().unwrap().to_owned();
    assert_eq!(challenge.len(), 43);
    assert!(!consent.values().any(|v| v == ACME_CLIENT_SECRET));

    // Without `Accept: application/json`, a 302 to the same kind of URL, with a new state.
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = no_redirects
        .get(server.at("/api/v1/oauth2/acme/start?name=acme-main"))
        .bearer_auth(TEST_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://login.acme.invalid/authorize?"), "{location}");
    let second = query(location);
    assert_eq!(second["client_id"], ACME_CLIENT_ID);
    assert_ne!(second["state"], state.as_str());
    assert_ne!(second["code_challenge"], challenge.as_str());

    // Callback: the code is exchanged, and the connection saved.
    let (status, page) = callback(&server, &format!("code=code-1&state={state}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Connected to Acme. You can close this window."), "{page}");
    let marker = r#"{"type":"switchboard:oauth2","connection":""#;
    let at = page.find(marker).unwrap_or_else(|| panic!("no postMessage: {page}")) + marker.len();
    let connection_id = page[at..].split('"').next().unwrap().to_owned();
    assert!(page.contains("window.opener?.postMessage("), "{page}");
    for secret in [ACCESS, REFRESH, ACME_CLIENT_SECRET] {
        assert!(!page.contains(secret));
    }

    // The token request: the form fields, the PKCE verifier, the client in HTTP basic auth.
    let token_requests = requests_to(&provider, "/acme/oauth/token").await;
    assert_eq!(token_requests.len(), 1);
    let request = &token_requests[0];
    assert_eq!(request.headers["authorization"].to_str().unwrap(), acme_basic_auth());
    let fields = form(request);
    assert_eq!(fields["grant_type"], "authorization_code");
    assert_eq!(fields["code"], "code-1");
    assert_eq!(fields["redirect_uri"], redirect_uri.as_str());
    let verifier = fields["code_verifier"].as_str().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), challenge);
    assert!(fields.get("client_secret").is_none() && fields.get("client_id").is_none());

    // The API names the values, never shows them.
    let listed = client.get(server.at("/api/v1/connections")).send().await.unwrap();
    let listed: Value = listed.json().await.unwrap();
    let text = listed.to_string();
    for secret in [ACCESS, REFRESH, ACME_CLIENT_SECRET, ACME_CLIENT_ID] {
        assert!(!text.contains(secret), "{text}");
    }
    let ours: Vec<&Value> = listed["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "acme-main")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["id"], connection_id.as_str());
    assert_eq!(ours[0]["piece"], "acme");
    assert_eq!(
        ours[0]["fields"],
        json!([
            "access_token",
            "refresh_token",
            "expires_at",
            "token_type",
            "scope",
            "instance_url"
        ])
    );
    let one = client
        .get(server.at(&format!("/api/v1/connections/{connection_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!one.contains(ACCESS) && !one.contains(REFRESH), "{one}");

    // A step uses it: the token goes to the API, and nowhere into the run record.
    let flow = create_published(&client, &server, &me_flow("acme", "acme-main")).await;
    let run = run_once(&client, &server, &flow).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"]["me"]["output"], json!({ "id": "u1" }));
    assert!(!run.to_string().contains(ACCESS));

    // The same state cannot be used twice; unknown and missing states are refused.
    let (status, page) = callback(&server, &format!("code=code-1&state={state}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("unknown, was already used"), "{page}");
    for q in ["code=code-1&state=made-up-state", "code=code-1", ""] {
        let (status, page) = callback(&server, q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {page}");
    }
    assert_eq!(requests_to(&provider, "/acme/oauth/token").await.len(), 1, "no new token request");

    // The provider's refusal is shown, and it uses the state up.
    let refused = start(&client, &server, "acme-main").await;
    let state = refused["state"].as_str().unwrap();
    let (status, page) = callback(
        &server,
        &format!("error=access_denied&error_description=The+user+said+no&state={state}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Acme did not grant access: access_denied (The user said no)."),
        "{page}"
    );
    assert!(page.contains(r#""error":"#), "the opener is told: {page}");
    let (status, _) = callback(&server, &format!("code=code-1&state={state}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A code the token endpoint refuses.
    let bad = start(&client, &server, "acme-main").await;
    let (status, page) =
        callback(&server, &format!("code=bad-code&state={}", bad["state"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Acme refused the authorization code (invalid_grant: Code expired.)"),
        "{page}"
    );
    assert!(!page.contains(ACME_CLIENT_SECRET));

    // Reconnecting under the same name updates the connection rather than adding one.
    let again = start(&client, &server, "acme-main").await;
    let (status, page) =
        callback(&server, &format!("code=code-2&state={}", again["state"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&connection_id), "{page}");
    let listed: Value =
        client.get(server.at("/api/v1/connections")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["connections"].as_array().unwrap().len(), 1, "{listed}");
}

/// Creates an `acme` connection whose access token has expired.
async fn expired_connection(client: &reqwest::Client, server: &Server, name: &str, refresh: &str) {
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": name, "piece": "acme", "values": {
            "access_token": "acme-EXPIRED-TOKEN", "refresh_token": refresh,
            "expires_at": "2020-01-01T00:00:00Z"
        } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn concurrent_steps_share_one_refresh() {
    const STEPS: usize = 8;
    const FRESH: &str = "acme-FRESH-ACCESS-5555";
    let Setup { server, provider, _data, _pieces } = setup("oauth2-refresh").await;
    let client = http_client();
    Mock::given(method("POST"))
        .and(path("/acme/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=acme-REFRESH-OK"))
        .and(header("authorization", acme_basic_auth().as_str()))
        // Slow enough that every step arrives while the refresh is in flight.
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "access_token": FRESH, "expires_in": 3600 }))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/acme/v1/me"))
        .and(header("authorization", format!("Bearer {FRESH}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "u1" })))
        .mount(&provider)
        .await;
    expired_connection(&client, &server, "acme-shared", "acme-REFRESH-OK").await;
    let flow = create_published(&client, &server, &me_flow("acme", "acme-shared")).await;

    let runs =
        futures_util::future::join_all((0..STEPS).map(|_| run_once(&client, &server, &flow))).await;
    for run in &runs {
        assert_eq!(run["status"], "succeeded", "{run}");
    }
    let refreshes = requests_to(&provider, "/acme/oauth/token").await;
    assert_eq!(refreshes.len(), 1, "one refresh for {STEPS} concurrent steps");
    let fields = form(&refreshes[0]);
    assert_eq!(fields["grant_type"], "refresh_token");
    assert_eq!(fields["refresh_token"], "acme-REFRESH-OK");
    assert_eq!(requests_to(&provider, "/acme/v1/me").await.len(), STEPS);

    // The fresh token was stored: a later step does not refresh again, and the refresh token
    // the answer left out is kept.
    let run = run_once(&client, &server, &flow).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(requests_to(&provider, "/acme/oauth/token").await.len(), 1);
    let stored: Value = client
        .get(server.at("/api/v1/connections/acme-shared"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fields: Vec<&str> =
        stored["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(fields.contains(&"refresh_token") && fields.contains(&"expires_at"), "{stored}");
}

#[tokio::test]
async fn a_dead_refresh_token_asks_for_a_reconnect() {
    let Setup { server, provider, _data, _pieces } = setup("oauth2-dead").await;
    let client = http_client();
    Mock::given(method("POST"))
        .and(path("/acme/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Token has been expired or revoked."
        })))
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/acme/v1/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "u1" })))
        .expect(0)
        .mount(&provider)
        .await;
    expired_connection(&client, &server, "acme-dead", "acme-REFRESH-DEAD").await;
    let flow = create_published(&client, &server, &me_flow("acme", "acme-dead")).await;

    let run = run_once(&client, &server, &flow).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = &run["steps"]["me"]["error"];
    assert_eq!(error["kind"], "connection", "{run}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(
            "Acme connection `acme-dead` must be reconnected: the provider refused its refresh \
             token (invalid_grant)"
        ),
        "{message}"
    );
    assert!(!run.to_string().contains("acme-REFRESH-DEAD"), "{run}");

    // The editor's connection test says the same.
    let r = client.post(server.at("/api/v1/connections/acme-dead/test")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "connection_expired", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("must be reconnected"));
}

#[tokio::test]
async fn client_credentials_connections_fetch_their_own_tokens() {
    let Setup { server, provider, _data, _pieces } = setup("oauth2-cc").await;
    let client = http_client();
    // The first token is about to expire (30 s left), so the first step fetches another.
    Mock::given(method("POST"))
        .and(path("/beta/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": "beta-TOKEN-1111", "expires_in": 30, "token_type": "bearer" }),
        ))
        .up_to_n_times(1)
        .mount(&provider)
        .await;
    Mock::given(method("POST"))
        .and(path("/beta/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": "beta-TOKEN-2222", "expires_in": 3600, "token_type": "bearer" }),
        ))
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/beta/v1/me"))
        .and(header("authorization", "Bearer beta-TOKEN-2222"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "svc" })))
        .expect(1)
        .mount(&provider)
        .await;

    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "beta-main", "piece": "beta" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created = r.text().await.unwrap();
    assert!(!created.contains("beta-TOKEN") && !created.contains(BETA_CLIENT_SECRET), "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["fields"], json!(["access_token", "expires_at", "token_type"]));
    let tokens = requests_to(&provider, "/beta/token").await;
    assert_eq!(tokens.len(), 1);
    let fields = form(&tokens[0]);
    assert_eq!(
        serde_json::Value::Object(fields),
        json!({
            "grant_type": "client_credentials", "scope": "reports.read",
            "client_id": BETA_CLIENT_ID, "client_secret": BETA_CLIENT_SECRET
        })
    );
    assert!(tokens[0].headers.get("authorization").is_none());

    let flow = create_published(&client, &server, &me_flow("beta", "beta-main")).await;
    let run = run_once(&client, &server, &flow).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"]["me"]["output"], json!({ "id": "svc" }));
    let tokens = requests_to(&provider, "/beta/token").await;
    assert_eq!(tokens.len(), 2, "the expiring token was replaced");
    assert_eq!(form(&tokens[1])["grant_type"], "client_credentials");
}

#[tokio::test]
async fn start_refuses_what_cannot_be_connected() {
    let Setup { server, _data, _pieces, .. } = setup("oauth2-start").await;
    let client = http_client();
    let get = |piece: &str, name: &str| {
        let url = server.at(&format!("/api/v1/oauth2/{piece}/start?name={name}"));
        let client = client.clone();
        async move {
            let r = client.get(url).header("accept", "application/json").send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get("nope", "x").await;
    assert_eq!((status, &body["error"]["code"]), (StatusCode::NOT_FOUND, &json!("unknown_piece")));
    let (status, body) = get("http", "x").await;
    assert_eq!((status, &body["error"]["code"]), (StatusCode::BAD_REQUEST, &json!("not_oauth2")));
    let (status, body) = get("beta", "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "not_authorization_code");
    let (status, body) = get("gamma", "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "oauth2_not_configured");
    let message = body["error"]["message"].as_str().unwrap();
    for needle in [
        "SWITCHBOARD_OAUTH2_GAMMA_CLIENT_ID",
        "SWITCHBOARD_OAUTH2_GAMMA_CLIENT_SECRET",
        "/api/v1/oauth2/callback",
    ] {
        assert!(message.contains(needle), "{message}");
    }
    let (status, body) = get("acme", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_connection");

    // A name taken by another piece's connection.
    let r = client
        .post(server.at("/api/v1/connections"))
        .json(&json!({ "name": "taken", "piece": "http", "values": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (status, body) = get("acme", "taken").await;
    assert_eq!((status, &body["error"]["code"]), (StatusCode::CONFLICT, &json!("name_taken")));

    // The custom pieces are in the catalog, with their OAuth2 grant.
    let catalog: Value =
        client.get(server.at("/api/v1/pieces")).send().await.unwrap().json().await.unwrap();
    let acme = catalog["pieces"].as_array().unwrap().iter().find(|p| p["id"] == "acme").unwrap();
    assert_eq!(acme["auth"], "oauth2");
    assert_eq!(acme["oauth2"]["grant"], "authorization_code");
}

#[tokio::test]
async fn a_bad_piece_spec_stops_the_start() {
    let pieces = TempDir::new("oauth2-bad-pieces");
    pieces.write("broken.json", r#"{ "id": "broken", "name": "Broken" }"#);
    let data = TempDir::new("oauth2-bad-data");
    let mut child = std::process::Command::new(binary())
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data.path())
        .arg("--pieces-dir")
        .arg(pieces.path())
        .env("SWITCHBOARD_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started with a broken piece spec");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    assert!(!status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.json"), "{stderr}");
}
