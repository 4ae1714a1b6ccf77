//! Shared helpers for the end-to-end tests in `tests/tests/`: they drive the real `switchboard`
//! binary, built once per test run with the same profile as the tests.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The path of the `switchboard` binary, building it first if this test run has not.
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // The test executable lives in target/<profile>/deps/; the binary in target/<profile>/.
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir =
            exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace()).args(["build", "-p", "switchboard", "--bin", "switchboard"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "building switchboard failed");
        profile_dir.join(format!("switchboard{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Runs the binary with these arguments and environment variables, from the workspace root.
pub fn switchboard(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.current_dir(workspace()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run switchboard")
}

/// A scratch directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory under the system temp dir.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "switchboard-{tag}-{}-{}",
            std::process::id(),
            nanos()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file in it and returns its path as a string.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, contents).expect("write temp file");
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A `switchboard serve` process on a random port with its own data directory.
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    data_dir: PathBuf,
}

impl Server {
    /// Starts the server on `data_dir` and waits until it listens.
    pub fn start(data_dir: &Path, extra_args: &[&str], env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let mut cmd = Command::new(binary());
        cmd.current_dir(workspace())
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .args(extra_args)
            .env("SWITCHBOARD_LOG", "warn")
            .env("SWITCHBOARD_API_KEY", TEST_API_KEY)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start switchboard serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("switchboard listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => panic!("switchboard serve exited before listening"),
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, url, data_dir: data_dir.to_path_buf() }
    }

    /// `url` + `path`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// SIGKILL: no shutdown, no flushing.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The API key every test server accepts (`SWITCHBOARD_API_KEY`).
pub const TEST_API_KEY: &str = "sb_key_test_only_not_a_secret";

/// An HTTP client that authenticates with [`TEST_API_KEY`].
pub fn http_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {TEST_API_KEY}")).expect("header"),
    );
    client_builder().default_headers(headers).build().expect("http client")
}

/// An HTTP client with no credentials (keeps cookies).
pub fn anonymous_client() -> reqwest::Client {
    client_builder().cookie_store(true).build().expect("http client")
}

fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .pool_max_idle_per_host(256)
}

/// Creates a flow from `doc`, publishes and enables it; returns its id. Panics on any failure
/// (these are test helpers).
pub async fn create_published(client: &reqwest::Client, server: &Server, doc: &Value) -> String {
    let r = client.post(server.at("/api/v1/flows")).json(doc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"], json!([]), "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let r = client.post(server.at(&format!("/api/v1/flows/{id}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = client.post(server.at(&format!("/api/v1/flows/{id}/enable"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    id
}

/// Polls a run until it is no longer queued or running; returns its record.
pub async fn wait_for_run(client: &reqwest::Client, server: &Server, run_id: &str) -> Value {
    for _ in 0..400 {
        let r: Value = client
            .get(server.at(&format!("/api/v1/runs/{run_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if matches!(r["status"].as_str(), Some("succeeded" | "failed" | "paused" | "cancelled")) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("run {run_id} did not finish");
}

/// Every run of a flow, following the pagination cursor.
pub async fn all_runs(client: &reqwest::Client, server: &Server, flow_id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("/api/v1/runs?flow_id={flow_id}&limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!(
                "&cursor={}",
                c.replace('+', "%2B").replace(':', "%3A").replace('|', "%7C")
            ));
        }
        let page: Value = client.get(server.at(&url)).send().await.unwrap().json().await.unwrap();
        out.extend(page["runs"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}
