//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// A fresh empty folder under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = std::env::temp_dir().join(format!(
        "dimorph-lt-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// Reads a published HMD life table CSV extract: (mx, qx, ax, lx, ex) by age.
pub fn published(sex: &str) -> Vec<[f64; 5]> {
    let f = dimorph_data::read_csv(data_dir().join(format!("usa_2010_hmd_lifetable_{sex}.csv"))).unwrap();
    let c = |n: &str| f.numeric(n).unwrap().to_vec();
    let (mx, qx, ax, lx, ex) = (c("mx"), c("qx"), c("ax"), c("lx"), c("ex"));
    (0..f.nrows).map(|i| [mx[i], qx[i], ax[i], lx[i], ex[i]]).collect()
}
