//! One MSRP session over one TCP/TLS connection, sans-IO.
//!
//! The runtime owns the socket and a clock. It:
//! 1. makes a [`Session`] from a [`SessionConfig`] (our path, the peer's path
//!    from SDP, who connects) and calls [`Session::open`] once the connection
//!    is up (the active side then sends an empty SEND that binds it);
//! 2. feeds every received byte to [`Session::handle_bytes`] (or frames it
//!    cut itself to [`Session::handle_frame`]);
//! 3. drains [`Session::poll_output`] after every call, writing
//!    [`Output::Transmit`] bytes to the socket in order and acting on
//!    [`Output::Event`]s;
//! 4. calls [`Session::handle_timeout`] at [`Session::poll_timeout`];
//! 5. for streamed outgoing messages (files), asks [`Session::data_wanted`]
//!    after draining the output and answers with [`Session::push_data`]:
//!    the session asks only when its output is drained and fewer than
//!    [`SessionConfig::max_chunks_in_flight`] chunks await answers (through
//!    relays instead fewer than [`SessionConfig::max_relay_bytes_in_flight`]
//!    bytes, and what the path holds, not confirmed by the far end, see
//!    [`super::pacing`], so a relay's write queue cannot overflow), which
//!    is the backpressure;
//! 6. on a [`Output::Event`] of [`SessionEvent::SessionFailed`] closes the
//!    connection; on connection loss calls [`Session::connection_lost`].
//!
//! Outgoing chunks of buffered messages are made lazily inside
//! `poll_output`, so a large message is never serialised all at once.

use super::decoder::FrameDecoder;
use super::frame::{status_in_words, Continuation, Frame};
use super::incoming::{Incoming, IncomingMode};
use super::outgoing::{Outgoing, Pending, ReportOptions, Source, Stage};
use super::pacing::Pacing;
pub use super::pacing::{FAR_ANSWER_PROBE, FAR_ANSWER_WAIT, RELAY_MAX_BYTES_IN_FLIGHT};
use super::uri::MsrpUri;
use super::wire::WireFrame;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

pub use super::session_config::{
    SessionConfig, DEFAULT_CHUNK_SIZE, DEFAULT_KEEPALIVE, DEFAULT_MAX_INCOMING, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_REPORT_TIMEOUT, ID_LEN, MAX_OUTGOING_MESSAGES, MIN_CHUNK_SIZE, RELAY_MAX_CHUNK_SIZE,
    TRANSACTION_TIMEOUT,
};

/// Something the runtime must know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The connection is bound: our first SEND was answered 200 (active
    /// side) or the peer's first valid request arrived (passive side).
    Opened,
    /// A whole message arrived (reassembled). When the peer asked for a
    /// success report and `report_after_confirm` is set, call
    /// [`Session::confirm_received`] once it is stored.
    MessageReceived {
        /// The sender's Message-ID.
        message_id: String,
        /// Content type without parameters (`application/octet-stream` when
        /// no chunk named one).
        content_type: String,
        /// The body.
        body: Vec<u8>,
    },
    /// One chunk of a streamed incoming message.
    ChunkReceived {
        /// The sender's Message-ID.
        message_id: String,
        /// Content type, when known.
        content_type: Option<String>,
        /// 1-based offset of the first byte of `data`.
        start: u64,
        /// The bytes.
        data: Vec<u8>,
        /// Total size, when the sender said.
        total: Option<u64>,
    },
    /// Every byte of a streamed incoming message arrived.
    StreamComplete {
        /// The sender's Message-ID.
        message_id: String,
        /// Its size in bytes.
        size: u64,
    },
    /// The peer gave up on a message it was sending (`#`); drop what was
    /// received of it.
    IncomingAborted {
        /// The sender's Message-ID.
        message_id: String,
    },
    /// More of an outgoing message was taken by the next hop.
    Progress {
        /// Our Message-ID.
        message_id: String,
        /// Bytes answered 200 so far.
        acknowledged: u64,
        /// Size of the message.
        total: u64,
    },
    /// A success REPORT says the peer holds bytes `1..=through` of an
    /// outgoing message that is not whole yet (a partial report, e.g. from
    /// a file receiver that made those bytes durable).
    PartReported {
        /// Our Message-ID.
        message_id: String,
        /// Bytes from the start the peer confirmed, without a gap.
        through: u64,
        /// Size of the message.
        total: u64,
    },
    /// Every chunk was taken by the next hop (a relay, or the peer). Through
    /// relays this is not delivery.
    MessageSent {
        /// Our Message-ID.
        message_id: String,
    },
    /// The peer has the whole message: success REPORTs cover it, or (direct,
    /// without a success report) the peer answered every chunk 200.
    MessageDelivered {
        /// Our Message-ID.
        message_id: String,
    },
    /// We asked for a success REPORT and none came in time; the message may
    /// or may not have arrived.
    DeliveryUnknown {
        /// Our Message-ID.
        message_id: String,
        /// In words.
        reason: String,
    },
    /// The message failed.
    MessageFailed {
        /// Our Message-ID.
        message_id: String,
        /// MSRP status, when a peer or relay gave one.
        code: Option<u16>,
        /// In words.
        reason: String,
    },
    /// We aborted an outgoing message.
    MessageAborted {
        /// Our Message-ID.
        message_id: String,
    },
    /// The session cannot go on; close the connection.
    SessionFailed {
        /// In words.
        reason: String,
    },
    /// The session was closed by [`Session::close`].
    Closed,
}

