//! MSRP chat sessions end to end through the runtime API: two runtimes on
//! loopback with their local accounts, directly over TCP and TLS, with each
//! side as the one that connects and the one that listens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, ChatState, DeliveryState, SessionId};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use support::{config, Running};

fn local(user: &str, port: u16, tls: bool, role: &str) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, msrp: (tls: {tls}, role: {role})))"#
    ))
}

/// The name of the local peer-to-peer account.
const LOCAL: &str = "local";

fn local_id() -> AccountId {
    AccountId(LOCAL.into())
}

/// Starts alice and bob (who accepts chats), opens a chat from alice.
/// Returns both runtimes and each side's session.
fn open(
    tls: bool,
    alice_role: &str,
    bob_role: &str,
    transport: &str,
) -> (Running, SessionId, Running, SessionId) {
    let (mut alice, _) = Running::start_local(local("alice", 0, tls, alice_role), RuntimeOptions::default());
    let (mut bob, pb) = Running::start_local(
        local("bob", 0, tls, bob_role),
        RuntimeOptions {
            accept_chats: true,
            ..RuntimeOptions::default()
        },
    );
    let peer = format!("sip:bob@127.0.0.1:{pb}{transport}");
    alice.open_chat(LOCAL, &peer);
    let (a, secure) = alice.wait_for("alice's chat active", |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { secure, .. },
            ..
        } => Some((*session, *secure)),
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => panic!("chat failed: {reason}"),
        _ => None,
    });
    assert_eq!(secure, tls, "TLS as configured");
    let b = bob.wait_for("bob's chat active", |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { .. },
            ..
        } => Some(*session),
        _ => None,
    });
    (alice, a, bob, b)
}

fn both_ways(alice: &mut Running, a: SessionId, bob: &mut Running, b: SessionId) {
    let id = alice.say(LOCAL, a, "hello bob, over MSRP");
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    let got = bob.wait_message("hello bob, over MSRP");
    assert_eq!(got.session, Some(b));
    let id = bob.say(LOCAL, b, "hi alice ✓");
    assert_eq!(bob.wait_delivery(id), DeliveryState::Accepted);
    let got = alice.wait_message("hi alice ✓");
    assert_eq!(got.session, Some(a));
}

fn hang_up(alice: &mut Running, a: SessionId, bob: &mut Running, b: SessionId) {
    alice.close_chat(LOCAL, a);
    let reason = bob.wait_chat_ended(b);
    assert_eq!(reason, "alice ended the chat");
}

#[test]
fn tcp_offerer_listens_answerer_connects() {
    let (mut alice, a, mut bob, b) = open(false, "auto", "auto", "");
    both_ways(&mut alice, a, &mut bob, b);
    hang_up(&mut alice, a, &mut bob, b);
}

#[test]
fn tcp_offerer_connects_answerer_listens() {
    let (mut alice, a, mut bob, b) = open(false, "active", "auto", ";transport=tcp");
    both_ways(&mut alice, a, &mut bob, b);
    hang_up(&mut alice, a, &mut bob, b);
}

#[test]
fn tls_offerer_listens_answerer_connects() {
    let (mut alice, a, mut bob, b) = open(true, "auto", "auto", "");
    both_ways(&mut alice, a, &mut bob, b);
    hang_up(&mut alice, a, &mut bob, b);
}

#[test]
fn tls_offerer_connects_answerer_listens() {
    let (mut alice, a, mut bob, b) = open(true, "auto", "passive", ";transport=tcp");
    both_ways(&mut alice, a, &mut bob, b);
    hang_up(&mut alice, a, &mut bob, b);
}

#[test]
fn a_long_message_arrives_whole_and_is_in_history() {
    let (mut alice, a, mut bob, _b) = open(false, "auto", "auto", "");
    let text: String = (0..100 * 1024 / 16).map(|i| format!("{i:015}\n")).collect();
    let id = alice.say(LOCAL, a, &text);
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    let got = bob.wait_message(text.trim_end());
    assert_eq!(got.body.len(), text.len());
}

fn composing(r: &Running, session: SessionId, active: bool) {
    r.handle
        .send(Command::SetComposing {
            account: local_id(),
            session,
            active,
        })
        .unwrap();
}

fn wait_composing(r: &mut Running, session: SessionId, active: bool) {
    r.seen.clear();
    r.wait_for(&format!("peer composing = {active}"), |e| match e {
        Event::PeerComposing {
            session: s,
            active: a,
            ..
        } if *s == session && *a == active => Some(()),
        _ => None,
    });
}

#[test]
fn typing_shows_on_the_other_side_and_stops_with_the_message() {
    let (mut alice, a, mut bob, b) = open(false, "auto", "auto", "");
    composing(&alice, a, true);
    wait_composing(&mut bob, b, true);
    // Repeated keystrokes send nothing new; stopping sends idle.
    composing(&alice, a, true);
    composing(&alice, a, false);
    wait_composing(&mut bob, b, false);
    // Typing, then the message: the message itself ends the typing notice.
    composing(&alice, a, true);
    wait_composing(&mut bob, b, true);
    bob.seen.clear();
    let id = alice.say(LOCAL, a, "done typing");
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    bob.wait_message("done typing");
    let stopped = bob
        .seen
        .iter()
        .position(|e| matches!(e, Event::PeerComposing { active: false, .. }));
    let message = bob
        .seen
        .iter()
        .position(|e| matches!(e, Event::MessageReceived(_)));
    assert!(stopped.is_some() && stopped < message, "{:#?}", bob.seen);
    let active_notices = bob
        .seen
        .iter()
        .filter(|e| matches!(e, Event::PeerComposing { active: true, .. }))
        .count();
    assert_eq!(active_notices, 0);
}

#[test]
fn a_quick_run_of_messages_arrives_in_the_order_typed() {
    let (mut alice, a, mut bob, b) = open(false, "auto", "auto", "");
    let ids: Vec<_> = (0..30)
        .map(|i| alice.say(LOCAL, a, &format!("line {i}")))
        .collect();
    for id in ids {
        assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    }
    bob.wait_message("line 29");
    let order: Vec<String> = bob
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived(m) if m.session == Some(b) => Some(m.body.clone()),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = (0..30).map(|i| format!("line {i}")).collect();
    if order != expected {
        bob.settle(std::time::Duration::from_secs(2));
        for e in &bob.seen {
            eprintln!("BOB {e:?}");
        }
    }
    assert_eq!(order, expected);
}
