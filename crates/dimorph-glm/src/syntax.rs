//! The syntax of formulas: characters to tokens to a parse tree, with R's operator precedence
//! (`^` > unary `-` > `:` > `*` `/` > `+` `-` > `~`) and the 0-based character position of
//! every node, so that errors can point at the offending character. The meaning of the tree
//! (terms, variables, arithmetic) is the `formula` module's business.
//!
//! The tree is kept shallow so that every pass over it may recurse: a run of left-associative
//! operators of one precedence (`a + b - c + …`, `a * b / c`, `a:b:c`) is one flat
//! [`NodeKind::Chain`], however long, and nesting (parentheses, calls, unary signs, `^`) deeper
//! than [`MAX_DEPTH`] is refused with the position where the limit is passed.

use crate::error::{clip, GlmError, Result};
use crate::expr::{r_name, r_number};

/// The deepest nesting of parentheses, calls, unary signs and powers a formula may have.
pub const MAX_DEPTH: usize = 100;

/// Parses `lhs ~ rhs` into its two sides.
pub(crate) fn parse_sides(src: &str) -> Result<(Node, Node)> {
    let toks = lex(src)?;
    Parser {
        src,
        toks,
        i: 0,
        depth: 0,
    }
    .formula()
}

pub(crate) fn err(src: &str, pos: usize, msg: impl Into<String>) -> GlmError {
    GlmError::Formula {
        formula: src.to_string(),
        pos,
        msg: msg.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A name; `true` when it was backquoted.
    Ident(String, bool),
    Num(f64),
    Str(String),
    Op(char),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn lex(src: &str) -> Result<Vec<Token>> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let start = i;
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        let starts_number = ch.is_ascii_digit() || (ch == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit));
        if starts_number {
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                i += 1;
            }
            if i < c.len() && (c[i] == 'e' || c[i] == 'E') {
                let mut j = i + 1;
                if j < c.len() && (c[j] == '+' || c[j] == '-') {
                    j += 1;
                }
                if j < c.len() && c[j].is_ascii_digit() {
                    i = j;
                    while i < c.len() && c[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = c[start..i].iter().collect();
            let v: f64 = text
                .parse()
                .map_err(|_| err(src, start, format!("'{}' is not a number", clip(&text))))?;
            if i < c.len() && (c[i].is_alphabetic() || c[i] == '_') {
                return Err(err(
                    src,
                    i,
                    "a name cannot start with a digit; put it in backquotes: `2x`",
                ));
            }
            out.push(Token {
                tok: Tok::Num(v),
                pos: start,
            });
        } else if ch.is_alphabetic() || ch == '.' {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '.' || c[i] == '_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(c[start..i].iter().collect(), false),
                pos: start,
            });
        } else if ch == '`' || ch == '"' || ch == '\'' {
            i += 1;
            let mut s = String::new();
            while i < c.len() && c[i] != ch {
                if c[i] == '\\' && ch != '`' && i + 1 < c.len() {
                    i += 1;
                }
                s.push(c[i]);
                i += 1;
            }
            if i >= c.len() {
                let what = if ch == '`' { "backquoted name" } else { "string" };
                return Err(err(src, start, format!("this {what} has no closing {ch}")));
            }
            i += 1;
            if ch == '`' {
                if s.is_empty() {
                    return Err(err(src, start, "empty backquoted name"));
                }
                out.push(Token {
                    tok: Tok::Ident(s, true),
                    pos: start,
                });
            } else {
                out.push(Token {
                    tok: Tok::Str(s),
                    pos: start,
                });
            }
        } else if ch == '*' && c.get(i + 1) == Some(&'*') {
            out.push(Token {
                tok: Tok::Op('^'),
                pos: start,
            });
            i += 2;
        } else if let Some((op, len)) = comparison(&c[i..]) {
            out.push(Token {
                tok: Tok::Op(op),
                pos: start,
            });
            i += len;
        } else if ch == '%' {
            let end = c[i + 1..].iter().position(|&x| x == '%').map(|k| i + 1 + k);
            let text: String = c[i..end.map_or(c.len(), |e| e + 1)].iter().collect();
            if text != "%in%" {
                return Err(err(
                    src,
                    start,
                    format!("unknown operator '{}' (a formula knows %in%)", clip(&text)),
                ));
            }
            out.push(Token {
                tok: Tok::Op('%'),
                pos: start,
            });
            i += 4;
        } else if "~+-*/^:(),=".contains(ch) {
            out.push(Token {
                tok: Tok::Op(ch),
                pos: start,
            });
            i += 1;
        } else {
            return Err(err(src, start, format!("unexpected character '{ch}'")));
        }
    }
    out.push(Token {
        tok: Tok::End,
        pos: c.len(),
    });
    Ok(out)
}

