//! Addresses as keys: the normalised address of record that identifies a
//! person, so a PBX's rewriting of From/To (case, ports, parameters) or a peer
//! writing from another port or transport does not split a conversation.
//! Plain text work (std only); parsing a typed SIP address with the
//! protocol's checks is `runtime::Address`.
//!
//! The comparison follows RFC 3261 section 19.1.4 (scheme, user, host; scheme
//! and host without case; user with case, escapes decoded) without the port,
//! the transport or any other parameter: for a peer-to-peer address the port
//! is routing, not identity. The newest address a peer wrote from is kept
//! beside the key (a conversation's `peer_address`) and used for replies.

/// The normalised key of a SIP address, used as `peer_key` of a conversation
/// and as the key of a contact's address.
///
/// - A name-addr (`"Bob" <sip:bob@x>`) is reduced to the URI inside `< >`.
/// - Scheme and host are lower-cased; the user part keeps its case (SIP users
///   are case-sensitive) but percent-escapes of unreserved characters are
///   decoded (`%62ob` -> `bob`) and the others get upper-case hex digits.
/// - A password in the user part, URI parameters and headers are dropped.
/// - The port is dropped, whatever it is (`sip:bob@192.0.2.7:5071` and
///   `sip:bob@192.0.2.7:5072` are one person).
/// - `sip:` and `sips:` stay apart (RFC 3261 19.1.4 never equates them).
///
/// Anything that is not a `sip:`/`sips:` URI that parses is returned trimmed,
/// as it was.
pub fn conversation_key(uri: &str) -> String {
    let trimmed = uri.trim();
    sip_key(trimmed).unwrap_or_else(|| trimmed.to_string())
}

/// The normalised form, or `None` when the text is not a SIP URI we understand.
pub(super) fn sip_key(text: &str) -> Option<String> {
    let uri = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => text[open + 1..close].trim(),
        _ => text,
    };
    let (scheme, rest) = uri.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "sip" | "sips") {
        return None;
    }
    // Headers start at '?', which cannot appear unescaped before them.
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    // The user part may contain ';' (e.g. telephone-subscriber), so find '@'
    // first; neither user nor password may contain an unescaped '@'.
    let (user, hostport) = match rest.split_once('@') {
        Some((userinfo, hostport)) => {
            let user = userinfo
                .split_once(':')
                .map_or(userinfo, |(user, _password)| user);
            (Some(decode_user(user)?), hostport)
        }
        None => (None, rest),
    };
    let hostport = hostport
        .split_once(';')
        .map_or(hostport, |(before, _params)| before);
    let (host, _port) = split_host_port(hostport)?;
    let mut key = scheme;
    key.push(':');
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        key.push_str(&user);
        key.push('@');
    }
    key.push_str(&host.to_ascii_lowercase());
    Some(key)
}

/// Splits `host[:port]` (IPv6 references in brackets). `None` if the host is
/// empty or the port is not a number.
fn split_host_port(hostport: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if hostport.starts_with('[') {
        let close = hostport.find(']')?;
        let (host, after) = hostport.split_at(close + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':'));
    if !valid_host {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    Some((host, port))
}

/// Decodes percent-escapes of unreserved characters (RFC 3261 `unreserved`:
/// alphanumerics and `-_.!~*'()`), upper-cases the hex of the others.
/// `None` on a malformed escape.
fn decode_user(user: &str) -> Option<String> {
    let bytes = user.as_bytes();
    let mut out = String::with_capacity(user.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = user.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let value = u8::from_str_radix(hex, 16).ok()?;
            if value.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&value) {
                out.push(char::from(value));
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            i += 3;
        } else {
            let ch = user[i..].chars().next()?;
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "address_tests.rs"]
mod tests;
