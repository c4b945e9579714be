//! The example flows: the RFC 3665 registration challenge, the RFC 3428
//! MESSAGE flow, and a Twinkle-style file MESSAGE.

use super::*;

#[test]
fn rfc3665_registration_challenge_is_answerable() {
    let m = parse("rfc3665-2.1-f2-401");
    assert_eq!(m.status(), Some(401));
    let value = m.header("WWW-Authenticate").unwrap_or_default();
    let challenges = digest::parse_challenges(value).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(challenges.len(), 1);
    let c = &challenges[0];
    assert_eq!(c.realm, "atlanta.example.com");
    assert_eq!(c.nonce, "ea9c8e88df84f1cec4341ae6cbe5a359");
    assert_eq!(c.opaque.as_deref(), Some(""));
    assert_eq!(c.algorithm, Algorithm::Md5);
    assert_eq!(c.qop, [Qop::Auth]);
    assert!(!c.stale);
    let via = m.top_via().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(via.received(), Some("192.0.2.201"), "received on a folded line");
    let reg = parse("rfc3665-2.1-f1-register");
    assert_eq!(
        sip_uri(reg.request_uri().unwrap_or_default()).transport(),
        Transport::Tls
    );
    let ok = parse("rfc3665-2.1-f4-200");
    let contact: NameAddr = ok.contacts().unwrap_or_else(|e| panic!("{e}")).remove(0);
    assert_eq!(contact.param("expires"), Some("3600"));
}

#[test]
fn rfc3428_message_flow() {
    let m = parse("rfc3428-4-f1-message");
    assert_eq!(m.method(), Some(Method::Message));
    assert_eq!(m.content_type().as_deref(), Some("text/plain"));
    assert_eq!(m.body, b"Watson, come here.");
    let proxied = vias(&parse("rfc3428-4-f2-message"));
    assert_eq!(proxied.len(), 2);
    assert_eq!(proxied[1].received(), Some("1.2.3.4"));
    let answered = vias(&parse("rfc3428-4-f3-200"));
    assert_eq!(
        answered[1].branch(),
        Some("z9hG4bK776sgdkse"),
        "`;;branch` as printed in the RFC"
    );
    let from = parse("rfc3428-4-f4-200")
        .from_header()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from.tag(), Some("49394"), "`;;tag` as printed in the RFC");
}

#[test]
fn twinkle_style_file_message() {
    use sipchat::protocol::sip::disposition::{self, page_file};
    let bytes = read_vector("twinkle-file-message");
    let m = parse("twinkle-file-message");
    assert_eq!(m.method(), Some(Method::Message));
    assert_eq!(m.content_type().as_deref(), Some("image/png"));
    // The body is the PNG exactly, CR, LF and NUL octets included.
    assert!(m.body.starts_with(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
    assert!(bytes.ends_with(&m.body));
    let d = disposition::parse(m.header("Content-Disposition").unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.kind, "attachment");
    assert_eq!(d.filename.as_deref(), Some("red dot.png"));
    let file = page_file("image/png", m.header("Content-Disposition"));
    assert_eq!(file.and_then(|f| f.name).as_deref(), Some("red dot.png"));
    // The agent hands the bytes over unchanged, as a file, and answers
    // only once the runtime stored it (here: at once).
    let run = fuzz_bodies::run_agent(&bytes, Transport::Tcp);
    let arrived = run
        .arrived_files
        .first()
        .unwrap_or_else(|| panic!("no file arrived"));
    assert_eq!(arrived.data, m.body);
    assert_eq!(arrived.name.as_deref(), Some("red dot.png"));
    assert_eq!(arrived.content_type, "image/png");
}
