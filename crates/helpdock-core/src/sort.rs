//! Small sorts for the browser build. The standard library's sorts are fast
//! on large inputs, but every call site instantiates a few kilobytes of wasm
//! (small-sort networks, partitioning, run detection): 144 functions, 39 KB
//! before optimisation, in the widget. The lists the widget sorts are short
//! (findings in a message, a ticket's replies, the top hits), so these
//! instantiate a few hundred bytes each instead.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order (insertion
/// sort: quadratic, for lists of tens to a few hundred).
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Sorts `v` by the key `key` gives, keeping equal keys in their order.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` by `cmp`, not keeping equal elements in order (heapsort:
/// `n log n`, for the longer lists).
pub fn heap_sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut sift = |v: &mut [T], mut node: usize, end: usize| loop {
        let mut child = 2 * node + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && cmp(&v[child], &v[child + 1]) == Ordering::Less {
            child += 1;
        }
        if cmp(&v[node], &v[child]) != Ordering::Less {
            break;
        }
        v.swap(node, child);
        node = child;
    };
    let n = v.len();
    for node in (0..n / 2).rev() {
        sift(v, node, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// Offers `item` to `kept`, the `k` least elements seen so far by `cmp`,
/// sorted: inserted in place when it ranks before the last one, dropped
/// otherwise. Fed every element of a list, `kept` ends as the list sorted
/// and truncated to `k` (with a total order), at `n·log k` comparisons and
/// without collecting the list: the top hits of a search over thousands of
/// scores.
pub fn offer<T>(kept: &mut Vec<T>, k: usize, item: T, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if kept.len() >= k && kept.last().is_none_or(|last| cmp(&item, last) != Ordering::Less) {
        return;
    }
    let at = kept.partition_point(|x| cmp(x, &item) != Ordering::Greater);
    kept.insert(at, item);
    kept.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the tests need no crate.
    fn numbers(n: usize, seed: u64) -> Vec<(u32, usize)> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 50) as u32, i)
            })
            .collect()
    }

    #[test]
    fn sort_by_is_stable_and_matches_std() {
        for n in [0, 1, 2, 3, 17, 200] {
            let mut ours = numbers(n, 7 + n as u64);
            let mut std = ours.clone();
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "n = {n}");
        }
    }

    #[test]
    fn heap_sort_matches_std() {
        for n in [0, 1, 2, 3, 16, 1000] {
            let mut ours = numbers(n, 3 + n as u64);
            let mut std = ours.clone();
            heap_sort_by(&mut ours, |a, b| a.cmp(b));
            std.sort_unstable();
            assert_eq!(ours, std, "n = {n}");
        }
    }

    #[test]
    fn offering_keeps_the_sorted_prefix() {
        for (n, k) in [(0, 3), (2, 5), (10, 10), (1000, 1), (1000, 7), (57, 56), (5, 0)] {
            let mut std = numbers(n, 11 + n as u64);
            let mut ours = Vec::new();
            for item in std.iter().copied() {
                offer(&mut ours, k, item, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            }
            std.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            std.truncate(k);
            assert_eq!(ours, std, "n = {n}, k = {k}");
        }
    }
}
