//! `{{ }}` templates: typed versus interpolated values, compile errors, JSON walking.

use serde_json::{Value, json};

use super::{engine, sample_scope};
use crate::expr::{Template, TemplateError};

fn render(template: Value) -> Value {
    let compiled =
        engine().compile_template(&template).unwrap_or_else(|errors| panic!("compile: {errors:?}"));
    engine().render(&compiled, &sample_scope()).unwrap_or_else(|e| panic!("render: {e}"))
}

fn render_str(text: &str) -> Value {
    render(Value::String(text.to_owned()))
}

fn compile_errors(template: Value) -> Vec<TemplateError> {
    match engine().compile_template(&template) {
        Ok(_) => panic!("template should not compile: {template}"),
        Err(errors) => errors,
    }
}

#[test]
fn a_single_expression_keeps_its_type() {
    assert_eq!(render_str("{{ trigger.count }}"), json!(3));
    assert_eq!(render_str("{{ trigger.amount }}"), json!(1234.5));
    assert_eq!(render_str("  {{ trigger.tags }}  "), json!(["a", "b"]));
    assert_eq!(render_str("{{ trigger.nested }}"), json!({"deep": {"value": 42}}));
    assert_eq!(render_str("{{ trigger.public }}"), json!(true));
    assert_eq!(render_str("{{ trigger.nothing }}"), Value::Null);
    assert_eq!(render_str("{{ trigger.missing }}"), Value::Null);
    assert_eq!(render_str("{{trigger.count+1}}"), json!(4));
    assert_eq!(render_str("{{ #{a: 1, b: [true, ()]} }}"), json!({"a": 1, "b": [true, null]}));
    assert_eq!(render_str("\n\t{{ trigger.first }}\n"), json!("ada"));
}

#[test]
fn whole_floats_stay_floats_and_integers_stay_integers() {
    let five_thousand = render_str("{{ 5000.0 }}");
    assert!(five_thousand.is_f64(), "{five_thousand:?}");
    assert_eq!(five_thousand.to_string(), "5000.0");
    let doubled = render_str("{{ 2500.0 * 2 }}");
    assert!(doubled.is_f64());
    let halved = render_str("{{ 10 / 2 }}");
    assert!(halved.is_i64());
    assert_eq!(halved, json!(5));
    assert_eq!(render_str("total: {{ 2500.0 * 2 }}"), json!("total: 5000.0"));
}

