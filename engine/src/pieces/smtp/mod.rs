//! SMTP email: the Rust behind the declarative spec `engine/pieces/smtp.json`.
//!
//! The spec declares the connection form (host, port, security, user name, password, default
//! sender) and the `send_email` action's props and examples; SMTP is not HTTP, so the action is
//! [`SendEmail`], which speaks SMTP through lettre's [`AsyncSmtpTransport`] on tokio:
//!
//! - security `starttls` (the default, port 587) *requires* the upgrade: a server that does not
//!   offer STARTTLS gets nothing, not even the password; `tls` is TLS from the first byte (port
//!   465); `none` is plain text, meant for a server on this machine or a test server, and a
//!   password is never sent unencrypted to any other host. Certificates are checked against the
//!   operating system's trust store (rustls with the ring provider, as reqwest does).
//! - the whole exchange (connect, TLS, AUTH PLAIN or LOGIN, envelope, message) is bounded by the
//!   step's timeout, or [`DEFAULT_TIMEOUT`].
//! - the message gets a Message-ID derived from the step's idempotency key, so a retried step
//!   sends the same Message-ID and receiving systems can drop the duplicate; `Message-ID` in the
//!   extra headers replaces it.
//! - Bcc recipients are in the envelope only (lettre drops the header); an address in several
//!   fields gets one copy.
//!
//! Failures keep the server's words and are classified for the retry policies: no connection,
//! a timeout or a transient 4xx reply are retryable ([`ErrorKind::Network`],
//! [`ErrorKind::Timeout`]); a permanent 5xx reply is not: an authentication reply (530, 534, 535,
//! 538) is a [`ErrorKind::Connection`] failure, any other (unknown recipient, refused message)
//! [`ErrorKind::InvalidInput`]. Messages never contain the password.
//!
//! The spec's examples cannot be replayed against the registry's HTTP mock; the tests of this
//! module replay them against a small SMTP server of their own instead: an example's
//! `request.body` is the envelope (`mail_from`, `rcpt_to`), `request.headers` are message headers
//! that must be present with these values, and `response` is the server's reply to the message
//! (`status` the code, `body` the text).
//!
//! A connection check is [`test_connection`]: connect, EHLO, STARTTLS, AUTH, NOOP, QUIT. The
//! generic spec piece only runs HTTP checks, so it is not wired to the connection test yet.

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as _;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::piece::{Action, ActionContext, BoxFuture, Connection, TriggerSource};
use crate::step_error::{ErrorKind, StepError};

/// The piece id (the spec's `id`).
pub const PIECE_ID: &str = "smtp";
/// The send action's name in the spec.
pub const SEND_EMAIL: &str = "send_email";
/// How long one send (or connection check) may take when the step sets no timeout. Generous:
/// RFC 5321 lets a server take minutes to accept a message's content.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Names the connection and failures use.
const VENDOR: &str = "SMTP";
/// The action every spec'd piece gets, which has no meaning without an HTTP API.
/// Headers set from the action's other props (or by the MIME structure): not accepted among the
/// extra headers, lower case.
const MANAGED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

/// Rust actions and triggers by name, as the declared-piece loader takes them.
pub type RustParts = (BTreeMap<String, Arc<dyn Action>>, BTreeMap<String, Arc<dyn TriggerSource>>);

/// The Rust behind the spec: `send_email` (the spec turns "custom API call" off: an SMTP server
/// has no HTTP API).
pub fn rust_parts() -> RustParts {
    let mut actions: BTreeMap<String, Arc<dyn Action>> = BTreeMap::new();
    actions.insert(SEND_EMAIL.to_owned(), Arc::new(SendEmail));
    (actions, BTreeMap::new())
}

/// `send_email`: one message to its To, Cc and Bcc recipients.
#[derive(Debug, Clone, Copy, Default)]
pub struct SendEmail;

