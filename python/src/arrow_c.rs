//! Data in through the Arrow C data interface: a table that offers `__arrow_c_stream__` (a pyarrow
//! `Table` or `RecordBatch`, a polars `DataFrame`, DuckDB results, …) hands over its record batches
//! as C structs, and each column is read straight from Arrow's buffers into the engine's frame —
//! numbers into one float64 vector (nulls as NaN), text into `str` cells — without Python objects
//! per cell and without the `arrow` crate (the three structs of the interface are declared here,
//! as the specification gives them: <https://arrow.apache.org/docs/format/CDataInterface.html>,
//! `ArrowArrayStream`: <https://arrow.apache.org/docs/format/CStreamInterface.html>).
//!
//! Types read: float64/32, signed and unsigned integers of 8–64 bits, boolean (as 0/1), utf8 and
//! large utf8, and dictionary-encoded columns of those (categoricals). Any other type is refused
//! with a message naming the column and its Arrow format string; `dimorph/_data.py` only takes
//! this path when every column's type is one of these, and converts the others itself.
//!
//! The frame owns its columns (`dimorph_data::Frame` holds `Vec<f64>`), so a numeric column is
//! copied once, from Arrow's buffer into the frame; nothing else is copied.

use std::ffi::{c_char, c_void, CStr};
use std::ptr;

use dimorph_data::{column_from_cells, is_missing_token, Column, ColumnData};
use pyo3::prelude::*;

use crate::frame::PyFrame;
use crate::outcome::input_error;

/// `struct ArrowSchema` of the C data interface.
#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the C data interface.
#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the C stream interface.
#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> i32>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> i32>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

impl ArrowSchema {
    fn empty() -> Self {
        ArrowSchema {
            format: ptr::null(),
            name: ptr::null(),
            metadata: ptr::null(),
            flags: 0,
            n_children: 0,
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: None,
            private_data: ptr::null_mut(),
        }
    }
}

impl ArrowArray {
    fn empty() -> Self {
        ArrowArray {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: ptr::null_mut(),
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: None,
            private_data: ptr::null_mut(),
        }
    }
}

/// Releases a struct of the interface when dropped (if its producer has not been told already).
struct Owned<T: Release>(T);

trait Release {
    fn release(&mut self);
}

impl Release for ArrowSchema {
    fn release(&mut self) {
        if let Some(r) = self.release {
            // SAFETY: the producer's release callback, called once on the struct it filled
            unsafe { r(self) };
        }
    }
}

impl Release for ArrowArray {
    fn release(&mut self) {
        if let Some(r) = self.release {
            // SAFETY: as above
            unsafe { r(self) };
        }
    }
}

impl Release for ArrowArrayStream {
    fn release(&mut self) {
        if let Some(r) = self.release {
            // SAFETY: as above
            unsafe { r(self) };
        }
    }
}

impl<T: Release> Drop for Owned<T> {
    fn drop(&mut self) {
        self.0.release();
    }
}

fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the interface's strings are NUL-terminated UTF-8 owned by the producer
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// What a column's Arrow type reads as.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    F64,
    F32,
    Int(u8, bool),
    Bool,
    Utf8,
    LargeUtf8,
    /// `vu`: string views (polars' strings): 16-byte views, short strings inline, longer ones in
    /// variadic data buffers.
    Utf8View,
}

fn kind(format: &str) -> Option<Kind> {
    Some(match format {
        "g" => Kind::F64,
        "f" => Kind::F32,
        "c" => Kind::Int(1, true),
        "s" => Kind::Int(2, true),
        "i" => Kind::Int(4, true),
        "l" => Kind::Int(8, true),
        "C" => Kind::Int(1, false),
        "S" => Kind::Int(2, false),
        "I" => Kind::Int(4, false),
        "L" => Kind::Int(8, false),
        "b" => Kind::Bool,
        "u" => Kind::Utf8,
        "U" => Kind::LargeUtf8,
        "vu" => Kind::Utf8View,
        _ => return None,
    })
}

/// A column's schema: its kind, and for a dictionary-encoded column the kind of the indices.
struct ColSchema {
    name: String,
    values: Kind,
    /// The index type when dictionary-encoded.
    index: Option<Kind>,
}

