//! `refint age`: age-dependent reference limits by sliding windows (issue 15, item 3, first
//! part): the chosen method (reflimR's by default) on the values whose age lies in
//! [a, a + window), for a = the lowest age, + step, …, per level of a group column (e.g. sex);
//! a percentile-curve figure (age on x; the 2.5 %, 50 % and 97.5 % curves per group). A window
//! too small for its method keeps its reason and the others go on. The median curve is the
//! method's centre: exp(μ) or μ of reflimR's healthy part, the sample median otherwise.

pub use super::age_partitions::AgePartition;
use super::age_read::{censored_in, read_points, AgePoints, CensoredUse};
use super::age_zeros::{GroupZeros, Place, ZeroTally};
use crate::error::{clip, num, RefintError, Result};
use crate::estimate::group::estimate_one_censored;
use crate::estimate::Method;
use crate::options::EstimateOptions;
use crate::stats::{median, sorted};
use dimorph_core::{Cell, TidyTable};
use dimorph_data::CodedFrame;
use dimorph_report::svg::Chart;
use dimorph_report::{Outcome, Section};
use serde::Serialize;

/// Most windows per group.
pub const MAX_WINDOWS: usize = 1000;

/// Options of `refint age`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AgeOptions {
    /// Column holding the values (`--value`).
    pub value: String,
    /// Column holding the age (`--age`).
    pub age: String,
    /// Curves per level of this column (`--by`, e.g. Sex).
    pub by: Option<String>,
    /// Width of each age window (`--window`, in the age column's unit).
    pub window: f64,
    /// Distance between the windows' starts (`--step`).
    pub step: f64,
    /// Choose age partitions from the data, starting from age bands of this width
    /// (`--partitions`); none when not given. See [`super::age_partitions`].
    pub partitions: Option<f64>,
    /// How the curves are drawn (`--curves`): sliding windows of the method (default) or an
    /// LMS fit of the Box–Cox parameters over age ([`crate::age_curves`]).
    pub curves: crate::age_curves_run::Curves,
    /// The LMS fit's smoothness and grid (`--lms-df`, `--lms-lambda`, `--lms-grid`).
    pub lms: crate::age_curves_run::LmsOptions,
    /// Smoothing of the window limits across windows (`--smooth`, `--smooth-span`,
    /// `--smooth-degree`; see [`crate::age_smooth`]); none by default.
    pub smooth: crate::age_smooth::WindowSmoothing,
    /// Unit of the values, for the figure's axis (`--unit`, e.g. µmol/L).
    pub unit: Option<String>,
    /// Unit of the ages, for the figure's axis (`--age-unit`, e.g. years).
    pub age_unit: Option<String>,
    /// The estimation method and its options.
    #[serde(flatten)]
    pub estimate: EstimateOptions,
}

/// One window of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeWindow {
    pub group: String,
    pub from: f64,
    pub to: f64,
    pub n: usize,
    pub lower: Option<f64>,
    pub median: Option<f64>,
    pub upper: Option<f64>,
    /// Why the window has no limits (too few values, …).
    pub not_estimated: Option<String>,
    /// Values below a detection limit in the window that the method used as censored.
    pub censored: usize,
    /// The limits and the median smoothed across windows (with `--smooth`), at the window's
    /// middle age.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_smooth: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_smooth: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_smooth: Option<f64>,
}

/// Result of `refint age`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeResult {
    pub value: String,
    pub age: String,
    pub by: Option<String>,
    pub windows: Vec<AgeWindow>,
    /// The age partitions chosen from the data (with `--partitions`), per group in age order.
    pub partitions: Vec<AgePartition>,
    /// Rows left out, with the reason.
    pub skipped: Vec<String>,
    /// The LMS fit of every group (`--curves lms`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lms_fits: Vec<crate::age_curves_run::LmsGroupFit>,
    /// The LMS centile curves at a grid of ages (`--curves lms`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lms_curves: Vec<crate::age_curves_run::LmsPoint>,
}

fn refuse(flag: &str, msg: String) -> RefintError {
    RefintError::Option(Box::new(dimorph_core::location::bad_argument(flag, msg)))
}

