//! A check of a DICOM file's declared lengths before it is parsed: every data element, item and
//! fragment (PS3.5 7.1 and 7.5, in sequences and encapsulated pixel data too) must end within
//! the file. The parser reserves and zero-fills a value's declared length before reading it, so a
//! file of a few hundred bytes declaring a 2 GB value would cost 2 GB; this walk reads the tags
//! and lengths only (seeking over the values) and refuses such a file, naming the element.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Deepest nesting of sequences walked.
const MAX_DEPTH: usize = 64;
const UNDEFINED: u32 = 0xFFFF_FFFF;

/// How the data set is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
}

impl Encoding {
    /// The encoding of a transfer syntax (all but the implicit and the big-endian one are explicit
    /// VR little endian, encapsulated syntaxes included); None for a deflated data set.
    pub fn of(ts: &str) -> Option<Encoding> {
        match ts {
            "1.2.840.10008.1.2" => Some(Encoding::ImplicitLittle),
            "1.2.840.10008.1.2.2" => Some(Encoding::ExplicitBig),
            "1.2.840.10008.1.2.1.99" | "1.2.840.10008.1.2.4.95" => None,
            _ => Some(Encoding::ExplicitLittle),
        }
    }
}

struct Walker<R> {
    r: R,
    pos: u64,
    len: u64,
}

/// Check the lengths of the file at `path`: the meta group (explicit VR little endian) after the
/// 128-byte preamble and `DICM`, then the data set in the encoding of its transfer syntax (a
/// deflated data set is refused). Returns the transfer syntax UID.
pub fn check(path: &Path) -> Result<String, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut w = Walker {
        r: BufReader::new(f),
        pos: 0,
        len,
    };
    w.skip(128)?;
    if &w.read::<4>()? != b"DICM" {
        return Err("no DICM at byte 128: not a DICOM file (PS3.10) or one without its preamble".into());
    }
    // The meta group: (0002,xxxx) elements, explicit VR little endian; the transfer syntax kept.
    let mut ts = None;
    while w.peek_group()? == Some(0x0002) {
        let at = w.pos;
        w.element(Encoding::ExplicitLittle, 0)?;
        if w.tag_at(at)? == (0x0002, 0x0010) {
            ts = Some(w.value_text(at)?);
        }
    }
    let ts = ts.ok_or("no transfer syntax (0002,0010) in the file meta information")?;
    let encoding = Encoding::of(&ts).ok_or_else(|| format!("transfer syntax {ts}: a deflated data set is not read"))?;
    while w.pos < w.len {
        w.element(encoding, 0)?;
    }
    Ok(ts)
}

