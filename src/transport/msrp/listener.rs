//! The MSRP listeners every account shares: one TCP and one TLS socket
//! (the hub).
//!
//! A chat session that waits for its peer to connect (the passive side)
//! registers its session-id here before its SDP goes out; the hub reads the
//! first frame of each new connection, takes the session-id of the last
//! To-Path URI and hands the connection (with the bytes already read) to
//! that session. Connections for no known session are answered 481 (506
//! when the session already has its connection) and closed.

use super::tls::{LocalIdentity, MsrpTlsError};
use super::MsrpStream;
use crate::protocol::msrp::{refuse_connection, target_session_id, FrameDecoder, MsrpUri};
use crate::transport::listener::Exhaustion;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// How long a new connection may take to send its first whole frame.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(10);
/// Read size for the first frame.
const READ_CHUNK: usize = 16 * 1024;

/// A connection handed to the session it is for.
pub struct Accepted {
    /// The connection (TLS already set up on the TLS listener).
    pub stream: MsrpStream,
    /// Bytes already read from it (its first frame, maybe more).
    pub received: Vec<u8>,
    /// Who connected.
    pub peer: SocketAddr,
    /// It came in on the TLS listener (TLS is negotiated on it).
    pub tls: bool,
}

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// A listening socket could not be bound.
    #[error("cannot listen for MSRP connections: {0}")]
    Bind(#[from] std::io::Error),
    /// The TLS identity could not be made.
    #[error(transparent)]
    Tls(#[from] MsrpTlsError),
}

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Accepted>>>>;

/// The shared listeners and the sessions waiting for a connection.
pub struct MsrpHub {
    tcp_port: u16,
    tls_port: u16,
    identity: LocalIdentity,
    waiting: Waiting,
}

impl MsrpHub {
    /// Binds both listeners on every interface (any free port) and starts
    /// accepting, with a throwaway certificate (see [`MsrpHub::start_with`]).
    pub async fn start() -> Result<Arc<MsrpHub>, ListenerError> {
        MsrpHub::start_with(LocalIdentity::generate()?).await
    }

    /// Binds both listeners on every interface (any free port) and starts
    /// accepting; the TLS listener presents `identity` (the one kept in the
    /// data directory, whose fingerprint goes into our SDP).
    pub async fn start_with(identity: LocalIdentity) -> Result<Arc<MsrpHub>, ListenerError> {
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
        let tcp = TcpListener::bind(any).await?;
        let tls = TcpListener::bind(any).await?;
        let acceptor = TlsAcceptor::from(identity.server_config()?);
        let hub = Arc::new(MsrpHub {
            tcp_port: tcp.local_addr()?.port(),
            tls_port: tls.local_addr()?.port(),
            identity,
            waiting: Arc::default(),
        });
        tracing::debug!(tcp = hub.tcp_port, tls = hub.tls_port, "MSRP listeners up");
        tokio::spawn(accept_loop(tcp, None, hub.waiting.clone()));
        tokio::spawn(accept_loop(tls, Some(acceptor), hub.waiting.clone()));
        Ok(hub)
    }

    /// The port peers connect to, for `msrps` when `secure`.
    pub fn port(&self, secure: bool) -> u16 {
        if secure {
            self.tls_port
        } else {
            self.tcp_port
        }
    }

    /// Our TLS certificate's fingerprint (`SHA-256 AB:...`) for `a=fingerprint`.
    pub fn fingerprint(&self) -> &str {
        self.identity.fingerprint()
    }

    /// Waits for a connection whose first frame is for `session_id`.
    pub fn expect(&self, session_id: &str) -> oneshot::Receiver<Accepted> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut map) = self.waiting.lock() {
            map.insert(session_id.to_string(), tx);
        }
        rx
    }

    /// Stops waiting for `session_id`.
    pub fn forget(&self, session_id: &str) {
        if let Ok(mut map) = self.waiting.lock() {
            map.remove(session_id);
        }
    }
}

async fn accept_loop(listener: TcpListener, tls: Option<TlsAcceptor>, waiting: Waiting) {
    let what = if tls.is_some() {
        "MSRP over TLS"
    } else {
        "MSRP over TCP"
    };
    // New connections close after FIRST_FRAME_TIMEOUT at the latest: when
    // descriptors run out there is nothing idle to close at once.
    let mut exhaustion = Exhaustion::new(what.to_string());
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => {
                exhaustion.accepted();
                c
            }
            Err(e) => {
                tokio::time::sleep(exhaustion.failed(&e, || 0)).await;
                continue;
            }
        };
        let tls = tls.clone();
        let waiting = waiting.clone();
        tokio::spawn(async move {
            let routed = tokio::time::timeout(FIRST_FRAME_TIMEOUT, route(tcp, peer, tls, waiting)).await;
            if routed.is_err() {
                tracing::debug!(%peer, "MSRP connection sent no frame in time; closed");
            }
        });
    }
}

/// Reads the first frame of a new connection and hands it on.
async fn route(tcp: TcpStream, peer: SocketAddr, tls: Option<TlsAcceptor>, waiting: Waiting) {
    let _ = tcp.set_nodelay(true);
    let secure = tls.is_some();
    let mut stream: MsrpStream = match tls {
        Some(acceptor) => match acceptor.accept(tcp).await {
            Ok(s) => Box::new(s),
            Err(e) => {
                tracing::debug!(%peer, "MSRP TLS handshake failed: {e}");
                return;
            }
        },
        None => Box::new(tcp),
    };
    let mut decoder = FrameDecoder::new();
    let mut received = Vec::new();
    let mut buf = vec![0u8; READ_CHUNK];
    let frame = loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        received.extend_from_slice(&buf[..n]);
        decoder.push(&buf[..n]);
        match decoder.next_frame() {
            Ok(Some(frame)) => break frame,
            Ok(None) => continue,
            Err(e) => {
                tracing::debug!(%peer, "not MSRP: {e}");
                return;
            }
        }
    };
    let target = target_session_id(&frame);
    let waiter = target
        .as_ref()
        .and_then(|id| waiting.lock().ok().and_then(|mut map| map.remove(id)));
    match waiter {
        Some(tx) => {
            let accepted = Accepted {
                stream,
                received,
                peer,
                tls: secure,
            };
            if tx.send(accepted).is_err() {
                tracing::debug!(%peer, "the MSRP session stopped waiting");
            }
        }
        None => {
            tracing::debug!(%peer, session = ?target, "MSRP connection for no waiting session");
            let local = frame
                .to_path()
                .ok()
                .and_then(|p| p.last().cloned())
                .unwrap_or_else(|| MsrpUri::endpoint(false, "0.0.0.0", 0, "unknown"));
            if let Some(bytes) = refuse_connection(&frame, false, &local) {
                let _ = stream.write_all(&bytes).await;
            }
            let _ = stream.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests;
