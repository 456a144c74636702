//! `dimorph refint estimate --out`: one histogram-with-fit figure and one Q–Q figure per
//! estimated group, written under safe, distinct names (labels with '/' and spaces) and listed
//! in the JSON envelope's files; a group too small for the method gets no figure and a warning.

use crate::common::scratch_dir;
use crate::common::{envelope_file_names, run, stderr};

#[test]
fn estimate_writes_safe_figure_files_per_group() {
    let dir = scratch_dir("dimorph_refint_figures_cli");
    let mut csv = String::from("value,group\n");
    for (g, n) in [("a/b", 200), ("a b", 200), ("tiny", 12)] {
        for i in 0..n {
            // spread values with a few high ones (pathological)
            let v = 40.0 + (i * 37 % n) as f64 * 0.2 + if i % 20 == 0 { 50.0 } else { 0.0 };
            csv.push_str(&format!("{v},{g}\n"));
        }
    }
    let data = dir.join("groups.csv");
    std::fs::write(&data, csv).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        data.to_str().unwrap(),
        "--value",
        "value",
        "--by",
        "group",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = envelope_file_names(&v);
    assert_eq!(
        files,
        [
            "estimate_a_b.svg",
            "estimate_a_b_2.svg",
            "histograms.svg",
            "limits.csv",
            "qq_a_b.svg",
            "qq_a_b_2.svg"
        ]
    );
    for f in &files {
        let p = out.join(f);
        assert!(p.exists(), "{f}");
        if f.ends_with(".svg") {
            let s = std::fs::read_to_string(&p).unwrap();
            assert!(s.starts_with("<svg") && s.ends_with("</svg>"), "{f}");
        }
    }
    // "a b" sorts before "a/b": it has the first name; each figure names its group
    let first = std::fs::read_to_string(out.join("estimate_a_b.svg")).unwrap();
    let second = std::fs::read_to_string(out.join("estimate_a_b_2.svg")).unwrap();
    assert!(first.contains("group = a b") && second.contains("group = a/b"));
    assert!(
        stderr(&o).contains("tiny") && stderr(&o).contains("not estimated"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
