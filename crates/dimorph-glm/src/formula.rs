//! Model formulas in R's notation (with SAS's `events/trials` response).

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    pub source: String,
}
