//! Two local accounts on virtual time: alice subscribes to bob, who is
//! his own notifier.

use super::super::subscription::{SubscribeRequest, SubscriptionEvent, SubscriptionId, SubscriptionState};
use super::super::tests_support::*;
use super::*;
use crate::protocol::sip::uri::Transport;

const BOB_ADDR: &str = "127.0.0.1:5080";

/// Hands every transmission of `from` to `to` (as seen from the other side).
fn pass(from: &mut Agent, to: &mut Agent, now: Instant) -> Vec<AgentEvent> {
    let (tx, events) = drain(from);
    for (h, bytes) in tx {
        let seen = Hop {
            transport: h.transport,
            remote: h.local,
            local: h.remote,
            conn: None,
        };
        to.handle_packet(&bytes, seen, now);
    }
    events
}

#[test]
fn a_watcher_sees_pending_then_our_document_and_the_end() {
    let now = Instant::now();
    let mut alice = Agent::new(config("alice", false), 11);
    let mut bob = Agent::new(config("bob", false), 12);
    let id = SubscriptionId(1);
    alice.subscribe(
        id,
        SubscribeRequest {
            target: format!("sip:bob@{BOB_ADDR}"),
            event: "presence".into(),
            accept: vec!["application/pidf+xml".into()],
            expires: 7200,
        },
        hop(Transport::Udp, ALICE_ADDR, BOB_ADDR),
        now,
    );
    pass(&mut alice, &mut bob, now);
    let events = pass(&mut bob, &mut alice, now);
    let [AgentEvent::Watcher(WatcherEvent::Subscribed {
        id: watcher,
        watcher: who,
        expires: 3600,
    })] = &events[..]
    else {
        panic!("{events:?}");
    };
    assert!(who.starts_with("sip:alice@"), "{who}");
    let watcher = *watcher;
    let (_, events) = drain(&mut alice);
    assert_eq!(
        events,
        vec![AgentEvent::Subscription(SubscriptionEvent::Accepted {
            id,
            expires: 3600
        })]
    );

    // A stranger: pending, and our document is not sent even if given.
    let doc = (
        "application/pidf+xml".to_string(),
        b"<presence entity='sip:bob@x'/>".to_vec(),
    );
    bob.notify_watcher(
        watcher,
        NotifyState::Pending { expires: 3600 },
        Some(doc.clone()),
        now,
    );
    pass(&mut bob, &mut alice, now);
    let events = pass(&mut alice, &mut bob, now);
    assert_eq!(
        events,
        vec![AgentEvent::Subscription(SubscriptionEvent::Notified {
            id,
            state: SubscriptionState::Pending { expires: Some(3600) },
            content_type: None,
            body: Vec::new(),
        })]
    );
    // Allowed: the document.
    bob.notify_watcher(
        watcher,
        NotifyState::Active { expires: 3500 },
        Some(doc.clone()),
        now,
    );
    pass(&mut bob, &mut alice, now);
    let events = pass(&mut alice, &mut bob, now);
    assert!(
        matches!(&events[..], [AgentEvent::Subscription(SubscriptionEvent::Notified { body, .. })] if *body == doc.1)
    );

    // A refresh inside the dialog is answered and reported.
    alice.refresh_subscription(id, 600, now);
    pass(&mut alice, &mut bob, now);
    let events = pass(&mut bob, &mut alice, now);
    assert_eq!(
        events,
        vec![AgentEvent::Watcher(WatcherEvent::Refreshed {
            id: watcher,
            expires: 600
        })]
    );
    drain(&mut alice);

    bob.notify_watcher(
        watcher,
        NotifyState::Terminated {
            reason: "rejected",
            retry_after: None,
        },
        None,
        now,
    );
    pass(&mut bob, &mut alice, now);
    pass(&mut alice, &mut bob, now);
    assert!(!alice.has_subscription(id));
    assert!(!bob.has_pending_requests());
    assert!(bob.watchers.map.is_empty(), "a terminated watcher is forgotten");
}

#[test]
fn subscribe_to_another_package_or_user_is_refused() {
    let now = Instant::now();
    let mut bob = Agent::new(config("bob", false), 13);
    let request = |event: &str, user: &str| {
        format!(
            "SUBSCRIBE sip:{user}@{BOB_ADDR} SIP/2.0\r\nVia: SIP/2.0/UDP {ALICE_ADDR};branch=z9hG4bK{event}{user}\r\n\
             From: <sip:alice@{ALICE_ADDR}>;tag=a\r\nTo: <sip:{user}@{BOB_ADDR}>\r\nCall-ID: c-{event}-{user}\r\n\
             CSeq: 1 SUBSCRIBE\r\nContact: <sip:alice@{ALICE_ADDR}>\r\nEvent: {event}\r\nMax-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n"
        )
    };
    for (event, user, code) in [("dialog", "bob", 489), ("presence", "carol", 404)] {
        bob.handle_packet(
            request(event, user).as_bytes(),
            hop(Transport::Udp, BOB_ADDR, ALICE_ADDR),
            now,
        );
        let (tx, events) = drain(&mut bob);
        assert_eq!(parse(&tx[0].1).status(), Some(code), "{event} for {user}");
        assert!(events.is_empty());
    }
}
