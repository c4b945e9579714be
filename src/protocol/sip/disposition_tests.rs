#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn reads_a_quoted_file_name() {
    let d = parse(r#"attachment; filename="holiday photo.png""#).unwrap();
    assert_eq!(d.kind, "attachment");
    assert_eq!(d.filename.as_deref(), Some("holiday photo.png"));
    assert!(d.is_file_kind());
}

#[test]
fn reads_a_token_name_any_case_and_spacing() {
    let d = parse("Render ;FileName = notes.txt ; handling=Optional").unwrap();
    assert_eq!(d.kind, "render");
    assert_eq!(d.filename.as_deref(), Some("notes.txt"));
    assert_eq!(d.handling.as_deref(), Some("optional"));
}

#[test]
fn quoted_names_keep_semicolons_and_escaped_quotes() {
    let d = parse(r#"attachment; filename="a;b \"c\".txt"; handling=required"#).unwrap();
    assert_eq!(d.filename.as_deref(), Some(r#"a;b "c".txt"#));
    assert_eq!(d.handling.as_deref(), Some("required"));
}

#[test]
fn path_components_are_passed_on_as_offered() {
    // The parser reports the name as sent; the runtime strips it.
    let d = parse(r#"attachment; filename="../../etc/passwd""#).unwrap();
    assert_eq!(d.filename.as_deref(), Some("../../etc/passwd"));
}

#[test]
fn extended_name_wins_and_is_decoded() {
    let d = parse("attachment; filename=\"fallback.txt\"; filename*=UTF-8''gr%C3%BC%C3%9Fe.txt").unwrap();
    assert_eq!(d.filename.as_deref(), Some("grüße.txt"));
    let latin = parse("attachment; filename*=iso-8859-1'en'caf%E9.txt").unwrap();
    assert_eq!(latin.filename.as_deref(), Some("café.txt"));
}

#[test]
fn broken_extended_names_are_refused_in_words() {
    for bad in [
        "attachment; filename*=UTF-8''%zz.txt",
        "attachment; filename*=UTF-8''%C3",
        "attachment; filename*=koi8-r''x.txt",
        "attachment; filename*=plain.txt",
    ] {
        let e = parse(bad).unwrap_err();
        assert!(matches!(e, DispositionError::BadFilename(_)), "{bad}: {e:?}");
        assert!(e.to_string().contains("file name"), "{e}");
    }
}

#[test]
fn missing_or_empty_file_name_is_none() {
    assert_eq!(parse("attachment").unwrap().filename, None);
    assert_eq!(parse(r#"attachment; filename="""#).unwrap().filename, None);
    assert_eq!(parse("attachment; filename").unwrap().filename, None);
}

#[test]
fn malformed_values_are_refused() {
    assert_eq!(parse("").unwrap_err(), DispositionError::NoType);
    assert_eq!(parse("  ; filename=a").unwrap_err(), DispositionError::NoType);
    assert!(matches!(
        parse("attach ment; filename=a").unwrap_err(),
        DispositionError::BadType(_)
    ));
    let long = format!("attachment; filename=\"{}\"", "a".repeat(MAX_DISPOSITION_BYTES));
    assert!(matches!(parse(&long).unwrap_err(), DispositionError::TooLong(_)));
    let many = format!("attachment{}", ";x=1".repeat(MAX_DISPOSITION_PARAMS + 1));
    assert!(matches!(
        parse(&many).unwrap_err(),
        DispositionError::TooManyParams(_)
    ));
    let name = format!("attachment; filename={}", "n".repeat(MAX_FILENAME_BYTES + 1));
    assert!(matches!(
        parse(&name).unwrap_err(),
        DispositionError::BadFilename(_)
    ));
}

#[test]
fn prints_quoted_and_escaped_and_reads_back() {
    for name in [
        "a.png",
        "with space.txt",
        r#"quote " and \ slash.bin"#,
        "grüße.txt",
    ] {
        let value = ContentDisposition::attachment(name).to_header_value();
        assert!(value.starts_with("attachment; filename=\""), "{value}");
        assert_eq!(parse(&value).unwrap().filename.as_deref(), Some(name), "{value}");
    }
    assert_eq!(
        ContentDisposition::attachment(r#"a"b"#).to_header_value(),
        r#"attachment; filename="a\"b""#
    );
    // Header injection is impossible: line breaks are dropped.
    let value = ContentDisposition::attachment("x\r\nVia: evil").to_header_value();
    assert!(!value.contains('\r') && !value.contains('\n'), "{value}");
}

#[test]
fn which_bodies_are_files() {
    let file = |ct: &str, d: Option<&str>| page_file(ct, d);
    // Named by the disposition, whatever the type.
    let f = file("image/png", Some(r#"attachment; filename="x.png""#)).unwrap();
    assert_eq!(f.name.as_deref(), Some("x.png"));
    assert_eq!(f.content_type, "image/png");
    assert!(file("text/plain", Some("attachment; filename=notes.txt")).is_some());
    assert!(file("text/plain", Some("inline; filename=notes.txt")).is_some());
    assert!(file("text/plain", Some("render; filename=notes.txt")).is_some());
    assert!(file("text/plain", Some("attachment")).is_some());
    // A non-text type is a file even without a disposition (a name is made up later).
    let f = file("application/pdf", None).unwrap();
    assert_eq!(f.name, None);
    assert!(file("IMAGE/JPEG", Some("garbage ; ;")).is_some());
    // Text without a file disposition stays a message.
    assert!(file("text/plain", None).is_none());
    assert!(file("text/plain", Some("render")).is_none());
    assert!(file("text/plain", Some("inline")).is_none());
    assert!(file("text/html", None).is_none());
    assert!(file("text/plain", Some("attach ment; filename=a")).is_none());
    // Typing notices, alerts and wrappers are never files.
    assert!(file("application/im-iscomposing+xml", Some("attachment; filename=a")).is_none());
    assert!(file("application/cap+xml", Some("attachment; filename=a.xml")).is_none());
    assert!(file("multipart/mixed", None).is_none());
    assert!(file("message/cpim", None).is_none());
}
