//! Command-line subcommands.

pub mod import;
pub mod pieces_dir;
pub mod run;
mod summary;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use switchboard_engine::piece::spec::PieceSpec;
use switchboard_engine::{Engine, Flow, HttpConfig, Problem};

/// Reads and parses a flow document; a parse error becomes a problem list like validation's.
pub fn load_flow(path: &Path) -> anyhow::Result<Result<Flow, Vec<Problem>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(switchboard_engine::parse_flow(&text).map_err(|e| {
        let mut message = e.message.clone();
        if let (Some(l), Some(c)) = (e.line, e.column) {
            message.push_str(&format!(" (line {l}, column {c})"));
        }
        vec![Problem::new(e.path, message)]
    }))
}

/// The engine with the built-in pieces and the custom ones in `SWITCHBOARD_PIECES_DIR`; base
/// URLs can be overridden with `SWITCHBOARD_BASE_URL_<PIECE>=http://…` (tests point pieces at
/// local mock servers this way).
pub fn engine() -> anyhow::Result<Engine> {
    let dir = std::env::var_os("SWITCHBOARD_PIECES_DIR").filter(|d| !d.is_empty());
    Ok(engine_with_pieces(dir.map(PathBuf::from).as_deref())?.0)
}

/// The engine with the built-in pieces plus every piece spec in `dir` (see [`pieces_dir`]), and
/// those custom specs.
pub fn engine_with_pieces(dir: Option<&Path>) -> anyhow::Result<(Engine, Vec<PieceSpec>)> {
    let mut config = HttpConfig::default();
    for (key, value) in std::env::vars() {
        if let Some(piece) = key.strip_prefix("SWITCHBOARD_BASE_URL_") {
            config.base_url_overrides.insert(piece.to_ascii_lowercase(), value);
        }
    }
    let mut engine = Engine::with_builtin_pieces(config)
        .map_err(|e| anyhow::anyhow!("cannot start the HTTP client: {e}"))?;
    // Metadata only (no store): flows that emit events validate; `emit` runs under `serve`.
    engine.register(Arc::new(crate::events::piece(None)));
    let mut specs = Vec::new();
    if let Some(dir) = dir {
        for piece in pieces_dir::load(dir)? {
            specs.push(piece.spec().clone());
            engine.register(Arc::new(piece));
        }
    }
    Ok((engine, specs))
}

/// Prints problems, one per line.
pub fn print_problems(file: &Path, problems: &[Problem]) {
    eprintln!(
        "{}: {} problem{}",
        file.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        if p.path.is_empty() {
            eprintln!("  - {}", p.message);
        } else {
            eprintln!("  - {}: {}", p.path, p.message);
        }
    }
}
