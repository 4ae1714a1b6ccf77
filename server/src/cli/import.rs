//! `switchboard import FILE…`: converts n8n workflows and ActivePieces exports (or checks our own
//! documents), prints what each conversion did, and either prints the flow document or saves the
//! flows as new drafts in the instance's database. A file may hold several flows: the JSON array
//! `n8n export:workflow --all` writes.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};
use switchboard_engine::import::{self, ImportReport, ItemOutcome};
use switchboard_engine::{Engine, Problem};

use crate::serve::DataArgs;

/// What to do with the converted documents.
pub struct ImportOptions<'a> {
    /// Save them as new flows (in this database) instead of printing them.
    pub save: Option<&'a DataArgs>,
    /// The folder of the saved flows.
    pub folder: Option<&'a str>,
    /// Print JSON (`document`, `import`, `problems`, `flow_id`?; an array for several flows)
    /// instead of text.
    pub json: bool,
}

/// One flow converted from a file.
struct Converted {
    /// `file.json` or `file.json[2]`.
    source: String,
    name: String,
    document: Value,
    report: ImportReport,
    problems: Vec<Problem>,
}

/// Exit 0 when every flow was converted (their remaining problems are listed), 1 when any could
/// not be (the others are still printed or saved).
pub fn run(paths: &[std::path::PathBuf], options: &ImportOptions<'_>) -> anyhow::Result<ExitCode> {
    let engine = super::engine()?;
    let mut converted = Vec::new();
    let mut failed = false;
    for path in paths {
        failed |= !convert_file(&engine, path, &mut converted)?;
    }
    if converted.len() > 1 && options.save.is_none() && !options.json {
        anyhow::bail!(
            "{} flows to import: save them with --save (or print them with --json)",
            converted.len()
        );
    }
    let ids = match options.save {
        Some(data) => save(data, &converted, options.folder)?,
        None => Vec::new(),
    };
    if options.json {
        let out: Vec<Value> = converted
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut v = json!({
                    "source": c.source,
                    "document": c.document,
                    "import": c.report,
                    "summary": c.report.summary(),
                    "problems": c.problems,
                });
                if let Some(id) = ids.get(i) {
                    v["flow_id"] = json!(id);
                }
                v
            })
            .collect();
        match <[Value; 1]>::try_from(out) {
            Ok([one]) if paths.len() == 1 => println!("{one}"),
            Ok([one]) => println!("{}", Value::Array(vec![one])),
            Err(out) => println!("{}", Value::Array(out)),
        }
    } else {
        for (i, c) in converted.iter().enumerate() {
            print_report(&c.source, &c.report);
            if !c.problems.is_empty() {
                super::print_problems(Path::new(&c.source), &c.problems);
            }
            match ids.get(i) {
                Some(id) => {
                    println!("saved as flow {id} (\"{}\"), a draft to finish in the editor", c.name)
                }
                None => println!("{}", serde_json::to_string_pretty(&c.document)?),
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Converts every flow of one file into `out`; false when any of them could not be.
fn convert_file(engine: &Engine, path: &Path, out: &mut Vec<Converted>) -> anyhow::Result<bool> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let results = match import::import_text_many(&text) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return Ok(false);
        }
    };
    let several = results.len() > 1;
    let mut ok = true;
    for (i, result) in results.into_iter().enumerate() {
        let source =
            if several { format!("{}[{i}]", path.display()) } else { path.display().to_string() };
        let imported = match result {
            Ok(imported) => imported,
            Err(e) => {
                eprintln!("{source}: {e}");
                ok = false;
                continue;
            }
        };
        match switchboard_engine::parse_flow(&imported.flow.to_string()) {
            Ok(flow) => out.push(Converted {
                source,
                name: flow.name.clone(),
                problems: engine.validate(&flow),
                document: serde_json::to_value(&flow)?,
                report: imported.report,
            }),
            Err(e) => {
                eprintln!(
                    "{source}: converted from {}, but the result is not a valid flow at {}: {}",
                    imported.format.label(),
                    e.path,
                    e.message
                );
                ok = false;
            }
        }
    }
    Ok(ok)
}

fn save(data: &DataArgs, flows: &[Converted], folder: Option<&str>) -> anyhow::Result<Vec<String>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = data.open().await?;
        let mut ids = Vec::with_capacity(flows.len());
        for c in flows {
            let id = crate::api::flows::new_flow_id();
            store
                .create_flow(&id, &c.document, folder)
                .await
                .map_err(|e| anyhow::anyhow!("cannot save {}: {e}", c.source))?;
            ids.push(id);
        }
        Ok(ids)
    })
}

/// The report on stderr, so stdout stays the document.
fn print_report(source: &str, report: &ImportReport) {
    eprintln!("{source}: imported from {}: {}", report.source.label(), report.summary());
    for item in &report.items {
        let mark = match item.outcome {
            ItemOutcome::Mapped => "mapped      ",
            ItemOutcome::Approximated => "approximated",
            ItemOutcome::Unsupported => "unsupported ",
        };
        let step = item.step.as_deref().map(|s| format!(" → {s}")).unwrap_or_default();
        eprintln!("  {mark} {} ({}){step}", item.source, item.source_type);
        for note in &item.notes {
            eprintln!("               {note}");
        }
    }
    for note in &report.notes {
        eprintln!("  note: {note}");
    }
}
