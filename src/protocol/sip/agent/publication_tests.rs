//! The publication on virtual time: entity tags, refresh, 412 and
//! Kamailio's 500 for an unknown tag, removal, one PUBLISH at a time.

use super::super::tests_support::*;
use super::*;
use crate::protocol::sip::builder::response_to;
use crate::protocol::sip::uri::Transport;

const PIDF: &str = "application/pidf+xml";

fn publication_events(events: Vec<AgentEvent>) -> Vec<PublicationEvent> {
    events
        .into_iter()
        .filter_map(|e| match e {
            AgentEvent::Publication(p) => Some(p),
            _ => None,
        })
        .collect()
}

thread_local! {
    /// What the agent sent and the server has not answered yet.
    static WIRE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Answers the one PUBLISH `agent` sent with `code` (and `etag`), returns it.
fn answer(
    agent: &mut Agent,
    code: u16,
    etag: Option<&str>,
    now: Instant,
) -> (SipMessage, Vec<PublicationEvent>) {
    let (sent, events) = drain(agent);
    let mut tx = WIRE.with(|w| std::mem::take(&mut *w.borrow_mut()));
    tx.extend(sent.into_iter().map(|(_, bytes)| bytes));
    assert_eq!(tx.len(), 1, "one PUBLISH in flight: {events:?}");
    let request = parse(&tx[0]);
    let mut resp = response_to(&request, code, Some("srv"));
    if let Some(etag) = etag {
        resp.push_header("SIP-ETag", etag);
        resp.push_header("Expires", "60");
    }
    agent.handle_packet(&resp.to_bytes(), server_seen(), now);
    let (sent, events) = drain(agent);
    WIRE.with(|w| w.borrow_mut().extend(sent.into_iter().map(|(_, bytes)| bytes)));
    (request, publication_events(events))
}

#[test]
fn refresh_with_the_tag_and_publish_afresh_on_412_and_kamailios_500() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 6);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.publish(
        "presence",
        Some((PIDF.into(), b"<doc1/>".to_vec())),
        600,
        server,
        t0,
    );
    let (first, events) = answer(&mut alice, 200, Some("e1"), t0);
    assert_eq!(first.method(), Some(Method::Publish));
    assert_eq!(first.request_uri(), Some("sip:alice@sipchat.test"));
    assert_eq!(first.header("Event"), Some("presence"));
    assert_eq!(first.header("Content-Type"), Some(PIDF));
    assert_eq!(first.header("SIP-If-Match"), None);
    assert_eq!(first.body, b"<doc1/>");
    assert_eq!(events, vec![PublicationEvent::Published { expires: 60 }]);

    for lost_tag_code in [412, 500] {
        alice.publish("presence", None, 600, server, t0);
        let (refresh, events) = answer(&mut alice, lost_tag_code, None, t0);
        assert!(
            refresh.header("SIP-If-Match").is_some(),
            "a refresh names the tag"
        );
        assert!(refresh.body.is_empty(), "a refresh carries no body");
        assert!(
            events.is_empty(),
            "{lost_tag_code} is not a failure yet: {events:?}"
        );
        let (afresh, events) = answer(&mut alice, 200, Some("e2"), t0);
        assert_eq!(afresh.header("SIP-If-Match"), None, "after {lost_tag_code}");
        assert_eq!(
            afresh.body, b"<doc1/>",
            "the whole document again after {lost_tag_code}"
        );
        assert_eq!(events, vec![PublicationEvent::Published { expires: 60 }]);
    }
}

#[test]
fn a_modify_waits_for_the_publish_in_flight_and_removal_names_the_tag() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 7);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.publish(
        "presence",
        Some((PIDF.into(), b"<one/>".to_vec())),
        600,
        server,
        t0,
    );
    alice.publish(
        "presence",
        Some((PIDF.into(), b"<two/>".to_vec())),
        600,
        server,
        t0,
    );
    let (first, _) = answer(&mut alice, 200, Some("e1"), t0);
    assert_eq!(first.body, b"<one/>");
    let (modify, events) = answer(&mut alice, 200, Some("e2"), t0);
    assert_eq!(modify.header("SIP-If-Match"), Some("e1"));
    assert_eq!(modify.body, b"<two/>");
    assert_eq!(events, vec![PublicationEvent::Published { expires: 60 }]);
    alice.publish("presence", None, 0, server, t0);
    let (remove, events) = answer(&mut alice, 200, None, t0);
    assert_eq!(remove.header("Expires"), Some("0"));
    assert_eq!(remove.header("SIP-If-Match"), Some("e2"));
    assert!(remove.body.is_empty());
    assert_eq!(events, vec![PublicationEvent::Removed]);
    assert!(!alice.is_published());
}

#[test]
fn a_second_lost_tag_in_a_row_is_a_failure_not_a_loop() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 8);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.publish("presence", Some((PIDF.into(), b"<d/>".to_vec())), 600, server, t0);
    answer(&mut alice, 200, Some("e1"), t0);
    alice.publish("presence", None, 600, server, t0);
    answer(&mut alice, 412, None, t0);
    let (_, events) = answer(&mut alice, 403, None, t0);
    assert!(
        matches!(&events[..], [PublicationEvent::Failed { code: Some(403), .. }]),
        "{events:?}"
    );
    let (tx, _) = drain(&mut alice);
    assert!(
        tx.is_empty() && WIRE.with(|w| w.borrow().is_empty()),
        "nothing more sent"
    );
}
