//! `switchboard validate FLOW.json`.

use std::path::Path;
use std::process::ExitCode;

/// Exit 0 when valid, 1 with the list of problems otherwise.
pub fn run(path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let engine = super::engine()?;
    let problems = match super::load_flow(path)? {
        Ok(flow) => engine.validate(&flow),
        Err(problems) => problems,
    };
    if json {
        println!("{}", serde_json::json!({ "valid": problems.is_empty(), "problems": problems }));
    } else if problems.is_empty() {
        println!("{}: valid", path.display());
    } else {
        super::print_problems(path, &problems);
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
