//! Scratch folders that remove themselves: a new folder under the system's temporary folder, named
//! by a prefix, the process id and a per-process serial number, deleted with everything in it when
//! its [`ScratchDir`] is dropped (also while a panic unwinds). Engines use one for intermediate
//! files (the BagNet demo's training run, a temporary image cache); the test suites use one per
//! test so that a run leaves nothing behind in `/tmp`.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A folder that exists while this value lives. Dereferences to its [`Path`], so `dir.join(..)`
/// and `&dir` work where a path is expected.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    keep: bool,
}

impl ScratchDir {
    /// Creates `<temp>/<prefix>-<pid>-<serial>` (after removing a leftover of that name from an
    /// earlier process with the same id).
    pub fn new(prefix: &str) -> std::io::Result<ScratchDir> {
        static SERIAL: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(ScratchDir { path, keep: false })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Leaves the folder on disk when this value is dropped (to look at it after a failure) and
    /// returns its path.
    pub fn keep(mut self) -> PathBuf {
        self.keep = true;
        self.path.clone()
    }
}

impl Deref for ScratchDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A path inside a scratch folder of its own, not created: for code that makes its output folder
/// or file itself. The scratch folder, and whatever was made at the path, go when this value is
/// dropped.
#[derive(Debug)]
pub struct ScratchPath {
    _dir: ScratchDir,
    path: PathBuf,
}

impl ScratchPath {
    /// `<a new ScratchDir named by prefix>/<name>`.
    pub fn new(prefix: &str, name: &str) -> std::io::Result<ScratchPath> {
        let dir = ScratchDir::new(prefix)?;
        let path = dir.join(name);
        Ok(ScratchPath { _dir: dir, path })
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Deref for ScratchPath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchPath {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::{ScratchDir, ScratchPath};

    #[test]
    fn a_scratch_path_is_not_made_and_goes_with_its_folder() {
        let p = ScratchPath::new("dimorph-core-scratch-path", "out").unwrap();
        assert!(!p.exists() && p.parent().is_some_and(|d| d.is_dir()));
        std::fs::create_dir_all(p.join("a")).unwrap();
        let parent = p.parent().unwrap().to_path_buf();
        drop(p);
        assert!(!parent.exists());
    }

    #[test]
    fn the_folder_lives_as_long_as_its_value_with_everything_in_it() {
        let (a, b) = (
            ScratchDir::new("dimorph-core-scratch").unwrap(),
            ScratchDir::new("dimorph-core-scratch").unwrap(),
        );
        assert_ne!(a.path(), b.path());
        std::fs::create_dir_all(a.join("sub")).unwrap();
        std::fs::write(a.join("sub/f.txt"), "x").unwrap();
        let p = a.to_path_buf();
        assert!(p.join("sub/f.txt").is_file());
        drop(a);
        assert!(!p.exists());
        let kept = b.keep();
        assert!(kept.is_dir());
        std::fs::remove_dir_all(kept).unwrap();
    }

    #[test]
    fn a_panic_still_removes_it() {
        let p = std::panic::catch_unwind(|| {
            let d = ScratchDir::new("dimorph-core-scratch-panic").unwrap();
            let p = d.to_path_buf();
            std::fs::write(d.join("f"), "x").unwrap();
            std::panic::panic_any(p);
        })
        .unwrap_err();
        let p = p.downcast::<std::path::PathBuf>().unwrap();
        assert!(!p.exists());
    }
}
