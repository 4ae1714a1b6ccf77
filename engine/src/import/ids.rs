//! Step ids for imported nodes: readable, unique, valid as `steps.<id>` in expressions.

use std::collections::HashSet;

/// Hands out unique step ids made from source node names.
#[derive(Debug, Default, Clone)]
pub struct StepIds {
    taken: HashSet<String>,
}

impl StepIds {
    /// An allocator that will never hand out any of `reserved` (e.g. the trigger's id).
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self { taken: reserved.into_iter().map(str::to_string).collect() }
    }

    /// A fresh id from `name`: lower-case ASCII letters, digits and `_`, starting with a letter
    /// (`"Send to Slack #2"` → `send_to_slack_2`), with `_2`, `_3` … added when already taken.
    pub fn allocate(&mut self, name: &str) -> String {
        let base = slug(name);
        let mut id = base.clone();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'ä' | 'à' | 'á' | 'â' | 'Ä' | 'À' | 'Á' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'É' | 'È' => 'e',
            'ö' | 'ó' | 'ô' | 'Ö' | 'Ó' => 'o',
            'ü' | 'ú' | 'û' | 'Ü' | 'Ú' => 'u',
            'ß' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("step");
    } else if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "step_");
    }
    out.truncate(48);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_readable_unique_and_valid() {
        let mut ids = StepIds::new(["trigger"]);
        assert_eq!(ids.allocate("Send to Slack #2"), "send_to_slack_2");
        assert_eq!(ids.allocate("Trigger"), "trigger_2");
        assert_eq!(ids.allocate("IF"), "if");
        assert_eq!(ids.allocate("If"), "if_2");
        assert_eq!(ids.allocate("123"), "step_123");
        assert_eq!(ids.allocate("—"), "step");
        assert_eq!(ids.allocate("Über Größe"), "uber_grose");
    }
}
