#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Session tests on reports, timers, streaming, aborts and routing.
use super::super::decoder::FrameDecoder;
use super::super::frame::{FrameKind, Method, ReportRequest};
use super::super::incoming::IncomingMode;
use super::super::pacing::DURABLE_HEADER;
use super::super::session_in::{refuse_connection, target_session_id};
use super::tests::*;
use super::*;
use std::time::Duration;

fn report(message_id: &str, range: &str, status: &str) -> Frame {
    let mut f = Frame::request("rep1", Method::Report);
    f.push_header("To-Path", A);
    f.push_header("From-Path", B);
    f.push_header("Message-ID", message_id);
    f.push_header("Byte-Range", range);
    f.push_header("Status", status);
    f
}

#[test]
fn through_a_relay_only_a_covering_report_is_delivery() {
    let t0 = Instant::now();
    let (mut a_cfg, _) = configs();
    a_cfg.relays = vec![uri("msrps://relay.example.com:2855;tcp")];
    a_cfg.chunk_size = 100;
    let mut a = Session::new(a_cfg, 1, t0);
    a.open(t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert_eq!(
        seen.frames[0].header("To-Path"),
        Some(&*format!("msrps://relay.example.com:2855;tcp {B}"))
    );
    let bind = Frame::response_to(&seen.frames[0], 200, &uri("msrps://relay.example.com:2855;tcp"));
    a.handle_frame(bind, t0);
    let id = a
        .send_message(
            "text/plain",
            vec![b'z'; 250],
            ReportOptions {
                success: true,
                ..ReportOptions::default()
            },
            t0,
        )
        .unwrap();
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    let chunks = sends_with_body(&seen);
    assert_eq!(chunks.len(), 3);
    assert!(chunks.iter().all(|f| f.header("Success-Report") == Some("yes")));
    let relay = uri("msrps://relay.example.com:2855;tcp");
    let answers: Vec<Frame> = chunks
        .iter()
        .map(|f| Frame::response_to(f, 200, &relay))
        .collect();
    for r in answers {
        a.handle_frame(r, t0);
    }
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert!(seen.events.contains(&SessionEvent::MessageSent {
        message_id: id.clone()
    }));
    assert!(
        !seen.events.contains(&SessionEvent::MessageDelivered {
            message_id: id.clone()
        }),
        "a relay's 200 is not delivery"
    );
    // One REPORT per chunk, out of order: delivered only once all are covered.
    a.handle_frame(report(&id, "201-250/250", "000 200 OK"), t0);
    a.handle_frame(report(&id, "1-100/250", "000 200 OK"), t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    // Bytes that arrived are neither delivery nor a place to resume from.
    assert_eq!(seen.events, vec![]);
    assert!(seen.frames.is_empty(), "REPORTs are never answered");
    // Bytes on disk at the peer are.
    let mut durable = report(&id, "1-150/250", "000 200 OK");
    durable.push_header(DURABLE_HEADER, "yes");
    a.handle_frame(durable, t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert_eq!(
        seen.events,
        vec![SessionEvent::PartReported {
            message_id: id.clone(),
            through: 150,
            total: 250
        }]
    );
    a.handle_frame(report(&id, "101-200/250", "000 200 OK"), t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert_eq!(
        seen.events,
        vec![SessionEvent::MessageDelivered { message_id: id }]
    );
}

#[test]
fn a_failure_report_fails_the_message_and_a_missing_report_is_unknown() {
    let t0 = Instant::now();
    let (mut a_cfg, b_cfg) = configs();
    a_cfg.report_timeout = Duration::from_secs(60);
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let opts = ReportOptions {
        success: true,
        ..ReportOptions::default()
    };
    let id1 = a.send_message("text/plain", b"one".to_vec(), opts, t0).unwrap();
    let id2 = a.send_message("text/plain", b"two".to_vec(), opts, t0).unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert_eq!(
        sb.events
            .iter()
            .filter(|e| matches!(e, SessionEvent::MessageReceived { .. }))
            .count(),
        2
    );
    assert!(
        !sa.events
            .iter()
            .any(|e| matches!(e, SessionEvent::MessageDelivered { .. })),
        "waits for the REPORT"
    );
    a.handle_frame(report(&id1, "1-3/3", "000 413 Message Too Large"), t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert!(
        matches!(&seen.events[0], SessionEvent::MessageFailed { message_id, code: Some(413), .. } if *message_id == id1)
    );
    let deadline = a.poll_timeout().unwrap();
    assert_eq!(deadline, t0 + Duration::from_secs(30), "keep-alive comes first");
    a.handle_timeout(t0 + Duration::from_secs(60));
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert!(seen
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::DeliveryUnknown { message_id, .. } if *message_id == id2)));
}

#[test]
fn success_reports_wait_for_confirm_received() {
    let t0 = Instant::now();
    let (a_cfg, b_cfg) = configs();
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let id = a
        .send_message(
            "text/plain",
            b"store me".to_vec(),
            ReportOptions {
                success: true,
                ..ReportOptions::default()
            },
            t0,
        )
        .unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert!(!sb.frames.iter().any(|f| f.method() == Some(&Method::Report)));
    assert!(!sa
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::MessageDelivered { .. })));
    b.confirm_received(&id, t0);
    let (sa, sb) = pump(&mut a, &mut b, t0);
    let reports: Vec<_> = sb
        .frames
        .iter()
        .filter(|f| f.method() == Some(&Method::Report))
        .collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].header("Byte-Range"), Some("1-8/8"));
    assert_eq!(reports[0].header("Status"), Some("000 200 OK"));
    assert_eq!(sa.events, vec![SessionEvent::MessageDelivered { message_id: id }]);
}

