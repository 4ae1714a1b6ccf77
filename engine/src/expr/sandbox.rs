//! The rhai engine configuration: [`ExprLimits`], the things removed from the language, the
//! wall-clock guard and the token tweaks that make rhai friendlier for flow authors.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use rhai::module_resolvers::DummyModuleResolver;
use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, EvalAltResult, EvalContext, Token};

use super::{Root, helpers};

/// Limits of the sandbox.
///
/// Defaults: `max_operations` 1 000 000, `max_call_levels` 32, `max_expr_depth` 64 (function
/// bodies get half, 32), `max_string_size` 10 MiB, `max_array_size` 100 000, `max_map_size`
/// 100 000, `max_duration` 2 s. As in rhai, a zero size or count means "no limit".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprLimits {
    /// Operations one evaluation may perform (roughly: expression nodes evaluated).
    pub max_operations: u64,
    /// Nesting of function calls (script functions and closures).
    pub max_call_levels: usize,
    /// Nesting of expressions when parsing; function bodies get half of it.
    pub max_expr_depth: usize,
    /// Length of any string, in bytes.
    pub max_string_size: usize,
    /// Elements of any array (nested arrays count towards their parent).
    pub max_array_size: usize,
    /// Entries of any map (nested maps count towards their parent).
    pub max_map_size: usize,
    /// Wall-clock time one evaluation may take (`None`: unbounded). The operation limit does not
    /// see the cost of copying big values, so this is what bounds a script that keeps copying
    /// a growing value.
    pub max_duration: Option<Duration>,
}

impl Default for ExprLimits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 10 * 1024 * 1024,
            max_array_size: 100_000,
            max_map_size: 100_000,
            max_duration: Some(Duration::from_secs(2)),
        }
    }
}

/// The token rhai's progress callback returns to stop an evaluation that ran out of time
/// (recognised again when the error is translated).
pub(crate) const TIMEOUT_MARKER: &str = "switchboard:timeout";

/// How many operations run between two clock checks (reading the clock costs ~20 ns; an
/// operation ~5-50 ns).
const CLOCK_CHECK_EVERY: u64 = 256;

/// The wall-clock state of the evaluation running on this thread.
#[derive(Clone, Copy)]
enum Clock {
    /// No time limit.
    Off,
    /// A limit, not started yet: the clock is read only at the first check, so the many
    /// evaluations that finish within `CLOCK_CHECK_EVERY` operations never read it at all (the
    /// time before the first check, microseconds, is not counted).
    Pending(Duration),
    /// Running; stop at this instant.
    Until(Instant),
}

thread_local! {
    /// Evaluation is synchronous (nothing awaits inside it), so a thread-local is exactly "the
    /// current evaluation".
    static CLOCK: Cell<Clock> = const { Cell::new(Clock::Off) };
}

/// Arms this thread's evaluation clock for the guard's lifetime (restoring the previous state,
/// so a nested evaluation could never disarm an outer one).
pub(crate) struct DeadlineGuard {
    previous: Clock,
}

impl DeadlineGuard {
    /// Arms the clock for one evaluation under `limits`.
    pub(crate) fn start(limits: &ExprLimits) -> Self {
        let clock = limits.max_duration.map_or(Clock::Off, Clock::Pending);
        Self { previous: CLOCK.with(|cell| cell.replace(clock)) }
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        CLOCK.with(|cell| cell.set(self.previous));
    }
}

/// rhai's progress callback: every `CLOCK_CHECK_EVERY` operations, stop the evaluation if its
/// time is up.
fn check_clock(operations: u64) -> Option<Dynamic> {
    if !operations.is_multiple_of(CLOCK_CHECK_EVERY) {
        return None;
    }
    CLOCK.with(|cell| match cell.get() {
        Clock::Off => None,
        Clock::Pending(limit) => {
            cell.set(Instant::now().checked_add(limit).map_or(Clock::Off, Clock::Until));
            None
        }
        Clock::Until(deadline) => {
            (Instant::now() >= deadline).then(|| Dynamic::from(TIMEOUT_MARKER))
        }
    })
}

/// The free variables that function and closure bodies read, for one evaluation.
///
/// A closure that reads a variable captures it, and rhai turns a captured variable into a shared
/// value behind a lock. The expression around the closure often holds that very lock, as in
/// `trigger.items.filter(|i| i.qty > trigger.min_qty)` where `filter` works inside `trigger`
/// while the closure is handed (and reads) `trigger`; rhai reports that as a data race. So such
/// variables are not put in the scope at all: rhai's variable resolver hands out a fresh,
/// unshared copy on every read, pruned to what the main body reads (`main`) or to what function
/// bodies read (`functions`). Named functions can read the flow's data this way too.
///
/// The price is a copy per read of such a variable, of only the parts read.
#[derive(Default)]
pub(crate) struct FunctionData {
    /// Per root (see [`Root::slot`]): the copy served in the main body (`()` when the main body
    /// only hands the variable to a closure).
    pub(crate) main: [Option<Dynamic>; 6],
    /// Per root: the copy served inside function and closure bodies.
    pub(crate) functions: [Option<Dynamic>; 6],
}

