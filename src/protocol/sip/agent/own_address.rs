//! Which Request-URIs are ours: a MESSAGE addressed to anyone else is
//! answered 404 and never stored.
//!
//! Ours are the address of record, the Contact we registered and, for
//! requests that reach us directly, the address they came in on. Proxies
//! rewrite Request-URIs (to our Contact, with or without its parameters), so
//! the rule is tolerant: the user part must match ours (or be absent), and
//! the host must be one of ours; a port, when both sides name one, must be
//! one of ours too. URI parameters never matter. On the local account a
//! host name that led the request to our port is taken as ours.

use super::{Agent, Hop};
use crate::protocol::sip::message::SipMessage;
use crate::protocol::sip::name_addr::NameAddr;
use crate::protocol::sip::uri::SipUri;
use std::net::IpAddr;

/// A host and an optional port we answer for.
struct OwnHost {
    host: String,
    port: Option<u16>,
}

impl Agent {
    /// Whether the Request-URI of `request` (arrived through `hop`) names
    /// this account.
    pub(super) fn addressed_to_us(&self, request: &SipMessage, hop: &Hop) -> bool {
        let Some(target) = request.request_uri().and_then(|uri| SipUri::parse(uri).ok()) else {
            return false;
        };
        let user_matches = match (&target.user, &self.config.aor.user) {
            (None, _) => true,
            (Some(theirs), Some(ours)) => same_user(theirs, ours),
            (Some(_), None) => false,
        };
        if !user_matches {
            return false;
        }
        let target_host = normal_host(&target.host);
        let local_port = self.config.listen_port.unwrap_or(hop.local.port());
        let is_ip = target_host.parse::<IpAddr>().is_ok();
        let our_port = target.port.is_none_or(|port| port == local_port);
        if hop.local.ip().is_unspecified() && is_ip {
            // We do not know which of our addresses it came in on: any
            // address with our port will do.
            return our_port;
        }
        if self.config.listen_port.is_some() && !is_ip && our_port {
            // Peer to peer, a host name (`bob@laptop.lan`) that led the
            // request to our port names us: we cannot check it without DNS.
            return true;
        }
        self.own_hosts(hop).iter().any(|own| {
            own.host == target_host
                && match (target.port, own.port) {
                    (Some(theirs), Some(ours)) => theirs == ours,
                    _ => true,
                }
        })
    }

    fn own_hosts(&self, hop: &Hop) -> Vec<OwnHost> {
        let mut hosts = vec![OwnHost {
            host: normal_host(&self.config.aor.host),
            port: self.config.aor.port,
        }];
        let contact = self
            .registration
            .contact()
            .and_then(|c| NameAddr::parse(c).ok())
            .and_then(|c| SipUri::parse(&c.uri).ok());
        if let Some(contact) = contact {
            hosts.push(OwnHost {
                host: normal_host(&contact.host),
                port: contact.port,
            });
        }
        let local_port = self.config.listen_port.unwrap_or(hop.local.port());
        if !hop.local.ip().is_unspecified() {
            hosts.push(OwnHost {
                host: normal_host(&hop.local.ip().to_string()),
                port: Some(local_port),
            });
        }
        hosts
    }
}

/// User parts match when equal once percent-escapes are undone; user parts
/// are case-sensitive (RFC 3261 section 19.1.4), escapes are not.
fn same_user(a: &str, b: &str) -> bool {
    unescape(a) == unescape(b)
}

fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A host compared case-insensitively, IPv6 without brackets and in one
/// spelling.
fn normal_host(host: &str) -> String {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.trim_end_matches('.').to_ascii_lowercase(),
    }
}
