//! A GLM fitted to a Parquet file streamed one row group at a time (`dimorph glm --stream`):
//! the distributed fit ([`crate::distributed`]) with each row group as a part, so memory holds
//! one row group's rows and the p × p sums, whatever the number of rows.
//!
//! A first pass lists each factor's levels over every row group ([`part_levels`],
//! [`merge_levels`]); every later pass reads the row groups again, codes each with the merged
//! columns ([`design_part`]) and adds its sums — the IRLS loop is [`crate::irls::irls_with`], the
//! figures after the fit are those of [`distributed::fit`]. The result equals the in-memory fit
//! to rounding (the order of the additions differs; the test checks 1e-10).
//!
//! [`run_parquet`] also gives Rao's score test of the model against the null model (PROC
//! LOGISTIC's "Testing Global Null Hypothesis: BETA=0" Score row; R's `anova(null, fit, test =
//! "Rao")`): one more pass over the row groups at the null model's means, each row group's score
//! and expected information added ([`crate::distributed_score`], as the Dask fit does), equal to
//! the in-memory fit's statistic (the test checks 1e-10).
//!
//! θ of the negative binomial is estimated as in memory (MASS's `glm.nb` alternation,
//! [`crate::distributed_theta`]): θ's sums are taken row group by row group
//! ([`distributed::theta_part_sums`]) and each β fit is the streamed IRLS at the current θ
//! ([`Passes::set_family`]). Starting values (`--start`) start the fit as in memory.
//!
//! `--profile` adds profile-likelihood intervals: each limit found by refits over the row groups
//! with the coefficient held fixed ([`crate::distributed_profile`], the in-memory refits and root
//! finder; hundreds of passes over the file, so only when asked). What needs the rows together is
//! refused with the reason ([`check_streamable`]): Type 3 refits, residuals, robust and clustered
//! covariances, `--event`, `--anova`, `--predict` and frequency weights. A binomial fit's
//! association table and Hosmer–Lemeshow test are the in-memory ones, from one more pass
//! ([`binary_tables`]): each row group's events and non-events at each distinct predicted
//! probability, added ([`distributed::probability_groups`]) — which the test and exact
//! probabilities (`--binwidth 0`) need, and which hold up to one entry per row, so the test is
//! left out with a warning above [`AUTO_MAX_ROWS`] rows — or else per bin of predicted probability
//! ([`distributed::association_bins`]).

use dimorph_core::table::{Cell, TidyTable};
use dimorph_data::parquet_stream::ParquetRowGroups;
use dimorph_report::{Outcome, Section};
use std::path::Path;

use crate::design::DesignSpec;
use crate::distributed::{
    self, add_pass, design_part, fisher_sums, merge_levels, newton_sums, part_levels, stat_sums, theta_part_sums,
    DistFit, Layout, Newton, NullMu, Part, PartLevels, Passes, StatQuery, StatSums,
};
use crate::distributed_score::{score_sums, score_test, ScorePasses, ScoreSums};
use crate::error::{GlmError, Result};
use crate::family::Family;
use crate::formula::Response;
use crate::irls::Pass;
use crate::link::Link;
use crate::negbin::ThetaSums;
use crate::options::{Dispersion, RunOptions};
use crate::probability_groups::{skipped_note, ProbabilityGroups, AUTO_MAX_ROWS};

/// The row groups of a Parquet file as the parts of [`distributed::fit`].
struct RowGroups<'a> {
    groups: &'a ParquetRowGroups,
    spec: &'a DesignSpec,
    weights: Option<&'a str>,
    family: Family,
    link: Link,
    /// The rows used, counted by the first pass (Σ [`PartLevels::complete`]).
    rows: usize,
}

impl RowGroups<'_> {
    /// Row group `k` coded with the merged columns.
    fn part(&self, k: usize) -> Result<Part> {
        design_part(self.spec, &self.groups.read(k)?, self.weights, self.family)
    }
}

