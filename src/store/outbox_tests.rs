//! Outgoing messages: delivery states, their history and the outbox.

use super::test_support::{incoming, outgoing};
use super::*;
use crate::model::DeliveryState;

const BOB: &str = "sip:bob@example.org";

fn states(store: &Store, id: MessageId) -> Vec<DeliveryState> {
    store
        .delivery_history(id)
        .unwrap()
        .into_iter()
        .map(|c| c.state)
        .collect()
}

fn failed_480() -> DeliveryState {
    DeliveryState::Failed {
        code: Some(480),
        reason: "bob is not online (480 Temporarily Unavailable)".into(),
    }
}

#[test]
fn outgoing_message_goes_through_its_states_and_leaves_the_outbox() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = outgoing("work", BOB, "hi bob", 1_000);
    m.peer_address = "sip:bob@example.org:5070;transport=tcp".into();
    m.local_id = Some("local-1".into());
    let id = store.insert_outgoing(&m).unwrap();
    let stored = store.message(id).unwrap().unwrap();
    assert_eq!(stored.state, Some(DeliveryState::Queued));
    assert_eq!(stored.direction, Direction::Out);
    assert!(stored.read);
    assert_eq!(stored.local_id.as_deref(), Some("local-1"));

    // Due at once, with what the runtime needs to send it.
    let due = store.outbox_due("work", 1_000, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, id);
    assert_eq!(due[0].peer_address, "sip:bob@example.org:5070;transport=tcp");
    assert_eq!(
        (due[0].attempts, due[0].state.clone()),
        (0, DeliveryState::Queued)
    );
    assert!(store.outbox_due("work", 999, 10).unwrap().is_empty());
    assert!(store.outbox_due("home", 1_000, 10).unwrap().is_empty());

    // First attempt: 480, retry in 30 s.
    store.record_attempt(id, "call-1", "tag-1", 1, 1_010).unwrap();
    assert_eq!(
        store.message(id).unwrap().unwrap().state,
        Some(DeliveryState::Sending)
    );
    assert!(
        store.outbox_due("work", 5_000, 10).unwrap().is_empty(),
        "in flight"
    );
    let all = store.outbox_all("work").unwrap();
    assert_eq!(
        (all[0].call_id.as_deref(), all[0].from_tag.as_deref(), all[0].cseq),
        (Some("call-1"), Some("tag-1"), Some(1))
    );
    store
        .reschedule(id, 1_200, 31_200, "bob is not online (480)")
        .unwrap();
    let retrying = DeliveryState::Retrying {
        code: None,
        reason: "bob is not online (480)".into(),
        retry_at_ms: 31_200,
    };
    assert_eq!(store.message(id).unwrap().unwrap().state, Some(retrying.clone()));
    assert!(store.outbox_due("work", 31_199, 10).unwrap().is_empty());
    let due = store.outbox_due("work", 31_200, 10).unwrap();
    assert_eq!(due[0].attempts, 1);
    assert_eq!(due[0].state, retrying);
    assert_eq!(due[0].last_error.as_deref(), Some("bob is not online (480)"));

    // Second attempt: 200.
    store.record_attempt(id, "call-2", "tag-2", 1, 31_210).unwrap();
    assert!(store
        .set_delivery_state(id, &DeliveryState::Accepted, 31_300)
        .unwrap());
    assert!(store.outbox_all("work").unwrap().is_empty());
    assert_eq!(
        store.message(id).unwrap().unwrap().state,
        Some(DeliveryState::Accepted)
    );

    let history = store.delivery_history(id).unwrap();
    let seen: Vec<_> = history.iter().map(|c| (c.state.clone(), c.at)).collect();
    assert_eq!(
        seen,
        vec![
            (DeliveryState::Queued, 1_000),
            (DeliveryState::Sending, 1_010),
            (retrying, 1_200),
            (DeliveryState::Sending, 31_210),
            (DeliveryState::Accepted, 31_300),
        ]
    );
}

