//! Google Sheets: the declarative spec (`engine/pieces/google_sheets.json`) plus the one action a
//! spec cannot say, [`FindRows`].
//!
//! The Sheets API has no server-side filter in `values.get` (and `getByDataFilter` filters by
//! developer metadata or grid ranges, not by cell content), so "Find rows" reads the worksheet
//! and filters here: the first row is the header row, every other row whose cell in the chosen
//! column matches becomes `{ "row_number", "values": { <header>: <cell> } }`.
//!
//! Sheets has no push trigger for new or changed rows; flows poll with a schedule until the
//! polling trigger exists.

// `StepError` is the engine-wide failure type; it is only built on the (cold) failure path.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::piece::{Action, ActionContext, BoxFuture, HttpClient, TriggerSource};
use crate::step_error::{ErrorKind, StepError};

/// The piece id.
pub const PIECE_ID: &str = "google_sheets";
/// The Sheets API's base URL (overridable with `SWITCHBOARD_BASE_URL_GOOGLE_SHEETS`).
pub const DEFAULT_BASE_URL: &str = "https://sheets.googleapis.com/v4";
/// The vendor's name in error messages (the spec's `name`).
const VENDOR: &str = "Google Sheets";

/// Rust actions and triggers by name, as the declared-piece loader takes them.
pub type RustParts = (BTreeMap<String, Arc<dyn Action>>, BTreeMap<String, Arc<dyn TriggerSource>>);

/// The Rust behind the spec: the `find_rows` action (Sheets has no triggers).
pub fn rust_parts() -> RustParts {
    let mut actions: BTreeMap<String, Arc<dyn Action>> = BTreeMap::new();
    actions.insert("find_rows".to_owned(), Arc::new(FindRows));
    (actions, BTreeMap::new())
}

/// `find_rows`: `values.get` of the whole worksheet, filtered by one column.
#[derive(Debug, Clone, Copy, Default)]
pub struct FindRows;

impl Action for FindRows {
    fn run<'a>(
        &'a self,
        ctx: &'a ActionContext,
        props: Value,
    ) -> BoxFuture<'a, Result<Value, StepError>> {
        Box::pin(find_rows(ctx, props))
    }
}

/// How a cell is compared with the value looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Equals,
    Contains,
}

/// The props of `find_rows`, checked.
#[derive(Debug, Clone, PartialEq)]
struct Query {
    spreadsheet_id: String,
    sheet: String,
    column: String,
    value: String,
    mode: Match,
    case_sensitive: bool,
    limit: Option<usize>,
}

impl Query {
    fn from_props(props: &Value) -> Result<Self, StepError> {
        let required = |name: &str| {
            text_of(props.get(name))
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| StepError::invalid_input(format!("{VENDOR}: `{name}` is required")))
        };
        let mode = match text_of(props.get("match")).as_deref().map(str::trim) {
            None | Some("" | "equals") => Match::Equals,
            Some("contains") => Match::Contains,
            Some(other) => {
                return Err(StepError::invalid_input(format!(
                    "{VENDOR}: `match` is `{other}`; use `equals` or `contains`"
                )));
            }
        };
        let case_sensitive = match props.get("case_sensitive") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(StepError::invalid_input(format!(
                    "{VENDOR}: `case_sensitive` must be true or false, not {other}"
                )));
            }
        };
        let limit = match props.get("limit") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        StepError::invalid_input(format!(
                            "{VENDOR}: `limit` must be a whole number above 0, not {v}"
                        ))
                    })?,
            ),
        };
        Ok(Self {
            spreadsheet_id: required("spreadsheet_id")?.trim().to_owned(),
            sheet: required("sheet")?.trim().to_owned(),
            column: required("column")?.trim().to_owned(),
            value: text_of(props.get("value")).unwrap_or_default(),
            mode,
            case_sensitive,
            limit,
        })
    }

    fn matches(&self, cell: &str) -> bool {
        let (cell, wanted) = (cell.trim(), self.value.trim());
        let (cell, wanted) = if self.case_sensitive {
            (cell.to_owned(), wanted.to_owned())
        } else {
            (cell.to_lowercase(), wanted.to_lowercase())
        };
        match self.mode {
            Match::Equals => cell == wanted,
            Match::Contains => cell.contains(&wanted),
        }
    }
}

