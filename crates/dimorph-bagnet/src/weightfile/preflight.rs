//! Checks of a PyTorch weight file's layout before burn-store reads it, so that no declared size
//! is trusted: every pickle goes through the bounded [`super::pickle`] scan first, every tensor's
//! offset and shape must lie inside its storage, and every storage inside the file.
//!
//! - zip (PyTorch ≥ 1.6): `data.pkl` may declare at most [`MAX_PICKLE`] bytes and is inflated to
//!   at most that; the small entries burn-store reads whole (`.format_version`, `byteorder`,
//!   `version`) at most [`MAX_SMALL_ENTRY`]; each tensor's storage entry must exist and declare the
//!   storage's size. No other entry is read (an unused entry that inflates to gigabytes costs
//!   nothing); the data of the entries the model needs is checked (CRC, true size) by [`verify`].
//! - legacy (PyTorch < 1.6): the storages follow the pickles one after another, each after its
//!   8-byte element count: the counts must match the pickle and the storages fit in the file.
//! - tar (PyTorch < 0.4): the entries must lie in the file and the storages in their entry.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::pickle::{elem_size, scan, Scan, TensorRef};

/// Largest `data.pkl` of a zip weight file (a BagNet-33 state dict's is about 35 kB).
pub const MAX_PICKLE: u64 = 64 << 20;
/// Largest metadata entry of a zip weight file that burn-store reads whole.
pub const MAX_SMALL_ENTRY: u64 = 4096;
/// A tensor's storage may exceed the tensor by this factor plus [`VIEW_SLACK`] bytes (a storage
/// shared by views); beyond that the whole storage would be read for a small tensor.
pub const VIEW_FACTOR: u64 = 2;
pub const VIEW_SLACK: u64 = 1 << 20;

/// Most tensor-storage pairs burn-store compares when it matches tensors to zip entries or
/// legacy storage keys (it searches the list for each tensor): 1,000 × 1,000 for a large
/// checkpoint; beyond this the matching alone would take minutes.
pub const MAX_LOOKUPS: u64 = 50_000_000;

/// Refuse a file whose `tensors` × `storages` matching would take too long.
fn check_lookups(tensors: usize, storages: usize, what: &str) -> Result<(), String> {
    if (tensors as u64).saturating_mul(storages as u64) > MAX_LOOKUPS {
        return Err(format!(
            "{tensors} tensors and {storages} {what}: too many to match up (at most {MAX_LOOKUPS} pairs)"
        ));
    }
    Ok(())
}

/// Where a storage's bytes are.
#[derive(Debug, Clone)]
pub enum Place {
    /// A zip entry (by index) and the size it declares.
    Zip { index: usize, entry: String, declared: u64 },
    /// Checked in place (legacy and tar files).
    InFile,
}

/// A storage: its size in bytes and where it is.
#[derive(Debug, Clone)]
pub struct Storage {
    pub bytes: u64,
    pub place: Place,
}

/// What the checks found: the tensors by name (as burn-store names them) and their storages.
#[derive(Debug, Default)]
pub struct Layout {
    pub tensors: HashMap<String, Option<TensorRef>>,
    pub storages: HashMap<String, Storage>,
}

fn io(e: std::io::Error) -> String {
    e.to_string()
}

/// Check the PyTorch file at `path` (the formats in the order burn-store tries them).
pub fn pytorch(path: &Path) -> Result<Layout, String> {
    let len = std::fs::metadata(path).map_err(io)?.len();
    if let Ok(zip) = zip::ZipArchive::new(BufReader::new(File::open(path).map_err(io)?)) {
        return zipped(zip);
    }
    let mut head = [0u8; 263];
    let n = read_head(path, &mut head)?;
    if n == 263 && &head[257..262] == b"ustar" {
        return tar(path, len);
    }
    const LEGACY: [u8; 15] = [
        0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
    ];
    if n >= 15 && head[..15] == LEGACY {
        return legacy(path, len);
    }
    let s = scan(BufReader::new(File::open(path).map_err(io)?), len)?;
    Ok(Layout {
        tensors: s.tensors.into_iter().collect(),
        storages: HashMap::new(),
    })
}

