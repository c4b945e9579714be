//! Subscriptions on virtual time: the NOTIFY before the 200, in-dialog
//! refresh to the route set, Subscription-State reasons, forks.

use super::super::tests_support::*;
use super::*;
use crate::protocol::sip::builder::response_to;
use crate::protocol::sip::uri::Transport;

fn presence_request(target: &str, expires: u32) -> SubscribeRequest {
    SubscribeRequest {
        target: target.into(),
        event: "presence".into(),
        accept: vec!["application/pidf+xml".into()],
        expires,
    }
}

/// A NOTIFY from the server for `subscribe`, with the notifier's tag.
fn notify_for(subscribe: &SipMessage, cseq: u32, state: &str, body: &str, notifier_tag: &str) -> Vec<u8> {
    let mut to = subscribe.from_header().unwrap();
    let mut from = subscribe.to_header().unwrap();
    from.set_param("tag", Some(notifier_tag));
    to.display_name = None;
    let body_headers = if body.is_empty() {
        String::new()
    } else {
        "Content-Type: application/pidf+xml\r\n".to_string()
    };
    format!(
        "NOTIFY sip:alice@127.0.0.1:5070 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKn{cseq}{notifier_tag}\r\n\
         Record-Route: <sip:127.0.0.1:5060;lr;r2=on>, <sip:10.0.0.1;lr>\r\n\
         From: {from}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {cseq} NOTIFY\r\n\
         Contact: <sip:bob@10.0.0.9:5090>\r\nEvent: presence\r\nSubscription-State: {state}\r\n\
         Max-Forwards: 70\r\n{body_headers}Content-Length: {}\r\n\r\n{body}",
        subscribe.call_id().unwrap(),
        body.len()
    )
    .into_bytes()
}

fn subscription_events(events: Vec<AgentEvent>) -> Vec<SubscriptionEvent> {
    events
        .into_iter()
        .filter_map(|e| match e {
            AgentEvent::Subscription(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn the_first_notify_may_come_before_the_200_and_refreshes_follow_the_route_set() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 3);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    let id = SubscriptionId(1);
    alice.subscribe(id, presence_request("sip:bob@sipchat.test", 7200), server, t0);
    let (tx, _) = drain(&mut alice);
    let subscribe = parse(&tx[0].1);
    assert_eq!(subscribe.method(), Some(Method::Subscribe));
    assert_eq!(subscribe.request_uri(), Some("sip:bob@sipchat.test"));
    assert_eq!(subscribe.header("Event"), Some("presence"));
    assert_eq!(subscribe.header("Accept"), Some("application/pidf+xml"));
    assert_eq!(subscribe.header("Expires"), Some("7200"));
    assert!(subscribe.header("Contact").is_some());

    // The NOTIFY overtakes the 200.
    let body = "<presence entity='sip:bob@sipchat.test'/>";
    alice.handle_packet(
        &notify_for(&subscribe, 1, "active;expires=3600", body, "srv1"),
        server_seen(),
        t0,
    );
    let (answers, events) = drain(&mut alice);
    assert_eq!(parse(&answers[0].1).status(), Some(200), "answered at once");
    assert_eq!(
        subscription_events(events),
        vec![SubscriptionEvent::Notified {
            id,
            state: SubscriptionState::Active { expires: Some(3600) },
            content_type: Some("application/pidf+xml".into()),
            body: body.as_bytes().to_vec(),
        }]
    );
    // Then the 200, with Expires cut to 3600 as Kamailio does.
    let mut ok = response_to(&subscribe, 200, Some("srv1"));
    ok.push_header("Expires", "3600");
    ok.push_header("Contact", "<sip:bob@10.0.0.9:5090>");
    alice.handle_packet(&ok.to_bytes(), server_seen(), t0);
    let (_, events) = drain(&mut alice);
    assert_eq!(
        subscription_events(events),
        vec![SubscriptionEvent::Accepted { id, expires: 3600 }]
    );

    // The refresh goes inside the dialog the NOTIFY made, to its route set.
    alice.refresh_subscription(id, 3600, t0 + std::time::Duration::from_secs(3000));
    let (tx, _) = drain(&mut alice);
    let refresh = parse(&tx[0].1);
    assert_eq!(refresh.request_uri(), Some("sip:bob@10.0.0.9:5090"));
    assert_eq!(
        refresh.header_list("Route"),
        vec!["<sip:127.0.0.1:5060;lr;r2=on>", "<sip:10.0.0.1;lr>"]
    );
    assert_eq!(refresh.to_header().unwrap().tag(), Some("srv1"));
    assert_eq!(
        refresh.from_header().unwrap().tag(),
        subscribe.from_header().unwrap().tag()
    );
    assert_eq!(refresh.call_id().unwrap(), subscribe.call_id().unwrap());
    assert_eq!(refresh.cseq().unwrap().0, 2);
}

#[test]
fn a_terminated_notify_ends_the_subscription_and_later_ones_get_481() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 4);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    let id = SubscriptionId(9);
    alice.subscribe(id, presence_request("sip:bob@sipchat.test", 600), server, t0);
    let (tx, _) = drain(&mut alice);
    let subscribe = parse(&tx[0].1);
    alice.handle_packet(
        &notify_for(&subscribe, 1, "pending;expires=600", "", "s"),
        server_seen(),
        t0,
    );
    let (_, events) = drain(&mut alice);
    assert!(matches!(
        &subscription_events(events)[..],
        [SubscriptionEvent::Notified {
            state: SubscriptionState::Pending { expires: Some(600) },
            content_type: None,
            ..
        }]
    ));
    // A fork's NOTIFY is refused.
    alice.handle_packet(
        &notify_for(&subscribe, 1, "active", "", "fork"),
        server_seen(),
        t0,
    );
    let (answers, events) = drain(&mut alice);
    assert_eq!(parse(&answers[0].1).status(), Some(481));
    assert!(events.is_empty());
    alice.handle_packet(
        &notify_for(&subscribe, 2, "terminated;reason=rejected", "", "s"),
        server_seen(),
        t0,
    );
    let (answers, events) = drain(&mut alice);
    assert_eq!(parse(&answers[0].1).status(), Some(200));
    assert!(matches!(
        &subscription_events(events)[..],
        [SubscriptionEvent::Notified {
            state: SubscriptionState::Terminated {
                reason: Some(TerminationReason::Rejected),
                ..
            },
            ..
        }]
    ));
    assert!(!alice.has_subscription(id));
    alice.handle_packet(&notify_for(&subscribe, 3, "active", "", "s"), server_seen(), t0);
    let (answers, _) = drain(&mut alice);
    assert_eq!(parse(&answers[0].1).status(), Some(481));
}

