//! Issue 14 through the engine's entry point `run`: every family with every link (refused up
//! front or fitted, never a panic or a wrong number), the negative binomial on under-dispersed
//! counts (θ → ∞: the Poisson fit with a warning, no negative deviance), notes on counts and
//! frequencies that are not whole numbers, and quoted cells cut in messages.

use std::panic::{catch_unwind, AssertUnwindSafe};

use dimorph_glm::{run, Family, GlmError, Link, RunOptions};

fn bundled(name: &str) -> String {
    let path = format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("bundled data")
}

fn frame(name: &str, text: &str) -> dimorph_data::Frame {
    dimorph_data::read_csv_bytes(name, text.as_bytes()).expect("csv")
}

fn opts(family: Family, link: Option<Link>) -> RunOptions {
    RunOptions {
        family: Some(family),
        link,
        profile: Some(false),
        threads: Some(1),
        ..Default::default()
    }
}

/// Each family on data it fits (counts, proportions, positive values), with each link: a link
/// the family does not accept is refused naming both; the others fit or fail with a message,
/// and a fit has a finite, non-negative deviance.
#[test]
fn every_family_with_every_link_is_refused_or_fitted_never_a_panic() {
    let crabs = frame("crabs.csv", &bundled("crabs.csv"));
    let snoring = frame("snoring.csv", &bundled("snoring.csv"));
    let mut links: Vec<Link> = Link::ALL.to_vec();
    links.extend([Link::Power(0.3), Link::Power(-1.5)]);
    let mut fitted = 0;
    for family in Family::ALL {
        let (data, formula) = match family {
            Family::Binomial | Family::QuasiBinomial => (&snoring, "disease/total ~ snoring"),
            Family::Gaussian | Family::Gamma | Family::InverseGaussian => (&crabs, "weight ~ width"),
            _ => (&crabs, "satell ~ width"),
        };
        for &link in &links {
            let o = opts(family, Some(link));
            let r = catch_unwind(AssertUnwindSafe(|| run(data, formula, None, &o)))
                .unwrap_or_else(|_| panic!("panic with {family:?} and {link:?}"));
            let allowed = family.allowed_links().allows(link);
            match r {
                Ok(out) => {
                    assert!(allowed, "{family:?} with {link:?} was fitted");
                    let d = out.result.fit.deviance;
                    assert!(d.is_finite() && d >= 0.0, "{family:?} {link:?}: deviance {d}");
                    fitted += 1;
                }
                Err(e @ GlmError::Argument(_)) => {
                    let m = e.to_string();
                    assert!(!allowed, "{family:?} with {link:?} refused: {m}");
                    assert!(
                        m.starts_with(&format!(
                            "--link: the {} link is not available for the {} family",
                            link.cli_name(),
                            family.family_word()
                        )),
                        "{m}"
                    );
                }
                Err(e) => assert!(allowed, "{family:?} {link:?}: {e}"),
            }
        }
    }
    assert!(fitted >= 25, "{fitted} fits");
}

/// The crab data plus 500 copies of one row with 4 satellites at width 26: the counts are
/// under-dispersed, θ̂ is infinite. The fit is the Poisson one, with a warning; before, θ went
/// to 6e16 and the deviance to −1039.
#[test]
fn negative_binomial_on_under_dispersed_counts_falls_back_to_poisson() {
    let mut text = bundled("crabs.csv");
    for _ in 0..500 {
        text.push_str("4,3,26.0,4,2600\n");
    }
    let data = frame("under.csv", &text);
    let nb = run(
        &data,
        "satell ~ width",
        None,
        &opts(Family::NegBin { theta: 1.0 }, None),
    )
    .expect("fit");
    let poisson = run(&data, "satell ~ width", None, &opts(Family::Poisson, None)).expect("fit");
    let f = &nb.result.fit;
    assert_eq!(f.family, Family::Poisson);
    assert!(f.theta.is_none());
    assert!(f.deviance >= 0.0 && (f.deviance - poisson.result.fit.deviance).abs() < 1e-9);
    assert!(f.loglik.is_finite() && f.loglik < 0.0);
    assert!(
        nb.warnings
            .iter()
            .any(|w| w.starts_with("θ of the negative binomial goes to infinity")),
        "{:?}",
        nb.warnings
    );
    // over-dispersed counts still get their θ (MASS: 0.9046)
    let crabs = frame("crabs.csv", &bundled("crabs.csv"));
    let nb = run(
        &crabs,
        "satell ~ width",
        None,
        &opts(Family::NegBin { theta: 1.0 }, None),
    )
    .expect("fit");
    let theta = nb.result.fit.theta.as_ref().map(|t| t.theta).unwrap_or(f64::NAN);
    assert!((theta - 0.9046).abs() < 1e-4, "{theta}");
    assert!(nb.warnings.iter().all(|w| !w.contains("infinity")));
}

