#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

/// RFC 3862 section 3.2 style example (shortened) with an IMDN namespace.
const EXAMPLE: &str = "From: MR SANDERS <im:piglet@100akerwood.com>\r\n\
To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n\
DateTime: 2000-12-13T13:40:00-08:00\r\n\
Subject: the weather will be fine today\r\n\
Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n\
NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n\
Require: MyFeatures.VitalMessageOption\r\n\
MyFeatures.VitalMessageOption: Confirmation-requested\r\n\
NS: imdn <urn:ietf:params:imdn>\r\n\
imdn.Message-ID: 34jk324j\r\n\
imdn.Disposition-Notification: positive-delivery, display\r\n\
\r\n\
Content-type: text/xml; charset=utf-8\r\n\
Content-ID: <1234567890@foo.com>\r\n\
\r\n\
<body>\r\nHere is the text of my message.\r\n</body>\r\n";

#[test]
fn parses_headers_namespaces_and_body() {
    let m = CpimMessage::parse(EXAMPLE.as_bytes()).unwrap();
    assert_eq!(address(m.from().unwrap()), "im:piglet@100akerwood.com");
    assert_eq!(address(m.to().unwrap()), "im:eeyore@100akerwood.com");
    assert_eq!(m.subject(), Some("the weather will be fine today"));
    assert_eq!(m.date_time().unwrap().to_rfc3339(), "2000-12-13T13:40:00-08:00");
    assert_eq!(m.imdn_message_id(), Some("34jk324j"));
    let asked = m.disposition_notification().unwrap();
    assert!(asked.positive_delivery && asked.display && !asked.negative_delivery);
    assert_eq!(
        m.namespaced("mid:MessageFeatures@id.foo.com", "VitalMessageOption"),
        Some("Confirmation-requested")
    );
    assert_eq!(m.namespaced("urn:other", "Message-ID"), None);
    assert_eq!(m.content_type().as_deref(), Some("text/xml"));
    assert_eq!(
        m.body,
        b"<body>\r\nHere is the text of my message.\r\n</body>\r\n"
    );
    assert_eq!(m.to_bytes(), EXAMPLE.as_bytes());
}

#[test]
fn builds_and_reads_back() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+01:00").unwrap();
    let m = CpimMessage::new(
        "<sip:alice@example.org>",
        "<sip:bob@example.org>",
        "text/plain;charset=utf-8",
        "héllo".as_bytes().to_vec(),
    )
    .with_datetime(&at)
    .with_subject("line\r\nbreak")
    .with_imdn(
        "abc123",
        Requested {
            positive_delivery: true,
            ..Requested::default()
        },
    );
    let back = CpimMessage::parse(&m.to_bytes()).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.subject(), Some("line  break"));
    assert_eq!(back.date_time(), Some(at));
    assert_eq!(back.imdn_message_id(), Some("abc123"));
    assert_eq!(back.content_type().as_deref(), Some("text/plain"));
    assert_eq!(back.body, "héllo".as_bytes());
}

#[test]
fn malformed_cpim_is_refused_in_words() {
    assert_eq!(
        CpimMessage::parse(b"From: a\r\nno colon\r\n\r\n"),
        Err(CpimError::BadHeader(2))
    );
    assert_eq!(
        CpimMessage::parse(b"From: a\r\n\r\nContent-Type: text/plain\r\n"),
        Err(CpimError::NoContent)
    );
    assert_eq!(
        CpimMessage::parse(b"From: \xff\r\n\r\n\r\n"),
        Err(CpimError::NotUtf8)
    );
    let many: String = (0..=MAX_CPIM_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
    assert_eq!(
        CpimMessage::parse(format!("{many}\r\n\r\n").as_bytes()),
        Err(CpimError::TooManyHeaders)
    );
    let long = format!("X: {}\r\n\r\n\r\n", "a".repeat(MAX_CPIM_HEADER_BYTES));
    assert_eq!(
        CpimMessage::parse(long.as_bytes()),
        Err(CpimError::HeadersTooLong)
    );
    // Bare LF line ends are read too.
    let lf = CpimMessage::parse(b"From: <im:a@b>\n\nContent-Type: text/plain\n\nhi").unwrap();
    assert_eq!(lf.body, b"hi");
}
