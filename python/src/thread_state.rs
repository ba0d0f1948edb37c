//! A Python thread state kept for the life of an engine worker thread, so
//! that a Python policy's call does not create and destroy one each time.
//!
//! The run's worker threads (the runner's thread pool) are not Python
//! threads: without this, every `Python::attach` on them goes through
//! `PyGILState_Ensure`/`PyGILState_Release` with a count falling back to
//! 0, which allocates, registers and frees a thread state per call — most
//! of a policy call's overhead. [`keep`] makes the thread's first call
//! create the state (`PyGILState_Ensure`) and release the GIL at once
//! (`PyEval_SaveThread`), leaving the count at 1: later calls only take
//! and release the GIL. A thread-local guard restores and releases the
//! state when the thread ends (unless the interpreter is gone).
//!
//! Only threads Python does not know (no thread state of their own) are
//! touched: on a Python thread — which may hold the GIL — it does nothing.

use pyo3::ffi;
use std::cell::RefCell;

struct Kept {
    gil: ffi::PyGILState_STATE,
    state: *mut ffi::PyThreadState,
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: this thread made `state` with PyGILState_Ensure and
        // released the GIL with PyEval_SaveThread; restoring it and
        // releasing the Ensure is the documented pairing. Skipped once the
        // interpreter is finalized (the state is gone with it).
        unsafe {
            if ffi::Py_IsInitialized() != 0 {
                ffi::PyEval_RestoreThread(self.state);
                ffi::PyGILState_Release(self.gil);
            }
        }
    }
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// Keeps a Python thread state for this thread if it has none (module
/// doc). Call without holding the GIL.
pub fn keep() {
    KEPT.with(|kept| {
        if kept.borrow().is_some() {
            return;
        }
        // SAFETY: a thread without a Python thread state cannot hold the
        // GIL, so Ensure takes it (creating the state) and SaveThread
        // releases it again, leaving the state registered for this thread.
        unsafe {
            if ffi::Py_IsInitialized() == 0 || !ffi::PyGILState_GetThisThreadState().is_null() {
                return;
            }
            let gil = ffi::PyGILState_Ensure();
            let state = ffi::PyEval_SaveThread();
            *kept.borrow_mut() = Some(Kept { gil, state });
        }
    });
}
