//! CRM and data nodes: HubSpot, Pipedrive, Google Sheets and Airtable.

use serde_json::{Map, Value};

use super::{Ctx, action, locator, put, require};
use crate::import::n8n::expressions::{Access, Key, Reads, Resolve};

/// A placeholder for an operation without an action of ours.
fn unsupported_operation(ctx: &mut Ctx<'_>, app: &str, resource: &str, operation: &str) -> Value {
    ctx.placeholder(&format!("the {app} operation `{resource} / {operation}` has no action here"))
}

/// HubSpot `additionalFields` names → HubSpot property names (those without a prop of ours go to
/// `custom_properties`).
const HUBSPOT_CONTACT: [(&str, &str); 22] = [
    ("firstName", "firstname"),
    ("lastName", "lastname"),
    ("phoneNumber", "phone"),
    ("companyName", "company"),
    ("jobTitle", "jobtitle"),
    ("lifeCycleStage", "lifecyclestage"),
    ("city", "city"),
    ("country", "country"),
    ("leadStatus", "hs_lead_status"),
    ("mobilePhoneNumber", "mobilephone"),
    ("postalCode", "zip"),
    ("stateRegion", "state"),
    ("streetAddress", "address"),
    ("websiteUrl", "website"),
    ("industry", "industry"),
    ("message", "message"),
    ("salutation", "salutation"),
    ("annualRevenue", "annualrevenue"),
    ("faxNumber", "fax"),
    ("contactOwner", "hubspot_owner_id"),
    ("numberOfEmployees", "numemployees"),
    ("twitterUsername", "twitterhandle"),
];

/// Props of `upsert_contact` itself; the other properties go to `custom_properties`.
const HUBSPOT_CONTACT_PROPS: [&str; 6] =
    ["firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage"];

