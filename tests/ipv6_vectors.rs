//! IPv6 wire vectors (issue #19), written for sipchat after the cases RFC
//! 5118 lists and the rules of RFC 3261 section 25 as corrected by RFC 5954:
//! IPv6 references in Request-URIs (with `maddr`), Via `sent-by` and
//! `received` (bare, as RFC 3261's grammar writes it, and bracketed, as
//! some servers send it), Contact and Record-Route hosts; the port after
//! the brackets against colons inside them; an IPv4-mapped address; SDP
//! with `c=IN IP6` and an MSRP path on an IPv6 address; MSRP frames whose
//! To-Path and From-Path name IPv6 hosts. Each is parsed, its facts
//! checked, written back, and run through the bodies of the fuzz targets
//! (`tests/fuzz/src/`), so their properties hold for IPv6 too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_bodies;

use sipchat::protocol::msrp::{FrameDecoder, MsrpUri};
use sipchat::protocol::sdp::{
    answer_offer, read_answer, Address, Capabilities, Connect, LocalEndpoint, MsrpPath, Origin,
    SessionDescription,
};
use sipchat::protocol::sip::message::SipMessage;
use sipchat::protocol::sip::name_addr::{NameAddr, Via};
use sipchat::protocol::sip::uri::{SipUri, Transport};
use std::net::IpAddr;

/// A MESSAGE from an IPv6 host through an IPv6 proxy: the Request-URI has a
/// port after its brackets and a `maddr`; the proxy's Via carries a
/// bracketed `received`, the client's a bare one.
const MESSAGE_OVER_IPV6: &str =
    "MESSAGE sip:bob@[2001:db8::20]:5070;maddr=[2001:db8::1];transport=udp SIP/2.0\r\n\
Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-v6proxy;received=[2001:db8::1]\r\n\
Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK-v6client;received=2001:db8::99;rport=40123\r\n\
Max-Forwards: 69\r\n\
Record-Route: <sip:[2001:db8::1];lr>\r\n\
From: <sip:alice@[2001:db8::10]:5062>;tag=v6a\r\n\
To: <sip:bob@[2001:db8::20]:5070>\r\n\
Call-ID: v6-message-1@2001:db8::10\r\n\
CSeq: 1 MESSAGE\r\n\
Contact: <sip:alice@[2001:db8::10]:5062;transport=udp>\r\n\
Content-Type: text/plain\r\n\
Content-Length: 11\r\n\
\r\n\
hello ipv6!";

/// Its 200, as bob answers it (Vias copied, To tagged).
const OK_OVER_IPV6: &str = "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-v6proxy;received=[2001:db8::1]\r\n\
Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK-v6client;received=2001:db8::99;rport=40123\r\n\
From: <sip:alice@[2001:db8::10]:5062>;tag=v6a\r\n\
To: <sip:bob@[2001:db8::20]:5070>;tag=v6b\r\n\
Call-ID: v6-message-1@2001:db8::10\r\n\
CSeq: 1 MESSAGE\r\n\
Content-Length: 0\r\n\
\r\n";

/// A REGISTER from an IPv4-mapped address written as IPv6 (RFC 5118 section
/// 4.7), and a Request-URI whose last group looks like a port but is inside
/// the brackets.
const REGISTER_MAPPED: &str = "REGISTER sip:[2001:db8::10:5070] SIP/2.0\r\n\
Via: SIP/2.0/TCP [::ffff:192.0.2.10]:5060;branch=z9hG4bK-mapped\r\n\
Max-Forwards: 70\r\n\
From: <sip:alice@[2001:db8::10:5070]>;tag=m1\r\n\
To: <sip:alice@[2001:db8::10:5070]>\r\n\
Call-ID: mapped-1\r\n\
CSeq: 1 REGISTER\r\n\
Contact: <sip:alice@[::ffff:192.0.2.10]:5060;transport=tcp>\r\n\
Expires: 600\r\n\
Content-Length: 0\r\n\
\r\n";

/// An OPTIONS whose Request-URI writes an IPv6 host without brackets: the
/// port cannot be told from the address, so RFC 3261 does not allow it.
const UNBRACKETED: &str = "OPTIONS sip:bob@2001:db8::20:5070 SIP/2.0\r\n\
Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK-bare\r\n\
Max-Forwards: 70\r\n\
From: <sip:alice@[2001:db8::10]>;tag=u1\r\n\
To: <sip:bob@[2001:db8::20]>\r\n\
Call-ID: unbracketed-1\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 0\r\n\
\r\n";

/// An offer for a chat from an IPv6 host (TCP, its path on an IPv6 address).
const OFFER_IPV6: &str = "v=0\r\n\
o=- 2890844526 1 IN IP6 2001:db8::10\r\n\
s=-\r\n\
c=IN IP6 2001:db8::10\r\n\
t=0 0\r\n\
m=message 40001 TCP/MSRP *\r\n\
a=accept-types:message/cpim text/plain\r\n\
a=path:msrp://[2001:db8::10]:40001/v6sess01;tcp\r\n\
a=setup:actpass\r\n";

