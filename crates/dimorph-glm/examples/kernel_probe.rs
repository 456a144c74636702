//! Instruction-count probe of one IRLS pass (run under `valgrind --tool=callgrind`): n rows ×
//! 21 columns of deterministic pseudo-random data, logistic.
use dimorph_glm::irls::{pass_at, Problem};
use dimorph_glm::{Family, Link};
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let p = 21;
    let mut state = 0x9E3779B97F4A7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut x = Vec::with_capacity(n * p);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        x.push(1.0);
        for _ in 1..p {
            x.push(next());
        }
        y.push(if next() > 0.0 { 1.0 } else { 0.0 });
    }
    let w = vec![1.0; n];
    let pb = Problem {
        x: &x,
        n,
        p,
        y: &y,
        w: &w,
        offset: None,
        family: Family::Binomial,
        link: Link::Logit,
    };
    let beta = vec![0.01; p];
    let r = pass_at(&pb, &beta, 1);
    println!("{}", r.deviance);
}
