//! Who is asking: the client's address, seen through the reverse proxies
//! the configuration trusts, and the key its rate limits are counted under.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address block, `203.0.113.7`, `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    addr: IpAddr,
    prefix: u8,
}

impl Block {
    /// Reads `addr` or `addr/prefix`; `Err` says what is wrong.
    pub fn parse(text: &str) -> Result<Block, String> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("{text:?} is not an IP address or block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Block { addr, prefix })
    }

    /// Whether `ip` lies in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => same_prefix(&a.octets(), &b.octets(), self.prefix),
            (IpAddr::V6(a), IpAddr::V6(b)) => same_prefix(&a.octets(), &b.octets(), self.prefix),
            _ => false,
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let (whole, rest) = (bits / 8, bits % 8);
    a[..whole] == b[..whole] && (rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0)
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy;
/// then the nearest address in `X-Forwarded-For` that is not one (a client
/// can write anything at the far end of the header, so it is read from the
/// right).
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[Block]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|b| b.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let hops: Vec<IpAddr> = forwarded.flat_map(|v| v.split(',')).filter_map(|h| h.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|ip| !is_trusted(*ip)).unwrap_or(peer)
}

/// The key a client's rate limits are counted under: its IPv4 address, or
/// its IPv6 /64 (one subscriber's network; a single host can use a whole
/// /64 of addresses).
pub fn rate_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_match_by_prefix() {
        let b = Block::parse("10.1.0.0/16").unwrap();
        assert!(b.contains(ip("10.1.200.3")) && !b.contains(ip("10.2.0.1")) && !b.contains(ip("::1")));
        assert!(Block::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(Block::parse("2001:db8::/33").unwrap().contains(ip("2001:db8:7fff::1")));
        assert!(!Block::parse("2001:db8::/33").unwrap().contains(ip("2001:db8:8000::1")));
        assert!(Block::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        assert_eq!(Block::parse("10.0.0.0/33").unwrap_err(), "\"10.0.0.0/33\": the prefix length must be 0 to 32");
        assert!(Block::parse("proxy.local").is_err());
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.1, 203.0.113.7, 10.0.0.2"));
        let trusted = [Block::parse("10.0.0.0/8").unwrap()];
        // From a trusted proxy: the nearest untrusted hop (the far left
        // one is whatever the client wrote).
        assert_eq!(resolve(ip("10.0.0.1"), &headers, &trusted), ip("203.0.113.7"));
        // From anyone else: the peer, whatever the header says.
        assert_eq!(resolve(ip("192.0.2.5"), &headers, &trusted), ip("192.0.2.5"));
        assert_eq!(resolve(ip("10.0.0.1"), &headers, &[]), ip("10.0.0.1"));
        // A trusted proxy that forwards nothing: the proxy itself.
        assert_eq!(resolve(ip("10.0.0.1"), &HeaderMap::new(), &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(rate_key(ip("2001:db8:1:2:aaaa::1")), rate_key(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(rate_key(ip("2001:db8:1:2::1")), rate_key(ip("2001:db8:1:3::1")));
        assert_eq!(rate_key(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(rate_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
    }
}
