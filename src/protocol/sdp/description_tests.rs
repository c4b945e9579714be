#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::sdp::{uri_host_port, MAX_ACCEPT_TYPES, MAX_PATH_URIS};

fn sdp(media: &str) -> Vec<u8> {
    format!("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n{media}").into_bytes()
}

fn one(media: &str) -> Result<MsrpMedia, SdpError> {
    let d = SessionDescription::parse(&sdp(media))?;
    match d.streams.into_iter().next() {
        Some(Stream::Msrp(m)) => Ok(m),
        other => panic!("not MSRP: {other:?}"),
    }
}

const M: &str = "m=message 2855 TCP/MSRP *\r\na=path:msrp://192.0.2.1:2855/s;tcp\r\n";

#[test]
fn minimal_stream() {
    let m = one(M).unwrap();
    assert_eq!(m.transport, MsrpTransport::Tcp);
    assert_eq!(m.port, 2855);
    assert_eq!(m.formats, "*");
    assert_eq!(m.path.uris(), ["msrp://192.0.2.1:2855/s;tcp"]);
    assert_eq!(m.effective_direction(), Direction::SendRecv);
    assert!(!m.is_file_transfer());
}

#[test]
fn attributes_are_case_insensitive_and_lf_lines_work() {
    let text = "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=message 1 tcp/tls/msrp *\n\
                a=PATH:msrps://h:1/x;tcp\na=Setup:ACTIVE\na=SENDONLY\na=Max-Size:10\n";
    let d = SessionDescription::parse(text.as_bytes()).unwrap();
    let Stream::Msrp(m) = &d.streams[0] else { panic!() };
    assert_eq!(m.transport, MsrpTransport::Tls);
    assert_eq!(m.setup, Some(Setup::Active));
    assert_eq!(m.direction, Some(Direction::SendOnly));
    assert_eq!(m.max_size, Some(10));
}

#[test]
fn unknown_attributes_are_kept_in_order() {
    let m = one(&format!("{M}a=x-b\r\na=accept-types:*\r\na=x-a:1:2\r\n")).unwrap();
    assert_eq!(m.other_attributes.len(), 2);
    assert_eq!(m.other_attributes[0].name, "x-b");
    assert_eq!(m.other_attributes[0].value, None);
    assert_eq!(m.other_attributes[1].value.as_deref(), Some("1:2"));
}

#[test]
fn session_level_setup_and_connection() {
    let text = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=setup:passive\r\n\
                m=message 1 TCP/MSRP *\r\nc=IN IP4 10.0.0.2\r\na=path:msrp://h:1/x;tcp\r\n";
    let d = SessionDescription::parse(text.as_bytes()).unwrap();
    assert_eq!(d.session_setup(), Some(Setup::Passive));
    let (_, m) = d.msrp_stream().unwrap();
    assert_eq!(d.connection_for(m).unwrap().address, "10.0.0.2");
}

#[test]
fn port_zero_needs_no_path() {
    let m = one("m=message 0 TCP/MSRP *\r\n").unwrap();
    assert_eq!(m.port, 0);
    assert!(m.path.is_empty());
    let d = SessionDescription::parse(&sdp("m=message 0 TCP/MSRP *\r\n")).unwrap();
    assert!(d.msrp_stream().is_none());
}

#[test]
fn other_transports_are_not_msrp() {
    let d = SessionDescription::parse(&sdp("m=message 1 TCP/WSS/MSRP *\r\nm=audio 2 RTP/AVP 0\r\n")).unwrap();
    assert!(matches!(&d.streams[0], Stream::Other(o) if o.proto == "TCP/WSS/MSRP"));
    assert!(matches!(&d.streams[1], Stream::Other(o) if o.media == "audio"));
}

#[test]
fn errors_name_the_problem() {
    let cases: &[(String, &str)] = &[
        ("m=message 1 TCP/MSRP *\r\n".into(), "a=path"),
        (format!("{M}a=path:msrp://h:1/y;tcp\r\n"), "more than once"),
        (
            "m=message 1 TCP/MSRP *\r\na=path:http://h/x\r\n".into(),
            "not an MSRP URI",
        ),
        (
            "m=message 1 TCP/MSRP *\r\na=path:msrp://:5/x\r\n".into(),
            "not an MSRP URI",
        ),
        (
            "m=message 1 TCP/MSRP *\r\na=path:msrp://h:99999/x\r\n".into(),
            "not an MSRP URI",
        ),
        ("m=message 1 TCP/MSRP *\r\na=path\r\n".into(), "no value"),
        (format!("{M}a=accept-types:text\r\n"), "not a media type"),
        (format!("{M}a=accept-types:\r\n"), "empty"),
        (format!("{M}a=max-size:ten\r\n"), "whole number"),
        (format!("{M}a=setup:maybe\r\n"), "maybe"),
        (format!("{M}a=sendonly\r\na=recvonly\r\n"), "more than once"),
        (format!("{M}a=file-range:0-1\r\n"), "position"),
        (format!("{M}a=file-transfer-id:a b\r\n"), "token"),
        (format!("{M}a=file-selector:size:x\r\n"), "whole number"),
        (
            "m=message 1 TCP/MSRP *\r\nc=XX IP4 h\r\na=path:msrp://h/x\r\n".into(),
            "network type",
        ),
        ("m=message x TCP/MSRP *\r\n".into(), "malformed"),
    ];
    for (media, words) in cases {
        let err = one(media).unwrap_err().to_string();
        assert!(err.contains(words), "{media:?}: {err}");
    }
}

