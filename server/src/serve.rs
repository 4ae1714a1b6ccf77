//! `switchboard serve`: configuration (flags and `SWITCHBOARD_*` environment variables), start-up,
//! graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::app::{AppState, HttpSettings, app};
use crate::runtime::{Runtime, RuntimeConfig};

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one; the chosen port is logged).
    #[arg(long, env = "SWITCHBOARD_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Where the data lives.
    #[command(flatten)]
    pub data: DataArgs,
    /// Runs executing at once.
    #[arg(long, env = "SWITCHBOARD_WORKERS", default_value_t = 256)]
    pub workers: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SWITCHBOARD_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// How long `/hooks/{flow}/sync` waits for the flow's response (e.g. `30s`).
    #[arg(long, env = "SWITCHBOARD_SYNC_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub sync_timeout: Duration,
    /// How long a claimed run stays with its worker without a lease renewal (e.g. `30s`).
    #[arg(long, env = "SWITCHBOARD_LEASE", default_value = "30s", value_parser = humantime::parse_duration)]
    pub lease: Duration,
    /// The URL users and platforms reach this server at (default: http://<bind>:<port>).
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Schedule fire times missed while the server was down: `once` (fire the latest one) or `skip`.
    #[arg(long, env = "SWITCHBOARD_MISSED_SCHEDULES", default_value = "once", value_parser = parse_catch_up)]
    pub missed_schedules: crate::schedule::CatchUp,
    /// Finished runs older than this are deleted (e.g. `30d`).
    #[arg(long, env = "SWITCHBOARD_RETENTION_AGE", default_value = "30d", value_parser = humantime::parse_duration)]
    pub retention_age: Duration,
    /// At most this many finished runs are kept per flow (default: no count limit).
    #[arg(long, env = "SWITCHBOARD_RETENTION_RUNS_PER_FLOW")]
    pub retention_runs_per_flow: Option<u32>,
    /// How often retention runs.
    #[arg(long, env = "SWITCHBOARD_RETENTION_EVERY", default_value = "10m", value_parser = humantime::parse_duration)]
    pub retention_every: Duration,
    /// The status `POST /hooks/{flow}` answers once the event is stored (202, or 200 for senders
    /// that accept nothing else).
    #[arg(long, env = "SWITCHBOARD_WEBHOOK_ACK_STATUS", default_value_t = 202, value_parser = parse_ack_status)]
    pub webhook_ack_status: u16,
    /// A directory of custom piece specs (`*.json`) loaded at start next to the built-in pieces;
    /// a bad spec stops the start.
    #[arg(long, env = "SWITCHBOARD_PIECES_DIR")]
    pub pieces_dir: Option<PathBuf>,
    /// Deploys a flow at start: `ID=FILE` creates (or updates) the flow with that id from the
    /// document, publishes it if it changed, and enables it. Repeatable.
    #[arg(long = "deploy", value_name = "ID=FILE")]
    pub deploy: Vec<String>,
    /// Log as JSON lines.
    #[arg(long, env = "SWITCHBOARD_LOG_JSON")]
    pub log_json: bool,
}

fn parse_ack_status(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(n @ 200..=299) => Ok(n),
        _ => Err(format!("`{s}`: use a 2xx status such as 202 or 200")),
    }
}

fn parse_catch_up(s: &str) -> Result<crate::schedule::CatchUp, String> {
    match s {
        "once" => Ok(crate::schedule::CatchUp::Once),
        "skip" => Ok(crate::schedule::CatchUp::Skip),
        other => Err(format!("`{other}`: use `once` or `skip`")),
    }
}

/// Where the data lives, for commands that open the store without serving.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Where the embedded database and the encryption key live.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = "./switchboard-data")]
    pub data_dir: PathBuf,
    /// `sqlite:PATH` (default: `sqlite:<data-dir>/switchboard.db`).
    #[arg(long, env = "SWITCHBOARD_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataArgs {
    /// Creates the data directory and opens (migrating) the store.
    pub async fn open(&self) -> anyhow::Result<std::sync::Arc<dyn crate::store::Store>> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create {}", self.data_dir.display()))?;
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite:{}", self.data_dir.join("switchboard.db").display())
        });
        crate::store::open(&url).await.with_context(|| format!("cannot open the database {url}"))
    }
}

/// `switchboard user create`: adds an account (the owner on a fresh install) without a server.
pub fn create_user(data: DataArgs, email: &str, password: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = data.open().await?;
        let user = crate::api::auth::create_account_in(store.as_ref(), email, password)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        println!("created account {} ({})", user.email, user.role);
        Ok(())
    })
}

