//! `dimorph lifetable` and `dimorph lifelost` end to end: output, files, JSON, exit codes.

use std::path::PathBuf;

use crate::common::{root, run_in_root as run};
use crate::common::{scratch_dir, scratch_file, ScratchDir, ScratchPath};

/// A new, empty folder, removed with its files when dropped.
fn tmp(tag: &str) -> ScratchDir {
    scratch_dir(&format!("dimorph-lt-cli-{tag}"))
}

#[test]
fn lifetable_text_and_json() {
    let (code, out, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male"]);
    assert_eq!(code, 0, "{err}");
    // the first and last rows of HMD's USA.mltper_1x1.txt for 2010
    assert!(
        out.contains("0     0.00678  0.00674  0.14  100000   674  99418  7632652  76.33"),
        "{out}"
    );
    assert!(out.contains("110+  0.75535  1.00000  1.32"), "{out}");
    let (code, out, _) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "female",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e0 = j["result"]["lifetable"]["ex"][0].as_f64().unwrap();
    assert_eq!(format!("{e0:.2}"), "81.17");
    assert!(j["result"]["variation"]["e_dagger"].as_f64().unwrap() > 5.0);
    assert_eq!(j["result"]["lifetable"]["Lx"].as_array().unwrap().len(), 111);
}

#[test]
fn lifelost_writes_matrices_and_figures() {
    let out_dir = tmp("out");
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--cause",
        "Cardiovascular",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Table 2.") && out.contains("Cardiovascular  74.4  81.8"),
        "{out}"
    );
    assert!(err.contains("warning") && err.contains("gap +948"), "{err}");
    for f in [
        "lifelost_by_age.csv",
        "male_all_deaths_age_by_years_left.csv",
        "female_cardiovascular_years_won_age_by_age_lived.csv",
        "all_deaths_by_age.svg",
        "cardiovascular_years_won_by_age_lived.svg",
    ] {
        let p = out_dir.join(f);
        assert!(p.exists(), "{f} missing");
        let s = std::fs::read_to_string(&p).unwrap();
        if f.ends_with(".svg") {
            assert!(s.starts_with("<svg") && s.contains("Males") && s.contains("Females"));
        } else {
            assert!(s.lines().count() > 100, "{f}");
        }
    }
    let (code, out, _) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let all = &j["result"]["table2"][0];
    assert_eq!(all["cause"], "All");
    let a = all["male"]["mean_age_at_death"].as_f64().unwrap();
    assert!((a - 69.9).abs() < 0.1);
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let (code, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "1900", "--sex", "male"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no data for year 1900") && err.contains("1933-2019"),
        "{err}"
    );
    let (code, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "dog"]);
    assert_eq!(code, 2);
    assert!(err.contains("'dog'") && err.contains("--sex"), "{err}");
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--cause",
        "Scurvy",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'Scurvy'"), "{err}");
    let dir = tmp("neg");
    let p = dir.join("neg.csv");
    std::fs::write(
        &p,
        "year,sex,age,deaths,exposure\n2010,male,0,-5,100\n2010,male,1,3,100\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "lifetable",
        "--data",
        p.to_str().unwrap(),
        "--year",
        "2010",
        "--sex",
        "male",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("negative deaths") && err.contains("line 2"), "{err}");
    let bad = tmp("hdr");
    std::fs::write(bad.join("Q.Deaths_1x1.txt"), "nothing here\n").unwrap();
    std::fs::write(bad.join("Q.Exposures_1x1.txt"), "nothing here\n").unwrap();
    let (code, _, err) = run(&[
        "lifetable",
        "--hmd",
        bad.to_str().unwrap(),
        "--year",
        "2010",
        "--sex",
        "male",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an HMD 1x1 file header"), "{err}");
    let (code, _, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--save-at",
        "noon",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'noon'") && err.contains("--save-at"), "{err}");
}

#[test]
fn lifelost_with_the_papers_discretisation_and_cause_shares() {
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--discretisation",
        "paper",
        "--cause-shares",
        "paper",
        "--no-smooth",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["options"]["discretisation"], "paper");
    assert_eq!(j["options"]["cause_shares"], "paper");
    assert_eq!(j["result"]["sexes"][0]["results"][0]["discretisation"], "paper");
    // Table 2 'All' (Riffe & Sole Auro 2015): every cell within 0.2 years
    let t2 = j["result"]["table2"].as_array().unwrap();
    let all = t2.iter().find(|r| r["cause"] == "All").unwrap();
    let paper = [
        ("mean_age_at_death", 69.9, 76.9),
        ("mean_years_left", 16.3, 13.7),
        ("mean_age_at_saving", 54.4, 60.8),
        ("mean_age_lived", 69.9, 75.0),
    ];
    for (k, m, f) in paper {
        let vm = all["male"][k].as_f64().unwrap();
        let vf = all["female"][k].as_f64().unwrap();
        assert!((vm - m).abs() <= 0.2 && (vf - f).abs() <= 0.2, "{k}: {vm} {vf}");
    }
    // Table 1 with the paper's shares: Mental within 1 % of 76,270 / 41,413
    let t1 = j["result"]["table1"].as_array().unwrap();
    let mental = t1.iter().find(|r| r["cause"] == "Mental").unwrap();
    assert!((mental["female"].as_f64().unwrap() / 76_270.0 - 1.0).abs() < 0.01);
    assert!((mental["male"].as_f64().unwrap() / 41_413.0 - 1.0).abs() < 0.01);
    // the text report names the choice
    let (code, out, _) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--discretisation",
        "paper",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("paper's discretisation") && out.contains("54.3"), "{out}");
}

