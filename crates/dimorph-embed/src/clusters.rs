//! Chosen clusters of an embedding (Figure 3, clusters a–d): a region is a named circle in the
//! embedding; for each we count its points, the fraction from each class ("fraction of male
//! patches"), the mean colour value (logit) and the exemplars — per class, the points with the
//! strongest |colour value| (Figure 3 shows "four patches with high evidence (two male, two
//! female)"), identified by the row and any id columns (image, patch position).

use crate::error::{EmbedError, Result};
use dimorph_core::text::clip;
use dimorph_core::{Cell, TidyTable};
use serde::Serialize;

/// A circle in the embedding: `name=cx,cy,r`.
#[derive(Clone, Debug, Serialize)]
pub struct Region {
    pub name: String,
    pub cx: f64,
    pub cy: f64,
    pub r: f64,
}

impl Region {
    /// Refuses an empty name, a centre that is not finite and a radius that is not a positive
    /// finite number (for regions built in code; parsing checks the same).
    pub fn validate(&self) -> Result<()> {
        let ok = !self.name.trim().is_empty()
            && self.cx.is_finite()
            && self.cy.is_finite()
            && self.r.is_finite()
            && self.r > 0.0;
        if ok {
            return Ok(());
        }
        Err(EmbedError::Input(format!(
            "--cluster '{}': {}",
            clip(&self.name),
            EXPECTED
        )))
    }
}

/// What a `--cluster` value must look like.
const EXPECTED: &str = "expected NAME=X,Y,RADIUS (a circle in embedding coordinates: finite X and Y, a \
                        positive RADIUS), e.g. a=12.5,-3,4";

impl std::str::FromStr for Region {
    type Err = EmbedError;
    fn from_str(s: &str) -> Result<Region> {
        let bad = || EmbedError::Input(format!("--cluster '{}': {EXPECTED}", clip(s)));
        let (name, rest) = s.split_once('=').ok_or_else(bad)?;
        let v: Vec<f64> = rest
            .split(',')
            .map(|t| t.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad())?;
        if v.len() != 3 {
            return Err(bad());
        }
        let r = Region {
            name: name.trim().to_string(),
            cx: v[0],
            cy: v[1],
            r: v[2],
        };
        r.validate().map_err(|_| bad())?;
        Ok(r)
    }
}

/// One exemplar point.
#[derive(Clone, Debug, Serialize)]
pub struct Exemplar {
    /// 1-based data row.
    pub row: usize,
    pub class: Option<String>,
    pub value: Option<f64>,
    /// (id column, value) pairs.
    pub ids: Vec<(String, String)>,
}

/// Summary of one region.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterSummary {
    pub region: Region,
    pub n_points: usize,
    /// (class, count, fraction of the region's points).
    pub class_fractions: Vec<(String, usize, f64)>,
    pub mean_value: Option<f64>,
    pub exemplars: Vec<Exemplar>,
}

/// Summarises each region; `per_class` exemplars per class (or in all when no class column).
pub fn summarise(
    y: &[[f64; 2]],
    regions: &[Region],
    class: Option<&[String]>,
    value: Option<&[f64]>,
    ids: &[(String, Vec<String>)],
    per_class: usize,
) -> Vec<ClusterSummary> {
    regions
        .iter()
        .map(|reg| {
            let inside: Vec<usize> = (0..y.len())
                .filter(|&i| (y[i][0] - reg.cx).hypot(y[i][1] - reg.cy) <= reg.r)
                .collect();
            let mut levels: Vec<String> = class
                .map(|c| inside.iter().map(|&i| c[i].clone()).collect())
                .unwrap_or_default();
            levels.sort();
            levels.dedup();
            let class_fractions = levels
                .iter()
                .map(|l| {
                    let cnt = inside.iter().filter(|&&i| class.is_some_and(|c| &c[i] == l)).count();
                    (l.clone(), cnt, cnt as f64 / inside.len().max(1) as f64)
                })
                .collect();
            let vals: Vec<f64> = value
                .map(|v| inside.iter().map(|&i| v[i]).filter(|x| x.is_finite()).collect())
                .unwrap_or_default();
            let mean_value = (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64);
            let strength = |i: usize| -> f64 {
                match value {
                    Some(v) if v[i].is_finite() => v[i].abs(),
                    Some(_) => f64::NEG_INFINITY,
                    None => -(y[i][0] - reg.cx).hypot(y[i][1] - reg.cy),
                }
            };
            let groups: Vec<Option<&String>> = if levels.is_empty() {
                vec![None]
            } else {
                levels.iter().map(Some).collect()
            };
            let mut exemplars = Vec::new();
            for g in groups {
                let mut members: Vec<usize> = inside
                    .iter()
                    .copied()
                    .filter(|&i| match (g, class) {
                        (Some(l), Some(c)) => &c[i] == l,
                        _ => true,
                    })
                    .collect();
                members.sort_by(|&a, &b| strength(b).total_cmp(&strength(a)).then(a.cmp(&b)));
                for &i in members.iter().take(if g.is_none() { 2 * per_class } else { per_class }) {
                    exemplars.push(Exemplar {
                        row: i + 1,
                        class: class.map(|c| c[i].clone()),
                        value: value.map(|v| v[i]),
                        ids: ids.iter().map(|(n, v)| (n.clone(), v[i].clone())).collect(),
                    });
                }
            }
            ClusterSummary {
                region: reg.clone(),
                n_points: inside.len(),
                class_fractions,
                mean_value,
                exemplars,
            }
        })
        .collect()
}