fn col_schema(s: &ArrowSchema) -> PyResult<ColSchema> {
    let name = cstr(s.name);
    let format = cstr(s.format);
    let bad = |f: &str| {
        input_error(format!(
            "Arrow stream: column '{}' has the Arrow type '{f}', which dimorph does not read (cast it to float64 or string)",
            dimorph_core::text::clip(&name)
        ))
    };
    if s.dictionary.is_null() {
        let values = kind(&format).ok_or_else(|| bad(&format))?;
        return Ok(ColSchema {
            name,
            values,
            index: None,
        });
    }
    // SAFETY: a non-null dictionary schema is valid for the parent's lifetime
    let d = unsafe { &*s.dictionary };
    let dformat = cstr(d.format);
    let values = kind(&dformat).ok_or_else(|| bad(&dformat))?;
    let index = kind(&format)
        .filter(|k| matches!(k, Kind::Int(..)))
        .ok_or_else(|| bad(&format))?;
    Ok(ColSchema {
        name,
        values,
        index: Some(index),
    })
}

/// One column's cells, gathered over the batches.
enum Cells {
    Num(Vec<f64>),
    Text(Vec<Option<String>>),
}

/// A view of one array: its buffers, validity and offset (the parent's offset added).
struct View<'a> {
    a: &'a ArrowArray,
    offset: usize,
}

