//! A scripted SMTP server on 127.0.0.1 for tests: it records what each client connection sent
//! (greeting, login, envelope, message) and answers as its [`Script`] says (refusals, silence).
#![allow(clippy::unwrap_used)] // test support: a poisoned lock or bad base64 is a failed test

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the test server answers.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    /// Advertised in the EHLO answer.
    pub(crate) auth: &'static str,
    /// The answer to a completed AUTH.
    pub(crate) auth_reply: String,
    /// A recipient refused, and the answer to its RCPT.
    pub(crate) refuse_rcpt: Option<(String, String)>,
    /// The answer to the message's content.
    pub(crate) data_reply: String,
    /// `false`: accept connections and never say a word.
    pub(crate) greet: bool,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            auth: "PLAIN LOGIN",
            auth_reply: "235 2.7.0 Authentication successful".into(),
            refuse_rcpt: None,
            data_reply: "250 2.0.0 Ok: queued as 4F3B21C0".into(),
            greet: true,
        }
    }
}

/// What one client connection sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    pub(crate) ehlo: Option<String>,
    /// Mechanism, user name, password.
    pub(crate) auth: Option<(String, String, String)>,
    pub(crate) mail_from: Option<String>,
    pub(crate) rcpt_to: Vec<String>,
    /// The message, dot-stuffing undone.
    pub(crate) data: Option<String>,
}

impl Session {
    /// The message's header block, folded lines joined.
    pub(crate) fn header_block(&self) -> String {
        let data = self.data.as_deref().unwrap_or_default();
        let head = data.split("\r\n\r\n").next().unwrap_or_default();
        head.replace("\r\n ", " ").replace("\r\n\t", " ")
    }

    /// Each header's value by lower-case name (the first of repeated headers).
    pub(crate) fn headers(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for line in self.header_block().split("\r\n") {
            if let Some((name, value)) = line.split_once(':') {
                out.entry(name.to_ascii_lowercase()).or_insert_with(|| value.trim().to_owned());
            }
        }
        out
    }
}

pub(crate) struct TestServer {
    pub(crate) port: u16,
    pub(crate) sessions: Arc<Mutex<Vec<Arc<Mutex<Session>>>>>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Listens on a free local port, answering every connection as `script` says.
    pub(crate) async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sessions: Arc<Mutex<Vec<Arc<Mutex<Session>>>>> = Arc::default();
        let all = sessions.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = Arc::new(Mutex::new(Session::default()));
                all.lock().unwrap().push(session.clone());
                tokio::spawn(serve(stream, script.clone(), session));
            }
        });
        Self { port, sessions, task }
    }

    /// The one session there was.
    pub(crate) fn session(&self) -> Session {
        let sessions = self.sessions.lock().unwrap();
        assert_eq!(sessions.len(), 1, "expected one connection");
        sessions[0].lock().unwrap().clone()
    }
}

async fn serve(stream: tokio::net::TcpStream, script: Script, session: Arc<Mutex<Session>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !script.greet {
        // Keep the connection open, silent, until the client gives up.
        let mut sink = String::new();
        while lines.read_line(&mut sink).await.is_ok_and(|n| n > 0) {}
        return;
    }
    macro_rules! reply {
        ($text:expr) => {
            if write.write_all(format!("{}\r\n", $text).as_bytes()).await.is_err() {
                return;
            }
        };
    }
    macro_rules! read_line {
        () => {{
            let mut line = String::new();
            match lines.read_line(&mut line).await {
                Ok(n) if n > 0 => line.trim_end_matches(['\r', '\n']).to_owned(),
                _ => return,
            }
        }};
    }
    let decode = |b64: &str| {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    reply!("220 test.local ESMTP ready");
    loop {
        let line = read_line!();
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO ") {
            session.lock().unwrap().ehlo = Some(line[5..].to_owned());
            reply!("250-test.local");
            reply!(format!("250-AUTH {}", script.auth));
            reply!("250 8BITMIME");
        } else if let Some(initial) = upper.strip_prefix("AUTH PLAIN").map(|_| &line[10..]) {
            let encoded = if initial.trim().is_empty() {
                reply!("334 ");
                read_line!()
            } else {
                initial.to_owned()
            };
            let decoded = decode(&encoded);
            let mut parts = decoded.split('\0').skip(1);
            let user = parts.next().unwrap_or_default().to_owned();
            let password = parts.next().unwrap_or_default().to_owned();
            session.lock().unwrap().auth = Some(("PLAIN".into(), user, password));
            reply!(script.auth_reply);
        } else if upper.starts_with("AUTH LOGIN") {
            reply!("334 VXNlcm5hbWU6");
            let user = decode(&read_line!());
            reply!("334 UGFzc3dvcmQ6");
            let password = decode(&read_line!());
            session.lock().unwrap().auth = Some(("LOGIN".into(), user, password));
            reply!(script.auth_reply);
        } else if upper.starts_with("MAIL FROM:") {
            let address = line[10..].split_whitespace().next().unwrap_or_default();
            session.lock().unwrap().mail_from = Some(address.trim_matches(['<', '>']).to_owned());
            reply!("250 2.1.0 Ok");
        } else if upper.starts_with("RCPT TO:") {
            let address = line[8..].trim().trim_matches(['<', '>']).to_owned();
            match &script.refuse_rcpt {
                Some((refused, answer)) if *refused == address => reply!(answer),
                _ => {
                    session.lock().unwrap().rcpt_to.push(address);
                    reply!("250 2.1.5 Ok");
                }
            }
        } else if upper == "DATA" {
            reply!("354 End data with <CR><LF>.<CR><LF>");
            let mut data = String::new();
            loop {
                let line = read_line!();
                if line == "." {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line),
                );
                data.push_str("\r\n");
            }
            session.lock().unwrap().data = Some(data);
            reply!(script.data_reply);
        } else if upper == "RSET" || upper == "NOOP" {
            reply!("250 2.0.0 Ok");
        } else if upper == "QUIT" {
            reply!("221 2.0.0 Bye");
            return;
        } else {
            reply!("502 5.5.2 Command not recognized");
        }
    }
}