/// The clusters as tidy tables: `clusters` (one row per cluster: centre, radius, points, mean
/// value), `cluster_classes` (one row per cluster and class: points and fraction; when a class
/// column was given) and `exemplars` (one row per exemplar: cluster, rank, row, class, value, one
/// column per id column). None when there are no clusters.
pub fn tables(clusters: &[ClusterSummary], id_names: &[String]) -> Vec<TidyTable> {
    if clusters.is_empty() {
        return Vec::new();
    }
    let mut summary = TidyTable::new("clusters", &["cluster", "x", "y", "radius", "points", "mean_value"]);
    let mut classes = TidyTable::new("cluster_classes", &["cluster", "class", "points", "fraction"]);
    let mut cols = vec!["cluster", "rank", "row", "class", "value"];
    cols.extend(id_names.iter().map(String::as_str));
    let mut exemplars = TidyTable::new("exemplars", &cols);
    for c in clusters {
        let name = Cell::from(&c.region.name);
        summary.push(vec![
            name.clone(),
            c.region.cx.into(),
            c.region.cy.into(),
            c.region.r.into(),
            c.n_points.into(),
            c.mean_value.into(),
        ]);
        for (class, n, f) in &c.class_fractions {
            classes.push(vec![name.clone(), class.into(), (*n).into(), (*f).into()]);
        }
        for (rank, x) in c.exemplars.iter().enumerate() {
            let mut row = vec![
                name.clone(),
                (rank + 1).into(),
                x.row.into(),
                x.class.as_deref().map_or(Cell::Missing, Cell::from),
                x.value.into(),
            ];
            row.extend(x.ids.iter().map(|(_, v)| Cell::from(v)));
            exemplars.push(row);
        }
    }
    let mut out = vec![summary];
    if clusters.iter().any(|c| !c.class_fractions.is_empty()) {
        out.push(classes);
    }
    out.push(exemplars);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_and_exemplars_by_hand() {
        let y = [[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [5.0, 5.0]];
        let class: Vec<String> = ["m", "f", "m", "m"].iter().map(|s| s.to_string()).collect();
        let logit = [1.0, 3.0, -2.0, 9.0];
        let reg: Region = "a=0,0,1".parse().unwrap();
        let s = summarise(&y, &[reg], Some(&class), Some(&logit), &[], 1);
        assert_eq!(s[0].n_points, 3);
        assert_eq!(
            s[0].class_fractions,
            vec![("f".to_string(), 1, 1.0 / 3.0), ("m".to_string(), 2, 2.0 / 3.0)]
        );
        assert!((s[0].mean_value.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        // strongest |logit| per class: f → row 2 (3.0), m → row 3 (−2.0)
        assert_eq!(s[0].exemplars.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3]);
        assert!("a=1,2".parse::<Region>().is_err());
        assert!("=1,2,3".parse::<Region>().is_err());
        assert!("a=1,2,-3".parse::<Region>().is_err());
    }
}
