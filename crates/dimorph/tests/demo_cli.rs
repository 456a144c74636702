//! `dimorph demo` end to end: progress per engine on standard error, a short summary per engine on
//! standard output, and every table and figure in one self-contained HTML page in `--out`.
//!
//! The full demo's run is also BagNet's acceptance run (issue 16): the demo's small BagNet, trained
//! on the CPU on synthetic fundus images, separates the held-out classes (test AUC ≥ 0.9) and puts
//! the strongest evidence where the classes differ (the optic disc and the macula): at least 80 % of
//! the strongest-evidence patches, and the single strongest patch of at least 80 % of the held-out
//! images, each more than 10 points above the chance level (the share of patches that overlap the
//! planted regions). The bar is the issue's; the configuration is `dimorph_bagnet::demo::demo_options()`,
//! and `crates/dimorph-bagnet/examples/accept_probe.rs` runs it over other training seeds to show the
//! bar is not met by luck. It is checked here, on what the command prints and writes, rather than in
//! the BagNet crate's own tests: the demo trains the model once in a test run, not twice (~100 CPU-s).

use crate::common::scratch_path;
use std::process::Command;

fn demo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dimorph"))
        .arg("demo")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

#[test]
fn demo_prints_summaries_and_writes_a_self_contained_report() {
    let dir = scratch_path("dimorph_demo", "out");
    let o = demo(&["--out", &dir.display().to_string()]);
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for engine in ["GLM", "Reference limits", "Life tables", "Embedding"] {
        assert!(text.contains(&format!("== {engine} ==")), "{text}");
        assert!(err.contains(engine), "no progress line for {engine}: {err}");
    }
    assert!(text.contains("index.html"), "{text}");
    bagnet_meets_the_acceptance_bar(&text);
    assert!(
        !text.contains("[figure:"),
        "figure placeholders in the terminal: {text}"
    );
    let html = std::fs::read_to_string(dir.join("index.html")).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // GLM: the paper's identity-link log-likelihood and the logit fit's −2 Log L (Agresti, SAS output)
    assert!(html.contains("-417.4960"));
    assert!(html.contains("837.732"));
    assert!(html.contains("Figure 4.1"));
    assert!(html.matches("<svg").count() >= 3);
    // BagNet: the paper's Figures 2, 3, 4a and 4b, each an SVG figure of the report
    for want in ["Figure 2.", "Figure 3.", "Figure 4a.", "Figure 4b."] {
        let cap = format!("<figcaption>{want}");
        let at = html
            .find(&cap)
            .unwrap_or_else(|| panic!("no {want} in the demo's report"));
        let figure = &html[html[..at].rfind("<figure>").expect("a figure around the caption")..at];
        assert!(figure.contains("<svg"), "{want} has no SVG");
    }
    // self-contained: no external scripts, styles or images
    assert!(!html.contains("<script src") && !html.contains("<link ") && !html.contains("<img src=\"http"));

    // a second run replaces the demo's own report; a foreign index.html needs --force. The second
    // run is the GLM alone (`--only`): the full demo trains the BagNet, ~70 s of a debug test run.
    let again = demo(&[
        "--out",
        &dir.display().to_string(),
        "--quiet",
        "--format",
        "json",
        "--only",
        "glm",
    ]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        again.stderr.is_empty(),
        "--quiet printed: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    for k in ["command", "version", "input", "options", "result", "warnings", "files"] {
        assert!(v.get(k).is_some(), "no {k} in the envelope");
    }
    assert_eq!(v["command"], "demo");
    assert!(v["input"]["data_dir"].is_string());
    assert_eq!(v["options"]["only"], serde_json::json!(["glm"]));
    let engines: Vec<&String> = v["result"].as_object().expect("result object").keys().collect();
    assert_eq!(engines, ["GLM"], "--only glm ran other engines");
    let html = std::fs::read_to_string(dir.join("index.html")).expect("report replaced");
    assert!(
        html.contains("837.732") && !html.contains("Life lost"),
        "the GLM-only report"
    );
    std::fs::write(dir.join("index.html"), "<p>mine</p>").expect("write");
    let refused = demo(&["--out", &dir.display().to_string(), "--quiet"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.join("index.html")).ok().as_deref(),
        Some("<p>mine</p>")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_refuses_csv_and_a_missing_data_folder() {
    let o = demo(&["--format", "csv"]);
    assert_eq!(o.status.code(), Some(2));
    let o = demo(&["--data-dir", "/nonexistent/dimorph"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--data-dir"));
    let o = demo(&["--only", "glm,nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nonsense"));
}

/// The number in `line` after `key` (up to the next character that is not part of a number).
fn number_after(line: &str, key: &str) -> f64 {
    let rest = &line[line.find(key).unwrap_or_else(|| panic!("no '{key}' in: {line}")) + key.len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end]
        .parse()
        .unwrap_or_else(|_| panic!("no number after '{key}' in: {line}"))
}

/// The BagNet summary lines of the demo's standard output against the bar. The figures are
/// printed to 3 decimals (AUC) and 1 decimal (per cent), so the bar holds to those digits.
fn bagnet_meets_the_acceptance_bar(text: &str) {
    let bagnet = &text[text.find("== BagNet ==").expect("a BagNet summary")..];
    let line = |start: &str| -> &str {
        bagnet
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no '{start}' line in: {bagnet}"))
    };
    let test = line("test: n ");
    let n = number_after(test, "test: n ");
    assert!(n >= 30.0, "test set of {n} images: {test}");
    let auc = number_after(test, "AUC ");
    assert!(auc >= 0.9, "test AUC {auc} < 0.9: {test}");
    let pooled = line("pooled: ");
    // the n strongest patches over the n test images (evidence towards each image's own class)
    assert_eq!(number_after(pooled, "pooled: of the "), n, "{pooled}");
    let top = number_after(pooled, "images, ");
    let chance = number_after(pooled, "(chance ");
    assert!(chance > 0.0 && chance < 100.0, "chance {chance}: {pooled}");
    let per_image = line("per image: ");
    let hits = number_after(per_image, "planted regions in ");
    assert_eq!(number_after(per_image, "(chance "), chance, "{per_image}");
    for (what, share) in [
        ("strongest-evidence patches", top),
        ("test images' strongest patch", hits),
    ] {
        assert!(share >= 80.0, "{what} in the planted regions: {share} % (< 80 %)");
        assert!(share > chance + 10.0, "{what}: {share} % not above chance {chance} %");
    }
}
