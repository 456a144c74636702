//! A bounded pre-scan of the pickles in PyTorch weight files, run before burn-store's reader sees
//! them.
//!
//! burn-store's pickle reader materialises every object (cloning whole sub-trees on each memo
//! put and get), recurses over nested objects when it drops, clones or prints them, and reads
//! string lengths and tensor shapes as declared. A hostile pickle therefore overflows the stack
//! (a list nested 10⁶ deep), exhausts memory (a memo get repeated on a large object) or time (one
//! `SETITEMS` of 10⁶ pairs is quadratic there). This scan runs the same pickle machine with
//! shared (reference-counted) values and charges each step what burn-store's step costs; it
//! refuses a pickle that nests deeper than [`MAX_DEPTH`], would hold more than [`MAX_LIVE`]
//! objects at once or cost more than [`MAX_WORK`] steps, declares a string longer than the bytes
//! that follow, or holds a line longer than [`MAX_LINE`] bytes. It never recurses over the input
//! and allocates at most what the input's own bytes account for.
//!
//! It also reports what burn-store will turn into tensors: under which dotted name (dictionaries
//! from the root, as burn-store joins them), in which storage, at which offset and with which
//! shape, so that the storages can be checked against the file before any data is read.

use std::collections::HashMap;
use std::io::BufRead;
use std::rc::Rc;

/// Deepest nesting of objects accepted (a state dict with its tensors nests about 8 deep).
pub const MAX_DEPTH: u32 = 100;
/// Most objects held at once on the stack and in the memo (a BagNet-33 state dict: about 10,000;
/// about 100 bytes each, in burn-store's reader and in this scan: at most about 50 MB).
pub const MAX_LIVE: u64 = 500_000;
/// Most steps (objects created, cloned or moved), a bound on burn-store's time.
pub const MAX_WORK: u64 = 50_000_000;
/// Longest line of a `GLOBAL` or `INT` opcode.
pub const MAX_LINE: usize = 4096;
/// Most nested `_rebuild_from_type_v2` calls followed.
const MAX_REBUILD: usize = 16;

/// A tensor the pickle rebuilds: its storage, offset and shape as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorRef {
    /// PyTorch storage type (`FloatStorage`, …).
    pub storage_type: String,
    /// Bytes per element of the storage type.
    pub elem_size: u64,
    /// Storage key (the zip entry `data/<key>`, the legacy storage `<key>`).
    pub key: String,
    pub offset: i64,
    pub shape: Vec<i64>,
    /// Elements of the whole storage, when the persistent id says (zip and legacy files do).
    pub storage_numel: Option<i64>,
}

/// Bytes per element of a storage type; None for a type burn-store does not read.
pub fn elem_size(storage_type: &str) -> Option<u64> {
    Some(match storage_type {
        "DoubleStorage" | "LongStorage" => 8,
        "FloatStorage" | "IntStorage" => 4,
        "HalfStorage" | "BFloat16Storage" | "ShortStorage" => 2,
        "CharStorage" | "ByteStorage" | "BoolStorage" => 1,
        _ => return None,
    })
}

/// A value of the scan: what burn-store's `Object` would be, shared instead of copied.
#[derive(Debug, Clone)]
pub enum V {
    Str(Rc<str>),
    Int(i64),
    /// A float, a bool or None.
    Scalar,
    Class(Rc<(String, String)>),
    Tuple(Rc<Vec<N>>),
    List(Rc<Vec<N>>),
    Dict(Rc<HashMap<String, N>>),
    /// A persistent id given as a string.
    Persistent,
    PersistentTuple(Rc<Vec<N>>),
    /// A tensor; None when its storage is given in a form this scan does not follow.
    Tensor(Option<Rc<TensorRef>>),
    /// An object burn-store keeps unevaluated (`NEWOBJ`, `BUILD` of a non-dict).
    Opaque,
}

/// A value with what burn-store's copy of it would cost: objects in it and nesting depth.
#[derive(Debug, Clone)]
pub struct N {
    pub v: V,
    nodes: u64,
    depth: u32,
}

