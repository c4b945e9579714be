use super::*;

const MSG: &[u8] = b"MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn frames_byte_by_byte_and_back_to_back() {
    // Messages may arrive in any pieces; a keep-alive ping is written in one
    // piece and arrives whole (a lone CRLF is read as a pong at once, so that
    // pongs are never held back waiting for more data).
    let mut f = StreamFramer::new();
    let mut frames = Vec::new();
    let pieces: Vec<&[u8]> = MSG
        .chunks(1)
        .chain(std::iter::once(&b"\r\n\r\n"[..]))
        .chain(MSG.chunks(1))
        .collect();
    for piece in pieces {
        f.push(piece);
        while let Some(frame) = f.next_frame().unwrap() {
            frames.push(frame);
        }
    }
    assert_eq!(
        frames,
        vec![
            Frame::Message(MSG.to_vec()),
            Frame::Ping,
            Frame::Message(MSG.to_vec())
        ]
    );
    assert_eq!(f.buffered(), 0);
}

#[test]
fn pong_and_compact_length() {
    let mut f = StreamFramer::new();
    f.push(b"\r\nSIP/2.0 200 OK\r\nl: 0\r\n\r\n");
    assert_eq!(f.next_frame().unwrap(), Some(Frame::Pong));
    assert!(matches!(f.next_frame().unwrap(), Some(Frame::Message(_))));
}

#[test]
fn a_folded_line_is_not_a_content_length() {
    let mut f = StreamFramer::new();
    f.push(b"MESSAGE sip:b@h SIP/2.0\r\nX-Note: a\r\n l: 5\r\nContent-Length: 2\r\n\r\nhiNEXT");
    assert_eq!(
        f.next_frame().unwrap(),
        Some(Frame::Message(
            b"MESSAGE sip:b@h SIP/2.0\r\nX-Note: a\r\n l: 5\r\nContent-Length: 2\r\n\r\nhi".to_vec()
        ))
    );
    assert_eq!(f.buffered(), 4);
}

#[test]
fn limits_and_errors() {
    let mut f = StreamFramer::new();
    f.push(b"SIP/2.0 200 OK\r\nCSeq: 1 X\r\n\r\n");
    assert_eq!(f.next_frame(), Err(FramingError::MissingContentLength));

    let mut f = StreamFramer::new();
    f.push(b"SIP/2.0 200 OK\r\nContent-Length: 99999999\r\n\r\n");
    assert_eq!(f.next_frame(), Err(FramingError::BodyTooLarge(99_999_999)));

    let mut f = StreamFramer::new();
    f.push(&vec![b'a'; MAX_STREAM_HEADER_BYTES + 10]);
    assert_eq!(f.next_frame(), Err(FramingError::HeaderTooLong));

    let mut f = StreamFramer::new();
    f.push(b"SIP/2.0 200 OK\r\nContent-Length: x\r\n\r\n");
    assert_eq!(f.next_frame(), Err(FramingError::BadContentLength));
}

#[test]
fn framer_and_parser_agree_on_a_bare_lf_before_the_blank_line() {
    // Found by fuzzing: a header line ending in a bare LF, then a CRLF blank
    // line. The parser ends the headers there; so must the framer.
    let with_length: &[u8] = b"MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 2\r\nMax-Forwards: 5\t\n\r\nhiNEXT";
    let mut f = StreamFramer::new();
    f.push(with_length);
    let Some(Frame::Message(frame)) = f.next_frame().unwrap() else {
        panic!("one message");
    };
    let parsed = crate::protocol::sip::message::SipMessage::parse(&frame).unwrap();
    assert_eq!(parsed.body, b"hi");
    assert_eq!(f.buffered(), 4, "NEXT stays for the next frame");
}
