//! The functions and methods n8n expressions call, as rhai: string methods (`toLowerCase`,
//! `includes` …), globals (`Math.round`, `JSON.stringify`, `String` …) and Luxon date methods on
//! `$now` / `$today` (`toFormat`, `plus`, `toISO` …). Each maps to one of our helpers or fails
//! with a message naming what is not supported.

use super::emit::{Out, Reads, Ty, paren, quote, truthy};
use super::js::Js;

/// A global function call `func(a…)` with its arguments already translated.
pub(super) fn function(func: &str, a: &[Out]) -> Result<Out, String> {
    let arg = |i: usize| {
        a.get(i).map(|o: &Out| o.code.clone()).ok_or_else(|| format!("`{func}` needs an argument"))
    };
    let out = match func {
        "Math.round" => Out::new(format!("round({})", arg(0)?), Ty::Num),
        "Math.floor" => Out::new(format!("to_int(floor(to_float({})))", arg(0)?), Ty::Num),
        "Math.ceil" => Out::new(format!("to_int(ceiling(to_float({})))", arg(0)?), Ty::Num),
        "Math.abs" => Out::new(format!("abs({})", arg(0)?), Ty::Num),
        "Math.max" | "Math.min" if a.len() == 2 => {
            Out::new(format!("{}({}, {})", &func[5..], arg(0)?, arg(1)?), Ty::Num)
        }
        "JSON.stringify" if a.len() >= 3 => {
            Out::new(format!("json_stringify({}, true)", arg(0)?), Ty::Str)
        }
        "JSON.stringify" => Out::new(format!("json_stringify({})", arg(0)?), Ty::Str),
        "JSON.parse" => Out::new(format!("json_parse({})", arg(0)?), Ty::Any),
        "Date.now" => Out::new("now_ms()", Ty::Num),
        "DateTime.now" => Out::new("now()", Ty::Date),
        "DateTime.fromISO" => Out::new(format!("parse_date({})", arg(0)?), Ty::Date),
        "String" => Out::new(format!("to_string({})", arg(0)?), Ty::Str),
        "Number" => Out::new(format!("parse_number({})", arg(0)?), Ty::Num),
        "Boolean" => {
            let o = a.first().cloned().ok_or("`Boolean` needs an argument")?;
            Out::new(truthy(&o), Ty::Bool)
        }
        "parseInt" => Out::new(format!("to_int({})", arg(0)?), Ty::Num),
        "parseFloat" => Out::new(format!("to_float({})", arg(0)?), Ty::Num),
        "encodeURIComponent" | "encodeURI" => Out::new(format!("url_encode({})", arg(0)?), Ty::Str),
        "decodeURIComponent" | "decodeURI" => Out::new(format!("url_decode({})", arg(0)?), Ty::Str),
        "Object.keys" => Out::new(format!("keys({})", arg(0)?), Ty::Any),
        "Object.values" => Out::new(format!("values({})", arg(0)?), Ty::Any),
        "Array.isArray" => Out::new(format!("(type_of({}) == \"array\")", arg(0)?), Ty::Bool),
        _ => return Err(format!("`{func}(…)` is not supported")),
    };
    Ok(out)
}

/// A method call `recv.name(args…)`; `a` are the translated arguments.
pub(super) fn method(
    recv: &Out,
    name: &str,
    args: &[Js],
    a: &[Out],
    reads: &mut Reads,
) -> Result<Out, String> {
    let r = recv.code.clone();
    let arg = |i: usize| {
        a.get(i)
            .map(|o: &Out| o.code.clone())
            .ok_or_else(|| format!("`.{name}()` needs an argument"))
    };
    if recv.ty == Ty::Date {
        return date_method(&r, name, args, a);
    }
    Ok(match name {
        "toLowerCase" | "toLocaleLowerCase" => Out::new(format!("lower({r})"), Ty::Str),
        "toUpperCase" | "toLocaleUpperCase" => Out::new(format!("upper({r})"), Ty::Str),
        "trim" => Out::new(format!("trim({r})"), Ty::Str),
        "trimStart" => Out::new(format!("trim_start({r})"), Ty::Str),
        "trimEnd" => Out::new(format!("trim_end({r})"), Ty::Str),
        "toString" if a.is_empty() => Out::new(format!("to_string({r})"), Ty::Str),
        "includes" => Out::new(format!("{}.contains({})", paren(&r), arg(0)?), Ty::Bool),
        "startsWith" => Out::new(format!("{}.starts_with({})", paren(&r), arg(0)?), Ty::Bool),
        "endsWith" => Out::new(format!("{}.ends_with({})", paren(&r), arg(0)?), Ty::Bool),
        "split" => Out::new(format!("split({r}, {})", arg(0)?), Ty::Any),
        "join" if a.is_empty() => Out::new(format!("join({r}, \",\")"), Ty::Str),
        "join" => Out::new(format!("join({r}, {})", arg(0)?), Ty::Str),
        "replaceAll" if matches!(args.first(), Some(Js::Str(_))) => {
            Out::new(format!("replace({r}, {}, {})", arg(0)?, arg(1)?), Ty::Str)
        }
        "replace" if matches!(args.first(), Some(Js::Str(_))) => {
            reads.caveats.push(
                "`.replace(text, …)` replaces every occurrence here (JavaScript replaces only the first)"
                    .into(),
            );
            Out::new(format!("replace({r}, {}, {})", arg(0)?, arg(1)?), Ty::Str)
        }
        "indexOf" => Out::new(format!("index_of({r}, {})", arg(0)?), Ty::Num),
        "toFixed" => Out::new(
            format!(
                "format_number(to_float({r}), {}, \"\", \".\")",
                a.first().map_or("0".into(), |o| o.code.clone())
            ),
            Ty::Str,
        ),
        "toTitleCase" => Out::new(format!("title_case({r})"), Ty::Str),
        "isEmpty" => Out::new(format!("is_empty({r})"), Ty::Bool),
        "isNotEmpty" => Out::new(format!("!is_empty({r})"), Ty::Bool),
        "first" if a.is_empty() => Out::new(format!("{}[0]", paren(&r)), Ty::Any),
        "last" if a.is_empty() => Out::new(format!("{}[-1]", paren(&r)), Ty::Any),
        "keys" if a.is_empty() => Out::new(format!("keys({r})"), Ty::Any),
        "values" if a.is_empty() => Out::new(format!("values({r})"), Ty::Any),
        "toNumber" => Out::new(format!("parse_number({r})"), Ty::Num),
        "toJsonString" => Out::new(format!("json_stringify({r})"), Ty::Str),
        "toDateTime" => Out::new(format!("parse_date({r})"), Ty::Date),
        "substring" | "slice" | "substr" => {
            let lit = |i: usize| match args.get(i) {
                Some(Js::Num(n)) if *n >= 0.0 && n.fract() == 0.0 => Some(*n as i64),
                _ => None,
            };
            match (lit(0), args.len()) {
                (Some(s), 1) => Out::new(format!("sub_string({r}, {s})"), Ty::Str),
                (Some(s), 2) => {
                    let e = lit(1).ok_or_else(|| {
                        format!("`.{name}()` is only supported with non-negative whole numbers")
                    })?;
                    let len = if name == "substr" { e } else { (e - s).max(0) };
                    Out::new(format!("sub_string({r}, {s}, {len})"), Ty::Str)
                }
                _ => {
                    return Err(format!(
                        "`.{name}()` is only supported with non-negative whole numbers"
                    ));
                }
            }
        }
        _ => return Err(format!("the method `.{name}()` is not supported")),
    })
}

