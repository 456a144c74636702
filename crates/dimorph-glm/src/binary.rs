//! Statistics for binary responses that SAS PROC LOGISTIC prints: the association of predicted
//! probabilities and observed responses (concordant/discordant/tied pairs, Somers' D, Goodman–
//! Kruskal γ, Kendall's τ-a, c), the Hosmer–Lemeshow test, and standardized estimates.
//!
//! Events/trials rows are expanded as SAS does: a row with n trials and e events counts as e
//! event observations and n − e non-events, each carrying the row's predicted probability.

use serde::Serialize;

use crate::design::ModelFrame;
use crate::fit::GlmFit;
use crate::inference::chi2_sf;
use crate::link::Link;
pub use crate::probability_groups::ProbabilityGroups;

/// PROC LOGISTIC's "Model Fit Statistics" (kernel log-likelihood, SAS's parameter counts).
#[derive(Debug, Clone, Serialize)]
pub struct FitStatistics {
    pub aic_intercept_only: f64,
    pub aic: f64,
    /// SC = −2 log L + k log N with N the number of (expanded) observations.
    pub sc_intercept_only: f64,
    pub sc: f64,
    pub minus2_log_l_intercept_only: f64,
    pub minus2_log_l: f64,
}

/// Extras for binary responses.
#[derive(Debug, Clone, Serialize)]
pub struct BinaryExtras {
    pub fit_statistics: FitStatistics,
    pub association: Association,
    pub hosmer_lemeshow: HosmerLemeshow,
    /// Standardized estimates, one per coefficient (NaN for the intercept).
    pub standardized: Vec<f64>,
}

/// PROC LOGISTIC's extras for a binomial fit with a likelihood (`None` for other families);
/// `binwidth` is SAS's BINWIDTH for the association statistics.
pub fn extras(mf: &ModelFrame, f: &GlmFit, binwidth: f64) -> Option<BinaryExtras> {
    if !(f.family.is_binomial() && f.family.has_likelihood()) {
        return None;
    }
    let n_exp: f64 = (0..mf.n)
        .filter(|&i| f.prior[i] > 0.0)
        .map(|i| f.n_trials[i] * f.freq[i])
        .sum();
    let k = f.rank as f64;
    let k0 = if mf.intercept { 1.0 } else { 0.0 };
    let m2 = -2.0 * f.loglik_kernel;
    let m20 = -2.0 * f.null_loglik_kernel;
    // The groups serve the Hosmer–Lemeshow test and, with BINWIDTH 0, the table: built once.
    let groups = probability_groups(mf, f);
    let association = if binwidth > 0.0 {
        association(mf, f, binwidth)
    } else {
        groups.association(0.0)
    };
    Some(BinaryExtras {
        fit_statistics: FitStatistics {
            aic_intercept_only: m20 + 2.0 * k0,
            aic: m2 + 2.0 * k,
            sc_intercept_only: m20 + k0 * n_exp.ln(),
            sc: m2 + k * n_exp.ln(),
            minus2_log_l_intercept_only: m20,
            minus2_log_l: m2,
        },
        association,
        hosmer_lemeshow: groups.hosmer_lemeshow(),
        standardized: standardized_estimates(mf, f),
    })
}

/// PROC LOGISTIC's "Association of Predicted Probabilities and Observed Responses".
#[derive(Debug, Clone, Serialize)]
pub struct Association {
    /// Probabilities are grouped in bins of this width before comparing (SAS's BINWIDTH,
    /// 0.002 by default; 0 compares exact values).
    pub binwidth: f64,
    pub pairs: f64,
    pub concordant: f64,
    pub discordant: f64,
    pub tied: f64,
    pub percent_concordant: f64,
    pub percent_discordant: f64,
    pub percent_tied: f64,
    pub somers_d: f64,
    pub gamma: f64,
    pub tau_a: f64,
    pub c: f64,
}

/// Events and non-events per row (frequency- and trials-expanded).
fn counts(fit: &GlmFit, y: &[f64]) -> Vec<(f64, f64, f64)> {
    (0..y.len())
        .filter(|&i| fit.prior[i] > 0.0)
        .map(|i| {
            // prior = weight × trials; frequencies expand, prior weights that are not
            // frequencies are ignored here as in SAS (WEIGHT does not enter the pair counts)
            let m = fit.n_trials[i] * fit.freq[i];
            (fit.mu[i], m * y[i], m * (1.0 - y[i]))
        })
        .collect()
}

/// Computes the association table with the given bin width: with a width above 0 the rows are
/// counted in bins ([`AssociationBins`], as over parts), with 0 by their exact probabilities
/// ([`ProbabilityGroups`], as over parts too).
pub fn association(mf: &ModelFrame, fit: &GlmFit, binwidth: f64) -> Association {
    if binwidth > 0.0 {
        let mut bins = AssociationBins::default();
        bins.add_rows(counts(fit, &mf.y).into_iter(), binwidth);
        return bins.table(binwidth);
    }
    probability_groups(mf, fit).association(0.0)
}

