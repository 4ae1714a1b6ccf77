//! Static reference extraction (for the validator) and the access plan built from it.

use std::collections::BTreeMap;

use super::engine;
use crate::expr::access::Need;
use crate::expr::{ExprEngine, References, Root};

fn refs(source: &str) -> References {
    engine().compile_expression(source).unwrap_or_else(|e| panic!("{e}")).references().clone()
}

fn script_refs(source: &str) -> References {
    engine().compile_script(source).unwrap_or_else(|e| panic!("{e}")).references().clone()
}

fn steps(references: &References) -> Vec<(&str, usize, usize)> {
    references.steps.iter().map(|(id, line, column)| (id.as_str(), *line, *column)).collect()
}

#[test]
fn dotted_and_indexed_step_reads() {
    assert_eq!(steps(&refs("steps.a.b")), [("a", 1, 1)]);
    assert_eq!(steps(&refs("steps[\"a-b\"].x")), [("a-b", 1, 1)]);
    assert_eq!(steps(&refs("steps.a")), [("a", 1, 1)]);
    assert_eq!(steps(&refs("steps?.maybe?.x")), [("maybe", 1, 1)]);
    assert_eq!(steps(&refs("1 + steps.a.n + steps.b.n")), [("a", 1, 5), ("b", 1, 17)]);
    // A dynamic index names no step.
    assert_eq!(steps(&refs("steps[trigger.which]")), []);
    assert!(refs("steps[trigger.which]").trigger);
}

#[test]
fn reads_nested_in_calls_and_methods() {
    let references = refs("len(steps.x.list) + upper(steps[\"y\"].name).len()");
    assert_eq!(steps(&references), [("x", 1, 5), ("y", 1, 27)]);
    let references = refs("trigger.name.replace(steps.r.from, vars.to)");
    assert_eq!(steps(&references), [("r", 1, 22)]);
    assert!(references.trigger && references.vars && !references.run);
    let references = refs("trigger.items[steps.i.n].price");
    assert_eq!(steps(&references), [("i", 1, 15)]);
    let references = refs("#{a: steps.m.v, b: [steps.n.v]}");
    assert_eq!(steps(&references), [("m", 1, 6), ("n", 1, 21)]);
    let references = refs("default(steps.o.v, run.id) ?? `${steps.p.q}`");
    assert_eq!(steps(&references), [("o", 1, 9), ("p", 1, 34)]);
    assert!(references.run);
}

#[test]
fn no_false_positives_from_literals_and_comments() {
    let references = refs("\"steps.fake.x\" + `steps.also_fake` + 'x'.to_string() /* steps.c */");
    assert_eq!(references, References::default());
    let references = script_refs("// steps.commented.out\nlet s = \"steps.in_string\";\ns");
    assert_eq!(references, References::default());
}

#[test]
fn reads_in_scripts_with_positions() {
    let references = script_refs(concat!(
        "let total = 0;\n",
        "for it in steps.fetch.body.items {\n",
        "    total += it.price * vars.rate;\n",
        "}\n",
        "if total > 10 { steps.cfg.big } else { total }",
    ));
    assert_eq!(steps(&references), [("fetch", 2, 11), ("cfg", 5, 17)]);
    assert!(references.vars && !references.trigger);
    let references =
        script_refs("let n = 0;\nloop {\n  n += 1;\n  if n > 3 { break steps.late.value; }\n}");
    assert_eq!(steps(&references), [("late", 4, 20)]);
    let references =
        script_refs("switch trigger.kind {\n  \"a\" => steps.sa.v,\n  _ => steps.sd.v\n}");
    assert_eq!(steps(&references), [("sa", 2, 10), ("sd", 3, 8)]);
    let references = script_refs("try { steps.t.v } catch (e) { steps.c.v }");
    assert_eq!(steps(&references), [("t", 1, 7), ("c", 1, 31)]);
}

#[test]
fn closures_report_what_they_read() {
    let references = refs("trigger.items.map(|x| x.price * steps.cfg.rate)");
    assert_eq!(steps(&references), [("cfg", 1, 33)]);
    assert!(references.trigger);
}

#[test]
fn script_variables_are_not_free_variables() {
    let references = script_refs("let item = 5;\nitem + 1");
    assert!(!references.item);
    let references = script_refs("for item in trigger.items { item.price }");
    assert!(!references.item && references.trigger);
    let references = script_refs("fn f(steps, index) { steps.x + index }\nf(#{x: 1}, 2)");
    assert_eq!(references, References::default());
    let references = refs("item.price * index");
    assert!(references.item && references.index);
}

#[test]
fn the_access_plan_follows_paths() {
    let expr = engine()
        .compile_expression("steps.a.b.c + steps.a.d + trigger.x[0].y")
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = ExprEngine::plan(&expr);
    let keys = |pairs: Vec<(&str, Need)>| {
        Need::Keys(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<BTreeMap<_, _>>())
    };
    assert_eq!(
        plan.need(Root::Steps),
        Some(&keys(vec![(
            "a",
            keys(vec![("b", keys(vec![("c", Need::Whole)])), ("d", Need::Whole)])
        )]))
    );
    // Integer indexes stop the path: the whole array is copied.
    assert_eq!(plan.need(Root::Trigger), Some(&keys(vec![("x", Need::Whole)])));
    assert_eq!(plan.need(Root::Vars), None);

    // A method call or a whole read widens the need.
    let expr = engine()
        .compile_expression("steps.a.b.len() + steps.a.keys().len()")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ExprEngine::plan(&expr).need(Root::Steps), Some(&keys(vec![("a", Need::Whole)])));
    let expr = engine().compile_expression("steps.keys()").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ExprEngine::plan(&expr).need(Root::Steps), Some(&Need::Whole));

    // What closures read is planned separately (and served by the resolver, not the scope).
    let expr = engine()
        .compile_expression("trigger.items.map(|x| x.price * steps.cfg.rate + trigger.count)")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ExprEngine::plan(&expr).need(Root::Steps), None);
    assert_eq!(
        ExprEngine::plan(&expr).need(Root::Trigger),
        Some(&keys(vec![("items", Need::Whole)]))
    );
    let function_plan = ExprEngine::function_plan(&expr);
    assert_eq!(
        function_plan.need(Root::Steps),
        Some(&keys(vec![("cfg", keys(vec![("rate", Need::Whole)]))]))
    );
    assert_eq!(function_plan.need(Root::Trigger), Some(&keys(vec![("count", Need::Whole)])));
}

#[test]
fn plain_paths_take_the_fast_path() {
    for source in [
        "steps.lookup.body.email",
        "trigger",
        "trigger[\"e-mail\"]",
        "trigger.items[1].price",
        "item",
    ] {
        let expr = engine().compile_expression(source).unwrap_or_else(|e| panic!("{e}"));
        assert!(ExprEngine::has_fast_path(&expr), "{source}");
    }
    for source in
        ["trigger.name.trim()", "trigger.count + 1", "trigger[trigger.first]", "-trigger.count"]
    {
        let expr = engine().compile_expression(source).unwrap_or_else(|e| panic!("{e}"));
        assert!(!ExprEngine::has_fast_path(&expr), "{source}");
    }
}
