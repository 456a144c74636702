//! Predictions and residuals of a distributed fit ([`crate::distributed`]), one part of the data
//! at a time: the part's rows are coded with the fit's [`DesignSpec`] (the merged factor levels,
//! so a level the fit did not see is an error naming the column and the level), and each row's
//! figures are those of the single-machine fit's own row functions
//! ([`residuals::predict_rows`], [`residuals::residuals_at`]; R's `predict.glm(se.fit = TRUE)`,
//! `residuals.glm`, `hatvalues`, `rstandard`, `cooks.distance`) at the fit's β, φ(XᵀWX)⁻¹ and φ.
//!
//! A part's answer has one entry per row of its frame: a row that the engine skips for a missing
//! value (a predictor or offset for predictions; also the response or weight for residuals)
//! gets NaN, the rule of the single-machine `predict` and `residuals`.

use dimorph_data::Frame;

use crate::design::DesignSpec;
use crate::distributed::design_part_lines;
use crate::error::{GlmError, Result};
use crate::family::Family;
use crate::residuals::{self, Fitted};

/// A part's figures by column: `columns[k][i]` for row `i` of the frame, NaN where the row was
/// not used.
#[derive(Debug, Clone, PartialEq)]
pub struct PartColumns {
    pub columns: Vec<Vec<f64>>,
    /// Rows of the frame left NaN (a value the row needs is missing).
    pub skipped: usize,
}

/// Spreads `rows` (each with its file line) over the frame's rows, NaN elsewhere.
fn spread<const K: usize>(frame: &Frame, rows: impl Iterator<Item = (usize, [f64; K])>) -> PartColumns {
    let mut columns = vec![vec![f64::NAN; frame.nrows]; K];
    let mut used = 0;
    for (line, v) in rows {
        // lines are frame.line_of(i) = first_line + i (the coded rows of a frame)
        let i = line - frame.first_line;
        for (c, x) in columns.iter_mut().zip(v) {
            c[i] = x;
        }
        used += 1;
    }
    PartColumns {
        columns,
        skipped: frame.nrows - used,
    }
}

/// The fit's figures agree with X's `p` columns (β, φ(XᵀWX)⁻¹ and the estimated columns).
fn check(fit: &Fitted, p: usize) -> Result<()> {
    let p_fit = fit.coef.len();
    if p != p_fit || fit.cov_expected.len() != p_fit * p_fit || fit.kept.iter().any(|&j| j >= p_fit) {
        return Err(GlmError::argument(
            "fit",
            format!(
                "the data are coded into {p} columns, the fit has {p_fit} coefficients and {} covariances",
                fit.cov_expected.len()
            ),
        ));
    }
    Ok(())
}

/// Predictions for the rows of `frame` ([`residuals::Prediction::COLUMNS`], intervals at `level`), coded
/// with `spec`; the response and weights are not read.
pub fn predict_part(spec: &DesignSpec, frame: &Frame, fit: &Fitted, level: f64) -> Result<PartColumns> {
    // coded also when the frame has no row: a column the model needs and the frame lacks is an
    // error then too (the Python driver checks the data's empty frame this way before any task)
    let nd = spec.design_for(frame)?;
    check(fit, nd.p)?;
    let p = residuals::predict_rows(fit, &nd.x, nd.offset.as_deref(), &nd.lines, level);
    Ok(spread(frame, p.iter().map(|r| (r.line, r.values()))))
}

