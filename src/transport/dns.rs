//! Locating a SIP server in DNS (RFC 3263 section 4.2, RFC 2782 ordering).
//!
//! [`locate`] turns the host, optional port and transport of a SIP target into
//! the addresses to try, in order:
//!
//! 1. An IP literal (`192.0.2.1`, `::1` or `[::1]`) is used as it is, with the
//!    given port or the transport's default port; no DNS query is made.
//! 2. A name with an explicit port skips SRV: its A and AAAA records are used
//!    with that port.
//! 3. Otherwise the SRV records `_sip._udp.<host>`, `_sip._tcp.<host>` or
//!    `_sips._tcp.<host>` (for UDP, TCP and TLS) are looked up and ordered by
//!    priority, then by RFC 2782 weighted random selection within a priority
//!    ([`order_srv`]); each target is resolved with the SRV port. A single
//!    target of `"."` means the domain says it does not offer that service.
//! 4. With no SRV records at all, the A and AAAA records of the host are used
//!    with the default port (5060, or 5061 for TLS).
//!
//! Addresses of one name are returned IPv4 first, then IPv6 (both kept, so a
//! caller can fall back to IPv6 when IPv4 fails).
//!
//! The system resolver configuration (`/etc/resolv.conf` and the hosts file)
//! is used, except when the environment variable [`DNS_SERVER_ENV`]
//! (`SIPCHAT_DNS_SERVER=ip:port`, or just `ip` for port 53) is set: then only
//! that server is asked and the hosts file is ignored. It is a knob for
//! troubleshooting ("what does this DNS server say?") and for tests.

use crate::protocol::sip::uri::Transport;
use hickory_resolver::config::{LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::time::Instant;

/// Environment variable naming the only DNS server to ask (`ip:port` or `ip`).
pub const DNS_SERVER_ENV: &str = "SIPCHAT_DNS_SERVER";
/// Port used when [`DNS_SERVER_ENV`] names an address without a port.
pub const DNS_DEFAULT_PORT: u16 = 53;
/// How long one DNS query waits for an answer.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
/// How many times a query is tried before giving up.
pub const QUERY_ATTEMPTS: usize = 2;
/// Upper bound on one whole [`locate`] call, all queries included.
pub const LOCATE_DEADLINE: Duration = Duration::from_secs(10);
/// At most this many SRV targets are resolved (the first ones in order).
pub const MAX_SRV_TARGETS: usize = 16;
/// At most this many addresses are kept per name.
pub const MAX_ADDRS_PER_NAME: usize = 8;

/// One place to try: an address, and the name it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Where to send or connect.
    pub addr: SocketAddr,
    /// The SRV target name, or the host itself, without a trailing dot
    /// (for TLS server-name checks and for messages).
    pub target: String,
}

/// One SRV record, as the ordering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative share of selections within one priority.
    pub weight: u16,
    /// Port of the service on the target.
    pub port: u16,
    /// Target host name, without a trailing dot (`"."` for "not offered").
    pub target: String,
}

/// Why no server address could be found, in words a user can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DnsError {
    /// The host is empty.
    #[error("no server host name given")]
    EmptyHost,
    /// Neither SRV records nor addresses exist for the host.
    #[error("no SIP server found for {host} (no SRV records and no address)")]
    NotFound {
        /// The host looked up.
        host: String,
    },
    /// A name used with an explicit port has no A or AAAA record.
    #[error("{host} has no address (no A or AAAA record)")]
    NoAddress {
        /// The host looked up.
        host: String,
    },
    /// The domain publishes a `"."` SRV target: it does not offer the service.
    #[error("{host} does not offer SIP over {transport} (SRV target \".\")")]
    NotOffered {
        /// The host looked up.
        host: String,
        /// The transport asked for.
        transport: Transport,
    },
    /// SRV records exist but none of their targets has an address.
    #[error(
        "no SIP server found for {host}: its SRV records {service} point to {targets}, which have no address"
    )]
    TargetsUnresolved {
        /// The host looked up.
        host: String,
        /// The SRV name queried.
        service: String,
        /// The targets tried, comma separated.
        targets: String,
    },
    /// A query got no answer in time.
    #[error("DNS lookup of {name} timed out; check the network connection and the DNS server ({DNS_SERVER_ENV} or /etc/resolv.conf)")]
    Timeout {
        /// The name queried.
        name: String,
    },
    /// A query failed otherwise.
    #[error("DNS lookup of {name} failed: {reason}")]
    Lookup {
        /// The name queried.
        name: String,
        /// What the resolver said.
        reason: String,
    },
    /// The resolver could not be set up.
    #[error("cannot use the DNS configuration: {reason}")]
    Config {
        /// What went wrong.
        reason: String,
    },
}

