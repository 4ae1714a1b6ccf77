#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::template::{Scope, Template};
use super::{PieceSpec, SpecError};

fn render(template: serde_json::Value, props: serde_json::Value) -> Option<serde_json::Value> {
    let auth = json!({ "token": "t0k" });
    let scope = Scope::new().with("props", &props).with("auth", &auth);
    Template::compile(&template).unwrap().render(&scope).unwrap()
}

#[test]
fn a_lone_placeholder_keeps_its_type_and_absent_values_drop_their_key() {
    let t = json!({ "to": "{{props.to}}", "tags": "{{ props.tags }}", "cc": "{{props.cc}}", "n": "{{props.n}}" });
    let out = render(t, json!({ "to": "a@b.c", "tags": ["x", "y"], "cc": null, "n": 0 }));
    assert_eq!(out, Some(json!({ "to": "a@b.c", "tags": ["x", "y"], "n": 0 })));
}

#[test]
fn empty_strings_are_absent_but_false_is_sent() {
    let out =
        render(json!({ "a": "{{props.a}}", "b": "{{props.b}}" }), json!({ "a": "", "b": false }));
    assert_eq!(out, Some(json!({ "b": false })));
}

#[test]
fn text_interpolates_and_missing_values_read_as_empty() {
    let out = render(json!("Bearer {{auth.token}} / {{props.missing}}!"), json!({}));
    assert_eq!(out, Some(json!("Bearer t0k / !")));
}

#[test]
fn filters_convert() {
    let props = json!({ "blocks": [{ "type": "divider" }], "n": "42", "tags": ["a", "b"] });
    assert_eq!(
        render(json!("{{props.blocks | json}}"), props.clone()),
        Some(json!("[{\"type\":\"divider\"}]"))
    );
    assert_eq!(render(json!("{{props.n | number}}"), props.clone()), Some(json!(42)));
    assert_eq!(render(json!("{{props.tags | join}}"), props.clone()), Some(json!("a,b")));
    assert_eq!(render(json!("{{props.tags | join: ; }}"), props.clone()), Some(json!("a;b")));
    assert_eq!(render(json!("{{props.tags | join:\"; \"}}"), props), Some(json!("a; b")));
}

#[test]
fn if_and_merge() {
    let t = json!({
        "associations": { "$if": "props.contact", "then": [{ "to": { "id": "{{props.contact}}" } }], "else": [] },
        "properties": { "$merge": [{ "email": "{{props.email}}" }, "{{props.custom}}"] }
    });
    let with = render(
        t.clone(),
        json!({ "contact": "12", "email": "a@b.c", "custom": { "city": "Berlin", "email": "x@y.z" } }),
    );
    assert_eq!(
        with,
        Some(
            json!({ "associations": [{ "to": { "id": "12" } }], "properties": { "email": "x@y.z", "city": "Berlin" } })
        )
    );
    let without = render(t, json!({ "email": "a@b.c" }));
    assert_eq!(without, Some(json!({ "associations": [], "properties": { "email": "a@b.c" } })));
}

#[test]
fn paths_read_indexes_and_quoted_keys() {
    let props = json!({ "rows": [{ "odd key": 7 }] });
    assert_eq!(render(json!("{{ props.rows[0][\"odd key\"] }}"), props), Some(json!(7)));
}

#[test]
fn bad_templates_say_where() {
    let errors =
        Template::compile(&json!({ "a": { "b": "{{ props.x | shout }}" }, "c": "{{ oops" }))
            .unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.at, e.message)).collect();
    assert!(
        text.iter().any(|t| t.starts_with("a.b:") && t.contains("unknown filter `shout`")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("c:") && t.contains("not closed")), "{text:?}");
}

fn spec_with(action: serde_json::Value) -> String {
    json!({
        "id": "acme", "name": "Acme", "description": "d", "category": "CRM",
        "base_url": "https://api.acme.test/v1",
        "auth": { "kind": "api_key", "fields": [{ "name": "key", "label": "Key", "kind": "short_text", "secret": true }],
                  "headers": { "X-Key": "{{auth.key}}" }, "example": { "key": "k" } },
        "actions": [action]
    })
    .to_string()
}

fn problems(text: &str) -> Vec<String> {
    let spec = PieceSpec::parse("acme.json", text).unwrap();
    match super::SpecPiece::new(spec, Default::default(), Default::default()) {
        Err(SpecError::Invalid { problems, .. }) => problems,
        Err(e) => panic!("{e}"),
        Ok(_) => Vec::new(),
    }
}

#[test]
fn specs_only_read_declared_props_and_connection_fields() {
    let text = spec_with(json!({
        "name": "create", "label": "Create", "description": "d",
        "props": [{ "name": "email", "label": "Email", "kind": "short_text", "required": true }],
        "request": { "method": "POST", "path": "/contacts/{{props.id}}", "body": { "email": "{{props.emial}}", "k": "{{auth.secret}}", "t": "{{trigger.x}}" } },
        "examples": [{ "name": "e", "props": { "email": "a@b.c", "nope": 1 }, "request": { "method": "POST", "path": "/contacts" }, "response": {} }]
    }));
    let p = problems(&text);
    let has = |s: &str| p.iter().any(|x| x.contains(s));
    assert!(has("actions[0].request.path: `props.id`: there is no prop `id`"), "{p:#?}");
    assert!(has("actions[0].request.body: `props.emial`: there is no prop `emial`"), "{p:#?}");
    assert!(has("`auth.secret`: there is no connection field `secret`"), "{p:#?}");
    assert!(has("`trigger.x` reads `trigger`"), "{p:#?}");
    assert!(has("actions[0].examples[0].props.nope: there is no prop `nope`"), "{p:#?}");
}

