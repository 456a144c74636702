//! `dimorph refint` end to end: outputs, JSON fields, and exit code 2 with a clear message for
//! bad input.

use std::path::PathBuf;

mod common;
use common::{run, stderr};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/refint")
        .join(name)
}

fn tmp(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dimorph_refint_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn table_json_has_the_paper_numbers() {
    let o = run(&[
        "refint",
        "table",
        "--data",
        data("haeckel2016_table1.csv").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let crea = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["quantity"] == "Creatinine")
        .unwrap();
    // Table 1: pD(RL2) = 5.39, CV_E* = 18.84 (18.847 unrounded)
    assert!((crea["pd2"].as_f64().unwrap() - 5.39).abs() < 0.01);
    assert!((crea["cv_e"].as_f64().unwrap() - 18.84).abs() < 0.01 + 1e-9);
}

#[test]
fn compare_worked_example() {
    let o = run(&["refint", "compare", "--a", "50,104", "--b", "45,88", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["upper"]["relevant"], true);
    assert!((v["upper"]["d"].as_f64().unwrap() - 16.0).abs() < 1e-12);
    let o = run(&["refint", "compare", "--a", "10,35", "--b", "10,37"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("not relevant"), "{out}");
}

#[test]
fn partition_writes_figures_and_decides() {
    let dir = std::env::temp_dir().join(format!("dimorph_refint_figs_{}", std::process::id()));
    let o = run(&[
        "refint",
        "partition",
        "--data",
        data("reflimr_livertests.csv").to_str().unwrap(),
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--out",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["partition"], true);
    assert_eq!(v["decisions"][1]["limit"], "upper");
    let svg = std::fs::read_to_string(dir.join("CREA_by_Sex_equivalence.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("equivalence lines"));
    assert!(dir.join("CREA_by_Sex_histograms.svg").exists());
}

#[test]
fn estimate_reflim_matches_reflimr_printed_limits() {
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        data("reflimr_livertests.csv").to_str().unwrap(),
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // reflimR 1.1.0: women 54.6–80.2, men 61.2–115.4 (tests/reference/peers.R of dimorph-refint)
    assert_eq!(v["groups"][0]["reflim"]["lower_rounded"].as_f64(), Some(54.6));
    assert_eq!(v["groups"][1]["reflim"]["upper_rounded"].as_f64(), Some(115.4));
}

fn expect_input_error(args: &[&str], needles: &[&str]) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "args {args:?}: {}", stderr(&o));
    let e = stderr(&o);
    for n in needles {
        assert!(e.contains(n), "args {args:?}: '{n}' not in: {e}");
    }
}

#[test]
fn bad_limits_and_arguments_exit_2() {
    // RL1 >= RL2
    expect_input_error(
        &["refint", "compare", "--a", "104,50", "--b", "45,88"],
        &["--a", "lower limit (104) must be below the upper limit (50)"],
    );
    // non-positive limit under the log-normal assumption
    expect_input_error(
        &["refint", "compare", "--a", "0,50", "--b", "45,88"],
        &["not positive", "log-normal"],
    );
    // not a pair
    expect_input_error(
        &["refint", "compare", "--a", "50", "--b", "45,88"],
        &["--a", "two numbers"],
    );
    // bad z
    expect_input_error(
        &["refint", "compare", "--a", "50,104", "--b", "45,88", "--z=-1"],
        &["--z"],
    );
    // table with RL1 >= RL2 names the line
    let t = tmp("t.csv", "quantity,unit,rl1,rl2\nA,U,1,2\nB,U,5,4\n");
    expect_input_error(&["refint", "table", "--data", t.to_str().unwrap()], &["line 3", "(B)"]);
}

#[test]
fn bad_data_exit_2() {
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    // missing group column, missing value column
    expect_input_error(
        &["refint", "partition", "--data", lt, "--value", "CREA", "--by", "Gender"],
        &["no column named 'Gender'"],
    );
    expect_input_error(
        &["refint", "estimate", "--data", lt, "--value", "UREA"],
        &["no column named 'UREA'"],
    );
    // one-level group column
    let one = tmp(
        "one.csv",
        &(0..50)
            .map(|i| format!("{},x\n", 10 + i))
            .fold("v,g\n".to_string(), |a, b| a + &b),
    );
    expect_input_error(
        &[
            "refint",
            "partition",
            "--data",
            one.to_str().unwrap(),
            "--value",
            "v",
            "--by",
            "g",
        ],
        &["only one level", "'g'"],
    );
    // too few values: say the minimum and the count
    let few = tmp(
        "few.csv",
        &(0..25)
            .map(|i| format!("{}\n", 10 + i))
            .fold("v\n".to_string(), |a, b| a + &b),
    );
    expect_input_error(
        &["refint", "estimate", "--data", few.to_str().unwrap(), "--value", "v"],
        &["at least 40", "there are 25"],
    );
    // constant data
    let c = tmp("const.csv", &format!("v\n{}", "5\n".repeat(60)));
    expect_input_error(
        &[
            "refint",
            "estimate",
            "--data",
            c.to_str().unwrap(),
            "--value",
            "v",
            "--method",
            "direct",
        ],
        &["all 60 values equal 5"],
    );
    // non-numeric cell: names the line
    let nn = tmp("nn.csv", "v\n1\n2\nfoo\n");
    expect_input_error(
        &["refint", "estimate", "--data", nn.to_str().unwrap(), "--value", "v"],
        &["line 4", "foo"],
    );
    // non-positive value with the reflim method: names the line
    let np = tmp("np.csv", "v\n1\n-2\n3\n");
    expect_input_error(
        &["refint", "estimate", "--data", np.to_str().unwrap(), "--value", "v"],
        &["line 3", "not positive"],
    );
}

#[test]
fn estimate_with_targets_interprets_like_reflimr() {
    // reflimR 1.1.0, livertests CREA, women, targets 41–88 (reflimr_targetvalues.csv):
    // lower "markedly increased", upper "markedly decreased" (tests/reference/peers.R)
    let t = dimorph_data_targets();
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        data("reflimr_livertests.csv").to_str().unwrap(),
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--targets",
        &t,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let i = &v["groups"][0]["reflim"]["interpretation"];
    assert_eq!(i["lower"], "markedly_increased");
    assert_eq!(i["upper"], "markedly_decreased");
    expect_input_error(
        &[
            "refint",
            "estimate",
            "--data",
            data("reflimr_livertests.csv").to_str().unwrap(),
            "--value",
            "CREA",
            "--targets",
            "88,41",
        ],
        &["--targets", "must be below"],
    );
}

fn dimorph_data_targets() -> String {
    let s = std::fs::read_to_string(data("reflimr_targetvalues.csv")).unwrap();
    let row = s.lines().find(|l| l.starts_with("\"CREA\"")).unwrap();
    let f: Vec<&str> = row.split(',').collect();
    format!("{},{}", f[2], f[3])
}
