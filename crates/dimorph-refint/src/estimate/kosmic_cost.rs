//! kosmic's cost of a model over all candidate truncation intervals (Zierk, Arzideh, Kapsner,
//! Prokosch, Metzler & Rauh 2020, *Reference Interval Estimation from Mixed Distributions using
//! Truncation Points and the Kolmogorov-Smirnov Distance (kosmic)*, Sci Rep 10:1704, Methods).
//!
//! On the class grid x₀ < x₁ < … the data give the empirical CDF Fᵢ and the model (a normal on the
//! transformed scale) the CDF Φᵢ. For a truncation interval [t₁, t₂) the model is scaled to the
//! data's mass in it: F̂ᵢ = a·Φᵢ + b with F̂ = F at t₁ and t₂, so a = (F_{t₂} − F_{t₁})/(Φ_{t₂} −
//! Φ_{t₁}). The cost is the Kolmogorov–Smirnov distance inside the interval plus the one-sided
//! distances outside it (left of t₁ the data may hold more than the model, never less; right of
//! t₂ less, never more), divided by the square root of the interval's share of the data:
//!
//! cost(t₁, t₂) = [max_{i<t₁}(Fᵢ − F̂ᵢ)⁺ + max_{t₁≤i<t₂}|Fᵢ − F̂ᵢ| + max_{i≥t₂}(F̂ᵢ − Fᵢ)⁺] / √(F_{t₂} − F_{t₁}).
//!
//! With gᵢ(a) = Fᵢ − a·Φᵢ, Fᵢ − F̂ᵢ = gᵢ(a) − g_{t₁}(a): every term is a maximum or minimum of the
//! linear functions gᵢ over a run of classes. The maxima over the points (Φᵢ, Fᵢ) are read off
//! their upper convex hull (the minima off the lower one) by a binary search on the hull's slopes,
//! so all pairs of an evaluation cost O((T₁ + T₂)·C + T₁·T₂·log C) instead of kosmic's
//! O(T₁·T₂·C) (C classes, T₁ and T₂ candidates of each truncation point); [`min_cost_naive`]
//! computes the same by the definition, for the tests.
//!
//! An empty class repeats the CDF of the class before it (Fᵢ = Fᵢ₋₁, Φᵢ ≥ Φᵢ₋₁): it can never
//! give a maximum of Fᵢ − a·Φᵢ (a > 0) over a run of classes that holds its run's first class,
//! nor a minimum over one that holds its run's last class. Only the classes [`needed`] lists —
//! the first and last class of each run of equal F, and the candidate truncation points with the
//! class before each t₂ — enter the hulls, so Φ is computed on those only: on RIbench's sets a
//! quarter of the classes (the grid reaches out to the sparse tails).

/// The cost of the best truncation interval and its class indices (t₁ ≤ i < t₂).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub cost: f64,
    pub t1: usize,
    pub t2: usize,
}

/// The candidate truncation points: t₁ in `t1.0..=t1.1`, t₂ in `t2.0..=t2.1` (class indices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidates {
    pub t1: (usize, usize),
    pub t2: (usize, usize),
}

/// Upper convex hull of points added with non-decreasing x; answers max over the points of
/// y − a·x.
#[derive(Default)]
struct Hull {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Hull {
    fn clear(&mut self) {
        self.x.clear();
        self.y.clear();
    }

    fn push(&mut self, x: f64, y: f64) {
        if let (Some(&lx), Some(&ly)) = (self.x.last(), self.y.last()) {
            if x == lx {
                if y <= ly {
                    return;
                }
                self.x.pop();
                self.y.pop();
            }
        }
        while self.x.len() >= 2 {
            let k = self.x.len();
            let (x1, y1, x2, y2) = (self.x[k - 2], self.y[k - 2], self.x[k - 1], self.y[k - 1]);
            // drop the middle point when it is not strictly above the chord
            if (y2 - y1) * (x - x1) <= (y - y1) * (x2 - x1) {
                self.x.pop();
                self.y.pop();
            } else {
                break;
            }
        }
        self.x.push(x);
        self.y.push(y);
    }