#[test]
fn lifelost_bad_discretisation_options_exit_2() {
    let base = ["lifelost", "--hmd", "data/hmd/USA", "--year", "2010"];
    let (code, _, err) = run(&[&base[..], &["--discretisation", "fine"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("'fine'") && err.contains("--discretisation") && err.contains("paper"),
        "{err}"
    );
    let (code, _, err) = run(&[&base[..], &["--discretisation", "paper", "--save-at", "exact"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--save-at: applies to --discretisation continuous only"),
        "{err}"
    );
    let (code, _, err) = run(&[
        &base[..],
        &["--causes", "data/usa_2010_cod.csv", "--cause-shares", "spline"],
    ]
    .concat());
    assert_eq!(code, 2);
    assert!(err.contains("'spline'") && err.contains("--cause-shares"), "{err}");
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

const ENVELOPE: [&str; 7] = ["command", "version", "input", "options", "result", "warnings", "files"];

#[test]
fn golden_envelope_lifetable() {
    let j = json_of(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "male",
        "--format",
        "json",
    ]);
    assert_eq!(keys(&j), sorted(&ENVELOPE));
    assert_eq!(j["command"], "lifetable");
    assert!(j["version"].is_string());
    assert_eq!(keys(&j["input"]), sorted(&["data"]));
    assert_eq!(j["input"]["data"], "data/hmd/USA");
    assert_eq!(
        keys(&j["options"]),
        sorted(&["radix", "ax", "smoothing", "intervals", "open_age"])
    );
    assert_eq!(j["options"]["smoothing"], "kannisto");
    assert_eq!(
        keys(&j["result"]),
        sorted(&["source", "label", "year", "sex", "lifetable", "variation"])
    );
    assert_eq!(j["result"]["sex"], "male");
    for col in ["age", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"] {
        assert!(j["result"]["lifetable"][col].is_array(), "{col}");
    }
    assert_eq!(
        keys(&j["result"]["variation"]),
        sorted(&["e0", "e_dagger", "keyfitz_h", "gini", "sd"])
    );
    assert!(j["warnings"].is_array() && j["files"].is_array());
}

#[test]
fn golden_envelope_lifelost() {
    let j = json_of(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--causes",
        "data/usa_2010_cod.csv",
        "--cause",
        "Cancer",
        "--format",
        "json",
    ]);
    assert_eq!(keys(&j), sorted(&ENVELOPE));
    assert_eq!(j["command"], "lifelost");
    assert_eq!(keys(&j["input"]), sorted(&["data", "causes"]));
    assert_eq!(j["input"]["causes"], "data/usa_2010_cod.csv");
    assert_eq!(
        keys(&j["options"]),
        sorted(&[
            "lifetable",
            "discretisation",
            "save_point",
            "cause_shares",
            "delete_cause",
            "stationary",
            "percent"
        ])
    );
    assert_eq!(
        keys(&j["result"]),
        sorted(&["source", "label", "year", "sexes", "table1", "table2"])
    );
    let sexes = j["result"]["sexes"].as_array().unwrap();
    assert_eq!(sexes.len(), 2);
    assert_eq!(
        keys(&sexes[0]),
        sorted(&["sex", "lifetable", "variation", "attribution", "results"])
    );
    let causes: Vec<&str> = sexes[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cause"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["All", "Cancer"]);
    let t2 = j["result"]["table2"].as_array().unwrap();
    assert_eq!(keys(&t2[0]), sorted(&["cause", "male", "female"]));
    assert!(j["result"]["table1"].is_array());
    // the gap between the cause-of-death file and the HMD deaths is a warning, in the envelope
    let w = j["warnings"].as_array().unwrap();
    assert!(w.iter().any(|x| x.as_str().unwrap_or("").contains("gap")), "{w:?}");
    assert_eq!(j["files"].as_array().unwrap().len(), 0);
}

#[test]
fn format_csv_gives_tidy_tables() {
    let (code, out, err) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "female",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let f = dimorph_data::read_csv_bytes("stdout", out.as_bytes()).unwrap();
    assert_eq!(
        f.names(),
        ["year", "sex", "age", "width", "open", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"]
    );
    assert_eq!(f.nrows, 111);
    let ex = f.numeric("ex").unwrap();
    assert_eq!(format!("{:.2}", ex[0]), "81.17");
    assert_eq!(f.numeric("age").unwrap()[110], 110.0);
    let (code, out, err) = run(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "male",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let f = dimorph_data::read_csv_bytes("stdout", out.as_bytes()).unwrap();
    assert_eq!(f.names()[..4], ["year", "sex", "cause", "age"]);
    assert_eq!(f.nrows, 111, "one row per age for males, all causes");
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let base = ["lifelost", "--hmd", "data/hmd/USA", "--year", "2010"];
    let (code, _, err) = run(&[&base[..], &["--cause-shares", "paper"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--cause-shares: applies to cause-of-death data only"),
        "{err}"
    );
    let (code, _, err) = run(&[&base[..], &["--keep-cause"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--keep-cause: applies to cause-of-death data only"),
        "{err}"
    );
    let (code, _, err) = run(&[&base[..], &["--discretisation", "paper", "--save-at", "mean"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("the paper's discretisation saves deaths at mid-year"),
        "{err}"
    );
    let (code, _, err) = run(&[&base[..], &["--group-column", "cause_id"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("--causes"), "{err}");
    let (code, _, err) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "male",
        "--radix",
        "0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--radix: must be a positive number"), "{err}");
}

#[test]
fn help_ends_with_runnable_examples() {
    for cmd in ["lifetable", "lifelost"] {
        let (code, out, _) = run(&[cmd, "--help"]);
        assert_eq!(code, 0);
        let ex = out.split("Examples:").nth(1).unwrap_or_else(|| panic!("{out}"));
        let lines: Vec<&str> = ex.lines().filter(|l| l.trim().starts_with("dimorph")).collect();
        assert!(lines.len() >= 2, "{out}");
        for l in lines {
            let args: Vec<&str> = l.split_whitespace().skip(1).collect();
            // the examples' output files and folders are left out (the runs would leave them in
            // the repository, and a second run refuses to overwrite them)
            let mut args = args;
            while let Some(i) = args.iter().position(|a| ["--out", "--tidy"].contains(a)) {
                args.drain(i..(i + 2).min(args.len()));
            }
            let (code, _, err) = run(&args);
            assert_eq!(code, 0, "{l}: {err}");
        }
    }
}

/// The cause-of-death file with the paper group `Cardiovascular` renamed `name` (quoted as CSV
/// needs), written to a fresh folder (removed with it when dropped).
fn renamed_causes(tag: &str, name: &str) -> ScratchPath {
    let src = std::fs::read_to_string(root().join("data/usa_2010_cod.csv")).unwrap();
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let mut out = String::new();
    for (i, line) in src.lines().enumerate() {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 && f[5] == "Cardiovascular" {
            f[5] = quoted.clone();
        }
        out.push_str(&f.join(","));
        out.push('\n');
    }
    scratch_file(&format!("dimorph-lt-cli-{tag}"), "cod.csv", out)
}

#[test]
fn a_cause_name_with_comma_quote_and_newline_round_trips_through_every_csv() {
    let nasty = "Heart, \"vessels\"\nand blood";
    let causes = renamed_causes("nasty-in", nasty);
    let plain_dir = tmp("plain-out");
    let nasty_dir = tmp("nasty-out");
    for (c, dir) in [
        (root().join("data/usa_2010_cod.csv"), &plain_dir),
        (causes.to_path_buf(), &nasty_dir),
    ] {
        let (code, _, err) = run(&[
            "lifelost",
            "--hmd",
            "data/hmd/USA",
            "--year",
            "2010",
            "--causes",
            c.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let nasty_slug = "heart___vessels__and_blood";
    let mut csvs: Vec<PathBuf> = std::fs::read_dir(&nasty_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    csvs.sort();
    assert_eq!(csvs.len(), 4 + 2 * 8 * 3, "{csvs:?}");
    let mut hits = 0;
    for p in &csvs {
        let name = p.file_name().unwrap().to_str().unwrap();
        let plain_name = name.replace(nasty_slug, "cardiovascular");
        // a row with another number of fields than the header is an error of the reader
        let got = dimorph_data::read_csv(p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = dimorph_data::read_csv(plain_dir.join(&plain_name)).unwrap();
        assert_eq!(got.names(), want.names(), "{name}");
        assert_eq!(got.nrows, want.nrows, "{name}: same rows as with a plain name");
        if got.names().contains(&"cause") {
            let cell = |f: &dimorph_data::Frame, i: usize| match &f.column("cause").unwrap().data {
                dimorph_data::ColumnData::Text { values, .. } => values[i].clone().unwrap_or_default(),
                dimorph_data::ColumnData::Num(v) => v[i].to_string(),
            };
            let n_nasty = (0..got.nrows).filter(|&i| cell(&got, i) == nasty).count();
            let n_plain = (0..want.nrows).filter(|&i| cell(&want, i) == "Cardiovascular").count();
            assert_eq!(n_nasty, n_plain, "{name}: the name intact on every row");
            hits += n_nasty;
        }
    }
    // lifelost_by_age alone holds 2 sexes x 111 ages of the renamed group
    assert!(hits >= 222, "{hits}");
    let svgs = std::fs::read_dir(&nasty_dir)
        .unwrap()
        .filter(|e| {
            let n = e.as_ref().unwrap().file_name();
            n.to_string_lossy().starts_with(nasty_slug) && n.to_string_lossy().ends_with(".svg")
        })
        .count();
    assert_eq!(svgs, 4);
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let dir = tmp("force");
    let args = [
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--sex",
        "male",
        "--out",
        dir.to_str().unwrap(),
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("lifetable.csv") && dir.join("variation.csv").exists(),
        "{out}"
    );
    let (code, _, err) = run(&args);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    let (code, _, err) = run(&[&args[..], &["--force"]].concat());
    assert_eq!(code, 0, "{err}");
}

/// The table of `dimorph lifetable` with `extra` arguments after the usual ones.
fn lifetable_with(extra: &[&str]) -> (i32, String, String) {
    let base = ["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "male"];
    run(&[&base[..], extra].concat())
}

#[test]
fn out_of_range_and_negative_options_exit_2_with_their_bounds() {
    // --radix 1e308 printed 300-digit columns; now refused, the value shown in 5 characters
    let (code, _, err) = lifetable_with(&["--radix", "1e308"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--radix: must be a positive number from 1 to 1000000000") && err.contains("got 1e308"),
        "{err}"
    );
    assert!(err.len() < 200, "{err}");
    // negative numbers are values, not unknown flags
    let (code, _, err) = lifetable_with(&["--radix", "-1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--radix: must be a positive number") && err.contains("got -1"),
        "{err}"
    );
    let (code, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "-5", "--sex", "male"]);
    assert_eq!(code, 2);
    assert!(err.contains("--year: must be a year from 1 to 9999, got -5"), "{err}");
    // lifelost compares females and males: total is refused with the reason (it printed only dashes)
    let (code, out, err) = run(&["lifelost", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "total"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("--sex: total is not supported by lifelost") && err.contains("lifetable --sex total"),
        "{err}"
    );
    let (_, help, _) = run(&["lifetable", "--help"]);
    assert!(help.contains("from 1 to 1e9") && help.contains("1 to 9999"), "{help}");
}

#[test]
fn swapped_hmd_files_exit_2_naming_both() {
    let dir = tmp("swapped");
    let src = root().join("data/hmd/USA");
    std::fs::copy(src.join("USA.Deaths_1x1.txt"), dir.join("USA.Exposures_1x1.txt")).unwrap();
    std::fs::copy(src.join("USA.Exposures_1x1.txt"), dir.join("USA.Deaths_1x1.txt")).unwrap();
    let d = dir.to_str().unwrap();
    let (code, out, err) = run(&["lifetable", "--hmd", d, "--year", "2010", "--sex", "male"]);
    assert_eq!(code, 2, "accepted (e0 0.30 before the fix): {out}");
    assert!(
        err.contains("USA.Deaths_1x1.txt: line 1") && err.contains("USA.Exposures_1x1.txt") && err.contains("swapped"),
        "{err}"
    );
}

#[test]
fn a_megabyte_cell_gives_a_short_message() {
    let dir = tmp("bigcell");
    let p = dir.join("data.csv");
    let big = "9".repeat(1 << 20);
    std::fs::write(&p, format!("year,sex,age,deaths,exposure\n2010,male,0,{big}x,10\n")).unwrap();
    let (code, _, err) = run(&[
        "lifetable",
        "--data",
        p.to_str().unwrap(),
        "--year",
        "2010",
        "--sex",
        "male",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 2") && err.contains('…') && err.len() < 400,
        "{}",
        &err[..err.len().min(400)]
    );
}

/// A tidy CSV of the bundled USA 2010 deaths and exposures by sex, with every age from `empty`
/// on given no deaths and no exposure (as in UK data whose oldest ages are empty).
fn usa_2010_tidy(tag: &str, empty: usize) -> ScratchPath {
    let hmd = |f: &str| std::fs::read_to_string(root().join("data/hmd/USA").join(f)).unwrap();
    let (d, e) = (hmd("USA.Deaths_1x1.txt"), hmd("USA.Exposures_1x1.txt"));
    let rows = |t: &str| -> Vec<Vec<String>> {
        t.lines()
            .skip(3)
            .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
            .filter(|f| f.first().is_some_and(|y| y == "2010"))
            .collect()
    };
    let (d, e) = (rows(&d), rows(&e));
    let mut csv = String::from("year,sex,age,deaths,exposure\n");
    for (k, sex) in [(2, "female"), (3, "male")] {
        for (i, (rd, re)) in d.iter().zip(&e).enumerate() {
            let (dv, ev) = if i >= empty {
                ("0", "0")
            } else {
                (rd[k].as_str(), re[k].as_str())
            };
            csv.push_str(&format!("2010,{sex},{},{dv},{ev}\n", rd[1]));
        }
    }
    scratch_file(&format!("dimorph-lt-cli-{tag}"), "usa2010.csv", csv)
}

#[test]
fn total_is_the_hmd_both_sex_table() {
    let (code, out, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "2010", "--sex", "total"]);
    assert_eq!(code, 0, "{err}");
    // the first and last rows of HMD's USA.bltper_1x1.txt for 2010 (the pooled deaths gave 0.13 and
    // other old-age values before)
    assert!(
        out.contains("0     0.00621  0.00618  0.14  100000   618  99466  7879367  78.79"),
        "{out}"
    );
    assert!(out.contains("110+  0.70890  1.00000  1.41"), "{out}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn open_age_closes_data_whose_oldest_ages_are_empty() {
    let p = usa_2010_tidy("open", 106);
    let path = p.to_str().unwrap();
    let base = ["lifetable", "--data", path, "--year", "2010", "--sex", "male"];
    // the observed rates at 106-110 are undefined: refused, and the message names --open-age
    let (code, _, err) = run(&[&base[..], &["--no-smooth"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("zero exposure") && err.contains("--open-age"), "{err}");
    let (code, out, err) = run(&[&base[..], &["--no-smooth", "--open-age", "100", "--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &j["result"]["lifetable"];
    assert_eq!(t["age"].as_array().unwrap().len(), 101);
    assert_eq!(j["options"]["open_age"].as_f64(), Some(100.0));
    // the open group 100+ holds the deaths and exposures of 100-105: e(100+) = E/D
    let e_open = t["ex"][100].as_f64().unwrap();
    assert!(e_open > 1.5 && e_open < 3.0, "{e_open}");
    // Kannisto smoothing closes the same data at 110+ without --open-age
    let (code, _, err) = run(&base);
    assert_eq!(code, 0, "{err}");
    // --open-age on lifelost too, and refused where it cannot apply
    let (code, _, err) = run(&[
        "lifelost",
        "--data",
        path,
        "--year",
        "2010",
        "--no-smooth",
        "--open-age",
        "100",
    ]);
    assert_eq!(code, 0, "{err}");
    for (bad, why) in [
        ("0", "--open-age: must be a whole number"),
        ("100.5", "--open-age: must be a whole number"),
        ("120", "already 110+"),
        ("-3", "--open-age: must be a whole number"),
    ] {
        let (code, _, err) = run(&[&base[..], &["--open-age", bad]].concat());
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn swapped_deaths_and_exposure_columns_exit_2_naming_the_file() {
    let p = usa_2010_tidy("swap", 111);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen("year,sex,age,deaths,exposure", "year,sex,age,exposure,deaths", 1),
    )
    .unwrap();
    let (code, out, err) = run(&[
        "lifetable",
        "--data",
        p.to_str().unwrap(),
        "--year",
        "2010",
        "--sex",
        "male",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("usa2010.csv") && err.contains("deaths and the exposures swapped"),
        "{err}"
    );
}

#[test]
fn implausible_open_age_rates_are_warned_about() {
    let (code, _, err) = run(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "1952",
        "--sex",
        "male",
        "--no-smooth",
    ]);
    assert_eq!(code, 0);
    assert!(
        err.contains("1952 male: the open age group 110+ has a life expectancy of 65.87 years")
            && err.contains("implausible"),
        "{err}"
    );
    let (_, _, err) = run(&["lifetable", "--hmd", "data/hmd/USA", "--year", "1952", "--sex", "male"]);
    assert!(!err.contains("implausible"), "{err}");
}

#[test]
fn abridged_labels_and_hmd_5x1_folders_are_read() {
    let dir = "crates/dimorph-lifetable/tests/reference/hmd_usa_5x1";
    let (code, out, err) = run(&["lifetable", "--hmd", dir, "--year", "2010", "--sex", "male"]);
    assert_eq!(code, 0, "{err}");
    // HMD's mltper_5x1 2010: e(100-104) 2.01, e(105-109) 1.55, e(110+) 1.32
    let e_of = |label: &str| -> f64 {
        let line = out.lines().find(|l| l.starts_with(&format!("{label} "))).unwrap();
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    assert!((e_of("100-104") - 2.01).abs() < 0.015, "{out}");
    assert!((e_of("105-109") - 1.55).abs() < 0.015, "{out}");
    assert!((e_of("110+") - 1.32).abs() < 0.015, "{out}");
    assert!(err.contains("abridged ages"), "{err}");
}
