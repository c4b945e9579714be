#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Resumed streamed messages (RFC 5547 `a=file-range` on the MSRP side)
//! and success REPORTs for partial receipt.
use super::super::frame::Method;
use super::super::incoming::IncomingMode;
use super::tests::*;
use super::*;

const TOTAL: usize = 100_000;
const HELD: u64 = 40_000;

fn file_pair(t0: Instant) -> (Session, Session) {
    let (mut a_cfg, mut b_cfg) = configs();
    a_cfg.chunk_size = 10_000;
    b_cfg.incoming_mode = IncomingMode::Stream;
    b_cfg.accept_types = vec!["*".into()];
    open_pair(a_cfg, b_cfg, t0)
}

fn feed_all(a: &mut Session, id: &str, file: &[u8], t0: Instant) {
    while let Some(req) = a.data_wanted() {
        let off = req.offset as usize;
        a.push_data(id, &file[off..off + req.max_len], t0).unwrap();
    }
}

fn reports(seen: &Seen) -> Vec<&Frame> {
    seen.frames
        .iter()
        .filter(|f| f.method() == Some(&Method::Report))
        .collect()
}

#[test]
fn a_resumed_message_sends_only_the_rest_and_completes_at_the_receiver() {
    let t0 = Instant::now();
    let (mut a, mut b) = file_pair(t0);
    let file = random_bytes(TOTAL, 5);
    let reports_on = ReportOptions {
        success: true,
        ..ReportOptions::default()
    };
    let id = a
        .begin_message_from("application/pdf", TOTAL as u64, HELD, reports_on, t0)
        .unwrap();
    assert_eq!(
        a.data_wanted().unwrap().offset,
        HELD,
        "the first chunk starts after what is held"
    );
    b.set_incoming_resume(HELD);
    let mut seen_a = Seen::default();
    let mut seen_b = Seen::default();
    for _ in 0..1000 {
        feed_all(&mut a, &id, &file, t0);
        let to_b = drain(&mut a, &mut seen_a);
        b.handle_bytes(&to_b, t0);
        let to_a = drain(&mut b, &mut seen_b);
        a.handle_bytes(&to_a, t0);
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
    }
    let chunks = sends_with_body(&seen_a);
    assert_eq!(chunks[0].header("Byte-Range"), Some("40001-50000/100000"));
    let sent: usize = chunks.iter().map(|f| f.body.len()).sum();
    assert_eq!(sent as u64, TOTAL as u64 - HELD);
    let mut first = None;
    let mut complete = None;
    for e in &seen_b.events {
        match e {
            SessionEvent::ChunkReceived { start, .. } => {
                first.get_or_insert(*start);
            }
            SessionEvent::StreamComplete { size, .. } => complete = Some(*size),
            _ => {}
        }
    }
    assert_eq!(first, Some(HELD + 1));
    assert_eq!(complete, Some(TOTAL as u64), "the held bytes count as received");
    // The whole-message report (after confirming) delivers it.
    b.confirm_received(&id, t0);
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert_eq!(reports(&sb)[0].header("Byte-Range"), Some("1-100000/100000"));
    assert!(sa
        .events
        .contains(&SessionEvent::MessageDelivered { message_id: id }));
}

#[test]
fn without_held_bytes_a_message_starting_late_never_completes() {
    let t0 = Instant::now();
    let (mut a, mut b) = file_pair(t0);
    let file = random_bytes(TOTAL, 6);
    let id = a
        .begin_message_from(
            "application/pdf",
            TOTAL as u64,
            HELD,
            ReportOptions::default(),
            t0,
        )
        .unwrap();
    feed_all(&mut a, &id, &file, t0);
    let (_, sb) = pump(&mut a, &mut b, t0);
    assert!(!sb
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::StreamComplete { .. })));
}

#[test]
fn a_partial_success_report_tells_the_sender_how_far_the_receiver_got() {
    let t0 = Instant::now();
    let (mut a, mut b) = file_pair(t0);
    let file = random_bytes(TOTAL, 7);
    let reports_on = ReportOptions {
        success: true,
        ..ReportOptions::default()
    };
    let id = a
        .begin_message("application/pdf", TOTAL as u64, reports_on, t0)
        .unwrap();
    // Three chunks only.
    for _ in 0..3 {
        let req = a.data_wanted().unwrap();
        let off = req.offset as usize;
        a.push_data(&id, &file[off..off + req.max_len], t0).unwrap();
        let _ = pump(&mut a, &mut b, t0);
    }
    assert!(!b.report_partial(&id, 30_001, t0), "not more than arrived");
    assert!(!b.report_partial("unknown", 10, t0));
    assert!(b.report_partial(&id, 20_000, t0));
    let (sa, sb) = pump(&mut a, &mut b, t0);
    let r = reports(&sb);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].header("Byte-Range"), Some("1-20000/100000"));
    assert_eq!(r[0].header("Status"), Some("000 200 OK"));
    assert_eq!(
        sa.events,
        vec![SessionEvent::PartReported {
            message_id: id.clone(),
            through: 20_000,
            total: TOTAL as u64
        }]
    );
}

#[test]
fn no_partial_report_for_a_sender_that_asked_for_none() {
    let t0 = Instant::now();
    let (mut a, mut b) = file_pair(t0);
    let file = random_bytes(TOTAL, 8);
    let id = a
        .begin_message("application/pdf", TOTAL as u64, ReportOptions::default(), t0)
        .unwrap();
    let req = a.data_wanted().unwrap();
    a.push_data(&id, &file[..req.max_len], t0).unwrap();
    let _ = pump(&mut a, &mut b, t0);
    assert!(!b.report_partial(&id, 10_000, t0));
}
