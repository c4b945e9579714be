//! Wire vectors for MSRP (RFC 4975), MSRP relays (RFC 4976), CPIM (RFC 3862),
//! IMDN (RFC 5438) and isComposing (RFC 3994), written by
//! `tests/vectors/msrp/generate.py`: each is parsed and its fields checked,
//! written back, and run through the relay client or a session where it
//! fits. The bodies of the MSRP fuzz targets (`tests/fuzz/src/msrp.rs`) run
//! over every vector and every regression in
//! `tests/vectors/msrp/fuzz-regressions/`, so their properties are checked on
//! stable Rust too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/msrp.rs"]
#[allow(dead_code)]
mod fuzz_msrp;

use sipchat::protocol::cpim::{address, CpimMessage};
use sipchat::protocol::imdn::{Disposition, Notification};
use sipchat::protocol::iscomposing::{ComposeState, IsComposing};
use sipchat::protocol::msrp::{
    ByteRange, Continuation, Frame, FrameDecoder, FrameKind, Method, MsrpUri, Output, RelayClient,
    RelayConfig, RelayEvent, RelayOutput, ReportRequest, Session, SessionConfig, SessionEvent,
};
use sipchat::protocol::sip::digest;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/msrp")
}

fn read(name: &str) -> Vec<u8> {
    let p = dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn frame(name: &str) -> Frame {
    let bytes = read(name);
    let mut d = FrameDecoder::new();
    d.push(&bytes);
    let f = d
        .next_frame()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name}: incomplete"));
    assert_eq!(d.buffered(), 0, "{name}: bytes after the frame");
    assert_eq!(f.to_bytes(), bytes, "{name}: does not round-trip byte for byte");
    f
}

fn files(ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    out.sort();
    out
}

#[test]
fn uri_with_multibyte_character_at_the_scheme_boundary_is_refused_not_a_panic() {
    // Found by msrp_frame and msrp_session: the scheme check sliced the text
    // at byte 7/8, inside a multi-byte character.
    for text in [
        "msrp:/\u{29d}x;tcp",
        "msrps:/\u{59e};tcp",
        "\u{e9}\u{e9}\u{e9}\u{e9}",
    ] {
        assert!(MsrpUri::parse(text).is_err(), "{text}");
    }
    for name in [
        "uri-scheme-char-boundary-frame.bin",
        "uri-scheme-char-boundary-session.bin",
    ] {
        let bytes = read(&format!("fuzz-regressions/{name}"));
        fuzz_msrp::msrp_frame(&bytes);
        fuzz_msrp::msrp_session(&bytes);
    }
}

#[test]
fn generator_and_files_agree() {
    let status = std::process::Command::new("python3")
        .arg(dir().join("generate.py"))
        .arg("--check")
        .status();
    match status {
        Ok(s) => assert!(s.success(), "tests/vectors/msrp differs from generate.py"),
        Err(e) => eprintln!("python3 not available ({e}); generator check skipped"),
    }
    assert!(files(".msrp").len() >= 15);
}

#[test]
fn every_msrp_vector_decodes_and_round_trips() {
    for path in files(".msrp") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let f = frame(&name);
        assert!(f.to_path().is_ok(), "{name}: To-Path");
        assert!(f.from_path().is_ok(), "{name}: From-Path");
        assert!(f.byte_range().is_ok(), "{name}: Byte-Range");
    }
}

