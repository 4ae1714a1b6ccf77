//! What kind of node an n8n type is, and the few structural facts the graph needs about each
//! kind: how many outputs it has and what each output becomes (a branch, a loop body …).

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{Node, OnFail, STICKY_NOTE};

/// How a trigger node maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TriggerKind {
    /// Webhook → `webhook.catch`.
    Webhook,
    /// Schedule Trigger / Cron / Interval → `schedule`.
    Schedule,
    /// Manual Trigger / Start → `manual.run`.
    Manual,
    /// n8n Form Trigger → `webhook.catch` (approximated).
    Form,
    /// Execute Workflow Trigger → `manual.run` (a subflow's input arrives as `trigger.body`).
    Subflow,
    /// Any other trigger → `manual.run` (approximated).
    Other,
}

/// The vendor nodes mapped to our pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum App {
    /// `n8n-nodes-base.slack`.
    Slack,
    /// `n8n-nodes-base.hubspot`.
    Hubspot,
    /// `n8n-nodes-base.googleSheets`.
    GoogleSheets,
    /// `n8n-nodes-base.airtable`.
    Airtable,
    /// `n8n-nodes-base.pipedrive`.
    Pipedrive,
    /// `n8n-nodes-base.sendGrid`.
    SendGrid,
    /// `n8n-nodes-base.twilio`.
    Twilio,
    /// `n8n-nodes-base.gmail`.
    Gmail,
    /// `n8n-nodes-base.emailSend` (SMTP).
    EmailSend,
}

/// The kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// A trigger.
    Trigger(TriggerKind),
    /// IF.
    If,
    /// Switch.
    Switch,
    /// Filter.
    Filter,
    /// Set / Edit Fields.
    Set,
    /// No Operation.
    NoOp,
    /// Code / Function / Function Item.
    Code,
    /// HTTP Request.
    Http,
    /// Respond to Webhook.
    Respond,
    /// Wait.
    Wait,
    /// Merge.
    Merge,
    /// Split in Batches / Loop Over Items.
    Loop,
    /// Split Out / Item Lists "split out items".
    SplitOut,
    /// Stop and Error.
    StopAndError,
    /// A vendor node with a piece of ours.
    App(App),
    /// A sticky note (canvas decoration).
    Sticky,
    /// Anything else.
    Unknown,
}

/// The kind of `node`.
pub(super) fn family(node: &Node) -> Family {
    if node.kind == STICKY_NOTE {
        return Family::Sticky;
    }
    if let Some(short) = node.kind.strip_prefix("n8n-nodes-base.") {
        let f = match short {
            "webhook" => Family::Trigger(TriggerKind::Webhook),
            "scheduleTrigger" | "cron" | "interval" => Family::Trigger(TriggerKind::Schedule),
            "manualTrigger" | "start" => Family::Trigger(TriggerKind::Manual),
            "formTrigger" => Family::Trigger(TriggerKind::Form),
            "executeWorkflowTrigger" => Family::Trigger(TriggerKind::Subflow),
            "if" => Family::If,
            "switch" => Family::Switch,
            "filter" => Family::Filter,
            "set" => Family::Set,
            "noOp" => Family::NoOp,
            "code" | "function" | "functionItem" => Family::Code,
            "httpRequest" => Family::Http,
            "respondToWebhook" => Family::Respond,
            "wait" => Family::Wait,
            "merge" => Family::Merge,
            "splitInBatches" => Family::Loop,
            "splitOut" => Family::SplitOut,
            "itemLists" if node.str_param("operation", "splitOutItems") == "splitOutItems" => {
                Family::SplitOut
            }
            "stopAndError" => Family::StopAndError,
            "slack" => Family::App(App::Slack),
            "hubspot" => Family::App(App::Hubspot),
            "googleSheets" => Family::App(App::GoogleSheets),
            "airtable" => Family::App(App::Airtable),
            "pipedrive" => Family::App(App::Pipedrive),
            "sendGrid" => Family::App(App::SendGrid),
            "twilio" => Family::App(App::Twilio),
            "gmail" => Family::App(App::Gmail),
            "emailSend" => Family::App(App::EmailSend),
            _ => Family::Unknown,
        };
        if f != Family::Unknown {
            return f;
        }
    }
    let lower = node.kind.to_ascii_lowercase();
    if lower.ends_with("trigger") || lower == "n8n-nodes-base.emailreadimap" {
        return Family::Trigger(TriggerKind::Other);
    }
    Family::Unknown
}

/// What an output of a node becomes in the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Port {
    /// An ordinary edge from the step.
    Plain,
    /// One edge per named router branch.
    Branches(Vec<String>),
    /// The body of the loop the node became (no edge: the target is a body entry step).
    LoopBody,
    /// An edge from the synthetic router that tells success from failure (`success` / `error`).
    Outcome(&'static str),
    /// No edge; the reason goes into the report.
    Drop(String),
}

/// How an IF node maps, from which of its outputs are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IfShape {
    /// Both outputs: a router with `true` and `false` (fallback) branches.
    Router,
    /// Only the true output: a filter.
    TrueFilter,
    /// Only the false output: a filter on the negated condition.
    FalseFilter,
}

/// The shape of an IF node with `linked` outputs connected.
pub(super) fn if_shape(linked: &BTreeSet<usize>) -> IfShape {
    match (linked.contains(&0), linked.contains(&1)) {
        (true, true) => IfShape::Router,
        (false, true) => IfShape::FalseFilter,
        _ => IfShape::TrueFilter,
    }
}

/// Which outputs of a Split in Batches node are "loop" and "done": v3 has done = 0 and loop = 1;
/// older versions have a single output that feeds the loop.
pub(super) fn loop_outputs(node: &Node) -> (usize, Option<usize>) {
    if node.version >= 3.0 { (1, Some(0)) } else { (0, None) }
}