fn read_head(path: &Path, head: &mut [u8]) -> Result<usize, String> {
    let mut f = File::open(path).map_err(io)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]).map_err(io)? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// An entry read whole, refused when it declares or inflates to more than `limit` bytes.
fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, index: usize, limit: u64) -> Result<Vec<u8>, String> {
    let mut e = zip.by_index(index).map_err(|e| e.to_string())?;
    let (name, declared) = (dimorph_core::text::clip(e.name()), e.size());
    if declared > limit {
        return Err(format!(
            "entry '{name}' declares {declared} bytes, more than the {limit} such an entry may have"
        ));
    }
    let mut buf = Vec::new();
    (&mut e)
        .take(declared + 1)
        .read_to_end(&mut buf)
        .map_err(|err| format!("entry '{name}': {err}"))?;
    if buf.len() as u64 != declared {
        return Err(if buf.len() as u64 > declared {
            format!("entry '{name}' inflates to more bytes than the {declared} it declares")
        } else {
            format!(
                "entry '{name}' inflates to {} bytes, not the {declared} it declares",
                buf.len()
            )
        });
    }
    Ok(buf)
}

/// The zip layout: `data.pkl` scanned, the small entries burn-store reads bounded, each tensor's
/// storage entry present with the storage's size. Storage data is not read here.
fn zipped<R: Read + Seek>(mut zip: zip::ZipArchive<R>) -> Result<Layout, String> {
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let index = |n: &str| zip.index_for_name(n);
    let pickle = index("data.pkl")
        .or_else(|| index("archive/data.pkl"))
        .or_else(|| (0..zip.len()).find(|&i| zip.name_for_index(i).is_some_and(|n| n.ends_with("data.pkl"))))
        .ok_or("no data.pkl in the zip archive (not a PyTorch >= 1.6 file)")?;
    for small in [".format_version", "byteorder", "version"] {
        if let Some(i) = zip.index_for_name(small) {
            read_entry(&mut zip, i, MAX_SMALL_ENTRY)?;
        }
    }
    let bytes = read_entry(&mut zip, pickle, MAX_PICKLE)?;
    let s = scan(bytes.as_slice(), bytes.len() as u64)?;
    check_lookups(s.rebuilt.len(), names.len(), "zip entries")?;
    let mut layout = Layout::default();
    for (name, t) in &s.tensors {
        let Some(t) = t else { continue };
        let entry = storage_entry(&names, &t.key)
            .ok_or_else(|| format!("tensor '{}': its storage entry data/{} is missing", q(name), q(&t.key)))?;
        let i = zip.index_for_name(&entry).ok_or("zip index")?;
        let declared = zip.by_index_raw(i).map_err(|e| e.to_string())?.size();
        let bytes = storage_bytes(name, t)?;
        if declared > bytes {
            return Err(format!(
                "entry '{}' declares {declared} bytes, more than the {bytes} bytes of the storage of tensor '{}' \
                 (refused before inflating it)",
                q(&entry),
                q(name)
            ));
        }
        if declared < bytes {
            return Err(format!(
                "entry '{}' holds {declared} bytes, fewer than the {bytes} bytes tensor '{}' needs (truncated)",
                q(&entry),
                q(name)
            ));
        }
        let place = Place::Zip {
            index: i,
            entry,
            declared,
        };
        layout.storages.insert(t.key.clone(), Storage { bytes, place });
    }
    layout.tensors = s.tensors.into_iter().collect();
    Ok(layout)
}

fn q(s: &str) -> String {
    dimorph_core::text::clip(s)
}

