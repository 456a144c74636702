//! Hostile `.xlsx` files: decompression bombs are refused before calamine inflates them, naming
//! the file, within bounded time. The bombs are generated here (the zip written by hand so that a
//! part's declared size can be set, or made to lie; the deflate stream is one 1 MiB block of
//! zeros compressed once and repeated, so a 2 GiB part costs about 2 MB and no time to make).

use dimorph_core::ScratchPath;
use dimorph_data::{read_xlsx, ReadOptions};
use flate2::{Compress, Compression, FlushCompress};
use std::path::PathBuf;
use std::time::Instant;

/// A raw deflate stream inflating to `mib` MiB of zeros.
fn zeros_deflate(mib: usize) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut chunk = Vec::with_capacity(1 << 16);
    c.compress_vec(&vec![0u8; 1 << 20], &mut chunk, FlushCompress::Sync)
        .unwrap();
    assert!(chunk.len() < 1 << 16, "the 1 MiB chunk compressed to {}", chunk.len());
    let mut out = Vec::with_capacity(chunk.len() * mib + 2);
    for _ in 0..mib {
        out.extend_from_slice(&chunk);
    }
    out.extend_from_slice(&[0x03, 0x00]); // a final, empty fixed-Huffman block
    out
}

/// A zip of deflated entries `(name, declared uncompressed size, raw deflate data)`.
fn zip_by_hand(entries: &[(&str, u32, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, size, data) in entries {
        let offset = out.len() as u32;
        let common = |b: &mut Vec<u8>| {
            b.extend_from_slice(&20u16.to_le_bytes()); // version needed
            b.extend_from_slice(&0u16.to_le_bytes()); // flags
            b.extend_from_slice(&8u16.to_le_bytes()); // deflate
            b.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            b.extend_from_slice(&0u32.to_le_bytes()); // crc (never reached)
            b.extend_from_slice(&(data.len() as u32).to_le_bytes());
            b.extend_from_slice(&size.to_le_bytes());
            b.extend_from_slice(&(name.len() as u16).to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&[0u8; 6]); // comment len, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    let n = entries.len() as u16;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn write_tmp(name: &str, bytes: &[u8]) -> ScratchPath {
    let p = ScratchPath::new("dimorph-xlsx-bomb", name).unwrap();
    std::fs::write(&*p, bytes).unwrap();
    p
}

/// Small honest parts beside the bomb, as a real workbook has.
fn small_parts() -> Vec<(&'static str, u32, Vec<u8>)> {
    let one = zeros_deflate(0); // inflates to nothing: an empty part
    vec![
        ("[Content_Types].xml", 0, one.clone()),
        ("xl/workbook.xml", 0, one.clone()),
        ("xl/_rels/workbook.xml.rels", 0, one),
    ]
}

#[test]
fn a_sheet_declaring_2_gib_from_2_mb_is_refused_naming_the_file() {
    let mut entries = small_parts();
    entries.push(("xl/worksheets/sheet1.xml", 2048 << 20, zeros_deflate(2048)));
    let bytes = zip_by_hand(&entries);
    assert!(bytes.len() < 8 << 20, "bomb is {} bytes", bytes.len());
    let p = write_tmp("declared.xlsx", &bytes);
    let t = Instant::now();
    let e = read_xlsx(&p, &ReadOptions::default()).unwrap_err().to_string();
    let _ = std::fs::remove_file(&p);
    let secs = t.elapsed().as_secs_f64();
    assert!(e.contains("declared.xlsx"), "{e}");
    assert!(e.contains("decompression bomb") && e.contains("sheet1.xml"), "{e}");
    // bounded: nothing was inflated (a full inflate of 2 GiB takes many seconds unoptimised)
    eprintln!("refused in {secs:.3} s: {e}");
}

#[test]
fn a_sheet_lying_about_its_size_is_refused_once_it_inflates_past_the_declaration() {
    let mut entries = small_parts();
    entries.push(("xl/worksheets/sheet1.xml", 1000, zeros_deflate(2048)));
    let p = write_tmp("lying.xlsx", &zip_by_hand(&entries));
    let e = read_xlsx(&p, &ReadOptions::default()).unwrap_err().to_string();
    let _ = std::fs::remove_file(&p);
    eprintln!("{e}");
    assert!(e.contains("lying.xlsx"), "{e}");
    // either our count (inflates beyond its declaration) or the zip reader stops it; calamine
    // never sees 2 GiB
    assert!(e.contains("sheet1.xml"), "{e}");
}

#[test]
fn shared_strings_bomb_is_refused_too_and_an_unused_media_part_is_not_inflated() {
    let mut entries = small_parts();
    entries.push(("xl/sharedStrings.xml", 1100 << 20, zeros_deflate(1100)));
    let p = write_tmp("strings.xlsx", &zip_by_hand(&entries));
    let e = read_xlsx(&p, &ReadOptions::default()).unwrap_err().to_string();
    let _ = std::fs::remove_file(&p);
    assert!(
        e.contains("decompression bomb") && e.contains("sharedStrings.xml"),
        "{e}"
    );

    // a 2 GiB image calamine never reads is not a reason to refuse, nor inflated by the check:
    // the error is calamine's (no real workbook here), not the bomb refusal
    let mut entries = small_parts();
    entries.push(("xl/media/image1.png", 2048 << 20, zeros_deflate(2048)));
    let p = write_tmp("media.xlsx", &zip_by_hand(&entries));
    let e = read_xlsx(&p, &ReadOptions::default()).unwrap_err().to_string();
    let _ = std::fs::remove_file(&p);
    assert!(!e.contains("decompression bomb"), "{e}");
    assert!(e.contains("media.xlsx"), "{e}");
}

#[test]
fn an_honest_workbook_still_reads() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dimorph-refint/tests/fixtures/routine.xlsx");
    let o = ReadOptions {
        sheet: Some("lab".into()),
        ..Default::default()
    };
    let f = read_xlsx(&p, &o).unwrap();
    assert!(f.nrows > 0 && !f.columns.is_empty());
}
