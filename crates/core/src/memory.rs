//! Where what the operator keeps is allocated. A province's operator keeps
//! tens of thousands of small records for as long as their objects do not
//! change (the caches' copies), and makes millions of short-lived
//! allocations around them while it converges and audits. Mixed on the
//! allocator's pages, a few long-lived records keep whole pages resident
//! after the short-lived ones are freed: at x10 about 110 MiB beyond the
//! heap at rest. What a cache keeps is therefore allocated inside
//! [`lasting`], which the binary's allocator reads ([`is_lasting`]) to
//! place it on pages of its own. Without such an allocator (tests, the
//! profiling build) the mark changes nothing.

use std::cell::Cell;

thread_local! {
    // A constant start and no destructor: readable from the allocator at
    // any point of a thread's life, allocating nothing.
    static LASTING: Cell<bool> = const { Cell::new(false) };
    // How many times this thread entered `lasting` (tests of what is kept
    // read it: a path that keeps something enters the mark).
    static ENTERED: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` with what it allocates marked as lasting (a cache's own copy of
/// what it keeps). `f` should allocate little else: short-lived
/// allocations made inside it would share the lasting pages.
pub fn lasting<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the mark back as it was, on return or unwind.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let was = self.0;
            let _ = LASTING.try_with(|l| l.set(was));
        }
    }
    let _restore = Restore(LASTING.try_with(|l| l.replace(true)).unwrap_or(false));
    let _ = ENTERED.try_with(|e| e.set(e.get() + 1));
    f()
}

/// How many times the calling thread has entered [`lasting`]: a test of a
/// path that keeps what it makes reads it before and after.
pub fn entered() -> u64 {
    ENTERED.try_with(Cell::get).unwrap_or(0)
}

/// Whether the calling thread is inside [`lasting`].
#[inline]
pub fn is_lasting() -> bool {
    LASTING.try_with(Cell::get).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_holds_inside_and_is_put_back_after_nesting_and_unwinding() {
        assert!(!is_lasting());
        let inner = lasting(|| (is_lasting(), lasting(is_lasting), is_lasting()));
        assert_eq!(inner, (true, true, true));
        assert!(!is_lasting(), "put back after return");
        let unwound = std::panic::catch_unwind(|| lasting(|| panic!("inside")));
        assert!(unwound.is_err());
        assert!(!is_lasting(), "put back after unwinding");
        // Per thread: another thread is not marked.
        lasting(|| assert!(!std::thread::spawn(is_lasting).join().expect("thread")));
        // Each entry counted, nested ones too.
        let before = entered();
        lasting(|| lasting(|| ()));
        assert_eq!(entered(), before + 2);
    }
}
