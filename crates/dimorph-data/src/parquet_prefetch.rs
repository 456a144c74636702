//! Row groups of a Parquet file decoded ahead on a worker thread, so that a pass over the file
//! (the streaming GLM's IRLS passes, [`crate::parquet_stream`]) computes with row group k while
//! row group k + 1 is decoded: a bounded producer–consumer pipeline (one decoder thread, a
//! channel of bounded capacity), the textbook double buffering of streamed I/O.
//!
//! The decoder thread owns the function that decodes a row group (in
//! [`crate::parquet_stream`], over a file handle of its own: the `parquet` crate's `File`
//! reader seeks a file offset that clones of a handle share, so two threads must not share one
//! handle), decodes row groups `start, start + 1, …` — after the last, the first again, since
//! every pass of the fit reads the file from its start — and hands each one over in order.
//! Memory stays bounded: at most `ahead` decoded row groups wait besides the one the caller
//! holds. The frames are made by the same code from the same bytes as on the caller's thread, so
//! everything computed from them is the same bit for bit; only when they are made changes.
//!
//! Asking for a row group other than the next one (or after a decoding error) stops the decoder
//! (waiting for the row group it is decoding) and starts a new one there.

use crate::{DataError, Frame};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

/// The default number of row groups decoded ahead of the one being used.
pub const DEFAULT_AHEAD: usize = 1;

/// A decoder thread handing over row groups in file order, from some row group on.
pub(crate) struct Decoder {
    /// The row group the next frame of the channel is.
    next: usize,
    /// Number of row groups in the file.
    len: usize,
    rx: Option<Receiver<Result<Frame, DataError>>>,
    handle: Option<JoinHandle<()>>,
}

impl Decoder {
    /// Starts a thread decoding row groups `start`, `start + 1`, … of `len` (> `start`) with
    /// `decode`, at most `ahead` (≥ 1) ahead of the caller. `Err` when no thread can be started.
    pub(crate) fn start<D>(decode: D, len: usize, start: usize, ahead: usize) -> std::io::Result<Decoder>
    where
        D: Fn(usize) -> Result<Frame, DataError> + Send + 'static,
    {
        let (tx, rx) = sync_channel(ahead.max(1) - 1);
        let handle = std::thread::Builder::new()
            .name("parquet-decode".into())
            .spawn(move || {
                let mut k = start;
                loop {
                    let frame = decode(k);
                    let failed = frame.is_err();
                    // a closed channel: the reader went on without us
                    if tx.send(frame).is_err() || failed {
                        return;
                    }
                    k = (k + 1) % len;
                }
            })?;
        Ok(Decoder {
            next: start,
            len,
            rx: Some(rx),
            handle: Some(handle),
        })
    }

    /// Row group `k` when it is the next one this decoder hands over (waiting for it); `None`
    /// when it is not, or when the decoder has stopped.
    pub(crate) fn take(&mut self, k: usize) -> Option<Result<Frame, DataError>> {
        if k != self.next {
            return None;
        }
        let frame = self.rx.as_ref()?.recv().ok()?;
        self.next = (k + 1) % self.len;
        Some(frame)
    }
}

impl Drop for Decoder {
    /// Closes the channel (the thread stops at its next hand-over) and waits for the thread.
    fn drop(&mut self) {
        drop(self.rx.take());
        if let Some(h) = self.handle.take() {
            // a panic of the decoder thread has nothing left to report here: the frame it was
            // making is not used
            let _ = h.join();
        }
    }
}
