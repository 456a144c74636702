//! The export of every patch's feature vector for the embedding engine (paper §3.4):
//! `features.csv`, one row per patch (image, row, col, label, logit, f0 … f{C−1}). The table is far
//! too large to hold (729 patches × 2048 features per 224 px image), so it is written as it is
//! computed, image by image, as tidy-table rows through the `csv` crate (quoting is always right),
//! into a temporary file that is renamed over `features.csv` when complete.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use dimorph_core::output::{OutputError, Overwrite};
use dimorph_core::{Cell, TidyTable};

use crate::BagNetError;

// KERNEL? a streaming, atomically renamed TidyTable writer (the kernel writes whole tables only).
/// Writes `features.csv` row block by row block.
pub struct FeatureWriter {
    path: PathBuf,
    tmp: PathBuf,
    overwrite: Overwrite,
    /// None once finished.
    csv: Option<csv::Writer<BufWriter<File>>>,
    header_done: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BagNetError + '_ {
    move |source| {
        BagNetError::Output(OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl FeatureWriter {
    /// The file name in the output folder.
    pub const NAME: &'static str = "features.csv";

    /// Start `features.csv` in `dir` (created); an existing file is refused unless `overwrite`
    /// says to replace it.
    pub fn create(dir: &Path, overwrite: Overwrite) -> Result<Self, BagNetError> {
        let path = dir.join(Self::NAME);
        if overwrite == Overwrite::Refuse && path.exists() {
            return Err(OutputError::Exists(path).into());
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = dir.join(format!(".{}.{}.tmp", Self::NAME, std::process::id()));
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::new(file));
        Ok(FeatureWriter {
            path,
            tmp,
            overwrite,
            csv: Some(csv),
            header_done: false,
        })
    }

    /// The rows of one image: `map` its patch logits (h·w, row-major) and `features` its feature
    /// maps `[C, h, w]`.
    pub fn image(
        &mut self,
        name: &str,
        label: &str,
        map: &[f64],
        features: &[f32],
        [c, h, w]: [usize; 3],
    ) -> Result<(), BagNetError> {
        let t = patch_table(name, label, map, features, [c, h, w]);
        self.append(&t)
    }

    /// Append a table's rows (and, the first time, its header).
    fn append(&mut self, t: &TidyTable) -> Result<(), BagNetError> {
        let tmp = &self.tmp;
        let err = |e: csv::Error| BagNetError::file(tmp, format!("feature export: {e}"));
        let Some(csv) = self.csv.as_mut() else {
            return Err(BagNetError::file(&self.path, "feature export: written after the end"));
        };
        if !self.header_done {
            csv.write_record(&t.columns).map_err(err)?;
            self.header_done = true;
        }
        for r in &t.rows {
            csv.write_record(r.iter().map(Cell::to_field)).map_err(err)?;
        }
        Ok(())
    }

    /// Complete the file: flush, sync and rename it into place; its path.
    pub fn finish(mut self) -> Result<PathBuf, BagNetError> {
        let (path, tmp, overwrite) = (self.path.clone(), self.tmp.clone(), self.overwrite);
        let Some(csv) = self.csv.take() else {
            return Ok(path);
        };
        let result = (|| {
            let buf = csv
                .into_inner()
                .map_err(|e| BagNetError::file(&tmp, format!("feature export: {}", e.error())))?;
            let file = buf
                .into_inner()
                .map_err(|e| BagNetError::file(&tmp, format!("feature export: {}", e.error())))?;
            file.sync_all().map_err(io(&tmp))?;
            if overwrite == Overwrite::Refuse && path.exists() {
                return Err(OutputError::Exists(path.clone()).into());
            }
            std::fs::rename(&tmp, &path).map_err(io(&path))
        })();
        result.map(|()| path)
    }
}

/// One image's patches as a tidy table (columns image, row, col, label, logit, f0 …). Feature
/// values are written as f32 prints (`0.1`, not the f64 print of the same number).
pub fn patch_table(name: &str, label: &str, map: &[f64], features: &[f32], [c, h, w]: [usize; 3]) -> TidyTable {
    let mut columns = vec![
        "image".to_string(),
        "row".into(),
        "col".into(),
        "label".into(),
        "logit".into(),
    ];
    columns.extend((0..c).map(|f| format!("f{f}")));
    let mut t = TidyTable {
        name: "features".into(),
        columns,
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

impl Drop for FeatureWriter {
    fn drop(&mut self) {
        // A writer dropped before its file is in place (an error part-way, or in `finish`) leaves
        // no temporary file behind; after the rename there is none to remove.
        let _ = std::fs::remove_file(&self.tmp);
    }
}
