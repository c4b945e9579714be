//! HTTP/1.1 bytes written by hand (RFC 9112 shapes).

use super::*;

#[test]
fn reads_xcap_roots_and_joins_encoded_segments() {
    let root = Url::parse("http://127.0.0.1:5080/xcap-root/").unwrap();
    assert_eq!(root.scheme, Scheme::Http);
    assert_eq!((root.host.as_str(), root.port), ("127.0.0.1", 5080));
    assert_eq!(root.path, "/xcap-root");
    let doc = root.join(&["pres-rules", "users", "sip:alice@example.org", "index"]);
    assert_eq!(
        doc.path,
        "/xcap-root/pres-rules/users/sip:alice@example.org/index"
    );
    let odd = root.join(&["x", "a b/c%"]);
    assert_eq!(odd.path, "/xcap-root/x/a%20b%2Fc%25");
    assert_eq!(
        doc.to_string(),
        "http://127.0.0.1:5080/xcap-root/pres-rules/users/sip:alice@example.org/index"
    );

    let v6 = Url::parse("HTTPS://[::1]/x").unwrap();
    assert_eq!(
        (v6.scheme, v6.host.as_str(), v6.port),
        (Scheme::Https, "::1", 443)
    );
    assert_eq!(v6.host_header(), "[::1]");
    assert_eq!(Url::parse("http://xcap.example.org").unwrap().path, "/");
    for bad in [
        "ftp://x/",
        "http://",
        "http://:80/",
        "http://user@host/",
        "http://host:99999/",
        "http://host/a?b",
        "http://ho st/",
        "xcap.example.org/root",
    ] {
        assert!(Url::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_request_has_host_length_and_close_and_no_line_breaks_in_values() {
    let url = Url::parse("http://xcap.example.org:8080/root/doc").unwrap();
    let headers = [("If-Match", "\"e1\"\r\nX-Evil: 1".to_string())];
    let bytes = Request {
        method: "PUT",
        url: &url,
        headers: &headers,
        body: b"<a/>",
    }
    .to_bytes();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "PUT /root/doc HTTP/1.1\r\nHost: xcap.example.org:8080\r\nIf-Match: \"e1\"X-Evil: 1\r\n\
         Content-Length: 4\r\nConnection: close\r\n\r\n<a/>"
    );
    let get = Request {
        method: "GET",
        url: &url,
        headers: &[],
        body: b"",
    }
    .to_bytes();
    assert!(!String::from_utf8(get).unwrap().contains("Content-Length"));
}

#[test]
fn reads_responses_by_length_by_chunks_and_by_close() {
    let head = b"HTTP/1.1 200 OK\r\nETag: \"sr-1\"\r\nContent-Length: 5\r\n\r\n";
    // Incomplete until the whole body is there.
    assert_eq!(Response::parse(&head[..20], false), Ok(None));
    let mut bytes = head.to_vec();
    bytes.extend_from_slice(b"hel");
    assert_eq!(Response::parse(&bytes, false), Ok(None));
    assert_eq!(Response::parse(&bytes, true), Err(HttpError::Truncated));
    bytes.extend_from_slice(b"lo");
    let r = Response::parse(&bytes, false).unwrap().unwrap();
    assert_eq!((r.status, r.reason.as_str()), (200, "OK"));
    assert_eq!(r.header("etag"), Some("\"sr-1\""));
    assert_eq!(r.body, b"hello");

    let chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
    assert_eq!(Response::parse(chunked, false).unwrap().unwrap().body, b"abcde");
    assert_eq!(Response::parse(&chunked[..50], false), Ok(None));

    let until_close = b"HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\nno such";
    assert_eq!(Response::parse(until_close, false), Ok(None));
    let r = Response::parse(until_close, true).unwrap().unwrap();
    assert_eq!((r.status, r.body.as_slice()), (404, &b"no such"[..]));

    let no_body = b"HTTP/1.1 204 No Content\r\n\r\n";
    assert_eq!(Response::parse(no_body, false).unwrap().unwrap().status, 204);
    let two = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"a\", nonce=\"1\"\r\nWWW-Authenticate: Basic realm=\"a\"\r\nContent-Length: 0\r\n\r\n";
    let r = Response::parse(two, false).unwrap().unwrap();
    assert_eq!(r.headers_named("www-authenticate").count(), 2);
}

#[test]
fn malformed_responses_are_typed_errors() {
    let cases: [(&[u8], HttpError); 8] = [
        (b"SIP/2.0 200 OK\r\n\r\n", HttpError::StatusLine),
        (b"HTTP/1.1 2000 OK\r\n\r\n", HttpError::StatusLine),
        (b"HTTP/1.1 099 Low\r\n\r\n", HttpError::StatusLine),
        (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", HttpError::Header),
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", HttpError::Length),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n",
            HttpError::BodyTooLong,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            HttpError::Length,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n",
            HttpError::BodyTooLong,
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            Response::parse(bytes, true),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let mut long = b"HTTP/1.1 200 OK\r\n".to_vec();
    long.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 1));
    assert_eq!(Response::parse(&long, false), Err(HttpError::HeadTooLong));
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..=MAX_HEADERS {
        many.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(Response::parse(&many, false), Err(HttpError::HeadTooLong));
    // Arbitrary bytes never panic.
    for n in 0..=255u8 {
        let bytes: Vec<u8> = (0..64).map(|i: u8| i.wrapping_mul(n).wrapping_add(n)).collect();
        let _ = Response::parse(&bytes, true);
    }
}