impl Passes for RowGroups<'_> {
    type Error = GlmError;
    fn fisher(&mut self, beta: Option<&[f64]>) -> Result<Pass> {
        let mut acc = fisher_sums(&Part::default(), None, self.family, self.link);
        for k in 0..self.groups.len() {
            add_pass(&mut acc, &fisher_sums(&self.part(k)?, beta, self.family, self.link));
        }
        Ok(acc)
    }
    fn newton(&mut self, kept: &[usize], beta: &[f64]) -> Result<Newton> {
        let mut acc = newton_sums(&Part::default(), kept, beta, self.family, self.link);
        for k in 0..self.groups.len() {
            acc.add(&newton_sums(&self.part(k)?, kept, beta, self.family, self.link));
        }
        Ok(acc)
    }
    fn stats(&mut self, q: &StatQuery) -> Result<StatSums> {
        let mut acc = StatSums::default();
        for k in 0..self.groups.len() {
            acc.add(&stat_sums(&self.part(k)?, q, self.family, self.link));
        }
        Ok(acc)
    }
    fn rows_used(&mut self) -> Option<usize> {
        Some(self.rows)
    }
    fn set_family(&mut self, family: Family) -> Result<()> {
        self.family = family;
        Ok(())
    }
    fn theta(&mut self, beta: &[f64], theta: Option<f64>) -> Result<ThetaSums> {
        let mut acc = ThetaSums::default();
        for k in 0..self.groups.len() {
            acc.add(&theta_part_sums(&self.part(k)?, beta, theta, self.link));
        }
        Ok(acc)
    }
}

impl ScorePasses for RowGroups<'_> {
    fn score(&mut self, null: NullMu, intercept: bool, kept: &[usize]) -> Result<ScoreSums> {
        let mut acc = ScoreSums::zero(kept.len());
        for k in 0..self.groups.len() {
            let part = self.part(k)?;
            acc.add(k, &score_sums(&part, null, intercept, kept, self.family, self.link));
        }
        Ok(acc)
    }
}

/// Refuses the options that need all rows at once, naming the flag and the reason.
pub fn check_streamable(opts: &RunOptions) -> Result<()> {
    let refuse = |flag: &str, what: &str| {
        Err(GlmError::argument(
            flag,
            format!("{what} need all rows at once; --stream fits row group by row group (drop --stream to read the file whole)"),
        ))
    };
    if opts.type3 == Some(true) {
        return refuse("--type3", "Type 3 likelihood-ratio refits");
    }
    if opts.residuals {
        return refuse("--residuals", "residuals per row");
    }
    if opts.robust.is_some() {
        return refuse("--robust", "robust (sandwich) covariances");
    }
    if opts.cluster.is_some() {
        return refuse("--cluster", "clustered covariances");
    }
    if opts.event.is_some() {
        return refuse("--event", "responses coded by an event level (--event)");
    }
    if !opts.anova.is_empty() {
        return refuse("--anova", "nested-model comparisons");
    }
    if opts.freq.is_some() {
        return refuse("--freq", "frequency weights");
    }
    Ok(())
}

/// Fits `formula` to the Parquet file at `path` row group by row group.
pub fn fit_parquet(path: &Path, formula: &str, opts: &RunOptions) -> Result<DistFit> {
    fit_parquet_ahead(path, formula, opts, dimorph_data::parquet_stream::DEFAULT_AHEAD)
}

/// [`fit_parquet`] with up to `ahead` row groups decoded ahead on a worker thread while a pass
/// uses the current one (0: decoded on this thread; [`ParquetRowGroups::with_ahead`]). The fit
/// is the same bit for bit whatever `ahead` is.
pub fn fit_parquet_ahead(path: &Path, formula: &str, opts: &RunOptions, ahead: usize) -> Result<DistFit> {
    stream_fit(path, formula, opts, ahead, false)
}

/// [`fit_parquet`], and with `score` Rao's score test against the null model in
/// [`DistFit::score`] (one more pass over the row groups).
pub fn fit_and_score_parquet(path: &Path, formula: &str, opts: &RunOptions) -> Result<DistFit> {
    stream_fit(path, formula, opts, dimorph_data::parquet_stream::DEFAULT_AHEAD, true)
}