/// A prop as text: strings as they are, numbers and booleans written out.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The connection's OAuth2 access token.
fn access_token(ctx: &ActionContext) -> Result<&str, StepError> {
    let connection = ctx.connection.as_ref().ok_or_else(|| {
        StepError::new(
            ErrorKind::Connection,
            format!("this step needs a {VENDOR} connection (set `connection` on the step)"),
        )
    })?;
    if connection.piece != PIECE_ID && connection.piece != "http" {
        return Err(StepError::new(
            ErrorKind::Connection,
            format!("connection `{}` is for {}, not {VENDOR}", connection.name, connection.piece),
        ));
    }
    connection.value("access_token").filter(|t| !t.is_empty()).ok_or_else(|| {
        StepError::new(
            ErrorKind::Connection,
            format!(
                "connection `{}` has no access token: sign in to Google again",
                connection.name
            ),
        )
    })
}

async fn find_rows(ctx: &ActionContext, props: Value) -> Result<Value, StepError> {
    let query = Query::from_props(&props)?;
    let token = access_token(ctx)?;
    let base = ctx.http.base_url(PIECE_ID, DEFAULT_BASE_URL);
    // The same shape as the spec'd actions: the title quoted, as A1 notation wants for titles
    // with spaces or symbols, each value percent-encoded as one path segment.
    let url = format!(
        "{base}/spreadsheets/{}/values/'{}'",
        encode_segment(&query.spreadsheet_id),
        encode_segment(&query.sheet)
    );
    let mut url = reqwest::Url::parse(&url).map_err(|e| {
        StepError::invalid_input(format!("{VENDOR}: the request URL is not valid: {e}"))
    })?;
    url.query_pairs_mut().append_pair("majorDimension", "ROWS");
    let request = ctx.http.client().get(url).bearer_auth(token);
    let response = ctx.http.send(request, ctx.timeout).await?;
    if !response.is_success() {
        return Err(HttpClient::status_error(VENDOR, &response));
    }
    let body: Value = response.json()?;
    filter_rows(&query, &body)
}

/// The rows of a `ValueRange` that match, keyed by its first (header) row.
fn filter_rows(query: &Query, body: &Value) -> Result<Value, StepError> {
    let empty = Vec::new();
    let rows = body.get("values").and_then(Value::as_array).unwrap_or(&empty);
    let Some((header, data)) = rows.split_first() else {
        return Ok(json!({ "rows": [], "count": 0 }));
    };
    let header = header.as_array().unwrap_or(&empty);
    let index = column_index(header, &query.column).ok_or_else(|| {
        let names: Vec<String> = header.iter().map(cell_text).filter(|h| !h.is_empty()).collect();
        StepError::invalid_input(format!(
            "{VENDOR}: the worksheet `{}` has no column `{}` (its header row has: {})",
            query.sheet,
            query.column,
            if names.is_empty() { "nothing".to_owned() } else { names.join(", ") }
        ))
    })?;
    let keys = header_keys(header);
    let header_row = first_row_number(body.get("range").and_then(Value::as_str).unwrap_or(""));
    let mut found = Vec::new();
    for (offset, row) in data.iter().enumerate() {
        let cells = row.as_array().unwrap_or(&empty);
        let cell = cells.get(index).map(cell_text).unwrap_or_default();
        if !query.matches(&cell) {
            continue;
        }
        // Sheets leaves out empty trailing cells; a short row reads as empty strings.
        let width = keys.len().max(cells.len());
        let mut values = Map::new();
        for i in 0..width {
            let key = keys.get(i).cloned().unwrap_or_else(|| column_letters(i));
            values.insert(key, Value::String(cells.get(i).map(cell_text).unwrap_or_default()));
        }
        found.push(json!({ "row_number": header_row + 1 + offset, "values": values }));
        if query.limit.is_some_and(|l| found.len() >= l) {
            break;
        }
    }
    let count = found.len();
    Ok(json!({ "rows": found, "count": count }))
}

/// The column a user named: a header (exactly, then ignoring case and spaces), else a letter.
fn column_index(header: &[Value], column: &str) -> Option<usize> {
    let texts: Vec<String> = header.iter().map(cell_text).collect();
    texts
        .iter()
        .position(|h| h == column)
        .or_else(|| texts.iter().position(|h| h.trim().eq_ignore_ascii_case(column.trim())))
        .or_else(|| column_from_letters(column))
}

/// The output keys: the header texts; an empty or repeated header is keyed by its column letter.
fn header_keys(header: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let text = cell_text(cell).trim().to_owned();
        if text.is_empty() || keys.contains(&text) {
            keys.push(column_letters(i));
        } else {
            keys.push(text);
        }
    }
    keys
}

/// `A` → 0, `Z` → 25, `AA` → 26 (at most three letters, as Sheets' 18,278 columns need).
fn column_from_letters(text: &str) -> Option<usize> {
    let text = text.trim();
    if text.is_empty() || text.len() > 3 || !text.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in text.chars() {
        n = n * 26 + (usize::from(c.to_ascii_uppercase() as u8 - b'A') + 1);
    }
    Some(n - 1)
}

