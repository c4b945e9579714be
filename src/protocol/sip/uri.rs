//! SIP and SIPS URIs (RFC 3261 section 19.1), including IPv6 references.

use super::header_value::{find_param, parse_params, Param};
use std::fmt;

/// Longest URI we accept anywhere.
pub const MAX_URI_LEN: usize = 2048;

/// URI scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `sip:`
    Sip,
    /// `sips:` (TLS required on every hop)
    Sips,
}

/// Transport named by a URI's `transport=` parameter or a Via.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Datagrams; retransmissions by the transaction layer.
    Udp,
    /// A TCP stream.
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl Transport {
    /// The token used in Via headers (`UDP`, `TCP`, `TLS`).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }

    /// The token used in `;transport=` URI parameters.
    pub fn param_token(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }

    /// Whether the transport delivers reliably (no SIP retransmissions).
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// Parses a transport token in any case.
    pub fn from_token(token: &str) -> Option<Transport> {
        match token.to_ascii_lowercase().as_str() {
            "udp" => Some(Transport::Udp),
            "tcp" => Some(Transport::Tcp),
            "tls" => Some(Transport::Tls),
            _ => None,
        }
    }

    /// The port used when a URI names none.
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            _ => 5060,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.via_token())
    }
}

/// Why a URI could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Longer than [`MAX_URI_LEN`].
    #[error("address is too long ({0} bytes)")]
    TooLong(usize),
    /// Not `sip:` or `sips:`.
    #[error("\"{0}\" is not a SIP address (it must start with sip: or sips:)")]
    Scheme(String),
    /// Host part missing or malformed.
    #[error("\"{0}\" has no valid host")]
    Host(String),
    /// `@` with nothing before it (or only a password).
    #[error("\"{0}\" has an empty user part")]
    User(String),
    /// Port not a number in range.
    #[error("\"{0}\" has an invalid port")]
    Port(String),
}

/// A parsed `sip:`/`sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    /// `sip` or `sips`.
    pub scheme: Scheme,
    /// User part, still percent-encoded as received.
    pub user: Option<String>,
    /// Password part (deprecated by RFC 3261 but legal).
    pub password: Option<String>,
    /// Host: a name, an IPv4 address, or an IPv6 reference *with* brackets.
    pub host: String,
    /// Explicit port.
    pub port: Option<u16>,
    /// URI parameters (`;transport=tcp;lr`).
    pub params: Vec<Param>,
    /// Raw `?headers` part.
    pub headers: Option<String>,
}

impl SipUri {
    /// Parses a URI such as `sip:bob@192.0.2.7:5062;transport=tcp`.
    pub fn parse(input: &str) -> Result<SipUri, UriError> {
        let input = input.trim();
        if input.len() > MAX_URI_LEN {
            return Err(UriError::TooLong(input.len()));
        }
        let (scheme, rest) = match input.split_once(':') {
            Some((s, rest)) if s.eq_ignore_ascii_case("sip") => (Scheme::Sip, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("sips") => (Scheme::Sips, rest),
            _ => return Err(UriError::Scheme(input.to_string())),
        };
        // '@' cannot appear unescaped anywhere but between userinfo and host,
        // while the user part may hold '?' and ';' (RFC 3261 25.1).
        let (userinfo, after_at) = match rest.find('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (hostpart, headers) = match after_at.split_once('?') {
            Some((h, hdrs)) => (h, Some(hdrs.to_string())),
            None => (after_at, None),
        };
        let (user, password) = match userinfo {
            Some(ui) => match ui.split_once(':') {
                Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
                None => (Some(ui.to_string()), None),
            },
            None => (None, None),
        };
        if userinfo.is_some() && user.as_deref().is_none_or(str::is_empty) {
            return Err(UriError::User(input.to_string()));
        }
        let (hostport, params) = match hostpart.find(';') {
            Some(i) => (&hostpart[..i], parse_params(&hostpart[i..])),
            None => (hostpart, Vec::new()),
        };
        let (host, port) = split_host_port(hostport, input)?;
        Ok(SipUri {
            scheme,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    /// The `transport=` parameter, if present and known.
    pub fn transport_param(&self) -> Option<Transport> {
        find_param(&self.params, "transport")
            .and_then(|p| p.value.as_deref())
            .and_then(Transport::from_token)
    }

    /// The transport this URI asks for: `sips:` means TLS, else the parameter, else UDP.
    pub fn transport(&self) -> Transport {
        match (self.scheme, self.transport_param()) {
            (Scheme::Sips, _) => Transport::Tls,
            (_, Some(t)) => t,
            (_, None) => Transport::Udp,
        }
    }

    /// The explicit port or the transport's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.transport().default_port())
    }

    /// Host without IPv6 brackets, ready for address resolution.
    pub fn host_for_lookup(&self) -> &str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&self.host)
    }

    /// The host as an IP address (an IPv6 reference without its brackets),
    /// when it is one.
    pub fn host_ip(&self) -> Option<std::net::IpAddr> {
        self.host_for_lookup().parse().ok()
    }

    /// Whether two hosts are the same for URI comparison (RFC 3261 section
    /// 19.1.4 as corrected by RFC 5954 section 4): names without regard to
    /// case, IP addresses by value, so `[::1]` and `[0:0:0:0:0:0:0:1]` are
    /// one host; a name never equals an address.
    pub fn same_host(&self, other: &SipUri) -> bool {
        match (self.host_ip(), other.host_ip()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.host.eq_ignore_ascii_case(&other.host),
            _ => false,
        }
    }

    /// The `maddr` parameter as an IP address (bracketed or not, for
    /// IPv6), when present and one.
    pub fn maddr_ip(&self) -> Option<std::net::IpAddr> {
        let value = find_param(&self.params, "maddr")?.value.as_deref()?.trim();
        let bare = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(value);
        bare.parse().ok()
    }

    /// The address-of-record form: scheme, user and host only, lower-cased host.
    pub fn aor(&self) -> SipUri {
        SipUri {
            scheme: self.scheme,
            user: self.user.clone(),
            password: None,
            host: self.host.to_ascii_lowercase(),
            port: None,
            params: Vec::new(),
            headers: None,
        }
    }
}

fn split_host_port(hostport: &str, whole: &str) -> Result<(String, Option<u16>), UriError> {
    let hostport = hostport.trim();
    let (host, port_str) = if hostport.starts_with('[') {
        let end = hostport
            .find(']')
            .ok_or_else(|| UriError::Host(whole.to_string()))?;
        let host = &hostport[..=end];
        let after = &hostport[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UriError::Host(whole.to_string())),
        };
        if host[1..end].parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UriError::Host(whole.to_string()));
        }
        (host.to_string(), port)
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() || !host.chars().all(valid_host_char) {
        return Err(UriError::Host(whole.to_string()));
    }
    let port = match port_str {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| UriError::Port(whole.to_string()))?,
        ),
        None => None,
    };
    Ok((host, port))
}

