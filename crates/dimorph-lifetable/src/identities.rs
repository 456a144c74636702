//! Life-table identities as tiny named functions, composed in order by the period table
//! (`table`, HMD Methods Protocol v6, section 7) and by the paper's discretisation of life lost
//! (`lifelost`, Riffe & Solé Auró 2015, eq. 9–10 on whole years): m → q → l → d, L → T → e.
//! (The habit of DemoTools' `LTidentities.R`: `mx2qx`, `qx2lx`, `lx2dx`, `Lx2Tx`.)

/// q = n·m / (1 + (n − a)·m): the probability of dying in an age group of width n whose deaths
/// live a years in it on average (HMD Protocol, eq. 70).
pub fn mx_to_qx(m: f64, n: f64, a: f64) -> f64 {
    n * m / (1.0 + (n - a) * m)
}

/// q = 1 − e^{−n·m}: the probability of dying under a constant hazard m over n years.
pub fn mx_to_qx_constant_hazard(m: f64, n: f64) -> f64 {
    -(-m * n).exp_m1()
}

/// l(0) = radix, l(x+1) = l(x) − l(x)·q(x): survivors at the start of each age group.
pub fn qx_to_lx(qx: &[f64], radix: f64) -> Vec<f64> {
    let mut lx = Vec::with_capacity(qx.len());
    let mut l = radix;
    for q in qx {
        lx.push(l);
        l -= l * q;
    }
    lx
}

/// d(x) = l(x)·q(x): deaths in each age group.
pub fn lxqx_to_dx(lx: &[f64], qx: &[f64]) -> Vec<f64> {
    lx.iter().zip(qx).map(|(l, q)| l * q).collect()
}

/// l(0) = radix, l(x+1) = l(x)·e^{−m(x)}: survivors under a constant hazard in each whole year,
/// one more than the rates (the survivors at the end of the last year).
pub fn mx_to_lx_constant_hazard(mx: &[f64], radix: f64) -> Vec<f64> {
    let mut l = Vec::with_capacity(mx.len() + 1);
    l.push(radix);
    for (x, m) in mx.iter().enumerate() {
        l.push(l[x] * (-m).exp());
    }
    l
}

/// d(x) = l(x) − l(x+1), the last age group taking all its survivors, d(ω) = l(ω).
pub fn lx_to_dx(lx: &[f64]) -> Vec<f64> {
    let n = lx.len();
    (0..n)
        .map(|x| if x + 1 < n { lx[x] - lx[x + 1] } else { lx[x] })
        .collect()
}

/// T(x) = Σ_{y≥x} L(y): person-years lived above each age.
pub fn big_lx_to_tx(big_lx: &[f64]) -> Vec<f64> {
    let mut tx = vec![0.0; big_lx.len()];
    let mut acc = 0.0;
    for (t, l) in tx.iter_mut().zip(big_lx).rev() {
        acc += l;
        *t = acc;
    }
    tx
}

/// e(x) = T(x)/l(x): life expectancy at each age (0 where nobody is left).
pub fn tx_to_ex(tx: &[f64], lx: &[f64]) -> Vec<f64> {
    tx.iter()
        .zip(lx)
        .map(|(t, l)| if *l > 0.0 { t / l } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_compose() {
        let qx = [0.1, 0.5, 1.0];
        let lx = qx_to_lx(&qx, 1000.0);
        assert_eq!(lx, [1000.0, 900.0, 450.0]);
        assert_eq!(lxqx_to_dx(&lx, &qx), [100.0, 450.0, 450.0]);
        assert_eq!(lx_to_dx(&lx), [100.0, 450.0, 450.0]);
        let tx = big_lx_to_tx(&[950.0, 675.0, 450.0]);
        assert_eq!(tx, [2075.0, 1125.0, 450.0]);
        assert_eq!(tx_to_ex(&tx, &lx)[2], 1.0);
        assert!((mx_to_qx(0.2, 1.0, 0.5) - 0.2 / 1.1).abs() < 1e-15);
        let l = mx_to_lx_constant_hazard(&[0.0, 2f64.ln()], 1.0);
        assert_eq!(l.len(), 3);
        assert!((l[2] - 0.5).abs() < 1e-15);
        assert!((mx_to_qx_constant_hazard(2f64.ln(), 1.0) - 0.5).abs() < 1e-15);
    }
}
