//! Who a request comes from, and what each client may spend.
//!
//! A client is the connection's peer address. Behind a reverse proxy every peer is the proxy,
//! so the operator names the header that carries the real client (`--client-ip-header`) and
//! the proxies allowed to set it (`--trusted-proxy`). The header is read only from a peer
//! inside one of those networks; from anyone else it is ignored, or any client could claim a
//! fresh address per request. IPv6 clients count as their /64.
//!
//! Budgets are per client and per purpose (relayed token requests, relayed Web API calls, the
//! sandbox over HTTP). A check is one lookup; forgetting clients whose budget has recovered is
//! a timer's job (`prune`), never a request's.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

/// How the server tells clients apart.
#[derive(Clone, Debug, Default)]
pub struct Clients {
    header: Option<HeaderName>,
    proxies: Vec<IpNet>,
}

impl Clients {
    /// `header` is read only from peers inside `proxies`; naming a header without a proxy is
    /// refused, since it would let every client choose its own address.
    pub fn new(header: Option<HeaderName>, proxies: Vec<IpNet>) -> Result<Clients, String> {
        if header.is_some() && proxies.is_empty() {
            return Err(
                "--client-ip-header is read only from the proxies named with \
                        --trusted-proxy: add the proxy's address, for example \
                        --trusted-proxy 127.0.0.1/32"
                    .into(),
            );
        }
        Ok(Clients { header, proxies })
    }

    /// Whether `peer` is one of the operator's proxies.
    pub fn is_proxy(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.proxies.iter().any(|net| net.contains(&peer))
    }

    /// The client behind a request from `peer`: the last entry of the configured header (the
    /// one the proxy appended) when `peer` is a trusted proxy, else `peer` itself.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let from_header = self
            .header
            .as_ref()
            .filter(|_| self.is_proxy(peer))
            .and_then(|name| {
                let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
                value.rsplit(',').next()?.trim().parse().ok()
            });
        from_header.unwrap_or(peer)
    }

    /// The client behind an axum request (its peer from `ConnectInfo`).
    pub fn of_request<B>(&self, request: &axum::http::Request<B>) -> IpAddr {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        self.client_ip(peer, request.headers())
    }
}

/// Parses a `--trusted-proxy` value: a network such as `10.0.0.0/8`, or one address.
pub fn parse_network(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| {
            format!(
                "--trusted-proxy takes a network such as 10.0.0.0/8 or one address such as \
                 127.0.0.1 (got {value:?})"
            )
        })
}

/// The key a client counts under, for the budgets and the connection caps: its IPv4
/// address, or the /64 of an IPv6 address, which one subscriber usually holds whole (so
/// fresh addresses from it share one budget).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 => v4,
    }
}

/// What a request is charged to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// Token requests through the relay.
    Token,
    /// Web API requests through the relay.
    Api,
    /// Requests to the sandbox over HTTP, `/sandbox/`.
    Sandbox,
}

/// One rate: so many requests a minute, with at most `burst` at once.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Rate {
    /// A rate whose burst is its whole minute.
    pub fn per_minute(per_minute: NonZeroU32) -> Rate {
        Rate {
            per_minute,
            burst: per_minute,
        }
    }

    fn limiter(self) -> DefaultKeyedRateLimiter<IpAddr> {
        RateLimiter::keyed(Quota::per_minute(self.per_minute).allow_burst(self.burst))
    }
}

/// Every client's budgets.
pub struct Budgets {
    token: DefaultKeyedRateLimiter<IpAddr>,
    api: DefaultKeyedRateLimiter<IpAddr>,
    sandbox: DefaultKeyedRateLimiter<IpAddr>,
}

impl Budgets {
    pub fn new(token: Rate, api: Rate, sandbox: Rate) -> Budgets {
        Budgets {
            token: token.limiter(),
            api: api.limiter(),
            sandbox: sandbox.limiter(),
        }
    }

    fn limiter(&self, budget: Budget) -> &DefaultKeyedRateLimiter<IpAddr> {
        match budget {
            Budget::Token => &self.token,
            Budget::Api => &self.api,
            Budget::Sandbox => &self.sandbox,
        }
    }

