//! Outgoing messages of a session: chunking, pending transactions, and
//! what proves delivery.

use super::frame::ReportRequest;
use super::ranges::RangeSet;
use std::time::Instant;

/// How the sender wants to hear about a message (the Success-Report and
/// Failure-Report headers of its chunks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Ask the peer for a success REPORT (`Success-Report: yes`). Needed to
    /// learn about delivery through relays.
    pub success: bool,
    /// `Failure-Report`: `Yes` (responses to every chunk, the default),
    /// `Partial` (only negative ones) or `No` (none: no timeouts either).
    pub failure: ReportRequest,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            success: false,
            failure: ReportRequest::Yes,
        }
    }
}

/// Where the bytes of an outgoing message come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Held by the session.
    Buffered(Vec<u8>),
    /// Pushed by the runtime on request ([`super::Session::data_wanted`]).
    Streamed,
}

/// Where an outgoing message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Chunks still to go out or to be answered.
    Sending,
    /// Every chunk answered; waiting for the success REPORT until the instant.
    AwaitingReport(Instant),
}

/// One outgoing message.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub id: String,
    pub content_type: String,
    pub total: u64,
    pub source: Source,
    /// Bytes already put into chunks.
    pub next: u64,
    pub reports: ReportOptions,
    /// Ranges answered 200 (or sent, when no answers are expected).
    pub acked: RangeSet,
    /// Ranges a success REPORT covered.
    pub reported: RangeSet,
    /// Ranges a success REPORT said are on disk at the peer
    /// ([`super::pacing::DURABLE_HEADER`]): where a resume may start.
    pub durable: RangeSet,
    /// A success REPORT came (for an empty message the ranges cannot say).
    pub report_seen: bool,
    /// Chunks awaiting a response.
    pub in_flight: usize,
    pub stage: Stage,
    /// The `MessageSent` event was given.
    pub sent_told: bool,
    /// The last chunk (`$`) was queued.
    pub final_sent: bool,
}

impl Outgoing {
    pub fn new(
        id: String,
        content_type: String,
        total: u64,
        source: Source,
        reports: ReportOptions,
    ) -> Outgoing {
        Outgoing {
            id,
            content_type,
            total,
            source,
            next: 0,
            reports,
            acked: RangeSet::new(),
            reported: RangeSet::new(),
            durable: RangeSet::new(),
            report_seen: false,
            in_flight: 0,
            stage: Stage::Sending,
            sent_told: false,
            final_sent: false,
        }
    }

    /// Every chunk was answered 200 (or needs no answer).
    pub fn all_acked(&self) -> bool {
        self.final_sent && self.in_flight == 0 && self.acked.covers_up_to(self.total)
    }

    /// Whether more data is needed from the runtime (streamed messages).
    pub fn wants_data(&self) -> bool {
        matches!(self.source, Source::Streamed) && !self.final_sent
    }

    /// The next chunk's bytes from a buffered message, at most `max` long.
    pub fn take_buffered(&self, max: usize) -> Option<Vec<u8>> {
        match &self.source {
            Source::Buffered(data) => {
                let start = usize::try_from(self.next).ok()?;
                let end = start.saturating_add(max).min(data.len());
                Some(data.get(start..end)?.to_vec())
            }
            Source::Streamed => None,
        }
    }
}

/// What a pending transaction was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// A chunk of a message: bytes `first..=last` (1-based).
    Chunk {
        message_id: String,
        first: u64,
        last: u64,
    },
    /// The empty SEND of `open()` or a keep-alive.
    Empty { binding: bool },
}
