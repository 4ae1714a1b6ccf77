//! Templates, references, conditions, triggers and piece inputs, unit by unit.

use std::collections::HashSet;

use serde_json::{Map, json};

use super::super::conditions;
use super::super::expressions::{
    Findings, Key, Reference, connection_name, parse_reference, translate_string,
};
use super::super::input::Input;
use super::super::pieces;
use super::super::scope::{Names, Scope, Shape, StepInfo, TriggerShape};
use super::super::trigger;
use super::*;
use crate::expr::{EvalScope, ExprEngine};

/// Names for a flow: webhook trigger; `step_1` (same shape), `pd` (Pipedrive-like), `code_1`
/// (placeholder), `loop_1` (a loop) with `inner_1` in its body, `text_1` (text helper).
fn names() -> Names {
    let mut n = Names { trigger: Some(TriggerShape::Webhook), ..Names::default() };
    let mut add = |name: &str, shape: Shape, loops: &[&str]| {
        n.steps.insert(
            name.into(),
            StepInfo {
                id: name.into(),
                shape: Some(shape),
                loops: loops.iter().map(|s| s.to_string()).collect(),
            },
        );
    };
    add("step_1", Shape::Same, &[]);
    add("pd", Shape::StripData, &[]);
    add("code_1", Shape::Placeholder, &[]);
    add("loop_1", Shape::Loop, &[]);
    add("inner_1", Shape::Same, &["loop_1"]);
    add("text_1", Shape::Prefix("result"), &[]);
    add("sheet", Shape::Differs("other shape".into()), &[]);
    n
}

fn visible_all() -> HashSet<String> {
    ["step_1", "pd", "code_1", "loop_1", "text_1", "sheet"].iter().map(|s| s.to_string()).collect()
}

/// Translates `text` as a prop at the top level (or inside `loops`).
fn tr(text: &str, loops: &[String]) -> (String, Findings) {
    let names = names();
    let mut visible = visible_all();
    if !loops.is_empty() {
        visible.insert("inner_1".into());
    }
    let scope = Scope { names: &names, visible: &visible, loops };
    let mut f = Findings::default();
    let out = translate_string(text, "p", &scope, &mut f);
    // Whatever came out must be a template our engine compiles.
    ExprEngine::new()
        .compile_template(&Value::String(out.clone()))
        .unwrap_or_else(|e| panic!("{text:?} → {out:?}: {e:?}"));
    (out, f)
}

#[test]
fn plain_references_parse_in_every_spelling() {
    let r = |root: &str, keys: Vec<Key>| Some(Reference { root: root.into(), keys });
    let n = |s: &str| Key::Name(s.into());
    assert_eq!(parse_reference("trigger.body.email"), r("trigger", vec![n("body"), n("email")]));
    assert_eq!(
        parse_reference(" trigger['body']['email'] "),
        r("trigger", vec![n("body"), n("email")])
    );
    assert_eq!(
        parse_reference("step_1[\"data\"][0].x"),
        r("step_1", vec![n("data"), Key::Index(0), n("x")])
    );
    assert_eq!(parse_reference("step_1['it\\'s']"), r("step_1", vec![n("it's")]));
    assert_eq!(parse_reference("step_1?.a?.['b']"), r("step_1", vec![n("a"), n("b")]));
    assert_eq!(parse_reference("$x"), r("$x", vec![]));
    for js in [
        "step_1.items.map(i => i.id)",
        "a + b",
        "step_1['x'",
        "x.",
        "x[1.5]",
        "",
        "1abc",
        "x['a']b",
        "JSON.stringify(x)",
    ] {
        assert_eq!(parse_reference(js), None, "{js}");
    }
}

