//! Times one FFT repulsion and one exact repulsion on a spread-out layout (development probe).
use dimorph_embed::fft::FftRepulsion;
use dimorph_embed::gradient::repulsive_exact;
use dimorph_embed::rng::Rng;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1797);
    let spread: f64 = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(25.0);
    let alpha: f64 = std::env::args().nth(3).and_then(|s| s.parse().ok()).unwrap_or(0.5);
    let mut rng = Rng::new(1);
    let y: Vec<f64> = (0..2 * n).map(|_| rng.normal() * spread).collect();
    let mut f = FftRepulsion::new(2);
    f.repulsion(&y, alpha);
    let t = std::time::Instant::now();
    for _ in 0..10 {
        f.repulsion(&y, alpha);
    }
    println!(
        "fft: {:.2} ms/call, boxes {}",
        t.elapsed().as_secs_f64() * 100.0,
        f.last_boxes
    );
    if n <= 20000 {
        let t = std::time::Instant::now();
        for _ in 0..3 {
            repulsive_exact(&y, alpha, 2);
        }
        println!("exact: {:.2} ms/call", t.elapsed().as_secs_f64() * 1000.0 / 3.0);
    }
}
