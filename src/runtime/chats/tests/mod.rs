//! The chats on virtual time: no sockets, no tokio, no store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::iscomposing::DEFAULT_IDLE;
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sip::uri::Transport;
use crate::runtime::msrp_session::{self, judge_offer, OfferPolicy, Verdict};
use crate::runtime::msrp_task::PeerSdp;
use std::time::Duration;

const BOB: &str = "sip:bob@127.0.0.1:5070";
const S: SessionId = SessionId(1);

fn now0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_700_000_000_000,
    }
}

fn hop() -> Hop {
    Hop {
        transport: Transport::Udp,
        remote: "127.0.0.1:5070".parse().unwrap(),
        local: "127.0.0.1:5060".parse().unwrap(),
        conn: None,
    }
}

fn chats() -> Chats {
    Chats::new(ChatsConfig {
        account: AccountId("local".into()),
        own_aor: "sip:alice@127.0.0.1".into(),
        role: MsrpRole::Auto,
        relayed: false,
        msrp_available: true,
        fingerprint: None,
        tls: false,
        auto_accept: false,
    })
}

fn drain(c: &mut Chats) -> Vec<ChatEffect> {
    std::iter::from_fn(|| c.poll_effect()).collect()
}

fn path(id: &str) -> Vec<MsrpUri> {
    vec![MsrpUri::endpoint(false, "127.0.0.1", 2855, id)]
}

/// The peer's answer to our offer, built the way a peer would.
fn answer_to(offer_sdp: &[u8]) -> Vec<u8> {
    let policy = OfferPolicy {
        role: MsrpRole::Passive,
        relayed: false,
        relay_secure: false,
        max_file_size: 1 << 20,
        refuse_sessions: false,
        msrp_available: true,
    };
    let Verdict::Chat { offer, decision } = judge_offer(offer_sdp, &policy) else {
        panic!("our offer is not a chat offer");
    };
    let (answer, _) = msrp_session::chat_answer(&offer, &decision, &path("peer"), false, None).unwrap();
    answer.to_bytes()
}

fn states(effects: &[ChatEffect]) -> Vec<ChatState> {
    effects
        .iter()
        .filter_map(|e| match e {
            ChatEffect::Emit(Event::ChatUpdate { state, .. }) => Some(state.clone()),
            _ => None,
        })
        .collect()
}

/// Opens a chat up to the INVITE; returns the offer's SDP.
fn invite(c: &mut Chats, now: Now) -> Vec<u8> {
    c.handle(
        ChatInput::Open {
            session: S,
            peer: BOB.into(),
        },
        now,
    );
    let fx = drain(c);
    assert_eq!(states(&fx), vec![ChatState::Inviting]);
    assert!(matches!(&fx[1], ChatEffect::Route { session: S, peer } if peer == BOB));
    c.handle(
        ChatInput::Routed {
            session: S,
            result: Ok(hop()),
        },
        now,
    );
    let fx = drain(c);
    assert!(
        matches!(fx.as_slice(), [ChatEffect::StartTask { session: S, .. }]),
        "{fx:?}"
    );
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Prepared {
                local_path: path("ours"),
                relay: None,
                behind_nat: false,
            },
        },
        now,
    );
    match drain(c).as_slice() {
        [ChatEffect::Session(SessionAction::Invite {
            session: S, to, sdp, ..
        })] => {
            assert_eq!(to, BOB);
            sdp.clone()
        }
        other => panic!("{other:?}"),
    }
}

/// A chat opened all the way to `Active`.
fn active(c: &mut Chats, now: Now) {
    let offer = invite(c, now);
    c.handle(
        ChatInput::Answered {
            session: S,
            sdp: answer_to(&offer),
        },
        now,
    );
    drain(c);
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    drain(c);
}