/// A SEND between two IPv6 endpoints.
const SEND_IPV6: &str = "MSRP v6tx0001 SEND\r\n\
To-Path: msrp://[2001:db8::20]:40002/v6sess02;tcp\r\n\
From-Path: msrp://[2001:db8::10]:40001/v6sess01;tcp\r\n\
Message-ID: v6msg1\r\n\
Byte-Range: 1-5/5\r\n\
Content-Type: text/plain\r\n\
\r\n\
hello\r\n\
-------v6tx0001$\r\n";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn sip(text: &str) -> SipMessage {
    SipMessage::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn vias(msg: &SipMessage) -> Vec<Via> {
    msg.header_list("Via")
        .into_iter()
        .map(|v| Via::parse(v).unwrap_or_else(|e| panic!("{v}: {e}")))
        .collect()
}

/// The SIP fuzz bodies over one message (and its URIs).
fn sip_harnesses(text: &str) {
    let bytes = text.as_bytes();
    fuzz_bodies::sip_message(bytes);
    fuzz_bodies::stream_framer(bytes);
    fuzz_bodies::agent_packet(bytes);
    if let Ok(msg) = SipMessage::parse(bytes) {
        if let Some(uri) = msg.request_uri() {
            fuzz_bodies::sip_uri(uri.as_bytes());
        }
    }
}

#[test]
fn request_uri_with_port_after_brackets_and_maddr() {
    let msg = sip(MESSAGE_OVER_IPV6);
    msg.validate_request().unwrap();
    let uri = SipUri::parse(msg.request_uri().unwrap()).unwrap();
    assert_eq!(uri.host, "[2001:db8::20]");
    assert_eq!(uri.host_ip(), Some(ip("2001:db8::20")));
    assert_eq!(uri.port, Some(5070));
    assert_eq!(uri.maddr_ip(), Some(ip("2001:db8::1")));
    assert_eq!(
        uri.to_string(),
        "sip:bob@[2001:db8::20]:5070;maddr=[2001:db8::1];transport=udp",
        "printed as read"
    );
    // The To header names the same host however it is spelled (RFC 5954).
    let to = SipUri::parse(&msg.to_header().unwrap().uri).unwrap();
    let spelled_out = SipUri::parse("sip:bob@[2001:DB8:0:0:0:0:0:20]:5070").unwrap();
    assert!(to.same_host(&spelled_out));
    sip_harnesses(MESSAGE_OVER_IPV6);
}

#[test]
fn via_sent_by_and_received_bare_or_bracketed() {
    let msg = sip(MESSAGE_OVER_IPV6);
    let vias = vias(&msg);
    assert_eq!(vias.len(), 2);
    assert_eq!(vias[0].host, "[2001:db8::1]");
    assert_eq!(vias[0].port, Some(5060));
    assert_eq!(vias[0].sent_by(), "[2001:db8::1]:5060");
    assert_eq!(vias[0].sent_by_ip(), Some(ip("2001:db8::1")));
    assert_eq!(
        vias[0].received_ip(),
        Some(ip("2001:db8::1")),
        "bracketed received"
    );
    assert_eq!(vias[1].received_ip(), Some(ip("2001:db8::99")), "bare received");
    assert_eq!(vias[1].rport(), Some(40123));
    assert_eq!(
        vias[1].to_string(),
        "SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK-v6client;received=2001:db8::99;rport=40123"
    );
    let top = msg.top_via().unwrap();
    assert_eq!(top, vias[0]);
    // The answer's Vias read the same.
    let ok = sip(OK_OVER_IPV6);
    assert_eq!(ok.status(), Some(200));
    assert_eq!(ok.top_via().unwrap().received_ip(), Some(ip("2001:db8::1")));
    sip_harnesses(OK_OVER_IPV6);
}

#[test]
fn contact_and_record_route_hosts() {
    let msg = sip(MESSAGE_OVER_IPV6);
    let contacts = msg.contacts().unwrap();
    assert_eq!(contacts.len(), 1);
    let contact = SipUri::parse(&contacts[0].uri).unwrap();
    assert_eq!(contact.host_ip(), Some(ip("2001:db8::10")));
    assert_eq!(contact.port, Some(5062));
    let route = NameAddr::parse(msg.header("Record-Route").unwrap()).unwrap();
    let route = SipUri::parse(&route.uri).unwrap();
    assert_eq!(route.host, "[2001:db8::1]");
    assert_eq!(route.port, None);
    assert_eq!(route.to_string(), "sip:[2001:db8::1];lr");
}

#[test]
fn messages_survive_serialisation() {
    for text in [MESSAGE_OVER_IPV6, OK_OVER_IPV6, REGISTER_MAPPED] {
        let msg = sip(text);
        assert_eq!(msg.to_bytes(), text.as_bytes(), "written back byte for byte");
        assert_eq!(SipMessage::parse(&msg.to_bytes()).unwrap(), msg);
    }
}

#[test]
fn colons_inside_brackets_are_the_address_and_mapped_addresses_read() {
    let msg = sip(REGISTER_MAPPED);
    msg.validate_request().unwrap();
    let uri = SipUri::parse(msg.request_uri().unwrap()).unwrap();
    assert_eq!(uri.port, None, "5070 is the address's last group, not a port");
    assert_eq!(uri.host_ip(), Some(ip("2001:db8::10:5070")));
    let via = msg.top_via().unwrap();
    assert_eq!(via.sent_by_ip(), Some(ip("::ffff:192.0.2.10")));
    let contact = SipUri::parse(&msg.contacts().unwrap()[0].uri).unwrap();
    assert_eq!(contact.host_for_lookup(), "::ffff:192.0.2.10");
    sip_harnesses(REGISTER_MAPPED);
}

#[test]
fn an_unbracketed_ipv6_request_uri_is_answered_400() {
    assert!(SipUri::parse("sip:bob@2001:db8::20:5070").is_err());
    for transport in [Transport::Udp, Transport::Tcp] {
        let run = fuzz_bodies::run_agent(UNBRACKETED.as_bytes(), transport);
        let codes: Vec<u16> = run.answers.iter().filter_map(SipMessage::status).collect();
        assert_eq!(codes, [400], "{transport}");
        let warning = run.answers[0].header("Warning").unwrap_or_default();
        assert!(warning.contains("Request-URI"), "{warning}");
    }
    sip_harnesses(UNBRACKETED);
}

fn ipv6_local() -> LocalEndpoint {
    let ours: IpAddr = ip("2001:db8::20");
    LocalEndpoint {
        origin: Origin {
            username: "-".into(),
            session_id: "7".into(),
            session_version: 1,
            address: Address::from_ip(ours),
        },
        connection: Address::from_ip(ours),
        port: 40002,
        path: MsrpPath::parse("msrp://[2001:db8::20]:40002/v6sess02;tcp").unwrap(),
    }
}

#[test]
fn sdp_with_ip6_connection_and_an_ipv6_path() {
    let offer = SessionDescription::parse(OFFER_IPV6.as_bytes()).unwrap();
    assert_eq!(offer.origin.address.addrtype, "IP6");
    let (_, media) = offer.msrp_stream().unwrap();
    let connection = offer.connection_for(media).unwrap();
    assert_eq!(
        (connection.addrtype.as_str(), connection.address.as_str()),
        ("IP6", "2001:db8::10")
    );
    let endpoint = MsrpUri::parse(media.path.endpoint().unwrap()).unwrap();
    assert_eq!(endpoint.host_for_lookup(), "2001:db8::10");
    assert_eq!(endpoint.port, Some(40001));
    assert_eq!(SessionDescription::parse(&offer.to_bytes()).unwrap(), offer);

    // Our answer from an IPv6 address says IP6 and names our IPv6 path;
    // the offerer reads it back.
    let (answer, negotiated) = answer_offer(&offer, &Capabilities::default(), &ipv6_local()).unwrap();
    let text = String::from_utf8(answer.to_bytes()).unwrap();
    assert!(text.contains("c=IN IP6 2001:db8::20\r\n"), "{text}");
    assert!(text.contains("o=- 7 1 IN IP6 2001:db8::20\r\n"), "{text}");
    assert!(
        text.contains("a=path:msrp://[2001:db8::20]:40002/v6sess02;tcp\r\n"),
        "{text}"
    );
    assert_eq!(
        negotiated.remote_connection,
        Some(Address::from_ip(ip("2001:db8::10")))
    );
    let read = read_answer(&offer, &answer).unwrap();
    assert_eq!(
        read.remote_path.endpoint(),
        Some("msrp://[2001:db8::20]:40002/v6sess02;tcp")
    );
    assert_ne!(
        read.connect, negotiated.connect,
        "one side connects, the other listens"
    );
    assert!(matches!(read.connect, Connect::WeConnect | Connect::WeListen));
    fuzz_bodies::sdp::sdp(OFFER_IPV6.as_bytes());
    fuzz_bodies::sdp::sdp(&answer.to_bytes());
}

#[test]
fn msrp_paths_on_ipv6_hosts() {
    let mut decoder = FrameDecoder::new();
    decoder.push(SEND_IPV6.as_bytes());
    let frame = decoder.next_frame().unwrap().expect("a whole frame");
    assert_eq!(
        frame.to_bytes(),
        SEND_IPV6.as_bytes(),
        "written back byte for byte"
    );
    let to = frame.to_path().unwrap();
    let from = frame.from_path().unwrap();
    assert_eq!(to[0].host, "[2001:db8::20]");
    assert_eq!(to[0].port, Some(40002));
    assert_eq!(from[0].host_for_lookup(), "2001:db8::10");
    assert_eq!(from[0].session_id.as_deref(), Some("v6sess01"));
    // The peer may spell our address out: still our path (RFC 4975 6.1).
    let ours = MsrpUri::parse("msrp://[2001:0db8:0:0:0:0:0:20]:40002/v6sess02;tcp").unwrap();
    assert!(to[0].matches(&ours));
    fuzz_bodies::msrp::msrp_frame(SEND_IPV6.as_bytes());
    fuzz_bodies::msrp::msrp_session(SEND_IPV6.as_bytes());
}
