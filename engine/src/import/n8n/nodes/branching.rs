//! IF → router (`true` / `false` fallback) or filter, Switch → router, Filter → filter.

use serde_json::{Value, json};

use super::Ctx;
use crate::import::n8n::conditions;
use crate::import::n8n::expressions::Reads;
use crate::import::n8n::kinds::{IfShape, if_shape, switch_branches};

/// The condition of an IF or Filter node.
fn node_condition(ctx: &mut Ctx<'_>, legacy_all: bool) -> String {
    let node = ctx.node;
    let group = node.param("conditions").cloned().unwrap_or(Value::Null);
    let loose = node.bool_param("looseTypeValidation", false);
    let v2 = node.version >= 2.0;
    ctx.condition("conditions", &group, |tr, reads: &mut Reads| {
        if v2 {
            conditions::filter(tr, &group, loose, reads)
        } else {
            conditions::legacy(tr, &group, legacy_all, reads)
        }
    })
}

/// IF.
pub(super) fn map_if(ctx: &mut Ctx<'_>) -> Value {
    let all = ctx.node.str_param("combineOperation", "all") != "any";
    let condition = node_condition(ctx, all);
    let i = ctx.node.index;
    match if_shape(&ctx.env.plan.linked[i]) {
        IfShape::Router => json!({
            "id": ctx.id, "type": "router", "mode": "first_match",
            "branches": [ { "name": "true", "condition": condition }, { "name": "false" } ]
        }),
        IfShape::TrueFilter => {
            ctx.note("Only the true output is connected, so it is a filter.");
            json!({ "id": ctx.id, "type": "filter", "condition": condition })
        }
        IfShape::FalseFilter => {
            ctx.note(
                "Only the false output is connected, so it is a filter on the opposite condition.",
            );
            json!({ "id": ctx.id, "type": "filter", "condition": format!("!({condition})") })
        }
    }
}

/// Filter.
pub(super) fn map_filter(ctx: &mut Ctx<'_>) -> Value {
    let all = ctx.node.str_param("combineConditions", "AND") != "OR";
    let condition = node_condition(ctx, all);
    json!({ "id": ctx.id, "type": "filter", "condition": condition })
}

/// Switch.
pub(super) fn map_switch(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let names = switch_branches(node);
    let loose = node.bool_param("looseTypeValidation", false)
        || node.obj_param("options").get("looseTypeValidation").and_then(Value::as_bool)
            == Some(true);
    let mut branches: Vec<Value> = Vec::new();
    let name_of = |k: usize| names.per_output.get(k).and_then(|n| n.first()).cloned();
    if node.str_param("mode", "rules") == "expression" {
        let output = node.param("output").cloned().unwrap_or(Value::Null);
        for k in 0..names.per_output.len() {
            let cond = ctx.condition("output", &output, |tr, reads: &mut Reads| {
                Ok(format!("({}) == {k}", tr.expr(&output, reads)?.code))
            });
            branches.push(json!({ "name": name_of(k), "condition": cond }));
        }
    } else if node.version >= 3.0 {
        let rules = node
            .param("rules")
            .and_then(|r| r.get("values"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (k, rule) in rules.iter().enumerate() {
            let group = rule.get("conditions").cloned().unwrap_or(Value::Null);
            let cond = ctx.condition(&format!("rules[{k}]"), &group, |tr, reads: &mut Reads| {
                conditions::filter(tr, &group, loose, reads)
            });
            branches.push(json!({ "name": name_of(k), "condition": cond }));
        }
    } else {
        // Switch v1/v2: one value compared with each rule; rules may share an output.
        let data_type = node.str_param("dataType", "number").to_owned();
        let value1 = node.param("value1").cloned().unwrap_or(Value::Null);
        let rules = node
            .param("rules")
            .and_then(|r| r.get("rules"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for k in 0..names.per_output.len() {
            let mine: Vec<&Value> = rules
                .iter()
                .filter(|r| r.get("output").and_then(Value::as_u64).unwrap_or(0) as usize == k)
                .collect();
            let original = Value::Array(mine.iter().map(|v| (*v).clone()).collect());
            let cond = ctx.condition(&format!("rules (output {k})"), &original, |tr, reads| {
                let mut parts = Vec::new();
                for r in &mine {
                    let op = r.get("operation").and_then(Value::as_str).unwrap_or("equal");
                    let v2 = r.get("value2").unwrap_or(&Value::Null);
                    let c = conditions::legacy_compare(tr, &data_type, op, &value1, v2, reads)?;
                    parts.push(format!("({c})"));
                }
                Ok(if parts.is_empty() { "false".into() } else { parts.join(" || ") })
            });
            branches.push(json!({ "name": name_of(k), "condition": cond }));
        }
    }
    // Outputs without a rule (connected past the last rule): branches that never match.
    for name in names.per_output.iter().flatten() {
        let known = branches.iter().any(|b| b["name"] == *name);
        if !known && Some(name) != names.fallback.as_ref() {
            branches.push(json!({ "name": name, "condition": "false" }));
        }
    }
    if let Some(f) = &names.fallback {
        branches.push(json!({ "name": f }));
    }
    if branches.is_empty() {
        ctx.approx("The Switch has no rules, so nothing passes.");
        branches.push(json!({ "name": "output_0", "condition": "false" }));
    }
    let all =
        node.obj_param("options").get("allMatchingOutputs").and_then(Value::as_bool) == Some(true);
    if names.fallback.is_none() {
        ctx.note(
            "Items that match no rule stop here, as in n8n (the Switch has no fallback output).",
        );
    }
    json!({
        "id": ctx.id, "type": "router",
        "mode": if all { "all_match" } else { "first_match" },
        "branches": branches
    })
}
