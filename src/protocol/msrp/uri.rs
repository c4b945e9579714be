//! MSRP URIs (RFC 4975 section 9):
//! `msrp[s]://[userinfo@]host[:port][/session-id];transport[;param]...`.
//!
//! A relay's URI has no session-id (`msrps://relay.example.com;tcp`), an
//! endpoint's URI in an `a=path` always has one. Comparison follows RFC 4975
//! section 6.1 (see [`MsrpUri::matches`]); the derived `PartialEq` is exact
//! structural equality, used by round-trip tests.

use std::fmt;

/// Longest MSRP URI we accept, in bytes.
pub const MAX_MSRP_URI_LEN: usize = 1024;
/// Longest session-id we accept, in bytes (RFC 4975 asks for at least 80
/// bits of randomness; real ones are 10 to 40 characters).
pub const MAX_SESSION_ID_LEN: usize = 256;
/// Most `;param` items after the transport.
pub const MAX_URI_PARAMS: usize = 16;
/// The port registered for MSRP (RFC 4975 section 15.5), used by the runtime
/// when a URI has none.
pub const DEFAULT_MSRP_PORT: u16 = 2855;

/// Why text is not an MSRP URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Longer than [`MAX_MSRP_URI_LEN`].
    #[error("the MSRP URI is {0} bytes long; at most {MAX_MSRP_URI_LEN} are accepted")]
    TooLong(usize),
    /// Does not start with `msrp://` or `msrps://`.
    #[error("an MSRP URI must start with msrp:// or msrps://")]
    Scheme,
    /// Nothing between `://` and the path or parameters.
    #[error("the MSRP URI has no host")]
    NoHost,
    /// Host with characters a host name or IP address cannot have.
    #[error("the host of the MSRP URI has characters a host name cannot have")]
    BadHost,
    /// Port not a number from 1 to 65535.
    #[error("the port of the MSRP URI is not a number from 1 to 65535")]
    BadPort,
    /// Session-id empty, too long or with characters RFC 4975 forbids.
    #[error("the session-id of the MSRP URI is empty, longer than {MAX_SESSION_ID_LEN} bytes or holds characters it cannot have")]
    BadSessionId,
    /// No `;transport` after the authority/session-id.
    #[error("the MSRP URI names no transport (such as ;tcp)")]
    NoTransport,
    /// A parameter is empty or holds spaces or control characters.
    #[error("a parameter of the MSRP URI is empty or holds spaces or control characters")]
    BadParam,
    /// More than [`MAX_URI_PARAMS`] parameters.
    #[error("the MSRP URI has more than {MAX_URI_PARAMS} parameters")]
    TooManyParams,
}

/// One MSRP URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsrpUri {
    /// `msrps` (TLS) rather than `msrp`.
    pub secure: bool,
    /// Userinfo before `@`, as written (relays use it for the user name).
    pub user: Option<String>,
    /// Host name or IP literal; IPv6 literals keep their brackets.
    pub host: String,
    /// Port, when written.
    pub port: Option<u16>,
    /// Session-id (after `/`), when present.
    pub session_id: Option<String>,
    /// Transport token (`tcp`, as written).
    pub transport: String,
    /// Further `;name[=value]` parameters, as written.
    pub params: Vec<String>,
}

fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
}

/// Session-id characters (RFC 4975: unreserved / "+" / "=" / "/"), except
/// that `/` would be ambiguous to us, so we also accept `%` escapes.
fn is_session_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'=' | b'%')
}

fn is_param_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b';' | b'"' | b'<' | b'>')
}

impl MsrpUri {
    /// An endpoint URI: `msrp[s]://host:port/session_id;tcp`.
    pub fn endpoint(secure: bool, host: &str, port: u16, session_id: &str) -> MsrpUri {
        MsrpUri {
            secure,
            user: None,
            host: host.to_string(),
            port: Some(port),
            session_id: Some(session_id.to_string()),
            transport: "tcp".into(),
            params: Vec::new(),
        }
    }

