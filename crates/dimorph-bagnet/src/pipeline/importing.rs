//! `import`: a PyTorch or safetensors BagNet weight file (e.g. the reference ImageNet bagnet8/16/32)
//! turned into a model folder that `eval` and `explain` accept.

use std::path::{Path, PathBuf};

use dimorph_report::{Outcome, Section};
use serde::Serialize;

use crate::checkpoint::{save_net, ModelMeta};
use crate::model::{Arch, BagNetConfig};
use crate::options::{check_width, ImportOptions, MAX_CLASSES, MAX_WIDTH};
use crate::weights::{inspect, load_pretrained_net, LoadOptions, LoadReport};
use crate::BagNetError;

/// Result of `import`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportResult {
    /// The model folder written.
    pub out: PathBuf,
    pub arch: Arch,
    pub width: f64,
    pub classes: Vec<String>,
    /// How the weights were read and loaded.
    pub load: LoadReport,
}

/// Read a PyTorch or safetensors BagNet weight file into a model folder that `eval` and
/// `explain` accept (weights and `meta.json`, as `train` writes them).
pub fn import(weights: &Path, opt: &ImportOptions, out: &Path) -> Result<ImportResult, BagNetError> {
    opt.validate()?;
    if out.join("meta.json").exists() {
        return Err(BagNetError::file(out, "holds a model already; choose a new --out"));
    }
    let layout = inspect(weights)?;
    let arch = match (opt.arch, layout) {
        (Some(a), _) => a,
        (None, Some(l)) => l.arch,
        (None, None) => {
            return Err(BagNetError::file(
                weights,
                "the architecture cannot be read from the tensor shapes; pass --arch and --width",
            ))
        }
    };
    let width = opt.width.or(layout.map(|l| l.width)).unwrap_or(1.0);
    if opt.width.is_none() {
        check_width(width).map_err(|_| {
            BagNetError::file(
                weights,
                format!("the tensor shapes are those of width {width}, more than {MAX_WIDTH}; not a model to import"),
            )
        })?;
    }
    arch.map_size(opt.size)?;
    let classes = match &opt.classes {
        Some(c) => c.clone(),
        None => match layout.map(|l| l.outputs) {
            Some(1) => vec!["0".into(), "1".into()],
            Some(k) if k == 0 || k > MAX_CLASSES => {
                return Err(BagNetError::file(
                    weights,
                    format!("the head has {k} outputs (a model has 1 to {MAX_CLASSES}); pass --classes"),
                ))
            }
            Some(k) => (0..k).map(|i| i.to_string()).collect(),
            None => {
                return Err(BagNetError::file(
                    weights,
                    "the number of outputs cannot be read from the file; pass --classes",
                ))
            }
        },
    };
    let outputs = if classes.len() == 2 { 1 } else { classes.len() };
    let config = BagNetConfig::new(arch, outputs).with_width(width);
    let device = Default::default();
    let mut model = config.init_net::<crate::Cpu>(&device, 0);
    let load = load_pretrained_net(&mut model, weights, &LoadOptions::default())?;
    let meta = ModelMeta {
        config,
        classes: classes.clone(),
        size: opt.size,
        mask: opt.mask,
        epoch: 0,
    };
    save_net(out, &model, &meta)?;
    Ok(ImportResult {
        out: out.to_path_buf(),
        arch,
        width,
        classes,
        load,
    })
}

/// `bagnet import`: the weight file `weights` into the model folder `out`.
pub fn run_import(weights: &Path, out: &Path, opt: &ImportOptions) -> Result<Outcome<ImportResult>, BagNetError> {
    let r = import(weights, opt, out)?;
    let line = import_line(&r);
    Ok(Outcome::new(r.clone()).summary_line(line).section(import_section(&r)))
}

fn import_line(r: &ImportResult) -> String {
    format!(
        "model {} at width {} for classes {} written to {}",
        r.arch.name(),
        r.width,
        r.classes.join(", "),
        r.out.display()
    )
}

/// The import as a report section.
pub fn import_section(r: &ImportResult) -> Section {
    let mut s = Section::new("BagNet weight import");
    s.pre(r.load.summary());
    s.text(import_line(r));
    s
}