/// [`run_age_coded`] on an in-memory `frame` (the Python package's entry; the CLI reads the file
/// straight into coded columns with [`dimorph_data::read_coded`]).
pub fn run_age(frame: &dimorph_data::Frame, o: &AgeOptions) -> Result<Outcome<AgeResult>> {
    let coded: Vec<&str> = o.by.iter().map(String::as_str).collect();
    let cf = CodedFrame::from_frame(frame, &[&o.value, &o.age], &coded)?;
    run_age_coded(&cf, o)
}

/// Sliding-window limits of `o.value` over `o.age` (see the module doc).
pub fn run_age_coded(cf: &CodedFrame, o: &AgeOptions) -> Result<Outcome<AgeResult>> {
    o.estimate.validate()?;
    o.estimate.refuse_percentiles_in(
        "refint age draws the 2.5th, 50th and 97.5th percentile curves (its windows and LMS fit are built for them)",
        true,
    )?;
    let (lms, window, step, band) = lms_applicable(o)?;
    for (flag, v) in [("--window", window), ("--step", step), ("--partitions", band)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(refuse(flag, format!("must be a positive number, got {}", num(v))));
        }
    }
    o.smooth.validate()?;
    if lms && o.smooth.on() {
        return Err(refuse(
            "--smooth",
            "smooths the sliding windows' limits; --curves lms curves are smooth already".into(),
        ));
    }
    let est = o.estimate.resolved();
    let codes =
        o.by.as_deref()
            .map(|b| {
                cf.codes(b).ok_or_else(|| RefintError::Invalid {
                    what: format!("{}: column '{}'", cf.source, clip(b)),
                    msg: "was not read".into(),
                })
            })
            .transpose()?;
    let positive = lms || est.positive_values_needed_by().is_some();
    let censored = if lms {
        CensoredUse::SetAside("the LMS (BCCG) fit does not use censored values".into())
    } else if est.method.uses_censored() {
        CensoredUse::Used(
            est.method.flag(),
            if o.partitions.is_some() {
                "windows and the age partitions"
            } else {
                "windows"
            },
        )
    } else {
        CensoredUse::SetAside(format!(
            "--method {} does not use censored values (refiner and kosmic do)",
            est.method.flag()
        ))
    };
    // the refiner's --zeros censored: the windows read their zeros as refint estimate does
    let keep_zeros = !lms
        && est.method == Method::Refiner
        && est.refiner.unwrap_or_default().zeros == crate::options::RefinerZeros::Censored;
    let AgePoints {
        mut per,
        below,
        zeros,
        mut skipped,
    } = read_points(cf, (&o.value, &o.age, o.by.as_deref()), positive, keep_zeros, &censored)?;
    let order: Vec<usize> = match codes {
        Some(c) => crate::grouped::level_order(&c.levels),
        None => vec![0],
    };
    if lms {
        return lms_outcome(o, codes, per, &order, skipped);
    }
    let mut windows = Vec::new();
    let mut tally = ZeroTally::for_windows(o.partitions.is_some());
    for k in order {
        let label = codes.map_or(String::new(), |c| c.levels[k].clone());
        let pts = &mut per[k];
        if pts.is_empty() {
            // no windows: its zeros are dropped, and said so (not silently left out)
            tally.group_without_values(zeros[k].len());
            continue;
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut z = GroupZeros::new(&zeros[k], pts.len());
        windows.extend(windows_of(cf, o, &est, &label, pts, &below[k], &mut z)?);
        z.add_to(&mut tally);
    }
    skipped.extend(tally.messages(&o.value, Place::Windows));
    if windows.is_empty() {
        return Err(RefintError::Group(format!(
            "{}: no age window could be estimated: no {} has values of {}{} with an age{}",
            cf.source,
            if o.by.is_some() { "group" } else { "row" },
            clip(&o.value),
            if positive { " > 0" } else { "" },
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" (skipped {})", skipped.join("; "))
            }
        )));
    }
    if windows.iter().all(|w| w.lower.is_none()) {
        return Err(RefintError::Group(format!(
            "{}: no age window could be estimated{}",
            cf.source,
            windows
                .first()
                .and_then(|w| w.not_estimated.clone())
                .map_or(String::new(), |r| format!(" (e.g. {r})"))
        )));
    }
    let partitions = match o.partitions {
        Some(band) => {
            let groups = GroupPoints {
                per: &per,
                below: &below,
                zeros: &zeros,
            };
            partitions_of(cf, o, codes, groups, band, &est, &mut skipped)?
        }
        None => Vec::new(),
    };
    let smoothing = smooth_windows(o, &mut windows);
    Ok(outcome(o, windows, partitions, skipped, smoothing))
}

