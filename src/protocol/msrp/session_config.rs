//! How an MSRP [`super::Session`] is set up (from SDP and the account), and
//! the session's limits and defaults.

use super::incoming::IncomingMode;
use super::pacing::{MAX_UNCONFIRMED_CHUNKS, RELAY_MAX_BYTES_IN_FLIGHT};
use super::uri::MsrpUri;
use std::time::Duration;

/// Default chunk size: the largest body of one SEND we make.
pub const DEFAULT_CHUNK_SIZE: usize = 16 * 1024;
/// Largest chunk body we send through relays (RFC 4976 relays may refuse
/// bigger ones; sipchat's rule is 10 KiB).
pub const RELAY_MAX_CHUNK_SIZE: usize = 10 * 1024;
/// Smallest chunk size a config may ask for.
pub const MIN_CHUNK_SIZE: usize = 64;
/// How long a SEND waits for its response (RFC 4975 section 7.1.1: 30 s).
pub const TRANSACTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Default idle time before an empty keep-alive SEND.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(30);
/// Default wait for a success REPORT after the last response.
pub const DEFAULT_REPORT_TIMEOUT: Duration = Duration::from_secs(120);
/// Default maximum size of one incoming message.
pub const DEFAULT_MAX_INCOMING: u64 = 1024 * 1024;
/// Default number of chunks sent before answers must come back.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 16;
/// Most outgoing messages queued in one session.
pub const MAX_OUTGOING_MESSAGES: usize = 1024;
/// Length of the Message-IDs and transaction ids we make.
pub const ID_LEN: usize = 16;

/// How a session is set up (from SDP and the account).
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Our own URI: the last element of our `a=path`; incoming To-Paths must
    /// end with it.
    pub local_uri: MsrpUri,
    /// Relays in front of us (a relay's Use-Path, in order), empty when
    /// direct. Our `a=path` is these followed by `local_uri`.
    pub relays: Vec<MsrpUri>,
    /// The peer's `a=path` from its SDP (its relays first, its own URI last).
    pub remote_path: Vec<MsrpUri>,
    /// We connect (SDP `a=setup:active`, or the RFC 4975 default for the
    /// offerer); `open` then sends the binding empty SEND.
    pub active: bool,
    /// Largest chunk body we send; capped at [`RELAY_MAX_CHUNK_SIZE`] when
    /// there are relays on either side.
    pub chunk_size: usize,
    /// Content types we accept (`type/subtype`, `type/*` or `*`), lowercase.
    pub accept_types: Vec<String>,
    /// Largest incoming message; larger ones are answered 413.
    pub max_incoming_size: u64,
    /// How incoming messages reach the runtime.
    pub incoming_mode: IncomingMode,
    /// Idle time before an empty keep-alive SEND; `None` disables them.
    pub keepalive: Option<Duration>,
    /// Wait for a success REPORT once every chunk was answered.
    pub report_timeout: Duration,
    /// Chunks sent without their answer yet before the session stops
    /// sending (and asking for data), on direct sessions; through relays
    /// the bound on bytes paces instead (a count would cap the relay hop
    /// at that many chunks per round trip), and the count stops only at
    /// [`super::pacing::MAX_UNCONFIRMED_CHUNKS`].
    pub max_chunks_in_flight: usize,
    /// Bytes of chunk frames (headers too) the far end has not confirmed,
    /// and chunk bodies the next hop has not answered, before the session
    /// stops sending, when there are relays on either side (direct
    /// sessions are bound by `max_chunks_in_flight` only; see
    /// [`super::pacing`]). One chunk may always go.
    pub max_relay_bytes_in_flight: usize,
    /// Send the success REPORTs peers ask for only after the runtime calls
    /// [`super::Session::confirm_received`] (store first, then report). When
    /// `false` they go as soon as a message is complete.
    pub report_after_confirm: bool,
}

impl SessionConfig {
    /// A config with the defaults for everything but the paths.
    pub fn new(local_uri: MsrpUri, remote_path: Vec<MsrpUri>, active: bool) -> SessionConfig {
        SessionConfig {
            local_uri,
            relays: Vec::new(),
            remote_path,
            active,
            chunk_size: DEFAULT_CHUNK_SIZE,
            accept_types: vec![
                "text/plain".into(),
                "message/cpim".into(),
                "application/im-iscomposing+xml".into(),
            ],
            max_incoming_size: DEFAULT_MAX_INCOMING,
            incoming_mode: IncomingMode::Reassemble,
            keepalive: Some(DEFAULT_KEEPALIVE),
            report_timeout: DEFAULT_REPORT_TIMEOUT,
            max_chunks_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_relay_bytes_in_flight: RELAY_MAX_BYTES_IN_FLIGHT,
            report_after_confirm: true,
        }
    }

    /// Our `a=path`: the relays, then our URI.
    pub fn local_path(&self) -> Vec<MsrpUri> {
        let mut p = self.relays.clone();
        p.push(self.local_uri.clone());
        p
    }

    /// Whether a relay is on the path (ours or the peer's).
    pub fn relayed(&self) -> bool {
        !self.relays.is_empty() || self.remote_path.len() > 1
    }

    /// The bound on chunks awaiting their answers (see
    /// [`SessionConfig::max_chunks_in_flight`]).
    pub fn effective_chunks_in_flight(&self) -> usize {
        if self.relayed() {
            MAX_UNCONFIRMED_CHUNKS
        } else {
            self.max_chunks_in_flight.max(1)
        }
    }

    /// The bound on unanswered chunk bytes: `None` on direct sessions.
    pub fn effective_bytes_in_flight(&self) -> Option<usize> {
        self.relayed().then_some(self.max_relay_bytes_in_flight)
    }

    /// The chunk size actually used.
    pub fn effective_chunk_size(&self) -> usize {
        let relayed = self.relayed();
        let size = self.chunk_size.max(MIN_CHUNK_SIZE);
        if relayed {
            size.min(RELAY_MAX_CHUNK_SIZE)
        } else {
            size
        }
    }
}
