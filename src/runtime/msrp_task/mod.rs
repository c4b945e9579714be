//! One task per chat session: it owns the MSRP connection and the sans-IO
//! [`Session`], and talks to its account's endpoint through channels.
//!
//! Life of a task:
//! 1. prepare: through a relay, connect to it and AUTH (RFC 4976) to learn
//!    the Use-Path; directly, register our session-id with the
//!    [`MsrpHub`] in case the peer connects to us. Either way it reports
//!    our `a=path` ([`TaskEvent::Prepared`]) for the SDP;
//! 2. on [`TaskCommand::Go`] (after offer/answer): connect to the peer, or
//!    take the connection the hub hands over, and open the session;
//! 3. run: bytes in, bytes out, timers, messages to send, events back;
//! 4. end on [`TaskCommand::Close`], on a failed session or a lost
//!    connection, always with one [`TaskEvent::Closed`].
//!
//! Direct `msrps` is TLS on the wire or nothing: we connect with TLS,
//! pinned to the peer's `a=fingerprint` or, when it announced none,
//! checking its certificate like a server's (the account's `tls`); a peer
//! that connects to a TLS path of ours over plain TCP is refused. The task
//! reports whether the bytes are encrypted ([`TaskEvent::Opened`]).

mod error;
mod file_hash;
mod file_io;
mod file_sync;
pub(crate) mod reach;
mod writer;

use crate::model::{MessageId, SessionId};
use crate::protocol::msrp::pacing::relay_bytes_in_flight;
use crate::protocol::msrp::{
    FrameDecoder, IncomingMode, MsrpUri, Output, RelayClient, RelayEvent, RelayOutput, ReportOptions,
    Session, SessionConfig, SessionEvent, WireFrame,
};
use crate::transport::msrp::listener::{Accepted, MsrpHub};
use crate::transport::msrp::tls::pinned_client_config;
use crate::transport::msrp::{connect, relay, MsrpStream};
use crate::transport::tls::LazyClientConfig;
use bytes::BufMut;
use error::peer_refused;
pub use error::TaskError;
pub(crate) use file_hash::hash_file;
pub use file_io::DURABLE_EVERY;
use file_io::{FileIo, FileReady, FILE_CHUNKS_IN_FLIGHT, FILE_CHUNK_SIZE};
pub(crate) use file_io::{FileIoError, FileJob};
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, ReadHalf};
use tokio::sync::mpsc;
use tokio_rustls::rustls::ClientConfig;
use tracing::Instrument;

/// How long to wait for the peer's connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Read buffer size.
const READ_CHUNK: usize = 64 * 1024;

/// How the session reaches its peer.
#[derive(Clone)]
pub(crate) enum Plan {
    /// Through our relay: connect and AUTH first.
    Relay {
        relay: MsrpUri,
        username: String,
        password: String,
        /// For `msrps` relays: verified with the account's CA settings.
        tls: Option<Arc<ClientConfig>>,
        /// What the relays queue per connection (see `protocol::msrp::pacing`).
        queue: usize,
    },
    /// Directly; `host` is our address as the peer sees it; `secure` for
    /// `msrps` (our TLS listener).
    Direct {
        secure: bool,
        host: String,
        /// The server sees us at another address: peers cannot connect to
        /// `host`, so we offer to connect ourselves (`a=setup:active`).
        behind_nat: bool,
        /// How a peer that announced no fingerprint is checked when we
        /// connect to it (the account's server checks), built at first use.
        peer_tls: Option<LazyClientConfig>,
    },
}

/// Which of the peer's session descriptions the session follows: words for
/// errors that say which case it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerSdp {
    /// The peer offered (it called us).
    Offer,
    /// The peer answered our offer.
    Answer,
}

impl std::fmt::Display for PeerSdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeerSdp::Offer => "offer",
            PeerSdp::Answer => "answer",
        })
    }
}

