#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const HASH: &str = "72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E";

#[test]
fn selector_with_every_part() {
    let v = format!("name:\"My cool picture.jpg\" type:image/jpeg size:32349 hash:sha-1:{HASH}");
    let s = FileSelector::parse(Some(&v)).unwrap();
    assert_eq!(s.name.as_deref(), Some("My cool picture.jpg"));
    assert_eq!(s.file_type.as_deref(), Some("image/jpeg"));
    assert_eq!(s.size, Some(32349));
    assert_eq!(s.sha1().unwrap()[0], 0x72);
    assert_eq!(s.sha1().unwrap()[19], 0x2E);
    assert_eq!(s.to_value().unwrap(), v);
}

#[test]
fn selector_parts_in_any_order_and_case() {
    let s = FileSelector::parse(Some(&format!(
        "size:7 HASH:SHA-1:{} name:\"a\"",
        HASH.to_lowercase()
    )))
    .unwrap();
    assert_eq!(s.size, Some(7));
    assert_eq!(s.name.as_deref(), Some("a"));
    assert_eq!(s.hashes[0].algorithm, "sha-1");
    // Written in the canonical order, upper-case hex.
    assert_eq!(
        s.to_value().unwrap(),
        format!("name:\"a\" size:7 hash:sha-1:{HASH}")
    );
}

#[test]
fn empty_selector() {
    assert_eq!(FileSelector::parse(None).unwrap(), FileSelector::default());
    assert_eq!(FileSelector::parse(Some("")).unwrap(), FileSelector::default());
    assert_eq!(FileSelector::default().to_value(), None);
}

#[test]
fn name_escapes_round_trip() {
    for name in [
        "with space.txt",
        "quote\"inside.txt",
        "100%.txt",
        "%41 is not decoded twice",
        "résumé 日本語.pdf",
        "../../etc/passwd",
        "tab\there",
        "  leading and trailing  ",
        "",
    ] {
        let sel = FileSelector {
            name: Some(name.to_string()),
            ..FileSelector::default()
        };
        let value = sel.to_value().unwrap();
        assert!(
            value.matches('"').count() == 2,
            "only the delimiting quotes stay raw: {value}"
        );
        let back = FileSelector::parse(Some(&value)).unwrap();
        assert_eq!(back.name.as_deref(), Some(name), "{value}");
    }
}

#[test]
fn name_decoding() {
    let s = FileSelector::parse(Some("name:\"a%20b%22c%25d\"")).unwrap();
    assert_eq!(s.name.as_deref(), Some("a b\"c%d"));
    // A % that does not start an escape is kept.
    let s = FileSelector::parse(Some("name:\"50% off%\"")).unwrap();
    assert_eq!(s.name.as_deref(), Some("50% off%"));
    // Percent-encoded UTF-8.
    let s = FileSelector::parse(Some("name:\"r%C3%A9sum%C3%A9\"")).unwrap();
    assert_eq!(s.name.as_deref(), Some("résumé"));
}

#[test]
fn bad_selectors_say_why() {
    for (value, words) in [
        ("name:unquoted", "double quotes"),
        ("name:\"open", "not closed"),
        ("name:\"a\"b\"", "not closed"),
        ("name:\"%FF\"", "not UTF-8"),
        ("name:\"a%00b\"", "NUL"),
        ("size:12k", "whole number"),
        ("size:-1", "whole number"),
        ("type:jpeg", "media type"),
        ("hash:sha-1", "no algorithm"),
        ("hash:sha-1:7:24", "hex pairs"),
        ("hash:sha-1:72:24", "20 bytes"),
        ("name:\"a\" name:\"b\"", "twice"),
    ] {
        let err = FileSelector::parse(Some(value)).unwrap_err();
        assert!(err.contains(words), "{value}: {err}");
    }
    let long = format!("name:\"{}\"", "x".repeat(MAX_FILE_NAME_BYTES + 1));
    assert!(FileSelector::parse(Some(&long)).unwrap_err().contains("at most"));
}

#[test]
fn type_with_quoted_parameter() {
    let s = FileSelector::parse(Some("type:text/plain;charset=\"utf 8\" size:3")).unwrap();
    assert_eq!(s.file_type.as_deref(), Some("text/plain;charset=\"utf 8\""));
    assert_eq!(s.size, Some(3));
}

#[test]
fn other_hash_algorithms_are_kept() {
    let s = FileSelector::parse(Some("hash:sha-256:00:01")).unwrap();
    assert_eq!(s.sha1(), None);
    assert_eq!(s.hashes[0].digest, [0, 1]);
    assert_eq!(FileHash::sha1([0xab; 20]).to_string().len(), 5 + 20 * 3);
}

#[test]
fn dates() {
    let d = FileDate::parse(
        "creation:\"Mon, 15 May 2006 15:01:31 +0300\" read:\"Tue, 16 May 2006 10:00:00 +0000\"",
    )
    .unwrap();
    assert_eq!(d.creation.as_deref(), Some("Mon, 15 May 2006 15:01:31 +0300"));
    assert_eq!(d.modification, None);
    assert_eq!(d.read.as_deref(), Some("Tue, 16 May 2006 10:00:00 +0000"));
    assert_eq!(FileDate::parse(&d.to_value().unwrap()).unwrap(), d);
    assert!(FileDate::parse("creation:Mon").unwrap_err().contains("quotes"));
    assert!(FileDate::parse("read:\"a\" read:\"b\"")
        .unwrap_err()
        .contains("twice"));
    assert_eq!(FileDate::default().to_value(), None);
}

#[test]
fn ranges() {
    assert_eq!(
        FileRange::parse("1-32349").unwrap(),
        FileRange {
            start: 1,
            stop: Some(32349)
        }
    );
    assert_eq!(
        FileRange::parse("1020-*").unwrap(),
        FileRange {
            start: 1020,
            stop: None
        }
    );
    assert_eq!(FileRange::parse("5-5").unwrap().to_string(), "5-5");
    assert_eq!(FileRange::parse("7-*").unwrap().to_string(), "7-*");
    for bad in [
        "0-10",
        "10-5",
        "-5",
        "5",
        "a-b",
        "5-",
        "1-*5",
        "99999999999999999999-*",
    ] {
        assert!(FileRange::parse(bad).is_err(), "{bad}");
    }
}
