//! Keeping secrets out of run records: known secret strings are replaced wherever they appear, and
//! props declared secret are replaced whole.

use serde_json::Value;

/// The placeholder for a removed secret.
pub const REDACTED: &str = "[redacted]";

/// Replaces every occurrence of each secret in every string of `value`.
pub(crate) fn redact_strings(value: &mut Value, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    match value {
        Value::String(s) => redact_str(s, secrets),
        Value::Array(a) => a.iter_mut().for_each(|v| redact_strings(v, secrets)),
        Value::Object(m) => m.values_mut().for_each(|v| redact_strings(v, secrets)),
        _ => {}
    }
}

/// Replaces every occurrence of each secret in `s`.
pub(crate) fn redact_str(s: &mut String, secrets: &[String]) {
    for secret in secrets {
        if !secret.is_empty() && s.contains(secret.as_str()) {
            *s = s.replace(secret.as_str(), REDACTED);
        }
    }
}

/// Collects the string values of the named props (secret props) of a resolved props object.
pub(crate) fn secret_prop_values(props: &Value, names: &[String], out: &mut Vec<String>) {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() >= 4 => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            // `type` names the kind of credential (`bearer`), not the credential.
            Value::Object(m) => {
                m.iter().filter(|(k, _)| k.as_str() != "type").for_each(|(_, v)| strings(v, out))
            }
            _ => {}
        }
    }
    for name in names {
        if let Some(v) = props.get(name) {
            strings(v, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_secrets_everywhere() {
        let mut v = json!({"a": "Bearer sk_live_123", "b": ["x sk_live_123 y"], "c": 5});
        redact_strings(&mut v, &["sk_live_123".into()]);
        assert_eq!(v, json!({"a": "Bearer [redacted]", "b": ["x [redacted] y"], "c": 5}));
    }

    #[test]
    fn collects_secret_props() {
        let mut out = Vec::new();
        secret_prop_values(
            &json!({"auth": {"type": "bearer", "token": "tok_abcdef"}, "url": "u"}),
            &["auth".into()],
            &mut out,
        );
        assert!(out.contains(&"tok_abcdef".to_owned()));
        assert!(!out.contains(&"bearer".to_owned()));
    }
}
