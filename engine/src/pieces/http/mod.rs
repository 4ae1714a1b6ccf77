//! The `http` piece: `request`, the generic HTTP request, for any API without a dedicated piece.
//!
//! Props are described in [`meta`]; turning them into a request and the response into the step's
//! output (`{ "status", "headers", "body" }`) is in `request`. The request goes through the shared
//! [`crate::piece::HttpClient`] from the step's context, so pooling, the response size limit and
//! the error mapping are the same as every other piece's.
//!
//! Decisions worth knowing:
//! - With `fail_on_error_status` (the default), a status of 400 or more fails the step through
//!   [`crate::piece::HttpClient::status_error`], so retry policies see 429/5xx with `Retry-After`.
//!   3xx responses are not failures: they only reach the step when redirects are not followed
//!   (`follow_redirects: false`, where the 3xx is what the user asked to see) or cannot be (304).
//! - Auth comes from the `auth` prop, else from the step's connection (same shape), and is applied
//!   last, so it replaces a same-named header given in `headers`.
//! - Redirects (up to 10) are followed by the action itself, so that every credential it added
//!   (including a custom auth header) is dropped when a redirect leaves the origin.

pub mod meta;
pub(crate) mod request;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use super::BuiltinPiece;
use crate::piece::{Action, ActionContext, BoxFuture};
use crate::step_error::StepError;

/// The piece id.
pub const PIECE_ID: &str = "http";
/// The action name.
pub const REQUEST: &str = "request";

/// The piece with its metadata and action.
pub fn piece() -> BuiltinPiece {
    BuiltinPiece::new(meta::meta()).with_action(REQUEST, Arc::new(RequestAction))
}

/// The `request` action.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestAction;

impl Action for RequestAction {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: serde_json::Value,
    ) -> BoxFuture<'a, Result<serde_json::Value, StepError>> {
        Box::pin(async move { request::execute(ctx, &props).await })
    }
}
