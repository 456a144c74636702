//! A text binary response (`yes`/`no`) with the event level chosen as PROC LOGISTIC's `EVENT=`,
//! against R 4.2.2's `glm` on a factor response (which models its second level), computed once by
//! `tests/peers/event.R` into `tests/peers/event.csv` on the crab data recoded by the same script
//! (`tests/peers/crabs_yes_no.csv`). Tolerance: 1e-7 relative (IRLS tolerances differ).

use std::path::PathBuf;

use dimorph_glm::RunOptions;

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn r_rows(event: &str) -> Vec<(String, f64, f64, f64)> {
    std::fs::read_to_string(peers().join("event.csv"))
        .expect("event.csv")
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|s| s.trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|f| f[0] == event)
        .map(|f| {
            (
                f[1].clone(),
                f[2].parse().expect("estimate"),
                f[3].parse().expect("se"),
                f[4].parse().expect("deviance"),
            )
        })
        .collect()
}

#[test]
fn event_level_of_a_text_response_matches_r() {
    let frame = dimorph_data::read_table(peers().join("crabs_yes_no.csv")).expect("data");
    // default: the first ordered level ('no'), as PROC LOGISTIC; --event yes: R's default
    for (event, opt) in [("no", None), ("yes", Some("yes")), ("no", Some("no"))] {
        let opts = RunOptions {
            event: opt.map(str::to_string),
            profile: Some(false),
            ..Default::default()
        };
        let out = dimorph_glm::run(&frame, "sat ~ width + weight", None, &opts).expect("fit");
        let r = &out.result;
        assert_eq!(
            r.fit.family.name(),
            "binomial",
            "a two-level response defaults to binomial"
        );
        let e = r.event.as_ref().expect("event level");
        assert_eq!(e.event, event);
        assert_eq!(e.counts.0 + e.counts.1, 173);
        let text = out.to_text();
        assert!(
            text.contains(&format!("Response sat: modelled level '{event}'")),
            "{text}"
        );
        if opt.is_none() {
            assert!(
                text.contains("PROC LOGISTIC's default (EVENT=FIRST); R's glm models 'yes'"),
                "{text}"
            );
        }
        let peer = r_rows(event);
        assert_eq!(peer.len(), 3);
        for (c, (term, est, se, dev)) in r.inference.coefficients.iter().zip(&peer) {
            assert_eq!(&c.name, term);
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
            assert!(
                rel(c.estimate, *est) < 1e-7,
                "{event} {term}: {} vs R {est}",
                c.estimate
            );
            assert!(rel(c.se, *se) < 1e-7, "{event} {term}: se {} vs R {se}", c.se);
            assert!(
                rel(r.fit.deviance, *dev) < 1e-9,
                "deviance {} vs R {dev}",
                r.fit.deviance
            );
        }
    }
}

#[test]
fn bad_event_levels_and_families_are_refused() {
    let frame = dimorph_data::read_table(peers().join("crabs_yes_no.csv")).expect("data");
    let run = |o: RunOptions| {
        dimorph_glm::run(&frame, "sat ~ width", None, &o)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = run(RunOptions {
        event: Some("maybe".into()),
        ..Default::default()
    });
    assert!(
        e.starts_with("--event: 'maybe' is not a level of the response sat (its levels: 'no', 'yes')"),
        "{e}"
    );
    let e = run(RunOptions {
        family: Some(dimorph_glm::Family::Poisson),
        ..Default::default()
    });
    assert!(e.starts_with("--family: the response sat has two levels"), "{e}");
    // a third level names its line
    let three = dimorph_data::read_csv_bytes("three.csv", b"y,x\nyes,1\nno,2\nmaybe,3\nyes,4\n").expect("csv");
    let e = dimorph_glm::run(&three, "y ~ x", None, &RunOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("line 4") && e.contains("third level 'maybe'"), "{e}");
    // one level
    let one = dimorph_data::read_csv_bytes("one.csv", b"y,x\nyes,1\nyes,2\n").expect("csv");
    let e = dimorph_glm::run(&one, "y ~ x", None, &RunOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("the response has 1 level ('yes')"), "{e}");
    // a numeric 0/1 response with --event 0 models y = 0
    let num = dimorph_data::read_table(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/crabs_weighted.csv"))
        .expect("crabs_weighted");
    let flip = dimorph_glm::run(
        &num,
        "y ~ width",
        None,
        &RunOptions {
            event: Some("0".into()),
            family: Some(dimorph_glm::Family::Binomial),
            profile: Some(false),
            ..Default::default()
        },
    )
    .expect("fit");
    let plain = dimorph_glm::run(
        &num,
        "y ~ width",
        None,
        &RunOptions {
            family: Some(dimorph_glm::Family::Binomial),
            profile: Some(false),
            ..Default::default()
        },
    )
    .expect("fit");
    let (a, b) = (&flip.result.fit.coef, &plain.result.fit.coef);
    assert!((a[1] + b[1]).abs() < 1e-9 * b[1].abs(), "{a:?} {b:?}");
    assert!(plain.result.event.is_none());
}