/// What the endpoint tells a task.
#[derive(Debug)]
pub(crate) enum TaskCommand {
    /// Offer/answer is done: connect (or wait for the peer) and open.
    Go {
        remote_path: Vec<MsrpUri>,
        we_connect: bool,
        /// The peer's `a=fingerprint`, for direct `msrps`.
        fingerprint: Option<String>,
        /// Whether the peer's SDP was an offer or an answer (for words).
        peer_sdp: PeerSdp,
        /// What we accept (from our SDP).
        accept_types: Vec<String>,
    },
    /// Send a message; `id` is `None` for notifications such as isComposing.
    Send {
        id: Option<MessageId>,
        content_type: String,
        body: Vec<u8>,
    },
    /// The message with this MSRP Message-ID is stored: report it.
    Confirm { msrp_id: String },
    /// End the session.
    Close,
}

/// What a task tells the endpoint.
#[derive(Debug)]
pub(crate) enum TaskEvent {
    /// Our `a=path` (relays first, our URI last), ready for the SDP.
    Prepared {
        local_path: Vec<MsrpUri>,
        relay: Option<String>,
        /// Direct, behind NAT (see [`Plan::Direct`]).
        behind_nat: bool,
    },
    /// The connection is bound; messages flow. `secure` when TLS is
    /// negotiated on our connection and every hop of the peer's path is
    /// `msrps` (the bytes are encrypted).
    Opened { secure: bool },
    /// A whole message arrived; store it, then send [`TaskCommand::Confirm`].
    Received {
        msrp_id: String,
        content_type: String,
        body: Vec<u8>,
    },
    /// The peer has a message.
    Delivered { id: MessageId },
    /// A message failed (in words).
    Failed { id: MessageId, reason: String },
    /// File transfers: bytes moved (throttled).
    FileProgress { bytes: u64, total: u64, rate: u64 },
    /// The peer confirmed the whole file (success REPORT).
    FileSent,
    /// Sending: the peer confirmed the first `bytes` of the file (a
    /// partial success REPORT); receiving: they are durable on disk.
    FileConfirmed { bytes: u64 },
    /// The received file is written and synced: its size and SHA-1. Check
    /// it, then send [`TaskCommand::Confirm`] with `msrp_id`.
    FileWritten {
        msrp_id: String,
        size: u64,
        sha1: [u8; 20],
    },
    /// The file could not be sent or received (in words).
    FileFailed { reason: String },
    /// The task ended; `reason` says why unless we closed it.
    Closed { reason: Option<String> },
}

/// One task's news, for the endpoint (which hands it to the feature that
/// owns the session).
#[derive(Debug)]
pub(crate) struct TaskNews {
    pub session: SessionId,
    pub event: TaskEvent,
}

/// Everything a task needs.
pub(crate) struct TaskSetup {
    pub session: SessionId,
    pub account: String,
    pub plan: Plan,
    pub hub: Arc<MsrpHub>,
    pub events: mpsc::UnboundedSender<TaskNews>,
    /// For file transfers: what to do with the file.
    pub file: Option<FileJob>,
}

/// Starts the task; commands go to the returned sender.
pub(crate) fn spawn(setup: TaskSetup) -> mpsc::UnboundedSender<TaskCommand> {
    let (tx, rx) = mpsc::unbounded_channel();
    let span = tracing::info_span!("msrp", account = %setup.account, session = %setup.session);
    tokio::spawn(
        async move {
            let session = setup.session;
            let events = setup.events.clone();
            let result = run(setup, rx).await;
            let reason = result.err().map(|e| e.to_string());
            if let Some(r) = &reason {
                tracing::info!(%session, "chat connection ended: {r}");
            }
            let _ = events.send(TaskNews {
                session,
                event: TaskEvent::Closed { reason },
            });
        }
        .instrument(span),
    );
    tx
}

/// A connection being prepared.
struct Prepared {
    local_uri: MsrpUri,
    relays: Vec<MsrpUri>,
    relay: Option<(RelayClient, MsrpStream, FrameDecoder)>,
    incoming: Option<tokio::sync::oneshot::Receiver<Accepted>>,
}

