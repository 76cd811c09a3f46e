// mimalloc instead of glibc's malloc: the compiler allocates many small, short-lived
// values, and glibc's per-thread arenas (the parser runs on two threads for large files)
// cost a system call and page faults per growth step. Measured whole-process (hyperfine):
// typical plan 19.2 → 10.8 ms mean, 10k-line plan 84 → 65 ms, 100k 853 → 702 ms.
#[global_allocator]
static GLOBAL: Mi = Mi;

/// mimalloc with its plain entry points where the alignment asked for is at most a word:
/// every mimalloc block is word-aligned (block sizes are multiples of 8 and pages start
/// aligned), so `mi_malloc` serves those without the aligned path's checks, which the
/// `mimalloc` crate takes for every allocation (instructions, one thread: 10k-line plan
/// 187.9M → 182.0M, typical plan 9.75M → 9.28M).
struct Mi;

const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each call forwards to mimalloc, which returns memory of at least the size asked
// for and at least the alignment asked for (the plain calls only where that is ≤ a word),
// and frees or resizes only what it allocated.
unsafe impl std::alloc::GlobalAlloc for Mi {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            libmimalloc_sys::mi_malloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            libmimalloc_sys::mi_zalloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
        } else {
            libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
        }
    }
}

fn main() {
    // A run lasts milliseconds: memory freed during it is better kept than returned to the
    // system (`madvise`) and faulted in again. On the 10k-line plan this took 121 `madvise`
    // calls to 8 and the mean task clock from 55–72 to 51–66 ms (`perf stat -r 40`).
    // `mi_option_purge_delay` is 15 in mimalloc 3's `mi_option_e` (include/mimalloc.h); the
    // crate has no constant for it.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets a process-wide allocator option; reads and writes of it are atomic.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    std::process::exit(mlarchc::cli::main())
}
