//! UDP: a socket per address family and endpoint ([`Sockets`]). The
//! endpoint reads them in its own loop ([`Sockets::recv`]: a datagram is
//! handled where it is read, with no task or channel between) and sends
//! straight from there on the socket of the peer's family.

use super::{Transport, TransportError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;

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
    /// The IPv4 socket and its address.
    v4: Option<(Arc<UdpSocket>, SocketAddr)>,
    /// The IPv6 socket and its address.
    v6: Option<(Arc<UdpSocket>, SocketAddr)>,
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
        *slot = Some((socket, local));
        true
    }

    /// The socket that reaches `remote` (the one of its family).
    pub fn towards(&self, remote: SocketAddr) -> Option<&Arc<UdpSocket>> {
        let slot = if remote.is_ipv4() { &self.v4 } else { &self.v6 };
        slot.as_ref().map(|(socket, _)| socket)
    }

    /// Whether there is no socket at all.
    pub fn is_empty(&self) -> bool {
        self.v4.is_none() && self.v6.is_none()
    }

    /// The next datagram on either socket, read into `buffer`: its length,
    /// the peer's address and our socket's. `ipv6_first` says which socket
    /// is asked first (alternate it, so neither starves the other). Pending
    /// for ever while there is no socket.
    pub async fn recv(&self, buffer: &mut [u8], ipv6_first: bool) -> Received {
        let order = if ipv6_first {
            [&self.v6, &self.v4]
        } else {
            [&self.v4, &self.v6]
        };
        std::future::poll_fn(|context| {
            for (socket, local) in order.into_iter().flatten() {
                if let Poll::Ready(received) = poll_one(socket, *local, context, buffer) {
                    return Poll::Ready(received);
                }
            }
            Poll::Pending
        })
        .await
    }

    /// The local addresses, IPv4 first.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        [&self.v4, &self.v6]
            .into_iter()
            .flatten()
            .map(|(_, local)| *local)
            .collect()
    }
}

/// What [`Sockets::recv`] got.
#[derive(Debug)]
pub enum Received {
    /// A datagram of this many bytes.
    Datagram {
        /// Its length in the buffer.
        length: usize,
        /// The peer's address.
        remote: SocketAddr,
        /// Our socket's address.
        local: SocketAddr,
    },
    /// A lone CRLF (or an empty datagram): a keep-alive, nothing to do.
    KeepAlive,
    /// The socket reported an error (ICMP port unreachable shows up so on
    /// some systems): keep reading.
    Failed {
        /// Our socket's address.
        local: SocketAddr,
        /// What the system said.
        error: std::io::Error,
    },
}

fn poll_one(
    socket: &UdpSocket,
    local: SocketAddr,
    context: &mut Context<'_>,
    buffer: &mut [u8],
) -> Poll<Received> {
    let mut read = ReadBuf::new(buffer);
    match socket.poll_recv_from(context, &mut read) {
        Poll::Pending => Poll::Pending,
        Poll::Ready(Err(error)) => Poll::Ready(Received::Failed { local, error }),
        Poll::Ready(Ok(_)) if is_keepalive(read.filled()) => Poll::Ready(Received::KeepAlive),
        Poll::Ready(Ok(remote)) => Poll::Ready(Received::Datagram {
            length: read.filled().len(),
            remote,
            local,
        }),
    }
}

/// A datagram of only CR and LF (RFC 5626's keep-alive) carries nothing.
fn is_keepalive(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == b'\r' || *b == b'\n')
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

    #[tokio::test]
    async fn the_loop_reads_datagrams_and_skips_keepalives() {
        let mut sockets = Sockets::default();
        let v4 = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let v4_addr = v4.local_addr().unwrap();
        sockets.add(v4);
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        peer.send_to(b"\r\n\r\n", v4_addr).unwrap();
        peer.send_to(b"OPTIONS sip:x SIP/2.0\r\n", v4_addr).unwrap();
        let first = sockets.recv(&mut buffer, false).await;
        assert!(matches!(first, Received::KeepAlive), "{first:?}");
        match sockets.recv(&mut buffer, true).await {
            Received::Datagram {
                length,
                remote,
                local,
            } => {
                assert_eq!(&buffer[..length], b"OPTIONS sip:x SIP/2.0\r\n");
                assert_eq!(remote, peer.local_addr().unwrap());
                assert_eq!(local, v4_addr);
            }
            other => panic!("{other:?}"),
        }
        // Both families are read, whichever is asked first.
        if let Ok(v6) = bind("[::1]:0".parse().unwrap()).await {
            let v6_addr = v6.local_addr().unwrap();
            sockets.add(v6);
            let peer6 = std::net::UdpSocket::bind("[::1]:0").unwrap();
            peer6.send_to(b"six", v6_addr).unwrap();
            peer.send_to(b"four", v4_addr).unwrap();
            let mut got = Vec::new();
            for ipv6_first in [true, false] {
                match sockets.recv(&mut buffer, ipv6_first).await {
                    Received::Datagram { length, local, .. } => got.push((buffer[..length].to_vec(), local)),
                    other => panic!("{other:?}"),
                }
            }
            got.sort();
            assert_eq!(got, vec![(b"four".to_vec(), v4_addr), (b"six".to_vec(), v6_addr)]);
        }
    }

    #[tokio::test]
    async fn without_sockets_nothing_is_ever_received() {
        let sockets = Sockets::default();
        let mut buffer = vec![0u8; 16];
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            sockets.recv(&mut buffer, false),
        )
        .await;
        assert!(waited.is_err());
    }
}