impl Action for SendEmail {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(send_email(ctx, props))
    }
}

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connect, then STARTTLS, which the server must offer.
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
    /// No encryption: a server on this machine, or a test server.
    None,
}

impl Security {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::StartTls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// The server settings of an SMTP connection.
#[derive(Clone)]
pub struct Server {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Encryption.
    pub security: Security,
    /// User name and password, when the server wants a login.
    credentials: Option<(String, String)>,
    /// The sender used when a step gives none.
    pub from_default: Option<String>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from_default", &self.from_default)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Reads and checks a connection's values.
    pub fn from_connection(connection: &Connection) -> Result<Self, StepError> {
        let bad = |message: String| {
            StepError::new(
                ErrorKind::Connection,
                format!("connection `{}`: {message}", connection.name),
            )
        };
        if connection.piece != PIECE_ID {
            return Err(StepError::new(
                ErrorKind::Connection,
                format!(
                    "connection `{}` is for {}, not {VENDOR} email",
                    connection.name, connection.piece
                ),
            ));
        }
        let text = |key: &str| connection.value(key).map(str::trim).filter(|v| !v.is_empty());
        let host = text("host").ok_or_else(|| bad("the host is missing".into()))?;
        if host.contains("://") || host.contains('/') || host.contains(char::is_whitespace) {
            return Err(bad(format!(
                "the host must be a server name such as smtp.example.com, not `{host}`"
            )));
        }
        let security = match text("security").unwrap_or("starttls") {
            "starttls" => Security::StartTls,
            "tls" => Security::Tls,
            "none" => Security::None,
            other => {
                return Err(bad(format!("security must be starttls, tls or none, not `{other}`")));
            }
        };
        let port = match connection.values.get("port") {
            None | Some(Value::Null) => security.default_port(),
            Some(Value::String(s)) if s.trim().is_empty() => security.default_port(),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(format!("the port must be 1 to 65535, not {n}")))?,
            Some(Value::String(s)) => s
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(format!("the port must be 1 to 65535, not `{s}`")))?,
            Some(other) => return Err(bad(format!("the port must be a number, not {other}"))),
        };
        let credentials = match text("username") {
            Some(user) => {
                let password = connection.value("password").unwrap_or_default();
                Some((user.to_owned(), password.to_owned()))
            }
            None => None,
        };
        if credentials.is_some() && security == Security::None && !is_loopback(host) {
            return Err(bad(format!(
                "security `none` would send the password unencrypted to {host}; choose starttls \
                 or tls (`none` is for a server on this machine)"
            )));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            security,
            credentials,
            from_default: text("from_default").map(str::to_owned),
        })
    }

    /// `host:port`, for messages.
    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// A transport that opens one connection per message and bounds connecting by `timeout`.
    fn transport(
        &self,
        timeout: Duration,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, StepError> {
        let tls = match self.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(self.tls_parameters()?),
            Security::Tls => Tls::Wrapper(self.tls_parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some((user, password)) = &self.credentials {
            builder = builder
                .credentials(Credentials::new(user.clone(), password.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(builder.build())
    }

    fn tls_parameters(&self) -> Result<TlsParameters, StepError> {
        TlsParameters::new(self.host.clone()).map_err(|e| {
            StepError::new(
                ErrorKind::Connection,
                format!("{VENDOR}: cannot set up TLS for {}: {e}", self.host),
            )
        })
    }

    /// Turns a lettre failure into a step failure in the server's words (never the password).
    fn error(&self, e: &SmtpError) -> StepError {
        let error = classify(e, &self.address());
        match &self.credentials {
            Some((_, password)) if password.len() >= 4 && error.message.contains(password) => {
                StepError { message: error.message.replace(password, "[redacted]"), ..error }
            }
            _ => error,
        }
    }
}

/// Whether `host` names this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The error classes described in the module documentation.
fn classify(e: &SmtpError, address: &str) -> StepError {
    let source = e.source().map(ToString::to_string).unwrap_or_default();
    if let Some(code) = e.status() {
        let code = u16::from(code);
        let message = if source.is_empty() {
            format!("{VENDOR}: {code}")
        } else {
            format!("{VENDOR}: {code} {source}")
        };
        let kind = if e.is_transient() {
            ErrorKind::Network
        } else if matches!(code, 530 | 534 | 535 | 538) {
            ErrorKind::Connection
        } else {
            ErrorKind::InvalidInput
        };
        return StepError::new(kind, message).with_details(json!({ "smtp_code": code }));
    }
    if e.is_timeout() {
        return StepError::new(
            ErrorKind::Timeout,
            format!("{VENDOR}: {address} did not answer in time"),
        );
    }
    if let Some(tls) = tls_failure(e).or_else(|| e.is_tls().then(|| source.clone())) {
        // A certificate the trust store refuses, or a server not speaking TLS on that port:
        // another attempt gets the same answer.
        return StepError::new(
            ErrorKind::Connection,
            format!(
                "{VENDOR}: TLS with {address} failed: {tls} (implicit TLS is usually port 465, \
                 STARTTLS port 587)"
            ),
        );
    }
    if e.is_client() {
        if source.contains("STARTTLS") {
            return StepError::new(
                ErrorKind::Connection,
                format!(
                    "{VENDOR}: {address} does not offer STARTTLS, so nothing was sent; use \
                     security `tls` if it expects TLS from the start"
                ),
            );
        }
        if source.contains("authentication mechanism") {
            return StepError::new(
                ErrorKind::Connection,
                format!(
                    "{VENDOR}: {address} offers no login method this client has (PLAIN, LOGIN)"
                ),
            );
        }
        return StepError::invalid_input(format!("{VENDOR}: {source}"));
    }
    StepError::network(format!("{VENDOR}: cannot talk to {address}: {}", root_cause(e)))
}

/// The TLS library's error, when one is in the chain (lettre reports failed handshakes as
/// connection errors, wrapping rustls' error in an I/O error).
fn tls_failure(e: &SmtpError) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = next {
        let inner = error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        let rustls = error.downcast_ref::<rustls::Error>().or_else(|| {
            inner.and_then(|i| (i as &(dyn std::error::Error + 'static)).downcast_ref())
        });
        if let Some(rustls) = rustls {
            return Some(rustls.to_string());
        }
        next = error.source();
    }
    None
}

/// The innermost error's words (lettre nests "Connection error: Connection error: …").
fn root_cause(e: &SmtpError) -> String {
    let mut error: &dyn std::error::Error = e;
    while let Some(source) = error.source() {
        error = source;
    }
    error.to_string()
}

/// Checks a connection: connect, EHLO, STARTTLS or TLS, AUTH, NOOP, QUIT. `Ok` when the server
/// takes the credentials.
pub async fn test_connection(ctx: &ActionContext) -> Result<(), StepError> {
    let server = server(ctx)?;
    let timeout = ctx.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let transport = server.transport(timeout)?;
    match tokio::time::timeout(timeout, transport.test_connection()).await {
        Err(_) => Err(timed_out(&server, timeout)),
        Ok(Err(e)) => Err(server.error(&e)),
        Ok(Ok(false)) => Err(StepError::network(format!(
            "{VENDOR}: {} stopped answering after the login",
            server.address()
        ))),
        Ok(Ok(true)) => Ok(()),
    }
}

fn server(ctx: &ActionContext) -> Result<Server, StepError> {
    let connection = ctx.connection.as_ref().ok_or_else(|| {
        StepError::new(
            ErrorKind::Connection,
            format!("this step needs an {VENDOR} connection (set `connection` on the step)"),
        )
    })?;
    Server::from_connection(connection)
}

fn timed_out(server: &Server, timeout: Duration) -> StepError {
    StepError::new(
        ErrorKind::Timeout,
        format!(
            "{VENDOR}: {} did not finish within {}",
            server.address(),
            humantime::format_duration(timeout)
        ),
    )
}

async fn send_email(ctx: &ActionContext, props: Value) -> Result<Value, StepError> {
    let server = server(ctx)?;
    let props = match props {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => return Err(StepError::invalid_input("props must be an object")),
    };
    let email = compose(&props, server.from_default.as_deref(), &ctx.idempotency_key)?;
    let timeout = ctx.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let transport = server.transport(timeout)?;
    let response = match tokio::time::timeout(timeout, transport.send(email.message)).await {
        Err(_) => return Err(timed_out(&server, timeout)),
        Ok(Err(e)) => return Err(server.error(&e)),
        Ok(Ok(response)) => response,
    };
    let code = u16::from(response.code());
    let text = response.message().collect::<Vec<_>>().join(" ");
    Ok(json!({
        "message_id": email.message_id,
        "accepted": email.recipients,
        "response": if text.is_empty() { code.to_string() } else { format!("{code} {text}") },
    }))
}

/// A message ready to send.
struct Email {
    message: Message,
    message_id: String,
    /// The envelope's recipients, in order (To, Cc, Bcc), each once.
    recipients: Vec<String>,
}

/// Builds the message and its envelope from the action's props.
fn compose(
    props: &Map<String, Value>,
    from_default: Option<&str>,
    idempotency_key: &str,
) -> Result<Email, StepError> {
    let from = match text_prop(props, "from")? {
        Some(from) => from,
        None => from_default.map(str::to_owned).ok_or_else(|| {
            StepError::invalid_input(format!(
                "{VENDOR}: no sender: set `from`, or a default sender on the connection"
            ))
        })?,
    };
    let from = single_mailbox(&from, "from")?;
    let to = mailboxes(props, "to")?;
    if to.is_empty() {
        return Err(StepError::invalid_input(format!("{VENDOR}: `to` names no recipient")));
    }
    let cc = mailboxes(props, "cc")?;
    let bcc = mailboxes(props, "bcc")?;
    let reply_to = mailboxes(props, "reply_to")?;
    let subject = text_prop(props, "subject")?.unwrap_or_default();
    // A subject is one line: line breaks from a template become spaces.
    let subject = subject.split(['\r', '\n']).filter(|l| !l.is_empty()).collect::<Vec<_>>();
    let subject = subject.join(" ");

    let mut builder = Message::builder().from(from.clone()).subject(subject);
    for m in &to {
        builder = builder.to(m.clone());
    }
    for m in &cc {
        builder = builder.cc(m.clone());
    }
    for m in &bcc {
        builder = builder.bcc(m.clone());
    }
    for m in &reply_to {
        builder = builder.reply_to(m.clone());
    }
    let mut message_id = None;
    for (name, value) in extra_headers(props)? {
        if name.eq_ignore_ascii_case("message-id") {
            message_id = Some(value);
            continue;
        }
        let header = HeaderName::new_from_ascii(name.clone()).map_err(|_| {
            StepError::invalid_input(format!("{VENDOR}: `{name}` is not a header name"))
        })?;
        builder = builder.raw_header(HeaderValue::new(header, value));
    }
    let message_id =
        message_id.unwrap_or_else(|| generated_message_id(idempotency_key, from.email.domain()));
    builder = builder.message_id(Some(message_id.clone()));

    let mut seen = BTreeSet::new();
    let recipients: Vec<Address> = to
        .iter()
        .chain(&cc)
        .chain(&bcc)
        .map(|m| m.email.clone())
        .filter(|a| seen.insert(a.to_string().to_ascii_lowercase()))
        .collect();
    let envelope = Envelope::new(Some(from.email.clone()), recipients.clone())
        .map_err(|e| StepError::invalid_input(format!("{VENDOR}: {e}")))?;
    builder = builder.envelope(envelope);

    let text = text_prop(props, "text")?;
    let html = text_prop(props, "html")?;
    let message = match (text, html) {
        (Some(text), Some(html)) => {
            builder.multipart(MultiPart::alternative_plain_html(text, html))
        }
        (None, Some(html)) => builder.singlepart(SinglePart::html(html)),
        (text, None) => builder.singlepart(SinglePart::plain(text.unwrap_or_default())),
    }
    .map_err(|e| StepError::invalid_input(format!("{VENDOR}: the message cannot be built: {e}")))?;
    Ok(Email {
        message,
        message_id,
        recipients: recipients.iter().map(ToString::to_string).collect(),
    })
}

/// `<hash of the idempotency key>.switchboard@<sender's domain>`: the same for every attempt of
/// one step in one run; random when there is no key.
fn generated_message_id(idempotency_key: &str, domain: &str) -> String {
    let local = if idempotency_key.is_empty() {
        uuid::Uuid::new_v4().simple().to_string()
    } else {
        Sha256::digest(idempotency_key.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    format!("<{local}.switchboard@{domain}>")
}

/// A string prop; absent, null or blank is `None`.
fn text_prop(props: &Map<String, Value>, name: &str) -> Result<Option<String>, StepError> {
    match props.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => {
            Err(StepError::invalid_input(format!("{VENDOR}: `{name}` must be text, not {other}")))
        }
    }
}

/// The addresses of a recipient prop: an array of texts, or one text, each holding one or more
/// comma- (or semicolon-) separated addresses.
fn mailboxes(props: &Map<String, Value>, name: &str) -> Result<Vec<Mailbox>, StepError> {
    let texts: Vec<&str> = match props.get(name) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| {
                v.as_str().ok_or_else(|| {
                    StepError::invalid_input(format!(
                        "{VENDOR}: `{name}` must hold email addresses as text, not {v}"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: `{name}` must be a list of addresses or a text, not {other}"
            )));
        }
    };
    texts.into_iter().flat_map(split_addresses).map(|part| parse_mailbox(part, name)).collect()
}

fn single_mailbox(text: &str, name: &str) -> Result<Mailbox, StepError> {
    match split_addresses(text).as_slice() {
        [one] => parse_mailbox(one, name),
        _ => Err(StepError::invalid_input(format!(
            "{VENDOR}: `{name}` must be one address, not `{text}`"
        ))),
    }
}

/// Splits a list of addresses at commas and semicolons outside quoted names and `<...>`.
fn split_addresses(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut angle, mut escaped) = (0, false, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// Parses one address, rejecting text lettre's parser would silently ignore after it.
fn parse_mailbox(part: &str, name: &str) -> Result<Mailbox, StepError> {
    let invalid = || {
        StepError::invalid_input(format!("{VENDOR}: `{name}`: `{part}` is not an email address"))
    };
    let mailbox = Mailbox::from_str(part).map_err(|_| invalid())?;
    let complete = if part.contains('<') {
        part.ends_with('>')
    } else {
        mailbox.name.is_none() && mailbox.email.to_string() == part
    };
    if complete { Ok(mailbox) } else { Err(invalid()) }
}

/// The extra headers, checked: a header name, one line of value, not one the action manages.
fn extra_headers(props: &Map<String, Value>) -> Result<Vec<(String, String)>, StepError> {
    let headers = match props.get("headers") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: `headers` must be an object of names and values, not {other}"
            )));
        }
    };
    let mut out = Vec::new();
    for (name, value) in headers {
        let value = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            other => {
                return Err(StepError::invalid_input(format!(
                    "{VENDOR}: header `{name}` must be text, not {other}"
                )));
            }
        };
        if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: `{name}` is not a header name"
            )));
        }
        if MANAGED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: the `{name}` header is set from the action's fields, not `headers`"
            )));
        }
        if value.contains(['\r', '\n']) {
            return Err(StepError::invalid_input(format!(
                "{VENDOR}: header `{name}` must be one line"
            )));
        }
        out.push((name.clone(), value));
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod tests;
