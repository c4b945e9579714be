//! The body of the `vcard_import` fuzz target over the vCard fixtures and
//! some broken cards, on stable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/vcard.rs"]
mod vcard_fuzz;

use std::path::Path;

#[test]
fn the_fuzz_body_holds_on_the_fixtures_and_broken_cards() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcard");
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    assert!(inputs.len() >= 2);
    for broken in [
        &b""[..],
        b"BEGIN:VCARD",
        b"BEGIN:VCARD\r\nFN:x\r\nTEL;VALUE=uri:sip:\r\nEND:VCARD",
        b"BEGIN:VCARD\r\nFN:\\\r\n IMPP:sip:a@b\r\nEND:VCARD\r\n",
        b"BEGIN:VCARD\nBEGIN:VCARD\nFN:nested\nIMPP:sip:a@b\nEND:VCARD\nEND:VCARD\n",
        b"\xff\xfe\x00B\x00E\x00G\x00I\x00N",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:q\r\nTEL:=\r\n IMPP:sips:x@y\r\nPHOTO;ENCODING=b:@@@\r\nEND:VCARD\r\n",
    ] {
        inputs.push(broken.to_vec());
    }
    for input in &inputs {
        vcard_fuzz::vcard_import(input);
    }
}
