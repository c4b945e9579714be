//! multipart/related bodies written by hand after RFC 2046 and RFC 4662.

use super::*;

const BODY: &[u8] = b"preamble\r\n--b1\r\nContent-Type: application/rlmi+xml;charset=UTF-8\r\nContent-ID: <r@h>\r\n\r\n<list/>\r\n--b1 \t\r\nContent-Type: application/pidf+xml\r\nContent-ID: <p@h>\r\n\r\n<presence/>\r\nsecond line\r\n--b1\r\n\r\nno headers\r\n--b1--\r\nepilogue";

#[test]
fn reads_parts_with_their_type_id_and_body() {
    let parts = parse(BODY, Some("b1")).unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].content_type.as_deref(), Some("application/rlmi+xml"));
    assert_eq!(parts[0].content_id.as_deref(), Some("r@h"));
    assert_eq!(parts[0].body, b"<list/>");
    assert_eq!(parts[1].body, b"<presence/>\r\nsecond line");
    assert_eq!(parts[2].content_type, None);
    assert_eq!(parts[2].body, b"no headers");
    // The boundary from the body when the header lost it.
    assert_eq!(parse(BODY, None).unwrap(), parts);
}

#[test]
fn reads_the_boundary_parameter() {
    let header = r#"multipart/related;type="application/rlmi+xml";start="<r@h>";boundary="b1""#;
    assert_eq!(parameter(header, "boundary").as_deref(), Some("b1"));
    assert_eq!(parameter(header, "TYPE").as_deref(), Some("application/rlmi+xml"));
    assert_eq!(parameter("multipart/related", "boundary"), None);
}

#[test]
fn malformed_bodies_are_typed_errors() {
    assert_eq!(
        parse(b"--b1\r\n\r\nx\r\n--b1", Some("b1")),
        Err(MultipartError::Unterminated)
    );
    assert_eq!(
        parse(b"--b1\r\n\r\nx", Some("b1")),
        Err(MultipartError::Unterminated)
    );
    assert_eq!(
        parse(b"no boundary at all", Some("b1")),
        Err(MultipartError::NoFirstBoundary)
    );
    assert_eq!(parse(b"no boundary at all", None), Err(MultipartError::Boundary));
    assert_eq!(parse(b"--\r\n", Some("")), Err(MultipartError::Boundary));
    let long = "x".repeat(MAX_BOUNDARY_BYTES + 1);
    assert_eq!(parse(b"", Some(&long)), Err(MultipartError::Boundary));
    assert_eq!(
        parse(b"--b1\r\nno colon\r\n\r\nx\r\n--b1--", Some("b1")),
        Err(MultipartError::PartHeaders)
    );
    let mut many = Vec::new();
    for _ in 0..=MAX_PARTS {
        many.extend_from_slice(b"--b1\r\n\r\nx\r\n");
    }
    many.extend_from_slice(b"--b1--");
    assert_eq!(parse(&many, Some("b1")), Err(MultipartError::TooManyParts));
    let big = vec![b'-'; MAX_MULTIPART_BYTES + 1];
    assert_eq!(
        parse(&big, Some("b1")),
        Err(MultipartError::TooLong(MAX_MULTIPART_BYTES + 1))
    );
}
