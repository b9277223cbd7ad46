//! Giving memory back after a peak. The library holds no allocator code
//! (it forbids `unsafe`); the binary sets how the allocator returns freed
//! memory to the system ([`set_release`]), and the operator calls it after
//! the transient peaks it knows of ([`release`]): a compliance audit. It
//! also says how the bytes the heap holds are counted ([`set_held`]), which
//! the metrics export as `govcloud_heap_bytes`.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

static RELEASE: OnceLock<fn()> = OnceLock::new();

static HELD: OnceLock<fn() -> u64> = OnceLock::new();

/// Sets how the bytes the heap holds are counted (once; later calls are
/// ignored). Builds that do not count leave it unset.
pub fn set_held(f: fn() -> u64) {
    let _ = HELD.set(f);
}

/// Bytes the heap holds now, if the binary counts them.
pub fn held() -> Option<u64> {
    HELD.get().map(|f| f())
}

/// Sets how freed memory is returned to the system (once; later calls are
/// ignored).
pub fn set_release(f: fn()) {
    let _ = RELEASE.set(f);
}

/// Returns freed memory to the system, if the binary said how: what the
/// calling thread holds free now, and what every other thread of the
/// operator holds free at its next [`settle`].
///
/// An allocator such as mimalloc keeps a page per thread and size class:
/// a block freed by another thread than the one that made it waits on its
/// page until that thread looks again, and a thread at rest allocates
/// little and rarely does. After a round made and freed by several
/// threads, the page stays resident, its blocks counted as used, until
/// its own thread collects it.
pub fn release() {
    RELEASES.release();
    collect_here();
}

/// The calling thread gives back what it holds free if a [`release`] came
/// since it last did (a counter compared: cheap enough for every time a
/// runtime's worker goes idle, `on_thread_park`).
pub fn settle() {
    if SETTLED.try_with(|s| RELEASES.due(s)).unwrap_or(false) {
        collect_here();
    }
}

fn collect_here() {
    if let Some(f) = RELEASE.get() {
        f();
    }
}

/// [`release`]s so far, and whether a thread has settled since the last.
#[derive(Default)]
struct Releases(AtomicU64);

impl Releases {
    fn release(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether a release came since `settled` (the count this thread
    /// last settled at), which now records the newest.
    fn due(&self, settled: &Cell<u64>) -> bool {
        let now = self.0.load(Ordering::Relaxed);
        settled.replace(now) != now
    }
}

static RELEASES: Releases = Releases(AtomicU64::new(0));

thread_local! {
    /// The count of [`RELEASES`] this thread last settled at.
    static SETTLED: Cell<u64> = const { Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each thread is due once per release: at its first settle after
    /// one, not again until the next; a thread that has seen none is due
    /// only once a release has come.
    #[test]
    fn each_thread_is_due_once_per_release() {
        let r = Releases::default();
        let (a, b) = (Cell::new(0), Cell::new(0));
        assert!(!r.due(&a), "nothing released yet");
        r.release();
        assert!(r.due(&a) && !r.due(&a) && !r.due(&a), "once per release");
        assert!(r.due(&b), "each thread for itself");
        r.release();
        r.release();
        assert!(r.due(&a) && !r.due(&a), "two releases since: once");
        assert!(r.due(&b) && !r.due(&b));
    }
}