/// The rows' events and non-events at each distinct predicted probability.
pub fn probability_groups(mf: &ModelFrame, fit: &GlmFit) -> ProbabilityGroups {
    let mut groups = ProbabilityGroups::default();
    groups.add_rows(counts(fit, &mf.y).into_iter());
    groups
}

impl ProbabilityGroups {
    /// The association table with `binwidth` (SAS's BINWIDTH): exact probabilities with 0, else
    /// the groups counted in bins as [`AssociationBins`] counts rows (each group's probability is
    /// every one of its rows').
    pub fn association(&self, binwidth: f64) -> Association {
        if binwidth > 0.0 {
            let mut bins = AssociationBins::default();
            bins.add_rows(self.rows(), binwidth);
            return bins.table(binwidth);
        }
        association_of_groups(&self.rows().collect::<Vec<_>>(), 0.0)
    }

    /// The Hosmer–Lemeshow test ([`hosmer_lemeshow_of_groups`]).
    pub fn hosmer_lemeshow(&self) -> HosmerLemeshow {
        hosmer_lemeshow_of_groups(&self.rows().collect::<Vec<_>>())
    }
}

/// The association table from the events and non-events of each distinct (binned) predicted
/// probability, `(probability, events, non-events)` in increasing order of probability: a pair
/// of an event and a non-event is concordant when the event's probability is the higher, tied
/// when both are in the same group. [`association`] in memory; over parts, each part's bins
/// are added ([`AssociationBins`]).
pub fn association_of_groups(groups: &[(f64, f64, f64)], binwidth: f64) -> Association {
    let total_ne: f64 = groups.iter().map(|g| g.2).sum();
    let total_e: f64 = groups.iter().map(|g| g.1).sum();
    let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
    let mut ne_below = 0.0;
    for g in groups {
        let ne_above = total_ne - ne_below - g.2;
        conc += g.1 * ne_below;
        disc += g.1 * ne_above;
        tied += g.1 * g.2;
        ne_below += g.2;
    }
    let pairs = total_e * total_ne;
    let t = total_e + total_ne;
    Association {
        binwidth,
        pairs,
        concordant: conc,
        discordant: disc,
        tied,
        percent_concordant: 100.0 * conc / pairs,
        percent_discordant: 100.0 * disc / pairs,
        percent_tied: 100.0 * tied / pairs,
        somers_d: (conc - disc) / pairs,
        gamma: (conc - disc) / (conc + disc),
        tau_a: (conc - disc) / (0.5 * t * (t - 1.0)),
        c: (conc + 0.5 * tied) / pairs,
    }
}

/// The events and non-events of the rows of some parts in each bin of predicted probability
/// (bin k: probabilities that round to k × binwidth, as [`association`] bins them), for the
/// association table over distributed data: each part's bins are added, and the sum gives the
/// in-memory table ([`AssociationBins::table`]). A bin width of 0 (exact probabilities) has no
/// bins: [`ProbabilityGroups`] keep every distinct probability instead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssociationBins {
    /// Bin number → (events, non-events).
    pub bins: std::collections::BTreeMap<i64, (f64, f64)>,
}

impl AssociationBins {
    /// Adds `events` and `nonevents` to bin `k`.
    pub fn add_bin(&mut self, k: i64, events: f64, nonevents: f64) {
        let b = self.bins.entry(k).or_insert((0.0, 0.0));
        b.0 += events;
        b.1 += nonevents;
    }

    /// Adds the rows (probability, events, non-events) in bins of `binwidth` (> 0): bin k holds
    /// the probabilities that round to k × binwidth.
    pub fn add_rows(&mut self, rows: impl Iterator<Item = (f64, f64, f64)>, binwidth: f64) {
        for (p, e, ne) in rows {
            self.add_bin((p / binwidth).round() as i64, e, ne);
        }
    }

    /// Adds another part's bins.
    pub fn add(&mut self, other: &AssociationBins) {
        for (&k, &(e, ne)) in &other.bins {
            self.add_bin(k, e, ne);
        }
    }

    /// The association table of the bins added ([`association_of_groups`]).
    pub fn table(&self, binwidth: f64) -> Association {
        let groups: Vec<(f64, f64, f64)> = self
            .bins
            .iter()
            .map(|(&k, &(e, ne))| (k as f64 * binwidth, e, ne))
            .collect();
        association_of_groups(&groups, binwidth)
    }
}

/// The Hosmer–Lemeshow goodness-of-fit test.
#[derive(Debug, Clone, Serialize)]
pub struct HosmerLemeshow {
    pub groups: Vec<HlGroup>,
    pub chi2: f64,
    pub df: usize,
    pub p_value: f64,
}

/// One Hosmer–Lemeshow group.
#[derive(Debug, Clone, Serialize)]
pub struct HlGroup {
    pub n: f64,
    pub observed_events: f64,
    pub expected_events: f64,
    pub observed_nonevents: f64,
    pub expected_nonevents: f64,
}

