//! How many chunk bytes a session may have on their way through relays.
//!
//! A relay answers each SEND hop by hop (Kamailio's msrp module answers 200
//! on receipt), so its 200 says only that the chunk reached the relay. The
//! relay's write queue toward the receiver (32 KiB per connection by
//! default in Kamailio, which then drops the receiver's connection) fills
//! when the receiver drains it more slowly than the sender fills it. Only
//! the far end can say what left that queue, and it can say so in two ways:
//!
//! - its own transaction responses, when the relays pass them back;
//! - its success REPORTs (RFC 4975 section 7.1.2 allows reports of partial
//!   receipt): a sipchat receiver sends one for every
//!   [`PROGRESS_REPORT_EVERY`] bytes of a message through relays that
//!   asked for success reports (`Success-Report: yes`, as files do).
//!
//! A chunk counts against [`RELAY_MAX_BYTES_IN_FLIGHT`] until one of those
//! covers it; the relay's own 200s are the second bound. A chunk counts
//! as its whole frame (headers and end-line too), because that is what
//! fills the relay's queue: three 10 KiB chunks with their headers fit
//! under Kamailio's 32 KiB, where counting bodies only had to keep a
//! guessed margin (24 KiB, two chunks). That bound is what the relay's
//! queue may hold at worst, so the window never grows on hope: the relay says nothing
//! about its queue, and only the receiver can say what left it.
//!
//! The window grows beyond that bound only on what the far end says. Each
//! confirmation (a partial REPORT, or the far end's answer) tells which
//! frames reached it and when; as BBR does (a delivery-rate sample per
//! confirmation, the smallest round trip seen), the pacing keeps:
//!
//! - the delivery rate: per confirmation, the frame bytes confirmed since
//!   the newest confirmed chunk went out, over the time since the
//!   confirmation before it went out (at least one round trip, so one
//!   early report cannot inflate it); the largest of the last
//!   [`RATE_SAMPLES`] samples counts (a chunk that waited in the sender's
//!   own queue or for a lost report gives a low one, and confirmations
//!   through a relay come in bursts whose first samples are low), so a
//!   receiver that slows down shrinks the window once that many
//!   confirmations said so (a reset at the first low sample was tried: the
//!   bursts' first samples kept the window at its bound);
//! - the smallest round trip of the last [`MIN_ROUND_TRIP_WINDOW`].
//!
//! The window is delivery rate x smallest round trip (what the path itself
//! holds while it carries that rate: bytes on the wire and in kernel
//! buffers between hops that drain) plus the configured bound
//! ([`RELAY_MAX_BYTES_IN_FLIGHT`]), the only margin that may sit in the
//! relay's queue. Why that is safe: the rate measured is at most what the
//! slowest hop carries, so what is in flight beyond that hop's share of the
//! path is at most the margin, and that is what Kamailio's write queue
//! toward the receiver can be asked to hold. It grows by at most the margin
//! per round trip (each sample measures what the last window delivered), it
//! starts at the margin (no sample yet), and a peer that confirms nothing
//! before the end (no partial REPORTs) never gives a sample, so it keeps
//! the fixed bound. Samples need time to pass: confirmations at the instant
//! of sending say nothing about a rate.
//!
//! Measured before the window grew (`cargo bench --bench relay_throughput`,
//! 32 MiB on loopback through Kamailio's relay): smaller chunks with more
//! of them in flight are slower (4 KiB chunks: 21 MB/s against 48 MB/s
//! with 10 KiB), and transfers with chunks of 11 KiB and more failed
//! through Kamailio's relay ("forwarding frame failed"), so 10 KiB chunks
//! stay. On loopback the relay's cost per frame bounds the relayed path
//! more than the window; with a round trip of 10-50 ms, a fixed window of
//! 31.5 KiB bounds it to 31.5 KiB per round trip (0.6-3 MB/s), which the
//! growing window removes.
//!
//! Measured with the growing window against the fixed bound, both in one
//! run (`relay_throughput`, release builds, 32 MiB, median of 3, a loaded
//! machine): on loopback, through the relay 62 MB/s against 55 MB/s (the
//! window stays near its bound: rate x a round trip well under a
//! millisecond is less than a chunk, so the relay's cost per frame bounds
//! it, as before; direct 240-320 MB/s); over a 20 ms round trip (the
//! delaying proxy), through the relay 3.7 MB/s against 0.8 MB/s, direct
//! 123-139 MB/s. The growth stalls there: the round trips measured jitter
//! by a few milliseconds (the proxy's timers; real paths too), so rate x
//! smallest round trip reads about an eighth of what is in flight as
//! queued, and the margin left for growth per round trip (the bound less a
//! frame and a report's bytes, 13 KiB) is used up at about 100 KiB.
//! Counting a quarter more than rate x smallest round trip absorbs that
//! jitter, and was tried again with the model's relay socket sized as
//! Linux sizes it (twice the congestion window; `ss -tmi` showed 69 KB on
//! idle sockets and 1.1-1.3 MB on busy ones at Ethernet's MTU): the model
//! kept Kamailio's queue within 32 KiB at 0.4-50 MB/s, and the real path
//! measured 28 MB/s instead of 3.4 over 20 ms (relay ceiling 56 MB/s) and
//! 5.2 MB/s instead of 3.6 on an 8 MB/s line (ceiling 5.5). But with the
//! namespace's loopback at Ethernet's MTU (`tests/relay_pacing.rs`), three
//! 1 MiB files over the unlimited 20 ms path overfilled Kamailio's queue in
//! 2 of 5 runs (three eighths more at the start: 3 of 5; this window: 0 of
//! 5): the window arrives at the relay in bursts (nothing upstream spreads
//! it), faster than a new connection toward the receiver (ten segments,
//! a 29 KB send buffer) takes it. So the surplus needs the sending paced
//! at the measured rate, not only bounded, before it can be taken; it is
//! not done here.
//!
//! When no end-to-end signal came within [`FAR_ANSWER_PROBE`] of the first
//! chunk (a peer that reports only at the end), the relay's 200s alone
//! pace the sending, under the fixed bound, until a signal comes after all.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What Kamailio's msrp relay queues at most per connection by default
/// (`tcp_conn_wq_max`); more and it drops the connection.
pub const RELAY_QUEUE_BYTES: usize = 32 * 1024;
/// Room kept free in the relay's queue below [`RELAY_QUEUE_BYTES`].
pub const RELAY_QUEUE_MARGIN: usize = 512;
/// Most bytes of chunk frames (headers included) sent through relays
/// before the far end confirmed them; for the relay's own answers, the
/// bound on chunk bodies it has not answered.
pub const RELAY_MAX_BYTES_IN_FLIGHT: usize = RELAY_QUEUE_BYTES - RELAY_QUEUE_MARGIN;
/// The bound on unconfirmed bytes ([`RELAY_MAX_BYTES_IN_FLIGHT`] for
/// Kamailio's default) when the relays queue `queue` bytes per connection.
pub fn relay_bytes_in_flight(queue: usize) -> usize {
    queue.saturating_sub(RELAY_QUEUE_MARGIN)
}
/// How long a chunk counts once the far end has been heard from: a lost
/// answer or REPORT holds the window no longer than this.
pub const FAR_ANSWER_WAIT: Duration = Duration::from_secs(10);
/// Until the far end was first heard from (an answer or a partial success
/// REPORT), chunks count for at most this long; when one runs out first,
/// the relays' own 200s pace the sending.
pub const FAR_ANSWER_PROBE: Duration = Duration::from_secs(5);
/// A receiver behind relays reports the bytes it has of a message that
/// asked for success reports each time this many more have arrived.
pub const PROGRESS_REPORT_EVERY: u64 = 8 * 1024;
/// Most chunks remembered as not confirmed by the far end; no more are
/// sent until some are (10 MiB of 10 KiB chunks: 500 MB/s at 20 ms).
pub const MAX_UNCONFIRMED_CHUNKS: usize = 1024;
/// How long the smallest round trip seen counts before a newer sample
/// replaces it (as BBR's), so a path that became longer is learnt.
pub const MIN_ROUND_TRIP_WINDOW: Duration = Duration::from_secs(10);
/// How many of the latest delivery-rate samples count (the largest of
/// them, as BBR's filter): a sample whose chunk waited on its way (in the
/// sender's own queue, for a late or lost report) is low, and one low
/// sample must not stop the growth.
pub const RATE_SAMPLES: usize = 16;
const NANOS_PER_SECOND: u128 = 1_000_000_000;
/// The MSRP extension header a sipchat receiver puts on a partial success
/// REPORT when the bytes it covers are on disk (durable), so a sender may
/// resume after them. Partial REPORTs without it only say what arrived.
pub const DURABLE_HEADER: &str = "Sipchat-Durable";

