//! SVG figures: the equivalence-line plot of the paper's Figure 2 (eqs. 1–2) and histograms of
//! each group with its reference limits.

use crate::error::Result;
use crate::grouped::Grouped;
use crate::partition::PartitionResult;
use crate::permissible::Permissible;
use crate::stats::quantile7;
use dimorph_report::svg::{Chart, PALETTE};

/// The paper's Figure 2: RLs of A (x) against RLs of B (y), the diagonal y = x, the equivalence
/// lines y = x ± z·pu(x) (eqs. 1–2) as a band, vertical lines at RL₁A and RL₂A, and the line
/// joining (RL₁A, RL₁B) and (RL₂A, RL₂B).
pub fn equivalence_plot(
    title: &str,
    a_label: &str,
    b_label: &str,
    a: (f64, f64),
    b: (f64, f64),
    p: &Permissible,
) -> String {
    let lo = a.0.min(b.0);
    let hi = a.1.max(b.1);
    let pad = 0.15 * (hi - lo);
    let (x0, x1) = (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
        hi + pad,
    );
    let n = 100;
    let xs: Vec<f64> = (0..=n).map(|i| x0 + (x1 - x0) * i as f64 / n as f64).collect();
    let up: Vec<f64> = xs.iter().map(|&x| x + p.pd(x)).collect();
    let dn: Vec<f64> = xs.iter().map(|&x| x - p.pd(x)).collect();
    let y0 = dn[0].min(x0).min(b.0);
    let y1 = up[n].max(b.1);
    let mut c = Chart::new(title, (x0, x1), (y0, y1)).labels(
        &format!("reference limits of {a_label}"),
        &format!("reference limits of {b_label}"),
    );
    c.band(&xs, &dn, &up, "#d62728", 0.12, None);
    c.styled_line(
        xs.iter().zip(&up).map(|(&x, &y)| (x, y)).collect(),
        "#d62728",
        1.5,
        false,
        Some(&format!(
            "equivalence lines y = x ± {}·pu(x)",
            crate::error::num(p.options.z)
        )),
    );
    c.styled_line(
        xs.iter().zip(&dn).map(|(&x, &y)| (x, y)).collect(),
        "#d62728",
        1.5,
        false,
        None,
    );
    c.styled_line(vec![(x0, x0), (x1, x1)], "#1f77b4", 1.5, false, Some("diagonal y = x"));
    for (rl, name) in [(a.0, "RL1"), (a.1, "RL2")] {
        c.styled_line(vec![(rl, y0), (rl, y1)], "#000000", 1.0, false, None);
        c.text(rl, y1, &format!("{name} {a_label}"), "middle");
    }
    c.styled_line(
        vec![(a.0, b.0), (a.1, b.1)],
        "#2ca02c",
        2.0,
        true,
        Some(&format!("({a_label}, {b_label}) limits")),
    );
    c.points(vec![(a.0, b.0), (a.1, b.1)], "#2ca02c", 4.0, None);
    c.to_svg()
}

