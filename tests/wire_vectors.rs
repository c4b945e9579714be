//! Wire vectors: what our SIP parser and user agent do with real, binary-exact
//! messages from the RFCs.
//!
//! `tests/vectors/*.sip` holds the RFC 4475 torture messages (named as in the
//! RFC), the RFC 3261 section 24 and RFC 3665 section 2.1 example flows and the
//! RFC 3428 section 4 MESSAGE flow, written by `tests/vectors/generate.py`.
//! `tests/vectors/fuzz-regressions/` holds inputs the fuzzers once crashed on.
//!
//! [`VECTORS`] records, for every file, what our tolerant parser does with it
//! and whether that is what the RFC asks for. Where it is not, the entry is an
//! [`Expect::Discrepancy`]: the current behaviour is asserted (so a fix shows
//! up as a failing test whose entry must then be updated) and the RFC's
//! expectation is asserted by an `#[ignore]`d test. The same scheme is used for
//! what the agent answers (`agent::AGENT_ANSWERS`).
//!
//! The bodies of the fuzz targets (`tests/fuzz/src/lib.rs`) are included here
//! and run over every vector, so their properties (no panic, the
//! serialisation round trip, the framer agreeing with the parser, ...) are
//! checked on stable Rust too.
//!
//! By topic: the vector table and its checks here; the harnesses in
//! `wire_vectors/harnesses.rs`, single torture messages in
//! `wire_vectors/torture.rs`, the example flows in `wire_vectors/flows.rs`,
//! the agent's answers in `wire_vectors/agent.rs`.

#[path = "fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_bodies;

#[path = "wire_vectors/agent.rs"]
mod agent;
#[path = "wire_vectors/flows.rs"]
mod flows;
#[path = "wire_vectors/harnesses.rs"]
mod harnesses;
#[path = "wire_vectors/torture.rs"]
mod torture;

use sipchat::protocol::sip::digest::{self, Algorithm, Qop};
use sipchat::protocol::sip::message::{Method, SipMessage};
use sipchat::protocol::sip::name_addr::{NameAddr, Via};
use sipchat::protocol::sip::uri::{SipUri, Transport};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What the parser layer makes of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// `SipMessage::parse` succeeds; a request passes `validate_request`, a
    /// response has a readable top Via, Call-ID, CSeq, From and To; Contact
    /// (if any) reads.
    Valid,
    /// `SipMessage::parse` fails (the agent drops the packet).
    Rejected,
    /// Parses, but `validate_request` (request) or one of the accessors above
    /// (response) fails (the agent answers a request 400 when it can).
    ParsesButInvalid,
}

/// What a vector should do.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The RFC calls it valid (or says a parser must accept it), and we do.
    Valid,
    /// Invalid per the RFC, and we reject it at parse time.
    Rejected,
    /// Invalid per the RFC; we parse it but `validate_request` or an
    /// accessor refuses it.
    ParsesButInvalid,
    /// Invalid per the RFC, but we accept it ([`Outcome::Valid`]); the text
    /// says why tolerating it is acceptable.
    Tolerated(&'static str),
    /// We do `now`; the RFC asks for one of `rfc`. `why` says what is wrong.
    /// (None open today; kept so a new finding can be recorded honestly.)
    #[allow(dead_code)]
    Discrepancy {
        now: Outcome,
        rfc: &'static [Outcome],
        why: &'static str,
    },
}

use Expect::{Discrepancy, ParsesButInvalid, Rejected, Tolerated, Valid};

/// For `Discrepancy` rows: "the RFC wants this refused, one way or another".
#[allow(dead_code)]
const NOT_VALID: &[Outcome] = &[Outcome::ParsesButInvalid, Outcome::Rejected];

