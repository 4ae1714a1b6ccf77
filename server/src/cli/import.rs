//! `switchboard import FILE`: converts an n8n workflow or an ActivePieces export (or checks one of our
//! own documents), prints what the conversion did, and either prints the flow document or saves it as
//! a new draft in the instance's database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;
use switchboard_engine::import::{self, ImportReport, ItemOutcome};

use crate::serve::DataArgs;

/// What to do with the converted document.
pub struct ImportOptions<'a> {
    /// Save it as a new flow (in this database) instead of printing it.
    pub save: Option<&'a DataArgs>,
    /// The folder of the saved flow.
    pub folder: Option<&'a str>,
    /// Print one JSON object (`document`, `import`, `problems`, `flow_id`?) instead of text.
    pub json: bool,
}

/// Exit 0 when the file was converted (its remaining problems are listed), 1 when it cannot be.
pub fn run(path: &Path, options: &ImportOptions<'_>) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let imported = match import::import_text(&text) {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let flow = match switchboard_engine::parse_flow(&imported.flow.to_string()) {
        Ok(flow) => flow,
        Err(e) => {
            eprintln!(
                "{}: converted from {}, but the result is not a valid flow at {}: {}",
                path.display(),
                imported.format.label(),
                e.path,
                e.message
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let problems = super::engine()?.validate(&flow);
    let document = serde_json::to_value(&flow)?;
    let flow_id = match options.save {
        Some(data) => Some(save(data, &document, options.folder)?),
        None => None,
    };
    if options.json {
        let mut out = json!({
            "document": document,
            "import": imported.report,
            "summary": imported.report.summary(),
            "problems": problems,
        });
        if let Some(id) = &flow_id {
            out["flow_id"] = json!(id);
        }
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    print_report(path, &imported.report);
    if !problems.is_empty() {
        super::print_problems(path, &problems);
    }
    match flow_id {
        Some(id) => {
            println!("saved as flow {id} (\"{}\"), a draft to finish in the editor", flow.name)
        }
        None => println!("{}", serde_json::to_string_pretty(&document)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn save(
    data: &DataArgs,
    document: &serde_json::Value,
    folder: Option<&str>,
) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = data.open().await?;
        let id = crate::api::flows::new_flow_id();
        store
            .create_flow(&id, document, folder)
            .await
            .map_err(|e| anyhow::anyhow!("cannot save the flow: {e}"))?;
        Ok(id)
    })
}

/// The report on stderr, so stdout stays the document.
fn print_report(path: &Path, report: &ImportReport) {
    eprintln!("{}: imported from {}: {}", path.display(), report.source_label(), report.summary());
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
