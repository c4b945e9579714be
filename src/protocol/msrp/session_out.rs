//! How a session makes what it sends: chunks of outgoing messages (with
//! their pending transactions), empty SENDs, REPORTs.

use super::frame::{ByteRange, Continuation, Frame, Method, ReportRequest};
use super::outgoing::{Outgoing, Pending, ReportOptions, Source, Stage};
use super::pacing::DURABLE_HEADER;
use super::session::{Session, SessionError, SessionEvent, ID_LEN, TRANSACTION_TIMEOUT};
use super::uri::MsrpUri;
use super::wire::WireFrame;
use rand::Rng;
use std::time::Instant;

/// Most chunks sent with `Failure-Report: partial` whose possible negative
/// answer is still matched to its message.
pub const MAX_QUIET_TRANSACTIONS: usize = 1024;

impl Session {
    /// Begins a streamed message of `total` bytes whose first `already`
    /// bytes the peer holds (a resumed file, RFC 5547 `a=file-range`):
    /// chunks start at byte `already + 1`, Byte-Range totals stay `total`,
    /// and the first `already` bytes count as answered and reported.
    pub fn begin_message_from(
        &mut self,
        content_type: &str,
        total: u64,
        already: u64,
        reports: ReportOptions,
        now: Instant,
    ) -> Result<String, SessionError> {
        self.now = now;
        let id = self.queue_outgoing(content_type, total, Source::Streamed, reports)?;
        let already = already.min(total);
        if already > 0 {
            if let Some(m) = self.outgoing.iter_mut().find(|m| m.id == id) {
                m.next = already;
                m.acked.insert(1, already);
                m.reported.insert(1, already);
                m.durable.insert(1, already);
            }
        }
        Ok(id)
    }

    /// The runtime already holds the first `held` bytes of the next
    /// streamed incoming message (a resumed file): they count as received,
    /// so the message completes when the rest has come.
    pub fn set_incoming_resume(&mut self, held: u64) {
        self.incoming_held = held;
    }

    /// Sends a success REPORT for bytes `1..=through` of incoming message
    /// `message_id` while it is still arriving (RFC 4975 allows reports of
    /// partial receipt), if its sender asked for success reports and
    /// `through` bytes from the start have arrived. Returns whether one
    /// went out.
    pub fn report_partial(&mut self, message_id: &str, through: u64, now: Instant) -> bool {
        self.now = now;
        let Some(inc) = self.incoming.get(message_id) else {
            return false;
        };
        if !inc.success_report || through == 0 || inc.contiguous() < through {
            return false;
        }
        let total = inc.total;
        self.send_part_report(message_id, through, total, true);
        true
    }

    /// Sends a success REPORT for bytes `1..=through` of incoming message
    /// `message_id` of `total` bytes; `durable` marks the bytes as on disk
    /// ([`DURABLE_HEADER`]), else it says only that they arrived (which
    /// paces a sender behind relays).
    pub(super) fn send_part_report(
        &mut self,
        message_id: &str,
        through: u64,
        total: Option<u64>,
        durable: bool,
    ) {
        let total = total.map_or_else(|| "*".to_string(), |t| t.to_string());
        let txid = self.txid_for(b"");
        let mut f = Frame::request(txid, Method::Report);
        f.push_header("To-Path", self.to_path.clone());
        f.push_header("From-Path", self.from_path.clone());
        f.push_header("Message-ID", message_id.to_string());
        f.push_header("Byte-Range", format!("1-{through}/{total}"));
        f.push_header("Status", format!("000 200 {}", super::frame::status_comment(200)));
        if durable {
            f.push_header(DURABLE_HEADER, "yes");
        }
        self.transmit(f);
    }

    pub(super) fn may_send_chunk(&self) -> bool {
        if !self.is_bound() || self.in_flight() >= self.config.effective_chunks_in_flight() {
            return false;
        }
        // Through relays, also a bound on bytes (see `pacing`): what the
        // far end has not confirmed, and what the next hop has not answered.
        match self.config.effective_bytes_in_flight() {
            Some(limit) => {
                self.pacing
                    .may_send(limit, self.config.effective_chunk_size(), self.bytes_in_flight())
            }
            None => true,
        }
    }