#[test]
fn no_answer_within_30_s_fails_the_message_in_words() {
    let t0 = Instant::now();
    let (a_cfg, b_cfg) = configs();
    let (mut a, _b) = open_pair(a_cfg, b_cfg, t0);
    let t1 = t0 + Duration::from_secs(5);
    let id = a
        .send_message("text/plain", b"lost".to_vec(), ReportOptions::default(), t1)
        .unwrap();
    let mut seen = Seen::default();
    drain(&mut a, &mut seen); // the bytes vanish
    assert_eq!(a.poll_timeout(), Some(t1 + TRANSACTION_TIMEOUT));
    a.handle_timeout(t1 + Duration::from_secs(29));
    assert_eq!(a.poll_output(), None);
    a.handle_timeout(t1 + TRANSACTION_TIMEOUT);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert_eq!(
        seen.events,
        vec![SessionEvent::MessageFailed {
            message_id: id,
            code: Some(408),
            reason: "no answer within 30 s".into()
        }]
    );
}

#[test]
fn keepalive_after_idle_and_session_fails_when_unanswered() {
    let t0 = Instant::now();
    let (a_cfg, b_cfg) = configs();
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let due = a.poll_timeout().unwrap();
    assert_eq!(due, t0 + DEFAULT_KEEPALIVE);
    a.handle_timeout(due);
    let (sa, sb) = pump(&mut a, &mut b, due);
    assert_eq!(sa.frames.len(), 1);
    assert!(sa.frames[0].body.is_empty());
    assert_eq!(sb.frames[0].status(), Some(200));
    assert!(sa.events.is_empty() && sb.events.is_empty());
    // Next keep-alive goes unanswered.
    let due = a.poll_timeout().unwrap();
    assert_eq!(due, t0 + DEFAULT_KEEPALIVE * 2);
    a.handle_timeout(due);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert_eq!(seen.frames.len(), 1);
    let dead = a.poll_timeout().unwrap();
    assert_eq!(dead, due + TRANSACTION_TIMEOUT);
    a.handle_timeout(dead);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert!(
        matches!(&seen.events[..], [SessionEvent::SessionFailed { reason }] if reason.contains("keep-alive"))
    );
    assert_eq!(a.state(), SessionState::Done);
    assert_eq!(a.poll_timeout(), None);
}

