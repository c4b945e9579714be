//! Trusted alert senders, sans-IO: what one `trusted_alert_senders` entry
//! is, and whether a source address falls under it.
//!
//! An entry is one of:
//!
//! - a SIP URI (`sip:alerts@example.org`), matched against the From of the
//!   MESSAGE (by the runtime, which knows how to normalise URIs);
//! - an IP address (`192.0.2.7`, `2001:db8::7`, `[2001:db8::7]`) or a CIDR
//!   network (`192.0.2.0/24`, `2001:db8::/32`), matched against the source
//!   address of the request;
//! - a host name (`alerts.example.org`), which the runtime resolves and then
//!   matches like an address: a name is only as good as its DNS.
//!
//! IPv4-mapped IPv6 addresses (`::ffff:192.0.2.7`) are the IPv4 address they
//! carry, in entries and in source addresses alike.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest entry read, in bytes.
pub const MAX_ENTRY_LEN: usize = 512;
/// Longest host name (RFC 1035), without a trailing dot.
pub const MAX_HOST_NAME_LEN: usize = 253;
/// Longest label of a host name (RFC 1035).
pub const MAX_LABEL_LEN: usize = 63;
/// Bits in an IPv4 address.
const IPV4_BITS: u8 = 32;
/// Bits in an IPv6 address.
const IPV6_BITS: u8 = 128;
/// Bits of the `::ffff:0:0/96` prefix that maps IPv4 into IPv6.
const MAPPED_PREFIX_BITS: u8 = 96;

/// Why an entry is not one. The words complete a sentence about the entry,
/// e.g. `trusted_alert_senders entry "10.0.0.1/8" has host bits set ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderError {
    /// Nothing there.
    #[error("is empty")]
    Empty,
    /// Too long to be any of the forms.
    #[error("is {len} bytes long; at most {max} are read")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A network whose prefix length is not a number in range.
    #[error("has an invalid prefix length {prefix:?} (0 to {max} for this address family)")]
    Prefix {
        /// The text after `/`.
        prefix: String,
        /// The largest valid prefix length.
        max: u8,
    },
    /// A network written with bits set after its prefix.
    #[error("has host bits set after the prefix: did you mean {network}?")]
    HostBits {
        /// The network with those bits cleared.
        network: String,
    },
    /// A network whose address part is not an IP address.
    #[error("is not a network: {address:?} before the / is not an IP address")]
    NetworkAddress {
        /// The text before `/`.
        address: String,
    },
    /// A host or address with a port.
    #[error("must not have a port: the source address is matched, not its port")]
    Port,
    /// Looks like an IPv4 address, but is not one.
    #[error("is not a valid IP address")]
    BadAddress,
    /// Not any of the forms.
    #[error("is not a SIP URI (sip:user@host), an IP address, a CIDR network (192.0.2.0/24) or a host name")]
    Unknown,
}

/// An IP network: the addresses sharing the first `prefix` bits of `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// The network of `base` with `prefix` bits, or `None` when the prefix
    /// is too long or `base` has bits set after it. A v4-mapped IPv6 base
    /// with a prefix of at least 96 is the IPv4 network it maps.
    pub fn new(base: IpAddr, prefix: u8) -> Option<Network> {
        let (base, prefix) = match base {
            IpAddr::V6(v6) if prefix >= MAPPED_PREFIX_BITS => match v6.to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), prefix - MAPPED_PREFIX_BITS),
                None => (base, prefix),
            },
            _ => (base, prefix),
        };
        if prefix > bits_of(base) || masked(base, prefix) != base {
            return None;
        }
        Some(Network { base, prefix })
    }

    /// The network holding exactly `address`.
    pub fn host(address: IpAddr) -> Network {
        let address = address.to_canonical();
        Network {
            base: address,
            prefix: bits_of(address),
        }
    }

    /// Whether `address` is in this network (v4-mapped IPv6 addresses count
    /// as the IPv4 address they carry).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        address.is_ipv4() == self.base.is_ipv4() && masked(address, self.prefix) == self.base
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// One parsed `trusted_alert_senders` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TrustedSender {
    /// A SIP or SIPS URI, as written (the caller checks and normalises it).
    Uri(String),
    /// An address or network, matched against the source address.
    Network(Network),
    /// A host name, lower case without a trailing dot; its addresses are
    /// matched against the source address.
    Host(String),
}

