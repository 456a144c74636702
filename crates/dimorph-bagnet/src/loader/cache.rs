//! The on-disk cache of preprocessed images: one file per image and preprocessing, named by a
//! 64-bit FNV-1a hash of its key (the source's canonical path, modification time and size, and
//! the settings: side, fit, mask) and holding the full key, so that a hash collision or a changed
//! source is a miss, never a wrong image. A file is written under a temporary name and renamed into
//! place (a reader sees a whole file or none; a torn or foreign file fails the length check and is
//! rewritten). Layout: magic, key, side, depth, scale, offset, mask flag, then the samples.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::image::{Fit, Prepared};

const MAGIC: &[u8; 8] = b"DMBAGC01";
/// Largest key accepted when reading (a path and a few numbers).
const MAX_KEY: usize = 1 << 16;

/// The preprocessing an image file goes through before it is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preprocess {
    /// Side of the model's square input in pixels.
    pub size: usize,
    pub fit: Fit,
    /// The circular fundus mask.
    pub mask: bool,
}

/// The cache key of `path` under `pre`: canonical path, modification time (ns), length and the
/// settings. `None` when the file cannot be looked at (the decode then names the error).
pub fn key(path: &Path, pre: &Preprocess) -> Option<String> {
    let real = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&real).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some(format!(
        "v1\n{}\n{mtime}\n{}\nsize={} fit={} mask={}",
        real.display(),
        meta.len(),
        pre.size,
        pre.fit.name(),
        u8::from(pre.mask)
    ))
}

/// FNV-1a, 64 bits (stable across builds, unlike std's hasher).
pub fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The cache file of `key` in `dir` (`ab/abcdef….px`, 256 subfolders).
pub fn file_of(dir: &Path, key: &str) -> PathBuf {
    let h = format!("{:016x}", fnv64(key.as_bytes()));
    dir.join(&h[..2]).join(format!("{h}.px"))
}

fn header(key: &str, p: &Prepared) -> Vec<u8> {
    let mut v = Vec::with_capacity(64 + key.len());
    v.extend_from_slice(MAGIC);
    v.extend_from_slice(&(key.len() as u32).to_le_bytes());
    v.extend_from_slice(key.as_bytes());
    v.extend_from_slice(&(p.side as u32).to_le_bytes());
    v.push(p.depth);
    v.extend_from_slice(&p.scale.to_le_bytes());
    v.extend_from_slice(&p.offset[0].to_le_bytes());
    v.extend_from_slice(&p.offset[1].to_le_bytes());
    v.push(u8::from(p.mask_hid_content));
    v
}

/// Write `p` as the cache file `file` of `key`: a temporary file in the same folder, renamed into
/// place (no fsync: a file lost in a crash is a miss and is written again).
pub fn write(file: &Path, key: &str, p: &Prepared) -> std::io::Result<()> {
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        file.file_name().map_or("px".into(), |n| n.to_string_lossy()),
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    ));
    let mut bytes = header(key, p);
    bytes.extend_from_slice(&p.bytes);
    let r = std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, file));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Read the cache file `file` of `key` at side `side`; with `pixels` false the samples are left
/// unread (an empty `bytes`: the header alone tells scale, offset and the mask flag). `None` on a
/// miss: no file, another key, another side or a wrong length.
pub fn read(file: &Path, key: &str, side: usize, pixels: bool) -> Option<Prepared> {
    let mut f = std::fs::File::open(file).ok()?;
    let mut head = [0u8; 12];
    f.read_exact(&mut head).ok()?;
    if &head[..8] != MAGIC {
        return None;
    }
    let klen = u32::from_le_bytes(head[8..12].try_into().ok()?) as usize;
    if klen != key.len() || klen > MAX_KEY {
        return None;
    }
    let mut rest = vec![0u8; klen + 4 + 1 + 24 + 1];
    f.read_exact(&mut rest).ok()?;
    if &rest[..klen] != key.as_bytes() {
        return None;
    }
    let r = &rest[klen..];
    let num = |a: usize| f64::from_le_bytes(r[a..a + 8].try_into().unwrap_or([0; 8]));
    let stored_side = u32::from_le_bytes(r[..4].try_into().ok()?) as usize;
    let depth = r[4];
    if stored_side != side || !(depth == 1 || depth == 2) {
        return None;
    }
    let n = side * side * 3 * depth as usize;
    let file_len = f.metadata().ok()?.len() as usize;
    if file_len != 12 + rest.len() + n {
        return None;
    }
    let mut bytes = Vec::new();
    if pixels {
        bytes = vec![0u8; n];
        f.read_exact(&mut bytes).ok()?;
    }
    Some(Prepared {
        side,
        depth,
        bytes,
        scale: num(5),
        offset: [num(13), num(21)],
        mask_hid_content: r[29] != 0,
    })
}