#[test]
fn streaming_send_with_backpressure_and_streaming_receive() {
    let t0 = Instant::now();
    let (mut a_cfg, mut b_cfg) = configs();
    a_cfg.chunk_size = 10 * 1024;
    a_cfg.max_chunks_in_flight = 4;
    b_cfg.incoming_mode = IncomingMode::StreamLargerThan(64 * 1024);
    b_cfg.max_incoming_size = 8 * 1024 * 1024;
    b_cfg.accept_types.push("application/*".into());
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let file = random_bytes(1024 * 1024 + 123, 11);
    let id = a
        .begin_message(
            "application/octet-stream",
            file.len() as u64,
            ReportOptions::default(),
            t0,
        )
        .unwrap();
    // Without answers the session asks for at most 4 chunks.
    let mut held = Vec::new();
    let mut seen_a = Seen::default();
    while let Some(req) = a.data_wanted() {
        assert_eq!(req.message_id, id);
        let off = req.offset as usize;
        let piece = &file[off..off + req.max_len];
        a.push_data(&id, piece, t0).unwrap();
        assert_eq!(a.data_wanted(), None, "asks nothing while output waits");
        held.push(drain(&mut a, &mut seen_a));
    }
    assert_eq!(held.len(), 4);
    assert!(a.push_data(&id, &[0; 10 * 1024 + 1], t0).is_err());
    // Now run the transfer to the end, feeding data whenever asked.
    for bytes in held {
        b.handle_bytes(&bytes, t0);
    }
    let mut seen_b = Seen::default();
    let mut asked = 4;
    for _ in 0..10_000 {
        let to_a = drain(&mut b, &mut seen_b);
        a.handle_bytes(&to_a, t0);
        while let Some(req) = a.data_wanted() {
            asked += 1;
            let off = req.offset as usize;
            a.push_data(&id, &file[off..off + req.max_len], t0).unwrap();
        }
        let to_b = drain(&mut a, &mut seen_a);
        if to_b.is_empty() && to_a.is_empty() {
            break;
        }
        b.handle_bytes(&to_b, t0);
    }
    assert_eq!(
        asked,
        file.len().div_ceil(10 * 1024),
        "{:?} {:?}",
        &seen_b.frames[..seen_b.frames.len().min(6)],
        &seen_a.events[..seen_a.events.len().min(10)]
    );
    let mut rebuilt = vec![0u8; file.len()];
    let mut complete = None;
    for e in &seen_b.events {
        match e {
            SessionEvent::ChunkReceived {
                start, data, total, ..
            } => {
                assert_eq!(*total, Some(file.len() as u64));
                let s = *start as usize - 1;
                rebuilt[s..s + data.len()].copy_from_slice(data);
            }
            SessionEvent::StreamComplete { size, .. } => complete = Some(*size),
            SessionEvent::MessageReceived { .. } => panic!("a large message must be streamed"),
            _ => {}
        }
    }
    assert_eq!(complete, Some(file.len() as u64));
    assert!(rebuilt == file);
    assert!(seen_a
        .events
        .contains(&SessionEvent::MessageDelivered { message_id: id }));
}

#[test]
fn outgoing_abort_sends_a_hash_chunk() {
    let t0 = Instant::now();
    let (a_cfg, mut b_cfg) = configs();
    b_cfg.accept_types = vec!["*".into()];
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let id = a
        .begin_message("application/octet-stream", 100_000, ReportOptions::default(), t0)
        .unwrap();
    let req = a.data_wanted().unwrap();
    a.push_data(&id, &vec![1; req.max_len], t0).unwrap();
    a.abort_message(&id, t0).unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    let last = sa.frames.iter().rfind(|f| f.method().is_some()).unwrap();
    assert_eq!(last.continuation, Continuation::Abort);
    assert!(sa.events.contains(&SessionEvent::MessageAborted {
        message_id: id.clone()
    }));
    assert!(
        sb.events.contains(&SessionEvent::IncomingAborted {
            message_id: id.clone()
        }),
        "{:?} {:?}",
        sb.events,
        sb.frames
    );
    assert_eq!(a.data_wanted(), None);
    assert!(a.push_data(&id, b"x", t0).is_err());
}

