//! The layout of the paper's Table 1 (Ilanchezian et al. 2021): one row per model (a BagNet or a
//! baseline CNN), and per set (training, validation, test of the run's split, or an external set
//! such as the paper's "clinical" column) its size, accuracy and ROC AUC with the 95 % bootstrap
//! interval. `eval` shows it with one row, `eval` with several models one row per model.

use dimorph_report::{Section, Table};

use crate::metrics::SetMetrics;

/// The sets in the order they first appear across the models.
fn set_names(rows: &[(String, &[SetMetrics])]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, r) in rows {
        for s in r.iter() {
            if !names.contains(&s.set) {
                names.push(s.set.clone());
            }
        }
    }
    names
}

/// Table 1: one row per model; per set its n, accuracy and AUC (95 % CI); "-" where a model has no
/// such set or no AUC.
pub fn table1_section(rows: &[(String, &[SetMetrics])]) -> Section {
    let sets = set_names(rows);
    let mut header = vec!["model".to_string()];
    for s in &sets {
        header.extend([format!("{s} n"), format!("{s} accuracy %"), format!("{s} AUC (95% CI)")]);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new("Table 1: accuracy and ROC AUC by model (95% bootstrap CI)", &header);
    for (name, r) in rows {
        let mut cells = vec![name.clone()];
        for s in &sets {
            match r.iter().find(|m| &m.set == s) {
                Some(m) => cells.extend([
                    m.n.to_string(),
                    format!("{:.2}", 100.0 * m.accuracy),
                    match (m.auc, m.auc_ci) {
                        (Some(a), Some((lo, hi))) => format!("{a:.3} ({lo:.3}-{hi:.3})"),
                        (Some(a), None) => format!("{a:.3}"),
                        (None, _) => "-".into(),
                    },
                ]),
                None => cells.extend(["-".to_string(), "-".to_string(), "-".to_string()]),
            }
        }
        t.row(cells);
    }
    let mut s = Section::new("Model comparison (paper Table 1)");
    s.table(t);
    s
}