/// The windows of one group: `pts` (age, value) sorted by age, `below` the (age, detection
/// limit) of its values below a detection limit that the method uses as censored, `zeros` its
/// zeros that the refiner's windows read as censored ([`super::age_zeros`]).
fn windows_of(
    cf: &CodedFrame,
    o: &AgeOptions,
    est: &EstimateOptions,
    label: &str,
    pts: &[(f64, f64)],
    below: &[(f64, f64)],
    zeros: &mut GroupZeros,
) -> Result<Vec<AgeWindow>> {
    let mut windows = Vec::new();
    let (lo, hi) = (pts[0].0, pts[pts.len() - 1].0);
    let count = ((hi - lo) / o.step).floor() + 1.0;
    if count > MAX_WINDOWS as f64 {
        return Err(refuse(
            "--step",
            format!(
                "gives {} windows over ages {} to {}; at most {MAX_WINDOWS}",
                // a step of 1e-320 overflows the count: no 'inf' in the message
                if count.is_finite() {
                    num(count)
                } else {
                    "more than 10^308".into()
                },
                num(lo),
                num(hi)
            ),
        ));
    }
    for j in 0..count as usize {
        let from = lo + j as f64 * o.step;
        let to = from + o.window;
        let a = pts.partition_point(|p| p.0 < from);
        let b = pts.partition_point(|p| p.0 < to);
        let mut v: Vec<f64> = pts[a..b].iter().map(|p| p.1).collect();
        let what = format!(
            "{}: {} where {} in [{}, {})",
            cf.source,
            clip(&o.value),
            clip(&o.age),
            num(from),
            num(to)
        );
        let what = match &o.by {
            Some(by) => format!("{what} and {} = '{}'", clip(by), clip(label)),
            None => what,
        };
        let cens = zeros.window(&mut v, a, from, to, censored_in(below, from, to));
        let mut w = AgeWindow {
            group: label.to_string(),
            from,
            to,
            n: v.len(),
            lower: None,
            median: None,
            upper: None,
            not_estimated: None,
            censored: cens.map_or(0, |c| c.n),
            lower_smooth: None,
            median_smooth: None,
            upper_smooth: None,
        };
        match estimate_one_censored(&what, label, &v, cens, None, est) {
            Ok(e) => {
                w.lower = Some(e.limits.lower);
                w.upper = Some(e.limits.upper);
                w.median = match (&e.reflim, est.method) {
                    (Some(r), Method::Reflim) => Some(if r.lognormal { r.mean.exp() } else { r.mean }),
                    _ => median_above(&sorted(&v), w.censored),
                };
            }
            Err(e) => w.not_estimated = Some(e.to_string()),
        }
        windows.push(w);
    }
    Ok(windows)
}

/// The sample median of the sorted observed values `s` and `c` values below a detection limit
/// (the lowest of all, as long as the median lies above them; None where it does not); the
/// observed median without any.
fn median_above(s: &[f64], c: usize) -> Option<f64> {
    if c == 0 {
        return Some(median(s));
    }
    let n = s.len() + c;
    let at = |k: usize| k.checked_sub(c).and_then(|i| s.get(i).copied());
    if n % 2 == 1 {
        at(n / 2)
    } else {
        Some((at(n / 2 - 1)? + at(n / 2)?) / 2.0)
    }
}

/// The rows of every group (by level code) as the windows read them: (age, value > 0) sorted by
/// age, the (age, limit) of the values below a detection limit that the method uses as censored,
/// the ages of the zeros that the refiner's `--zeros censored` reads.
#[derive(Clone, Copy)]
struct GroupPoints<'a> {
    per: &'a [Vec<(f64, f64)>],
    below: &'a [Vec<(f64, f64)>],
    zeros: &'a [Vec<f64>],
}