    /// A response from the far end (its From-Path ends with the peer's URI,
    /// or the relay answered the chunk already) to a chunk we sent through
    /// relays: the chunk no longer counts.
    pub(super) fn note_far_answer(&mut self, frame: &Frame) {
        if !self.pacing.is_waiting() {
            return;
        }
        let Some(peer) = self.config.remote_path.last() else {
            return;
        };
        let from_peer = frame
            .header("From-Path")
            .and_then(|p| MsrpUri::parse_path(p).ok())
            .and_then(|p| p.last().cloned())
            .is_some_and(|u| u.matches(peer));
        // A second answer to the same chunk (the relay answered first) is
        // the far end's too, whatever From-Path the relay wrote into it.
        let second = !self.pending.contains_key(&frame.transaction_id);
        if from_peer || second {
            self.pacing.answered(&frame.transaction_id, self.now);
        }
    }

    /// Body bytes of the chunks awaiting their transaction responses.
    pub(super) fn bytes_in_flight(&self) -> usize {
        self.pending
            .values()
            .map(|(p, _)| match p {
                Pending::Chunk { first, last, .. } => {
                    usize::try_from(last.saturating_add(1).saturating_sub(*first)).unwrap_or(usize::MAX)
                }
                _ => 0,
            })
            .fold(0, usize::saturating_add)
    }

    pub(super) fn in_flight(&self) -> usize {
        self.pending
            .values()
            .filter(|(p, _)| matches!(p, Pending::Chunk { .. }))
            .count()
    }

    /// Makes the next chunk of a buffered message. Messages already begun
    /// take turns (so a long one does not hold back a short one), but a new
    /// message only begins after every message queued before it has begun:
    /// messages start in the order they were sent.
    pub(super) fn make_buffered_chunk(&mut self) {
        let chunk = self.config.effective_chunk_size();
        let mut candidates: Vec<usize> = Vec::new();
        let mut first_unstarted = None;
        for (idx, m) in self.outgoing.iter().enumerate() {
            if m.final_sent || !matches!(m.source, Source::Buffered(_)) {
                continue;
            }
            if m.next > 0 {
                candidates.push(idx);
            } else if first_unstarted.is_none() {
                first_unstarted = Some(idx);
            }
        }
        candidates.extend(first_unstarted);
        if candidates.is_empty() {
            return;
        }
        let n = candidates.len();
        for k in 0..n {
            let idx = candidates[(self.round_robin + k) % n];
            let Some(data) = self.outgoing[idx].take_buffered(chunk) else {
                continue;
            };
            self.round_robin = self.round_robin.wrapping_add(k + 1);
            self.emit_chunk(idx, data);
            return;
        }
    }

