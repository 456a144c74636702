//! Model formulas in R's notation, with SAS's `events/trials` response.
//!
//! [`Formula::parse`] turns `y ~ x1 + C(group, ref=a) + I(x^2) + offset(log(t))` into a response,
//! a list of variables and the model terms, following R's `terms.formula`:
//!
//! - **Response**: any arithmetic expression (`y`, `log(y)`); `a/b` is events/trials (SAS's
//!   notation: the response is the proportion a/b with b trials; write `I(a/b)` for a plain ratio);
//!   `cbind(s, f)` is successes/failures as in R (s/(s+f) with s+f trials).
//! - **Terms**: `+` adds, `-` removes a term (`- 1` or `+ 0` or `0 +` drops the intercept, `+ 1`
//!   restores it), `a:b` is an interaction, `a*b` is `a + b + a:b` (`a*b*c` gives every
//!   sub-interaction), `a/b` is `a + a:b`, `(a+b+c)^2` is every interaction up to order 2.
//!   Duplicate terms count once. As in R the terms are ordered by their number of variables
//!   (main effects first), keeping the written order within one order: `y ~ a:b + c` has terms
//!   `c`, `a:b`. An interaction's label lists its variables in order of first appearance in the
//!   formula (`y ~ b + a:b` labels `a:b` as `b:a`, as R does).
//! - **Variables**: a bare column name (numeric column: a covariate; text column: a factor),
//!   `C(col)` or `C(col, ref=LEVEL)` (a factor, also for a numeric column; LEVEL quoted or bare;
//!   `factor(col)` is accepted as in R and labelled so),
//!   `I(expr)` with `+ - * / ^` (also `**`), unary minus, parentheses, numbers and the functions
//!   `log exp sqrt abs log10 log2`, which may also stand alone as terms (`log(x)`).
//! - **Comparisons** `> >= < <= == !=` inside `I()`: `I(x > 0)` is a logical variable, which R
//!   (and so this crate) codes as a factor with the levels FALSE and TRUE (column `I(x > 0)TRUE`);
//!   inside arithmetic a comparison is 0 or 1 (`I((x > 0) * x)`). Outside `I()` it is an error.
//! - **Nesting** `a %in% b`: every term of `a` joined with all variables of `b` (R's `InTerms`),
//!   binding between `:` and `*` as R's `%any%` operators.
//! - **Contrasts**: `C(col, Sum)`, `C(col, Helmert)`, `C(col, SAS)`, `C(col, Treatment)` (or R's
//!   `sum`, `helmert`, `contr.sum`, …; a bare name in second place is a contrast, a quoted or
//!   numeric one a reference level); see [`crate::contrasts`].
//! - **Bases**: `poly(x, d)`, `poly(x, d, raw = TRUE)`, `scale(x)`, `ns(x, df)`, `bs(x, df)` with
//!   R's arguments, several columns from one variable; see [`crate::basis`]. What they learn from
//!   the fitting data (knots, coefficients, centres) is written into the fitted model's formula,
//!   so that new data are evaluated as R's `predict` does.
//! - **`.`** stands for every column of the data that is not in the response (nor the weights
//!   column, which R would include), as in `y ~ .` or `y ~ .^2`.
//! - **Offsets**: `offset(expr)` terms are summed into the model's offset, not into X.
//! - **Names**: letters, digits, `_` and `.` (starting with a letter or `.`); anything else in
//!   backquotes: `` `body mass` ``.
//!
//! - **Limits** (so that no formula can exhaust the stack, the memory or the time): nesting of
//!   parentheses, calls, signs and powers at most [`MAX_DEPTH`] deep; sums and other runs of one
//!   operator are flat lists of any length; at most [`MAX_TERMS`] terms; a power of terms is a
//!   whole number from 1 to [`MAX_POWER`], expanded only until it adds no new term.
//!
//! Labels are R's `deparse` of the expression (`I(width^2)`, `I(a * b)`, `log(x + 1)`,
//! `C(region, ref = "north")`). Syntax errors are [`GlmError::Formula`] with the 0-based
//! character position of the offending character.

use crate::basis::Basis;
use crate::basis_call::{basis_kind, BASIS_FUNCS};
pub use crate::contrasts::Contrast;
use crate::error::{clip, GlmError, Result};
use crate::expr::{r_name, r_number, BinOp, Expr, Func};
pub use crate::syntax::MAX_DEPTH;
use crate::syntax::{err, is_comparison, op_text, parse_sides, Node, NodeKind};

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The formula as the user wrote it.
    pub source: String,
    pub response: Response,
    /// The response's label (`disease/total`, `cbind(disease, total - disease)`, `satell`).
    pub response_label: String,
    /// The variables of the terms, in order of first appearance.
    pub vars: Vec<Variable>,
    /// The model terms in R's order; each is a list of indices into `vars`, ascending.
    pub terms: Vec<Vec<usize>>,
    pub intercept: bool,
    /// `offset(...)` expressions, summed.
    pub offsets: Vec<Expr>,
}

/// The left-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// One expression: the response itself.
    Single(Expr),
    /// `events/trials`: y = events/trials, with `trials` trials.
    EventsTrials { events: Expr, trials: Expr },
    /// `cbind(successes, failures)`: y = s/(s+f), with s+f trials.
    Cbind { successes: Expr, failures: Expr },
}

