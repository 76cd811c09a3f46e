// mimalloc instead of glibc's malloc: the compiler allocates many small, short-lived
// values, and glibc's per-thread arenas (the parser runs on two threads for large files)
// cost a system call and page faults per growth step. Measured whole-process (hyperfine):
// typical plan 19.2 → 10.8 ms mean, 10k-line plan 84 → 65 ms, 100k 853 → 702 ms.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
