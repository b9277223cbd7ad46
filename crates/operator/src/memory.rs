//! Giving memory back after a peak. The library holds no allocator code
//! (it forbids `unsafe`); the binary sets how the allocator returns freed
//! memory to the system ([`set_release`]), and the operator calls it after
//! the transient peaks it knows of ([`release`]): a compliance audit.

use std::sync::OnceLock;

static RELEASE: OnceLock<fn()> = OnceLock::new();

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
