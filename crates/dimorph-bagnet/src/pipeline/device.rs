//! The backend an analysis runs on, as `--device` and `--precision` choose: burn's CPU backend with
//! this crate's kernels, or (the `cuda` feature) the CUDA backend in f32, bf16 or f16 on GPU N.
//!
//! Every analysis resolves and probes its device with [`probe`] right after checking its options
//! and before it reads, caches or writes anything, so that a device that cannot run (a build
//! without CUDA, a machine without the NVIDIA driver or NVRTC, a GPU number it lacks) stops the run
//! with exit 2 and leaves no output folder or image cache behind. [`on_device!`] takes only a
//! probed device, so no analysis can reach a backend without that check.

use crate::options::DeviceKind;
use crate::BagNetError;

/// A device that [`probe`] found usable.
#[derive(Debug, Clone)]
pub(crate) enum Probed {
    /// burn's CPU backend.
    Cpu,
    /// One CUDA GPU, or several for data-parallel training, whose driver and NVRTC were loaded
    /// and whose numbers exist (never empty).
    #[cfg(feature = "cuda-backend")]
    Cuda(Vec<burn::backend::cuda::CudaDevice>),
}

impl Probed {
    /// Warnings for a run on this device: on the GPU, a kernel cache that could not be created
    /// ([`crate::gpu::cache_note`]). None on the CPU.
    pub(crate) fn notes(&self) -> Vec<String> {
        match self {
            Probed::Cpu => Vec::new(),
            #[cfg(feature = "cuda-backend")]
            Probed::Cuda(_) => crate::gpu::cache_note().into_iter().collect(),
        }
    }
}

/// Resolve `device` and check that it can run: the CPU always; CUDA GPU N only in a build with the
/// `cuda` feature, on a machine where [`crate::gpu::cuda_device`] loads the driver and NVRTC and
/// finds GPU N. A set of GPUs is refused: only training splits its work over several
/// ([`probe_train`]). Has no side effect on files.
pub(crate) fn probe(device: DeviceKind) -> Result<Probed, BagNetError> {
    if let DeviceKind::CudaSet { .. } = device {
        return Err(BagNetError::Arg(format!(
            "--device {}: only `bagnet train` runs on several GPUs; name one (--device cuda:0)",
            device.name()
        )));
    }
    probe_train(device)
}

/// [`probe`] for training, which also takes a set of GPUs (each one probed).
pub(crate) fn probe_train(device: DeviceKind) -> Result<Probed, BagNetError> {
    match device {
        DeviceKind::Cpu => Ok(Probed::Cpu),
        #[cfg(feature = "cuda-backend")]
        DeviceKind::Cuda { index } => Ok(Probed::Cuda(vec![crate::gpu::cuda_device(index)?])),
        #[cfg(feature = "cuda-backend")]
        DeviceKind::CudaSet { gpus } => gpus
            .indices()
            .into_iter()
            .map(crate::gpu::cuda_device)
            .collect::<Result<Vec<_>, _>>()
            .map(Probed::Cuda),
        #[cfg(not(feature = "cuda-backend"))]
        DeviceKind::Cuda { .. } | DeviceKind::CudaSet { .. } => Err(BagNetError::Arg(
            "--device cuda: this build has no CUDA backend (build dimorph with `--features cuda`)".into(),
        )),
    }
}

/// `on_device!(probed, precision, inference|training, |B, dev| body)`: `body` with `B` the backend
/// type (its autodiff wrapper for `training`) and `dev` its device, for a device from [`probe`];
/// `|B, dev, devices| body` also binds every device (several GPUs for training; `dev` is the
/// first). The body is compiled once per backend.
macro_rules! on_device {
    ($probed:expr, $precision:expr, $mode:ident, |$B:ident, $dev:ident| $body:expr) => {
        on_device!($probed, $precision, $mode, |$B, $dev, _devices| $body)
    };
    ($probed:expr, $precision:expr, $mode:ident, |$B:ident, $dev:ident, $all:ident| $body:expr) => {{
        use $crate::pipeline::device::Probed;
        let probed: &Probed = &$probed;
        let precision: $crate::options::Precision = $precision;
        match probed {
            Probed::Cpu => {
                let _ = precision;
                type $B = on_device!(@cpu $mode);
                let $dev: burn::tensor::Device<$B> = Default::default();
                let $all = vec![$dev.clone()];
                $body
            }
            #[cfg(feature = "cuda-backend")]
            Probed::Cuda(gpus) => {
                use $crate::options::Precision;
                let $dev = gpus[0].clone();
                let $all = gpus.clone();
                match precision {
                    Precision::F32 => {
                        type $B = on_device!(@gpu $mode, f32);
                        $body
                    }
                    Precision::Bf16 => {
                        type $B = on_device!(@gpu $mode, burn::tensor::bf16);
                        $body
                    }
                    Precision::F16 => {
                        type $B = on_device!(@gpu $mode, burn::tensor::f16);
                        $body
                    }
                }
            }
        }
    }};
    (@cpu inference) => { $crate::Cpu };
    (@cpu training) => { $crate::CpuTrain };
    (@gpu inference, $f:ty) => { $crate::Gpu<$f> };
    (@gpu training, $f:ty) => { $crate::GpuTrain<$f> };
}

pub(crate) use on_device;
