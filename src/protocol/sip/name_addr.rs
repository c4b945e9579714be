//! `name-addr` headers (From, To, Contact, Route, Record-Route) and Via.

use super::header_value::{find_param, parse_params, quote, unquote, Param};
use super::uri::{SipUri, Transport, UriError};
use std::fmt;

/// Why a header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// An angle bracket or a quote is not closed.
    #[error("unterminated <...> or \"...\" in {0:?}")]
    Unterminated(String),
    /// The address inside is not a SIP URI.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// A Via header that does not follow `SIP/2.0/<transport> host[:port]`.
    #[error("malformed Via \"{0}\"")]
    Via(String),
}

/// `"Display" <uri>;params`, `<uri>;params` or `uri;params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// Display name without quotes.
    pub display_name: Option<String>,
    /// The address, kept as text: a Contact may be any URI, and servers add parameters
    /// we must hand back unchanged.
    pub uri: String,
    /// Header parameters (`tag`, `expires`, ...).
    pub params: Vec<Param>,
}

impl NameAddr {
    /// A name-addr for a URI with no display name or parameters.
    pub fn new(uri: impl Into<String>) -> NameAddr {
        NameAddr {
            display_name: None,
            uri: uri.into(),
            params: Vec::new(),
        }
    }

    /// Parses one element of a From/To/Contact/Route header.
    pub fn parse(input: &str) -> Result<NameAddr, HeaderError> {
        let input = input.trim();
        let lt = find_unquoted(input, '<').ok_or_else(|| HeaderError::Unterminated(input.to_string()))?;
        if let Some(lt) = lt {
            let gt = input[lt..]
                .find('>')
                .map(|i| i + lt)
                .ok_or_else(|| HeaderError::Unterminated(input.to_string()))?;
            let name = input[..lt].trim();
            let display_name = if name.is_empty() {
                None
            } else {
                Some(unquote(name))
            };
            Ok(NameAddr {
                display_name,
                uri: input[lt + 1..gt].trim().to_string(),
                params: parse_params(&input[gt + 1..]),
            })
        } else {
            // addr-spec form: parameters after the URI belong to the header.
            let (uri, params) = match input.find(';') {
                Some(i) => (&input[..i], parse_params(&input[i..])),
                None => (input, Vec::new()),
            };
            Ok(NameAddr {
                display_name: None,
                uri: uri.trim().to_string(),
                params,
            })
        }
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&str> {
        self.param("tag")
    }

    /// A parameter's raw value.
    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name).and_then(|p| p.value.as_deref())
    }

    /// Sets or replaces a parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        self.params.retain(|p| !p.name.eq_ignore_ascii_case(name));
        self.params.push(Param::new(name, value));
    }

    /// Parses the address as a SIP URI.
    pub fn sip_uri(&self) -> Result<SipUri, HeaderError> {
        Ok(SipUri::parse(&self.uri)?)
    }
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write!(f, "{} ", quote(name))?;
        }
        write!(f, "<{}>", self.uri)?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

/// The first `needle` outside double quotes: `Some(None)` when there is
/// none, `None` when a quote is left open (the header is malformed).
fn find_unquoted(input: &str, needle: char) -> Option<Option<usize>> {
    let mut in_quotes = false;
    let mut escaped = false;
    let mut found = None;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && in_quotes {
            escaped = true;
        } else if c == '"' {
            in_quotes = !in_quotes;
        } else if c == needle && !in_quotes && found.is_none() {
            found = Some(i);
        }
    }
    (!in_quotes).then_some(found)
}

/// One Via entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// Transport token as written (`UDP`, `TCP`, `TLS`, `WS`, ...).
    pub transport: String,
    /// sent-by host (IPv6 with brackets).
    pub host: String,
    /// sent-by port.
    pub port: Option<u16>,
    /// Parameters (`branch`, `received`, `rport`).
    pub params: Vec<Param>,
}

impl Via {
    /// Parses one Via element such as `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport`.
    pub fn parse(input: &str) -> Result<Via, HeaderError> {
        let bad = || HeaderError::Via(input.to_string());
        let tightened = tighten_slashes(input.trim());
        let input = tightened.as_str();
        let (proto, rest) = input.split_once(char::is_whitespace).ok_or_else(bad)?;
        let mut parts = proto.split('/').map(str::trim);
        let (name, version, transport) = (parts.next(), parts.next(), parts.next());
        if !name.is_some_and(|n| n.eq_ignore_ascii_case("SIP")) || version != Some("2.0") {
            return Err(bad());
        }
        let transport = transport.filter(|t| !t.is_empty()).ok_or_else(bad)?;
        let rest = rest.trim();
        let (sent_by, params) = match rest.find(';') {
            Some(i) => (rest[..i].trim(), parse_params(&rest[i..])),
            None => (rest, Vec::new()),
        };
        // Reuse the URI host/port rules on the sent-by part.
        let fake = format!("sip:{sent_by}");
        let uri = SipUri::parse(&fake).map_err(|_| bad())?;
        Ok(Via {
            transport: transport.to_ascii_uppercase(),
            host: uri.host,
            port: uri.port,
            params,
        })
    }

    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&str> {
        find_param(&self.params, "branch").and_then(|p| p.value.as_deref())
    }

    /// The `received` parameter.
    pub fn received(&self) -> Option<&str> {
        find_param(&self.params, "received").and_then(|p| p.value.as_deref())
    }

    /// The `received` address. RFC 3261's grammar writes an IPv6 one bare
    /// (`received=2001:db8::9`); some servers bracket it as in a URI
    /// (RFC 5118 section 4.5 asks receivers to take both): both read here.
    /// `None` when absent or not an IP address.
    pub fn received_ip(&self) -> Option<std::net::IpAddr> {
        let value = self.received()?.trim();
        let bare = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(value);
        bare.parse().ok()
    }

    /// The sent-by host as an IP address (IPv6 without its brackets), when
    /// it is one.
    pub fn sent_by_ip(&self) -> Option<std::net::IpAddr> {
        let host = self.host.as_str();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        bare.parse().ok()
    }

    /// `rport` with a value, as filled in by a server (RFC 3581).
    pub fn rport(&self) -> Option<u16> {
        find_param(&self.params, "rport")
            .and_then(|p| p.value.as_deref())
            .and_then(|v| v.parse().ok())
    }

    /// The transport, if one we speak.
    pub fn known_transport(&self) -> Option<Transport> {
        Transport::from_token(&self.transport)
    }

    /// `host[:port]` as written, used in transaction keys.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Removes the linear white space RFC 3261 allows around `/` in `SIP / 2.0 / UDP`.
fn tighten_slashes(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            let mut lookahead = chars.clone();
            while lookahead.peek().is_some_and(|n| n.is_whitespace()) {
                lookahead.next();
            }
            if out.ends_with('/') || lookahead.peek() == Some(&'/') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.sent_by())?;
        for p in &self.params {
            write!(f, ";{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "name_addr_tests.rs"]
mod tests;