/// One variable of the right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// As R labels it: `width`, `I(width^2)`, `C(color)`.
    pub label: String,
    pub kind: VarKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VarKind {
    /// A bare column name: a covariate if the column is numeric, a factor if it is text.
    Column(String),
    /// A numeric expression (`I(...)`, `log(x)`).
    Numeric(Expr),
    /// `C(column)` / `C(column, ref = LEVEL)` / `C(column, Sum)`: a factor even for a numeric
    /// column, coded by `contrast` where its term is coded by contrasts.
    Factor {
        column: String,
        reference: Option<String>,
        contrast: Contrast,
    },
    /// `I(comparison)`: a logical variable, which R codes as a factor with the levels FALSE and
    /// TRUE (the column `I(x > 0)TRUE`).
    Logical(Expr),
    /// `poly(x, 2)`, `ns(x, df = 3)`, `bs(x, 4)`, `scale(x)`: several columns (one for `scale`)
    /// from one variable, with what they learned from the fitting data once fitted.
    Basis(Basis),
}

impl Formula {
    /// Parses a formula; syntax errors point at the offending character.
    pub fn parse(source: &str) -> Result<Formula> {
        Formula::parse_impl(source, None)
    }

    /// Parses a formula for data with the given columns, so that `.` can stand for every
    /// column that is not in the response and not in `exclude` (the weights column), as R's
    /// `y ~ .` does.
    pub fn parse_for_columns(source: &str, columns: &[&str], exclude: &[&str]) -> Result<Formula> {
        Formula::parse_impl(source, Some((columns, exclude)))
    }

    fn parse_impl(source: &str, columns: Option<(&[&str], &[&str])>) -> Result<Formula> {
        let (lhs, rhs) = parse_sides(source)?;
        let mut b = Builder {
            src: source,
            vars: Vec::new(),
            intercept: true,
            offsets: Vec::new(),
            dot: None,
        };
        let response = b.response(&lhs)?;
        if let Some((cols, exclude)) = columns {
            let in_lhs: Vec<&str> = match &response {
                Response::Single(e) => e.columns(),
                Response::EventsTrials { events: a, trials: c }
                | Response::Cbind {
                    successes: a,
                    failures: c,
                } => {
                    let mut v = a.columns();
                    v.extend(c.columns());
                    v
                }
            };
            b.dot = Some(
                cols.iter()
                    .filter(|c| !in_lhs.contains(c) && !exclude.contains(c))
                    .map(|c| c.to_string())
                    .collect(),
            );
        }
        let mut terms = b.encode(&rhs, true)?;
        terms.retain(|t| !t.is_empty());
        // R orders terms by their number of variables, keeping the written order otherwise.
        terms.sort_by_key(Vec::len);
        Ok(Formula {
            source: source.to_string(),
            response,
            response_label: lhs.deparse(),
            vars: b.vars,
            terms,
            intercept: b.intercept,
            offsets: b.offsets,
        })
    }

    /// Label of term `t` (variables joined by `:`).
    pub fn term_label(&self, t: usize) -> String {
        self.terms[t]
            .iter()
            .map(|&v| self.vars[v].label.as_str())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Labels of all terms, in order.
    pub fn term_labels(&self) -> Vec<String> {
        (0..self.terms.len()).map(|t| self.term_label(t)).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// From the parse tree to variables and terms (R's formula algebra).

struct Builder<'a> {
    src: &'a str,
    vars: Vec<Variable>,
    intercept: bool,
    offsets: Vec<Expr>,
    /// The columns `.` stands for, when the data are known.
    dot: Option<Vec<String>>,
}

const TERM_FUNCS: &str = "I, C, factor, offset, poly, scale, ns, bs, log, exp, sqrt, abs, log10, log2";

/// The most terms a formula may expand to (each term is at least one column of X).
pub const MAX_TERMS: usize = 4096;

/// The largest power of terms, `(a + b)^k`.
pub const MAX_POWER: usize = 100;

impl Builder<'_> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> GlmError {
        err(self.src, pos, msg)
    }

    fn response(&mut self, n: &Node) -> Result<Response> {
        match &n.kind {
            // `a/b`, and `a * b / c` (events a * b, trials c): the last operator is '/'
            NodeKind::Chain(first, rest) if rest.last().is_some_and(|(op, _, _)| *op == '/') => {
                let k = rest.len() - 1;
                Ok(Response::EventsTrials {
                    events: self.arith_chain(first, &rest[..k])?,
                    trials: self.arith(&rest[k].2)?,
                })
            }
            NodeKind::Call(f, args) if f == "cbind" => {
                if args.len() != 2 || args.iter().any(|(name, _)| name.is_some()) {
                    return Err(self.err(n.pos, "cbind() takes two arguments: cbind(successes, failures)"));
                }
                Ok(Response::Cbind {
                    successes: self.arith(&args[0].1)?,
                    failures: self.arith(&args[1].1)?,
                })
            }
            _ => Ok(Response::Single(self.arith(n)?)),
        }
    }