    /// max over the points of y − a·x (−∞ without points).
    fn max(&self, a: f64) -> f64 {
        let n = self.x.len();
        if n == 0 {
            return f64::NEG_INFINITY;
        }
        // the edge slopes decrease along the hull: the maximum is at the first vertex whose
        // outgoing edge is no steeper than a
        let (mut lo, mut hi) = (0usize, n - 1);
        while lo < hi {
            let m = (lo + hi) / 2;
            let s = (self.y[m + 1] - self.y[m]) / (self.x[m + 1] - self.x[m]);
            if s > a {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        self.y[lo] - a * self.x[lo]
    }
}

/// Scratch space of [`min_cost`], reused across evaluations.
#[derive(Default)]
pub struct Scratch {
    hull: Hull,
    upper: Hull,
    lower: Hull,
    partial: Vec<f64>,
}

/// The slope a of the pair, None when the interval holds no data or no model mass.
fn slope(f: &[f64], phi: &[f64], t1: usize, t2: usize) -> Option<f64> {
    let (df, dp) = (f[t2] - f[t1], phi[t2] - phi[t1]);
    (df > 0.0 && dp > 0.0 && (df / dp).is_finite()).then(|| df / dp)
}

/// The classes whose (Φ, F) can decide a cost (ascending): the first and the last class of each
/// run of classes with equal F, and the candidate truncation points t₁, t₂ and t₂ − 1.
pub fn needed(f: &[f64], c: Candidates) -> Vec<usize> {
    let nc = f.len();
    (0..nc)
        .filter(|&i| {
            i == 0
                || i + 1 == nc
                || f[i] != f[i - 1]
                || f[i + 1] != f[i]
                || (c.t1.0..=c.t1.1).contains(&i)
                || (c.t2.0.saturating_sub(1)..=c.t2.1).contains(&i)
        })
        .collect()
}

/// The best truncation interval for the empirical CDF `f` and the model CDF `phi` (same class
/// grid): the lowest cost, the first (lowest t₁, then t₂) among ties; None when no pair has data
/// and model mass inside.
pub fn min_cost(f: &[f64], phi: &[f64], c: Candidates, s: &mut Scratch) -> Option<Interval> {
    let all: Vec<usize> = (0..f.len()).collect();
    min_cost_on(f, phi, &all, c, s)
}

/// [`min_cost`] with only the classes `pts` (ascending; [`needed`] or a superset) in the hulls:
/// `phi` is read at those classes only.
pub fn min_cost_on(f: &[f64], phi: &[f64], pts: &[usize], c: Candidates, s: &mut Scratch) -> Option<Interval> {
    let (n1, n2) = (c.t1.1 + 1 - c.t1.0, c.t2.1 + 1 - c.t2.0);
    s.partial.clear();
    s.partial.resize(n1 * n2, f64::NAN);
    // pass 1, t₁ ascending: left of t₁ (a hull of the prefix) and inside [t₁, t₂)
    s.hull.clear();
    let mut next = 0;
    for t1 in c.t1.0..=c.t1.1 {
        while next < pts.len() && pts[next] < t1 {
            let i = pts[next];
            s.hull.push(phi[i], f[i]);
            next += 1;
        }
        s.upper.clear();
        s.lower.clear();
        let mut inside = next;
        for t2 in c.t2.0..=c.t2.1 {
            while inside < pts.len() && pts[inside] < t2 {
                let i = pts[inside];
                s.upper.push(phi[i], f[i]);
                s.lower.push(phi[i], -f[i]);
                inside += 1;
            }
            let Some(a) = slope(f, phi, t1, t2) else { continue };
            let g1 = f[t1] - a * phi[t1];
            let left = (s.hull.max(a) - g1).max(0.0);
            let hi = s.upper.max(a) - g1;
            let lo = g1 + s.lower.max(-a);
            s.partial[(t1 - c.t1.0) * n2 + (t2 - c.t2.0)] = left + hi.max(lo).max(0.0);
        }
    }
    // pass 2, t₂ descending: right of t₂ (a hull of the suffix, mirrored)
    s.hull.clear();
    let mut next = pts.len();
    let mut best: Option<Interval> = None;
    for t2 in (c.t2.0..=c.t2.1).rev() {
        while next > 0 && pts[next - 1] >= t2 {
            next -= 1;
            let i = pts[next];
            s.hull.push(-phi[i], -f[i]);
        }
        for t1 in c.t1.0..=c.t1.1 {
            let p = s.partial[(t1 - c.t1.0) * n2 + (t2 - c.t2.0)];
            if p.is_nan() {
                continue;
            }
            let Some(a) = slope(f, phi, t1, t2) else { continue };
            let d = (f[t2] - f[t1]).sqrt();
            // the right term is ≥ 0, so (p + right) / d ≥ p / d: a pair already above the best
            // cannot become the best, and its hull query is skipped
            if best.is_some_and(|b| p / d > b.cost) {
                continue;
            }
            let g1 = f[t1] - a * phi[t1];
            let right = (g1 + s.hull.max(a)).max(0.0);
            let cost = (p + right) / d;
            let better = match best {
                None => true,
                Some(b) => cost < b.cost || (cost == b.cost && (t1, t2) < (b.t1, b.t2)),
            };
            if cost.is_finite() && better {
                best = Some(Interval { cost, t1, t2 });
            }
        }
    }
    best
}

/// [`min_cost`] by the definition, O(T₁·T₂·C): the reference of the tests.
pub fn min_cost_naive(f: &[f64], phi: &[f64], c: Candidates) -> Option<Interval> {
    let mut best: Option<Interval> = None;
    for t1 in c.t1.0..=c.t1.1 {
        for t2 in c.t2.0..=c.t2.1 {
            let Some(a) = slope(f, phi, t1, t2) else { continue };
            let b = f[t1] - a * phi[t1];
            let est = |i: usize| a * phi[i] + b;
            let left = (0..t1).map(|i| f[i] - est(i)).fold(0.0, f64::max);
            let inside = (t1..t2).map(|i| (est(i) - f[i]).abs()).fold(0.0, f64::max);
            let right = (t2..f.len()).map(|i| est(i) - f[i]).fold(0.0, f64::max);
            let cost = (left + inside + right) / (f[t2] - f[t1]).sqrt();
            if cost.is_finite() && best.is_none_or(|b| cost < b.cost) {
                best = Some(Interval { cost, t1, t2 });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use dimorph_core::dist::pnorm;
    use dimorph_core::Rng;

    #[test]
    fn hull_costs_equal_the_definition() {
        let mut skipping = 0;
        for seed in 0..40u64 {
            let mut rng = Rng::new(seed);
            let nc = 30 + rng.below(60);
            // an empirical CDF with empty classes (runs of them), ties and jumps
            let mut counts: Vec<f64> = (0..nc)
                .map(|_| if rng.uniform() < 0.6 { 0.0 } else { rng.uniform() * 10.0 })
                .collect();
            counts[0] = 1.0;
            let tot: f64 = counts.iter().sum();
            let mut acc = 0.0;
            let f: Vec<f64> = counts
                .iter()
                .map(|c| {
                    acc += c;
                    acc / tot
                })
                .collect();
            let (mu, sd) = (rng.range(0.3, 0.7) * nc as f64, rng.range(0.05, 0.4) * nc as f64);
            let phi: Vec<f64> = (0..nc).map(|i| pnorm((i as f64 - mu) / sd)).collect();
            let c = Candidates {
                t1: (nc / 10, nc / 3),
                t2: (nc / 2, nc - 2),
            };
            let fast = min_cost(&f, &phi, c, &mut Scratch::default()).unwrap();
            let slow = min_cost_naive(&f, &phi, c).unwrap();
            assert!(
                (fast.cost - slow.cost).abs() <= 1e-12 * slow.cost.max(1.0),
                "seed {seed}: {fast:?} vs {slow:?}"
            );
            assert_eq!((fast.t1, fast.t2), (slow.t1, slow.t2), "seed {seed}");
            // the classes that can decide a cost alone give the same, to the bit (Φ elsewhere
            // is never read: NaN there)
            let pts = needed(&f, c);
            skipping += (pts.len() < nc) as usize;
            let masked: Vec<f64> = (0..nc)
                .map(|i| if pts.contains(&i) { phi[i] } else { f64::NAN })
                .collect();
            let on = min_cost_on(&f, &masked, &pts, c, &mut Scratch::default()).unwrap();
            assert_eq!(on.cost.to_bits(), fast.cost.to_bits(), "seed {seed}");
            assert_eq!((on.t1, on.t2), (fast.t1, fast.t2), "seed {seed}");
        }
        assert!(skipping >= 30, "only {skipping} of 40 grids with classes left out");
    }
}