/// Where to try, in order, for a SIP target; see the module documentation.
///
/// The weighted selection among SRV records of equal priority uses fresh
/// randomness; [`locate_seeded`] makes it repeatable.
pub async fn locate(host: &str, port: Option<u16>, transport: Transport) -> Result<Vec<Located>, DnsError> {
    locate_seeded(host, port, transport, rand::random()).await
}

/// Like [`locate`], with the randomness of the SRV ordering drawn from `seed`.
pub async fn locate_seeded(
    host: &str,
    port: Option<u16>,
    transport: Transport,
    seed: u64,
) -> Result<Vec<Located>, DnsError> {
    let host = normalize_host(host);
    if host.is_empty() {
        return Err(DnsError::EmptyHost);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        let port = port.unwrap_or(transport.default_port());
        return Ok(vec![Located {
            addr: SocketAddr::new(ip, port),
            target: host.to_string(),
        }]);
    }
    let deadline = Instant::now() + LOCATE_DEADLINE;
    let resolver = build_resolver()?;
    if let Some(port) = port {
        let located = addresses(&resolver, host, port, deadline).await?;
        return non_empty(located, || DnsError::NoAddress {
            host: host.to_string(),
        });
    }
    let service = srv_name(host, transport);
    let records = srv_records(&resolver, &service, deadline).await?;
    if records.is_empty() {
        let located = addresses(&resolver, host, transport.default_port(), deadline).await?;
        return non_empty(located, || DnsError::NotFound {
            host: host.to_string(),
        });
    }
    if records.iter().all(|r| r.target == ".") {
        return Err(DnsError::NotOffered {
            host: host.to_string(),
            transport,
        });
    }
    let usable: Vec<SrvRecord> = records
        .into_iter()
        .filter(|r| r.target != "." && r.port != 0)
        .collect();
    let ordered = order_srv(&usable, &mut seeded_rng(seed));
    let mut located: Vec<Located> = Vec::new();
    let mut last_timeout = None;
    for record in ordered.iter().take(MAX_SRV_TARGETS) {
        match addresses(&resolver, &record.target, record.port, deadline).await {
            Ok(found) => {
                for l in found {
                    if !located.iter().any(|k| k.addr == l.addr) {
                        located.push(l);
                    }
                }
            }
            Err(e) => {
                tracing::debug!(target = %record.target, error = %e, "SRV target not resolved");
                if matches!(e, DnsError::Timeout { .. }) {
                    last_timeout = Some(e);
                }
            }
        }
    }
    if located.is_empty() {
        if let Some(timeout) = last_timeout {
            return Err(timeout);
        }
        let targets: Vec<&str> = ordered.iter().map(|r| r.target.as_str()).collect();
        return Err(DnsError::TargetsUnresolved {
            host: host.to_string(),
            service,
            targets: targets.join(", "),
        });
    }
    Ok(located)
}

