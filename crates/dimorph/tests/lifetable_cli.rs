//! `dimorph lifetable` and `dimorph lifelost` end to end: output, files, JSON, exit codes.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dimorph"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("dimorph-lt-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
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
    let e0 = j["lifetable"]["ex"][0].as_f64().unwrap();
    assert_eq!(format!("{e0:.2}"), "81.17");
    assert!(j["variation"]["e_dagger"].as_f64().unwrap() > 5.0);
    assert_eq!(j["lifetable"]["Lx"].as_array().unwrap().len(), 111);
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
    let all = &j["table2"][0];
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
    assert!(err.contains("--sex 'dog'"), "{err}");
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
    assert!(err.contains("--save-at 'noon'"), "{err}");
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
    assert_eq!(j["sexes"][0]["results"][0]["discretisation"], "paper");
    // Table 2 'All' (Riffe & Sole Auro 2015): every cell within 0.2 years
    let t2 = j["table2"].as_array().unwrap();
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
    let t1 = j["table1"].as_array().unwrap();
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
        err.contains("--discretisation 'fine'") && err.contains("'paper'"),
        "{err}"
    );
    let (code, _, err) = run(&[&base[..], &["--discretisation", "paper", "--save-at", "exact"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--save-at applies to --discretisation continuous only"),
        "{err}"
    );
    let (code, _, err) = run(&[
        &base[..],
        &["--causes", "data/usa_2010_cod.csv", "--cause-shares", "spline"],
    ]
    .concat());
    assert_eq!(code, 2);
    assert!(err.contains("--cause-shares 'spline'"), "{err}");
}
