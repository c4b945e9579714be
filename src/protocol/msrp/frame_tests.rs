#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

#[test]
fn byte_ranges() {
    let r = ByteRange::parse("1-25/25").unwrap();
    assert_eq!((r.start, r.end, r.total), (1, Some(25), Some(25)));
    assert_eq!(r.to_string(), "1-25/25");
    let r = ByteRange::parse("1-*/*").unwrap();
    assert_eq!((r.start, r.end, r.total), (1, None, None));
    assert_eq!(r.to_string(), "1-*/*");
    assert_eq!(ByteRange::parse("1-0/0").unwrap().end, Some(0));
    for bad in [
        "0-5/5",
        "5-3/9",
        "1-10/5",
        "1-5",
        "a-5/5",
        "1-5/x",
        "",
        "-/-",
        "1-99999999999999999999/*",
    ] {
        assert!(ByteRange::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn status_header_and_reports() {
    let s = StatusHeader::parse("000 200 OK").unwrap();
    assert_eq!((s.namespace, s.code, s.comment.as_deref()), (0, 200, Some("OK")));
    assert_eq!(s.to_string(), "000 200 OK");
    assert!(StatusHeader::parse("0 200").is_err());
    assert!(StatusHeader::parse("000").is_err());
    let mut f = Frame::request("abc123", Method::Send);
    assert_eq!(f.success_report(), Ok(ReportRequest::No));
    assert_eq!(f.failure_report(), Ok(ReportRequest::Yes));
    f.push_header("Success-Report", "yes");
    f.push_header("Failure-Report", "partial");
    assert_eq!(f.success_report(), Ok(ReportRequest::Yes));
    assert_eq!(f.failure_report(), Ok(ReportRequest::Partial));
    f.push_header("Expires", "x");
    assert!(f.seconds("Expires").is_err());
}

#[test]
fn every_status_code_has_a_comment_and_words() {
    for code in [200, 400, 403, 408, 413, 415, 423, 481, 501, 506] {
        assert_ne!(status_comment(code), "Unknown Status", "{code}");
        assert!(status_in_words(code).len() > 4);
    }
}

#[test]
fn serialises_with_and_without_body() {
    let mut f = Frame::request("d93kswow", Method::Send);
    f.push_header("To-Path", "msrp://b:1/s;tcp");
    f.push_header("From-Path", "msrp://a:1/s;tcp");
    f.body = b"Hi".to_vec();
    f.continuation = Continuation::More;
    assert_eq!(
        f.to_bytes(),
        b"MSRP d93kswow SEND\r\nTo-Path: msrp://b:1/s;tcp\r\nFrom-Path: msrp://a:1/s;tcp\r\n\r\nHi\r\n-------d93kswow+\r\n".to_vec()
    );
    let local = MsrpUri::parse("msrp://b:1/s;tcp").unwrap();
    let r = Frame::response_to(&f, 200, &local);
    assert_eq!(
        r.to_bytes(),
        b"MSRP d93kswow 200 OK\r\nTo-Path: msrp://a:1/s;tcp\r\nFrom-Path: msrp://b:1/s;tcp\r\n-------d93kswow$\r\n".to_vec()
    );
    assert!(Frame::body_collides(b"x\r\n-------d93kswow$", "d93kswow"));
    assert!(!Frame::body_collides(b"-------d93kswo", "d93kswow"));
}

#[test]
fn transaction_ids() {
    assert!(valid_transaction_id("a1b"));
    assert!(!valid_transaction_id("ab"));
    assert!(!valid_transaction_id(&"a".repeat(32)));
    assert!(!valid_transaction_id("-ab"));
    assert!(!valid_transaction_id("a b"));
}
