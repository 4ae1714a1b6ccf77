//! The dispatcher claims queued runs in batches — those the ingest just stored first, then any the
//! database holds (after a restart, a resume, a retry, a full queue) — and starts one task per run,
//! never more than `workers` at once. Housekeeping wakes paused runs, renews leases and requeues
//! runs whose worker vanished.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::{Runtime, execute};

/// Ids remembered for claiming; beyond this the database poll finds them.
const MAX_PENDING_IDS: usize = 65_536;
/// How often the write-ahead log is checkpointed: often enough that each pass is short.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

pub(super) async fn run(rt: Runtime, mut rx: mpsc::Receiver<String>) {
    let slots = rt.inner.slots.clone();
    let mut shutdown = rt.inner.shutdown.subscribe();
    let mut pending: Vec<String> = Vec::new();
    let mut incoming = Vec::with_capacity(1024);
    loop {
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            n = rx.recv_many(&mut incoming, 1024) => {
                if n == 0 {
                    return;
                }
                if pending.len() < MAX_PENDING_IDS {
                    pending.append(&mut incoming);
                }
                incoming.clear();
            }
            () = rt.inner.wake.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = shutdown.changed() => return,
        }
        // Take everything else already waiting, then claim until nothing is left or no slot is free.
        while let Ok(id) = rx.try_recv() {
            if pending.len() < MAX_PENDING_IDS {
                pending.push(id);
            }
        }
        loop {
            let mut free = slots.available_permits();
            if free == 0 {
                // Wait for a slot rather than spinning; queued runs are safe in the database.
                match slots.clone().acquire_owned().await {
                    Ok(p) => drop(p),
                    Err(_) => return,
                }
                free = slots.available_permits();
            }
            let claimed = if pending.is_empty() {
                rt.inner
                    .store
                    .claim(&rt.inner.config.node, None, free.min(512), rt.inner.config.lease)
                    .await
            } else {
                let take = free.min(pending.len()).min(512);
                let ids: Vec<String> = pending.drain(..take).collect();
                rt.inner
                    .store
                    .claim(&rt.inner.config.node, Some(&ids), take, rt.inner.config.lease)
                    .await
            };
            let claimed = match claimed {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!("claiming runs failed: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
            };
            if claimed.is_empty() && pending.is_empty() {
                break;
            }
            for run in claimed {
                let Ok(permit) = slots.clone().acquire_owned().await else { return };
                let rt = rt.clone();
                tokio::spawn(async move {
                    execute::execute(&rt, run).await;
                    drop(permit);
                });
            }
        }
    }
}

pub(super) async fn housekeeping(rt: Runtime) {
    let mut shutdown = rt.inner.shutdown.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let renew_every = (rt.inner.config.lease / 3).max(Duration::from_secs(1));
    let mut last_renew = tokio::time::Instant::now();
    let mut last_reap = tokio::time::Instant::now();
    let mut last_prune: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        super::scheduler::tick(&rt).await;
        if let Ok(depth) = rt.inner.store.queue_depth().await {
            metrics::gauge!(crate::telemetry::QUEUE_DEPTH).set(depth as f64);
        }
        metrics::gauge!(crate::telemetry::IN_FLIGHT).set(rt.in_flight() as f64);
        match rt.inner.store.wake_due(Utc::now()).await {
            Ok(n) if n > 0 => rt.poke(),
            Ok(_) => {}
            Err(e) => tracing::warn!("waking paused runs failed: {e}"),
        }
        if last_renew.elapsed() >= renew_every {
            last_renew = tokio::time::Instant::now();
            let ids: Vec<String> =
                rt.inner.running.lock().map(|r| r.keys().cloned().collect()).unwrap_or_default();
            if let Err(e) = rt
                .inner
                .store
                .renew_leases(&rt.inner.config.node, &ids, rt.inner.config.lease)
                .await
            {
                tracing::warn!("renewing leases failed: {e}");
            }
        }
        if last_prune.is_none_or(|t| t.elapsed() >= rt.inner.config.retention_every) {
            last_prune = Some(tokio::time::Instant::now());
            let cutoff = Utc::now()
                - chrono::Duration::from_std(rt.inner.config.retention_age)
                    .unwrap_or(chrono::Duration::MAX);
            match rt.inner.store.prune_runs(cutoff, rt.inner.config.retention_runs_per_flow).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("retention deleted {n} finished runs"),
                Err(e) => tracing::warn!("retention failed: {e}"),
            }
        }
        if last_reap.elapsed() >= Duration::from_secs(10) {
            last_reap = tokio::time::Instant::now();
            match rt.inner.store.requeue_lapsed().await {
                Ok(n) if n > 0 => {
                    tracing::warn!("requeued {n} runs whose worker stopped renewing its lease");
                    rt.poke();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("requeueing lapsed runs failed: {e}"),
            }
        }
    }
}

/// Keeps the database's write-ahead log short, in the background.
pub(super) async fn checkpoints(rt: Runtime) {
    let mut shutdown = rt.inner.shutdown.subscribe();
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = rt.inner.store.checkpoint().await {
            tracing::warn!("database checkpoint failed: {e}");
        }
    }
}
