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

/// The address to show peers, of the local account's `bound` addresses
/// (IPv4 first): a specific address as it is; sockets bound to all
/// interfaces are shown with the IP of the default route, IPv4's when
/// there is one, else IPv6's (a LAN with only IPv6; a route lookup, no
/// packet is sent), or loopback when there is no route at all.
pub(crate) fn reachable_address(bound: &[SocketAddr]) -> SocketAddr {
    let port = bound.first().map_or(0, SocketAddr::port);
    if let Some(specific) = bound.iter().find(|b| !b.ip().is_unspecified()) {
        return *specific;
    }
    // Documentation addresses (RFC 5737, RFC 3849): only used to ask the
    // routing table.
    let probes = [
        SocketAddr::from(([192, 0, 2, 1], 5060)),
        SocketAddr::from(([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 5060)),
    ];
    let ip = probes
        .iter()
        .filter(|probe| bound.iter().any(|b| b.is_ipv4() == probe.is_ipv4()))
        .find_map(|probe| crate::transport::local_ip_towards(*probe).ok())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    SocketAddr::new(ip, port)
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
    use super::reachable_address;
    use std::net::SocketAddr;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_address_to_tell_a_friend() {
        assert_eq!(reachable_address(&[addr("[::1]:5062")]), addr("[::1]:5062"));
        assert_eq!(
            reachable_address(&[addr("127.0.0.1:5062")]),
            addr("127.0.0.1:5062")
        );
        // Every network, both families: a routable address (or loopback),
        // never the unspecified one, on the port both share.
        let both = reachable_address(&[addr("0.0.0.0:5062"), addr("[::]:5062")]);
        assert!(!both.ip().is_unspecified(), "{both}");
        assert_eq!(both.port(), 5062);
        let v6_only = reachable_address(&[addr("[::]:5062")]);
        assert!(!v6_only.ip().is_unspecified(), "{v6_only}");
    }
}
