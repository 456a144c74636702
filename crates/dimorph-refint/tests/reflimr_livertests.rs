//! The indirect (reflimR) method against reflimR 1.1.0 itself on the livertests data.
//!
//! Expected values: R 4.2.2 with reflimR 1.1.0 (CRAN release of 2025-05-27), computed by
//! `tests/reference/peers.R` on `data/refint/reflimr_livertests.csv` (all 612 rows; "all" =
//! both sexes, "f"/"m" = one sex; targets from `reflimr_targetvalues.csv`). `lower`/`upper` are
//! reflim()'s printed (rounded) limits, `*_raw` the limits with `apply.rounding = FALSE`,
//! `mean`/`sd` reflimR's stats (meanlog/sdlog rounded by reflimR to 3 decimals), `ci` its
//! `conf_int95()` of the unrounded limits, `tol` its tolerance limits, `interp` its
//! interpretation against the targets.

// Values are kept exactly as the peer printed them.
#![allow(clippy::excessive_precision)]

use dimorph_refint::estimate::reflim::{bowley, reflim, ReflimOptions};
use dimorph_refint::interpretation::Deviation;
use std::path::Path;

struct R {
    analyte: &'static str,
    sex: &'static str,
    lognormal: bool,
    n_total: usize,
    n_trunc: usize,
    lower: f64,
    upper: f64,
    lower_raw: f64,
    upper_raw: f64,
    mean: f64,
    sd: f64,
    ci: [f64; 4],
    perc_norm: f64,
    interp: (Option<&'static str>, Option<&'static str>),
    tol: [f64; 4],
}