/// The age partitions of every group (see [`super::age_partitions`]), in group order; a group
/// whose bands cannot be estimated has its reason in `skipped` while the others go on. The
/// partitions read their censored values and zeros as the windows do; the zeros are counted and
/// said in `skipped` as the windows' are ([`ZeroTally`], [`Place::Partitions`]).
fn partitions_of(
    cf: &CodedFrame,
    o: &AgeOptions,
    codes: Option<&dimorph_data::Codes>,
    g: GroupPoints,
    band: f64,
    est: &EstimateOptions,
    skipped: &mut Vec<String>,
) -> Result<Vec<AgePartition>> {
    let mut partitions = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut tally = ZeroTally::default();
    for (k, pts) in g.per.iter().enumerate() {
        if pts.is_empty() {
            // its zeros are said once, by the windows' tally (no window and no partition)
            continue;
        }
        let label = codes.map_or(String::new(), |c| c.levels[k].clone());
        let prefix = format!("{}: {} where {}", cf.source, clip(&o.value), clip(&o.age));
        let suffix = match &o.by {
            Some(by) => format!(" and {} = '{}'", clip(by), clip(&label)),
            None => String::new(),
        };
        let naming = super::age_partitions::Naming {
            prefix: &prefix,
            suffix: &suffix,
        };
        let cens = super::age_partitions::Censoring {
            zeros: &g.zeros[k],
            below: &g.below[k],
        };
        match super::age_partitions::choose(&naming, &label, pts, band, cens, est) {
            Ok(p) => {
                // each zero of the group counted once, by the partition that holds its age
                let mut z = GroupZeros::new(&g.zeros[k], pts.len());
                for q in &p {
                    let a = pts.partition_point(|x| x.0 < q.from);
                    let b = pts.partition_point(|x| x.0 < q.to);
                    let mut v: Vec<f64> = pts[a..b].iter().map(|x| x.1).collect();
                    z.window(&mut v, a, q.from, q.to, censored_in(&g.below[k], q.from, q.to));
                }
                z.add_to(&mut tally);
                partitions.push((k, p));
            }
            // a group too small for its bands keeps its reason; the other groups go on
            Err(RefintError::Group(why)) if o.by.is_some() => {
                let by = o.by.as_deref().map(clip).unwrap_or_default();
                skipped.push(format!("age partitions for {by} = '{}': {why}", clip(&label)));
                tally.group_without_partitions(g.zeros[k].len());
                failed.push(why);
            }
            Err(e) => return Err(e),
        }
    }
    skipped.extend(tally.messages(&o.value, Place::Partitions));
    if partitions.is_empty() {
        return Err(RefintError::Group(failed.join("; ")));
    }
    let order: Vec<usize> = codes.map_or(vec![0], |c| crate::grouped::level_order(&c.levels));
    partitions.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
    Ok(partitions.into_iter().flat_map(|(_, p)| p).collect())
}

