//! `govcloud` binary; see [`govcloud::cli`].

/// The allocator of the binary (and of the static image): mimalloc. glibc's
/// malloc gave each thread that allocates an arena of its own and returned
/// freed memory to the system only from the top of each: after a
/// province's audit peaks the operator kept most of them mapped (at x10,
/// 1,074 MB mapped for 285 MB in use, measured with `malloc_stats`), and
/// musl's (the static image's) is slow with many threads. mimalloc returns
/// freed pages to the system a few milliseconds after they empty, on every
/// target. See BENCHMARKS (issue 27) for what it changed.
///
/// Wrapped in [`allocator::Counted`], which counts the bytes the heap holds
/// (exported as `govcloud_heap_bytes`): what the resident size holds beyond
/// them is the binary's pages and the allocator's own.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: allocator::Counted = allocator::Counted;

fn main() {
    govcloud::operator::memory::set_release(allocator::release);
    #[cfg(not(feature = "system-allocator"))]
    govcloud::operator::memory::set_held(allocator::held);
    std::process::exit(govcloud::cli::main());
}

#[allow(unsafe_code)] // the mimalloc calls below, and nothing else in the workspace
mod allocator {
    #[cfg(not(feature = "system-allocator"))]
    use std::alloc::GlobalAlloc;

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
            let heap = LASTING.load(std::sync::atomic::Ordering::Acquire);
            if !heap.is_null() {
                libmimalloc_sys::mi_heap_collect(heap, true);
            }
        }
    }

    /// mimalloc, counting the bytes held: one counter per thread (up to
    /// [`SLOTS`] threads; more share them), each on its own cache line, so
    /// the count costs an uncontended atomic add per allocation and free.
    #[cfg(not(feature = "system-allocator"))]
    pub struct Counted;

    /// Counters; a thread takes the next on its first allocation.
    #[cfg(not(feature = "system-allocator"))]
    const SLOTS: usize = 32;

    #[cfg(not(feature = "system-allocator"))]
    #[repr(align(64))]
    struct Slot(std::sync::atomic::AtomicIsize);

    #[cfg(not(feature = "system-allocator"))]
    static HELD: [Slot; SLOTS] = [const { Slot(std::sync::atomic::AtomicIsize::new(0)) }; SLOTS];

    #[cfg(not(feature = "system-allocator"))]
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    #[cfg(not(feature = "system-allocator"))]
    thread_local! {
        // No destructor and a constant start: usable from the allocator at
        // any point of a thread's life, allocating nothing.
        static MINE: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    }

    /// Adds `n` (negative: frees) to the calling thread's counter.
    #[cfg(not(feature = "system-allocator"))]
    #[inline]
    fn count(n: isize) {
        use std::sync::atomic::Ordering::Relaxed;
        let i = MINE
            .try_with(|m| {
                if m.get() == usize::MAX {
                    m.set(NEXT.fetch_add(1, Relaxed) % SLOTS);
                }
                m.get()
            })
            .unwrap_or(0);
        HELD[i].0.fetch_add(n, Relaxed);
    }

    /// Bytes the heap holds now (asked for and not freed; the allocator's
    /// rounding and its free pages are not counted).
    #[cfg(not(feature = "system-allocator"))]
    pub fn held() -> u64 {
        let sum: isize = HELD.iter().map(|s| s.0.load(std::sync::atomic::Ordering::Relaxed)).sum();
        sum.max(0) as u64
    }

    /// mimalloc's heap for what the operator keeps
    /// ([`govcloud_core::memory::lasting`]): pages of their own, apart from
    /// the short-lived allocations of reconciles and audits, so that those
    /// pages empty (and are given back) when the short-lived ones are
    /// freed. A first-class heap of mimalloc 3: any thread allocates from
    /// it, and any frees its blocks. Made at its first use.
    #[cfg(not(feature = "system-allocator"))]
    static LASTING: std::sync::atomic::AtomicPtr<libmimalloc_sys::mi_heap_t> =
        std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

    /// [`LASTING`], made if it is not yet (null: mimalloc could not make
    /// it; the default heap is used then).
    #[cfg(not(feature = "system-allocator"))]
    fn lasting_heap() -> *mut libmimalloc_sys::mi_heap_t {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        let heap = LASTING.load(Acquire);
        if !heap.is_null() {
            return heap;
        }
        // SAFETY: mi_heap_new allocates through mimalloc itself, not
        // through this allocator; a heap lost in the race below is an
        // empty one, left unused.
        let made = unsafe { libmimalloc_sys::mi_heap_new() };
        match LASTING.compare_exchange(std::ptr::null_mut(), made, AcqRel, Acquire) {
            Ok(_) => made,
            Err(first) => first,
        }
    }

    /// The heap an allocation of the calling thread goes to now: the
    /// lasting one inside `lasting`, else none (mimalloc's default).
    #[cfg(not(feature = "system-allocator"))]
    #[inline]
    fn placed() -> Option<*mut libmimalloc_sys::mi_heap_t> {
        if govcloud_core::memory::is_lasting() { Some(lasting_heap()).filter(|h| !h.is_null()) } else { None }
    }

    // SAFETY: every call is mimalloc's with the same arguments (or its
    // heap-placed form of the same call); the counts are of sizes the
    // caller gave, added after a success and taken away on a free.
    // mi_free frees a block of any heap.
    #[cfg(not(feature = "system-allocator"))]
    unsafe impl GlobalAlloc for Counted {
        #[inline]
        unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
            // SAFETY: the caller's contract, passed on.
            let p = unsafe {
                match placed() {
                    Some(heap) => libmimalloc_sys::mi_heap_malloc_aligned(heap, layout.size(), layout.align()).cast(),
                    None => mimalloc::MiMalloc.alloc(layout),
                }
            };
            if !p.is_null() {
                count(layout.size() as isize);
            }
            p
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
            // SAFETY: as above.
            let p = unsafe {
                match placed() {
                    Some(heap) => libmimalloc_sys::mi_heap_zalloc_aligned(heap, layout.size(), layout.align()).cast(),
                    None => mimalloc::MiMalloc.alloc_zeroed(layout),
                }
            };
            if !p.is_null() {
                count(layout.size() as isize);
            }
            p
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
            // SAFETY: as above.
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
            count(-(layout.size() as isize));
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as above.
            let p = unsafe {
                match placed() {
                    Some(heap) => {
                        libmimalloc_sys::mi_heap_realloc_aligned(heap, ptr.cast(), new_size, layout.align()).cast()
                    }
                    None => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
                }
            };
            if !p.is_null() {
                count(new_size as isize - layout.size() as isize);
            }
            p
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

        /// The count follows what is held: 64 MiB asked for (and written,
        /// grown by a realloc, made zeroed) are counted, and freed are
        /// taken away; other tests' threads allocate meanwhile, hence the
        /// margin.
        #[test]
        fn the_heap_count_follows_allocations_and_frees() {
            const MIB: u64 = 1 << 20;
            let near = |a: u64, b: u64| a.abs_diff(b) < 4 * MIB;
            let before = held();
            let mut v = vec![1u8; 32 << 20];
            assert!(near(held(), before + 32 * MIB), "{} after 32 MiB from {before}", held());
            v.reserve_exact(64 << 20); // a realloc to 96 MiB
            assert!(near(held(), before + 96 * MIB), "{} after the realloc from {before}", held());
            drop(v);
            let z = vec![0u8; 64 << 20]; // alloc_zeroed
            assert!(near(held(), before + 64 * MIB), "{} zeroed from {before}", held());
            drop(z);
            assert!(near(held(), before), "{} after the frees, from {before}", held());
        }

        unsafe extern "C" {
            // mimalloc 3's (libmimalloc-sys declares an older name).
            fn mi_heap_contains(heap: *const libmimalloc_sys::mi_heap_t, p: *const std::ffi::c_void) -> bool;
        }

        /// What is made inside `lasting` is on the lasting heap (made
        /// whole, zeroed, or grown there), what is made outside is not, and
        /// blocks of either heap are freed from any thread.
        #[test]
        fn what_is_kept_is_placed_apart() {
            use govcloud_core::memory::lasting;
            let kept: Box<[u8; 100]> = lasting(|| Box::new([7u8; 100]));
            let zeroed: Vec<u64> = lasting(|| vec![0u64; 512]);
            let grown: Vec<u32> = lasting(|| {
                let mut v = Vec::with_capacity(4);
                v.extend(0..10_000u32);
                v
            });
            let passing = Box::new([7u8; 100]);
            let heap = LASTING.load(std::sync::atomic::Ordering::Acquire);
            assert!(!heap.is_null(), "the lasting heap is made at its first use");
            let on = |p: *const u8| {
                // SAFETY: mi_heap_contains reads mimalloc's page map.
                unsafe { mi_heap_contains(heap, p.cast()) }
            };
            assert!(on(kept.as_ptr()) && on(zeroed.as_ptr().cast()) && on(grown.as_ptr().cast()));
            assert!(!on(passing.as_ptr()), "an allocation outside `lasting` is not placed there");
            assert_eq!((grown.len(), grown[9_999], zeroed.iter().sum::<u64>(), kept[99]), (10_000, 9_999, 0, 7));
            std::thread::spawn(move || drop((kept, zeroed, grown))).join().expect("freed on another thread");
        }

        /// What `main` sets is what the metrics export: the gauge reads
        /// the count at each scrape.
        #[test]
        fn the_metrics_export_the_heap_count() {
            govcloud::operator::memory::set_held(held);
            let text = govcloud::operator::Metrics::default().render();
            let line = text.lines().find(|l| l.starts_with("govcloud_heap_bytes ")).expect("the gauge is exported");
            let exported: u64 = line["govcloud_heap_bytes ".len()..].parse().expect("a whole number");
            assert!(exported > 0 && exported.abs_diff(held()) < 64 << 20, "{line} against {}", held());
            assert!(text.contains("# TYPE govcloud_heap_bytes gauge"), "{text}");
        }
    }
}