fn valid_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':')
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scheme {
            Scheme::Sip => f.write_str("sip:")?,
            Scheme::Sips => f.write_str("sips:")?,
        }
        if let Some(user) = &self.user {
            f.write_str(user)?;
            if let Some(pw) = &self.password {
                write!(f, ":{pw}")?;
            }
            f.write_str("@")?;
        }
        f.write_str(&self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        if let Some(h) = &self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for SipUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SipUri::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let u = SipUri::parse("sip:bob@192.0.2.7:5062;transport=tcp").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.user.as_deref(), Some("bob"));
        assert_eq!(u.host, "192.0.2.7");
        assert_eq!(u.port, Some(5062));
        assert_eq!(u.transport(), Transport::Tcp);
        assert_eq!(u.to_string(), "sip:bob@192.0.2.7:5062;transport=tcp");

        let s = SipUri::parse("sips:alice@Example.org").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.transport(), Transport::Tls);
        assert_eq!(s.port_or_default(), 5061);
        assert_eq!(s.aor().to_string(), "sips:alice@example.org");
    }

    #[test]
    fn parses_ipv6_and_password() {
        let u = SipUri::parse("sip:alice:pw@[2001:db8::10]:5070;lr").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.host, "[2001:db8::10]");
        assert_eq!(u.host_for_lookup(), "2001:db8::10");
        assert_eq!(u.port, Some(5070));
        assert_eq!(u.password.as_deref(), Some("pw"));
        assert_eq!(u.to_string(), "sip:alice:pw@[2001:db8::10]:5070;lr");
    }

    #[test]
    fn ipv6_hosts_compare_by_value() {
        let parse = |text: &str| SipUri::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let short = parse("sip:bob@[::1]:5070");
        let long = parse("sip:bob@[0:0:0:0:0:0:0:1]:5070");
        assert!(short.same_host(&long));
        assert_eq!(long.host_ip(), Some("::1".parse().unwrap()));
        assert!(!short.same_host(&parse("sip:bob@[::2]")));
        assert!(!short.same_host(&parse("sip:bob@localhost")));
        assert!(parse("sip:a@EXAMPLE.org").same_host(&parse("sip:a@example.org")));
        // The brackets belong to the host: the port after them is a port.
        assert_eq!(parse("sip:[2001:db8::10]:5070").port, Some(5070));
        assert_eq!(parse("sip:[2001:db8::10:5070]").port, None);
        assert!(
            SipUri::parse("sip:2001:db8::10:5070").is_err(),
            "IPv6 without brackets is ambiguous"
        );
        assert_eq!(
            parse("sip:bob@example.org;maddr=[2001:db8::7]").maddr_ip(),
            Some("2001:db8::7".parse().unwrap())
        );
        assert_eq!(
            parse("sip:bob@example.org;maddr=2001:db8::7").maddr_ip(),
            Some("2001:db8::7".parse().unwrap())
        );
    }

    #[test]
    fn rejects_non_sip() {
        assert!(matches!(SipUri::parse("tel:+123"), Err(UriError::Scheme(_))));
        assert!(matches!(
            SipUri::parse("bob@example.org"),
            Err(UriError::Scheme(_))
        ));
        assert!(matches!(SipUri::parse("sip:bob@"), Err(UriError::Host(_))));
        assert!(matches!(SipUri::parse("sip:bob@h:99999"), Err(UriError::Port(_))));
        assert!(matches!(SipUri::parse("sip:[::1"), Err(UriError::Host(_))));
        assert!(matches!(SipUri::parse("sip:a@b c"), Err(UriError::Host(_))));
    }
}
