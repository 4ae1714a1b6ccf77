//! Engine benchmarks (`cargo bench -p switchboard-engine`): in-process run cost, with every expression
//! compiled once up front (as the server does per flow version).
//!
//! - `six_node`: webhook → filter → set (3 templates) → code (loop summing 10 numbers) → router
//!   (2 branches) → set: the cost of one run, and per step.
//! - `linear/1000`: a chain of 1,000 set steps, each reading the previous one.
//! - `fan/100`: the trigger fans out to 100 set steps that join into one.
//!
//! The README's table divides the per-run times by the step counts.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use switchboard_engine::{CompiledFlow, Engine, Flow, HttpConfig, RunEnv, RunRequest, RunStatus};

fn six_node() -> Flow {
    serde_json::from_value(json!({
        "schema_version": 1,
        "name": "six-node",
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": [
            { "id": "qualified", "type": "filter",
              "condition": "trigger.body.extracted.qualified == true && trigger.body.duration_sec > 30" },
            { "id": "lead", "type": "set", "values": {
                "text": "Qualified lead {{ trigger.body.from }}: {{ trigger.body.summary }}",
                "email": "{{ trigger.body.extracted.email }}",
                "budget": "{{ trigger.body.extracted.budget }}" } },
            { "id": "score", "type": "code",
              "script": "let total = 0; for n in trigger.body.scores { total += n; } total" },
            { "id": "route", "type": "router", "mode": "first_match", "branches": [
                { "name": "hot", "condition": "steps.score > 40" },
                { "name": "warm" } ] },
            { "id": "hot_lead", "type": "set", "values": { "tier": "hot", "email": "{{ steps.lead.email }}" } }
        ],
        "edges": [
            { "from": "hook", "to": "qualified" },
            { "from": "qualified", "to": "lead" },
            { "from": "lead", "to": "score" },
            { "from": "score", "to": "route" },
            { "from": "route", "to": "hot_lead", "branch": "hot" }
        ]
    }))
    .expect("six-node flow")
}

fn linear(n: usize) -> Flow {
    let mut steps =
        vec![json!({ "id": "s0", "type": "set", "values": { "v": "{{ trigger.body.n }}" } })];
    let mut edges = vec![json!({ "from": "hook", "to": "s0" })];
    for i in 1..n {
        steps.push(json!({ "id": format!("s{i}"), "type": "set", "values": { "v": format!("{{{{ steps.s{}.v + 1 }}}}", i - 1) } }));
        edges.push(json!({ "from": format!("s{}", i - 1), "to": format!("s{i}") }));
    }
    flow("linear", steps, edges)
}

fn fan(width: usize) -> Flow {
    let mut steps = Vec::new();
    let mut edges = Vec::new();
    for i in 0..width {
        steps.push(json!({ "id": format!("b{i}"), "type": "set", "values": { "v": format!("{{{{ trigger.body.n + {i} }}}}") } }));
        edges.push(json!({ "from": "hook", "to": format!("b{i}") }));
        edges.push(json!({ "from": format!("b{i}"), "to": "join" }));
    }
    steps.push(json!({ "id": "join", "type": "set", "values": { "done": true } }));
    flow("fan", steps, edges)
}

fn flow(name: &str, steps: Vec<Value>, edges: Vec<Value>) -> Flow {
    serde_json::from_value(json!({
        "schema_version": 1, "name": name,
        "trigger": { "id": "hook", "piece": "webhook", "trigger": "catch" },
        "steps": steps, "edges": edges
    }))
    .expect("bench flow")
}

fn payload() -> Value {
    json!({ "body": {
        "call_id": "c-123", "from": "+4915112345678", "to": "+4930123456", "status": "completed",
        "duration_sec": 74, "summary": "Interested in demo", "n": 1,
        "scores": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "extracted": { "qualified": true, "budget": 5000, "email": "lead@example.com" } } })
}

fn bench_flow(
    c: &mut Criterion,
    group: &str,
    id: &str,
    engine: &Engine,
    flow: &CompiledFlow,
    steps: u64,
) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let env = RunEnv::default();
    let trigger = payload();
    let check = rt.block_on(engine.run(flow, RunRequest::new(trigger.clone()), &env));
    assert_eq!(check.status, RunStatus::Succeeded, "{:?}", check.error);
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(steps));
    g.bench_function(BenchmarkId::from_parameter(id), |b| {
        b.to_async(&rt).iter(|| engine.run(flow, RunRequest::new(trigger.clone()), &env));
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let engine = Engine::with_builtin_pieces(HttpConfig::default()).expect("engine");
    let six = engine.compile(six_node()).expect("compiles");
    bench_flow(c, "six_node", "run", &engine, &six, 5);
    let lin = engine.compile(linear(1000)).expect("compiles");
    bench_flow(c, "linear", "1000", &engine, &lin, 1000);
    let lin100 = engine.compile(linear(100)).expect("compiles");
    bench_flow(c, "linear", "100", &engine, &lin100, 100);
    let f100 = engine.compile(fan(100)).expect("compiles");
    bench_flow(c, "fan", "100", &engine, &f100, 101);
    let f10 = engine.compile(fan(10)).expect("compiles");
    bench_flow(c, "fan", "10", &engine, &f10, 11);
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
