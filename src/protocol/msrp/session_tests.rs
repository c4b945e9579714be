#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::super::decoder::FrameDecoder;
use super::super::frame::{FrameKind, Method};
use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub(super) const A: &str = "msrp://atlanta.example.com:7654/jshA7weztas;tcp";
pub(super) const B: &str = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp";

pub(super) fn uri(s: &str) -> MsrpUri {
    MsrpUri::parse(s).unwrap()
}

pub(super) fn configs() -> (SessionConfig, SessionConfig) {
    let a = SessionConfig::new(uri(A), vec![uri(B)], true);
    let b = SessionConfig::new(uri(B), vec![uri(A)], false);
    (a, b)
}

/// Everything one side put out during a pump: frames sent and events.
#[derive(Default, Debug)]
pub(super) struct Seen {
    pub(super) frames: Vec<Frame>,
    pub(super) events: Vec<SessionEvent>,
}

pub(super) fn drain(s: &mut Session, seen: &mut Seen) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut decoder = FrameDecoder::new();
    while let Some(o) = s.poll_output() {
        match o {
            Output::Transmit(b) => {
                let b = b.to_vec();
                decoder.push(&b);
                while let Some(f) = decoder.next_frame().unwrap() {
                    seen.frames.push(f);
                }
                bytes.extend(b);
            }
            Output::Event(e) => seen.events.push(e),
        }
    }
    bytes
}

/// Runs both sessions until neither has anything to say.
pub(super) fn pump(a: &mut Session, b: &mut Session, now: Instant) -> (Seen, Seen) {
    let (mut sa, mut sb) = (Seen::default(), Seen::default());
    for _ in 0..100_000 {
        let to_b = drain(a, &mut sa);
        if !to_b.is_empty() {
            b.handle_bytes(&to_b, now);
        }
        let to_a = drain(b, &mut sb);
        if !to_a.is_empty() {
            a.handle_bytes(&to_a, now);
        }
        if to_a.is_empty() && to_b.is_empty() {
            return (sa, sb);
        }
    }
    panic!("sessions never went quiet");
}

pub(super) fn open_pair(a_cfg: SessionConfig, b_cfg: SessionConfig, t0: Instant) -> (Session, Session) {
    let mut a = Session::new(a_cfg, 1, t0);
    let mut b = Session::new(b_cfg, 2, t0);
    a.open(t0);
    b.open(t0);
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert_eq!(sa.events, vec![SessionEvent::Opened]);
    assert_eq!(sb.events, vec![SessionEvent::Opened]);
    (a, b)
}

pub(super) fn sends_with_body(seen: &Seen) -> Vec<&Frame> {
    seen.frames
        .iter()
        .filter(|f| f.method() == Some(&Method::Send) && !f.body.is_empty())
        .collect()
}

pub(super) fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen()).collect()
}

#[test]
fn active_side_binds_with_an_empty_send() {
    let t0 = Instant::now();
    let (a_cfg, b_cfg) = configs();
    let mut a = Session::new(a_cfg, 1, t0);
    let mut b = Session::new(b_cfg, 2, t0);
    a.open(t0);
    b.open(t0);
    let mut seen = Seen::default();
    let bytes = drain(&mut a, &mut seen);
    assert_eq!(seen.frames.len(), 1);
    let first = &seen.frames[0];
    assert_eq!(first.method(), Some(&Method::Send));
    assert!(first.body.is_empty());
    assert_eq!(first.header("To-Path"), Some(B));
    assert_eq!(first.header("From-Path"), Some(A));
    // The passive side says nothing before the peer's first request, even
    // with a message queued.
    b.send_message("text/plain", b"early".to_vec(), ReportOptions::default(), t0)
        .unwrap();
    assert_eq!(b.poll_output(), None);
    b.handle_bytes(&bytes, t0);
    let mut seen_b = Seen::default();
    let answer = drain(&mut b, &mut seen_b);
    assert_eq!(seen_b.events[0], SessionEvent::Opened);
    assert_eq!(seen_b.frames[0].status(), Some(200));
    assert_eq!(seen_b.frames[0].header("To-Path"), Some(A));
    assert_eq!(
        sends_with_body(&seen_b).len(),
        1,
        "the queued message goes once bound"
    );
    a.handle_bytes(&answer, t0);
    assert!(a.is_bound());
}