#[test]
fn limits() {
    let big = vec![b'a'; MAX_SDP_BYTES + 1];
    assert!(matches!(
        SessionDescription::parse(&big),
        Err(SdpError::TooLarge { .. })
    ));
    let path = ["msrp://h:1/x;tcp"; MAX_PATH_URIS + 1].join(" ");
    let err = one(&format!("m=message 1 TCP/MSRP *\r\na=path:{path}\r\n")).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
    let types = ["a/b"; MAX_ACCEPT_TYPES + 1].join(" ");
    let err = one(&format!("{M}a=accept-types:{types}\r\n")).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
    let long = "x".repeat(MAX_ATTRIBUTE_BYTES + 1);
    let err = one(&format!("{M}a=x:{long}\r\n")).unwrap_err();
    assert!(matches!(err, SdpError::AttributeTooLong { .. }), "{err}");
    let many = "a=x\r\n".repeat(MAX_ATTRIBUTES + 1);
    let err = one(&format!("{M}{many}")).unwrap_err();
    assert!(matches!(err, SdpError::TooManyAttributes { .. }), "{err}");
    let streams = "m=audio 1 RTP/AVP 0\r\n".repeat(MAX_STREAMS + 1);
    let err = SessionDescription::parse(&sdp(&streams)).unwrap_err();
    assert!(matches!(err, SdpError::TooManyStreams { .. }), "{err}");
}

#[test]
fn writes_crlf_and_round_trips() {
    let m = one(&format!(
        "{M}a=accept-types:message/cpim  text/plain\r\na=file-selector\r\na=file-range:3-*\r\n"
    ))
    .unwrap();
    assert_eq!(m.accept_types, ["message/cpim", "text/plain"]);
    let d = SessionDescription {
        origin: Origin {
            username: "-".into(),
            session_id: "1".into(),
            session_version: 2,
            address: Address::from_ip([192, 0, 2, 1].into()),
        },
        session_name: "-".into(),
        connection: None,
        attributes: Vec::new(),
        streams: vec![Stream::Msrp(m)],
    };
    let bytes = d.to_bytes();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.starts_with("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"),
        "{text}"
    );
    assert!(
        text.contains("a=accept-types:message/cpim text/plain\r\n"),
        "{text}"
    );
    assert!(text.contains("a=file-selector\r\na=file-range:3-*\r\n"), "{text}");
    assert_eq!(SessionDescription::parse(&bytes).unwrap(), d);
}

#[test]
fn path_helpers() {
    let p = MsrpPath::parse("msrps://u@[2001:db8::1]:2855/a;tcp  msrps://b.example:9/x;tcp").unwrap();
    assert_eq!(p.first_hop(), Some("msrps://u@[2001:db8::1]:2855/a;tcp"));
    assert_eq!(p.endpoint(), Some("msrps://b.example:9/x;tcp"));
    assert!(p.matches_transport(MsrpTransport::Tls));
    assert!(!p.matches_transport(MsrpTransport::Tcp));
    assert_eq!(
        p.to_string(),
        "msrps://u@[2001:db8::1]:2855/a;tcp msrps://b.example:9/x;tcp"
    );
    assert_eq!(
        uri_host_port("msrp://h.example;tcp"),
        Some(("h.example".into(), None))
    );
    assert_eq!(uri_host_port("MSRPS://[::1]:7/x"), Some(("::1".into(), Some(7))));
    assert_eq!(uri_host_port("sip:h"), None);
    assert_eq!(uri_host_port("msrp://h:x/"), None);
    assert!(MsrpPath::parse("   ").is_err());
}

#[test]
fn file_selector_that_would_grow_past_the_limit_is_refused() {
    // 1000 raw tabs in the name are 1000 bytes here but 3000 once escaped.
    let value = format!("name:\"{}\" type:a/{}", "\t".repeat(1000), "b".repeat(1500));
    assert!(value.len() < MAX_ATTRIBUTE_BYTES);
    let err = one(&format!("{M}a=file-selector:{value}\r\n")).unwrap_err();
    assert!(matches!(err, SdpError::AttributeTooLong { .. }), "{err}");
}
