#!/usr/bin/env bash
# The build cost of DICOM input (dimorph-bagnet's `dicom` feature): a scratch crate with the same
# dicom-rs dependencies and features and the workspace's release profile, built from nothing in its
# own target folder with 2 jobs; prints the wall time and the CPU seconds of the crates that the
# workspace's Cargo.lock does not hold without the feature (cargo --timings).
# Usage: bench/bagnet/dicom_build.sh [scratch folder, default /tmp/dicom-build-cost]
set -euo pipefail
dir=${1:-/tmp/dicom-build-cost}
rm -rf "$dir" && mkdir -p "$dir/src"
cat > "$dir/Cargo.toml" <<'TOML'
[package]
name = "dicom-build-cost"
version = "0.1.0"
edition = "2021"
[dependencies]
dicom-object = "0.10.1"
dicom-pixeldata = { version = "0.10.1", default-features = false, features = ["jpeg", "rle"] }
dicom-core = "0.10.1"
dicom-dictionary-std = "0.10.1"
dicom-encoding = "0.10.1"
dicom-transfer-syntax-registry = { version = "0.10.1", default-features = false }
[workspace]
[profile.release]
debug = false
codegen-units = 4
TOML
echo 'fn main() {}' > "$dir/src/main.rs"
cd "$dir"
/usr/bin/time -f "wall %e s, user %U s, system %S s" nice cargo build --release -j2 --timings 2>&1 | grep -E "wall|Finished"
python3 - <<'PY'
import json, re
h = open("target/cargo-timings/cargo-timing.html").read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", h, re.S).group(1))
new = set("""byteordered dicom-core dicom-dictionary-std dicom-encoding dicom-object dicom-parser
dicom-pixeldata dicom-transfer-syntax-registry encoding encoding-index-japanese encoding-index-korean
encoding-index-simpchinese encoding-index-singlebyte encoding-index-tradchinese encoding_index_tests
itertools jpeg-decoder jpeg-encoder safe-transmute snafu snafu-derive""".split())
rows = sorted(((u["duration"], u["name"], u["version"]) for u in units if u["name"] in new), reverse=True)
for d, n, v in rows:
    print(f"{n} {v}: {d:.1f} s")
print(f"crates new to the workspace: {len(rows)}, {sum(r[0] for r in rows):.1f} CPU-s of {sum(u['duration'] for u in units):.1f} in all")
PY
