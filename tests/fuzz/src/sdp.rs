//! Body of the `sdp` fuzz target (MSRP session descriptions).
//!
//! Standalone (uses only `sipchat`), so `tests/sdp_vectors.rs` can include
//! it with `#[path]` and run it on stable over the SDP vectors.

use sipchat::protocol::sdp::{
    build_answer, evaluate_offer, read_answer, Address, Capabilities, Connect, LocalEndpoint, MsrpPath,
    MsrpTransport, Origin, SessionDescription, MAX_SDP_BYTES,
};

/// Arbitrary bytes into the SDP parser, the answerer and the answer reader.
///
/// Checked: nothing panics; a description that parses is written so that it
/// parses back to the same typed value; every answer we build parses back to
/// itself; when the answer is for the offer's first MSRP stream, the offerer
/// reading it agrees (and the two sides get opposite connection roles); a
/// rejection's Warning header is one line.
pub fn sdp(data: &[u8]) {
    let Ok(offer) = SessionDescription::parse(data) else {
        return;
    };
    check_round_trip(&offer, data);

    let restrictive = Capabilities {
        tls: false,
        accept_files: true,
        max_file_size: Some(1000),
        file_accept_types: vec!["image/*".into()],
        accept_types: vec!["text/plain".into()],
        prefer_active: true,
        ..Capabilities::default()
    };
    for caps in [Capabilities::default(), restrictive] {
        match evaluate_offer(&offer, &caps) {
            Ok(decision) => {
                let (answer, negotiated) = build_answer(&offer, &decision, &local(decision.transport), None);
                let written = answer.to_bytes();
                match SessionDescription::parse(&written) {
                    Ok(again) => assert_eq!(again, answer, "our answer changes when re-read"),
                    Err(e) => panic!(
                        "our answer does not parse ({e}): {:?}",
                        String::from_utf8_lossy(&written)
                    ),
                }
                let first = offer.msrp_stream().map(|(i, _)| i);
                if first == Some(decision.stream_index) {
                    match read_answer(&offer, &answer) {
                        Ok(theirs) => {
                            let expected = match negotiated.connect {
                                Connect::WeConnect => Connect::WeListen,
                                Connect::WeListen => Connect::WeConnect,
                                Connect::NoConnection => Connect::NoConnection,
                            };
                            assert_eq!(theirs.connect, expected, "both sides would {:?}", theirs.connect);
                            assert_eq!(theirs.transport, negotiated.transport);
                        }
                        Err(e) => panic!(
                            "the offerer refuses the answer we built ({e}); offer {:?}",
                            String::from_utf8_lossy(data)
                        ),
                    }
                }
            }
            Err(rejection) => {
                let w = rejection.warning("sipchat");
                assert!(
                    !w.contains(['\r', '\n']),
                    "a Warning header with a line break: {w:?}"
                );
            }
        }
    }
    // Reading anything as an answer to anything never panics.
    let _ = read_answer(&offer, &offer);
}

fn check_round_trip(desc: &SessionDescription, data: &[u8]) {
    let written = desc.to_bytes();
    if written.len() > MAX_SDP_BYTES {
        // Writing canonicalises (CRLF line ends, escaped file names, the
        // o=/s=/t= lines), so an input just under the limit may be written
        // just over it. Our own offers and answers are far below it.
        return;
    }
    match SessionDescription::parse(&written) {
        Ok(again) => assert_eq!(
            &again,
            desc,
            "{:?} is written as {:?}, which reads differently",
            String::from_utf8_lossy(data),
            String::from_utf8_lossy(&written)
        ),
        Err(e) => panic!(
            "{:?} parses, but is written as {:?}, which does not: {e}",
            String::from_utf8_lossy(data),
            String::from_utf8_lossy(&written)
        ),
    }
}

fn local(transport: MsrpTransport) -> LocalEndpoint {
    let uri = format!("{}://192.0.2.10:2855/fuzz;tcp", transport.scheme());
    let path = match MsrpPath::parse(&uri) {
        Ok(p) => p,
        Err(e) => panic!("{uri}: {e}"),
    };
    LocalEndpoint {
        origin: Origin {
            username: "-".into(),
            session_id: "1".into(),
            session_version: 1,
            address: Address::from_ip([192, 0, 2, 10].into()),
        },
        connection: Address::from_ip([192, 0, 2, 10].into()),
        port: 2855,
        path,
    }
}
