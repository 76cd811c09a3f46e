//! Work split over the machine's two cores where a stage's items are independent (the
//! segments of a large file, the rules of a review, the estimates of a plan's models,
//! trains and deploys). Results come back in item order, so the output never depends on
//! scheduling or on the thread count (the determinism test checks it with 1 and 2).

use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many threads (0: one per core, up to eight). The command line sets it
/// from `MLARCHC_THREADS`.
static MAX_THREADS: AtomicUsize = AtomicUsize::new(0);

pub fn set_max_threads(n: usize) {
    MAX_THREADS.store(n, Ordering::Relaxed);
}

/// The threads a stage may use.
pub fn threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    match MAX_THREADS.load(Ordering::Relaxed) {
        0 => cores,
        n => n.min(cores),
    }
}

/// `a` on a second thread while `b` runs on this one; both results. A panic in `a` is a bug
/// either way and is re-raised here.
pub fn both<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let other = s.spawn(a);
        let mine = b();
        (other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), mine)
    })
}

/// `f` over `items` on two threads, in item order; on one thread below `from` items, where
/// spawning costs more than it saves, or when only one may run.
pub fn map<T: Sync, R: Send>(items: &[T], from: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, from, || (), |_, x| f(x))
}

/// As [`map`], with a state each thread builds once (`init`) and every item of that thread
/// uses: every other item goes to each thread, which balances cheap and costly items that
/// come in runs.
pub fn map_with<T: Sync, S, R: Send>(
    items: &[T],
    from: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    if items.len() < from.max(2) || threads() < 2 {
        let mut s = init();
        return items.iter().map(|x| f(&mut s, x)).collect();
    }
    let half = |parity: usize| {
        let mut s = init();
        items.iter().skip(parity).step_by(2).map(|x| f(&mut s, x)).collect::<Vec<R>>()
    };
    let (odd, even) = both(|| half(1), || half(0));
    let mut out = Vec::with_capacity(items.len());
    let mut odd = odd.into_iter();
    for e in even {
        out.push(e);
        out.extend(odd.next());
    }
    out
}

/// `f` over the two halves of `items` (first half, second half) on two threads; over all
/// of them as one part below `from` items or when only one thread may run. For work that
/// folds a run of items into one result (rendering into one buffer), whose parts the
/// caller takes in order.
pub fn halves<T: Sync, R: Send>(items: &[T], from: usize, f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    if items.len() < from.max(2) || threads() < 2 {
        return vec![f(items)];
    }
    let (first, second) = items.split_at(items.len() / 2);
    let (b, a) = both(|| f(second), || f(first));
    vec![a, b]
}

#[cfg(test)]
mod tests {
    #[test]
    fn halves_cover_the_items_in_order() {
        for n in [0, 1, 2, 3, 10, 101] {
            let items: Vec<usize> = (0..n).collect();
            for from in [2, 1000] {
                let parts = super::halves(&items, from, |part| part.to_vec());
                assert_eq!(parts.concat(), items);
                assert!(parts.len() <= 2);
            }
        }
    }

    #[test]
    fn keeps_item_order_at_every_size() {
        for n in [0, 1, 2, 3, 10, 101] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(super::map(&items, 2, |x| x * 3), items.iter().map(|x| x * 3).collect::<Vec<_>>());
            assert_eq!(super::map(&items, 1000, |x| x + 1), items.iter().map(|x| x + 1).collect::<Vec<_>>());
            let counted = super::map_with(
                &items,
                2,
                || 0usize,
                |seen, x| {
                    *seen += 1;
                    x + 1
                },
            );
            assert_eq!(counted, items.iter().map(|x| x + 1).collect::<Vec<_>>());
        }
    }
}
