//! Tidy tables (one row per observation, written as CSV through `dimorph_core::TidyTable`, so a
//! cause group named `Heart, "vessels"` stays one field): the life table by age, lifespan
//! variation by sex, life lost by sex × cause × age, Tables 1 and 2 of Riffe & Solé Auró (2015)
//! and the matrices of eq. 1, 4 and 6 in long form.

use crate::analysis::{Table1Row, Table2Row};
use crate::lifelost::{LifeLost, Summary};
use crate::population::Sex;
use crate::table::Lifetable;
use crate::variation::Variation;
use dimorph_core::{Cell, TidyTable};

fn year_cell(year: Option<i32>) -> Cell {
    year.map_or(Cell::Missing, Cell::from)
}

/// The life table, one row per age group: `year, sex, age, width, open, mx, qx, ax, lx, dx,
/// Lx, Tx, ex` (the open group's width is missing).
pub fn lifetable(t: &Lifetable) -> TidyTable {
    let mut tab = TidyTable::new(
        "lifetable",
        &[
            "year", "sex", "age", "width", "open", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex",
        ],
    );
    let n = t.len();
    for i in 0..n {
        let open = i + 1 == n;
        tab.push(vec![
            year_cell(t.year),
            t.sex.as_str().into(),
            t.age[i].into(),
            if open { Cell::Missing } else { t.width[i].into() },
            open.into(),
            t.mx[i].into(),
            t.qx[i].into(),
            t.ax[i].into(),
            t.lx[i].into(),
            t.dx[i].into(),
            t.big_lx[i].into(),
            t.big_tx[i].into(),
            t.ex[i].into(),
        ]);
    }
    tab
}

/// Lifespan variation at birth, one row per sex: `year, sex, e0, e_dagger, keyfitz_h, gini, sd`.
pub fn variation(year: i32, rows: &[(Sex, Variation)]) -> TidyTable {
    let mut t = TidyTable::new(
        "variation",
        &["year", "sex", "e0", "e_dagger", "keyfitz_h", "gini", "sd"],
    );
    for (sex, v) in rows {
        t.push(vec![
            year.into(),
            sex.as_str().into(),
            v.e0.into(),
            v.e_dagger.into(),
            v.keyfitz_h.into(),
            v.gini.into(),
            v.sd.into(),
        ]);
    }
    t
}

/// Life lost by sex, cause and age: `year, sex, cause, age, deaths, save_age, e_saved,
/// years_won` (indexed by age at death a) and `deaths_by_years_left`, `years_won_by_age_lived`
/// (the same row index read as years left y and age lived x, eq. 5 and 6).
pub fn by_age(results: &[&LifeLost]) -> TidyTable {
    let mut t = TidyTable::new(
        "lifelost_by_age",
        &[
            "year",
            "sex",
            "cause",
            "age",
            "deaths",
            "save_age",
            "e_saved",
            "years_won",
            "deaths_by_years_left",
            "years_won_by_age_lived",
        ],
    );
    for r in results {
        for i in 0..r.n() {
            t.push(vec![
                year_cell(r.year),
                r.sex.as_str().into(),
                r.cause.as_str().into(),
                r.age[i].into(),
                r.deaths[i].into(),
                r.save_age[i].into(),
                r.e_saved[i].into(),
                r.years_won[i].into(),
                r.deaths_by_years_left[i].into(),
                r.years_won_by_age_lived[i].into(),
            ]);
        }
    }
    t
}

/// Which matrix of a [`LifeLost`] to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    /// D^s(a)·f(y|a), eq. 4.
    DeathsByAgeYearsLeft,
    /// f(y|a), eq. 1.
    RemainingLifespan,
    /// W^s(a+y|a), eq. 6.
    YearsWonByAgeLived,
}

impl Matrix {
    pub const ALL: [Matrix; 3] = [
        Matrix::DeathsByAgeYearsLeft,
        Matrix::RemainingLifespan,
        Matrix::YearsWonByAgeLived,
    ];
    /// The end of the table's name (`<sex>_<cause>_<suffix>`).
    pub fn suffix(self) -> &'static str {
        match self {
            Matrix::DeathsByAgeYearsLeft => "deaths_age_by_years_left",
            Matrix::RemainingLifespan => "f_years_left_given_age",
            Matrix::YearsWonByAgeLived => "years_won_age_by_age_lived",
        }
    }
}

/// A matrix in long form, its non-zero cells only: `year, sex, cause, <row>, <column>, value`
/// with (row, column) = (age, years_left) or (age_at_saving, age_lived).
pub fn matrix(name: &str, r: &LifeLost, which: Matrix) -> TidyTable {
    let n = r.n();
    let (m, rn, cn) = match which {
        Matrix::DeathsByAgeYearsLeft => (&r.d_ay, "age", "years_left"),
        Matrix::RemainingLifespan => (&r.f_ya, "age", "years_left"),
        Matrix::YearsWonByAgeLived => (&r.w_ax, "age_at_saving", "age_lived"),
    };
    let mut t = TidyTable::new(name, &["year", "sex", "cause", rn, cn, "value"]);
    for i in 0..n {
        for j in 0..n {
            let v = m[i * n + j];
            if v != 0.0 {
                t.push(vec![
                    year_cell(r.year),
                    r.sex.as_str().into(),
                    r.cause.as_str().into(),
                    i.into(),
                    j.into(),
                    v.into(),
                ]);
            }
        }
    }
    t
}

/// Table 1, one row per cause group (and `Total`): deaths by sex with percentages.
pub fn table1(rows: &[Table1Row]) -> TidyTable {
    let mut t = TidyTable::new(
        "table1_deaths_by_cause",
        &[
            "cause",
            "female",
            "male",
            "total",
            "female_pct",
            "male_pct",
            "total_pct",
        ],
    );
    for r in rows {
        t.push(vec![
            r.cause.as_str().into(),
            r.female.into(),
            r.male.into(),
            r.total.into(),
            r.female_pct.into(),
            r.male_pct.into(),
            r.total_pct.into(),
        ]);
    }
    t
}

/// Table 2, one row per cause × sex: the totals and the four means.
pub fn table2(rows: &[Table2Row]) -> TidyTable {
    let mut t = TidyTable::new(
        "table2_means",
        &[
            "cause",
            "sex",
            "deaths",
            "years_won",
            "mean_age_at_death",
            "mean_years_left",
            "mean_age_at_saving",
            "mean_age_lived",
        ],
    );
    for r in rows {
        for (sex, s) in [(Sex::Male, r.male), (Sex::Female, r.female)] {
            let Some(s): Option<Summary> = s else { continue };
            t.push(vec![
                r.cause.as_str().into(),
                sex.as_str().into(),
                s.deaths.into(),
                s.years_won.into(),
                s.mean_age_at_death.into(),
                s.mean_years_left.into(),
                s.mean_age_at_saving.into(),
                s.mean_age_lived.into(),
            ]);
        }
    }
    t
}