#[test]
fn close_fails_unfinished_messages() {
    let t0 = Instant::now();
    let (a_cfg, _) = configs();
    let mut a = Session::new(a_cfg, 1, t0);
    a.open(t0);
    let id = a
        .send_message("text/plain", b"never".to_vec(), ReportOptions::default(), t0)
        .unwrap();
    a.close(t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    assert!(seen.events.iter().any(
        |e| matches!(e, SessionEvent::MessageFailed { message_id, code: None, .. } if *message_id == id)
    ));
    assert_eq!(seen.events.last(), Some(&SessionEvent::Closed));
    assert_eq!(
        a.send_message("text/plain", vec![], ReportOptions::default(), t0),
        Err(SessionError::Closed)
    );
}

#[test]
fn garbage_fails_the_session() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    b.handle_bytes(b"GET / HTTP/1.1\r\n\r\n", t0);
    let mut seen = Seen::default();
    drain(&mut b, &mut seen);
    assert!(
        matches!(&seen.events[..], [SessionEvent::SessionFailed { reason }] if reason.contains("not MSRP"))
    );
}

#[test]
fn listener_routes_by_to_path_and_refuses_a_bound_session_with_506() {
    let f = chunk("tx1", "m1", "1-2/2", b"hi", Continuation::Complete);
    assert_eq!(target_session_id(&f).as_deref(), Some("kjhd37s2s20w2a"));
    let local = uri(B);
    let bytes = refuse_connection(&f, true, &local).unwrap();
    let mut d = FrameDecoder::new();
    d.push(&bytes);
    let r = d.next_frame().unwrap().unwrap();
    assert_eq!(r.status(), Some(506));
    assert_eq!(r.header("To-Path"), Some(A));
    let r481 = refuse_connection(&f, false, &local).unwrap();
    assert!(r481.starts_with(b"MSRP tx1 481"));
    let mut rep = f.clone();
    rep.kind = FrameKind::Request(Method::Report);
    assert_eq!(refuse_connection(&rep, true, &local), None);
    let _ = ReportRequest::No;
}

#[test]
fn an_unbound_passive_session_sends_no_keepalive() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    assert_eq!(b.poll_timeout(), None);
    b.handle_timeout(t0 + Duration::from_secs(600));
    assert_eq!(b.poll_output(), None);
}

#[test]
fn refused_messages_keep_their_code_for_later_chunks() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let mut first = chunk("tx1", "m12", "1-2/4", b"ab", Continuation::More);
    first.headers[4].1 = "image/png".into();
    let second = chunk("tx2", "m12", "3-4/4", b"cd", Continuation::Complete);
    let seen = feed(&mut b, &[first, second], t0);
    assert_eq!(
        seen.frames.iter().map(|f| f.status()).collect::<Vec<_>>(),
        vec![Some(415), Some(415)]
    );
}

#[test]
fn chunks_through_relays_are_at_most_10_kib() {
    let (mut a_cfg, _) = configs();
    a_cfg.chunk_size = 64 * 1024;
    assert_eq!(a_cfg.effective_chunk_size(), 64 * 1024);
    a_cfg.relays = vec![uri("msrps://relay.example.com:2855;tcp")];
    assert_eq!(a_cfg.effective_chunk_size(), RELAY_MAX_CHUNK_SIZE);
    let (_, mut b_cfg) = configs();
    b_cfg.chunk_size = 64 * 1024;
    b_cfg
        .remote_path
        .insert(0, uri("msrps://relay.example.net:2855;tcp"));
    assert_eq!(
        b_cfg.effective_chunk_size(),
        RELAY_MAX_CHUNK_SIZE,
        "a relay on the peer's side counts too"
    );
    assert_eq!(
        MsrpUri::format_path(&a_cfg.local_path()),
        format!("msrps://relay.example.com:2855;tcp {A}")
    );
}

