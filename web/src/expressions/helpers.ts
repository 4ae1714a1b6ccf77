// The engine's expression helpers (engine/src/expr/helpers/*.rs) with one line each for people,
// as autocomplete shows them. Each is callable as a function or a method: upper(x) or x.upper().

export interface HelperDoc {
  name: string;
  /** How it is called. */
  signature: string;
  description: string;
}

const LIST: [string, string, string][] = [
  ['add_duration', 'add_duration(date, "1h30m")', 'A date moved by a duration like "90s", "15m" or "1h30m".'],
  ['base64_decode', 'base64_decode(text)', 'Decodes base64 text.'],
  ['base64_encode', 'base64_encode(text)', 'Encodes text as base64.'],
  ['capitalize', 'capitalize(text)', 'First letter upper case, the rest lower case: "jOHN" → "John".'],
  ['coalesce', 'coalesce(a, b, …)', 'The first value that is not missing or empty.'],
  ['date_add', 'date_add(date, 1, "month")', 'A date moved by calendar units (days, months, years).'],
  ['date_diff', 'date_diff(a, b, "days")', 'The difference between two dates in a unit.'],
  ['day_of_week', 'day_of_week(date)', 'The day of the week as a number (1 = Monday).'],
  ['default', 'default(value, fallback)', 'The fallback when the value is missing, null or empty text.'],
  ['e164', 'e164(phone, "US")', 'A phone number in international format: +14155550100.'],
  ['format_date', 'format_date(date, "%d.%m.%Y")', 'A date written in a chosen format (optionally in a time zone).'],
  ['format_number', 'format_number(n, 2)', 'A number for people: 1234.5 → "1,234.50".'],
  ['is_empty', 'is_empty(value)', 'True when the value is missing, null, "" or an empty list.'],
  ['is_valid_phone', 'is_valid_phone(phone, "US")', 'True when the text is a valid phone number.'],
  ['join', 'join(list, ", ")', 'The items of a list joined into one text.'],
  ['json_parse', 'json_parse(text)', 'Reads JSON text into data.'],
  ['json_stringify', 'json_stringify(value)', 'Writes data as JSON text.'],
  ['len', 'len(value)', 'The number of characters of a text or items of a list.'],
  ['lower', 'lower(text)', 'The text in lower case.'],
  ['now', 'now()', 'The current date and time (UTC).'],
  ['now_ms', 'now_ms()', 'The current time in milliseconds since 1970.'],
  ['pad', 'pad(text, 5, "0")', 'Text padded at the end to a length.'],
  ['pad_end', 'pad_end(text, 5, " ")', 'Text padded at the end to a length.'],
  ['pad_start', 'pad_start(text, 5, "0")', 'Text padded at the start to a length: "7" → "00007".'],
  ['parse_date', 'parse_date(text)', 'Reads a date from text.'],
  ['parse_json', 'parse_json(text)', 'Reads JSON text into data (same as json_parse).'],
  ['parse_number', 'parse_number(text)', 'Reads a number out of text like "1,234.50".'],
  ['phone_country', 'phone_country(phone)', 'The country code of a phone number: "US".'],
  ['replace', 'replace(text, "a", "b")', 'Text with every "a" replaced by "b".'],
  ['round', 'round(n, 2)', 'A number rounded to some decimals.'],
  ['slugify', 'slugify(text)', 'Text as a URL-friendly slug: "Hello World" → "hello-world".'],
  ['split', 'split(text, ",")', 'Text split into a list at a separator.'],
  ['title_case', 'title_case(text)', 'Every word capitalised: "ana lópez" → "Ana López".'],
  ['to_float', 'to_float(value)', 'The value as a decimal number ("12.5" → 12.5).'],
  ['to_int', 'to_int(value)', 'The value as a whole number ("42" → 42).'],
  ['to_json', 'to_json(value)', 'Writes data as JSON text (same as json_stringify).'],
  ['to_timezone', 'to_timezone(date, "Europe/Berlin")', 'A date shown in another time zone.'],
  ['to_unix', 'to_unix(date)', 'A date as seconds since 1970.'],
  ['to_unix_ms', 'to_unix_ms(date)', 'A date as milliseconds since 1970.'],
  ['today', 'today()', "Today's date (UTC)."],
  ['trim', 'trim(text)', 'Text without spaces at the start and end.'],
  ['trim_end', 'trim_end(text)', 'Text without spaces at the end.'],
  ['trim_start', 'trim_start(text)', 'Text without spaces at the start.'],
  ['truncate', 'truncate(text, 100)', 'Text cut to at most a number of characters.'],
  ['upper', 'upper(text)', 'The text in upper case.'],
  ['url_decode', 'url_decode(text)', 'Decodes %-escaped URL text.'],
  ['url_encode', 'url_encode(text)', 'Escapes text for use in a URL.'],
  ['uuid', 'uuid()', 'A new random unique id.'],
  ['weekday_name', 'weekday_name(date)', 'The name of the day of the week: "Monday".'],
];

export const HELPERS: readonly HelperDoc[] = LIST.map(([name, signature, description]) => ({ name, signature, description }));

/** Methods of text (rhai's own) that conditions use: `x.contains("a")`. */
export const TEXT_METHODS: readonly HelperDoc[] = [
  { name: 'contains', signature: 'text.contains("a")', description: 'True when the text contains "a" (or a list contains the item).' },
  { name: 'starts_with', signature: 'text.starts_with("a")', description: 'True when the text starts with "a".' },
  { name: 'ends_with', signature: 'text.ends_with("a")', description: 'True when the text ends with "a".' },
  { name: 'matches', signature: 'text.matches("^\\d+$")', description: 'True when a regular expression matches the text; "(?i)" ignores case.' },
  { name: 'len', signature: 'text.len()', description: 'The number of characters (or items of a list).' },
];
