//! The backend an analysis runs on, as `--device` and `--precision` choose: burn's CPU backend with
//! this crate's kernels, or (the `cuda` feature) the CUDA backend in f32, bf16 or f16 on GPU N.

/// `on_device!(device, precision, inference|training, |B, dev| body)`: `body` with `B` the backend
/// type (its autodiff wrapper for `training`) and `dev` its device; an error without a CUDA build.
/// The body is compiled once per backend.
macro_rules! on_device {
    ($device:expr, $precision:expr, $mode:ident, |$B:ident, $dev:ident| $body:expr) => {{
        use $crate::options::DeviceKind;
        match $device {
            DeviceKind::Cpu => {
                type $B = on_device!(@cpu $mode);
                let $dev = Default::default();
                $body
            }
            #[cfg(feature = "cuda")]
            DeviceKind::Cuda { index } => {
                use $crate::options::Precision;
                let $dev = $crate::gpu::cuda_device(index)?;
                match $precision {
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
            #[cfg(not(feature = "cuda"))]
            DeviceKind::Cuda { .. } => {
                let _ = $precision;
                Err($crate::BagNetError::Arg(
                    "--device cuda: this build has no CUDA backend (build dimorph with `--features cuda`)".into(),
                ))
            }
        }
    }};
    (@cpu inference) => { $crate::Cpu };
    (@cpu training) => { $crate::CpuTrain };
    (@gpu inference, $f:ty) => { $crate::Gpu<$f> };
    (@gpu training, $f:ty) => { $crate::GpuTrain<$f> };
}

pub(crate) use on_device;