/// 0 → `A`, 25 → `Z`, 26 → `AA`.
fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The sheet row of the response's first (header) row: `Leads!A1:Z1000` → 1, `'Q1'!B3:D9` → 3;
/// 1 when the range names no row.
fn first_row_number(range: &str) -> usize {
    let cells = range.rsplit_once('!').map_or(range, |(_, c)| c);
    let start = cells.split(':').next().unwrap_or("");
    let digits: String = start.chars().skip_while(|c| !c.is_ascii_digit()).collect();
    digits.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or(1)
}

/// A cell as text (formatted values are strings already; others are written out).
fn cell_text(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (as the spec executor does).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(column: &str, value: &str) -> Query {
        Query {
            spreadsheet_id: "s".into(),
            sheet: "Leads".into(),
            column: column.into(),
            value: value.into(),
            mode: Match::Equals,
            case_sensitive: false,
            limit: None,
        }
    }

    #[test]
    fn column_letters_round_trip() {
        for (i, l) in [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ")] {
            assert_eq!(column_letters(i), l);
            assert_eq!(column_from_letters(l), Some(i));
        }
        assert_eq!(column_from_letters("b"), Some(1));
        assert_eq!(column_from_letters("A1"), None);
        assert_eq!(column_from_letters("ABCD"), None);
    }

    #[test]
    fn first_row_from_the_returned_range() {
        assert_eq!(first_row_number("Leads!A1:Z1000"), 1);
        assert_eq!(first_row_number("'Q1 Leads'!B3:D9"), 3);
        assert_eq!(first_row_number("'A!B'!C7"), 7);
        assert_eq!(first_row_number("Leads!A:Z"), 1);
        assert_eq!(first_row_number(""), 1);
    }

    #[test]
    fn header_wins_over_letters_and_blank_headers_get_letters() {
        let header = vec![json!("B"), json!("Email"), json!(""), json!("Email")];
        assert_eq!(column_index(&header, "B"), Some(0), "a header named B beats column B");
        assert_eq!(column_index(&header, " email "), Some(1));
        assert_eq!(column_index(&header, "C"), Some(2));
        assert_eq!(column_index(&header, "Phone"), None);
        assert_eq!(header_keys(&header), ["B", "Email", "C", "D"]);
    }

    #[test]
    fn filters_and_limits() {
        let body = json!({
            "range": "Leads!A1:Z1000",
            "values": [["Name", "Email"], ["Ada", "ADA@example.com"], ["Ada", "ada@example.org"]]
        });
        let out = filter_rows(&query("Email", "ada@example.com"), &body).unwrap_or_default();
        assert_eq!(out["count"], 1);
        assert_eq!(out["rows"][0]["row_number"], 2);

        let mut q = query("Name", "Ada");
        q.case_sensitive = true;
        q.limit = Some(1);
        let out = filter_rows(&q, &body).unwrap_or_default();
        assert_eq!(out["count"], 1);

        let mut q = query("Name", "ada");
        q.case_sensitive = true;
        assert_eq!(filter_rows(&q, &body).unwrap_or_default()["count"], 0);

        let empty = json!({ "range": "Leads!A1:Z1000" });
        assert_eq!(filter_rows(&query("Email", "x"), &empty).unwrap_or_default()["count"], 0);
    }

    #[test]
    fn an_unknown_column_names_the_headers() {
        let body = json!({ "values": [["Name", "Email"], ["Ada", "a"]] });
        match filter_rows(&query("Phone", "x"), &body) {
            Err(e) => assert!(e.message.contains("has: Name, Email"), "{}", e.message),
            Ok(v) => panic!("expected an error, got {v}"),
        }
    }

    #[test]
    fn props_are_checked() {
        let ok = Query::from_props(&json!({
            "spreadsheet_id": " s ", "sheet": "Leads", "column": "A", "value": 42,
            "match": "contains", "case_sensitive": true, "limit": "3"
        }));
        match ok {
            Ok(q) => {
                assert_eq!(q.spreadsheet_id, "s");
                assert_eq!(q.value, "42");
                assert_eq!(q.mode, Match::Contains);
                assert!(q.case_sensitive);
                assert_eq!(q.limit, Some(3));
            }
            Err(e) => panic!("{}", e.message),
        }
        for bad in [
            json!({ "sheet": "Leads", "column": "A", "value": "x" }),
            json!({ "spreadsheet_id": "s", "sheet": "Leads", "column": "A", "match": "like" }),
            json!({ "spreadsheet_id": "s", "sheet": "Leads", "column": "A", "limit": 0 }),
        ] {
            assert!(Query::from_props(&bad).is_err(), "{bad}");
        }
    }
}
