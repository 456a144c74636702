//! Hostile files for BagNet's readers, made on the fly so that the suite needs no Python and no
//! stored bombs: weight files (PyTorch legacy and zip, safetensors) with deep pickles, huge
//! declared shapes and zip entries that inflate far beyond what they declare, PNG files that
//! declare huge dimensions, DICOM files whose pixel data declare gigabytes, and label CSVs whose
//! paths leave the images folder. Shared by
//! `crates/dimorph-bagnet/tests/hostile.rs` (the engine) and `crates/dimorph/tests/bagnet_cli.rs`
//! (the command line, exit code 2 under an address-space limit).
#![allow(dead_code)]

use std::path::Path;

/// The legacy format's magic-number pickle (PyTorch < 1.6).
pub const LEGACY_MAGIC: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
];

/// A pickle (protocol 2) nesting an empty list `depth` tuples deep: `((…([],)…),)`, one
/// object on the stack at a time (burn-store alone overflows the stack dropping it).
pub fn deep_pickle(depth: usize) -> Vec<u8> {
    let mut p = vec![0x80, 2, b']'];
    p.extend(std::iter::repeat_n(0x85, depth));
    p.push(b'.');
    p
}

fn unicode(p: &mut Vec<u8>, s: &str) {
    p.push(b'X');
    p.extend((s.len() as u32).to_le_bytes());
    p.extend(s.as_bytes());
}

fn long(p: &mut Vec<u8>, v: i64) {
    p.extend([0x8a, 8]);
    p.extend(v.to_le_bytes());
}

/// One tensor of a state dict: its name, storage key, the storage's elements and its shape.
pub struct Tensor<'a> {
    pub name: &'a str,
    pub key: &'a str,
    pub storage_numel: i64,
    pub shape: &'a [i64],
}

/// A state dict `{name: _rebuild_tensor_v2(storage, 0, shape, (), False, OrderedDict())}` as
/// `torch.save` pickles it (protocol 2), with float32 storages.
pub fn state_dict_pickle(tensors: &[Tensor]) -> Vec<u8> {
    let mut p = vec![0x80, 2, b'}'];
    for (i, t) in tensors.iter().enumerate() {
        // Pickled as Python does: SETITEMS in batches of 1,000 pairs.
        if i % 1000 == 0 {
            if i > 0 {
                p.push(b'u');
            }
            p.push(b'(');
        }
        unicode(&mut p, t.name);
        p.extend(b"ctorch._utils\n_rebuild_tensor_v2\n((");
        for s in ["storage", "FloatStorage", t.key, "cpu"] {
            unicode(&mut p, s);
        }
        long(&mut p, t.storage_numel);
        p.extend(b"tQK\x00(");
        for &d in t.shape {
            long(&mut p, d);
        }
        p.extend(b"t)\x89ccollections\nOrderedDict\n)RtR");
    }
    if !tensors.is_empty() {
        p.push(b'u');
    }
    p.push(b'.');
    p
}

/// A legacy (PyTorch < 1.6) file: the magic number, protocol 1001 and system info pickles, `main`,
/// the storage keys and each storage as its 8-byte element count and data.
pub fn legacy_file(main: &[u8], keys: &[&str], storages: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut f = LEGACY_MAGIC.to_vec();
    f.extend([0x80, 2, b'M', 0xe9, 0x03, b'.']);
    f.extend([0x80, 2, b'}', b'.']);
    f.extend(main);
    let mut k = vec![0x80, 2, b']', b'('];
    for key in keys {
        unicode(&mut k, key);
    }
    k.extend(b"e.");
    f.extend(k);
    for (count, data) in storages {
        f.extend(count.to_le_bytes());
        f.extend(data);
    }
    f
}

/// CRC-32 (IEEE), for PNG chunks and zip entries.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
        }
    }
    !c
}

