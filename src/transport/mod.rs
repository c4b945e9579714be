//! Tokio I/O for SIP and MSRP: UDP sockets, TCP and TLS streams, listeners.
//!
//! Every SIP transport reports what it receives as [`TransportEvent`]s on
//! one channel per account endpoint; nothing here parses SIP beyond
//! framing. MSRP sockets (the shared listeners, connections to peers and
//! to the relay) are in [`msrp`]; which TLS certificates are accepted, for
//! SIP and MSRP alike, is decided in [`certificates`]. Listening sockets
//! are of one address family each ([`family`]): an account on every network
//! has an IPv4 and an IPv6 socket side by side, and answers from the one of
//! its peer's family.

pub mod certificates;
pub mod dns;
pub mod family;
pub mod framing;
pub mod listener;
pub mod msrp;
pub mod stream;
pub mod tls;
pub mod udp;

pub use crate::protocol::sip::uri::Transport;
use std::net::SocketAddr;

/// Identifies one TCP/TLS connection within an endpoint.
pub type ConnId = u64;

/// Bytes that arrived, with where from.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// Which transport carried them.
    pub transport: Transport,
    /// The peer's address.
    pub remote: SocketAddr,
    /// Our address on that socket or connection.
    pub local: SocketAddr,
    /// The connection, for streams.
    pub conn: Option<ConnId>,
    /// One datagram or one framed message.
    pub bytes: Vec<u8>,
}

/// What transports tell their endpoint.
#[derive(Debug)]
pub enum TransportEvent {
    /// A datagram or a framed stream message.
    Received(Inbound),
    /// A stream connection was accepted from a peer.
    Accepted(stream::StreamHandle),
    /// A stream connection ended.
    Closed {
        /// Which connection.
        conn: ConnId,
        /// Why, in words.
        reason: String,
    },
}

/// Failures of socket operations, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// bind() failed.
    #[error("cannot listen on {addr} ({transport}): {source}")]
    Bind {
        /// Address we tried.
        addr: SocketAddr,
        /// Transport.
        transport: Transport,
        /// OS error.
        source: std::io::Error,
    },
    /// connect() failed or timed out.
    #[error("cannot connect to {addr} over {transport}: {reason}")]
    Connect {
        /// Peer address.
        addr: SocketAddr,
        /// Transport.
        transport: Transport,
        /// What happened.
        reason: String,
    },
    /// The TLS server's certificate was refused; the words say why
    /// (expired, wrong name, unknown issuer, self-signed...) and the
    /// refusal carries the certificate's details.
    #[error("cannot connect to {addr} over TLS: {refusal}")]
    Certificate {
        /// Peer address.
        addr: SocketAddr,
        /// Why, with the certificate's details.
        refusal: Box<certificates::CertificateRefusal>,
    },
    /// Sending failed.
    #[error("sending to {addr} failed: {reason}")]
    Send {
        /// Peer address.
        addr: SocketAddr,
        /// What happened.
        reason: String,
    },
    /// Host name resolution failed.
    #[error("cannot resolve {host}: {reason}")]
    Resolve {
        /// The name.
        host: String,
        /// What happened.
        reason: String,
    },
}

/// The local IP the system would use to reach `remote` (no packet is sent).
pub fn local_ip_towards(remote: SocketAddr) -> std::io::Result<std::net::IpAddr> {
    let bind: SocketAddr = if remote.is_ipv4() {
        "0.0.0.0:0".parse().map_err(std::io::Error::other)?
    } else {
        "[::]:0".parse().map_err(std::io::Error::other)?
    };
    let socket = std::net::UdpSocket::bind(bind)?;
    socket.connect(remote)?;
    Ok(socket.local_addr()?.ip())
}
