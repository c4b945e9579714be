//! Incoming chats: received text stored before it is confirmed, offers
//! rung or declined, MSRP over TLS judged from the offer, blocked peers.

use super::*;

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