/// One chunk the far end has not confirmed.
#[derive(Debug)]
struct Unconfirmed {
    transaction_id: String,
    message_id: String,
    /// The chunk's last byte (1-based).
    last: u64,
    /// The whole frame's length.
    bytes: usize,
    /// When it went out.
    sent_at: Instant,
    /// Frame bytes the far end had confirmed when it went out.
    delivered_before: u64,
    /// When the confirmation before it went out came.
    delivered_time: Instant,
    /// When it stops counting.
    until: Instant,
}

/// What the far end's confirmations say about the path.
#[derive(Debug, Default)]
struct PathEstimate {
    /// Frame bytes the far end confirmed so far.
    delivered: u64,
    /// When the last confirmation came.
    delivered_time: Option<Instant>,
    /// The latest delivery-rate samples, bytes per second, the newest at
    /// `next_sample - 1`.
    samples: [u64; RATE_SAMPLES],
    next_sample: usize,
    /// The smallest round trip seen, and when.
    min_round_trip: Option<(Duration, Instant)>,
}

impl PathEstimate {
    /// The far end confirmed `chunks` (frame bytes `bytes` in all) at
    /// `now`; `newest` is the confirmed chunk sent last.
    fn confirmed(&mut self, bytes: usize, newest: Option<(u64, Instant, Instant)>, now: Instant) {
        self.delivered = self.delivered.saturating_add(bytes as u64);
        self.delivered_time = Some(now);
        let Some((delivered_before, delivered_time, sent_at)) = newest else {
            return;
        };
        let round_trip = now.saturating_duration_since(sent_at);
        let replace = self.min_round_trip.is_none_or(|(least, at)| {
            round_trip <= least || now.saturating_duration_since(at) > MIN_ROUND_TRIP_WINDOW
        });
        if replace {
            self.min_round_trip = Some((round_trip, now));
        }
        let interval = now.saturating_duration_since(delivered_time).max(round_trip);
        if interval.is_zero() {
            // Confirmed the instant it went out: no rate to learn.
            return;
        }
        let moved = u128::from(self.delivered.saturating_sub(delivered_before));
        let rate =
            u64::try_from(moved.saturating_mul(NANOS_PER_SECOND) / interval.as_nanos()).unwrap_or(u64::MAX);
        self.samples[self.next_sample % RATE_SAMPLES] = rate;
        self.next_sample = (self.next_sample + 1) % RATE_SAMPLES;
    }

