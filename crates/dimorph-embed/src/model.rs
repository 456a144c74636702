//! A saved embedding: what placing new points into it ([`crate::transform`], openTSNE's
//! `TSNEEmbedding.transform`) needs, written by `dimorph embed --out DIR` and read by
//! `dimorph embed --transform NEW --into DIR`.
//!
//! # Format (version 1)
//!
//! Four files in the output folder; numbers in the binary files are IEEE little-endian, row-major:
//!
//! * `model.json` — the header: `format` (`"dimorph-embed-model"`), `version` (1), `source` (the
//!   training table), `columns` (the feature columns, in order), `scaling` (`null`, or the input's
//!   `centre` per column and `power_of_two`, see [`crate::input::Scaling`]), `distance_exponent`
//!   (`null`, or e when the features were multiplied by 2^−e, [`Features::scaled_for_distances`]),
//!   `affinity` (`{"kind": "uniform", "k": …}` or `{"kind": "gaussian", "perplexity": …}`),
//!   `alpha`, `n` (reference points), `dims` (dimensions of the search space), `pca` (whether the
//!   search space is principal components), and per binary file its length in bytes and FNV-1a
//!   64-bit checksum (`files`).
//! * `model_coords.f64` — `n × 2` `f64`: the embedding's coordinates.
//! * `model_space.f32` — `n × dims` `f32`: the reference points in the space the neighbours were
//!   searched in (the principal-component scores, or the scaled features).
//! * `model_pca.f64` — only when `pca`: `(1 + dims) × columns` `f64`: the mean, then the `dims`
//!   principal axes.

use crate::error::{EmbedError, Result};
use crate::features::Features;
use crate::input::Scaling;
use crate::params::AffinityKind;
use crate::pca::Pca;
use crate::pipeline::Reference;
use dimorph_core::OutputFile;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The header's `format` value.
pub const FORMAT: &str = "dimorph-embed-model";
/// The format version written and read.
pub const VERSION: u32 = 1;
/// File names inside the folder.
pub const HEADER: &str = "model.json";
pub const COORDS: &str = "model_coords.f64";
pub const SPACE: &str = "model_space.f32";
pub const PCA: &str = "model_pca.f64";

/// A saved embedding in memory.
#[derive(Clone, Debug)]
pub struct Model {
    /// The training table.
    pub source: String,
    /// Feature columns, in order.
    pub columns: Vec<String>,
    pub scaling: Option<Scaling>,
    pub distance_exponent: Option<i32>,
    pub affinity: AffinityKind,
    pub alpha: f64,
    /// The search space's principal components (`None`: the features themselves).
    pub pca: Option<Pca>,
    /// Reference points in the search space.
    pub space: Features,
    /// Reference coordinates.
    pub coords: Vec<[f64; 2]>,
}

#[derive(Serialize, Deserialize)]
struct ScalingHeader {
    centre: Vec<f64>,
    power_of_two: i32,
}

#[derive(Serialize, Deserialize)]
struct FileHeader {
    bytes: u64,
    fnv1a64: String,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    source: String,
    columns: Vec<String>,
    scaling: Option<ScalingHeader>,
    distance_exponent: Option<i32>,
    affinity: serde_json::Value,
    alpha: f64,
    n: usize,
    dims: usize,
    pca: bool,
    files: std::collections::BTreeMap<String, FileHeader>,
}

