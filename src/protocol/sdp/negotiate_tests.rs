#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::sdp::FileSelector;

fn origin(user: &str) -> Origin {
    Origin {
        username: user.into(),
        session_id: "3917".into(),
        session_version: 1,
        address: Address::from_ip([192, 0, 2, 1].into()),
    }
}

fn path(transport: MsrpTransport, id: &str) -> MsrpPath {
    MsrpPath::parse(&format!("{}://192.0.2.1:2855/{id};tcp", transport.scheme())).unwrap()
}

fn params(transport: MsrpTransport) -> OfferParams {
    OfferParams::chat(
        origin("alice"),
        Address::from_ip([192, 0, 2, 1].into()),
        2855,
        transport,
        path(transport, "alice"),
    )
}

fn local(transport: MsrpTransport) -> LocalEndpoint {
    LocalEndpoint {
        origin: origin("bob"),
        connection: Address::from_ip([192, 0, 2, 2].into()),
        port: 7777,
        path: path(transport, "bob"),
    }
}

/// Offer -> bytes -> parse -> answer -> bytes -> parse -> read, as on the wire.
fn exchange(
    offer: &SessionDescription,
    caps: &Capabilities,
) -> Result<(Negotiated, Negotiated, SessionDescription), Rejection> {
    let offer_wire = SessionDescription::parse(&offer.to_bytes()).unwrap();
    assert_eq!(&offer_wire, offer);
    let decision = evaluate_offer(&offer_wire, caps)?;
    let (answer, answerer) = build_answer(&offer_wire, &decision, &local(decision.transport), None);
    let answer_wire = SessionDescription::parse(&answer.to_bytes()).unwrap();
    assert_eq!(answer_wire, answer);
    let offerer = read_answer(offer, &answer_wire).unwrap();
    Ok((offerer, answerer, answer_wire))
}

fn msrp(d: &SessionDescription) -> &MsrpMedia {
    d.msrp_stream().unwrap().1
}

#[test]
fn chat_offer_contents() {
    let offer = chat_offer(&params(MsrpTransport::Tcp));
    let text = String::from_utf8(offer.to_bytes()).unwrap();
    for line in [
        "m=message 2855 TCP/MSRP *\r\n",
        "c=IN IP4 192.0.2.1\r\n",
        "t=0 0\r\n",
        "a=path:msrp://192.0.2.1:2855/alice;tcp\r\n",
        "a=accept-types:message/cpim text/plain application/im-iscomposing+xml\r\n",
        "a=accept-wrapped-types:text/plain application/im-iscomposing+xml message/imdn+xml\r\n",
        "a=setup:actpass\r\n",
        "a=sendrecv\r\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in {text}");
    }
    assert!(!text.contains("file-"), "{text}");
}

#[test]
fn chat_over_tcp_and_tls_with_each_setup() {
    // (offer setup, answerer prefers active, answer setup, offerer's role)
    let cases = [
        (Setup::ActPass, false, Setup::Passive, Connect::WeConnect),
        (Setup::ActPass, true, Setup::Active, Connect::WeListen),
        (Setup::Active, true, Setup::Passive, Connect::WeConnect),
        (Setup::Passive, false, Setup::Active, Connect::WeListen),
        (Setup::HoldConn, false, Setup::HoldConn, Connect::NoConnection),
    ];
    for transport in [MsrpTransport::Tcp, MsrpTransport::Tls] {
        for (offered, prefer_active, answered, offerer_role) in cases {
            let mut p = params(transport);
            p.setup = offered;
            let caps = Capabilities {
                prefer_active,
                ..Capabilities::default()
            };
            let (offerer, answerer, answer) = exchange(&chat_offer(&p), &caps).unwrap();
            let case = format!("{transport} {offered:?} prefer_active={prefer_active}");
            assert_eq!(msrp(&answer).setup, Some(answered), "{case}");
            assert_eq!(msrp(&answer).transport, transport, "{case}");
            assert_eq!(offerer.connect, offerer_role, "{case}");
            let answerer_role = match offerer_role {
                Connect::WeConnect => Connect::WeListen,
                Connect::WeListen => Connect::WeConnect,
                Connect::NoConnection => Connect::NoConnection,
            };
            assert_eq!(answerer.connect, answerer_role, "{case}");
            assert_eq!(offerer.remote_path, path(transport, "bob"), "{case}");
            assert_eq!(answerer.remote_path, path(transport, "alice"), "{case}");
            assert_eq!(msrp(&answer).direction, Some(Direction::SendRecv));
        }
    }
}