const REFLIMR: &[R] = &[
    R {
        analyte: "ALB",
        sex: "all",
        lognormal: false,
        n_total: 612,
        n_trunc: 556,
        lower: 33.6,
        upper: 50.7,
        lower_raw: 33.6321150176205,
        upper_raw: 50.653535272886,
        mean: 42.1428251452533,
        sd: 4.34219904471058,
        ci: [32.6388262960929, 35.2775541167683, 49.0080961737383, 51.6468239944137],
        perc_norm: 95.6,
        interp: (None, None),
        tol: [32.2, 35.0, 48.7, 52.7],
    },
    R {
        analyte: "ALB",
        sex: "f",
        lognormal: false,
        n_total: 238,
        n_trunc: 187,
        lower: 33.5,
        upper: 46.8,
        lower_raw: 33.475892059236,
        upper_raw: 46.7757661792015,
        mean: 40.1258291192187,
        sd: 3.39282503060344,
        ci: [32.2505542844076, 35.9772922646495, 44.2743659737879, 48.0011039540299],
        perc_norm: 82.7,
        interp: (Some("within tolerance"), Some("markedly decreased")),
        tol: [32.2, 34.8, 45.1, 48.5],
    },
    R {
        analyte: "ALB",
        sex: "m",
        lognormal: false,
        n_total: 374,
        n_trunc: 339,
        lower: 35.1,
        upper: 51.1,
        lower_raw: 35.0985326920321,
        upper_raw: 51.0969072320195,
        mean: 43.0977199620258,
        sd: 4.08121799489475,
        ci: [33.9128843013209, 37.2519937876722, 48.9434461363793, 52.2825556227307],
        perc_norm: 95.4,
        interp: (Some("within tolerance"), Some("within tolerance")),
        tol: [33.7, 36.5, 49.2, 53.0],
    },
    R {
        analyte: "ALT",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 541,
        lower: 9.2,
        upper: 57.3,
        lower_raw: 9.19696318382419,
        upper_raw: 57.2808073227395,
        mean: 3.133,
        sd: 0.467,
        ci: [
            8.26588049786343,
            10.97576181702213,
            47.99753173123178,
            63.73301382994009,
        ],
        perc_norm: 93.1,
        interp: (None, None),
        tol: [8.1, 10.3, 52.8, 61.8],
    },
    R {
        analyte: "ALT",
        sex: "f",
        lognormal: true,
        n_total: 238,
        n_trunc: 178,
        lower: 10.1,
        upper: 30.9,
        lower_raw: 10.0930051261078,
        upper_raw: 30.8831070562841,
        mean: 2.871,
        sd: 0.285,
        ci: [
            9.10483675283488,
            12.45574123959406,
            25.02487421931772,
            34.23491999811617,
        ],
        perc_norm: 78.7,
        interp: (Some("within tolerance"), Some("slightly decreased")),
        tol: [9.3, 10.9, 29.0, 32.8],
    },
    R {
        analyte: "ALT",
        sex: "m",
        lognormal: true,
        n_total: 374,
        n_trunc: 324,
        lower: 11.4,
        upper: 62.6,
        lower_raw: 11.3723236656684,
        upper_raw: 62.5892046451634,
        mean: 3.284,
        sd: 0.435,
        ci: [10.0221111230894, 14.3068633653339, 49.7512749668272, 71.0214329555486],
        perc_norm: 91.2,
        interp: (Some("slightly increased"), Some("markedly increased")),
        tol: [10.2, 12.6, 57.8, 67.4],
    },
    R {
        analyte: "AST",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 504,
        lower: 15.1,
        upper: 40.9,
        lower_raw: 15.0933120357545,
        upper_raw: 40.8844505476041,
        mean: 3.213,
        sd: 0.254,
        ci: [14.2406545417013, 16.6195869852507, 37.1297896917055, 43.3324021531698],
        perc_norm: 86.7,
        interp: (None, None),
        tol: [14.0, 16.2, 38.5, 43.3],
    },
    R {
        analyte: "AST",
        sex: "f",
        lognormal: true,
        n_total: 238,
        n_trunc: 201,
        lower: 13.9,
        upper: 35.1,
        lower_raw: 13.8965029467029,
        upper_raw: 35.1370344690645,
        mean: 3.095,
        sd: 0.237,
        ci: [12.7582013993010, 16.5452806610412, 29.5118537449476, 38.2720014957994],
        perc_norm: 88.9,
        interp: (Some("markedly increased"), Some("within tolerance")),
        tol: [12.9, 14.9, 33.1, 37.1],
    },
    R {
        analyte: "AST",
        sex: "m",
        lognormal: true,
        n_total: 374,
        n_trunc: 295,
        lower: 17.3,
        upper: 41.3,
        lower_raw: 17.2578929806191,
        upper_raw: 41.2976334626066,
        mean: 3.285,
        sd: 0.223,
        ci: [16.1772430906727, 19.4086190944490, 36.7213213460579, 44.0563410375792],
        perc_norm: 83.0,
        interp: (Some("markedly increased"), Some("markedly decreased")),
        tol: [16.1, 18.5, 39.0, 43.6],
    },
    R {
        analyte: "BIL",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 492,
        lower: 2.85,
        upper: 17.17,
        lower_raw: 2.84637166239684,
        upper_raw: 17.1661009958177,
        mean: 1.944,
        sd: 0.458,
        ci: [2.56302213734550, 3.38633529312897, 14.42890298768676, 19.06386320913435],
        perc_norm: 84.6,
        interp: (None, None),
        tol: [2.52, 3.18, 15.83, 18.51],
    },
    R {
        analyte: "BIL",
        sex: "f",
        lognormal: true,
        n_total: 238,
        n_trunc: 214,
        lower: 2.32,
        upper: 15.43,
        lower_raw: 2.32034795286174,
        upper_raw: 15.429963894816,
        mean: 1.789,
        sd: 0.483,
        ci: [1.94870547073910, 3.31363810444032, 10.80470588749285, 18.37265080519722],
        perc_norm: 94.6,
        interp: (Some("slightly increased"), Some("markedly decreased")),
        tol: [2.04, 2.6, 14.19, 16.67],
    },
    R {
        analyte: "BIL",
        sex: "m",
        lognormal: true,
        n_total: 374,
        n_trunc: 254,
        lower: 3.62,
        upper: 15.03,
        lower_raw: 3.62449312942098,
        upper_raw: 15.0257460383422,
        mean: 1.999,
        sd: 0.363,
        ci: [3.26195102173279, 4.38912361153295, 12.40810651522630, 16.69574831674372],
        perc_norm: 71.5,
        interp: (Some("markedly increased"), Some("markedly decreased")),
        tol: [3.28, 3.96, 13.97, 16.09],
    },
    R {
        analyte: "CHE",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 542,
        lower: 5.51,
        upper: 12.69,
        lower_raw: 5.51251537053022,
        upper_raw: 12.6866232399138,
        mean: 2.124,
        sd: 0.213,
        ci: [5.25079960464612, 5.97507731978560, 11.70448545972287, 13.31896299151637],
        perc_norm: 93.2,
        interp: (None, None),
        tol: [5.15, 5.87, 11.99, 13.39],
    },
    R {
        analyte: "CHE",
        sex: "f",
        lognormal: true,
        n_total: 238,
        n_trunc: 212,
        lower: 5.38,
        upper: 11.59,
        lower_raw: 5.38164419642876,
        upper_raw: 11.5913345365502,
        mean: 2.067,
        sd: 0.196,
        ci: [5.01435473373994, 6.21706923605430, 10.03373709845956, 12.44037200195516],
        perc_norm: 93.8,
        interp: (Some("markedly increased"), Some("slightly increased")),
        tol: [5.05, 5.71, 10.98, 12.2],
    },
    R {
        analyte: "CHE",
        sex: "m",
        lognormal: false,
        n_total: 374,
        n_trunc: 339,
        lower: 4.94,
        upper: 12.38,
        lower_raw: 4.94308791528753,
        upper_raw: 12.3767613846842,
        mean: 8.65992464998589,
        sd: 1.89634527280528,
        ci: [4.39217426065135, 5.94369748184234, 11.37615181812943, 12.92767503932042],
        perc_norm: 95.4,
        interp: (Some("slightly increased"), Some("slightly increased")),
        tol: [4.6, 5.28, 11.67, 13.09],
    },
    R {
        analyte: "CREA",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 580,
        lower: 53.0,
        upper: 112.7,
        lower_raw: 52.9914771636508,
        upper_raw: 112.732191565659,
        mean: 4.348,
        sd: 0.193,
        ci: [50.7077964460862, 57.0030493537850, 104.7986980114646, 117.8092083198974],
        perc_norm: 99.8,
        interp: (None, None),
        tol: [49.8, 56.2, 106.8, 118.6],
    },
    R {
        analyte: "CREA",
        sex: "f",
        lognormal: false,
        n_total: 238,
        n_trunc: 182,
        lower: 54.6,
        upper: 80.2,
        lower_raw: 54.5705975262797,
        upper_raw: 80.1914043175029,
        mean: 67.3810009218913,
        sd: 6.53592009980184,
        ci: [52.2101133517913, 59.3892815824107, 75.3727202613719, 82.5518884919913],
        perc_norm: 80.5,
        interp: (Some("markedly increased"), Some("markedly decreased")),
        tol: [52.3, 56.9, 77.1, 83.3],
    },
    R {
        analyte: "CREA",
        sex: "m",
        lognormal: true,
        n_total: 374,
        n_trunc: 348,
        lower: 61.2,
        upper: 115.4,
        lower_raw: 61.2487941289548,
        upper_raw: 115.352512723004,
        mean: 4.431,
        sd: 0.161,
        ci: [58.4416358819921, 66.6967125677946, 105.9302929937873, 120.8933014519864],
        perc_norm: 97.9,
        interp: (Some("markedly increased"), Some("markedly increased")),
        tol: [57.8, 64.6, 109.8, 121.0],
    },
    R {
        analyte: "GGT",
        sex: "all",
        lognormal: true,
        n_total: 612,
        n_trunc: 497,
        lower: 7.7,
        upper: 56.8,
        lower_raw: 7.65804723708903,
        upper_raw: 56.7943466298652,
        mean: 3.038,
        sd: 0.511,
        ci: [6.81299520466043, 9.29475443960731, 46.79346744629981, 63.83885152210279],
        perc_norm: 85.5,
        interp: (None, None),
        tol: [6.7, 8.7, 52.1, 61.5],
    },
    R {
        analyte: "GGT",
        sex: "f",
        lognormal: true,
        n_total: 238,
        n_trunc: 187,
        lower: 7.1,
        upper: 36.7,
        lower_raw: 7.13789448080065,
        upper_raw: 36.7279036429578,
        mean: 2.784,
        sd: 0.418,
        ci: [6.13797838673443, 9.71343823006755, 26.98940318505774, 42.71111499366537],
        perc_norm: 82.7,
        interp: (Some("slightly increased"), Some("slightly decreased")),
        tol: [6.3, 7.8, 34.0, 39.5],
    },
    R {
        analyte: "GGT",
        sex: "m",
        lognormal: true,
        n_total: 374,
        n_trunc: 290,
        lower: 9.5,
        upper: 58.3,
        lower_raw: 9.53646576698885,
        upper_raw: 58.269642849796,
        mean: 3.16,
        sd: 0.462,
        ci: [
            8.33935554758204,
            12.16730427506849,
            45.67046584265834,
            66.63422024893343,
        ],
        perc_norm: 81.6,
        interp: (Some("within tolerance"), Some("within tolerance")),
        tol: [8.4, 10.6, 53.7, 62.9],
    },
    R {
        analyte: "PROT",
        sex: "all",
        lognormal: false,
        n_total: 612,
        n_trunc: 526,
        lower: 64.7,
        upper: 79.9,
        lower_raw: 64.68668330852,
        upper_raw: 79.9045386476754,
        mean: 72.2956109780977,
        sd: 3.88210595386616,
        ci: [63.7986420142251, 66.1577740756065, 78.4334478805889, 80.7925799419702],
        perc_norm: 90.5,
        interp: (None, None),
        tol: [62.8, 66.6, 77.6, 82.2],
    },
    R {
        analyte: "PROT",
        sex: "f",
        lognormal: false,
        n_total: 238,
        n_trunc: 189,
        lower: 65.7,
        upper: 78.2,
        lower_raw: 65.6572403557404,
        upper_raw: 78.2067529163236,
        mean: 71.931996636032,
        sd: 3.20140626545491,
        ci: [64.5010345407483, 68.0175148225309, 75.8464784495331, 79.3629587313157],
        perc_norm: 83.6,
        interp: (Some("within tolerance"), Some("markedly decreased")),
        tol: [63.9, 67.5, 76.2, 80.2],
    },
    R {
        analyte: "PROT",
        sex: "m",
        lognormal: false,
        n_total: 374,
        n_trunc: 341,
        lower: 64.4,
        upper: 81.4,
        lower_raw: 64.3608553571005,
        upper_raw: 81.4297188079618,
        mean: 72.8952870825311,
        sd: 4.35430190072993,
        ci: [63.0958724407923, 66.6584096052743, 79.1321645597880, 82.6947017242699],
        perc_norm: 96.0,
        interp: (Some("within tolerance"), Some("within tolerance")),
        tol: [62.4, 66.4, 79.0, 83.8],
    },
];