/// Luxon methods on `$now` / `$today` / `DateTime`.
fn date_method(r: &str, name: &str, args: &[Js], a: &[Out]) -> Result<Out, String> {
    Ok(match (name, args) {
        ("toISO" | "toISOString" | "toJSON" | "toString", []) => Out::new(r.to_owned(), Ty::Str),
        ("toISODate", []) => Out::new(format!("format_date({r}, \"%Y-%m-%d\")"), Ty::Str),
        ("toMillis", []) => Out::new(format!("to_unix_ms({r})"), Ty::Num),
        ("toSeconds" | "toUnixInteger", []) => Out::new(format!("to_unix({r})"), Ty::Num),
        ("toFormat", [Js::Str(f)]) => {
            Out::new(format!("format_date({r}, {})", quote(&luxon_to_strftime(f)?)), Ty::Str)
        }
        ("plus" | "minus", [_, Js::Str(unit)]) => {
            let n = a.first().map(|o| o.code.clone()).unwrap_or_default();
            let n = if name == "minus" { format!("-{}", paren(&n)) } else { n };
            Out::new(format!("date_add({r}, {n}, {})", quote(unit)), Ty::Date)
        }
        ("plus" | "minus", [Js::Object(fields)]) if fields.len() == 1 => {
            let (unit, _) = &fields[0];
            let obj = a.first().map(|o| o.code.clone()).unwrap_or_default();
            let n = format!("{obj}[{}]", quote(unit));
            let n = if name == "minus" { format!("-{}", paren(&n)) } else { n };
            Out::new(format!("date_add({r}, {n}, {})", quote(unit)), Ty::Date)
        }
        _ => return Err(format!("the date method `.{name}()` is not supported")),
    })
}

/// Converts a Luxon format (`yyyy-MM-dd HH:mm`) to strftime (`%Y-%m-%d %H:%M`).
pub(in crate::import::n8n) fn luxon_to_strftime(f: &str) -> Result<String, String> {
    const TOKENS: [(&str, &str); 22] = [
        ("yyyy", "%Y"),
        ("yy", "%y"),
        ("MMMM", "%B"),
        ("MMM", "%b"),
        ("MM", "%m"),
        ("M", "%-m"),
        ("dd", "%d"),
        ("d", "%-d"),
        ("EEEE", "%A"),
        ("EEE", "%a"),
        ("cccc", "%A"),
        ("ccc", "%a"),
        ("HH", "%H"),
        ("H", "%-H"),
        ("hh", "%I"),
        ("h", "%-I"),
        ("mm", "%M"),
        ("m", "%-M"),
        ("ss", "%S"),
        ("s", "%-S"),
        ("SSS", "%3f"),
        ("a", "%p"),
    ];
    let mut out = String::new();
    let mut rest = f;
    while let Some(c) = rest.chars().next() {
        if c == '\'' {
            let end = rest[1..].find('\'').ok_or("an unclosed quote in the date format")?;
            out.push_str(&rest[1..=end].replace('%', "%%"));
            rest = &rest[end + 2..];
        } else if let Some((tok, rep)) = TOKENS.iter().find(|(t, _)| rest.starts_with(t)) {
            out.push_str(rep);
            rest = &rest[tok.len()..];
        } else if c.is_ascii_alphabetic() {
            return Err(format!("the date format letter `{c}` is not supported"));
        } else {
            if c == '%' {
                out.push('%');
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(out)
}
