//! CRM and data pieces: HubSpot, Google Sheets, Airtable, Pipedrive, Salesforce, Mailchimp.

use serde_json::{Map, Value, json};

use super::input::Input;
use super::pieces::Mapping;
use super::scope::Shape;

/// HubSpot contact properties our actions take as props of their own.
const CONTACT_PROPS: [&str; 7] =
    ["email", "firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage"];

/// HubSpot: contacts (create, update, create-or-update) and deals.
pub(super) fn hubspot(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let ours = "our HubSpot action";
    match action {
        "create_contact" | "create-contact" => {
            let mut props = Map::new();
            contact_props(inp, &mut props);
            inp.finish(ours);
            Some(Mapping::action("hubspot", "create_contact", props, Shape::Same))
        }
        "update_contact" | "update-contact" => {
            let mut props = Map::new();
            inp.require(&mut props, &["contactId", "contact_id", "id"], "contact_id");
            contact_props(inp, &mut props);
            inp.finish(ours);
            Some(Mapping::action("hubspot", "update_contact", props, Shape::Same))
        }
        "create_or_update_contact" | "create-or-update-contact" => {
            let mut props = Map::new();
            contact_props(inp, &mut props);
            if !props.contains_key("email") {
                inp.require(&mut props, &["email"], "email");
            }
            inp.finish(ours);
            Some(Mapping::action(
                "hubspot",
                "upsert_contact",
                props,
                Shape::Differs("ours returns `{ id, created, properties }`".into()),
            ))
        }
        "create_deal" | "create-deal" => {
            let mut props = Map::new();
            inp.copy(&mut props, &["dealname", "dealName", "name"], "dealname");
            inp.copy(&mut props, &["pipeline", "pipelineId"], "pipeline");
            inp.copy(
                &mut props,
                &["dealstage", "dealStage", "pipelineStageId", "stage"],
                "dealstage",
            );
            inp.copy(&mut props, &["amount"], "amount");
            inp.copy(&mut props, &["closedate", "closeDate"], "closedate");
            let mut custom = Map::new();
            if let Some(Value::Object(obj)) = inp.get(&["objectProperties"], "objectProperties") {
                for (k, v) in obj {
                    match k.as_str() {
                        "dealname" | "pipeline" | "dealstage" | "amount" | "closedate" => {
                            props.insert(k, v);
                        }
                        "hubspot_owner_id" => {
                            props.insert("owner_id".into(), v);
                        }
                        _ => {
                            custom.insert(k, v);
                        }
                    }
                }
            }
            if !props.contains_key("dealname") {
                inp.require(&mut props, &["dealname"], "dealname");
            }
            if !custom.is_empty() {
                props.insert("custom_properties".into(), Value::Object(custom));
            }
            inp.skip(&["additionalPropertiesToRetrieve", "additional_properties_to_retrieve"]);
            inp.finish(ours);
            Some(Mapping::action("hubspot", "create_deal", props, Shape::Same))
        }
        _ => None,
    }
}

/// Contact fields, from the older flat inputs (`firstName`, `email`, `zip`) or the current
/// `objectProperties` object; HubSpot properties without a prop of ours go to
/// `custom_properties`.
fn contact_props(inp: &mut Input<'_>, props: &mut Map<String, Value>) {
    inp.copy(props, &["email"], "email");
    inp.copy(props, &["firstName", "firstname"], "firstname");
    inp.copy(props, &["lastName", "lastname"], "lastname");
    inp.copy(props, &["phone"], "phone");
    inp.copy(props, &["company"], "company");
    let mut custom = Map::new();
    if let Some(zip) = inp.get(&["zip"], "zip") {
        custom.insert("zip".into(), zip);
    }
    if let Some(Value::Object(obj)) = inp.get(&["objectProperties"], "objectProperties") {
        for (k, v) in obj {
            if CONTACT_PROPS.contains(&k.as_str()) {
                props.insert(k, v);
            } else {
                custom.insert(k, v);
            }
        }
    }
    if !custom.is_empty() {
        props.insert("custom_properties".into(), Value::Object(custom));
    }
    if inp.raw(&["additionalPropertiesToRetrieve", "additional_properties_to_retrieve"]).is_some() {
        inp.f.note(
            "`additionalPropertiesToRetrieve` is not needed: the output holds the properties \
             HubSpot returns for the new record",
        );
    }
}