#[test]
fn references_translate_to_our_names() {
    let top: Vec<String> = Vec::new();
    let cases = [
        ("{{trigger.body.email}}", "{{ trigger.body.email }}"),
        ("{{trigger['body']['x-y']}}", "{{ trigger.body[\"x-y\"] }}"),
        ("{{trigger.queryParams.ref}}", "{{ trigger.query.ref }}"),
        ("{{trigger.body.if}}", "{{ trigger.body[\"if\"] }}"),
        ("{{trigger.body.items[2]}}", "{{ trigger.body.items[2] }}"),
        ("Hi {{ trigger.body.name }}!", "Hi {{ trigger.body.name }}!"),
        ("{{step_1}}", "{{ steps.step_1 }}"),
        ("{{step_1['id']}}", "{{ steps.step_1.id }}"),
        ("{{pd.data.id}}", "{{ steps.pd.id }}"),
        ("{{code_1.ref}}", "{{ steps.code_1?.ref }}"),
        ("{{text_1}}", "{{ steps.text_1.result }}"),
        ("a {{ b", "a {{ \"{{\" }} b"),
        ("no templates", "no templates"),
    ];
    for (ap, ours) in cases {
        let (out, f) = tr(ap, &top);
        assert_eq!(out, ours, "{ap}");
        assert!(!f.disable, "{ap}: {f:?}");
    }
    let (_, f) = tr("{{code_1.ref}}", &top);
    assert!(f.approximated && f.notes[0].contains("`code_1`, which was not converted"));
    let (_, f) = tr("{{sheet.updates}}", &top);
    assert!(f.approximated && f.notes[0].contains("other shape"), "{f:?}");
    let (_, f) = tr("{{pd.success}}", &top);
    assert!(f.approximated && f.notes[0].contains("under `data`"), "{f:?}");
}

#[test]
fn loop_variables_translate_inside_the_loop_only() {
    let inside = vec!["loop_1".to_string()];
    assert_eq!(tr("{{loop_1.item.email}}", &inside).0, "{{ item.email }}");
    assert_eq!(tr("{{loop_1['item']['full name']}}", &inside).0, "{{ item[\"full name\"] }}");
    assert_eq!(tr("#{{loop_1.index}}", &inside).0, "#{{ index + 1 }}");
    assert_eq!(tr("{{inner_1.id}}", &inside).0, "{{ steps.inner_1.id }}");
    // After the loop: neither its item nor its body's steps can be read.
    let (out, f) = tr("{{loop_1.item.email}}", &[]);
    assert_eq!(out, "{{ \"{{\" }}loop_1.item.email}}");
    assert!(f.disable && f.notes[0].contains("is a loop"), "{f:?}");
    let (_, f) = tr("{{inner_1.id}}", &[]);
    assert!(f.disable && f.notes[0].contains("inside a loop's body"), "{f:?}");
    // An outer loop's item inside an inner loop.
    let nested = vec!["loop_1".to_string(), "loop_2".to_string()];
    let (_, f) = tr("{{loop_1.item}}", &nested);
    assert!(f.disable && f.notes[0].contains("outer loop"), "{f:?}");
}

#[test]
fn javascript_and_unknown_names_are_kept_as_text_and_disable_the_step() {
    let top: Vec<String> = Vec::new();
    for (ap, ours, why) in [
        ("{{ step_1.items.length }}", "{{ \"{{\" }} step_1.items.length }}", ".length"),
        (
            "n={{step_1.items.map(x => x.id).join(',')}}",
            "n={{ \"{{\" }}step_1.items.map(x => x.id).join(',')}}",
            "JavaScript",
        ),
        ("{{step_9.id}}", "{{ \"{{\" }}step_9.id}}", "not a step of this flow"),
        ("{{connections['slack']}}", "{{ \"{{\" }}connections['slack']}}", "connection values"),
        ("{{ '}}' }}", "{{ \"{{\" }} '}}' }}", "JavaScript"),
    ] {
        let (out, f) = tr(ap, &top);
        assert_eq!(out, ours, "{ap}");
        assert!(f.disable && f.approximated, "{ap}");
        assert!(f.notes[0].contains("`p`") && f.notes[0].contains(why), "{ap}: {f:?}");
    }
    // A step that exists but does not run before this one (another branch).
    let names = names();
    let visible = HashSet::new();
    let scope = Scope { names: &names, visible: &visible, loops: &[] };
    let mut f = Findings::default();
    translate_string("{{step_1.id}}", "p", &scope, &mut f);
    assert!(f.disable && f.notes[0].contains("does not run before this step"), "{f:?}");
}

