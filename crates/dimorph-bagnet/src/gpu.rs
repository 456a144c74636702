//! The CUDA device (`--device cuda[:N]`, the `cuda` feature): before burn touches the GPU, check
//! that the NVIDIA driver and NVRTC (which compiles CubeCL's kernels at run time) can be loaded and
//! that GPU number N exists, so that a machine without them gets a clear error (exit 2) saying
//! what to install instead of a panic inside the backend.

use burn::backend::cuda::CudaDevice;

use crate::BagNetError;

/// GPU number `index`, checked as the module doc says.
pub fn cuda_device(index: usize) -> Result<CudaDevice, BagNetError> {
    // SAFETY: both only try to open the shared library (dlopen) and keep it; no CUDA call is made.
    let driver = unsafe { cudarc::driver::sys::is_culib_present() };
    if !driver {
        return Err(BagNetError::Arg(
            "--device cuda: the NVIDIA driver library (libcuda.so.1) could not be loaded: install the \
             NVIDIA driver for your GPU (e.g. Debian/Ubuntu: apt install nvidia-driver), or run with --device cpu"
                .into(),
        ));
    }
    let nvrtc = unsafe { cudarc::nvrtc::sys::is_culib_present() };
    if !nvrtc {
        return Err(BagNetError::Arg(
            "--device cuda: NVRTC, CUDA's run-time compiler (libnvrtc.so.13 or .12), could not be loaded: \
             install it (the CUDA toolkit's cuda-nvrtc package, or `pip install nvidia-cuda-nvrtc`) and put \
             the folder holding libnvrtc.so on LD_LIBRARY_PATH"
                .into(),
        ));
    }
    cudarc::driver::result::init()
        .map_err(|e| BagNetError::Arg(format!("--device cuda: the NVIDIA driver failed to start: {e:?}")))?;
    let count = cudarc::driver::result::device::get_count()
        .map_err(|e| BagNetError::Arg(format!("--device cuda: could not count the GPUs: {e:?}")))?;
    let count = usize::try_from(count).unwrap_or(0);
    if index >= count {
        return Err(BagNetError::Arg(match count {
            0 => "--device cuda: the driver sees no GPU on this machine".into(),
            n => format!(
                "--device cuda:{index}: this machine has {n} GPU(s), cuda:0 to cuda:{}",
                n - 1
            ),
        }));
    }
    Ok(CudaDevice { index })
}
