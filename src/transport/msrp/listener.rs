//! The MSRP listeners every account shares: one TCP and one TLS port
//! (the hub), each listened on over IPv4 and, where the machine has it,
//! IPv6 (`0.0.0.0` and `[::]`, so a peer reaches us in the family its
//! SDP uses).
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
use crate::transport::family;
use crate::transport::listener::Exhaustion;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// How long a new connection may take to send its first whole frame.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(10);
/// Free ports tried for a listener whose IPv6 side finds the port taken.
const PORT_ATTEMPTS: usize = 8;
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
        let tcp = listen_both_families()?;
        let tls = listen_both_families()?;
        let acceptor = TlsAcceptor::from(identity.server_config()?);
        let port = |listeners: &[TcpListener]| {
            listeners
                .first()
                .map_or(Ok(0), |l| l.local_addr().map(|a| a.port()))
        };
        let hub = Arc::new(MsrpHub {
            tcp_port: port(&tcp)?,
            tls_port: port(&tls)?,
            identity,
            waiting: Arc::default(),
        });
        tracing::debug!(
            tcp = hub.tcp_port,
            tls = hub.tls_port,
            ipv6 = tcp.len() > 1,
            "MSRP listeners up"
        );
        for listener in tcp {
            tokio::spawn(accept_loop(listener, None, hub.waiting.clone()));
        }
        for listener in tls {
            tokio::spawn(accept_loop(listener, Some(acceptor.clone()), hub.waiting.clone()));
        }
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

/// Listeners on one free port: `0.0.0.0` and, unless the machine has no
/// IPv6, `[::]` (another port is tried when IPv6's is taken).
fn listen_both_families() -> Result<Vec<TcpListener>, std::io::Error> {
    let mut last = None;
    for _ in 0..PORT_ATTEMPTS {
        let v4 = family::bind_tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0))?;
        let port = v4.local_addr()?.port();
        match family::bind_tcp(SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port)) {
            Ok(v6) => return Ok(vec![v4, v6]),
            Err(e) if family::ipv6_missing(&e) => return Ok(vec![v4]),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AddrInUse)))
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
