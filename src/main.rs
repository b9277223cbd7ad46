//! `govcloud` binary; see [`govcloud::cli`].
fn main() {
    allocator::configure();
    govcloud::operator::memory::set_release(allocator::release);
    std::process::exit(govcloud::cli::main());
}

/// glibc's malloc gives each thread that allocates an arena of its own (up
/// to eight per core) and gives freed memory back to the system only from
/// the top of each: after a large transient peak (a compliance audit of a
/// large cluster) a process keeps most of it, measured at x10 as 1.49 GB
/// held for 0.53 GB in use. Two arenas, and a trim after each such peak
/// (see `govcloud::operator::memory`), keep the resident size near what is
/// in use. musl's allocator (the static image) returns memory by itself.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // the two glibc calls below, and nothing else in the workspace
mod allocator {
    pub fn configure() {
        // SAFETY: mallopt only sets a parameter of the allocator; called
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    pub fn release() {
        // SAFETY: malloc_trim is thread-safe; it returns free pages of every
        // arena to the system.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod allocator {
    pub fn configure() {}
    pub fn release() {}
}