/// What the session wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Write these bytes to the connection, in order (one frame, in parts:
    /// a chunk's body is the buffer it was given in).
    Transmit(WireFrame),
    /// Tell the runtime.
    Event(SessionEvent),
}

/// A request for data of a streamed outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequest {
    /// Our Message-ID.
    pub message_id: String,
    /// 0-based offset of the next byte wanted.
    pub offset: u64,
    /// Most bytes to give in the next [`Session::push_data`]: the chunk
    /// size, or what is left of the message. (For a zero-byte message it
    /// is 1 and the runtime pushes an empty slice.)
    pub max_len: usize,
}

/// A call the session refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session is closed or failed.
    #[error("the chat session is closed")]
    Closed,
    /// Too many messages waiting to go out.
    #[error("too many messages are waiting to be sent in this session")]
    QueueFull,
    /// No such outgoing message (finished, failed or never existed).
    #[error("there is no outgoing message {0} in this session")]
    UnknownMessage(String),
    /// `push_data` with more bytes than asked or beyond the total size.
    #[error("the data given for message {0} is more than the session asked for")]
    TooMuchData(String),
    /// `push_data` with no bytes.
    #[error("no data was given for message {0}")]
    NoData(String),
    /// A content type with spaces or line breaks.
    #[error("the content type {0:?} is not a valid type/subtype")]
    BadContentType(String),
}

/// Session state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Created, `open` not called.
    Idle,
    /// Open; `bound` once the connection is known to be ours.
    Open {
        /// The binding SEND was answered (active) or received (passive).
        bound: bool,
    },
    /// Closed or failed: nothing more is sent.
    Done,
}

/// One MSRP session. See the module documentation for how to drive it.
#[derive(Debug)]
pub struct Session {
    pub(super) config: SessionConfig,
    pub(super) to_path: String,
    pub(super) from_path: String,
    pub(super) state: SessionState,
    pub(super) rng: StdRng,
    pub(super) decoder: FrameDecoder,
    pub(super) out: VecDeque<Output>,
    pub(super) outgoing: Vec<Outgoing>,
    pub(super) round_robin: usize,
    pub(super) pending: HashMap<String, (Pending, Instant)>,
    pub(super) incoming: HashMap<String, Incoming>,
    /// Message ids refused or aborted with the code for their later
    /// chunks, oldest first.
    pub(super) refused: VecDeque<(String, u16)>,
    /// Complete messages whose success REPORT waits for `confirm_received`:
    /// id -> (last byte).
    pub(super) to_report: HashMap<String, u64>,
    pub(super) now: Instant,
    pub(super) last_sent: Instant,
    /// Chunks sent with `Failure-Report: partial`: (transaction id, message id).
    pub(super) quiet: VecDeque<(String, String)>,
    /// Bytes the runtime already holds of the next streamed incoming
    /// message (a resumed file): they count as received.
    pub(super) incoming_held: u64,
    /// The far end's confirmations of chunks sent through relays.
    pub(super) pacing: Pacing,
}