#[test]
fn absent_setup_follows_rfc_4975() {
    // No a=setup in the offer: the offerer is active.
    assert_eq!(
        who_connects(OfferRole::Offerer, None, None),
        Ok(Connect::WeConnect)
    );
    assert_eq!(
        who_connects(OfferRole::Answerer, None, None),
        Ok(Connect::WeListen)
    );
    assert_eq!(answer_setup_for(None, true), Setup::Passive);
    // An RFC 4975 answerer (no a=setup) to our actpass: it waits, we connect.
    assert_eq!(
        who_connects(OfferRole::Offerer, Some(Setup::ActPass), None),
        Ok(Connect::WeConnect)
    );
    // ...but if we offered passive, nobody would connect.
    assert_eq!(
        who_connects(OfferRole::Offerer, Some(Setup::Passive), None),
        Err(SetupError::Conflict {
            offer: Setup::Passive,
            answer: Setup::Passive
        })
    );
    assert_eq!(
        who_connects(OfferRole::Offerer, Some(Setup::ActPass), Some(Setup::ActPass)),
        Err(SetupError::ActPassInAnswer)
    );
    assert!(who_connects(OfferRole::Answerer, Some(Setup::Active), Some(Setup::Active)).is_err());

    // The same through the answerer: an offer without a=setup.
    let mut offer = chat_offer(&params(MsrpTransport::Tcp));
    if let Stream::Msrp(m) = &mut offer.streams[0] {
        m.setup = None;
    }
    let (offerer, answerer, answer) = exchange(&offer, &Capabilities::default()).unwrap();
    assert_eq!(msrp(&answer).setup, Some(Setup::Passive));
    assert_eq!(offerer.connect, Connect::WeConnect);
    assert_eq!(answerer.connect, Connect::WeListen);
}

#[test]
fn answer_with_conflicting_setup_is_refused() {
    let offer = chat_offer(&params(MsrpTransport::Tcp));
    let decision = evaluate_offer(&offer, &Capabilities::default()).unwrap();
    let (mut answer, _) = build_answer(&offer, &decision, &local(MsrpTransport::Tcp), None);
    if let Stream::Msrp(m) = &mut answer.streams[0] {
        m.setup = Some(Setup::ActPass);
    }
    assert_eq!(
        read_answer(&offer, &answer),
        Err(AnswerError::Setup(SetupError::ActPassInAnswer))
    );
}

#[test]
fn answers_that_end_the_session() {
    let offer = chat_offer(&params(MsrpTransport::Tls));
    let decision = evaluate_offer(&offer, &Capabilities::default()).unwrap();
    let (answer, _) = build_answer(&offer, &decision, &local(MsrpTransport::Tls), None);

    let mut declined = answer.clone();
    if let Stream::Msrp(m) = &mut declined.streams[0] {
        m.port = 0;
    }
    assert_eq!(read_answer(&offer, &declined), Err(AnswerError::Declined));

    let mut tcp = answer.clone();
    if let Stream::Msrp(m) = &mut tcp.streams[0] {
        m.transport = MsrpTransport::Tcp;
    }
    assert!(matches!(
        read_answer(&offer, &tcp),
        Err(AnswerError::TransportMismatch { .. })
    ));

    let mut none = answer.clone();
    none.streams.clear();
    assert!(matches!(
        read_answer(&offer, &none),
        Err(AnswerError::StreamCount {
            expected: 1,
            found: 0
        })
    ));

    let mut audio = answer;
    audio.streams[0] = Stream::Other(OtherMedia {
        media: "audio".into(),
        port: 4000,
        proto: "RTP/AVP".into(),
        formats: "0".into(),
    });
    assert!(matches!(
        read_answer(&offer, &audio),
        Err(AnswerError::NotMsrp(_))
    ));
}

#[test]
fn rejections_488() {
    let caps = Capabilities::default();
    let base = chat_offer(&params(MsrpTransport::Tcp));

    let mut audio_only = base.clone();
    audio_only.streams[0] = Stream::Other(OtherMedia {
        media: "audio".into(),
        port: 4000,
        proto: "RTP/AVP".into(),
        formats: "0".into(),
    });
    assert_eq!(
        evaluate_offer(&audio_only, &caps),
        Err(Rejection::NoMessageStream)
    );

    let mut ws = base.clone();
    ws.streams[0] = Stream::Other(OtherMedia {
        media: "message".into(),
        port: 443,
        proto: "TCP/WSS/MSRP".into(),
        formats: "*".into(),
    });
    assert_eq!(
        evaluate_offer(&ws, &caps),
        Err(Rejection::UnsupportedTransport {
            proto: "TCP/WSS/MSRP".into()
        })
    );

    let mut zero = base.clone();
    if let Stream::Msrp(m) = &mut zero.streams[0] {
        m.port = 0;
    }
    assert_eq!(evaluate_offer(&zero, &caps), Err(Rejection::StreamDisabled));

    let no_tcp = Capabilities {
        tcp: false,
        ..Capabilities::default()
    };
    assert!(matches!(
        evaluate_offer(&base, &no_tcp),
        Err(Rejection::UnsupportedTransport { .. })
    ));

    let mut html = base.clone();
    if let Stream::Msrp(m) = &mut html.streams[0] {
        m.accept_types = vec!["text/html".into()];
    }
    let err = evaluate_offer(&html, &caps).unwrap_err();
    assert!(matches!(err, Rejection::NoCommonAcceptTypes { .. }));
    assert_eq!(err.warn_code(), 305);
    assert!(err.to_string().contains("text/html"), "{err}");

    let mut none = base;
    if let Stream::Msrp(m) = &mut none.streams[0] {
        m.accept_types.clear();
    }
    assert!(evaluate_offer(&none, &caps)
        .unwrap_err()
        .to_string()
        .contains("nothing"));
}

