//! Property: in any valid DAG, every step that an active path reaches runs exactly once, and every
//! other step is skipped. Checked against a reference model of the join rule.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
#![allow(clippy::needless_range_loop)]

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::{engine, flow};
use switchboard_engine::exec::StepStatus;
use switchboard_engine::{RunEnv, RunRequest, RunStatus};

#[derive(Debug, Clone)]
struct Dag {
    /// Per node: Some(pass) for a filter, None for an echo action.
    kinds: Vec<Option<bool>>,
    /// Edges (from, to) with from < to; index 0 is the trigger.
    edges: Vec<(usize, usize)>,
}

fn dag() -> impl Strategy<Value = Dag> {
    (2usize..24).prop_flat_map(|n| {
        let kinds = proptest::collection::vec(proptest::option::weighted(0.3, any::<bool>()), n);
        let pairs = proptest::collection::vec((0usize..=n, 0usize..=n), 0..n * 3);
        (kinds, pairs).prop_map(move |(kinds, pairs)| {
            // Nodes 1..=n are steps; every step gets at least one parent so all are reachable.
            let mut edges: Vec<(usize, usize)> = pairs
                .into_iter()
                .filter_map(|(a, b)| {
                    let (a, b) = (a.min(b), a.max(b));
                    (a != b && b >= 1).then_some((a, b))
                })
                .collect();
            for node in 1..=n {
                if !edges.iter().any(|&(_, to)| to == node) {
                    edges.push((node - 1, node));
                }
            }
            edges.sort_unstable();
            edges.dedup();
            Dag { kinds, edges }
        })
    })
}

fn name(i: usize) -> String {
    if i == 0 { "hook".into() } else { format!("n{i}") }
}

fn expected_runs(d: &Dag) -> Vec<bool> {
    let n = d.kinds.len();
    let mut ran = vec![false; n + 1];
    ran[0] = true;
    for node in 1..=n {
        ran[node] = d.edges.iter().any(|&(from, to)| {
            to == node && ran[from] && (from == 0 || d.kinds[from - 1] != Some(false))
        });
    }
    ran
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_reached_step_runs_exactly_once(d in dag()) {
        let (engine, calls) = engine();
        let steps: Vec<Value> = d.kinds.iter().enumerate().map(|(i, k)| match k {
            Some(pass) => json!({ "id": name(i + 1), "type": "filter", "condition": pass.to_string() }),
            None => json!({ "id": name(i + 1), "type": "action", "piece": "test", "action": "echo", "props": {} }),
        }).collect();
        let edges: Vec<Value> = d.edges.iter().map(|&(a, b)| json!({ "from": name(a), "to": name(b) })).collect();
        let f = flow(Value::Array(steps), Value::Array(edges));
        let compiled = engine.compile(f).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let record = runtime.block_on(engine.run(&compiled, RunRequest::new(json!({})), &RunEnv::default()));
        prop_assert_eq!(record.status, RunStatus::Succeeded);
        let expected = expected_runs(&d);
        for node in 1..=d.kinds.len() {
            let id = name(node);
            let rec = &record.steps[&id];
            if expected[node] {
                prop_assert_eq!(rec.status, StepStatus::Succeeded, "{} should run", id);
                if d.kinds[node - 1].is_none() {
                    prop_assert_eq!(calls.count(&id), 1, "{} ran {} times", id, calls.count(&id));
                }
            } else {
                prop_assert_eq!(rec.status, StepStatus::Skipped, "{} should be skipped", id);
                prop_assert_eq!(calls.count(&id), 0);
            }
        }
    }
}