#[test]
fn rfc4975_first_send_and_200() {
    let send = frame("rfc4975-4-send.msrp");
    assert_eq!(send.transaction_id, "a786hjs2");
    assert_eq!(send.method(), Some(&Method::Send));
    assert_eq!(send.message_id().unwrap(), Some("87652491"));
    assert_eq!(
        send.byte_range().unwrap(),
        Some(ByteRange {
            start: 1,
            end: Some(23),
            total: Some(23)
        })
    );
    assert_eq!(send.content_type().as_deref(), Some("text/plain"));
    assert_eq!(send.body, b"Hey Bob, are you there?");
    assert_eq!(send.continuation, Continuation::Complete);
    let to = send.to_path().unwrap();
    assert_eq!(to[0].session_id.as_deref(), Some("kjhd37s2s20w2a"));
    assert_eq!(to[0].port, Some(12763));
    let ok = frame("rfc4975-4-200.msrp");
    assert_eq!(
        ok.kind,
        FrameKind::Response {
            code: 200,
            comment: Some("OK".into())
        }
    );

    // Bob's session answers Alice's SEND with exactly the RFC's 200.
    let t0 = Instant::now();
    let alice = send.from_path().unwrap();
    let mut bob = Session::new(SessionConfig::new(to[0].clone(), alice, false), 1, t0);
    bob.open(t0);
    bob.handle_bytes(&read("rfc4975-4-send.msrp"), t0);
    let mut answer = Vec::new();
    let mut events = Vec::new();
    while let Some(o) = bob.poll_output() {
        match o {
            Output::Transmit(b) => answer.extend(b.to_vec()),
            Output::Event(e) => events.push(e),
        }
    }
    assert_eq!(answer, read("rfc4975-4-200.msrp"));
    assert!(events.contains(&SessionEvent::MessageReceived {
        message_id: "87652491".into(),
        content_type: "text/plain".into(),
        body: b"Hey Bob, are you there?".to_vec()
    }));
}

#[test]
fn rfc4975_reports_chunks_and_errors() {
    let send = frame("rfc4975-10-send-report.msrp");
    assert_eq!(send.success_report(), Ok(ReportRequest::Yes));
    assert_eq!(send.failure_report(), Ok(ReportRequest::Yes));
    let range = send.byte_range().unwrap().unwrap();
    assert_eq!(range.end, Some(send.body.len() as u64));
    assert!(send.body.windows(2).any(|w| w == b"\r\n"), "body keeps its CRLFs");
    let report = frame("rfc4975-10-report.msrp");
    assert_eq!(report.method(), Some(&Method::Report));
    let status = report.status_header().unwrap().unwrap();
    assert_eq!(
        (status.namespace, status.code, status.comment.as_deref()),
        (0, 200, Some("OK"))
    );
    assert_eq!(report.message_id().unwrap(), send.message_id().unwrap());

    let more = frame("rfc4975-7-chunk-more.msrp");
    assert_eq!(more.continuation, Continuation::More);
    assert_eq!(
        more.byte_range().unwrap(),
        Some(ByteRange {
            start: 1,
            end: None,
            total: None
        })
    );
    let abort = frame("rfc4975-7-chunk-abort.msrp");
    assert_eq!(abort.continuation, Continuation::Abort);
    assert_eq!(
        abort.byte_range().unwrap().unwrap().start,
        more.body.len() as u64 + 1
    );
    let empty = frame("rfc4975-7-empty-send.msrp");
    assert!(empty.body.is_empty());
    assert_eq!(
        empty.byte_range().unwrap(),
        Some(ByteRange {
            start: 1,
            end: Some(0),
            total: Some(0)
        })
    );
    assert_eq!(frame("rfc4975-10-415.msrp").status(), Some(415));
    assert_eq!(frame("rfc4975-10-481.msrp").status(), Some(481));
}

