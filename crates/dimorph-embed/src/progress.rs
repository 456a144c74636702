//! How the engine reports progress: the front end passes an observer in; the engine never prints.

/// A progress observer: `(phase, done, total)`, called from the calling thread only.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);
