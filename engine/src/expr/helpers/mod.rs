//! Helper functions available to every expression, registered on the engine.
//!
//! Every helper can be called as a function or as a method (rhai turns `x.f(y)` into
//! `f(x, y)`). Helpers take their arguments by value, which rhai treats as "pure": they work on
//! the run's data (which evaluations see as constants) and always return a new value instead of
//! changing their argument. Some of rhai's built-ins change a string in place and return `()`
//! (`trim`, `replace`, `truncate`); the helpers of the same name replace them with versions that
//! return the result, which is what a flow author expects from `trigger.name.trim()`.
//!
//! Helpers report problems as errors whose message starts with the helper's name, so the
//! author knows which call failed even in a long expression.

mod dates;
mod json;
mod misc;
mod numbers;
mod pattern;
mod phone;

pub(crate) use pattern::check as check_pattern;
pub(crate) use phone::{warm_up_if_used, warm_up_in_background};
mod strings;

use rhai::{Engine, EvalAltResult};

/// The result type of fallible helpers.
pub(crate) type HelperResult<T> = Result<T, Box<EvalAltResult>>;

/// A helper failure with a plain-words message.
pub(crate) fn fail<T>(message: impl Into<String>) -> HelperResult<T> {
    let message: String = message.into();
    Err(message.into())
}

/// Registers every helper.
pub(crate) fn register(engine: &mut Engine) {
    strings::register(engine);
    dates::register(engine);
    json::register(engine);
    numbers::register(engine);
    pattern::register(engine);
    phone::register(engine);
    misc::register(engine);

    // Lets the tests check that a panic inside an evaluation becomes an error.
    #[cfg(test)]
    engine.register_fn("deliberate_panic", || -> rhai::INT { panic!("deliberate test panic") });
}