#[test]
fn connection_references_name_the_connection() {
    assert_eq!(connection_name(&json!("{{connections['my-slack']}}")), Some("my-slack".into()));
    assert_eq!(connection_name(&json!("{{connections[\"hub spot\"]}}")), Some("hub spot".into()));
    assert_eq!(connection_name(&json!(" {{connections.my_slack}} ")), Some("my_slack".into()));
    assert_eq!(connection_name(&json!("{{connections['a']}} and more")), None);
    assert_eq!(connection_name(&json!("{{trigger.body}}")), None);
    assert_eq!(connection_name(&json!({ "token": "x" })), None);
}

/// Translates one ActivePieces condition list and evaluates it against `body`.
fn condition(conds: Value, body: Value) -> (String, bool, Findings) {
    let names = names();
    let visible = visible_all();
    let scope = Scope { names: &names, visible: &visible, loops: &[] };
    let mut f = Findings::default();
    let rhai = conditions::translate(Some(&conds), "branch `x`", &scope, &mut f);
    let engine = ExprEngine::new();
    let expr = engine.compile_expression(&rhai).unwrap_or_else(|e| panic!("{rhai}: {e}"));
    let trigger = json!({ "body": body });
    let eval = EvalScope::new(&trigger, &json!({}), &json!({}));
    let value = engine.eval_bool(&expr, &eval).unwrap_or_else(|e| panic!("{rhai}: {e}"));
    (rhai, value, f)
}

fn one(operator: &str, first: &str, second: &str, case_sensitive: bool) -> Value {
    json!([[{ "operator": operator, "firstValue": first, "secondValue": second, "caseSensitive": case_sensitive }]])
}

#[test]
fn every_operator_keeps_activepieces_semantics() {
    let body = json!({
        "summary": "Wants a DEMO soon", "score": "42", "n": 7, "ok": true, "no": false,
        "tags": ["vip", "lead"], "empty": [], "blank": "", "when": "2024-05-01T10:00:00Z"
    });
    let cases: Vec<(&str, &str, &str, bool, bool)> = vec![
        ("TEXT_CONTAINS", "{{trigger.body.summary}}", "demo", false, true),
        ("TEXT_CONTAINS", "{{trigger.body.summary}}", "demo", true, false),
        ("TEXT_DOES_NOT_CONTAIN", "{{trigger.body.summary}}", "price", false, true),
        ("TEXT_EXACTLY_MATCHES", "{{trigger.body.summary}}", "wants a demo soon", false, true),
        (
            "TEXT_DOES_NOT_EXACTLY_MATCH",
            "{{trigger.body.summary}}",
            "wants a demo soon",
            true,
            true,
        ),
        ("TEXT_START_WITH", "{{trigger.body.summary}}", "WANTS", false, true),
        ("TEXT_DOES_NOT_START_WITH", "{{trigger.body.summary}}", "Wants", true, false),
        ("TEXT_ENDS_WITH", "{{trigger.body.summary}}", "soon", false, true),
        ("TEXT_DOES_NOT_END_WITH", "{{trigger.body.summary}}", "soon", false, false),
        ("TEXT_EXACTLY_MATCHES", "Score: {{trigger.body.score}}", "score: 42", false, true),
        ("TEXT_EXACTLY_MATCHES", "{{trigger.body.n}}", "7", false, true),
        ("NUMBER_IS_GREATER_THAN", "{{trigger.body.score}}", "40", false, true),
        ("NUMBER_IS_LESS_THAN", "{{trigger.body.n}}", "7.5", false, true),
        ("NUMBER_IS_EQUAL_TO", "{{trigger.body.score}}", "42", false, true),
        ("BOOLEAN_IS_TRUE", "{{trigger.body.ok}}", "", false, true),
        ("BOOLEAN_IS_FALSE", "{{trigger.body.no}}", "", false, true),
        ("BOOLEAN_IS_FALSE", "{{trigger.body.missing}}", "", false, true),
        ("EXISTS", "{{trigger.body.summary}}", "", false, true),
        ("EXISTS", "{{trigger.body.blank}}", "", false, false),
        ("DOES_NOT_EXIST", "{{trigger.body.missing}}", "", false, true),
        ("LIST_IS_EMPTY", "{{trigger.body.empty}}", "", false, true),
        ("LIST_IS_NOT_EMPTY", "{{trigger.body.tags}}", "", false, true),
        ("LIST_CONTAINS", "{{trigger.body.tags}}", "vip", true, true),
        ("LIST_DOES_NOT_CONTAIN", "{{trigger.body.tags}}", "cold", true, true),
        ("DATE_IS_BEFORE", "{{trigger.body.when}}", "2024-06-01T00:00:00Z", false, true),
        ("DATE_IS_AFTER", "{{trigger.body.when}}", "2024-06-01T00:00:00Z", false, false),
        // Missing values compare false, as NaN and invalid dates do in ActivePieces.
        ("NUMBER_IS_GREATER_THAN", "{{trigger.body.missing}}", "1", false, false),
        ("NUMBER_IS_LESS_THAN", "{{trigger.body.missing}}", "1", false, false),
        ("DATE_IS_BEFORE", "{{trigger.body.missing}}", "2024-06-01T00:00:00Z", false, false),
    ];
    for (op, a, b, cs, want) in cases {
        let (rhai, got, _) = condition(one(op, a, b, cs), body.clone());
        assert_eq!(got, want, "{op} {a} {b} (caseSensitive {cs}) → {rhai}");
    }
}