#[test]
fn a_refused_subscribe_says_why_in_plain_words() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 5);
    let server = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.subscribe(
        SubscriptionId(2),
        presence_request("sip:nobody@sipchat.test", 600),
        server,
        t0,
    );
    let (tx, _) = drain(&mut alice);
    let resp = response_to(&parse(&tx[0].1), 404, Some("x"));
    alice.handle_packet(&resp.to_bytes(), server_seen(), t0);
    let (_, events) = drain(&mut alice);
    let [SubscriptionEvent::Failed {
        code: Some(404),
        reason,
        ..
    }] = &subscription_events(events)[..]
    else {
        panic!("no failure");
    };
    assert_eq!(reason, "sip:nobody@sipchat.test: no such user (404 Not Found)");
    assert!(!alice.has_subscription(SubscriptionId(2)));
}

#[test]
fn subscription_state_reasons_and_parameters() {
    let read = |v: &str| SubscriptionState::parse(v).unwrap();
    assert_eq!(
        read("active;expires=600"),
        SubscriptionState::Active { expires: Some(600) }
    );
    assert_eq!(read(" Pending "), SubscriptionState::Pending { expires: None });
    for (token, reason) in [
        ("deactivated", TerminationReason::Deactivated),
        ("probation", TerminationReason::Probation),
        ("rejected", TerminationReason::Rejected),
        ("timeout", TerminationReason::Timeout),
        ("giveup", TerminationReason::Giveup),
        ("noresource", TerminationReason::Noresource),
        ("invariant", TerminationReason::Invariant),
        ("moved", TerminationReason::Other("moved".into())),
    ] {
        assert_eq!(
            read(&format!("terminated;reason={token};retry-after=20")),
            SubscriptionState::Terminated {
                reason: Some(reason),
                retry_after: Some(20)
            }
        );
    }
    assert_eq!(
        read("terminated;expires=oops"),
        SubscriptionState::Terminated {
            reason: None,
            retry_after: None
        }
    );
    assert!(SubscriptionState::parse("sleepy").is_err());
}