/// `[2, 3]`; a shape of thousands of dimensions is cut short like any quoted value.
fn shape(dims: &[i64]) -> String {
    let s = dims.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    format!("[{}]", q(&s))
}

/// The zip entry burn-store reads for a storage key.
fn storage_entry(names: &[String], key: &str) -> Option<String> {
    let exact = format!("data/{key}");
    if names.contains(&exact) {
        return Some(exact);
    }
    let suffix = format!("/data/{key}");
    names
        .iter()
        .filter(|n| (n.starts_with("data/") || n.contains("/data/")) && !n.ends_with(".pkl") && !n.ends_with('/'))
        .find(|n| n.ends_with(&suffix) || (n.contains("/data/") && n.rsplit('/').next() == Some(key)))
        .cloned()
}

/// Elements of a tensor, and the bytes from the storage's start to its end, refused when a
/// dimension or the offset is negative or the sizes overflow.
fn extent(name: &str, t: &TensorRef) -> Result<(u64, u64), String> {
    let bad = || {
        format!(
            "tensor '{}' declares shape {} at offset {}, which no storage can hold",
            q(name),
            shape(&t.shape),
            t.offset
        )
    };
    let numel = t
        .shape
        .iter()
        .try_fold(1u64, |acc, &d| u64::try_from(d).ok().and_then(|d| acc.checked_mul(d)))
        .ok_or_else(bad)?;
    let offset = u64::try_from(t.offset).map_err(|_| bad())?;
    let end = offset
        .checked_add(numel)
        .and_then(|e| e.checked_mul(t.elem_size))
        .ok_or_else(bad)?;
    Ok((numel, end))
}

/// Bytes of a tensor's storage (as its persistent id declares, else up to the tensor's end),
/// refused when the tensor runs past it.
fn storage_bytes(name: &str, t: &TensorRef) -> Result<u64, String> {
    let (_, end) = extent(name, t)?;
    let Some(n) = t.storage_numel else { return Ok(end) };
    let bytes = u64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(t.elem_size))
        .ok_or_else(|| format!("tensor '{}': its storage declares {n} elements", q(name)))?;
    if end > bytes {
        return Err(format!(
            "tensor '{}' (shape {}, offset {}) runs past the end of its storage of {n} elements",
            q(name),
            shape(&t.shape),
            t.offset
        ));
    }
    Ok(bytes)
}

/// A bounded reader over `len` bytes of the file from `at`.
fn part(path: &Path, at: u64) -> Result<BufReader<File>, String> {
    let mut f = File::open(path).map_err(io)?;
    f.seek(SeekFrom::Start(at)).map_err(io)?;
    Ok(BufReader::new(f))
}

fn scan_at(path: &Path, at: u64, len: u64) -> Result<Scan, String> {
    scan(part(path, at)?, len)
}

