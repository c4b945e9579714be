#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The window on virtual time over a modelled path: the sender, a relay
//! that answers each chunk on receipt and writes it toward the receiver,
//! a link from the relay to the receiver that carries `rate` bytes per
//! second, and the receiver's partial REPORTs back; each hop takes a
//! quarter of the round trip each way (a provider's relay between two
//! home lines).
//!
//! The relay's socket toward the receiver takes what it has room for, and
//! the rest waits in the relay's write queue (Kamailio's, 32 KiB by
//! default), which the model watches. Room, as Linux sizes a TCP send
//! buffer (`tcp_sndbuf_expand`): twice the congestion window, at least
//! twice the initial ten segments, and the window is at least what is
//! unacknowledged on that hop; the buffer holds the unacknowledged bytes
//! too. So the socket holds twice the larger of [`INITIAL_WINDOW`] and the
//! hop's unacknowledged bytes, counting those (`ss -tmi` on the delaying
//! proxy's path showed far more: on loopback the segments are 64 KiB).
use super::*;
use std::collections::VecDeque;

const BODY: usize = 10 * 1024;
/// A 10 KiB chunk's frame through one relay on each side.
const FRAME: usize = BODY + 470;
const STEP: Duration = Duration::from_micros(100);
/// A TCP connection's initial congestion window: ten segments of 1448
/// bytes (an Ethernet path).
const INITIAL_WINDOW: u64 = 10 * 1448;

/// How the receiver reports.
#[derive(Clone, Copy, PartialEq)]
enum Reports {
    /// Every [`PROGRESS_REPORT_EVERY`] bytes.
    Partial,
    /// Every other partial report is lost on the way.
    HalfLost,
    /// Only the final one (peers other than sipchat).
    FinalOnly,
    /// Every one, each late by 0-3 ms (a path's jitter; a report that
    /// waits for the one before it goes with it, so they come in bursts).
    Jittered,
}

struct Path {
    round_trip: Duration,
    /// Bytes per second from the relay to the receiver; from `change.0` on,
    /// `change.1`.
    rate: f64,
    change: Option<(Duration, f64)>,
    reports: Reports,
}

#[derive(Default)]
struct Outcome {
    took: Duration,
    /// The relay's largest queue toward the receiver, and the largest one
    /// from `settled` on.
    most_queued: usize,
    most_queued_settled: usize,
    /// The window at the end.
    window: usize,
    /// The largest window.
    most_window: usize,
}

