//! The text report of a t-SNE analysis: the headline sentence (points, features, affinities, α,
//! neighbour search, gradient, learning rate, KL divergence), the time per phase, and one table
//! per chosen cluster (exemplars, class fractions, mean colour value — Figure 3's panels a–d).
//! Numbers are written by the kernel's [`dimorph_core::text`]: fixed decimals while short, and
//! scientific notation beyond (a cluster centre of 1e308 is never printed with 309 digits).

use crate::clusters::ClusterSummary;
use crate::input::Selection;
use crate::params::KnnMethod;
use crate::pipeline::Embedding;
use dimorph_core::text::{clip, decimals as fixed, num};
use dimorph_report::{Section, Table};

/// The headline sentence of an embedding.
pub fn headline(sel: &Selection, e: &Embedding) -> String {
    let constant = if sel.constant.is_empty() {
        String::new()
    } else {
        format!(" ({} constant columns left out)", sel.constant.len())
    };
    let lr = match e.params.learning_rate {
        Some(lr) => fixed(lr, 1),
        None => format!("{} (early exaggeration), then {}", fixed(e.learning_rate, 1), e.n),
    };
    format!(
        "{} points × {} features{constant}; {}; α = {}; {}; gradient {} of {} iterations exact, the rest FFT \
         interpolation; learning rate {lr}; KL divergence {}.",
        e.n,
        sel.columns.len(),
        e.params.affinity,
        num(e.params.alpha),
        neighbours(e),
        e.exact_iterations,
        e.iterations,
        fixed(e.kl_divergence, 4)
    )
}

/// How the neighbours were found: "exact neighbours" or "approximate neighbours (in d
/// dimensions), recall r on m sampled points".
pub fn neighbours(e: &Embedding) -> String {
    match e.knn_method {
        KnnMethod::Exact => "exact neighbours".to_string(),
        _ => {
            let recall = e
                .knn_recall
                .map(|r| format!(", recall {} on {} sampled points", fixed(r, 4), e.knn_recall_sample))
                .unwrap_or_default();
            let features = e
                .knn_recall_features
                .map(|r| {
                    format!(
                        ", recall against exact neighbours in the original features {} on {} sampled points",
                        fixed(r, 4),
                        e.knn_recall_features_sample
                    )
                })
                .unwrap_or_default();
            let tries = if e.knn_tries > 1 {
                format!(
                    " ({} searches to reach --knn-recall, the last with {} trees)",
                    e.knn_tries, e.knn_trees
                )
            } else {
                String::new()
            };
            format!(
                "approximate neighbours (in {} dimensions){recall}{features}{tries}",
                e.knn_dims
            )
        }
    }
}

/// The report section: headline, timings, one table per cluster. `colour` names the value
/// column of the clusters' mean.
pub fn section(
    title: &str,
    sel: &Selection,
    e: &Embedding,
    clusters: &[ClusterSummary],
    colour: Option<&str>,
) -> Section {
    let mut s = Section::new(title);
    s.text(headline(sel, e));
    s.text(format!(
        "time: {}",
        e.timings
            .iter()
            .map(|(n, t)| format!("{n} {t:.2}s"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.text(format!("reproducibility: {}", crate::pipeline::REPRODUCIBILITY));
    for c in clusters {
        s.table(cluster_table(c, colour));
    }
    s
}

/// One cluster: its exemplars, class fractions and mean value.
fn cluster_table(c: &ClusterSummary, colour: Option<&str>) -> Table {
    let mut t = Table::new(
        format!(
            "cluster {} (centre {}, {}, radius {}): {} points",
            clip(&c.region.name),
            num(c.region.cx),
            num(c.region.cy),
            num(c.region.r),
            c.n_points
        ),
        &["exemplar row", "class", "value", "ids"],
    );
    for x in &c.exemplars {
        t.row([
            x.row.to_string(),
            x.class.clone().unwrap_or_default(),
            x.value.map(|v| fixed(v, 3)).unwrap_or_default(),
            x.ids
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
        ]);
    }
    for (l, n, f) in &c.class_fractions {
        t.note(format!("class {l}: {n} points ({} %)", fixed(100.0 * f, 1)));
    }
    if let Some(m) = c.mean_value {
        t.note(format!("mean {}: {}", colour.unwrap_or("value"), fixed(m, 3)));
    }
    t
}

/// A few lines for a terminal: the headline figures.
pub fn summary(source: &str, sel: &Selection, e: &Embedding, clusters: &[ClusterSummary]) -> Vec<String> {
    let mut lines = vec![
        format!(
            "t-SNE of {source}: {} points × {} features, α = {}, KL divergence {}",
            e.n,
            sel.columns.len(),
            num(e.params.alpha),
            fixed(e.kl_divergence, 4)
        ),
        format!("{}; {}", e.params.affinity, neighbours(e)),
    ];
    lines.extend(
        clusters
            .iter()
            .map(|c| format!("cluster {}: {} points", clip(&c.region.name), c.n_points)),
    );
    lines
}
