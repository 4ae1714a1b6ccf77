//! `switchboard run FLOW.json --payload BODY.json`: one run in process.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use serde::Deserialize;
use switchboard_engine::piece::{Connection, StaticConnections};
use switchboard_engine::{RunEnv, RunRequest, RunStatus, TriggerRequest};

/// One entry of the `--connections` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionEntry {
    #[serde(default)]
    id: Option<String>,
    name: String,
    piece: String,
    #[serde(default)]
    values: serde_json::Map<String, serde_json::Value>,
}

/// Runs the flow; exit 0 when the run succeeded (or paused), 1 when it failed.
pub fn run(
    path: &Path,
    payload: Option<&Path>,
    content_type: Option<&str>,
    connections: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let engine = super::engine()?;
    let flow = match super::load_flow(path)? {
        Ok(flow) => flow,
        Err(problems) => {
            super::print_problems(path, &problems);
            return Ok(ExitCode::FAILURE);
        }
    };
    let compiled = match engine.compile(flow) {
        Ok(c) => c,
        Err(problems) => {
            super::print_problems(path, &problems);
            return Ok(ExitCode::FAILURE);
        }
    };
    let body = match payload {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => Vec::new(),
    };
    let content_type = content_type.map(str::to_owned).unwrap_or_else(|| {
        if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
            "application/json"
        } else {
            "text/plain"
        }
        .to_owned()
    });
    let request = TriggerRequest {
        url: None,
        method: "POST".into(),
        headers: vec![("content-type".into(), content_type)],
        query: Vec::new(),
        body,
    };
    let event = engine
        .trigger_event(&compiled, &request)
        .map_err(|e| anyhow::anyhow!("the trigger rejected the payload: {e}"))?;

    let mut env = RunEnv::default();
    if let Some(file) = connections {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let entries: Vec<ConnectionEntry> = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a list of connections", file.display()))?;
        env.connections =
            Arc::new(StaticConnections::new(entries.into_iter().map(|e| Connection {
                id: e.id.unwrap_or_else(|| e.name.clone()),
                name: e.name,
                piece: e.piece,
                values: e.values,
            })));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let record = runtime.block_on(engine.run(&compiled, RunRequest::new(event.output), &env));
    if json {
        println!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        super::summary::print(&compiled, &record);
    }
    Ok(match record.status {
        RunStatus::Failed | RunStatus::Cancelled => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}