/// reflimR::bowley(x) and bowley(log(x)) over all 612 rows.
const BOWLEY: &[(&str, f64, f64)] = &[
    ("ALB", 0.0194552529182879, -0.0188320695193733),
    ("ALT", 0.207261724659606, 0.0357006819591235),
    ("AST", 0.242761692650334, 0.141615144659613),
    ("BIL", 0.316455696202532, 0.136937713132454),
    ("CHE", 0.00281690140845014, -0.0780573003111684),
    ("CREA", 0.0619047619047624, -0.00615342775658511),
    ("GGT", 0.377686796315251, 0.158528105340107),
    ("PROT", 0.0491803278688519, 0.0281178616181566),
];

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/refint")
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

fn targets(a: &str, sex: &str) -> (f64, f64) {
    let t = dimorph_data::read_csv(data_dir().join("reflimr_targetvalues.csv")).unwrap();
    let names = t.column("analyte").unwrap();
    let i = match &names.data {
        dimorph_data::ColumnData::Text { values, .. } => values.iter().position(|v| v.as_deref() == Some(a)).unwrap(),
        _ => panic!(),
    };
    let (l, u) = if sex == "f" {
        ("ll.female", "ul.female")
    } else {
        ("ll.male", "ul.male")
    };
    (t.numeric(l).unwrap()[i], t.numeric(u).unwrap()[i])
}

