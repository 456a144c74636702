//! The bundled data sets, found without a compile-time path: `--data-dir` when given, else a
//! `./data` folder holding dimorph's `SOURCES.md` (a checkout), else the copy embedded in the binary
//! (written once to a folder under the system's temporary directory and reused).

use crate::error::CliError;
use std::path::{Path, PathBuf};

mod files {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// The data folder to use.
pub fn data_dir(requested: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(d) = requested {
        if !d.is_dir() {
            return Err(CliError::input(format!(
                "--data-dir: folder '{}' does not exist",
                d.display()
            )));
        }
        return Ok(d.to_path_buf());
    }
    let here = Path::new("data");
    if here.join("SOURCES.md").is_file() {
        return Ok(here.to_path_buf());
    }
    extract()
}

/// Writes the embedded files to `<tmp>/dimorph-data-<version>-<size>` (once; a complete copy is
/// marked by a `.complete` file) and returns that folder.
fn extract() -> Result<PathBuf, CliError> {
    let total: usize = files::FILES.iter().map(|(_, b)| b.len()).sum();
    let dir = std::env::temp_dir().join(format!("dimorph-data-{}-{total}", env!("CARGO_PKG_VERSION")));
    let mark = dir.join(".complete");
    if mark.is_file() {
        return Ok(dir);
    }
    for (rel, bytes) in files::FILES {
        let p = dir.join(rel);
        dimorph_core::output::write_atomic(&p, bytes, dimorph_core::Overwrite::Replace).map_err(CliError::other)?;
    }
    dimorph_core::output::write_atomic(&mark, b"", dimorph_core::Overwrite::Replace).map_err(CliError::other)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_file_is_embedded() {
        let names: Vec<&str> = super::files::FILES.iter().map(|(n, _)| *n).collect();
        for want in [
            "SOURCES.md",
            "crabs.csv",
            "snoring.csv",
            "hmd/USA/USA.Deaths_1x1.txt",
            "embed/digits.csv",
        ] {
            assert!(names.contains(&want), "{want} not embedded: {names:?}");
        }
        let extracted = super::extract().expect("extracts");
        assert!(extracted.join("refint/reflimr_livertests.csv").is_file());
    }
}
