#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::protocol::msrp::frame::{Continuation, Method};
use crate::protocol::msrp::FrameDecoder;

fn chunk(body_len: usize, continuation: Continuation) -> Frame {
    let mut f = Frame::request("a8f3k2x", Method::Send);
    f.push_header("To-Path", "msrp://127.0.0.1:2855/bob;tcp");
    f.push_header("From-Path", "msrp://127.0.0.1:2856/alice;tcp");
    f.push_header("Message-ID", "m4b9");
    f.push_header("Byte-Range", format!("1-{body_len}/{body_len}"));
    f.push_header("Content-Type", "application/octet-stream");
    f.body = (0..body_len).map(|i| (i * 7 % 251) as u8).collect();
    f.continuation = continuation;
    f
}

/// The parts, joined, are exactly the bytes `to_bytes` makes.
fn same_bytes(frame: &Frame) {
    let whole = frame.to_bytes();
    let wire = WireFrame::from(frame.clone());
    assert_eq!(wire.len(), whole.len());
    assert_eq!(wire.to_vec(), whole);
    assert_eq!(wire.parts().concat(), whole);
    assert_eq!(wire.into_body(), frame.body, "the body is the frame's own buffer");
}

#[test]
fn parts_join_to_the_serialised_frame_for_every_body_size() {
    for len in [0, 1, 2, 2048, 10 * 1024, 256 * 1024] {
        for c in [Continuation::Complete, Continuation::More, Continuation::Abort] {
            same_bytes(&chunk(len, c));
        }
    }
    let mut answer = Frame::request("x1y2z3", Method::Send);
    answer.kind = FrameKind::Response {
        code: 200,
        comment: Some("OK".into()),
    };
    answer.push_header("To-Path", "msrp://a.example:1/s;tcp");
    same_bytes(&answer);
    answer.kind = FrameKind::Response {
        code: 413,
        comment: None,
    };
    same_bytes(&answer);
}

#[test]
fn parts_join_to_the_serialised_frame_for_the_fuzz_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/seeds/msrp_frame");
    let mut frames = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        // The first byte of a seed picks the fuzz target's split.
        let mut decoder = FrameDecoder::new();
        decoder.push(bytes.get(1..).unwrap_or_default());
        while let Ok(Some(frame)) = decoder.next_frame() {
            same_bytes(&frame);
            frames += 1;
        }
    }
    assert!(frames >= 18, "the corpus was read ({frames} frames)");
}

#[test]
fn bytes_made_elsewhere_are_one_part() {
    let wire = WireFrame::from(b"MSRP abc AUTH\r\n-------abc$\r\n".to_vec());
    assert_eq!(wire.parts()[0], b"MSRP abc AUTH\r\n-------abc$\r\n");
    assert!(wire.parts()[1].is_empty() && wire.parts()[2].is_empty());
    assert!(WireFrame::default().is_empty());
}