impl Session {
    /// A new session; `seed` feeds the random ids (give it OS randomness).
    pub fn new(config: SessionConfig, seed: u64, now: Instant) -> Session {
        let mut to = config.relays.clone();
        to.extend(config.remote_path.iter().cloned());
        Session {
            to_path: MsrpUri::format_path(&to),
            from_path: config.local_uri.to_string(),
            config,
            state: SessionState::Idle,
            rng: StdRng::seed_from_u64(seed),
            decoder: FrameDecoder::new(),
            out: VecDeque::new(),
            outgoing: Vec::new(),
            round_robin: 0,
            pending: HashMap::new(),
            incoming: HashMap::new(),
            refused: VecDeque::new(),
            to_report: HashMap::new(),
            now,
            last_sent: now,
            quiet: VecDeque::new(),
            incoming_held: 0,
            pacing: Pacing::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// The session-id our peer puts last in its To-Paths (for routing).
    pub fn local_session_id(&self) -> Option<&str> {
        self.config.local_uri.session_id.as_deref()
    }

    /// Changes how incoming messages that start from now on are handled.
    pub fn set_incoming_mode(&mut self, mode: IncomingMode) {
        self.config.incoming_mode = mode;
    }

    /// Starts the session once the connection is up. The active side sends
    /// an empty SEND that binds the connection; the passive side waits for
    /// the peer's first request.
    pub fn open(&mut self, now: Instant) {
        self.now = now;
        if self.state != SessionState::Idle {
            return;
        }
        self.state = SessionState::Open { bound: false };
        self.last_sent = now;
        if self.config.active {
            self.send_empty(true);
        }
    }

    /// Whether the connection is bound (messages may go out).
    pub fn is_bound(&self) -> bool {
        self.state == SessionState::Open { bound: true }
    }

    /// Queues a message held in memory; returns its Message-ID at once.
    /// Chunks go out as the output is drained (before the session is bound
    /// they wait).
    pub fn send_message(
        &mut self,
        content_type: &str,
        body: Vec<u8>,
        reports: ReportOptions,
        now: Instant,
    ) -> Result<String, SessionError> {
        self.now = now;
        let total = body.len() as u64;
        self.queue_outgoing(content_type, total, Source::Buffered(body), reports)
    }

    /// Begins a streamed message of `total` bytes (a file): its data is
    /// asked for by [`Session::data_wanted`] and given by
    /// [`Session::push_data`]. Returns its Message-ID.
    pub fn begin_message(
        &mut self,
        content_type: &str,
        total: u64,
        reports: ReportOptions,
        now: Instant,
    ) -> Result<String, SessionError> {
        self.now = now;
        self.queue_outgoing(content_type, total, Source::Streamed, reports)
    }

    pub(super) fn queue_outgoing(
        &mut self,
        content_type: &str,
        total: u64,
        source: Source,
        reports: ReportOptions,
    ) -> Result<String, SessionError> {
        if self.state == SessionState::Done {
            return Err(SessionError::Closed);
        }
        let ct = content_type.trim();
        if ct.is_empty() || !ct.contains('/') || ct.contains(|c: char| c.is_control()) || ct.len() > 256 {
            return Err(SessionError::BadContentType(content_type.to_string()));
        }
        if self.outgoing.len() >= MAX_OUTGOING_MESSAGES {
            return Err(SessionError::QueueFull);
        }
        let id = self.random_id();
        self.outgoing
            .push(Outgoing::new(id.clone(), ct.to_string(), total, source, reports));
        Ok(id)
    }

    /// What a streamed outgoing message needs next, if anything may be sent
    /// now: `None` while output is waiting to be drained, while
    /// `max_chunks_in_flight` chunks await answers, or before binding.
    pub fn data_wanted(&self) -> Option<DataRequest> {
        if !self.may_send_chunk() || self.out.iter().any(|o| matches!(o, Output::Transmit(_))) {
            return None;
        }
        let chunk = self.config.effective_chunk_size();
        self.outgoing
            .iter()
            .find(|m| m.wants_data())
            .map(|m| DataRequest {
                message_id: m.id.clone(),
                offset: m.next,
                max_len: usize::try_from(m.total - m.next)
                    .unwrap_or(usize::MAX)
                    .clamp(1, chunk),
            })
    }

    /// Gives the next bytes of a streamed message (at `DataRequest::offset`,
    /// at most `max_len` of them, more than zero). They go out as one chunk.
    pub fn push_data(&mut self, message_id: &str, data: &[u8], now: Instant) -> Result<(), SessionError> {
        self.push_data_owned(message_id, data.to_vec(), now)
    }

    /// [`Session::push_data`] taking the buffer, which becomes the chunk's
    /// body without a copy (for files, where every copy counts).
    pub fn push_data_owned(
        &mut self,
        message_id: &str,
        data: Vec<u8>,
        now: Instant,
    ) -> Result<(), SessionError> {
        self.now = now;
        if self.state == SessionState::Done {
            return Err(SessionError::Closed);
        }
        let chunk = self.config.effective_chunk_size();
        let idx = self
            .outgoing
            .iter()
            .position(|m| m.id == message_id && matches!(m.source, Source::Streamed))
            .ok_or_else(|| SessionError::UnknownMessage(message_id.to_string()))?;
        let m = &self.outgoing[idx];
        if data.is_empty() && m.total > 0 {
            return Err(SessionError::NoData(message_id.to_string()));
        }
        if data.len() > chunk || m.next + data.len() as u64 > m.total || m.final_sent {
            return Err(SessionError::TooMuchData(message_id.to_string()));
        }
        self.emit_chunk(idx, data);
        Ok(())
    }

    /// Aborts an outgoing message: chunks not yet handed out are dropped and,
    /// if some went out, a chunk ending in `#` tells the peer.
    pub fn abort_message(&mut self, message_id: &str, now: Instant) -> Result<(), SessionError> {
        self.now = now;
        let idx = self
            .outgoing
            .iter()
            .position(|m| m.id == message_id)
            .ok_or_else(|| SessionError::UnknownMessage(message_id.to_string()))?;
        let m = self.outgoing.remove(idx);
        self.pacing.forget(&m.id);
        self.pending
            .retain(|_, (p, _)| !matches!(p, Pending::Chunk { message_id: id, .. } if *id == m.id));
        if m.next > 0 && !m.final_sent && self.state != SessionState::Done {
            let mut f = self.chunk_frame(&m, m.next + 1, Vec::new());
            f.continuation = Continuation::Abort;
            if let Some(i) = f.headers.iter().position(|(n, _)| n == "Failure-Report") {
                f.headers[i].1 = "no".into();
            } else {
                f.push_header("Failure-Report", "no");
            }
            self.transmit(f);
        }
        self.event(SessionEvent::MessageAborted { message_id: m.id });
        Ok(())
    }

    /// Sends the success REPORT for a received message once the runtime has
    /// stored it (when the peer asked for one and `report_after_confirm` is
    /// set). Unknown or already reported ids are ignored.
    pub fn confirm_received(&mut self, message_id: &str, now: Instant) {
        self.now = now;
        if let Some(last) = self.to_report.remove(message_id) {
            self.send_report(message_id, last, 200);
        }
    }

    /// Closes the session: outgoing messages not yet finished fail, and
    /// [`SessionEvent::Closed`] is given. The runtime then closes the
    /// connection after draining the output.
    pub fn close(&mut self, now: Instant) {
        self.now = now;
        if self.state == SessionState::Done {
            return;
        }
        self.finish(
            "the chat session was closed before the message was sent".into(),
            true,
        );
        self.event(SessionEvent::Closed);
    }

    /// The connection broke or closed (`reason` in words).
    pub fn connection_lost(&mut self, reason: &str, now: Instant) {
        self.now = now;
        if self.state == SessionState::Done {
            return;
        }
        self.fail(format!("the connection was lost: {reason}"));
    }

    /// Feeds bytes received on the connection.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.now = now;
        if self.state == SessionState::Done {
            return;
        }
        self.decoder.push(bytes);
        self.handle_received(now);
    }

    /// Lends the buffer of received bytes not yet made into frames, with
    /// room for at least `room` more: a runtime reads from its socket
    /// straight into it (no copy), then gives it back with
    /// [`Session::handle_received`] (or [`Session::restore_receive_buffer`]
    /// when nothing was read). Only append to it.
    /// Also says how many bytes to read at most
    /// ([`FrameDecoder::lend`]).
    pub fn lend_receive_buffer(&mut self, room: usize) -> (Vec<u8>, usize) {
        self.decoder.lend(room)
    }

    /// Gives back the buffer of a received body once its bytes are used
    /// (written to a file): the next large body is read into it.
    pub fn give_spare_body(&mut self, buffer: Vec<u8>) {
        self.decoder.give_spare(buffer);
    }

    /// Takes back a lent buffer without handling its bytes yet.
    pub fn restore_receive_buffer(&mut self, buffer: Vec<u8>) {
        self.decoder.restore(buffer);
    }

    /// Takes back a lent buffer and handles the frames that are whole now,
    /// like [`Session::handle_bytes`] with the bytes appended to it.
    pub fn handle_received_buffer(&mut self, buffer: Vec<u8>, now: Instant) {
        self.decoder.restore(buffer);
        self.now = now;
        if self.state == SessionState::Done {
            return;
        }
        self.handle_received(now);
    }

    fn handle_received(&mut self, now: Instant) {
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => {
                    self.handle_frame(frame, now);
                    if self.state == SessionState::Done {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    self.fail(format!("the peer sent something that is not MSRP: {e}"));
                    return;
                }
            }
        }
    }