    /// The delivery rate: the largest of the latest samples.
    fn rate(&self) -> u64 {
        self.samples.iter().copied().max().unwrap_or(0)
    }

    /// Bytes the path holds at the rate measured: rate x smallest round
    /// trip, less what that round trip spent at the slowest hop on the
    /// chunk itself (`frame`) and at the receiver gathering a report's
    /// worth of bytes: those may wait in the relay's queue.
    fn path_bytes(&self, frame: usize) -> usize {
        let Some((least, _)) = self.min_round_trip else {
            return 0;
        };
        let bytes = u128::from(self.rate()).saturating_mul(least.as_nanos()) / NANOS_PER_SECOND;
        let not_path = u128::from(PROGRESS_REPORT_EVERY).saturating_add(frame as u128);
        usize::try_from(bytes.saturating_sub(not_path)).unwrap_or(usize::MAX)
    }
}

/// The far end's confirmations of chunks sent through relays.
#[derive(Debug, Default)]
pub(crate) struct Pacing {
    waiting: VecDeque<Unconfirmed>,
    /// The sum of the waiting chunks' frame bytes.
    waiting_bytes: usize,
    /// The far end confirmed chunks as they arrived.
    far_seen: bool,
    /// A chunk ran out of its probe before any confirmation came: only
    /// the relays' 200s pace, until a confirmation comes.
    far_absent: bool,
    /// The most header bytes (frame minus body) a chunk frame had: what
    /// the next chunk adds beyond its body.
    overhead: usize,
    path: PathEstimate,
}

