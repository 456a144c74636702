//! The architecture rules of ARCHITECTURE.md, checked on the sources of every crate:
//!
//! 1. no import cycle between the files of a crate: file A refers (through `crate::`, `super::`
//!    or `self::` paths) to file B while B, directly or through other files, refers back to A.
//!    A path is resolved to the deepest module file it names; a name that a module only re-exports
//!    (`pub use inner::Name`) is followed to the module that defines it. The crate root
//!    (`lib.rs`, `main.rs`) is the crate's facade: what it declares and re-exports is not an edge.
//! 2. no function in `src/` longer than 150 lines (signature to closing brace).
//! 3. in a crate whose Cargo.toml turns `autotests` off (its integration tests are one binary),
//!    every file directly in `tests/` is a declared `[[test]]` or a `mod` of one, so that no test
//!    file is silently left out of the build.
//!
//! The scanner is a small lexer (comments, strings, raw strings and char literals are skipped),
//! not a Rust parser; it is strict enough for this codebase and says where it looked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 150;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Source text with comments, string/char literal contents blanked (kept as spaces so that line
/// numbers and brace positions stay put).
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            && {
                let mut j = i + if c == 'b' { 2 } else { 1 };
                while b.get(j) == Some(&'#') {
                    j += 1;
                }
                b.get(j) == Some(&'"')
            }
        {
            // raw string r#"..."#
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            for _ in i..=j {
                out.push(' ');
            }
            i = j + 1;
            while i < b.len() {
                if b[i] == '"' && (0..hashes).all(|k| b.get(i + 1 + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() {
                if b[i] == '\\' {
                    out.push(' ');
                    if let Some(&n) = b.get(i + 1) {
                        out.push(blank(n));
                    }
                    i += 2;
                    continue;
                }
                if b[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '\'' {
            // char literal ('x', '\n', '\u{..}') or a lifetime ('a)
            let close = if next == Some('\\') {
                (i + 2..(i + 12).min(b.len())).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(j) => {
                    for _ in i..=j {
                        out.push(' ');
                    }
                    i = j + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Functions longer than the limit: (line, name, length).
fn long_functions(code: &str) -> Vec<(usize, String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut line_of = Vec::with_capacity(chars.len());
    let mut line = 1;
    for &c in &chars {
        line_of.push(line);
        if c == '\n' {
            line += 1;
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 < chars.len() {
        let is_fn = chars[i] == 'f'
            && chars[i + 1] == 'n'
            && chars[i + 2].is_whitespace()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !is_fn {
            i += 1;
            continue;
        }
        let name: String = chars[i + 3..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect();
        // the body: the first '{' before any ';' at depth 0 of parentheses
        let mut j = i + 3;
        let mut paren = 0i32;
        let mut body = None;
        while j < chars.len() {
            match chars[j] {
                '(' | '[' | '<' => paren += 1,
                ')' | ']' | '>' => paren -= 1,
                ';' if paren <= 0 => break,
                '{' if paren <= 0 => {
                    body = Some(j);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let Some(open) = body else {
            i = j.max(i + 1);
            continue;
        };
        let mut depth = 0;
        let mut k = open;
        while k < chars.len() {
            match chars[k] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        let end = k.min(chars.len() - 1);
        let len = line_of[end] - line_of[i] + 1;
        if len > MAX_FN_LINES {
            out.push((line_of[i], name, len));
        }
        // nested functions are counted inside their parent; continue after the signature
        i = open + 1;
    }
    out
}

/// The module path of a source file relative to its crate's `src/` (`a/b.rs` → `a::b`,
/// `a/mod.rs` → `a`, `lib.rs` → ``).
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if !matches!(stem.as_str(), "lib" | "main" | "mod") {
            parts.push(stem);
        }
    }
    parts.join("::")
}

/// Paths referred to in code: sequences of identifiers joined by `::` that start with `crate`,
/// `super` or `self`, including `use` trees (`use crate::a::{b, c::d}`), expanded.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let toks = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if matches!(toks[i].as_str(), "crate" | "super" | "self")
            && (i == 0 || toks[i - 1] != "::")
            && toks.get(i + 1).is_some_and(|t| t == "::")
        {
            let mut prefix = vec![toks[i].clone()];
            i += 1;
            collect_tree(&toks, &mut i, &mut prefix, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

fn collect_tree(toks: &[String], i: &mut usize, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let base = prefix.len();
    while toks.get(*i).is_some_and(|t| t == "::") {
        *i += 1;
        match toks.get(*i).map(String::as_str) {
            Some("{") => {
                *i += 1;
                loop {
                    let mut p = prefix.clone();
                    if toks.get(*i).is_some_and(|t| t == "}") {
                        *i += 1;
                        break;
                    }
                    if let Some(t) = toks.get(*i) {
                        p.push(t.clone());
                        *i += 1;
                    }
                    collect_tree(toks, i, &mut p, out);
                    // skip `as alias`
                    if toks.get(*i).is_some_and(|t| t == "as") {
                        *i += 2;
                    }
                    match toks.get(*i).map(String::as_str) {
                        Some(",") => *i += 1,
                        Some("}") => {
                            *i += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                prefix.truncate(base);
                return;
            }
            Some(t) if t == "*" || t.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                prefix.push(t.to_string());
                *i += 1;
            }
            _ => break,
        }
    }
    out.push(prefix.clone());
    prefix.truncate(base);
}

fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let s: String = chars[i..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            i += s.chars().count();
            out.push(s);
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

struct CrateModules {
    /// module path → file
    files: BTreeMap<String, PathBuf>,
    /// module path → (re-exported name → module path it comes from)
    reexports: BTreeMap<String, BTreeMap<String, String>>,
    /// module path → referenced paths, made absolute (`crate::…` stripped)
    refs: BTreeMap<String, Vec<Vec<String>>>,
}

fn absolute(module: &str, is_dir_module: bool, path: &[String]) -> Vec<String> {
    let mut here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(String::from).collect()
    };
    // `super` in a/b.rs means a; in a/mod.rs (module a) also means the parent of a
    let _ = is_dir_module;
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            here.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {}
    }
    while rest.first().is_some_and(|s| s == "super") {
        here.pop();
        rest = &rest[1..];
    }
    here.extend(rest.iter().cloned());
    here
}

fn scan_crate(src: &Path) -> CrateModules {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut m = CrateModules {
        files: BTreeMap::new(),
        reexports: BTreeMap::new(),
        refs: BTreeMap::new(),
    };
    for f in files {
        let rel = f.strip_prefix(src).unwrap_or(&f).to_path_buf();
        let module = module_of(&rel);
        let is_dir = rel.file_name().is_some_and(|n| n == "mod.rs");
        let code = code_only(&std::fs::read_to_string(&f).unwrap_or_default());
        let refs: Vec<Vec<String>> = paths_in(&code).iter().map(|p| absolute(&module, is_dir, p)).collect();
        // `pub use a::b::Name;` and `pub use self::a::{X, Y}` re-exports
        let mut rx = BTreeMap::new();
        for stmt in code.split(';') {
            let t = stmt.trim_start();
            let Some(rest) = t.strip_prefix("pub use ").or_else(|| t.strip_prefix("pub(crate) use ")) else {
                continue;
            };
            let rest = rest.trim();
            let rest = if rest.starts_with("crate::") || rest.starts_with("self::") || rest.starts_with("super::") {
                rest.to_string()
            } else {
                format!("self::{rest}")
            };
            for p in paths_in(&rest) {
                let abs = absolute(&module, is_dir, &p);
                if let Some((name, from)) = abs.split_last() {
                    rx.insert(name.clone(), from.join("::"));
                }
            }
        }
        m.reexports.insert(module.clone(), rx);
        m.refs.insert(module.clone(), refs);
        m.files.insert(module, f);
    }
    m
}

/// The module file a path lands in: the deepest existing module prefix, following re-exports.
fn resolve(m: &CrateModules, path: &[String]) -> Option<String> {
    let mut best = None;
    for k in (0..=path.len()).rev() {
        let cand = path[..k].join("::");
        if m.files.contains_key(&cand) {
            best = Some((cand, k));
            break;
        }
    }
    let (module, k) = best?;
    if let Some(name) = path.get(k) {
        if let Some(from) = m.reexports.get(&module).and_then(|r| r.get(name)) {
            if from != &module && m.files.contains_key(from) {
                return Some(from.clone());
            }
            // re-exported from deeper than a file (e.g. a::b::Name where a::b is a module file)
            let mut p: Vec<String> = from.split("::").map(String::from).collect();
            p.push(name.clone());
            if let Some(r) = resolve_plain(m, &p) {
                return Some(r);
            }
        }
    }
    Some(module)
}

fn resolve_plain(m: &CrateModules, path: &[String]) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|k| path[..k].join("::"))
        .find(|c| m.files.contains_key(c))
}

/// Cycles between files (`top_level == false`), or between the crate's top-level modules, a
/// folder module counting as one node with all its files (`top_level == true`: catches a folder
/// whose files use a sibling file that uses the folder).
fn cycles(m: &CrateModules, top_level: bool) -> Vec<Vec<String>> {
    let node = |s: &str| -> String {
        if top_level {
            s.split("::").next().unwrap_or_default().to_string()
        } else {
            s.to_string()
        }
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, refs) in &m.refs {
        if module.is_empty() {
            continue; // the crate root is the facade
        }
        for r in refs {
            if let Some(t) = resolve(m, r) {
                let (a, b) = (node(module), node(&t));
                if a != b && !b.is_empty() {
                    edges.entry(a).or_default().insert(b);
                }
            }
        }
    }
    // Tarjan's strongly connected components
    struct St<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        on: BTreeSet<String>,
        stack: Vec<String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit(s: &mut St, v: &str) {
        s.index.insert(v.into(), s.next);
        s.low.insert(v.into(), s.next);
        s.next += 1;
        s.stack.push(v.into());
        s.on.insert(v.into());
        let succ: Vec<String> = s.edges.get(v).map(|e| e.iter().cloned().collect()).unwrap_or_default();
        for w in succ {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low[v];
                s.low.insert(v.into(), lv.min(lw));
            } else if s.on.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low[v];
                s.low.insert(v.into(), lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(&w);
                let done = w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = St {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: BTreeSet<String> = m.files.keys().map(|k| node(k)).collect();
    for v in nodes {
        if !s.index.contains_key(&v) {
            visit(&mut s, &v);
        }
    }
    // name the edges inside each cycle so the message says what to cut
    s.out
        .into_iter()
        .map(|comp| {
            let set: BTreeSet<&String> = comp.iter().collect();
            comp.iter()
                .flat_map(|a| {
                    edges
                        .get(a)
                        .into_iter()
                        .flatten()
                        .filter(|b| set.contains(b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect()
        })
        .collect()
}

fn crates() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(workspace().join("crates")) {
        for e in rd.flatten() {
            let src = e.path().join("src");
            if src.is_dir() {
                out.push((e.file_name().to_string_lossy().into_owned(), src));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn no_import_cycles_between_files_of_a_crate() {
    let mut problems = Vec::new();
    let all = crates();
    assert!(all.len() >= 7, "found only {} crates under crates/", all.len());
    for (name, src) in all {
        let m = scan_crate(&src);
        for c in cycles(&m, false) {
            problems.push(format!("{name}: files {}", c.join(", ")));
        }
        for c in cycles(&m, true) {
            problems.push(format!("{name}: top-level modules {}", c.join(", ")));
        }
    }
    assert!(
        problems.is_empty(),
        "import cycles between files:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn no_function_over_150_lines_in_src() {
    let mut problems = Vec::new();
    for (name, src) in crates() {
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for f in files {
            let code = code_only(&std::fs::read_to_string(&f).unwrap_or_default());
            for (line, func, len) in long_functions(&code) {
                let rel = f.strip_prefix(workspace()).unwrap_or(&f).display().to_string();
                problems.push(format!("{name}: {rel}:{line}: fn {func} is {len} lines"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n  {}",
        problems.join("\n  ")
    );
}

/// The files of a manifest's `[[test]]` tables (`path`, else cargo's default `tests/<name>.rs`),
/// when it sets `autotests = false`.
fn declared_test_roots(manifest: &str) -> Option<Vec<String>> {
    let value = |t: &str, key: &str| -> Option<String> {
        let v = t.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        Some(v.trim().trim_matches('"').to_string())
    };
    let off = manifest
        .lines()
        .any(|l| l.split('#').next().unwrap_or("").replace(' ', "") == "autotests=false");
    if !off {
        return None;
    }
    let mut roots = Vec::new();
    let mut table: Option<(Option<String>, Option<String>)> = None;
    let mut close = |t: &mut Option<(Option<String>, Option<String>)>| {
        if let Some((name, path)) = t.take() {
            roots.extend(path.or(name.map(|n| format!("tests/{n}.rs"))));
        }
    };
    for line in manifest.lines() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.starts_with('[') {
            close(&mut table);
            if t == "[[test]]" {
                table = Some((None, None));
            }
        } else if let Some((name, path)) = table.as_mut() {
            if let Some(v) = value(t, "name") {
                *name = Some(v);
            } else if let Some(v) = value(t, "path") {
                *path = Some(v);
            }
        }
    }
    close(&mut table);
    Some(roots)
}

/// The files directly in `tests/` that a test root's `mod name;` lines bring in: `name.rs`, or the
/// file its `#[path = "…"]` names (relative to `tests/`, as for a crate root there).
fn modules_of_root(raw: &str) -> Vec<String> {
    let code = code_only(raw);
    let mut out = Vec::new();
    let mut path: Option<String> = None;
    for (c, r) in code.lines().zip(raw.lines()) {
        let c = c.trim();
        if c.starts_with("#[path") {
            path = r.split('"').nth(1).map(str::to_string);
            continue;
        }
        let toks = tokens(c);
        let at = toks.iter().position(|t| t == "mod");
        if let Some(i) = at.filter(|&i| toks.get(i + 2).is_some_and(|t| t == ";")) {
            out.push(path.take().unwrap_or_else(|| format!("{}.rs", toks[i + 1])));
        } else if !c.starts_with("#[") && !c.is_empty() {
            path = None;
        }
    }
    out
}

#[test]
fn every_test_file_is_built_where_autotests_is_off() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, src) in crates() {
        let dir = src.parent().expect("crate folder");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        let Some(roots) = declared_test_roots(&manifest) else {
            continue;
        };
        checked += 1;
        let mut built: BTreeSet<String> = BTreeSet::new();
        for root in &roots {
            let raw = std::fs::read_to_string(dir.join(root)).unwrap_or_default();
            built.extend(modules_of_root(&raw));
            built.insert(root.trim_start_matches("tests/").to_string());
        }
        let Ok(rd) = std::fs::read_dir(dir.join("tests")) else {
            continue;
        };
        let mut files: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".rs"))
            .collect();
        files.sort();
        for f in files {
            if !built.contains(&f) {
                problems.push(format!("{name}: tests/{f} is neither a [[test]] nor a mod of one"));
            }
        }
    }
    assert!(checked >= 1, "no crate with autotests = false found");
    assert!(
        problems.is_empty(),
        "test files left out of every test binary:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_test_file_check_reads_manifests_and_mod_lines() {
    let m = "[package]\nautotests = false # one binary\n\n[[test]]\nname = \"suite\"\npath = \"tests/suite.rs\"\n\n[[test]]\nname = \"alone\"\n\n[dependencies]\nx = \"1\"\n";
    assert_eq!(
        declared_test_roots(m),
        Some(vec!["tests/suite.rs".to_string(), "tests/alone.rs".to_string()])
    );
    assert_eq!(declared_test_roots("[package]\nname = \"a\"\n"), None);
    let root = "//! mod not_this;\nmod a;\n#[path = \"b_file.rs\"]\nmod b;\n/* mod c; */\npub mod d;\nconst S: &str = \"mod e;\";\n";
    assert_eq!(modules_of_root(root), vec!["a.rs", "b_file.rs", "d.rs"]);
}

#[test]
fn the_scanner_finds_what_it_should() {
    let code = code_only("fn a() { let s = \"{ not a brace\"; let c = '{'; }\n// fn b() {\nfn c<'a>(x: &'a str) {}\n");
    assert!(!code.contains("not a brace"));
    assert!(long_functions(&code).is_empty());
    let long = format!("fn big() {{\n{}}}\n", "    let x = 1;\n".repeat(160));
    assert_eq!(long_functions(&long).len(), 1);
    let p = paths_in("use crate::a::{b, c::{d, e as f}};\nlet x = super::g::h();");
    assert!(p.contains(&vec!["crate".into(), "a".into(), "b".into()]));
    assert!(p.contains(&vec!["crate".into(), "a".into(), "c".into(), "e".into()]));
    assert!(p.contains(&vec!["super".into(), "g".into(), "h".into()]));
    assert_eq!(module_of(Path::new("a/mod.rs")), "a");
    assert_eq!(
        absolute("a::b", false, &["super".into(), "c".into()]),
        vec!["a".to_string(), "c".into()]
    );
}