/// Residuals of the rows of `frame` ([`residuals::ResidualRow::COLUMNS`]), coded as the fit coded its parts
/// ([`design_part_lines`]: the response and the prior weights `weights` checked against
/// `family`).
pub fn residuals_part(
    spec: &DesignSpec,
    frame: &Frame,
    weights: Option<&str>,
    family: Family,
    fit: &Fitted,
) -> Result<PartColumns> {
    let (part, lines) = design_part_lines(spec, frame, weights, family)?;
    if part.n == 0 {
        return Ok(spread::<11>(frame, std::iter::empty()));
    }
    check(fit, part.p)?;
    let r = residuals::residuals_at(fit, &part.x, &part.y, &part.prior, part.offset.as_deref(), &lines);
    Ok(spread(frame, r.iter().map(|r| (r.line, r.values()))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::{merge_levels, part_levels, DistFit};
    use crate::link::Link;
    use crate::options::GlmOptions;
    use crate::parts_local::{fit_over_parts, rows};
    use crate::residuals::{Prediction, ResidualRow};
    use dimorph_data::{read_csv_bytes, Column, ColumnData};

    /// The crab data with a text factor `shade` sorted so that the parts see only some levels,
    /// a few missing values, and an exposure for an offset.
    fn crabs() -> Frame {
        let path = format!("{}/../../data/crabs.csv", env!("CARGO_MANIFEST_DIR"));
        let mut f = dimorph_data::read_csv(path).expect("bundled data");
        let color = f.numeric("color").expect("color").to_vec();
        let mut order: Vec<usize> = (0..f.nrows).collect();
        order.sort_by(|&a, &b| color[a].total_cmp(&color[b]));
        for c in &mut f.columns {
            if let ColumnData::Num(v) = &mut c.data {
                *v = order.iter().map(|&i| v[i]).collect();
            }
        }
        let names = ["light", "medium", "dark", "darker"];
        let shade = order
            .iter()
            .enumerate()
            .map(|(k, &i)| (k % 37 != 5).then(|| names[(color[i] as usize).clamp(1, 4) - 1].to_string()))
            .collect();
        let satell = f.numeric("satell").expect("satell").to_vec();
        let t = (0..f.nrows)
            .map(|i| if i == 40 { f64::NAN } else { 1.0 + (i % 5) as f64 })
            .collect();
        let y = satell.iter().map(|&s| f64::from(u8::from(s > 0.0))).collect();
        f.columns.push(Column {
            name: "t".into(),
            data: ColumnData::Num(t),
        });
        f.columns.push(Column {
            name: "y".into(),
            data: ColumnData::Num(y),
        });
        f.columns.push(Column {
            name: "shade".into(),
            data: ColumnData::Text {
                values: shade,
                first_non_numeric: None,
            },
        });
        f
    }

    fn fitted<'a>(d: &'a DistFit, family: Family, link: Link) -> Fitted<'a> {
        Fitted {
            coef: &d.coef,
            kept: &d.kept,
            cov_expected: &d.cov_expected,
            dispersion: d.dispersion,
            rank: d.rank,
            family,
            link,
        }
    }

    fn close(what: &str, a: f64, b: f64) {
        let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-10 * b.abs().max(1.0);
        assert!(ok, "{what}: over parts {a} vs in memory {b}");
    }

    /// Over 6 parts, each part's predictions and residuals equal the single-machine fit's rows
    /// (by line), and the rows it skips are NaN in both.
    fn same_rows(formula: &str, family: Family, k: usize) {
        let frame = crabs();
        let opts = GlmOptions {
            estimate_theta: false,
            ..GlmOptions::new(family, None)
        };
        let link = family.canonical_link();
        let d = fit_over_parts(formula, &frame, k, &opts).expect("distributed fit");
        let mf = crate::design::model_frame(formula, &frame, None).expect("model frame");
        let s = crate::fit(&mf, &opts).expect("fit");
        let res = residuals::residuals(&mf, &s);
        let pred = residuals::predict(&s, &mf.x, mf.offset.as_deref(), &mf.lines, 0.95);
        let n = frame.nrows;
        let frames: Vec<Frame> = (0..k).map(|i| rows(&frame, i * n / k, (i + 1) * n / k)).collect();
        let levels: Vec<_> = frames
            .iter()
            .map(|f| part_levels(formula, f, None).expect("levels"))
            .collect();
        let spec = merge_levels(formula, &frame.names(), None, &levels, "parts").expect("merged");
        let f = fitted(&d, family, link);
        let (mut skipped, mut seen) = (0, 0);
        for part in &frames {
            let r = residuals_part(&spec, part, None, family, &f).expect("residuals");
            let p = predict_part(&spec, part, &f, 0.95).expect("predictions");
            assert_eq!(r.columns.len(), ResidualRow::COLUMNS.len());
            skipped += r.skipped;
            for i in 0..part.nrows {
                let line = part.first_line + i;
                match mf.lines.binary_search(&line) {
                    Ok(j) => {
                        seen += 1;
                        let want = res[j].values();
                        for (c, name) in ResidualRow::COLUMNS.iter().enumerate() {
                            close(name, r.columns[c][i], want[c]);
                        }
                        let want = pred[j].values();
                        for (c, name) in Prediction::COLUMNS.iter().enumerate() {
                            close(name, p.columns[c][i], want[c]);
                        }
                    }
                    Err(_) => assert!(r.columns.iter().all(|c| c[i].is_nan()), "{formula}: line {line}"),
                }
            }
        }
        assert_eq!((seen, skipped), (mf.n, mf.n_dropped), "{formula}");
        assert!(skipped > 0, "{formula}: the data have rows with missing values");
    }

    #[test]
    fn distributed_predictions_and_residuals_equal_the_single_machine_rows() {
        same_rows("y ~ width + shade", Family::Binomial, 6);
        same_rows("satell ~ width + shade + offset(log(t))", Family::Poisson, 5);
        same_rows("weight ~ width + shade", Family::Gamma, 4);
    }

    #[test]
    fn distributed_predict_refuses_a_level_the_fit_did_not_see() {
        let frame = crabs();
        let formula = "y ~ width + shade";
        let levels = [part_levels(formula, &frame, None).expect("levels")];
        let spec = merge_levels(formula, &frame.names(), None, &levels, "parts").expect("merged");
        let opts = GlmOptions::new(Family::Binomial, None);
        let d = fit_over_parts(formula, &frame, 3, &opts).expect("fit");
        let f = fitted(&d, Family::Binomial, Link::Logit);
        let new = read_csv_bytes("new.csv", b"width,shade\n25,dark\n26,purple\n").expect("csv");
        let e = predict_part(&spec, &new, &f, 0.95)
            .expect_err("unseen level")
            .to_string();
        assert!(
            e.contains("'purple'") && e.contains("shade") && e.contains("line 3"),
            "{e}"
        );
        // the response is not needed to predict; a missing predictor gives NaN
        let new = read_csv_bytes("new.csv", b"width,shade\n25,dark\n,light\n").expect("csv");
        let p = predict_part(&spec, &new, &f, 0.95).expect("predictions");
        assert_eq!(p.skipped, 1);
        assert!(p.columns[4][0].is_finite() && p.columns[4][1].is_nan());
    }
}
