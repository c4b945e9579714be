//! Tokio I/O for MSRP (RFC 4975): the sockets under a chat or file session.
//!
//! The session itself (frames, chunking, reports) is sans-IO in
//! [`crate::protocol::msrp`]; the runtime's MSRP task drives it over one of
//! the streams made here:
//!
//! - [`listener`]: the two listeners every account shares (TCP and TLS)
//!   that hand each accepted connection to the session it is for;
//! - [`connect`]: the active side's connection to the peer (TCP, or TLS
//!   pinned to the fingerprint the peer announced);
//! - [`relay`]: the connection to our RFC 4976 relay, authorised with AUTH
//!   before the session uses it;
//! - [`tls`]: our self-signed certificate for the TLS listener (kept in the
//!   data directory) and the pinned client configuration for direct
//!   `msrps`.

pub mod connect;
pub mod listener;
pub mod relay;
pub mod tls;

use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream a session runs over (TCP or TLS).
pub trait MsrpIo: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> MsrpIo for T {}

/// A boxed [`MsrpIo`].
pub type MsrpStream = Box<dyn MsrpIo>;
