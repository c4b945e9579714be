//! The chats on virtual time: no sockets, no tokio, no store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::iscomposing::DEFAULT_IDLE;
use crate::protocol::sip::uri::Transport;
use crate::runtime::msrp_session::{judge_offer, OfferPolicy, Verdict};
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

#[test]
fn received_text_is_stored_before_it_is_confirmed() {
    let mut c = chats();
    let now = now0();
    active(&mut c, now);
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Received {
                msrp_id: "m2".into(),
                content_type: "text/plain".into(),
                body: b"hello".to_vec(),
            },
        },
        now,
    );
    let fx = drain(&mut c);
    let Some(ChatEffect::Store(ChatStoreOp::InsertIncoming { message, .. })) = fx.first() else {
        panic!("{fx:?}");
    };
    assert_eq!(message.body, "hello");
    assert!(
        !fx.iter().any(|e| matches!(e, ChatEffect::Task { .. })),
        "not confirmed before it is stored"
    );
    c.handle(
        ChatInput::MessageReceived {
            session: S,
            msrp_id: "m2".into(),
            imdn: None,
            message: message.clone(),
            result: Ok(InsertOutcome::Inserted(MessageId(99))),
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(matches!(
        &fx[0],
        ChatEffect::Task {
            command: TaskCommand::Confirm { msrp_id },
            ..
        } if msrp_id == "m2"
    ));
    assert!(fx
        .iter()
        .any(|e| matches!(e, ChatEffect::Emit(Event::MessageReceived(m)) if m.id == MessageId(99))));
}

#[test]
fn a_cpim_message_resent_with_its_message_id_is_stored_once_and_confirmed_again() {
    let mut store = crate::store::Store::open_in_memory().unwrap();
    let mut c = chats();
    let now = now0();
    active(&mut c, now);
    let cpim = crate::protocol::cpim::CpimMessage::new(
        "sip:bob@example.org",
        "sip:alice@example.org",
        "text/plain",
        b"only once".to_vec(),
    )
    .with_imdn("imdn-42", crate::protocol::imdn::Requested::default())
    .to_bytes();
    let mut shown = 0;
    // The same CPIM message in two MSRP messages (a resend after a lost
    // report), and once more in a new chats state (a restart).
    for (round, msrp_id) in ["m1", "m2", "m3"].into_iter().enumerate() {
        if round == 2 {
            c = chats();
            active(&mut c, now);
        }
        c.handle(
            ChatInput::Task {
                session: S,
                event: TaskEvent::Received {
                    msrp_id: msrp_id.into(),
                    content_type: "message/cpim".into(),
                    body: cpim.clone(),
                },
            },
            now,
        );
        let mut fx = drain(&mut c);
        let mut confirmed = false;
        while let Some(effect) = fx.pop() {
            match effect {
                ChatEffect::Store(op) => {
                    c.handle(op.execute(&mut store, now.unix_ms), now);
                    fx.extend(drain(&mut c));
                }
                ChatEffect::Task {
                    command: TaskCommand::Confirm { msrp_id: id },
                    ..
                } => confirmed |= id == msrp_id,
                ChatEffect::Emit(Event::MessageReceived(_)) => shown += 1,
                _ => {}
            }
        }
        assert!(confirmed, "{msrp_id} confirmed");
    }
    assert_eq!(shown, 1, "shown once");
    let stored = store.search("once", None, 10).unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
}

#[test]
fn an_incoming_offer_rings_and_shutdown_declines_it() {
    let mut c = chats();
    let now = now0();
    let mut ours = chats();
    let offer_sdp = invite(&mut ours, now);
    let policy = OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
        relay_secure: false,
        max_file_size: 1 << 20,
        refuse_sessions: false,
        msrp_available: true,
    };
    let Verdict::Chat { offer, decision } = judge_offer(&offer_sdp, &policy) else {
        panic!("not a chat");
    };
    let incoming = SessionId(7);
    c.handle(
        ChatInput::Offered {
            session: incoming,
            from: BOB.into(),
            from_name: None,
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(matches!(&fx[0], ChatEffect::Session(SessionAction::Ring { session }) if *session == incoming));
    assert!(matches!(&fx[1], ChatEffect::Emit(Event::ChatOffered { .. })));
    c.handle(ChatInput::Shutdown, now);
    assert!(matches!(
        drain(&mut c).as_slice(),
        [ChatEffect::Session(SessionAction::End { session })] if *session == incoming
    ));
}

#[test]
fn closing_before_the_invite_ends_here() {
    let mut c = chats();
    let now = now0();
    c.handle(
        ChatInput::Open {
            session: S,
            peer: BOB.into(),
        },
        now,
    );
    drain(&mut c);
    c.handle(ChatInput::Close { session: S }, now);
    assert_eq!(
        states(&drain(&mut c)),
        vec![ChatState::Failed {
            reason: "you cancelled the invitation".into()
        }]
    );
}

/// An msrps chat offer from bob (with `setup`'s role), judged, delivered
/// to `c` and accepted at once; returns the effects up to `StartTask`.
fn offered_over_tls(c: &mut Chats, now: Now, fingerprint: Option<&str>) -> Vec<ChatEffect> {
    let peer_path = vec![MsrpUri::endpoint(true, "127.0.0.1", 2856, "bob")];
    let sdp = msrp_session::session_offer(&peer_path, MsrpRole::Auto, false, fingerprint, None)
        .unwrap()
        .to_bytes();
    let policy = OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
        relay_secure: false,
        max_file_size: 1 << 20,
        refuse_sessions: false,
        msrp_available: true,
    };
    let Verdict::Chat { offer, decision } = judge_offer(&sdp, &policy) else {
        panic!("not a chat");
    };
    c.handle(
        ChatInput::Offered {
            session: S,
            from: BOB.into(),
            from_name: None,
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
        },
        now,
    );
    drain(c);
    c.handle(ChatInput::Accept { session: S }, now);
    drain(c)
}

#[test]
fn an_msrps_offer_starts_a_tls_task_even_when_the_account_chats_over_tcp() {
    let mut c = chats();
    let now = now0();
    let fx = offered_over_tls(&mut c, now, None);
    assert!(
        fx.iter().any(|e| matches!(
            e,
            ChatEffect::StartTask {
                session: S,
                secure: true,
                ..
            }
        )),
        "{fx:?}"
    );
    // The task prepared an msrps path: the answer is TLS, passive (no
    // fingerprint to pin), and the task is told the peer offered.
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Prepared {
                local_path: vec![MsrpUri::endpoint(true, "127.0.0.1", 2857, "ours")],
                relay: None,
                behind_nat: false,
            },
        },
        now,
    );
    let fx = drain(&mut c);
    let Some(ChatEffect::Session(SessionAction::Accept { sdp, .. })) = fx.first() else {
        panic!("{fx:?}");
    };
    let answer = String::from_utf8_lossy(sdp);
    assert!(
        answer.contains("TCP/TLS/MSRP") && answer.contains("a=path:msrps://"),
        "{answer}"
    );
    assert!(answer.contains("a=setup:passive"), "{answer}");
    assert!(
        fx.iter().any(|e| matches!(
            e,
            ChatEffect::Task {
                command: TaskCommand::Go {
                    we_connect: false,
                    peer_sdp: PeerSdp::Offer,
                    ..
                },
                ..
            }
        )),
        "{fx:?}"
    );
    // Encrypted as the task found it on the wire.
    c.handle(
        ChatInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: true },
        },
        now,
    );
    assert_eq!(
        states(&drain(&mut c)),
        vec![ChatState::Active {
            secure: true,
            relay: None
        }]
    );
}