/// The outcome: the windows as a tidy table, a section, the curves as an SVG file.
fn outcome(
    o: &AgeOptions,
    windows: Vec<AgeWindow>,
    partitions: Vec<AgePartition>,
    skipped: Vec<String>,
    smoothing: Vec<String>,
) -> Outcome<AgeResult> {
    let figure = curves(o, &windows, &partitions);
    let t = window_table(o, &windows);
    let mut s = Section::new(format!(
        "Age-dependent limits of {} over {}",
        clip(&o.value),
        clip(&o.age)
    ));
    let est_n = windows.iter().filter(|w| w.lower.is_some()).count();
    s.text(format!(
        "{} windows of width {} every {} ({} estimated, {} with too few values or no defined limits); the figure \
         age_curves.svg shows the 2.5, 50 and 97.5 % curves",
        windows.len(),
        num(o.window),
        num(o.step),
        est_n,
        windows.len() - est_n
    ));
    if o.smooth.on() {
        s.text(format!(
            "Smoothed across windows by LOESS (Cleveland 1979; as R's loess with surface = \"direct\"): span {}, \
             local polynomials of degree {}, each window weighted by its number of values; columns lower_smooth, \
             median_smooth and upper_smooth of the table",
            num(o.smooth.span),
            o.smooth.degree
        ));
    }
    s.figure(figure_caption(o, !partitions.is_empty()), figure.clone());
    let mut tables = vec![t];
    let mut sections = vec![s];
    if o.partitions.is_some() {
        let (t, s) = partition_report(o, &partitions);
        tables.push(t);
        sections.push(s);
    }
    let mut warnings: Vec<String> = skipped.iter().map(|s| format!("skipped {s}")).collect();
    warnings.extend(smoothing);
    let joined = partitions
        .iter()
        .filter(|p| p.reason.contains("joined without a test"))
        .count();
    if joined > 0 {
        warnings.push(format!(
            "{joined} age partitions include bands with too few values for the method, joined without a test \
             (see reason in age_partitions)"
        ));
    }
    let failed = windows.len() - est_n;
    if failed > 0 {
        warnings.push(format!(
            "{failed} age windows not estimated (see not_estimated in the table)"
        ));
    }
    let result = AgeResult {
        value: o.value.clone(),
        age: o.age.clone(),
        by: o.by.clone(),
        windows,
        partitions,
        skipped,
        lms_fits: Vec::new(),
        lms_curves: Vec::new(),
    };
    let mut out = Outcome::new(result);
    out.sections = sections;
    out.tables = tables;
    out.files = vec![dimorph_core::OutputFile::text("age_curves.svg".to_string(), figure)];
    out.summary = vec![format!("{est_n} age windows estimated")];
    out.warnings = warnings;
    out
}

/// The table `age_limits`: one row per window; the smoothed curves (with `--smooth`) and the
/// censored values used (when there are any) as further columns.
fn window_table(o: &AgeOptions, windows: &[AgeWindow]) -> TidyTable {
    let mut cols = vec!["group", "from", "to", "n", "lower", "median", "upper", "not_estimated"];
    let censored = windows.iter().any(|w| w.censored > 0);
    if censored {
        cols.push("censored");
    }
    if o.smooth.on() {
        cols.extend(["lower_smooth", "median_smooth", "upper_smooth"]);
    }
    let mut t = TidyTable::new("age_limits", &cols);
    for w in windows {
        let mut row = vec![
            w.group.as_str().into(),
            w.from.into(),
            w.to.into(),
            w.n.into(),
            w.lower.into(),
            w.median.into(),
            w.upper.into(),
            w.not_estimated.clone().map_or(Cell::Missing, Cell::Text),
        ];
        if censored {
            row.push(w.censored.into());
        }
        if o.smooth.on() {
            row.extend([w.lower_smooth.into(), w.median_smooth.into(), w.upper_smooth.into()]);
        }
        t.push(row);
    }
    t
}