#[test]
fn livertests_limits_match_reflimr_1_1_0() {
    let f = dimorph_data::read_csv(data_dir().join("reflimr_livertests.csv")).unwrap();
    let sex = match &f.column("Sex").unwrap().data {
        dimorph_data::ColumnData::Text { values, .. } => values.clone(),
        _ => panic!("Sex is text"),
    };
    assert_eq!(REFLIMR.len(), 24);
    for r in REFLIMR {
        let col = f.numeric(r.analyte).unwrap();
        let x: Vec<f64> = col
            .iter()
            .zip(&sex)
            .filter(|(v, s)| !v.is_nan() && (r.sex == "all" || s.as_deref() == Some(r.sex)))
            .map(|(v, _)| *v)
            .collect();
        let tg = if r.sex == "all" {
            None
        } else {
            Some(targets(r.analyte, r.sex))
        };
        let e = reflim(r.analyte, &x, tg, ReflimOptions::default()).unwrap();
        let id = format!("{} {}", r.analyte, r.sex);
        assert_eq!(e.lognormal, r.lognormal, "{id}: distribution type");
        assert_eq!(e.n_total, r.n_total, "{id}: n");
        assert_eq!(e.n_trunc, r.n_trunc, "{id}: n after truncation");
        // printed limits: exactly reflimR's digits
        assert_eq!(e.lower_rounded, r.lower, "{id}: printed lower limit");
        assert_eq!(e.upper_rounded, r.upper, "{id}: printed upper limit");
        // unrounded limits to 1e-9 (relative)
        assert!(
            close(e.lower, r.lower_raw, 1e-9),
            "{id}: lower {} vs {}",
            e.lower,
            r.lower_raw
        );
        assert!(
            close(e.upper, r.upper_raw, 1e-9),
            "{id}: upper {} vs {}",
            e.upper,
            r.upper_raw
        );
        // mean and sd: reflimR rounds meanlog/sdlog to 3 decimals
        let tol = if r.lognormal { 5.0001e-4 } else { 1e-9 };
        assert!(
            (e.mean - r.mean).abs() <= tol * if r.lognormal { 1.0 } else { r.mean.abs() },
            "{id}: mean {} vs {}",
            e.mean,
            r.mean
        );
        assert!(
            (e.sd - r.sd).abs() <= tol * if r.lognormal { 1.0 } else { r.sd.abs() },
            "{id}: sd {} vs {}",
            e.sd,
            r.sd
        );
        for k in 0..4 {
            assert!(
                close(e.ci[k], r.ci[k], 1e-9),
                "{id}: ci[{k}] {} vs {}",
                e.ci[k],
                r.ci[k]
            );
        }
        assert_eq!(e.perc_norm, r.perc_norm, "{id}: perc.norm");
        assert_eq!(e.tolerance.unwrap(), r.tol, "{id}: tolerance limits");
        match (&e.interpretation, r.interp) {
            (None, (None, None)) => {}
            (Some(i), (Some(l), Some(u))) => {
                assert_eq!(i.lower.text(), l, "{id}: interpretation of the lower limit");
                assert_eq!(i.upper.text(), u, "{id}: interpretation of the upper limit");
            }
            _ => panic!("{id}: interpretation presence differs"),
        }
    }
}

#[test]
fn bowley_skewness_matches_reflimr() {
    let f = dimorph_data::read_csv(data_dir().join("reflimr_livertests.csv")).unwrap();
    for (a, b1, b2) in BOWLEY {
        let x: Vec<f64> = f.numeric(a).unwrap().iter().copied().filter(|v| !v.is_nan()).collect();
        let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
        assert!((bowley(&x) - b1).abs() < 1e-12, "{a}");
        assert!((bowley(&lx) - b2).abs() < 1e-12, "{a}");
    }
}

#[test]
fn deviation_words_are_reflimr_words() {
    assert_eq!(Deviation::MarkedlyIncreased.text(), "markedly increased");
}
