//! Who may cost the server what: connection slots and request rate, counted per peer address.
//!
//! Global limits let one client starve everyone: a flood of forged requests spent the shared
//! rate bucket, and a slowloris from one address held every connection slot, so the platforms'
//! valid deliveries were refused. Here each peer has its own connection count (capped at
//! [`PeerLimits::per_peer`]) and its own token bucket, and the total stays capped so that many
//! peers together still cannot exhaust threads or file descriptors.
//!
//! A peer is its IP address; an IPv6 peer is its /64, since one host commonly owns a whole /64.
//! Behind a reverse proxy every connection comes from the proxy: with `trust_proxy` the
//! request's peer for the rate limit is the right-most `X-Forwarded-For` address (the one the
//! proxy added; anything left of it the client may have forged), and the per-peer connection
//! cap is not applied to the proxy (it buffers slow clients itself; the total cap still holds).
//! Without `trust_proxy` the header is ignored. Entries leave the table once their peer has no
//! connection open and a full bucket, so the table stays about the size of the active peers.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::time::Instant;

/// A token bucket: `capacity` requests at once, refilled at `per_sec`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket refilling at `per_sec`, so a peer may burst once and then keeps to the rate.
    pub fn new(per_sec: u32, now: Instant) -> TokenBucket {
        let per_sec = f64::from(per_sec.max(1));
        TokenBucket {
            capacity: per_sec,
            per_sec,
            tokens: per_sec,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether the bucket has refilled completely (forgetting it then loses nothing).
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }
}

/// What each peer, and all of them together, may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerLimits {
    /// Connections open at once, all peers together.
    pub total: usize,
    /// Connections open at once from one peer (not applied with `trust_proxy`).
    pub per_peer: usize,
    /// Requests per second from one peer, with bursts of as many; `None`: unlimited.
    pub rate: Option<u32>,
    /// The peer of a request is the right-most `X-Forwarded-For` address.
    pub trust_proxy: bool,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The total cap is reached.
    Full,
    /// This peer holds its share of connections.
    PeerFull,
}

#[derive(Debug, Default)]
struct Peer {
    connections: usize,
    bucket: Option<TokenBucket>,
}

/// The peers' connection counts and buckets.
#[derive(Debug)]
pub struct Peers {
    limits: PeerLimits,
    total: usize,
    table: HashMap<IpAddr, Peer>,
}

/// Above this many entries, idle ones are swept out on the next admission.
const SWEEP_AT: usize = 4096;

impl Peers {
    /// No peer seen yet; each gets its own bucket on its first request.
    pub fn new(limits: PeerLimits) -> Peers {
        Peers {
            limits,
            total: 0,
            table: HashMap::new(),
        }
    }

    /// The limits each peer is held to, for messages and tests.
    pub fn limits(&self) -> PeerLimits {
        self.limits
    }

    /// Takes a connection slot for a connection from `addr`, or says why not.
    pub fn admit(&mut self, addr: IpAddr, now: Instant) -> Result<(), Refusal> {
        if self.total >= self.limits.total {
            return Err(Refusal::Full);
        }
        if self.table.len() >= SWEEP_AT {
            self.sweep(now);
        }
        let per_peer = (!self.limits.trust_proxy).then_some(self.limits.per_peer);
        let peer = self.table.entry(key(addr)).or_default();
        if per_peer.is_some_and(|cap| peer.connections >= cap) {
            return Err(Refusal::PeerFull);
        }
        peer.connections += 1;
        self.total += 1;
        Ok(())
    }

    /// Gives back the slot [`Peers::admit`] took for `addr`.
    pub fn release(&mut self, addr: IpAddr, now: Instant) {
        self.total = self.total.saturating_sub(1);
        let k = key(addr);
        if let Some(peer) = self.table.get_mut(&k) {
            peer.connections = peer.connections.saturating_sub(1);
            if idle(peer, now) {
                self.table.remove(&k);
            }
        }
    }

    /// Takes one request from the bucket of the request's peer: `addr`, or with `trust_proxy`
    /// the right-most address of `forwarded_for` (the `X-Forwarded-For` values in order).
    pub fn take(&mut self, addr: IpAddr, forwarded_for: &[&str], now: Instant) -> bool {
        let Some(rate) = self.limits.rate else {
            return true;
        };
        let peer = if self.limits.trust_proxy {
            rightmost(forwarded_for).unwrap_or(addr)
        } else {
            addr
        };
        if self.table.len() >= SWEEP_AT {
            self.sweep(now);
        }
        self.table
            .entry(key(peer))
            .or_default()
            .bucket
            .get_or_insert_with(|| TokenBucket::new(rate, now))
            .try_take(now)
    }