#[test]
fn stored_for_later_and_failed_are_final() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.insert_outgoing(&outgoing("work", BOB, "a", 1)).unwrap();
    let b = store.insert_outgoing(&outgoing("work", BOB, "b", 2)).unwrap();
    store
        .set_delivery_state(a, &DeliveryState::StoredForLater, 10)
        .unwrap();
    store.set_delivery_state(b, &failed_480(), 11).unwrap();
    assert!(store.outbox_all("work").unwrap().is_empty());
    let b_state = store.message(b).unwrap().unwrap().state;
    assert_eq!(b_state, Some(failed_480()));
    assert_eq!(states(&store, b), vec![DeliveryState::Queued, failed_480()]);
}

#[test]
fn a_failed_message_can_be_retried_by_hand() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.insert_outgoing(&outgoing("work", BOB, "again", 1)).unwrap();
    store.set_delivery_state(id, &failed_480(), 10).unwrap();
    assert!(store.outbox_all("work").unwrap().is_empty());
    assert!(store.set_delivery_state(id, &DeliveryState::Queued, 500).unwrap());
    let due = store.outbox_due("work", 500, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].next_attempt_at, 500);
}

#[test]
fn a_late_failure_does_not_undo_a_success() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.insert_outgoing(&outgoing("work", BOB, "raced", 1)).unwrap();
    store
        .set_delivery_state(id, &DeliveryState::Accepted, 10)
        .unwrap();
    // A retry's 408 or a queued state arriving after the late 200.
    assert!(!store.set_delivery_state(id, &failed_480(), 20).unwrap());
    assert!(!store.set_delivery_state(id, &DeliveryState::Sending, 21).unwrap());
    assert_eq!(
        store.message(id).unwrap().unwrap().state,
        Some(DeliveryState::Accepted)
    );
    assert_eq!(
        states(&store, id),
        vec![DeliveryState::Queued, DeliveryState::Accepted]
    );
    // 202 then 200 is an upgrade and is recorded.
    let other = store.insert_outgoing(&outgoing("work", BOB, "b", 2)).unwrap();
    store
        .set_delivery_state(other, &DeliveryState::StoredForLater, 30)
        .unwrap();
    assert!(store
        .set_delivery_state(other, &DeliveryState::Accepted, 31)
        .unwrap());
    // Nothing to retry or send any more.
    let err = store.reschedule(id, 40, 50, "timeout").unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let err = store.record_attempt(id, "c", "t", 1, 40).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

#[test]
fn delivery_state_calls_check_the_message() {
    let mut store = Store::open_in_memory().unwrap();
    let inbound = store
        .insert_incoming(&incoming("work", BOB, "c1", 1, "in", 1))
        .unwrap()
        .id();
    let err = store
        .set_delivery_state(inbound, &DeliveryState::Accepted, 2)
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("incoming"), "{err}");
    assert!(store.delivery_history(inbound).unwrap().is_empty());

    let missing = MessageId(9_999);
    let err = store
        .set_delivery_state(missing, &DeliveryState::Accepted, 2)
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("9999"), "{err}");
    assert!(store.delivery_history(missing).is_err());
    assert!(store.delivery_history(MessageId(u64::MAX)).is_err());
    assert!(store.reschedule(missing, 1, 2, "x").is_err());
}

#[test]
fn outbox_due_is_ordered_by_due_time_and_limited() {
    let mut store = Store::open_in_memory().unwrap();
    let ids: Vec<_> = (0..5)
        .map(|i| {
            store
                .insert_outgoing(&outgoing("work", BOB, "m", 100 - i))
                .unwrap()
        })
        .collect();
    let due = store.outbox_due("work", 1_000, 3).unwrap();
    let got: Vec<_> = due.iter().map(|e| e.id).collect();
    assert_eq!(got, vec![ids[4], ids[3], ids[2]]);
    assert_eq!(store.outbox_all("work").unwrap().len(), 5);
    assert!(store.outbox_due("work", 1_000, 0).unwrap().is_empty());
}

