//! Prometheus metrics: runs by status, step latency per piece, webhook ingest latency, queue depth
//! and runs in flight, served at `GET /metrics`.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Runs that ended, by `status`.
pub const RUNS: &str = "switchboard_runs_total";
/// Step duration in seconds, by `piece` (or step type for control steps) and `status`.
pub const STEP_SECONDS: &str = "switchboard_step_duration_seconds";
/// Time from a webhook's arrival to its run being durably stored, in seconds.
pub const INGEST_SECONDS: &str = "switchboard_webhook_ingest_seconds";
/// Webhooks received, by `outcome` (`accepted`, `duplicate`, `rejected`, `refusal_not_recorded`).
pub const WEBHOOKS: &str = "switchboard_webhooks_total";
/// Time from a mid-call tool request's arrival to its answer, in seconds, by `outcome`
/// (`answered`, or `late` when a tool call missed the platform's deadline).
pub const TOOL_ANSWER_SECONDS: &str = "switchboard_tool_answer_seconds";
/// Runs waiting in the queue.
pub const QUEUE_DEPTH: &str = "switchboard_queue_depth";
/// Runs executing on this node.
pub const IN_FLIGHT: &str = "switchboard_runs_in_flight";

/// Installs the process-wide recorder; `None` if one is already installed (tests in one process).
pub fn install() -> Option<PrometheusHandle> {
    let seconds = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ];
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
        .ok()?;
    let handle = builder.install_recorder().ok()?;
    metrics::describe_counter!(RUNS, "Runs that ended, by status");
    metrics::describe_histogram!(STEP_SECONDS, metrics::Unit::Seconds, "Step duration by piece");
    metrics::describe_histogram!(
        INGEST_SECONDS,
        metrics::Unit::Seconds,
        "Webhook arrival to durable storage"
    );
    metrics::describe_counter!(WEBHOOKS, "Webhooks received, by outcome");
    metrics::describe_gauge!(QUEUE_DEPTH, "Runs waiting in the queue");
    metrics::describe_gauge!(IN_FLIGHT, "Runs executing on this node");
    Some(handle)
}
