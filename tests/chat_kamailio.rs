//! MSRP chats between two sipchat runtimes registered at the tests' real
//! Kamailio: the INVITE is routed (and record-routed) by Kamailio; the MSRP
//! session runs directly, or through Kamailio's `msrp` relay module
//! (RFC 4976 AUTH with digest, Use-Path) over TCP and over TLS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::{ChatState, DeliveryState, SessionId};
use sipchat::runtime::{Event, RuntimeOptions};
use support::Running;

/// How chats of a test account reach the peer.
#[derive(Clone, Copy)]
enum Media {
    Direct,
    RelayTcp,
    RelayTls,
}

fn account(kam: &Kamailio, user: &str, sip: &str, media: Media) -> String {
    let relay = match media {
        Media::Direct => String::new(),
        Media::RelayTcp => format!("msrp_relay: \"{}\",", kam.msrp_relay_uri(false)),
        Media::RelayTls => format!("msrp_relay: \"{}\",", kam.msrp_relay_uri(true)),
    };
    kam.account_config(
        user,
        &kam.proxy_uri(sip),
        &format!("{relay}{}", kam.trust_field()),
    )
}

fn start(kam: &Kamailio, user: &str, sip: &str, media: Media, accept: bool) -> Running {
    let options = RuntimeOptions {
        accept_chats: accept,
        ..RuntimeOptions::default()
    };
    let mut r = Running::start(support::config(&account(kam, user, sip, media)), options);
    r.wait_registered(user);
    r
}

fn active(r: &mut Running, who: &str, kam: &Kamailio) -> (SessionId, bool, Option<String>) {
    r.wait_for(&format!("{who}'s chat active"), |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { secure, relay },
            ..
        } => Some((*session, *secure, relay.clone())),
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => panic!("{who}'s chat failed: {reason}\nKamailio log:\n{}", kam.log()),
        _ => None,
    })
}

/// Alice opens a chat with bob (who accepts), they talk both ways, a
/// 100 KiB text arrives whole, alice hangs up. Returns how alice's side
/// reported the session (secure, relay).
fn chat(sip: &str, media: Media) -> Option<(bool, Option<String>)> {
    let kam = Kamailio::start_or_skip()?;
    let mut bob = start(&kam, "bob", sip, media, true);
    let mut alice = start(&kam, "alice", sip, media, false);
    alice.open_chat("alice", &kam.aor("bob"));
    let (a, secure, relay) = active(&mut alice, "alice", &kam);
    let (b, _, _) = active(&mut bob, "bob", &kam);

    let id = alice.say("alice", a, "hello bob, through Kamailio");
    assert_eq!(
        alice.wait_delivery(id),
        DeliveryState::Accepted,
        "log:\n{}",
        kam.log()
    );
    let got = bob.wait_message("hello bob, through Kamailio");
    assert_eq!(got.session, Some(b));
    assert_eq!(got.from, kam.aor("alice"));

    let id = bob.say("bob", b, "hi alice");
    assert_eq!(bob.wait_delivery(id), DeliveryState::Accepted);
    alice.wait_message("hi alice");

    let long: String = (0..100 * 1024 / 16).map(|i| format!("{i:015}\n")).collect();
    let id = alice.say("alice", a, &long);
    assert_eq!(
        alice.wait_delivery(id),
        DeliveryState::Accepted,
        "log:\n{}",
        kam.log()
    );
    let got = bob.wait_message(long.trim_end());
    assert_eq!(got.body.len(), long.len(), "100 KiB arrive whole");

    alice.close_chat("alice", a);
    let reason = bob.wait_chat_ended(b);
    assert_eq!(reason, "alice ended the chat");
    Some((secure, relay))
}

#[test]
fn direct_msrp_after_an_invite_routed_by_kamailio_over_tcp() {
    if let Some((secure, relay)) = chat("tcp", Media::Direct) {
        assert!(!secure);
        assert_eq!(relay, None);
    }
}

#[test]
fn direct_msrps_after_an_invite_routed_by_kamailio_over_tls() {
    if let Some((secure, relay)) = chat("tls", Media::Direct) {
        assert!(secure, "a TLS account chats over TLS");
        assert_eq!(relay, None);
    }
}

#[test]
fn through_the_kamailio_msrp_relay_over_tcp() {
    if let Some((secure, relay)) = chat("udp", Media::RelayTcp) {
        assert!(!secure);
        assert!(relay.unwrap().starts_with("msrp://127.0.0.1:"));
    }
}

#[test]
fn through_the_kamailio_msrp_relay_over_tls() {
    if let Some((secure, relay)) = chat("tcp", Media::RelayTls) {
        assert!(secure);
        assert!(relay.unwrap().starts_with("msrps://localhost:"));
    }
}

/// msrps means TLS, always: an msrps offer (alice through the relay over
/// TLS) to an account whose relay is plain `msrp://` cannot be answered
/// over TLS, so it is declined with 488 and a Warning in words, never
/// answered with a plaintext path.
#[test]
fn an_msrps_offer_to_an_account_with_a_plain_relay_is_declined_with_488() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let mut bob = start(&kam, "bob", "tcp", Media::RelayTcp, true);
    let mut alice = start(&kam, "alice", "tcp", Media::RelayTls, false);
    alice.open_chat("alice", &kam.aor("bob"));
    let reason = alice.wait_for("alice's chat declined", |e| match e {
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => Some(reason.clone()),
        Event::ChatUpdate {
            state: ChatState::Active { .. },
            ..
        } => panic!("an msrps offer became a session over a plain relay"),
        _ => None,
    });
    assert!(reason.contains("488"), "{reason}");
    assert!(reason.contains("TCP/TLS/MSRP"), "the Warning's words: {reason}");
    bob.settle(std::time::Duration::from_millis(500));
    assert_eq!(
        bob.count(|e| matches!(
            e,
            Event::ChatUpdate {
                state: ChatState::Active { .. },
                ..
            }
        )),
        0
    );
}