thread_local! {
    /// The function data of the evaluation running on this thread (same reasoning as `CLOCK`).
    static FUNCTION_DATA: RefCell<Option<FunctionData>> = const { RefCell::new(None) };
}

/// Installs an evaluation's [`FunctionData`] for the guard's lifetime.
pub(crate) struct FunctionDataGuard {
    previous: Option<FunctionData>,
}

impl FunctionDataGuard {
    /// Installs `data` (nothing, when no function body reads a free variable, so the resolver
    /// returns at once).
    pub(crate) fn install(data: FunctionData) -> Self {
        let data = data.functions.iter().any(Option::is_some).then_some(data);
        Self { previous: FUNCTION_DATA.with(|cell| cell.replace(data)) }
    }
}

impl Drop for FunctionDataGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        FUNCTION_DATA.with(|cell| *cell.borrow_mut() = previous);
    }
}

/// rhai's variable resolver, consulted before the scope for every variable read.
fn resolve_variable(
    name: &str,
    index: usize,
    context: EvalContext,
) -> Result<Option<Dynamic>, Box<EvalAltResult>> {
    // Variables the script declares (`let`, parameters, loop variables) have an index.
    if index != 0 {
        return Ok(None);
    }
    FUNCTION_DATA.with(|cell| {
        let data = cell.borrow();
        // Most evaluations have no function reading a free variable: nothing to do.
        let Some(data) = data.as_ref() else { return Ok(None) };
        let Some(root) = Root::from_name(name) else { return Ok(None) };
        // `None` lets rhai look in the scope (where variables not read by functions are).
        let served = if context.call_level() > 0 { &data.functions } else { &data.main };
        Ok(served[root.slot()].clone())
    })
}

/// Builds the sandboxed engine with every helper registered.
pub(crate) fn build_engine(limits: &ExprLimits) -> Engine {
    // `new_raw` starts without the file module resolver and without printing to stdout.
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());

    // Only the names the evaluation scope provides (plus the script's own `let`s) exist: a typo
    // is a compile error with a position instead of a `()` at run time.
    engine.set_strict_variables(true);

    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_modules(0);

    // No I/O, no dynamic code.
    engine.set_module_resolver(DummyModuleResolver::new());
    engine.disable_symbol("eval");
    engine.disable_symbol("import");
    engine.disable_symbol("export");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});

    if limits.max_duration.is_some() {
        // The operation limit does not account for the cost of copying large values, so a
        // script can stay under it and still run for a long time; the clock catches that.
        engine.on_progress(check_clock);
    }

    // These two APIs are marked volatile ("deprecated") by rhai, not actually deprecated.
    #[allow(deprecated)]
    engine.on_parse_token(|token, _, _| map_token(token));
    #[allow(deprecated)]
    engine.on_var(resolve_variable);

    helpers::register(&mut engine);
    engine
}

/// Words rhai reserves for future use but that a flow author expects to work: `default(x, y)`
/// is a helper, and JSON fields such as `public`, `default` or `new` must be readable as
/// `trigger.public`. Reserved words keep their meaning where rhai gives them one (`print`,
/// `type_of`, `Fn`, ... are functions; `this` and `var` have dedicated messages; the disabled
/// `eval`, `import` and `export` stay disabled). `null` is
/// accepted as a spelling of `()`.
fn map_token(token: Token) -> Token {
    match token {
        Token::Reserved(word) if word.as_str() == "null" => Token::Unit,
        Token::Reserved(word) if is_freed_word(word.as_str()) => Token::Identifier(word),
        other => other,
    }
}

fn is_freed_word(word: &str) -> bool {
    const KEEP: &[&str] = &[
        "print",
        "debug",
        "type_of",
        "eval",
        "Fn",
        // `call` is freed: `trigger.call` is how every flow reads a phone call (a function
        // pointer's `f.call(x)` is dispatched by name and keeps working).
        "curry",
        "is_shared",
        "is_def_var",
        "is_def_fn",
        "this",
        "var",
        // Disabled keywords reach the mapper as reserved words; they must stay unusable.
        "import",
        "export",
    ];
    rhai::is_valid_identifier(word) && !KEEP.contains(&word)
}
