//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

pub use dimorph_core::{ScratchDir, ScratchPath};

/// A fresh empty folder under the system temp dir, removed with its files when dropped.
pub fn temp_dir(tag: &str) -> ScratchDir {
    ScratchDir::new(&format!("dimorph-lt-{tag}")).unwrap()
}

/// `contents` written to `name` in a scratch folder of its own, which goes when the value is dropped.
pub fn temp_file(tag: &str, name: &str, contents: impl AsRef<[u8]>) -> ScratchPath {
    let p = ScratchPath::new(&format!("dimorph-lt-{tag}"), name).unwrap();
    std::fs::write(&*p, contents).unwrap();
    p
}

/// Reads a published HMD life table CSV extract: (mx, qx, ax, lx, ex) by age.
pub fn published(sex: &str) -> Vec<[f64; 5]> {
    let f = dimorph_data::read_csv(data_dir().join(format!("usa_2010_hmd_lifetable_{sex}.csv"))).unwrap();
    let c = |n: &str| f.numeric(n).unwrap().to_vec();
    let (mx, qx, ax, lx, ex) = (c("mx"), c("qx"), c("ax"), c("lx"), c("ex"));
    (0..f.nrows).map(|i| [mx[i], qx[i], ax[i], lx[i], ex[i]]).collect()
}