    fn sweep(&mut self, now: Instant) {
        self.table.retain(|_, peer| !idle(peer, now));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

fn idle(peer: &mut Peer, now: Instant) -> bool {
    peer.connections == 0 && peer.bucket.as_mut().is_none_or(|b| b.is_full(now))
}

/// The address a peer is counted under: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by its /64.
fn key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// The right-most address of `X-Forwarded-For` values (each a comma-separated list).
fn rightmost(values: &[&str]) -> Option<IpAddr> {
    let last = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|a| !a.is_empty())?;
    last.parse::<IpAddr>().ok().or_else(|| {
        // `1.2.3.4:5678` or `[2001:db8::1]:443`, as some proxies write it.
        last.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits(trust_proxy: bool) -> PeerLimits {
        PeerLimits {
            total: 5,
            per_peer: 2,
            rate: Some(3),
            trust_proxy,
        }
    }

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(50, start);
        assert!((0..50).all(|_| bucket.try_take(start)));
        assert!(!bucket.try_take(start));
        assert!(bucket.try_take(start + Duration::from_millis(20)));
        assert!(!bucket.try_take(start + Duration::from_millis(20)));
        let later = start + Duration::from_secs(10);
        assert_eq!((0..60).filter(|_| bucket.try_take(later)).count(), 50);
    }

    #[test]
    fn each_peer_has_its_own_connections_and_bucket() {
        let now = Instant::now();
        let mut peers = Peers::new(limits(false));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert_eq!(peers.admit(a, now), Ok(()));
        assert_eq!(peers.admit(a, now), Ok(()));
        assert_eq!(peers.admit(a, now), Err(Refusal::PeerFull));
        assert_eq!(peers.admit(b, now), Ok(()));
        assert_eq!((0..10).filter(|_| peers.take(a, &[], now)).count(), 3);
        assert_eq!((0..10).filter(|_| peers.take(b, &[], now)).count(), 3);
        for _ in 0..2 {
            peers.release(a, now);
        }
        peers.release(b, now);
        // a's and b's buckets are not full yet: kept; once refilled, forgotten.
        assert_eq!(peers.len(), 2);
        peers.sweep(now + Duration::from_secs(2));
        assert_eq!(peers.len(), 0);
    }

    #[test]
    fn the_total_cap_holds_across_peers() {
        let now = Instant::now();
        let mut peers = Peers::new(limits(false));
        for i in 0..5 {
            let addr: IpAddr = format!("10.0.1.{i}").parse().unwrap();
            assert_eq!(peers.admit(addr, now), Ok(()));
        }
        assert_eq!(
            peers.admit("10.0.2.1".parse().unwrap(), now),
            Err(Refusal::Full)
        );
    }

    #[test]
    fn ipv6_peers_are_counted_by_their_64() {
        let now = Instant::now();
        let mut peers = Peers::new(limits(false));
        assert!(peers.admit("2001:db8::1".parse().unwrap(), now).is_ok());
        assert!(
            peers
                .admit("2001:db8::ffff:2".parse().unwrap(), now)
                .is_ok()
        );
        assert_eq!(
            peers.admit("2001:db8::3".parse().unwrap(), now),
            Err(Refusal::PeerFull)
        );
        assert!(peers.admit("2001:db8:0:1::1".parse().unwrap(), now).is_ok());
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_forwarded_address_is_the_peer() {
        let now = Instant::now();
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let mut peers = Peers::new(limits(true));
        // The proxy is not capped per peer.
        assert!((0..4).all(|_| peers.admit(proxy, now).is_ok()));
        // A client's forged left-most entries change nothing: the proxy's own entry counts.
        let flood = ["6.6.6.6, 203.0.113.9"];
        assert_eq!(
            (0..10).filter(|_| peers.take(proxy, &flood, now)).count(),
            3
        );
        let other = ["6.6.6.6", "198.51.100.7"];
        assert!(peers.take(proxy, &other, now));
        assert!(peers.take(proxy, &["198.51.100.8:4711"], now));
        // Without trust, the header is ignored: every request is the proxy's.
        let mut direct = Peers::new(limits(false));
        let allowed = (0..10)
            .filter(|i| direct.take(proxy, &[&format!("198.51.100.{i}")], now))
            .count();
        assert_eq!(allowed, 3);
    }
}
