//! Phone number helpers (libphonenumber rules via the `phonenumber` crate).
//!
//! `e164(phone)` needs the number in international form (`+49 151 ...`); `e164(phone, "DE")`
//! also accepts national forms (`0151 1234 5678`). An invalid number is an error that says so,
//! never a guess.

use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};
use rhai::Engine;

use super::{HelperResult, fail};

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn("e164", |phone: &str| -> HelperResult<String> {
        Ok(e164_of(&parse_valid(phone, None, "e164")?))
    });
    engine.register_fn("e164", |phone: &str, region: &str| -> HelperResult<String> {
        let region = parse_region(region, "e164")?;
        Ok(e164_of(&parse_valid(phone, Some(region), "e164")?))
    });
    engine.register_fn("phone_country", |phone: &str| -> HelperResult<String> {
        country_of(&parse_valid(phone, None, "phone_country")?)
    });
    engine.register_fn("phone_country", |phone: &str, region: &str| -> HelperResult<String> {
        let region = parse_region(region, "phone_country")?;
        country_of(&parse_valid(phone, Some(region), "phone_country")?)
    });
    engine.register_fn("is_valid_phone", |phone: &str| {
        parse(phone, None).is_some_and(|n| n.is_valid())
    });
    engine.register_fn("is_valid_phone", |phone: &str, region: &str| -> HelperResult<bool> {
        let region = parse_region(region, "is_valid_phone")?;
        Ok(parse(phone, Some(region)).is_some_and(|n| n.is_valid()))
    });
}

fn parse_region(region: &str, helper: &str) -> HelperResult<Id> {
    match Id::from_str(&region.trim().to_ascii_uppercase()) {
        Ok(id) => Ok(id),
        Err(_) => fail(format!(
            "{helper}: {region:?} is not a country code; use a two-letter code such as \"US\" or \
             \"DE\""
        )),
    }
}

fn parse(phone: &str, region: Option<Id>) -> Option<PhoneNumber> {
    phonenumber::parse(region, phone.trim()).ok()
}

fn parse_valid(phone: &str, region: Option<Id>, helper: &str) -> HelperResult<PhoneNumber> {
    // "00…" is only an international prefix in some countries, so it needs the region too.
    let international = phone.trim_start().starts_with('+');
    match parse(phone, region) {
        Some(number) if number.is_valid() => Ok(number),
        _ if region.is_none() && !international => fail(format!(
            "{helper}: {phone:?} has no country code; start it with + or give the country, e.g. \
             {helper}(phone, \"US\")"
        )),
        _ => fail(format!("{helper}: {phone:?} is not a valid phone number")),
    }
}

fn e164_of(number: &PhoneNumber) -> String {
    number.format().mode(Mode::E164).to_string()
}

fn country_of(number: &PhoneNumber) -> HelperResult<String> {
    match number.country().id() {
        Some(id) => Ok(id.as_ref().to_owned()),
        // Non-geographic numbers (e.g. +800) belong to no country.
        None => fail("phone_country: the number does not belong to a single country"),
    }
}

/// Loads the phone-number metadata (about 80 ms and 10 MB the first time it is used) on a
/// background thread, once per process, so the first run that normalises a number does not pay
/// for it.
pub(crate) fn warm_up_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new().name("phone-metadata".into()).spawn(|| {
            let _ = phonenumber::parse(None, "+14155552671");
        });
        if let Err(e) = spawned {
            tracing::debug!("phone metadata warm-up not started: {e}");
        }
    });
}

/// Starts the warm-up when an expression being compiled may call a phone helper: a server whose
/// flows never normalise numbers does not carry the metadata, one whose flows do has it loaded
/// before their first run (flows are compiled when saved and published). A name in a string
/// literal only warms up needlessly.
pub(crate) fn warm_up_if_used(source: &str) {
    if ["e164", "phone_country", "is_valid_phone"].iter().any(|name| source.contains(name)) {
        warm_up_in_background();
    }
}