#[test]
fn accept_type_wildcards() {
    let mut offer = chat_offer(&params(MsrpTransport::Tcp));
    if let Stream::Msrp(m) = &mut offer.streams[0] {
        m.accept_types = vec!["text/*".into()];
    }
    let (_, _, answer) = exchange(&offer, &Capabilities::default()).unwrap();
    assert_eq!(msrp(&answer).accept_types, ["text/plain"]);

    if let Stream::Msrp(m) = &mut offer.streams[0] {
        m.accept_types = vec!["*".into()];
        m.accept_wrapped_types.clear();
    }
    let (_, _, answer) = exchange(&offer, &Capabilities::default()).unwrap();
    assert_eq!(msrp(&answer).accept_types, CHAT_ACCEPT_TYPES);
    assert_eq!(msrp(&answer).accept_wrapped_types, CHAT_ACCEPT_WRAPPED_TYPES);
    assert!(media_type_matches("TEXT/*", "text/plain;charset=utf-8"));
    assert!(!media_type_matches("text/html", "text/plain"));
}

#[test]
fn max_size_both_ways() {
    let mut p = params(MsrpTransport::Tcp);
    p.max_size = Some(4096);
    let caps = Capabilities {
        max_size: Some(65536),
        ..Capabilities::default()
    };
    let (offerer, answerer, answer) = exchange(&chat_offer(&p), &caps).unwrap();
    assert_eq!(msrp(&answer).max_size, Some(65536));
    assert_eq!(offerer.remote_max_size, Some(65536));
    assert_eq!(answerer.remote_max_size, Some(4096));
}

fn push(name: &str, size: u64, range: Option<FileRange>) -> SessionDescription {
    let mut p = params(MsrpTransport::Tcp);
    p.accept_types = vec!["message/cpim".into()];
    p.accept_wrapped_types = vec!["*".into()];
    file_push_offer(
        &p,
        FileAttributes {
            selector: Some(FileSelector {
                name: Some(name.into()),
                file_type: Some("image/jpeg".into()),
                size: Some(size),
                hashes: vec![crate::protocol::sdp::FileHash::sha1([7; 20])],
            }),
            transfer_id: Some("t1x".into()),
            disposition: Some("attachment".into()),
            date: None,
            icon: Some("cid:icon@x".into()),
            range,
        },
    )
}

#[test]
fn file_push_accepted() {
    let offer = push("holiday.jpg", 32349, None);
    assert_eq!(msrp(&offer).direction, Some(Direction::SendOnly));
    let decision = evaluate_offer(&offer, &Capabilities::default()).unwrap();
    let OfferKind::FilePush(f) = &decision.kind else {
        panic!("{:?}", decision.kind)
    };
    assert_eq!(f.selector.as_ref().unwrap().size, Some(32349));
    let (offerer, answerer, answer) = exchange(&offer, &Capabilities::default()).unwrap();
    let a = msrp(&answer);
    assert_eq!(a.direction, Some(Direction::RecvOnly));
    assert_eq!(a.accept_types, ["message/cpim"]);
    let echoed = a.file.as_ref().unwrap();
    assert_eq!(echoed.selector, msrp(&offer).file.as_ref().unwrap().selector);
    assert_eq!(echoed.transfer_id.as_deref(), Some("t1x"));
    assert_eq!(echoed.icon, None);
    assert_eq!(echoed.range, None);
    assert_eq!(offerer.remote_direction, Direction::RecvOnly);
    assert_eq!(answerer.remote_direction, Direction::SendOnly);
    assert_eq!(offerer.file_range, None);
}

