#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A sender and a receiver behind one relay that answers each SEND on
//! receipt and keeps the far end's answers, as Kamailio's msrp module does:
//! the relay's queue toward a slow receiver must stay below Kamailio's
//! default write queue.
use super::super::decoder::FrameDecoder;
use super::super::frame::{FrameKind, Method};
use super::super::incoming::IncomingMode;
use super::tests::*;
use super::*;
use std::time::Duration;

/// Kamailio's default write queue per connection (`tcp_conn_wq_max`).
const KAMAILIO_QUEUE: usize = 32 * 1024;
const RELAY: &str = "msrp://relay.example.net:2855";

/// What the relay does with the frames one side wrote: SENDs are answered
/// at once and passed on, REPORTs passed on, responses kept.
fn through_relay(bytes: &[u8], decoder: &mut FrameDecoder, answers: &mut Vec<u8>, onward: &mut Vec<u8>) {
    decoder.push(bytes);
    let relay = uri(&format!("{RELAY}/r1;tcp"));
    while let Some(f) = decoder.next_frame().unwrap() {
        match f.kind {
            FrameKind::Request(Method::Send) => {
                answers.extend(Frame::response_to(&f, 200, &relay).to_bytes());
                onward.extend(f.to_bytes());
            }
            FrameKind::Request(_) => onward.extend(f.to_bytes()),
            FrameKind::Response { .. } => {}
        }
    }
}

/// Sends `size` bytes from a to a receiver that reads `drain_per_tick`
/// bytes every 10 ms; returns the largest relay queue toward it, the
/// virtual time it took, and whether it arrived whole and was delivered.
fn relayed_transfer(size: usize, drain_per_tick: usize) -> (usize, Duration, bool) {
    let t0 = Instant::now();
    let (ra, rb) = (uri(&format!("{RELAY}/ra;tcp")), uri(&format!("{RELAY}/rb;tcp")));
    let (mut a_cfg, mut b_cfg) = configs();
    a_cfg.relays = vec![ra.clone()];
    a_cfg.remote_path = vec![rb.clone(), uri(B)];
    b_cfg.relays = vec![rb];
    b_cfg.remote_path = vec![ra, uri(A)];
    b_cfg.incoming_mode = IncomingMode::Stream;
    b_cfg.max_incoming_size = u64::MAX;
    b_cfg.accept_types = vec!["*".into()];
    let mut a = Session::new(a_cfg, 5, t0);
    let mut b = Session::new(b_cfg, 6, t0);
    a.open(t0);
    b.open(t0);
    let reports = ReportOptions {
        success: true,
        ..ReportOptions::default()
    };
    let file = random_bytes(size, 9);
    let id = a
        .send_message("application/octet-stream", file.clone(), reports, t0)
        .unwrap();
    let (mut from_a, mut from_b) = (FrameDecoder::new(), FrameDecoder::new());
    let mut queue_to_b: std::collections::VecDeque<u8> = Default::default();
    let (mut most_queued, mut received, mut delivered) = (0, Vec::new(), false);
    let mut now = t0;
    let mut seen_a = Seen::default();
    for _ in 0..200_000 {
        if delivered {
            break;
        }
        now += Duration::from_millis(10);
        for s in [&mut a, &mut b] {
            if s.poll_timeout().is_some_and(|at| at <= now) {
                s.handle_timeout(now);
            }
        }
        // a writes; the relay answers at once and queues toward b.
        let (mut to_a, mut onward) = (Vec::new(), Vec::new());
        let bytes = drain(&mut a, &mut seen_a);
        through_relay(&bytes, &mut from_a, &mut to_a, &mut onward);
        queue_to_b.extend(onward);
        most_queued = most_queued.max(queue_to_b.len());
        if !to_a.is_empty() {
            a.handle_bytes(&to_a, now);
        }
        // b reads what it can this tick and writes back through the relay.
        let n = drain_per_tick.min(queue_to_b.len());
        let chunk: Vec<u8> = queue_to_b.drain(..n).collect();
        b.handle_bytes(&chunk, now);
        let mut seen_b = Seen::default();
        let mut bytes = drain(&mut b, &mut seen_b);
        for e in seen_b.events {
            match e {
                SessionEvent::ChunkReceived { data, .. } => received.extend(data),
                SessionEvent::StreamComplete { message_id, .. } => b.confirm_received(&message_id, now),
                _ => {}
            }
        }
        bytes.extend(drain(&mut b, &mut Seen::default()));
        let (mut ignored, mut onward) = (Vec::new(), Vec::new());
        through_relay(&bytes, &mut from_b, &mut ignored, &mut onward);
        if !onward.is_empty() {
            a.handle_bytes(&onward, now);
        }
        delivered = seen_a.events.contains(&SessionEvent::MessageDelivered {
            message_id: id.clone(),
        });
        seen_a.frames.clear();
    }
    (most_queued, now - t0, delivered && received == file)
}

#[test]
fn the_receivers_reports_keep_the_relay_queue_below_kamailios_default() {
    // A receiver slower than the relay: 4 KiB per 10 ms.
    let (most_queued, took, whole) = relayed_transfer(1024 * 1024, 4 * 1024);
    assert!(whole, "the file arrived whole and was reported delivered");
    assert!(
        most_queued < KAMAILIO_QUEUE,
        "{most_queued} bytes queued at the relay toward the receiver"
    );
    // Paced by the receiver, not stalled: 1 MiB at 400 KiB/s is 2.6 s.
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_fast_receiver_is_not_slowed_by_the_reports() {
    let drain = 64 * 1024;
    let (most_queued, took, whole) = relayed_transfer(1024 * 1024, drain);
    assert!(whole);
    // The receiver reports what it read each tick, so the window grows to
    // what a tick carries (see `pacing`): the model has no socket buffers,
    // and what the receiver takes at once, a real one's socket holds; the
    // relay queues only the rest.
    assert!(most_queued - drain < KAMAILIO_QUEUE, "{most_queued}");
    // A window per tick: 1 MiB in at most ~45 ticks of 24 KiB.
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

#[test]
fn the_window_lets_three_chunks_wait_at_the_relay_and_no_more() {
    // A receiver that reads one chunk per tick: the relay's queue holds what
    // the window allows, three 10 KiB chunks with their headers, and stays
    // below Kamailio's queue.
    let (most_queued, _, whole) = relayed_transfer(512 * 1024, RELAY_MAX_CHUNK_SIZE);
    assert!(whole);
    assert!(
        most_queued >= 3 * RELAY_MAX_CHUNK_SIZE,
        "{most_queued} bytes queued: the window holds fewer than three chunks"
    );
    assert!(most_queued < KAMAILIO_QUEUE, "{most_queued}");
}
