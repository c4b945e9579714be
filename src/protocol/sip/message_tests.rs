use super::*;

const MESSAGE: &str = "MESSAGE sip:bob@sipchat.test SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776;rport\r\n\
Max-Forwards: 70\r\n\
From: \"Alice\" <sip:alice@sipchat.test>;tag=49583\r\n\
To: <sip:bob@sipchat.test>\r\n\
Call-ID: asd88asd77a@1.2.3.4\r\n\
CSeq: 1 MESSAGE\r\n\
Content-Type: text/plain;charset=UTF-8\r\n\
Content-Length: 18\r\n\
\r\n\
Watson, come here.";

#[test]
fn parses_rfc3428_message() {
    let m = SipMessage::parse(MESSAGE.as_bytes()).unwrap();
    assert_eq!(m.method(), Some(Method::Message));
    assert_eq!(m.request_uri(), Some("sip:bob@sipchat.test"));
    assert_eq!(m.call_id().unwrap(), "asd88asd77a@1.2.3.4");
    assert_eq!(m.cseq().unwrap(), (1, Method::Message));
    assert_eq!(m.top_via().unwrap().branch(), Some("z9hG4bK776"));
    assert_eq!(m.from_header().unwrap().tag(), Some("49583"));
    assert_eq!(m.content_type().as_deref(), Some("text/plain"));
    assert_eq!(m.body, b"Watson, come here.");
    m.validate_request().unwrap();
}

#[test]
fn serialize_round_trips() {
    let m = SipMessage::parse(MESSAGE.as_bytes()).unwrap();
    let again = SipMessage::parse(&m.to_bytes()).unwrap();
    assert_eq!(m, again);
    assert!(String::from_utf8_lossy(&m.to_bytes()).contains("Content-Length: 18\r\n\r\n"));
}

#[test]
fn binary_body_survives() {
    let mut m = SipMessage::parse(MESSAGE.as_bytes()).unwrap();
    m.body = vec![0, 159, 146, 150, 255, b'\r', b'\n'];
    let again = SipMessage::parse(&m.to_bytes()).unwrap();
    assert_eq!(again.body, m.body);
}

#[test]
fn tolerates_folding_bare_lf_compact_forms() {
    let raw = "\r\nMESSAGE sip:bob@h SIP/2.0\n\
v: SIP/2.0/TCP h;branch=z9hG4bKa\n\
f: <sip:a@h>\n ;tag=1\n\
t: sip:bob@h\n\
i: abc\n\
CSeq  :  7\n\t MESSAGE\n\
l: 2\n\
\nhi";
    let m = SipMessage::parse(raw.as_bytes()).unwrap();
    assert_eq!(m.call_id().unwrap(), "abc");
    assert_eq!(m.cseq().unwrap(), (7, Method::Message));
    assert_eq!(m.from_header().unwrap().tag(), Some("1"));
    assert_eq!(m.body, b"hi");
    m.validate_request().unwrap();
}

#[test]
fn status_line_without_reason_and_unknown_method() {
    let r = SipMessage::parse(b"SIP/2.0 200\r\nCSeq: 1 MESSAGE\r\n\r\n").unwrap();
    assert_eq!(r.status(), Some(200));
    assert_eq!(r.reason(), Some(""));
    assert_eq!(r.method(), Some(Method::Message));

    let q = SipMessage::parse(b"NEWMETHOD sip:a@b SIP/2.0\r\nCSeq: 1 NEWMETHOD\r\n\r\n").unwrap();
    assert_eq!(q.method(), Some(Method::Other("NEWMETHOD".into())));
}

#[test]
fn content_length_rules() {
    // Extra bytes after Content-Length (UDP padding) are cut off.
    let m = SipMessage::parse(b"SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK").unwrap();
    assert_eq!(m.body, b"ok");
    assert!(matches!(
        SipMessage::parse(b"SIP/2.0 200 OK\r\nContent-Length: 20\r\n\r\nok"),
        Err(MessageError::Truncated {
            declared: 20,
            actual: 2
        })
    ));
    assert!(matches!(
        SipMessage::parse(b"SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n"),
        Err(MessageError::ContentLength(_))
    ));
    assert!(matches!(
        SipMessage::parse(b"SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 2\r\n\r\nok"),
        Err(MessageError::ContentLength(_))
    ));
}

#[test]
fn rejects_garbage_with_reasons() {
    assert_eq!(SipMessage::parse(b"\r\n\r\n"), Err(MessageError::Empty));
    assert!(matches!(
        SipMessage::parse(b"HELLO"),
        Err(MessageError::StartLine(_))
    ));
    assert!(matches!(
        SipMessage::parse(b"INVITE sip:a@b SIP/7.0\r\n\r\n"),
        Err(MessageError::Version(_))
    ));
    assert!(matches!(
        SipMessage::parse(b"SIP/2.0 2000 OK\r\n\r\n"),
        Err(MessageError::StartLine(_))
    ));
    assert!(matches!(
        SipMessage::parse(b"INVITE sip:a@b SIP/2.0\r\nno colon here\r\n\r\n"),
        Err(MessageError::HeaderLine(_))
    ));
    assert!(matches!(
        SipMessage::parse(b"INVITE sip:a@b SIP/2.0\r\nVia: \xff\r\n\r\n"),
        Err(MessageError::NotUtf8)
    ));
    let huge = vec![b'a'; MAX_MESSAGE_SIZE + 1];
    assert!(matches!(SipMessage::parse(&huge), Err(MessageError::TooLarge(_))));
}

#[test]
fn validate_request_names_the_problem() {
    let m = SipMessage::parse(b"MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n").unwrap();
    assert_eq!(m.validate_request(), Err(MessageError::Missing("Via")));
    let raw = MESSAGE.replace("CSeq: 1 MESSAGE", "CSeq: 1 INVITE");
    let m = SipMessage::parse(raw.as_bytes()).unwrap();
    assert!(matches!(m.validate_request(), Err(MessageError::CSeq(_))));
}

#[test]
fn header_editing() {
    let mut m = SipMessage::parse(MESSAGE.as_bytes()).unwrap();
    m.push_header("Via", "SIP/2.0/UDP second;branch=z9hG4bK2");
    assert_eq!(m.header_list("Via").len(), 2);
    m.set_header("Via", "SIP/2.0/UDP only;branch=z9hG4bK3");
    assert_eq!(m.header_list("Via"), vec!["SIP/2.0/UDP only;branch=z9hG4bK3"]);
    m.remove_header("via");
    assert!(m.header("Via").is_none());
}

#[test]
fn pseudo_random_input_never_panics() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let seed = MESSAGE.as_bytes();
    for _ in 0..20_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut bytes = seed.to_vec();
        let flips = (state >> 60) as usize + 1;
        for k in 0..flips {
            let s = state.rotate_left(k as u32 * 7);
            let pos = (s as usize) % bytes.len();
            bytes[pos] = (s >> 32) as u8;
        }
        let cut = (state as usize >> 8) % (bytes.len() + 1);
        if let Ok(m) = SipMessage::parse(&bytes[..cut]) {
            let _ = m.validate_request();
            let _ = m.contacts();
            let _ = SipMessage::parse(&m.to_bytes());
        }
    }
}
