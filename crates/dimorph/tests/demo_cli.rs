//! `dimorph demo` end to end: every engine's section is printed and the HTML report is one
//! self-contained page with SVG figures.

use std::process::Command;

#[test]
fn demo_prints_every_section_and_writes_a_self_contained_report() {
    let dir = std::env::temp_dir().join(format!("dimorph_demo_{}", std::process::id()));
    let out = dir.join("index.html");
    let o = Command::new(env!("CARGO_BIN_EXE_dimorph"))
        .args(["demo", "--out", &out.display().to_string()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // GLM: the paper's identity-link log-likelihood and the logit fit's −2 Log L
    assert!(text.contains("Generalized linear models"), "{text}");
    assert!(text.contains("-417.4960"));
    assert!(text.contains("837.732"));
    let html = std::fs::read_to_string(&out).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Figure 4.1"));
    assert!(html.matches("<svg").count() >= 3);
    // self-contained: no external scripts, styles or images
    assert!(!html.contains("<script src") && !html.contains("<link ") && !html.contains("<img src=\"http"));
}
