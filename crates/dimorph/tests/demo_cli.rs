//! `dimorph demo` end to end: progress per engine on standard error, a short summary per engine on
//! standard output, and every table and figure in one self-contained HTML page in `--out`.

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
