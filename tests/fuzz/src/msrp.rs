//! Bodies of the MSRP, CPIM and IM XML fuzz targets. Included by
//! `src/lib.rs` (for cargo-fuzz) and by `tests/msrp_vectors.rs` (to run
//! them over the vectors on stable).

use sipchat::protocol::cpim::CpimMessage;
use sipchat::protocol::imdn::Notification;
use sipchat::protocol::iscomposing::IsComposing;
use sipchat::protocol::msrp::frame::valid_transaction_id;
use sipchat::protocol::msrp::{
    refuse_connection, target_session_id, Frame, FrameDecoder, FrameKind, MsrpUri, Output, ReportOptions,
    Session, SessionConfig, SessionEvent,
};
use std::time::{Duration, Instant};

/// Feeds `bytes` to a decoder in pieces whose sizes cycle through
/// `1..=seed+1`; returns the frames before the first error (if any).
fn decode_split(bytes: &[u8], seed: u8) -> (Vec<Frame>, bool) {
    let mut d = FrameDecoder::new();
    let mut frames = Vec::new();
    let (mut at, mut size) = (0usize, 1usize);
    while at < bytes.len() {
        let end = (at + size).min(bytes.len());
        d.push(&bytes[at..end]);
        at = end;
        size = size % (usize::from(seed) + 1) + 1;
        loop {
            match d.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    return (frames, true);
                }
            }
        }
    }
    (frames, false)
}

fn exercise(f: &Frame) {
    let _ = (
        f.to_path(),
        f.from_path(),
        f.use_path(),
        f.message_id(),
        f.byte_range(),
    );
    let _ = (
        f.content_type(),
        f.success_report(),
        f.failure_report(),
        f.status_header(),
    );
    let _ = (
        f.seconds("Expires"),
        f.seconds("Min-Expires"),
        f.method(),
        f.status(),
    );
    let _ = target_session_id(f);
    if let Ok(local) = MsrpUri::parse("msrp://127.0.0.1:2855/fuzz;tcp") {
        if let Some(bytes) = refuse_connection(f, true, &local) {
            let mut d = FrameDecoder::new();
            d.push(&bytes);
            assert!(matches!(d.next_frame(), Ok(Some(_))), "our 506 does not decode");
        }
    }
}

/// The decoder over a split of the input (first byte: split sizes). Every
/// decoded frame is written back and must decode to itself, and decoding the
/// input in one piece must give the same frames as the split.
pub fn msrp_frame(data: &[u8]) {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let (frames, failed) = decode_split(rest, seed);
    let (whole, whole_failed) = decode_split(rest, 255);
    assert_eq!(frames, whole, "the split changed what was decoded");
    assert_eq!(failed, whole_failed, "the split changed whether the stream fails");
    for f in &frames {
        assert!(valid_transaction_id(&f.transaction_id));
        exercise(f);
        let wire = f.to_bytes();
        let mut d = FrameDecoder::new();
        d.push(&wire);
        match d.next_frame() {
            Ok(Some(again)) => assert_eq!(&again, f, "written as {:?}", String::from_utf8_lossy(&wire)),
            other => panic!(
                "a decoded frame, written back, does not decode: {other:?}; written as {:?}",
                String::from_utf8_lossy(&wire)
            ),
        }
        assert_eq!(d.buffered(), 0, "writing a frame added bytes after its end-line");
    }
}

const A: &str = "msrp://atlanta.example.com:7654/jshA7weztas;tcp";
const B: &str = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp";

fn uri(s: &str) -> MsrpUri {
    match MsrpUri::parse(s) {
        Ok(u) => u,
        Err(e) => panic!("{s}: {e}"),
    }
}

/// Drains a session, checking that everything it sends is a well formed
/// frame: a response carries a code we use and a To-Path/From-Path, a
/// request our paths. Returns the frames.
fn drain_checked(s: &mut Session) -> Vec<Frame> {
    let mut out = Vec::new();
    while let Some(o) = s.poll_output() {
        match o {
            Output::Transmit(wire) => {
                let bytes = wire.to_vec();
                let mut d = FrameDecoder::new();
                d.push(&bytes);
                let f = match d.next_frame() {
                    Ok(Some(f)) => f,
                    other => panic!(
                        "the session sent bytes that do not decode ({other:?}): {:?}",
                        String::from_utf8_lossy(&bytes)
                    ),
                };
                assert_eq!(d.buffered(), 0, "one Transmit holds exactly one frame");
                match &f.kind {
                    FrameKind::Response { code, .. } => {
                        assert!(
                            [200, 400, 403, 408, 413, 415, 423, 481, 501, 506].contains(code),
                            "we answered {code}"
                        );
                        assert!(f.from_path().is_ok(), "response without our From-Path");
                    }
                    FrameKind::Request(_) => {
                        assert!(
                            f.to_path().is_ok() && f.from_path().is_ok(),
                            "request without paths"
                        );
                        assert!(
                            f.message_id().ok().flatten().is_some(),
                            "request without Message-ID"
                        );
                    }
                }
                out.push(f);
            }
            Output::Event(
                SessionEvent::MessageFailed { reason, .. } | SessionEvent::SessionFailed { reason },
            ) => {
                assert!(!reason.is_empty());
            }
            Output::Event(_) => {}
        }
    }
    out
}