impl TrustedSender {
    /// Reads one entry (surrounding spaces ignored).
    pub fn parse(entry: &str) -> Result<TrustedSender, SenderError> {
        if entry.len() > MAX_ENTRY_LEN {
            return Err(SenderError::TooLong {
                len: entry.len(),
                max: MAX_ENTRY_LEN,
            });
        }
        let entry = entry.trim();
        if entry.is_empty() {
            return Err(SenderError::Empty);
        }
        let lower = entry.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            return Ok(TrustedSender::Uri(entry.to_string()));
        }
        if let Some((address, prefix)) = entry.split_once('/') {
            return parse_network(address, prefix).map(TrustedSender::Network);
        }
        if let Some(address) = parse_address(entry)? {
            return Ok(TrustedSender::Network(Network::host(address)));
        }
        parse_host(&lower).map(TrustedSender::Host)
    }
}

/// Whether `source` is in one of `networks` or is one of `resolved` (the
/// current addresses of the trusted host names).
pub fn source_listed<'a>(
    source: IpAddr,
    networks: impl IntoIterator<Item = &'a Network>,
    resolved: impl IntoIterator<Item = &'a IpAddr>,
) -> bool {
    let source = source.to_canonical();
    networks.into_iter().any(|n| n.contains(source))
        || resolved.into_iter().any(|a| a.to_canonical() == source)
}

/// An IP address, bracketed or not; `Ok(None)` when it is not written as one.
fn parse_address(text: &str) -> Result<Option<IpAddr>, SenderError> {
    if let Some(inner) = text.strip_prefix('[') {
        let (inner, after) = inner.split_once(']').ok_or(SenderError::BadAddress)?;
        if !after.is_empty() {
            return Err(SenderError::Port);
        }
        return inner
            .parse::<Ipv6Addr>()
            .map(|a| Some(IpAddr::V6(a)))
            .map_err(|_| SenderError::BadAddress);
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return Ok(Some(address));
    }
    match text.matches(':').count() {
        0 => Ok(None),
        // `host:port` or `192.0.2.7:5060`.
        1 => Err(SenderError::Port),
        _ => Err(SenderError::BadAddress),
    }
}

fn parse_network(address: &str, prefix: &str) -> Result<Network, SenderError> {
    let base = match parse_address(address) {
        Ok(Some(base)) => base,
        _ => {
            return Err(SenderError::NetworkAddress {
                address: address.to_string(),
            })
        }
    };
    let max = bits_of(base);
    let bad_prefix = || SenderError::Prefix {
        prefix: prefix.to_string(),
        max,
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_prefix());
    }
    let bits: u8 = prefix.parse().map_err(|_| bad_prefix())?;
    if bits > max {
        return Err(bad_prefix());
    }
    Network::new(base, bits).ok_or_else(|| SenderError::HostBits {
        network: format!("{}/{bits}", masked(base, bits)),
    })
}

/// A host name in lower case without its trailing dot.
fn parse_host(lower: &str) -> Result<String, SenderError> {
    let name = lower.strip_suffix('.').unwrap_or(lower);
    if name.is_empty() || name.len() > MAX_HOST_NAME_LEN {
        return Err(SenderError::Unknown);
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if !name.split('.').all(label_ok) {
        return Err(SenderError::Unknown);
    }
    // `10.0.0` or `300.1.1.1`: meant as an address, and not one.
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SenderError::BadAddress);
    }
    Ok(name.to_string())
}

fn bits_of(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => IPV4_BITS,
        IpAddr::V6(_) => IPV6_BITS,
    }
}

/// `address` with every bit after the first `prefix` cleared.
fn masked(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let mask = u32::MAX
                .checked_shl(u32::from(IPV4_BITS - prefix.min(IPV4_BITS)))
                .unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX
                .checked_shl(u32::from(IPV6_BITS - prefix.min(IPV6_BITS)))
                .unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

#[cfg(test)]
#[path = "senders_tests.rs"]
mod tests;
