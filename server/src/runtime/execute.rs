//! Executing one claimed run with the engine, and what follows its end: the run's final state,
//! the synchronous caller, test samples, and the error flow.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;
use switchboard_engine::exec::{Pause, Response, RunError};
use switchboard_engine::{RunEnv, RunRecord, RunRequest, RunStatus};
use tokio::sync::watch;

use super::waiters::SyncOutcome;
use super::{Runtime, journal};
use crate::store::{ClaimedRun, NewRun, RunEnd};

pub(super) async fn execute(rt: &Runtime, run: ClaimedRun) {
    let started = std::time::Instant::now();
    let started_at = Utc::now();
    let compiled = match rt.inner.flows.get(&run.flow_id, run.version).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(run = %run.id, "cannot execute: {e}");
            let end = RunEnd {
                run_id: run.id.clone(),
                status: RunStatus::Failed,
                error: Some(RunError { step: None, message: e.to_string() }),
                response: None,
                output: None,
                pauses: Vec::new(),
                wake_at: None,
                started_at,
                duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            };
            journal::end(rt, end).await;
            rt.inner.waiters.answer(
                &run.id,
                SyncOutcome::Ended(Box::new(failed_record(&run, started_at, e.to_string()))),
            );
            return;
        }
    };
    // Registered before waiting for the flow's concurrency limit, so the lease keeps being renewed.
    let (cancel_tx, cancel_rx) = watch::channel(false);
    if let Ok(mut running) = rt.inner.running.lock() {
        running.insert(run.id.clone(), cancel_tx);
    }
    let _limit = match rt.inner.flows.limit(&compiled, &run.flow_id) {
        Some(sem) => sem.acquire_owned().await.ok(),
        None => None,
    };
    let started_at = Utc::now();
    let respond_rt = rt.clone();
    let respond_id = run.id.clone();
    let env = RunEnv {
        journal: journal::StoreJournal::new(rt),
        connections: rt.inner.connections.clone(),
        subflows: Arc::new(super::subflows::ServerSubflows {
            rt: rt.clone(),
            parent_run: run.id.clone(),
        }),
        on_respond: Some(Arc::new(move |r: &Response| {
            respond_rt.inner.waiters.answer(&respond_id, SyncOutcome::Responded(r.clone()));
        })),
        cancel: Some(cancel_rx),
    };
    let request = RunRequest {
        run_id: run.id.clone(),
        trigger: run.trigger.clone(),
        started_at: run.created_at,
        resume_token: run.resume_token.clone(),
        resume_base_url: rt.inner.config.resume_base_url.clone(),
        prior: run.prior.clone(),
        resume: run.resume.clone(),
        vars: serde_json::Map::new(),
    };
    let record = rt.inner.engine.run(&compiled, request, &env).await;
    if let Ok(mut running) = rt.inner.running.lock() {
        running.remove(&run.id);
    }

    let wake_at = record
        .pauses
        .iter()
        .filter_map(|p| match &p.pause {
            Pause::Delay { wake_at } => Some(*wake_at),
            Pause::Wait { timeout_at, .. } => *timeout_at,
        })
        .min();
    journal::end(
        rt,
        RunEnd {
            run_id: run.id.clone(),
            status: record.status,
            error: record.error.clone(),
            response: record.response.clone(),
            output: record.output.clone(),
            pauses: record.pauses.clone(),
            wake_at,
            started_at,
            duration_ms: record.duration_ms,
        },
    )
    .await;

    record_metrics(&compiled, &record);
    if run.version.is_none() {
        save_samples(rt, &run.flow_id, &record).await;
    }
    if record.status == RunStatus::Failed
        && let Some(error_flow) = compiled.flow().settings.error_flow.clone()
    {
        start_error_flow(rt, &error_flow, &run, &compiled.flow().name, &record).await;
    }
    if rt.inner.waiters.is_waiting(&run.id) {
        rt.inner.waiters.answer(&run.id, SyncOutcome::Ended(Box::new(record)));
    }
}

/// Runs by status, and each top-level step's duration by piece (control steps by type).
fn record_metrics(flow: &switchboard_engine::CompiledFlow, record: &RunRecord) {
    let status = serde_json::to_value(record.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    metrics::counter!(crate::telemetry::RUNS, "status" => status).increment(1);
    for step in &flow.flow().steps {
        let Some(r) = record.steps.get(step.id()) else { continue };
        if r.attempts == 0 {
            continue;
        }
        let piece = match &step.kind {
            switchboard_engine::flow::StepKind::Action(a) => a.piece.clone(),
            other => other.type_name().to_owned(),
        };
        let status =
            if r.status == switchboard_engine::StepStatus::Failed { "failed" } else { "succeeded" };
        metrics::histogram!(crate::telemetry::STEP_SECONDS, "piece" => piece, "status" => status)
            .record(r.duration_ms / 1000.0);
    }
}

fn failed_record(run: &ClaimedRun, started_at: DateTime<Utc>, message: String) -> RunRecord {
    RunRecord {
        run_id: run.id.clone(),
        status: RunStatus::Failed,
        error: Some(RunError { step: None, message }),
        started_at,
        duration_ms: 0.0,
        steps: BTreeMap::new(),
        response: None,
        output: None,
        pauses: Vec::new(),
    }
}

/// A test run's outputs become the editor's sample data, per step.
async fn save_samples(rt: &Runtime, flow_id: &str, record: &RunRecord) {
    let samples: BTreeMap<String, serde_json::Value> = record
        .steps
        .iter()
        .filter_map(|(id, r)| r.output.clone().map(|o| (id.clone(), o)))
        .collect();
    if let Err(e) = rt.inner.store.save_samples(flow_id, &samples).await {
        tracing::warn!(flow = flow_id, "saving sample data failed: {e}");
    }
}

/// Starts `settings.error_flow` with the failed run's details as its trigger body.
async fn start_error_flow(
    rt: &Runtime,
    error_flow: &str,
    run: &ClaimedRun,
    flow_name: &str,
    record: &RunRecord,
) {
    let version = match rt.inner.store.get_flow(error_flow).await {
        Ok(Some(f)) if f.enabled && f.published_version.is_some() => f.published_version,
        Ok(_) => {
            tracing::warn!(flow = %run.flow_id, error_flow, "the error flow is missing, unpublished or disabled");
            return;
        }
        Err(e) => {
            tracing::warn!("loading the error flow failed: {e}");
            return;
        }
    };
    let body = json!({
        "flow_id": run.flow_id,
        "flow_name": flow_name,
        "run_id": run.id,
        "error": record.error,
        "failed_at": Utc::now().to_rfc3339(),
    });
    let new = NewRun {
        idempotency_key: Some(format!("error-of:{}:{}", run.id, run.executions)),
        ..NewRun::new(error_flow, version, json!({ "body": body }))
    };
    if let Err(e) = rt.submit(new).await {
        tracing::warn!("starting the error flow failed: {e}");
    }
}