#[test]
fn a_passive_runtime_routes_the_first_frame_then_hands_over_the_stream() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut bytes = chunk("tx1", "m20", "1-3/6", b"abc", Continuation::More).to_bytes();
    bytes.extend(chunk("tx2", "m20", "4-6/6", b"def", Continuation::Complete).to_bytes());
    let mut router = FrameDecoder::new();
    router.push(&bytes[..bytes.len() - 5]);
    let first = router.next_frame().unwrap().unwrap();
    assert_eq!(target_session_id(&first).as_deref(), Some("kjhd37s2s20w2a"));
    let mut b = Session::new(b_cfg, 2, t0);
    b.open(t0);
    b.handle_frame(first, t0);
    b.handle_bytes(&router.take_buffered(), t0);
    b.handle_bytes(&bytes[bytes.len() - 5..], t0);
    let mut seen = Seen::default();
    drain(&mut b, &mut seen);
    assert!(seen.events.contains(&SessionEvent::MessageReceived {
        message_id: "m20".into(),
        content_type: "text/plain".into(),
        body: b"abcdef".to_vec()
    }));
}

#[test]
fn failure_report_partial_matches_a_late_negative_answer() {
    let t0 = Instant::now();
    let (a_cfg, mut b_cfg) = configs();
    b_cfg.max_incoming_size = 3;
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let opts = ReportOptions {
        success: false,
        failure: ReportRequest::Partial,
    };
    let id = a
        .send_message("text/plain", b"too long".to_vec(), opts, t0)
        .unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert_eq!(sb.frames.len(), 1);
    assert_eq!(sb.frames[0].status(), Some(413));
    assert!(sa.events.contains(&SessionEvent::MessageSent {
        message_id: id.clone()
    }));
    assert!(!sa.events.contains(&SessionEvent::MessageDelivered {
        message_id: id.clone()
    }));
    assert!(sa.events.iter().any(
        |e| matches!(e, SessionEvent::MessageFailed { message_id, code: Some(413), .. } if *message_id == id)
    ));
}

#[test]
fn an_empty_streamed_message_arrives_and_waits_for_its_report() {
    let t0 = Instant::now();
    let (a_cfg, mut b_cfg) = configs();
    b_cfg.incoming_mode = IncomingMode::Stream;
    b_cfg.accept_types.push("application/*".into());
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let reports = ReportOptions {
        success: true,
        ..ReportOptions::default()
    };
    let id = a
        .begin_message("application/octet-stream", 0, reports, t0)
        .unwrap();
    let req = a.data_wanted().unwrap();
    assert_eq!(req.offset, 0);
    a.push_data(&id, &[], t0).unwrap();
    let (mut seen_a, mut seen_b) = (Seen::default(), Seen::default());
    b.handle_bytes(&drain(&mut a, &mut seen_a), t0);
    a.handle_bytes(&drain(&mut b, &mut seen_b), t0);
    drain(&mut a, &mut seen_a);
    assert!(
        seen_b
            .events
            .iter()
            .any(|e| matches!(e, SessionEvent::StreamComplete { size: 0, .. })),
        "an empty SEND with a Content-Type is a message, not a keep-alive: {:?}",
        seen_b.events
    );
    let delivered = SessionEvent::MessageDelivered {
        message_id: id.clone(),
    };
    assert!(
        !seen_a.events.contains(&delivered),
        "the 200 alone is not delivery"
    );
    b.confirm_received(&id, t0);
    a.handle_bytes(&drain(&mut b, &mut seen_b), t0);
    drain(&mut a, &mut seen_a);
    assert!(seen_a.events.contains(&delivered), "{:?}", seen_a.events);
}

