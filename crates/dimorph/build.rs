//! Embeds the bundled data sets (the repository's `data/` folder) in the binary, so that an
//! installed `dimorph demo` runs anywhere: writes `$OUT_DIR/bundled.rs` with one
//! `(relative path, include_bytes!(…))` pair per file.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let data = manifest.join("../../data");
    println!("cargo:rerun-if-changed={}", data.display());
    let mut list = Vec::new();
    files(&data, &mut list);
    let mut code = String::from("/// The bundled data files: (path relative to the data folder, contents).\npub static FILES: &[(&str, &[u8])] = &[\n");
    for f in &list {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&data).unwrap_or(f).to_string_lossy().replace('\\', "/");
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("bundled.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