    /// Parses one URI (no surrounding spaces).
    pub fn parse(text: &str) -> Result<MsrpUri, UriError> {
        if text.len() > MAX_MSRP_URI_LEN {
            return Err(UriError::TooLong(text.len()));
        }
        // Compare bytes: the text may hold multi-byte characters anywhere.
        let lower_prefix = |p: &str| {
            text.as_bytes()
                .get(..p.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(p.as_bytes()))
        };
        let (secure, rest) = if lower_prefix("msrps://") {
            (true, &text[8..])
        } else if lower_prefix("msrp://") {
            (false, &text[7..])
        } else {
            return Err(UriError::Scheme);
        };
        let (before_params, params_text) = match rest.find(';') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => return Err(UriError::NoTransport),
        };
        let (authority, session_id) = match before_params.find('/') {
            Some(i) => (&before_params[..i], Some(&before_params[i + 1..])),
            None => (before_params, None),
        };
        let (user, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        if let Some(u) = user {
            if u.is_empty() || !u.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
                return Err(UriError::BadHost);
            }
        }
        let (host, port) = split_host_port(hostport)?;
        if let Some(sid) = session_id {
            if sid.is_empty() || sid.len() > MAX_SESSION_ID_LEN || !sid.bytes().all(is_session_char) {
                return Err(UriError::BadSessionId);
            }
        }
        let mut parts = params_text.split(';');
        let transport = parts.next().unwrap_or_default();
        if transport.is_empty() || !transport.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(UriError::NoTransport);
        }
        let mut params = Vec::new();
        for p in parts {
            if p.is_empty() || !p.bytes().all(is_param_char) {
                return Err(UriError::BadParam);
            }
            if params.len() == MAX_URI_PARAMS {
                return Err(UriError::TooManyParams);
            }
            params.push(p.to_string());
        }
        Ok(MsrpUri {
            secure,
            user: user.map(str::to_string),
            host: host.to_string(),
            port,
            session_id: session_id.map(str::to_string),
            transport: transport.to_string(),
            params,
        })
    }

    /// Parses a space-separated list of URIs (a To-Path, From-Path, Use-Path
    /// or SDP `a=path` value). Empty lists are refused.
    pub fn parse_path(text: &str) -> Result<Vec<MsrpUri>, UriError> {
        let uris = text
            .split_ascii_whitespace()
            .map(MsrpUri::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if uris.is_empty() {
            return Err(UriError::Scheme);
        }
        Ok(uris)
    }

    /// Writes a path as a space-separated list.
    pub fn format_path(path: &[MsrpUri]) -> String {
        path.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(" ")
    }

    /// The port to connect to: the URI's, else [`DEFAULT_MSRP_PORT`].
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_MSRP_PORT)
    }

    /// The host without IPv6 brackets, for address lookup.
    pub fn host_for_lookup(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// RFC 4975 section 6.1 equivalence: scheme, host and transport compared
    /// case-insensitively, an IP address by its value (`[2001:db8::1]` is
    /// `[2001:DB8:0:0:0:0:0:1]`); the port must be equal, where an explicit
    /// port never matches an absent one; the session-id compared
    /// case-sensitively (a URI without one never matches one with one);
    /// userinfo and further parameters are not compared.
    pub fn matches(&self, other: &MsrpUri) -> bool {
        let same_host = match (
            self.host_for_lookup().parse::<std::net::IpAddr>(),
            other.host_for_lookup().parse::<std::net::IpAddr>(),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => self.host.eq_ignore_ascii_case(&other.host),
        };
        self.secure == other.secure
            && same_host
            && self.port == other.port
            && self.session_id == other.session_id
            && self.transport.eq_ignore_ascii_case(&other.transport)
    }
}

fn split_host_port(hostport: &str) -> Result<(&str, Option<u16>), UriError> {
    if hostport.is_empty() {
        return Err(UriError::NoHost);
    }
    let (host, port) = if hostport.starts_with('[') {
        let close = hostport.find(']').ok_or(UriError::BadHost)?;
        let host = &hostport[..=close];
        match &hostport[close + 1..] {
            "" => (host, None),
            p if p.starts_with(':') => (host, Some(&p[1..])),
            _ => return Err(UriError::BadHost),
        }
    } else {
        match hostport.rfind(':') {
            Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(UriError::NoHost);
    }
    let bracketed = host.starts_with('[');
    let host_ok = host.bytes().all(is_host_char)
        && (bracketed || !host.contains([':', '[', ']']))
        && (!bracketed
            || (host.ends_with(']')
                && host[1..host.len() - 1]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')));
    if !host_ok {
        return Err(UriError::BadHost);
    }
    let port = match port {
        None => None,
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(UriError::BadPort);
            }
            match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(UriError::BadPort),
                Ok(n) => Some(n),
            }
        }
    };
    Ok((host, port))
}

impl fmt::Display for MsrpUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "msrps://" } else { "msrp://" })?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(sid) = &self.session_id {
            write!(f, "/{sid}")?;
        }
        write!(f, ";{}", self.transport)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for MsrpUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MsrpUri::parse(s)
    }
}

#[cfg(test)]
#[path = "uri_tests.rs"]
mod tests;
