//! Durations as flows write them: `"90s"`, `"15m"`, `"2h"`, `"3d"`, `"1h 30m"`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written as text; keeps the original spelling so documents round-trip unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowDuration {
    text: String,
    value: Duration,
}

impl FlowDuration {
    /// Parses `"90s"`, `"2h"`, `"3d"`, `"1h 30m"`, `"500ms"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value = humantime::parse_duration(text.trim()).map_err(|e| {
            format!(
                "`{text}` is not a duration ({e}); write e.g. \"90s\", \"15m\", \"2h\" or \"3d\""
            )
        })?;
        Ok(Self { text: text.to_owned(), value })
    }

    /// The duration.
    pub fn get(&self) -> Duration {
        self.value
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Serialize for FlowDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for FlowDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for FlowDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration such as \"90s\", \"15m\", \"2h\", \"3d\" or \"1h 30m\".",
            "examples": ["90s", "2h", "3d"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        assert_eq!(FlowDuration::parse("90s").map(|d| d.get()), Ok(Duration::from_secs(90)));
        assert_eq!(FlowDuration::parse("2h").map(|d| d.get()), Ok(Duration::from_secs(7200)));
        assert_eq!(FlowDuration::parse("3d").map(|d| d.get()), Ok(Duration::from_secs(3 * 86400)));
        assert_eq!(FlowDuration::parse("1h 30m").map(|d| d.get()), Ok(Duration::from_secs(5400)));
        assert_eq!(FlowDuration::parse("500ms").map(|d| d.get()), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        let err = FlowDuration::parse("soon").unwrap_err();
        assert!(err.contains("`soon` is not a duration"), "{err}");
        assert!(err.contains("\"90s\""), "{err}");
    }
}