#[test]
fn interpolation_turns_values_into_text() {
    assert_eq!(render_str("Hi {{ trigger.name.trim() }}!"), json!("Hi Ada Lovelace!"));
    assert_eq!(render_str("{{ trigger.count }} items"), json!("3 items"));
    assert_eq!(render_str("amount={{ trigger.amount }}"), json!("amount=1234.5"));
    assert_eq!(render_str("public: {{ trigger.public }}"), json!("public: true"));
    assert_eq!(render_str("[{{ trigger.nothing }}][{{ trigger.missing }}]"), json!("[][]"));
    assert_eq!(render_str("tags={{ trigger.tags }}"), json!(r#"tags=["a","b"]"#));
    assert_eq!(render_str("n={{ trigger.nested }}"), json!(r#"n={"deep":{"value":42}}"#));
    assert_eq!(render_str("{{ trigger.first }}-{{ trigger.count }}"), json!("ada-3"));
    assert_eq!(render_str("{{ 'x' }}{{ 1.5 }}"), json!("x1.5"));
    // The same from rhai-computed values (not just paths).
    assert_eq!(
        render_str("{{ [1, \"two\", ()] }} / {{ #{k: 1} }}"),
        json!(r#"[1,"two",null] / {"k":1}"#)
    );
    assert_eq!(render_str("{{ () }}|{{ 1 == 1 }}"), json!("|true"));
}

#[test]
fn braces_inside_the_expression_do_not_end_it() {
    assert_eq!(render_str(r#"{{ "}}" }}"#), json!("}}"));
    assert_eq!(render_str("a {{ \"{{\" }} b"), json!("a {{ b"));
    assert_eq!(render_str("{{ #{a: #{b: 1}} }}"), json!({"a": {"b": 1}}));
    assert_eq!(render_str("x{{ #{a: #{b: 1}}.a.b }}y"), json!("x1y"));
    assert_eq!(render_str("{{ `n=${trigger.count}` }}"), json!("n=3"));
    assert_eq!(render_str("{{ `${#{a: 1}.a}}` }}"), json!("1}"));
    assert_eq!(render_str("{{ trigger.count /* }} */ }}"), json!(3));
    assert_eq!(render_str("{{ '}' }}"), json!("}"));
    // A stray `}}` outside any expression is just text.
    assert_eq!(render_str("a }} b"), json!("a }} b"));
}

#[test]
fn static_templates_need_no_rhai() {
    let value = json!({"a": [1, "two", {"three": null}], "b": "no braces {here}"});
    let template = engine().compile_template(&value).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(template.is_static());
    assert_eq!(engine().render(&template, &sample_scope()).ok(), Some(value.clone()));
    assert_eq!(template.references(), Default::default());

    let literal = Template::literal(json!("{{ not compiled }}"));
    assert!(literal.is_static());
    assert_eq!(engine().render(&literal, &sample_scope()).ok(), Some(json!("{{ not compiled }}")));
}

#[test]
fn nested_json_is_walked_and_keys_are_not_templated() {
    let value = json!({
        "to": "{{ trigger.email.lower() }}",
        "{{ keys stay }}": "literal",
        "blocks": [
            {"text": "Hello {{ trigger.first.capitalize() }}"},
            3,
            null,
            {"n": "{{ trigger.count * 2 }}"}
        ],
        "plain": {"x": 1}
    });
    let template = engine().compile_template(&value).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!template.is_static());
    let rendered = engine().render(&template, &sample_scope()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rendered,
        json!({
            "to": "ada@example.com",
            "{{ keys stay }}": "literal",
            "blocks": [{"text": "Hello Ada"}, 3, null, {"n": 6}],
            "plain": {"x": 1}
        })
    );
    // Key order is kept.
    let keys: Vec<&String> = rendered.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["to", "{{ keys stay }}", "blocks", "plain"]);
}

#[test]
fn objects_read_by_path_keep_their_key_order() {
    let rendered = render_str("{{ trigger.zebra }}");
    let keys: Vec<&String> = rendered.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["z", "a", "m"]);
}

#[test]
fn all_compile_errors_are_reported_with_paths() {
    let errors = compile_errors(json!({
        "email": "{{ triger.email }}",
        "blocks": [1, 2, {"text": "x {{ 1 + }} y"}],
        "first name": "{{ }}",
        "fine": "{{ trigger.count }}"
    }));
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, [".email", ".blocks[2].text", "[\"first name\"]"]);
    assert_eq!(errors[0].error.expression, "triger.email");
    assert_eq!((errors[0].error.line, errors[0].error.column), (Some(1), Some(1)));
    assert!(errors[0].error.message.contains("did you mean `trigger`"), "{}", errors[0].error);
    assert_eq!(errors[1].error.expression, "1 +");
    assert!(errors[2].error.message.contains("empty"), "{}", errors[2].error);
    assert!(errors[0].to_string().starts_with("at .email: `triger.email`: "), "{}", errors[0]);

    let root = compile_errors(json!("{{ nope }}"));
    assert_eq!(root[0].path, "");
    assert!(root[0].to_string().starts_with("`nope`: unknown variable `nope`"), "{}", root[0]);
}

#[test]
fn unterminated_braces_are_a_compile_error_with_a_position() {
    let errors = compile_errors(json!("Hello {{ trigger.name"));
    assert_eq!(errors.len(), 1);
    let error = &errors[0].error;
    assert_eq!((error.line, error.column), (Some(1), Some(7)));
    assert!(error.message.contains("never closed"), "{error}");
    assert_eq!(error.expression, "Hello {{ trigger.name");

    let errors = compile_errors(json!({"body": "line one\nsay {{ x"}));
    assert_eq!(errors[0].path, ".body");
    assert_eq!((errors[0].error.line, errors[0].error.column), (Some(2), Some(5)));

    // An unclosed quote inside: rhai gets the text up to the first `}}` and explains.
    let errors = compile_errors(json!("{{ \"abc }}"));
    assert!(errors[0].error.message.to_lowercase().contains("string"), "{}", errors[0].error);
}

#[test]
fn errors_positions_are_relative_to_the_expression() {
    let errors = compile_errors(json!("some text {{ trigger.count +\n  nope }} more"));
    let error = &errors[0].error;
    assert_eq!(error.expression, "trigger.count +\n  nope");
    assert_eq!((error.line, error.column), (Some(2), Some(3)));
}

#[test]
fn render_errors_name_the_failing_expression() {
    let template = engine()
        .compile_template(&json!({"a": "ok", "b": "x {{ trigger.nothing.inner }}"}))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let error =
        engine().render(&template, &sample_scope()).err().unwrap_or_else(|| panic!("should fail"));
    assert_eq!(error.expression, "trigger.nothing.inner");
    assert!(error.message.contains("empty value"), "{error}");
    assert_eq!((error.line, error.column), (Some(1), Some(17)));
}

#[test]
fn non_finite_numbers_are_errors_not_nulls() {
    let template =
        engine().compile_template(&json!("{{ sqrt(-1.0) }}")).unwrap_or_else(|e| panic!("{e:?}"));
    let error =
        engine().render(&template, &sample_scope()).err().unwrap_or_else(|| panic!("should fail"));
    assert!(error.message.contains("not a finite number"), "{error}");
    let template =
        engine().compile_template(&json!("x{{ sqrt(-1.0) }}")).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(engine().render(&template, &sample_scope()).is_err());
}

#[test]
fn template_references_are_the_union() {
    let template = engine()
        .compile_template(&json!({
            "a": "{{ steps.lookup.body.id }}",
            "b": ["{{ trigger.x }} {{ vars.threshold }}"]
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let references = template.references();
    assert_eq!(references.steps, [("lookup".to_owned(), 1, 1)]);
    assert!(references.trigger && references.vars);
    assert!(!references.run && !references.item && !references.index);
    let mut sources = Vec::new();
    template.for_each_expr(&mut |expr| sources.push(expr.source().to_owned()));
    assert_eq!(sources, ["steps.lookup.body.id", "trigger.x", "vars.threshold"]);
}
