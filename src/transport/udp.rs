//! UDP: a socket per address family and endpoint ([`Sockets`]), a reader
//! task each, sends straight from the endpoint on the socket of the peer's
//! family.

use super::{Inbound, Transport, TransportError, TransportEvent};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Largest datagram we receive.
pub const MAX_DATAGRAM: usize = 65_535;

/// Binds a UDP socket (IPv6 ones IPv6-only: see [`super::family`]).
pub async fn bind(addr: SocketAddr) -> Result<Arc<UdpSocket>, TransportError> {
    super::family::bind_udp(addr)
        .map(Arc::new)
        .map_err(|source| TransportError::Bind {
            addr,
            transport: Transport::Udp,
            source,
        })
}

/// An endpoint's UDP sockets: at most one per address family, so an answer
/// to an IPv6 peer leaves from the IPv6 socket and one to an IPv4 peer from
/// the IPv4 socket.
#[derive(Debug, Clone, Default)]
pub struct Sockets {
    v4: Option<Arc<UdpSocket>>,
    v6: Option<Arc<UdpSocket>>,
}

impl Sockets {
    /// Keeps `socket` for its family; false (and nothing changes) when the
    /// family has one already or the socket has no address.
    pub fn add(&mut self, socket: Arc<UdpSocket>) -> bool {
        let Ok(local) = socket.local_addr() else {
            return false;
        };
        let slot = if local.is_ipv4() {
            &mut self.v4
        } else {
            &mut self.v6
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(socket);
        true
    }

    /// The socket that reaches `remote` (the one of its family).
    pub fn towards(&self, remote: SocketAddr) -> Option<&Arc<UdpSocket>> {
        if remote.is_ipv4() {
            self.v4.as_ref()
        } else {
            self.v6.as_ref()
        }
    }

    /// Whether there is no socket at all.
    pub fn is_empty(&self) -> bool {
        self.v4.is_none() && self.v6.is_none()
    }

    /// The local addresses, IPv4 first.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        [&self.v4, &self.v6]
            .into_iter()
            .flatten()
            .filter_map(|s| s.local_addr().ok())
            .collect()
    }
}

/// Reads datagrams until the receiver side of `events` is gone.
pub fn spawn_reader(
    socket: Arc<UdpSocket>,
    events: mpsc::Sender<TransportEvent>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let local = match socket.local_addr() {
            Ok(a) => a,
            Err(e) => {
                tracing::error!("UDP socket has no local address: {e}");
                return;
            }
        };
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, remote)) => {
                    // A lone CRLF datagram is a keep-alive; nothing to do.
                    if buf[..n].iter().all(|b| *b == b'\r' || *b == b'\n') {
                        continue;
                    }
                    let inbound = Inbound {
                        transport: Transport::Udp,
                        remote,
                        local,
                        conn: None,
                        bytes: buf[..n].to_vec(),
                    };
                    if events.send(TransportEvent::Received(inbound)).await.is_err() {
                        return;
                    }
                }
                // ICMP port unreachable shows up as an error on some systems: keep reading.
                Err(e) => tracing::debug!("UDP receive error on {local}: {e}"),
            }
        }
    })
}

/// Sends one datagram.
pub async fn send(socket: &UdpSocket, to: SocketAddr, bytes: &[u8]) -> Result<(), TransportError> {
    socket
        .send_to(bytes, to)
        .await
        .map(|_| ())
        .map_err(|e| TransportError::Send {
            addr: to,
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_socket_per_family_and_each_peer_gets_its_own() {
        let mut sockets = Sockets::default();
        assert!(sockets.is_empty());
        let v4 = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert!(sockets.add(v4.clone()));
        assert!(
            !sockets.add(bind("127.0.0.1:0".parse().unwrap()).await.unwrap()),
            "one per family"
        );
        let v4_peer: SocketAddr = "192.0.2.1:5060".parse().unwrap();
        let v6_peer: SocketAddr = "[2001:db8::1]:5060".parse().unwrap();
        assert!(Arc::ptr_eq(sockets.towards(v4_peer).unwrap(), &v4));
        assert!(sockets.towards(v6_peer).is_none());
        if let Ok(v6) = bind("[::1]:0".parse().unwrap()).await {
            assert!(sockets.add(v6.clone()));
            assert!(Arc::ptr_eq(sockets.towards(v6_peer).unwrap(), &v6));
            assert_eq!(sockets.local_addrs().len(), 2);
            assert!(sockets.local_addrs()[0].is_ipv4(), "IPv4 first");
        }
    }
}