/// A comparison operator at the start of `c`: its one-character code (`>=` is `≥`, `<=` is `≤`,
/// `==` is `≡`, `!=` is `≠`) and its length.
fn comparison(c: &[char]) -> Option<(char, usize)> {
    let next_eq = c.get(1) == Some(&'=');
    Some(match (c.first()?, next_eq) {
        ('>', true) => ('≥', 2),
        ('<', true) => ('≤', 2),
        ('=', true) => ('≡', 2),
        ('!', true) => ('≠', 2),
        ('>', false) => ('>', 1),
        ('<', false) => ('<', 1),
        _ => return None,
    })
}

/// Whether an operator code is a comparison.
pub(crate) fn is_comparison(op: char) -> bool {
    "><≥≤≡≠".contains(op)
}

/// The operator as written in R (`≥` is `>=`, `%` is `%in%`).
pub(crate) fn op_text(op: char) -> String {
    match op {
        '≥' => ">=".into(),
        '≤' => "<=".into(),
        '≡' => "==".into(),
        '≠' => "!=".into(),
        '%' => "%in%".into(),
        c => c.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser: R's expression grammar (precedence ^ > unary - > : > * / > + -), positions kept.

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) pos: usize,
    pub(crate) kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Num(f64),
    Ident(String),
    Str(String),
    Unary(char, Box<Node>),
    /// `a ^ b` (right-associative, so nested: its depth is limited).
    Binary(char, Box<Node>, Box<Node>),
    /// A run of left-associative operators of one precedence, flat: the first operand, then
    /// each operator with its position and its right operand (`a + b - c` is `a`, then
    /// `('+', 2, b)`, `('-', 6, c)`).
    Chain(Box<Node>, Vec<(char, usize, Node)>),
    Paren(Box<Node>),
    /// Name, arguments (optional name with its position, value).
    Call(String, Vec<(Option<(String, usize)>, Node)>),
}

impl Node {
    /// R's `deparse` of the parsed expression.
    pub(crate) fn deparse(&self) -> String {
        match &self.kind {
            NodeKind::Num(v) => r_number(*v),
            NodeKind::Ident(s) if s == "TRUE" || s == "FALSE" => s.clone(),
            NodeKind::Ident(s) => r_name(s),
            NodeKind::Str(s) => format!("\"{s}\""),
            NodeKind::Unary(op, e) => format!("{op}{}", e.deparse()),
            NodeKind::Binary(op, a, b) => format!("{}{}{}", a.deparse(), spaced(*op), b.deparse()),
            NodeKind::Chain(first, rest) => {
                let mut s = first.deparse();
                for (op, _, b) in rest {
                    s.push_str(&spaced(*op));
                    s.push_str(&b.deparse());
                }
                s
            }
            NodeKind::Paren(e) => format!("({})", e.deparse()),
            NodeKind::Call(f, args) => {
                let a: Vec<String> = args
                    .iter()
                    .map(|(name, v)| match name {
                        Some((n, _)) => format!("{n} = {}", v.deparse()),
                        None => v.deparse(),
                    })
                    .collect();
                format!("{}({})", r_name(f), a.join(", "))
            }
        }
    }
}

/// An operator as R's `deparse` prints it: `/`, `^` and `:` bare, the others with spaces.
pub(crate) fn spaced(op: char) -> String {
    match op {
        '/' | '^' | ':' => op.to_string(),
        _ => format!(" {} ", op_text(op)),
    }
}

