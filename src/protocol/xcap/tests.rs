//! pres-rules documents and the digest of an XCAP exchange.

use super::pres_rules::{self, PresRules};
use super::*;
use crate::protocol::xml;

#[test]
fn pres_rules_allow_contacts_block_the_blocked_and_leave_strangers_out() {
    let rules = PresRules::from_addresses(
        [
            "sip:bob@Example.org:5062;transport=tcp",
            "sip:carol@example.org",
            "tel:+4930",
            "sip:mallory@example.org",
        ],
        ["sips:mallory@example.org", "sip:host-only.example.org"],
    );
    assert_eq!(
        rules.allowed.iter().map(String::as_str).collect::<Vec<_>>(),
        ["sip:bob@example.org", "sip:carol@example.org"]
    );
    assert_eq!(
        rules.blocked.iter().map(String::as_str).collect::<Vec<_>>(),
        ["sip:mallory@example.org"]
    );
    let doc = rules.to_document();
    let root = xml::parse(&doc).unwrap();
    assert_eq!(root.name, "ruleset");
    let rules_found: Vec<&xml::Element> = root.children.iter().filter(|c| c.name == "rule").collect();
    assert_eq!(rules_found.len(), 2);
    let text = String::from_utf8(doc).unwrap();
    let block = text.find(pres_rules::BLOCK_RULE_ID).unwrap();
    let allow = text.find(pres_rules::ALLOW_RULE_ID).unwrap();
    assert!(block < allow, "the block rule comes first");
    assert!(text.contains("<cr:one id=\"sip:mallory@example.org\"/>"));
    assert!(text.contains("<pr:sub-handling>block</pr:sub-handling>"));
    assert!(text.contains("<pr:sub-handling>allow</pr:sub-handling>"));
    assert!(text.contains("<pr:all-persons/>"));
    assert!(!text.contains("tel:"));

    // Nobody decided: a ruleset without rules (an empty identity is invalid).
    let empty = String::from_utf8(PresRules::default().to_document()).unwrap();
    assert!(!empty.contains("<cr:rule "), "{empty}");
    assert!(xml::parse(empty.as_bytes()).is_ok());
}

fn response(bytes: &[u8]) -> http::Response {
    http::Response::parse(bytes, true).unwrap().unwrap()
}

fn put() -> Exchange {
    let root = Url::parse("http://127.0.0.1:5080/xcap-root").unwrap();
    let url = document_url(
        &root,
        pres_rules::AUID,
        "sip:alice@example.org",
        pres_rules::DOCUMENT,
    );
    Exchange::put(
        url,
        pres_rules::CONTENT_TYPE,
        b"<doc/>".to_vec(),
        Some("\"e1\"".into()),
    )
}

#[test]
fn a_put_answers_one_digest_challenge_and_ends_with_the_etag() {
    let mut exchange = put();
    let first = String::from_utf8(exchange.request()).unwrap();
    assert!(first.starts_with("PUT /xcap-root/pres-rules/users/sip:alice@example.org/index HTTP/1.1\r\n"));
    assert!(first.contains("If-Match: \"e1\"\r\n"));
    assert!(first.contains("Content-Type: application/auth-policy+xml\r\n"));
    assert!(!first.contains("Authorization"));

    let challenge = response(
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"example.org\", nonce=\"n1\"\r\nContent-Length: 0\r\n\r\n",
    );
    let Next::Send(again) = exchange.on_response(&challenge, "alice", Some("secret"), "c1") else {
        panic!("the challenge is answered");
    };
    let again = String::from_utf8(again).unwrap();
    // RFC 2617 without qop: MD5(MD5(alice:example.org:secret):n1:MD5(PUT:uri)).
    let ha1 = hex::encode(md5_of(b"alice:example.org:secret"));
    let ha2 = hex::encode(md5_of(
        b"PUT:/xcap-root/pres-rules/users/sip:alice@example.org/index",
    ));
    let expected = hex::encode(md5_of(format!("{ha1}:n1:{ha2}").as_bytes()));
    assert!(again.contains(&format!("response=\"{expected}\"")), "{again}");
    assert!(again.contains("uri=\"/xcap-root/pres-rules/users/sip:alice@example.org/index\""));

    // A second 401: the password is wrong.
    assert_eq!(
        exchange.on_response(&challenge, "alice", Some("secret"), "c2"),
        Next::Done(Err(XcapError::Unauthorized))
    );
    let mut exchange = put();
    let _ = exchange.on_response(&challenge, "alice", Some("secret"), "c1");
    let ok = response(b"HTTP/1.1 200 OK\r\nETag: \"sr-2\"\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        exchange.on_response(&ok, "alice", Some("secret"), "c1"),
        Next::Done(Ok(Some("\"sr-2\"".into())))
    );
}

