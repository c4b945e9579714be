//! Reaching servers and peers: the flow to an account's server, and paths
//! to peers of the local account.

use super::Internal;
use crate::protocol::sip::agent::Hop;
use crate::protocol::sip::uri::{SipUri, Transport};
use crate::runtime::account::ServerTarget;
use crate::transport::stream::{self, StreamHandle, StreamOptions};
use crate::transport::{self, dns, udp, TransportError, TransportEvent};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// The flow to a server: a UDP socket or a stream.
#[derive(Debug)]
pub(crate) enum FlowHandle {
    Udp { socket: Arc<UdpSocket>, hop: Hop },
    Stream(StreamHandle),
}

impl From<StreamHandle> for FlowHandle {
    fn from(h: StreamHandle) -> Self {
        FlowHandle::Stream(h)
    }
}

pub(crate) async fn connect_flow(
    target: &ServerTarget,
    existing_udp: udp::Sockets,
    events: mpsc::Sender<TransportEvent>,
) -> Result<FlowHandle, TransportError> {
    let candidates = dns::locate(&target.host, target.port, target.transport)
        .await
        .map_err(|e| TransportError::Resolve {
            host: target.host.clone(),
            reason: e.to_string(),
        })?;
    // RFC 3263 failover: try each address in order (IPv4 and IPv6 alike:
    // a server's AAAA addresses are candidates too); report the last failure.
    let mut last_error = None;
    for candidate in candidates {
        let existing = existing_udp.towards(candidate.addr).cloned();
        match connect_one(target, candidate.addr, existing, events.clone()).await {
            Ok(flow) => return Ok(flow),
            Err(e) => {
                tracing::debug!(addr = %candidate.addr, "{e}");
                last_error = Some(e);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| TransportError::Resolve {
        host: target.host.clone(),
        reason: "no address to try".into(),
    }))
}

async fn connect_one(
    target: &ServerTarget,
    remote: SocketAddr,
    existing_udp: Option<Arc<UdpSocket>>,
    events: mpsc::Sender<TransportEvent>,
) -> Result<FlowHandle, TransportError> {
    let options = StreamOptions {
        keepalive: target.keepalive,
        ..StreamOptions::default()
    };
    match target.transport {
        Transport::Udp => {
            let socket = match existing_udp {
                Some(s) => s,
                None => {
                    let any: SocketAddr = if remote.is_ipv4() {
                        SocketAddr::from(([0, 0, 0, 0], 0))
                    } else {
                        SocketAddr::from(([0u16; 8], 0))
                    };
                    udp::bind(any).await?
                }
            };
            let port = socket.local_addr().map(|a| a.port()).unwrap_or_default();
            let ip = transport::local_ip_towards(remote).map_err(|e| TransportError::Connect {
                addr: remote,
                transport: Transport::Udp,
                reason: e.to_string(),
            })?;
            let hop = Hop {
                transport: Transport::Udp,
                remote,
                local: SocketAddr::new(ip, port),
                conn: None,
            };
            Ok(FlowHandle::Udp { socket, hop })
        }
        Transport::Tcp => Ok(stream::connect_tcp(remote, options, events).await?.into()),
        Transport::Tls => {
            let config = target.tls.clone().ok_or_else(|| TransportError::Connect {
                addr: remote,
                transport: Transport::Tls,
                reason: "no TLS configuration".into(),
            })?;
            // RFC 5922: the certificate must match the SIP domain (or proxy host),
            // not whatever name SRV pointed to.
            Ok(stream::connect_tls(remote, &target.host, config, options, events)
                .await?
                .into())
        }
    }
}

/// Messages to the same host, port and transport share a path.
pub(crate) fn route_key(to: &str) -> String {
    match SipUri::parse(to) {
        Ok(u) => format!(
            "{}|{}|{}",
            u.transport(),
            u.host_for_lookup().to_ascii_lowercase(),
            u.port_or_default()
        ),
        Err(_) => to.to_string(),
    }
}

/// Why no path to a peer could be opened (the words are the delivery
/// failure's reason).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RouteError {
    /// The address is not a SIP URI.
    #[error(transparent)]
    Address(#[from] crate::protocol::sip::uri::UriError),
    /// The host could not be looked up.
    #[error(transparent)]
    Resolve(#[from] dns::DnsError),
    /// The lookup gave no address.
    #[error("no address for {0}")]
    NoAddress(String),
    /// No local address leads to the peer.
    #[error("no route to {remote}: {source}")]
    NoRoute {
        /// The peer.
        remote: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The account has no UDP socket of the peer's address family.
    #[error("{0}")]
    NoUdpSocket(&'static str),
    /// No TLS client configuration could be made.
    #[error("{0}")]
    Tls(Box<dyn std::error::Error + Send + Sync>),
    /// The connection could not be opened.
    #[error(transparent)]
    Connect(#[from] TransportError),
    /// A server account whose flow is not up yet.
    #[error("{0}")]
    NotConnected(&'static str),
    /// A server account whose flow could not be opened.
    #[error("cannot reach the server: {0}")]
    ServerUnreachable(String),
}

/// Finds the path to a peer for the local account. Over UDP, a name with
/// addresses of both families goes to the first one a socket of ours can
/// reach (`udp`: the account's sockets, one per family).
pub(crate) async fn p2p_route(
    to: &str,
    udp: &[SocketAddr],
    existing: &[StreamHandle],
    events: mpsc::Sender<TransportEvent>,
) -> Result<(Hop, Option<StreamHandle>), RouteError> {
    let uri = SipUri::parse(to)?;
    let transport = uri.transport();
    let located = dns::locate(uri.host_for_lookup(), uri.port, transport).await?;
    let ours = |remote: &SocketAddr| udp.iter().find(|l| l.is_ipv4() == remote.is_ipv4()).copied();
    let remote = match transport {
        Transport::Udp => located.iter().map(|l| l.addr).find(|a| ours(a).is_some()),
        Transport::Tcp | Transport::Tls => None,
    }
    .or_else(|| located.first().map(|l| l.addr))
    .ok_or_else(|| RouteError::NoAddress(uri.host.clone()))?;
    match transport {
        Transport::Udp => {
            let bound = ours(&remote).ok_or(RouteError::NoUdpSocket(super::no_socket_for(remote)))?;
            let ip = if bound.ip().is_unspecified() {
                transport::local_ip_towards(remote)
                    .map_err(|source| RouteError::NoRoute { remote, source })?
            } else {
                bound.ip()
            };
            Ok((
                Hop {
                    transport,
                    remote,
                    local: SocketAddr::new(ip, bound.port()),
                    conn: None,
                },
                None,
            ))
        }
        Transport::Tcp | Transport::Tls => {
            if let Some(h) = existing
                .iter()
                .find(|h| h.remote == remote && h.transport == transport && !h.is_closed())
            {
                let hop = Hop {
                    transport,
                    remote,
                    local: h.local,
                    conn: Some(h.id),
                };
                return Ok((hop, None));
            }
            let handle = if transport == Transport::Tcp {
                stream::connect_tcp(remote, StreamOptions::default(), events).await
            } else {
                let config =
                    transport::tls::client_config(None, true).map_err(|e| RouteError::Tls(Box::new(e)))?;
                stream::connect_tls(
                    remote,
                    uri.host_for_lookup(),
                    config,
                    StreamOptions::default(),
                    events,
                )
                .await
            }?;
            let hop = Hop {
                transport,
                remote,
                local: handle.local,
                conn: Some(handle.id),
            };
            Ok((hop, Some(handle)))
        }
    }
}

/// The addresses to show peers, of the local account's `bound` addresses
/// (IPv4 first), one for each: a specific address as it is; a socket bound
/// to all interfaces of its family is shown with that family's source IP
/// towards the default route (a route lookup, no packet is sent), and left
/// out when the family has no route. When nothing is left, loopback of the
/// first family (no route at all). Never the unspecified address; never
/// empty.
pub(crate) fn reachable_addresses(bound: &[SocketAddr]) -> Vec<SocketAddr> {
    let mut shown: Vec<SocketAddr> = Vec::new();
    for address in bound {
        let reachable = if address.ip().is_unspecified() {
            match crate::transport::local_ip_towards(route_probe(address)) {
                Ok(ip) => SocketAddr::new(ip, address.port()),
                Err(_) => continue,
            }
        } else {
            *address
        };
        if !shown.contains(&reachable) {
            shown.push(reachable);
        }
    }
    if shown.is_empty() {
        let first = bound.first();
        let loopback = match first {
            Some(SocketAddr::V6(_)) => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            _ => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        };
        shown.push(SocketAddr::new(loopback, first.map_or(0, SocketAddr::port)));
    }
    shown
}

/// What the local account (or a flow we do not register on) tells the
/// user once it listens on `bound`: every address of
/// [`reachable_addresses`], IPv4's first.
pub(crate) fn listening_state(bound: &[SocketAddr]) -> crate::model::RegistrationState {
    let addresses: Vec<String> = reachable_addresses(bound)
        .iter()
        .map(ToString::to_string)
        .collect();
    crate::model::RegistrationState::Listening {
        address: addresses.first().cloned().unwrap_or_default(),
        addresses,
    }
}

/// A documentation address (RFC 5737, RFC 3849) of `address`'s family:
/// only used to ask the routing table.
fn route_probe(address: &SocketAddr) -> SocketAddr {
    match address {
        SocketAddr::V4(_) => SocketAddr::from(([192, 0, 2, 1], 5060)),
        SocketAddr::V6(_) => SocketAddr::from(([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 5060)),
    }
}

/// The endpoint's side of peer-to-peer routing: its kept streams and the
/// path to a peer, found off the endpoint's loop.
impl super::Endpoint {
    /// Keeps a stream connection opened for this account.
    pub(crate) fn adopt_stream(&mut self, handle: StreamHandle) {
        self.streams.insert(handle.id, handle);
    }

    /// Opens (or finds) the peer-to-peer path to `peer`; `done` turns the
    /// result into the endpoint's next piece of work.
    pub(crate) fn route_to<D>(&self, peer: String, done: D)
    where
        D: FnOnce(Result<(Hop, Option<StreamHandle>), RouteError>) -> Internal + Send + 'static,
    {
        let udp = self.udp.local_addrs();
        let existing: Vec<StreamHandle> = self.streams.values().cloned().collect();
        let events = self.transport_tx.clone();
        let internal = self.internal_tx.clone();
        tokio::spawn(async move {
            let route = p2p_route(&peer, &udp, &existing, events).await;
            let _ = internal.send(done(route));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::reachable_addresses;
    use std::net::SocketAddr;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_addresses_to_tell_a_friend() {
        assert_eq!(
            reachable_addresses(&[addr("[::1]:5062")]),
            vec![addr("[::1]:5062")]
        );
        assert_eq!(
            reachable_addresses(&[addr("127.0.0.1:5062")]),
            vec![addr("127.0.0.1:5062")]
        );
        // Every network, both families: one routable address a family that
        // has a route (or loopback), never the unspecified one, all on the
        // port both share, IPv4 first.
        let both = reachable_addresses(&[addr("0.0.0.0:5062"), addr("[::]:5062")]);
        assert!(!both.is_empty() && both.len() <= 2, "{both:?}");
        for address in &both {
            assert!(!address.ip().is_unspecified(), "{both:?}");
            assert_eq!(address.port(), 5062);
        }
        if both.len() == 2 {
            assert!(both[0].is_ipv4() && both[1].is_ipv6(), "{both:?}");
        }
        let v6_only = reachable_addresses(&[addr("[::]:5062")]);
        assert_eq!(v6_only.len(), 1);
        assert!(
            v6_only[0].is_ipv6() && !v6_only[0].ip().is_unspecified(),
            "{v6_only:?}"
        );
    }
}
