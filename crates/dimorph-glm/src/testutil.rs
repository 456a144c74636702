//! Model frames of the bundled data for unit tests.
#![cfg(test)]

use crate::design::{model_frame, ModelFrame};

fn data(name: &str) -> dimorph_data::Frame {
    let path = format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"));
    dimorph_data::read_csv(path).expect("bundled data")
}

/// The snoring data of the paper: disease/total ~ snoring.
pub fn snoring() -> ModelFrame {
    model_frame("disease/total ~ snoring", &data("snoring.csv"), None).expect("snoring model frame")
}

/// The crab data: satell on width (and width², when `quad`).
pub fn crabs(quad: bool) -> ModelFrame {
    let f = if quad {
        "satell ~ width + I(width^2)"
    } else {
        "satell ~ width"
    };
    model_frame(f, &data("crabs.csv"), None).expect("crabs model frame")
}