#[test]
fn groups_are_or_of_and_and_javascript_becomes_false() {
    let conds = json!([
        [
            { "operator": "NUMBER_IS_GREATER_THAN", "firstValue": "{{trigger.body.n}}", "secondValue": "5" },
            { "operator": "BOOLEAN_IS_TRUE", "firstValue": "{{trigger.body.ok}}" }
        ],
        [ { "operator": "TEXT_CONTAINS", "firstValue": "{{trigger.body.s}}", "secondValue": "x" } ]
    ]);
    let (rhai, value, _) = condition(conds.clone(), json!({ "n": 6, "ok": true }));
    assert_eq!(
        rhai,
        "((!is_empty(trigger.body.n) && to_float(trigger.body.n) > 5) && trigger.body.ok == true) || \
         trigger.body.s.to_string().lower().contains(\"x\")"
    );
    assert!(value);
    assert!(!condition(conds.clone(), json!({ "n": 6, "ok": false, "s": "y" })).1);
    assert!(condition(conds, json!({ "s": "XYZ" })).1);

    let (rhai, value, f) = condition(
        one("TEXT_CONTAINS", "{{trigger.body.items.map(i => i.name) /* */}}", "a", false),
        json!({}),
    );
    assert!(rhai.starts_with("false /* "), "{rhai}");
    assert!(!value);
    assert!(f.approximated && f.notes[0].contains("is JavaScript"), "{f:?}");

    let (rhai, _, f) = condition(json!([]), json!({}));
    assert_eq!(rhai, "false");
    assert!(f.notes[0].contains("no conditions"));
    let (rhai, _, f) = condition(one("TEXT_IS_FUZZY", "a", "b", false), json!({}));
    assert!(rhai.starts_with("false"), "{rhai}");
    assert!(f.disable);
}

#[test]
fn schedule_triggers_become_cron() {
    let cron = |name: &str, input: Value| {
        let t = json!({ "name": "trigger", "type": "PIECE_TRIGGER", "displayName": "S",
                        "settings": { "pieceName": "@activepieces/piece-schedule", "triggerName": name, "input": input } });
        let c = trigger::convert(&t, "$.trigger").unwrap();
        assert_eq!((c.piece, c.trigger), ("schedule", "cron"));
        (c.props["cron"].as_str().unwrap().to_string(), c.props.get("timezone").cloned())
    };
    assert_eq!(cron("every_x_minutes", json!({ "minutes": 15 })).0, "*/15 * * * *");
    assert_eq!(cron("every_hour", json!({ "run_on_weekends": true })).0, "0 * * * *");
    assert_eq!(
        cron("every_day", json!({ "hour_of_the_day": "7", "run_on_weekends": true })).0,
        "0 7 * * *"
    );
    assert_eq!(
        cron("every_week", json!({ "day_of_the_week": 3, "hour_of_the_day": 18 })).0,
        "0 18 * * 3"
    );
    assert_eq!(
        cron("every_month", json!({ "day_of_the_month": 1, "hour_of_the_day": 6 })).0,
        "0 6 1 * *"
    );
    assert_eq!(
        cron(
            "cron_expression",
            json!({ "cronExpression": "0 8 * * 1", "timezone": "America/New_York" })
        ),
        ("0 8 * * 1".into(), Some(json!("America/New_York")))
    );
}