/// Every vector file (without `.sip`), its source, and what it should do.
const VECTORS: &[(&str, &str, Expect)] = &[
    // RFC 4475 3.1.1: valid messages.
    ("wsinv", "RFC 4475 3.1.1.1", Valid),
    ("intmeth", "RFC 4475 3.1.1.2", Valid),
    ("esc01", "RFC 4475 3.1.1.3", Valid),
    ("escnull", "RFC 4475 3.1.1.4", Valid),
    ("esc02", "RFC 4475 3.1.1.5", Valid),
    ("lwsdisp", "RFC 4475 3.1.1.6", Valid),
    ("longreq", "RFC 4475 3.1.1.7", Valid),
    ("dblreq", "RFC 4475 3.1.1.8", Valid),
    ("semiuri", "RFC 4475 3.1.1.9", Valid),
    ("transports", "RFC 4475 3.1.1.10", Valid),
    ("mpart01", "RFC 4475 3.1.1.11", Valid),
    ("unreason", "RFC 4475 3.1.1.12", Valid),
    ("noreason", "RFC 4475 3.1.1.13", Valid),
    // RFC 4475 3.1.2: invalid messages.
    (
        "badinv01",
        "RFC 4475 3.1.2.1",
        Tolerated(
            "the empty Via/Contact parameters and list elements (;; ,,) are skipped, which is \
             unambiguous; the RFC's 400 is a should",
        ),
    ),
    ("clerr", "RFC 4475 3.1.2.2", Rejected),
    ("ncl", "RFC 4475 3.1.2.3", Rejected),
    ("scalar02", "RFC 4475 3.1.2.4", ParsesButInvalid),
    ("scalarlg", "RFC 4475 3.1.2.5", ParsesButInvalid),
    ("quotbal", "RFC 4475 3.1.2.6", ParsesButInvalid),
    ("ltgtruri", "RFC 4475 3.1.2.7", Rejected),
    ("lwsruri", "RFC 4475 3.1.2.8", Rejected),
    (
        "lwsstart",
        "RFC 4475 3.1.2.9",
        Tolerated("the RFC lets a liberal element ignore extra SP in the Request-Line; we never forward"),
    ),
    (
        "trws",
        "RFC 4475 3.1.2.10",
        Tolerated("the RFC lets a liberal element ignore SP before the CRLF; we never forward"),
    ),
    (
        "escruri",
        "RFC 4475 3.1.2.11",
        Tolerated("the RFC allows ignoring escaped headers in the Request-URI; we never act on them"),
    ),
    (
        "baddate",
        "RFC 4475 3.1.2.12",
        Tolerated("we never read Date, and the RFC says not to reject for a Date that is not used"),
    ),
    (
        "regbadct",
        "RFC 4475 3.1.2.13",
        Tolerated("the RFC allows inferring the <> here; the Contact text is kept as received"),
    ),
    (
        "badaspec",
        "RFC 4475 3.1.2.14",
        Tolerated("the RFC lets a liberal element ignore the spaces inside < >; they are trimmed"),
    ),
    (
        "baddn",
        "RFC 4475 3.1.2.15",
        Tolerated(
            "the RFC lets an element infer the missing quotes (a proxy must not forward them; we \
             do not forward). The archived file also lacks the empty line after the headers; \
             for a datagram its end ends the header section",
        ),
    ),
    ("badvers", "RFC 4475 3.1.2.16", Rejected),
    ("mismatch01", "RFC 4475 3.1.2.17", ParsesButInvalid),
    ("mismatch02", "RFC 4475 3.1.2.18", ParsesButInvalid),
    ("bigcode", "RFC 4475 3.1.2.19", Rejected),
    // RFC 4475 3.2 and 3.3: the parser must not fail; what to answer is the
    // element's business (see AGENT_ANSWERS).
    ("badbranch", "RFC 4475 3.2.1", Valid),
    ("insuf", "RFC 4475 3.3.1", ParsesButInvalid),
    ("unkscm", "RFC 4475 3.3.2", Valid),
    ("novelsc", "RFC 4475 3.3.3", Valid),
    ("unksm2", "RFC 4475 3.3.4", Valid),
    ("bext01", "RFC 4475 3.3.5", Valid),
    ("invut", "RFC 4475 3.3.6", Valid),
    ("regaut01", "RFC 4475 3.3.7", Valid),
    ("multi01", "RFC 4475 3.3.8", ParsesButInvalid),
    ("mcl01", "RFC 4475 3.3.9", Rejected),
    ("bcast", "RFC 4475 3.3.10", Valid),
    ("zeromf", "RFC 4475 3.3.11", Valid),
    ("cparam01", "RFC 4475 3.3.12", Valid),
    ("cparam02", "RFC 4475 3.3.13", Valid),
    ("regescrt", "RFC 4475 3.3.14", Valid),
    ("sdp01", "RFC 4475 3.3.15", Valid),
    ("inv2543", "RFC 4475 3.4.1", Valid),
    // RFC 3261 section 24 and RFC 3665 section 2.1 example flows.
    ("rfc3261-24.1-f1-register", "RFC 3261 24.1 F1", Valid),
    ("rfc3261-24.1-f2-200", "RFC 3261 24.1 F2", Valid),
    ("rfc3261-24.2-f11-ack", "RFC 3261 24.2 F11", Valid),
    ("rfc3261-24.2-f13-bye", "RFC 3261 24.2 F13", Valid),
    ("rfc3261-24.2-f14-200", "RFC 3261 24.2 F14", Valid),
    ("rfc3665-2.1-f1-register", "RFC 3665 2.1 F1", Valid),
    ("rfc3665-2.1-f2-401", "RFC 3665 2.1 F2", Valid),
    ("rfc3665-2.1-f3-register", "RFC 3665 2.1 F3", Valid),
    ("rfc3665-2.1-f4-200", "RFC 3665 2.1 F4", Valid),
    // RFC 3428 section 4 (page-mode MESSAGE).
    ("rfc3428-4-f1-message", "RFC 3428 4 F1", Valid),
    ("rfc3428-4-f2-message", "RFC 3428 4 F2", Valid),
    ("rfc3428-4-f3-200", "RFC 3428 4 F3", Valid),
    ("rfc3428-4-f4-200", "RFC 3428 4 F4", Valid),
    // Issue #5: a small file in a MESSAGE, as Twinkle sends one.
    ("twinkle-file-message", "Twinkle-style file MESSAGE", Valid),
];

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
}

