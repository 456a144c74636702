//! Interrupting a long engine call, as R's `R_CheckUserInterrupt`: the engines' long loops call
//! [`poll`] once per iteration (a t-SNE step, an IRLS step, a bootstrap resample, a point of a
//! profile), and a caller that can be interrupted runs the call inside [`with_check`] with a
//! check of its own (the Python package: `PyErr_CheckSignals`, so that Ctrl-C stops the engine).
//!
//! [`poll`] asks the check at most every [`EVERY`] and only on the thread that called
//! [`with_check`] (the engine's worker threads never do), so that a loop pays a clock read per
//! iteration. When the check says stop, [`poll`] unwinds the call's stack without running the
//! panic hook (`std::panic::resume_unwind`, so nothing is printed) and [`with_check`] returns
//! [`Interrupted`]: every buffer of the call is dropped on the way. Outputs are written
//! atomically, so an interrupted call leaves no half-written file. Without [`with_check`] (the
//! CLI, where Ctrl-C ends the process) [`poll`] does nothing.

use std::cell::RefCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The call was stopped by its caller's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

/// How often [`poll`] asks the check at most.
pub const EVERY: Duration = Duration::from_millis(50);

struct Check {
    stop: Box<dyn FnMut() -> bool>,
    last: Instant,
}

thread_local! {
    static CHECK: RefCell<Option<Check>> = const { RefCell::new(None) };
}

/// Puts the previous check back when the call ends, also when it unwinds.
struct Restore(Option<Check>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CHECK.with(|c| *c.borrow_mut() = previous);
    }
}

/// Runs `f` with `stop` asked by [`poll`] on this thread whether to stop (at most every
/// [`EVERY`]); [`Interrupted`] when it said so. Another panic of `f` goes on unwinding.
pub fn with_check<T>(stop: impl FnMut() -> bool + 'static, f: impl FnOnce() -> T) -> Result<T, Interrupted> {
    let check = Check {
        stop: Box::new(stop),
        last: Instant::now(),
    };
    let previous = CHECK.with(|c| c.borrow_mut().replace(check));
    let _restore = Restore(previous);
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(v),
        Err(payload) if payload.is::<Interrupted>() => Err(Interrupted),
        Err(payload) => resume_unwind(payload),
    }
}

/// Ends the current call when its caller's check says stop (see the module doc); does nothing
/// outside [`with_check`] or on another thread.
pub fn poll() {
    let stop = CHECK.with(|c| {
        // the check is taken out while it runs: it may run code that starts another call
        let mut check = {
            let mut slot = c.borrow_mut();
            match slot.as_mut() {
                Some(k) if k.last.elapsed() >= EVERY => slot.take(),
                _ => None,
            }
        }?;
        let stop = (check.stop)();
        check.last = Instant::now();
        let mut slot = c.borrow_mut();
        if slot.is_none() {
            *slot = Some(check);
        }
        Some(stop)
    });
    if stop == Some(true) {
        resume_unwind(Box::new(Interrupted));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A loop that polls until it is stopped, counting its iterations in `n`.
    fn busy(n: &Cell<u64>) -> u64 {
        loop {
            n.set(n.get() + 1);
            poll();
            if n.get() > 1 << 40 {
                return n.get();
            }
        }
    }

    #[test]
    fn a_check_that_says_stop_ends_the_call_and_the_thread_goes_on() {
        let asked = Rc::new(Cell::new(0));
        let a = asked.clone();
        let n = Cell::new(0);
        let r = with_check(
            move || {
                a.set(a.get() + 1);
                a.get() >= 3
            },
            || busy(&n),
        );
        assert_eq!(r, Err(Interrupted));
        assert_eq!(asked.get(), 3, "asked every {EVERY:?}, not at every poll");
        assert!(n.get() > 3);
        // outside a check, poll does nothing; a call that is not stopped returns its value
        poll();
        assert_eq!(with_check(|| false, || 7), Ok(7));
    }

    #[test]
    fn other_panics_go_on_and_the_check_is_removed() {
        let r = std::panic::catch_unwind(|| with_check(|| true, || panic!("a bug")));
        assert!(r.is_err());
        CHECK.with(|c| assert!(c.borrow().is_none()));
        // nested calls: the inner check is the inner call's, the outer's comes back after it
        let r = with_check(
            || false,
            || {
                let inner = with_check(
                    || true,
                    || loop {
                        poll();
                    },
                );
                (inner, CHECK.with(|c| c.borrow().is_some()))
            },
        );
        assert_eq!(r, Ok((Err(Interrupted), true)));
    }

    #[test]
    fn another_thread_does_not_ask_the_check() {
        let r = with_check(
            || true,
            || {
                std::thread::spawn(|| {
                    for _ in 0..1000 {
                        poll();
                    }
                    std::thread::sleep(EVERY * 2);
                    poll();
                    1
                })
                .join()
                .unwrap()
            },
        );
        assert_eq!(r, Ok(1));
    }
}
