//! Declarative pieces: an integration written as data (one JSON file per piece under
//! `engine/pieces/`), run by one generic executor.
//!
//! A spec says what the vendor's API documents and nothing more: the base URL, how a connection
//! authenticates (fields, where the credential goes, OAuth2 endpoints, a cheap test request), and
//! per action its typed props, the request (method, path, query, headers, body template and
//! encoding), which part of the response is the output, when a 2xx answer is still a failure
//! (Slack's `ok: false`), and how listing actions page. The same spec draws the editor's form
//! ([`PieceSpec::meta`]) and runs the action ([`SpecPiece`]), so the two cannot disagree.
//!
//! Every action ships examples: props in, the exact request expected out, a canned response and
//! the output it gives. One registry-wide test replays every example against a local mock server.
//!
//! # Templates
//!
//! Strings in a request may hold `{{ path }}` placeholders (see [`template`]): `props.<name>`,
//! `auth.<field>` (the connection's values) and `ctx.<field>` (`run_id`, `step_path`,
//! `idempotency_key`). They are paths, not expressions: the flow's own `{{ }}` expressions have
//! already been rendered into the props when the action runs; anything needing logic is Rust.
//! A value that is exactly one placeholder keeps its type, and an absent one removes its key,
//! so optional props the user left empty are not sent at all.

mod action;
pub mod template;
mod types;
mod validate;

#[cfg(test)]
mod tests;

pub use action::{ConnectionTest, SpecAction, SpecPiece};
pub use types::*;
pub use validate::SpecError;