async fn run(setup: TaskSetup, mut commands: mpsc::UnboundedReceiver<TaskCommand>) -> Result<(), TaskError> {
    let sid = session_token();
    let prepared = match &setup.plan {
        Plan::Relay {
            relay,
            username,
            password,
            tls,
            ..
        } => prepare_relay(relay, username, password, tls.clone(), &sid)
            .await
            .map_err(TaskError::Relay)?,
        Plan::Direct { secure, host, .. } => {
            let local_uri = MsrpUri::endpoint(*secure, host, setup.hub.port(*secure), &sid);
            Prepared {
                local_uri,
                relays: Vec::new(),
                relay: None,
                incoming: Some(setup.hub.expect(&sid)),
            }
        }
    };
    let mut local_path = prepared.relays.clone();
    local_path.push(prepared.local_uri.clone());
    let (relay_name, behind_nat) = match &setup.plan {
        Plan::Relay { relay, .. } => (Some(relay.to_string()), false),
        Plan::Direct { behind_nat, .. } => (None, *behind_nat),
    };
    let send = |e: TaskEvent| {
        let _ = setup.events.send(TaskNews {
            session: setup.session,
            event: e,
        });
    };
    send(TaskEvent::Prepared {
        local_path,
        relay: relay_name,
        behind_nat,
    });
    let mut early = Vec::new();
    let go = loop {
        match commands.recv().await {
            Some(TaskCommand::Go {
                remote_path,
                we_connect,
                fingerprint,
                peer_sdp,
                accept_types,
            }) => break (remote_path, we_connect, fingerprint, peer_sdp, accept_types),
            Some(TaskCommand::Close) | None => {
                setup.hub.forget(&sid);
                return Ok(());
            }
            Some(other) => early.push(other),
        }
    };
    let (remote_path, we_connect, fingerprint, peer_sdp, accept_types) = go;
    let first_hop = remote_path.first().cloned().ok_or(TaskError::NoPath)?;
    let (stream, received, decoder, relay, encrypted) = match (prepared.relay, prepared.incoming) {
        (Some((client, stream, decoder)), _) => {
            let encrypted = matches!(&setup.plan, Plan::Relay { tls: Some(_), .. });
            (stream, Vec::new(), Some(decoder), Some(client), encrypted)
        }
        (None, incoming) if we_connect => {
            setup.hub.forget(&sid);
            drop(incoming);
            let peer_tls = match &setup.plan {
                Plan::Direct { peer_tls, .. } => peer_tls.clone(),
                Plan::Relay { .. } => None,
            };
            let announced = fingerprint.is_some();
            let tls = match (first_hop.secure, fingerprint) {
                (false, _) => None,
                (true, Some(fp)) => Some(
                    pinned_client_config(&fp).map_err(|source| TaskError::Pinning { peer_sdp, source })?,
                ),
                (true, None) => Some(
                    peer_tls
                        .ok_or(TaskError::NoFingerprint(peer_sdp))?
                        .get()
                        .map_err(TaskError::PeerTls)?,
                ),
            };
            let encrypted = tls.is_some();
            let stream = connect::connect(&first_hop, tls)
                .await
                .map_err(|e| peer_refused(e, announced, peer_sdp))?;
            (stream, Vec::new(), None, None, encrypted)
        }
        (None, Some(incoming)) => match tokio::time::timeout(CONNECT_TIMEOUT, incoming).await {
            Ok(Ok(accepted)) => {
                tracing::debug!(peer = %accepted.peer, tls = accepted.tls, "the peer connected");
                if prepared.local_uri.secure && !accepted.tls {
                    return Err(TaskError::NotTls);
                }
                (accepted.stream, accepted.received, None, None, accepted.tls)
            }
            _ => {
                setup.hub.forget(&sid);
                return Err(TaskError::NoConnection {
                    behind_nat: reach::is_private(&prepared.local_uri.host),
                });
            }
        },
        (None, None) => return Err(TaskError::NoRoute),
    };
    let secure = encrypted && remote_path.iter().all(|u| u.secure);
    let mut config = SessionConfig::new(prepared.local_uri, remote_path, we_connect || relay.is_some());
    config.relays = prepared.relays;
    if let Plan::Relay { queue, .. } = &setup.plan {
        config.max_relay_bytes_in_flight = relay_bytes_in_flight(*queue);
    }
    if !accept_types.is_empty() {
        config.accept_types = accept_types.iter().map(|t| t.to_ascii_lowercase()).collect();
    }
    match &setup.file {
        Some(FileJob::Receive { limit, .. }) => {
            config.incoming_mode = IncomingMode::Stream;
            config.max_incoming_size = *limit;
            config.accept_types = vec!["*".into()];
        }
        Some(FileJob::Send { .. }) => {
            config.chunk_size = FILE_CHUNK_SIZE;
            config.max_chunks_in_flight = FILE_CHUNKS_IN_FLIGHT;
        }
        None => {}
    }
    let mut session = Session::new(config, rand::random(), Instant::now());
    session.open(Instant::now());
    let file = match &setup.file {
        Some(job) => {
            let mut file = FileIo::start(job, session.config().effective_chunk_size())?;
            match job {
                FileJob::Send {
                    content_type, from, ..
                } => file.begin(&mut session, content_type, *from)?,
                FileJob::Receive { from, .. } => session.set_incoming_resume(*from),
            }
            Some(file)
        }
        None => None,
    };
    let recycle = file.as_ref().and_then(FileIo::recycler);
    let mut conn = Connection::new(stream, decoder, relay, secure, recycle);
    conn.file = file;
    if !received.is_empty() {
        conn.feed(&mut session, &received);
    }
    let mut ids: HashMap<String, MessageId> = HashMap::new();
    for cmd in early {
        if handle_command(&mut session, cmd, &mut ids)? {
            return Ok(());
        }
    }
    conn.run(&mut session, &mut commands, &mut ids, &send).await
}