impl View<'_> {
    fn buffer(&self, i: usize) -> *const u8 {
        if (i as i64) >= self.a.n_buffers || self.a.buffers.is_null() {
            return ptr::null();
        }
        // SAFETY: `i` < n_buffers, so the slot exists
        unsafe { *self.a.buffers.add(i) as *const u8 }
    }

    fn valid(&self, i: usize) -> bool {
        let bits = self.buffer(0);
        if bits.is_null() || self.a.null_count == 0 {
            return true;
        }
        let j = self.offset + i;
        // SAFETY: the validity bitmap holds offset + length bits
        unsafe { (*bits.add(j / 8) >> (j % 8)) & 1 == 1 }
    }

    /// The value at `i` as a number (for numeric kinds).
    fn number(&self, k: Kind, i: usize) -> f64 {
        let j = self.offset + i;
        let b = self.buffer(1);
        // SAFETY: the data buffer of a fixed-width array holds offset + length values of its width
        unsafe {
            match k {
                Kind::F64 => *(b as *const f64).add(j),
                Kind::F32 => f64::from(*(b as *const f32).add(j)),
                Kind::Int(1, true) => f64::from(*(b as *const i8).add(j)),
                Kind::Int(2, true) => f64::from(*(b as *const i16).add(j)),
                Kind::Int(4, true) => f64::from(*(b as *const i32).add(j)),
                Kind::Int(_, true) => *(b as *const i64).add(j) as f64,
                Kind::Int(1, false) => f64::from(*b.add(j)),
                Kind::Int(2, false) => f64::from(*(b as *const u16).add(j)),
                Kind::Int(4, false) => f64::from(*(b as *const u32).add(j)),
                Kind::Int(_, false) => *(b as *const u64).add(j) as f64,
                Kind::Bool => f64::from((*b.add(j / 8) >> (j % 8)) & 1),
                Kind::Utf8 | Kind::LargeUtf8 | Kind::Utf8View => f64::NAN,
            }
        }
    }

    /// The value at `i` of a string-view array: a 16-byte view (length; then the bytes inline up
    /// to 12, else a 4-byte prefix, the data buffer's index and the offset in it). The data
    /// buffers are 2 … n_buffers − 2 (the last holds their sizes).
    fn text_view(&self, j: usize) -> String {
        let views = self.buffer(1);
        if views.is_null() {
            return String::new();
        }
        // SAFETY: the views buffer holds offset + length views of 16 bytes
        let view = unsafe { std::slice::from_raw_parts(views.add(16 * j), 16) };
        let word = |at: usize| i32::from_le_bytes([view[at], view[at + 1], view[at + 2], view[at + 3]]);
        let len = word(0).max(0) as usize;
        if len <= 12 {
            return String::from_utf8_lossy(&view[4..4 + len]).into_owned();
        }
        let (buf, off) = (word(8).max(0) as usize, word(12).max(0) as usize);
        let n_data = (self.a.n_buffers.max(3) - 3) as usize;
        let data = if buf < n_data {
            self.buffer(2 + buf)
        } else {
            ptr::null()
        };
        if data.is_null() {
            return String::new();
        }
        // SAFETY: the view's [offset, offset + length) lies inside its data buffer
        let bytes = unsafe { std::slice::from_raw_parts(data.add(off), len) };
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// The value at `i` as text (utf8 kinds).
    fn text(&self, k: Kind, i: usize) -> String {
        let j = self.offset + i;
        if k == Kind::Utf8View {
            return self.text_view(j);
        }
        let (offs, data) = (self.buffer(1), self.buffer(2));
        // SAFETY: the offsets buffer holds offset + length + 1 offsets into the data buffer
        let (lo, hi) = unsafe {
            match k {
                Kind::LargeUtf8 => {
                    let o = offs as *const i64;
                    (*o.add(j) as usize, *o.add(j + 1) as usize)
                }
                _ => {
                    let o = offs as *const i32;
                    (*o.add(j) as usize, *o.add(j + 1) as usize)
                }
            }
        };
        if hi <= lo || data.is_null() {
            return String::new();
        }
        // SAFETY: [lo, hi) lies inside the data buffer
        let bytes = unsafe { std::slice::from_raw_parts(data.add(lo), hi - lo) };
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// The index at `i` of a dictionary-encoded array.
    fn index(&self, k: Kind, i: usize) -> usize {
        self.number(k, i) as usize
    }
}

/// Appends rows `0..len` of one column's array to its cells.
fn append(cells: &mut Cells, sc: &ColSchema, a: &ArrowArray, parent_offset: usize, len: usize) -> PyResult<()> {
    let v = View {
        a,
        offset: parent_offset + a.offset.max(0) as usize,
    };
    let dict = if sc.index.is_some() {
        if a.dictionary.is_null() {
            return Err(input_error(format!(
                "Arrow stream: column '{}' is dictionary-encoded but a batch has no dictionary",
                dimorph_core::text::clip(&sc.name)
            )));
        }
        // SAFETY: non-null dictionary array of the column, valid while the batch is held
        Some(View {
            a: unsafe { &*a.dictionary },
            offset: unsafe { (*a.dictionary).offset.max(0) as usize },
        })
    } else {
        None
    };
    // the value at row i: (array, position) after the dictionary lookup
    let at = |i: usize| -> Option<(&View, usize)> {
        if !v.valid(i) {
            return None;
        }
        match (&dict, sc.index) {
            (Some(d), Some(ik)) => {
                let j = v.index(ik, i);
                ((j as i64) < d.a.length && d.valid(j)).then_some((d, j))
            }
            _ => Some((&v, i)),
        }
    };
    match cells {
        Cells::Num(out) => {
            out.reserve(len);
            if sc.index.is_none() && sc.values == Kind::F64 && (a.null_count == 0 || v.buffer(0).is_null()) {
                // the common case: one copy of the buffer
                let b = v.buffer(1) as *const f64;
                // SAFETY: a float64 data buffer of offset + length values
                out.extend_from_slice(unsafe { std::slice::from_raw_parts(b.add(v.offset), len) });
            } else {
                out.extend((0..len).map(|i| at(i).map_or(f64::NAN, |(w, j)| w.number(sc.values, j))));
            }
        }
        Cells::Text(out) => {
            out.reserve(len);
            out.extend((0..len).map(|i| at(i).map(|(w, j)| w.text(sc.values, j))));
        }
    }
    Ok(())
}

/// Reads a whole stream: the columns of every batch, appended.
fn read_stream(stream: &mut ArrowArrayStream) -> PyResult<(Vec<ColSchema>, Vec<Cells>)> {
    let err = |s: &mut ArrowArrayStream, what: &str, code: i32| {
        let msg = s.get_last_error.map(|f| unsafe { cstr(f(s)) }).unwrap_or_default();
        input_error(format!("Arrow stream: {what} failed (error {code}): {msg}"))
    };
    let get_schema = stream
        .get_schema
        .ok_or_else(|| input_error("Arrow stream: no get_schema"))?;
    let get_next = stream
        .get_next
        .ok_or_else(|| input_error("Arrow stream: no get_next"))?;
    let mut schema = Owned(ArrowSchema::empty());
    // SAFETY: the stream's own callback fills `schema`, which we release (Owned)
    let rc = unsafe { get_schema(stream, &mut schema.0) };
    if rc != 0 {
        return Err(err(stream, "get_schema", rc));
    }
    let top = &schema.0;
    if cstr(top.format) != "+s" {
        return Err(input_error(
            "Arrow stream: expected a stream of record batches (a struct)",
        ));
    }
    let cols: Vec<ColSchema> = (0..top.n_children.max(0) as usize)
        // SAFETY: n_children valid child schemas
        .map(|j| col_schema(unsafe { &**top.children.add(j) }))
        .collect::<PyResult<_>>()?;
    let mut cells: Vec<Cells> = cols
        .iter()
        .map(|c| match c.values {
            Kind::Utf8 | Kind::LargeUtf8 | Kind::Utf8View => Cells::Text(Vec::new()),
            _ => Cells::Num(Vec::new()),
        })
        .collect();
    loop {
        let mut batch = Owned(ArrowArray::empty());
        // SAFETY: as get_schema
        let rc = unsafe { get_next(stream, &mut batch.0) };
        if rc != 0 {
            return Err(err(stream, "get_next", rc));
        }
        if batch.0.release.is_none() {
            break; // end of the stream
        }
        let b = &batch.0;
        if b.n_children as usize != cols.len() {
            return Err(input_error("Arrow stream: a batch does not match the schema"));
        }
        let len = b.length.max(0) as usize;
        for (j, (sc, c)) in cols.iter().zip(&mut cells).enumerate() {
            // SAFETY: n_children valid child arrays
            let child = unsafe { &**b.children.add(j) };
            append(c, sc, child, b.offset.max(0) as usize, len)?;
        }
    }
    Ok((cols, cells))
}

/// A frame from an object's `__arrow_c_stream__` capsule (consumed). `source` names the data in
/// messages.
#[pyfunction]
pub fn frame_from_arrow_stream(py: Python<'_>, source: String, capsule: Bound<'_, PyAny>) -> PyResult<PyFrame> {
    let name = c"arrow_array_stream";
    // SAFETY: PyCapsule_GetPointer checks the capsule's type and name (NULL with an exception)
    let p = unsafe { pyo3::ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr()) } as *mut ArrowArrayStream;
    if p.is_null() {
        return Err(PyErr::take(py).unwrap_or_else(|| input_error("not an arrow_array_stream capsule")));
    }
    // move the stream out of the capsule (the interface's rule: the capsule then releases nothing)
    // SAFETY: `p` points to a valid stream owned by the capsule
    let mut stream = Owned(unsafe { ptr::read(p) });
    unsafe { (*p).release = None };
    let (cols, cells) = read_stream(&mut stream.0)?;
    drop(stream);
    for (j, c) in cols.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(input_error(format!("{source}: column {} has an empty name", j + 1)));
        }
        if cols[..j].iter().any(|d| d.name == c.name) {
            return Err(input_error(format!(
                "{source}: column name '{}' appears twice",
                dimorph_core::text::clip(&c.name)
            )));
        }
    }
    let columns = cols
        .into_iter()
        .zip(cells)
        .map(|(sc, c)| match c {
            Cells::Num(v) => Column {
                name: sc.name,
                data: ColumnData::Num(v),
            },
            Cells::Text(t) => {
                let t = t
                    .into_iter()
                    .map(|c| c.filter(|s| !is_missing_token(s)).map(|s| s.trim().to_string()))
                    .collect();
                column_from_cells(&sc.name, t, 1)
            }
        })
        .collect::<Vec<_>>();
    let mut inner = dimorph_data::Frame::from_columns(&source, columns).map_err(input_error)?;
    inner.first_line = 1;
    Ok(PyFrame { inner })
}
