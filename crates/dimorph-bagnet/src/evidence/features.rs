//! The export of every patch's feature vector for the embedding engine (paper §3.4):
//! `features.csv`, one row per patch (image, row, col, label, logit, f0 … f{C−1}). The table is far
//! too large to hold (729 patches × 2048 features per 224 px image), so it is written as it is
//! computed, image by image, as tidy-table rows through the kernel's [`CsvStream`](dimorph_core::table::CsvStream) (the `csv` crate,
//! so quoting is always right; a temporary file renamed over `features.csv` when complete), or with
//! [`FeatureFormat::Parquet`] as `features.parquet` ([`super::features_parquet`]).

use std::path::{Path, PathBuf};

use dimorph_core::output::Overwrite;
use dimorph_core::table::CsvStream;
use dimorph_core::{Cell, TidyTable};

use super::features_parquet::ParquetFeatures;
pub use crate::options::FeatureFormat;
use crate::BagNetError;

/// Where the rows go.
enum Sink {
    Csv(CsvStream),
    Parquet(ParquetFeatures),
}

/// Writes `features.csv` (or `features.parquet`) image by image.
pub struct FeatureWriter {
    sink: Sink,
    /// Features per patch.
    dim: usize,
}

/// The columns of `features.csv` for `dim` features per patch.
fn columns(dim: usize) -> Vec<String> {
    let mut c = vec![
        "image".to_string(),
        "row".into(),
        "col".into(),
        "label".into(),
        "logit".into(),
    ];
    c.extend((0..dim).map(|f| format!("f{f}")));
    c
}

impl FeatureWriter {
    /// The file name in the output folder.
    pub const NAME: &'static str = "features.csv";

    /// Start `features.csv` in `dir` (created) for `dim` features per patch; an existing file is
    /// refused unless `overwrite` says to replace it.
    pub fn create(dir: &Path, dim: usize, overwrite: Overwrite) -> Result<Self, BagNetError> {
        let cols = columns(dim);
        let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        let csv = CsvStream::create(&dir.join(Self::NAME), &cols, overwrite)?;
        Ok(FeatureWriter {
            sink: Sink::Csv(csv),
            dim,
        })
    }

    /// Start the export in `format` in `dir` (`features.csv` or `features.parquet`).
    pub fn create_as(dir: &Path, dim: usize, overwrite: Overwrite, format: FeatureFormat) -> Result<Self, BagNetError> {
        match format {
            FeatureFormat::Csv => Self::create(dir, dim, overwrite),
            FeatureFormat::Parquet => Ok(FeatureWriter {
                sink: Sink::Parquet(ParquetFeatures::create(dir, dim, overwrite)?),
                dim,
            }),
        }
    }

    /// The rows of one image: `map` its patch logits (h·w, row-major) and `features` its feature
    /// maps `[C, h, w]` (C must be the writer's).
    pub fn image(
        &mut self,
        name: &str,
        label: &str,
        map: &[f64],
        features: &[f32],
        [c, h, w]: [usize; 3],
    ) -> Result<(), BagNetError> {
        if c != self.dim {
            return Err(BagNetError::Data(format!(
                "feature export: {c} features per patch, the table has {}",
                self.dim
            )));
        }
        if map.len() < h * w || features.len() < c * h * w {
            return Err(BagNetError::Data(format!(
                "feature export: image {name} has {} logits and {} feature values for {c}×{h}×{w}",
                map.len(),
                features.len()
            )));
        }
        match &mut self.sink {
            Sink::Csv(csv) => {
                for row in patch_table(name, label, map, features, [c, h, w]).rows {
                    csv.write_row(&row)?;
                }
            }
            Sink::Parquet(p) => p.image(name, label, map, features, [c, h, w])?,
        }
        Ok(())
    }

    /// Complete the file (renamed into place); its path.
    pub fn finish(self) -> Result<PathBuf, BagNetError> {
        match self.sink {
            Sink::Csv(csv) => Ok(csv.finish()?),
            Sink::Parquet(p) => p.finish(),
        }
    }
}

/// One image's patches as a tidy table (columns image, row, col, label, logit, f0 …). Feature
/// values are written as f32 prints (`0.1`, not the f64 print of the same number).
pub fn patch_table(name: &str, label: &str, map: &[f64], features: &[f32], [c, h, w]: [usize; 3]) -> TidyTable {
    let mut t = TidyTable {
        name: "features".into(),
        columns: columns(c),
        rows: Vec::with_capacity(h * w),
    };
    for p in 0..h * w {
        let mut row = Vec::with_capacity(5 + c);
        row.push(Cell::from(name));
        row.push(Cell::from(p / w));
        row.push(Cell::from(p % w));
        row.push(Cell::from(label));
        row.push(Cell::from(map[p]));
        for f in 0..c {
            row.push(Cell::Text(features[(f * h + p / w) * w + p % w].to_string()));
        }
        t.rows.push(row);
    }
    t
}