/// Smooths each group's lower limits, medians and upper limits across its windows (see
/// [`crate::age_smooth`]), at the middle age of every window within the range of the estimated
/// ones; a curve that cannot be smoothed keeps its reason (returned as warnings).
fn smooth_windows(o: &AgeOptions, windows: &mut [AgeWindow]) -> Vec<String> {
    let mut notes = Vec::new();
    if !o.smooth.on() {
        return notes;
    }
    let mid = |w: &AgeWindow| (w.from + w.to) / 2.0;
    let mut groups: Vec<String> = Vec::new();
    for w in windows.iter() {
        if !groups.contains(&w.group) {
            groups.push(w.group.clone());
        }
    }
    type Get = fn(&AgeWindow) -> Option<f64>;
    type Set = fn(&mut AgeWindow, Option<f64>);
    let curves: [(&str, Get, Set); 3] = [
        ("lower limits", |w| w.lower, |w, v| w.lower_smooth = v),
        ("medians", |w| w.median, |w, v| w.median_smooth = v),
        ("upper limits", |w| w.upper, |w, v| w.upper_smooth = v),
    ];
    for g in &groups {
        for (name, get, set) in curves {
            let pts: Vec<(f64, f64, f64)> = windows
                .iter()
                .filter(|w| &w.group == g)
                .filter_map(|w| get(w).map(|y| (mid(w), y, (w.n + w.censored) as f64)))
                .collect();
            let (x, y, wt): (Vec<f64>, Vec<f64>, Vec<f64>) = (
                pts.iter().map(|p| p.0).collect(),
                pts.iter().map(|p| p.1).collect(),
                pts.iter().map(|p| p.2).collect(),
            );
            let range = x
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
            let idx: Vec<usize> = (0..windows.len())
                .filter(|&i| &windows[i].group == g && mid(&windows[i]) >= range.0 && mid(&windows[i]) <= range.1)
                .collect();
            let at: Vec<f64> = idx.iter().map(|&i| mid(&windows[i])).collect();
            match crate::age_smooth::loess(&x, &y, &wt, &o.smooth, &at) {
                Ok(s) => idx.iter().zip(s).for_each(|(&i, v)| set(&mut windows[i], Some(v))),
                Err(why) => notes.push(format!(
                    "--smooth loess: the {name}{} not smoothed: {why}",
                    match &o.by {
                        Some(by) => format!(" of {} = '{}'", clip(by), clip(g)),
                        None => String::new(),
                    }
                )),
            }
        }
    }
    notes
}

/// Whether the curves are an LMS fit, and the window, step and partition band to check
/// (`--curves lms` takes no window options; see [`crate::age_curves_run`]).
fn lms_applicable(o: &AgeOptions) -> Result<(bool, f64, f64, f64)> {
    if o.curves != crate::age_curves_run::Curves::Lms {
        return Ok((false, o.window, o.step, o.partitions.unwrap_or(1.0)));
    }
    o.lms.validate()?;
    if o.window != 0.0 || o.step != 0.0 {
        return Err(refuse(
            "--window, --step",
            "are for the sliding windows; --curves lms fits smooth curves to all ages at once".into(),
        ));
    }
    if o.partitions.is_some() {
        return Err(refuse(
            "--partitions",
            "draws its steps over the sliding windows; use it with --curves windows".into(),
        ));
    }
    if o.estimate.refiner.is_some() {
        // --nboot, --model or --zeros given: the options cannot tell which
        return Err(refuse(
            "--nboot/--model/--zeros",
            "are options of --method refiner in the sliding windows; --curves lms fits the LMS (BCCG) curves \
             to all values > 0 (no bootstrap, no censored values)"
                .into(),
        ));
    }
    Ok((true, 1.0, 1.0, 1.0))
}

/// The outcome of `--curves lms`: every group's LMS fit ([`crate::age_curves_run::lms_parts`]).
fn lms_outcome(
    o: &AgeOptions,
    codes: Option<&dimorph_data::Codes>,
    mut per: Vec<Vec<(f64, f64)>>,
    order: &[usize],
    skipped: Vec<String>,
) -> Result<Outcome<AgeResult>> {
    let groups: Vec<(String, Vec<(f64, f64)>)> = order
        .iter()
        .map(|&k| {
            let mut pts = std::mem::take(&mut per[k]);
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            (codes.map_or(String::new(), |c| c.levels[k].clone()), pts)
        })
        .collect();
    let axes = (axis(&o.age, o.age_unit.as_ref()), axis(&o.value, o.unit.as_ref()));
    let mut parts =
        crate::age_curves_run::lms_parts((&o.value, &o.age, o.by.as_deref()), (&axes.0, &axes.1), &o.lms, &groups)?;
    parts.section.figure(
        format!(
            "{} by {}: LMS (BCCG) centile curves, 2.5 and 97.5 % (thin: the age-dependent reference limits) and \
             50 % (thick), over the data (light points){}",
            axes.1,
            axes.0,
            match &o.by {
                Some(by) => format!("; one colour per level of {}", clip(by)),
                None => String::new(),
            }
        ),
        parts.figure.clone(),
    );
    let mut warnings: Vec<String> = skipped.iter().map(|s| format!("skipped {s}")).collect();
    warnings.extend(parts.warnings);
    let fitted = parts.fits.iter().filter(|f| f.deviance.is_some()).count();
    let result = AgeResult {
        value: o.value.clone(),
        age: o.age.clone(),
        by: o.by.clone(),
        windows: Vec::new(),
        partitions: Vec::new(),
        skipped,
        lms_fits: parts.fits,
        lms_curves: parts.curves,
    };
    let mut out = Outcome::new(result);
    out.sections = vec![parts.section];
    out.tables = parts.tables;
    out.files = vec![dimorph_core::OutputFile::text(
        "age_curves.svg".to_string(),
        parts.figure,
    )];
    out.summary = vec![format!("LMS centile curves fitted for {fitted} groups")];
    out.warnings = warnings;
    Ok(out)
}