    /// An arithmetic operator of the formula's syntax, or an error at its position.
    fn bin_op(&self, op: char, pos: usize) -> Result<BinOp> {
        Ok(match op {
            '+' => BinOp::Add,
            '-' => BinOp::Sub,
            '*' => BinOp::Mul,
            '/' => BinOp::Div,
            '^' => BinOp::Pow,
            '>' => BinOp::Gt,
            '≥' => BinOp::Ge,
            '<' => BinOp::Lt,
            '≤' => BinOp::Le,
            '≡' => BinOp::Eq,
            '≠' => BinOp::Ne,
            _ => {
                return Err(self.err(
                    pos,
                    format!(
                        "'{}' is not arithmetic (use + - * / ^ or a comparison here)",
                        op_text(op)
                    ),
                ))
            }
        })
    }

    /// A chain of left-associative operators in arithmetic context, flat (`rest` may be empty:
    /// then the first operand alone).
    fn arith_chain(&self, first: &Node, rest: &[(char, usize, Node)]) -> Result<Expr> {
        let a = self.arith(first)?;
        if rest.is_empty() {
            return Ok(a);
        }
        let mut ops = Vec::with_capacity(rest.len());
        for (op, pos, b) in rest {
            ops.push((self.bin_op(*op, *pos)?, self.arith(b)?));
        }
        Ok(Expr::Chain(Box::new(a), ops))
    }

    /// A node in arithmetic context (inside `I()`, a function, an offset or the response).
    fn arith(&self, n: &Node) -> Result<Expr> {
        Ok(match &n.kind {
            NodeKind::Num(v) => Expr::Num(*v),
            NodeKind::Ident(s) => Expr::Col(s.clone()),
            NodeKind::Str(_) => return Err(self.err(n.pos, "a string cannot be used in arithmetic")),
            NodeKind::Unary('-', e) => Expr::Neg(Box::new(self.arith(e)?)),
            NodeKind::Unary(_, e) => self.arith(e)?,
            NodeKind::Paren(e) => Expr::Paren(Box::new(self.arith(e)?)),
            NodeKind::Binary(op, a, b) => {
                let op = self.bin_op(*op, n.pos)?;
                Expr::Bin(op, Box::new(self.arith(a)?), Box::new(self.arith(b)?))
            }
            NodeKind::Chain(first, rest) => self.arith_chain(first, rest)?,
            NodeKind::Call(f, args) => self.arith_call(n, f, args)?,
        })
    }

    /// A function call in arithmetic context: `I(...)` or one of [`Func`].
    fn arith_call(&self, n: &Node, f: &str, args: &[(Option<(String, usize)>, Node)]) -> Result<Expr> {
        let one = |what: &str| -> Result<&Node> {
            match args {
                [(None, a)] => Ok(a),
                _ => Err(self.err(n.pos, format!("{}() takes exactly one argument{what}", clip(f)))),
            }
        };
        if f == "I" {
            Ok(Expr::I(Box::new(self.arith(one("")?)?)))
        } else if let Some(func) = Func::from_name(f) {
            Ok(Expr::Call(
                func,
                Box::new(self.arith(one(" (log with a base is not supported: use log10 or log2)")?)?),
            ))
        } else if f == "C" || f == "offset" || f == "cbind" || BASIS_FUNCS.contains(&f) {
            Err(self.err(n.pos, format!("{f}() cannot be used inside arithmetic")))
        } else {
            Err(self.err(
                n.pos,
                format!(
                    "unknown function '{}' (arithmetic knows {})",
                    clip(f),
                    Func::ALL.map(Func::name).join(", ")
                ),
            ))
        }
    }

    fn var(&mut self, label: String, kind: VarKind) -> usize {
        if let Some(i) = self.vars.iter().position(|v| v.label == label) {
            return i;
        }
        self.vars.push(Variable { label, kind });
        self.vars.len() - 1
    }

    /// R's formula algebra: the terms (sets of variable indices) a node stands for. `top` is
    /// false inside interactions, where offsets and 0/1 may not appear.
    fn encode(&mut self, n: &Node, top: bool) -> Result<Vec<Vec<usize>>> {
        match &n.kind {
            NodeKind::Num(v) if top && (*v == 0.0 || *v == 1.0) => {
                self.intercept = *v == 1.0;
                Ok(vec![])
            }
            NodeKind::Num(_) => Err(self.err(
                n.pos,
                "a number can only be 0 or 1 as a term (intercept); use I(...) for arithmetic",
            )),
            NodeKind::Str(_) => Err(self.err(n.pos, "a string cannot be a term")),
            NodeKind::Paren(e) => self.encode(e, top),
            NodeKind::Unary('+', e) => self.encode(e, top),
            NodeKind::Unary(_, e) => match e.kind {
                NodeKind::Num(v) if top && (v == 0.0 || v == 1.0) => {
                    self.intercept = v == 0.0;
                    Ok(vec![])
                }
                _ => Err(self.err(
                    n.pos,
                    "only -1 (no intercept) may start with '-'; use I(-x) for a negated variable",
                )),
            },
            NodeKind::Binary('^', a, b) => self.encode_power(a, b),
            NodeKind::Binary(op, _, _) if is_comparison(*op) => Err(self.err(
                n.pos,
                format!("a comparison must be inside I(), as in I(x {} 0)", op_text(*op)),
            )),
            NodeKind::Binary(op, _, _) => Err(self.err(n.pos, format!("unexpected operator '{}'", op_text(*op)))),
            NodeKind::Chain(first, rest) => self.encode_chain(first, rest, top),
            NodeKind::Ident(s) if s == "." => match self.dot.clone() {
                Some(cols) => Ok(cols
                    .into_iter()
                    .map(|c| vec![self.var(r_name(&c), VarKind::Column(c))])
                    .collect()),
                None => Err(self.err(
                    n.pos,
                    "'.' (all other columns) can only be used when the formula is applied to data",
                )),
            },
            NodeKind::Ident(s) => {
                let i = self.var(r_name(s), VarKind::Column(s.clone()));
                Ok(vec![vec![i]])
            }
            NodeKind::Call(f, args) => self.encode_call(n, f, args, top),
        }
    }

