//! Issue 15, item 1: routine laboratory data as they come. The fixtures in `tests/fixtures/` are
//! written by `make_routine.py` (one seeded sample in four forms: `,` CSV, `;` CSV with decimal
//! commas, TSV, and an Excel workbook whose data sit in the second sheet).

use dimorph_data::{read_coded, ReadOptions};
use dimorph_refint::{run_estimate_coded, run_partition_coded, EstimateRunOptions, PartitionOptions};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str, o: &ReadOptions) -> dimorph_data::CodedFrame {
    read_coded(fixture(name), o, &["ALT", "AST"], &["Sex", "Ward"]).unwrap()
}

fn by_sex() -> EstimateRunOptions {
    EstimateRunOptions {
        value: "ALT".into(),
        by: Some("Sex".into()),
        ..Default::default()
    }
}

#[test]
fn every_form_of_the_file_reads_the_same_values() {
    let csv = read("routine_comma.csv", &ReadOptions::default());
    let xlsx_opts = ReadOptions {
        sheet: Some("lab".into()),
        ..Default::default()
    };
    let forms = [
        ("routine_semicolon.csv", ReadOptions::default()),
        (
            "routine_semicolon.csv",
            ReadOptions {
                delimiter: Some(b';'),
                decimal: Some(b','),
                sheet: None,
            },
        ),
        ("routine.tsv", ReadOptions::default()),
        ("routine.xlsx", xlsx_opts),
    ];
    for (name, o) in forms {
        let other = read(name, &o);
        assert_eq!(other.nrows, csv.nrows, "{name}");
        for col in ["ALT", "AST"] {
            let (a, b) = (csv.numeric(col).unwrap(), other.numeric(col).unwrap());
            assert_eq!(a.text, b.text, "{name} {col}");
            for (x, y) in a.values.iter().zip(&b.values) {
                assert!(x.to_bits() == y.to_bits(), "{name} {col}: {x} vs {y}");
            }
        }
        assert_eq!(csv.codes("Sex"), other.codes("Sex"), "{name}");
        // and the limits are identical
        let a = run_estimate_coded(&csv, &by_sex()).unwrap();
        let b = run_estimate_coded(&other, &by_sex()).unwrap();
        assert_eq!(a.result.groups, b.result.groups, "{name}");
    }
    // the first sheet of the workbook holds no ALT column: the error names file and sheet
    let e = read_coded(fixture("routine.xlsx"), &ReadOptions::default(), &["ALT"], &[]).unwrap_err();
    assert!(
        e.to_string().contains("[sheet 'notes']") && e.to_string().contains("no column named 'ALT'"),
        "{e}"
    );
    let e = read_coded(
        fixture("routine.xlsx"),
        &ReadOptions {
            sheet: Some("nope".into()),
            ..Default::default()
        },
        &["ALT"],
        &[],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("--sheet: no sheet named 'nope' (sheets are: notes, lab)"),
        "{e}"
    );
}

