//! The patch-feature export (paper §3.4) as Apache Parquet: `features.parquet`, the columns of
//! `features.csv` (image, row, col, label, logit, f0 … f{C−1}) with the features stored as
//! `float32` (bit for bit the values the model computed; the text table prints them in 7 to 14
//! bytes each) and read by the embedding engine without a double-precision copy
//! (`dimorph_data::read_parquet_f32`). Patches are buffered and written a row group at a time
//! (at most [`ROW_GROUP_VALUES`] feature values held), into a temporary file in the target's
//! folder renamed over the target when complete, as the kernel's `CsvStream` does.
// KERNEL? a streaming atomic file (temporary + rename) for non-CSV writers could live in
// dimorph_core::output beside write_atomic.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dimorph_core::output::{OutputError, Overwrite};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FloatType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::BagNetError;

/// Feature values held before a row group is written (64 MB of `f32`).
pub const ROW_GROUP_VALUES: usize = 1 << 24;

/// The patches of the row group being filled, column by column.
#[derive(Default)]
struct Buffer {
    image: Vec<ByteArray>,
    row: Vec<i64>,
    col: Vec<i64>,
    label: Vec<ByteArray>,
    logit: Vec<f64>,
    /// `features[f]`: feature f of every buffered patch.
    features: Vec<Vec<f32>>,
}

/// Writes `features.parquet` image by image.
pub struct ParquetFeatures {
    path: PathBuf,
    tmp: PathBuf,
    overwrite: Overwrite,
    writer: Option<SerializedFileWriter<File>>,
    buf: Buffer,
    dim: usize,
    /// Feature values held before a row group is written.
    group_values: usize,
}

fn schema(dim: usize) -> parquet::errors::Result<Type> {
    let text = |n: &str| {
        Type::primitive_type_builder(n, Physical::BYTE_ARRAY)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(Some(LogicalType::String))
            .build()
    };
    let prim = |n: &str, p: Physical| {
        Type::primitive_type_builder(n, p)
            .with_repetition(Repetition::REQUIRED)
            .build()
    };
    let mut fields = vec![
        text("image")?,
        prim("row", Physical::INT64)?,
        prim("col", Physical::INT64)?,
        text("label")?,
        prim("logit", Physical::DOUBLE)?,
    ];
    for f in 0..dim {
        fields.push(prim(&format!("f{f}"), Physical::FLOAT)?);
    }
    Type::group_type_builder("features")
        .with_fields(fields.into_iter().map(Arc::new).collect())
        .build()
}

impl ParquetFeatures {
    /// The file name in the output folder.
    pub const NAME: &'static str = "features.parquet";

    /// Start `features.parquet` in `dir` (created) for `dim` features per patch; an existing file
    /// is refused unless `overwrite` says to replace it.
    pub fn create(dir: &Path, dim: usize, overwrite: Overwrite) -> Result<Self, BagNetError> {
        let path = dir.join(Self::NAME);
        if overwrite == Overwrite::Refuse && path.exists() {
            return Err(OutputError::Exists(path).into());
        }
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source: std::io::Error| OutputError::Io { path: p, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = dir.join(format!(".{}.{}.tmp", Self::NAME, std::process::id()));
        let file = File::create(&tmp).map_err(io(&tmp))?;
        let mut w = ParquetFeatures {
            path,
            tmp,
            overwrite,
            writer: None,
            buf: Buffer {
                features: vec![Vec::new(); dim],
                ..Default::default()
            },
            dim,
            group_values: ROW_GROUP_VALUES,
        };
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(false)
            .build();
        let writer = schema(dim)
            .and_then(|s| SerializedFileWriter::new(file, Arc::new(s), Arc::new(props)))
            .map_err(|e| w.error(e))?;
        w.writer = Some(writer);
        Ok(w)
    }

    /// Write a row group whenever `n` feature values (at least one patch) are held.
    pub fn with_row_group_values(mut self, n: usize) -> Self {
        self.group_values = n.clamp(1, ROW_GROUP_VALUES);
        self
    }

    fn error(&self, e: impl std::fmt::Display) -> BagNetError {
        OutputError::Io {
            path: self.tmp.clone(),
            source: std::io::Error::other(e.to_string()),
        }
        .into()
    }

    /// The patches of one image: `map` its patch logits (h·w, row-major) and `features` its
    /// feature maps `[C, h, w]` (C = `dim`, checked by the caller).
    pub fn image(
        &mut self,
        name: &str,
        label: &str,
        map: &[f64],
        features: &[f32],
        [c, h, w]: [usize; 3],
    ) -> Result<(), BagNetError> {
        let b = &mut self.buf;
        for (p, &logit) in map.iter().enumerate().take(h * w) {
            b.image.push(ByteArray::from(name));
            b.row.push((p / w) as i64);
            b.col.push((p % w) as i64);
            b.label.push(ByteArray::from(label));
            b.logit.push(logit);
        }
        for (f, column) in b.features.iter_mut().enumerate().take(c) {
            column.extend_from_slice(&features[f * h * w..(f + 1) * h * w]);
        }
        if b.row.len() * self.dim.max(1) >= self.group_values {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered patches as one row group.
    fn flush(&mut self) -> Result<(), BagNetError> {
        if self.buf.row.is_empty() {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let b = &mut self.buf;
        let r = (|| -> parquet::errors::Result<()> {
            let mut rg = writer.next_row_group()?;
            let mut j = 0;
            while let Some(mut col) = rg.next_column()? {
                match j {
                    0 => col.typed::<ByteArrayType>().write_batch(&b.image, None, None)?,
                    1 => col.typed::<Int64Type>().write_batch(&b.row, None, None)?,
                    2 => col.typed::<Int64Type>().write_batch(&b.col, None, None)?,
                    3 => col.typed::<ByteArrayType>().write_batch(&b.label, None, None)?,
                    4 => col.typed::<DoubleType>().write_batch(&b.logit, None, None)?,
                    _ => col.typed::<FloatType>().write_batch(&b.features[j - 5], None, None)?,
                };
                col.close()?;
                j += 1;
            }
            rg.close()?;
            Ok(())
        })();
        b.image.clear();
        b.row.clear();
        b.col.clear();
        b.label.clear();
        b.logit.clear();
        b.features.iter_mut().for_each(Vec::clear);
        r.map_err(|e| self.error(e))
    }

    /// Complete the file (the last row group, the footer; synced and renamed into place); its path.
    pub fn finish(mut self) -> Result<PathBuf, BagNetError> {
        self.flush()?;
        let Some(writer) = self.writer.take() else {
            return Ok(self.path.clone());
        };
        let file = writer.into_inner().map_err(|e| self.error(e))?;
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source: std::io::Error| OutputError::Io { path: p, source }
        };
        file.sync_all().map_err(io(&self.tmp))?;
        drop(file);
        if self.overwrite == Overwrite::Refuse && self.path.exists() {
            return Err(OutputError::Exists(self.path.clone()).into());
        }
        std::fs::rename(&self.tmp, &self.path).map_err(io(&self.path))?;
        Ok(self.path.clone())
    }
}

impl Drop for ParquetFeatures {
    fn drop(&mut self) {
        if self.writer.take().is_some() || self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