/// A passive session fed the input (split by its first byte), and an active
/// one with a message in flight that gets the input's frames as answers
/// (their transaction ids replaced by the pending ones). Then five virtual
/// minutes of timers. Nothing may panic; everything sent must be well formed.
pub fn msrp_session(data: &[u8]) {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let t0 = Instant::now();
    let mut cfg_b = SessionConfig::new(uri(B), vec![uri(A)], false);
    cfg_b.max_incoming_size = 4096;
    cfg_b.accept_types.push("application/*".into());
    cfg_b.report_after_confirm = seed % 2 == 0;
    let mut b = Session::new(cfg_b, 2, t0);
    b.open(t0);
    let mut at = 0;
    let step = usize::from(seed % 32) + 1;
    while at < rest.len() {
        let end = (at + step).min(rest.len());
        b.handle_bytes(&rest[at..end], t0);
        drain_checked(&mut b);
        at = end;
    }
    let _ = b.send_message("text/plain", b"reply".to_vec(), ReportOptions::default(), t0);
    drain_checked(&mut b);

    let mut cfg_a = SessionConfig::new(uri(A), vec![uri(B)], true);
    cfg_a.chunk_size = 64;
    let mut a = Session::new(cfg_a, 1, t0);
    a.open(t0);
    let bind = drain_checked(&mut a);
    if let Some(first) = bind.first() {
        a.handle_frame(Frame::response_to(first, 200, &uri(B)), t0);
    }
    let opts = ReportOptions {
        success: seed % 3 == 0,
        ..ReportOptions::default()
    };
    let _ = a.send_message("text/plain", vec![b'q'; 300], opts, t0);
    let sent = drain_checked(&mut a);
    let (frames, _) = decode_split(rest, 255);
    for (i, mut f) in frames.into_iter().enumerate() {
        if f.status().is_some() {
            if let Some(req) = sent.get(i % sent.len().max(1)) {
                f.transaction_id = req.transaction_id.clone();
            }
        }
        a.handle_frame(f, t0);
        drain_checked(&mut a);
    }
    let end = t0 + Duration::from_secs(300);
    for s in [&mut a, &mut b] {
        for _ in 0..50 {
            match s.poll_timeout() {
                Some(when) if when <= end => {
                    s.handle_timeout(when);
                    drain_checked(s);
                }
                _ => break,
            }
        }
    }
}

/// CPIM parse, accessors, and the round trip `parse(to_bytes(m)) == m`.
pub fn cpim(data: &[u8]) {
    let Ok(m) = CpimMessage::parse(data) else {
        return;
    };
    let _ = (m.from(), m.to(), m.subject(), m.date_time(), m.imdn_message_id());
    let _ = (m.disposition_notification(), m.content_type());
    let wire = m.to_bytes();
    match CpimMessage::parse(&wire) {
        Ok(again) => assert_eq!(again, m, "written as {:?}", String::from_utf8_lossy(&wire)),
        Err(e) => panic!("a parsed CPIM message, written back, does not parse: {e}"),
    }
}

/// IMDN and isComposing documents: parse, write, parse back equal.
pub fn im_xml(data: &[u8]) {
    if let Ok(n) = Notification::parse(data) {
        let xml = n.to_xml();
        match Notification::parse(xml.as_bytes()) {
            Ok(again) => assert_eq!(again, n, "written as {xml:?}"),
            Err(e) => panic!("a parsed notification, written back, does not parse: {e}; {xml:?}"),
        }
    }
    if let Ok(c) = IsComposing::parse(data) {
        let xml = c.to_xml();
        match IsComposing::parse(xml.as_bytes()) {
            Ok(again) => assert_eq!(again, c, "written as {xml:?}"),
            Err(e) => panic!("a parsed isComposing, written back, does not parse: {e}; {xml:?}"),
        }
    }
}