/// LSB-first bit writer for deflate streams.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u64, bits: u32) {
        self.acc |= v << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, written most significant bit first.
    fn code(&mut self, v: u64, bits: u32) {
        let mut r = 0;
        for i in 0..bits {
            r |= ((v >> i) & 1) << (bits - 1 - i);
        }
        self.put(r, bits);
    }
}

/// A raw deflate stream of `n` ≥ 1 zero bytes (one fixed-Huffman block: a literal 0, then matches
/// of length 258 at distance 1): about 1,300 times smaller than what it inflates to.
pub fn deflate_zeros(n: u64) -> Vec<u8> {
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman codes
    b.code(0x30, 8); // literal 0
    let mut left = n - 1;
    while left >= 258 + 3 || left == 258 {
        b.code(0b1100_0101, 8); // length 258 (code 285)
        b.code(0, 5); // distance 1
        left -= 258;
    }
    while left > 0 {
        b.code(0x30, 8);
        left -= 1;
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}

/// One zip entry: its name, method (0 stored, 8 deflated), CRC, the data as stored and the size
/// it declares inflated.
pub struct Entry {
    pub name: String,
    pub method: u16,
    pub crc: u32,
    pub data: Vec<u8>,
    pub size: u32,
}

/// A zip archive of `entries` (no zip64: every size below 4 GiB).
pub fn zip_file(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(e.method.to_le_bytes());
            h.extend([0u8; 4]);
            h.extend(e.crc.to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend(e.size.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 6]); // comment length, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// The entries of a zip file (no zip64) as stored, compressed bytes untouched: read from its
/// central directory by hand, so that the command-line tests need no zip crate.
pub fn zip_entries(path: &Path) -> Vec<Entry> {
    let b = std::fs::read(path).unwrap();
    let eocd = (0..=b.len() - 22)
        .rev()
        .find(|&i| u32_at(&b, i) == 0x0605_4b50)
        .unwrap();
    let (count, mut at) = (u16_at(&b, eocd + 10), u32_at(&b, eocd + 16) as usize);
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(&b, at), 0x0201_4b50);
        let (method, crc) = (u16_at(&b, at + 10) as u16, u32_at(&b, at + 16));
        let (csize, size) = (u32_at(&b, at + 20) as usize, u32_at(&b, at + 24));
        let (n, extra, comment) = (u16_at(&b, at + 28), u16_at(&b, at + 30), u16_at(&b, at + 32));
        let local = u32_at(&b, at + 42) as usize;
        let name = String::from_utf8(b[at + 46..at + 46 + n].to_vec()).unwrap();
        let start = local + 30 + u16_at(&b, local + 26) + u16_at(&b, local + 28);
        out.push(Entry {
            name,
            method,
            crc,
            data: b[start..start + csize].to_vec(),
            size,
        });
        at += 46 + n + extra + comment;
    }
    out
}

/// The fixture's zip checkpoint with `edit` applied to its entries.
pub fn edited_zip(fixture: &Path, edit: impl FnOnce(&mut Vec<Entry>)) -> Vec<u8> {
    let mut entries = zip_entries(fixture);
    edit(&mut entries);
    zip_file(&entries)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut c = kind.to_vec();
    c.extend(data);
    out.extend(&c);
    out.extend(crc32(&c).to_be_bytes());
}

/// A grey PNG of `w`×`h` pixels whose IDAT holds `idat` (a zlib stream).
fn png_with(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A valid grey PNG of `w`×`h` pixels, all of value `v` (stored, uncompressed).
pub fn png(w: u32, h: u32, v: u8) -> Vec<u8> {
    let mut raw = Vec::new();
    for _ in 0..h {
        raw.push(0);
        raw.extend(std::iter::repeat_n(v, w as usize));
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push((i + 1 == blocks.len()) as u8);
        z.extend((b.len() as u16).to_le_bytes());
        z.extend((!(b.len() as u16)).to_le_bytes());
        z.extend(*b);
    }
    let (mut a, mut s) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65_521;
        s = (s + a) % 65_521;
    }
    z.extend(((s << 16) | a).to_be_bytes());
    png_with(w, h, &z)
}

