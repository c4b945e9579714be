//! TCP and TLS connections: one reader and one writer task per connection,
//! Content-Length framing, and RFC 5626 CRLF keep-alives. A missing pong
//! closes the connection when pongs are required (an RFC 5626 outbound
//! flow: [`StreamHandle::require_pongs`]) or the peer answered an earlier
//! ping on it; a server that never answers pings (a plain registration
//! need not) keeps its connection. Connections the
//! listener accepted ([`super::listener`]) are also closed when idle, or
//! when the listener sheds them.

use super::framing::{Frame, StreamFramer};
use super::listener::Liveness;
use super::{ConnId, Inbound, Transport, TransportError, TransportEvent};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::TlsConnector;

/// How long a connect (TCP plus TLS handshake) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a pong after a keep-alive ping (RFC 5626 section 4.4.1).
pub const PONG_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages queued for one connection's writer before senders see back-pressure.
pub const WRITE_QUEUE: usize = 256;
/// Bytes read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;

static NEXT_CONN_ID: AtomicU64 = AtomicU64::new(1);

/// Sending side of one connection; cheap to clone.
#[derive(Debug, Clone)]
pub struct StreamHandle {
    /// Connection id, unique in the process.
    pub id: ConnId,
    /// TCP or TLS.
    pub transport: Transport,
    /// Peer address.
    pub remote: SocketAddr,
    /// Our address.
    pub local: SocketAddr,
    tx: mpsc::Sender<Vec<u8>>,
    pongs_required: Arc<AtomicBool>,
}

impl StreamHandle {
    /// Queues bytes for the writer task.
    pub async fn send(&self, bytes: Vec<u8>) -> Result<(), TransportError> {
        self.tx.send(bytes).await.map_err(|_| TransportError::Send {
            addr: self.remote,
            reason: "connection closed".into(),
        })
    }

    /// Whether a ping without a pong closes the connection even when the
    /// peer has not answered one yet (on an RFC 5626 outbound flow the
    /// registrar must answer).
    pub fn require_pongs(&self, required: bool) {
        self.pongs_required.store(required, Ordering::Relaxed);
    }

    /// Whether the writer task is gone.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// Options for a connection.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// Send a CRLFCRLF ping at this interval and close when no pong follows
    /// (see the module docs for when a missing pong counts).
    pub keepalive: Option<Duration>,
    /// How long to wait for the pong.
    pub pong_timeout: Duration,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            keepalive: None,
            pong_timeout: PONG_TIMEOUT,
        }
    }
}

/// Spawns reader and writer tasks for an established byte stream.
pub fn spawn<S>(
    io: S,
    transport: Transport,
    remote: SocketAddr,
    local: SocketAddr,
    options: StreamOptions,
    events: mpsc::Sender<TransportEvent>,
) -> StreamHandle
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    spawn_tasks(io, transport, remote, local, options, events, None)
}

/// [`spawn`] for a connection a listener accepted: it closes when idle
/// ([`super::listener::INBOUND_IDLE_LIMIT`]) or when the listener asks.
pub(crate) fn spawn_inbound<S>(
    io: S,
    transport: Transport,
    remote: SocketAddr,
    local: SocketAddr,
    options: StreamOptions,
    events: mpsc::Sender<TransportEvent>,
    liveness: Arc<Liveness>,
) -> StreamHandle
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    spawn_tasks(io, transport, remote, local, options, events, Some(liveness))
}

