//! Arithmetic inside a formula: the expressions of `I(...)`, `log(x)`, `offset(...)` and the
//! response, their labels as R's `deparse` prints them (`I(width^2)`, `I(a * b)`, `log(x + 1)`),
//! and their evaluation over whole columns.
//!
//! Evaluation is column-at-a-time. Every operation checks its result: a value that is not a
//! finite number (the log of 0 or of a negative number, a division by zero, an overflow) is an
//! [`EvalError`] naming the sub-expression, the row and the argument, never a silent `NaN`.

use crate::error::clip;

/// A binary arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    /// Comparisons (`>`, `>=`, `<`, `<=`, `==`, `!=`): 1 when true, 0 when false.
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

/// A function allowed in formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Log,
    Exp,
    Sqrt,
    Abs,
    Log10,
    Log2,
}

impl Func {
    /// All functions, for messages.
    pub const ALL: [Func; 6] = [Func::Log, Func::Exp, Func::Sqrt, Func::Abs, Func::Log10, Func::Log2];

    pub fn name(self) -> &'static str {
        match self {
            Func::Log => "log",
            Func::Exp => "exp",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
            Func::Log10 => "log10",
            Func::Log2 => "log2",
        }
    }

    pub fn from_name(s: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == s)
    }

    fn apply(self, a: f64) -> f64 {
        match self {
            Func::Log => a.ln(),
            Func::Exp => a.exp(),
            Func::Sqrt => a.sqrt(),
            Func::Abs => a.abs(),
            Func::Log10 => a.log10(),
            Func::Log2 => a.log2(),
        }
    }
}

/// A numeric expression over columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    /// A column of the data, by name.
    Col(String),
    Neg(Box<Expr>),
    /// Parentheses as written (kept so that labels print as R prints them).
    Paren(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// A run of left-associative operators, flat: `a + b - c` is `a` then `(Add, b)`,
    /// `(Sub, c)` (the same as nested [`Expr::Bin`]s, without their depth).
    Chain(Box<Expr>, Vec<(BinOp, Expr)>),
    Call(Func, Box<Expr>),
    /// `I(...)`: arithmetic protected from the formula algebra.
    I(Box<Expr>),
}

/// A value that is not a finite number, found while evaluating an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// Row (index into the evaluated columns) of the first bad value.
    pub row: usize,
    /// What went wrong, e.g. ``log(x) is -inf (log of 0)``.
    pub what: String,
}

impl Expr {
    /// The expression as R's `deparse` prints it: spaces around `+`, `-`, `*`, none around
    /// `/` and `^`; non-syntactic column names in backquotes; numbers with up to 15
    /// significant digits (`1e+05`).
    pub fn label(&self) -> String {
        match self {
            Expr::Num(v) => r_number(*v),
            Expr::Col(c) => r_name(c),
            Expr::Neg(e) => format!("-{}", e.label()),
            Expr::Paren(e) => format!("({})", e.label()),
            Expr::Bin(op, a, b) => format!("{}{}{}", a.label(), op.spaced(), b.label()),
            Expr::Chain(first, rest) => chain_label(first, rest),
            Expr::Call(f, e) => format!("{}({})", f.name(), e.label()),
            Expr::I(e) => format!("I({})", e.label()),
        }
    }

    /// Whether the value is logical, as R types it: a comparison, possibly in parentheses or
    /// `I()` (`I(x > 0)`). In a model R codes a logical variable as a factor with the levels
    /// FALSE and TRUE.
    pub fn is_logical(&self) -> bool {
        match self {
            Expr::Paren(e) | Expr::I(e) => e.is_logical(),
            Expr::Bin(op, _, _) => op.is_comparison(),
            _ => false,
        }
    }