/// FNV-1a, 64 bits.
fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Model {
    /// The model of an embedding of `columns` (with the input's `scaling`) from its reference.
    pub fn new(
        source: &str,
        columns: &[String],
        scaling: Option<Scaling>,
        affinity: AffinityKind,
        alpha: f64,
        reference: Reference,
        coords: &[[f64; 2]],
    ) -> Model {
        Model {
            source: source.to_string(),
            columns: columns.to_vec(),
            scaling,
            distance_exponent: reference.distance_exponent,
            affinity,
            alpha,
            pca: reference.pca,
            space: reference.space,
            coords: coords.to_vec(),
        }
    }

    /// The files of the format above.
    pub fn files(&self) -> Vec<OutputFile> {
        let coords: Vec<u8> = self.coords.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
        let space: Vec<u8> = self.space.x.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut bins = vec![(COORDS, coords), (SPACE, space)];
        if let Some(p) = &self.pca {
            let dims = self.space.d;
            let pca: Vec<u8> = p
                .mean
                .iter()
                .chain(p.components.iter().take(dims).flatten())
                .flat_map(|v| v.to_le_bytes())
                .collect();
            bins.push((PCA, pca));
        }
        let header = Header {
            format: FORMAT.into(),
            version: VERSION,
            source: self.source.clone(),
            columns: self.columns.clone(),
            scaling: self.scaling.as_ref().map(|s| ScalingHeader {
                centre: s.centre.clone(),
                power_of_two: s.power_of_two,
            }),
            distance_exponent: self.distance_exponent,
            affinity: serde_json::to_value(self.affinity).unwrap_or_default(),
            alpha: self.alpha,
            n: self.space.n,
            dims: self.space.d,
            pca: self.pca.is_some(),
            files: bins
                .iter()
                .map(|(name, b)| {
                    let f = FileHeader {
                        bytes: b.len() as u64,
                        fnv1a64: fnv1a64(b),
                    };
                    (name.to_string(), f)
                })
                .collect(),
        };
        let json = serde_json::to_string_pretty(&header).unwrap_or_default() + "\n";
        let mut out = vec![OutputFile::text(HEADER, json)];
        out.extend(bins.into_iter().map(|(name, b)| OutputFile::new(name, b)));
        out
    }

    /// Reads a saved embedding from `dir`, checking every file against the header (a folder that
    /// is missing, incomplete, of another format or corrupt is refused, naming the file).
    pub fn load(dir: &Path) -> Result<Model> {
        if !dir.is_dir() {
            return Err(EmbedError::Input(format!(
                "--into {}: no such folder (give the --out folder of an earlier `dimorph embed` run)",
                dir.display()
            )));
        }
        let text = std::fs::read_to_string(dir.join(HEADER)).map_err(|e| {
            EmbedError::Input(format!(
                "--into {}: cannot read {HEADER} ({e}); the folder holds no saved embedding (an `embed` run \
                 with --out writes one)",
                dir.display()
            ))
        })?;
        let where_ = |f: &str| dir.join(f).display().to_string();
        Model::parse(&text, &where_, &|name| std::fs::read(dir.join(name)))
    }

    /// The model of the files an embedding's outcome holds (those [`Model::files`] gave).
    pub fn from_files(files: &[OutputFile]) -> Result<Model> {
        let get = |name: &str| files.iter().find(|f| f.name == name);
        let header = get(HEADER).ok_or_else(|| EmbedError::Input(format!("no {HEADER} among the files")))?;
        let text = String::from_utf8_lossy(&header.bytes);
        let where_ = |f: &str| f.to_string();
        Model::parse(&text, &where_, &|name| {
            get(name)
                .map(|f| f.bytes.clone())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not among the files"))
        })
    }

    /// The model of a header's text and the binary files `read` gives, named in messages by
    /// `where_`.
    fn parse(
        text: &str,
        where_: &dyn Fn(&str) -> String,
        read_file: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    ) -> Result<Model> {
        let h: Header = serde_json::from_str(text)
            .map_err(|e| EmbedError::Input(format!("{}: not a saved embedding's header ({e})", where_(HEADER))))?;
        if h.format != FORMAT || h.version != VERSION {
            return Err(EmbedError::Input(format!(
                "{}: format '{}' version {}, this build reads '{FORMAT}' version {VERSION}",
                where_(HEADER),
                dimorph_core::text::clip(&h.format),
                h.version
            )));
        }
        let affinity = parse_affinity(&h.affinity).ok_or_else(|| {
            EmbedError::Input(format!("{}: the affinity is not one this build knows", where_(HEADER)))
        })?;
        crate::limits::real("the saved alpha", "a positive number, ", h.alpha, crate::limits::ALPHA)
            .map_err(|e| EmbedError::Input(format!("{}: {e}", where_(HEADER))))?;
        let d = h.columns.len();
        let bad = |msg: String| EmbedError::Input(format!("{}: {msg}", where_(HEADER)));
        // the affinity's size as the fit's options bound it (a saved k of 0 or 1e15 was taken)
        match affinity {
            AffinityKind::Uniform { k } => crate::limits::count("the saved k", k, 1, crate::limits::MAX_KNN),
            AffinityKind::Gaussian { perplexity } => {
                crate::limits::real("the saved perplexity", "", perplexity, crate::limits::PERPLEXITY)
            }
        }
        .map_err(|e| bad(e.to_string()))?;
        if let Some(j) = (1..d).find(|&j| h.columns[..j].contains(&h.columns[j])) {
            return Err(bad(format!(
                "the feature column '{}' is listed twice",
                dimorph_core::text::clip(&h.columns[j])
            )));
        }
        if h.n < 2 || h.dims == 0 || d == 0 || (h.pca && h.dims > d) || (!h.pca && h.dims != d) {
            return Err(bad(format!(
                "inconsistent sizes ({} points, {} dims, {} columns)",
                h.n, h.dims, d
            )));
        }
        if h.scaling.as_ref().is_some_and(|s| s.centre.len() != d) {
            return Err(bad("the scaling has not one centre per column".into()));
        }
        let read = |name: &str, expect: usize| -> Result<Vec<u8>> {
            let fh = h.files.get(name).ok_or_else(|| bad(format!("{name} is not listed")))?;
            if fh.bytes as usize != expect {
                return Err(bad(format!("{name}: {} bytes listed, {expect} expected", fh.bytes)));
            }
            let b = read_file(name).map_err(|e| EmbedError::Input(format!("{}: cannot read ({e})", where_(name))))?;
            if b.len() != expect || fnv1a64(&b) != fh.fnv1a64 {
                return Err(EmbedError::Input(format!(
                    "{}: the file is corrupt ({} bytes, {expect} expected, or its checksum differs from {HEADER})",
                    where_(name),
                    b.len()
                )));
            }
            Ok(b)
        };
        // sizes from the header bounded by the files' actual lengths before any allocation
        let n2 = h.n.checked_mul(16).ok_or_else(|| bad("too many points".into()))?;
        let coords: Vec<[f64; 2]> = f64s(&read(COORDS, n2)?).chunks_exact(2).map(|c| [c[0], c[1]]).collect();
        let ns = h.n.checked_mul(h.dims).and_then(|v| v.checked_mul(4));
        let space = f32s(&read(SPACE, ns.ok_or_else(|| bad("too many values".into()))?)?);
        let pca = if h.pca {
            let np = (h.dims + 1).checked_mul(d).and_then(|v| v.checked_mul(8));
            let v = f64s(&read(PCA, np.ok_or_else(|| bad("too many values".into()))?)?);
            let mut rows = v.chunks_exact(d).map(<[f64]>::to_vec);
            let mean = rows.next().unwrap_or_default();
            Some(Pca {
                mean,
                components: rows.collect(),
                variances: vec![f64::NAN; h.dims],
            })
        } else {
            None
        };
        let space =
            Features::new(h.n, h.dims, space).map_err(|e| EmbedError::Input(format!("{}: {e}", where_(SPACE))))?;
        if coords.iter().flatten().any(|v| !v.is_finite()) {
            return Err(EmbedError::Input(format!(
                "{}: a coordinate is not finite",
                where_(COORDS)
            )));
        }
        Ok(Model {
            source: h.source,
            columns: h.columns,
            scaling: h.scaling.map(|s| Scaling {
                centre: s.centre,
                power_of_two: s.power_of_two,
            }),
            distance_exponent: h.distance_exponent,
            affinity,
            alpha: h.alpha,
            pca,
            space,
            coords,
        })
    }
}

fn parse_affinity(v: &serde_json::Value) -> Option<AffinityKind> {
    match v.get("kind")?.as_str()? {
        "uniform" => Some(AffinityKind::Uniform {
            k: usize::try_from(v.get("k")?.as_u64()?).ok()?,
        }),
        "gaussian" => Some(AffinityKind::Gaussian {
            perplexity: v.get("perplexity")?.as_f64()?,
        }),
        _ => None,
    }
}

fn f64s(b: &[u8]) -> Vec<f64> {
    b.chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
        .collect()
}
