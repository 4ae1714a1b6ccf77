//! The access analysis must never change a result: scripts using every kind of statement and
//! expression are evaluated with the pruned copies and with whole copies (see `checked_eval`).

use serde_json::json;

use super::{engine, script};
use crate::expr::access::Need;
use crate::expr::{ExprEngine, Root};

const KITCHEN_SINK: &str = r#"
fn weight(item, factor) { item.price * item.qty * factor }
let out = #{};
let total = 0;
for (it, i) in trigger.items {
    total += weight(it, steps.cfg.rate) + i;
}
out.total = total;
let n = 0;
while n < trigger.count { n += 1; }
do { n -= 1; } until n <= trigger.nested.deep.value - 42;
out.n = n;
out.kind = switch trigger.count {
    1 | 2 => "few",
    3..10 if trigger.public => `many ${trigger.first}`,
    _ => steps.http.status
};
try { throw trigger.tags[0]; } catch (e) { out.caught = `${e}!`; }
out.found = loop { if steps.lookup.found { break steps.lookup.body.id; } };
out.maybe = trigger.nested?.nope?.deeper ?? vars.region;
out.inside = "deep" in trigger.nested && "b" in trigger.tags;
out.dynamic = trigger[if trigger.public { "first" } else { "email" }];
out.indexed = trigger.items[trigger.count - 2].price;
let c = trigger.count;
out.mapped = trigger.items.map(|x| x.qty * c + steps.cfg.rate);
out.nested_closure = [1, 2].map(|a| [10].map(|b| a + b + steps.http.body.z));
out.block = { let inner = run.id; inner + "/" + trigger.zebra.m };
out.method = trigger.name.trim().upper().sub_string(0, 3);
out.keys = trigger.zebra.keys();
out
"#;

#[test]
fn pruned_copies_give_the_same_results_as_whole_copies() {
    // `script` compares against the unoptimised evaluation and panics on any difference.
    let value = script(KITCHEN_SINK);
    assert_eq!(
        value,
        json!({
            "total": 2 * 3 * 2 + 5 * 2 + 1,
            "n": 0,
            "kind": "many ada",
            "caught": "a!",
            "found": 7,
            "maybe": "DE",
            "inside": true,
            "dynamic": "ada",
            "indexed": 5,
            "mapped": [11, 5],
            "nested_closure": [[12], [13]],
            "block": "run_1/3",
            "method": "ADA",
            "keys": ["a", "m", "z"]
        })
    );
}

#[test]
fn the_kitchen_sink_is_understood_without_falling_back() {
    let expr = engine().compile_script(KITCHEN_SINK).unwrap_or_else(|e| panic!("{e}"));
    let plan = ExprEngine::plan(&expr);
    // Only the dynamic index `trigger[...]` needs the whole trigger; the analysis did not give up
    // on the steps (which would make them `Whole` too).
    assert_eq!(plan.need(Root::Trigger), Some(&Need::Whole));
    let Some(Need::Keys(steps)) = plan.need(Root::Steps) else {
        panic!("steps should be read by path: {:?}", plan.need(Root::Steps))
    };
    assert_eq!(steps.keys().collect::<Vec<_>>(), ["cfg", "http", "lookup"]);
    assert!(matches!(plan.need(Root::Run), Some(Need::Keys(_))));
    assert_eq!(plan.need(Root::Item), None);
    let references = expr.references();
    let ids: Vec<&str> = references.step_ids().collect();
    assert_eq!(ids, ["cfg", "http", "lookup", "lookup", "cfg", "http"]);
}
