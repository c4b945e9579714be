#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Three frames back to back: a chunk whose body holds a near-miss end-line,
/// a response, and a frame with an empty line but empty body.
fn stream() -> (Vec<u8>, Vec<Frame>) {
    let mut a = Frame::request("a786hjs2", Method::Send);
    a.push_header("To-Path", "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp");
    a.push_header("From-Path", "msrp://atlanta.example.com:7654/jshA7weztas;tcp");
    a.push_header("Message-ID", "87652491");
    a.push_header("Byte-Range", "1-*/*");
    a.push_header("X-Unknown", "kept");
    a.body = b"Hey\r\n-------a786hjs2 not the end\r\n-------a786hjs2x\r\n".to_vec();
    a.continuation = Continuation::More;
    let mut b = Frame::request("a786hjs2", Method::Report);
    b.kind = FrameKind::Response {
        code: 200,
        comment: Some("OK".into()),
    };
    b.push_header("To-Path", "msrp://atlanta.example.com:7654/jshA7weztas;tcp");
    let mut c = Frame::request("dkei38sd", Method::Other("FOO".into()));
    c.continuation = Continuation::Abort;
    let mut bytes = a.to_bytes();
    bytes.extend(b.to_bytes());
    bytes.extend(c.to_bytes());
    (bytes, vec![a, b, c])
}

fn decode_in_pieces(bytes: &[u8], sizes: &mut dyn FnMut() -> usize) -> Vec<Frame> {
    let mut d = FrameDecoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + sizes()).min(bytes.len());
        d.push(&bytes[at..end]);
        at = end;
        while let Some(f) = d.next_frame().unwrap() {
            out.push(f);
        }
    }
    assert_eq!(d.buffered(), 0);
    out
}

#[test]
fn one_byte_at_a_time() {
    let (bytes, frames) = stream();
    assert_eq!(decode_in_pieces(&bytes, &mut || 1), frames);
}

#[test]
fn random_splits() {
    let (bytes, frames) = stream();
    let mut rng = StdRng::seed_from_u64(4975);
    for _ in 0..200 {
        let max = rng.gen_range(1..64);
        let got = decode_in_pieces(&bytes, &mut || rng.gen_range(1..=max));
        assert_eq!(got, frames);
    }
}

#[test]
fn empty_line_before_end_line_is_an_empty_body() {
    let mut d = FrameDecoder::new();
    d.push(b"MSRP abc SEND\r\nContent-Type: text/plain\r\n\r\n-------abc$\r\n");
    let f = d.next_frame().unwrap().unwrap();
    assert!(f.body.is_empty());
    assert_eq!(f.content_type().as_deref(), Some("text/plain"));
}

#[test]
fn framing_errors_are_reported_and_sticky() {
    for (input, want) in [
        (
            &b"HTTP/1.1 200 OK\r\n"[..],
            FrameError::BadStartLine("it does not start with MSRP"),
        ),
        (b"MSRP ab SEND\r\n", FrameError::BadTransactionId),
        (
            b"MSRP abc send\r\n",
            FrameError::BadStartLine("the method is not upper-case letters"),
        ),
        (
            b"MSRP abc SEND\r\nno colon here\r\n",
            FrameError::BadHeaderLine(1),
        ),
        (
            b"MSRP abc 20 OK\r\n",
            FrameError::BadStartLine("the status code is not three digits"),
        ),
        (b"MSRP abc SEND\r\nTo-Path: \xff\r\n", FrameError::NotUtf8),
    ] {
        let mut d = FrameDecoder::new();
        d.push(input);
        assert_eq!(
            d.next_frame(),
            Err(want.clone()),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        d.push(b"MSRP abc SEND\r\n-------abc$\r\n");
        assert_eq!(d.next_frame(), Err(want));
    }
}

#[test]
fn limits() {
    let mut d = FrameDecoder::new();
    d.push(b"MSRP abc SEND\r\nX: ");
    d.push(&vec![b'a'; MAX_HEADER_SECTION_BYTES]);
    assert_eq!(d.next_frame(), Err(FrameError::HeadersTooLong));

    let mut d = FrameDecoder::new();
    let mut head = b"MSRP abc SEND\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        head.extend(format!("X-{i}: v\r\n").as_bytes());
    }
    d.push(&head);
    assert_eq!(d.next_frame(), Err(FrameError::TooManyHeaders));

    let mut d = FrameDecoder::new();
    d.push(b"MSRP abc SEND\r\n\r\n");
    let piece = vec![b'x'; 64 * 1024];
    let mut result = Ok(None);
    for _ in 0..(MAX_CHUNK_BODY_BYTES / piece.len() + 2) {
        d.push(&piece);
        result = d.next_frame();
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(FrameError::BodyTooLarge));
}

