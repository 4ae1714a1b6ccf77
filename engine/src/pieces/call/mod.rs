//! The `call` piece's building blocks: each AI call platform's webhook signature check
//! ([`verify`]) and the normalisation of its payloads into one `trigger.call` object
//! ([`normalize`]), as DESIGN section 5 and `shared/reference/call-platforms.md` describe.

pub mod normalize;
pub mod verify;