fn read_vector(name: &str) -> Vec<u8> {
    let path = vectors_dir().join(format!("{name}.sip"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.sip` file under `dir` (recursively), sorted.
fn sip_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(sip_files(&path));
        } else if path.extension().is_some_and(|e| e == "sip") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn parse(name: &str) -> SipMessage {
    SipMessage::parse(&read_vector(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn outcome(bytes: &[u8]) -> Outcome {
    let Ok(msg) = SipMessage::parse(bytes) else {
        return Outcome::Rejected;
    };
    let ok = if msg.is_request() {
        msg.validate_request().is_ok()
    } else {
        msg.top_via().is_ok()
            && msg.call_id().is_ok()
            && msg.cseq().is_ok()
            && msg.from_header().is_ok()
            && msg.to_header().is_ok()
    };
    if ok && msg.contacts().is_ok() {
        Outcome::Valid
    } else {
        Outcome::ParsesButInvalid
    }
}

/// The elements of every Via line of a message.
fn vias(msg: &SipMessage) -> Vec<Via> {
    msg.header_list("Via")
        .into_iter()
        .map(|v| Via::parse(v).unwrap_or_else(|e| panic!("{v}: {e}")))
        .collect()
}

fn sip_uri(text: &str) -> SipUri {
    SipUri::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn expect_of(name: &str) -> Expect {
    match VECTORS.iter().find(|(n, _, _)| *n == name) {
        Some((_, _, e)) => *e,
        None => panic!("{name} is not in VECTORS"),
    }
}

#[test]
fn every_vector_file_has_an_expectation_and_every_expectation_a_file() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(vectors_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sip"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let listed: BTreeSet<String> = VECTORS.iter().map(|(n, _, _)| n.to_string()).collect();
    assert_eq!(on_disk, listed, "tests/vectors/*.sip and VECTORS differ");
    assert_eq!(listed.len(), VECTORS.len(), "a name is listed twice");
}

#[test]
fn vectors_have_crlf_line_ends() {
    // The header section of every vector uses CRLF only (bodies may carry
    // any octet: mpart01's DER part holds bare CR and LF).
    for (name, _, _) in VECTORS {
        let bytes = read_vector(name);
        let head_end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(bytes.len());
        for (i, b) in bytes[..head_end].iter().enumerate() {
            if *b == b'\n' {
                assert_eq!(
                    bytes.get(i.wrapping_sub(1)),
                    Some(&b'\r'),
                    "{name}: bare LF at {i}"
                );
            }
        }
    }
}

#[test]
fn every_leniency_and_discrepancy_says_why() {
    for (name, source, expect) in VECTORS {
        let why = match expect {
            Tolerated(why) | Discrepancy { why, .. } => why,
            _ => continue,
        };
        assert!(why.len() > 20, "{name} ({source}): say why");
    }
}

#[test]
fn parser_outcome_matches_the_table() {
    let mut wrong = Vec::new();
    for (name, source, expect) in VECTORS {
        let got = outcome(&read_vector(name));
        let want = match expect {
            Valid | Tolerated(_) => Outcome::Valid,
            Rejected => Outcome::Rejected,
            ParsesButInvalid => Outcome::ParsesButInvalid,
            Discrepancy { now, .. } => *now,
        };
        if got != want {
            wrong.push(format!(
                "{name} ({source}): expected {want:?}, got {got:?} ({expect:?})"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "outcomes differ from VECTORS:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn parser_outcome_matches_the_rfc_for_known_discrepancies() {
    let mut wrong = Vec::new();
    for (name, source, expect) in VECTORS {
        if let Discrepancy { rfc, why, .. } = expect {
            let got = outcome(&read_vector(name));
            if !rfc.contains(&got) {
                wrong.push(format!(
                    "{name} ({source}): got {got:?}, RFC wants one of {rfc:?}: {why}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