/// The partitions as a tidy table (group, from, to, n, lower, upper, reason; the censored values
/// used after n when there are any) and a section.
fn partition_report(o: &AgeOptions, parts: &[AgePartition]) -> (TidyTable, Section) {
    let censored = parts.iter().any(|p| p.censored > 0);
    let mut cols = vec!["group", "from", "to", "n"];
    if censored {
        cols.push("censored");
    }
    cols.extend(["lower", "upper", "reason"]);
    let mut t = TidyTable::new("age_partitions", &cols);
    for p in parts {
        let mut row = vec![p.group.as_str().into(), p.from.into(), p.to.into(), p.n.into()];
        if censored {
            row.push(p.censored.into());
        }
        row.extend([p.lower.into(), p.upper.into(), p.reason.as_str().into()]);
        t.push(row);
    }
    let mut s = Section::new(format!("Age partitions of {} chosen from the data", clip(&o.value)));
    s.text(format!(
        "Bands of width {} merged while both limits stay within the permissible difference pD = z·pu \
         (Haeckel et al. 2016, eqs. 3–4); a new partition starts where a limit differs by more",
        num(o.partitions.unwrap_or(f64::NAN))
    ));
    for line in super::age_partitions::describe(o.by.as_deref(), parts) {
        s.text(line);
    }
    (t, s)
}

/// An axis label: the column name and its unit in parentheses when given.
fn axis(name: &str, unit: Option<&String>) -> String {
    match unit {
        Some(u) if !u.trim().is_empty() => format!("{name} ({})", u.trim()),
        _ => name.to_string(),
    }
}

/// The caption of the figure in the report.
fn figure_caption(o: &AgeOptions, steps: bool) -> String {
    let per = match &o.by {
        Some(by) => format!(", one colour per level of {}", clip(by)),
        None => String::new(),
    };
    let how = if o.smooth.on() {
        "points: each window's lower limit, median and upper limit at the window's middle age; lines: their LOESS \
         smooth across windows"
    } else {
        "lines through each window's lower limit, median and upper limit (points) at the window's middle age"
    };
    format!(
        "{} by {}: age-dependent reference limits (2.5 and 97.5 %) and median from windows {} wide every {}; {how}{per}{}",
        axis(&o.value, o.unit.as_ref()),
        axis(&o.age, o.age_unit.as_ref()),
        num(o.window),
        num(o.step),
        if steps {
            "; dashed steps: the age partitions chosen from the data"
        } else {
            ""
        }
    )
}