    /// The terms of a chain of operators of one precedence, folded left to right: `+` adds,
    /// `-` removes, `:` crosses, `*` crosses and keeps both sides, `/` nests. Iterative, so
    /// that a sum of thousands of terms costs no stack.
    fn encode_chain(&mut self, first: &Node, rest: &[(char, usize, Node)], top: bool) -> Result<Vec<Vec<usize>>> {
        let additive = rest.first().is_some_and(|(op, _, _)| matches!(op, '+' | '-'));
        let mut l = self.encode(first, top && additive)?;
        for (op, pos, b) in rest {
            l = self.apply(l, *op, *pos, b, top)?;
            self.check_count(l.len(), *pos)?;
        }
        Ok(l)
    }

    /// The terms `l` followed by operator `op` (at `pos`) and its operand `b`.
    fn apply(&mut self, mut l: Vec<Vec<usize>>, op: char, pos: usize, b: &Node, top: bool) -> Result<Vec<Vec<usize>>> {
        match op {
            '+' => {
                for t in self.encode(b, top)? {
                    push_unique(&mut l, t);
                }
                Ok(l)
            }
            '-' => {
                if let NodeKind::Num(v) = b.kind {
                    if top && (v == 0.0 || v == 1.0) {
                        self.intercept = v == 0.0;
                        return Ok(l);
                    }
                }
                let r = self.encode(b, false)?;
                l.retain(|t| !r.contains(t));
                Ok(l)
            }
            ':' => {
                let r = self.encode(b, false)?;
                self.cross(&l, &r, pos)
            }
            '*' => {
                let r = self.encode(b, false)?;
                let x = self.cross(&l, &r, pos)?;
                for t in r.into_iter().chain(x) {
                    push_unique(&mut l, t);
                }
                Ok(l)
            }
            '%' => {
                // R's InTerms: every term on the left joined with all variables on the right
                let r = self.encode(b, false)?;
                let mut all: Vec<usize> = r.iter().flatten().copied().collect();
                all.sort_unstable();
                all.dedup();
                let x = self.cross(&l, &[all], pos)?;
                Ok(x)
            }
            '/' => {
                let r = self.encode(b, false)?;
                let mut all: Vec<usize> = l.iter().flatten().copied().collect();
                all.sort_unstable();
                all.dedup();
                for t in self.cross(&[all], &r, pos)? {
                    push_unique(&mut l, t);
                }
                Ok(l)
            }
            _ => Err(self.err(pos, format!("unexpected operator '{}'", op_text(op)))),
        }
    }

    /// `(a + b + …)^k`: every interaction up to order k. The expansion stops as soon as a power
    /// adds no new term (at the latest at the number of variables), so a large k costs nothing;
    /// k must be a whole number from 1 to [`MAX_POWER`].
    fn encode_power(&mut self, a: &Node, b: &Node) -> Result<Vec<Vec<usize>>> {
        let k = match b.kind {
            NodeKind::Num(k) if (1.0..=MAX_POWER as f64).contains(&k) && k.fract() == 0.0 => k as usize,
            _ => {
                return Err(self.err(
                    b.pos,
                    format!("the power of terms must be a whole number from 1 to {MAX_POWER}, as in (a + b)^2; use I(x^2) for a squared variable"),
                ))
            }
        };
        let base = self.encode(a, false)?;
        let mut l = base.clone();
        for _ in 1..k {
            let before = l.len();
            for t in self.cross(&l, &base, b.pos)? {
                push_unique(&mut l, t);
            }
            self.check_count(l.len(), b.pos)?;
            if l.len() == before {
                break;
            }
        }
        Ok(l)
    }

    /// Refuses more than [`MAX_TERMS`] terms, at the operator that passed the limit.
    fn check_count(&self, terms: usize, pos: usize) -> Result<()> {
        if terms > MAX_TERMS {
            return Err(self.err(
                pos,
                format!("the formula expands to more than {MAX_TERMS} terms here (at most {MAX_TERMS} can be fitted)"),
            ));
        }
        Ok(())
    }