/// The binding power (precedence level) of a binary operator: left and right.
fn binding(op: char) -> (u8, u8) {
    match op {
        '+' | '-' => (10, 11),
        '*' | '/' => (20, 21),
        '%' => (25, 26), // %in%, between * and : as R's %any%
        ':' => (30, 31),
        '^' => (51, 50), // right-associative
        _ => (5, 6),     // comparisons, below + and -
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    /// Current nesting of [`Parser::expr`] calls.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.i]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn formula(&mut self) -> Result<(Node, Node)> {
        if let Tok::Op('~') = self.peek().tok {
            return Err(err(
                self.src,
                self.peek().pos,
                "the formula has no response before '~' (write response ~ terms)",
            ));
        }
        if self.peek().tok == Tok::End {
            return Err(err(self.src, 0, "the formula is empty (write response ~ terms)"));
        }
        let lhs = self.expr(0)?;
        let t = self.next();
        match t.tok {
            Tok::Op('~') => {}
            Tok::End => {
                return Err(err(self.src, t.pos, "the formula has no '~' (write response ~ terms)"));
            }
            _ => return Err(self.unexpected(&t, "expected '~' or an operator")),
        }
        if self.peek().tok == Tok::End {
            return Err(err(
                self.src,
                self.peek().pos,
                "no terms after '~' (write ~ 1 for an intercept-only model)",
            ));
        }
        let rhs = self.expr(0)?;
        let t = self.next();
        match t.tok {
            Tok::End => Ok((lhs, rhs)),
            Tok::Op('~') => Err(err(self.src, t.pos, "a formula has only one '~'")),
            Tok::Op(')') => Err(err(self.src, t.pos, "this ')' has no matching '('")),
            _ => Err(self.unexpected(&t, "expected an operator (+ - * / : ^) between terms")),
        }
    }

    fn unexpected(&self, t: &Token, hint: &str) -> GlmError {
        let what = match &t.tok {
            Tok::Ident(s, _) => format!("unexpected name '{}'", clip(s)),
            Tok::Num(_) => "unexpected number".into(),
            Tok::Str(s) => format!("unexpected string \"{}\"", clip(s)),
            Tok::Op(c) => format!("unexpected '{}'", op_text(*c)),
            Tok::End => "the formula ends too early".into(),
        };
        err(self.src, t.pos, format!("{what}: {hint}"))
    }

    /// An expression whose operators bind at least as tightly as `min_bp`; refuses nesting
    /// deeper than [`MAX_DEPTH`] at the token where it is passed.
    fn expr(&mut self, min_bp: u8) -> Result<Node> {
        if self.depth >= MAX_DEPTH {
            return Err(err(
                self.src,
                self.peek().pos,
                format!("the formula nests more than {MAX_DEPTH} levels deep here (parentheses, functions, signs or powers)"),
            ));
        }
        self.depth += 1;
        let r = self.expr_inner(min_bp);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Node> {
        let mut lhs = self.prefix()?;
        // the precedence level of the chain `lhs` is, when this loop built it
        let mut chain_level = None;
        loop {
            let t = self.peek().clone();
            let op = match t.tok {
                Tok::Op(c) if "+-*/:^%".contains(c) || is_comparison(c) => c,
                _ => break,
            };
            let (lbp, rbp) = binding(op);
            if lbp < min_bp {
                break;
            }
            if is_comparison(op) && matches!(&lhs.kind, NodeKind::Binary(c, _, _) if is_comparison(*c)) {
                return Err(err(
                    self.src,
                    t.pos,
                    "comparisons cannot be chained (a < b < c); multiply two comparisons: I((a < b) * (b < c))",
                ));
            }
            self.next();
            let rhs = self.operand(rbp, &t)?;
            if op == '^' || is_comparison(op) {
                lhs = Node {
                    pos: t.pos,
                    kind: NodeKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                };
                chain_level = None;
                continue;
            }
            match &mut lhs.kind {
                NodeKind::Chain(_, rest) if chain_level == Some(lbp) => rest.push((op, t.pos, rhs)),
                _ => {
                    lhs = Node {
                        pos: t.pos,
                        kind: NodeKind::Chain(Box::new(lhs), vec![(op, t.pos, rhs)]),
                    };
                    chain_level = Some(lbp);
                }
            }
        }
        Ok(lhs)
    }

    /// The operand after operator token `op`: an empty term is an error pointing at the
    /// operator's right.
    fn operand(&mut self, bp: u8, op: &Token) -> Result<Node> {
        match self.peek().tok {
            Tok::End | Tok::Op('~') | Tok::Op(')') | Tok::Op(',') => {
                let c = match op.tok {
                    Tok::Op(c) => op_text(c),
                    _ => "?".into(),
                };
                let t = self.peek().clone();
                Err(self.unexpected(&t, &format!("a term is missing after '{c}'")))
            }
            _ => self.expr(bp),
        }
    }

    fn prefix(&mut self) -> Result<Node> {
        let t = self.next();
        match t.tok {
            Tok::Num(v) => Ok(Node {
                pos: t.pos,
                kind: NodeKind::Num(v),
            }),
            Tok::Str(ref s) => Ok(Node {
                pos: t.pos,
                kind: NodeKind::Str(s.clone()),
            }),
            Tok::Op(c @ ('-' | '+')) => {
                let e = self.operand(40, &t)?;
                Ok(Node {
                    pos: t.pos,
                    kind: NodeKind::Unary(c, Box::new(e)),
                })
            }
            Tok::Op('(') => {
                let e = match self.peek().tok {
                    Tok::Op(')') => return Err(err(self.src, self.peek().pos, "empty parentheses: a term is missing")),
                    _ => self.expr(0)?,
                };
                let close = self.next();
                match close.tok {
                    Tok::Op(')') => Ok(Node {
                        pos: t.pos,
                        kind: NodeKind::Paren(Box::new(e)),
                    }),
                    Tok::End => Err(err(self.src, t.pos, "this '(' is never closed")),
                    _ => Err(self.unexpected(&close, "expected ')' or an operator")),
                }
            }
            Tok::Ident(ref name, quoted) => {
                if !quoted && self.peek().tok == Tok::Op('(') {
                    let open = self.next();
                    let args = self.args(&open)?;
                    Ok(Node {
                        pos: t.pos,
                        kind: NodeKind::Call(name.clone(), args),
                    })
                } else {
                    Ok(Node {
                        pos: t.pos,
                        kind: NodeKind::Ident(name.clone()),
                    })
                }
            }
            Tok::End => Err(err(self.src, t.pos, "the formula ends where a term is expected")),
            _ => Err(self.unexpected(&t, "a term is expected here")),
        }
    }

    #[allow(clippy::type_complexity)]
    fn args(&mut self, open: &Token) -> Result<Vec<(Option<(String, usize)>, Node)>> {
        let mut args = Vec::new();
        if self.peek().tok == Tok::Op(')') {
            self.next();
            return Ok(args);
        }
        loop {
            let mut name = None;
            if let Tok::Ident(n, _) = &self.peek().tok {
                if self.toks.get(self.i + 1).is_some_and(|t| t.tok == Tok::Op('=')) {
                    name = Some((n.clone(), self.peek().pos));
                    self.next();
                    let eq = self.next();
                    if matches!(self.peek().tok, Tok::Op(',') | Tok::Op(')') | Tok::End) {
                        let t = self.peek().clone();
                        return Err(self.unexpected(&t, &format!("a value is missing after '=' (at {})", eq.pos + 1)));
                    }
                }
            }
            if matches!(self.peek().tok, Tok::Op(',') | Tok::Op(')')) {
                return Err(err(self.src, self.peek().pos, "an argument is missing here"));
            }
            if self.peek().tok == Tok::End {
                return Err(err(self.src, open.pos, "this '(' is never closed"));
            }
            let v = self.expr(0)?;
            args.push((name, v));
            let t = self.next();
            match t.tok {
                Tok::Op(',') => continue,
                Tok::Op(')') => return Ok(args),
                Tok::End => return Err(err(self.src, open.pos, "this '(' is never closed")),
                _ => return Err(self.unexpected(&t, "expected ',' or ')'")),
            }
        }
    }
}