fn stream_fit(path: &Path, formula: &str, opts: &RunOptions, ahead: usize, score: bool) -> Result<DistFit> {
    opts.validate()?;
    check_streamable(opts)?;
    let groups = ParquetRowGroups::open(path)?.with_ahead(ahead);
    let source = path.display().to_string();
    let weights = opts.weights.as_deref();
    let levels: Vec<PartLevels> = (0..groups.len())
        .map(|k| part_levels(formula, &groups.read(k)?, weights))
        .collect::<Result<_>>()?;
    let spec = merge_levels(formula, &groups.names(), weights, &levels, &source)?;
    let events_trials = !matches!(spec.formula.response, Response::Single(_));
    let family = opts.family_for(events_trials)?;
    let gopts = opts.glm_options(family);
    let link = gopts.link.unwrap_or_else(|| family.canonical_link());
    let mut parts = RowGroups {
        groups: &groups,
        spec: &spec,
        weights,
        family,
        link,
        rows: levels.iter().map(|l| l.complete).sum(),
    };
    let mut col_names = Vec::new();
    for k in 0..groups.len() {
        let part = parts.part(k)?;
        if part.n > 0 {
            col_names = part.col_names;
            break;
        }
    }
    let layout = Layout::new(&spec, col_names);
    let mut fit = distributed::fit(&mut parts, &layout, &gopts)?;
    if score {
        fit.score = Some(score_test(&mut parts, &fit, layout.intercept, link)?);
        fit.passes += 1;
    }
    if opts.profile == Some(true) {
        if family.has_likelihood() {
            let which: Vec<usize> = (0..fit.coef.len()).collect();
            let pf = crate::distributed_profile::ProfileFit::of(&fit, family, link, layout.intercept);
            let (ci, n) = crate::distributed_profile::profile_intervals(&mut parts, &pf, opts.level, &which)?;
            fit.profile_ci = Some(ci);
            fit.passes += n;
        } else {
            fit.warnings.push(format!(
                "--profile: the {} family has no likelihood to profile (quasi-likelihood); the intervals are Wald intervals",
                family.name()
            ));
        }
    }
    if family == Family::Binomial {
        binary_tables(&mut fit, &parts, groups.len(), (link, opts.binwidth))?;
    }
    Ok(fit)
}

/// PROC LOGISTIC's association table and Hosmer–Lemeshow test of a binomial fit, in one more pass:
/// each row group's events and non-events at each distinct predicted probability, added
/// ([`distributed::probability_groups`]), when the table has exact probabilities (`--binwidth 0`)
/// or the rows are at most [`AUTO_MAX_ROWS`] (the groups also give the binned table); else per bin
/// of predicted probability ([`distributed::association_bins`]), without the test.
fn binary_tables(
    fit: &mut DistFit,
    parts: &RowGroups,
    n_groups: usize,
    (link, binwidth): (Link, Option<f64>),
) -> Result<()> {
    let bw = binwidth.unwrap_or(crate::options::DEFAULT_BINWIDTH);
    let beta: Vec<f64> = fit.coef.iter().map(|&b| if b.is_finite() { b } else { 0.0 }).collect();
    let rows = parts.rows as f64;
    let lackfit = rows <= AUTO_MAX_ROWS;
    if bw == 0.0 || lackfit {
        let mut all = ProbabilityGroups::default();
        for k in 0..n_groups {
            all.add(&distributed::probability_groups(&parts.part(k)?, &beta, link, false));
        }
        fit.association = Some(all.association(bw));
        fit.hosmer_lemeshow = lackfit.then(|| all.hosmer_lemeshow());
    } else {
        let mut bins = crate::binary::AssociationBins::default();
        for k in 0..n_groups {
            bins.add(&distributed::association_bins(&parts.part(k)?, &beta, link, bw, false));
        }
        fit.association = Some(bins.table(bw));
    }
    if fit.hosmer_lemeshow.is_none() {
        fit.warnings.push(skipped_note(rows, "drop --stream to have it"));
    }
    fit.passes += 1;
    Ok(())
}

/// Wald tests of the coefficients: z, or t with the residual df when the dispersion was
/// estimated (R's `summary.glm`); the intervals are the profile-likelihood ones when they were
/// computed (`--profile`), else estimate ± z₁₋α/₂ × SE (R's `confint.default`).
fn coefficients(fit: &DistFit, level: f64) -> TidyTable {
    use dimorph_core::dist::{qnorm, two_sided_normal, two_sided_t};
    let t = fit.dispersion_method != Dispersion::Fixed && fit.df_residual > 0.0;
    let q = qnorm(0.5 + level / 2.0);
    let mut tab = TidyTable::new(
        "coefficients",
        &[
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
        ],
    );
    for (j, name) in fit.coef_names.iter().enumerate() {
        let (b, se) = (fit.coef[j], fit.se_expected[j]);
        let num = |x: f64| if x.is_finite() { Cell::Num(x) } else { Cell::Missing };
        let stat = b / se;
        let p = if t {
            two_sided_t(stat, fit.df_residual)
        } else {
            two_sided_normal(stat)
        };
        let [lo, hi] = fit.profile_ci.as_ref().map_or([b - q * se, b + q * se], |ci| ci[j]);
        tab.push(vec![
            Cell::Text(name.clone()),
            num(b),
            num(se),
            num(stat),
            num(p),
            num(lo),
            num(hi),
        ]);
    }
    tab
}