/// `customPropertiesUi.customPropertiesValues[{property, value}]` into `custom`.
fn custom_properties(
    ctx: &mut Ctx<'_>,
    fields: &Map<String, Value>,
    custom: &mut Map<String, Value>,
) {
    let list = fields
        .get("customPropertiesUi")
        .and_then(|c| c.get("customPropertiesValues"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for p in list {
        let Some(name) = p.get("property").and_then(Value::as_str) else { continue };
        let v =
            ctx.prop(&format!("custom property {name}"), p.get("value").unwrap_or(&Value::Null));
        custom.insert(name.to_owned(), v);
    }
}

/// HubSpot: contact upsert and deal create.
pub(super) fn map_hubspot(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource = node.str_param("resource", "deal").to_owned();
    let default_op = if resource == "contact" { "upsert" } else { "create" };
    let operation = node.str_param("operation", default_op).to_owned();
    let fields = node.obj_param("additionalFields");
    let mut props = Map::new();
    let mut custom = Map::new();
    let mut unknown = Vec::new();
    let action_name = match (resource.as_str(), operation.as_str()) {
        ("contact", "upsert") => {
            let email = ctx.param("email");
            require(ctx, &mut props, "email", email);
            for (key, value) in &fields {
                if key == "customPropertiesUi" {
                    continue;
                }
                match HUBSPOT_CONTACT.iter().find(|(n8n, _)| n8n == key) {
                    Some((_, hs)) => {
                        let v = ctx.prop(key, value);
                        if HUBSPOT_CONTACT_PROPS.contains(hs) {
                            props.insert((*hs).to_owned(), v);
                        } else {
                            custom.insert((*hs).to_owned(), v);
                        }
                    }
                    None => unknown.push(key.clone()),
                }
            }
            "upsert_contact"
        }
        ("deal", "create") => {
            let stage = ctx.param("stage");
            put(&mut props, "dealstage", stage);
            let name = ctx.nested("dealName", fields.get("dealName"));
            require(ctx, &mut props, "dealname", name);
            for (key, prop) in [
                ("amount", "amount"),
                ("closeDate", "closedate"),
                ("pipeline", "pipeline"),
                ("dealOwner", "owner_id"),
            ] {
                let v = ctx.nested(key, fields.get(key));
                put(&mut props, prop, v);
            }
            for (key, hs) in [("description", "description"), ("dealType", "dealtype")] {
                if let Some(v) = ctx.nested(key, fields.get(key)) {
                    custom.insert(hs.to_owned(), v);
                }
            }
            for (key, prop, what) in [
                ("associatedVids", "contact_id", "contact"),
                ("associatedCompany", "company_id", "company"),
            ] {
                let first = match fields.get(key) {
                    Some(Value::Array(a)) => {
                        if a.len() > 1 {
                            ctx.approx(format!("Only the first associated {what} is kept."));
                        }
                        a.first().cloned()
                    }
                    Some(Value::String(s)) if s.contains(',') && !s.starts_with('=') => {
                        ctx.approx(format!("Only the first associated {what} is kept."));
                        s.split(',').next().map(|s| Value::String(s.trim().to_owned()))
                    }
                    other => other.cloned(),
                };
                let v = ctx.nested(key, first.as_ref());
                put(&mut props, prop, v);
            }
            for key in fields.keys() {
                if !matches!(
                    key.as_str(),
                    "dealName"
                        | "amount"
                        | "closeDate"
                        | "pipeline"
                        | "dealOwner"
                        | "description"
                        | "dealType"
                        | "associatedVids"
                        | "associatedCompany"
                        | "customPropertiesUi"
                ) {
                    unknown.push(key.clone());
                }
            }
            "create_deal"
        }
        _ => return unsupported_operation(ctx, "HubSpot", &resource, &operation),
    };
    custom_properties(ctx, &fields, &mut custom);
    if !custom.is_empty() {
        props.insert("custom_properties".into(), Value::Object(custom));
    }
    if !unknown.is_empty() {
        ctx.approx(format!("These HubSpot fields are not carried over: {}.", unknown.join(", ")));
    }
    let connection = ctx.connection("hubspot");
    action(ctx, "hubspot", action_name, connection, props)
}

/// The first element of an n8n multi-value field (a list of strings or one string).
fn first_value(ctx: &mut Ctx<'_>, label: &str, v: Option<&Value>) -> Option<Value> {
    let v = match v? {
        Value::Array(a) => {
            if a.len() > 1 {
                ctx.approx(format!("Only the first {label} is kept."));
            }
            a.first()?.clone()
        }
        other => other.clone(),
    };
    ctx.nested(label, Some(&v))
}

/// Pipedrive: person create and deal create.
pub(super) fn map_pipedrive(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let resource = node.str_param("resource", "deal").to_owned();
    let operation = node.str_param("operation", "create").to_owned();
    let fields = node.obj_param("additionalFields");
    let mut props = Map::new();
    let mut known: Vec<&str> = vec!["customProperties"];
    let action_name = match (resource.as_str(), operation.as_str()) {
        ("person", "create") => {
            let name = ctx.param("name");
            require(ctx, &mut props, "name", name);
            let email = first_value(ctx, "email", fields.get("email"));
            put(&mut props, "email", email);
            let phone = first_value(ctx, "phone", fields.get("phone"));
            put(&mut props, "phone", phone);
            for key in ["org_id", "owner_id", "marketing_status"] {
                let v = ctx.nested(key, fields.get(key));
                put(&mut props, key, v);
            }
            known.extend(["email", "phone", "org_id", "owner_id", "marketing_status"]);
            "add_person"
        }
        ("deal", "create") => {
            let title = ctx.param("title");
            require(ctx, &mut props, "title", title);
            match node.str_param("associateWith", "organization") {
                "person" => {
                    let v = ctx.param("person_id");
                    put(&mut props, "person_id", v);
                }
                _ => {
                    let v = ctx.param("org_id");
                    put(&mut props, "org_id", v);
                }
            }
            for (key, prop) in [
                ("value", "value"),
                ("currency", "currency"),
                ("stage_id", "stage_id"),
                ("status", "status"),
                ("user_id", "owner_id"),
                ("probability", "probability"),
                ("expected_close_date", "expected_close_date"),
                ("person_id", "person_id"),
                ("org_id", "org_id"),
            ] {
                let v = ctx.nested(key, fields.get(key));
                put(&mut props, prop, v);
                known.push(key);
            }
            "add_deal"
        }
        _ => return unsupported_operation(ctx, "Pipedrive", &resource, &operation),
    };
    let custom = fields
        .get("customProperties")
        .and_then(|c| c.get("property"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut custom_fields = Map::new();
    for p in custom {
        let Some(name) = p.get("name").and_then(Value::as_str) else { continue };
        let v = ctx.prop(&format!("custom field {name}"), p.get("value").unwrap_or(&Value::Null));
        custom_fields.insert(name.to_owned(), v);
    }
    if !custom_fields.is_empty() {
        props.insert("custom_fields".into(), Value::Object(custom_fields));
    }
    let unknown: Vec<&str> =
        fields.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
    if !unknown.is_empty() {
        ctx.approx(format!("These Pipedrive fields are not carried over: {}.", unknown.join(", ")));
    }
    let connection = ctx.connection("pipedrive");
    action(ctx, "pipedrive", action_name, connection, props)
}

/// The spreadsheet id from a Google Sheets document locator (an id, or a URL with `/d/<id>/`).
fn spreadsheet_id(value: &Value, mode: &str) -> Value {
    if let Some(s) = value.as_str()
        && (mode == "url" || s.starts_with("http"))
        && let Some(rest) = s.split("/d/").nth(1)
    {
        return Value::String(rest.split('/').next().unwrap_or(rest).to_owned());
    }
    value.clone()
}

/// Google Sheets: append a row.
pub(super) fn map_google_sheets(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let operation = node.str_param("operation", "read").to_owned();
    if node.version < 4.0 && node.param("documentId").is_none() {
        return ctx.placeholder("Google Sheets nodes before v4 use ranges that need rebuilding");
    }
    let mut props = Map::new();
    match operation.as_str() {
        "append" => {}
        "appendOrUpdate" => ctx.approx(
            "Append or update: here the row is always appended (matching rows are not updated).",
        ),
        other => return unsupported_operation(ctx, "Google Sheets", "sheet", other),
    }
    let doc = locator(node.param("documentId")).map(|(v, _, mode)| spreadsheet_id(&v, &mode));
    let doc = doc.map(|v| ctx.prop("documentId", &v));
    require(ctx, &mut props, "spreadsheet_id", doc);
    let sheet = match locator(node.param("sheetName")) {
        Some((_, Some(name), mode)) if mode != "name" => Some(Value::String(name)),
        Some((v, _, mode)) if mode == "name" => Some(v),
        Some((v, None, _)) => {
            ctx.approx(format!("The sheet is given by its id ({v}); set the tab's title instead."));
            Some(v)
        }
        _ => None,
    };
    let sheet = sheet.map(|v| ctx.prop("sheetName", &v));
    require(ctx, &mut props, "sheet", sheet);
    let columns = node.obj_param("columns");
    match columns.get("mappingMode").and_then(Value::as_str).unwrap_or("defineBelow") {
        "defineBelow" => {
            let values =
                columns.get("value").and_then(Value::as_object).cloned().unwrap_or_default();
            // Column order: the schema's (the sheet's) order when known, else the mapping's.
            let order: Vec<String> = columns
                .get("schema")
                .and_then(Value::as_array)
                .map(|s| {
                    s.iter()
                        .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_owned))
                        .collect()
                })
                .filter(|o: &Vec<String>| !o.is_empty())
                .unwrap_or_else(|| values.keys().cloned().collect());
            let mut row = Vec::new();
            for col in &order {
                let v = match values.get(col) {
                    Some(v) => ctx.prop(&format!("column {col}"), v),
                    None => Value::String(String::new()),
                };
                row.push(v);
            }
            ctx.note(format!("The row's cells follow the sheet's columns: {}.", order.join(", ")));
            props.insert("values".into(), Value::Array(row));
        }
        _ => {
            let mut reads = Reads::default();
            match ctx.scope().input(&[], &mut reads) {
                Ok(code) => {
                    ctx.absorb(reads);
                    ctx.approx(
                        "n8n matched the input's fields to the sheet's column headers; here the \
                         input's values are appended in their own order.",
                    );
                    props.insert(
                        "values".into(),
                        Value::String(format!("{{{{ values({code}) }}}}")),
                    );
                }
                Err(reason) => {
                    ctx.untranslatable("columns", "automatic mapping of the input", &reason);
                }
            }
        }
    }
    let connection = ctx.connection("google_sheets");
    action(ctx, "google_sheets", "append_row", connection, props)
}

/// Airtable: create a record.
pub(super) fn map_airtable(ctx: &mut Ctx<'_>) -> Value {
    let node = ctx.node;
    let operation = node.str_param("operation", "read").to_owned();
    let mut props = Map::new();
    if !matches!(operation.as_str(), "create" | "append") {
        return unsupported_operation(ctx, "Airtable", "record", &operation);
    }
    let base = locator(node.param("base").or_else(|| node.param("application"))).map(|(v, _, _)| v);
    let base = base.map(|v| ctx.prop("base", &v));
    require(ctx, &mut props, "base_id", base);
    let table = locator(node.param("table")).map(|(v, _, _)| v);
    let table = table.map(|v| ctx.prop("table", &v));
    require(ctx, &mut props, "table", table);
    let columns = node.obj_param("columns");
    let fields = if node.version >= 2.0 {
        match columns.get("mappingMode").and_then(Value::as_str).unwrap_or("defineBelow") {
            "defineBelow" => {
                let values =
                    columns.get("value").and_then(Value::as_object).cloned().unwrap_or_default();
                let mut out = Map::new();
                for (k, v) in values {
                    let p = ctx.prop(&format!("field {k}"), &v);
                    out.insert(k, p);
                }
                Some(Value::Object(out))
            }
            _ => whole_input(ctx),
        }
    } else if node.bool_param("addAllFields", true) {
        whole_input(ctx)
    } else {
        let names: Vec<String> = node
            .param("fields")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        for n in names {
            let path = [Access { key: Key::Name(n.clone()), optional: false }];
            let mut reads = Reads::default();
            match ctx.scope().input(&path, &mut reads) {
                Ok(code) => {
                    ctx.absorb(reads);
                    out.insert(n, Value::String(format!("{{{{ {code} }}}}")));
                }
                Err(reason) => ctx.untranslatable(&format!("field {n}"), &n, &reason),
            }
        }
        Some(Value::Object(out))
    };
    require(ctx, &mut props, "fields", fields);
    if node.obj_param("options").get("typecast").and_then(Value::as_bool) == Some(true) {
        props.insert("typecast".into(), Value::Bool(true));
    }
    let connection = ctx.connection("airtable");
    action(ctx, "airtable", "create_record", connection, props)
}

/// The node's whole input as one value (Airtable's "all fields").
fn whole_input(ctx: &mut Ctx<'_>) -> Option<Value> {
    let mut reads = Reads::default();
    match ctx.scope().input(&[], &mut reads) {
        Ok(code) => {
            ctx.absorb(reads);
            Some(Value::String(format!("{{{{ {code} }}}}")))
        }
        Err(reason) => {
            ctx.untranslatable("fields", "all fields of the input", &reason);
            None
        }
    }
}
