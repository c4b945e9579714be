//! UDP: one socket per endpoint, a reader task, sends straight from the endpoint.

use super::{Inbound, Transport, TransportError, TransportEvent};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Largest datagram we receive.
pub const MAX_DATAGRAM: usize = 65_535;

/// Binds a UDP socket.
pub async fn bind(addr: SocketAddr) -> Result<Arc<UdpSocket>, TransportError> {
    UdpSocket::bind(addr)
        .await
        .map(Arc::new)
        .map_err(|source| TransportError::Bind {
            addr,
            transport: Transport::Udp,
            source,
        })
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
