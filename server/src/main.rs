//! The `switchboard` binary: the server (`serve`), and validating and running flow documents from
//! the command line.

mod api;
mod app;
mod auth;
mod cli;
mod editor;
mod error;
mod events;
mod hooks;
mod oauth2;
mod rejections;
mod runtime;
mod schedule;
mod secrets;
mod serve;
mod store;
mod telemetry;
mod templates;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// glibc's malloc spent about a quarter of the server's CPU under webhook load (many small JSON
// values allocated on one thread and freed on another); mimalloc's thread-local heaps do not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Switchboard: a self-hosted workflow engine for AI phone-agent teams.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the server: REST API, webhooks, workers, scheduler (data in ./switchboard-data).
    Serve(serve::ServeArgs),
    /// Checks a flow document and lists every problem with its JSON path (exit 1 when invalid).
    Validate {
        /// The flow document (JSON).
        flow: PathBuf,
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Runs a flow once, in process, and prints what each step did.
    Run {
        /// The flow document (JSON).
        flow: PathBuf,
        /// The body the trigger receives, as it would arrive over HTTP (for a call trigger: the
        /// platform's own webhook body). Without it the trigger gets an empty body.
        #[arg(long)]
        payload: Option<PathBuf>,
        /// The payload's content type (default: application/json when it parses as JSON, else
        /// text/plain).
        #[arg(long)]
        content_type: Option<String>,
        /// A JSON file with the connections steps use: `[{"name", "piece", "values": {…}}]`.
        #[arg(long, env = "SWITCHBOARD_CONNECTIONS")]
        connections: Option<PathBuf>,
        /// Print the full run record as JSON instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Converts an n8n workflow or an ActivePieces flow/template export into a flow document and
    /// says node by node what was mapped, approximated or not converted (also checks our own
    /// documents). Prints the document, or saves it as a new draft flow with `--save`.
    Import {
        /// The exported files (JSON); a file may hold an array of flows (`n8n export:workflow
        /// --all`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Save them as new draft flows in the instance's database instead of printing them.
        #[arg(long)]
        save: bool,
        /// With `--save`: the folder to put the flow in.
        #[arg(long, requires = "save")]
        folder: Option<String>,
        /// Print JSON (document, import report, problems; an array for several flows).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: serve::DataArgs,
    },
    /// Prints the JSON Schema of the flow document.
    Schema,
    /// Manages accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Creates an account (on a fresh install: the owner).
    Create {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Password (at least 8 characters).
        #[arg(long, env = "SWITCHBOARD_OWNER_PASSWORD", hide_env_values = true)]
        password: String,
        #[command(flatten)]
        data: serve::DataArgs,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Serve(serve_args) => serve::run(serve_args).map(|()| ExitCode::SUCCESS),
        Command::Validate { flow, json } => cli::validate::run(&flow, json),
        Command::Run { flow, payload, content_type, connections, json } => cli::run::run(
            &flow,
            payload.as_deref(),
            content_type.as_deref(),
            connections.as_deref(),
            json,
        ),
        Command::User { command: UserCommand::Create { email, password, data } } => {
            serve::create_user(data, &email, &password).map(|()| ExitCode::SUCCESS)
        }
        Command::Import { files, save, folder, json, data } => cli::import::run(
            &files,
            &cli::import::ImportOptions {
                save: save.then_some(&data),
                folder: folder.as_deref(),
                json,
            },
        ),
        Command::Schema => {
            print!("{}", switchboard_engine::schema::flow_schema_json());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
