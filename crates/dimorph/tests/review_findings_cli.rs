//! Defects a review found by fuzzing the CLI by hand (session 22), each through the binary: what
//! used to panic, run silently wrong or exit 1 now runs, or stops with exit code 2 and a message
//! naming the file, line, column or argument.

use crate::common::{run, scratch_dir, scratch_file, stderr, stdout, ScratchArg};

/// Values 1..=300 times `unit`, one per line under the header `v`.
fn values(unit: &str) -> String {
    let mut s = String::from("v\n");
    for i in 1..=300 {
        s.push_str(&format!("{i}{unit}\n"));
    }
    s
}

/// `dimorph glm FORMULA` on a file `name` holding `csv`, which must be refused (exit 2, nothing
/// on stdout): its message.
fn glm_refused(name: &str, csv: &str, formula: &str) -> String {
    let f = scratch_file("dimorph-review", name, csv);
    let o = run(&["glm", "--data", &f.display().to_string(), formula]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    stderr(&o)
}

fn limits(csv: &[u8]) -> (f64, f64) {
    let f = scratch_file("dimorph-review", "v.csv", csv);
    let o = run(&[
        "refint",
        "estimate",
        "--data",
        &f.display().to_string(),
        "--value",
        "v",
        "--method",
        "refiner",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let l = &v["result"]["groups"][0]["limits"];
    (l["lower"].as_f64().expect("lower"), l["upper"].as_f64().expect("upper"))
}

#[test]
fn refiner_on_values_of_1e_50_runs_and_scales_its_limits() {
    // refineR's absolute constants made the histogram's region run backwards: a panic (exit 101)
    let (lo, hi) = limits(values("").as_bytes());
    let (lo50, hi50) = limits(values("e-50").as_bytes());
    for (got, want) in [(lo50, lo * 1e-50), (hi50, hi * 1e-50)] {
        assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} against {want}");
    }
}

#[test]
fn an_unclosed_quote_is_an_error_not_fewer_rows() {
    let e = glm_refused("u.csv", "y,x\n1,2\n2,3\n3,4\n4,\"5\n5,6\n6,7\n", "y ~ 1");
    assert!(e.contains("u.csv: line 5: a quoted field begins here"), "{e}");
}

#[test]
fn one_stray_text_cell_in_a_small_numeric_column_is_named() {
    let e = glm_refused("v.csv", "y,x\n1,2\n2,3\n3,<5\n4,4\n5,7\n", "y ~ x");
    assert!(
        e.contains("column 'x' must be numeric, but line 4 holds '<5'") && e.contains("C(x)"),
        "{e}"
    );
}

#[test]
fn tidy_and_parquet_that_would_write_nothing_are_refused() {
    let dir = scratch_dir("dimorph-review");
    let tidy = dir.join("t.csv").display().to_string();
    for args in [
        vec![
            "lifetable",
            "--hmd",
            "data/hmd/USA",
            "--year",
            "2010",
            "--sex",
            "female",
            "--tidy",
            &tidy,
        ],
        vec!["lifelost", "--hmd", "data/hmd/USA", "--year", "2010", "--tidy", &tidy],
        vec![
            "lifetable",
            "decompose",
            "--hmd",
            "data/hmd/USA",
            "--year",
            "2010",
            "--tidy",
            &tidy,
        ],
    ] {
        let (code, _, e) = crate::common::run_in_root(&args);
        assert_eq!(code, 2, "{args:?}: {e}");
        assert!(e.contains("--tidy: writes the long table of --years"), "{args:?}: {e}");
    }
    let (code, _, e) = crate::common::run_in_root(&[
        "lifetable",
        "--hmd",
        "data/hmd/USA",
        "--years",
        "2009-2010",
        "--parquet",
    ]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("--parquet: give --tidy FILE or --out DIR"), "{e}");
    assert!(!dir.join("t.csv").exists());
}

#[test]
fn an_output_folder_blocked_by_a_file_is_the_callers_error() {
    let f = scratch_file("dimorph-review", "afile", "x");
    let p = f.display().to_string();
    let o = run(&["refint", "compare", "--a", "50,104", "--b", "45,88", "--out", &p]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a file stands where the output folder"),
        "{}",
        stderr(&o)
    );
    // a folder where an output file goes
    let dir = ScratchArg::new(crate::common::scratch_path("dimorph-review", "o"));
    std::fs::create_dir_all(dir.path().join("coefficients.csv")).expect("folder");
    let (code, _, e) = crate::common::run_in_root(&[
        "glm",
        "--data",
        "data/crabs.csv",
        "satell ~ width",
        "--family",
        "poisson",
        "--out",
        &dir,
        "--force",
    ]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("a folder stands where the file"), "{e}");
}

#[test]
fn embed_names_a_cell_that_swamps_the_others() {
    let mut s = String::from("f1,f2\n");
    for i in 0..40 {
        s.push_str(&format!(
            "{},{}\n",
            i % 7,
            if i == 9 {
                "1e308".to_string()
            } else {
                (i * i % 11).to_string()
            }
        ));
    }
    let f = scratch_file("dimorph-review", "e.csv", s);
    let o = run(&[
        "embed",
        "--data",
        &f.display().to_string(),
        "--features",
        "f*",
        "--iter",
        "50",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("line 11, column 'f2': the value 1e308 is so far from the others"),
        "{e}"
    );
}

#[test]
fn thread_counts_and_cluster_names_are_checked() {
    for t in ["0", "100000"] {
        let (code, _, e) = crate::common::run_in_root(&[
            "lifetable",
            "--hmd",
            "data/hmd/USA",
            "--year",
            "2010",
            "--sex",
            "female",
            "--threads",
            t,
        ]);
        assert_eq!(code, 2, "{e}");
        assert!(
            e.contains(&format!("--threads: must be from 1 to 1024, got {t}")),
            "{e}"
        );
    }
    let (code, _, e) = crate::common::run_in_root(&[
        "embed",
        "--data",
        "data/embed/digits.csv",
        "--features",
        "p*",
        "--iter",
        "20",
        "--class",
        "digit",
        "--cluster",
        "a=0,0,10",
        "--cluster",
        "a=1,1,10",
    ]);
    assert_eq!(code, 2, "{e}");
    assert!(
        e.contains("--cluster 'a': the name is given twice (clusters 1 and 2)"),
        "{e}"
    );
}

#[test]
fn an_infinite_log_likelihood_and_a_huge_factor_level_are_said() {
    let f = scratch_file("dimorph-review", "c.csv", "y,x\n2,1\n2,2\n2,3\n2,4\n2,5\n");
    let o = run(&["glm", "--data", &f.display().to_string(), "y ~ x", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let w = v["warnings"].to_string();
    assert!(w.contains("the log-likelihood is infinite (AIC -Inf)"), "{w}");
    let long = format!("y,x\n1,{}\n2,b\n3,a\n4,b\n", "a".repeat(20_000));
    let e = glm_refused("l.csv", &long, "y ~ x");
    assert!(
        e.len() < 1000 && e.contains("line 2: column 'x': a level of 20000 characters"),
        "{e}"
    );
}

#[test]
fn a_weighted_total_beyond_double_precision_is_said() {
    let f = scratch_file("dimorph-review", "s.csv", "age,fert\n30,1e308\n31,1e308\n");
    let s = f.display().to_string();
    let (code, out, e) = crate::common::run_in_root(&[
        "lifelost",
        "--hmd",
        "data/hmd/USA",
        "--year",
        "2010",
        "--schedule",
        &s,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{e}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let w = v["warnings"].to_string();
    assert!(
        w.contains("the weighted total is undefined for") && w.contains("rescale the schedule"),
        "{w}"
    );
}

#[test]
fn bagnet_label_files_that_would_mislead_the_split_are_refused() {
    let set = ScratchArg::new(crate::common::scratch_path("dimorph-review", "synth"));
    let o = run(&["bagnet", "synth", "--out", &set, "--n", "8", "--size", "40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let labels = std::fs::read_to_string(set.path().join("labels.csv")).expect("labels");
    let lines: Vec<&str> = labels.lines().collect();
    let edited = |name: &str, f: &dyn Fn(usize, &str) -> String| {
        let text: String = lines.iter().enumerate().map(|(k, l)| f(k, l) + "\n").collect();
        let p = set.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    };
    let train = |labels: &str, extra: &[&str]| {
        let out = set.path().join("run").display().to_string();
        let mut args = vec!["bagnet", "train", "--images", &set, "--labels", labels, "--out", &out];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--arch", "bagnet9", "--width", "0.0625", "--size", "32", "--batch", "4"]);
        if !extra.contains(&"--epochs") {
            args.extend_from_slice(&["--epochs", "1"]);
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{labels}: {}", stdout(&o));
        stderr(&o)
    };
    // an image listed twice (here with the last row's line again)
    let last = lines[lines.len() - 1].to_string();
    let twice = edited("twice.csv", &|k, l| if k == 1 { last.clone() } else { l.to_string() });
    let e = train(&twice, &[]);
    assert!(e.contains("is listed twice (rows 2 and 9)"), "{e}");
    // an empty subject: all such images would be one subject in one set
    let empty = edited("empty.csv", &|k, l| {
        let mut c: Vec<&str> = l.split(',').collect();
        if k == 3 {
            c[1] = "";
        }
        c.join(",")
    });
    let e = train(&empty, &[]);
    assert!(e.contains("row 4: empty subject"), "{e}");
    // a class written two ways would be two classes
    let case = edited("case.csv", &|k, l| {
        if k == 5 {
            l.replace("female", "FEMALE").replace(",male", ",MALE")
        } else {
            l.to_string()
        }
    });
    let e = train(&case, &[]);
    assert!(e.contains("row 6") && e.contains("only in case"), "{e}");
    // no epoch at all: no model, exit 0 before
    let e = train(
        &set.path().join("labels.csv").display().to_string(),
        &["--head-epochs", "0", "--epochs", "0"],
    );
    assert!(e.contains("--epochs and --head-epochs: both 0"), "{e}");
    // synth into a file
    let f = scratch_file("dimorph-review", "afile", "x");
    let o = run(&[
        "bagnet",
        "synth",
        "--out",
        &f.display().to_string(),
        "--n",
        "4",
        "--size",
        "24",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn refint_age_refuses_a_negative_age_with_its_line() {
    let mut csv = String::from("Age,ALT\n");
    for i in 0..300 {
        csv.push_str(&format!("{},{}\n", if i == 41 { -5 } else { 20 + i % 50 }, 10 + i % 17));
    }
    let f = scratch_file("dimorph-review", "age.csv", csv);
    let o = run(&[
        "refint",
        "age",
        "--data",
        &f.display().to_string(),
        "--value",
        "ALT",
        "--age",
        "Age",
        "--window",
        "20",
        "--step",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("line 43, column 'Age': the age -5 is negative"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_command_line_error_with_an_apostrophe_keeps_its_last_lines_and_clips_the_value() {
    // The clipping of echoed values split the message at quotes: "the GPU's number" opened a
    // quote that ran to the next one and was clipped, taking "For more information" with it
    // (the line read `F…'--help'` with literal \n in it).
    let long = "x".repeat(10_000);
    for v in ["", "foo", "a\nb", long.as_str()] {
        let o = run(&[
            "bagnet", "eval", "--device", v, "--model", "m", "--images", "i", "--labels", "l",
        ]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(
            e.contains("the GPU's number; several GPUs for training: cuda:0,1)"),
            "{e}"
        );
        assert!(e.ends_with("\n\nFor more information, try '--help'.\n"), "{e}");
        assert!(!e.contains("\\n\\n") && e.len() < 600, "{e}");
    }
    let e = stderr(&run(&["bagnet", "eval", "--device", "a\nb"]));
    assert!(
        e.contains("invalid value 'a\\nb'"),
        "a line break in the value is shown escaped: {e}"
    );
    let e = stderr(&run(&["glm", &format!("--{long}")]));
    assert!(
        e.contains("unexpected argument '--xxx") && e.contains("…'") && e.len() < 1000,
        "{e}"
    );
}
