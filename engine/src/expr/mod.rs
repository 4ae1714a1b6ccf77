//! Expressions: conditions, `{{ }}` templates and code-step scripts, all written in
//! [rhai](https://rhai.rs).
//!
//! # What a flow author writes
//!
//! * **Conditions** (filters, routers) are one rhai expression that must produce a boolean,
//!   e.g. `trigger.amount > 100 && steps.lookup.found`.
//! * **Templates**: inside any string prop, `{{ expr }}` interpolates an expression. A prop that is
//!   exactly one `{{ expr }}` (surrounding whitespace allowed) keeps the value's type, so
//!   `"{{ trigger.items }}"` renders to the array itself, not to its text.
//! * **Scripts** (code steps) may use statements (`let`, loops, functions); their value is the
//!   last expression or the value given to `return`.
//!
//! The free variables are `trigger`, `steps`, `vars`, `run`, `item` and `index` (the last two
//! only inside a loop body; elsewhere they read as `()`). Any other name is a compile error with
//! its position, so a typo such as `triger.x` is caught when the flow is saved, not when it runs.
//!
//! # How evaluation stays cheap
//!
//! * Everything is compiled once per flow version ([`ExprEngine::compile_expression`],
//!   [`ExprEngine::compile_script`], [`ExprEngine::compile_template`]); an [`Expr`] holds the AST.
//! * When an expression is compiled, its AST is walked to find what it reads: the step ids (for
//!   the validator, see [`References`]) and, per variable, the property paths it follows. An
//!   evaluation converts only those parts of the run's data into rhai values, so reading
//!   `steps.http.body.id` never copies the rest of a large HTTP response.
//! * An expression that is nothing but a path (`steps.lookup.body.email`, very common in
//!   templates) is answered straight from the JSON without running rhai at all, which also keeps
//!   the key order of objects it returns.
//! * [`EvalScope`] stores each step output once, behind an `Arc`; loop iterations layer their own
//!   outputs on top of the parent's without copying them.
//!
//! # Sandbox
//!
//! Evaluation is bounded by [`ExprLimits`] (operations, call depth, expression depth, string,
//! array and map sizes, and wall-clock time). There is no I/O: `print`/`debug` output is
//! discarded, and `eval`, `import` and `export` do not exist. Each evaluation works on its own
//! copy of the data it reads, so a script can never change what other steps see.
//!
//! A failing expression is an [`ExprError`] carrying the expression, a message in plain words and
//! the line and column inside the expression; it converts into a
//! [`StepError`](crate::step_error::StepError) of kind `Expression`.
//!
//! # Helpers
//!
//! Besides rhai's standard library, flows get helpers named to read naturally, callable as
//! functions or methods (`upper(x)` or `x.upper()`); each returns a new value and never changes
//! its argument:
//!
//! * strings: `lower`, `upper`, `trim` (`trim_start`, `trim_end`), `capitalize`, `title_case`,
//!   `split`, `join`, `replace`, `truncate`, `pad` (`pad_start`, `pad_end`), `slugify`,
//!   `is_empty` (also for arrays, objects and missing values), `len`, and rhai's `contains`,
//!   `starts_with`, `ends_with`, `index_of`, `sub_string`, ...;
//! * dates (RFC 3339 text, UTC unless an offset is given): `now`, `now_ms`, `today`,
//!   `parse_date`, `format_date` (strftime, optional IANA zone), `to_timezone`, `add_duration`
//!   (`"90s"`, `"1h30m"`), `date_add` (calendar-aware), `date_diff`, `day_of_week`,
//!   `weekday_name`, `to_unix`, `to_unix_ms`;
//! * JSON: `json_parse` / `parse_json`, `json_stringify` / `to_json`;
//! * numbers: `round`, `format_number` (`"1,234.50"`), `to_int`, `to_float`, `parse_number`;
//! * fallbacks: `default(x, y)` (`y` when `x` is missing, null or ""), `coalesce(a, b, ...)`,
//!   and rhai's `??`;
//! * phone numbers: `e164`, `phone_country`, `is_valid_phone`;
//! * others: `uuid`, `base64_encode`, `base64_decode`, `url_encode`, `url_decode`, and rhai's
//!   `keys`, `values`, `map`, `filter`, `reduce`, ...
//!
//! `null` may be written for `()`, and words rhai reserves but does not use (`default`, `public`,
//! `new`, ...) work as names, so `trigger.public` reads a JSON field called `public`. A literal
//! `{{` in a template is written `{{ "{{" }}`.

mod access;
mod convert;
mod engine;
mod error;
mod helpers;
pub(crate) use helpers::check_pattern;
mod interpolation;
mod references;
mod sandbox;
mod scope;
mod template;

#[cfg(test)]
mod tests;

pub use engine::{Expr, ExprEngine};

/// Loads slow, lazily built tables (phone-number metadata) on a background thread; servers call it
/// at start so the first run is as fast as the rest.
pub fn warm_up_in_background() {
    helpers::warm_up_in_background();
}
pub use error::{ExprError, TemplateError};
pub use references::References;
pub use sandbox::ExprLimits;
pub use scope::EvalScope;
pub use template::Template;

/// The free variables an expression may read, in a fixed order (used to index per-variable
/// tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Root {
    /// `trigger`: the trigger's output.
    Trigger,
    /// `steps`: every finished step's output, by step id.
    Steps,
    /// `vars`: the flow variables.
    Vars,
    /// `run`: facts about the run (id, start time, idempotency key, resume URLs).
    Run,
    /// `item`: the current element inside a loop body.
    Item,
    /// `index`: the current position inside a loop body.
    Index,
}

impl Root {
    /// Every root, in table order.
    pub(crate) const ALL: [Root; 6] =
        [Root::Trigger, Root::Steps, Root::Vars, Root::Run, Root::Item, Root::Index];

    /// The variable name as written in expressions.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Root::Trigger => "trigger",
            Root::Steps => "steps",
            Root::Vars => "vars",
            Root::Run => "run",
            Root::Item => "item",
            Root::Index => "index",
        }
    }

    /// The root with this variable name, if it is one.
    pub(crate) fn from_name(name: &str) -> Option<Root> {
        Root::ALL.into_iter().find(|root| root.name() == name)
    }

    /// The position of this root in per-root tables.
    pub(crate) const fn slot(self) -> usize {
        self as usize
    }
}
