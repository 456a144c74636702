//! `dimorph refint` end to end: outputs, the JSON envelope of every subcommand, tidy CSV, and exit
//! code 2 with a clear message for bad input and for options that do not apply.

use std::path::PathBuf;

use crate::common::{envelope_file_names, run, stderr, stdout};
use crate::common::{scratch_file, scratch_path, ScratchPath};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/refint")
        .join(name)
}

/// A file holding `contents`, removed with its scratch folder when dropped.
fn tmp(name: &str, contents: &str) -> ScratchPath {
    scratch_file("dimorph_refint_cli", name, contents)
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
    let crea = v["result"]["rows"]
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
    let c = &v["result"]["comparisons"][0];
    assert_eq!(c["upper"]["relevant"], true);
    assert!((c["upper"]["d"].as_f64().unwrap() - 16.0).abs() < 1e-12);
    let o = run(&["refint", "compare", "--a", "10,35", "--b", "10,37"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("not relevant"), "{out}");
}

#[test]
fn partition_writes_figures_and_decides() {
    let dir = scratch_path("dimorph_refint_figs", "out");
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
    assert_eq!(v["result"]["partition"], true);
    assert_eq!(v["result"]["decisions"][1]["limit"], "upper");
    let svg = std::fs::read_to_string(dir.join("equivalence.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("equivalence lines"));
    let files = envelope_file_names(&v);
    assert_eq!(
        files,
        [
            "decisions.csv",
            "equivalence.svg",
            "histograms.svg",
            "lahti.csv",
            "limits.csv"
        ]
    );
    for f in &files {
        assert!(dir.join(f).exists(), "{f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
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
    let g = &v["result"]["groups"];
    assert_eq!(g[0]["reflim"]["lower_rounded"].as_f64(), Some(54.6));
    assert_eq!(g[1]["reflim"]["upper_rounded"].as_f64(), Some(115.4));
}

/// reflimR's own options from the CLI (--perc-trunc, --distribution, --n-min) give reflimR
/// 1.1.0's unrounded limits on livertests' CREA and ALT per sex, with its choice of scale, its
/// truncated count and its warning of a small truncated sample (peer:
/// crates/dimorph-refint/tests/peers/reflim_options.R, run once, output beside it).
#[test]
fn reflim_options_equal_reflimrs() {
    let peer = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dimorph-refint/tests/peers/reflim_options.out.csv"),
    )
    .unwrap();
    let flags = |case: &str| -> &'static [&'static str] {
        match case {
            "perc_trunc_5" => &["--perc-trunc", "5"],
            "perc_trunc_1" => &["--perc-trunc", "1"],
            "lognormal" => &["--distribution", "lognormal"],
            "normal" => &["--distribution", "normal"],
            "n_min_40" => &["--n-min", "40"],
            other => panic!("case {other} of the peer file has no flags here"),
        }
    };
    let lt = data("reflimr_livertests.csv");
    let mut checked = 0;
    for line in peer.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (analyte, group, case) = (f[0], f[1], f[2]);
        let mut args = vec!["refint", "estimate", "--data", lt.to_str().unwrap(), "--value", analyte];
        args.extend(["--by", "Sex", "--format", "json"]);
        args.extend(flags(case));
        let o = run(&args);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let g = v["result"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == group)
            .unwrap();
        let r = &g["reflim"];
        let what = format!("{analyte} {group} {case}");
        assert_eq!(r["lognormal"].as_bool(), Some(f[3] == "TRUE"), "{what}");
        assert_eq!(r["n_trunc"].as_u64(), Some(f[4].parse().unwrap()), "{what}");
        for (key, want) in [("lower", f[5]), ("upper", f[6])] {
            let (got, want) = (g["limits"][key].as_f64().unwrap(), want.parse::<f64>().unwrap());
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{what} {key}: {got} vs reflimR's {want}"
            );
        }
        // reflimR warns when the truncated sample is smaller than n.min; dimorph remarks it
        let remarks = r["remarks"].to_string();
        assert_eq!(remarks.contains("is recommended"), f[7] == "TRUE", "{what}: {remarks}");
        checked += 1;
    }
    assert_eq!(checked, 20);
    // the options are range-checked and refused where they do not apply
    let lt = lt.to_str().unwrap();
    expect_input_error(
        &estimate_args(lt, "CREA", &["--perc-trunc", "40"]),
        &["--perc-trunc", "(0, 25]"],
    );
    expect_input_error(
        &estimate_args(lt, "CREA", &["--method", "kosmic", "--distribution", "normal"]),
        &["--perc-trunc, --distribution, --n-min", "--method kosmic"],
    );
}

/// --percentiles and --outliers reach the engine: referenceIntervals 1.3.1's refLimit(set120,
/// RI = "p", refConf = 0.90) and refLimit(set200, RI = "p", out.method = "horn", out.rm = TRUE)
/// (crates/dimorph-refint/tests/peers/percentiles_outliers.out.csv; the engine's test compares
/// every row of it), to 1e-9 relative; and they are refused, naming the flag, where they do not
/// apply.
#[test]
#[allow(clippy::excessive_precision)] // the peer's values as it printed them
fn percentiles_and_outliers_from_the_cli() {
    let est = |f, extra| estimate_args(f, "value", extra);
    let (p120, p200) = (
        data("referenceintervals_set120.csv"),
        data("referenceintervals_set200.csv"),
    );
    let (s120, s200) = (p120.to_str().unwrap(), p200.to_str().unwrap());
    let o = run(&est(
        s120,
        &["--method", "parametric", "--percentiles", "5,95", "--format", "csv"],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let (head, rows) = parse_csv(&stdout(&o));
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let near = |got: &str, want: f64| (got.parse::<f64>().unwrap() - want).abs() <= 1e-9 * want;
    assert!(near(&rows[0][col("estimate")], 14.163238523955442), "{:?}", rows[0]);
    assert!(near(&rows[1][col("estimate")], 40.617975872135737), "{:?}", rows[1]);
    assert_eq!(
        (rows[0][col("percentile")].as_str(), rows[1][col("percentile")].as_str()),
        ("5", "95")
    );
    let o = run(&est(
        s200,
        &[
            "--method",
            "parametric",
            "--outliers",
            "horn",
            "--remove-outliers",
            "--format",
            "json",
        ],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let g = &v["result"]["groups"][0];
    assert_eq!(g["outliers"]["count"], 5);
    assert_eq!(g["outliers"]["removed"], true);
    assert_eq!(g["limits"]["n"], 195);
    let lim = |k: &str| g["limits"][k].as_f64().unwrap();
    assert!((lim("lower") - 3.362421730769622).abs() < 1e-9 && (lim("upper") - 6.7246397140082905).abs() < 1e-9);
    assert_eq!(v["options"]["outliers"]["screen"], "horn");
    // refused where they do not apply, naming the flag
    expect_input_error(
        &est(s120, &["--percentiles", "5,95"]),
        &["--percentiles", "--method reflim", "2.5th and 97.5th"],
    );
    expect_input_error(
        &est(s120, &["--method", "direct", "--percentiles", "50,97.5"]),
        &["--percentiles", "0 < LOWER < 50 < UPPER < 100", "got 50,97.5"],
    );
    expect_input_error(
        &est(s120, &["--method", "kosmic", "--outliers", "dixon"]),
        &["--outliers", "--method kosmic"],
    );
    expect_input_error(
        &est(s120, &["--method", "direct", "--outliers", "dixon"]),
        &["3 to 30 values", "--outliers dixon"],
    );
    let lt = data("reflimr_livertests.csv");
    let part = [
        "refint",
        "partition",
        "--data",
        lt.to_str().unwrap(),
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--method",
        "direct",
        "--percentiles",
        "5,95",
    ];
    expect_input_error(&part, &["--percentiles", "refint estimate only"]);
}

/// `refint estimate --data DATA --value VALUE` and `extra`.
fn estimate_args<'a>(data: &'a str, value: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["refint", "estimate", "--data", data, "--value", value];
    a.extend(extra);
    a
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
    // issue 15: a value <= 0 under the reflim method is dropped and counted (as reflimR does);
    // here too few values remain, and the error says how many
    let np = tmp("np.csv", "v\n1\n-2\n3\n");
    expect_input_error(
        &["refint", "estimate", "--data", np.to_str().unwrap(), "--value", "v"],
        &["at least 40", "there are 2"],
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
    let i = &v["result"]["groups"][0]["reflim"]["interpretation"];
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

/// The JSON envelope of a run: exactly the envelope keys, the command, the input's role keys and
/// the result's top-level keys.
fn assert_envelope(args: &[&str], command: &str, input_keys: &[&str], result_keys: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert!(o.status.success(), "args {args:?}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys = |x: &serde_json::Value| {
        let mut k: Vec<String> = x
            .as_object()
            .unwrap_or_else(|| panic!("not an object: {x}"))
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let sorted = |k: &[&str]| {
        let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        sorted(&["command", "version", "input", "options", "result", "warnings", "files"]),
        "{command}"
    );
    assert_eq!(v["command"], command);
    assert_eq!(keys(&v["input"]), sorted(input_keys), "{command}: input");
    assert_eq!(keys(&v["result"]), sorted(result_keys), "{command}: result");
    assert!(v["options"].is_object() && v["warnings"].is_array() && v["files"].is_array());
    v
}

#[test]
fn every_subcommand_prints_the_envelope() {
    let t = data("haeckel2016_table1.csv");
    let v = assert_envelope(
        &["refint", "table", "--data", t.to_str().unwrap(), "--format", "json"],
        "refint table",
        &["data"],
        &["rows"],
    );
    assert_eq!(v["result"]["rows"].as_array().unwrap().len(), 10);
    assert_eq!(v["options"]["z"].as_f64(), Some(1.28));
    let compare_keys = ["a", "b", "permissible", "comparisons", "several", "relevant"];
    let v = assert_envelope(
        &["refint", "compare", "--a", "50,104", "--b", "45,88", "--format", "json"],
        "refint compare",
        &["a", "b"],
        &compare_keys,
    );
    assert_eq!(v["result"]["comparisons"].as_array().unwrap().len(), 1);
    // two --b: still the envelope, never a bare array
    let v = assert_envelope(
        &[
            "refint", "compare", "--a", "50,104", "--b", "45,88", "--b", "52,110", "--format", "json",
        ],
        "refint compare",
        &["a", "b"],
        &compare_keys,
    );
    assert_eq!(v["result"]["several"].as_array().unwrap().len(), 2);
    assert_eq!(v["result"]["several"][1]["limit"], "upper");
    assert_eq!(v["input"]["b"].as_array().unwrap().len(), 2);
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    let v = assert_envelope(
        &[
            "refint", "estimate", "--data", lt, "--value", "CREA", "--by", "Sex", "--format", "json",
        ],
        "refint estimate",
        &["data"],
        &["value", "by", "skipped", "counts", "groups", "not_estimated"],
    );
    assert_eq!(v["options"]["method"], "reflim");
    assert_eq!(v["options"]["value"], "CREA");
    assert!(v["options"]["transform"].is_null() && v["options"]["permissible"].is_null());
    let v = assert_envelope(
        &[
            "refint",
            "partition",
            "--data",
            lt,
            "--value",
            "CREA",
            "--by",
            "Sex",
            "--format",
            "json",
        ],
        "refint partition",
        &["data"],
        &[
            "value",
            "by",
            "method",
            "options",
            "skipped",
            "groups",
            "not_estimated",
            "pooled",
            "decisions",
            "lahti",
            "harris_boyd",
            "partition",
            "notes",
        ],
    );
    assert_eq!(v["options"]["permissible"]["z"].as_f64(), Some(1.28));
    assert_eq!(v["result"]["decisions"].as_array().unwrap().len(), 2);
}

const NASTY: &str = "Heart, \"vessels\"\nand more";

/// Two groups of 200 values, one named `NASTY` (quoted in the file), one `plain`.
fn nasty_data() -> ScratchPath {
    let quoted = format!("\"{}\"", NASTY.replace('"', "\"\""));
    let mut csv = String::from("v,g\n");
    for i in 0..200 {
        // a smooth, symmetric spread of values: 80..120 and 100..150
        let u = (i as f64 + 0.5) / 200.0;
        let z = -(u * std::f64::consts::PI).cos();
        csv.push_str(&format!("{:.2},{quoted}\n", 100.0 + 20.0 * z));
        csv.push_str(&format!("{:.2},plain\n", 125.0 + 25.0 * z));
    }
    tmp("nasty.csv", &csv)
}

/// Parses CSV text with the csv crate: (header, rows of fields), every row as wide as the header.
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    assert!(rows.iter().all(|x| x.len() == header.len()));
    (header, rows)
}

#[test]
fn a_group_name_with_comma_quote_and_newline_round_trips_through_csv() {
    let d = nasty_data();
    let d = d.to_str().unwrap();
    for (sub, method, n_rows) in [("estimate", "direct", 4), ("partition", "parametric", 6)] {
        let dir = scratch_path("dimorph_refint_nasty", sub);
        let o = run(&[
            "refint",
            sub,
            "--data",
            d,
            "--value",
            "v",
            "--by",
            "g",
            "--method",
            method,
            "--format",
            "csv",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{sub}: {}", stderr(&o));
        let printed = stdout(&o);
        let written = std::fs::read_to_string(dir.join("limits.csv")).unwrap();
        assert_eq!(
            printed, written,
            "{sub}: --format csv prints the main table, limits.csv"
        );
        let (header, rows) = parse_csv(&printed);
        assert_eq!(header[..3], ["group", "limit", "estimate"]);
        assert_eq!(rows.len(), n_rows, "{sub}");
        assert!(rows.iter().all(|r| r.len() == header.len()));
        assert_eq!(rows[0][0], NASTY, "{sub}");
        assert_eq!(rows[1][0], NASTY, "{sub}");
        assert_eq!(rows[2][0], "plain", "{sub}");
        assert!(rows[0][2].parse::<f64>().is_ok());
        if sub == "partition" {
            let (h, dec) = parse_csv(&std::fs::read_to_string(dir.join("decisions.csv")).unwrap());
            assert_eq!(h[..2], ["limit", "reference"]);
            assert_eq!(dec.len(), 2);
            assert_eq!(dec[0][1], NASTY);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn format_csv_gives_tidy_tables() {
    let t = data("haeckel2016_table1.csv");
    let o = run(&["refint", "table", "--data", t.to_str().unwrap(), "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = parse_csv(&stdout(&o));
    assert_eq!(h[..4], ["quantity", "unit", "rl1", "rl2"]);
    assert_eq!(rows.len(), 10);
    let o = run(&[
        "refint", "compare", "--a", "50,104", "--b", "45,88", "--b", "52,110", "--format", "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = parse_csv(&stdout(&o));
    assert_eq!(h[..3], ["set", "lower", "upper"]);
    assert_eq!(rows.len(), 2, "one row per compared set");
    assert_eq!((rows[0][0].as_str(), rows[1][0].as_str()), ("B1", "B2"));
    let lt = data("reflimr_livertests.csv");
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        lt.to_str().unwrap(),
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = parse_csv(&stdout(&o));
    assert_eq!(h[..2], ["group", "limit"]);
    let printed = h.iter().position(|c| c == "printed").unwrap();
    // one row per group × limit; reflimR prints 54.6–80.2 (women), 61.2–115.4 (men)
    assert_eq!(rows.len(), 4);
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("f", "lower"));
    assert_eq!(rows[0][printed], "54.6");
    assert_eq!(rows[3][printed], "115.4");
}

#[test]
fn options_that_do_not_apply_are_refused_with_the_reason() {
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    let est = ["refint", "estimate", "--data", lt, "--value", "CREA"];
    let with = |extra: &[&'static str]| -> Vec<&str> { est.iter().chain(extra).copied().collect() };
    // the permissible uncertainty compares limits; estimate compares none
    expect_input_error(
        &with(&["--z", "3", "--bias", "--assumption", "normal"]),
        &["--z, --bias, --assumption", "compares none"],
    );
    expect_input_error(&with(&["--bias"]), &["--bias", "compares none"]);
    // --transform is the parametric method's
    expect_input_error(
        &with(&["--transform", "lognormal"]),
        &["--transform", "applies only to --method parametric", "--method reflim"],
    );
    expect_input_error(
        &with(&["--method", "direct", "--transform", "boxcox"]),
        &["--transform", "applies only to --method parametric"],
    );
    // --seed drives the bootstraps of direct and robust only
    expect_input_error(&with(&["--seed", "7"]), &["--seed", "--method reflim"]);
    expect_input_error(
        &with(&["--method", "parametric", "--seed", "7"]),
        &["--seed", "--method parametric"],
    );
    // a seed the direct method does not use (every group has n >= 120) is said, not ignored
    let o = run(&with(&["--method", "direct", "--seed", "7", "--format", "json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--seed: not used"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["warnings"][0].as_str().unwrap().contains("order statistics"));
    // --targets is reflimR's interpretation
    expect_input_error(
        &with(&["--method", "robust", "--targets", "41,88"]),
        &["--targets", "--method reflim only"],
    );
    // the same rules for partition
    let part = ["refint", "partition", "--data", lt, "--value", "CREA", "--by", "Sex"];
    let with = |extra: &[&'static str]| -> Vec<&str> { part.iter().chain(extra).copied().collect() };
    expect_input_error(
        &with(&["--method", "robust", "--transform", "lognormal"]),
        &["--transform", "applies only to --method parametric"],
    );
    expect_input_error(&with(&["--seed", "7"]), &["--seed"]);
    expect_input_error(&with(&["--z=0"]), &["--z", "positive"]);
    // and options that do apply are used: a wider z gives a wider pD
    let pd = |z: &'static str| {
        let o = run(&with(&["--z", z, "--format", "json"]));
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["result"]["decisions"][1]["pd"].as_f64().unwrap()
    };
    assert!((pd("2.56") / pd("1.28") - 2.0).abs() < 1e-9);
}

#[test]
fn help_has_runnable_examples() {
    for sub in ["table", "compare", "estimate", "partition"] {
        let o = run(&["refint", sub, "--help"]);
        let h = stdout(&o);
        assert!(o.status.success() && h.contains("Examples:"), "{sub}: {h}");
        assert!(h.contains(&format!("dimorph refint {sub} ")), "{sub}");
    }
}

/// Issue 14, class 7: every numeric option is range-checked (exit 2, the bounds in the message),
/// and negative values are read as values, not as flags.
#[test]
fn numeric_options_are_range_checked_and_negative_values_are_values() {
    let t1 = data("haeckel2016_table1.csv");
    let table = ["refint", "table", "--data", t1.to_str().unwrap()];
    let with = |extra: &[&'static str]| -> Vec<&str> { table.iter().chain(extra).copied().collect() };
    for z in ["1e308", "inf", "nan", "0", "11"] {
        expect_input_error(&with(&["--z", z]), &["--z: must be a positive number at most 10"]);
    }
    expect_input_error(&with(&["--z", "-1"]), &["--z: must be a positive number", "got -1"]);
    let cmp =
        |extra: &[&'static str]| -> Vec<&'static str> { ["refint", "compare"].iter().chain(extra).copied().collect() };
    // limits beyond ±1e15, negative limits read as values
    expect_input_error(
        &cmp(&["--a", "1e300,1e301", "--b", "45,88"]),
        &["--a", "outside -1e15 to 1e15"],
    );
    expect_input_error(
        &cmp(&["--a", "50,104", "--b", "-1e308,5", "--assumption", "normal"]),
        &["--b", "outside -1e15 to 1e15"],
    );
    // a negative lower limit under the normal assumption: ps_A (eq. 12) would be negative
    expect_input_error(
        &cmp(&["--a", "-5,10", "--b", "1,2", "--assumption", "normal"]),
        &["--a", "not defined", "ps_A(RL1)"],
    );
    // the seed: a whole number
    let lt = data("reflimr_livertests.csv");
    let est = ["refint", "estimate", "--data", lt.to_str().unwrap(), "--value", "CREA"];
    let with = |extra: &[&'static str]| -> Vec<&str> { est.iter().chain(extra).copied().collect() };
    expect_input_error(
        &with(&["--method", "direct", "--seed", "-1"]),
        &["--seed", "whole number from 0 to"],
    );
    expect_input_error(&with(&["--targets", "-5,10"]), &["--targets", "not positive"]);
    expect_input_error(&with(&["--targets", "100,100.1"]), &["--targets", "CV_E"]);
    // a permissible-uncertainty option under estimate: refused as not applicable, whatever its value
    expect_input_error(&with(&["--z", "-1"]), &["--z, --bias, --assumption", "compares none"]);
}

/// Issue 14, class 7: a percentage of a zero limit is not defined: `NA` in the text, `null` in
/// JSON, and a warning that says so — never NaN or Inf.
#[test]
fn a_percentage_of_a_zero_limit_is_na_with_a_warning() {
    let args = [
        "refint",
        "compare",
        "--a",
        "0,10",
        "--b",
        "1,12",
        "--assumption",
        "normal",
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.contains("NaN") && !text.contains("inf") && text.contains("NA"),
        "{text}"
    );
    assert!(stderr(&o).contains("not defined at a limit of 0"), "{}", stderr(&o));
    let o = run(&[&args[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["result"]["comparisons"][0]["lower"]["d_pct"].is_null());
    assert!(v["result"]["permissible"]["pd1_pct"].is_null());
    assert!(v["warnings"][0].as_str().unwrap().contains("not defined"));
    let t = tmp("zero.csv", "quantity,unit,rl1,rl2\nX,U,0,10\n");
    let o = run(&[
        "refint",
        "table",
        "--data",
        t.to_str().unwrap(),
        "--assumption",
        "normal",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(
        csv.contains(",NA,") && !csv.contains("inf") && !csv.contains("NaN"),
        "{csv}"
    );
    assert!(stderr(&o).contains("X: pD and pCV_A in % of a limit are not defined"));
}

/// Issue 14, class 7: a statistic that is not defined for a group (the robust method's median
/// absolute deviation of 0, reflimR's tied quartiles) is an error naming the group and the reason.
#[test]
fn an_undefined_statistic_names_the_group_and_the_reason() {
    let mut csv = String::from("v,g\n");
    for i in 0..60 {
        // group a: 40 of 60 values equal 5; group b: spread
        let a = if i < 40 { 5.0 } else { 3.0 + f64::from(i) / 10.0 };
        csv.push_str(&format!("{a},a\n{},b\n", 5.0 + f64::from(i % 17) / 4.0));
    }
    let p = tmp("ties.csv", &csv);
    let est = |method: &'static str| -> Vec<String> {
        [
            "refint",
            "estimate",
            "--data",
            p.to_str().unwrap(),
            "--value",
            "v",
            "--by",
            "g",
            "--method",
            method,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // issue 15: group a gets its reason, group b goes on (exit 0, the reason as a warning)
    for (method, needles) in [
        (
            "robust",
            &[
                "where g = 'a'",
                "robust (biweight) estimate is not defined",
                "median absolute deviation",
            ][..],
        ),
        (
            "reflim",
            &["where g = 'a'", "reflimR estimate is not defined", "no spread"][..],
        ),
    ] {
        let args = est(method);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        assert!(o.status.success(), "{method}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("warning: a: not estimated:"), "{e}");
        for n in needles {
            assert!(e.contains(n), "{method}: '{n}' not in {e}");
        }
        assert!(stdout(&o).contains("g = b"), "{}", stdout(&o));
        // without the group column the whole sample is group a's problem: exit 2
        let only_a = tmp(
            "ties_a.csv",
            &format!("v\n{}", "5\n".repeat(40) + &"6\n7\n8\n".repeat(10)),
        );
        expect_input_error(
            &[
                "refint",
                "estimate",
                "--data",
                only_a.to_str().unwrap(),
                "--value",
                "v",
                "--method",
                method,
            ],
            &["is not defined"],
        );
    }
}

/// Issue 14, class 8: a cell or group name quoted in an error message is clipped to 60
/// characters and "…".
#[test]
fn quoted_cells_are_clipped() {
    let long = "x".repeat(10_000);
    let p = tmp("long_cell.csv", &format!("v,g\n1,a\n{long},a\n"));
    let o = run(&["refint", "estimate", "--data", p.to_str().unwrap(), "--value", "v"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("line 3") && e.contains(&format!("{}…", "x".repeat(60))),
        "{e}"
    );
    assert!(e.len() < 400, "{} characters", e.len());
    let long = "L".repeat(10_000); // sorts before 'b'
    let p = tmp("long_group.csv", &format!("v,g\n1,{long}\n2,{long}\n3,b\n"));
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        p.to_str().unwrap(),
        "--value",
        "v",
        "--by",
        "g",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("needs at least") && e.contains("…'"), "{e}");
    assert!(e.len() < 400, "{} characters", e.len());
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../dimorph-refint/tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn csv_out(args: &[&str]) -> String {
    let mut a = args.to_vec();
    a.extend(["--format", "csv"]);
    let o = run(&a);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Issue 15, item 1: routine data as laboratory systems export them.
#[test]
fn routine_exports_read_alike_and_bad_rows_are_counted() {
    let est = |file: &str, extra: &[&str]| {
        let f = fixture(file);
        let mut a = vec!["refint", "estimate", "--data", &f, "--value", "ALT", "--by", "Sex"];
        a.extend(extra);
        csv_out(&a)
    };
    let plain = est("routine_comma.csv", &[]);
    // ';' with decimal commas: detected, and chosen
    assert_eq!(est("routine_semicolon.csv", &[]), plain);
    assert_eq!(
        est("routine_semicolon.csv", &["--delimiter", ";", "--decimal", ","]),
        plain
    );
    assert_eq!(est("routine.tsv", &[]), plain);
    assert_eq!(est("routine.xlsx", &["--sheet", "lab"]), plain);
    // read as plain CSV the ';' file is one column: the error names the columns it found
    let f = fixture("routine_semicolon.csv");
    expect_input_error(
        &["refint", "estimate", "--data", &f, "--value", "ALT", "--delimiter", ","],
        &["no column named 'ALT'", "Sex;Ward;ALT;AST"],
    );
    expect_input_error(
        &[
            "refint",
            "estimate",
            "--data",
            &f,
            "--value",
            "ALT",
            "--delimiter",
            ";",
            "--decimal",
            ";",
        ],
        &["--decimal"],
    );
    let comma = fixture("routine_comma.csv");
    expect_input_error(
        &[
            "refint",
            "estimate",
            "--data",
            &comma,
            "--value",
            "ALT",
            "--decimal",
            ",",
        ],
        &["--decimal", "also the file's field delimiter"],
    );
    expect_input_error(
        &["refint", "estimate", "--data", &f, "--value", "ALT", "--sheet", "lab"],
        &["--sheet", "not an .xlsx workbook"],
    );
    // the 0, the '<5' cells and the missing value are counted; group x (12 values) is not
    // estimated, with its reason, and f and m go on
    let f = fixture("routine_comma.csv");
    let o = run(&["refint", "estimate", "--data", &f, "--value", "ALT", "--by", "Sex"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    for n in [
        "warning: skipped 1 values of ALT <= 0 dropped: the reflimR method needs values > 0",
        "warning: skipped 3 values of ALT below a detection limit (<5, <0.5) set aside",
        "warning: skipped 1 rows with a missing ALT",
        "warning: x: not estimated:",
        "needs at least 40 values, but there are 12",
    ] {
        assert!(e.contains(n), "'{n}' not in {e}");
    }
    let out = stdout(&o);
    assert!(out.contains("Sex = f") && out.contains("Sex = m"), "{out}");
    // JSON: the counts
    let o = run(&[
        "refint", "estimate", "--data", &f, "--value", "ALT", "--by", "Sex", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &v["result"]["counts"];
    assert_eq!((c["non_positive"].as_u64(), c["censored"].as_u64()), (Some(1), Some(3)));
    assert_eq!(v["result"]["not_estimated"][0]["group"], "x");
    // --where and several analytes
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        &f,
        "--value",
        "ALT,AST",
        "--by",
        "Sex",
        "--where",
        "Ward=ward",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"]["counts"]["filtered_out"], 63);
    assert_eq!(v["result"]["more"][0]["value"], "AST");
    expect_input_error(
        &[
            "refint", "estimate", "--data", &f, "--value", "ALT", "--where", "Ward=OR",
        ],
        &["--where", "no value 'OR'"],
    );
    expect_input_error(
        &["refint", "estimate", "--data", &f, "--value", "ALT", "--where", "Ward"],
        &["--where", "COLUMN=VALUE"],
    );
    expect_input_error(
        &["refint", "partition", "--data", &f, "--value", "ALT,AST", "--by", "Sex"],
        &["--value", "one column at a time"],
    );
    // partition leaves x out and says so
    let o = run(&["refint", "partition", "--data", &f, "--value", "ALT", "--by", "Sex"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("x: not estimated, left out of the decision"),
        "{}",
        stderr(&o)
    );
}

/// Issue 15, item 4: Lahti's criteria beside Haeckel's, the EP28 transference check and the
/// verification against routine data, each with its decision and reason.
#[test]
fn lahti_transference_and_routine_verification() {
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    let o = run(&[
        "refint",
        "partition",
        "--data",
        lt,
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let l = v["result"]["lahti"].as_array().unwrap();
    assert_eq!(l.len(), 2);
    // CREA: women's values lie low, men's high: the lower common limit leaves > 4.1 % of the
    // women below it (counted), so Lahti says partition, as Haeckel's criterion does
    assert_eq!(l[0]["nongaussian"], "partition");
    let f = &l[0]["outside"][0];
    assert_eq!(f["group"], "f");
    assert!(f["counted_pct"].as_f64().unwrap() > 4.1, "{f}");
    assert!(l[0]["reason"]
        .as_str()
        .unwrap()
        .contains("Lahti: partition outside 0.9–4.1 %"));
    // the csv tables: limits, decisions, lahti
    let dir = scratch_path("dimorph_refint_lahti", "out");
    let o = run(&[
        "refint",
        "partition",
        "--data",
        lt,
        "--value",
        "CREA",
        "--by",
        "Sex",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = std::fs::read_to_string(dir.join("lahti.csv")).unwrap();
    assert!(t.starts_with("limit,common,group,outside_counted_pct"), "{t}");
    // EP28 transference: set20 (20 values), limits that leave 2 outside pass, 3 do not
    let s20 = data("referenceintervals_set20.csv");
    let s20 = s20.to_str().unwrap();
    let mut x: Vec<f64> = std::fs::read_to_string(s20)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.trim().parse().unwrap())
        .collect();
    x.sort_by(f64::total_cmp);
    let limits = |lo: f64, hi: f64| format!("{lo},{hi}");
    let pass = limits((x[0] + x[1]) / 2.0, (x[18] + x[19]) / 2.0); // one below, one above
    let fail = limits((x[1] + x[2]) / 2.0, (x[18] + x[19]) / 2.0); // two below, one above
    let o = run(&[
        "refint", "verify", "--data", s20, "--value", "value", "--limits", &pass, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"]["verified"], true);
    assert_eq!(v["result"]["transference"]["allowed"], 2);
    assert!((v["result"]["transference"]["p_accept_if_right"].as_f64().unwrap() - 0.9245163).abs() < 1e-6);
    let o = run(&["refint", "verify", "--data", s20, "--value", "value", "--limits", &fail]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("3 of 20 reference values outside") && out.contains("20 more"),
        "{out}"
    );
    assert!(out.contains("Verdict: the limits are not verified."), "{out}");
    // too few reference values
    let few = tmp(
        "few20.csv",
        &(0..19).fold("v\n".to_string(), |a, i| a + &format!("{}\n", 10 + i)),
    );
    expect_input_error(
        &[
            "refint",
            "verify",
            "--data",
            few.to_str().unwrap(),
            "--value",
            "v",
            "--limits",
            "10,30",
        ],
        &["at least 20", "there are 19"],
    );
    // routine data: men's CREA limits 60-110 verified, 80-110 not (the lower limit too high)
    let o = run(&[
        "refint", "verify", "--data", lt, "--value", "CREA", "--where", "Sex=m", "--mode", "routine", "--limits",
        "80,110", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["result"]["verified"], false);
    assert!(v["result"]["checks"][0]["reason"]
        .as_str()
        .unwrap()
        .ends_with("not verified: the given limit is too high"));
    assert_eq!(v["result"]["checks"][1]["verified"], true);
    expect_input_error(
        &[
            "refint", "verify", "--data", lt, "--value", "CREA", "--limits", "110,60",
        ],
        &["--limits", "must be below"],
    );
    expect_input_error(
        &[
            "refint", "verify", "--data", lt, "--value", "CREA", "--limits", "60,110", "--z", "1.64",
        ],
        &["--mode routine"],
    );
}

/// Issue 15, item 3 (sliding windows): each window's limits are those of `refint estimate` on the
/// rows of that window, selected here independently; windows too small keep their reason.
#[test]
fn age_windows_equal_estimates_of_their_rows() {
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    let o = run(&[
        "refint", "age", "--data", lt, "--value", "ALB", "--age", "Age", "--by", "Sex", "--window", "20", "--step",
        "10", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = v["result"]["windows"].as_array().unwrap();
    let first_f = w.iter().find(|x| x["group"] == "f").unwrap();
    let (from, to) = (first_f["from"].as_f64().unwrap(), first_f["to"].as_f64().unwrap());
    // the same rows, chosen from the file by this test
    let text = std::fs::read_to_string(lt).unwrap();
    let mut rows = text.lines();
    let head: Vec<&str> = rows.next().unwrap().split(',').map(|h| h.trim_matches('"')).collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (ia, is, iv) = (col("Age"), col("Sex"), col("ALB"));
    let mut sub = String::from("v\n");
    for r in rows {
        let c: Vec<&str> = r.split(',').collect();
        let age: f64 = c[ia].parse().unwrap();
        if c[is].trim_matches('"') == "f" && age >= from && age < to && c[iv] != "NA" {
            sub.push_str(c[iv]);
            sub.push('\n');
        }
    }
    let p = tmp("age_window.csv", &sub);
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        p.to_str().unwrap(),
        "--value",
        "v",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let g = &e["result"]["groups"][0]["limits"];
    assert_eq!(first_f["n"], g["n"]);
    assert_eq!(first_f["lower"], g["lower"]);
    assert_eq!(first_f["upper"], g["upper"]);
    // the oldest women's window has too few values: its reason, and the others go on
    assert!(w.iter().any(|x| x["not_estimated"]
        .as_str()
        .is_some_and(|r| r.contains("needs at least 40 values"))));
    assert!(stderr(&o).is_empty() || !stderr(&o).contains("error"));
    expect_input_error(
        &[
            "refint", "age", "--data", lt, "--value", "ALB", "--age", "Age", "--window", "0", "--step", "10",
        ],
        &["--window", "positive"],
    );
    expect_input_error(
        &[
            "refint", "age", "--data", lt, "--value", "ALB", "--age", "Age", "--window", "10", "--step", "0.001",
        ],
        &["--step", "at most 1000"],
    );
    // fuzz refint-age:128@123: ages of 1e300 gave a 301-digit window count in the message
    let huge = tmp("huge_ages.csv", "Age,ALB\n1,40\n2,41\n1e300,42\n");
    let huge = huge.to_str().unwrap();
    let o = run(&[
        "refint", "age", "--data", huge, "--value", "ALB", "--age", "Age", "--window", "30", "--step", "5",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("--step") && e.contains("e299 windows"), "{e}");
    assert!(!e.contains("00000000000000000000"), "{e}");
    // fuzz refint-age:55@31: a step of 1e-320 overflowed the count to 'inf'
    let o = run(&[
        "refint", "age", "--data", huge, "--value", "ALB", "--age", "Age", "--window", "30", "--step", "1e-320",
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("more than 10^308 windows") && !e.contains("inf"), "{e}");
}

/// Fuzz finding refint-table:81@31: a unit column the reader takes for numbers (`1e308`) was
/// written back with 309 digits; it keeps the shortest form, and an empty unit stays empty.
#[test]
fn a_numeric_unit_column_is_written_in_shortest_form() {
    let t = tmp(
        "numeric_unit.csv",
        "quantity,unit,rl1,rl2\nCalcium,1e308,1.15,1.45\nSodium,,135,145\n",
    );
    let o = run(&["refint", "table", "--data", t.to_str().unwrap(), "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = parse_csv(&stdout(&o));
    assert_eq!(h[..2], ["quantity", "unit"]);
    assert_eq!(rows[0][1], "1e308");
    assert_eq!(rows[1][1], "");
}

/// Issue 15, item 3 (age partitions from data): the after_help example runs; the partitions of
/// each sex hold each of its values once (counted here from the file); the tidy table is written
/// with --out; a band that is not positive or gives too many bands is refused naming the flag.
#[test]
fn age_partitions_cover_every_value_once() {
    let lt = data("reflimr_livertests.csv");
    let lt = lt.to_str().unwrap();
    let out_dir = scratch_path("dimorph_refint_age_parts", "out");
    let o = run(&[
        "refint",
        "age",
        "--data",
        lt,
        "--value",
        "CREA",
        "--age",
        "Age",
        "--by",
        "Sex",
        "--window",
        "20",
        "--step",
        "10",
        "--partitions",
        "20",
        "--format",
        "json",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let parts = v["result"]["partitions"].as_array().unwrap();
    let text = std::fs::read_to_string(lt).unwrap();
    let mut rows = text.lines();
    let head: Vec<&str> = rows.next().unwrap().split(',').map(|h| h.trim_matches('"')).collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (is, iv) = (col("Sex"), col("CREA"));
    let rows: Vec<Vec<&str>> = rows.map(|r| r.split(',').collect()).collect();
    for sex in ["f", "m"] {
        let n_file = rows
            .iter()
            .filter(|c| c[is].trim_matches('"') == sex && c[iv] != "NA")
            .count() as u64;
        let ps: Vec<_> = parts.iter().filter(|p| p["group"] == sex).collect();
        assert!(!ps.is_empty());
        assert_eq!(ps.iter().map(|p| p["n"].as_u64().unwrap()).sum::<u64>(), n_file);
        for w in ps.windows(2) {
            assert_eq!(w[0]["to"], w[1]["from"]);
            assert!(w[1]["reason"].as_str().unwrap().contains("> pD"));
        }
    }
    let csv = std::fs::read_to_string(out_dir.join("age_partitions.csv")).unwrap();
    assert!(csv.starts_with("group,from,to,n,lower,upper,reason"), "{csv}");
    assert!(out_dir.join("age_curves.svg").exists());
    let _ = std::fs::remove_dir_all(&out_dir);
    for band in ["0", "-5", "1e-9"] {
        expect_input_error(
            &[
                "refint",
                "age",
                "--data",
                lt,
                "--value",
                "CREA",
                "--age",
                "Age",
                "--window",
                "20",
                "--step",
                "10",
                "--partitions",
                band,
            ],
            &["--partitions"],
        );
    }
}
