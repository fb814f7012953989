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

/// Keeps the `k` least elements of `v` by `cmp`, sorted (an insertion into
/// a sorted prefix: `n·k`, for the top hits of a search). With a total
/// order the result is exactly `v` sorted and truncated to `k`.
pub fn least_k_by<T>(v: &mut Vec<T>, k: usize, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut kept = 0;
    for i in 0..v.len() {
        if kept < k {
            v.swap(kept, i);
            kept += 1;
        } else if cmp(&v[i], &v[kept - 1]) == Ordering::Less {
            v.swap(kept - 1, i);
        } else {
            continue;
        }
        let mut j = kept - 1;
        while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
    v.truncate(kept);
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
    fn least_k_is_sorted_prefix() {
        for (n, k) in [(0, 3), (2, 5), (10, 10), (1000, 1), (1000, 7), (57, 56)] {
            let mut ours = numbers(n, 11 + n as u64);
            let mut std = ours.clone();
            least_k_by(&mut ours, k, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            std.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            std.truncate(k);
            assert_eq!(ours, std, "n = {n}, k = {k}");
        }
    }
}
