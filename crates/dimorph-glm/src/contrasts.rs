//! Contrast codings of a factor, as R's `contr.treatment`, `contr.sum`, `contr.helmert` and
//! `contr.SAS` (Chambers & Hastie, *Statistical Models in S*, 1992, §2.3.2): the k × (k − 1)
//! matrix whose row for a level gives that level's values in the factor's k − 1 columns, and
//! the columns' names as R's `model.matrix` appends them to the factor's label (level names for
//! treatment and SAS coding, `1 … k−1` for sum and Helmert coding, which have no column names).

/// How a factor is coded when its term is coded by contrasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Contrast {
    /// Indicators of all levels but the first (the reference): R's default.
    #[default]
    Treatment,
    /// Deviations from the mean of the level effects: level j (< k) is column j, the last level
    /// is −1 in every column.
    Sum,
    /// Each level against the mean of the levels before it: column j is −1 for the first j
    /// levels, j for level j + 1, 0 after.
    Helmert,
    /// Treatment coding with the last level as the reference (SAS's default).
    Sas,
}

impl Contrast {
    /// The names a formula may use: `Sum`, `sum`, `contr.sum`, ….
    pub fn from_name(s: &str) -> Option<Contrast> {
        Some(match s.strip_prefix("contr.").unwrap_or(s) {
            "Treatment" | "treatment" => Contrast::Treatment,
            "Sum" | "sum" => Contrast::Sum,
            "Helmert" | "helmert" => Contrast::Helmert,
            "SAS" => Contrast::Sas,
            _ => return None,
        })
    }

    /// The names, for messages.
    pub const NAMES: &'static str =
        "Treatment, Sum, Helmert, SAS (also written treatment, sum, helmert or contr.sum …)";

    /// The value of level `level` (of `k`) in contrast column `col` (of k − 1).
    pub fn value(self, level: usize, col: usize, k: usize) -> f64 {
        match self {
            Contrast::Treatment => f64::from(u8::from(level == col + 1)),
            Contrast::Sas => f64::from(u8::from(level == col)),
            Contrast::Sum => {
                if level == k - 1 {
                    -1.0
                } else {
                    f64::from(u8::from(level == col))
                }
            }
            Contrast::Helmert => {
                if level <= col {
                    -1.0
                } else if level == col + 1 {
                    (col + 1) as f64
                } else {
                    0.0
                }
            }
        }
    }

    /// The suffix of contrast column `col` in the column names (R's `colnames` of the contrast
    /// matrix, or the column's number when it has none).
    pub fn column_name(self, levels: &[String], col: usize) -> String {
        match self {
            Contrast::Treatment => levels[col + 1].clone(),
            Contrast::Sas => levels[col].clone(),
            Contrast::Sum | Contrast::Helmert => (col + 1).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(c: Contrast, k: usize) -> Vec<Vec<f64>> {
        (0..k).map(|l| (0..k - 1).map(|j| c.value(l, j, k)).collect()).collect()
    }

    #[test]
    fn matrices_are_rs() {
        // R: contr.sum(3), contr.helmert(4), contr.treatment(3), contr.SAS(3)
        assert_eq!(matrix(Contrast::Sum, 3), [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]);
        assert_eq!(
            matrix(Contrast::Helmert, 4),
            [[-1.0, -1.0, -1.0], [1.0, -1.0, -1.0], [0.0, 2.0, -1.0], [0.0, 0.0, 3.0]]
        );
        assert_eq!(matrix(Contrast::Treatment, 3), [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]);
        assert_eq!(matrix(Contrast::Sas, 3), [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]);
    }
}