/// Sends `size` bytes over `path`; `settled` is when the queue is watched
/// again after a change of rate.
fn transfer(path: &Path, size: u64, settled: Duration) -> Outcome {
    let t0 = Instant::now();
    let quarter = path.round_trip / 4;
    let mut p = Pacing::default();
    let mut out = Outcome::default();
    let (mut next, mut reported, mut received) = (0u64, 0u64, 0u64);
    let mut to_relay: VecDeque<(Instant, u64, usize)> = VecDeque::new();
    let mut relay_answers: VecDeque<(Instant, usize)> = VecDeque::new();
    let mut hop_bytes = 0usize;
    // Frame bytes, counted from the start: arrived at the relay, taken by
    // its socket, carried by the link, acknowledged by the receiver's TCP.
    let (mut arrived, mut taken, mut carried, mut acked) = (0u64, 0u64, 0u64, 0u64);
    // Where each frame ends (frame bytes from the start) and its last byte.
    let mut frames: VecDeque<(u64, u64)> = VecDeque::new();
    let mut acks: VecDeque<(Instant, u64)> = VecDeque::new();
    let mut to_receiver: VecDeque<(Instant, u64)> = VecDeque::new();
    let mut jitter = 0u64;
    let mut buffer = 0u64;
    let mut reports: VecDeque<(Instant, u64)> = VecDeque::new();
    let (mut credit, mut count, mut tx) = (0.0f64, 0u64, 0u64);
    let mut now = t0;
    while received < size || !reports.is_empty() {
        now += STEP;
        assert!(
            now - t0 < Duration::from_secs(600),
            "stalled at {received} of {size}"
        );
        while reports.front().is_some_and(|r| r.0 <= now) {
            let (_, through) = reports.pop_front().unwrap();
            p.reported("m", through, through == size, now);
        }
        while relay_answers.front().is_some_and(|a| a.0 <= now) {
            hop_bytes -= relay_answers.pop_front().unwrap().1;
        }
        p.expire(now);
        while next < size && p.may_send(RELAY_MAX_BYTES_IN_FLIGHT, BODY, hop_bytes) {
            let body = (size - next).min(BODY as u64);
            next += body;
            tx += 1;
            p.sent(&format!("t{tx}"), "m", next, body as usize, FRAME, now);
            hop_bytes += body as usize;
            to_relay.push_back((now + quarter, next, body as usize));
        }
        let window = p.window(RELAY_MAX_BYTES_IN_FLIGHT, BODY);
        out.most_window = out.most_window.max(window);
        out.window = window;
        while to_relay.front().is_some_and(|c| c.0 <= now) {
            let (_, last, body) = to_relay.pop_front().unwrap();
            arrived += FRAME as u64;
            frames.push_back((arrived, last));
            relay_answers.push_back((now + quarter, body));
        }
        while acks.front().is_some_and(|a| a.0 <= now) {
            acked = acks.pop_front().unwrap().1;
        }
        // Linux grows the buffer and never shrinks it.
        buffer = buffer.max(2 * INITIAL_WINDOW.max(carried - acked));
        taken = taken.max(arrived.min(acked + buffer));
        let queued = (arrived - taken) as usize;
        out.most_queued = out.most_queued.max(queued);
        let elapsed = now - t0;
        if elapsed >= settled {
            out.most_queued_settled = out.most_queued_settled.max(queued);
        }
        let rate = match path.change {
            Some((at, rate)) if elapsed >= at => rate,
            _ => path.rate,
        };
        credit += rate * STEP.as_secs_f64();
        let carry = (taken - carried).min(credit as u64);
        carried += carry;
        credit -= carry as f64;
        if carried == taken {
            credit = credit.min(FRAME as f64);
        }
        if carry > 0 {
            acks.push_back((now + 2 * quarter, carried));
        }
        while frames.front().is_some_and(|f| f.0 <= carried) {
            let (_, last) = frames.pop_front().unwrap();
            to_receiver.push_back((now + quarter, last));
        }
        while to_receiver.front().is_some_and(|c| c.0 <= now) {
            received = to_receiver.pop_front().unwrap().1;
            let partial = received >= reported + PROGRESS_REPORT_EVERY;
            if received == size || (partial && path.reports != Reports::FinalOnly) {
                reported = received;
                count += 1;
                let lost = path.reports == Reports::HalfLost && count % 2 == 0 && received < size;
                let late = if path.reports == Reports::Jittered {
                    // A fixed sequence spread over 0-3 ms.
                    jitter = (jitter * 7 + 13) % 31;
                    Duration::from_micros(jitter * 100)
                } else {
                    Duration::ZERO
                };
                let due = (now + path.round_trip / 2 + late).max(reports.back().map_or(now, |r| r.0));
                if !lost {
                    reports.push_back((due, received));
                }
            }
        }
    }
    out.took = now - t0;
    out
}

fn throughput(size: u64, took: Duration) -> f64 {
    size as f64 / took.as_secs_f64()
}

#[test]
fn the_window_grows_to_what_the_path_carries_and_the_relay_queue_stays_bounded() {
    // 20 ms round trip, 12.5 MB/s (100 Mbit/s): the fixed window carried
    // 31.5 KiB per round trip, 1.6 MB/s.
    let path = Path {
        round_trip: Duration::from_millis(20),
        rate: 12.5e6,
        change: None,
        reports: Reports::Partial,
    };
    let size = 32 * 1024 * 1024;
    let out = transfer(&path, size, Duration::ZERO);
    let speed = throughput(size, out.took);
    assert!(speed >= 0.8 * path.rate, "{speed:.0} B/s in {:?}", out.took);
    assert!(
        out.most_queued <= RELAY_QUEUE_BYTES,
        "{} bytes queued at the relay",
        out.most_queued
    );
    assert!(
        out.most_window >= 250_000,
        "the window reached {}",
        out.most_window
    );
}

