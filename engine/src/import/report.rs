//! The import report: one line per source node saying what became of it.

use serde::Serialize;

use super::SourceFormat;

/// What the conversion did with one node of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Converted with the same behaviour.
    Mapped,
    /// Converted, but something differs or needs a look (see the notes).
    Approximated,
    /// Not converted: a disabled placeholder step keeps the original.
    Unsupported,
}

/// One source node and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportItem {
    /// The node's name in the source (n8n node name, ActivePieces step name/display name).
    pub source: String,
    /// The node's type in the source (`n8n-nodes-base.slack`, `PIECE @activepieces/piece-slack send_message_to_a_channel`).
    pub source_type: String,
    /// The step (or trigger) id it became, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Mapped, approximated or unsupported.
    pub outcome: ItemOutcome,
    /// What differs, what to check, or why it could not be converted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Node by node, what an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The format the file was read as.
    pub source: SourceFormat,
    /// One item per source node, in the source's order.
    pub items: Vec<ReportItem>,
    /// Notes about the flow as a whole (settings not carried over, connections to create …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ImportReport {
    /// An empty report.
    pub fn new(source: SourceFormat) -> Self {
        Self { source, items: Vec::new(), notes: Vec::new() }
    }

    /// Adds an item.
    pub fn push(
        &mut self,
        source: impl Into<String>,
        source_type: impl Into<String>,
        step: Option<&str>,
        outcome: ItemOutcome,
        notes: Vec<String>,
    ) {
        self.items.push(ReportItem {
            source: source.into(),
            source_type: source_type.into(),
            step: step.map(str::to_string),
            outcome,
            notes,
        });
    }

    /// How many items have `outcome`.
    pub fn count(&self, outcome: ItemOutcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }

    /// "5 mapped, 1 approximated, 1 unsupported".
    pub fn summary(&self) -> String {
        format!(
            "{} mapped, {} approximated, {} unsupported",
            self.count(ItemOutcome::Mapped),
            self.count(ItemOutcome::Approximated),
            self.count(ItemOutcome::Unsupported)
        )
    }
}
