//! The action against a small SMTP server of the tests' own on 127.0.0.1 (plain text: EHLO, AUTH
//! PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that records what it is sent and answers
//! as each test scripts it.
#![allow(clippy::unwrap_used)]

use tokio::net::TcpListener;

use super::test_server::{Script, TestServer};
use super::*;
use crate::piece::spec::PieceSpec;
use crate::piece::{HttpClient, HttpConfig, Piece};
use crate::pieces::declared;

fn connection(values: Value) -> Connection {
    let Value::Object(values) = values else { panic!("connection values must be an object") };
    Connection { id: "conn-1".into(), name: "mail".into(), piece: PIECE_ID.into(), values }
}

/// A plain-text connection to the test server, logging in as ada.
fn local(port: u16) -> Connection {
    connection(json!({
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "ada@example.com",
        "password": "s3cret-pass",
        "from_default": "Acme <orders@example.com>",
    }))
}

fn ctx(connection: Connection) -> ActionContext {
    ActionContext {
        run_id: "run-1".into(),
        step_path: "step".into(),
        idempotency_key: "run-1:step".into(),
        attempt: 1,
        connection: Some(connection),
        http: HttpClient::new(HttpConfig::default()).unwrap(),
        timeout: Some(Duration::from_secs(10)),
    }
}

async fn send(connection: Connection, props: Value) -> Result<Value, StepError> {
    SendEmail.run(&ctx(connection), props).await
}

#[tokio::test]
async fn sends_the_envelope_the_headers_and_text_with_html_as_alternatives() {
    let server = TestServer::start(Script::default()).await;
    let output = send(
        local(server.port),
        json!({
            "to": ["Ada Lovelace <ada@example.com>", "grace@example.com, \"Hopper, Grace\" <gh@example.com>"],
            "cc": "sales@example.com; ada@example.com",
            "bcc": ["archive@example.com"],
            "from": "Billing <billing@example.com>",
            "reply_to": "support@example.com",
            "subject": "Invoice inv-1042",
            "text": "Your invoice is ready.",
            "html": "<p>Your invoice is ready.</p>",
            "headers": { "X-Entity-Ref-ID": "inv-1042" },
        }),
    )
    .await
    .unwrap();

    let session = server.session();
    assert_eq!(
        session.auth,
        Some(("PLAIN".into(), "ada@example.com".into(), "s3cret-pass".into()))
    );
    assert_eq!(session.mail_from.as_deref(), Some("billing@example.com"));
    // Each address once, the Bcc one included.
    let recipients = [
        "ada@example.com",
        "grace@example.com",
        "gh@example.com",
        "sales@example.com",
        "archive@example.com",
    ];
    assert_eq!(session.rcpt_to, recipients);

    let headers = session.headers();
    assert_eq!(headers["from"], "Billing <billing@example.com>");
    // Display names are quoted, or encoded (RFC 2047) when they hold a comma.
    let to = &headers["to"];
    assert!(to.starts_with("\"Ada Lovelace\" <ada@example.com>, grace@example.com, "), "{to}");
    assert!(to.ends_with(" <gh@example.com>"), "{to}");
    assert_eq!(headers["cc"], "sales@example.com, ada@example.com");
    assert_eq!(headers["reply-to"], "support@example.com");
    assert_eq!(headers["subject"], "Invoice inv-1042");
    assert_eq!(headers["x-entity-ref-id"], "inv-1042");
    assert_eq!(headers["mime-version"], "1.0");
    assert!(headers.contains_key("date"));
    let message_id = "<33ea5de1c312823bf552e17c8f96d1c1.switchboard@example.com>";
    assert_eq!(headers["message-id"], message_id);
    // Bcc: in the envelope, nowhere in the message.
    assert!(!headers.contains_key("bcc"));
    assert!(!session.data.as_deref().unwrap().contains("archive@example.com"));

    assert!(headers["content-type"].starts_with("multipart/alternative;"), "{headers:?}");
    let data = session.data.unwrap();
    let plain = data.find("Content-Type: text/plain").unwrap();
    let html = data.find("Content-Type: text/html").unwrap();
    assert!(plain < html, "the preferred (HTML) part comes last");
    assert!(
        data.contains("Your invoice is ready.") && data.contains("<p>Your invoice is ready.</p>")
    );

    assert_eq!(
        output,
        json!({
            "message_id": message_id,
            "accepted": recipients,
            "response": "250 2.0.0 Ok: queued as 4F3B21C0",
        })
    );
}