/// Google Sheets `insert_row` → `append_row`.
pub(super) fn google_sheets(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "insert_row" {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["spreadsheetId", "spreadsheet_id"], "spreadsheet_id");
    // ActivePieces names the worksheet by its numeric id (gid); our action by its title.
    match inp.raw(&["sheetId", "sheet_id", "sheet"]) {
        Some(v) if v.as_u64() == Some(0) || v.as_str().is_some_and(|s| s.trim() == "0") => {
            props.insert("sheet".into(), json!("Sheet1"));
            inp.f.approx(
                "`sheet`: ActivePieces names the worksheet by id 0 (the first tab); it is assumed \
                 to be titled \"Sheet1\": check the tab's title",
            );
        }
        Some(v) if v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<u64>().is_ok()) => {
            let id = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            props.insert("sheet".into(), json!(id));
            inp.f.approx(format!(
                "`sheet`: ActivePieces names the worksheet by its id ({id}); ours takes the tab's \
                 title: set it"
            ));
        }
        Some(v) => {
            let title = inp.translate(v, "sheet");
            props.insert("sheet".into(), title);
        }
        None => inp.require(&mut props, &["sheet"], "sheet"),
    }
    if let Some(values) = inp.raw(&["values"]) {
        let row = row_values(values, inp);
        let row = inp.translate(&row, "values");
        props.insert("values".into(), row);
    }
    if inp.raw(&["as_string"]).and_then(Value::as_bool).unwrap_or(false) {
        props.insert("value_input_option".into(), json!("RAW"));
    }
    inp.skip(&["first_row_headers", "includeTeamDrives", "include_team_drives", "as_string"]);
    inp.finish("our Google Sheets action");
    Some(Mapping::action(
        "google_sheets",
        "append_row",
        props,
        Shape::Differs(
            "ours returns `{ spreadsheet_id, table_range, updated_range, updated_rows, … }`, not \
             the Sheets API answer with `updates` and `row`"
                .into(),
        ),
    ))
}

/// The row as an array in column order: ActivePieces gives `{ values: [...] }` or an object keyed
/// by column letter (`{ "A": …, "B": … }`).
fn row_values(values: &Value, inp: &mut Input<'_>) -> Value {
    match values {
        Value::Array(_) => values.clone(),
        Value::Object(obj) => {
            if let Some(Value::Array(a)) = obj.get("values") {
                return Value::Array(a.clone());
            }
            let columns: Option<Vec<(usize, &Value)>> =
                obj.iter().map(|(k, v)| column_index(k).map(|i| (i, v))).collect();
            match columns {
                Some(mut cols) => {
                    cols.sort_by_key(|(i, _)| *i);
                    let len = cols.last().map_or(0, |(i, _)| i + 1);
                    let mut row = vec![json!(""); len];
                    for (i, v) in cols {
                        if let Some(slot) = row.get_mut(i) {
                            *slot = v.clone();
                        }
                    }
                    Value::Array(row)
                }
                None => {
                    inp.f.approx(
                        "`values`: the row's keys are not column letters; the values are written \
                         in the export's order",
                    );
                    Value::Array(obj.values().cloned().collect())
                }
            }
        }
        other => json!([other]),
    }
}

/// `A` → 0, `Z` → 25, `AA` → 26; `None` for anything else (or absurdly wide).
fn column_index(label: &str) -> Option<usize> {
    if label.is_empty() || label.len() > 3 || !label.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let n = label.bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1));
    Some(n - 1)
}

/// Airtable: create and update a record.
pub(super) fn airtable(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let ours = match action {
        "airtable_create_record" | "create_record" => "create_record",
        "airtable_update_record" | "update_record" => "update_record",
        _ => return None,
    };
    let mut props = Map::new();
    inp.require(&mut props, &["base", "baseId", "base_id"], "base_id");
    inp.require(&mut props, &["tableId", "table", "table_id"], "table");
    if ours == "update_record" {
        inp.require(&mut props, &["recordId", "record_id"], "record_id");
    }
    match inp.get(&["fields"], "fields") {
        Some(fields @ Value::Object(_)) => {
            props.insert("fields".into(), fields);
        }
        _ => {
            inp.f.blocker(
                "`fields` is empty in the export: set the record's fields and enable the step",
            );
            props.insert("fields".into(), json!({}));
        }
    }
    if inp.raw(&["typecast"]).and_then(Value::as_bool).unwrap_or(false) {
        props.insert("typecast".into(), json!(true));
    }
    inp.finish("our Airtable action");
    Some(Mapping::action("airtable", ours, props, Shape::Same))
}