#[test]
fn vendor_triggers_map_or_fall_back_to_a_webhook() {
    let t = |piece: &str, name: &str| {
        let t = json!({ "name": "trigger", "type": "PIECE_TRIGGER", "displayName": "T",
                        "settings": { "pieceName": piece, "triggerName": name, "input": {} } });
        trigger::convert(&t, "$.trigger").unwrap()
    };
    let hubspot = t("@activepieces/piece-hubspot", "new-contact");
    assert_eq!((hubspot.piece, hubspot.trigger), ("webhook", "catch"));
    assert_eq!(hubspot.outcome, ItemOutcome::Unsupported);
    assert!(hubspot.notes[0].contains("hubspot `webhook_events`"), "{:?}", hubspot.notes);
    let other = t("@activepieces/piece-typeform", "new_submission");
    assert_eq!(other.outcome, ItemOutcome::Unsupported);
    assert!(other.notes[0].contains("has no equivalent"));
    let pipedrive = t("@activepieces/piece-pipedrive", "new_deal");
    assert_eq!(
        (pipedrive.piece, pipedrive.trigger, pipedrive.outcome),
        ("pipedrive", "webhook_events", ItemOutcome::Approximated)
    );
    let manual = t("@activepieces/piece-manual-trigger", "manual_trigger");
    assert_eq!((manual.piece, manual.outcome), ("manual", ItemOutcome::Mapped));
    let basic = json!({ "name": "trigger", "type": "PIECE_TRIGGER", "displayName": "T",
        "settings": { "pieceName": "@activepieces/piece-webhook", "triggerName": "catch_webhook",
                      "input": { "authType": "basic", "authFields": { "username": "u", "password": "p" } } } });
    let basic = trigger::convert(&basic, "$.trigger").unwrap();
    assert_eq!(basic.props["auth"], json!({ "type": "basic", "username": "u", "password": "p" }));
}

/// Maps one piece action with `input`, returning the step fields and the findings.
fn map(piece: &str, action: &str, input: Value) -> (Option<Map<String, Value>>, Findings) {
    let names = names();
    let visible = visible_all();
    let scope = Scope { names: &names, visible: &visible, loops: &[] };
    let mut f = Findings::default();
    let m = {
        let mut inp = Input::new(input.as_object(), &scope, &mut f);
        pieces::map(piece, action, &mut inp)
    };
    (m.map(|m| m.fields), f)
}

/// A one-step flow around `fields`, which must validate.
fn validates(fields: &Map<String, Value>) {
    let mut step = fields.clone();
    step.insert("id".into(), json!("s"));
    let flow = json!({
        "schema_version": 1, "name": "t",
        "trigger": { "id": "t", "piece": "webhook", "trigger": "catch" },
        "steps": [step], "edges": [{ "from": "t", "to": "s" }]
    });
    validate(&flow);
}

