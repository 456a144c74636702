//! Times the pieces of a 1M-row logistic fit (one IRLS pass, the whole fit) on the benchmark data.
use dimorph_glm::irls::{pass_at, Problem};
use dimorph_glm::{model_frame, Family, Link};
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "bench-data".into());
    let frame = dimorph_data::read_table(format!("{dir}/logistic_1m.parquet")).expect("data");
    let formula = format!(
        "y ~ {}",
        (1..=20).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    let mf = model_frame(&formula, &frame, None).expect("mf");
    let w = vec![1.0; mf.n];
    let pb = Problem {
        x: &mf.x,
        n: mf.n,
        p: mf.p,
        y: &mf.y,
        w: &w,
        offset: None,
        family: Family::Binomial,
        link: Link::Logit,
    };
    let beta = vec![0.01; mf.p];
    // CPU time of the whole process (all threads) in ns, from /proc/self/stat (utime + stime)
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                let rest = s.rsplit_once(')')?.1;
                let f: Vec<&str> = rest.split_whitespace().collect();
                Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) * 1e7)
            })
            .unwrap_or(f64::NAN)
    };
    for t in [1, 2] {
        let s = Instant::now();
        let c0 = cpu();
        for _ in 0..10 {
            std::hint::black_box(pass_at(&pb, &beta, t));
        }
        println!(
            "pass, {t} thread(s): wall {:.1} ms, process cpu {:.1} ms",
            s.elapsed().as_secs_f64() * 100.0,
            (cpu() - c0) / 1e7
        );
    }
}