/// Acts on a command; `Ok(true)` when the session is to end.
fn handle_command(
    session: &mut Session,
    cmd: TaskCommand,
    ids: &mut HashMap<String, MessageId>,
) -> Result<bool, TaskError> {
    let now = Instant::now();
    match cmd {
        TaskCommand::Send {
            id,
            content_type,
            body,
        } => {
            let reports = ReportOptions {
                success: id.is_some(),
                ..ReportOptions::default()
            };
            match session.send_message(&content_type, body, reports, now) {
                Ok(msrp_id) => {
                    if let Some(id) = id {
                        ids.insert(msrp_id, id);
                    }
                }
                Err(e) => tracing::debug!("not sent: {e}"),
            }
        }
        TaskCommand::Confirm { msrp_id } => session.confirm_received(&msrp_id, now),
        TaskCommand::Close => {
            session.close(now);
            return Ok(true);
        }
        TaskCommand::Go { .. } => {}
    }
    Ok(false)
}

/// The running connection of a session.
struct Connection {
    reader: ReadHalf<MsrpStream>,
    writer: mpsc::UnboundedSender<WireFrame>,
    decoder: Option<FrameDecoder>,
    relay: Option<RelayClient>,
    writer_task: tokio::task::JoinHandle<()>,
    /// The file of a transfer session.
    file: Option<FileIo>,
    /// The bytes are encrypted (for [`TaskEvent::Opened`]).
    secure: bool,
}

impl Connection {
    fn new(
        stream: MsrpStream,
        decoder: Option<FrameDecoder>,
        relay: Option<RelayClient>,
        secure: bool,
        recycle: Option<writer::Recycle>,
    ) -> Connection {
        let (reader, writer_half) = tokio::io::split(stream);
        let (writer, rx) = mpsc::unbounded_channel();
        let writer_task = tokio::spawn(writer::write_loop(writer_half, rx, recycle));
        Connection {
            reader,
            writer,
            decoder: decoder.or_else(|| relay.as_ref().map(|_| FrameDecoder::new())),
            relay,
            writer_task,
            file: None,
            secure,
        }
    }

