//! A constant hazard μ against its closed forms (to 1e-9): e(x) = e† = SD = 1/μ, H = 1,
//! Gini = ½; saved lives have e = ȳ = 1/μ, f(y|a) geometric, mean age lived = mean age at
//! saving + 1/μ; deleting a cause with a constant share s gives e = 1/(μ(1 − s)).

use dimorph_lifetable::*;

const MU: f64 = 0.05;

fn table(mu: f64) -> Lifetable {
    let n = 111;
    let age: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let mut width = vec![1.0; n];
    width[n - 1] = f64::INFINITY;
    Lifetable::from_rates(
        Sex::Female,
        None,
        &age,
        &width,
        &vec![mu; n],
        AxMethod::ConstantHazard,
        1.0,
    )
    .unwrap()
}

#[test]
fn lifetable_and_variation() {
    let t = table(MU);
    for i in 0..t.len() {
        assert!((t.ex[i] - 1.0 / MU).abs() < 1e-9, "e({i}) = {}", t.ex[i]);
        if i + 1 < t.len() {
            assert!((t.qx[i] - (1.0 - (-MU).exp())).abs() < 1e-12);
            assert!((t.lx[i] - (-MU * i as f64).exp()).abs() < 1e-12);
        }
    }
    let v = variation(&t);
    assert!((v.e_dagger - 1.0 / MU).abs() < 1e-9, "{v:?}");
    assert!((v.keyfitz_h - 1.0).abs() < 1e-9);
    assert!((v.gini - 0.5).abs() < 1e-9);
    assert!((v.sd - 1.0 / MU).abs() < 1e-9);
}

#[test]
fn life_lost_exact_age() {
    let t = table(MU);
    let n = t.len();
    // stationary deaths: ages at death ~ Exp(μ)
    let d: Vec<f64> = t.dx.iter().map(|x| x * 1000.0).collect();
    let r = life_lost("All", &d, &t, SavePoint::ExactAge).unwrap();
    let q = 1.0 - (-MU).exp();
    for a in 0..n {
        assert!((r.e_saved[a] - 1.0 / MU).abs() < 1e-9);
        for y in 0..n - a {
            let f = if a + y + 1 < n {
                q * (-MU * y as f64).exp()
            } else {
                (-MU * y as f64).exp()
            };
            assert!((r.f_ya[a * n + y] - f).abs() < 1e-12, "f({y}|{a})");
        }
    }
    let s = r.summary;
    assert!((s.mean_age_at_death - 1.0 / MU).abs() < 1e-9, "{s:?}");
    assert!((s.mean_years_left - 1.0 / MU).abs() < 1e-9);
    // saved at exact age floor(X) (open group at 110): E[min(floor X, 110)]
    let e = (-MU).exp();
    let save = e * (1.0 - (-MU * 110.0).exp()) / (1.0 - e);
    assert!(
        (s.mean_age_at_saving - save).abs() < 1e-9,
        "{} vs {save}",
        s.mean_age_at_saving
    );
    assert!((s.mean_age_lived - (save + 1.0 / MU)).abs() < 1e-9);
    assert!((s.years_won - 1000.0 / MU).abs() < 1e-6);
}

#[test]
fn life_lost_mean_age_at_death_and_cause_deleted() {
    let t = table(MU);
    let n = t.len();
    let d: Vec<f64> = t.dx.clone();
    let r = life_lost("All", &d, &t, SavePoint::MeanAgeAtDeath).unwrap();
    // saved at the mean age at death: the mean age at saving is the mean age at death, 1/μ
    assert!((r.summary.mean_age_at_saving - 1.0 / MU).abs() < 1e-9);
    assert!((r.summary.mean_age_lived - 2.0 / MU).abs() < 1e-9);
    let tau = t.ax[3];
    assert!((r.f_ya[3 * n] - (1.0 - (-MU * (1.0 - tau)).exp())).abs() < 1e-12);
    assert!((r.f_ya[3 * n + 2] - (-MU * (2.0 - tau)).exp() * (1.0 - (-MU).exp())).abs() < 1e-12);
    // a cause with a constant share 0.3 of deaths, deleted
    let s = 0.3;
    let td = t.cause_deleted(&vec![s; n]).unwrap();
    let dc: Vec<f64> = d.iter().map(|x| x * s).collect();
    let rc = life_lost("C", &dc, &td, SavePoint::MeanAgeAtDeath).unwrap();
    for a in 0..n {
        assert!((rc.e_saved[a] - 1.0 / (MU * (1.0 - s))).abs() < 1e-9);
    }
    assert!((rc.summary.mean_years_left - 1.0 / (MU * (1.0 - s))).abs() < 1e-9);
}