#[test]
fn core_pieces_become_builtin_steps() {
    let (m, _) = map(
        "@activepieces/piece-http",
        "send_request",
        json!({
            "method": "post", "url": "https://x.test/{{trigger.body.id}}", "headers": {}, "queryParams": {},
            "body_type": "form_data", "body": { "data": { "a": "{{trigger.body.a}}" } },
            "authType": "BASIC", "authFields": { "username": "u", "password": "{{trigger.body.pw}}" }
        }),
    );
    let m = m.unwrap();
    assert_eq!(
        m["props"],
        json!({
            "method": "POST", "url": "https://x.test/{{ trigger.body.id }}", "body_type": "form",
            "body": { "a": "{{ trigger.body.a }}" },
            "auth": { "type": "basic", "username": "u", "password": "{{ trigger.body.pw }}" }
        })
    );
    validates(&m);

    let (m, _) = map(
        "@activepieces/piece-webhook",
        "return_response",
        json!({
            "responseType": "redirect", "body": { "data": "https://example.com/thanks?c={{trigger.body.c}}" }
        }),
    );
    let m = m.unwrap();
    assert_eq!(m["status"], 302);
    assert_eq!(m["headers"]["Location"], "https://example.com/thanks?c={{ trigger.body.c }}");
    validates(&m);

    let (m, _) =
        map("@activepieces/piece-delay", "delayFor", json!({ "unit": "MINUTES", "delayFor": "5" }));
    assert_eq!(m.as_ref().unwrap()["duration"], "5m");
    validates(&m.unwrap());
    let (m, f) = map(
        "@activepieces/piece-delay",
        "delayFor",
        json!({ "unit": "hours", "delayFor": "{{trigger.body.h}}" }),
    );
    assert_eq!(m.as_ref().unwrap()["duration"], "1m");
    assert!(f.disable);
    let (m, _) = map(
        "@activepieces/piece-delay",
        "delay_until",
        json!({ "delayUntilTimestamp": "{{trigger.body.at}}" }),
    );
    assert_eq!(m.as_ref().unwrap()["until"], "{{ trigger.body.at }}");
    validates(&m.unwrap());

    let (m, f) = map("@activepieces/piece-approval", "wait_for_approval", json!({}));
    assert_eq!(m.as_ref().unwrap()["type"], "wait");
    assert!(f.approximated);
    validates(&m.unwrap());

    assert!(map("@activepieces/piece-text-helper", "markdown_to_html", json!({})).0.is_none());
    assert!(map("@activepieces/piece-approval", "create_approval_links", json!({})).0.is_none());
}