/// The legacy layout: five pickles (magic number, protocol, system info, the object, the storage
/// keys), then each storage as an 8-byte element count and its data, in the keys' order.
fn legacy(path: &Path, len: u64) -> Result<Layout, String> {
    let mut pos = 0;
    for _ in 0..3 {
        pos += scan_at(path, pos, len - pos)?.len;
    }
    let main = scan_at(path, pos, len - pos)?;
    pos += main.len;
    let keys_pickle = scan_at(path, pos, len - pos)?;
    pos += keys_pickle.len;
    let keys = keys_pickle.root.string_list().unwrap_or_default();
    check_lookups(main.rebuilt.len(), keys.len(), "storage keys")?;
    if keys.is_empty() && !main.rebuilt.is_empty() {
        return Err("no list of storage keys after the pickled object".into());
    }
    // burn-store sizes each storage by the largest its tensors declare.
    for (name, t) in main.tensors.iter().filter_map(|(n, t)| Some((n, t.as_ref()?))) {
        storage_bytes(name, t)?;
    }
    let mut usage: HashMap<&str, (u64, u64)> = HashMap::new();
    for t in &main.rebuilt {
        let bytes = storage_bytes(&t.key, t)?;
        let u = usage.entry(t.key.as_str()).or_insert((0, t.elem_size));
        u.0 = u.0.max(bytes);
    }
    let mut layout = Layout::default();
    let mut at = pos;
    let mut r = part(path, at)?;
    for key in &keys {
        let &(bytes, elem) = usage.get(key.as_str()).ok_or_else(|| {
            format!(
                "storage {} is listed but no tensor uses it; its size is unknown",
                q(key)
            )
        })?;
        let end = at.checked_add(8).and_then(|a| a.checked_add(bytes));
        if end.is_none_or(|e| e > len) {
            return Err(format!("storage {} runs past the end of the file", q(key)));
        }
        let mut count = [0u8; 8];
        r.seek(SeekFrom::Start(at)).map_err(io)?;
        r.read_exact(&mut count).map_err(io)?;
        let count = u64::from_le_bytes(count);
        if count.checked_mul(elem) != Some(bytes) {
            return Err(format!(
                "storage {} holds {count} elements in the file, but its tensors declare {}",
                q(key),
                bytes / elem.max(1)
            ));
        }
        layout.storages.insert(
            key.clone(),
            Storage {
                bytes,
                place: Place::InFile,
            },
        );
        at += 8 + bytes;
    }
    layout.tensors = main.tensors.into_iter().collect();
    Ok(layout)
}

/// One tar entry: where its data starts and how long it is.
struct TarEntry {
    at: u64,
    size: u64,
}

/// The entries of a tar file by name (the last of a name wins, as in burn-store).
fn tar_entries(path: &Path, len: u64) -> Result<HashMap<String, TarEntry>, String> {
    let mut r = part(path, 0)?;
    let mut out = HashMap::new();
    let mut at = 0u64;
    let mut h = [0u8; 512];
    while at + 512 <= len {
        r.seek(SeekFrom::Start(at)).map_err(io)?;
        r.read_exact(&mut h).map_err(io)?;
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let name_end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = String::from_utf8_lossy(&h[..name_end]).into_owned();
        let size = tar_size(&h[124..136]).ok_or_else(|| format!("tar entry '{}' has an unreadable size", q(&name)))?;
        let data = at + 512;
        let end = data
            .checked_add(size)
            .filter(|&e| e <= len)
            .ok_or_else(|| format!("tar entry '{}' runs past the end of the file", q(&name)))?;
        let next = end.div_ceil(512) * 512;
        let normal = name.trim_start_matches("./").to_string();
        if !normal.contains("@PaxHeader") {
            out.insert(normal, TarEntry { at: data, size });
        }
        at = next;
    }
    Ok(out)
}

/// A tar header's size field: octal digits, or base-256 when its first byte has the high bit.
fn tar_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        return field[1..]
            .iter()
            .try_fold(0u64, |acc, &b| acc.checked_mul(256).map(|a| a + b as u64));
    }
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| !matches!(c, '\0' | ' '))
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(&digits, 8).ok()
}

