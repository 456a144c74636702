//! Categorical factors: their levels in R's order and the level code of each row.
//!
//! - A **text** column's levels are sorted as R's `sort()` sorts strings in an ICU locale (R's
//!   usual setting, e.g. `en_US.UTF-8`): ignoring case first, with spaces and punctuation before
//!   digits before letters, and lower case before upper case when two levels differ only in case
//!   (`a < A < b < B`). (R in the C locale sorts by bytes instead; for levels that are all lower
//!   or all upper case letters and digits the two orders agree.)
//! - A **numeric** column used through `C(col)` has its distinct values sorted numerically and
//!   labelled as R's `as.character` prints them (`3`, `2.5`, `1e+05`).
//! - The reference level (`ref=`) moves to the front, the others keep their order, as R's
//!   `relevel` does; without `ref=` the first level is the reference (treatment coding).

use crate::expr::r_number;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Compares two level labels the way R's `sort` orders them under ICU collation (see the module
/// doc for the approximation).
pub fn compare_levels(a: &str, b: &str) -> Ordering {
    fn class(c: char) -> u8 {
        if c.is_alphabetic() {
            2
        } else if c.is_numeric() {
            1
        } else {
            0
        }
    }
    let primary =
        |s: &str| -> Vec<(u8, char)> { s.chars().flat_map(char::to_lowercase).map(|c| (class(c), c)).collect() };
    primary(a)
        .cmp(&primary(b))
        .then_with(|| {
            // Tertiary: at the first case difference, lower case first.
            for (x, y) in a.chars().zip(b.chars()) {
                if x != y {
                    match (x.is_lowercase(), y.is_lowercase()) {
                        (true, false) => return Ordering::Less,
                        (false, true) => return Ordering::Greater,
                        _ => {}
                    }
                }
            }
            Ordering::Equal
        })
        .then_with(|| a.cmp(b))
}

/// A factor evaluated on the rows used: levels (reference first) and each row's level index.
#[derive(Debug, Clone, PartialEq)]
pub struct Coded {
    pub levels: Vec<String>,
    pub codes: Vec<u32>,
}

/// Codes a text column on the rows `rows` (all rows when `None`); no value may be missing.
pub fn code_text<'a>(values: &'a [Option<String>], rows: Option<&[usize]>) -> Coded {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut first: Vec<&str> = Vec::new();
    let mut raw = Vec::with_capacity(rows.map_or(values.len(), <[usize]>::len));
    let mut visit = |v: &'a Option<String>| {
        let s = v.as_deref().unwrap_or("");
        let k = *index.entry(s).or_insert_with(|| {
            first.push(s);
            (first.len() - 1) as u32
        });
        raw.push(k);
    };
    match rows {
        Some(r) => r.iter().for_each(|&i| visit(&values[i])),
        None => values.iter().for_each(&mut visit),
    }
    let mut order: Vec<u32> = (0..first.len() as u32).collect();
    order.sort_by(|&a, &b| compare_levels(first[a as usize], first[b as usize]));
    let levels: Vec<String> = order.iter().map(|&k| first[k as usize].to_string()).collect();
    let mut remap = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    Coded {
        levels,
        codes: raw.into_iter().map(|k| remap[k as usize]).collect(),
    }
}

/// Codes a numeric column (no NaN) on the rows `rows`: levels sorted numerically.
pub fn code_numeric(values: &[f64], rows: Option<&[usize]>) -> Coded {
    let get = |j: usize| -> f64 {
        let v = match rows {
            Some(r) => values[r[j]],
            None => values[j],
        };
        v + 0.0 // -0.0 and 0.0 are one level
    };
    let n = rows.map_or(values.len(), <[usize]>::len);
    let mut distinct: Vec<f64> = (0..n).map(get).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let codes = (0..n)
        .map(|j| distinct.binary_search_by(|x| x.total_cmp(&get(j))).unwrap_or(0) as u32)
        .collect();
    Coded {
        levels: distinct.iter().map(|&v| r_number(v)).collect(),
        codes,
    }
}

/// Moves level `k` to the front (R's `relevel`), renumbering the codes.
pub fn relevel(c: &mut Coded, k: usize) {
    if k == 0 {
        return;
    }
    let l = c.levels.remove(k);
    c.levels.insert(0, l);
    for code in &mut c.codes {
        let x = *code as usize;
        *code = if x == k {
            0
        } else if x < k {
            (x + 1) as u32
        } else {
            x as u32
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_levels_sort_as_r_does_under_icu() {
        // Expected order from R 4.2.2: sort(c("b","B","a","A","_x","10","9","Z")) in C.UTF-8
        // with ICU, and sort(c("b-c","bc","b c","b_c","B","a1","a10","a2","ab","a b","-x")).
        let mut v = vec!["b", "B", "a", "A", "_x", "10", "9", "Z"];
        v.sort_by(|a, b| compare_levels(a, b));
        assert_eq!(v, ["_x", "10", "9", "a", "A", "b", "B", "Z"]);
        let mut v = vec!["b-c", "bc", "b c", "b_c", "B", "a1", "a10", "a2", "ab", "a b", "-x"];
        v.sort_by(|a, b| compare_levels(a, b));
        assert_eq!(v[..7], ["-x", "a b", "a1", "a10", "a2", "ab", "B"]);
        assert_eq!(*v.last().unwrap(), "bc");
    }

    #[test]
    fn codes_and_relevel() {
        let vals: Vec<Option<String>> = ["s", "n", "w", "n", "e"].iter().map(|s| Some(s.to_string())).collect();
        let mut c = code_text(&vals, None);
        assert_eq!(c.levels, ["e", "n", "s", "w"]);
        assert_eq!(c.codes, [2, 1, 3, 1, 0]);
        relevel(&mut c, 1);
        assert_eq!(c.levels, ["n", "e", "s", "w"]);
        assert_eq!(c.codes, [2, 0, 3, 0, 1]);
        let c = code_text(&vals, Some(&[1, 2]));
        assert_eq!(
            (c.levels, c.codes),
            (vec!["n".to_string(), "w".to_string()], vec![0, 1])
        );
        let c = code_numeric(&[3.0, 10.0, 2.5, 3.0, 100000.0], None);
        assert_eq!(c.levels, ["2.5", "3", "10", "1e+05"]);
        assert_eq!(c.codes, [1, 2, 0, 1, 3]);
    }
}
