//! The editor's "test this step": one step of a flow's draft runs alone, with the trigger's
//! value and the other steps' outputs taken from the flow's sample data (its last test run),
//! and its output becomes that step's sample data in turn. Nothing is journaled and no run is
//! stored: it is a preview, like n8n's "execute step".

use std::collections::BTreeMap;

use serde_json::Value;
use switchboard_engine::exec::StepRecord;
use switchboard_engine::{RunEnv, RunRequest};

use super::Runtime;
use super::flows::FlowLoadError;
use crate::store::StoreError;

/// Why a step could not be tested.
#[derive(Debug, thiserror::Error)]
pub enum StepTestError {
    /// The draft does not compile (or the flow does not exist).
    #[error(transparent)]
    Flow(#[from] FlowLoadError),
    /// The sample data could not be read or saved.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The step is missing or inside a loop.
    #[error("{0}")]
    Step(String),
}

impl Runtime {
    /// Runs `step_id` of `flow_id`'s draft alone. `trigger` overrides the trigger's sample value.
    pub async fn test_step(
        &self,
        flow_id: &str,
        step_id: &str,
        trigger: Option<Value>,
    ) -> Result<StepRecord, StepTestError> {
        let compiled = self.inner.flows.get(flow_id, None).await?;
        let given: BTreeMap<String, Value> = self.inner.store.samples(flow_id).await?;
        let trigger_id = &compiled.flow().trigger.id;
        let trigger = trigger
            .or_else(|| given.get(trigger_id).cloned())
            .or_else(|| self.trigger_sample(&compiled))
            .unwrap_or(Value::Null);
        let request = RunRequest {
            resume_base_url: self.inner.config.resume_base_url.clone(),
            ..RunRequest::new(trigger)
        };
        let env = RunEnv { connections: self.inner.connections.clone(), ..RunEnv::default() };
        let record = self
            .inner
            .engine
            .run_step(&compiled, step_id, request, &given, &env)
            .await
            .map_err(StepTestError::Step)?;
        if let Some(output) = &record.output {
            let sample = BTreeMap::from([(step_id.to_owned(), output.clone())]);
            self.inner.store.save_samples(flow_id, &sample).await?;
        }
        Ok(record)
    }

    /// The trigger's documented sample output, when no test has run yet.
    fn trigger_sample(&self, compiled: &switchboard_engine::CompiledFlow) -> Option<Value> {
        let t = &compiled.flow().trigger;
        let piece = self.inner.engine.registry().get(&t.piece)?;
        piece.meta().trigger(&t.trigger)?.sample_output.clone()
    }
}