#[test]
fn papers_discretisation_closed_forms() {
    // l(x) = e^{−μx}, ω = 110 closed after one year: the saved of age a win
    // Σ_{k=0}^{ω−a} e^{−μk} years each; f(y|a) = (1 − e^{−μ})e^{−μy} below the last two classes
    let t = table(MU);
    let n = t.len();
    let d: Vec<f64> = (0..n).map(|a| 100.0 + a as f64).collect();
    let r = life_lost_paper("All", &d, &t).unwrap();
    assert_eq!(r.discretisation, Discretisation::Paper);
    let e = (-MU).exp();
    for (a, da) in d.iter().enumerate() {
        let won = (1.0 - e.powi((n - a) as i32)) / (1.0 - e);
        assert!((r.e_saved[a] - won).abs() < 1e-9, "e_saved({a})");
        assert!((r.years_won[a] - da * won).abs() < 1e-6);
        assert!((r.save_age[a] - (a as f64 + 0.5)).abs() < 1e-12);
        for y in 0..(n - a).saturating_sub(2) {
            let f = (1.0 - e) * e.powi(y as i32);
            assert!((r.f_ya[a * n + y] - f).abs() < 1e-12, "f({y}|{a})");
        }
        let row: f64 = r.f_ya[a * n..(a + 1) * n].iter().sum();
        assert!((row - 1.0).abs() < 1e-9);
        // eq. 6: end-of-year survivors, the year of saving whole
        assert!((r.w_ax[a * n + a] - da).abs() < 1e-9);
        if a + 1 < n {
            assert!((r.w_ax[a * n + a + 1] - da * e).abs() < 1e-9);
        }
    }
    // means at class midpoints
    let sd: f64 = d.iter().sum();
    let abar: f64 = d.iter().enumerate().map(|(a, x)| x * (a as f64 + 0.5)).sum::<f64>() / sd;
    assert!((r.summary.mean_age_at_death - abar).abs() < 1e-9);
    let sw: f64 = r.years_won.iter().sum();
    let lived: f64 = r
        .years_won_by_age_lived
        .iter()
        .enumerate()
        .map(|(x, w)| w * (x as f64 + 0.5))
        .sum::<f64>()
        / sw;
    assert!((r.summary.mean_age_lived - lived).abs() < 1e-9);
    assert!((sw - r.years_won_by_age_lived.iter().sum::<f64>()).abs() < 1e-6 * sw);
    // a cause with a constant share s, deleted: the same with μ(1 − s)
    let s = 0.3;
    let td = t.cause_deleted(&vec![s; n]).unwrap();
    let rc = life_lost_with("C", &d, &td, Discretisation::Paper, SavePoint::ExactAge).unwrap();
    let ec = (-MU * (1.0 - s)).exp();
    assert!((rc.e_saved[0] - (1.0 - ec.powi(n as i32)) / (1.0 - ec)).abs() < 1e-9);
}

#[test]
fn papers_discretisation_bad_rates() {
    let mut t = table(MU);
    t.mx[5] = f64::NAN;
    let e = life_lost_paper("All", &vec![1.0; t.len()], &t).unwrap_err().to_string();
    assert!(e.contains("rate at age 5") && e.contains("NaN"), "{e}");
}
