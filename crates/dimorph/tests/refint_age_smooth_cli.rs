//! `dimorph refint age --smooth loess` on the bundled livertests: the smoothed curves in the CSV
//! beside the raw windows, the figure with the units on its axes, exit code 2 naming the flag for
//! options that do not apply; and censored values (`<5`, `>200`) counted and said by `refint
//! age`, `partition` and `verify`. The smoothing itself is checked against R's loess in
//! crates/dimorph-refint/tests/age_smooth.rs, the censored handling in censored_elsewhere.rs.

use crate::common;
use crate::common::run_in_root;
use crate::common::{scratch_path, ScratchPath};

const DATA: &str = "data/refint/reflimr_livertests.csv";

/// A path not made yet (the CLI makes it), removed with its scratch folder when dropped.
fn tmp_dir(name: &str) -> ScratchPath {
    scratch_path("dimorph_age_smooth", name)
}

#[test]
fn loess_csv_has_the_smoothed_curves_and_the_figure_has_the_units() {
    let out = tmp_dir("csv");
    let (code, so, se) = run_in_root(&[
        "refint",
        "age",
        "--data",
        DATA,
        "--value",
        "CREA",
        "--age",
        "Age",
        "--by",
        "Sex",
        "--window",
        "20",
        "--step",
        "2.5",
        "--smooth",
        "loess",
        "--unit",
        "umol/L",
        "--age-unit",
        "years",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{se}");
    let head: Vec<&str> = so.lines().next().unwrap().split(',').collect();
    for c in ["lower", "upper", "lower_smooth", "median_smooth", "upper_smooth"] {
        assert!(head.contains(&c), "{c}: {head:?}");
    }
    let k = head.iter().position(|c| *c == "upper_smooth").unwrap();
    let smoothed = so
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(k).is_some_and(|v| v.parse::<f64>().is_ok()));
    assert!(smoothed.count() >= 10, "{so}");
    let svg = std::fs::read_to_string(out.join("age_curves.svg")).unwrap();
    assert!(
        svg.contains(">Age (years)<") && svg.contains(">CREA (umol/L)<"),
        "{svg}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn smoothing_options_that_do_not_apply_exit_2_naming_the_flag() {
    let base = ["refint", "age", "--data", DATA, "--value", "CREA", "--age", "Age"];
    for (extra, want) in [
        (
            vec!["--window", "20", "--step", "5", "--smooth-span", "0.5"],
            "--smooth-span",
        ),
        (
            vec![
                "--window",
                "20",
                "--step",
                "5",
                "--smooth",
                "loess",
                "--smooth-span",
                "-1",
            ],
            "--smooth-span",
        ),
        (
            vec![
                "--window",
                "20",
                "--step",
                "5",
                "--smooth",
                "loess",
                "--smooth-degree",
                "3",
            ],
            "--smooth-degree",
        ),
        (vec!["--curves", "lms", "--smooth", "loess"], "--smooth"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let (code, _, se) = run_in_root(&args);
        assert_eq!(code, 2, "{args:?}: {se}");
        assert!(se.contains(want), "{args:?}: {se}");
    }
}

#[test]
fn censored_values_are_counted_and_said_by_age_partition_and_verify() {
    let dir = tmp_dir("censored");
    std::fs::create_dir_all(&dir).unwrap();
    // livertests' CREA with three values below a detection limit and one above a limit
    let text = std::fs::read_to_string(common::root().join(DATA)).unwrap();
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    let cols: Vec<&str> = head.split(',').map(|c| c.trim_matches('"')).collect();
    let k = cols.iter().position(|c| *c == "CREA").unwrap();
    let mut csv = format!("{head}\n");
    for (i, l) in lines.enumerate() {
        let mut c: Vec<String> = l.split(',').map(String::from).collect();
        match i {
            3 | 40 | 300 => c[k] = "<40".into(),
            5 => c[k] = ">200".into(),
            _ => {}
        }
        csv.push_str(&c.join(","));
        csv.push('\n');
    }
    let f = dir.join("crea.csv");
    std::fs::write(&f, csv).unwrap();
    let f = f.to_str().unwrap();
    let cases: [(Vec<&str>, &[&str]); 4] = [
        (
            vec!["refint", "age", "--data", f, "--value", "CREA", "--age", "Age", "--window", "30", "--step", "10"],
            &[
                "3 values of CREA below a detection limit (<40) set aside: --method reflim does not use censored values",
                "1 values of CREA above a limit (>200) set aside",
            ],
        ),
        (
            vec!["refint", "partition", "--data", f, "--value", "CREA", "--by", "Sex"],
            &[
                "3 values of CREA below a detection limit (<40) set aside",
                "1 values of CREA above a limit (>200) set aside",
            ],
        ),
        (
            vec!["refint", "verify", "--data", f, "--value", "CREA", "--limits", "45,110", "--mode", "transference"],
            &[
                "3 values of CREA below a detection limit (<40) used as bounds by the EP28 check: 3 lie below the lower limit 45",
                "1 values of CREA above a limit (>200) used as bounds by the EP28 check: 1 lie above the upper limit 110",
            ],
        ),
        (
            vec!["refint", "verify", "--data", f, "--value", "CREA", "--limits", "45,110", "--mode", "routine"],
            &["3 values of CREA below a detection limit (<40) set aside"],
        ),
    ];
    for (args, wants) in cases {
        let (code, _, se) = run_in_root(&args);
        assert_eq!(code, 0, "{args:?}: {se}");
        for w in wants {
            assert!(se.contains(w), "{args:?}: '{w}' not in {se}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
