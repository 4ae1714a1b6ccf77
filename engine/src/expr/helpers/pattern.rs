//! `matches(text, pattern)`: regular expressions, in the `regex` crate's syntax (linear time, no
//! look-around or back-references), so no pattern can hang a run.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};
use rhai::Engine;

use super::{HelperResult, fail};

/// Compiled patterns kept per thread: flows repeat the same few patterns on every run.
const CACHE_SIZE: usize = 64;
/// The compiled program's size limit: a pattern bigger than this is refused, not compiled.
const SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn("matches", matches);
}

/// Whether `pattern` matches somewhere in `text` (anchor it with `^…$` for the whole text;
/// `(?i)` ignores case).
fn matches(text: &str, pattern: &str) -> HelperResult<bool> {
    with_pattern(pattern, |re| re.is_match(text))
}

fn with_pattern<T>(pattern: &str, f: impl FnOnce(&Regex) -> T) -> HelperResult<T> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Ok(f(re));
        }
        let re = compile(pattern)?;
        let out = f(&re);
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), re);
        Ok(out)
    })
}

/// Whether `matches` accepts `pattern`; the error says what is wrong with it.
pub(crate) fn check(pattern: &str) -> Result<(), String> {
    compile(pattern).map(|_| ()).map_err(|e| e.to_string())
}

fn compile(pattern: &str) -> HelperResult<Regex> {
    match RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).build() {
        Ok(re) => Ok(re),
        Err(e) => fail(format!("matches: the pattern {pattern:?} is not valid: {e}")),
    }
}