#[test]
fn rfc4976_auth_exchange_drives_the_relay_client() {
    let auth = frame("rfc4976-7-auth.msrp");
    assert_eq!(auth.method(), Some(&Method::Auth));
    let relay_uri = auth.to_path().unwrap().remove(0);
    assert_eq!(relay_uri.user.as_deref(), Some("alice"));
    assert_eq!(relay_uri.session_id, None);
    let challenge = frame("rfc4976-7-401.msrp");
    let parsed = digest::parse_challenges(challenge.header("WWW-Authenticate").unwrap()).unwrap();
    assert_eq!(parsed[0].opaque, None, "the RFC's challenge has no opaque");
    let creds = frame("rfc4976-7-auth-credentials.msrp");
    assert!(creds.header("Authorization").unwrap().contains("nc=00000001"));
    let granted = frame("rfc4976-7-200.msrp");
    assert_eq!(granted.seconds("Expires"), Ok(Some(900)));
    let too_brief = frame("rfc4976-7-423.msrp");
    assert_eq!(too_brief.seconds("Min-Expires"), Ok(Some(300)));

    // Our client against the RFC's relay answers (transaction ids grafted).
    let t0 = Instant::now();
    let mut c = RelayClient::new(
        RelayConfig {
            relay: relay_uri.clone(),
            local_uri: auth.from_path().unwrap().remove(0),
            username: "Alice".into(),
            password: "secret".into(),
            expires: None,
        },
        3,
    );
    c.start(t0);
    let answer = |c: &mut RelayClient, mut response: Frame| {
        let sent = match c.poll_output() {
            Some(RelayOutput::Transmit(b)) => b,
            other => panic!("expected an AUTH, got {other:?}"),
        };
        let mut d = FrameDecoder::new();
        d.push(&sent);
        let req = d.next_frame().unwrap().unwrap();
        response.transaction_id = req.transaction_id.clone();
        c.handle_frame(&response, t0);
        req
    };
    answer(&mut c, challenge);
    let with_creds = answer(&mut c, granted);
    assert!(with_creds
        .header("Authorization")
        .unwrap()
        .contains("uri=\"msrps://alice@intra.example.com;tcp\""));
    match c.poll_output() {
        Some(RelayOutput::Event(RelayEvent::Authorized { use_path, expires })) => {
            assert_eq!(
                MsrpUri::format_path(&use_path),
                "msrps://relay.example.com:2855;tcp"
            );
            assert_eq!(expires, Duration::from_secs(900));
        }
        other => panic!("expected Authorized, got {other:?}"),
    }
}

#[test]
fn rfc4976_relayed_send_reaches_the_endpoint_session() {
    let send = frame("rfc4976-7-send-relayed.msrp");
    let to = send.to_path().unwrap();
    assert_eq!(to.len(), 3);
    assert!(to[0].secure && to[0].session_id.is_none());
    // As delivered to Bob after both relays: To-Path is Bob, From-Path is
    // the relays (in reverse) then Alice; Bob's a=path for Alice is her
    // relay then Alice.
    let alice = send.from_path().unwrap().remove(0);
    let mut delivered = send.clone();
    delivered.headers[0].1 = to[2].to_string();
    delivered.headers[1].1 = format!("{} {} {alice}", to[1], to[0]);
    let t0 = Instant::now();
    let mut cfg = SessionConfig::new(to[2].clone(), vec![to[0].clone(), alice], false);
    cfg.relays = vec![to[1].clone()];
    let mut bob = Session::new(cfg, 5, t0);
    bob.open(t0);
    bob.handle_frame(delivered, t0);
    let mut response = None;
    let mut got = None;
    while let Some(o) = bob.poll_output() {
        match o {
            Output::Transmit(b) => {
                let mut d = FrameDecoder::new();
                d.push(&b.to_vec());
                response = d.next_frame().unwrap();
            }
            Output::Event(SessionEvent::MessageReceived { body, .. }) => got = Some(body),
            Output::Event(_) => {}
        }
    }
    let response = response.unwrap();
    assert_eq!(response.status(), Some(200));
    assert_eq!(
        response.header("To-Path"),
        Some(to[1].to_string().as_str()),
        "answered to the previous hop"
    );
    assert_eq!(got.as_deref(), Some(&b"Hi Bob"[..]));
}