#[tokio::test]
async fn one_body_is_a_single_part_and_the_sender_defaults_to_the_connections() {
    let server = TestServer::start(Script::default()).await;
    send(
        local(server.port),
        json!({ "to": ["ada@example.com"], "subject": "Hi", "html": "<b>Hi</b>" }),
    )
    .await
    .unwrap();
    let session = server.session();
    assert_eq!(session.mail_from.as_deref(), Some("orders@example.com"));
    let headers = session.headers();
    assert_eq!(headers["from"], "Acme <orders@example.com>");
    assert!(headers["content-type"].starts_with("text/html"), "{headers:?}");
}

#[tokio::test]
async fn logs_in_with_login_when_the_server_offers_only_that() {
    let server = TestServer::start(Script { auth: "LOGIN", ..Script::default() }).await;
    send(
        local(server.port),
        json!({ "to": ["ada@example.com"], "subject": "Hi", "text": "Hello" }),
    )
    .await
    .unwrap();
    assert_eq!(
        server.session().auth,
        Some(("LOGIN".into(), "ada@example.com".into(), "s3cret-pass".into()))
    );
}

#[tokio::test]
async fn without_a_user_name_nothing_is_logged_in() {
    let server = TestServer::start(Script::default()).await;
    let connection = connection(json!({
        "host": "localhost", "port": server.port, "security": "none",
        "from_default": "orders@example.com",
    }));
    send(connection, json!({ "to": "ada@example.com", "subject": "Hi", "text": "Hello" }))
        .await
        .unwrap();
    let session = server.session();
    assert_eq!(session.auth, None);
    assert_eq!(session.rcpt_to, ["ada@example.com"]);
}

#[tokio::test]
async fn an_unknown_recipient_fails_for_good_in_the_servers_words() {
    let server = TestServer::start(Script {
        refuse_rcpt: Some((
            "nobody@example.com".into(),
            "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown".into(),
        )),
        ..Script::default()
    })
    .await;
    let error = send(
        local(server.port),
        json!({ "to": ["ada@example.com", "nobody@example.com"], "subject": "Hi", "text": "Hello" }),
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert_eq!(
        error.message,
        "SMTP: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown"
    );
    assert_eq!(error.details, Some(json!({ "smtp_code": 550 })));
    // Nothing was delivered to the others either.
    assert_eq!(server.session().data, None);
}

#[tokio::test]
async fn a_refused_login_is_a_connection_failure_that_never_quotes_the_password() {
    let server = TestServer::start(Script {
        // A server echoing what it got: the message must still not carry the password.
        auth_reply: "535 5.7.8 Authentication credentials invalid (s3cret-pass)".into(),
        ..Script::default()
    })
    .await;
    let error = send(local(server.port), json!({ "to": "ada@example.com", "subject": "Hi" }))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Connection, "{error:?}");
    assert_eq!(error.message, "SMTP: 535 5.7.8 Authentication credentials invalid ([redacted])");
    let session = server.session();
    assert_eq!(session.mail_from, None, "nothing is sent after a refused login");
}

#[tokio::test]
async fn a_transient_reply_is_retryable() {
    let server = TestServer::start(Script {
        data_reply: "451 4.3.0 Try again later".into(),
        ..Script::default()
    })
    .await;
    let error = send(local(server.port), json!({ "to": "ada@example.com", "subject": "Hi" }))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert_eq!(error.message, "SMTP: 451 4.3.0 Try again later");
}

#[tokio::test]
async fn starttls_is_required_when_chosen() {
    // The test server offers no STARTTLS: the client must stop before logging in or sending.
    let server = TestServer::start(Script::default()).await;
    let mut connection = local(server.port);
    connection.values.insert("security".into(), json!("starttls"));
    let error =
        send(connection, json!({ "to": "ada@example.com", "subject": "Hi" })).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Connection, "{error:?}");
    assert!(error.message.contains("does not offer STARTTLS"), "{}", error.message);
    let session = server.session();
    assert!(session.ehlo.is_some());
    assert_eq!((session.auth, session.mail_from), (None, None));
}

#[tokio::test]
async fn no_server_is_a_retryable_network_failure() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let error =
        send(local(port), json!({ "to": "ada@example.com", "subject": "Hi" })).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(error.message.starts_with(&format!("SMTP: cannot talk to 127.0.0.1:{port}")));
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_steps_timeout() {
    let server = TestServer::start(Script { greet: false, ..Script::default() }).await;
    let mut ctx = ctx(local(server.port));
    ctx.timeout = Some(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let error =
        SendEmail.run(&ctx, json!({ "to": "ada@example.com", "subject": "Hi" })).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let error = test_connection(&ctx).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
}

#[tokio::test]
async fn the_connection_check_logs_in_and_reports_a_refusal() {
    let server = TestServer::start(Script::default()).await;
    test_connection(&ctx(local(server.port))).await.unwrap();
    assert_eq!(server.session().auth.map(|a| a.1).as_deref(), Some("ada@example.com"));

    let server = TestServer::start(Script {
        auth_reply: "535 5.7.8 Bad credentials".into(),
        ..Script::default()
    })
    .await;
    let error = test_connection(&ctx(local(server.port))).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Connection);
    assert_eq!(error.message, "SMTP: 535 5.7.8 Bad credentials");
}

