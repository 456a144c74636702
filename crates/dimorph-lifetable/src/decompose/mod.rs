//! Decomposition of the difference between two life tables (`dimorph lifetable decompose`):
//! female vs male of one population and year, two years, or two populations.
//!
//! * [`arriaga`]: Arriaga's (1984) age contributions to a difference in e(x) — exact, they add
//!   up to the difference — and their split by cause in proportion to each cause's share of the
//!   rate difference (Preston, Heuveline & Guillot 2001, eq. 3.11 and chapter 4);
//! * [`horiuchi`]: the continuous-change (line-integral) decomposition of Horiuchi, Wilmoth &
//!   Pletcher (2008), for any function of the rates;
//! * [`measures`]: the functions decomposed — e(x), e†, Gini and SD of the life table built from
//!   cause-specific rates (and a(0)), the same table and [`crate::variation`] as `dimorph lifetable`;
//! * [`options`]: [`DecomposeOptions`]; [`run`]: the entry point [`run_decompose`], its
//!   [`result`];
//! * [`chart`]: the bar charts (age groups × contributions stacked by cause); [`output`]: the
//!   tidy tables and the report section;
//! * [`years`]: the same comparison in many years (`--years`), one long table, and
//!   [`trend_chart`]: its trend figures (the gap's contributions by cause and by age, by year).

pub mod arriaga;
pub mod chart;
pub mod horiuchi;
pub mod measures;
pub mod options;
pub mod output;
pub mod result;
pub mod run;
pub mod trend_chart;
pub mod years;

pub use options::DecomposeOptions;
pub use result::DecomposeResult;
pub use result::DecomposeYearsResult;
pub use run::{decompose, run_decompose, second_sex, Side};
pub use years::run_decompose_years;