#[test]
fn vendor_pieces_translate_their_props() {
    let (m, f) = map(
        "@activepieces/piece-gmail",
        "send_email",
        json!({
            "receiver": ["{{trigger.body.email}}"], "subject": "Hi", "body_type": "html",
            "body": "<b>Hi</b>", "sender_name": "Acme", "from": "me@acme.test", "draft": false
        }),
    );
    let m = m.unwrap();
    assert_eq!((m["piece"].as_str(), m["action"].as_str()), (Some("smtp"), Some("send_email")));
    assert_eq!(
        m["props"],
        json!({ "to": ["{{ trigger.body.email }}"], "from": "Acme <me@acme.test>", "subject": "Hi", "html": "<b>Hi</b>" })
    );
    assert!(f.approximated && f.notes[0].contains("SMTP"));
    validates(&m);

    let (m, f) = map(
        "@activepieces/piece-slack",
        "send_channel_message",
        json!({
            "channel": "C1", "text": "x", "username": "Bot Bob", "sendAsBot": true, "info": null
        }),
    );
    assert_eq!(m.as_ref().unwrap()["props"], json!({ "channel": "C1", "text": "x" }));
    assert!(
        f.notes.iter().any(|n| n.contains("input `username` (Bot Bob) is not carried over")),
        "{f:?}"
    );
    let (m, f) = map("@activepieces/piece-slack", "send_direct_message", json!({ "userId": "U1" }));
    let m = m.unwrap();
    assert_eq!(m["props"]["text"], "(set me)");
    assert!(f.disable, "a required prop was empty: {f:?}");
    validates(&m);

    let (m, _) = map(
        "@activepieces/piece-hubspot",
        "create_contact",
        json!({
            "firstName": "Ada", "lastName": "L", "email": "{{trigger.body.email}}", "zip": "10115"
        }),
    );
    assert_eq!(
        m.as_ref().unwrap()["props"],
        json!({
            "email": "{{ trigger.body.email }}", "firstname": "Ada", "lastname": "L", "custom_properties": { "zip": "10115" }
        })
    );
    let (m, _) = map(
        "@activepieces/piece-hubspot",
        "create-deal",
        json!({
            "objectProperties": { "dealname": "D", "amount": "10", "hubspot_owner_id": "9", "x_source": "ai" }
        }),
    );
    assert_eq!(
        m.as_ref().unwrap()["props"],
        json!({
            "dealname": "D", "amount": "10", "owner_id": "9", "custom_properties": { "x_source": "ai" }
        })
    );
    validates(&m.unwrap());

    let (m, _) = map(
        "@activepieces/piece-discord",
        "send_message_webhook",
        json!({ "webhook_url": "https://discord.com/api/webhooks/1/t", "content": "hi" }),
    );
    assert_eq!(m.as_ref().unwrap()["connection"], "discord-webhook");
    validates(&m.unwrap());

    let (m, _) = map(
        "@activepieces/piece-microsoft-teams",
        "microsoft_teams_send_channel_message",
        json!({
            "teamId": "T", "channelId": "C", "contentType": "Text", "content": "hi"
        }),
    );
    assert_eq!(m.as_ref().unwrap()["props"]["content_type"], "text");
    validates(&m.unwrap());

    for (piece, action, input) in [
        (
            "@activepieces/piece-smtp",
            "send-email",
            json!({ "to": ["a@b.c"], "from": "x@y.z", "senderName": "X", "subject": "s", "body_type": "plain_text", "body": "t" }),
        ),
        (
            "@activepieces/piece-resend",
            "send_email",
            json!({ "from": "a@b.c", "to": ["c@d.e"], "subject": "s", "content_type": "html", "content": "<p/>" }),
        ),
        (
            "@activepieces/piece-postmark",
            "send_email",
            json!({ "from": "a@b.c", "to": "c@d.e", "subject": "s", "text_body": "t" }),
        ),
        (
            "@activepieces/piece-mailchimp",
            "add_member_to_list",
            json!({ "list_id": "L", "email": "a@b.c", "status": "subscribed" }),
        ),
        (
            "@activepieces/piece-salesforce",
            "update_object_by_id",
            json!({ "object": "Lead", "id": "00Q1", "data": "{\"Status\": \"Working\"}" }),
        ),
        ("@activepieces/piece-salesforce", "run_query", json!({ "query": "SELECT Id FROM Lead" })),
        (
            "@activepieces/piece-airtable",
            "airtable_update_record",
            json!({ "base": "app1", "tableId": "tbl1", "recordId": "rec1", "fields": { "A": 1 } }),
        ),
        (
            "@activepieces/piece-hubspot",
            "update-contact",
            json!({ "contactId": "5", "objectProperties": { "phone": "1" } }),
        ),
        (
            "@activepieces/piece-hubspot",
            "create-or-update-contact",
            json!({ "objectProperties": { "email": "a@b.c" } }),
        ),
        (
            "@activepieces/piece-pipedrive",
            "create-person",
            json!({ "firstName": "Ada", "lastName": "L", "email": ["a@b.c", "d@e.f"] }),
        ),
        (
            "@activepieces/piece-data-mapper",
            "advanced_mapping",
            json!({ "mapping": { "a": "{{trigger.body.a}}" } }),
        ),
    ] {
        let (m, _) = map(piece, action, input);
        let m = m.unwrap_or_else(|| panic!("{piece} {action}"));
        validates(&m);
    }
    let (m, f) = map(
        "@activepieces/piece-pipedrive",
        "create-person",
        json!({ "firstName": "Ada", "lastName": "L", "email": ["a@b.c", "d@e.f"] }),
    );
    assert_eq!(m.as_ref().unwrap()["props"], json!({ "name": "Ada L", "email": "a@b.c" }));
    assert!(f.notes.iter().any(|n| n.contains("only the first of 2")));
    assert!(map("@activepieces/piece-slack", "add_reaction_to_message", json!({})).0.is_none());
    assert!(map("@activepieces/piece-foo", "bar", json!({})).0.is_none());
}

#[test]
fn translated_templates_always_compile() {
    // Odd inputs of every kind: whatever comes out compiles as a template.
    let loops = vec!["loop_1".to_string()];
    for text in [
        "{{",
        "}}",
        "{{}}",
        "{{ }}",
        "{{{{trigger.body}}}}",
        "a {{ b }} {{",
        "{{trigger.body['a\"b']}}",
        "{{trigger.body[\"`${x}`\"]}}",
        "{{ step_1['\\n'] }}",
        "`${trigger}` {{trigger.body.x}}",
        "{{loop_1.item}}{{loop_1.index}}{{loop_1.iterations}}",
        "{{trigger.body.null}}",
        "{{ trigger.body.x }} {{ \"{{\" }}",
        "\u{1F600} {{trigger.body.ü}}",
    ] {
        tr(text, &loops);
        tr(text, &[]);
    }
}
