//! The generic entry points that tests, examples and benchmarks call on the CPU backend
//! ([`Cpu`], [`CpuTrain`]), as non-generic functions compiled once, here.
//!
//! At opt-level 3 (the dev profile's setting for this crate and burn) rustc does not share generic
//! instances between crates: every test binary or example that names `load_net::<Cpu>` compiles
//! the whole of it (record loading for the three architectures, their initialisation, the loader,
//! the evidence maps…) again. Calling these (and the `*_cpu` methods of [`BagNetConfig`]) instead uses the one instance in this library. Each is
//! the generic function of the same name with the backend fixed and the device burn's default
//! CPU device; nothing else differs. [`crate::train::train_cpu`] is the same for training.

use std::path::Path;

use dimorph_report::Outcome;

use crate::checkpoint::{self, ModelMeta};
use crate::data::Dataset;
use crate::evidence::figure3::{self, Patches, TsneSettings};
use crate::evidence::{FeatureWriter, ImageEvidence};
use crate::model::{BagNet, BagNetConfig};
use crate::net::Net;
use crate::options::ExplainOptions;
use crate::pipeline::{self, EvalResult, ExplainResult, ExplainSet};
use crate::weights::{self, LoadOptions, LoadReport};
use crate::{BagNetError, Cpu, CpuTrain};

/// [`checkpoint::load_model`] on [`Cpu`].
pub fn load_model(dir: &Path) -> Result<(BagNet<Cpu>, ModelMeta), BagNetError> {
    checkpoint::load_model::<Cpu>(dir, &Default::default())
}

/// [`checkpoint::load_net`] on [`Cpu`].
pub fn load_net(dir: &Path) -> Result<(Net<Cpu>, ModelMeta), BagNetError> {
    checkpoint::load_net::<Cpu>(dir, &Default::default())
}

/// [`checkpoint::load_net`] on [`CpuTrain`] (a model to train or to read parameters from as
/// training holds them).
pub fn load_net_train(dir: &Path) -> Result<(Net<CpuTrain>, ModelMeta), BagNetError> {
    checkpoint::load_net::<CpuTrain>(dir, &Default::default())
}

impl BagNetConfig {
    /// [`BagNetConfig::init`] on [`Cpu`].
    pub fn init_cpu(&self) -> BagNet<Cpu> {
        self.init::<Cpu>(&Default::default())
    }

    /// [`BagNetConfig::init_seeded`] on [`Cpu`].
    pub fn init_seeded_cpu(&self, seed: u64) -> BagNet<Cpu> {
        self.init_seeded::<Cpu>(&Default::default(), seed)
    }

    /// [`BagNetConfig::init`] on [`CpuTrain`].
    pub fn init_train(&self) -> BagNet<CpuTrain> {
        self.init::<CpuTrain>(&Default::default())
    }

    /// [`BagNetConfig::init_net`] on [`Cpu`].
    pub fn init_net_cpu(&self, seed: u64) -> Net<Cpu> {
        self.init_net::<Cpu>(&Default::default(), seed)
    }

    /// [`BagNetConfig::init_net`] on [`CpuTrain`].
    pub fn init_net_cpu_train(&self, seed: u64) -> Net<CpuTrain> {
        self.init_net::<CpuTrain>(&Default::default(), seed)
    }
}

/// [`weights::load_pretrained`] into a BagNet on [`Cpu`].
pub fn load_pretrained(model: &mut BagNet<Cpu>, path: &Path, opts: &LoadOptions) -> Result<LoadReport, BagNetError> {
    weights::load_pretrained(model, path, opts)
}

/// [`weights::load_pretrained`] into a BagNet on [`CpuTrain`].
pub fn load_pretrained_train(
    model: &mut BagNet<CpuTrain>,
    path: &Path,
    opts: &LoadOptions,
) -> Result<LoadReport, BagNetError> {
    weights::load_pretrained(model, path, opts)
}

/// [`weights::load_pretrained_net`] into a model on [`Cpu`].
pub fn load_pretrained_net(model: &mut Net<Cpu>, path: &Path, opts: &LoadOptions) -> Result<LoadReport, BagNetError> {
    weights::load_pretrained_net(model, path, opts)
}

/// [`weights::load_pretrained_net`] into a model on [`CpuTrain`].
pub fn load_pretrained_net_train(
    model: &mut Net<CpuTrain>,
    path: &Path,
    opts: &LoadOptions,
) -> Result<LoadReport, BagNetError> {
    weights::load_pretrained_net(model, path, opts)
}

/// [`pipeline::eval_model`] of a model on [`Cpu`].
pub fn eval_model(
    model: &Net<Cpu>,
    meta: &ModelMeta,
    ds: &Dataset,
    sets: &[(String, Vec<usize>)],
) -> Result<EvalResult, BagNetError> {
    pipeline::eval_model(model, meta, ds, sets, &Default::default())
}

/// [`pipeline::explain_model`] of a BagNet on [`Cpu`].
pub fn explain_model(
    model: &BagNet<Cpu>,
    meta: &ModelMeta,
    set: &ExplainSet,
    opt: &ExplainOptions,
    features: Option<&mut FeatureWriter>,
) -> Result<Outcome<ExplainResult>, BagNetError> {
    pipeline::explain_model(model, meta, set, opt, features, &Default::default())
}

/// [`figure3::collect`] with a BagNet on [`Cpu`].
pub fn collect_patches(
    model: &BagNet<Cpu>,
    ds: &Dataset,
    ev: &[ImageEvidence],
    s: &TsneSettings,
) -> Result<Patches, BagNetError> {
    figure3::collect(model, ds, ev, s, &Default::default())
}