impl Pacing {
    /// A chunk of `body` bytes ending at byte `last` of `message_id` went
    /// out through relays as `transaction_id`, in a frame of `frame` bytes.
    pub fn sent(
        &mut self,
        transaction_id: &str,
        message_id: &str,
        last: u64,
        body: usize,
        frame: usize,
        now: Instant,
    ) {
        self.overhead = self.overhead.max(frame.saturating_sub(body));
        if self.far_absent {
            return;
        }
        if self.waiting.len() >= MAX_UNCONFIRMED_CHUNKS {
            self.pop_front();
        }
        let wait = if self.far_seen {
            FAR_ANSWER_WAIT
        } else {
            FAR_ANSWER_PROBE
        };
        self.waiting_bytes = self.waiting_bytes.saturating_add(frame);
        self.waiting.push_back(Unconfirmed {
            transaction_id: transaction_id.to_string(),
            message_id: message_id.to_string(),
            last,
            bytes: frame,
            sent_at: now,
            delivered_before: self.path.delivered,
            delivered_time: self.path.delivered_time.unwrap_or(now),
            until: now + wait,
        });
    }

    fn pop_front(&mut self) {
        if let Some(c) = self.waiting.pop_front() {
            self.waiting_bytes = self.waiting_bytes.saturating_sub(c.bytes);
        }
    }

    /// Whether chunks are waiting for the far end.
    pub fn is_waiting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// The far end answered the chunk sent as `transaction_id`, at `now`.
    pub fn answered(&mut self, transaction_id: &str, now: Instant) {
        let found = self
            .waiting
            .iter()
            .position(|c| c.transaction_id == transaction_id)
            .and_then(|i| self.waiting.remove(i));
        if let Some(c) = found {
            self.waiting_bytes = self.waiting_bytes.saturating_sub(c.bytes);
            self.path.confirmed(
                c.bytes,
                Some((c.delivered_before, c.delivered_time, c.sent_at)),
                now,
            );
            self.heard();
        }
    }

    /// A success REPORT says the far end has bytes `1..=through` of
    /// `message_id`, at `now`; `whole` when it covers the whole message (a
    /// final report, which every peer sends, proves nothing about partial
    /// ones, and teaches nothing about the path unless partial ones came).
    pub fn reported(&mut self, message_id: &str, through: u64, whole: bool, now: Instant) {
        let (mut bytes, mut newest) = (0usize, None);
        self.waiting.retain(|c| {
            let covered = c.message_id == message_id && c.last <= through;
            if covered {
                bytes = bytes.saturating_add(c.bytes);
                // Sent in order: the last covered one is the newest.
                newest = Some((c.delivered_before, c.delivered_time, c.sent_at));
            }
            !covered
        });
        self.waiting_bytes = self.waiting_bytes.saturating_sub(bytes);
        if !whole {
            self.heard();
        }
        if bytes > 0 && self.far_seen {
            self.path.confirmed(bytes, newest, now);
        }
    }

    fn heard(&mut self) {
        self.far_seen = true;
        self.far_absent = false;
    }

    /// The message is gone (aborted, failed): its chunks no longer count.
    pub fn forget(&mut self, message_id: &str) {
        self.waiting.retain(|c| c.message_id != message_id);
        self.waiting_bytes = self
            .waiting
            .iter()
            .map(|c| c.bytes)
            .fold(0, usize::saturating_add);
    }

    /// When the oldest waiting chunk stops counting.
    pub fn deadline(&self) -> Option<Instant> {
        self.waiting.front().map(|c| c.until)
    }

    /// Chunks whose wait ran out stop counting; before the far end was
    /// ever heard from, that means it will not be.
    pub fn expire(&mut self, now: Instant) {
        while self.waiting.front().is_some_and(|c| c.until <= now) {
            self.pop_front();
            if !self.far_seen {
                self.far_absent = true;
            }
        }
        if self.far_absent {
            self.waiting.clear();
            self.waiting_bytes = 0;
        }
    }

    /// The bytes of frames the far end may have unconfirmed under the
    /// configured bound `limit`, with chunks of `chunk` body bytes: `limit`
    /// plus what the path holds at the delivery rate the far end's
    /// confirmations show; `limit` alone while it has not confirmed
    /// anything as it arrived.
    pub fn window(&self, limit: usize, chunk: usize) -> usize {
        if self.far_absent || !self.far_seen {
            return limit;
        }
        limit.saturating_add(self.path.path_bytes(self.overhead.saturating_add(chunk)))
    }