#[test]
fn a_maximal_body_is_accepted() {
    let mut f = Frame::request("abc", Method::Send);
    f.body = vec![b'y'; MAX_CHUNK_BODY_BYTES];
    let mut d = FrameDecoder::new();
    for piece in f.to_bytes().chunks(100_000) {
        d.push(piece);
    }
    assert_eq!(d.next_frame().unwrap().unwrap().body.len(), MAX_CHUNK_BODY_BYTES);
}

#[test]
fn take_buffered_hands_over_the_rest_of_the_stream() {
    let (bytes, frames) = stream();
    let first_len = frames[0].to_bytes().len();
    let mut d = FrameDecoder::new();
    d.push(&bytes[..first_len + 10]);
    assert_eq!(d.next_frame().unwrap(), Some(frames[0].clone()));
    assert_eq!(d.next_frame().unwrap(), None);
    let mut rest = d.take_buffered();
    assert_eq!(rest.len(), 10);
    assert_eq!(d.buffered(), 0);
    rest.extend_from_slice(&bytes[first_len + 10..]);
    let mut other = FrameDecoder::new();
    other.push(&rest);
    assert_eq!(other.next_frame().unwrap(), Some(frames[1].clone()));
    assert_eq!(other.next_frame().unwrap(), Some(frames[2].clone()));
}

#[test]
fn take_buffered_in_the_middle_of_a_body_hands_over_its_header_too() {
    let (bytes, frames) = stream();
    let first = frames[0].to_bytes();
    let header_end = memchr::memmem::find(&first, b"\r\n\r\n").unwrap() + 4;
    let mut d = FrameDecoder::new();
    d.push(&bytes[..header_end + 3]);
    assert_eq!(d.next_frame().unwrap(), None);
    assert_eq!(d.buffered(), header_end + 3);
    let mut rest = d.take_buffered();
    assert_eq!(rest, bytes[..header_end + 3]);
    rest.extend_from_slice(&bytes[header_end + 3..]);
    let mut other = FrameDecoder::new();
    other.push(&rest);
    assert_eq!(other.next_frame().unwrap(), Some(frames[0].clone()));
    assert_eq!(other.next_frame().unwrap(), Some(frames[1].clone()));
}

#[test]
fn a_large_body_comes_out_whole_and_without_spare_room() {
    let mut f = Frame::request("bigbody1", Method::Send);
    f.push_header("Byte-Range", "1-262144/262144");
    f.body = (0..262_144u32).map(|i| (i % 251) as u8).collect();
    let mut bytes = f.to_bytes();
    bytes.extend(Frame::request("nextone2", Method::Send).to_bytes());
    for read in [65_536, 262_144, 300_000] {
        let mut d = FrameDecoder::new();
        let mut got = Vec::new();
        for piece in bytes.chunks(read) {
            d.push(piece);
            while let Some(frame) = d.next_frame().unwrap() {
                got.push(frame);
            }
        }
        assert_eq!(got.len(), 2, "reads of {read}");
        assert_eq!(got[0], f, "reads of {read}");
        assert!(got[0].body.capacity() < f.body.len() + 4096, "reads of {read}");
        assert_eq!(got[1].transaction_id, "nextone2");
    }
}

/// Like [`decode_in_pieces`], but the pieces are appended to the lent
/// buffer the way the runtime reads from its socket, and the buffer goes
/// back and forth with nothing read in between too.
fn decode_in_place(bytes: &[u8], cuts: &[usize]) -> Vec<Frame> {
    let mut d = FrameDecoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &end in cuts.iter().chain([bytes.len()].iter()) {
        let (buf, _) = d.lend(16);
        d.restore(buf);
        let (mut buf, _) = d.lend(16);
        buf.extend_from_slice(&bytes[at..end]);
        assert_eq!(d.next_frame(), Ok(None), "no frames while the buffer is lent");
        d.restore(buf);
        at = end;
        while let Some(f) = d.next_frame().unwrap() {
            out.push(f);
        }
    }
    assert_eq!(d.buffered(), 0);
    out
}

#[test]
fn bytes_read_into_the_lent_buffer_split_at_every_byte_boundary() {
    let (bytes, frames) = stream();
    for cut in 0..=bytes.len() {
        assert_eq!(decode_in_place(&bytes, &[cut]), frames, "cut at {cut}");
    }
    let every: Vec<usize> = (1..bytes.len()).collect();
    assert_eq!(decode_in_place(&bytes, &every), frames);
}

#[test]
fn bytes_pushed_while_the_buffer_is_lent_are_not_lost() {
    let (bytes, frames) = stream();
    let mut d = FrameDecoder::new();
    let (mut buf, _) = d.lend(8);
    buf.extend_from_slice(&bytes[..10]);
    d.push(&bytes[10..]);
    d.restore(buf);
    let mut out = Vec::new();
    while let Some(f) = d.next_frame().unwrap() {
        out.push(f);
    }
    assert_eq!(out, frames);
}

