use super::*;

fn local() -> AccountId {
    AccountId(AccountId::LOCAL.into())
}

fn incoming(id: u64, from: &str, body: &str, at: u64) -> IncomingMessage {
    IncomingMessage {
        id: MessageId(id),
        account: local(),
        from: from.into(),
        from_name: None,
        to: "sip:me@127.0.0.1".into(),
        content_type: "text/plain".into(),
        body: body.into(),
        subject: None,
        received_at: at,
        session: None,
        alert: Default::default(),
    }
}

#[test]
fn list_is_sorted_by_last_activity_and_counts_unread() {
    let mut c = Conversations::default();
    c.receive(&incoming(1, "sip:alice@example.org", "hi", 100));
    c.receive(&incoming(2, "sip:bob@example.org", "yo", 200));
    c.receive(&incoming(3, "sip:alice@example.org", "still there?", 300));

    let order: Vec<_> = c.by_recent().iter().map(|c| c.key.peer.clone()).collect();
    assert_eq!(order, ["sip:alice@example.org", "sip:bob@example.org"]);
    let unread: Vec<_> = c.by_recent().iter().map(|c| c.unread).collect();
    assert_eq!(unread, [2, 1]);
    assert_eq!(c.total_unread(), 3);

    let bob = ConversationKey::new(&local(), "sip:bob@example.org");
    assert!(c.open(&bob));
    assert_eq!(c.total_unread(), 2);
    // Messages into the open conversation are read at once.
    c.receive(&incoming(4, "sip:bob@example.org", "ok", 400));
    assert_eq!(c.get(&bob).map(|c| c.unread), Some(0));
    assert_eq!(c.by_recent()[0].key, bob);
}

#[test]
fn incoming_and_typed_addresses_meet_in_one_conversation() {
    let mut c = Conversations::default();
    let key = c.start(&local(), " sip:Bob@127.0.0.1:5063;transport=udp ", 10);
    // The store's key: parameters and the port dropped (#15).
    assert_eq!(key.peer, "sip:Bob@127.0.0.1");
    c.receive(&incoming(7, "<sip:Bob@127.0.0.1:5063>", "hello", 20));
    c.receive(&incoming(8, "sip:bob@127.0.0.1:5063", "another user", 21));
    assert_eq!(c.by_recent().len(), 2, "users are case-sensitive");
    let conversation = c.get(&key).map(|c| (c.address.clone(), c.entries.len()));
    // Replies still go to the address the user typed, parameters included.
    assert_eq!(
        conversation,
        Some(("sip:Bob@127.0.0.1:5063;transport=udp".to_string(), 1))
    );
    // The default port is the same conversation as no port.
    let plain = c.start(&local(), "sip:carol@example.org:5060", 30);
    assert_eq!(plain, ConversationKey::new(&local(), "sip:carol@example.org"));
}

#[test]
fn same_peer_on_two_accounts_are_two_conversations() {
    let mut c = Conversations::default();
    c.start(&local(), "sip:bob@example.org", 1);
    c.start(&AccountId("work".into()), "sip:bob@example.org", 2);
    assert_eq!(c.by_recent().len(), 2);
    assert_eq!(c.by_recent()[0].key.account.0, "work");
}

