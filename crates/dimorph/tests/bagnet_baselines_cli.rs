//! `dimorph bagnet` with the baseline CNNs of the paper's Table 1: `train --arch resnet50` and `eval`
//! through the same commands as a BagNet, `eval` with one model and with several (the Table 1
//! layout, one row per model), `import` of torchvision's weight file, and `explain` refused for a
//! global model (exit 2).

use crate::common::{run, stderr, stdout};
use crate::common::{scratch_path, ScratchPath};
use serde_json::Value;

/// A path not made yet (the CLI makes it), removed with its scratch folder when dropped.
fn tmp(name: &str) -> ScratchPath {
    scratch_path("dimorph_bagnet_baselines_cli", name)
}

const TINY: &[&str] = &[
    "--width",
    "0.0625",
    "--size",
    "40",
    "--batch",
    "8",
    "--optimizer",
    "adam",
    "--lr",
    "0.003",
    "--head-epochs",
    "1",
    "--epochs",
    "1",
    "--quiet",
];

#[test]
fn resnet50_trains_evaluates_and_is_refused_by_explain() {
    let d = tmp("flow");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    assert!(run(&["bagnet", "synth", "--out", s, "--n", "24", "--size", "40"])
        .status
        .success());
    let labels = img.join("labels.csv");
    let l = labels.to_str().unwrap();
    let mut runs = Vec::new();
    for arch in ["resnet50", "bagnet9"] {
        let out = d.join(arch);
        let r = out.to_str().unwrap().to_string();
        let mut args = vec![
            "bagnet", "train", "--images", s, "--labels", l, "--out", &r, "--arch", arch,
        ];
        args.extend(TINY);
        let o = run(&args);
        assert!(o.status.success(), "{arch}: {}", stderr(&o));
        runs.push(out.join("best"));
    }
    let resnet = runs[0].to_str().unwrap();
    let bagnet = runs[1].to_str().unwrap();
    // One model: the usual result, and the Table 1 layout with its one row.
    let o = run(&["bagnet", "eval", "--model", resnet, "--images", s, "--labels", l]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Table 1") && text.contains("resnet50 ("), "{text}");
    let o = run(&[
        "bagnet", "eval", "--model", resnet, "--images", s, "--labels", l, "--format", "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["result"]["sets"][2]["set"], "test");
    // Two models: one row each, in the order given.
    let o = run(&[
        "bagnet", "eval", "--model", resnet, "--model", bagnet, "--images", s, "--labels", l, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let models = v["result"]["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0]["arch"], "resnet50");
    assert_eq!(models[1]["arch"], "bagnet9");
    assert_eq!(v["input"]["models"].as_array().unwrap().len(), 2);
    let o = run(&[
        "bagnet", "eval", "--model", resnet, "--model", bagnet, "--images", s, "--labels", l,
    ]);
    let text = stdout(&o);
    assert!(text.contains("resnet50 (") && text.contains("bagnet9 ("), "{text}");
    // explain: evidence maps are the BagNet's alone.
    let maps = d.join("maps");
    let o = run(&[
        "bagnet",
        "explain",
        "--model",
        resnet,
        "--images",
        s,
        "--labels",
        l,
        "--out",
        maps.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("resnet50") && stderr(&o).contains("BagNet"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn import_reads_a_torchvision_resnet50_file() {
    let d = tmp("import");
    let weights =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dimorph-bagnet/tests/fixtures/resnet50_w16.pth");
    let out = d.join("model");
    let o = run(&[
        "bagnet",
        "import",
        "--weights",
        weights.to_str().unwrap(),
        "--size",
        "64",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["result"]["arch"], "resnet50");
    assert_eq!(v["result"]["width"], 0.0625);
    assert_eq!(v["result"]["classes"].as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(&d);
}

/// Inception-v3's auxiliary loss: `--aux-weight` is refused where it cannot apply (exit 2, naming
/// the flag), and a run below 299 px without it trains on the main loss with a warning saying so.
#[test]
fn inception_v3_aux_weight_is_checked_and_small_images_warn() {
    let d = tmp("aux");
    let img = d.join("img");
    let s = img.to_str().unwrap();
    assert!(run(&["bagnet", "synth", "--out", s, "--n", "24", "--size", "80"])
        .status
        .success());
    let labels = img.join("labels.csv");
    let l = labels.to_str().unwrap();
    let out = d.join("run");
    let r = out.to_str().unwrap();
    let base = [
        "bagnet",
        "train",
        "--images",
        s,
        "--labels",
        l,
        "--out",
        r,
        "--width",
        "0.0625",
        "--batch",
        "8",
        "--head-epochs",
        "0",
        "--epochs",
        "1",
        "--quiet",
    ];
    for (extra, want) in [
        (
            &["--arch", "inception-v3", "--size", "80", "--aux-weight", "0.4"][..],
            "--size 299",
        ),
        (
            &["--arch", "inception-v3", "--size", "80", "--aux-weight", "-1"][..],
            "between 0 and 10",
        ),
        (
            &["--arch", "resnet50", "--size", "80", "--aux-weight", "0.4"][..],
            "inception-v3 only",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("--aux-weight") && e.contains(want), "{extra:?}: {e}");
    }
    let mut args = base.to_vec();
    args.extend(["--arch", "inception-v3", "--size", "80", "--format", "json"]);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let warned = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap_or("").contains("auxiliary classifier needs 299 px"));
    assert!(warned, "{}", v["warnings"]);
    let _ = std::fs::remove_dir_all(&d);
}