fn add(g: &mut HlGroup, b: &HlGroup) {
    g.n += b.n;
    g.observed_events += b.observed_events;
    g.observed_nonevents += b.observed_nonevents;
    g.expected_events += b.expected_events;
    g.expected_nonevents += b.expected_nonevents;
}

/// Hosmer–Lemeshow with about ten groups of equal size by predicted probability
/// ([`hosmer_lemeshow_of_groups`] of the rows' [`probability_groups`]).
pub fn hosmer_lemeshow(mf: &ModelFrame, fit: &GlmFit) -> HosmerLemeshow {
    probability_groups(mf, fit).hosmer_lemeshow()
}

/// Hosmer–Lemeshow from the events and non-events at each distinct predicted probability,
/// `(probability, events, non-events)` in increasing order of probability (in memory, or added
/// over parts: [`ProbabilityGroups`]).
///
/// Grouping as SAS PROC LOGISTIC's LACKFIT documents it: observations sorted by predicted
/// probability, ties never split, target size M = ⌊0.1·N + 0.5⌋; a block of c' tied observations
/// joins the current group of c iff c < M and c + ⌊c'/2⌋ ≤ M; a last group of at most ⌊0.05·N⌋
/// observations is merged into the one before. χ² = Σ (O − E)² / (E (1 − E/n)) on G − 2 df.
pub fn hosmer_lemeshow_of_groups(blocks: &[(f64, f64, f64)]) -> HosmerLemeshow {
    let n_total: f64 = blocks.iter().map(|r| r.1 + r.2).sum();
    let target = (0.1 * n_total + 0.5).floor().max(1.0);
    let empty = || HlGroup {
        n: 0.0,
        observed_events: 0.0,
        expected_events: 0.0,
        observed_nonevents: 0.0,
        expected_nonevents: 0.0,
    };
    let mut groups: Vec<HlGroup> = Vec::new();
    let mut cur = empty();
    // each block: the observations of one predicted probability (never split)
    for &(p, e, ne) in blocks {
        let m = e + ne;
        let blk = HlGroup {
            n: m,
            observed_events: e,
            expected_events: m * p,
            observed_nonevents: ne,
            expected_nonevents: m * (1.0 - p),
        };
        let joins = cur.n == 0.0 || (cur.n < target && cur.n + (blk.n / 2.0).floor() <= target);
        if !joins {
            groups.push(std::mem::replace(&mut cur, empty()));
        }
        add(&mut cur, &blk);
    }
    if cur.n > 0.0 {
        match groups.last_mut() {
            Some(last) if cur.n <= (0.05 * n_total).floor() => add(last, &cur),
            _ => groups.push(cur),
        }
    }
    let chi2: f64 = groups
        .iter()
        .map(|g| {
            let d = g.observed_events - g.expected_events;
            d * d / (g.expected_events * (1.0 - g.expected_events / g.n))
        })
        .sum();
    let df = groups.len().saturating_sub(2);
    HosmerLemeshow {
        p_value: if df > 0 { chi2_sf(chi2, df as f64) } else { f64::NAN },
        groups,
        chi2,
        df,
    }
}

/// PROC LOGISTIC's standardized estimates β_j s_j / s_L, with s_j the standard deviation of
/// column j over the expanded observations and s_L the standard deviation of the link's latent
/// distribution (π/√3 logistic, 1 normal, π/√6 extreme value); NaN for the intercept.
pub fn standardized_estimates(mf: &ModelFrame, fit: &GlmFit) -> Vec<f64> {
    let s_l = match fit.link {
        Link::Logit => std::f64::consts::PI / 3f64.sqrt(),
        Link::Probit => 1.0,
        Link::Cloglog | Link::Loglog => std::f64::consts::PI / 6f64.sqrt(),
        _ => return vec![f64::NAN; mf.p],
    };
    let m: Vec<f64> = (0..mf.n)
        .map(|i| {
            if fit.prior[i] > 0.0 {
                fit.n_trials[i] * fit.freq[i]
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = m.iter().sum();
    (0..mf.p)
        .map(|j| {
            if mf.intercept && j == 0 {
                return f64::NAN;
            }
            let mean = (0..mf.n).map(|i| m[i] * mf.x[i * mf.p + j]).sum::<f64>() / total;
            let var = (0..mf.n)
                .map(|i| m[i] * (mf.x[i * mf.p + j] - mean).powi(2))
                .sum::<f64>()
                / (total - 1.0);
            fit.coef[j] * var.sqrt() / s_l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::Family;
    use crate::fit::fit;
    use crate::options::GlmOptions;
    use crate::testutil::snoring;

    #[test]
    fn association_counts_pairs_on_expanded_data() {
        let mf = snoring();
        let f = fit(&mf, &GlmOptions::new(Family::Binomial, None)).unwrap();
        let a = association(&mf, &f, 0.002);
        assert_eq!(a.pairs, 261_140.0);
        assert!((a.concordant + a.discordant + a.tied - a.pairs).abs() < 1e-6);
    }
}
