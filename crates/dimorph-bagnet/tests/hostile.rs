//! The hostile-file suite (issue 14): weight files with deep pickles, huge declared shapes and zip
//! bombs, a PNG decompression bomb and label paths that leave the images folder, all made on the
//! fly by `hostile/files.rs`. Each is refused with an input error (exit code 2 on the command
//! line) naming the problem, and — the memory bound — this test process never holds more than
//! [`PEAK_RSS`] bytes (its VmHWM on Linux, which covers every case of this binary: a 4 TB tensor, a
//! 3 GiB zip entry or a 13,000² image would each blow it many times over). The same files go
//! through the command line under an address-space limit in `crates/dimorph/tests/bagnet_cli.rs`.

#[path = "hostile/files.rs"]
mod files;

use std::path::{Path, PathBuf};
use std::time::Instant;

use dimorph_bagnet::data;
use dimorph_bagnet::model::{Arch, BagNetConfig};
use dimorph_bagnet::on_cpu;
use dimorph_bagnet::options::{ImportOptions, ReadOptions};
use dimorph_bagnet::pipeline;
use dimorph_bagnet::weights::{self, LoadOptions};
use dimorph_bagnet::BagNetError;
use dimorph_core::ScratchPath;
use files::*;

/// The most this test process may hold at its peak.
const PEAK_RSS: u64 = 128 << 20;

fn tmp(name: &str) -> ScratchPath {
    ScratchPath::new("dimorph-bagnet-hostile", name).unwrap()
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bagnet33_w32.pth.tar")
}