/// `dimorph glm --stream`: the streamed fit as an outcome (the Wald coefficient table and the fit
/// statistics; what the streamed fit leaves out is said in the warnings).
pub fn run_parquet(path: &Path, formula: &str, opts: &RunOptions) -> Result<Outcome<DistFit>> {
    let fit = fit_and_score_parquet(path, formula, opts)?;
    let table = coefficients(&fit, opts.level);
    let num = dimorph_core::text::num;
    let mut sec = Section::new(format!("GLM (streamed row groups): {formula}"));
    sec.text(format!(
        "family {}, link {}; {} observations ({} rows read); {} iterations, {} passes over the file",
        fit.family, fit.link, fit.n_obs, fit.n_read, fit.iterations, fit.passes
    ));
    sec.text(if fit.profile_ci.is_some() {
        format!(
            "intervals ({} %): profile likelihood (refits over the row groups with each coefficient held fixed)",
            num(100.0 * opts.level)
        )
    } else {
        format!("intervals ({} %): Wald", num(100.0 * opts.level))
    });
    sec.pre(table_text(&table));
    sec.text(format!(
        "deviance {} on {} df; null deviance {} on {} df; Pearson χ² {}; dispersion {}; AIC {}; BIC {}; log-likelihood {}",
        num(fit.deviance),
        fit.df_residual,
        num(fit.null_deviance),
        fit.df_null,
        num(fit.pearson_chi2),
        num(fit.dispersion),
        num(fit.aic),
        num(fit.bic),
        num(fit.loglik)
    ));
    if let Some(t) = &fit.theta {
        sec.text(format!(
            "θ of the negative binomial estimated by maximum likelihood (MASS glm.nb): {} (SE {}), {} alternations",
            num(t.theta),
            num(t.se),
            t.iterations
        ));
    }
    if let Some(s) = &fit.score {
        sec.text(format!(
            "Testing global null hypothesis BETA=0: Score χ² {} on {} df, Pr > χ² {}{}",
            num(s.chi2),
            s.df,
            num(s.p_value),
            s.note.as_deref().map_or(String::new(), |n| format!(" ({n})"))
        ));
    }
    if let Some(a) = &fit.association {
        sec.text(format!(
            "Association of predicted probabilities and observed responses (BINWIDTH {}): {} % concordant, {} % discordant, {} % tied, {} pairs; Somers' D {}, Gamma {}, Tau-a {}, c {}",
            num(a.binwidth),
            num(a.percent_concordant),
            num(a.percent_discordant),
            num(a.percent_tied),
            num(a.pairs),
            num(a.somers_d),
            num(a.gamma),
            num(a.tau_a),
            num(a.c)
        ));
    }
    if let Some(h) = &fit.hosmer_lemeshow {
        sec.text(format!(
            "Hosmer and Lemeshow goodness-of-fit test: χ² {} on {} df, Pr > χ² {} ({} groups)",
            num(h.chi2),
            h.df,
            num(h.p_value),
            h.groups.len()
        ));
    }
    let mut warnings = fit.warnings.clone();
    warnings.push(
        "--stream: Wald statistics, the global score test, a binomial fit's association table and Hosmer–Lemeshow test, and profile intervals with --profile; Type 3 tests and residuals are not computed when streaming (drop --stream to have them)".into(),
    );
    let summary = vec![format!(
        "{} {}: deviance {} on {} df, AIC {}",
        fit.family,
        fit.link,
        num(fit.deviance),
        fit.df_residual,
        num(fit.aic)
    )];
    let mut out = Outcome::new(fit);
    out.summary = summary;
    out.sections = vec![sec];
    out.tables = vec![table];
    out.warnings = warnings;
    Ok(out)
}