/// A decompression bomb: a small PNG declaring `side`×`side` pixels whose data inflates to zeros.
pub fn png_bomb(side: u32) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    z.extend(deflate_zeros(4 << 20));
    png_with(side, side, &z)
}

/// An explicit VR little endian data element (PS3.5 7.1.2): OB/OW/SQ/UN/UT with a 32-bit length.
fn dicom_element(out: &mut Vec<u8>, (group, elem): (u16, u16), vr: &[u8; 2], value: &[u8], len: Option<u32>) {
    out.extend(group.to_le_bytes());
    out.extend(elem.to_le_bytes());
    out.extend(vr);
    let n = len.unwrap_or(value.len() as u32);
    if matches!(vr, b"OB" | b"OW" | b"SQ" | b"UN" | b"UT") {
        out.extend([0, 0]);
        out.extend(n.to_le_bytes());
    } else {
        out.extend((n as u16).to_le_bytes());
    }
    out.extend(value);
}

/// A DICOM file (PS3.10: preamble, `DICM`, meta group, data set; explicit VR little endian) of a
/// `side`×`side` 8-bit MONOCHROME2 image of value `v`; with `declared`, its pixel data element
/// declares that many bytes (a forged length) while holding `side`² of them.
pub fn dicom(side: u16, v: u8, declared: Option<u32>) -> Vec<u8> {
    let sop_class = b"1.2.840.10008.5.1.4.1.1.7\0";
    let mut meta = Vec::new();
    dicom_element(&mut meta, (0x0002, 0x0001), b"OB", &[0, 1], None);
    dicom_element(&mut meta, (0x0002, 0x0002), b"UI", sop_class, None);
    dicom_element(&mut meta, (0x0002, 0x0003), b"UI", b"2.25.1", None);
    dicom_element(&mut meta, (0x0002, 0x0010), b"UI", b"1.2.840.10008.1.2.1\0", None);
    dicom_element(&mut meta, (0x0002, 0x0012), b"UI", b"2.25.2", None);
    let mut out = vec![0u8; 128];
    out.extend(b"DICM");
    dicom_element(
        &mut out,
        (0x0002, 0x0000),
        b"UL",
        &(meta.len() as u32).to_le_bytes(),
        None,
    );
    out.extend(meta);
    let us = |x: u16| x.to_le_bytes();
    dicom_element(&mut out, (0x0008, 0x0016), b"UI", sop_class, None);
    dicom_element(&mut out, (0x0008, 0x0018), b"UI", b"2.25.1", None);
    dicom_element(&mut out, (0x0028, 0x0002), b"US", &us(1), None);
    dicom_element(&mut out, (0x0028, 0x0004), b"CS", b"MONOCHROME2 ", None);
    dicom_element(&mut out, (0x0028, 0x0010), b"US", &us(side), None);
    dicom_element(&mut out, (0x0028, 0x0011), b"US", &us(side), None);
    for (e, x) in [(0x0100, 8), (0x0101, 8), (0x0102, 7), (0x0103, 0)] {
        dicom_element(&mut out, (0x0028, e), b"US", &us(x), None);
    }
    let mut px = vec![v; side as usize * side as usize];
    if px.len() % 2 == 1 {
        px.push(0);
    }
    dicom_element(&mut out, (0x7FE0, 0x0010), b"OB", &px, declared);
    out
}

/// The peak resident memory of this process so far (VmHWM), in bytes; None off Linux.
pub fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A tar archive (ustar) of `(name, data)` entries, as PyTorch before 0.4 wrote checkpoints.
pub fn tar_file(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend(h);
        out.extend(data);
        out.extend(std::iter::repeat_n(0u8, (512 - data.len() % 512) % 512));
    }
    out.extend([0u8; 1024]);
    out
}