    /// Feeds received bytes: through our decoder when a relay client shares
    /// the connection (its AUTH answers are its own), else straight in.
    fn feed(&mut self, session: &mut Session, bytes: &[u8]) {
        let now = Instant::now();
        let Some(decoder) = self.decoder.as_mut() else {
            session.handle_bytes(bytes, now);
            return;
        };
        decoder.push(bytes);
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => match self.relay.as_mut() {
                    Some(relay) if relay.owns(&frame) => relay.handle_frame(&frame, now),
                    _ => session.handle_frame(frame, now),
                },
                Ok(None) => break,
                Err(e) => {
                    session.connection_lost(&format!("the relay sent something that is not MSRP ({e})"), now);
                    break;
                }
            }
        }
    }

    async fn run(
        &mut self,
        session: &mut Session,
        commands: &mut mpsc::UnboundedReceiver<TaskCommand>,
        ids: &mut HashMap<String, MessageId>,
        send: &impl Fn(TaskEvent),
    ) -> Result<(), TaskError> {
        // With a decoder of our own (a relay shares the connection) bytes
        // are read into `buf` and pushed into it; else they are read
        // straight into the session's buffer.
        let mut buf = if self.decoder.is_some() {
            vec![0u8; READ_CHUNK]
        } else {
            Vec::new()
        };
        loop {
            if let Some(end) = self.drain(session, ids, send) {
                self.finish().await;
                return end;
            }
            if let Some(file) = self.file.as_mut() {
                file.flush().await;
            }
            let file_waiting = self.file.as_ref().is_some_and(|f| f.waiting(session));
            let deadline = [
                session.poll_timeout(),
                self.relay.as_ref().and_then(RelayClient::poll_timeout),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            if let Some(file) = self.file.as_mut() {
                while let Some(spare) = file.spare_body() {
                    session.give_spare_body(spare);
                }
            }
            let mut lent = self
                .decoder
                .is_none()
                .then(|| session.lend_receive_buffer(READ_CHUNK));
            tokio::select! {
                read = read_some(&mut self.reader, lent.as_mut(), &mut buf) => {
                    let now = Instant::now();
                    if let Some((lent, _)) = lent.take() {
                        session.handle_received_buffer(lent, now);
                    }
                    match read {
                        Ok(0) => session.connection_lost("the peer closed the connection", now),
                        Ok(n) if self.decoder.is_some() => self.feed(session, &buf[..n]),
                        Ok(_) => {}
                        Err(e) => session.connection_lost(&e.to_string(), now),
                    }
                },
                cmd = commands.recv() => match cmd {
                    Some(cmd) => {
                        handle_command(session, cmd, ids)?;
                    }
                    None => session.close(Instant::now()),
                },
                ready = file_ready(&mut self.file), if file_waiting => {
                    on_file_ready(session, self.file.as_mut(), ready, send);
                }
                _ = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {
                    let now = Instant::now();
                    session.handle_timeout(now);
                    if let Some(relay) = self.relay.as_mut() {
                        relay.handle_timeout(now);
                    }
                }
            }
            if let Some((lent, _)) = lent {
                // Woken by something else: nothing was read into it.
                session.restore_receive_buffer(lent);
            }
        }
    }

    /// Writes what the session and relay client want written and forwards
    /// events. `Some` when the session is over.
    fn drain(
        &mut self,
        session: &mut Session,
        ids: &mut HashMap<String, MessageId>,
        send: &impl Fn(TaskEvent),
    ) -> Option<Result<(), TaskError>> {
        if let Some(relay) = self.relay.as_mut() {
            while let Some(out) = relay.poll_output() {
                match out {
                    RelayOutput::Transmit(bytes) => {
                        let _ = self.writer.send(bytes.into());
                    }
                    RelayOutput::Event(RelayEvent::Authorized { .. }) => {}
                    RelayOutput::Event(RelayEvent::Failed { reason, .. }) => {
                        return Some(Err(TaskError::RelayRenewal(reason)));
                    }
                }
            }
        }
        let mut end = None;
        while let Some(out) = session.poll_output() {
            match out {
                Output::Transmit(bytes) => {
                    let _ = self.writer.send(bytes);
                }
                Output::Event(mut event) => {
                    if let Some(file) = self.file.as_mut() {
                        file.on_event(&mut event, send);
                    }
                    if let Some(done) = forward(event, ids, send, self.secure) {
                        end = Some(done);
                    }
                }
            }
        }
        end
    }

    /// Lets the writer flush, then closes.
    async fn finish(&mut self) {
        let (tx, _) = mpsc::unbounded_channel();
        self.writer = tx;
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.writer_task).await;
    }
}

/// Reads what the socket has: appended to the session's lent buffer (at
/// most the bytes it said) when there is one, else into `buf`.
/// Cancel-safe: nothing is read unless it returns.
async fn read_some(
    reader: &mut ReadHalf<MsrpStream>,
    lent: Option<&mut (Vec<u8>, usize)>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match lent {
        Some((lent, most)) => reader.read_buf(&mut lent.limit(*most)).await,
        None => reader.read(buf).await,
    }
}

