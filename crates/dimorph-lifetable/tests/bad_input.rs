//! Bad input: each case gives a clear error naming the file, line, year, sex or age.

use crate::common;
use common::*;
use dimorph_lifetable::*;

fn csv(tag: &str, body: &str) -> ScratchPath {
    temp_file(tag, "data.csv", body)
}

const HEAD: &str = "year,sex,age,deaths,exposure\n";

fn err(body: &str) -> String {
    let p = csv("bad", body);
    match read_tidy_csv(&p) {
        Ok(_) => panic!("accepted bad input:\n{body}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn negative_deaths() {
    let e = err(&format!(
        "{HEAD}2010,male,0,5,100\n2010,male,1,-3,100\n2010,male,2,4,50\n"
    ));
    assert!(
        e.contains("negative deaths") && e.contains("line 3") && e.contains("age 1"),
        "{e}"
    );
}

#[test]
fn deaths_with_zero_exposure() {
    let e = err(&format!("{HEAD}2010,male,0,5,100\n2010,male,1,3,0\n2010,male,2,4,50\n"));
    assert!(e.contains("zero exposure") && e.contains("line 3"), "{e}");
}

#[test]
fn missing_age() {
    let e = err(&format!(
        "{HEAD}2010,male,0,5,100\n2010,male,1,3,100\n2010,male,3,4,50\n"
    ));
    assert!(e.contains("not consecutive") && e.contains("2010 male"), "{e}");
}

#[test]
fn repeated_age() {
    let e = err(&format!(
        "{HEAD}2010,male,0,5,100\n2010,male,1,3,100\n2010,male,1,4,50\n2010,male,2,4,50\n"
    ));
    assert!(e.contains("repeats line 3") && e.contains("line 4"), "{e}");
}

#[test]
fn ages_not_starting_at_zero_and_bad_cells() {
    let e = err(&format!("{HEAD}2010,male,1,5,100\n2010,male,2,3,100\n"));
    assert!(e.contains("must start at 0"), "{e}");
    let e = err(&format!("{HEAD}2010,male,0,5,100\n2010,male,one,3,100\n"));
    assert!(e.contains("line 3") && e.contains("'one'"), "{e}");
    let e = err(&format!("{HEAD}2010,dog,0,5,100\n2010,dog,1,3,100\n"));
    assert!(e.contains("'dog'") && e.contains("line 2"), "{e}");
}

#[test]
fn year_or_sex_not_in_file() {
    let p = csv("ys", &format!("{HEAD}2010,male,0,5,100\n2010,male,1,3,100\n"));
    let (d, _) = read_tidy_csv(&p).unwrap();
    let e = lifetable(&d, 1999, Sex::Male, &LifetableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no data for year 1999") && e.contains("available: year 2010"),
        "{e}"
    );
    let e = lifetable(&d, 2010, Sex::Female, &LifetableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sex 'female' in 2010") && e.contains("available: male"),
        "{e}"
    );
    let hmd = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let e = lifetable(&hmd, 2030, Sex::Male, &LifetableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("years 1933-2019"), "{e}");
}

fn hmd_dir(deaths_header: &str) -> ScratchDir {
    let dir = temp_dir("hmd");
    let src = data_dir().join("hmd/USA");
    let d = std::fs::read_to_string(src.join("USA.Deaths_1x1.txt")).unwrap();
    let mut lines: Vec<&str> = d.lines().collect();
    lines[2] = deaths_header;
    std::fs::write(dir.join("XYZ.Deaths_1x1.txt"), lines.join("\n")).unwrap();
    std::fs::copy(src.join("USA.Exposures_1x1.txt"), dir.join("XYZ.Exposures_1x1.txt")).unwrap();
    dir
}

#[test]
fn malformed_hmd_header() {
    let dir = hmd_dir("  Year          Age             Women            Men           Total");
    let e = read_hmd_dir(&dir).unwrap_err().to_string();
    assert!(
        e.contains("XYZ.Deaths_1x1.txt: line 3") && e.contains("Year Age Female Male Total"),
        "{e}"
    );
    // a good header with the same files reads
    let ok = hmd_dir("  Year          Age             Female            Male           Total");
    assert_eq!(read_hmd_dir(&ok).unwrap().years().len(), 87);
    // a file that is not an HMD file at all
    let dir = temp_dir("hmd2");
    std::fs::write(dir.join("A.Deaths_1x1.txt"), "year,age,deaths\n1,2,3\n").unwrap();
    std::fs::write(dir.join("A.Exposures_1x1.txt"), "year,age,deaths\n1,2,3\n").unwrap();
    let e = read_hmd_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("HMD"), "{e}");
    // a folder without HMD files
    let e = read_hmd_dir(&temp_dir("empty")).unwrap_err().to_string();
    assert!(e.contains("Deaths_1x1.txt"), "{e}");
}

#[test]
fn malformed_hmd_row() {
    let dir = temp_dir("hmdrow");
    let src = data_dir().join("hmd/USA");
    let d = std::fs::read_to_string(src.join("USA.Deaths_1x1.txt")).unwrap();
    let mut lines: Vec<String> = d.lines().map(String::from).collect();
    lines[10] = "  1933           7             abc        68438.11       121053.88".into();
    std::fs::write(dir.join("X.Deaths_1x1.txt"), lines.join("\n")).unwrap();
    std::fs::copy(src.join("USA.Exposures_1x1.txt"), dir.join("X.Exposures_1x1.txt")).unwrap();
    let e = read_hmd_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("line 11") && e.contains("'abc'"), "{e}");
}