/// The coefficient table as aligned text.
fn table_text(t: &TidyTable) -> String {
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Num(x) => format!("{x:.6}"),
                    Cell::Missing => "NA".into(),
                    other => other.to_field(),
                })
                .collect()
        })
        .collect();
    let mut width: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut out = line(t.columns.iter().map(String::as_str).collect());
    for r in &rows {
        out.push('\n');
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_data::{ColumnData, Frame};
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FixedLenByteArrayType};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    /// The crab data sorted by colour, with a binary `y` (satellites > 0) and a text factor
    /// `shade` (one value null), written as Parquet in row groups of `group` rows: most row
    /// groups see only some of the shades. `half` adds a FLOAT16 column `h` (which only the
    /// Parquet row records read).
    fn crabs_parquet(path: &Path, group: usize, half: bool) {
        let f = dimorph_data::read_csv(format!("{}/../../data/crabs.csv", env!("CARGO_MANIFEST_DIR"))).expect("crabs");
        let col = |n: &str| f.numeric(n).expect(n).to_vec();
        let (color, width, weight, satell) = (col("color"), col("width"), col("weight"), col("satell"));
        let mut order: Vec<usize> = (0..f.nrows).collect();
        order.sort_by(|&a, &b| color[a].total_cmp(&color[b]));
        let names = ["light", "medium", "dark", "darker"];
        let extra = if half {
            "required fixed_len_byte_array (2) h (FLOAT16);"
        } else {
            ""
        };
        let schema = parse_message_type(&format!(
            "message crabs {{ required double width; required double weight; required double satell;
             required double y; optional binary shade (UTF8); {extra} }}"
        ))
        .expect("schema");
        let file = std::fs::File::create(path).expect("create");
        let mut w = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(WriterProperties::builder().build()))
            .expect("writer");
        for rows in order.chunks(group) {
            let mut rg = w.next_row_group().expect("row group");
            let nums = [
                rows.iter().map(|&i| width[i]).collect::<Vec<_>>(),
                rows.iter().map(|&i| weight[i]).collect(),
                rows.iter().map(|&i| satell[i]).collect(),
                rows.iter().map(|&i| f64::from(u8::from(satell[i] > 0.0))).collect(),
            ];
            for v in &nums {
                let mut c = rg.next_column().expect("column").expect("a column");
                c.typed::<DoubleType>().write_batch(v, None, None).expect("write");
                c.close().expect("close");
            }
            // row 5 of the file (in the first group) has no shade
            let def: Vec<i16> = rows.iter().map(|&i| i16::from(i != order[4])).collect();
            let vals: Vec<ByteArray> = rows
                .iter()
                .filter(|&&i| i != order[4])
                .map(|&i| ByteArray::from(names[(color[i] as usize).clamp(1, 4) - 1]))
                .collect();
            let mut c = rg.next_column().expect("column").expect("shade");
            c.typed::<ByteArrayType>()
                .write_batch(&vals, Some(&def), None)
                .expect("write");
            c.close().expect("close");
            if half {
                let one = ByteArray::from(0x3C00u16.to_le_bytes().to_vec());
                let v = vec![one.into(); rows.len()];
                let mut c = rg.next_column().expect("column").expect("h");
                c.typed::<FixedLenByteArrayType>()
                    .write_batch(&v, None, None)
                    .expect("write");
                c.close().expect("close");
            }
            rg.close().expect("close group");
        }
        w.close().expect("close file");
    }

    /// Every figure of the fit, as bits.
    fn bits(d: &DistFit) -> Vec<u64> {
        let mut v: Vec<f64> = d.coef.clone();
        v.extend(&d.se_expected);
        v.extend(&d.se_observed);
        v.extend(&d.cov_expected);
        v.extend([
            d.deviance,
            d.pearson_chi2,
            d.null_deviance,
            d.loglik,
            d.aic,
            d.bic,
            d.dispersion,
            d.n_used,
        ]);
        v.push(d.iterations as f64);
        v.into_iter().map(f64::to_bits).collect()
    }

    /// The streamed fit is the same bit for bit however its row groups are decoded: on the
    /// fitting thread (`ahead` 0), one or four row groups ahead on a worker thread, and through
    /// the Parquet row records that streamed before the column readers (a file with one more
    /// column, FLOAT16, which only the row records read). The crab data in row groups of 13 rows
    /// (14 row groups, a text factor whose levels each row group sees only some of, one null).
    #[test]
    fn the_fit_is_the_same_bit_for_bit_however_row_groups_are_decoded() {
        let dir = std::env::temp_dir().join(format!("dimorph-glm-prefetch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (path, records) = (dir.join("crabs.parquet"), dir.join("crabs_half.parquet"));
        crabs_parquet(&path, 13, false);
        crabs_parquet(&records, 13, true);
        let o = |family: &str, link: Option<Link>| RunOptions {
            family: Some(family.parse().expect("family")),
            link,
            ..RunOptions::default()
        };
        let models = [
            ("satell ~ width + shade", o("poisson", None)),
            ("y ~ width * shade", o("binomial", None)),
            ("weight ~ width + shade", o("gamma", Some(Link::Log))),
            ("satell ~ width + offset(log(weight))", o("poisson", None)),
        ];
        for (formula, opts) in &models {
            let here = fit_parquet_ahead(&path, formula, opts, 0).expect("decoded on this thread");
            let used = if formula.contains("shade") { 172.0 } else { 173.0 }; // one row has no shade
            assert_eq!((here.n_read, here.n_used), (173.0, used), "{formula}");
            for ahead in [1, 4] {
                let d = fit_parquet_ahead(&path, formula, opts, ahead).expect("decoded ahead");
                assert_eq!(bits(&d), bits(&here), "{formula}, {ahead} ahead");
                assert_eq!(d.coef_names, here.coef_names);
            }
            let r = fit_parquet_ahead(&records, formula, opts, 0).expect("row records");
            assert_eq!(bits(&r), bits(&here), "{formula}: the row records' fit");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The streamed fit against the in-memory fit of the same file, every figure to `tol`
    /// ([`crate::parts_local::assert_same_fit`]).
    fn same_as_in_memory(path: &Path, frame: &Frame, formula: &str, opts: &RunOptions, tol: f64) {
        let d = fit_parquet(path, formula, opts).expect("streamed fit");
        let mf = crate::model_frame(formula, frame, opts.weights.as_deref()).expect("model frame");
        let family = opts.family_for(mf.trials.is_some()).expect("family");
        let s = crate::fit(&mf, &opts.glm_options(family)).expect("in-memory fit");
        crate::parts_local::assert_same_fit(formula, &d, &s, tol);
        match (&d.theta, &s.theta) {
            (Some(a), Some(b)) => {
                let close = |x: f64, y: f64| (x - y).abs() <= tol * y.abs().max(1.0);
                assert!(close(a.theta, b.theta), "{formula}: θ {} vs {}", a.theta, b.theta);
                assert!(close(a.se, b.se), "{formula}: SE(θ) {} vs {}", a.se, b.se);
                assert_eq!(a.iterations, b.iterations, "{formula}: alternations");
                assert_eq!(d.family, s.family.name(), "{formula}");
            }
            (None, None) => {}
            (a, b) => panic!("{formula}: θ streamed {a:?}, in memory {b:?}"),
        }
    }

    #[test]
    fn streamed_fit_equals_the_in_memory_fit() {
        let dir = std::env::temp_dir().join(format!("dimorph-glm-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("crabs.parquet");
        crabs_parquet(&path, 25, false);
        let groups = ParquetRowGroups::open(&path).expect("open");
        assert_eq!(groups.len(), 7, "173 rows in groups of 25");
        let frame = dimorph_data::read_parquet(&path).expect("whole file");
        assert!(matches!(
            frame.column("shade").expect("shade").data,
            ColumnData::Text { .. }
        ));
        let o = |family: &str, link: Option<Link>| RunOptions {
            family: Some(family.parse().expect("family")),
            link,
            ..RunOptions::default()
        };
        same_as_in_memory(&path, &frame, "satell ~ width + shade", &o("poisson", None), 1e-10);
        same_as_in_memory(&path, &frame, "y ~ width * shade", &o("binomial", None), 1e-10);
        same_as_in_memory(
            &path,
            &frame,
            "weight ~ width + shade",
            &o("gamma", Some(Link::Log)),
            1e-10,
        );
        same_as_in_memory(
            &path,
            &frame,
            "satell ~ width",
            &o("poisson", Some(Link::Identity)),
            1e-10,
        );
        same_as_in_memory(
            &path,
            &frame,
            "satell ~ width + offset(log(weight))",
            &o("poisson", None),
            1e-10,
        );
        // θ of the negative binomial estimated over the row groups (MASS glm.nb's alternation),
        // and starting values, as in memory
        same_as_in_memory(&path, &frame, "satell ~ width + shade", &o("negbin", None), 1e-10);
        let started = |family: &str, start: Vec<f64>| RunOptions {
            start: Some(start),
            ..o(family, None)
        };
        same_as_in_memory(
            &path,
            &frame,
            "satell ~ width",
            &started("negbin", vec![-4.0, 0.2]),
            1e-10,
        );
        same_as_in_memory(
            &path,
            &frame,
            "y ~ width + shade",
            &started("binomial", vec![-10.0, 0.4, 0.0, 0.0]),
            1e-10,
        );
        let nb = run_parquet(&path, "satell ~ width", &o("negbin", None)).expect("negbin run");
        assert!(nb.result.theta.as_ref().is_some_and(|t| t.theta > 0.0 && t.se > 0.0));
        let text: String = nb.sections.iter().map(|s| format!("{s:?}")).collect();
        assert!(text.contains("θ of the negative binomial estimated"), "{text}");
        // what the streamed fit does not compute is said
        let out = run_parquet(&path, "satell ~ width", &o("poisson", None)).expect("run");
        assert!(
            out.warnings
                .iter()
                .any(|w| w.contains("Type 3 tests") && w.contains("not computed when streaming")),
            "{:?}",
            out.warnings
        );
        // one row has no shade: dropped, and counted
        let d = fit_parquet(&path, "satell ~ width + shade", &o("poisson", None)).expect("fit");
        assert_eq!((d.n_read, d.n_used), (173.0, 172.0));
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The global score test of the streamed fit (one more pass at the null model's means)
    /// equals the in-memory fit's (`inference::infer`'s score, PROC LOGISTIC's Score row) to
    /// 1e-10: Poisson with a factor whose levels each row group sees only some of, binary
    /// logistic, an offset (the null model refitted over the row groups), a Gamma with φ
    /// estimated; and `run_parquet` prints it.
    #[test]
    fn streamed_global_score_test_equals_the_in_memory_one() {
        let dir = std::env::temp_dir().join(format!("dimorph-glm-stream-score-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("crabs.parquet");
        crabs_parquet(&path, 25, false);
        let frame = dimorph_data::read_parquet(&path).expect("whole file");
        let o = |family: &str, link: Option<Link>| RunOptions {
            family: Some(family.parse().expect("family")),
            link,
            ..RunOptions::default()
        };
        for (formula, opts) in [
            ("satell ~ width + shade", o("poisson", None)),
            ("y ~ width + shade", o("binomial", None)),
            ("satell ~ width + offset(log(weight))", o("poisson", None)),
            ("weight ~ width + shade", o("gamma", Some(Link::Log))),
        ] {
            let d = fit_and_score_parquet(&path, formula, &opts).expect("streamed fit");
            let mf = crate::model_frame(formula, &frame, None).expect("model frame");
            let family = opts.family_for(mf.trials.is_some()).expect("family");
            let s = crate::fit(&mf, &opts.glm_options(family)).expect("in-memory fit");
            let one = crate::inference::infer(&mf, &s, 0.95, false).score;
            let got = d.score.expect("score test");
            assert!(one.chi2.is_finite() && one.chi2 > 0.0, "{formula}: {one:?}");
            assert!(
                (got.chi2 - one.chi2).abs() <= 1e-10 * one.chi2.max(1.0),
                "{formula}: streamed {} vs in memory {}",
                got.chi2,
                one.chi2
            );
            assert_eq!(got.df, one.df, "{formula}");
            assert!((got.p_value - one.p_value).abs() <= 1e-10, "{formula}");
            assert_eq!(d.passes, fit_parquet(&path, formula, &opts).unwrap().passes + 1);
        }
        let out = run_parquet(&path, "y ~ width", &o("binomial", None)).expect("run");
        let text: String = out.sections.iter().map(|s| format!("{s:?}")).collect();
        assert!(text.contains("Testing global null hypothesis BETA=0: Score"), "{text}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn what_needs_all_rows_is_refused() {
        let o = RunOptions {
            type3: Some(true),
            ..RunOptions::default()
        };
        let e = check_streamable(&o).unwrap_err().to_string();
        assert!(e.contains("--type3") && e.contains("--stream"), "{e}");
        let o = RunOptions {
            residuals: true,
            ..RunOptions::default()
        };
        assert!(check_streamable(&o).unwrap_err().to_string().contains("--residuals"));
        assert!(check_streamable(&RunOptions::default()).is_ok());
    }
}