#[test]
fn hundred_kib_in_ten_kib_chunks_back_to_back() {
    let t0 = Instant::now();
    let (mut a_cfg, b_cfg) = configs();
    a_cfg.chunk_size = 10 * 1024;
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let body = random_bytes(100 * 1024, 7);
    let id = a
        .send_message("text/plain", body.clone(), ReportOptions::default(), t0)
        .unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    let chunks = sends_with_body(&sa);
    assert_eq!(chunks.len(), 10);
    assert!(chunks.iter().all(|f| f.body.len() == 10 * 1024));
    assert_eq!(chunks[9].continuation, Continuation::Complete);
    assert!(chunks[..9].iter().all(|f| f.continuation == Continuation::More));
    assert_eq!(chunks[3].header("Byte-Range"), Some("30721-40960/102400"));
    let received: Vec<_> = sb
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::MessageReceived {
                message_id,
                content_type,
                body,
            } => Some((message_id, content_type, body)),
            _ => None,
        })
        .collect();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, &id);
    assert_eq!(received[0].1, "text/plain");
    assert!(received[0].2 == &body, "body differs");
    let progress: Vec<u64> = sa
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Progress { acknowledged, .. } => Some(*acknowledged),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 10);
    assert!(progress.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(progress.last(), Some(&(100 * 1024)));
    assert!(sa.events.contains(&SessionEvent::MessageSent {
        message_id: id.clone()
    }));
    assert!(
        sa.events
            .contains(&SessionEvent::MessageDelivered { message_id: id }),
        "direct: the 200s are delivery"
    );
}

/// A SEND from A to B, built by hand.
pub(super) fn chunk(txid: &str, message_id: &str, range: &str, body: &[u8], cont: Continuation) -> Frame {
    let mut f = Frame::request(txid, Method::Send);
    f.push_header("To-Path", B);
    f.push_header("From-Path", A);
    f.push_header("Message-ID", message_id);
    f.push_header("Byte-Range", range);
    f.push_header("Content-Type", "text/plain");
    f.body = body.to_vec();
    f.continuation = cont;
    f
}

pub(super) fn passive(b_cfg: SessionConfig, t0: Instant) -> Session {
    let mut b = Session::new(b_cfg, 2, t0);
    b.open(t0);
    b
}

pub(super) fn feed(b: &mut Session, frames: &[Frame], now: Instant) -> Seen {
    let mut seen = Seen::default();
    for f in frames {
        b.handle_bytes(&f.to_bytes(), now);
        drain(b, &mut seen);
    }
    seen
}

#[test]
fn reassembles_chunks_in_any_order() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let seen = feed(
        &mut b,
        &[
            chunk("tx3", "m1", "11-15/15", b"world", Continuation::Complete),
            chunk("tx1", "m1", "1-5/15", b"hello", Continuation::More),
            chunk("tx2", "m1", "6-10/15", b", big", Continuation::More),
        ],
        t0,
    );
    let statuses: Vec<_> = seen
        .frames
        .iter()
        .map(|f| (f.transaction_id.as_str(), f.status()))
        .collect();
    assert_eq!(
        statuses,
        vec![("tx3", Some(200)), ("tx1", Some(200)), ("tx2", Some(200))]
    );
    let got: Vec<_> = seen
        .events
        .iter()
        .filter(|e| matches!(e, SessionEvent::MessageReceived { .. }))
        .collect();
    assert_eq!(
        got,
        vec![&SessionEvent::MessageReceived {
            message_id: "m1".into(),
            content_type: "text/plain".into(),
            body: b"hello, bigworld".to_vec()
        }]
    );
}