impl N {
    fn leaf(v: V) -> N {
        N { v, nodes: 1, depth: 1 }
    }
    fn string(s: String) -> N {
        let nodes = 1 + s.len() as u64 / 64;
        N {
            v: V::Str(s.into()),
            nodes,
            depth: 1,
        }
    }
    fn seq(items: Vec<N>, make: impl FnOnce(Rc<Vec<N>>) -> V) -> N {
        let nodes = 1 + items.iter().map(|n| n.nodes).sum::<u64>();
        let depth = 1 + items.iter().map(|n| n.depth).max().unwrap_or(0);
        N {
            v: make(Rc::new(items)),
            nodes,
            depth,
        }
    }
    fn dict(map: HashMap<String, N>) -> N {
        let nodes = 1 + map.iter().map(|(k, v)| 1 + k.len() as u64 / 64 + v.nodes).sum::<u64>();
        let depth = 1 + map.values().map(|n| n.depth).max().unwrap_or(0);
        N {
            v: V::Dict(Rc::new(map)),
            nodes,
            depth,
        }
    }
    fn is_mark(&self) -> bool {
        matches!(&self.v, V::Class(c) if c.0 == "mark" && c.1 == "mark")
    }

    /// The strings of a list (other items left out, as burn-store does for the storage keys of
    /// a legacy file); None when not a list.
    pub fn string_list(&self) -> Option<Vec<String>> {
        match &self.v {
            V::List(items) => Some(
                items
                    .iter()
                    .filter_map(|n| match &n.v {
                        V::Str(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self.v {
            V::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The items of a tuple.
    pub fn tuple(&self) -> Option<&[N]> {
        match &self.v {
            V::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// A string, or the name of a class.
    pub fn name(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            V::Class(c) => Some(&c.1),
            _ => None,
        }
    }
}

/// What a scan found.
#[derive(Debug)]
pub struct Scan {
    /// Bytes of the pickle, up to and including its `STOP`.
    pub len: u64,
    /// The object the pickle builds.
    pub root: N,
    /// The tensors burn-store will find, by dotted name (dictionaries from the root).
    pub tensors: Vec<(String, Option<TensorRef>)>,
    /// Every tensor rebuilt anywhere in the pickle (burn-store sizes legacy storages by them).
    pub rebuilt: Vec<TensorRef>,
    /// Most objects held at once, and steps taken (against [`MAX_LIVE`] and [`MAX_WORK`]).
    #[cfg_attr(not(test), allow(dead_code))]
    pub peak_live: u64,
    #[cfg_attr(not(test), allow(dead_code))]
    pub work: u64,
}

/// The bytes of one pickle, at most `len` of them.
struct Source<R> {
    r: R,
    pos: u64,
    len: u64,
}

impl<R: BufRead> Source<R> {
    fn byte(&mut self) -> Result<u8, String> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), String> {
        if self.len - self.pos < buf.len() as u64 {
            return Err(format!("the pickle ends early, at byte {}", self.len));
        }
        self.r
            .read_exact(buf)
            .map_err(|e| format!("the pickle cannot be read at byte {}: {e}", self.pos))?;
        self.pos += buf.len() as u64;
        Ok(())
    }
    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// `n` bytes, refused before allocating when fewer follow.
    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, String> {
        if n > self.len - self.pos {
            return Err(format!(
                "a {what} at byte {} declares {n} bytes, but only {} follow",
                self.pos,
                self.len - self.pos
            ));
        }
        let mut v = vec![0u8; n as usize];
        self.exact(&mut v)?;
        Ok(v)
    }
    /// A line without its `\n` (and `\r`), at most [`MAX_LINE`] bytes.
    fn line(&mut self) -> Result<String, String> {
        let start = self.pos;
        let mut v = Vec::new();
        loop {
            let b = self.byte()?;
            if b == b'\n' {
                break;
            }
            if v.len() == MAX_LINE {
                return Err(format!("a line at byte {start} is longer than {MAX_LINE} bytes"));
            }
            v.push(b);
        }
        if v.last() == Some(&b'\r') {
            v.pop();
        }
        String::from_utf8(v).map_err(|_| format!("a line at byte {start} is not UTF-8"))
    }
}

/// The pickle machine with the running costs.
#[derive(Default)]
struct Machine {
    stack: Vec<N>,
    memo: HashMap<u32, N>,
    live: u64,
    peak_live: u64,
    work: u64,
    rebuilt: Vec<TensorRef>,
}

impl Machine {
    fn charge(&mut self, steps: u64) -> Result<(), String> {
        self.work = self.work.saturating_add(steps);
        if self.work > MAX_WORK {
            return Err(format!(
                "the pickle takes more than {MAX_WORK} steps to read (objects copied over and over)"
            ));
        }
        Ok(())
    }
    fn check(&mut self, n: &N) -> Result<(), String> {
        self.peak_live = self.peak_live.max(self.live);
        if n.depth > MAX_DEPTH {
            return Err(format!("the pickle nests objects more than {MAX_DEPTH} deep"));
        }
        if self.live > MAX_LIVE {
            return Err(format!("the pickle holds more than {MAX_LIVE} objects at once"));
        }
        Ok(())
    }
    fn push(&mut self, n: N) -> Result<(), String> {
        self.live += n.nodes;
        self.charge(1)?;
        self.check(&n)?;
        self.stack.push(n);
        Ok(())
    }
    fn pop(&mut self) -> Result<N, String> {
        let n = self.stack.pop().ok_or("the pickle pops an empty stack")?;
        self.live -= n.nodes;
        Ok(n)
    }
    fn top(&self) -> Result<&N, String> {
        self.stack
            .last()
            .ok_or_else(|| "the pickle reads an empty stack".to_string())
    }
    fn pop_to_mark(&mut self) -> Result<Vec<N>, String> {
        let pos = self
            .stack
            .iter()
            .rposition(N::is_mark)
            .ok_or("the pickle has no mark where one is needed")?;
        self.charge((self.stack.len() - pos) as u64)?;
        let items = self.stack.split_off(pos + 1);
        self.pop()?;
        self.live -= items.iter().map(|n| n.nodes).sum::<u64>();
        Ok(items)
    }
    /// Change the value on top of the stack, keeping the costs right.
    fn with_top(&mut self, f: impl FnOnce(&mut N) -> Result<(), String>) -> Result<(), String> {
        let mut top = self.pop()?;
        f(&mut top)?;
        self.push(top)
    }
    fn memo_put(&mut self, idx: u32) -> Result<(), String> {
        let n = self.top()?.clone();
        self.charge(n.nodes)?;
        self.live += n.nodes;
        self.check(&n)?;
        if let Some(old) = self.memo.insert(idx, n) {
            self.live -= old.nodes;
        }
        Ok(())
    }
    fn memo_get(&mut self, idx: u32) -> Result<(), String> {
        let n = self
            .memo
            .get(&idx)
            .cloned()
            .ok_or_else(|| format!("the pickle reads memo entry {idx}, which was never stored"))?;
        self.charge(n.nodes)?;
        self.push(n)
    }
}

fn dict_key(n: N) -> Result<String, String> {
    match n.v {
        V::Str(s) => Ok(s.to_string()),
        V::Int(i) => Ok(i.to_string()),
        _ => Err("a dictionary key is neither a string nor an integer".into()),
    }
}

/// Scan one pickle of at most `len` bytes from `r`.
pub fn scan<R: BufRead>(r: R, len: u64) -> Result<Scan, String> {
    let mut src = Source { r, pos: 0, len };
    let mut m = Machine::default();
    loop {
        let op = src.byte()?;
        if op == b'.' {
            break;
        }
        step(&mut m, &mut src, op)?;
    }
    let root = m.pop()?;
    let tensors = tensors_of(&root)?;
    Ok(Scan {
        len: src.pos,
        root,
        tensors,
        rebuilt: m.rebuilt,
        peak_live: m.peak_live,
        work: m.work,
    })
}

/// One opcode (burn-store's set; any other is refused, as burn-store refuses it).
fn step<R: BufRead>(m: &mut Machine, src: &mut Source<R>, op: u8) -> Result<(), String> {
    if literal(m, src, op)? {
        return Ok(());
    }
    match op {
        b')' => m.push(N::seq(Vec::new(), V::Tuple))?,
        b']' => m.push(N::seq(Vec::new(), V::List))?,
        b'}' => m.push(N::dict(HashMap::new()))?,
        b'(' => m.push(N::leaf(V::Class(Rc::new(("mark".into(), "mark".into())))))?,
        b't' => {
            let items = m.pop_to_mark()?;
            m.push(N::seq(items, V::Tuple))?;
        }
        0x85..=0x87 => {
            let k = (op - 0x84) as usize;
            let mut items = Vec::with_capacity(k);
            for _ in 0..k {
                items.push(m.pop()?);
            }
            items.reverse();
            m.push(N::seq(items, V::Tuple))?;
        }
        b'l' => {
            let items = m.pop_to_mark()?;
            m.push(N::seq(items, V::List))?;
        }
        b'a' | b'e' => {
            let items = if op == b'a' { vec![m.pop()?] } else { m.pop_to_mark()? };
            m.charge(items.len() as u64)?;
            m.with_top(|top| append(top, items))?;
        }
        b's' | b'u' | b'd' => set_items(m, op)?,
        b'q' => {
            let i = src.byte()? as u32;
            m.memo_put(i)?;
        }
        b'r' => {
            let i = src.u32()?;
            m.memo_put(i)?;
        }
        0x94 => {
            let i = m.memo.len() as u32;
            m.memo_put(i)?;
        }
        b'h' => {
            let i = src.byte()? as u32;
            m.memo_get(i)?;
        }
        b'j' => {
            let i = src.u32()?;
            m.memo_get(i)?;
        }
        b'Q' => {
            let pid = m.pop()?;
            let n = match pid.v {
                V::Str(_) => N::leaf(V::Persistent),
                V::Tuple(t) => N {
                    v: V::PersistentTuple(t),
                    ..pid
                },
                _ => return Err("a persistent id is neither a string nor a tuple".into()),
            };
            m.push(n)?;
        }
        b'R' => {
            let args = m.pop()?;
            let callable = m.pop()?;
            m.charge(2 * (callable.nodes + args.nodes))?;
            let n = reduce(m, callable, args)?;
            m.push(n)?;
        }
        b'b' => {
            let args = m.pop()?;
            let obj = m.pop()?;
            let n = match (obj.v, args.v) {
                (V::Dict(d), V::Dict(update)) => {
                    let mut top = N { v: V::Dict(d), ..obj };
                    let pairs: Vec<(String, N)> = update.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    m.charge(pairs.len() as u64)?;
                    insert(&mut top, pairs)?;
                    top
                }
                (v @ V::Dict(_), _) => N { v, ..obj },
                _ => N {
                    v: V::Opaque,
                    nodes: 1 + obj.nodes + args.nodes,
                    depth: 1 + obj.depth.max(args.depth),
                },
            };
            m.push(n)?;
        }
        0x81 => {
            let args = m.pop()?;
            let cls = m.pop()?;
            m.push(N::seq(vec![cls, args], |_| V::Opaque))?;
        }
        other => {
            return Err(format!(
                "unsupported pickle opcode 0x{other:02x} at byte {}",
                src.pos - 1
            ))
        }
    }
    Ok(())
}

/// The opcodes that push a literal (number, string, class name) or set the protocol; false for
/// any other.
fn literal<R: BufRead>(m: &mut Machine, src: &mut Source<R>, op: u8) -> Result<bool, String> {
    match op {
        0x80 => {
            let v = src.byte()?;
            if v > 5 {
                return Err(format!("unsupported pickle protocol {v}"));
            }
        }
        b'c' => {
            let module = src.line()?;
            let name = src.line()?;
            m.push(N::leaf(V::Class(Rc::new((module, name)))))?;
        }
        b'J' => {
            let v = src.u32()? as i32;
            m.push(N::leaf(V::Int(v as i64)))?;
        }
        b'I' => {
            let line = src.line()?;
            let v = line
                .parse::<i64>()
                .map_err(|_| format!("INT '{}' is not a 64-bit integer", dimorph_core::text::clip(&line)))?;
            m.push(N::leaf(V::Int(v)))?;
        }
        b'K' => {
            let v = src.byte()?;
            m.push(N::leaf(V::Int(v as i64)))?;
        }
        b'M' => {
            let mut b = [0u8; 2];
            src.exact(&mut b)?;
            m.push(N::leaf(V::Int(u16::from_le_bytes(b) as i64)))?;
        }
        b'G' => {
            let mut b = [0u8; 8];
            src.exact(&mut b)?;
            m.push(N::leaf(V::Scalar))?;
        }
        b'X' | b'U' => {
            let n = if op == b'X' {
                src.u32()? as u64
            } else {
                src.byte()? as u64
            };
            let bytes = src.bytes(n, "string")?;
            let s = String::from_utf8(bytes).map_err(|_| format!("a string before byte {} is not UTF-8", src.pos))?;
            m.push(N::string(s))?;
        }
        0x8a => {
            let n = src.byte()? as u64;
            let b = src.bytes(n, "long integer")?;
            let mut v = 0i64;
            for (i, &byte) in b.iter().enumerate().take(8) {
                v |= (byte as i64).wrapping_shl(i as u32 * 8);
            }
            if n < 8 && b.last().is_some_and(|&x| x & 0x80 != 0) {
                for i in n..8 {
                    v |= 0xffi64.wrapping_shl(i as u32 * 8);
                }
            }
            m.push(N::leaf(V::Int(v)))?;
        }
        b'N' | 0x88 | 0x89 => m.push(N::leaf(V::Scalar))?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// `APPEND`/`APPENDS` onto the list on top of the stack.
fn append(top: &mut N, items: Vec<N>) -> Result<(), String> {
    let V::List(list) = &mut top.v else {
        return Err("the pickle appends to something that is not a list".into());
    };
    for it in &items {
        top.nodes += it.nodes;
        top.depth = top.depth.max(it.depth + 1);
    }
    Rc::make_mut(list).extend(items);
    Ok(())
}

/// `SETITEM`, `SETITEMS` (onto the dictionary on top of the stack) and `DICT` (a new one).
fn set_items(m: &mut Machine, op: u8) -> Result<(), String> {
    let items = if op == b's' {
        let v = m.pop()?;
        let k = m.pop()?;
        if !matches!(k.v, V::Str(_)) {
            return Err("a dictionary key is not a string".into());
        }
        vec![k, v]
    } else {
        m.pop_to_mark()?
    };
    if items.len() % 2 != 0 {
        return Err("a dictionary is built from an odd number of objects".into());
    }
    // burn-store removes the pairs from the front one by one, a quadratic number of moves (each
    // cheaper than copying an object: counted 1/8), or copies them.
    let n = items.len() as u64;
    m.charge(n.saturating_mul(n) / 16 + items.iter().map(|i| i.nodes).sum::<u64>())?;
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        pairs.push((dict_key(k)?, v));
    }
    if op == b'd' {
        return m.push(N::dict(pairs.into_iter().collect()));
    }
    m.with_top(|top| insert(top, pairs))
}

/// Insert pairs into the dictionary `top`, keeping its costs right.
fn insert(top: &mut N, pairs: Vec<(String, N)>) -> Result<(), String> {
    let V::Dict(d) = &mut top.v else {
        return Err("the pickle sets items of something that is not a dictionary".into());
    };
    let d = Rc::make_mut(d);
    for (k, v) in pairs {
        top.nodes += 1 + k.len() as u64 / 64 + v.nodes;
        top.depth = top.depth.max(v.depth + 1);
        if let Some(old) = d.insert(k, v) {
            top.nodes -= old.nodes.min(top.nodes);
        }
    }
    Ok(())
}

/// `REDUCE`: an `OrderedDict`, or burn-store's `rebuild_from_type_v2` on (callable, args).
fn reduce(m: &mut Machine, callable: N, args: N) -> Result<N, String> {
    if let V::Class(c) = &callable.v {
        if c.0 == "collections" && c.1 == "OrderedDict" {
            let items = match &args.v {
                V::Tuple(t) => t.first().and_then(|f| match &f.v {
                    V::List(l) => Some(l.clone()),
                    _ => None,
                }),
                V::List(l) => Some(l.clone()),
                _ => None,
            };
            let mut d = HashMap::new();
            for item in items.iter().flat_map(|l| l.iter()) {
                if let V::List(p) | V::Tuple(p) = &item.v {
                    if let (Some(V::Str(k)), Some(v)) = (p.first().map(|x| &x.v), p.get(1)) {
                        m.charge(v.nodes)?;
                        d.insert(k.to_string(), v.clone());
                    }
                }
            }
            return Ok(N::dict(d));
        }
    }
    rebuild(m, vec![callable, args])
}

/// burn-store's `rebuild_from_type_v2`, followed at most [`MAX_REBUILD`] levels deep.
fn rebuild(m: &mut Machine, mut items: Vec<N>) -> Result<N, String> {
    for _ in 0..MAX_REBUILD {
        let Some(V::Class(c)) = items.first().map(|f| f.v.clone()) else {
            return Err("a REDUCE calls something that is not a class".into());
        };
        let actual = if items.len() == 2 && matches!(items[1].v, V::Tuple(_)) {
            items[1].clone()
        } else {
            N::seq(items[1..].to_vec(), V::Tuple)
        };
        m.charge(actual.nodes)?;
        let args: Vec<N> = actual.tuple().map(<[N]>::to_vec).unwrap_or_default();
        match (c.0.as_str(), c.1.as_str()) {
            ("torch._utils", "_rebuild_tensor_v2") => return tensor(m, &args, 5),
            ("torch._utils", "_rebuild_tensor") => return tensor(m, &args, 4),
            ("torch._tensor", "_rebuild_from_type_v2") => items = args,
            ("torch._utils", "_rebuild_parameter") => {
                let data = args.first().ok_or("_rebuild_parameter without arguments")?;
                if matches!(data.v, V::Opaque) {
                    return Err("_rebuild_parameter of an unevaluated object".into());
                }
                m.charge(data.nodes)?;
                return Ok(data.clone());
            }
            ("collections", "OrderedDict") => return Ok(N::dict(HashMap::new())),
            (module, name) => {
                return Err(format!(
                    "unsupported Python type '{}.{}' (a whole model rather than a state dict?)",
                    dimorph_core::text::clip(module),
                    dimorph_core::text::clip(name)
                ))
            }
        }
    }
    Err(format!("_rebuild_from_type_v2 nested more than {MAX_REBUILD} deep"))
}

/// burn-store's `rebuild_tensor(_v2)`: storage, offset, shape.
fn tensor(m: &mut Machine, args: &[N], min: usize) -> Result<N, String> {
    if args.len() < min {
        return Err(format!(
            "a tensor is rebuilt from {} arguments, fewer than {min}",
            args.len()
        ));
    }
    let tuple = match &args[0].v {
        V::PersistentTuple(t) | V::Tuple(t) => t.clone(),
        V::Persistent => return Ok(N::leaf(V::Tensor(None))),
        _ => return Err("a tensor's storage is not a persistent id".into()),
    };
    let offset = args[1].int().unwrap_or(0);
    let shape = match &args[2].v {
        V::Tuple(t) => t
            .iter()
            .map(|d| d.int().ok_or("a tensor's shape holds something other than integers"))
            .collect::<Result<Vec<i64>, _>>()?,
        _ => return Err("a tensor's shape is not a tuple".into()),
    };
    if tuple.len() < 3 {
        return Err("a tensor's storage id has fewer than 3 parts".into());
    }
    let storage_type = tuple[1]
        .name()
        .ok_or("a tensor's storage type is not a name")?
        .to_string();
    let elem_size = elem_size(&storage_type)
        .ok_or_else(|| format!("unknown storage type '{}'", dimorph_core::text::clip(&storage_type)))?;
    let V::Str(key) = &tuple[2].v else {
        return Err("a tensor's storage key is not a string".into());
    };
    let r = TensorRef {
        storage_type,
        elem_size,
        key: key.to_string(),
        offset,
        shape: shape.clone(),
        storage_numel: tuple.get(4).and_then(N::int),
    };
    m.rebuilt.push(r.clone());
    Ok(N {
        v: V::Tensor(Some(Rc::new(r))),
        nodes: 1 + shape.len() as u64 / 8,
        depth: 1,
    })
}

/// The tensors under dictionaries from the root, by dotted name, as burn-store collects them.
fn tensors_of(root: &N) -> Result<Vec<(String, Option<TensorRef>)>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let V::Dict(_) = &root.v else {
        return Ok(out);
    };
    // (prefix, dictionary) pairs still to visit; the depth is bounded by MAX_DEPTH.
    let mut todo: Vec<(String, &N)> = vec![(String::new(), root)];
    while let Some((prefix, n)) = todo.pop() {
        let V::Dict(d) = &n.v else { continue };
        for (k, v) in d.iter() {
            let name = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match &v.v {
                V::Dict(_) => todo.push((name, v)),
                V::Tensor(t) => {
                    if !seen.insert(name.clone()) {
                        return Err(format!(
                            "two tensors are both named '{}'",
                            dimorph_core::text::clip(&name)
                        ));
                    }
                    out.push((name, t.as_deref().cloned()));
                }
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> Result<Scan, String> {
        scan(bytes, bytes.len() as u64)
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        // ((((…[]…)))) 10^6 deep with one object on the stack at a time.
        let mut p = vec![0x80, 2, b']'];
        p.extend(std::iter::repeat_n(0x85, 1_000_000));
        p.push(b'.');
        let e = run(&p).unwrap_err();
        assert!(e.contains("more than 100 deep"), "{e}");
        // [[[…]]] 10^6 deep: 10^6 lists on the stack first.
        let mut p = vec![0x80, 2];
        p.extend(std::iter::repeat_n(b']', 1_000_000));
        p.extend(std::iter::repeat_n(b'a', 999_999));
        p.push(b'.');
        let e = run(&p).unwrap_err();
        assert!(e.contains("more than 500000 objects"), "{e}");
    }

    #[test]
    fn copies_of_copies_are_refused() {
        // [x, x] memoised, then doubled 64 times: 2^64 objects in burn-store's copies.
        let mut p = vec![0x80, 2, b']', b'q', 0];
        for _ in 0..64 {
            p.extend([b'h', 0, b'h', 0, 0x86, b'q', 0]);
        }
        p.push(b'.');
        let e = run(&p).unwrap_err();
        assert!(e.contains("steps") || e.contains("objects"), "{e}");
    }

    #[test]
    fn a_string_longer_than_the_pickle_is_refused_before_allocating() {
        let mut p = vec![0x80, 2, b'X'];
        p.extend(u32::MAX.to_le_bytes());
        p.extend(b"abc.");
        let e = run(&p).unwrap_err();
        assert!(e.contains("declares 4294967295 bytes"), "{e}");
    }

    #[test]
    fn a_large_setitems_is_refused() {
        let mut p = vec![0x80, 2, b'}', b'('];
        for i in 0..20_000u32 {
            p.push(b'J');
            p.extend(i.to_le_bytes());
            p.push(b'N');
        }
        p.extend([b'u', b'.']);
        let e = run(&p).unwrap_err();
        assert!(e.contains("steps"), "{e}");
    }

    /// The fixture's state dict (every tensor of a BagNet-33, as the published checkpoints hold
    /// them) is far inside the limits.
    #[test]
    fn a_bagnet_state_dict_is_far_inside_the_limits() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bagnet33_w32.pth.tar");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("bagnet33_w32.pth/data.pkl").unwrap(), &mut bytes).unwrap();
        let s = run(&bytes).unwrap();
        assert_eq!(s.tensors.len(), 321);
        println!("peak live {}, work {}", s.peak_live, s.work);
        assert!(
            s.peak_live * 40 < MAX_LIVE && s.work * 40 < MAX_WORK,
            "{} {}",
            s.peak_live,
            s.work
        );
    }

    #[test]
    fn a_state_dict_is_read_with_its_tensors() {
        // {"w": _rebuild_tensor_v2(("storage", "FloatStorage", "0", "cpu", 6), 0, (2, 3), (3, 1), False)}
        let mut p = vec![0x80, 2, b'}', b'(', b'X', 1, 0, 0, 0, b'w'];
        p.extend(b"ctorch._utils\n_rebuild_tensor_v2\n(");
        p.extend(
            b"(X\x07\x00\x00\x00storageX\x0c\x00\x00\x00FloatStorageX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ",
        );
        p.extend(b"K\x00K\x02K\x03\x86K\x03K\x01\x86\x89tR");
        p.extend(b"u.");
        let s = run(&p).unwrap();
        assert_eq!(s.tensors.len(), 1);
        let (name, t) = &s.tensors[0];
        assert_eq!(name, "w");
        let t = t.as_ref().unwrap();
        assert_eq!(
            (t.key.as_str(), t.offset, t.shape.as_slice(), t.storage_numel),
            ("0", 0, &[2i64, 3][..], Some(6))
        );
    }
}