impl<R: Read + Seek> Walker<R> {
    fn read<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut b = [0u8; N];
        self.r
            .read_exact(&mut b)
            .map_err(|_| format!("the file ends inside an element header at byte {}", self.pos))?;
        self.pos += N as u64;
        Ok(b)
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        if n > self.len.saturating_sub(self.pos) {
            return Err(format!(
                "the file ends at byte {} before byte {}",
                self.len,
                self.pos + n
            ));
        }
        self.r.seek_relative(n as i64).map_err(|e| e.to_string())?;
        self.pos += n;
        Ok(())
    }

    /// The tag of the explicit VR little endian element at byte `at`.
    fn tag_at(&mut self, at: u64) -> Result<(u16, u16), String> {
        let b = self.bytes_at(at, 4)?;
        Ok((u16::from_le_bytes([b[0], b[1]]), u16::from_le_bytes([b[2], b[3]])))
    }

    /// The value of the short explicit VR little endian element at byte `at`, as text without
    /// padding (at most 64 bytes: a UID).
    fn value_text(&mut self, at: u64) -> Result<String, String> {
        let head = self.bytes_at(at, 8)?;
        let n = (u16::from_le_bytes([head[6], head[7]]) as usize).min(64);
        let b = self.bytes_at(at + 8, n)?;
        Ok(String::from_utf8_lossy(&b).trim_end_matches(['\0', ' ']).to_string())
    }

    /// `n` bytes at byte `at`; the position is kept.
    fn bytes_at(&mut self, at: u64, n: usize) -> Result<Vec<u8>, String> {
        let back = self.pos;
        self.r.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
        let mut b = vec![0u8; n];
        let r = self.r.read_exact(&mut b).map_err(|e| e.to_string());
        self.r.seek(SeekFrom::Start(back)).map_err(|e| e.to_string())?;
        r.map(|_| b)
    }

    /// The group of the next tag (little endian), without consuming it; None at the end.
    fn peek_group(&mut self) -> Result<Option<u16>, String> {
        if self.pos + 2 > self.len {
            return Ok(None);
        }
        let b = self.read::<2>()?;
        self.r.seek_relative(-2).map_err(|e| e.to_string())?;
        self.pos -= 2;
        Ok(Some(u16::from_le_bytes(b)))
    }

    fn u16(&mut self, e: Encoding) -> Result<u16, String> {
        let b = self.read::<2>()?;
        Ok(if e == Encoding::ExplicitBig {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&mut self, e: Encoding) -> Result<u32, String> {
        let b = self.read::<4>()?;
        Ok(if e == Encoding::ExplicitBig {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    /// One data element: its header, then its value skipped (or walked, for sequences and
    /// encapsulated pixel data of undefined length).
    fn element(&mut self, e: Encoding, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested more than {MAX_DEPTH} deep"));
        }
        let at = self.pos;
        let (group, elem) = (self.u16(e)?, self.u16(e)?);
        let (vr, len) = if e == Encoding::ImplicitLittle || group == 0xFFFE {
            (*b"  ", self.u32(e)?)
        } else {
            let vr = self.read::<2>()?;
            let long = matches!(
                &vr,
                b"OB" | b"OD" | b"OF" | b"OL" | b"OV" | b"OW" | b"SQ" | b"SV" | b"UC" | b"UN" | b"UR" | b"UT" | b"UV"
            );
            let len = if long {
                self.skip(2)?;
                self.u32(e)?
            } else {
                self.u16(e)? as u32
            };
            (vr, len)
        };
        let name = || format!("element ({group:04X},{elem:04X}) at byte {at}");
        if len != UNDEFINED {
            return self.skip(len as u64).map_err(|_| {
                format!(
                    "{} declares {len} bytes, past the end of the file ({} bytes)",
                    name(),
                    self.len
                )
            });
        }
        let pixel_data = (group, elem) == (0x7FE0, 0x0010);
        // Undefined length: a sequence (SQ, or any in implicit VR / UN: implicit VR inside) or
        // encapsulated pixel data (items of raw fragments).
        let inner = if &vr == b"UN" { Encoding::ImplicitLittle } else { e };
        loop {
            let item_at = self.pos;
            let (g, el) = (self.u16(e)?, self.u16(e)?);
            let ilen = self.u32(e)?;
            match (g, el) {
                (0xFFFE, 0xE0DD) => return Ok(()),
                (0xFFFE, 0xE000) if pixel_data => {
                    if ilen == UNDEFINED {
                        return Err(format!("a pixel data fragment of undefined length at byte {item_at}"));
                    }
                    self.skip(ilen as u64).map_err(|_| {
                        format!(
                            "a pixel data fragment at byte {item_at} declares {ilen} bytes, past the end of the file"
                        )
                    })?;
                }
                (0xFFFE, 0xE000) => self.item(inner, ilen, item_at, depth + 1)?,
                _ => return Err(format!("{}: expected an item at byte {item_at}", name())),
            }
        }
    }

    /// The elements of one sequence item (of length `len`, or up to its delimiter).
    fn item(&mut self, e: Encoding, len: u32, at: u64, depth: usize) -> Result<(), String> {
        if len != UNDEFINED {
            let end = self.pos + len as u64;
            if end > self.len {
                return Err(format!(
                    "an item at byte {at} declares {len} bytes, past the end of the file"
                ));
            }
            while self.pos < end {
                self.element(e, depth)?;
            }
            return if self.pos == end {
                Ok(())
            } else {
                Err(format!("an element runs past the end of the item at byte {at}"))
            };
        }
        loop {
            // An item delimiter (FFFE,E00D) ends it.
            let mark = self.pos;
            let (g, el) = (self.u16(e)?, self.u16(e)?);
            if (g, el) == (0xFFFE, 0xE00D) {
                self.skip(4)?;
                return Ok(());
            }
            self.r.seek_relative(-4).map_err(|x| x.to_string())?;
            self.pos = mark;
            self.element(e, depth)?;
        }
    }
}
