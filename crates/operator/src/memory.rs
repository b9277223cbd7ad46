//! Giving memory back after a peak. The library holds no allocator code
//! (it forbids `unsafe`); the binary sets how the allocator returns freed
//! memory to the system ([`set_release`]), and the operator calls it after
//! the transient peaks it knows of ([`release`]): a compliance audit. It
//! also says how the bytes the heap holds are counted ([`set_held`]), which
//! the metrics export as `govcloud_heap_bytes`.

use std::sync::OnceLock;

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

/// Returns freed memory to the system, if the binary said how.
pub fn release() {
    if let Some(f) = RELEASE.get() {
        f();
    }
}
