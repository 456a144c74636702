//! Where the time of a 1M-row benchmark fit goes: the whole `fit` (IRLS and the figures after
//! it) against the IRLS loop alone, on the benchmark data (`bench/glm/run.sh` makes it), minimum
//! of `REPS` repetitions. Also a loop for `perf record` (`fit_profile DIR MODEL REPS`).
//!
//! Run: `cargo run --release -p dimorph-glm --example fit_profile -- bench-data [logistic|poisson] [REPS] [THREADS]`.
use dimorph_glm::irls::{irls, Control, Problem};
use dimorph_glm::{fit, model_frame, Family, GlmOptions, Link};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "bench-data".into());
    let only = args.next();
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let threads: Option<usize> = args.next().and_then(|s| s.parse().ok());
    // CPU time of the whole process (all threads), seconds, from /proc/self/stat (utime + stime)
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                let rest = s.rsplit_once(')')?.1;
                let f: Vec<&str> = rest.split_whitespace().collect();
                Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
            })
            .unwrap_or(f64::NAN)
    };
    let formula = format!(
        "y ~ {}",
        (1..=20).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    for (model, family, link) in [
        ("logistic", Family::Binomial, Link::Logit),
        ("poisson", Family::Poisson, Link::Log),
    ] {
        if only.as_deref().is_some_and(|o| o != model) {
            continue;
        }
        let frame = dimorph_data::read_table(format!("{dir}/{model}_1m.parquet")).expect("data");
        let mf = model_frame(&formula, &frame, None).expect("model frame");
        drop(frame);
        let mut opts = GlmOptions::new(family, None);
        let mut ctl = Control::default();
        if let Some(t) = threads {
            opts.threads = t;
            ctl.threads = t;
        }
        let w = vec![1.0; mf.n];
        let pb = Problem {
            x: &mf.x,
            n: mf.n,
            p: mf.p,
            y: &mf.y,
            w: &w,
            offset: None,
            family,
            link,
        };
        let free: Vec<usize> = (0..mf.p).collect();
        let (mut t_fit, mut t_irls) = (f64::INFINITY, f64::INFINITY);
        let (mut c_fit, mut c_irls) = (f64::INFINITY, f64::INFINITY);
        let mut iters = 0;
        for _ in 0..reps {
            let (s, c) = (Instant::now(), cpu());
            let g = fit(&mf, &opts).expect("fit");
            t_fit = t_fit.min(s.elapsed().as_secs_f64());
            c_fit = c_fit.min(cpu() - c);
            iters = g.iterations;
            std::hint::black_box(g);
            let (s, c) = (Instant::now(), cpu());
            let r = irls(&pb, &free, Some(0), None, ctl);
            t_irls = t_irls.min(s.elapsed().as_secs_f64());
            c_irls = c_irls.min(cpu() - c);
            std::hint::black_box(r);
        }
        println!(
            "{model}: fit {:.1} ms (cpu {:.0}), IRLS alone {:.1} ms (cpu {:.0}; {iters} iterations), after IRLS {:.1} ms (min of {reps})",
            t_fit * 1e3,
            c_fit * 1e3,
            t_irls * 1e3,
            c_irls * 1e3,
            (t_fit - t_irls) * 1e3
        );
    }
}