#[test]
fn every_action_needs_an_example_and_a_request() {
    let text = spec_with(json!({ "name": "x", "label": "X", "description": "d", "examples": [] }));
    let p = problems(&text);
    assert!(p.iter().any(|x| x.contains("at least one example")), "{p:#?}");
    assert!(p.iter().any(|x| x.contains("request: missing")), "{p:#?}");
}

#[test]
fn a_typo_in_a_spec_file_names_its_path_and_line() {
    let text = "{\n  \"id\": \"acme\",\n  \"nmae\": \"Acme\"\n}";
    let e = PieceSpec::parse("acme.json", text).unwrap_err();
    let SpecError::Parse { path, line, message, .. } = e else { panic!() };
    assert_eq!(line, 3);
    assert!(message.contains("unknown field `nmae`"), "{message} at {path}");
}

#[test]
fn map_renders_each_element_and_if_compares() {
    let t = json!({
        "to": { "$map": "props.to", "to": { "email": "{{item}}" } },
        "pin": { "$if": "props.pin", "equals": "deal", "then": true },
        "status": { "$if": "props.active", "then": "active", "else": "inactive" }
    });
    let out = render(t.clone(), json!({ "to": ["a@b.c", "d@e.f"], "pin": "deal", "active": true }));
    assert_eq!(
        out,
        Some(
            json!({ "to": [{ "email": "a@b.c" }, { "email": "d@e.f" }], "pin": true, "status": "active" })
        )
    );
    let out = render(t, json!({ "pin": "person" }));
    assert_eq!(out, Some(json!({ "status": "inactive" })));
}

mod requests {
    use serde_json::{Value, json};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::piece::spec::{PieceSpec, SpecPiece};
    use crate::piece::{ActionContext, Connection, HttpClient, HttpConfig, Piece};

    fn piece(spec: Value) -> SpecPiece {
        let spec = PieceSpec::parse("t.json", &spec.to_string()).unwrap();
        SpecPiece::new(spec, Default::default(), Default::default()).unwrap()
    }

    fn ctx(values: Value, overrides: &[(&str, &str)]) -> ActionContext {
        let mut config = HttpConfig::default();
        for (k, v) in overrides {
            config.base_url_overrides.insert((*k).into(), (*v).into());
        }
        ActionContext {
            run_id: "r".into(),
            step_path: "s".into(),
            idempotency_key: "r:s".into(),
            attempt: 1,
            connection: Some(Connection {
                id: "c".into(),
                name: "c".into(),
                piece: "acme".into(),
                values: values.as_object().cloned().unwrap_or_default(),
            }),
            http: HttpClient::new(config).unwrap(),
            timeout: None,
        }
    }

    fn spec(base_url: &str, request: Value) -> Value {
        json!({
            "id": "acme", "name": "Acme", "description": "d", "category": "c",
            "base_url": base_url,
            "auth": { "kind": "custom",
                      "fields": [{ "name": "prefix", "label": "P", "kind": "short_text" },
                                 { "name": "instance_url", "label": "I", "kind": "short_text" },
                                 { "name": "key", "label": "K", "kind": "short_text", "secret": true }],
                      "headers": { "X-Key": "{{auth.key}}" },
                      "example": { "key": "k" } },
            "custom_api_call": false,
            "actions": [{ "name": "go", "label": "Go", "description": "d",
                          "props": [{ "name": "url", "label": "U", "kind": "short_text" }],
                          "request": request,
                          "examples": [{ "name": "e", "props": {}, "request": { "method": "GET", "path": "/" }, "response": {} }] }]
        })
    }

    #[tokio::test]
    async fn a_connection_value_cannot_move_the_api_host() {
        let p = piece(spec(
            "https://{{auth.prefix}}.api.acme.test/3.0",
            json!({ "method": "GET", "path": "/ping" }),
        ));
        let action = p.action("go").unwrap();
        let e = action
            .run(&ctx(json!({ "prefix": "evil.com/x#", "key": "k" }), &[]), json!({}))
            .await
            .unwrap_err();
        assert!(e.message.contains("must be letters, digits"), "{}", e.message);

        let p = piece(spec(
            "{{auth.instance_url}}/services",
            json!({ "method": "GET", "path": "/ping" }),
        ));
        let action = p.action("go").unwrap();
        let e = action
            .run(
                &ctx(json!({ "instance_url": "https://user:pw@evil.test", "key": "k" }), &[]),
                json!({}),
            )
            .await
            .unwrap_err();
        assert!(e.message.contains("plain https://"), "{}", e.message);
    }

    #[tokio::test]
    async fn url_requests_stay_on_their_hosts_and_custom_calls_can_be_off() {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        let p = piece(spec(
            "https://api.acme.test",
            json!({ "method": "POST", "url": "{{props.url}}", "url_hosts": ["*.acme.test"] }),
        ));
        assert!(p.action("custom_api_call").is_none());
        assert!(p.meta().action("custom_api_call").is_none());
        let action = p.action("go").unwrap();
        let e = action
            .run(&ctx(json!({ "key": "k" }), &[]), json!({ "url": "https://elsewhere.test/hook" }))
            .await
            .unwrap_err();
        assert!(
            e.message.contains("`elsewhere.test` is not one of its addresses"),
            "{}",
            e.message
        );
        let ok = action
            .run(
                &ctx(json!({ "key": "k" }), &[("acme", &server.uri())]),
                json!({ "url": "https://hooks.acme.test/h/1?x=2" }),
            )
            .await;
        assert!(ok.is_ok(), "{ok:?}");
        let got = &server.received_requests().await.unwrap()[0];
        assert_eq!(got.url.path(), "/h/1");
        assert_eq!(got.url.query(), Some("x=2"));
        assert_eq!(got.headers.get("x-key").unwrap(), "k");
    }
}
