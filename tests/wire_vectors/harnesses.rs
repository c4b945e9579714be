//! The fuzz harnesses (`tests/fuzz/src/lib.rs`) run over every vector and
//! fuzz regression, the regressions still open ([`OPEN_BUGS`]), and the
//! inputs that once made the parser panic.

use super::*;

/// The harnesses, by name.
/// A harness body: takes arbitrary bytes, panics on a defect.
type Harness = fn(&[u8]);

const HARNESSES: &[(&str, Harness)] = &[
    ("sip_message", fuzz_bodies::sip_message),
    ("digest_challenge", fuzz_bodies::digest_challenge),
    ("sip_uri", fuzz_bodies::sip_uri),
    ("stream_framer", stream_framer_chunkings),
    ("agent_packet", fuzz_bodies::agent_packet),
    ("alert_body", alert_body_modes),
    ("content_disposition", fuzz_bodies::content_disposition),
    ("stun_message", fuzz_bodies::stun_message),
];

/// The alert harness in each of its modes (CAP, multipart, text; with and
/// without an alert Subject).
fn alert_body_modes(bytes: &[u8]) {
    for mode in [0u8, 1, 2, 0x80, 0x81, 0x82] {
        let mut input = vec![mode];
        input.extend_from_slice(bytes);
        fuzz_bodies::alert_body(&input);
    }
}

#[test]
fn alert_harness_runs_over_the_cap_vectors() {
    // The CAP vectors alone, and wrapped in a multipart body.
    let dir = vectors_dir().join("cap");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let xml = std::fs::read_to_string(&path).unwrap();
        alert_body_modes(xml.as_bytes());
        let multipart = format!(
            "--zz\r\nContent-Type: text/plain\r\n\r\nsee CAP\r\n--zz\r\nContent-Type: application/cap+xml\r\n\r\n{xml}\r\n--zz--\r\n"
        );
        alert_body_modes(multipart.as_bytes());
        seen += 1;
    }
    assert!(seen >= 5, "the CAP vectors are missing from {}", dir.display());
}

#[test]
fn the_stun_vectors_parse_and_survive_the_harness() {
    // RFC 5769 sections 2.1-2.3; their FINGERPRINTs check the transcription.
    use sipchat::protocol::stun;
    let dir = vectors_dir().join("stun");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let message = stun::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(message.fingerprinted, "{}", path.display());
        fuzz_bodies::stun_message(&bytes);
        seen += 1;
    }
    assert_eq!(seen, 3, "the RFC 5769 vectors are missing from {}", dir.display());
}

/// The stream framer harness with several chunk-size seeds in front.
fn stream_framer_chunkings(bytes: &[u8]) {
    for seed in [0u8, 1, 7, 63, 255] {
        let mut input = vec![seed];
        input.extend_from_slice(bytes);
        fuzz_bodies::stream_framer(&input);
    }
}

/// Inputs that still make a harness fail because of a bug open in src/:
/// `(file stem under tests/vectors or tests/vectors/fuzz-regressions,
/// harnesses it still fails, the bug)`. They are left out of
/// `no_vector_panics_any_harness` and checked by the ignored
/// `open_fuzz_regressions_are_fixed`; remove a row when its bug is fixed.
const OPEN_BUGS: &[(&str, &[&str], &str)] = &[
    // All fuzz regressions found so far are fixed; their inputs stay in
    // fuzz-regressions/ and every harness runs over them.
];

fn is_open(path: &Path, harness: &str) -> bool {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    OPEN_BUGS
        .iter()
        .any(|(file, harnesses, _)| *file == stem && harnesses.contains(&harness))
}

fn regressions_dir() -> PathBuf {
    vectors_dir().join("fuzz-regressions")
}

/// A vector or, failing that, a fuzz regression named `stem`.
fn open_bug_path(stem: &str) -> PathBuf {
    let vector = vectors_dir().join(format!("{stem}.sip"));
    if vector.is_file() {
        vector
    } else {
        regressions_dir().join(format!("{stem}.sip"))
    }
}

#[test]
fn no_vector_panics_any_harness() {
    // The fuzz target bodies over every vector and every fuzz regression:
    // parse + accessors + serialisation round trip, digest challenges, the
    // stream framer in several chunkings, URIs, and the agent.
    let mut failed = Vec::new();
    for path in sip_files(&vectors_dir()) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (harness, run) in HARNESSES {
            if is_open(&path, harness) {
                continue;
            }
            if std::panic::catch_unwind(|| run(&bytes)).is_err() {
                failed.push(format!("{} under {harness}", path.display()));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "harness panics (messages above):\n{}",
        failed.join("\n")
    );
}

#[test]
fn open_regression_rows_name_existing_files() {
    for (file, harnesses, _) in OPEN_BUGS {
        let path = open_bug_path(file);
        assert!(path.is_file(), "{} is missing", path.display());
        for h in *harnesses {
            assert!(HARNESSES.iter().any(|(name, _)| name == h), "no harness {h}");
        }
    }
}

#[test]
fn open_fuzz_regressions_are_fixed() {
    let mut failed = Vec::new();
    for (file, harnesses, why) in OPEN_BUGS {
        let bytes = std::fs::read(open_bug_path(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (harness, run) in HARNESSES {
            if harnesses.contains(harness) && std::panic::catch_unwind(|| run(&bytes)).is_err() {
                failed.push(format!("{file} under {harness}: {why}"));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn start_line_with_multibyte_char_at_byte_4_is_an_error_not_a_panic() {
    let bytes = std::fs::read(regressions_dir().join("startline-char-boundary-min.sip"))
        .unwrap_or_else(|e| panic!("{e}"));
    let result = std::panic::catch_unwind(|| SipMessage::parse(&bytes));
    assert!(
        matches!(result, Ok(Err(_))),
        "`abcé sip:a@b SIP/2.0` must be refused with a MessageError (it is not a token), not a panic"
    );
    // Also with the non-token character elsewhere in a SIP/ prefix.
    let result = std::panic::catch_unwind(|| SipMessage::parse("SIP\u{e9}/2.0 200 OK\r\n\r\n".as_bytes()));
    assert!(matches!(result, Ok(Err(_))));
}

#[test]
fn uri_with_password_and_empty_user_is_refused_or_round_trips() {
    // RFC 3261 25.1: userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
    // and user = 1*( ... ), so `sip::pw@host` is not a valid SIP URI. Either
    // refuse it or write it back as received.
    for text in ["sip::pw@host", "sip::70;.0+1972222@gw1.example.netknownparam"] {
        if let Ok(uri) = SipUri::parse(text) {
            assert_eq!(SipUri::parse(&uri.to_string()).ok(), Some(uri), "{text}");
        }
    }
}