/// Waits for the file side (never returns without one).
async fn file_ready(file: &mut Option<FileIo>) -> FileReady {
    match file {
        Some(f) => f.ready().await,
        None => std::future::pending().await,
    }
}

/// Acts on what the file side produced.
fn on_file_ready(
    session: &mut Session,
    file: Option<&mut FileIo>,
    ready: FileReady,
    send: &impl Fn(TaskEvent),
) {
    let Some(file) = file else { return };
    match ready {
        FileReady::Chunk(Ok(data)) => {
            if let Err(e) = file.push(session, data) {
                send(TaskEvent::FileFailed {
                    reason: e.to_string(),
                });
                session.close(Instant::now());
            }
        }
        FileReady::Chunk(Err(e)) => {
            send(TaskEvent::FileFailed {
                reason: e.to_string(),
            });
            session.close(Instant::now());
        }
        FileReady::Written(Ok((size, sha1))) => match file.incoming_id() {
            Some(msrp_id) => send(TaskEvent::FileWritten { msrp_id, size, sha1 }),
            None => send(TaskEvent::FileFailed {
                reason: "the file arrived without a message id".into(),
            }),
        },
        FileReady::Written(Err(e)) => send(TaskEvent::FileFailed {
            reason: e.to_string(),
        }),
        FileReady::Durable(bytes) => {
            if let Some(msrp_id) = file.incoming_id() {
                session.report_partial(&msrp_id, bytes, Instant::now());
            }
            send(TaskEvent::FileConfirmed { bytes });
        }
    }
}

/// Turns a session event into a task event; `Some` when the session ended.
fn forward(
    event: SessionEvent,
    ids: &mut HashMap<String, MessageId>,
    send: &impl Fn(TaskEvent),
    secure: bool,
) -> Option<Result<(), TaskError>> {
    match event {
        SessionEvent::Opened => send(TaskEvent::Opened { secure }),
        SessionEvent::MessageReceived {
            message_id,
            content_type,
            body,
        } => send(TaskEvent::Received {
            msrp_id: message_id,
            content_type,
            body,
        }),
        SessionEvent::MessageDelivered { message_id } => {
            if let Some(id) = ids.remove(&message_id) {
                send(TaskEvent::Delivered { id });
            }
        }
        SessionEvent::DeliveryUnknown { message_id, reason } => {
            if let Some(id) = ids.remove(&message_id) {
                send(TaskEvent::Failed {
                    id,
                    reason: format!("{reason}; it may or may not have arrived"),
                });
            }
        }
        SessionEvent::MessageFailed {
            message_id, reason, ..
        } => {
            if let Some(id) = ids.remove(&message_id) {
                send(TaskEvent::Failed { id, reason });
            }
        }
        SessionEvent::MessageAborted { message_id } => {
            if let Some(id) = ids.remove(&message_id) {
                send(TaskEvent::Failed {
                    id,
                    reason: "the message was aborted".into(),
                });
            }
        }
        SessionEvent::SessionFailed { reason } => return Some(Err(TaskError::Session(reason))),
        SessionEvent::Closed => return Some(Ok(())),
        SessionEvent::ChunkReceived { .. }
        | SessionEvent::StreamComplete { .. }
        | SessionEvent::IncomingAborted { .. }
        | SessionEvent::Progress { .. }
        | SessionEvent::PartReported { .. }
        | SessionEvent::MessageSent { .. } => {}
    }
    None
}

/// Connects to the relay and runs AUTH until it grants a path
/// ([`relay::authenticate`]); the connection is the session's.
async fn prepare_relay(
    relay: &MsrpUri,
    username: &str,
    password: &str,
    tls: Option<Arc<ClientConfig>>,
    sid: &str,
) -> Result<Prepared, relay::RelayError> {
    let connection = relay::authenticate(relay, username, password, tls, sid).await?;
    Ok(Prepared {
        local_uri: connection.local_uri,
        relays: connection.use_path,
        relay: Some((connection.client, connection.stream, connection.decoder)),
        incoming: None,
    })
}

/// A fresh session-id for our MSRP URI.
fn session_token() -> String {
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| {
            let n = rng.gen_range(0..36u8);
            char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
        })
        .collect()
}
