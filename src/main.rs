//! `govcloud` binary; see [`govcloud::cli`].

/// The allocator of the binary (and of the static image): mimalloc. glibc's
/// malloc gave each thread that allocates an arena of its own and returned
/// freed memory to the system only from the top of each: after a
/// province's audit peaks the operator kept most of them mapped (at x10,
/// 1,074 MB mapped for 285 MB in use, measured with `malloc_stats`), and
/// musl's (the static image's) is slow with many threads. mimalloc returns
/// freed pages to the system a few milliseconds after they empty, on every
/// target. See BENCHMARKS (issue 27) for what it changed.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    govcloud::operator::memory::set_release(allocator::release);
    std::process::exit(govcloud::cli::main());
}

#[allow(unsafe_code)] // the one mimalloc call below, and nothing else in the workspace
mod allocator {
    /// Returns what the allocator holds free to the system now (after a
    /// known transient peak: a compliance audit), not after its delay.
    #[cfg(not(feature = "system-allocator"))]
    pub fn release() {
        // SAFETY: mi_collect is thread-safe; it frees the calling thread's
        // free pages and, forced, returns what every heap holds unused.
        unsafe {
            libmimalloc_sys::mi_collect(true);
        }
    }

    /// With the system's allocator (profiling builds only): nothing.
    #[cfg(feature = "system-allocator")]
    pub fn release() {}
}