#[test]
fn counts_and_frequencies_that_are_not_whole_numbers_get_a_note() {
    let text = bundled("crabs.csv").replacen("3,3,28.3,8,3050", "3,3,28.3,8.5,3050", 1);
    let data = frame("frac.csv", &text);
    for family in [Family::Poisson, Family::NegBin { theta: 1.0 }] {
        let o = run(&data, "satell ~ width", None, &opts(family, None)).expect("fit");
        assert!(
            o.warnings.iter().any(|w| w
                .contains("1 of 173 values of the count response 'satell' are not whole numbers")
                && w.contains("frac.csv: line 2: 8.5")),
            "{:?}",
            o.warnings
        );
    }
    // quasi-Poisson: fractional responses are what it is for; no note
    let o = run(&data, "satell ~ width", None, &opts(Family::QuasiPoisson, None)).expect("fit");
    assert!(o.warnings.iter().all(|w| !w.contains("whole")), "{:?}", o.warnings);
    // a fractional frequency
    let text = "y,x,f\n1,1,1\n3,2,2.5\n2,3,1\n5,4,2\n4,5,1\n";
    let o = run(
        &frame("freq.csv", text),
        "y ~ x",
        None,
        &RunOptions {
            freq: Some("f".into()),
            ..opts(Family::Poisson, None)
        },
    )
    .expect("fit");
    assert!(
        o.warnings
            .iter()
            .any(|w| w.starts_with("--freq: 1 of 5 frequencies are not whole numbers") && w.contains("line 3: 2.5")),
        "{:?}",
        o.warnings
    );
    // non-integer successes in a binomial
    let text = "e,n,x\n1.5,4,1\n2,4,2\n3,4,3\n";
    let o = run(&frame("bin.csv", text), "e/n ~ x", None, &opts(Family::Binomial, None)).expect("fit");
    assert!(o.warnings.iter().any(|w| w.contains("successes")), "{:?}", o.warnings);
}

/// A 1 MB cell, column name or level is quoted cut to 60 characters and "…".
#[test]
fn messages_quote_at_most_a_short_piece_of_a_huge_cell() {
    let big = "9x".repeat(500_000);
    let mut text = String::from("y,x\n");
    for k in 0..20 {
        text.push_str(&format!("{k},{}\n", if k == 7 { big.as_str() } else { "1.5" }));
    }
    let data = frame("big.csv", &text);
    let e = run(&data, "y ~ x", None, &opts(Family::Poisson, None))
        .unwrap_err()
        .to_string();
    assert!(e.len() < 1000, "{} bytes", e.len());
    assert!(e.contains(&format!("'{}…'", &big[..60])) && e.contains("line 9"), "{e}");
    // a formula naming a huge column
    let e = run(&data, &format!("y ~ `{big}`"), None, &opts(Family::Poisson, None))
        .unwrap_err()
        .to_string();
    assert!(e.len() < 1000 && e.contains('…'), "{} bytes", e.len());
    // a level of the new data the fit did not see
    let text = "y,g\n1,a\n2,b\n3,a\n4,b\n";
    let fitted = frame("g.csv", text);
    let new = frame("new.csv", &format!("g\n{big}\n"));
    let e = run(&fitted, "y ~ g", Some(&new), &opts(Family::Poisson, None))
        .unwrap_err()
        .to_string();
    assert!(
        e.len() < 1000 && e.contains('…'),
        "{} bytes: {}",
        e.len(),
        &e[..e.len().min(300)]
    );
}

/// Arithmetic nested to the limit evaluates on the data (no stack trouble), and an overflow
/// names the line with the expression cut.
#[test]
fn formulas_at_the_nesting_limit_fit() {
    let crabs = frame("crabs.csv", &bundled("crabs.csv"));
    let deep = format!("satell ~ I({}width{})", "(".repeat(95), ")".repeat(95));
    let o = run(&crabs, &deep, None, &opts(Family::Poisson, None)).expect("fit");
    assert!(o.result.fit.deviance > 0.0);
    let e = run(
        &crabs,
        &format!("satell ~ I({}width{})", "exp(".repeat(90), ")".repeat(90)),
        None,
        &opts(Family::Poisson, None),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("line 2") && e.contains("overflows") && e.len() < 1000, "{e}");
    let sum = vec!["width"; 20_000].join("+");
    let o = run(
        &crabs,
        &format!("satell ~ I({sum})"),
        None,
        &opts(Family::Poisson, None),
    )
    .expect("fit");
    assert_eq!(o.result.fit.coef.len(), 2);
}