#[test]
fn through_a_relay_unanswered_bytes_stay_below_its_write_queue() {
    let t0 = Instant::now();
    let relay = uri("msrps://relay.example.com:2855;tcp");
    let (mut a_cfg, _) = configs();
    a_cfg.relays = vec![relay.clone()];
    let mut a = Session::new(a_cfg, 3, t0);
    a.open(t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    a.handle_frame(Frame::response_to(&seen.frames[0], 200, &relay), t0);
    let size = 3 * 1024 * 1024;
    let id = a
        .send_message(
            "application/octet-stream",
            vec![b'f'; size],
            ReportOptions::default(),
            t0,
        )
        .unwrap();
    let mut sent = 0;
    let mut most_unanswered = 0;
    let mut rounds = 0;
    let mut now = t0;
    let mut events = Vec::new();
    loop {
        let mut seen = Seen::default();
        drain(&mut a, &mut seen);
        events.extend(seen.events.iter().cloned());
        let chunks: Vec<Frame> = sends_with_body(&seen).into_iter().cloned().collect();
        if chunks.is_empty() && sent < size {
            // A relay that keeps the far end's answers: after a short
            // wait its own 200s pace the sending.
            now = a.poll_timeout().unwrap();
            assert!(now <= t0 + FAR_ANSWER_PROBE, "waits only once, briefly");
            a.handle_timeout(now);
            continue;
        }
        if chunks.is_empty() {
            break;
        }
        rounds += 1;
        let unanswered: usize = chunks.iter().map(|f| f.body.len()).sum();
        most_unanswered = most_unanswered.max(unanswered);
        sent += unanswered;
        // The relay answers what it passed on; then the next go.
        for f in &chunks {
            a.handle_frame(Frame::response_to(f, 200, &relay), now);
        }
    }
    assert_eq!(sent, size, "every byte went");
    assert!(
        most_unanswered <= RELAY_MAX_BYTES_IN_FLIGHT,
        "{most_unanswered} bytes unanswered at once"
    );
    assert!(
        most_unanswered >= 2 * RELAY_MAX_CHUNK_SIZE,
        "still two chunks at a time"
    );
    assert!(rounds > size / RELAY_MAX_BYTES_IN_FLIGHT, "{rounds} rounds");
    assert!(events.contains(&SessionEvent::MessageSent { message_id: id }));

    // Direct, the chunk count alone bounds it.
    let (a_cfg, _) = configs();
    assert_eq!(a_cfg.effective_bytes_in_flight(), None);
}

#[test]
fn a_relay_that_answers_at_once_does_not_pace_when_the_far_end_answers_too() {
    // Kamailio's relay answers 200 on receipt and passes the far end's
    // answer on later: then the far end's answers pace the sending.
    let t0 = Instant::now();
    let relay = uri("msrps://relay.example.com:2855;tcp");
    let (mut a_cfg, _) = configs();
    a_cfg.relays = vec![relay.clone()];
    let peer = a_cfg.remote_path.last().unwrap().clone();
    let mut a = Session::new(a_cfg, 4, t0);
    a.open(t0);
    let mut seen = Seen::default();
    drain(&mut a, &mut seen);
    a.handle_frame(Frame::response_to(&seen.frames[0], 200, &relay), t0);
    let size = 1024 * 1024;
    a.send_message(
        "application/octet-stream",
        vec![b'f'; size],
        ReportOptions::default(),
        t0,
    )
    .unwrap();
    let mut waiting_far: VecDeque<Frame> = VecDeque::new();
    let mut sent = 0;
    let mut most_unconfirmed = 0;
    let mut stalls = 0;
    while sent < size {
        let mut seen = Seen::default();
        drain(&mut a, &mut seen);
        let chunks: Vec<Frame> = sends_with_body(&seen).into_iter().cloned().collect();
        for f in &chunks {
            sent += f.body.len();
            // The relay's own 200 at once...
            a.handle_frame(Frame::response_to(f, 200, &relay), t0);
            waiting_far.push_back(f.clone());
        }
        let unconfirmed: usize = waiting_far.iter().map(|f| f.body.len()).sum();
        most_unconfirmed = most_unconfirmed.max(unconfirmed);
        if chunks.is_empty() {
            stalls += 1;
        }
        // ...the far end's answers later, one per round.
        if let Some(f) = waiting_far.pop_front() {
            a.handle_frame(Frame::response_to(&f, 200, &peer), t0);
        }
        assert!(stalls < 10, "no progress");
    }
    assert!(
        most_unconfirmed <= RELAY_MAX_BYTES_IN_FLIGHT,
        "{most_unconfirmed} bytes not answered by the far end"
    );
}