fn md5_of(bytes: &[u8]) -> Vec<u8> {
    use md5::Digest;
    md5::Md5::digest(bytes).to_vec()
}

#[test]
fn refusals_are_said_in_words_and_only_some_are_retried() {
    let cases: [(&[u8], XcapError, bool); 4] = [
        (
            b"HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\n\r\n",
            XcapError::Changed,
            true,
        ),
        (
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
            XcapError::Refused {
                status: 403,
                reason: "Forbidden".into(),
            },
            false,
        ),
        (
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
            XcapError::Refused {
                status: 503,
                reason: "Service Unavailable".into(),
            },
            true,
        ),
        (
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
            XcapError::Challenge("not a Digest challenge (scheme Basic)".into()),
            false,
        ),
    ];
    for (bytes, want, retryable) in cases {
        let Next::Done(Err(got)) = put().on_response(&response(bytes), "alice", Some("pw"), "c") else {
            panic!("{want:?} ends the exchange");
        };
        assert_eq!(got, want);
        assert_eq!(got.retryable(), retryable, "{got}");
    }
    assert_eq!(
        XcapError::Refused {
            status: 403,
            reason: "Forbidden".into()
        }
        .to_string(),
        "the XCAP server refused: 403 Forbidden"
    );
    let challenge = response(
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(
        put().on_response(&challenge, "alice", None, "c"),
        Next::Done(Err(XcapError::NoPassword))
    );
}

#[test]
fn a_get_answers_the_challenge_and_finds_the_document_or_none() {
    let root = Url::parse("http://127.0.0.1:5080/xcap-root").unwrap();
    let url = document_url(&root, "resource-lists", "sip:alice@example.org", "index");
    let mut exchange = Exchange::get(url);
    let first = String::from_utf8(exchange.request()).unwrap();
    assert!(first.starts_with("GET /xcap-root/resource-lists/users/sip:alice@example.org/index HTTP/1.1\r\n"));
    assert!(!first.contains("Content-Type"));
    let challenge = response(
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"example.org\", nonce=\"n1\"\r\nContent-Length: 0\r\n\r\n",
    );
    let GetNext::Send(again) = exchange.on_get_response(&challenge, "alice", Some("secret"), "c1") else {
        panic!("the challenge is answered");
    };
    assert!(String::from_utf8(again)
        .unwrap()
        .contains("Authorization: Digest "));
    let found = response(b"HTTP/1.1 200 OK\r\nETag: \"t9\"\r\nContent-Length: 6\r\n\r\n<doc/>");
    assert_eq!(
        exchange.on_get_response(&found, "alice", Some("secret"), "c1"),
        GetNext::Done(Ok(Some(Fetched {
            body: b"<doc/>".to_vec(),
            etag: Some("\"t9\"".into()),
        })))
    );
    let missing = response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(
        Exchange::get(exchange.url().clone()).on_get_response(&missing, "alice", None, "c"),
        GetNext::Done(Ok(None))
    );
}
