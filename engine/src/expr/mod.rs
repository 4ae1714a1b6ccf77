//! Expressions (placeholder while building).