#[test]
fn rfc3862_cpim_example() {
    let bytes = read("rfc3862-3.2.cpim");
    let m = CpimMessage::parse(&bytes).unwrap();
    assert_eq!(address(m.from().unwrap()), "im:piglet@100akerwood.com");
    assert_eq!(address(m.to().unwrap()), "im:eeyore@100akerwood.com");
    assert_eq!(m.subject(), Some("the weather will be fine today"));
    assert_eq!(m.date_time().unwrap().to_rfc3339(), "2000-12-13T13:40:00-08:00");
    assert_eq!(
        m.namespaced("mid:MessageFeatures@id.foo.com", "WackyMessageOption"),
        Some("Use-silly-font")
    );
    assert_eq!(m.content_type().as_deref(), Some("text/xml"));
    assert!(m.body.starts_with(b"<body>\r\nHere is the text"));
    assert_eq!(m.to_bytes(), bytes);

    let req = CpimMessage::parse(&read("rfc5438-imdn-request.cpim")).unwrap();
    assert_eq!(req.imdn_message_id(), Some("34jk324j"));
    let asked = req.disposition_notification().unwrap();
    assert!(asked.positive_delivery && asked.display && !asked.negative_delivery);
    assert_eq!(req.body, b"Hello World\r\n");
}

#[test]
fn rfc5438_and_rfc3994_documents() {
    let d = Notification::parse(&read("rfc5438-delivered.imdn.xml")).unwrap();
    assert_eq!(
        (d.message_id.as_str(), d.disposition),
        ("34jk324j", Disposition::Delivered)
    );
    let s = Notification::parse(&read("rfc5438-displayed.imdn.xml")).unwrap();
    assert_eq!(s.disposition, Disposition::Displayed);
    assert_eq!(s.original_recipient_uri.as_deref(), Some("im:bob@example.com"));
    let a = IsComposing::parse(&read("rfc3994-active.iscomposing.xml")).unwrap();
    assert_eq!(
        (a.state, a.refresh, a.content_type.as_deref()),
        (ComposeState::Active, Some(90), Some("text/html"))
    );
    let i = IsComposing::parse(&read("rfc3994-idle.iscomposing.xml")).unwrap();
    assert_eq!(
        (i.state, i.last_active.as_deref()),
        (ComposeState::Idle, Some("2003-01-27T10:43:00Z"))
    );
}

type Harness = fn(&[u8]);
const HARNESSES: &[(&str, Harness)] = &[
    ("msrp_frame", fuzz_msrp::msrp_frame),
    ("msrp_session", fuzz_msrp::msrp_session),
    ("cpim", fuzz_msrp::cpim),
    ("im_xml", fuzz_msrp::im_xml),
];

#[test]
fn fuzz_bodies_hold_over_every_vector_and_regression() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for path in files("") {
        if path.is_file() && !path.to_string_lossy().ends_with(".py") {
            inputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    let regressions = dir().join("fuzz-regressions");
    if let Ok(entries) = std::fs::read_dir(&regressions) {
        for e in entries.flatten() {
            inputs.push((e.path().display().to_string(), std::fs::read(e.path()).unwrap()));
        }
    }
    // All MSRP vectors back to back, as one stream.
    let stream: Vec<u8> = files(".msrp")
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    inputs.push(("all .msrp vectors in one stream".into(), stream));
    let mut failed = Vec::new();
    for (name, bytes) in &inputs {
        for (harness, run) in HARNESSES {
            // The frame and session harnesses take a split byte first: run
            // the bytes as they are (a fuzz regression is a harness input)
            // and behind several split bytes.
            let mut runs = vec![("as is".to_string(), bytes.clone())];
            if harness.starts_with("msrp") {
                for seed in [0u8, 1, 6, 255] {
                    let mut input = vec![seed];
                    input.extend_from_slice(bytes);
                    runs.push((format!("split byte {seed}"), input));
                }
            }
            for (how, data) in runs {
                if std::panic::catch_unwind(|| run(&data)).is_err() {
                    failed.push(format!("{name} under {harness} ({how})"));
                }
            }
        }
    }
    assert!(
        failed.is_empty(),
        "harness panics (messages above):\n{}",
        failed.join("\n")
    );
}