/// The percentile curves: age (window middle) on x; per group the 2.5, 50 and 97.5 % curves
/// through the windows' estimates (drawn as points), or, with `--smooth`, the windows'
/// estimates as points under their smoothed curves; the chosen partitions' limits as dashed
/// steps in the group's colour. The colours are the report's palette in group order.
fn curves(o: &AgeOptions, windows: &[AgeWindow], parts: &[AgePartition]) -> String {
    let ok: Vec<&AgeWindow> = windows.iter().filter(|w| w.lower.is_some()).collect();
    let mid = |w: &AgeWindow| (w.from + w.to) / 2.0;
    let xs = ok
        .iter()
        .map(|w| mid(w))
        .chain(parts.iter().flat_map(|p| [p.from, p.to]));
    let x0 = xs.clone().fold(f64::INFINITY, f64::min);
    let x1 = xs.fold(f64::NEG_INFINITY, f64::max);
    let lows = ok
        .iter()
        .filter_map(|w| w.lower)
        .chain(windows.iter().filter_map(|w| w.lower_smooth))
        .chain(parts.iter().map(|p| p.lower));
    let y0 = lows.fold(f64::INFINITY, f64::min);
    let highs = ok
        .iter()
        .filter_map(|w| w.upper)
        .chain(windows.iter().filter_map(|w| w.upper_smooth))
        .chain(parts.iter().map(|p| p.upper));
    let y1 = highs.fold(f64::NEG_INFINITY, f64::max);
    let pad = |a: f64, b: f64| {
        if b > a {
            (a - 0.05 * (b - a), b + 0.05 * (b - a))
        } else {
            (a - 1.0, a + 1.0)
        }
    };
    let mut c = Chart::new(
        &format!("{}: 2.5 / 50 / 97.5 % by {}", o.value, o.age),
        pad(x0, x1),
        pad(y0, y1),
    )
    .labels(&axis(&o.age, o.age_unit.as_ref()), &axis(&o.value, o.unit.as_ref()));
    let colors = dimorph_report::svg::PALETTE;
    let mut groups: Vec<&str> = Vec::new();
    for w in &ok {
        if !groups.contains(&w.group.as_str()) {
            groups.push(&w.group);
        }
    }
    let smooth = o.smooth.on();
    for (i, g) in groups.iter().enumerate() {
        let color = colors[i % colors.len()];
        let of = |f: &dyn Fn(&AgeWindow) -> Option<f64>| -> Vec<(f64, f64)> {
            ok.iter()
                .filter(|w| w.group == *g)
                .filter_map(|w| f(w).map(|y| (mid(w), y)))
                .collect()
        };
        let name = match &o.by {
            Some(by) => format!("{by} = {g}"),
            None => "all".to_string(),
        };
        if smooth {
            let sm = |f: &dyn Fn(&AgeWindow) -> Option<f64>| -> Vec<(f64, f64)> {
                windows
                    .iter()
                    .filter(|w| w.group == *g)
                    .filter_map(|w| f(w).map(|y| (mid(w), y)))
                    .collect()
            };
            c.styled_line(sm(&|w| w.median_smooth), color, 2.2, false, Some(&name));
            c.styled_line(sm(&|w| w.lower_smooth), color, 1.6, false, None);
            c.styled_line(sm(&|w| w.upper_smooth), color, 1.6, false, None);
        } else {
            c.line(of(&|w| w.median), color, Some(&name));
            c.line(of(&|w| w.lower), color, None);
            c.line(of(&|w| w.upper), color, None);
        }
        for f in [
            &(|w: &AgeWindow| w.lower) as &dyn Fn(&AgeWindow) -> Option<f64>,
            &|w| w.median,
            &|w| w.upper,
        ] {
            c.points(of(f), color, if smooth { 2.6 } else { 2.2 }, None);
        }
        let steps = |f: &dyn Fn(&AgePartition) -> f64| -> Vec<(f64, f64)> {
            parts
                .iter()
                .filter(|p| p.group == *g)
                .flat_map(|p| [(p.from, f(p)), (p.to, f(p))])
                .collect()
        };
        if parts.iter().any(|p| p.group == *g) {
            c.styled_line(steps(&|p| p.lower), color, 1.2, true, None);
            c.styled_line(steps(&|p| p.upper), color, 1.2, true, None);
        }
    }
    if smooth {
        c.legend_entry("window estimates (points)", "#777777", false);
        c.legend_entry("LOESS across windows (lines)", "#777777", true);
    }
    // the axis mapping, for reading the curves back (tests) and for tools
    let axes = format!(
        "<g class=\"axes\" data-x-domain=\"{} {}\" data-x-px=\"{} {}\" data-y-domain=\"{} {}\" data-y-px=\"{} {}\"/>",
        pad(x0, x1).0,
        pad(x0, x1).1,
        c.x_px(pad(x0, x1).0),
        c.x_px(pad(x0, x1).1),
        pad(y0, y1).0,
        pad(y0, y1).1,
        c.y_px(pad(y0, y1).0),
        c.y_px(pad(y0, y1).1)
    );
    c.raw(axes);
    c.to_svg()
}
