//! Files an analysis produces. An engine returns them as [`OutputFile`]s (a name relative to the
//! output folder and the bytes); a front end writes them with [`write_all`]. Every file is written
//! atomically — to a temporary file in the same folder, synced, then renamed over the target — so a
//! reader never sees half a file and a crash leaves the old file intact; an existing file is
//! replaced only when the caller says so ([`Overwrite::Replace`]).

use crate::Location;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A file to write: a path relative to the output folder (may hold `/` for a subfolder) and its
/// contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
    /// A text file.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        OutputFile::new(name, text.into().into_bytes())
    }
}

/// What to do when a file to write already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Refuse, naming the file (the default: never overwrite without being asked).
    #[default]
    Refuse,
    /// Replace it atomically.
    Replace,
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{} already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}{}", path.display(), io_hint(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("output file name '{0}' must be a relative path inside the output folder")]
    BadName(String),
    #[error(
        "{}: another dimorph run (process {holder}) is writing into this folder; wait for it, or remove {}/.dimorph.lock if no run is active",
        dir.display(),
        dir.display()
    )]
    Locked { dir: PathBuf, holder: String },
}

impl OutputError {
    /// Whether the error is the caller's (an existing file, a bad name: exit code 2) rather than
    /// the system's (exit code 1).
    pub fn is_input(&self) -> bool {
        match self {
            OutputError::Io { source, .. } => in_the_way(source),
            _ => true,
        }
    }
    /// The file the error is about, as a [`Location`].
    pub fn location(&self) -> Location {
        match self {
            OutputError::Exists(p) | OutputError::Io { path: p, .. } => Location::file(p.display().to_string()),
            OutputError::BadName(n) => Location::file(n.clone()),
            OutputError::Locked { dir, .. } => Location::file(dir.display().to_string()),
        }
    }
}

/// Whether an I/O error means the caller named a path where something else stands: a file where
/// the output folder (or a folder on its way) should be, or a folder where a file should go — the
/// argument's fault (exit code 2), not the system's.
fn in_the_way(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{AlreadyExists, IsADirectory, NotADirectory};
    matches!(e.kind(), AlreadyExists | IsADirectory | NotADirectory)
}

/// What to do about an I/O error that [`in_the_way`] recognises (empty for any other).
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::IsADirectory => " (a folder stands where the file is to be written; remove it or choose another name)",
        _ if in_the_way(e) => " (a file stands where the output folder, or a folder on its path, is to be; choose another --out or remove the file)",
        _ => "",
    }
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<(), OutputError> {
    if overwrite == Overwrite::Refuse && path.exists() {
        return Err(OutputError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        if overwrite == Overwrite::Refuse && path.exists() {
            return Err(OutputError::Exists(path.to_path_buf()));
        }
        std::fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Checks that a relative name stays inside its folder (no absolute path, no `..`).
fn check_name(name: &str) -> Result<(), OutputError> {
    let p = Path::new(name);
    let ok =
        !name.is_empty() && p.is_relative() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(OutputError::BadName(name.into()))
    }
}

/// Writes every file under `dir` atomically and returns the paths written, in order: all or
/// nothing. With [`Overwrite::Refuse`] nothing is written when any target already exists; when a
/// write fails, the files this call created are removed again. The folder is locked for the
/// duration ([`DirLock`]), so two runs cannot interleave their files in one folder.
pub fn write_all(dir: &Path, files: &[OutputFile], overwrite: Overwrite) -> Result<Vec<PathBuf>, OutputError> {
    for f in files {
        check_name(&f.name)?;
        let p = dir.join(&f.name);
        if overwrite == Overwrite::Refuse && p.exists() {
            return Err(OutputError::Exists(p));
        }
    }
    let _lock = DirLock::acquire(dir)?;
    let mut written: Vec<PathBuf> = Vec::with_capacity(files.len());
    let mut created: Vec<PathBuf> = Vec::new();
    for f in files {
        let p = dir.join(&f.name);
        let existed = p.exists();
        if let Err(e) = write_atomic(&p, &f.bytes, overwrite) {
            for q in &created {
                let _ = std::fs::remove_file(q);
            }
            return Err(e);
        }
        if !existed {
            created.push(p.clone());
        }
        written.push(p);
    }
    Ok(written)
}

/// An exclusive hold on an output folder: the file `.dimorph.lock` created with `create_new`
/// (atomic on every local file system), holding the process id, removed when dropped. A second
/// run asking for the same folder is refused with the holder's process id.
#[derive(Debug)]
pub struct DirLock {
    path: PathBuf,
}

impl DirLock {
    /// Takes the folder's lock, creating the folder when missing.
    pub fn acquire(dir: &Path) -> Result<DirLock, OutputError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(".dimorph.lock");
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                let _ = write!(f, "{}", std::process::id());
                Ok(DirLock { path })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                Err(OutputError::Locked {
                    dir: dir.to_path_buf(),
                    holder: holder.trim().to_string(),
                })
            }
            Err(e) => Err(OutputError::Io { path, source: e }),
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("dimorph-core-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = vec![
            OutputFile::text("a.csv", "x\n1\n"),
            OutputFile::text("sub/b.svg", "<svg/>"),
        ];
        let w = write_all(&dir, &files, Overwrite::Refuse).expect("first write");
        assert_eq!(w.len(), 2);
        assert_eq!(
            std::fs::read_to_string(dir.join("a.csv")).ok().as_deref(),
            Some("x\n1\n")
        );
        let again = write_all(&dir, &files, Overwrite::Refuse);
        assert!(matches!(again, Err(OutputError::Exists(_))));
        write_all(&dir, &[OutputFile::text("a.csv", "y\n")], Overwrite::Replace).expect("replace");
        assert_eq!(std::fs::read_to_string(dir.join("a.csv")).ok().as_deref(), Some("y\n"));
        assert!(matches!(
            write_all(&dir, &[OutputFile::text("../evil", "")], Overwrite::Replace),
            Err(OutputError::BadName(_))
        ));
        {
            let _held = DirLock::acquire(&dir).expect("lock");
            assert!(matches!(
                write_all(&dir, &[OutputFile::text("c.csv", "")], Overwrite::Replace),
                Err(OutputError::Locked { .. })
            ));
        }
        write_all(&dir, &[OutputFile::text("c.csv", "")], Overwrite::Replace).expect("lock released");
        let leftovers = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(leftovers, 0);
        // a file where the folder should be, a folder where a file should be: the caller's
        // argument (exit code 2), with what stands in the way
        let blocked = dir.join("a.csv");
        let e = write_all(&blocked, &files, Overwrite::Replace).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains("a file stands where the output folder"),
            "{e}"
        );
        std::fs::create_dir_all(dir.join("d.csv")).expect("folder");
        let e = write_all(&dir, &[OutputFile::text("d.csv", "")], Overwrite::Replace).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains("a folder stands where the file"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