    /// Whether a chunk of `chunk` body bytes may go now, with `hop_bytes`
    /// body bytes still unanswered by the next hop, under the window for
    /// `limit` (see [`Pacing::window`]): the frames the far end has not
    /// confirmed and the next one (its body and the headers chunks had so
    /// far), and the bodies the next hop has not answered and the next
    /// body. One chunk may always be on its way.
    pub fn may_send(&self, limit: usize, chunk: usize, hop_bytes: usize) -> bool {
        let far = if self.far_absent { 0 } else { self.waiting_bytes };
        if far == 0 && hop_bytes == 0 {
            return true;
        }
        let window = self.window(limit, chunk);
        let far_fits = far == 0
            || (far.saturating_add(chunk).saturating_add(self.overhead) <= window
                && self.waiting.len() < MAX_UNCONFIRMED_CHUNKS);
        far_fits && hop_bytes.saturating_add(chunk) <= window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 KiB chunk's frame through one relay on each side (paths,
    /// Message-ID, Byte-Range, Content-Type, end-line): about 470 bytes of
    /// headers.
    const FRAME: usize = 10_240 + 470;
    const THREE_FRAMES_FIT: () =
        assert!(3 * FRAME <= RELAY_MAX_BYTES_IN_FLIGHT && RELAY_MAX_BYTES_IN_FLIGHT < RELAY_QUEUE_BYTES);

    #[test]
    fn partial_reports_release_the_window_and_a_final_one_proves_nothing() {
        let t0 = Instant::now();
        let mut p = Pacing::default();
        p.sent("t1", "m", 10_240, 10_240, FRAME, t0);
        p.sent("t2", "m", 20_480, 10_240, FRAME, t0);
        assert!(
            p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 0),
            "a third chunk fits"
        );
        p.sent("t3", "m", 30_720, 10_240, FRAME, t0);
        assert!(!p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 0));
        p.reported("m", 10_240, false, t0);
        assert!(p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 0));
        assert!(
            !p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 30_720),
            "the relay's own answers are the second bound"
        );
        assert_eq!(p.deadline(), Some(t0 + FAR_ANSWER_PROBE));

        let mut q = Pacing::default();
        q.sent("t1", "m", 100, 100, 100, t0);
        q.reported("m", 100, true, t0);
        q.sent("t2", "n", 100, 100, 100, t0);
        q.expire(t0 + FAR_ANSWER_PROBE);
        assert!(q.far_absent, "a final report is no partial one");
    }

    #[test]
    fn headers_count_so_the_relay_queue_holds_what_is_unconfirmed() {
        let () = THREE_FRAMES_FIT;
        let t0 = Instant::now();
        // Three whole frames stay below the relay's queue (checked when
        // compiling, THREE_FRAMES_FIT), but with long relay URIs in the
        // paths, only two go.
        let long = 10_240 + 700;
        let mut p = Pacing::default();
        p.sent("t1", "m", 10_240, 10_240, long, t0);
        p.sent("t2", "m", 20_480, 10_240, long, t0);
        assert!(
            !p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 0),
            "a third frame of {long} bytes would pass {RELAY_MAX_BYTES_IN_FLIGHT}"
        );
        p.answered("t1", t0);
        assert!(p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 0));
    }

    #[test]
    fn a_silent_far_end_leaves_the_relay_to_pace_until_it_speaks() {
        let t0 = Instant::now();
        let mut p = Pacing::default();
        p.sent("t1", "m", 10_240, 10_240, 10_240, t0);
        p.sent("t2", "m", 20_480, 10_240, 10_240, t0);
        p.expire(t0 + FAR_ANSWER_PROBE);
        assert!(p.far_absent);
        assert!(p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, 10_240, 10_240));
        p.sent("t3", "m", 30_720, 10_240, 10_240, t0);
        assert!(!p.is_waiting(), "not tracked while absent");
        p.reported("m", 30_720, false, t0);
        assert!(!p.far_absent, "a late report brings end-to-end pacing back");
        p.sent("t4", "m", 40_960, 10_240, 10_240, t0);
        assert_eq!(p.deadline(), Some(t0 + FAR_ANSWER_WAIT));
        p.answered("t4", t0);
        assert!(!p.is_waiting());
    }
}

#[cfg(test)]
#[path = "pacing_path_tests.rs"]
mod path_tests;