    pub(super) fn random_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..ID_LEN)
            .map(|_| char::from(ALPHABET[self.rng.gen_range(0..ALPHABET.len())]))
            .collect()
    }

    /// A transaction id whose end-line does not occur in `body`.
    pub(super) fn txid_for(&mut self, body: &[u8]) -> String {
        loop {
            let id = self.random_id();
            if !Frame::body_collides(body, &id) && !self.pending.contains_key(&id) {
                return id;
            }
        }
    }

    /// A SEND for bytes `start..` of `m` carrying `data` (`start` 1-based).
    pub(super) fn chunk_frame(&mut self, m: &Outgoing, start: u64, data: Vec<u8>) -> Frame {
        let txid = self.txid_for(&data);
        let mut f = Frame::request(txid, Method::Send);
        f.push_header("To-Path", self.to_path.clone());
        f.push_header("From-Path", self.from_path.clone());
        f.push_header("Message-ID", m.id.clone());
        if m.reports.success {
            f.push_header("Success-Report", "yes");
        }
        if m.reports.failure != ReportRequest::Yes {
            f.push_header("Failure-Report", m.reports.failure.as_str());
        }
        let range = ByteRange {
            start,
            end: Some(start - 1 + data.len() as u64),
            total: Some(m.total),
        };
        f.push_header("Byte-Range", range.to_string());
        f.push_header("Content-Type", m.content_type.clone());
        f.body = data;
        f
    }

    /// Makes, records and queues the next chunk of outgoing message `idx`.
    pub(super) fn emit_chunk(&mut self, idx: usize, data: Vec<u8>) {
        let start = self.outgoing[idx].next + 1;
        let len = data.len() as u64;
        let m = &self.outgoing[idx];
        let last_chunk = m.next + len >= m.total;
        let expects_answer = m.reports.failure == ReportRequest::Yes;
        let id = m.id.clone();
        // Temporarily take the message out to build the frame.
        let m = self.outgoing.remove(idx);
        let mut f = self.chunk_frame(&m, start, data);
        self.outgoing.insert(idx, m);
        f.continuation = if last_chunk {
            Continuation::Complete
        } else {
            Continuation::More
        };
        let txid = f.transaction_id.clone();
        let wire = WireFrame::from(f);
        let m = &mut self.outgoing[idx];
        m.next += len;
        m.final_sent = last_chunk;
        if expects_answer {
            m.in_flight += 1;
            if self.config.relayed() {
                self.pacing
                    .sent(&txid, &id, start - 1 + len, len as usize, wire.len(), self.now);
            }
            let pending = Pending::Chunk {
                message_id: id,
                first: start,
                last: start - 1 + len,
            };
            self.pending
                .insert(txid, (pending, self.now + TRANSACTION_TIMEOUT));
        } else {
            m.acked.insert(start, start - 1 + len);
            if m.reports.failure == ReportRequest::Partial {
                // Only a negative answer may come; remember whose it is.
                if self.quiet.len() == MAX_QUIET_TRANSACTIONS {
                    self.quiet.pop_front();
                }
                self.quiet.push_back((txid, id));
            }
        }
        self.transmit_bytes(wire);
        if !expects_answer {
            self.after_ack(idx);
        }
    }

    /// After a chunk of message `idx` was answered (or needed no answer):
    /// progress, then sent / delivered / awaiting a report.
    pub(super) fn after_ack(&mut self, idx: usize) {
        let m = &self.outgoing[idx];
        let (id, acked, total) = (m.id.clone(), m.acked.len(), m.total);
        self.event(SessionEvent::Progress {
            message_id: id.clone(),
            acknowledged: acked,
            total,
        });
        let m = &mut self.outgoing[idx];
        if !m.all_acked() || m.sent_told {
            return;
        }
        m.sent_told = true;
        let success = m.reports.success;
        let answered = m.reports.failure == ReportRequest::Yes;
        let reported = m.reported.covers_up_to(total) && (total > 0 || m.report_seen);
        self.event(SessionEvent::MessageSent {
            message_id: id.clone(),
        });
        let direct = self.config.relays.is_empty() && self.config.remote_path.len() <= 1;
        if success && reported || !success && direct && answered {
            self.outgoing.remove(idx);
            self.event(SessionEvent::MessageDelivered { message_id: id });
        } else if success {
            self.outgoing[idx].stage = Stage::AwaitingReport(self.now + self.config.report_timeout);
        } else {
            // Through a relay, or without answers: nothing more will come.
            self.outgoing.remove(idx);
        }
    }

    /// Sends an empty SEND (binding or keep-alive).
    pub(super) fn send_empty(&mut self, binding: bool) {
        let txid = self.txid_for(b"");
        let mut f = Frame::request(txid.clone(), Method::Send);
        f.push_header("To-Path", self.to_path.clone());
        f.push_header("From-Path", self.from_path.clone());
        let mid = self.random_id();
        f.push_header("Message-ID", mid);
        f.push_header("Byte-Range", "1-0/0");
        self.pending
            .insert(txid, (Pending::Empty { binding }, self.now + TRANSACTION_TIMEOUT));
        self.transmit(f);
    }

    /// Sends a REPORT about bytes `1..=last` of incoming `message_id`.
    pub(super) fn send_report(&mut self, message_id: &str, last: u64, code: u16) {
        let txid = self.txid_for(b"");
        let mut f = Frame::request(txid, Method::Report);
        f.push_header("To-Path", self.to_path.clone());
        f.push_header("From-Path", self.from_path.clone());
        f.push_header("Message-ID", message_id.to_string());
        f.push_header("Byte-Range", format!("1-{last}/{last}"));
        f.push_header(
            "Status",
            format!("000 {code} {}", super::frame::status_comment(code)),
        );
        self.transmit(f);
    }
}
