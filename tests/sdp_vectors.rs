//! SDP vectors for MSRP sessions: RFC 4975, RFC 4976, RFC 6135 and RFC 5547
//! examples and our own cases (`tests/vectors/sdp/`, see its README), through
//! the parser, the writer, the answerer and the answer reader; and the body
//! of the `sdp` fuzz target over every vector, on stable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/sdp.rs"]
mod sdp_fuzz;

use sipchat::protocol::sdp::{
    answer_offer, read_answer, Address, Capabilities, Connect, Direction, FileRange, LocalEndpoint,
    MsrpMedia, MsrpPath, MsrpTransport, Origin, Rejection, SdpError, SessionDescription, Setup, Stream,
};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/sdp")
}

fn load(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(format!("{name}.sdp"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse(name: &str) -> SessionDescription {
    SessionDescription::parse(&load(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn msrp(desc: &SessionDescription) -> &MsrpMedia {
    desc.msrp_stream().expect("an MSRP stream").1
}

fn local(transport: MsrpTransport) -> LocalEndpoint {
    LocalEndpoint {
        origin: Origin {
            username: "-".into(),
            session_id: "42".into(),
            session_version: 1,
            address: Address::from_ip([192, 0, 2, 99].into()),
        },
        connection: Address::from_ip([192, 0, 2, 99].into()),
        port: 2855,
        path: MsrpPath::parse(&format!("{}://192.0.2.99:2855/us;tcp", transport.scheme())).unwrap(),
    }
}

/// Every vector file and whether it must parse.
const VECTORS: &[(&str, &str, bool)] = &[
    ("rfc4975-basic-offer", "RFC 4975 section 7.1", true),
    ("rfc4975-basic-answer", "RFC 4975 section 7.1", true),
    ("rfc4975-wrapped-types-offer", "RFC 4975 section 8.6", true),
    ("rfc4976-relay-offer", "RFC 4976 (relay path)", true),
    ("rfc4976-relay-answer", "RFC 4976 (relay path)", true),
    ("rfc6135-actpass-offer", "RFC 6135", true),
    ("rfc6135-active-answer", "RFC 6135", true),
    ("rfc5547-push-offer", "RFC 5547 section 9.1", true),
    ("rfc5547-push-answer", "RFC 5547 section 9.1", true),
    ("rfc5547-pull-offer", "RFC 5547 section 9.2", true),
    ("rfc5547-range-offer", "RFC 5547 file-range", true),
    ("sipchat-chat-offer-ipv6-maxsize", "sipchat", true),
    ("sipchat-name-quoting", "sipchat", true),
    ("sipchat-audio-and-message", "sipchat", true),
    ("bad-missing-path", "sipchat", false),
    ("bad-setup-value", "sipchat", false),
    ("bad-hash", "sipchat", false),
    ("bad-not-sdp", "sipchat", false),
];

#[test]
fn every_vector_file_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".sdp").map(String::from)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = VECTORS.iter().map(|v| v.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn vectors_parse_or_fail_as_expected_and_round_trip() {
    for (name, source, valid) in VECTORS {
        let result = SessionDescription::parse(&load(name));
        match (result, valid) {
            (Ok(desc), true) => {
                let again = SessionDescription::parse(&desc.to_bytes())
                    .unwrap_or_else(|e| panic!("{name} ({source}) re-parse: {e}"));
                assert_eq!(again, desc, "{name} ({source})");
            }
            (Err(e), false) => assert!(!e.to_string().is_empty()),
            (Ok(_), false) => panic!("{name} ({source}) should be refused"),
            (Err(e), true) => panic!("{name} ({source}): {e}"),
        }
    }
}

#[test]
fn fuzz_body_runs_over_every_vector() {
    for (name, _, _) in VECTORS {
        sdp_fuzz::sdp(&load(name));
    }
}

#[test]
fn rfc4975_basic_session() {
    let offer = parse("rfc4975-basic-offer");
    assert_eq!(offer.origin.username, "alice");
    assert_eq!(offer.origin.session_version, 2890844559);
    let m = msrp(&offer);
    assert_eq!(m.transport, MsrpTransport::Tcp);
    assert_eq!(m.port, 7654);
    assert_eq!(m.accept_types, ["text/plain"]);
    assert_eq!(m.path.uris(), ["msrp://alicepc.example.com:7654/jshA7weztas;tcp"]);
    assert_eq!(m.setup, None);
    assert_eq!(offer.connection_for(m).unwrap().address, "alicepc.example.com");

    let answer = parse("rfc4975-basic-answer");
    let agreed = read_answer(&offer, &answer).unwrap();
    // No a=setup on either side: RFC 4975, the offerer connects.
    assert_eq!(agreed.connect, Connect::WeConnect);
    assert_eq!(
        agreed.remote_path.endpoint(),
        Some("msrp://bob.example.com:8888/9di4eae923wzd;tcp")
    );
    assert_eq!(agreed.remote_port, 8888);
    assert_eq!(agreed.remote_accept_types, ["text/plain"]);

    // We answer the same offer: we listen, and say so.
    let (ours, negotiated) =
        answer_offer(&offer, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap();
    assert_eq!(negotiated.connect, Connect::WeListen);
    let m = msrp(&ours);
    assert_eq!(m.setup, Some(Setup::Passive));
    assert_eq!(m.accept_types, ["text/plain"]);
    assert!(m.accept_wrapped_types.is_empty(), "no CPIM, so no wrapped types");
}

#[test]
fn rfc4975_wrapped_types() {
    let m = msrp(&parse("rfc4975-wrapped-types-offer")).clone();
    assert_eq!(m.accept_types, ["message/cpim", "text/plain", "text/html"]);
    assert_eq!(m.accept_wrapped_types, ["text/plain", "image/*"]);
    let offer = parse("rfc4975-wrapped-types-offer");
    let (answer, _) = answer_offer(&offer, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap();
    let a = msrp(&answer);
    assert_eq!(a.accept_types, ["message/cpim", "text/plain"]);
    assert_eq!(a.accept_wrapped_types, ["text/plain"]);
}

#[test]
fn rfc4976_relay_paths() {
    let offer = parse("rfc4976-relay-offer");
    let m = msrp(&offer);
    assert_eq!(m.transport, MsrpTransport::Tls);
    assert_eq!(m.path.uris().len(), 2);
    assert_eq!(
        m.path.first_hop(),
        Some("msrps://relay.example.org:2855/kjfjan;tcp")
    );
    assert_eq!(
        m.path.endpoint(),
        Some("msrps://alicepc.example.com:1234/9s9s2;tcp")
    );
    assert!(m.path.matches_transport(MsrpTransport::Tls));
    let agreed = read_answer(&offer, &parse("rfc4976-relay-answer")).unwrap();
    assert_eq!(agreed.transport, MsrpTransport::Tls);
    assert_eq!(
        agreed.remote_path.uris(),
        [
            "msrps://relay.example.net:2855/2fb8k;tcp",
            "msrps://bobpc.example.net:1234/d823;tcp"
        ]
    );
    // Without TLS we cannot take it.
    let no_tls = Capabilities {
        tls: false,
        ..Capabilities::default()
    };
    let err = answer_offer(&offer, &no_tls, &local(MsrpTransport::Tcp)).unwrap_err();
    assert_eq!(
        err,
        Rejection::UnsupportedTransport {
            proto: "TCP/TLS/MSRP".into()
        }
    );
    assert_eq!(err.warn_code(), 302);
}

#[test]
fn rfc6135_actpass_answered_active() {
    let offer = parse("rfc6135-actpass-offer");
    assert_eq!(msrp(&offer).setup, Some(Setup::ActPass));
    let answer = parse("rfc6135-active-answer");
    assert_eq!(msrp(&answer).setup, Some(Setup::Active));
    // The answerer connects, so the offerer listens.
    assert_eq!(read_answer(&offer, &answer).unwrap().connect, Connect::WeListen);
}

#[test]
fn rfc5547_push_offer_fields() {
    let offer = parse("rfc5547-push-offer");
    let m = msrp(&offer);
    assert_eq!(m.direction, Some(Direction::SendOnly));
    assert_eq!(m.title.as_deref(), Some("This is my latest picture"));
    assert_eq!(m.accept_wrapped_types, ["*"]);
    let f = m.file.as_ref().unwrap();
    let sel = f.selector.as_ref().unwrap();
    assert_eq!(sel.name.as_deref(), Some("My cool picture.jpg"));
    assert_eq!(sel.file_type.as_deref(), Some("image/jpeg"));
    assert_eq!(sel.size, Some(32349));
    assert_eq!(
        hex::encode_upper(sel.sha1().unwrap()),
        "72245FE8653DDAF371362F86D471913EE4A2CE2E"
    );
    assert_eq!(f.transfer_id.as_deref(), Some("vBnG916bdberum2fFEABR1FR3ExZMUrd"));
    assert_eq!(f.disposition.as_deref(), Some("render"));
    assert_eq!(
        f.date.as_ref().unwrap().creation.as_deref(),
        Some("Mon, 15 May 2006 15:01:31 +0300")
    );
    assert_eq!(f.icon.as_deref(), Some("cid:id2@alicepc.example.com"));
    assert_eq!(f.range, None);
}

#[test]
fn rfc5547_push_accepted_and_read_back() {
    let offer = parse("rfc5547-push-offer");
    let (answer, ours) = answer_offer(&offer, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap();
    let a = msrp(&answer);
    assert_eq!(a.direction, Some(Direction::RecvOnly));
    let offered = msrp(&offer).file.as_ref().unwrap();
    let echoed = a.file.as_ref().unwrap();
    assert_eq!(echoed.selector, offered.selector);
    assert_eq!(echoed.transfer_id, offered.transfer_id);
    assert_eq!(echoed.icon, None, "the icon is not echoed");
    assert!(ours.file.is_some());
    // The offerer reads our answer, and the RFC's own answer.
    read_answer(&offer, &answer).unwrap();
    let rfc = read_answer(&offer, &parse("rfc5547-push-answer")).unwrap();
    assert_eq!(rfc.remote_direction, Direction::RecvOnly);
    assert_eq!(rfc.file_range, None);
}

#[test]
fn rfc5547_pull_is_refused() {
    let offer = parse("rfc5547-pull-offer");
    let m = msrp(&offer);
    assert_eq!(m.direction, Some(Direction::RecvOnly));
    let sel = m.file_selector().unwrap();
    assert_eq!(sel.name, None);
    assert!(sel.sha1().is_some());
    let err = answer_offer(&offer, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap_err();
    assert_eq!(err, Rejection::FilePullNotSupported);
    assert_eq!(Rejection::STATUS, 488);
    assert!(err.warning("sipchat").starts_with("399 sipchat \""));
}

#[test]
fn rfc5547_range_is_echoed() {
    let offer = parse("rfc5547-range-offer");
    let range = msrp(&offer).file.as_ref().unwrap().range.unwrap();
    assert_eq!(
        range,
        FileRange {
            start: 1020,
            stop: None
        }
    );
    let (answer, ours) = answer_offer(&offer, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap();
    assert_eq!(ours.file_range, Some(range));
    assert_eq!(read_answer(&offer, &answer).unwrap().file_range, Some(range));
}

#[test]
fn our_vectors() {
    let v6 = parse("sipchat-chat-offer-ipv6-maxsize");
    let m = msrp(&v6);
    assert_eq!(m.max_size, Some(1_048_576));
    assert_eq!(m.setup, Some(Setup::Passive));
    assert_eq!(v6.origin.address.addrtype, "IP6");
    assert_eq!(m.other_attributes.len(), 2);
    assert_eq!(m.other_attributes[1].value.as_deref(), Some("kept as written"));
    let written = String::from_utf8(v6.to_bytes()).unwrap();
    assert!(written.contains("a=x-unknown:kept as written\r\n"), "{written}");

    let q = parse("sipchat-name-quoting");
    let name = msrp(&q).file_selector().unwrap().name.clone().unwrap();
    assert_eq!(name, "../résumé \"final\" 100%.pdf");
    let written = String::from_utf8(q.to_bytes()).unwrap();
    assert!(
        written.contains("name:\"../résumé %22final%22 100%25.pdf\""),
        "{written}"
    );

    // Audio and a disabled message stream are declined; the live one is used.
    let mixed = parse("sipchat-audio-and-message");
    assert_eq!(mixed.streams.len(), 3);
    let (answer, _) = answer_offer(&mixed, &Capabilities::default(), &local(MsrpTransport::Tcp)).unwrap();
    assert_eq!(answer.streams.len(), 3);
    assert!(matches!(&answer.streams[0], Stream::Other(o) if o.port == 0 && o.media == "audio"));
    assert!(matches!(&answer.streams[1], Stream::Msrp(m) if m.port == 0));
    assert!(matches!(&answer.streams[2], Stream::Msrp(m) if m.port == 2855));
    read_answer(&mixed, &answer).unwrap();
}

#[test]
fn bad_vectors_say_what_is_wrong() {
    let e = SessionDescription::parse(&load("bad-missing-path")).unwrap_err();
    assert_eq!(e, SdpError::MissingPath { stream: 1 });
    let e = SessionDescription::parse(&load("bad-setup-value")).unwrap_err();
    assert!(e.to_string().contains("sideways"), "{e}");
    let e = SessionDescription::parse(&load("bad-hash")).unwrap_err();
    assert!(e.to_string().contains("20 bytes"), "{e}");
    let e = SessionDescription::parse(&load("bad-not-sdp")).unwrap_err();
    assert!(matches!(e, SdpError::Syntax(_)), "{e}");
    // A parse error is a 488 too.
    assert_eq!(Rejection::from(e).warn_code(), 399);
}
