//! Phone helpers.

use serde_json::json;

use super::{assert_message, eval, eval_err};

#[test]
fn e164_with_a_region() {
    assert_eq!(eval("e164(\"0151 1234 5678\", \"DE\")"), json!("+4915112345678"));
    assert_eq!(eval("trigger.phone.e164(vars.region)"), json!("+4915112345678"));
    assert_eq!(eval("e164(\"(415) 555-2671\", \"US\")"), json!("+14155552671"));
    assert_eq!(eval("e164(\"(415) 555-2671\", \"us\")"), json!("+14155552671"));
    // An international number ignores the region.
    assert_eq!(eval("e164(\"+44 20 7946 0958\", \"US\")"), json!("+442079460958"));
}

#[test]
fn e164_without_a_region_needs_a_country_code() {
    assert_eq!(eval("e164(\"+1 415-555-2671\")"), json!("+14155552671"));
    assert_eq!(eval("e164(\"+49 (0)151 1234 5678\")"), json!("+4915112345678"));
    assert_message(&eval_err("e164(\"(415) 555-2671\")"), "has no country code");
}

#[test]
fn invalid_numbers_are_errors() {
    assert_message(&eval_err("e164(\"12\", \"US\")"), "e164: \"12\" is not a valid phone number");
    assert_message(&eval_err("e164(\"not a phone\", \"DE\")"), "is not a valid phone number");
    assert_message(&eval_err("e164(\"+1 555 0100\")"), "is not a valid phone number");
    assert_message(&eval_err("e164(\"0151 1234 5678\", \"XX\")"), "not a country code");
    assert_eq!(eval("is_valid_phone(\"12\", \"US\")"), json!(false));
    assert_eq!(eval("is_valid_phone(\"(415) 555-2671\", \"US\")"), json!(true));
    assert_eq!(eval("is_valid_phone(\"+14155552671\")"), json!(true));
}

#[test]
fn phone_country() {
    assert_eq!(eval("phone_country(\"+4915112345678\")"), json!("DE"));
    assert_eq!(eval("phone_country(\"+14155552671\")"), json!("US"));
    assert_eq!(eval("phone_country(\"+442079460958\")"), json!("GB"));
    assert_eq!(eval("phone_country(\"020 7946 0958\", \"GB\")"), json!("GB"));
    assert_message(&eval_err("phone_country(\"0151\")"), "phone_country");
}