#[test]
fn an_msrps_offer_with_a_plaintext_path_of_ours_is_refused_with_488_in_words() {
    let mut c = chats();
    let now = now0();
    offered_over_tls(&mut c, now, None);
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
    let fx = drain(&mut c);
    match fx.first() {
        Some(ChatEffect::Session(SessionAction::Reject {
            code: 488,
            warning: Some((399, words)),
            ..
        })) => assert!(words.contains("not over TLS"), "{words}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_chat_is_not_called_encrypted_when_the_wire_is_not() {
    let mut c = chats();
    let now = now0();
    let offer = invite(&mut c, now);
    c.handle(
        ChatInput::Answered {
            session: S,
            sdp: answer_to(&offer),
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(
        fx.iter().any(|e| matches!(
            e,
            ChatEffect::Task {
                command: TaskCommand::Go {
                    peer_sdp: PeerSdp::Answer,
                    ..
                },
                ..
            }
        )),
        "{fx:?}"
    );
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
fn a_chat_offer_from_a_blocked_contact_is_declined_603_without_ringing() {
    let mut c = chats();
    let now = now0();
    c.handle(
        ChatInput::BlockList(crate::runtime::blocking::BlockList::new([
            crate::model::conversation_key(BOB),
        ])),
        now,
    );
    let mut ours = chats();
    let offer_sdp = invite(&mut ours, now);
    let policy = OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
        relay_secure: false,
        max_file_size: 1 << 20,
        refuse_sessions: false,
        msrp_available: true,
    };
    let Verdict::Chat { offer, decision } = judge_offer(&offer_sdp, &policy) else {
        panic!("not a chat");
    };
    c.handle(
        ChatInput::Offered {
            session: SessionId(7),
            from: BOB.into(),
            from_name: None,
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
        },
        now,
    );
    let fx = drain(&mut c);
    assert!(
        matches!(
            fx.as_slice(),
            [
                ChatEffect::Session(SessionAction::Reject { code: 603, .. }),
                ChatEffect::Release { .. }
            ]
        ),
        "declined, never offered to the user: {fx:?}"
    );
    assert!(!c.any());
}