fn write(name: &str, bytes: &[u8]) -> ScratchPath {
    let p = tmp(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Load a weight file into the fixture's architecture (BagNet-33 at width 1/32, 3 outputs).
fn load(path: &Path) -> Result<(), BagNetError> {
    let mut m = BagNetConfig::new(Arch::BagNet33, 3).with_width(1.0 / 32.0).init_cpu();
    on_cpu::load_pretrained(&mut m, path, &LoadOptions::default()).map(|_| ())
}

/// `f` fails with an input error whose message holds `want`, within a second or two.
fn refused(case: &str, want: &str, f: impl FnOnce() -> Result<(), BagNetError>) {
    let t = Instant::now();
    let e = match f() {
        Ok(()) => panic!("{case}: accepted"),
        Err(e) => e,
    };
    let msg = e.to_string();
    println!("{case}: {:.2} s: {msg}", t.elapsed().as_secs_f64());
    assert!(e.is_input(), "{case}: not an input error: {msg}");
    assert!(msg.contains(want), "{case}: '{want}' not in: {msg}");
    assert!(
        msg.chars().count() < 600,
        "{case}: message of {} characters",
        msg.chars().count()
    );
}

/// The index of a storage entry of the fixture holding a model tensor (more than 64 bytes).
fn model_storage(entries: &[Entry]) -> usize {
    entries
        .iter()
        .position(|e| e.name.contains("/data/") && e.size > 64)
        .unwrap()
}

fn weight_files() {
    // A pickle nested 10^6 deep in a legacy file (burn-store alone overflows the stack).
    let f = write("deep_legacy.pth", &legacy_file(&deep_pickle(1_000_000), &[], &[]));
    refused("deep legacy pickle", "nests objects more than 100 deep", || load(&f));
    // The same as a zip checkpoint's data.pkl.
    let f = write(
        "deep_zip.pth",
        &edited_zip(&fixture(), |e| {
            let p = e.iter_mut().find(|e| e.name.ends_with("data.pkl")).unwrap();
            p.data = deep_pickle(200_000);
            p.size = p.data.len() as u32;
            p.crc = crc32(&p.data);
        }),
    );
    refused("deep zip pickle", "more than 100 deep", || load(&f));
    // A legacy tensor that claims 10^12 elements (4 TB) over 16 bytes of data.
    let huge = [Tensor {
        name: "conv1.weight",
        key: "0",
        storage_numel: 1_000_000_000_000,
        shape: &[1_000_000_000_000],
    }];
    let f = write(
        "huge_legacy.pth",
        &legacy_file(&state_dict_pickle(&huge), &["0"], &[(1_000_000_000_000, vec![0; 16])]),
    );
    refused(
        "legacy tensor of 10^12 elements",
        "runs past the end of the file",
        || load(&f),
    );
    refused("inspect of it", "runs past the end of the file", || {
        weights::inspect(&f).map(|_| ())
    });
    // A shape whose element count overflows.
    let overflow = [Tensor {
        name: "conv1.weight",
        key: "0",
        storage_numel: 4,
        shape: &[1 << 40, 1 << 40],
    }];
    let f = write(
        "overflow_legacy.pth",
        &legacy_file(&state_dict_pickle(&overflow), &["0"], &[(4, vec![0; 16])]),
    );
    refused("overflowing shape", "which no storage can hold", || load(&f));
    // The tar format of PyTorch < 0.4: a deep pickle, and a storage of 2^62 elements.
    let dict = vec![0x80, 2, b'}', b'.'];
    let f = write(
        "deep.tar",
        &tar_file(&[
            ("sys_info", dict.clone()),
            ("pickle", deep_pickle(1_000_000)),
            ("storages", vec![0x80, 2, b'K', 0, b'.']),
        ]),
    );
    refused("deep tar pickle", "more than 100 deep", || load(&f));
    let mut storages =
        b"\x80\x02K\x01.\x80\x02(X\x01\x00\x00\x000X\x03\x00\x00\x00cpuctorch\nFloatStorage\nt.".to_vec();
    storages.extend((1u64 << 62).to_le_bytes());
    storages.extend([0u8; 16]);
    let f = write(
        "huge.tar",
        &tar_file(&[("sys_info", dict.clone()), ("pickle", dict), ("storages", storages)]),
    );
    refused(
        "tar storage of 2^62 elements",
        "runs past the end of the storages",
        || load(&f),
    );
    // 20,000 tensors against 20,000 storage keys: burn-store matches them pairwise (4·10^8).
    let names: Vec<String> = (0..20_000).map(|i| format!("t{i}")).collect();
    let many: Vec<Tensor> = names
        .iter()
        .map(|n| Tensor {
            name: n,
            key: "0",
            storage_numel: 1,
            shape: &[1],
        })
        .collect();
    let keys: Vec<&str> = names.iter().map(String::as_str).collect();
    let f = write("many_keys.pth", &legacy_file(&state_dict_pickle(&many), &keys, &[]));
    refused("20,000 tensors × 20,000 keys", "too many to match up", || load(&f));
    // A string that declares 4 GiB.
    let mut p = vec![0x80, 2, b'X'];
    p.extend(u32::MAX.to_le_bytes());
    p.extend(b"x.");
    let f = write("long_string.pth", &legacy_file(&p, &[], &[]));
    refused("4 GiB string", "declares 4294967295 bytes", || load(&f));
}

fn zip_bombs() {
    // data.pkl declaring 3 GiB: refused from the declared size.
    let f = write(
        "pickle_declares_3g.pth",
        &edited_zip(&fixture(), |e| {
            let p = e.iter_mut().find(|e| e.name.ends_with("data.pkl")).unwrap();
            (p.method, p.data, p.size) = (8, deflate_zeros(1 << 20), 3 << 30);
        }),
    );
    refused("data.pkl declaring 3 GiB", "more than the 67108864", || load(&f));
    // data.pkl declaring its true size but inflating to 64 MiB: stopped one byte past it.
    let f = write(
        "pickle_inflates.pth",
        &edited_zip(&fixture(), |e| {
            let p = e.iter_mut().find(|e| e.name.ends_with("data.pkl")).unwrap();
            (p.method, p.data) = (8, deflate_zeros(64 << 20));
        }),
    );
    refused("data.pkl inflating past its size", "inflates to more", || load(&f));
    // A model tensor's storage entry declaring 3 GiB: refused before inflating.
    let f = write(
        "storage_declares_3g.pth",
        &edited_zip(&fixture(), |e| {
            let i = model_storage(e);
            (e[i].method, e[i].data, e[i].size) = (8, deflate_zeros(1 << 20), 3 << 30);
        }),
    );
    refused("storage declaring 3 GiB", "refused before inflating", || load(&f));
    // A model tensor's storage declaring its true size but inflating to 256 MiB.
    let f = write(
        "storage_inflates.pth",
        &edited_zip(&fixture(), |e| {
            let i = model_storage(e);
            (e[i].method, e[i].data) = (8, deflate_zeros(256 << 20));
        }),
    );
    refused("storage inflating past its size", "does not inflate to the", || {
        load(&f)
    });
    // An unused entry inflating to 3 GiB: never read, the import succeeds.
    let f = write(
        "unused_bomb.pth",
        &edited_zip(&fixture(), |e| {
            e.push(Entry {
                name: "bagnet33_w32.pth/extra/bomb".into(),
                method: 8,
                crc: 0,
                data: deflate_zeros(8 << 20),
                size: 3 << 30,
            })
        }),
    );
    let t = Instant::now();
    let out = tmp("unused_bomb_model");
    let _ = std::fs::remove_dir_all(&out);
    let r = pipeline::import(
        &f,
        &ImportOptions {
            size: 48,
            ..Default::default()
        },
        &out,
    );
    assert!(r.is_ok(), "unused bomb: {:?}", r.err().map(|e| e.to_string()));
    println!("unused 3 GiB entry: imported in {:.2} s", t.elapsed().as_secs_f64());
    // A safetensors header declaring a 10^12-element tensor over 4 bytes.
    let header = br#"{"conv1.weight":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4]}}"#;
    let mut st = (header.len() as u64).to_le_bytes().to_vec();
    st.extend(header);
    st.extend([0u8; 4]);
    let f = write("huge.safetensors", &st);
    refused("safetensors of 10^12 elements", "not a readable", || load(&f));
}

fn images_and_labels() {
    let root = tmp("labels");
    let _ = std::fs::remove_dir_all(&root);
    let images = root.join("images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("in.png"), png(40, 40, 100)).unwrap();
    std::fs::write(root.join("outside.png"), png(40, 40, 100)).unwrap();
    std::fs::write(images.join("bomb.png"), png_bomb(13_000)).unwrap();
    let read = |path: &str, allow: bool| -> Result<(), BagNetError> {
        let csv = root.join("labels.csv");
        std::fs::write(&csv, format!("path,subject,label\n\"{path}\",s1,a\nin.png,s2,b\n")).unwrap();
        let opt = ReadOptions {
            allow_outside_images: allow,
            ..Default::default()
        };
        pipeline::read_dataset(&images, &csv, None, 40, true, &opt).map(|_| ())
    };
    // A 13,000² PNG of under 100 kB: refused from its header.
    refused("13,000² PNG", "larger than 8192 px per side", || {
        read("bomb.png", false)
    });
    // Paths out of --images: one message whether the file exists or not.
    let abs_out = root.join("outside.png").display().to_string();
    let abs_missing = root.join("missing.png").display().to_string();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("../outside.png", images.join("link_out.png")).unwrap();
        std::os::unix::fs::symlink("../missing.png", images.join("link_missing.png")).unwrap();
        std::os::unix::fs::symlink(&root, images.join("up")).unwrap();
    }
    let mut outside = vec![
        "../outside.png",
        "../missing.png",
        abs_out.as_str(),
        abs_missing.as_str(),
    ];
    if cfg!(unix) {
        outside.extend(["link_out.png", "link_missing.png", "up/outside.png", "up/missing.png"]);
    }
    for p in outside {
        refused(&format!("label path {p}"), "lies outside --images", || read(p, false));
    }
    refused("missing inside", "does not exist", || read("nope.png", false));
    // A 1 MB path is quoted cut short.
    let long = "x".repeat(1 << 20);
    refused("1 MB path", "…", || read(&long, false));
    // With --allow-outside-images the file outside is read.
    read("../outside.png", true).unwrap();
    assert!(data::read_labels(&root.join("labels.csv"), &images).is_err());
}

#[test]
fn hostile_files_are_refused_within_the_memory_bound() {
    weight_files();
    zip_bombs();
    images_and_labels();
    if let Some(peak) = peak_rss() {
        println!("peak resident memory of the test process: {:.1} MB", peak as f64 / 1e6);
        assert!(peak < PEAK_RSS, "peak resident memory {peak} bytes, over {PEAK_RSS}");
    }
}