    /// The earliest instant [`Session::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == SessionState::Done {
            return None;
        }
        let tx = self.pending.values().map(|(_, at)| *at).min();
        let reports = self
            .outgoing
            .iter()
            .filter_map(|m| match m.stage {
                Stage::AwaitingReport(at) => Some(at),
                Stage::Sending => None,
            })
            .min();
        // Only a bound session sends keep-alives: the passive side must not
        // speak first.
        let keepalive = match (self.state, self.config.keepalive) {
            (SessionState::Open { bound: true }, Some(idle)) if self.pending.is_empty() => {
                Some(self.last_sent + idle)
            }
            _ => None,
        };
        let far = self.pacing.deadline();
        [tx, reports, keepalive, far].into_iter().flatten().min()
    }

    /// Runs timers due at `now`: transaction timeouts (the message fails
    /// with 408), missing success REPORTs, keep-alives.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if self.state == SessionState::Done {
            return;
        }
        self.pacing.expire(now);
        let mut expired: Vec<(String, Pending)> = self
            .pending
            .iter()
            .filter(|(_, (_, at))| *at <= now)
            .map(|(k, (p, _))| (k.clone(), p.clone()))
            .collect();
        expired.sort_by(|a, b| a.0.cmp(&b.0));
        for (txid, p) in expired {
            self.pending.remove(&txid);
            match p {
                Pending::Empty { binding } => {
                    let what = if binding { "the first SEND" } else { "a keep-alive" };
                    self.fail(format!(
                        "the peer did not answer {what} within {} s",
                        TRANSACTION_TIMEOUT.as_secs()
                    ));
                    return;
                }
                Pending::Chunk { message_id, .. } => {
                    let reason = format!("no answer within {} s", TRANSACTION_TIMEOUT.as_secs());
                    self.fail_message(&message_id, Some(408), reason);
                }
            }
        }
        let waited: Vec<String> = self
            .outgoing
            .iter()
            .filter(|m| matches!(m.stage, Stage::AwaitingReport(at) if at <= now))
            .map(|m| m.id.clone())
            .collect();
        for id in waited {
            self.outgoing.retain(|m| m.id != id);
            let reason = format!(
                "the peer did not confirm delivery within {} s (it may still have arrived)",
                self.config.report_timeout.as_secs()
            );
            self.event(SessionEvent::DeliveryUnknown {
                message_id: id,
                reason,
            });
        }
        if let (SessionState::Open { bound: true }, Some(idle)) = (self.state, self.config.keepalive) {
            if self.pending.is_empty() && now >= self.last_sent + idle {
                self.send_empty(false);
            }
        }
    }

    /// The next thing to do. Chunks of queued messages are made here, one
    /// at a time, as long as fewer than `max_chunks_in_flight` await answers.
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.out.is_empty() && self.may_send_chunk() {
            self.make_buffered_chunk();
        }
        self.out.pop_front()
    }

    /// Whether `transaction_id` is one of our requests awaiting a response
    /// (for a runtime that routes frames on a shared relay connection).
    pub fn expects_response(&self, transaction_id: &str) -> bool {
        self.pending.contains_key(transaction_id)
    }

    pub(super) fn transmit(&mut self, frame: Frame) {
        self.transmit_bytes(WireFrame::from(frame));
    }

    /// Queues a frame already made into bytes.
    pub(super) fn transmit_bytes(&mut self, bytes: impl Into<WireFrame>) {
        self.last_sent = self.now;
        self.out.push_back(Output::Transmit(bytes.into()));
    }

    pub(super) fn event(&mut self, e: SessionEvent) {
        self.out.push_back(Output::Event(e));
    }

    pub(super) fn fail_message(&mut self, message_id: &str, code: Option<u16>, reason: String) {
        let Some(idx) = self.outgoing.iter().position(|m| m.id == message_id) else {
            return;
        };
        self.outgoing.remove(idx);
        self.pacing.forget(message_id);
        self.pending
            .retain(|_, (p, _)| !matches!(p, Pending::Chunk { message_id: id, .. } if id == message_id));
        self.event(SessionEvent::MessageFailed {
            message_id: message_id.to_string(),
            code,
            reason,
        });
    }

    /// Fails every unfinished outgoing message with `reason` and ends.
    /// `flush`: bytes already queued still go out (a clean close).
    fn finish(&mut self, reason: String, flush: bool) {
        self.state = SessionState::Done;
        if !flush {
            self.out.retain(|o| matches!(o, Output::Event(_)));
        }
        self.pending.clear();
        for m in std::mem::take(&mut self.outgoing) {
            match m.stage {
                Stage::AwaitingReport(_) => self.event(SessionEvent::DeliveryUnknown {
                    message_id: m.id,
                    reason: "the session ended before the peer confirmed delivery".into(),
                }),
                Stage::Sending => self.event(SessionEvent::MessageFailed {
                    message_id: m.id,
                    code: None,
                    reason: reason.clone(),
                }),
            }
        }
        self.incoming.clear();
    }

    pub(super) fn fail(&mut self, reason: String) {
        tracing::debug!(%reason, "msrp session failed");
        self.finish(format!("the chat session failed: {reason}"), false);
        self.event(SessionEvent::SessionFailed { reason });
    }

    /// Words for a failure status.
    pub(super) fn failure_words(code: u16, comment: Option<&str>) -> String {
        match comment {
            Some(c) if !c.is_empty() => format!("{} ({code} {c})", status_in_words(code)),
            _ => format!("{} ({code})", status_in_words(code)),
        }
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "session_flow_tests.rs"]
mod flow_tests;

#[cfg(test)]
#[path = "session_resume_tests.rs"]
mod resume_tests;

#[cfg(test)]
#[path = "session_relay_tests.rs"]
mod relay_tests;