/// The tar layout (PyTorch < 0.4): `sys_info`, `pickle` and the pickles of `storages` scanned; each
/// storage inside the `storages` entry.
fn tar(path: &Path, len: u64) -> Result<Layout, String> {
    let entries = tar_entries(path, len)?;
    let get = |n: &str| {
        entries
            .get(n)
            .ok_or_else(|| format!("no '{n}' entry in the tar archive"))
    };
    if let Some(e) = entries.get("sys_info") {
        scan_at(path, e.at, e.size)?;
    }
    let main = scan_at(path, get("pickle")?.at, get("pickle")?.size)?;
    let st = get("storages")?;
    let mut layout = Layout::default();
    let mut pos = 0u64;
    let count = match scan_at(path, st.at, st.size) {
        Ok(s) => {
            pos = s.len;
            s.root.int().unwrap_or(0)
        }
        Err(_) => 0,
    };
    let mut r = part(path, st.at)?;
    for _ in 0..count.max(0) {
        if pos >= st.size {
            break;
        }
        let meta = scan_at(path, st.at + pos, st.size - pos)?;
        pos += meta.len;
        let Some(t) = meta.root.tuple().filter(|t| t.len() >= 3) else {
            continue;
        };
        let key = match (t[0].int(), t[0].name()) {
            (Some(i), _) => i.to_string(),
            (None, Some(s)) => s.to_string(),
            _ => continue,
        };
        let elem = t[2]
            .name()
            .and_then(elem_size)
            .ok_or_else(|| format!("storage {}: unknown storage type", q(&key)))?;
        if pos + 8 > st.size {
            break;
        }
        let mut count = [0u8; 8];
        r.seek(SeekFrom::Start(st.at + pos)).map_err(io)?;
        r.read_exact(&mut count).map_err(io)?;
        pos += 8;
        let bytes = u64::from_le_bytes(count)
            .checked_mul(elem)
            .filter(|&b| b <= st.size - pos)
            .ok_or_else(|| format!("storage {} runs past the end of the storages", q(&key)))?;
        pos += bytes;
        let place = Place::InFile;
        layout.storages.insert(key, Storage { bytes, place });
    }
    for (name, t) in main.tensors.iter().filter_map(|(n, t)| Some((n, t.as_ref()?))) {
        let (_, end) = extent(name, t)?;
        let key = t.key.rsplit('/').next().unwrap_or(&t.key);
        if layout.storages.get(key).is_some_and(|s| end > s.bytes) {
            return Err(format!("tensor '{}' runs past the end of its storage", q(name)));
        }
    }
    layout.tensors = main.tensors.into_iter().collect();
    Ok(layout)
}

/// Check the storage of tensor `name` (`elements` long, as burn-store read its shape) before its
/// data is read: not far larger than the tensor, and for a zip entry its data read through once
/// (CRC and true size) without keeping it.
pub fn verify(path: &Path, layout: &Layout, name: &str, elements: u64) -> Result<(), String> {
    let Some(entry) = layout.tensors.get(name) else {
        return Err(format!("tensor '{}' was not found by the layout check", q(name)));
    };
    let Some(t) = entry else {
        return Err(format!(
            "tensor '{}': its storage is given in a form whose size cannot be checked",
            q(name)
        ));
    };
    let (numel, _) = extent(name, t)?;
    if numel != elements {
        return Err(format!(
            "tensor '{}': the layout check found {numel} elements, the reader {elements}",
            q(name)
        ));
    }
    let key = t.key.rsplit('/').next().unwrap_or(&t.key);
    let storage = layout
        .storages
        .get(&t.key)
        .or_else(|| layout.storages.get(key))
        .ok_or_else(|| {
            format!(
                "storage {} of tensor '{}' is not in the file's storages",
                q(&t.key),
                q(name)
            )
        })?;
    let own = numel.saturating_mul(t.elem_size);
    if storage.bytes > own.saturating_mul(VIEW_FACTOR).saturating_add(VIEW_SLACK) {
        return Err(format!(
            "tensor '{}' ({own} bytes) is a view of a storage of {} bytes; save the state dict with \
             cloned tensors",
            q(name),
            storage.bytes
        ));
    }
    if let Place::Zip { index, entry, declared } = &storage.place {
        let file = File::open(path).map_err(io)?;
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| e.to_string())?;
        let mut e = zip.by_index(*index).map_err(|e| e.to_string())?;
        let n = std::io::copy(&mut (&mut e).take(declared + 1), &mut std::io::sink())
            .map_err(|err| format!("the weight file is damaged: entry '{}': {err}", q(entry)))?;
        if n != *declared {
            return Err(format!(
                "the weight file is damaged: entry '{}' does not inflate to the {declared} bytes it declares",
                q(entry)
            ));
        }
    }
    Ok(())
}
