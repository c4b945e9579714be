use super::*;

#[test]
fn response_copies_dialog_headers_and_tags_to() {
    let raw = "MESSAGE sip:bob@h SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1;rport\r\n\
Via: SIP/2.0/UDP b;branch=z9hG4bK2\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:bob@h>\r\n\
Call-ID: c\r\nCSeq: 3 MESSAGE\r\n\r\n";
    let req = SipMessage::parse(raw.as_bytes()).unwrap();
    let resp = response_to(&req, 480, Some("xyz"));
    let again = SipMessage::parse(&resp.to_bytes()).unwrap();
    assert_eq!(again.status(), Some(480));
    assert_eq!(again.reason(), Some("Temporarily Unavailable"));
    assert_eq!(again.header_list("Via").len(), 2);
    assert_eq!(again.to_header().unwrap().tag(), Some("xyz"));
    assert_eq!(again.cseq().unwrap(), (3, Method::Message));
}