/// A file chunk large enough for a buffer of its own, between small frames.
fn file_stream() -> (Vec<u8>, Vec<Frame>) {
    let len = OWN_BUFFER_BODY_BYTES + 1000;
    let mut big = Frame::request("filechunk1", Method::Send);
    big.push_header("Message-ID", "m1");
    big.push_header("Byte-Range", format!("1-{len}/{}", len * 2));
    // A near-miss end-line inside the body, and one at its very start.
    let mut body: Vec<u8> = b"\r\n-------filechunk1x".to_vec();
    body.extend((body.len()..len).map(|i| (i % 251) as u8));
    big.body = body;
    big.continuation = Continuation::More;
    let (small, mut frames) = stream();
    let mut bytes = small.clone();
    bytes.extend(big.to_bytes());
    bytes.extend(&small);
    let tail = frames.clone();
    frames.push(big);
    frames.extend(tail);
    (bytes, frames)
}

/// Reads `bytes` the way the runtime does: each read appends at most what
/// the lent buffer has room for (never growing it) and at most `most`.
fn read_like_a_socket(bytes: &[u8], most: &mut dyn FnMut() -> usize) -> Vec<Frame> {
    let mut d = FrameDecoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (mut buf, room) = d.lend(65_536);
        assert!(buf.capacity() - buf.len() >= room, "the room is there");
        let end = (at + room.min(most()).max(1)).min(bytes.len());
        buf.extend_from_slice(&bytes[at..end]);
        d.restore(buf);
        at = end;
        while let Some(f) = d.next_frame().unwrap() {
            if f.body.len() >= OWN_BUFFER_BODY_BYTES {
                // As the runtime does once the body is on disk: a used
                // buffer, with old bytes in it, for the next large body.
                let mut used = vec![7u8; 10];
                used.reserve(f.body.len() + 100);
                d.give_spare(used);
            }
            out.push(f);
        }
    }
    assert_eq!(d.buffered(), 0);
    out
}

#[test]
fn a_large_body_read_into_the_lent_buffer_comes_out_whole_for_any_read_size() {
    let (mut bytes, mut frames) = file_stream();
    bytes.extend(bytes.clone());
    frames.extend(frames.clone());
    for most in [1 << 20, 65_536, 4096, 1000, 17] {
        let got = read_like_a_socket(&bytes, &mut || most);
        assert_eq!(got, frames, "reads of at most {most}");
        for body in [&got[3].body, &got[10].body] {
            assert!(body.capacity() < body.len() + 4096, "reads of at most {most}");
        }
    }
    let mut rng = StdRng::seed_from_u64(4976);
    for _ in 0..20 {
        assert_eq!(
            read_like_a_socket(&bytes, &mut || rng.gen_range(1..100_000)),
            frames
        );
    }
}

#[test]
fn a_large_body_split_at_byte_boundaries_around_its_header_and_end_line() {
    let (bytes, frames) = file_stream();
    let start = memchr::memmem::find(&bytes, b"MSRP filechunk1").unwrap();
    let end = start + frames[3].to_bytes().len();
    let cuts = (start.saturating_sub(50)..start + 700)
        .chain((start + 700..end - 700).step_by(997))
        .chain(end - 700..(end + 50).min(bytes.len()));
    for cut in cuts {
        assert_eq!(decode_in_place(&bytes, &[cut]), frames, "cut at {cut}");
    }
}

#[test]
fn take_buffered_in_the_middle_of_a_large_body_hands_over_its_header_too() {
    let (bytes, frames) = file_stream();
    let start = memchr::memmem::find(&bytes, b"MSRP filechunk1").unwrap();
    let mut d = FrameDecoder::new();
    let (mut buf, _) = d.lend(65_536);
    buf.extend_from_slice(&bytes[..start + 2000]);
    d.restore(buf);
    for frame in &frames[..3] {
        assert_eq!(d.next_frame().unwrap().as_ref(), Some(frame));
    }
    assert_eq!(d.next_frame().unwrap(), None);
    let (mut buf, _) = d.lend(65_536);
    buf.extend_from_slice(&bytes[start + 2000..start + 3000]);
    d.restore(buf);
    assert_eq!(d.next_frame().unwrap(), None);
    assert_eq!(d.buffered(), 3000);
    let mut rest = d.take_buffered();
    assert_eq!(rest, bytes[start..start + 3000]);
    rest.extend_from_slice(&bytes[start + 3000..]);
    let mut other = FrameDecoder::new();
    other.push(&rest);
    let mut got = Vec::new();
    while let Some(f) = other.next_frame().unwrap() {
        got.push(f);
    }
    assert_eq!(got, frames[3..]);
}
