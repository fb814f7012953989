//! Token buckets, one per key (a visitor, an IP address): [`RateLimiter`]
//! on this node, and [`Limit`], which holds across every node of a cluster
//! when they share buckets ([`SharedBuckets`], in Redis).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

/// A set of token buckets: each key may spend `per_minute` requests in a
/// burst, refilled evenly over a minute.
#[derive(Debug)]
pub struct RateLimiter {
    /// The burst.
    capacity: f64,
    /// Tokens back per millisecond.
    per_ms: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` per key.
    pub fn new(per_minute: u32) -> RateLimiter {
        let capacity = f64::from(per_minute.max(1));
        RateLimiter { capacity, per_ms: capacity / 60_000.0, buckets: Mutex::new(HashMap::new()) }
    }

    /// A limiter allowing `per_hour` per key (a burst of that size, refilled
    /// evenly over an hour).
    pub fn per_hour(per_hour: u32) -> RateLimiter {
        RateLimiter::per_hour_of(f64::from(per_hour))
    }

    /// [`RateLimiter::per_hour`] of any amount (bytes, with [`RateLimiter::spend`]).
    pub fn per_hour_of(per_hour: f64) -> RateLimiter {
        let capacity = per_hour.max(1.0);
        RateLimiter { capacity, per_ms: capacity / 3_600_000.0, buckets: Mutex::new(HashMap::new()) }
    }

    /// Spends one token of `key`; `Err(ms)` says how long until one is back.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now(), 1.0)
    }

    /// Spends `cost` tokens of `key` (bytes, for a byte budget); `Err(ms)`
    /// says how long until they are back. A cost over the whole burst is
    /// never allowed.
    pub fn spend(&self, key: &str, cost: f64) -> Result<(), u64> {
        self.check_at(key, Instant::now(), cost)
    }

    /// Whether `key` has a token left, without spending it.
    pub fn allows(&self, key: &str) -> bool {
        self.take_at(key, Instant::now(), 0.0, 1.0).is_ok()
    }

    fn check_at(&self, key: &str, now: Instant, cost: f64) -> Result<(), u64> {
        self.take_at(key, now, cost, cost)
    }

    /// Spends `cost` tokens of `key` if at least `need` are there (the same
    /// rule as the shared buckets' script in `hub::redis`).
    fn take_at(&self, key: &str, now: Instant, cost: f64, need: f64) -> Result<(), u64> {
        let (per_ms, cap) = (self.per_ms, self.capacity);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so the map cannot grow without bound.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_millis() as f64 * per_ms < cap);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: cap, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_millis() as f64;
        bucket.tokens = (bucket.tokens + elapsed * per_ms).min(cap);
        bucket.at = now;
        if bucket.tokens >= need {
            bucket.tokens -= cost;
            Ok(())
        } else {
            Err(((need.min(cap) - bucket.tokens) / per_ms).ceil().max(1.0) as u64)
        }
    }
}

/// Token buckets every node of a cluster shares.
pub trait SharedBuckets: Send + Sync + std::fmt::Debug {
    /// In the bucket `bucket` (of `capacity` tokens, refilled by `per_ms`
    /// a millisecond), spends `cost` tokens if at least `need` are there;
    /// the inner `Err(ms)` says how long until they are. The outer `Err`
    /// is a failure to reach the buckets.
    fn take<'a>(
        &'a self,
        bucket: String,
        capacity: f64,
        per_ms: f64,
        cost: f64,
        need: f64,
    ) -> BoxFuture<'a, Result<Result<(), u64>, String>>;
}

/// A limit that holds across every node when they share buckets, and on
/// this node alone otherwise, or while the shared buckets cannot be
/// reached (then each node allows its own share, and says so in the log).
#[derive(Debug)]
pub struct Limit {
    name: &'static str,
    local: RateLimiter,
    shared: Option<Arc<dyn SharedBuckets>>,
}

impl Limit {
    /// `local`'s rate under `name` (the shared buckets' namespace).
    pub fn new(name: &'static str, local: RateLimiter, shared: Option<Arc<dyn SharedBuckets>>) -> Limit {
        Limit { name, local, shared }
    }

    /// Spends one token of `key`; `Err(ms)` says how long until one is back.
    pub async fn check(&self, key: &str) -> Result<(), u64> {
        self.take(key, 1.0, 1.0).await
    }

    /// Spends `cost` tokens of `key` (bytes, for a byte budget).
    pub async fn spend(&self, key: &str, cost: f64) -> Result<(), u64> {
        self.take(key, cost, cost).await
    }

    /// Whether `key` has a token left, without spending it.
    pub async fn allows(&self, key: &str) -> bool {
        self.take(key, 0.0, 1.0).await.is_ok()
    }

    async fn take(&self, key: &str, cost: f64, need: f64) -> Result<(), u64> {
        if let Some(shared) = &self.shared {
            let bucket = format!("{}:{key}", self.name);
            match shared.take(bucket, self.local.capacity, self.local.per_ms, cost, need).await {
                Ok(answer) => return answer,
                Err(e) => tracing::warn!(limit = self.name, error = %e, "shared limits unreachable: this node's own"),
            }
        }
        self.local.take_at(key, Instant::now(), cost, need)
    }
}

/// Connections open per key (a client address): what [`ConnectionSlot`]s
/// count.
pub type ConnectionCounts = Arc<Mutex<HashMap<String, usize>>>;

/// One open connection counted against its key until dropped: visitor
/// sockets per client address, SMTP sessions per client address.
#[derive(Debug)]
pub struct ConnectionSlot {
    counts: ConnectionCounts,
    key: String,
}

impl ConnectionSlot {
    /// A slot for `key` if it has fewer than `most` connections open.
    pub fn take(counts: &ConnectionCounts, key: String, most: usize) -> Option<ConnectionSlot> {
        let mut open = counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(key.clone()).or_insert(0);
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(ConnectionSlot { counts: counts.clone(), key })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// A pause for a constant-time answer: what is left of `total` since `start`.
pub fn remaining(start: Instant, total: Duration) -> Duration {
    total.saturating_sub(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_refusal_with_the_wait_then_refilled() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("v", t0, 1.0), Ok(()));
        }
        let wait = limiter.check_at("v", t0, 1.0).unwrap_err();
        assert!((19_000..=20_000).contains(&wait), "{wait}");
        assert_eq!(limiter.check_at("other", t0, 1.0), Ok(()));
        assert_eq!(limiter.check_at("v", t0 + Duration::from_millis(wait), 1.0), Ok(()));
    }

    #[test]
    fn asking_whether_a_token_is_left_spends_none() {
        let limiter = RateLimiter::new(1);
        assert!(limiter.allows("v") && limiter.allows("v"));
        assert_eq!(limiter.check("v"), Ok(()));
        assert!(!limiter.allows("v"));
    }
}