/// The router branches of a Switch node, per output index, and the fallback branch's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SwitchBranches {
    /// The branch name of each output (several for an output that is also the fallback).
    pub per_output: Vec<Vec<String>>,
    /// The fallback branch, when the node has one.
    pub fallback: Option<String>,
}

/// More outputs than any Switch node can have; larger numbers in an export are ignored.
const MAX_OUTPUTS: u64 = 64;

/// Names the branches of a Switch node the way the n8n editor labels its outputs.
pub(super) fn switch_branches(node: &Node) -> SwitchBranches {
    let mut names: Vec<String> = Vec::new();
    let mut fallback = None;
    let mut fallback_output: Option<usize> = None;
    let unique = |names: &Vec<String>, wanted: String| {
        let mut name = wanted.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        name
    };
    if node.version >= 3.0 {
        if node.str_param("mode", "rules") == "expression" {
            let count =
                node.param("numberOutputs").and_then(Value::as_u64).unwrap_or(4).min(MAX_OUTPUTS);
            for i in 0..count {
                names.push(format!("output_{i}"));
            }
        } else {
            let rules = node
                .param("rules")
                .and_then(|r| r.get("values"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, rule) in rules.iter().enumerate() {
                let renamed = rule.get("renameOutput").and_then(Value::as_bool).unwrap_or(false);
                let key = rule.get("outputKey").and_then(Value::as_str).unwrap_or("").trim();
                let wanted =
                    if renamed && !key.is_empty() { key.to_owned() } else { format!("output_{i}") };
                let name = unique(&names, wanted);
                names.push(name);
            }
            let options = node.obj_param("options");
            match options.get("fallbackOutput") {
                Some(Value::String(s)) if s == "extra" => {
                    let wanted = options
                        .get("renameFallbackOutput")
                        .and_then(Value::as_str)
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or("fallback")
                        .to_owned();
                    let name = unique(&names, wanted);
                    names.push(name.clone());
                    fallback = Some(name);
                }
                Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n < MAX_OUTPUTS) => {
                    fallback_output = n.as_u64().map(|n| n as usize);
                    fallback = Some(unique(&names, "fallback".into()));
                }
                _ => {}
            }
        }
    } else {
        let outputs = if node.str_param("mode", "rules") == "expression" {
            4
        } else {
            node.param("rules")
                .and_then(|r| r.get("rules"))
                .and_then(Value::as_array)
                .map(|rules| {
                    rules
                        .iter()
                        .filter_map(|r| r.get("output").and_then(Value::as_u64))
                        .filter(|o| *o < MAX_OUTPUTS)
                        .max()
                        .map_or(0, |m| m as usize + 1)
                })
                .unwrap_or(0)
                .max(4)
        };
        for i in 0..outputs {
            names.push(format!("output_{i}"));
        }
        if let Some(n) = node
            .param("fallbackOutput")
            .and_then(Value::as_i64)
            .filter(|n| (0..MAX_OUTPUTS as i64).contains(n))
        {
            fallback_output = Some(n as usize);
            fallback = Some("fallback".into());
        }
    }
    let mut per_output: Vec<Vec<String>> = names.into_iter().map(|n| vec![n]).collect();
    if let (Some(k), Some(f)) = (fallback_output, &fallback) {
        while per_output.len() <= k {
            per_output.push(vec![format!("output_{}", per_output.len())]);
        }
        per_output[k].push(f.clone());
    }
    SwitchBranches { per_output, fallback }
}

/// What each output of `node` becomes, given the outputs that are connected.
pub(super) fn ports(node: &Node, linked: &BTreeSet<usize>) -> Vec<Port> {
    let mut ports = match family(node) {
        Family::If => match if_shape(linked) {
            IfShape::Router => {
                vec![Port::Branches(vec!["true".into()]), Port::Branches(vec!["false".into()])]
            }
            IfShape::TrueFilter => vec![Port::Plain, Port::Drop("unconnected".into())],
            IfShape::FalseFilter => vec![Port::Drop("unconnected".into()), Port::Plain],
        },
        Family::Switch => {
            switch_branches(node).per_output.into_iter().map(Port::Branches).collect()
        }
        Family::Loop => {
            let (body, done) = loop_outputs(node);
            let mut p = vec![Port::Plain; body.max(done.unwrap_or(0)) + 1];
            if linked.contains(&body) {
                p[body] = Port::LoopBody;
            } else {
                p[body] = Port::Drop("the loop output is not connected".into());
            }
            p
        }
        Family::Filter => vec![
            Port::Plain,
            Port::Drop("the Filter's discarded-items output has no equivalent".into()),
        ],
        _ if node.on_fail == OnFail::ErrorOutput && linked.contains(&1) => {
            vec![Port::Outcome("success"), Port::Outcome("error")]
        }
        _ => vec![Port::Plain],
    };
    // Outputs beyond the known ones: an unknown node with several outputs keeps them as plain
    // edges; a branching node has no branch for them.
    let branching = matches!(family(node), Family::If | Family::Switch | Family::Loop);
    if let Some(max) = linked.iter().max() {
        while ports.len() <= *max {
            ports.push(if branching {
                Port::Drop("the node has no such output".into())
            } else {
                Port::Plain
            });
        }
    }
    ports
}

/// Whether the node's data passes through unchanged (so `$json` after it means `$json` before it).
pub(super) fn passes_through(f: Family) -> bool {
    matches!(
        f,
        Family::If
            | Family::Switch
            | Family::Filter
            | Family::NoOp
            | Family::Respond
            | Family::StopAndError
    )
}
