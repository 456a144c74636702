//! The engine contract: every analysis returns an outcome with a typed result, tidy tables whose
//! CSV round-trips through a CSV parser (group names with a comma, a quote and a newline
//! included), SVG files, and warnings; options that do not apply are refused with the reason.

use dimorph_core::{Rng, TidyTable};
use dimorph_refint::{
    run_compare, run_estimate, run_partition, run_table, EstimateOptions, EstimateRunOptions, Method, PartitionOptions,
    PermissibleOptions, Transform,
};
use std::path::Path;

const NASTY: &str = "Heart, \"vessels\"\nand more";

/// Two groups of 300 values: `NASTY` around 100 and `plain` around 125, and one row with a
/// missing value.
fn nasty_frame() -> dimorph_data::Frame {
    let mut rng = Rng::new(11);
    let quoted = format!("\"{}\"", NASTY.replace('"', "\"\""));
    let mut csv = String::from("v,g\n");
    for _ in 0..300 {
        csv.push_str(&format!("{:.1},{quoted}\n", 100.0 + 10.0 * rng.normal()));
        csv.push_str(&format!("{:.1},plain\n", 125.0 + 12.0 * rng.normal()));
    }
    csv.push_str("NA,plain\n");
    dimorph_data::read_csv_bytes("nasty.csv", csv.as_bytes()).unwrap()
}

/// Parses a table's CSV with the csv crate: (header, rows).
fn parse(t: &TidyTable) -> (Vec<String>, Vec<Vec<String>>) {
    let text = t.to_csv();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn assert_round_trips(t: &TidyTable) {
    let (header, rows) = parse(t);
    assert_eq!(header, t.columns, "table {}", t.name);
    assert_eq!(rows.len(), t.rows.len(), "table {}", t.name);
    for (got, want) in rows.iter().zip(&t.rows) {
        let want: Vec<String> = want.iter().map(|c| c.to_field()).collect();
        assert_eq!(got, &want, "table {}", t.name);
    }
}

#[test]
fn estimate_by_a_nasty_group_round_trips_through_csv() {
    for method in [Method::Reflim, Method::Direct, Method::Parametric, Method::Robust] {
        let o = EstimateRunOptions {
            value: "v".into(),
            by: Some("g".into()),
            estimate: EstimateOptions {
                method,
                ..Default::default()
            },
            ..Default::default()
        };
        let out = run_estimate(&nasty_frame(), &o).unwrap();
        assert_eq!(out.tables[0].name, "limits");
        assert_round_trips(&out.tables[0]);
        let (_, rows) = parse(&out.tables[0]);
        // one row per group × limit, groups sorted by name
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0][0], NASTY);
        assert_eq!((rows[0][1].as_str(), rows[1][1].as_str()), ("lower", "upper"));
        assert_eq!(rows[2][0], "plain");
        assert_eq!(out.result.groups[0].group, NASTY);
        assert!(out.warnings.iter().any(|w| w.contains("1 rows with a missing v")));
        let svg = String::from_utf8(out.files[0].bytes.clone()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("&quot;vessels&quot;"));
    }
}

#[test]
fn partition_by_a_nasty_group_round_trips_through_csv() {
    let o = PartitionOptions {
        value: "v".into(),
        by: "g".into(),
        ..Default::default()
    };
    let out = run_partition(&nasty_frame(), &o).unwrap();
    let names: Vec<&str> = out.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["limits", "decisions", "lahti"]);
    for t in &out.tables {
        assert_round_trips(t);
    }
    let (_, limits) = parse(&out.tables[0]);
    assert_eq!(limits.len(), 6);
    assert_eq!(limits[0][0], NASTY);
    assert_eq!(limits[4][0], "pooled");
    let (_, decisions) = parse(&out.tables[1]);
    // the group with the lower limit defines pu
    assert_eq!(decisions[0][1], NASTY);
    let files: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(files, ["histograms.svg", "equivalence.svg"]);
    assert!(out.result.partition);
}

#[test]
fn table_and_compare_tables_round_trip() {
    let f =
        dimorph_data::read_csv(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/refint/haeckel2016_table1.csv"))
            .unwrap();
    let t = run_table(&f, &PermissibleOptions::default()).unwrap();
    assert_eq!(t.tables[0].name, "table1");
    assert_eq!(t.tables[0].rows.len(), 10);
    assert_round_trips(&t.tables[0]);
    let one = run_compare((50.0, 104.0), &[(45.0, 88.0)], &PermissibleOptions::default()).unwrap();
    assert_eq!(one.tables.len(), 1);
    assert_eq!(one.files[0].name, "equivalence.svg");
    assert!(one.result.relevant && one.result.several.is_empty());
    let several = run_compare(
        (50.0, 104.0),
        &[(45.0, 88.0), (52.0, 110.0)],
        &PermissibleOptions::default(),
    )
    .unwrap();
    let names: Vec<&str> = several.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["comparison", "several_steps"]);
    for t in &several.tables {
        assert_round_trips(t);
    }
    assert_eq!(several.tables[0].rows.len(), 2);
    assert_eq!(several.result.several.len(), 2);
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let f = nasty_frame();
    let base = EstimateRunOptions {
        value: "v".into(),
        ..Default::default()
    };
    let refused = |o: EstimateRunOptions, needle: &str| {
        let e = run_estimate(&f, &o).unwrap_err().to_string();
        assert!(e.contains(needle), "'{needle}' not in: {e}");
    };
    refused(
        EstimateRunOptions {
            estimate: EstimateOptions {
                permissible: Some(PermissibleOptions {
                    z: 3.0,
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..base.clone()
        },
        "--z, --bias, --assumption",
    );
    refused(
        EstimateRunOptions {
            estimate: EstimateOptions {
                transform: Some(Transform::LogNormal),
                ..Default::default()
            },
            ..base.clone()
        },
        "--transform: applies only to --method parametric",
    );
    refused(
        EstimateRunOptions {
            targets: Some((50.0, 150.0)),
            estimate: EstimateOptions {
                method: Method::Direct,
                ..Default::default()
            },
            ..base.clone()
        },
        "--targets",
    );
    let p = PartitionOptions {
        value: "v".into(),
        by: "g".into(),
        estimate: EstimateOptions {
            seed: Some(3),
            ..Default::default()
        },
        filters: Vec::new(),
    };
    assert!(run_partition(&f, &p).unwrap_err().to_string().starts_with("--seed:"));
}