#[test]
fn connection_values_are_checked_and_a_password_stays_off_unencrypted_remote_links() {
    let server = |values| Server::from_connection(&connection(values));
    let remote = server(json!({ "host": "smtp.example.com", "security": "none",
        "username": "ada", "password": "pw12345" }))
    .unwrap_err();
    assert_eq!(remote.kind, ErrorKind::Connection);
    assert!(remote.message.contains("unencrypted"), "{}", remote.message);
    assert!(!remote.message.contains("pw12345"));
    // Without a password to protect, or to this machine, plain text is allowed.
    assert!(server(json!({ "host": "relay.internal", "security": "none" })).is_ok());
    assert!(server(json!({ "host": "::1", "security": "none", "username": "a" })).is_ok());

    let defaults = server(json!({ "host": "smtp.example.com" })).unwrap();
    assert_eq!((defaults.security, defaults.port), (Security::StartTls, 587));
    let tls = server(json!({ "host": "smtp.example.com", "security": "tls", "port": "" })).unwrap();
    assert_eq!(tls.port, 465);
    let text_port = server(json!({ "host": "smtp.example.com", "port": "2525" })).unwrap();
    assert_eq!(text_port.port, 2525);
    for bad in [
        json!({}),
        json!({ "host": "smtp://smtp.example.com" }),
        json!({ "host": "smtp.example.com", "port": 70000 }),
        json!({ "host": "smtp.example.com", "security": "ssl" }),
    ] {
        assert_eq!(server(bad.clone()).unwrap_err().kind, ErrorKind::Connection, "{bad}");
    }
    let mut other = connection(json!({ "host": "smtp.example.com" }));
    other.piece = "slack".into();
    assert!(Server::from_connection(&other).is_err());
    // The Debug form leaves the password out.
    let with_password = server(json!({ "host": "smtp.example.com", "username": "ada",
        "password": "pw12345" }))
    .unwrap();
    assert!(!format!("{with_password:?}").contains("pw12345"));
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let compose = |props: Value, from_default: Option<&str>| {
        let Value::Object(props) = props else { panic!() };
        compose(&props, from_default, "run-1:step").map(|e| e.recipients)
    };
    let cases = [
        (json!({ "to": ["ada@example.com"], "subject": "Hi" }), None, "no sender"),
        (json!({ "to": [], "from": "a@example.com" }), None, "no recipient"),
        (json!({ "to": "ada", "from": "a@example.com" }), None, "`ada` is not an email address"),
        (
            json!({ "to": "ada@example.com trailing", "from": "a@example.com" }),
            None,
            "not an email address",
        ),
        (json!({ "to": [1], "from": "a@example.com" }), None, "as text"),
        (
            json!({ "to": "b@example.com", "from": "a@example.com, c@example.com" }),
            None,
            "one address",
        ),
        (
            json!({ "to": "b@example.com", "headers": { "Bcc": "x@example.com" } }),
            Some("a@example.com"),
            "set from the action's fields",
        ),
        (
            json!({ "to": "b@example.com", "headers": { "X-A": "1\r\nBcc: x@example.com" } }),
            Some("a@example.com"),
            "one line",
        ),
        (
            json!({ "to": "b@example.com", "headers": { "X A": "1" } }),
            Some("a@example.com"),
            "not a header name",
        ),
    ];
    for (props, from_default, expected) in cases {
        let error = compose(props.clone(), from_default).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{props}");
        assert!(error.message.contains(expected), "{props}: {}", error.message);
    }
    assert_eq!(
        compose(json!({ "to": " ada@example.com ,, ; ", "from": "a@example.com" }), None).unwrap(),
        ["ada@example.com"]
    );
}

#[test]
fn the_message_id_is_stable_per_step_and_can_be_given() {
    let props = |extra: Value| {
        let mut props = json!({ "to": "ada@example.com", "from": "a@mail.example.org" });
        props.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        props.as_object().unwrap().clone()
    };
    let id = |props: &Map<String, Value>, key: &str| compose(props, None, key).unwrap().message_id;
    let plain = props(json!({}));
    assert_eq!(id(&plain, "run-1:a"), id(&plain, "run-1:a"));
    assert_ne!(id(&plain, "run-1:a"), id(&plain, "run-1:b"));
    assert!(id(&plain, "run-1:a").ends_with(".switchboard@mail.example.org>"));
    assert_ne!(id(&plain, ""), id(&plain, ""), "random without a key");
    let given = props(json!({ "headers": { "Message-ID": "<thread-1@example.org>" } }));
    let email = compose(&given, None, "run-1:a").unwrap();
    assert_eq!(email.message_id, "<thread-1@example.org>");
    let formatted = String::from_utf8(email.message.formatted()).unwrap();
    assert_eq!(formatted.matches("Message-ID:").count(), 1, "{formatted}");
}

