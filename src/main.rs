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

#[allow(unsafe_code)] // the mimalloc calls below, and nothing else in the workspace
mod allocator {
    /// mimalloc's settings that govcloud changes, unless the environment
    /// sets them (`MIMALLOC_<NAME>`, which mimalloc reads as usual): an
    /// option's index in mimalloc's `mi_option_t` (v3, `mimalloc.h`), its
    /// variable, and govcloud's value.
    ///
    /// - `arena_eager_commit` 0 (mimalloc's default: 2, on when the system
    ///   overcommits): the arena's memory is committed as it is used, not
    ///   all at once;
    /// - `purge_delay` 0 (default: 1,000 ms): a page no longer used is given
    ///   back at once. With a delay, the purge waits for the next
    ///   allocations; an operator at rest makes few, and kept what it had
    ///   freed.
    ///
    /// Measured with `make bench-cluster PRESET=chifeng` (BENCHMARKS, issue
    /// 27): with mimalloc's defaults a peak of 111.6 MiB and 71.6-91.6 MiB
    /// at rest; with these two 57.5 MiB and 47.6-49.4 MiB, and no more CPU.
    #[cfg(not(feature = "system-allocator"))]
    pub const SETTINGS: [(i32, &std::ffi::CStr, i64); 2] =
        [(4, c"MIMALLOC_ARENA_EAGER_COMMIT", 0), (15, c"MIMALLOC_PURGE_DELAY", 0)];

    #[cfg(not(feature = "system-allocator"))]
    unsafe extern "C" {
        fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
    }

    /// Sets [`SETTINGS`] before anything is allocated: run from the
    /// process's constructors, ahead of those of default priority (the
    /// arena is reserved at the first allocation, with the setting it
    /// finds). Reads the environment without allocating.
    #[cfg(not(feature = "system-allocator"))]
    extern "C" fn settle() {
        for (option, variable, value) in SETTINGS {
            // SAFETY: getenv reads the environment, which nothing changes
            // before main; mi_option_set writes mimalloc's option table
            // and allocates nothing.
            unsafe {
                if getenv(variable.as_ptr()).is_null() {
                    libmimalloc_sys::mi_option_set(option, value as _);
                }
            }
        }
    }

    #[cfg(not(feature = "system-allocator"))]
    #[used]
    #[unsafe(link_section = ".init_array.00100")]
    static SETTLE: extern "C" fn() = settle;

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

    #[cfg(all(test, not(feature = "system-allocator")))]
    mod tests {
        use super::*;

        /// The settings took (set before the first allocation, whatever
        /// the environment leaves unset), and the indices are the options
        /// named: mimalloc's defaults for the two are 2 and 1,000, and each
        /// index reads back what was set.
        #[test]
        fn the_allocator_settings_are_in_force() {
            for (option, variable, value) in SETTINGS {
                let set = std::env::var_os(variable.to_str().expect("ascii"));
                // SAFETY: mi_option_get reads mimalloc's option table.
                let now = unsafe { libmimalloc_sys::mi_option_get(option) };
                match set {
                    None => assert_eq!(now as i64, value, "{variable:?}"),
                    Some(v) => eprintln!("{variable:?} set to {v:?} by the environment: {now}"),
                }
            }
            // The index of each option, checked by its default in mimalloc's
            // table, read where nothing set it.
            // SAFETY: as above.
            let defaults = unsafe {
                (
                    libmimalloc_sys::mi_option_get(14), // deprecated_eager_commit_delay: 1
                    libmimalloc_sys::mi_option_get(16), // use_numa_nodes: 0
                    libmimalloc_sys::mi_option_get(5),  // purge_decommits: 1
                    libmimalloc_sys::mi_option_get(19), // max_errors: 32
                )
            };
            assert_eq!(defaults, (1, 0, 1, 32), "mimalloc's option table is not the one SETTINGS indexes");
        }
    }
}
