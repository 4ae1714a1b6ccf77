//! The readable step-by-step summary `switchboard run` prints.

use std::collections::BTreeMap;

use switchboard_engine::exec::PausedStep;
use switchboard_engine::{CompiledFlow, RunRecord, StepRecord, StepStatus};

const MAX_VALUE_CHARS: usize = 160;

/// Prints one line per step in execution order, loop iterations indented below their loop.
pub fn print(flow: &CompiledFlow, record: &RunRecord) {
    println!(
        "run {} {} in {:.3} ms ({})",
        record.run_id,
        serde_json::to_value(record.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        record.duration_ms,
        flow.flow().name
    );
    if let Some(e) = &record.error {
        println!("  error: {}", e.message);
    }
    let order = flow.step_order();
    print_level(&order, "", &record.steps, 1);
    for PausedStep { step, pause } in &record.pauses {
        println!("  paused at `{step}`: {}", serde_json::to_string(pause).unwrap_or_default());
    }
    if let Some(r) = &record.response {
        println!("  response: {} {}", r.status, short(&r.body));
    }
}

fn print_level(
    order: &[String],
    prefix: &str,
    records: &BTreeMap<String, StepRecord>,
    depth: usize,
) {
    let indent = "  ".repeat(depth);
    for path in order {
        let Some(id) = path.strip_prefix(prefix) else { continue };
        if id.contains("[].") {
            continue;
        }
        let Some(r) = records.get(id) else { continue };
        let (mark, detail) = match r.status {
            StepStatus::Succeeded => ("✓", r.output.as_ref().map(short).unwrap_or_default()),
            StepStatus::Failed => {
                ("✗", r.error.as_ref().map(|e| e.message.clone()).unwrap_or_default())
            }
            StepStatus::Skipped => {
                ("–", format!("skipped ({})", r.reason.as_deref().unwrap_or("not reached")))
            }
            StepStatus::Paused => ("⏸", "paused".to_owned()),
        };
        let attempts =
            if r.attempts > 1 { format!(" after {} attempts", r.attempts) } else { String::new() };
        println!("{indent}{mark} {id:<20} {:>9.3} ms{attempts}  {detail}", r.duration_ms);
        if let Some(iterations) = &r.iterations {
            let inner = format!("{prefix}{id}[].");
            for (i, it) in iterations.iter().enumerate() {
                println!("{indent}  [{i}]");
                print_level(order, &inner, it, depth + 2);
            }
        }
    }
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > MAX_VALUE_CHARS {
        let cut: String = s.chars().take(MAX_VALUE_CHARS).collect();
        format!("{cut}…")
    } else {
        s
    }
}