#[test]
fn reports_late_by_a_few_milliseconds_in_bursts_never_overfill_the_relay() {
    // Jitter of 0-3 ms on 20 ms reads as queueing when the window is the
    // smallest round trip x the rate: it stops early (see `pacing`), but
    // still carries more than the fixed bound and queues within it.
    for rate in [8e6, 12.5e6, 50e6] {
        let path = Path {
            round_trip: Duration::from_millis(20),
            rate,
            change: None,
            reports: Reports::Jittered,
        };
        let size = 16 * 1024 * 1024;
        let out = transfer(&path, size, Duration::ZERO);
        let speed = throughput(size, out.took);
        let fixed = RELAY_MAX_BYTES_IN_FLIGHT as f64 / path.round_trip.as_secs_f64();
        assert!(speed > 2.0 * fixed, "{rate}: {speed:.0} B/s in {:?}", out.took);
        assert!(
            out.most_queued <= RELAY_QUEUE_BYTES,
            "{rate}: {} bytes queued at the relay",
            out.most_queued
        );
    }
}

#[test]
fn a_receiver_that_slows_down_shrinks_the_window_at_once() {
    // From 12.5 MB/s to 1 MB/s after one second. What was on its way at
    // the old rate queues for a moment (a real relay's socket buffers take
    // it); a few round trips later the queue is within the bound again.
    let path = Path {
        round_trip: Duration::from_millis(20),
        rate: 12.5e6,
        change: Some((Duration::from_secs(1), 1e6)),
        reports: Reports::Partial,
    };
    let size = 16 * 1024 * 1024;
    let out = transfer(&path, size, Duration::from_millis(1500));
    assert!(
        out.most_queued_settled <= RELAY_QUEUE_BYTES,
        "{} bytes queued at the relay after the change",
        out.most_queued_settled
    );
    // 1 MB/s x 20 ms is 20 kB: the window is back near its bound.
    assert!(
        out.window <= RELAY_MAX_BYTES_IN_FLIGHT + 20_000,
        "window {}",
        out.window
    );
    assert!(out.most_window >= 250_000, "it had grown: {}", out.most_window);
}

#[test]
fn lost_reports_slow_the_growth_but_never_overfill_the_relay() {
    // Every other partial REPORT lost: each chunk waits a report longer,
    // so the round trips measured are longer than the smallest and the
    // window stops growing early (about 2 MB/s here). That errs on the
    // safe side, and it is still more than the fixed bound's 31.5 KiB per
    // round trip.
    let path = Path {
        round_trip: Duration::from_millis(20),
        rate: 12.5e6,
        change: None,
        reports: Reports::HalfLost,
    };
    let size = 16 * 1024 * 1024;
    let out = transfer(&path, size, Duration::ZERO);
    assert!(out.most_queued <= RELAY_QUEUE_BYTES, "{}", out.most_queued);
    let fixed = RELAY_MAX_BYTES_IN_FLIGHT as f64 / path.round_trip.as_secs_f64();
    assert!(throughput(size, out.took) > fixed, "{:?}", out.took);
}

#[test]
fn a_slow_link_keeps_the_relay_queue_within_kamailios() {
    // 400 kB/s behind a 20 ms round trip, and the loopback case (no delay
    // at all): the window never lets the relay queue more than its bound.
    for (round_trip, rate) in [
        (20, 400e3),
        (0, 400e3),
        (20, 2e6),
        (20, 8e6),
        (50, 8e6),
        (0, 50e6),
    ] {
        let path = Path {
            round_trip: Duration::from_millis(round_trip),
            rate,
            change: None,
            reports: Reports::Partial,
        };
        let out = transfer(&path, 4 * 1024 * 1024, Duration::ZERO);
        assert!(
            out.most_queued <= RELAY_QUEUE_BYTES,
            "{round_trip} ms, {rate} B/s: {} bytes queued",
            out.most_queued
        );
    }
}

#[test]
fn a_peer_that_reports_only_at_the_end_keeps_the_fixed_bound() {
    let path = Path {
        round_trip: Duration::from_millis(20),
        rate: 12.5e6,
        change: None,
        reports: Reports::FinalOnly,
    };
    let out = transfer(&path, 2 * 1024 * 1024, Duration::ZERO);
    assert_eq!(
        out.most_window, RELAY_MAX_BYTES_IN_FLIGHT,
        "the window never grew"
    );
}