/// Histograms of each group (density scale, shared bins) with each group's limits as dashed
/// vertical lines in the group's colour. Values beyond median + 8·IQR are left out of the
/// picture (not of any estimate), as reflimR's histogram does; the caption should say so.
pub fn histograms(title: &str, x_label: &str, groups: &[(String, &[f64], f64, f64)]) -> String {
    let mut all: Vec<f64> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
    all.sort_unstable_by(f64::total_cmp);
    if all.is_empty() {
        return Chart::new(title, (0.0, 1.0), (0.0, 1.0)).to_svg();
    }
    let med = quantile7(&all, 0.5);
    let iqr = quantile7(&all, 0.75) - quantile7(&all, 0.25);
    let cut = med + 8.0 * iqr;
    let lo = all[0].min(groups.iter().map(|g| g.2).fold(f64::INFINITY, f64::min));
    let hi_data = all
        .iter()
        .copied()
        .filter(|v| *v <= cut)
        .fold(f64::NEG_INFINITY, f64::max);
    let hi = hi_data.max(groups.iter().map(|g| g.3).fold(f64::NEG_INFINITY, f64::max));
    if !(hi - lo).is_finite() {
        // values from near -1.8e308 to near 1.8e308: no bins fit in an f64
        let mut c = Chart::new(title, (0.0, 1.0), (0.0, 1.0));
        c.text(
            0.5,
            0.5,
            "no histogram: the values span more than the floating-point range",
            "middle",
        );
        return c.to_svg();
    }
    let nb = 40usize;
    let w = (hi - lo) / nb as f64;
    let w = if w > 0.0 { w } else { 1.0 };
    let mut dens: Vec<Vec<f64>> = Vec::new();
    for g in groups {
        let mut h = vec![0.0; nb];
        for &v in g.1 {
            if v <= cut {
                let k = (((v - lo) / w) as usize).min(nb - 1);
                h[k] += 1.0;
            }
        }
        let tot = g.1.len() as f64 * w;
        dens.push(h.into_iter().map(|c| c / tot).collect());
    }
    let ymax = dens.iter().flatten().copied().fold(0.0, f64::max) * 1.35;
    let mut c = Chart::new(title, (lo, hi), (0.0, ymax.max(1e-12))).labels(x_label, "density");
    for (k, (g, d)) in groups.iter().zip(&dens).enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        let mut pts = vec![(lo, 0.0)];
        for (i, &v) in d.iter().enumerate() {
            pts.push((lo + i as f64 * w, v));
            pts.push((lo + (i + 1) as f64 * w, v));
        }
        pts.push((hi, 0.0));
        c.polygon(
            pts,
            col,
            0.3,
            Some(&format!(
                "{} (n = {}): {} – {}",
                g.0,
                g.1.len(),
                fmt_lim(g.2),
                fmt_lim(g.3)
            )),
        );
        for lim in [g.2, g.3] {
            c.styled_line(vec![(lim, 0.0), (lim, ymax * 0.75)], col, 2.0, true, None);
        }
    }
    c.to_svg()
}

fn fmt_lim(x: f64) -> String {
    dimorph_report::fmt::sig(x, 4)
}

/// A figure of an analysis: the file name it is written to (in the output folder), its caption
/// and the SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub file: String,
    pub caption: String,
    pub svg: String,
}

impl Figure {
    /// The figure as an output file.
    pub fn to_file(&self) -> dimorph_core::OutputFile {
        dimorph_core::OutputFile::text(self.file.clone(), self.svg.clone())
    }
}

/// Histograms of the groups of `g` with each group's limits (`limits[i]` for group i).
pub fn group_histograms(g: &Grouped, limits: &[(f64, f64)], label: &dyn Fn(&str) -> String) -> Figure {
    let groups: Vec<(String, &[f64], f64, f64)> = g
        .groups
        .iter()
        .zip(limits)
        .map(|((lvl, x), (lo, hi))| (label(lvl), x.as_slice(), *lo, *hi))
        .collect();
    let title = match &g.by {
        Some(by) => format!("{} by {by}", g.value),
        None => g.value.clone(),
    };
    Figure {
        file: "histograms.svg".into(),
        caption: format!(
            "{title}: histograms with each group's reference limits (values above median + 8·IQR not drawn)"
        ),
        svg: histograms(&title, &g.value, &groups),
    }
}

/// The figures of a partition: the histograms, and for two groups the equivalence plot with
/// A = the group with the lower upper limit (it defines pu).
pub fn partition_figures(r: &PartitionResult, g: &Grouped) -> Result<Vec<Figure>> {
    let limits: Vec<(f64, f64)> = r.groups.iter().map(|e| (e.limits.lower, e.limits.upper)).collect();
    let by = r.by.clone();
    let mut figs = vec![group_histograms(g, &limits, &|lvl| format!("{by} = {lvl}"))];
    if r.groups.len() == 2 {
        let ia = usize::from(r.groups[0].limits.upper > r.groups[1].limits.upper);
        let (a, b) = (&r.groups[ia], &r.groups[1 - ia]);
        let p = Permissible::named(
            &format!(
                "{}: limits of '{}'",
                crate::error::clip(&r.value),
                crate::error::clip(&a.group)
            ),
            a.limits.lower,
            a.limits.upper,
            r.options.permissible(),
        )?;
        figs.push(Figure {
            file: "equivalence.svg".into(),
            caption: format!("{} by {}: equivalence lines (Figure 2 of the paper)", r.value, r.by),
            svg: equivalence_plot(
                &format!(
                    "{}: equivalence lines, {} = {} (A) vs {} (B)",
                    r.value, r.by, a.group, b.group
                ),
                &format!("{} = {}", r.by, a.group),
                &format!("{} = {}", r.by, b.group),
                (a.limits.lower, a.limits.upper),
                (b.limits.lower, b.limits.upper),
                &p,
            ),
        });
    }
    Ok(figs)
}