    /// Names of the columns the expression reads, each once, in order of appearance.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(_) => {}
            Expr::Col(c) => {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
            Expr::Neg(e) | Expr::Paren(e) | Expr::Call(_, e) | Expr::I(e) => e.collect_columns(out),
            Expr::Bin(_, a, b) => {
                a.collect_columns(out);
                b.collect_columns(out);
            }
            Expr::Chain(first, rest) => {
                first.collect_columns(out);
                for (_, e) in rest {
                    e.collect_columns(out);
                }
            }
        }
    }

    /// Evaluates the expression on `n` rows; `col` gives the (already finite) values of a column.
    pub fn eval<'a>(&self, n: usize, col: &dyn Fn(&str) -> &'a [f64]) -> Result<Vec<f64>, EvalError> {
        match self {
            Expr::Num(v) => Ok(vec![*v; n]),
            Expr::Col(c) => Ok(col(c).to_vec()),
            Expr::Paren(e) | Expr::I(e) => e.eval(n, col),
            Expr::Neg(e) => {
                let mut v = e.eval(n, col)?;
                v.iter_mut().for_each(|x| *x = -*x);
                Ok(v)
            }
            Expr::Call(f, e) => {
                let mut v = e.eval(n, col)?;
                let arg = v.clone();
                v.iter_mut().for_each(|x| *x = f.apply(*x));
                if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                    let a = arg[row];
                    let why = match f {
                        Func::Log | Func::Log10 | Func::Log2 if a == 0.0 => {
                            format!("{} of 0", f.name())
                        }
                        Func::Log | Func::Log10 | Func::Log2 => {
                            format!("{} of the negative number {}", f.name(), r_number(a))
                        }
                        Func::Sqrt => format!("square root of the negative number {}", r_number(a)),
                        _ => format!("{} of {} overflows", f.name(), r_number(a)),
                    };
                    return Err(EvalError {
                        row,
                        what: format!("{} is {} ({why})", clip(&self.label()), fmt_bad(v[row])),
                    });
                }
                Ok(v)
            }
            Expr::Bin(op, a, b) => {
                let x = a.eval(n, col)?;
                let y = b.eval(n, col)?;
                binary(*op, x, &y).map_err(|(row, why)| EvalError {
                    row,
                    what: format!("{} is {why}", clip(&self.label())),
                })
            }
            Expr::Chain(first, rest) => {
                let mut x = first.eval(n, col)?;
                for (k, (op, e)) in rest.iter().enumerate() {
                    let y = e.eval(n, col)?;
                    x = binary(*op, x, &y).map_err(|(row, why)| EvalError {
                        row,
                        what: format!("{} is {why}", clip(&chain_label(first, &rest[..=k]))),
                    })?;
                }
                Ok(x)
            }
        }
    }
}

impl BinOp {
    /// The operator as R's `deparse` prints it: spaces around `+ - *`, none around `/ ^`.
    fn spaced(self) -> &'static str {
        match self {
            BinOp::Add => " + ",
            BinOp::Sub => " - ",
            BinOp::Mul => " * ",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Gt => " > ",
            BinOp::Ge => " >= ",
            BinOp::Lt => " < ",
            BinOp::Le => " <= ",
            BinOp::Eq => " == ",
            BinOp::Ne => " != ",
        }
    }

    /// Whether the operator compares (its result is logical: 0 or 1).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le | BinOp::Eq | BinOp::Ne
        )
    }
}

/// The label of a chain (or of its first operators).
fn chain_label(first: &Expr, rest: &[(BinOp, Expr)]) -> String {
    let mut s = first.label();
    for (op, e) in rest {
        s.push_str(op.spaced());
        s.push_str(&e.label());
    }
    s
}

/// `x op y` row by row; the first value that is not finite is an error with its row and what
/// it is (`+inf (division by zero)`).
fn binary(op: BinOp, x: Vec<f64>, y: &[f64]) -> Result<Vec<f64>, (usize, String)> {
    let mut out = x.clone();
    match op {
        BinOp::Add => out.iter_mut().zip(y).for_each(|(o, y)| *o += y),
        BinOp::Sub => out.iter_mut().zip(y).for_each(|(o, y)| *o -= y),
        BinOp::Mul => out.iter_mut().zip(y).for_each(|(o, y)| *o *= y),
        BinOp::Div => out.iter_mut().zip(y).for_each(|(o, y)| *o /= y),
        BinOp::Pow => out.iter_mut().zip(y).for_each(|(o, y)| *o = pow(*o, *y)),
        BinOp::Gt => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o > *y)),
        BinOp::Ge => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o >= *y)),
        BinOp::Lt => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o < *y)),
        BinOp::Le => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o <= *y)),
        BinOp::Eq => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o == *y)),
        BinOp::Ne => out.iter_mut().zip(y).for_each(|(o, y)| *o = truth(*o != *y)),
    }
    let Some(row) = out.iter().position(|v| !v.is_finite()) else {
        return Ok(out);
    };
    let (u, w) = (x[row], y[row]);
    let why = match op {
        BinOp::Div if w == 0.0 => "division by zero".to_string(),
        BinOp::Pow if u < 0.0 && w.fract() != 0.0 => {
            format!(
                "a negative number {} to the fractional power {}",
                r_number(u),
                r_number(w)
            )
        }
        BinOp::Pow if u == 0.0 && w < 0.0 => format!("0 to the negative power {}", r_number(w)),
        _ => format!("overflow with {} and {}", r_number(u), r_number(w)),
    };
    Err((row, format!("{} ({why})", fmt_bad(out[row]))))
}