/// Orders SRV records: by ascending priority, then within each priority by
/// RFC 2782 weighted random selection (weight-0 records first in the pool,
/// pick a number in `0..=sum of weights`, take the first record whose running
/// sum reaches it, repeat without it). `rng` supplies the random numbers.
///
/// The pool is sorted by target and port first, so the result depends only
/// on the set of records and the random numbers, not on the order in which
/// the DNS server listed them.
pub fn order_srv(records: &[SrvRecord], rng: &mut impl FnMut() -> u64) -> Vec<SrvRecord> {
    let mut sorted = records.to_vec();
    sorted.sort_by(|a, b| {
        (a.priority, &a.target, a.port, a.weight).cmp(&(b.priority, &b.target, b.port, b.weight))
    });
    let mut out = Vec::with_capacity(sorted.len());
    for group in sorted.chunk_by(|a, b| a.priority == b.priority) {
        let (zero, weighted): (Vec<&SrvRecord>, Vec<&SrvRecord>) = group.iter().partition(|r| r.weight == 0);
        let mut pool: Vec<&SrvRecord> = zero.into_iter().chain(weighted).collect();
        while !pool.is_empty() {
            let total: u64 = pool.iter().map(|r| u64::from(r.weight)).sum();
            let pick = rng() % (total + 1);
            let mut running = 0u64;
            let index = pool
                .iter()
                .position(|r| {
                    running += u64::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0);
            out.push(pool.remove(index).clone());
        }
    }
    out
}

/// A small deterministic generator (SplitMix64) for [`order_srv`].
pub fn seeded_rng(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The SRV owner name for `host` and `transport` (fully qualified).
pub fn srv_name(host: &str, transport: Transport) -> String {
    let prefix = match transport {
        Transport::Udp => "_sip._udp",
        Transport::Tcp => "_sip._tcp",
        Transport::Tls => "_sips._tcp",
    };
    format!("{prefix}.{}.", normalize_host(host))
}

/// Strips surrounding whitespace, IPv6 brackets and one trailing dot.
fn normalize_host(host: &str) -> &str {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.strip_suffix('.').unwrap_or(host)
}

/// `Ok(v)` if `v` has entries, else the error from `err`.
fn non_empty(v: Vec<Located>, err: impl FnOnce() -> DnsError) -> Result<Vec<Located>, DnsError> {
    if v.is_empty() {
        Err(err())
    } else {
        Ok(v)
    }
}

/// Builds a resolver from [`DNS_SERVER_ENV`] or the system configuration.
fn build_resolver() -> Result<TokioResolver, DnsError> {
    let mut builder = match std::env::var(DNS_SERVER_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            let server = parse_server(value.trim())?;
            let mut ns = NameServerConfig::udp_and_tcp(server.ip());
            for connection in &mut ns.connections {
                connection.port = server.port();
            }
            let config = ResolverConfig::from_name_servers(vec![ns]);
            let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
            builder.options_mut().use_hosts_file = ResolveHosts::Never;
            builder
        }
        _ => TokioResolver::builder_tokio().map_err(config_error)?,
    };
    let options = builder.options_mut();
    options.timeout = QUERY_TIMEOUT;
    options.attempts = QUERY_ATTEMPTS;
    options.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
    builder.build().map_err(config_error)
}

/// A resolver set-up failure as a [`DnsError::Config`].
fn config_error(e: NetError) -> DnsError {
    DnsError::Config {
        reason: e.to_string(),
    }
}

/// Parses the value of [`DNS_SERVER_ENV`].
fn parse_server(value: &str) -> Result<SocketAddr, DnsError> {
    value
        .parse::<SocketAddr>()
        .or_else(|_| {
            normalize_host(value)
                .parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, DNS_DEFAULT_PORT))
        })
        .map_err(|_| DnsError::Config {
            reason: format!("{DNS_SERVER_ENV} must be ip:port (like 127.0.0.1:5353), not {value:?}"),
        })
}

/// Maps a resolver error for `name`; `None` when it only means "no records".
fn lookup_error(name: &str, e: NetError) -> Option<DnsError> {
    let name = name.to_string();
    match e {
        e if e.is_no_records_found() => None,
        NetError::Timeout => Some(DnsError::Timeout { name }),
        NetError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Some(DnsError::Timeout { name }),
        e => Some(DnsError::Lookup {
            name,
            reason: e.to_string(),
        }),
    }
}

/// The SRV records at `service`; empty when there are none.
async fn srv_records(
    resolver: &TokioResolver,
    service: &str,
    deadline: Instant,
) -> Result<Vec<SrvRecord>, DnsError> {
    let lookup = match bounded(service, deadline, resolver.srv_lookup(service)).await? {
        Ok(lookup) => lookup,
        Err(e) => return lookup_error(service, e).map_or(Ok(Vec::new()), Err),
    };
    Ok(lookup
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::SRV(srv) => Some(SrvRecord {
                priority: srv.priority,
                weight: srv.weight,
                port: srv.port,
                target: if srv.target.is_root() {
                    ".".to_string()
                } else {
                    normalize_host(&srv.target.to_ascii()).to_string()
                },
            }),
            _ => None,
        })
        .collect())
}

/// The A and AAAA addresses of `host` with `port`, IPv4 first; empty when
/// the name has none.
async fn addresses(
    resolver: &TokioResolver,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<Vec<Located>, DnsError> {
    let lookup = match bounded(host, deadline, resolver.lookup_ip(host)).await? {
        Ok(lookup) => lookup,
        Err(e) => return lookup_error(host, e).map_or(Ok(Vec::new()), Err),
    };
    let mut ips: Vec<IpAddr> = Vec::new();
    for ip in lookup.iter() {
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    ips.sort_by_key(|ip| ip.is_ipv6());
    Ok(ips
        .into_iter()
        .take(MAX_ADDRS_PER_NAME)
        .map(|ip| Located {
            addr: SocketAddr::new(ip, port),
            target: host.to_string(),
        })
        .collect())
}

/// Runs `query` for `name` until `deadline`, then reports a timeout.
async fn bounded<T>(
    name: &str,
    deadline: Instant,
    query: impl std::future::Future<Output = T>,
) -> Result<T, DnsError> {
    tokio::time::timeout_at(deadline, query)
        .await
        .map_err(|_| DnsError::Timeout {
            name: name.to_string(),
        })
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