#[test]
fn open_invite_answer_go_active() {
    let mut c = chats();
    let now = now0();
    let offer = invite(&mut c, now);
    assert!(String::from_utf8_lossy(&offer).contains("a=path:msrp://127.0.0.1:2855/ours;tcp"));
    c.handle(
        ChatInput::Answered {
            session: S,
            sdp: answer_to(&offer),
        },
        now,
    );
    let fx = drain(&mut c);
    assert_eq!(states(&fx), vec![ChatState::Connecting]);
    let go = fx
        .iter()
        .find_map(|e| match e {
            ChatEffect::Task {
                session: S,
                command: TaskCommand::Go { remote_path, .. },
            } => Some(remote_path.clone()),
            _ => None,
        })
        .expect("the task is told to go");
    assert_eq!(go, path("peer"));
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    assert_eq!(
        states(&drain(&mut c)),
        vec![ChatState::Active {
            secure: false,
            relay: None
        }]
    );
}

#[test]
fn an_unusable_answer_hangs_up_with_words() {
    let mut c = chats();
    let now = now0();
    invite(&mut c, now);
    c.handle(
        ChatInput::Answered {
            session: S,
            sdp: b"not sdp".to_vec(),
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(fx
        .iter()
        .any(|e| matches!(e, ChatEffect::Session(SessionAction::End { session: S }))));
    assert!(matches!(
        states(&fx).as_slice(),
        [ChatState::Failed { reason }] if reason.starts_with("the peer's answer is unusable")
    ));
}

/// Sends `text` as message `id` and has it stored.
fn say(c: &mut Chats, id: u64, text: &str, now: Now) -> Vec<ChatEffect> {
    c.handle(
        ChatInput::Send {
            id: MessageId(id),
            session: S,
            text: text.into(),
        },
        now,
    );
    let fx = drain(c);
    assert!(matches!(
        fx.as_slice(),
        [ChatEffect::Store(ChatStoreOp::InsertOutgoing { .. })]
    ));
    c.handle(
        ChatInput::MessageStored {
            session: S,
            id: MessageId(id),
            text: text.into(),
            result: Ok(MessageId(id)),
        },
        now,
    );
    drain(c)
}

fn sent_ids(effects: &[ChatEffect]) -> Vec<MessageId> {
    effects
        .iter()
        .filter_map(|e| match e {
            ChatEffect::Task {
                command: TaskCommand::Send { id: Some(id), .. },
                ..
            } => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn waiting_messages_go_out_in_order_once_active() {
    let mut c = chats();
    let now = now0();
    let offer = invite(&mut c, now);
    for (id, text) in [(11, "one"), (12, "two"), (13, "three")] {
        let fx = say(&mut c, id, text, now);
        // Stored and queued, but nothing sent before the session opens.
        assert!(sent_ids(&fx).is_empty());
    }
    c.handle(
        ChatInput::Answered {
            session: S,
            sdp: answer_to(&offer),
        },
        now,
    );
    drain(&mut c);
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    let fx = drain(&mut c);
    assert_eq!(sent_ids(&fx), vec![MessageId(11), MessageId(12), MessageId(13)]);
    // Once active, a message goes out as soon as it is stored.
    assert_eq!(sent_ids(&say(&mut c, 14, "four", now)), vec![MessageId(14)]);
    // Delivered: the final state is shown and stored.
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Delivered { id: MessageId(14) },
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(fx.iter().any(|e| matches!(
        e,
        ChatEffect::Store(ChatStoreOp::SetDeliveryState {
            id: MessageId(14),
            state: DeliveryState::Accepted
        })
    )));
}

#[test]
fn waiting_messages_fail_when_the_chat_ends_first() {
    let mut c = chats();
    let now = now0();
    invite(&mut c, now);
    say(&mut c, 21, "lost", now);
    c.handle(
        ChatInput::Failed {
            session: S,
            reason: "bob is busy".into(),
        },
        now,
    );
    let fx = drain(&mut c);
    let failed: Vec<String> = fx
        .iter()
        .filter_map(|e| match e {
            ChatEffect::Emit(Event::DeliveryUpdate {
                id: MessageId(21),
                state: DeliveryState::Failed { reason, .. },
                ..
            }) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec!["not sent: the chat ended (bob is busy)".to_string()]);
    assert!(fx.iter().any(|e| matches!(
        e,
        ChatEffect::Task {
            session: S,
            command: TaskCommand::Close
        }
    )));
    assert!(matches!(fx.last(), Some(ChatEffect::Release { session: S })));
    assert!(!c.any());
}

#[test]
fn a_lost_connection_ends_the_chat_after_the_grace_unless_a_bye_came() {
    let now = now0();
    // No BYE: we hang up ourselves after CONNECTION_LOST_GRACE.
    let mut c = chats();
    active(&mut c, now);
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Closed {
                reason: Some("the peer closed the connection".into()),
            },
        },
        now,
    );
    assert!(drain(&mut c).is_empty());
    assert_eq!(c.poll_timeout(), Some(now.at + CONNECTION_LOST_GRACE));
    c.handle_timeout(now.after(CONNECTION_LOST_GRACE - Duration::from_millis(1)));
    assert!(drain(&mut c).is_empty(), "not before the grace");
    c.handle_timeout(now.after(CONNECTION_LOST_GRACE));
    let fx = drain(&mut c);
    assert_eq!(
        states(&fx),
        vec![ChatState::Ended {
            reason: "the peer closed the connection".into()
        }]
    );
    assert!(
        fx.iter().any(
            |e| matches!(e, ChatEffect::Session(SessionAction::EndBecause { session: S, reason })
            if reason == "the peer closed the connection")
        ),
        "the BYE says why: {fx:?}"
    );
    // The BYE came within the grace: the chat ends with its words, once.
    let mut c = chats();
    active(&mut c, now);
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Closed { reason: None },
        },
        now,
    );
    c.handle(
        ChatInput::Ended {
            session: S,
            reason: "bob ended the chat".into(),
        },
        now.after(Duration::from_millis(300)),
    );
    let fx = drain(&mut c);
    assert_eq!(
        states(&fx),
        vec![ChatState::Ended {
            reason: "bob ended the chat".into()
        }]
    );
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(now.after(CONNECTION_LOST_GRACE));
    assert!(drain(&mut c).is_empty());
}

fn composing_sent(effects: &[ChatEffect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            ChatEffect::Task {
                command: TaskCommand::Send { id: None, body, .. },
                ..
            } => Some(String::from_utf8_lossy(body).into_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn typing_notices_go_active_then_idle_by_themselves() {
    let mut c = chats();
    let now = now0();
    active(&mut c, now);
    c.handle(
        ChatInput::Composing {
            session: S,
            active: true,
        },
        now,
    );
    let sent = composing_sent(&drain(&mut c));
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("active"), "{}", sent[0]);
    // Typing on within the idle time sends nothing new.
    let later = now.after(Duration::from_secs(5));
    c.handle(
        ChatInput::Composing {
            session: S,
            active: true,
        },
        later,
    );
    assert!(composing_sent(&drain(&mut c)).is_empty());
    // The pause: idle goes out when the idle time since the last key passed.
    let due = c.poll_timeout().expect("the idle notice is due");
    assert_eq!(due, later.at + DEFAULT_IDLE);
    c.handle_timeout(later.after(DEFAULT_IDLE));
    let sent = composing_sent(&drain(&mut c));
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("idle"), "{}", sent[0]);
}

#[test]
fn a_typing_peer_is_shown_and_expires() {
    let mut c = chats();
    let now = now0();
    active(&mut c, now);
    let doc = crate::protocol::iscomposing::IsComposing::active(Duration::from_secs(60));
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Received {
                msrp_id: "m1".into(),
                content_type: crate::protocol::iscomposing::CONTENT_TYPE.into(),
                body: doc.to_xml().into_bytes(),
            },
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(fx
        .iter()
        .any(|e| matches!(e, ChatEffect::Emit(Event::PeerComposing { active: true, .. }))));
    // Confirmed at once (nothing to store).
    assert!(fx.iter().any(|e| matches!(
        e,
        ChatEffect::Task {
            command: TaskCommand::Confirm { .. },
            ..
        }
    )));
    let expiry = c.poll_timeout().expect("the peer's notice expires");
    c.handle_timeout(Now {
        at: expiry,
        unix_ms: now.unix_ms,
    });
    assert!(drain(&mut c)
        .iter()
        .any(|e| matches!(e, ChatEffect::Emit(Event::PeerComposing { active: false, .. }))));
}

mod incoming;