/// A logical value as a number (R's `as.numeric(TRUE)`).
fn truth(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// `x^y` with the common small integer powers exact (as R computes `x^2` by multiplication).
fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        x * x
    } else if y == 1.0 {
        x
    } else if y.fract() == 0.0 && y.abs() <= 64.0 {
        x.powi(y as i32)
    } else {
        x.powf(y)
    }
}

fn fmt_bad(v: f64) -> &'static str {
    if v.is_nan() {
        "not a number"
    } else if v > 0.0 {
        "+inf"
    } else {
        "-inf"
    }
}

/// Whether `s` is a syntactic R name (printed without backquotes).
pub fn is_syntactic(s: &str) -> bool {
    const RESERVED: [&str; 19] = [
        "if",
        "else",
        "repeat",
        "while",
        "function",
        "for",
        "next",
        "break",
        "TRUE",
        "FALSE",
        "NULL",
        "Inf",
        "NaN",
        "NA",
        "NA_integer_",
        "NA_real_",
        "NA_character_",
        "in",
        "...",
    ];
    let mut ch = s.chars();
    let ok_start = match ch.next() {
        Some(c) if c.is_alphabetic() => true,
        Some('.') => !s.chars().nth(1).is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    ok_start && ch.all(|c| c.is_alphanumeric() || c == '.' || c == '_') && !RESERVED.contains(&s)
}

/// A column name as R prints it in labels: bare when syntactic, else in backquotes.
pub fn r_name(s: &str) -> String {
    if is_syntactic(s) {
        s.to_string()
    } else {
        format!("`{s}`")
    }
}

/// A number as R's `as.character` / `deparse` print it: at most 15 significant digits, fixed
/// notation unless scientific is shorter (`100000` prints `1e+05`, `0.0001` prints `1e-04`,
/// `123456` prints `123456`).
pub fn r_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let s = format!("{:.14e}", v.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let sign = if v < 0.0 { "-" } else { "" };
    let sci = format!(
        "{sign}{}{}{}e{}{:02}",
        &digits[..1],
        if digits.len() > 1 { "." } else { "" },
        &digits[1..],
        if exp < 0 { "-" } else { "+" },
        exp.abs()
    );
    let fixed = if exp >= 0 {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
        }
    } else {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    };
    if fixed.len() <= sci.len() {
        fixed
    } else {
        sci
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_r_does() {
        // Values as R 4.x's as.character() prints them.
        assert_eq!(r_number(3.0), "3");
        assert_eq!(r_number(2.5), "2.5");
        assert_eq!(r_number(-2.5), "-2.5");
        assert_eq!(r_number(100000.0), "1e+05");
        assert_eq!(r_number(123456.0), "123456");
        assert_eq!(r_number(0.0001), "1e-04");
        assert_eq!(r_number(0.001), "0.001");
        assert_eq!(r_number(0.1 + 0.2), "0.3");
        assert_eq!(r_number(1.0 / 3.0), "0.333333333333333");
        assert_eq!(r_number(1e15), "1e+15");
        assert_eq!(r_number(0.0), "0");
    }

    #[test]
    fn names_are_backquoted_when_not_syntactic() {
        assert_eq!(r_name("width"), "width");
        assert_eq!(r_name("x.1_a"), "x.1_a");
        assert_eq!(r_name("my var"), "`my var`");
        assert_eq!(r_name("2x"), "`2x`");
        assert_eq!(r_name(".5a"), "`.5a`");
        assert_eq!(r_name("TRUE"), "`TRUE`");
    }

    #[test]
    fn evaluation_reports_the_first_bad_value() {
        let x = [1.0, 0.0, 2.0];
        let col = |_: &str| -> &[f64] { &x };
        let e = Expr::Call(Func::Log, Box::new(Expr::Col("x".into())));
        let err = e.eval(3, &col).unwrap_err();
        assert_eq!(err.row, 1);
        assert_eq!(err.what, "log(x) is -inf (log of 0)");
        let sq = Expr::I(Box::new(Expr::Bin(
            BinOp::Pow,
            Box::new(Expr::Col("x".into())),
            Box::new(Expr::Num(2.0)),
        )));
        assert_eq!(sq.eval(3, &col).unwrap(), vec![1.0, 0.0, 4.0]);
        assert_eq!(sq.label(), "I(x^2)");
        let d = Expr::Bin(BinOp::Div, Box::new(Expr::Num(1.0)), Box::new(Expr::Col("x".into())));
        assert_eq!(d.eval(3, &col).unwrap_err().what, "1/x is +inf (division by zero)");
    }
}