    /// All unions of a term of `l` with a term of `r` (R's `:`), each once; refused at `pos`
    /// when it would exceed [`MAX_TERMS`] terms.
    fn cross(&self, l: &[Vec<usize>], r: &[Vec<usize>], pos: usize) -> Result<Vec<Vec<usize>>> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for a in l {
            for b in r {
                let mut t: Vec<usize> = a.iter().chain(b).copied().collect();
                t.sort_unstable();
                t.dedup();
                if seen.insert(t.clone()) {
                    out.push(t);
                    self.check_count(out.len(), pos)?;
                }
            }
        }
        Ok(out)
    }

    /// The terms of a call: `offset(...)`, `C(col, ref = ...)`, `factor(col)`, or arithmetic
    /// (`I(...)`, `log(x)`).
    fn encode_call(
        &mut self,
        n: &Node,
        f: &str,
        args: &[(Option<(String, usize)>, Node)],
        top: bool,
    ) -> Result<Vec<Vec<usize>>> {
        match f {
            "offset" => {
                if !top {
                    return Err(self.err(n.pos, "offset() must be added as a term of its own (+ offset(...))"));
                }
                match args {
                    [(None, a)] => {
                        let e = self.arith(a)?;
                        self.offsets.push(e);
                        Ok(vec![])
                    }
                    _ => Err(self.err(n.pos, "offset() takes exactly one argument")),
                }
            }
            "C" => {
                let (column, reference, contrast) = self.factor_args(n, args)?;
                let label = match (&reference, &contrast) {
                    (_, Some((_, written))) => format!("C({}, {written})", r_name(&column)),
                    (None, None) => format!("C({})", r_name(&column)),
                    (Some((r, true)), None) => format!("C({}, ref = {r})", r_name(&column)),
                    (Some((r, false)), None) => format!("C({}, ref = \"{r}\")", r_name(&column)),
                };
                let i = self.var(
                    label,
                    VarKind::Factor {
                        column,
                        reference: reference.map(|r| r.0),
                        contrast: contrast.map_or(Contrast::Treatment, |c| c.0),
                    },
                );
                Ok(vec![vec![i]])
            }
            _ if BASIS_FUNCS.contains(&f) => {
                let Some((None, x)) = args.first() else {
                    return Err(self.err(n.pos, format!("{f}() takes the variable first: {f}(x, …)")));
                };
                let basis = Basis {
                    arg: self.arith(x)?,
                    kind: basis_kind(self.src, f, &args[1..])?,
                };
                let i = self.var(n.deparse(), VarKind::Basis(basis));
                Ok(vec![vec![i]])
            }
            "factor" => match args {
                [(
                    None,
                    Node {
                        kind: NodeKind::Ident(c),
                        ..
                    },
                )] => {
                    let i = self.var(
                        format!("factor({})", r_name(c)),
                        VarKind::Factor {
                            column: c.clone(),
                            reference: None,
                            contrast: Contrast::Treatment,
                        },
                    );
                    Ok(vec![vec![i]])
                }
                _ => Err(self.err(
                    n.pos,
                    "factor() takes one column name; use C(column, ref = level) to choose the reference",
                )),
            },
            "cbind" => Err(self.err(n.pos, "cbind() is only for the response (left of '~')")),
            _ if f == "I" || Func::from_name(f).is_some() => {
                let e = self.arith(n)?;
                let kind = if e.is_logical() {
                    VarKind::Logical(e.clone())
                } else {
                    VarKind::Numeric(e.clone())
                };
                let i = self.var(e.label(), kind);
                Ok(vec![vec![i]])
            }
            _ => Err(self.err(
                n.pos,
                format!("unknown function '{}' (a term may use {TERM_FUNCS})", clip(f)),
            )),
        }
    }

    /// `C(col)`, `C(col, ref = LEVEL)` or `C(col, Sum)`: the column, the reference level (with
    /// whether it was written as a number) and the contrast (with its label as written). A bare
    /// name in second place is a contrast, as in R's `C(object, contr)`; a quoted or numeric one
    /// is a reference level.
    #[allow(clippy::type_complexity)]
    fn factor_args(
        &self,
        n: &Node,
        args: &[(Option<(String, usize)>, Node)],
    ) -> Result<(String, Option<(String, bool)>, Option<(Contrast, String)>)> {
        const USAGE: &str = "C() takes a column name: C(column), C(column, ref = level) or C(column, Sum)";
        let column = match args.first() {
            Some((
                None,
                Node {
                    kind: NodeKind::Ident(s),
                    ..
                },
            )) => s.clone(),
            Some((_, a)) => return Err(self.err(a.pos, USAGE)),
            None => return Err(self.err(n.pos, USAGE)),
        };
        let (mut reference, mut contrast) = (None, None);
        for (name, v) in args.iter().skip(1) {
            let is_contrast = match name {
                Some((nm, _)) if nm == "ref" || nm == "reference" || nm == "base" => false,
                Some((nm, _)) if nm == "contr" => true,
                Some((nm, p)) => {
                    return Err(self.err(
                        *p,
                        format!(
                            "C() has no argument '{}' (write C(column, ref = level) or C(column, Sum))",
                            clip(nm)
                        ),
                    ))
                }
                None => matches!(v.kind, NodeKind::Ident(_)),
            };
            if reference.is_some() || contrast.is_some() {
                return Err(self.err(
                    v.pos,
                    "C() takes one reference level or one contrast: C(column, ref = level) or C(column, Sum)",
                ));
            }
            if is_contrast {
                let NodeKind::Ident(c) = &v.kind else {
                    return Err(self.err(v.pos, format!("the contrast must be a name: {}", Contrast::NAMES)));
                };
                let Some(k) = Contrast::from_name(c) else {
                    return Err(self.err(
                        v.pos,
                        format!(
                            "unknown contrast '{}' (known: {}); for a reference level write C({}, ref = {})",
                            clip(c),
                            Contrast::NAMES,
                            clip(&column),
                            clip(c)
                        ),
                    ));
                };
                let written = match name {
                    Some(_) => format!("contr = {}", v.deparse()),
                    None => v.deparse(),
                };
                contrast = Some((k, written));
                continue;
            }
            reference = Some(match &v.kind {
                NodeKind::Str(s) | NodeKind::Ident(s) => (s.clone(), false),
                NodeKind::Num(x) => (r_number(*x), true),
                NodeKind::Unary('-', e) if matches!(e.kind, NodeKind::Num(_)) => {
                    let NodeKind::Num(x) = e.kind else { unreachable!() };
                    (r_number(-x), true)
                }
                _ => return Err(self.err(v.pos, "the reference level must be a name, a number or a quoted string")),
            });
        }
        Ok((column, reference, contrast))
    }
}