#[test]
fn delivery_updates_change_the_right_message_only() {
    let mut c = Conversations::default();
    let bob = c.start(&local(), "sip:bob@example.org", 1);
    let carol = c.start(&local(), "sip:carol@example.org", 1);
    c.push_outgoing(&bob, MessageId(10), "one", DeliveryState::Sending, 2);
    c.push_outgoing(&bob, MessageId(11), "two", DeliveryState::Sending, 3);
    c.push_outgoing(&carol, MessageId(12), "three", DeliveryState::Sending, 4);

    assert!(c.apply_delivery(
        MessageId(11),
        &local(),
        "sip:bob@example.org",
        DeliveryState::StoredForLater
    ));
    let failed = DeliveryState::Failed {
        code: Some(480),
        reason: "carol is not online (480 Temporarily Unavailable)".into(),
    };
    // A `to` that does not name the conversation still finds the message.
    assert!(c.apply_delivery(MessageId(12), &local(), "sip:other@example.org", failed.clone()));
    assert!(!c.apply_delivery(
        MessageId(99),
        &local(),
        "sip:bob@example.org",
        DeliveryState::Accepted
    ));

    let states = |key: &ConversationKey| -> Vec<Direction> {
        c.get(key)
            .map(|c| c.entries.iter().map(|e| e.direction.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        states(&bob),
        [
            Direction::Outgoing(DeliveryState::Sending),
            Direction::Outgoing(DeliveryState::StoredForLater)
        ]
    );
    assert_eq!(states(&carol), [Direction::Outgoing(failed)]);
}

#[test]
fn a_late_provisional_state_does_not_undo_a_final_one() {
    let mut c = Conversations::default();
    let bob = c.start(&local(), "sip:bob@example.org", 1);
    c.push_outgoing(&bob, MessageId(5), "hi", DeliveryState::Queued, 2);
    assert!(c.apply_delivery(
        MessageId(5),
        &local(),
        "sip:bob@example.org",
        DeliveryState::Accepted
    ));
    assert!(c.apply_delivery(
        MessageId(5),
        &local(),
        "sip:bob@example.org",
        DeliveryState::Sending
    ));
    let state = c
        .get(&bob)
        .and_then(|c| c.entries.first())
        .map(|e| e.direction.clone());
    assert_eq!(state, Some(Direction::Outgoing(DeliveryState::Accepted)));
}

#[test]
fn titles_prefer_the_display_name_then_the_user_part() {
    let mut c = Conversations::default();
    let mut message = incoming(1, "sip:alice@example.org", "hi", 1);
    let key = c.receive(&message);
    assert_eq!(c.get(&key).map(Conversation::title).as_deref(), Some("alice"));
    message.from_name = Some("Alice Liddell".into());
    c.receive(&message);
    assert_eq!(
        c.get(&key).map(Conversation::title).as_deref(),
        Some("Alice Liddell")
    );
    let host_only = c.start(&local(), "sip:example.net", 1);
    assert_eq!(
        c.get(&host_only).map(Conversation::title).as_deref(),
        Some("sip:example.net")
    );
}

#[test]
fn delivery_states_read_as_words() {
    assert_eq!(delivery_words(&DeliveryState::Sending, 0), "sending…");
    assert_eq!(
        delivery_words(&DeliveryState::Accepted, 0),
        "accepted by the recipient"
    );
    assert_eq!(
        delivery_words(&DeliveryState::StoredForLater, 0),
        "stored by the server for later delivery (202)"
    );
    let failed = DeliveryState::Failed {
        code: Some(404),
        reason: "bob is unknown (404 Not Found)".into(),
    };
    assert_eq!(
        delivery_words(&failed, 0),
        "failed: bob is unknown (404 Not Found)"
    );
    let retrying = DeliveryState::Retrying {
        code: Some(480),
        reason: "bob is not online (480 Temporarily Unavailable)".into(),
        retry_at_ms: 1_000_120_000,
    };
    assert_eq!(
        delivery_words(&retrying, 1_000_000),
        "not delivered yet: bob is not online (480 Temporarily Unavailable); trying again in 2 min"
    );
    assert_eq!(
        delivery_words(&retrying, 1_000_090),
        "not delivered yet: bob is not online (480 Temporarily Unavailable); trying again in 30 s"
    );
    assert_eq!(
        delivery_words(&retrying, 1_000_200),
        "not delivered yet: bob is not online (480 Temporarily Unavailable); trying again now"
    );
}

#[test]
fn delivery_states_in_german_keep_the_runtime_reason() {
    use crate::ui::i18n::{set_language, Language};
    set_language(Language::German);
    let failed = DeliveryState::Failed {
        code: Some(404),
        reason: "bob is unknown (404 Not Found)".into(),
    };
    let words = delivery_words(&failed, 0);
    let accepted = delivery_words(&DeliveryState::Accepted, 0);
    set_language(Language::English);
    assert_eq!(words, "fehlgeschlagen: bob is unknown (404 Not Found)");
    assert_eq!(accepted, "vom Empfänger angenommen");
}

#[test]
fn a_retrying_message_in_the_open_conversation_needs_a_clock() {
    let mut c = Conversations::default();
    let bob = c.start(&local(), "sip:bob@example.org", 1);
    c.push_outgoing(&bob, MessageId(1), "hi", DeliveryState::Sending, 2);
    assert!(!c.open_has_countdown());
    let retrying = DeliveryState::Retrying {
        code: Some(480),
        reason: "bob is not online".into(),
        retry_at_ms: 60_000,
    };
    c.apply_delivery(MessageId(1), &local(), "sip:bob@example.org", retrying);
    assert!(!c.open_has_countdown(), "not open yet");
    c.open(&bob);
    assert!(c.open_has_countdown());
    c.apply_delivery(
        MessageId(1),
        &local(),
        "sip:bob@example.org",
        DeliveryState::Accepted,
    );
    assert!(!c.open_has_countdown());
}
