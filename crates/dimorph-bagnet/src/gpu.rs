//! The CUDA device (`--device cuda[:N]`, the `cuda` feature): before burn touches the GPU, check
//! that the NVIDIA driver and NVRTC (which compiles CubeCL's kernels at run time) can be loaded and
//! that GPU number N exists, so that a machine without them gets a clear error (exit 2) saying
//! what to install instead of a panic inside the backend; and configure where CubeCL keeps its
//! compiled kernels and autotune results ([`crate::kernel_cache`]).

use std::path::Path;
use std::sync::OnceLock;

use burn::backend::cuda::CudaDevice;
use cubecl::config::cache::CacheConfig;
use cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};

use crate::kernel_cache::{self, KernelCache};
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
    configure_cubecl()?;
    Ok(CudaDevice { index })
}

/// CubeCL's configuration, set once per process before the backend first reads it: the user's own
/// file, or CubeCL's defaults with [`crate::kernel_cache`]'s folder for compiled kernels and
/// autotune results; then CubeCL's environment variables (`CUBECL_AUTOTUNE_LEVEL`, …) as CubeCL
/// applies them. The folder chosen, if any.
pub fn configure_cubecl() -> Result<Option<std::path::PathBuf>, BagNetError> {
    match configured() {
        Ok(c) => Ok(c.dir.clone()),
        Err(e) => Err(BagNetError::Arg(e.clone())),
    }
}

/// What a run on the GPU should be told about [`configure_cubecl`]'s choice: the kernel folder
/// that could not be created (CubeCL then keeps no compiled kernels and puts its autotune results
/// in the working folder's Cargo target folder, if any), so that every run pays the warm-up
/// again. None before the GPU was configured, or when all went as chosen.
pub fn cache_note() -> Option<String> {
    configured().as_ref().ok().and_then(|c| c.note.clone())
}

/// [`configure_cubecl`]'s choice, once.
struct Configured {
    dir: Option<std::path::PathBuf>,
    note: Option<String>,
}

fn configured() -> &'static Result<Configured, String> {
    static CONFIGURED: OnceLock<Result<Configured, String>> = OnceLock::new();
    CONFIGURED.get_or_init(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
        let mut note = None;
        let (config, dir) = match kernel_cache::choose(|k| std::env::var_os(k), &cwd) {
            KernelCache::UserConfig { path, section } => (read_user_config(&path, section)?, None),
            KernelCache::Dir(dir) => {
                let mut config = CubeClRuntimeConfig::default();
                match std::fs::create_dir_all(&dir) {
                    Ok(()) => {
                        config.compilation.cache = Some(CacheConfig::File(dir.clone()));
                        config.autotune.cache = CacheConfig::File(dir.clone());
                        (config, Some(dir))
                    }
                    Err(e) => {
                        note = Some(kernel_cache::unusable_note(&dir, &e));
                        (config, None)
                    }
                }
            }
            KernelCache::Off => (CubeClRuntimeConfig::default(), None),
        };
        // `set` refuses a second configuration; CONFIGURED makes this the only call in dimorph.
        CubeClRuntimeConfig::set(config.override_from_env());
        Ok(Configured { dir, note })
    })
}

/// A user's `cubecl.toml` (or the `[section]` of a `burn.toml`), read as CubeCL reads it, with a
/// malformed one an error naming the file rather than CubeCL's panic.
fn read_user_config(path: &Path, section: Option<&str>) -> Result<CubeClRuntimeConfig, String> {
    let bad = |e: &dyn std::fmt::Display| format!("--device cuda: CubeCL's configuration file {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| bad(&e))?;
    match section {
        None => toml::from_str(&text).map_err(|e| bad(&e)),
        Some(name) => {
            let mut table: toml::Table = toml::from_str(&text).map_err(|e| bad(&e))?;
            let value = table.remove(name).ok_or_else(|| bad(&format!("no [{name}] section")))?;
            value.try_into().map_err(|e| bad(&e))
        }
    }
}