#[test]
fn file_push_refusals() {
    let offer = push("a.jpg", 5000, None);
    let cases = [
        (
            Capabilities {
                accept_files: false,
                ..Capabilities::default()
            },
            Rejection::FileTransfersRefused,
        ),
        (
            Capabilities {
                max_file_size: Some(4999),
                ..Capabilities::default()
            },
            Rejection::FileTooLarge {
                size: 5000,
                limit: 4999,
            },
        ),
        (
            Capabilities {
                file_accept_types: vec!["text/*".into()],
                ..Capabilities::default()
            },
            Rejection::FileTypeNotAccepted("image/jpeg".into()),
        ),
    ];
    for (caps, expected) in cases {
        assert_eq!(evaluate_offer(&offer, &caps), Err(expected));
    }
    let exact = Capabilities {
        max_file_size: Some(5000),
        ..Capabilities::default()
    };
    assert!(evaluate_offer(&offer, &exact).is_ok());
}

#[test]
fn file_pull_and_odd_directions_refused() {
    for (direction, expected) in [
        (Direction::RecvOnly, Rejection::FilePullNotSupported),
        (
            Direction::SendRecv,
            Rejection::FileDirectionInvalid(Direction::SendRecv),
        ),
        (
            Direction::Inactive,
            Rejection::FileDirectionInvalid(Direction::Inactive),
        ),
    ] {
        let mut offer = push("a.jpg", 1, None);
        if let Stream::Msrp(m) = &mut offer.streams[0] {
            m.direction = Some(direction);
        }
        let err = evaluate_offer(&offer, &Capabilities::default()).unwrap_err();
        assert_eq!(err, expected);
        let w = err.warning("sipchat");
        assert!(w.starts_with("399 sipchat \"") && w.ends_with('"'), "{w}");
    }
}

#[test]
fn resume_with_file_range() {
    // The sender offers the rest of the file; the answer echoes the range.
    let range = FileRange {
        start: 10001,
        stop: Some(32349),
    };
    let (offerer, answerer, answer) =
        exchange(&push("a.jpg", 32349, Some(range)), &Capabilities::default()).unwrap();
    assert_eq!(msrp(&answer).file.as_ref().unwrap().range, Some(range));
    assert_eq!(offerer.file_range, Some(range));
    assert_eq!(answerer.file_range, Some(range));

    // The receiver asks for more than offered from its partial file.
    let offer = push("a.jpg", 32349, None);
    let decision = evaluate_offer(&offer, &Capabilities::default()).unwrap();
    let asked = FileRange {
        start: 20001,
        stop: None,
    };
    let (answer, ours) = build_answer(&offer, &decision, &local(MsrpTransport::Tcp), Some(asked));
    assert_eq!(ours.file_range, Some(asked));
    let text = String::from_utf8(answer.to_bytes()).unwrap();
    assert!(text.contains("a=file-range:20001-*\r\n"), "{text}");
    assert_eq!(read_answer(&offer, &answer).unwrap().file_range, Some(asked));
}

#[test]
fn push_answer_checks() {
    let offer = push("a.jpg", 10, None);
    let decision = evaluate_offer(&offer, &Capabilities::default()).unwrap();
    let (answer, _) = build_answer(&offer, &decision, &local(MsrpTransport::Tcp), None);
    let mut wrong_id = answer.clone();
    if let Stream::Msrp(m) = &mut wrong_id.streams[0] {
        m.file.as_mut().unwrap().transfer_id = Some("other".into());
    }
    assert!(matches!(
        read_answer(&offer, &wrong_id),
        Err(AnswerError::FileTransferId { .. })
    ));
    let mut sendonly = answer;
    if let Stream::Msrp(m) = &mut sendonly.streams[0] {
        m.direction = Some(Direction::SendOnly);
    }
    assert_eq!(
        read_answer(&offer, &sendonly),
        Err(AnswerError::Direction(Direction::SendOnly))
    );
}

#[test]
fn quoted_names_survive_the_exchange() {
    for name in [
        "my file.txt",
        "say \"hi\".txt",
        "naïve 文件.txt",
        "../../.ssh/authorized_keys",
        "50%.txt",
    ] {
        let (_, answerer, answer) = exchange(&push(name, 3, None), &Capabilities::default()).unwrap();
        let echoed = msrp(&answer).file_selector().unwrap().name.clone();
        assert_eq!(echoed.as_deref(), Some(name));
        let offered = answerer.file.unwrap().selector.unwrap().name;
        assert_eq!(offered.as_deref(), Some(name));
    }
}

#[test]
fn warning_text_is_escaped() {
    let r = Rejection::FileTypeNotAccepted("text/plain;x=\"a\\b\"".into());
    assert_eq!(
        r.warning("sipchat"),
        "305 sipchat \"files of type text/plain;x=\\\"a\\\\b\\\" are not accepted\""
    );
}
