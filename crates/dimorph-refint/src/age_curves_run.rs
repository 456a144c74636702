//! `refint age --curves lms`: the LMS/BCCG fit of [`crate::age_curves`] per group (e.g. sex),
//! the 2.5 / 50 / 97.5 % centile curves at a grid of ages (tidy table `age_curves`), the fit of
//! every group (deviance, effective df, iterations; table `lms_fits`) and a figure with the data
//! as light points under the curves (`age_curves.svg`). A group whose fit fails keeps its reason
//! and the other groups go on.

use crate::age_curves::{fit, Smooth};
use crate::error::{clip, num, RefintError, Result};
use dimorph_core::{Cell, TidyTable};
use dimorph_report::svg::Chart;
use dimorph_report::Section;
use serde::Serialize;

/// Most data points drawn per group in the figure (every k-th value beyond).
pub const MAX_POINTS: usize = 4000;
/// Most grid ages of the curve table.
pub const MAX_GRID: usize = 10_000;
/// Most spline df per parameter.
pub const MAX_DF: usize = 20;

/// How `refint age` draws its curves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Curves {
    /// Sliding windows of the chosen method (`--window`, `--step`).
    #[default]
    Windows,
    /// An LMS fit (BCCG with spline μ, σ, ν over age).
    Lms,
}

/// Options of the LMS fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmsOptions {
    /// Spline df beyond the constant of μ, log σ and ν (`--lms-df MU,SIGMA,NU`): polynomials of
    /// that degree up to 3, cubic B-splines with df − 3 knots at age quantiles beyond. Default
    /// 3,1,0: a cubic median, a log-linear spread and a constant skewness, which stays stable
    /// at the ends of the age range where data are few (5,3,1 follows noise there).
    pub df: [usize; 3],
    /// Fixed penalties of μ, log σ and ν (`--lms-lambda MU,SIGMA,NU`): gamlss pb()-style
    /// P-splines with second-order difference penalties instead of the fixed df.
    pub lambda: Option<[f64; 3]>,
    /// Number of equally spaced ages in the curve table, over each group's age range (`--lms-grid`).
    pub grid: usize,
}

impl Default for LmsOptions {
    fn default() -> Self {
        LmsOptions {
            df: [3, 1, 0],
            lambda: None,
            grid: 51,
        }
    }
}

/// The window and step of `--curves windows` and the LMS options of `--curves lms`, from the
/// options as given (`None`: not given): each method refuses the other's options, and the windows
/// need both their width and step. The window and step are 0 for LMS (unused).
pub fn curve_options(
    curves: Curves,
    (window, step, partitions): (Option<f64>, Option<f64>, Option<f64>),
    (df, lambda, grid): (Option<[usize; 3]>, Option<[f64; 3]>, Option<usize>),
) -> Result<(f64, f64, LmsOptions)> {
    let mut lms = LmsOptions::default();
    if curves == Curves::Windows {
        if df.is_some() || lambda.is_some() || grid.is_some() {
            return Err(refuse(
                "--lms-df, --lms-lambda, --lms-grid",
                "only for --curves lms".into(),
            ));
        }
        return match (window, step) {
            (Some(w), Some(s)) => Ok((w, s, lms)),
            _ => Err(refuse(
                "--window, --step",
                "both are needed by --curves windows (the default)".into(),
            )),
        };
    }
    if window.is_some() || step.is_some() || partitions.is_some() {
        return Err(refuse(
            "--window, --step, --partitions",
            "for --curves windows; --curves lms fits smooth curves to all ages at once".into(),
        ));
    }
    if df.is_some() && lambda.is_some() {
        return Err(refuse(
            "--lms-df, --lms-lambda",
            "give one (fixed df or fixed penalties)".into(),
        ));
    }
    lms.df = df.unwrap_or(lms.df);
    lms.lambda = lambda;
    lms.grid = grid.unwrap_or(lms.grid);
    Ok((0.0, 0.0, lms))
}

fn refuse(flag: &str, msg: String) -> RefintError {
    RefintError::Option(Box::new(dimorph_core::location::bad_argument(flag, msg)))
}

impl LmsOptions {
    /// Range checks, naming the flag.
    pub fn validate(&self) -> Result<()> {
        if let Some(k) = self.df.iter().find(|&&k| k > MAX_DF) {
            return Err(refuse("--lms-df", format!("{k} is more than {MAX_DF} df")));
        }
        if let Some(l) = self.lambda {
            if let Some(v) = l.iter().find(|v| !(v.is_finite() && **v >= 0.0 && **v <= 1e10)) {
                return Err(refuse(
                    "--lms-lambda",
                    format!("each penalty must be a number in [0, 1e10], got {}", num(*v)),
                ));
            }
        }
        if !(2..=MAX_GRID).contains(&self.grid) {
            return Err(refuse(
                "--lms-grid",
                format!("must be 2 to {MAX_GRID} ages, got {}", self.grid),
            ));
        }
        Ok(())
    }

    fn smooth(&self) -> Smooth {
        match self.lambda {
            Some(l) => Smooth::Penalised(l),
            None => Smooth::Df(self.df),
        }
    }
}