#[test]
fn unknown_totals_complete_at_the_last_chunk() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let seen = feed(
        &mut b,
        &[
            chunk("tx1", "m2", "1-3/*", b"abc", Continuation::More),
            chunk("tx2", "m2", "4-*/*", b"def", Continuation::Complete),
        ],
        t0,
    );
    assert!(seen.events.contains(&SessionEvent::MessageReceived {
        message_id: "m2".into(),
        content_type: "text/plain".into(),
        body: b"abcdef".to_vec()
    }));
}

#[test]
fn incoming_abort_drops_the_message_and_later_chunks_are_refused() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let seen = feed(
        &mut b,
        &[
            chunk("tx1", "m3", "1-3/9", b"abc", Continuation::More),
            chunk("tx2", "m3", "4-6/9", b"def", Continuation::Abort),
            chunk("tx3", "m3", "7-9/9", b"ghi", Continuation::Complete),
        ],
        t0,
    );
    assert!(seen.events.contains(&SessionEvent::IncomingAborted {
        message_id: "m3".into()
    }));
    assert!(!seen
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::MessageReceived { .. })));
    assert_eq!(seen.frames.last().unwrap().status(), Some(413));
}

#[test]
fn too_large_is_refused_with_413_and_the_sender_stops() {
    let t0 = Instant::now();
    let (mut a_cfg, mut b_cfg) = configs();
    a_cfg.chunk_size = 1000;
    a_cfg.max_chunks_in_flight = 1;
    b_cfg.max_incoming_size = 2500;
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let id = a
        .send_message("text/plain", vec![b'x'; 5000], ReportOptions::default(), t0)
        .unwrap();
    let (sa, sb) = pump(&mut a, &mut b, t0);
    assert_eq!(sends_with_body(&sa).len(), 1, "no chunk after the 413");
    assert_eq!(sb.frames[0].status(), Some(413));
    let failed = sa
        .events
        .iter()
        .find(|e| matches!(e, SessionEvent::MessageFailed { .. }))
        .unwrap();
    match failed {
        SessionEvent::MessageFailed {
            message_id,
            code,
            reason,
        } => {
            assert_eq!(message_id, &id);
            assert_eq!(*code, Some(413));
            assert!(reason.contains("larger than the peer accepts"), "{reason}");
        }
        _ => unreachable!(),
    }
    assert!(!sb
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::MessageReceived { .. })));
}

#[test]
fn a_message_without_total_that_grows_too_large_gets_413() {
    let t0 = Instant::now();
    let (_, mut b_cfg) = configs();
    b_cfg.max_incoming_size = 4;
    let mut b = passive(b_cfg, t0);
    let seen = feed(
        &mut b,
        &[chunk("tx1", "m4", "1-5/*", b"abcde", Continuation::More)],
        t0,
    );
    assert_eq!(seen.frames[0].status(), Some(413));
}

#[test]
fn wrong_paths_get_481_and_bad_requests_400_501_415() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let mut wrong_to = chunk("tx1", "m5", "1-2/2", b"hi", Continuation::Complete);
    wrong_to.headers[0].1 = "msrp://biloxi.example.com:12763/OTHERsession;tcp".into();
    let mut wrong_from = chunk("tx2", "m5", "1-2/2", b"hi", Continuation::Complete);
    wrong_from.headers[1].1 = "msrp://mallory.example.com:7654/jshA7weztas;tcp".into();
    let mut no_message_id = chunk("tx3", "m5", "1-2/2", b"hi", Continuation::Complete);
    no_message_id.headers.retain(|(n, _)| n != "Message-ID");
    let mut unknown = chunk("tx4", "m5", "1-2/2", b"", Continuation::Complete);
    unknown.kind = FrameKind::Request(Method::Other("FROB".into()));
    let mut html = chunk("tx5", "m6", "1-2/2", b"hi", Continuation::Complete);
    html.headers[4].1 = "text/html".into();
    let mut bad_range = chunk("tx6", "m7", "1-9/2", b"hi", Continuation::Complete);
    bad_range.headers[3].1 = "1-9/2".into();
    let seen = feed(
        &mut b,
        &[wrong_to, wrong_from, no_message_id, unknown, html, bad_range],
        t0,
    );
    let statuses: Vec<_> = seen.frames.iter().map(|f| f.status()).collect();
    assert_eq!(
        statuses,
        vec![Some(481), Some(481), Some(400), Some(501), Some(415), Some(400)]
    );
    assert!(!b.is_bound() || seen.events.iter().all(|e| *e == SessionEvent::Opened));
    assert!(!seen
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::MessageReceived { .. })));
}