#[test]
fn interrupted_attempts_show_in_outbox_all_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = Store::path_in(dir.path());
    let mut store = Store::open(&path).unwrap();
    let id = store
        .insert_outgoing(&outgoing("work", BOB, "in flight", 1))
        .unwrap();
    store.record_attempt(id, "call-9", "tag-9", 3, 2).unwrap();
    drop(store); // the process dies before any answer
    let store = Store::open(&path).unwrap();
    let all = store.outbox_all("work").unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, DeliveryState::Sending);
    assert_eq!(all[0].call_id.as_deref(), Some("call-9"));
    assert!(store.outbox_due("work", 10, 10).unwrap().is_empty());
}

#[test]
fn retrying_keeps_the_message_in_the_outbox_until_its_time() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.insert_outgoing(&outgoing("work", BOB, "busy", 1)).unwrap();
    store.record_attempt(id, "call-1", "tag-1", 1, 2).unwrap();
    let busy = DeliveryState::Retrying {
        code: Some(503),
        reason: "the server is busy (503 Service Unavailable)".into(),
        retry_at_ms: 60_000,
    };
    assert!(store.set_delivery_state(id, &busy, 3).unwrap());
    assert_eq!(store.message(id).unwrap().unwrap().state, Some(busy.clone()));
    assert!(store.outbox_due("work", 59_999, 10).unwrap().is_empty());
    let due = store.outbox_due("work", 60_000, 10).unwrap();
    assert_eq!((due[0].attempts, due[0].state.clone()), (1, busy.clone()));
    assert_eq!(
        due[0].last_error.as_deref(),
        Some("the server is busy (503 Service Unavailable)")
    );
    // The conversation list shows it too.
    let preview = store.conversations(None).unwrap()[0]
        .last_message
        .clone()
        .unwrap();
    assert_eq!(preview.state, Some(busy.clone()));

    // Next attempt succeeds; the history keeps the retry with its time.
    store.record_attempt(id, "call-1", "tag-1", 2, 60_001).unwrap();
    store
        .set_delivery_state(id, &DeliveryState::Accepted, 60_100)
        .unwrap();
    assert_eq!(
        states(&store, id),
        vec![
            DeliveryState::Queued,
            DeliveryState::Sending,
            busy,
            DeliveryState::Sending,
            DeliveryState::Accepted
        ]
    );
    assert!(store.outbox_all("work").unwrap().is_empty());
}

#[test]
fn chat_messages_left_unsent_fail_at_the_next_start_but_outbox_ones_stay() {
    let mut store = Store::open_in_memory().unwrap();
    let chat = store
        .insert_outgoing_in_session(&outgoing("a", "sip:bob@x", "in a session", 1))
        .unwrap();
    let page = store
        .insert_outgoing(&outgoing("a", "sip:bob@x", "page mode", 2))
        .unwrap();
    let delivered = store
        .insert_outgoing_in_session(&outgoing("a", "sip:bob@x", "delivered", 3))
        .unwrap();
    store
        .set_delivery_state(delivered, &DeliveryState::Accepted, 4)
        .unwrap();
    assert!(
        store.outbox_all("a").unwrap().iter().all(|e| e.id != chat),
        "no outbox row for a chat message"
    );

    let closed = store.fail_orphaned_outgoing("sipchat stopped", 10).unwrap();
    assert_eq!(closed, vec![chat]);
    assert!(matches!(
        store.message(chat).unwrap().unwrap().state,
        Some(DeliveryState::Failed { .. })
    ));
    assert_eq!(
        states(&store, page),
        vec![DeliveryState::Queued],
        "page mode is retried, not failed"
    );
    assert_eq!(states(&store, delivered).last(), Some(&DeliveryState::Accepted));
    assert!(store.fail_orphaned_outgoing("again", 11).unwrap().is_empty());
}