/// The fit of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmsGroupFit {
    pub group: String,
    pub n: usize,
    pub age_from: f64,
    pub age_to: f64,
    /// Global deviance −2ℓ.
    pub deviance: Option<f64>,
    /// Effective degrees of freedom.
    pub edf: Option<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// Why the group has no curves.
    pub not_estimated: Option<String>,
}

/// One grid age of one group's curves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmsPoint {
    pub group: String,
    pub age: f64,
    pub mu: f64,
    pub sigma: f64,
    pub nu: f64,
    pub p2_5: f64,
    pub p50: f64,
    pub p97_5: f64,
}

/// What the LMS mode adds to the outcome.
pub struct LmsParts {
    pub fits: Vec<LmsGroupFit>,
    pub curves: Vec<LmsPoint>,
    pub tables: Vec<TidyTable>,
    pub section: Section,
    pub figure: String,
    pub warnings: Vec<String>,
}

/// Fit every group (label, (age, value) pairs sorted by age) and build the tables, the section
/// and the figure. `names` = (value column, age column, group column); `axes` = the figure's x
/// (age) and y (value) axis labels, with their units.
pub fn lms_parts(
    names: (&str, &str, Option<&str>),
    axes: (&str, &str),
    o: &LmsOptions,
    groups: &[(String, Vec<(f64, f64)>)],
) -> Result<LmsParts> {
    o.validate()?;
    let (mut fits, mut curves, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for (label, pts) in groups.iter().filter(|(_, p)| !p.is_empty()) {
        let ages: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let (lo, hi) = (ages[0], ages[ages.len() - 1]);
        let mut g = LmsGroupFit {
            group: label.clone(),
            n: pts.len(),
            age_from: lo,
            age_to: hi,
            deviance: None,
            edf: None,
            iterations: 0,
            converged: false,
            not_estimated: None,
        };
        let res = if ys
            .iter()
            .any(|&y| y.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
        {
            Err("the Box-Cox (BCCG) fit needs values > 0".to_string())
        } else if hi <= lo {
            Err("all values have the same age".to_string())
        } else {
            fit(&ages, &ys, o.smooth())
        };
        match res {
            Ok(f) => {
                g.deviance = Some(f.deviance);
                g.edf = f.edf.is_finite().then_some(f.edf);
                g.iterations = f.iterations;
                g.converged = f.converged;
                if !f.converged {
                    warnings.push(format!(
                        "LMS fit of group '{}' stopped after {} iterations without meeting the convergence criterion",
                        clip(label),
                        f.iterations
                    ));
                }
                for k in 0..o.grid {
                    let age = lo + (hi - lo) * k as f64 / (o.grid - 1) as f64;
                    let (mu, sigma, nu) = f.params(age);
                    let p = [0.025, 0.5, 0.975].map(|p| f.centile(p, age));
                    if p.iter().any(|v| !v.is_finite()) {
                        continue;
                    }
                    curves.push(LmsPoint {
                        group: label.clone(),
                        age,
                        mu,
                        sigma,
                        nu,
                        p2_5: p[0],
                        p50: p[1],
                        p97_5: p[2],
                    });
                }
            }
            Err(why) => {
                warnings.push(format!("LMS fit of group '{}' not estimated: {why}", clip(label)));
                g.not_estimated = Some(why);
            }
        }
        fits.push(g);
    }
    if curves.is_empty() {
        return Err(RefintError::Group(format!(
            "no LMS curve could be fitted{}",
            fits.iter()
                .find_map(|f| f.not_estimated.clone())
                .map_or(String::new(), |r| format!(" ({r})"))
        )));
    }
    let figure = figure(names, axes, groups, &curves);
    let tables = vec![curve_table(&curves), fit_table(&fits)];
    let section = section(names, o, &fits);
    Ok(LmsParts {
        fits,
        curves,
        tables,
        section,
        figure,
        warnings,
    })
}

fn curve_table(curves: &[LmsPoint]) -> TidyTable {
    let mut t = TidyTable::new(
        "age_curves",
        &["group", "age", "mu", "sigma", "nu", "p2_5", "p50", "p97_5"],
    );
    for c in curves {
        t.push(vec![
            c.group.as_str().into(),
            c.age.into(),
            c.mu.into(),
            c.sigma.into(),
            c.nu.into(),
            c.p2_5.into(),
            c.p50.into(),
            c.p97_5.into(),
        ]);
    }
    t
}

fn fit_table(fits: &[LmsGroupFit]) -> TidyTable {
    let mut t = TidyTable::new(
        "lms_fits",
        &[
            "group",
            "n",
            "age_from",
            "age_to",
            "deviance",
            "edf",
            "iterations",
            "converged",
            "not_estimated",
        ],
    );
    for f in fits {
        t.push(vec![
            f.group.as_str().into(),
            f.n.into(),
            f.age_from.into(),
            f.age_to.into(),
            f.deviance.into(),
            f.edf.into(),
            f.iterations.into(),
            f.converged.into(),
            f.not_estimated.clone().map_or(Cell::Missing, Cell::Text),
        ]);
    }
    t
}

fn section(names: (&str, &str, Option<&str>), o: &LmsOptions, fits: &[LmsGroupFit]) -> Section {
    let mut s = Section::new(format!(
        "Age-dependent limits of {} over {}: LMS (BCCG) centile curves",
        clip(names.0),
        clip(names.1)
    ));
    let how = match o.lambda {
        Some(l) => format!(
            "P-splines (gamlss pb() basis) with fixed penalties λ = {}, {}, {} for μ, log σ, ν; penalised maximum likelihood",
            num(l[0]),
            num(l[1]),
            num(l[2])
        ),
        None => format!(
            "splines with {}, {}, {} df beyond the constant for μ, log σ, ν; maximum likelihood",
            o.df[0], o.df[1], o.df[2]
        ),
    };
    s.text(format!(
        "Box-Cox Cole & Green (Cole & Green 1992; gamlss family BCCG): μ, σ, ν smooth in age by {how}. \
         The figure age_curves.svg shows the 2.5, 50 and 97.5 % centile curves{} over the data; the table \
         age_curves has them at {} ages per group",
        names.2.map_or(String::new(), |b| format!(" per level of {}", clip(b))),
        o.grid
    ));
    for f in fits {
        s.text(match (&f.not_estimated, f.deviance) {
            (Some(why), _) => format!("group '{}': not estimated ({why})", clip(&f.group)),
            (None, Some(d)) => format!(
                "group '{}': n = {}, ages {} to {}, deviance {}, edf {}, {} iterations{}",
                clip(&f.group),
                f.n,
                num(f.age_from),
                num(f.age_to),
                num(d),
                f.edf.map_or("NA".into(), num),
                f.iterations,
                if f.converged { "" } else { " (not converged)" }
            ),
            (None, None) => format!("group '{}': no deviance", clip(&f.group)),
        });
    }
    s
}

/// Age on x; the data as light points (at most [`MAX_POINTS`] per group); the 2.5 / 97.5 %
/// curves thin and the 50 % curve thick, one colour per group.
fn figure(
    names: (&str, &str, Option<&str>),
    axes: (&str, &str),
    groups: &[(String, Vec<(f64, f64)>)],
    curves: &[LmsPoint],
) -> String {
    let (x0, x1) = curves.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), c| {
        (a.min(c.age), b.max(c.age))
    });
    // y range: the curves, widened to the 0.5-99.5 % of the data so that outliers do not flatten them
    let mut ys: Vec<f64> = groups.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)).collect();
    ys.sort_by(f64::total_cmp);
    let q = |p: f64| ys[((ys.len() - 1) as f64 * p) as usize];
    let y0 = curves.iter().map(|c| c.p2_5).fold(q(0.005), f64::min);
    let y1 = curves.iter().map(|c| c.p97_5).fold(q(0.995), f64::max);
    let pad = |a: f64, b: f64| {
        if b > a {
            (a - 0.04 * (b - a), b + 0.04 * (b - a))
        } else {
            (a - 1.0, a + 1.0)
        }
    };
    let (xr, yr) = (pad(x0, x1), pad(y0, y1));
    let mut c =
        Chart::new(&format!("{}: LMS 2.5 / 50 / 97.5 % by {}", names.0, names.1), xr, yr).labels(axes.0, axes.1);
    let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
    let lighter = ["#9CC3E0", "#F0B89A", "#97D8C4", "#E8BFD8", "#F5D590", "#B5DDF5"];
    for (i, (label, pts)) in groups.iter().enumerate() {
        if !curves.iter().any(|c| &c.group == label) {
            continue;
        }
        let every = pts.len().div_ceil(MAX_POINTS).max(1);
        let shown: Vec<(f64, f64)> = pts
            .iter()
            .step_by(every)
            .filter(|p| p.1 >= yr.0 && p.1 <= yr.1)
            .copied()
            .collect();
        c.points(shown, lighter[i % lighter.len()], 1.3, None);
    }
    for (i, (label, _)) in groups.iter().enumerate() {
        let color = colors[i % colors.len()];
        let of = |f: &dyn Fn(&LmsPoint) -> f64| -> Vec<(f64, f64)> {
            curves
                .iter()
                .filter(|c| &c.group == label)
                .map(|c| (c.age, f(c)))
                .collect()
        };
        if of(&|c| c.p50).is_empty() {
            continue;
        }
        let name = match names.2 {
            Some(by) => format!("{by} = {label}"),
            None => "all".to_string(),
        };
        c.styled_line(of(&|c| c.p50), color, 2.2, false, Some(&name));
        c.styled_line(of(&|c| c.p2_5), color, 1.2, false, None);
        c.styled_line(of(&|c| c.p97_5), color, 1.2, false, None);
    }
    let axes = format!(
        "<g class=\"axes\" data-x-domain=\"{} {}\" data-x-px=\"{} {}\" data-y-domain=\"{} {}\" data-y-px=\"{} {}\"/>",
        xr.0,
        xr.1,
        c.x_px(xr.0),
        c.x_px(xr.1),
        yr.0,
        yr.1,
        c.y_px(yr.0),
        c.y_px(yr.1)
    );
    c.raw(axes);
    c.to_svg()
}
