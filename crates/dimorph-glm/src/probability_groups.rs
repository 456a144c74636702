//! The events and non-events of a binomial fit at each distinct predicted probability: what PROC
//! LOGISTIC's association table with exact probabilities (BINWIDTH 0) and its Hosmer–Lemeshow test
//! (LACKFIT) read from the data, and all they read. Both compare rows only through the order of
//! their predicted probabilities and the counts at each value (SAS/STAT User's Guide, PROC
//! LOGISTIC, "Rank Correlation of Observed Responses and Predicted Probabilities" and "The
//! Hosmer-Lemeshow Goodness-of-Fit Test"; Hosmer and Lemeshow 2000, §5.2.2), so the groups of
//! several parts of the data (row groups read one at a time, the partitions of a Dask DataFrame),
//! added, give exactly the in-memory figures. One entry per distinct probability: at most one per
//! row, about 24 bytes each when sent between processes. The table and the test themselves are
//! computed where the other binary statistics are (`ProbabilityGroups::association` and
//! `::hosmer_lemeshow`, in the `binary` module).

use std::collections::BTreeMap;

/// The most rows for which a fit over parts (streamed, or on Dask) gathers the groups on its own,
/// for the Hosmer–Lemeshow test: at most one group per row, so at most about 400 MB in memory.
/// Above it the test is left out with a warning ([`skipped_note`]); the association table of
/// exact probabilities, asked for by name, gathers them whatever the size.
pub const AUTO_MAX_ROWS: f64 = 5_000_000.0;

/// The warning when the Hosmer–Lemeshow test was left out for `rows` rows (above [`AUTO_MAX_ROWS`]).
pub fn skipped_note(rows: f64, how: &str) -> String {
    format!(
        "the Hosmer–Lemeshow test was not computed: it keeps every distinct predicted probability, and \
         the data have {rows:.0} rows, above the automatic limit of {AUTO_MAX_ROWS:.0}; {how}"
    )
}

/// Distinct predicted probability → (events, non-events), in increasing order of probability.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbabilityGroups {
    groups: BTreeMap<OrderedProbability, (f64, f64)>,
}

/// A probability ordered as `f64::total_cmp` orders it (its bits, the sign's order folded in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct OrderedProbability(i64);

impl OrderedProbability {
    fn new(p: f64) -> Self {
        // -0 and 0 are one probability, as `==` has them in the in-memory grouping.
        let p = if p == 0.0 { 0.0 } else { p };
        OrderedProbability(Self::fold(p.to_bits() as i64))
    }

    fn value(self) -> f64 {
        f64::from_bits(Self::fold(self.0) as u64)
    }

    /// Flips the magnitude bits of negative numbers (`total_cmp`'s key); its own inverse.
    fn fold(b: i64) -> i64 {
        b ^ ((((b >> 63) as u64) >> 1) as i64)
    }
}

impl ProbabilityGroups {
    /// Adds rows `(probability, events, non-events)`.
    pub fn add_rows(&mut self, rows: impl Iterator<Item = (f64, f64, f64)>) {
        for (p, e, ne) in rows {
            let g = self.groups.entry(OrderedProbability::new(p)).or_insert((0.0, 0.0));
            g.0 += e;
            g.1 += ne;
        }
    }

    /// Adds another part's groups.
    pub fn add(&mut self, other: &ProbabilityGroups) {
        self.add_rows(other.rows());
    }

    /// The groups as rows `(probability, events, non-events)`, in increasing order of probability.
    pub fn rows(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.groups.iter().map(|(p, &(e, ne))| (p.value(), e, ne))
    }

    /// The number of distinct probabilities.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_ordered_by_probability_and_merge_equal_ones() {
        let mut a = ProbabilityGroups::default();
        a.add_rows([(0.7, 1.0, 0.0), (0.2, 0.0, 1.0), (0.0, 0.0, 2.0)].into_iter());
        let mut b = ProbabilityGroups::default();
        b.add_rows([(0.2, 1.0, 0.0), (-0.0, 0.0, 1.0), (1.0, 3.0, 0.0), (1e-300, 0.0, 1.0)].into_iter());
        a.add(&b);
        let rows: Vec<_> = a.rows().collect();
        assert_eq!(
            rows,
            vec![
                (0.0, 0.0, 3.0),
                (1e-300, 0.0, 1.0),
                (0.2, 1.0, 1.0),
                (0.7, 1.0, 0.0),
                (1.0, 3.0, 0.0)
            ]
        );
        assert_eq!(a.len(), 5);
    }

    #[test]
    fn the_groups_of_parts_give_the_table_of_the_whole() {
        // 40 rows with ties, split into three parts in a scrambled order.
        let rows: Vec<(f64, f64, f64)> = (0..40)
            .map(|i| {
                let p = ((i * 7) % 13) as f64 / 13.0;
                let y = ((i * 5) % 3 == 0) as u8 as f64;
                (p, y, 1.0 - y)
            })
            .collect();
        let mut whole = ProbabilityGroups::default();
        whole.add_rows(rows.iter().copied());
        let mut parts = [
            ProbabilityGroups::default(),
            ProbabilityGroups::default(),
            ProbabilityGroups::default(),
        ];
        for (i, r) in rows.iter().enumerate() {
            parts[(i * 11) % 3].add_rows(std::iter::once(*r));
        }
        let mut added = ProbabilityGroups::default();
        parts.iter().for_each(|p| added.add(p));
        assert_eq!(added, whole);
        // Concordance by brute force over every event/non-event pair.
        let (mut c, mut d, mut t) = (0.0, 0.0, 0.0);
        for a in rows.iter().filter(|r| r.1 > 0.0) {
            for b in rows.iter().filter(|r| r.2 > 0.0) {
                if a.0 > b.0 {
                    c += 1.0
                } else if a.0 < b.0 {
                    d += 1.0
                } else {
                    t += 1.0
                }
            }
        }
        let s = added.association(0.0);
        assert_eq!((s.concordant, s.discordant, s.tied), (c, d, t));
        assert_eq!(s.binwidth, 0.0);
    }
}
