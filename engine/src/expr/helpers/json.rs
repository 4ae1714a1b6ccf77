//! JSON helpers: parsing text into values and turning values into JSON text.

use rhai::{Array, Dynamic, Engine, Map};

use super::{HelperResult, fail};
use crate::expr::convert::{dynamic_to_json, json_to_dynamic};

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn("json_parse", json_parse);
    engine.register_fn("parse_json", json_parse);

    engine
        .register_fn("json_stringify", |value: Dynamic| stringify(&value, false, "json_stringify"));
    engine.register_fn("json_stringify", |value: Dynamic, pretty: bool| {
        stringify(&value, pretty, "json_stringify")
    });
    engine.register_fn("to_json", |value: Dynamic| stringify(&value, false, "to_json"));
    // rhai has its own `to_json` for maps (with its own number formatting); these exact-type
    // overloads take precedence so every value is written the same way.
    engine.register_fn("to_json", |value: Map| {
        stringify(&Dynamic::from_map(value), false, "to_json")
    });
    engine.register_fn("to_json", |value: Array| {
        stringify(&Dynamic::from_array(value), false, "to_json")
    });
}

/// `json_parse(text)`: the value the JSON text describes.
fn json_parse(text: &str) -> HelperResult<Dynamic> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Ok(json_to_dynamic(&value)),
        Err(error) => fail(format!("json_parse: the text is not valid JSON: {error}")),
    }
}

/// `json_stringify(value)`: compact (or indented) JSON text.
fn stringify(value: &Dynamic, pretty: bool, helper: &str) -> HelperResult<String> {
    let json = match dynamic_to_json(value) {
        Ok(json) => json,
        Err(message) => return fail(format!("{helper}: {message}")),
    };
    let text =
        if pretty { serde_json::to_string_pretty(&json) } else { serde_json::to_string(&json) };
    text.or_else(|error| fail(format!("{helper}: {error}")))
}
