//! Where the GPU backend keeps the kernels it compiles and the autotune results it measures
//! (`--device cuda`). CubeCL compiles every kernel with NVRTC at first use and autotunes every
//! matrix product, convolution and reduction per (bucketed) shape by compiling and timing candidate
//! kernels — about 6 s a shape on an H200 (2026-11-28), so the first BagNet-33 training step on a
//! new kind of GPU takes many minutes (`bench/bagnet/README.md`). Left to itself, CubeCL keeps the
//! compiled kernels nowhere, and the autotune results in the `target` folder of whatever Cargo
//! project holds the working folder (else the user's cache folder). dimorph keeps both in one
//! folder per user, so that only the first run on a kind of GPU pays for them.
//!
//! The folder: `DIMORPH_GPU_CACHE` when set (`off`: CubeCL's own defaults above), else
//! `$XDG_CACHE_HOME/dimorph/cubecl`, else `$HOME/.cache/dimorph/cubecl`. A CubeCL configuration
//! file of the user's own — `cubecl.toml` or `CubeCL.toml`, or a `[cubecl]` section in `burn.toml`
//! or `Burn.toml`, in the working folder or a folder above it, where CubeCL looks for them — is
//! used as it is instead.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the cache folder (`off`: CubeCL's defaults).
pub const ENV: &str = "DIMORPH_GPU_CACHE";

/// What the GPU backend is configured with, by [`choose`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelCache {
    /// The user's CubeCL configuration file; `section` is `Some("cubecl")` for a `burn.toml`.
    UserConfig {
        path: PathBuf,
        section: Option<&'static str>,
    },
    /// dimorph's folder for compiled kernels and autotune results.
    Dir(PathBuf),
    /// CubeCL's own defaults (`DIMORPH_GPU_CACHE=off`, or no home folder to keep a cache in).
    Off,
}

/// The configuration for a process whose working folder is `cwd` and whose environment `env`
/// reads, as the module doc says.
pub fn choose(env: impl Fn(&str) -> Option<OsString>, cwd: &Path) -> KernelCache {
    if let Some(found) = user_config(cwd) {
        return found;
    }
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(dir) = set(ENV) {
        return if dir == "off" {
            KernelCache::Off
        } else {
            KernelCache::Dir(PathBuf::from(dir))
        };
    }
    let base = set("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(".cache")));
    match base {
        Some(b) => KernelCache::Dir(b.join("dimorph").join("cubecl")),
        None => KernelCache::Off,
    }
}

/// The warning for a run whose kernel folder `dir` could not be created (`e`): CubeCL's defaults
/// are used instead, so compiled kernels are not kept and the warm-up is paid again next run.
pub fn unusable_note(dir: &Path, e: &std::io::Error) -> String {
    format!(
        "GPU kernel cache: could not create {} ({e}); CubeCL's defaults are used instead, so the \
         compiled kernels are not kept and the next run pays the GPU warm-up again (set {ENV} to a \
         folder you can write, or {ENV}=off to silence this)",
        dir.display()
    )
}

/// The first CubeCL configuration file in `cwd` or a folder above it, in CubeCL's order.
fn user_config(cwd: &Path) -> Option<KernelCache> {
    for dir in cwd.ancestors() {
        for name in ["cubecl.toml", "CubeCL.toml"] {
            let path = dir.join(name);
            if path.is_file() {
                return Some(KernelCache::UserConfig { path, section: None });
            }
        }
        for name in ["burn.toml", "Burn.toml"] {
            let path = dir.join(name);
            let has_section = std::fs::read_to_string(&path)
                .is_ok_and(|text| text.lines().any(|l| l.trim_start().starts_with("[cubecl")));
            if has_section {
                return Some(KernelCache::UserConfig {
                    path,
                    section: Some("cubecl"),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn the_users_home_cache_folder_by_default() {
        let d = dimorph_core::ScratchDir::new("dimorph-bagnet-kernel-cache").unwrap();
        assert_eq!(
            choose(env(&[("HOME", "/home/ana")]), d.path()),
            KernelCache::Dir(PathBuf::from("/home/ana/.cache/dimorph/cubecl"))
        );
        assert_eq!(
            choose(
                env(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "/var/cache/ana")]),
                d.path()
            ),
            KernelCache::Dir(PathBuf::from("/var/cache/ana/dimorph/cubecl"))
        );
        // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored; no home: nothing kept.
        assert_eq!(
            choose(env(&[("HOME", "/home/ana"), ("XDG_CACHE_HOME", "rel")]), d.path()),
            KernelCache::Dir(PathBuf::from("/home/ana/.cache/dimorph/cubecl"))
        );
        assert_eq!(choose(env(&[("HOME", "")]), d.path()), KernelCache::Off);
    }

    #[test]
    fn the_environment_variable_names_the_folder_or_turns_it_off() {
        let d = dimorph_core::ScratchDir::new("dimorph-bagnet-kernel-cache").unwrap();
        let vars = [("HOME", "/home/ana"), (ENV, "/scratch/k")];
        assert_eq!(
            choose(env(&vars), d.path()),
            KernelCache::Dir(PathBuf::from("/scratch/k"))
        );
        let vars = [("HOME", "/home/ana"), (ENV, "off")];
        assert_eq!(choose(env(&vars), d.path()), KernelCache::Off);
    }

    #[test]
    fn an_unusable_folder_is_named_with_the_reason_and_the_way_out() {
        let d = dimorph_core::ScratchDir::new("dimorph-bagnet-kernel-cache").unwrap();
        // A folder under a plain file cannot be created: the error the GPU configuration meets.
        std::fs::write(d.path().join("file"), "x").unwrap();
        let dir = d.path().join("file").join("cubecl");
        let e = std::fs::create_dir_all(&dir).unwrap_err();
        let note = unusable_note(&dir, &e);
        assert!(note.contains(&dir.display().to_string()), "{note}");
        assert!(note.contains(&e.to_string()), "{note}");
        assert!(note.contains(ENV), "{note}");
    }

    #[test]
    fn a_cubecl_file_of_the_users_own_wins_from_any_folder_above() {
        let d = dimorph_core::ScratchDir::new("dimorph-bagnet-kernel-cache").unwrap();
        let deep = d.path().join("a").join("b");
        std::fs::create_dir_all(&deep).unwrap();
        let vars = [("HOME", "/home/ana"), (ENV, "/scratch/k")];
        // A burn.toml without a [cubecl] section is not CubeCL's.
        std::fs::write(d.path().join("a").join("burn.toml"), "[other]\nx = 1\n").unwrap();
        assert_eq!(choose(env(&vars), &deep), KernelCache::Dir(PathBuf::from("/scratch/k")));
        std::fs::write(d.path().join("burn.toml"), "[cubecl.autotune]\nlevel = \"minimal\"\n").unwrap();
        assert_eq!(
            choose(env(&vars), &deep),
            KernelCache::UserConfig {
                path: d.path().join("burn.toml"),
                section: Some("cubecl")
            }
        );
        // A nearer cubecl.toml is found first.
        std::fs::write(d.path().join("a").join("cubecl.toml"), "").unwrap();
        assert_eq!(
            choose(env(&vars), &deep),
            KernelCache::UserConfig {
                path: d.path().join("a").join("cubecl.toml"),
                section: None
            }
        );
    }
}
