//! Incoming messages of a session: reassembly of chunks in any order, or
//! streaming them out as they come, with bounded memory.

use super::frame::{ByteRange, Continuation};
use super::ranges::RangeSet;

/// Most incoming messages being reassembled at once in one session; further
/// new messages are refused with 413 until one completes.
pub const MAX_CONCURRENT_INCOMING: usize = 32;
/// Most message ids remembered as refused or aborted (so their later chunks
/// are refused too).
pub const MAX_REMEMBERED_REFUSALS: usize = 256;

/// How incoming messages are handed to the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingMode {
    /// Reassemble in memory (up to the maximum size) and give the whole body
    /// in [`super::SessionEvent::MessageReceived`].
    Reassemble,
    /// Give each chunk as [`super::SessionEvent::ChunkReceived`] and the end
    /// as [`super::SessionEvent::StreamComplete`]; nothing is kept.
    Stream,
    /// Stream messages whose total size is unknown or larger than this many
    /// bytes; reassemble the others.
    StreamLargerThan(u64),
}

impl IncomingMode {
    fn streams(self, total: Option<u64>) -> bool {
        match self {
            IncomingMode::Reassemble => false,
            IncomingMode::Stream => true,
            IncomingMode::StreamLargerThan(n) => total.is_none_or(|t| t > n),
        }
    }
}

/// One message being received.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub content_type: Option<String>,
    pub total: Option<u64>,
    /// Last byte of the message, once the `$` chunk or a total told it.
    pub last: Option<u64>,
    pub received: RangeSet,
    /// `Some` when reassembling.
    pub buffer: Option<Vec<u8>>,
    pub success_report: bool,
    /// Bytes from the start a progress REPORT already covered.
    pub progress_reported: u64,
}

/// What the session should do with a chunk.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ChunkOutcome {
    /// Stored (or to be streamed); not complete yet.
    Partial,
    /// Stored and the message is now complete.
    Complete,
    /// Refuse with this status code; the message is dropped.
    Refuse(u16, &'static str),
}

impl Incoming {
    /// A message whose first chunk has `range`. When streamed, the first
    /// `held` bytes count as received already (a resumed file the runtime
    /// holds the start of).
    pub fn new(mode: IncomingMode, range: &ByteRange, success_report: bool, held: u64) -> Incoming {
        let streams = mode.streams(range.total);
        let mut received = RangeSet::new();
        if streams && held > 0 {
            received.insert(1, held);
        }
        Incoming {
            content_type: None,
            total: range.total,
            last: range.total,
            received,
            buffer: (!streams).then(Vec::new),
            success_report,
            progress_reported: 0,
        }
    }

    /// Bytes received from the start without a gap.
    pub fn contiguous(&self) -> u64 {
        self.received.contiguous()
    }

    /// Whether this message is streamed to the runtime.
    pub fn streaming(&self) -> bool {
        self.buffer.is_none()
    }

    /// Adds a chunk of `data` at `range` (checked against `max_size`).
    pub fn add(&mut self, range: &ByteRange, data: &[u8], cont: Continuation, max_size: u64) -> ChunkOutcome {
        if self.total.is_none() {
            self.total = range.total;
        }
        if let (Some(t), Some(rt)) = (self.total, range.total) {
            if t != rt {
                return ChunkOutcome::Refuse(400, "the chunks of one message give different total sizes");
            }
        }
        if self.total.is_some_and(|t| t > max_size) {
            return ChunkOutcome::Refuse(413, "the message is larger than we accept");
        }
        let first = range.start;
        // ByteRange::parse refuses start 0, so this cannot underflow.
        let last = first - 1 + data.len() as u64;
        if let Some(end) = range.end {
            if end != last && !data.is_empty() {
                return ChunkOutcome::Refuse(400, "the Byte-Range does not match the size of the chunk");
            }
        }
        if last > max_size {
            return ChunkOutcome::Refuse(413, "the message is larger than we accept");
        }
        if self.total.is_some_and(|t| last > t) {
            return ChunkOutcome::Refuse(400, "the chunk ends after the total size of the message");
        }
        if cont == Continuation::Complete {
            self.last = Some(last.max(self.received.max().unwrap_or(0)));
        }
        if let Some(buf) = &mut self.buffer {
            if !data.is_empty() {
                let (Ok(lo), Ok(hi)) = (usize::try_from(first - 1), usize::try_from(last)) else {
                    return ChunkOutcome::Refuse(413, "the message is larger than we accept");
                };
                if buf.len() < hi {
                    buf.resize(hi, 0);
                }
                buf[lo..hi].copy_from_slice(data);
            }
        }
        if !self.received.insert(first, last) {
            return ChunkOutcome::Refuse(413, "the message came in too many pieces");
        }
        match self.last {
            Some(end) if self.received.covers_up_to(end) => ChunkOutcome::Complete,
            _ => ChunkOutcome::Partial,
        }
    }

    /// The reassembled body (empty when streaming).
    pub fn take_body(&mut self) -> Vec<u8> {
        let mut body = self.buffer.take().unwrap_or_default();
        if let Some(end) = self.last.and_then(|e| usize::try_from(e).ok()) {
            body.truncate(end);
        }
        body
    }
}