#[test]
fn a_subject_stays_one_line() {
    let Value::Object(props) = json!({
        "to": "ada@example.com", "from": "a@example.com",
        "subject": "Hi\r\nBcc: eve@example.com\n",
    }) else {
        panic!()
    };
    let email = compose(&props, None, "k").unwrap();
    let formatted = String::from_utf8(email.message.formatted()).unwrap();
    let head = formatted.split("\r\n\r\n").next().unwrap();
    assert!(head.lines().all(|l| !l.to_ascii_lowercase().starts_with("bcc:")), "{head}");
    assert!(head.contains("Subject: Hi Bcc: eve@example.com\r\n"), "{head}");
    assert_eq!(email.recipients, ["ada@example.com"]);
}

#[test]
fn smtp_offers_no_custom_api_call() {
    let piece = crate::pieces::declared::SPECS
        .iter()
        .find(|(f, _)| *f == "smtp.json")
        .map(|(f, t)| crate::pieces::declared::load(f, t).unwrap())
        .unwrap();
    use crate::piece::Piece as _;
    assert!(piece.action("custom_api_call").is_none());
    assert!(piece.meta().action("custom_api_call").is_none());
}

/// The spec's examples, replayed against the test server: the envelope must be the example's
/// `request.body`, the headers it names present with their values, and the output (or error)
/// the example's, for the server answering the message with the example's `response`.
#[tokio::test]
async fn every_example_of_the_spec_replays_against_the_test_server() {
    let (file, text) = declared::SPECS.iter().find(|(f, _)| *f == "smtp.json").unwrap();
    let spec = PieceSpec::parse(file, text).unwrap();
    let piece = declared::load(file, text).unwrap();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for action in &spec.actions {
        let code = piece.action(&action.name).unwrap();
        for example in &action.examples {
            let label = format!("{}.{} \"{}\"", spec.id, action.name, example.name);
            let reply = match &example.response.body {
                Value::String(s) => format!("{} {s}", example.response.status),
                other => panic!("{label}: the response body is the reply text, not {other}"),
            };
            let server = TestServer::start(Script { data_reply: reply, ..Script::default() }).await;
            let mut values = example.auth.clone().unwrap_or_else(|| spec.auth.example.clone());
            values.insert("host".into(), json!("127.0.0.1"));
            values.insert("port".into(), json!(server.port));
            values.insert("security".into(), json!("none"));
            let result = code
                .run(&ctx(connection(Value::Object(values))), Value::Object(example.props.clone()))
                .await;
            replayed += 1;

            let session = server.session();
            let envelope = json!({ "mail_from": session.mail_from, "rcpt_to": session.rcpt_to });
            if Some(&envelope) != example.request.body.as_ref() {
                failures.push(format!("{label}: envelope {envelope}"));
            }
            let headers = session.headers();
            for (name, want) in &example.request.headers {
                let sent = headers.get(&name.to_ascii_lowercase());
                if sent != Some(want) {
                    failures
                        .push(format!("{label}: header {name}: sent {sent:?}, expected {want:?}"));
                }
            }
            match (result, &example.error, &example.output) {
                (Err(e), Some(want), _) if e.message.contains(want.as_str()) => {}
                (Err(e), _, _) => failures.push(format!("{label}: failed: {}", e.message)),
                (Ok(out), Some(_), _) => {
                    failures.push(format!("{label}: expected an error, got {out}"))
                }
                (Ok(out), None, Some(want)) if &out != want => {
                    failures.push(format!("{label}: output {out}, expected {want}"));
                }
                (Ok(_), None, _) => {}
            }
        }
    }
    assert!(replayed >= 3);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn implicit_tls_against_a_plain_text_server_fails_without_sending_anything() {
    let server = TestServer::start(Script::default()).await;
    let mut connection = local(server.port);
    connection.values.insert("security".into(), json!("tls"));
    let error =
        send(connection, json!({ "to": "ada@example.com", "subject": "Hi" })).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Connection, "{error:?}");
    assert!(error.message.contains("TLS with 127.0.0.1"), "{}", error.message);
    let session = server.session();
    assert_eq!((session.ehlo, session.auth, session.mail_from), (None, None, None));
}
