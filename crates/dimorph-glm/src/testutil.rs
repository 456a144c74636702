//! Model frames built directly from matrices, for unit tests that do not go through formulas.
#![cfg(test)]

use crate::design::{DesignSpec, ModelFrame, Term};
use crate::formula::Formula;

pub fn frame(names: &[&str], x: Vec<f64>, y: Vec<f64>, trials: Option<Vec<f64>>) -> ModelFrame {
    let p = names.len();
    let n = y.len();
    ModelFrame {
        source: "test".into(),
        response_name: "y".into(),
        y,
        trials,
        x,
        n,
        p,
        col_names: names.iter().map(|s| s.to_string()).collect(),
        terms: (1..p)
            .map(|j| Term {
                label: names[j].into(),
                cols: j..j + 1,
                is_factor: false,
            })
            .collect(),
        intercept: names.first() == Some(&"(Intercept)"),
        offset: None,
        weights: None,
        lines: (2..n + 2).collect(),
        n_read: n,
        n_dropped: 0,
        spec: DesignSpec {
            formula: Formula { source: String::new() },
            levels: vec![],
        },
    }
}

/// The snoring data of the paper: disease/total ~ snoring.
pub fn snoring() -> ModelFrame {
    let s = [0.0, 2.0, 4.0, 5.0];
    let d = [24.0, 35.0, 21.0, 30.0];
    let t = [1379.0, 638.0, 213.0, 254.0];
    let x = s.iter().flat_map(|&v| [1.0, v]).collect();
    let y = d.iter().zip(&t).map(|(a, b)| a / b).collect();
    frame(&["(Intercept)", "snoring"], x, y, Some(t.to_vec()))
}

/// The crab data: satell on width (and width², when `quad`).
pub fn crabs(quad: bool) -> ModelFrame {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/crabs.csv");
    let f = dimorph_data::read_csv(path).expect("bundled crabs.csv");
    let w = f.numeric("width").expect("width").to_vec();
    let y = f.numeric("satell").expect("satell").to_vec();
    let mut x = Vec::new();
    for &v in &w {
        x.push(1.0);
        x.push(v);
        if quad {
            x.push(v * v);
        }
    }
    let names: &[&str] = if quad {
        &["(Intercept)", "width", "I(width^2)"]
    } else {
        &["(Intercept)", "width"]
    };
    frame(names, x, y, None)
}