#[test]
fn cause_deaths_that_do_not_add_up_warn_with_the_gap() {
    let hmd = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    // keep only two chapters: the cause file then covers a fraction of all deaths
    let full = std::fs::read_to_string(data_dir().join("usa_2010_cod.csv")).unwrap();
    let mut body = String::new();
    for (i, l) in full.lines().enumerate() {
        if i == 0 || l.contains(",I00-I99,") || l.contains(",C00-D48,") {
            body.push_str(l);
            body.push('\n');
        }
    }
    let p = csv("gap", &body);
    let c = CauseDeaths::read_csv(&p, None).unwrap();
    let a = c.attribute(hmd.get(2010, Sex::Male).unwrap()).unwrap();
    let w = a.warnings.join("\n");
    assert!(w.contains("gap +") && w.contains("all-cause deaths are 1232432"), "{w}");
    // shares still sum to one at every age
    for i in 0..a.share[0].len() {
        let s: f64 = a.share.iter().map(|g| g[i]).sum();
        assert!((s - 1.0).abs() < 1e-12);
    }
}

#[test]
fn bad_cause_file_and_unknown_cause() {
    let p = csv(
        "cod",
        "year,sex,age,paper_group,deaths\n2010,male,0,Cancer,-1\n2010,male,1,Cancer,2\n",
    );
    let e = CauseDeaths::read_csv(&p, None).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("non-negative"), "{e}");
    let hmd = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let c = CauseDeaths::read_csv(&data_dir().join("usa_2010_cod.csv"), None).unwrap();
    let e = analyse(
        &hmd,
        Some(&c),
        2010,
        &[Sex::Male],
        Some("Scurvy"),
        &LifeLostOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("'Scurvy'") && e.contains("Cardiovascular"), "{e}");
    let e = analyse(&hmd, Some(&c), 2009, &[Sex::Male], None, &LifeLostOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cause-of-death deaths for 2009 male"), "{e}");
    let e = analyse(
        &hmd,
        None,
        2010,
        &[Sex::Male],
        Some("Cancer"),
        &LifeLostOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no cause-of-death data"), "{e}");
}

#[test]
fn tidy_csv_with_causes_and_inconsistent_exposure() {
    let ok = "year,sex,age,cause,deaths,exposure\n2010,male,0,A,1,100\n2010,male,0,B,2,100\n2010,male,1,A,3,50\n2010,male,1,B,1,50\n".to_string();
    let p = csv("cz", &ok);
    let (d, c) = read_tidy_csv(&p).unwrap();
    assert_eq!(d.get(2010, Sex::Male).unwrap().deaths, vec![3.0, 4.0]);
    assert_eq!(c.unwrap().groups, vec!["A".to_string(), "B".to_string()]);
    let bad = ok.replace("2010,male,0,B,2,100", "2010,male,0,B,2,90");
    let e = err(&bad);
    assert!(e.contains("exposure 90 differs") && e.contains("line 3"), "{e}");
}

#[test]
fn open_age_with_zero_rate_and_abridged_life_lost() {
    let p = csv("z", &format!("{HEAD}2010,male,0,5,100\n2010,male,1,0,100\n"));
    let (d, _) = read_tidy_csv(&p).unwrap();
    let e = lifetable(&d, 2010, Sex::Male, &LifetableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("open age group has a death rate of 0"), "{e}");
    let p = csv(
        "ab",
        &format!("{HEAD}2010,male,0,5,100\n2010,male,1,3,400\n2010,male,5,4,500\n2010,male,10,9,20\n"),
    );
    let (d, _) = read_tidy_csv(&p).unwrap();
    let e = analyse(&d, None, 2010, &[Sex::Male], None, &LifeLostOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("single-year"), "{e}");
}

/// Copies the bundled USA folder, letting `edit` change the deaths file's lines.
fn edited_hmd(tag: &str, edit: impl Fn(&mut Vec<String>)) -> ScratchDir {
    let dir = temp_dir(tag);
    let src = data_dir().join("hmd/USA");
    for (name, is_deaths) in [("USA.Deaths_1x1.txt", true), ("USA.Exposures_1x1.txt", false)] {
        let t = std::fs::read_to_string(src.join(name)).unwrap();
        let mut lines: Vec<String> = t.lines().map(String::from).collect();
        if is_deaths {
            edit(&mut lines);
        }
        std::fs::write(dir.join(name), lines.join("\n")).unwrap();
    }
    dir
}

#[test]
fn a_missing_cell_makes_only_its_year_unusable() {
    // line 4 is 1933 age 0: HMD writes '.' for a missing value
    let dir = edited_hmd("dot", |l| {
        l[3] = "  1933           0                 .        68438.11       121053.88".into()
    });
    let d = read_hmd_dir(&dir).unwrap();
    assert!(d.notes.iter().any(|n| n.contains("1933 female")), "{:?}", d.notes);
    let e = lifetable(&d, 1933, Sex::Female, &LifetableOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("deaths are missing") && e.contains("line 4"), "{e}");
    assert!(lifetable(&d, 1933, Sex::Male, &LifetableOptions::default()).is_ok());
    assert!(lifetable(&d, 2010, Sex::Female, &LifetableOptions::default()).is_ok());
}

#[test]
fn territorial_change_rows_keep_the_new_territory() {
    // turn 1933 into "1933-" (old territory) rows followed by "1933+" copies
    let dir = edited_hmd("terr", |l| {
        let rows: Vec<String> = l
            .iter()
            .filter(|r| r.trim_start().starts_with("1933 "))
            .cloned()
            .collect();
        for r in l.iter_mut().filter(|r| r.trim_start().starts_with("1933 ")) {
            *r = r.replacen("1933 ", "1933-", 1);
        }
        let at = 3 + rows.len();
        for (k, r) in rows.iter().enumerate() {
            l.insert(at + k, r.replacen("1933 ", "1933+", 1));
        }
    });
    // exposures keep plain 1933 rows, matching the '+' rows
    let d = read_hmd_dir(&dir).unwrap();
    assert!(
        d.notes.iter().any(|n| n.contains("1933-") && n.contains("skipped")),
        "{:?}",
        d.notes
    );
    let orig = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    assert_eq!(
        d.get(1933, Sex::Male).unwrap().deaths,
        orig.get(1933, Sex::Male).unwrap().deaths
    );
}

#[test]
fn total_sex_weights_the_two_a0_by_infant_deaths() {
    // HMD Protocol v6 (eq. 63): the both-sex a0 is the sexes' Andreev-Kingkade values weighted
    // by their infant deaths (this test asserted the pooled approximation, the mean of the two
    // formulas at the pooled m0, until the both-sex table followed the Protocol)
    let d = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    let o = LifetableOptions::default();
    let t = lifetable(&d, 2010, Sex::Total, &o).unwrap();
    let (f, m) = (d.get(2010, Sex::Female).unwrap(), d.get(2010, Sex::Male).unwrap());
    let (af, am) = (
        table::a0_andreev_kingkade(f.deaths[0] / f.exposure[0], Sex::Female),
        table::a0_andreev_kingkade(m.deaths[0] / m.exposure[0], Sex::Male),
    );
    let expect = (af * f.deaths[0] + am * m.deaths[0]) / (f.deaths[0] + m.deaths[0]);
    assert!((t.ax[0] - expect).abs() < 1e-15);
    assert!(t.e0() > 76.33 && t.e0() < 81.17);
}

#[test]
fn papers_cause_shares_need_an_open_age_on_the_five_year_grid() {
    let hmd = read_hmd_dir(&data_dir().join("hmd/USA")).unwrap();
    // single ages 0..=7, the last (7+) open: no 0, 1-4, 5-9 grid ends there
    let mut body = String::from("year,sex,age,open_interval,paper_group,deaths\n");
    for a in 0..=7 {
        for g in ["Cancer", "Other"] {
            body.push_str(&format!("2010,male,{a},{},{g},{}\n", i32::from(a == 7), 10 + a));
        }
    }
    let p = csv("cod7", &body);
    let c = CauseDeaths::read_csv(&p, None).unwrap();
    let pop = hmd.get(2010, Sex::Male).unwrap();
    // the default shares take them
    assert!(c.attribute(pop).is_ok());
    let e = c.attribute_with(pop, CauseShares::Paper).unwrap_err().to_string();
    assert!(
        e.contains("open cause-of-death age 7 must be a multiple of 5") && e.contains("2010"),
        "{e}"
    );
}
