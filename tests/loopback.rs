//! End to end through the runtime API: two runtimes on loopback, talking
//! peer to peer with their built-in local accounts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::DeliveryState;
use sipchat::runtime::{Event, RuntimeOptions};
use std::time::Duration;
use support::{free_port, local_config, Running};

fn pair() -> (Running, u16, Running, u16) {
    let (alice, pa) = Running::start_local(local_config("alice", 0), RuntimeOptions::default());
    let (bob, pb) = Running::start_local(local_config("bob", 0), RuntimeOptions::default());
    (alice, pa, bob, pb)
}

#[test]
fn udp_both_ways_with_honest_states() {
    let (mut alice, pa, mut bob, pb) = pair();
    let id = alice.send("local", &format!("sip:bob@127.0.0.1:{pb}"), "hello bob ✓");
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    let got = bob.wait_message("hello bob ✓");
    assert_eq!(
        got.from,
        format!("sip:alice@127.0.0.1:{pa}"),
        "From names a reachable address"
    );
    assert_eq!(got.content_type, "text/plain");

    // Bob answers to the address he saw.
    let id = bob.send("local", &got.from, "hi alice");
    assert_eq!(bob.wait_delivery(id), DeliveryState::Accepted);
    alice.wait_message("hi alice");
    // Sending was reported before the final state.
    assert!(bob.seen.iter().any(|e| matches!(
        e,
        Event::DeliveryUpdate {
            state: DeliveryState::Sending,
            ..
        }
    )));
}

#[test]
fn tcp_burst_arrives_once_each() {
    let (mut alice, _pa, mut bob, pb) = pair();
    let to = format!("sip:bob@127.0.0.1:{pb};transport=tcp");
    let ids: Vec<_> = (0..50)
        .map(|i| alice.send("local", &to, &format!("tcp {i}")))
        .collect();
    for id in ids {
        assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    }
    for i in 0..50 {
        bob.wait_message(&format!("tcp {i}"));
    }
    bob.settle(Duration::from_millis(200));
    let received = bob.count(|e| matches!(e, Event::MessageReceived(_)));
    assert_eq!(received, 50, "each message shown exactly once");
}

#[test]
fn unreachable_peer_fails_in_words() {
    let (mut alice, _pa, _bob, _pb) = pair();
    let closed = free_port();
    let id = alice.send(
        "local",
        &format!("sip:bob@127.0.0.1:{closed};transport=tcp"),
        "anyone?",
    );
    // Nobody listening may change (the peer starts sipchat later): it waits and says why.
    let state = alice.wait_for("the retry", |e| match e {
        Event::DeliveryUpdate {
            id: got,
            state: s @ DeliveryState::Retrying { .. },
            ..
        } if *got == id => Some(s.clone()),
        _ => None,
    });
    let words = state.describe();
    assert!(
        words.starts_with("not delivered yet: cannot connect")
            && words.contains("refused")
            && words.contains("trying again in"),
        "{words}"
    );
    let id = alice.send("local", "mailto:bob@example.org", "x");
    match alice.wait_delivery(id) {
        DeliveryState::Failed { reason, .. } => assert!(reason.contains("not a SIP address"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let id = alice.send("nosuch", "sip:bob@127.0.0.1", "x");
    match alice.wait_delivery(id) {
        DeliveryState::Failed { reason, .. } => assert!(reason.contains("no account named"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_long_for_udp_is_refused_before_sending_but_fine_over_tcp() {
    let (mut alice, _pa, mut bob, pb) = pair();
    let long = "ß".repeat(1000); // 2000 bytes
    let id = alice.send("local", &format!("sip:bob@127.0.0.1:{pb}"), &long);
    match alice.wait_delivery(id) {
        DeliveryState::Failed { code: None, reason } => assert!(reason.contains("1300"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let id = alice.send("local", &format!("sip:bob@127.0.0.1:{pb};transport=tcp"), &long);
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    bob.wait_message(&long);
}

#[test]
fn garbage_packets_do_not_disturb_the_runtime() {
    let (mut alice, _pa, mut bob, pb) = pair();
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let junk: [&[u8]; 5] = [
        b"\x00\x01\x02",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\n",
        b"MESSAGE sip:bob@h SIP/2.0\r\nVia: nonsense\r\n\r\n",
        &[0xff; 2000],
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKnope\r\nCSeq: 1 MESSAGE\r\n\r\n",
    ];
    for j in junk {
        sock.send_to(j, ("127.0.0.1", pb)).unwrap();
    }
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", pb)).unwrap();
    std::io::Write::write_all(&mut tcp, b"MESSAGE sip:bob@h SIP/2.0\r\n\r\n\r\n").unwrap();
    let id = alice.send("local", &format!("sip:bob@127.0.0.1:{pb}"), "still alive?");
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    bob.wait_message("still alive?");
}
