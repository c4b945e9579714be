//! Small value types of an MSRP media line: transport, setup role, direction,
//! addresses, the path, and media-type lists.

use super::{MAX_ACCEPT_TYPES, MAX_PATH_URIS, MAX_URI_BYTES};
use std::fmt;

/// The transport of an MSRP `m=message` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MsrpTransport {
    /// `TCP/MSRP` (`msrp:` URIs).
    Tcp,
    /// `TCP/TLS/MSRP` (`msrps:` URIs).
    Tls,
}

impl MsrpTransport {
    /// The SDP proto field: `TCP/MSRP` or `TCP/TLS/MSRP`.
    pub fn proto(self) -> &'static str {
        match self {
            MsrpTransport::Tcp => "TCP/MSRP",
            MsrpTransport::Tls => "TCP/TLS/MSRP",
        }
    }

    /// Reads the proto field (case-insensitive); `None` for anything else.
    pub fn from_proto(proto: &str) -> Option<Self> {
        if proto.eq_ignore_ascii_case("TCP/MSRP") {
            Some(MsrpTransport::Tcp)
        } else if proto.eq_ignore_ascii_case("TCP/TLS/MSRP") {
            Some(MsrpTransport::Tls)
        } else {
            None
        }
    }

    /// The URI scheme that goes with it: `msrp` or `msrps`.
    pub fn scheme(self) -> &'static str {
        match self {
            MsrpTransport::Tcp => "msrp",
            MsrpTransport::Tls => "msrps",
        }
    }
}

impl fmt::Display for MsrpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.proto())
    }
}

/// `a=setup` (RFC 4145 section 4, used for MSRP by RFC 6135).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// Opens the connection.
    Active,
    /// Waits for the connection.
    Passive,
    /// Either; the answerer chooses (offers only).
    ActPass,
    /// No connection for now.
    HoldConn,
}

impl Setup {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }

    /// Reads an attribute value (case-insensitive).
    pub fn parse(value: &str) -> Option<Self> {
        [Setup::Active, Setup::Passive, Setup::ActPass, Setup::HoldConn]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

/// Media direction attribute (RFC 4566 section 6; RFC 5547 uses
/// `sendonly`/`recvonly` for push and pull).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv` (the default when none is given).
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Reads an attribute name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(name))
    }

    /// The direction an answer gives to this offered direction.
    pub fn reversed(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

/// An Internet address from `c=` or `o=` (network type `IN`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// `IP4` or `IP6` (other values are kept as written).
    pub addrtype: String,
    /// The address or host name, as written.
    pub address: String,
}

impl Address {
    /// An address for an IP: `IP4` or `IP6` chosen from it.
    pub fn from_ip(ip: std::net::IpAddr) -> Self {
        Address {
            addrtype: if ip.is_ipv4() { "IP4" } else { "IP6" }.into(),
            address: ip.to_string(),
        }
    }
}

/// The `a=path` of one side: MSRP URIs, the first hop first and the
/// endpoint's own URI last (RFC 4975 section 8.2, RFC 4976 section 5).
///
/// Each URI is checked only minimally (scheme `msrp://` or `msrps://`, a
/// host, no white space, at most [`MAX_URI_BYTES`]); see the module docs for
/// switching to the full MSRP URI type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MsrpPath(Vec<String>);

impl MsrpPath {
    /// Reads an `a=path` value: URIs separated by white space.
    pub fn parse(value: &str) -> Result<Self, String> {
        let uris: Vec<&str> = value.split_ascii_whitespace().collect();
        if uris.is_empty() {
            return Err("the path is empty".into());
        }
        if uris.len() > MAX_PATH_URIS {
            return Err(format!(
                "the path has {} URIs; at most {MAX_PATH_URIS} are accepted",
                uris.len()
            ));
        }
        Self::from_uris(uris.into_iter().map(String::from).collect())
    }

    /// A path from URIs (first hop first), each checked as in [`Self::parse`].
    pub fn from_uris(uris: Vec<String>) -> Result<Self, String> {
        if uris.is_empty() {
            return Err("the path is empty".into());
        }
        if uris.len() > MAX_PATH_URIS {
            return Err(format!(
                "the path has {} URIs; at most {MAX_PATH_URIS} are accepted",
                uris.len()
            ));
        }
        for uri in &uris {
            check_uri(uri)?;
        }
        Ok(MsrpPath(uris))
    }

