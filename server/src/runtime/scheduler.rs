//! Fires schedule triggers: once a second, every enabled schedule whose time has come gets one run.
//! The run's idempotency key is the scheduled time, so a fire is never doubled, whichever node or
//! restart gets there first.

use chrono::Utc;
use serde_json::json;

use super::Runtime;
use crate::schedule::ScheduleSpec;
use crate::store::NewRun;

pub(super) async fn tick(rt: &Runtime) {
    let flows = match rt.inner.store.scheduled_flows().await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("reading schedules failed: {e}");
            return;
        }
    };
    let now = Utc::now();
    for flow in flows {
        let name = flow.trigger.get("trigger").and_then(|t| t.as_str()).unwrap_or_default();
        let props =
            flow.trigger.get("props").and_then(|p| p.as_object()).cloned().unwrap_or_default();
        let spec = match ScheduleSpec::from_trigger(name, &props) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(flow = %flow.flow_id, "schedule not usable: {e}");
                continue;
            }
        };
        let due = spec.due(flow.last_fired, flow.created_at, now, rt.inner.config.catch_up);
        let Some(fire_at) = due.fire_at else { continue };
        let run = NewRun {
            idempotency_key: Some(format!("schedule:{}", fire_at.to_rfc3339())),
            created_at: now,
            ..NewRun::new(
                &flow.flow_id,
                Some(flow.version),
                json!({ "scheduled_at": fire_at.to_rfc3339() }),
            )
        };
        match rt.submit(run).await {
            Ok(_) => {
                if let Err(e) = rt.inner.store.mark_fired(&flow.flow_id, fire_at).await {
                    tracing::warn!(flow = %flow.flow_id, "recording a schedule fire failed: {e}");
                }
            }
            Err(e) => tracing::warn!(flow = %flow.flow_id, "starting a scheduled run failed: {e}"),
        }
    }
}