fn push_unique(l: &mut Vec<Vec<usize>>, t: Vec<usize>) {
    if !l.contains(&t) {
        l.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(f: &str) -> Vec<String> {
        Formula::parse(f).unwrap().term_labels()
    }

    fn pos_of(f: &str) -> (usize, String) {
        match Formula::parse(f).unwrap_err() {
            GlmError::Formula { pos, msg, .. } => (pos, msg),
            e => panic!("not a formula error: {e}"),
        }
    }

    // The expected term labels below are R 4.2's attr(terms(formula), "term.labels").
    #[test]
    fn sums_and_intercepts() {
        let f = Formula::parse("satell ~ width + I(width^2)").unwrap();
        assert_eq!(f.term_labels(), ["width", "I(width^2)"]);
        assert!(f.intercept);
        assert_eq!(f.response, Response::Single(Expr::Col("satell".into())));
        assert_eq!(f.response_label, "satell");
        assert!(!Formula::parse("y ~ x - 1").unwrap().intercept);
        assert!(!Formula::parse("y ~ 0 + x").unwrap().intercept);
        assert!(!Formula::parse("y ~ x + 0").unwrap().intercept);
        assert!(!Formula::parse("y ~ -1 + x").unwrap().intercept);
        assert!(Formula::parse("y ~ 0 + x + 1").unwrap().intercept);
        assert_eq!(labels("y ~ 1"), Vec::<String>::new());
        assert_eq!(labels("y ~ x + x"), ["x"]);
    }

    #[test]
    fn interactions_follow_r_order() {
        assert_eq!(labels("y ~ a * b"), ["a", "b", "a:b"]);
        assert_eq!(labels("y ~ a:b"), ["a:b"]);
        assert_eq!(labels("y ~ a:b + c"), ["c", "a:b"]);
        assert_eq!(labels("y ~ a*b*c"), ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]);
        assert_eq!(labels("y ~ a*b - a:b"), ["a", "b"]);
        assert_eq!(labels("y ~ a*b - a"), ["b", "a:b"]);
        assert_eq!(labels("y ~ (a + b + c)^2"), ["a", "b", "c", "a:b", "a:c", "b:c"]);
        assert_eq!(labels("y ~ a/b"), ["a", "a:b"]);
        assert_eq!(labels("y ~ (a + b)/c"), ["a", "b", "a:b:c"]);
        assert_eq!(labels("y ~ b:a + a"), ["a", "b:a"]);
        assert_eq!(labels("y ~ b + a:b"), ["b", "b:a"]);
        assert_eq!(labels("y ~ a:a"), ["a"]);
        assert_eq!(labels("y ~ log(x):z + x"), ["x", "log(x):z"]);
    }

    #[test]
    fn labels_are_deparsed_like_r() {
        assert_eq!(
            labels("y ~ I(a*b) + I( x ^ 2 ) + log(x+1) + sqrt(z) + I(1/x) + I(-x) + I((x + 1)^2) + exp(1e5 * x)"),
            [
                "I(a * b)",
                "I(x^2)",
                "log(x + 1)",
                "sqrt(z)",
                "I(1/x)",
                "I(-x)",
                "I((x + 1)^2)",
                "exp(1e+05 * x)"
            ]
        );
        assert_eq!(labels("y ~ `body mass` + x.1"), ["`body mass`", "x.1"]);
        assert_eq!(labels("y ~ I(x**2)"), ["I(x^2)"]);
        assert_eq!(
            labels("y ~ C(region) + C(region, ref=north) + C(c, ref = \"a b\") + C(k, ref = 3)"),
            [
                "C(region)",
                "C(region, ref = \"north\")",
                "C(c, ref = \"a b\")",
                "C(k, ref = 3)"
            ]
        );
    }

    #[test]
    fn nesting_bases_and_comparisons_label_as_r() {
        // R 4.2.2: attr(terms(f), "term.labels")
        assert_eq!(labels("y ~ a + b %in% a"), ["a", "a:b"]);
        assert_eq!(labels("y ~ b %in% a"), ["b:a"]);
        assert_eq!(labels("y ~ a + (b + c) %in% a"), ["a", "a:b", "a:c"]);
        assert_eq!(labels("y ~ a * b %in% c"), ["a", "b:c", "a:b:c"]);
        assert_eq!(labels("y ~ a:b %in% c"), ["a:b:c"]);
        assert_eq!(
            labels("y ~ poly(x, 2) + poly(x, degree = 3, raw = T) + ns(x, df = 3) + bs(x, knots = c(1, 2.5), degree = 2) + scale(x):g"),
            [
                "poly(x, 2)",
                "poly(x, degree = 3, raw = T)",
                "ns(x, df = 3)",
                "bs(x, knots = c(1, 2.5), degree = 2)",
                "scale(x):g"
            ]
        );
        assert_eq!(labels("y ~ poly(x, 2, raw = TRUE)"), ["poly(x, 2, raw = TRUE)"]);
        assert_eq!(
            labels("y ~ I(x>=1) + I(x == 2) + I(x != 2) + I(x<=1) + I((x > 0) * x) + C(g, Sum) + C(g, helmert)"),
            [
                "I(x >= 1)",
                "I(x == 2)",
                "I(x != 2)",
                "I(x <= 1)",
                "I((x > 0) * x)",
                "C(g, Sum)",
                "C(g, helmert)"
            ]
        );
        let f = Formula::parse("y ~ I(x > 1) + I((x > 1) * 2) + C(g, Helmert)").unwrap();
        assert!(matches!(f.vars[0].kind, VarKind::Logical(_)));
        assert!(matches!(f.vars[1].kind, VarKind::Numeric(_)));
        assert!(matches!(
            f.vars[2].kind,
            VarKind::Factor {
                contrast: Contrast::Helmert,
                ..
            }
        ));
    }

    #[test]
    fn responses() {
        let f = Formula::parse("disease/total ~ snoring").unwrap();
        assert_eq!(f.response_label, "disease/total");
        assert!(matches!(f.response, Response::EventsTrials { .. }));
        let f = Formula::parse("cbind(disease, total-disease) ~ snoring").unwrap();
        assert_eq!(f.response_label, "cbind(disease, total - disease)");
        assert!(matches!(f.response, Response::Cbind { .. }));
        let f = Formula::parse("log(y) ~ x").unwrap();
        assert_eq!(
            f.response,
            Response::Single(Expr::Call(Func::Log, Box::new(Expr::Col("y".into()))))
        );
    }

    #[test]
    fn offsets_leave_the_terms() {
        let f = Formula::parse("claims ~ age + C(region, ref=north) + offset(log(exposure)) + offset(z)").unwrap();
        assert_eq!(f.term_labels(), ["age", "C(region, ref = \"north\")"]);
        assert_eq!(f.offsets.len(), 2);
        assert_eq!(f.offsets[0].label(), "log(exposure)");
    }

    #[test]
    fn error_missing_tilde() {
        assert_eq!(pos_of("y + x").0, 5);
        let (p, m) = pos_of("y x");
        assert_eq!(p, 2);
        assert!(m.contains("'~'"), "{m}");
        assert_eq!(pos_of("~ x").0, 0);
    }

    #[test]
    fn error_unbalanced_parenthesis() {
        let (p, m) = pos_of("y ~ log(x + z");
        assert_eq!(p, 7);
        assert!(m.contains("never closed"), "{m}");
        assert_eq!(pos_of("y ~ (a + b").0, 4);
        let (p, m) = pos_of("y ~ a + b)");
        assert_eq!(p, 9);
        assert!(m.contains("no matching"), "{m}");
    }

    #[test]
    fn error_stray_character() {
        let (p, m) = pos_of("y ~ a $ b");
        assert_eq!(p, 6);
        assert!(m.contains("'$'"), "{m}");
        // Positions count characters, not bytes.
        assert_eq!(pos_of("é ~ a # b").0, 6);
    }

    #[test]
    fn error_unknown_function() {
        let (p, m) = pos_of("y ~ x + foo(z)");
        assert_eq!(p, 8);
        assert!(m.contains("unknown function 'foo'"), "{m}");
        assert_eq!(pos_of("y ~ I(bar(z))").0, 6);
        assert_eq!(pos_of("y ~ x + cbind(a, b)").0, 8);
    }

    #[test]
    fn error_empty_term() {
        let (p, m) = pos_of("y ~ x + ");
        assert_eq!(p, 8);
        assert!(m.contains("ends"), "{m}");
        assert_eq!(pos_of("y ~ a + * b").0, 8);
        assert_eq!(pos_of("y ~ ").0, 4);
        assert_eq!(pos_of("y ~ ()").0, 5);
        assert_eq!(pos_of("y ~ log()").0, 4);
        assert_eq!(pos_of("y ~ a::b").0, 6);
    }

    #[test]
    fn other_errors_point_at_their_place() {
        assert_eq!(pos_of("y ~ x + 2").0, 8);
        assert_eq!(pos_of("y ~ a:offset(z)").0, 6);
        assert_eq!(pos_of("y ~ C(a, lvl = b)").0, 9);
        assert_eq!(pos_of("y ~ C(log(a))").0, 6);
        assert_eq!(pos_of("y ~ I(a:b)").0, 7);
        assert_eq!(pos_of("y ~ `ab").0, 4);
        assert_eq!(pos_of("y ~ x ~ z").0, 6);
        assert_eq!(pos_of("y ~ (a+b)^x").0, 10);
    }

    // Issue 14: hostile formulas. These run on the test harness's 2 MiB thread stacks, so a
    // recursion as deep as the input would overflow here.

    #[test]
    fn deep_nesting_is_refused_at_the_character_that_passes_the_limit() {
        let cases = [
            format!("satell ~ {}width{}", "(".repeat(15_000), ")".repeat(15_000)),
            format!("satell ~ I({}width{})", "exp(".repeat(12_000), ")".repeat(12_001)),
            format!("satell ~ {}width", "-".repeat(20_000)),
            format!("satell ~ {}", vec!["width"; 5_000].join("^")),
            format!("{}y ~ x", "log(".repeat(20_000)),
        ];
        for f in &cases {
            let (p, m) = pos_of(f);
            assert!(m.contains("nests more than 100 levels"), "{m}");
            assert!(p > 90 && p < 1000, "position {p}");
            // the message shows the place, not the whole formula
            let e = Formula::parse(f).unwrap_err().to_string();
            assert!(e.len() < 600 && e.contains('…'), "{} characters", e.len());
        }
        // the limit itself: 99 parentheses (100 levels with the right-hand side) parse, 100 do not
        assert!(Formula::parse(&format!("y ~ {}x{}", "(".repeat(99), ")".repeat(99))).is_ok());
        let (p, _) = pos_of(&format!("y ~ {}x{}", "(".repeat(100), ")".repeat(100)));
        assert_eq!(p, 4 + 100, "just inside the 100th '('");
    }

    #[test]
    fn long_flat_sums_and_chains_are_lists_not_deep_trees() {
        let sum = vec!["width"; 20_000].join(" + ");
        let f = Formula::parse(&format!("satell ~ {sum}")).unwrap();
        assert_eq!(f.term_labels(), ["width"]);
        // in arithmetic, on the left, mixed operators of one precedence
        let f = Formula::parse(&format!("satell ~ I({sum})")).unwrap();
        assert_eq!(f.vars[0].label.len(), 20_000 * 8 - 3 + 3);
        let f = Formula::parse(&format!("{} ~ x", vec!["y"; 20_000].join(" - "))).unwrap();
        assert_eq!(f.response_label.len(), 20_000 * 4 - 3);
        for op in ["*", ":", "/"] {
            let f = Formula::parse(&format!("y ~ {}", vec!["x"; 20_000].join(op))).unwrap();
            assert_eq!(f.term_labels(), ["x"], "{op}");
        }
        // a chain keeps R's left-to-right meaning
        assert_eq!(labels("y ~ a + b - a + c"), ["b", "c"]);
        assert_eq!(labels("y ~ a * b / c"), ["a", "b", "a:b", "a:b:c"]);
        let f = Formula::parse("a * b / c ~ x").unwrap();
        assert!(matches!(f.response, Response::EventsTrials { .. }));
        assert_eq!(f.response_label, "a * b/c");
    }

    #[test]
    fn powers_stop_when_no_new_terms_appear_and_absurd_ones_are_refused() {
        // a whole power beyond the number of variables adds nothing, and costs nothing
        assert_eq!(labels("y ~ (a + b + c)^100"), labels("y ~ (a + b + c)^3"));
        for (f, at) in [
            ("y ~ (width + weight)^1e9", 21),
            ("y ~ (width + weight)^1e300", 21),
            ("y ~ (a + b)^101", 12),
            ("y ~ (a + b)^0.5", 12),
            ("y ~ (a + b)^0", 12),
        ] {
            let (p, m) = pos_of(f);
            assert_eq!(p, at, "{f}: {m}");
            assert!(m.contains("whole number from 1 to 100"), "{m}");
        }
    }

    #[test]
    fn term_explosions_are_refused_before_they_are_built() {
        let vars: Vec<String> = (0..13).map(|k| format!("x{k}")).collect();
        for f in [
            format!("y ~ ({})^13", vars.join(" + ")),
            format!("y ~ {}", vars.join(" * ")),
            format!(
                "y ~ {}",
                (0..5000).map(|k| format!("x{k}")).collect::<Vec<_>>().join(" + ")
            ),
            format!(
                "y ~ ({}):({})",
                vars.join(" + "),
                (0..400).map(|k| format!("z{k}")).collect::<Vec<_>>().join(" + ")
            ),
        ] {
            let (_, m) = pos_of(&f);
            assert!(m.contains("more than 4096 terms"), "{m}");
        }
        // 12 variables: 4095 terms, the most that fit
        assert_eq!(
            Formula::parse(&format!("y ~ ({})^12", vars[..12].join(" + ")))
                .unwrap()
                .terms
                .len(),
            4095
        );
    }

    #[test]
    fn quoted_names_in_messages_are_cut() {
        let long = "w".repeat(100_000);
        let e = Formula::parse(&format!("y ~ {long}(x)")).unwrap_err().to_string();
        assert!(e.len() < 600, "{} characters", e.len());
        assert!(e.contains(&format!("unknown function '{}…'", "w".repeat(60))), "{e}");
    }
}