/// Starts the server and serves until SIGINT/SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(args))
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let store = args.data.open().await?;
    let (mut engine, custom_pieces) = crate::cli::engine_with_pieces(args.pieces_dir.as_deref())?;
    // REST hook events read their subscribers from the store.
    engine.register(Arc::new(crate::events::piece(Some(store.clone()))));
    if let Some(dir) = &args.pieces_dir {
        tracing::info!(dir = %dir.display(), count = custom_pieces.len(), "custom pieces loaded");
    }
    let engine = Arc::new(engine);
    let env_key = std::env::var(crate::secrets::ENCRYPTION_KEY_ENV).ok();
    let data_dir = args.data.data_dir.clone();
    let (cipher, key_source) = tokio::task::spawn_blocking(move || {
        crate::secrets::SecretCipher::from_env_or_file(env_key.as_deref(), &data_dir)
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{e:#}"))?;
    if matches!(key_source, crate::secrets::KeySource::GeneratedFile(_)) {
        tracing::warn!(key_id = %cipher.key_id(), "{key_source}");
    }
    // The phone-number metadata (10 MB) loads when a flow using a phone helper is compiled, not
    // here: see `switchboard_engine::expr::warm_up_in_background`.

    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
    let addr: SocketAddr = listener.local_addr()?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let oauth2 = crate::oauth2::OAuth2::from_env(
        &custom_pieces,
        engine.http().clone(),
        store.clone(),
        cipher.clone(),
    )?;
    let configured = oauth2.configured();
    if !configured.is_empty() {
        // Piece ids only: the client ids and secrets are never logged.
        tracing::info!(pieces = %configured.join(", "), "OAuth2 apps configured");
    }
    let connections = Arc::new(
        crate::runtime::StoreConnections::new(store.clone(), cipher.clone())
            .with_oauth2(oauth2.clone()),
    );
    let runtime = Runtime::start(
        store,
        engine,
        connections,
        RuntimeConfig {
            node: "local".into(),
            workers: args.workers,
            lease: args.lease,
            resume_base_url: Some(format!("{}/hooks/resume", public_url.trim_end_matches('/'))),
            catch_up: args.missed_schedules,
            retention_age: args.retention_age,
            retention_runs_per_flow: args.retention_runs_per_flow,
            retention_every: args.retention_every,
        },
    )
    .await;
    let state = AppState {
        runtime: runtime.clone(),
        settings: Arc::new(HttpSettings {
            max_body_bytes: args.max_body_bytes,
            sync_timeout: args.sync_timeout,
            ack_status: axum::http::StatusCode::from_u16(args.webhook_ack_status)
                .unwrap_or(axum::http::StatusCode::ACCEPTED),
            public_url,
        }),
        cipher,
        oauth2,
        rejections: crate::rejections::Rejections::start(runtime.store().clone()),
        metrics: crate::telemetry::install(),
        env_api_key_hash: std::env::var("SWITCHBOARD_API_KEY")
            .ok()
            .filter(|k| !k.is_empty())
            .map(|k| crate::secrets::token_hash(&k)),
    };
    create_owner_from_env(&state).await?;
    for spec in &args.deploy {
        deploy(&state, spec).await?;
    }
    tracing::info!(%addr, data_dir = %args.data.data_dir.display(), "switchboard listening");
    // A fixed line on stdout, for scripts and tests that start the server on port 0.
    println!("switchboard listening on http://{addr}");
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await?;
    runtime.shutdown();
    // Give in-flight runs a moment to journal their end; the rest resume at the next start.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while runtime.in_flight() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tracing::info!("switchboard stopped");
    Ok(())
}

/// `SWITCHBOARD_OWNER_EMAIL` and `SWITCHBOARD_OWNER_PASSWORD` create the owner at first start.
async fn create_owner_from_env(state: &AppState) -> anyhow::Result<()> {
    let (Ok(email), Ok(password)) =
        (std::env::var("SWITCHBOARD_OWNER_EMAIL"), std::env::var("SWITCHBOARD_OWNER_PASSWORD"))
    else {
        return Ok(());
    };
    if state.runtime.store().count_users().await? > 0 {
        return Ok(());
    }
    crate::api::auth::create_account(state, &email, &password).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot create the owner from SWITCHBOARD_OWNER_EMAIL/PASSWORD: {}",
            e.message()
        )
    })?;
    tracing::info!(%email, "owner account created");
    Ok(())
}

/// `--deploy ID=FILE`: the flow with that id ends up published and enabled with the file's content.
async fn deploy(state: &AppState, spec: &str) -> anyhow::Result<()> {
    let (id, file) =
        spec.split_once('=').ok_or_else(|| anyhow::anyhow!("--deploy `{spec}`: write ID=FILE"))?;
    if id.is_empty()
        || id.len() > 64
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!(
            "--deploy `{spec}`: the id must be 1-64 letters, digits, `-` or `_` (it is part of the webhook URL)"
        );
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("--deploy: cannot read {file}"))?;
    let flow = switchboard_engine::parse_flow(&text)
        .map_err(|e| anyhow::anyhow!("--deploy {file}: {e}"))?;
    let problems = state.runtime.engine().validate(&flow);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::bail!("--deploy {file}: the flow is invalid:\n  {}", list.join("\n  "));
    }
    let document = serde_json::to_value(&flow)?;
    let store = state.runtime.store();
    let row = match store.get_flow(id).await? {
        None => store.create_flow(id, &document, None).await?,
        Some(row) if row.draft != document => store
            .update_draft(id, &document, None)
            .await?
            .ok_or_else(|| anyhow::anyhow!("flow {id} vanished"))?,
        Some(row) => row,
    };
    if row.published_version.is_none() || row.draft_changed {
        store.publish(id).await?;
    }
    store.set_enabled(id, true).await?;
    state.runtime.flows().forget(id);
    tracing::info!(flow = id, file, "deployed");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