    /// Charges one request to `ip`'s budget; `Err(seconds)` says when to try again.
    pub fn charge(&self, budget: Budget, ip: IpAddr) -> Result<(), u64> {
        let limiter = self.limiter(budget);
        limiter.check_key(&client_key(ip)).map_err(|not_until| {
            not_until
                .wait_time_from(governor::clock::Clock::now(limiter.clock()))
                .as_secs()
                + 1
        })
    }

    /// Forgets the clients whose budgets have fully recovered. The server calls it on a
    /// timer (`PRUNE_EVERY`), so no request pays for it.
    pub fn prune(&self) {
        for limiter in [&self.token, &self.api, &self.sandbox] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Clients tracked now, over all budgets.
    pub fn tracked(&self) -> usize {
        self.token.len() + self.api.len() + self.sandbox.len()
    }
}

/// How often the server forgets recovered clients.
pub const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", forwarded.parse().expect("a value"));
        h
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let clients = Clients::new(
            Some(HeaderName::from_static("x-forwarded-for")),
            vec![
                parse_network("10.0.0.0/8").expect("net"),
                parse_network("::1").expect("one address"),
            ],
        )
        .expect("valid");
        // (peer, header, client)
        let cases = [
            ("10.1.2.3", "203.0.113.7", "203.0.113.7"),
            ("10.1.2.3", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
            ("::1", "203.0.113.9", "203.0.113.9"),
            ("::ffff:10.0.0.1", "203.0.113.7", "203.0.113.7"),
            ("10.1.2.3", "not an address", "10.1.2.3"),
            ("192.0.2.50", "203.0.113.7", "192.0.2.50"),
            ("11.0.0.1", "203.0.113.7", "11.0.0.1"),
        ];
        for (peer, forwarded, client) in cases {
            let peer: IpAddr = peer.parse().expect("ip");
            assert_eq!(
                clients.client_ip(peer, &headers(forwarded)),
                client.parse::<IpAddr>().expect("ip"),
                "{peer} {forwarded}"
            );
        }
    }

    #[test]
    fn a_header_without_a_proxy_is_refused_and_networks_parse() {
        let error = Clients::new(Some(HeaderName::from_static("x-real-ip")), Vec::new())
            .expect_err("refused");
        assert!(error.contains("--trusted-proxy"), "{error}");
        assert_eq!(
            parse_network("10.1.2.3/8").expect("net").to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            parse_network(" 2001:db8::1 ").expect("net").to_string(),
            "2001:db8::1/128"
        );
        for bad in ["", "10.0.0.0/33", "proxy.example", "10.0.0.0/8,"] {
            assert!(parse_network(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn budgets_key_ipv6_clients_by_their_64() {
        let cases = [
            ("203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
        ];
        for (ip, key) in cases {
            assert_eq!(
                client_key(ip.parse().expect("ip")),
                key.parse::<IpAddr>().expect("ip"),
                "{ip}"
            );
        }
        let one = NonZeroU32::MIN;
        let budgets = Budgets::new(
            Rate::per_minute(one),
            Rate::per_minute(one),
            Rate::per_minute(one),
        );
        let first: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_subnet: IpAddr = "2001:db8:1:2::99".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert!(budgets.charge(Budget::Token, first).is_ok());
        assert!(
            budgets.charge(Budget::Token, same_subnet).is_err(),
            "a fresh address in the same /64 shares the budget"
        );
        assert!(budgets.charge(Budget::Token, other).is_ok());
        assert!(
            budgets.charge(Budget::Sandbox, first).is_ok(),
            "each purpose has its own budget"
        );
    }

    #[test]
    fn pruning_forgets_recovered_clients_and_a_check_never_prunes() {
        // A budget that recovers within nanoseconds, so every client is prunable at once.
        let fast = Rate::per_minute(NonZeroU32::MAX);
        let budgets = Budgets::new(fast, fast, fast);
        for n in 0..20_000u32 {
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            budgets.charge(Budget::Api, ip).expect("within budget");
        }
        assert_eq!(budgets.tracked(), 20_000, "checks leave the store alone");
        std::thread::sleep(std::time::Duration::from_millis(5));
        budgets.prune();
        assert_eq!(budgets.tracked(), 0);
    }
}