#[test]
fn zeros_censored_and_missing_values_are_counted_and_small_groups_do_not_abort() {
    let cf = read("routine_comma.csv", &ReadOptions::default());
    let out = run_estimate_coded(&cf, &by_sex()).unwrap();
    let r = &out.result;
    let c = &r.counts;
    assert_eq!((c.rows, c.non_positive, c.censored, c.missing_value), (312, 1, 3, 1));
    assert_eq!(c.used, 312 - 1 - 3 - 1);
    let w = out.warnings.join("\n");
    assert!(
        w.contains("skipped 1 values of ALT <= 0 dropped: the reflimR method needs values > 0"),
        "{w}"
    );
    assert!(
        w.contains("skipped 3 values of ALT below a detection limit (<5, <0.5) set aside"),
        "{w}"
    );
    assert!(w.contains("skipped 1 rows with a missing ALT"), "{w}");
    // f and m estimated; x (12 values) not, with its reason
    let groups: Vec<&str> = r.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(groups, ["f", "m"]);
    assert_eq!(r.not_estimated.len(), 1);
    assert_eq!(r.not_estimated[0].group, "x");
    assert!(
        r.not_estimated[0]
            .reason
            .contains("ALT where Sex = 'x': the reflimR method needs at least 40 values"),
        "{}",
        r.not_estimated[0].reason
    );
    assert!(w.contains("x: not estimated:"), "{w}");
    // the direct method keeps the 0 (it needs no log scale)
    let d = run_estimate_coded(
        &cf,
        &EstimateRunOptions {
            estimate: dimorph_refint::EstimateOptions {
                method: dimorph_refint::Method::Direct,
                ..Default::default()
            },
            ..by_sex()
        },
    )
    .unwrap();
    assert_eq!(d.result.counts.non_positive, 0);
    // partition goes on without x and says so
    let p = run_partition_coded(
        &cf,
        &PartitionOptions {
            value: "ALT".into(),
            by: "Sex".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(p.result.groups.len(), 2);
    assert_eq!(p.result.not_estimated[0].group, "x");
    assert_eq!(p.result.pooled.limits.n, c.used - 12);
}

#[test]
fn where_filters_and_several_analytes() {
    let cf = read("routine_comma.csv", &ReadOptions::default());
    let o = EstimateRunOptions {
        more_values: vec!["AST".into()],
        filters: vec![("Ward".into(), "ward".into())],
        ..by_sex()
    };
    let out = run_estimate_coded(&cf, &o).unwrap();
    let r = &out.result;
    // every fifth row of each sex is ICU: 30 + 30 + 3 rows filtered out
    assert_eq!(r.counts.filtered_out, 63);
    assert!(
        r.skipped[0].starts_with("63 of 312 rows not matching --where Ward=ward (249 kept)"),
        "{:?}",
        r.skipped
    );
    assert_eq!(r.more.len(), 1);
    assert_eq!(r.more[0].value, "AST");
    assert_eq!(r.more[0].counts.missing_value, 1, "the '-' cell");
    // the limits table labels rows by analyte
    let labels: Vec<String> = out.tables[0].rows.iter().map(|row| format!("{:?}", row[0])).collect();
    assert!(labels.iter().any(|l| l.contains("AST: m")), "{labels:?}");
    // the histograms of each analyte, and each group's figure and Q-Q plot (estimate_figures)
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    // (ALT of the men is not estimated, so it has no figure)
    assert!(r.not_estimated.iter().any(|f| f.group == "m"), "{:?}", r.not_estimated);
    assert_eq!(
        names,
        [
            "histograms.svg",
            "estimate_ALT_f.svg",
            "qq_ALT_f.svg",
            "histograms_2.svg",
            "estimate_AST_f.svg",
            "qq_AST_f.svg",
            "estimate_AST_m.svg",
            "qq_AST_m.svg"
        ]
    );
    // a value no row has
    let bad = EstimateRunOptions {
        filters: vec![("Ward".into(), "OR".into())],
        ..by_sex()
    };
    let e = run_estimate_coded(&cf, &bad).unwrap_err().to_string();
    assert!(
        e.starts_with("--where:") && e.contains("has no value 'OR' (values: ICU, ward)"),
        "{e}"
    );
}

#[test]
fn numeric_group_labels_sort_as_numbers() {
    let mut csv = String::from("v,age\n");
    for (k, age) in ["10", "2", "30", "4"].iter().enumerate() {
        for i in 0..60 {
            csv.push_str(&format!("{},{age}\n", 20 + k + (i * 7) % 13));
        }
    }
    let f = dimorph_data::read_csv_bytes("ages.csv", csv.as_bytes()).unwrap();
    let o = EstimateRunOptions {
        value: "v".into(),
        by: Some("age".into()),
        estimate: dimorph_refint::EstimateOptions {
            method: dimorph_refint::Method::Direct,
            ..Default::default()
        },
        ..Default::default()
    };
    let out = dimorph_refint::run_estimate(&f, &o).unwrap();
    let g: Vec<&str> = out.result.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(g, ["2", "4", "10", "30"]);
}