fn spawn_tasks<S>(
    io: S,
    transport: Transport,
    remote: SocketAddr,
    local: SocketAddr,
    options: StreamOptions,
    events: mpsc::Sender<TransportEvent>,
    liveness: Option<Arc<Liveness>>,
) -> StreamHandle
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let id = NEXT_CONN_ID.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let pongs_required = Arc::new(AtomicBool::new(false));
    let handle = StreamHandle {
        id,
        transport,
        remote,
        local,
        tx: tx.clone(),
        pongs_required: pongs_required.clone(),
    };
    let (mut reader, mut writer) = tokio::io::split(io);
    let pong_seen = Arc::new(tokio::sync::Notify::new());

    // Writer: queued messages out, pings on a timer.
    let pong_for_writer = pong_seen.clone();
    let writer_events = events.clone();
    let writer_liveness = liveness.clone();
    tokio::spawn(async move {
        let mut answered_before = false;
        let reason = loop {
            let ping_due = async {
                match options.keepalive {
                    Some(every) => tokio::time::sleep(every).await,
                    None => std::future::pending::<()>().await,
                }
            };
            let stop = async {
                match &writer_liveness {
                    Some(l) => l.stop_writer.notified().await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(bytes) => {
                        if let Err(e) = writer.write_all(&bytes).await {
                            break format!("write failed: {e}");
                        }
                        if let Some(l) = &writer_liveness {
                            l.sent(&bytes);
                        }
                    }
                    None => break "closed by us".to_string(),
                },
                () = stop => break "closed by us".to_string(),
                () = ping_due => {
                    if let Err(e) = writer.write_all(b"\r\n\r\n").await {
                        break format!("write failed: {e}");
                    }
                    if tokio::time::timeout(options.pong_timeout, pong_for_writer.notified()).await.is_ok() {
                        answered_before = true;
                    } else if answered_before || pongs_required.load(Ordering::Relaxed) {
                        break "keep-alive timed out (no pong)".to_string();
                    } else {
                        tracing::debug!(conn = id, %remote, "no pong to our ping; the peer has never answered one, so the connection stays");
                    }
                }
            }
        };
        let _ = writer.shutdown().await;
        let _ = writer_events
            .send(TransportEvent::Closed { conn: id, reason })
            .await;
    });

    // Reader: framing, pongs, and delivery.
    tokio::spawn(async move {
        let mut framer = StreamFramer::new();
        let mut buf = vec![0u8; READ_CHUNK];
        let reason = 'outer: loop {
            let read = async {
                match &liveness {
                    None => Ok(reader.read(&mut buf).await),
                    Some(l) => watch_inbound(l, reader.read(&mut buf)).await,
                }
            };
            let n = match read.await {
                Ok(Ok(0)) => break "closed by peer".to_string(),
                Ok(Ok(n)) => n,
                Ok(Err(e)) => break format!("read failed: {e}"),
                Err(reason) => break reason.to_string(),
            };
            framer.push(&buf[..n]);
            loop {
                match framer.next_frame() {
                    Ok(Some(Frame::Message(bytes))) => {
                        if let Some(l) = &liveness {
                            l.received(&bytes);
                        }
                        let inbound = Inbound {
                            transport,
                            remote,
                            local,
                            conn: Some(id),
                            bytes,
                        };
                        if events.send(TransportEvent::Received(inbound)).await.is_err() {
                            break 'outer "endpoint stopped".to_string();
                        }
                    }
                    Ok(Some(Frame::Ping)) => {
                        let _ = tx.send(b"\r\n".to_vec()).await;
                    }
                    Ok(Some(Frame::Pong)) => pong_seen.notify_one(),
                    Ok(None) => break,
                    Err(e) => break 'outer format!("unusable data from peer: {e}"),
                }
            }
        };
        tracing::debug!(conn = id, %remote, "stream reader ends: {reason}");
        if let Some(l) = &liveness {
            // An accepted connection closes at once: its descriptor is
            // what the listener may be short of.
            l.end();
        }
        // Dropping our sender lets the writer finish once the endpoint's handles are gone;
        // tell the endpoint now so it forgets the connection.
        drop(tx);
        let _ = events.send(TransportEvent::Closed { conn: id, reason }).await;
    });
    handle
}

/// Opens a TCP connection.
pub async fn connect_tcp(
    remote: SocketAddr,
    options: StreamOptions,
    events: mpsc::Sender<TransportEvent>,
) -> Result<StreamHandle, TransportError> {
    let err = |reason: String| TransportError::Connect {
        addr: remote,
        transport: Transport::Tcp,
        reason,
    };
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(remote))
        .await
        .map_err(|_| err("timed out".into()))?
        .map_err(|e| err(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let local = stream.local_addr().map_err(|e| err(e.to_string()))?;
    Ok(spawn(stream, Transport::Tcp, remote, local, options, events))
}

/// Opens a TLS connection, verifying the certificate for `server_name`.
pub async fn connect_tls(
    remote: SocketAddr,
    server_name: &str,
    config: Arc<ClientConfig>,
    options: StreamOptions,
    events: mpsc::Sender<TransportEvent>,
) -> Result<StreamHandle, TransportError> {
    let err = |reason: String| TransportError::Connect {
        addr: remote,
        transport: Transport::Tls,
        reason,
    };
    let name = super::tls::server_name(server_name).map_err(|e| err(e.to_string()))?;
    let connect = async {
        let tcp = TcpStream::connect(remote).await.map_err(|e| err(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let local = tcp.local_addr().map_err(|e| err(e.to_string()))?;
        let tls = TlsConnector::from(config).connect(name, tcp).await.map_err(|e| {
            match super::certificates::refusal_of(&e) {
                Some(refusal) => TransportError::Certificate {
                    addr: remote,
                    refusal: Box::new(refusal),
                },
                None => err(format!("TLS handshake failed: {e}")),
            }
        })?;
        Ok::<_, TransportError>((tls, local))
    };
    let (tls, local) = tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| err("timed out".into()))??;
    Ok(spawn(tls, Transport::Tls, remote, local, options, events))
}

pub use super::listener::listen_tcp;

/// Why the reader of an accepted connection stopped waiting for bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum InboundClose {
    /// No complete message for [`super::listener::INBOUND_IDLE_LIMIT`]
    /// (or [`super::listener::MAX_ANSWER_WAIT`] with a request in progress).
    #[error("idle: no complete message in time")]
    Idle,
    /// The listener closed it to make room.
    #[error("closed to make room for other connections")]
    Shed,
}

/// Waits for `read` on an accepted connection, unless it goes idle or
/// the listener closes it first.
async fn watch_inbound<F, T>(liveness: &Liveness, read: F) -> Result<T, InboundClose>
where
    F: std::future::Future<Output = T>,
{
    tokio::pin!(read);
    loop {
        // Re-checked whenever it passes: a request in progress, or a
        // message since, moves it on.
        let deadline = liveness.idle_deadline();
        tokio::select! {
            out = &mut read => return Ok(out),
            () = liveness.close.notified() => return Err(InboundClose::Shed),
            () = tokio::time::sleep_until(deadline) => {
                if liveness.idle_deadline() <= tokio::time::Instant::now() {
                    return Err(InboundClose::Idle);
                }
            }
        }
    }
}
