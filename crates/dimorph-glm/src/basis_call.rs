//! The arguments of `poly`, `scale`, `ns` and `bs` in a formula, matched as R matches them:
//! positionally in the order of R's formal arguments (`poly(x, degree)`,
//! `ns(x, df, knots, intercept, Boundary.knots)`, `bs(x, df, knots, degree, intercept,
//! Boundary.knots)`, `scale(x, center, scale)`) or by name. Values are constants: numbers,
//! `c(…)` of numbers, `TRUE`/`FALSE` (`T`/`F`). The bases themselves are the `basis` module's.

use crate::basis::{BasisKind, Param};
use crate::error::{clip, Result};
use crate::syntax::{err, Node, NodeKind};

/// The functions that make a basis.
pub(crate) const BASIS_FUNCS: [&str; 4] = ["poly", "scale", "ns", "bs"];

/// The largest degree or df a basis may ask for (each is a column of X, which has at most 4096).
const MAX_DF: usize = 4096;

/// One argument: optional name with its position, value.
type Arg = (Option<(String, usize)>, Node);

/// The basis `f` (one of [`BASIS_FUNCS`]) with `args`, the arguments after the variable.
pub(crate) fn basis_kind(src: &str, f: &str, args: &[Arg]) -> Result<BasisKind> {
    let formals: &[&str] = match f {
        "poly" => &["degree", "raw"],
        "scale" => &["center", "scale"],
        "ns" => &["df", "knots", "intercept", "Boundary.knots"],
        _ => &["df", "knots", "degree", "intercept", "Boundary.knots"],
    };
    let mut given: Vec<Option<&Node>> = vec![None; formals.len()];
    let mut next = 0;
    for (name, v) in args {
        let k = match name {
            Some((nm, p)) => formals.iter().position(|x| x == nm).ok_or_else(|| {
                err(
                    src,
                    *p,
                    format!(
                        "{f}() has no argument '{}' (its arguments: x, {})",
                        clip(nm),
                        formals.join(", ")
                    ),
                )
            })?,
            None => {
                // poly's second positional argument is its degree; raw must be named
                while next < given.len() && given[next].is_some() {
                    next += 1;
                }
                if next >= formals.len() || (f == "poly" && next > 0) {
                    return Err(err(
                        src,
                        v.pos,
                        format!("{f}() takes at most {} arguments here", 1 + next),
                    ));
                }
                next
            }
        };
        if given[k].is_some() {
            return Err(err(src, v.pos, format!("{f}(): '{}' is given twice", formals[k])));
        }
        given[k] = Some(v);
    }
    let get = |name: &str| given[formals.iter().position(|x| *x == name).unwrap_or(0)];
    let whole = |name: &str, min: usize| -> Result<Option<usize>> {
        get(name).map(|n| count(src, n, f, name, min)).transpose()
    };
    let flag = |name: &str| -> Result<bool> { get(name).map_or(Ok(false), |n| logical(src, n, f, name)) };
    let kind = match f {
        "poly" => BasisKind::Poly {
            degree: whole("degree", 1)?.unwrap_or(1),
            raw: flag("raw")?,
            coefs: None,
        },
        "scale" => BasisKind::Scale {
            center: param(src, get("center"), f, "center")?,
            scale: param(src, get("scale"), f, "scale")?,
        },
        _ => {
            let knots = get("knots").map(|n| numbers(src, n, f, "knots")).transpose()?;
            let boundary = match get("Boundary.knots") {
                None => None,
                Some(n) => match numbers(src, n, f, "Boundary.knots")?[..] {
                    [a, b] if a != b => Some([a.min(b), a.max(b)]),
                    _ => {
                        return Err(err(
                            src,
                            n.pos,
                            format!("{f}(): Boundary.knots must be two different numbers, c(lower, upper)"),
                        ))
                    }
                },
            };
            let df = whole("df", 1)?;
            let intercept = flag("intercept")?;
            if f == "ns" {
                BasisKind::Ns {
                    df,
                    knots,
                    intercept,
                    boundary,
                }
            } else {
                BasisKind::Bs {
                    df,
                    knots,
                    degree: whole("degree", 1)?.unwrap_or(3),
                    intercept,
                    boundary,
                }
            }
        }
    };
    Ok(kind)
}

/// A constant number: `3`, `-2.5`.
fn number(n: &Node) -> Option<f64> {
    match &n.kind {
        NodeKind::Num(v) => Some(*v),
        NodeKind::Unary('-', e) => number(e).map(|v| -v),
        NodeKind::Unary('+', e) | NodeKind::Paren(e) => number(e),
        _ => None,
    }
}

/// A number or `c(…)` of numbers.
fn numbers(src: &str, n: &Node, f: &str, name: &str) -> Result<Vec<f64>> {
    let bad = || err(src, n.pos, format!("{f}(): {name} must be a number or c(numbers)"));
    match &n.kind {
        NodeKind::Call(c, args) if c == "c" => args
            .iter()
            .map(|(nm, a)| match (nm, number(a)) {
                (None, Some(v)) if v.is_finite() => Ok(v),
                _ => Err(err(src, a.pos, format!("{f}(): {name} must be numbers"))),
            })
            .collect(),
        _ => number(n).filter(|v| v.is_finite()).map(|v| vec![v]).ok_or_else(bad),
    }
}

/// A whole number from `min` to [`MAX_DF`].
fn count(src: &str, n: &Node, f: &str, name: &str, min: usize) -> Result<usize> {
    match number(n) {
        Some(v) if v.fract() == 0.0 && v >= min as f64 && v <= MAX_DF as f64 => Ok(v as usize),
        _ => Err(err(
            src,
            n.pos,
            format!("{f}(): {name} must be a whole number from {min} to {MAX_DF}"),
        )),
    }
}

/// `TRUE`/`FALSE` (or `T`/`F`).
fn logical(src: &str, n: &Node, f: &str, name: &str) -> Result<bool> {
    match &n.kind {
        NodeKind::Ident(s) if s == "TRUE" || s == "T" => Ok(true),
        NodeKind::Ident(s) if s == "FALSE" || s == "F" => Ok(false),
        _ => Err(err(src, n.pos, format!("{f}(): {name} must be TRUE or FALSE"))),
    }
}

/// `center`/`scale` of `scale()`: TRUE (from the data, the default), FALSE, or a number.
fn param(src: &str, n: Option<&Node>, f: &str, name: &str) -> Result<Param> {
    let Some(n) = n else { return Ok(Param::FromData) };
    if let Some(v) = number(n) {
        if v.is_finite() && (name == "center" || v != 0.0) {
            return Ok(Param::Value(v));
        }
        return Err(err(
            src,
            n.pos,
            format!("{f}(): {name} must be TRUE, FALSE or a non-zero number"),
        ));
    }
    Ok(if logical(src, n, f, name)? {
        Param::FromData
    } else {
        Param::Off
    })
}