/// Pipedrive: create a person or a deal.
pub(super) fn pipedrive(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let mut props = Map::new();
    let ours = match action {
        "create-person" | "create_person" | "add_person" => {
            match inp.get(&["name"], "name") {
                Some(name) => {
                    props.insert("name".into(), name);
                }
                None => {
                    let first = inp.get(&["firstName", "first_name"], "name");
                    let last = inp.get(&["lastName", "last_name"], "name");
                    let joined: Vec<String> = [first, last]
                        .into_iter()
                        .flatten()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect();
                    if joined.is_empty() {
                        inp.require(&mut props, &["name"], "name");
                    } else {
                        props.insert("name".into(), json!(joined.join(" ")));
                    }
                }
            }
            first_of(inp, &mut props, &["email"], "email");
            first_of(inp, &mut props, &["phone"], "phone");
            inp.copy(&mut props, &["organizationId", "org_id"], "org_id");
            inp.copy(&mut props, &["ownerId", "owner_id"], "owner_id");
            inp.copy(&mut props, &["labelIds", "label_ids"], "label_ids");
            inp.copy(&mut props, &["marketing_status"], "marketing_status");
            inp.copy(&mut props, &["customfields", "custom_fields"], "custom_fields");
            "add_person"
        }
        "create-deal" | "create_deal" | "add_deal" => {
            inp.require(&mut props, &["title"], "title");
            inp.copy(&mut props, &["value"], "value");
            inp.copy(&mut props, &["currency"], "currency");
            inp.copy(&mut props, &["personId", "person_id"], "person_id");
            inp.copy(&mut props, &["organizationId", "org_id"], "org_id");
            inp.copy(&mut props, &["pipelineId", "pipeline_id"], "pipeline_id");
            inp.copy(&mut props, &["stageId", "stage_id"], "stage_id");
            inp.copy(&mut props, &["ownerId", "owner_id"], "owner_id");
            inp.copy(&mut props, &["status"], "status");
            inp.copy(
                &mut props,
                &["expectedCloseDate", "expected_close_date"],
                "expected_close_date",
            );
            inp.copy(&mut props, &["probability"], "probability");
            inp.copy(&mut props, &["labelIds", "label_ids"], "label_ids");
            inp.copy(&mut props, &["customfields", "custom_fields"], "custom_fields");
            "add_deal"
        }
        _ => return None,
    };
    inp.finish("our Pipedrive action");
    Some(Mapping::action("pipedrive", ours, props, Shape::StripData))
}

/// ActivePieces takes several emails/phones; our actions one: the first is kept.
fn first_of(inp: &mut Input<'_>, props: &mut Map<String, Value>, keys: &[&str], to: &str) {
    match inp.get(keys, to) {
        Some(Value::Array(items)) => {
            if items.len() > 1 {
                inp.f.approx(format!("`{to}`: only the first of {} values is sent", items.len()));
            }
            if let Some(first) = items.into_iter().next() {
                props.insert(to.to_string(), first);
            }
        }
        Some(v) => {
            props.insert(to.to_string(), v);
        }
        None => {}
    }
}

/// Salesforce: update a record by id, run a SOQL query.
pub(super) fn salesforce(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    let mut props = Map::new();
    let (ours, shape) = match action {
        "update_object_by_id" => {
            inp.require(&mut props, &["object"], "object");
            inp.require(&mut props, &["id", "recordId", "record_id"], "record_id");
            let data = inp.raw(&["data", "fields"]).cloned().unwrap_or(json!({}));
            let data = match data {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                other => other,
            };
            let fields = inp.translate(&data, "fields");
            props.insert("fields".into(), fields);
            ("update_record", Shape::Differs("ours returns `{ id, object, updated }`".into()))
        }
        "run_query" => {
            inp.require(&mut props, &["query"], "query");
            ("find_records", Shape::Same)
        }
        _ => return None,
    };
    inp.finish("our Salesforce action");
    Some(Mapping::action("salesforce", ours, props, shape))
}

/// Mailchimp: add a member to an audience (ours adds or updates).
pub(super) fn mailchimp(action: &str, inp: &mut Input<'_>) -> Option<Mapping> {
    if action != "add_member_to_list" {
        return None;
    }
    let mut props = Map::new();
    inp.require(&mut props, &["list_id", "listId"], "list_id");
    inp.require(&mut props, &["email"], "email");
    inp.copy(&mut props, &["status"], "status_if_new");
    inp.f.approx("our action adds the member or updates an existing one (ActivePieces only adds)");
    inp.finish("our Mailchimp action");
    Some(Mapping::action("mailchimp", "add_or_update_member", props, Shape::Same))
}