    /// The URIs, first hop first.
    pub fn uris(&self) -> &[String] {
        &self.0
    }

    /// The endpoint's own URI (the last one).
    pub fn endpoint(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// The URI a peer connects to first (the first one: a relay, or the
    /// endpoint itself when there is no relay).
    pub fn first_hop(&self) -> Option<&str> {
        self.0.first().map(String::as_str)
    }

    /// Whether every URI uses the scheme of `transport`.
    pub fn matches_transport(&self, transport: MsrpTransport) -> bool {
        let prefix = format!("{}://", transport.scheme());
        self.0
            .iter()
            .all(|u| u.len() >= prefix.len() && u[..prefix.len()].eq_ignore_ascii_case(&prefix))
    }

    /// Whether there is no URI (only in declined streams).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for MsrpPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

fn check_uri(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_URI_BYTES {
        return Err(format!(
            "a path URI is {} bytes long; at most {MAX_URI_BYTES} are accepted",
            uri.len()
        ));
    }
    if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{uri:?} is not an MSRP URI (it contains white space)"));
    }
    if uri_host_port(uri).is_none() {
        return Err(format!(
            "{uri:?} is not an MSRP URI (it must be msrp://host... or msrps://host...)"
        ));
    }
    Ok(())
}

/// The host and port of an MSRP URI (`msrp[s]://[user@]host[:port]/...`),
/// with IPv6 brackets removed. `None` when it is not of that form.
pub fn uri_host_port(uri: &str) -> Option<(String, Option<u16>)> {
    let colon = uri.find("://")?;
    let scheme = &uri[..colon];
    if !(scheme.eq_ignore_ascii_case("msrp") || scheme.eq_ignore_ascii_case("msrps")) {
        return None;
    }
    let rest = &uri[colon + 3..];
    let end = rest.find(['/', ';']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after)
    } else {
        match hostport.find(':') {
            Some(i) => (&hostport[..i], &hostport[i..]),
            None => (hostport, ""),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port.strip_prefix(':') {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None if port.is_empty() => None,
        None => return None,
    };
    Some((host.to_string(), port))
}

/// Reads an `a=accept-types` / `a=accept-wrapped-types` value: media types
/// (`type/subtype`, `type/*` or `*`) separated by white space.
pub(crate) fn parse_type_list(value: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = value.split_ascii_whitespace().map(String::from).collect();
    if list.is_empty() {
        return Err("the list of media types is empty".into());
    }
    if list.len() > MAX_ACCEPT_TYPES {
        return Err(format!(
            "{} media types are listed; at most {MAX_ACCEPT_TYPES} are accepted",
            list.len()
        ));
    }
    for t in &list {
        if !is_media_type_entry(t) {
            return Err(format!("{t:?} is not a media type"));
        }
    }
    Ok(list)
}

fn is_media_type_entry(t: &str) -> bool {
    if t == "*" {
        return true;
    }
    let base = t.split(';').next().unwrap_or(t);
    let Some((ty, sub)) = base.split_once('/') else {
        return false;
    };
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    token(ty) && token(sub) && t.chars().all(|c| c.is_ascii_graphic())
}

/// Whether the media type `concrete` (e.g. `text/plain`) is covered by the
/// `pattern` (`text/plain`, `text/*` or `*`). Case-insensitive; parameters
/// after `;` are ignored. Also true when `concrete` is itself a wildcard that
/// overlaps the pattern, so two accept lists can be intersected.
pub fn media_type_matches(pattern: &str, concrete: &str) -> bool {
    let base = |s: &str| s.split(';').next().unwrap_or(s).trim().to_ascii_lowercase();
    let (p, c) = (base(pattern), base(concrete));
    if p == "*" || c == "*" {
        return true;
    }
    let (Some((pt, ps)), Some((ct, cs))) = (p.split_once('/'), c.split_once('/')) else {
        return false;
    };
    pt == ct && (ps == "*" || cs == "*" || ps == cs)
}