#[test]
fn first_send_may_carry_data_and_empty_sends_are_answered() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let mut keepalive = chunk("tx9", "k1", "1-0/0", b"", Continuation::Complete);
    keepalive.headers.retain(|(n, _)| n != "Content-Type");
    let seen = feed(
        &mut b,
        &[
            chunk("tx1", "m8", "1-2/2", b"hi", Continuation::Complete),
            keepalive,
        ],
        t0,
    );
    assert_eq!(seen.events[0], SessionEvent::Opened);
    assert!(matches!(&seen.events[1], SessionEvent::MessageReceived { body, .. } if body == b"hi"));
    assert_eq!(seen.events.len(), 2, "a keep-alive makes no event");
    assert_eq!(
        seen.frames.iter().map(|f| f.status()).collect::<Vec<_>>(),
        vec![Some(200), Some(200)]
    );
}

#[test]
fn failure_report_no_gets_no_response_and_partial_only_errors() {
    let t0 = Instant::now();
    let (_, b_cfg) = configs();
    let mut b = passive(b_cfg, t0);
    let mut quiet = chunk("tx1", "m9", "1-2/2", b"hi", Continuation::Complete);
    quiet.push_header("Failure-Report", "no");
    let mut partial_ok = chunk("tx2", "m10", "1-2/2", b"hi", Continuation::Complete);
    partial_ok.push_header("Failure-Report", "partial");
    let mut partial_bad = chunk("tx3", "m11", "1-2/2", b"hi", Continuation::Complete);
    partial_bad.push_header("Failure-Report", "partial");
    partial_bad.headers[4].1 = "image/png".into();
    let seen = feed(&mut b, &[quiet, partial_ok, partial_bad], t0);
    assert_eq!(seen.frames.len(), 1);
    assert_eq!(
        (seen.frames[0].transaction_id.as_str(), seen.frames[0].status()),
        ("tx3", Some(415))
    );
}

#[test]
fn messages_begin_in_the_order_sent_and_long_ones_take_turns() {
    let t0 = Instant::now();
    let (mut a_cfg, b_cfg) = configs();
    a_cfg.chunk_size = MIN_CHUNK_SIZE;
    let (mut a, mut b) = open_pair(a_cfg, b_cfg, t0);
    let long = vec![b'x'; MIN_CHUNK_SIZE * 3];
    let mut ids = vec![a
        .send_message("text/plain", long, ReportOptions::default(), t0)
        .unwrap()];
    let mut events = Vec::new();
    for i in 0..20 {
        // Some finish (and leave the queue) while others are still waiting.
        if i % 5 == 4 {
            events.extend(pump(&mut a, &mut b, t0).1.events);
        }
        ids.push(
            a.send_message(
                "text/plain",
                format!("short {i}").into_bytes(),
                ReportOptions::default(),
                t0,
            )
            .unwrap(),
        );
    }
    events.extend(pump(&mut a, &mut b, t0).1.events);
    let received: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::MessageReceived { message_id, .. } => Some(message_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(received.len(), ids.len(), "all arrive");
    // The short ones arrive in the order sent; the long one takes turns.
    let shorts: Vec<&String> = received.iter().filter(|id| *id != &ids[0]).collect();
    let expected: Vec<&String> = ids[1..].iter().collect();
    assert_eq!(shorts, expected);
}
