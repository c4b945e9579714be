//! Conversation list, paging, unread counts, export, alerts and transfers.

use super::test_support::{incoming, outgoing};
use super::*;
use crate::model::DeliveryState;

const BOB: &str = "sip:bob@example.org";
const CAROL: &str = "sip:carol@example.org";
const DAVE: &str = "sip:dave@example.org";

#[test]
fn pages_go_newest_first_and_continue_before_the_last_id() {
    let mut store = Store::open_in_memory().unwrap();
    let mut ids = Vec::new();
    for i in 0..25 {
        let id = if i % 3 == 0 {
            store
                .insert_outgoing(&outgoing("work", BOB, &format!("m{i}"), i))
                .unwrap()
        } else {
            let m = incoming("work", BOB, &format!("c{i}"), 1, &format!("m{i}"), i);
            store.insert_incoming(&m).unwrap().id()
        };
        ids.push(id);
    }
    // Noise in another conversation and account.
    store
        .insert_incoming(&incoming("work", CAROL, "x", 1, "other", 5))
        .unwrap();
    store
        .insert_incoming(&incoming("home", BOB, "y", 1, "other", 5))
        .unwrap();

    let newest: Vec<_> = ids.iter().rev().copied().collect();
    let page1 = store.messages("work", BOB, None, 10).unwrap();
    assert_eq!(page1.iter().map(|m| m.id).collect::<Vec<_>>(), newest[..10]);
    assert_eq!(page1[0].body, "m24");
    let page2 = store.messages("work", BOB, Some(page1[9].id), 10).unwrap();
    assert_eq!(page2.iter().map(|m| m.id).collect::<Vec<_>>(), newest[10..20]);
    let page3 = store.messages("work", BOB, Some(page2[9].id), 10).unwrap();
    assert_eq!(page3.iter().map(|m| m.id).collect::<Vec<_>>(), newest[20..]);
    assert!(store
        .messages("work", BOB, Some(page3[4].id), 10)
        .unwrap()
        .is_empty());
    assert!(store
        .messages("work", "sip:nobody@x", None, 10)
        .unwrap()
        .is_empty());
    assert!(store.messages("work", BOB, None, 0).unwrap().is_empty());
}

#[test]
fn page_size_is_capped() {
    let mut store = Store::open_in_memory().unwrap();
    let batch: Vec<_> = (0..MAX_PAGE_SIZE + 20)
        .map(|i| incoming("work", BOB, &format!("c{i}"), 1, "x", 1))
        .collect();
    store.insert_incoming_batch(&batch).unwrap();
    assert_eq!(
        store.messages("work", BOB, None, usize::MAX).unwrap().len(),
        MAX_PAGE_SIZE
    );
}

#[test]
fn unread_counts_follow_incoming_messages_and_mark_read() {
    let mut store = Store::open_in_memory().unwrap();
    for i in 0..3 {
        store
            .insert_incoming(&incoming("work", BOB, &format!("c{i}"), 1, "hi", i))
            .unwrap();
    }
    store.insert_outgoing(&outgoing("work", BOB, "mine", 10)).unwrap();
    store
        .insert_incoming(&incoming("work", CAROL, "d", 1, "hey", 11))
        .unwrap();
    let unread = |store: &Store, peer: &str| {
        let list = store.conversations(Some("work")).unwrap();
        list.into_iter().find(|c| c.peer_key == peer).unwrap().unread
    };
    assert_eq!((unread(&store, BOB), unread(&store, CAROL)), (3, 1));

    store.mark_read("work", BOB).unwrap();
    assert_eq!((unread(&store, BOB), unread(&store, CAROL)), (0, 1));
    assert!(store
        .messages("work", BOB, None, 10)
        .unwrap()
        .iter()
        .all(|m| m.read));
    assert!(!store.messages("work", CAROL, None, 10).unwrap()[0].read);

    store
        .insert_incoming(&incoming("work", BOB, "c9", 1, "more", 20))
        .unwrap();
    assert_eq!(unread(&store, BOB), 1);
    store.mark_read("work", "sip:unknown@x").unwrap();
}

#[test]
fn conversations_are_listed_by_last_activity_with_a_preview() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = incoming("work", BOB, "a", 1, "from bob", 1_000);
    m.display_name = Some("Bob".into());
    store.insert_incoming(&m).unwrap();
    store
        .insert_incoming(&incoming("work", CAROL, "b", 1, "from carol", 3_000))
        .unwrap();
    let long = "x".repeat(PREVIEW_CHARS + 10);
    let to_dave = store
        .insert_outgoing(&outgoing("home", DAVE, &long, 2_000))
        .unwrap();
    // Bob writes again: his conversation moves to the top, his name stays.
    store
        .insert_incoming(&incoming("work", BOB, "c", 1, "bob again", 4_000))
        .unwrap();

    let all = store.conversations(None).unwrap();
    let order: Vec<_> = all.iter().map(|c| c.peer_key.as_str()).collect();
    assert_eq!(order, vec![BOB, CAROL, DAVE]);
    assert_eq!(all[0].display_name.as_deref(), Some("Bob"));
    assert_eq!(all[0].last_activity, 4_000);
    let preview = all[0].last_message.as_ref().unwrap();
    assert_eq!((preview.text.as_str(), preview.truncated), ("bob again", false));
    assert_eq!(preview.direction, Direction::In);

    let dave = all[2].last_message.as_ref().unwrap();
    assert_eq!(dave.id, to_dave);
    assert_eq!(dave.text.chars().count(), PREVIEW_CHARS);
    assert!(dave.truncated);
    assert_eq!(dave.state, Some(DeliveryState::Queued));

    let work = store.conversations(Some("work")).unwrap();
    assert_eq!(work.len(), 2);
    assert!(store.conversations(Some("nobody")).unwrap().is_empty());
}

#[test]
fn peer_address_follows_the_last_one_used() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = incoming("work", BOB, "a", 1, "one", 1);
    m.peer_address = "sip:bob@example.org;transport=tcp".into();
    store.insert_incoming(&m).unwrap();
    let mut m = incoming("work", BOB, "b", 1, "two", 2);
    m.peer_address = "sip:bob@example.org:5070".into();
    store.insert_incoming(&m).unwrap();
    let list = store.conversations(None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].peer_address, "sip:bob@example.org:5070");
}

#[test]
fn export_has_every_message_in_order_with_histories() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .insert_incoming(&incoming("work", BOB, "a", 1, "question?", 1))
        .unwrap();
    let out = store
        .insert_outgoing(&outgoing("work", BOB, "answer", 2))
        .unwrap();
    store.record_attempt(out, "c", "t", 1, 3).unwrap();
    store
        .set_delivery_state(out, &DeliveryState::Accepted, 4)
        .unwrap();
    store
        .insert_incoming(&incoming("work", CAROL, "b", 1, "not exported", 5))
        .unwrap();

    let json = store.export_conversation("work", BOB).unwrap();
    assert_eq!(json["format"], EXPORT_FORMAT);
    assert_eq!(json["version"], EXPORT_VERSION);
    assert_eq!(json["peer_key"], BOB);
    let messages = json["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["body"], "question?");
    assert_eq!(messages[0]["direction"], "in");
    assert_eq!(messages[0]["history"].as_array().unwrap().len(), 0);
    assert_eq!(messages[1]["delivery"]["state"], "accepted");
    let history: Vec<_> = messages[1]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["delivery"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["queued", "sending", "accepted"]);

    let err = store.export_conversation("work", DAVE).unwrap_err();
    assert!(matches!(err, StoreError::NoConversation { .. }), "{err}");
    assert!(err.to_string().contains(DAVE), "{err}");
}

#[test]
fn alerts_are_logged_listed_and_acknowledged() {
    let mut store = Store::open_in_memory().unwrap();
    let alert = NewAlert {
        account: "work".into(),
        message_id: None,
        from: "sip:alerts@example.org".into(),
        subject: Some("Emergency Alert".into()),
        priority: Some("emergency".into()),
        body: "Flood warning".into(),
        cap: Some(serde_json::json!({"severity": "Severe", "headline": "Flood"})),
        received_at: 10,
    };
    let id = store.insert_alert(&alert).unwrap();
    let listed = store.alerts(None, true).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].alert, alert);
    assert!(store.acknowledge_alert(id, 20).unwrap());
    assert!(!store.acknowledge_alert(id, 30).unwrap());
    assert!(store.alerts(Some("work"), true).unwrap().is_empty());
    assert_eq!(
        store.alerts(Some("work"), false).unwrap()[0].acknowledged_at,
        Some(20)
    );
}

#[test]
fn transfers_are_recorded_and_linked_to_their_conversation() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .insert_incoming(&incoming("work", BOB, "a", 1, "file coming", 1))
        .unwrap();
    let transfer = NewTransfer {
        account: "work".into(),
        peer_key: Some(BOB.into()),
        direction: Direction::In,
        file_name: "invoice.pdf".into(),
        size: Some(12_345),
        sha1: Some("da39a3ee5e6b4b0d3255bfef95601890afd80709".into()),
        path: Some("/tmp/invoice.pdf".into()),
        state: "done".into(),
        started_at: 2,
        peer: Some(BOB.into()),
        resume_bytes: None,
        part_path: None,
    };
    store.insert_transfer(&transfer).unwrap();
    let mut unknown_peer = transfer.clone();
    unknown_peer.peer_key = Some(CAROL.into());
    unknown_peer.started_at = 1;
    store.insert_transfer(&unknown_peer).unwrap();
    let listed = store.transfers(Some("work")).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].transfer, transfer);
    assert_eq!(listed[1].transfer.peer_key, None, "no conversation with carol");
}

#[test]
fn interrupted_transfers_keep_their_peer_offset_and_partial_file() {
    let mut store = Store::open_in_memory().unwrap();
    let interrupted = NewTransfer {
        account: "work".into(),
        peer_key: Some(CAROL.into()),
        direction: Direction::In,
        file_name: "report.pdf".into(),
        size: Some(10 << 20),
        sha1: Some("da39a3ee5e6b4b0d3255bfef95601890afd80709".into()),
        path: None,
        state: TransferState::Interrupted,
        started_at: 5,
        peer: Some(CAROL.into()),
        resume_bytes: Some(4 << 20),
        part_path: Some("/tmp/.sipchat-1.part".into()),
    };
    let id = store.insert_transfer(&interrupted).unwrap();
    let mut done = interrupted.clone();
    done.state = "done".into();
    done.resume_bytes = None;
    store.insert_transfer(&done).unwrap();
    let found = store.interrupted_transfers(Some("work")).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
    assert_eq!(found[0].transfer.peer.as_deref(), Some(CAROL));
    assert_eq!(found[0].transfer.peer_key, None, "no conversation with carol");
    assert_eq!(found[0].transfer.resume_bytes, Some(4 << 20));
    assert_eq!(
        found[0].transfer.part_path.as_deref(),
        Some("/tmp/.sipchat-1.part")
    );
    assert!(store.interrupted_transfers(Some("home")).unwrap().is_empty());
    store.finish_transfer(id, &TransferState::Resumed, 9).unwrap();
    assert!(store.interrupted_transfers(None).unwrap().is_empty());
}

#[test]
fn a_running_transfer_row_is_updated_and_a_crash_leaves_it_interrupted() {
    let mut store = Store::open_in_memory().unwrap();
    let row = |state: TransferState| NewTransfer {
        account: "work".into(),
        peer_key: None,
        direction: Direction::Out,
        file_name: "report.pdf".into(),
        size: Some(10 << 20),
        sha1: None,
        path: Some("/home/a/report.pdf".into()),
        state,
        started_at: 5,
        peer: Some(BOB.into()),
        resume_bytes: None,
        part_path: None,
    };
    let confirmed = store.insert_transfer(&row(TransferState::Sending)).unwrap();
    store.set_transfer_progress(confirmed, 4 << 20).unwrap();
    let nothing = store.insert_transfer(&row(TransferState::Receiving)).unwrap();
    let ended = store.insert_transfer(&row(TransferState::Sending)).unwrap();
    store
        .update_transfer(
            ended,
            &TransferUpdate {
                state: TransferState::Done,
                path: None,
                sha1: Some("ab".repeat(20)),
                resume_bytes: None,
                part_path: None,
                finished_at: Some(9),
            },
        )
        .unwrap();
    assert_eq!(store.interrupt_unfinished_transfers(20).unwrap(), 2);
    let all = store.transfers(None).unwrap();
    let by_id = |id: i64| all.iter().find(|t| t.id == id).unwrap().clone();
    assert_eq!(by_id(confirmed).transfer.state, TransferState::Interrupted);
    assert_eq!(by_id(confirmed).transfer.resume_bytes, Some(4 << 20));
    assert_eq!(by_id(confirmed).finished_at, Some(20));
    assert!(matches!(
        by_id(nothing).transfer.state,
        TransferState::Failed { .. }
    ));
    let done = by_id(ended);
    assert_eq!(done.transfer.state, "done");
    assert_eq!(
        done.transfer.path.as_deref(),
        Some("/home/a/report.pdf"),
        "kept when not given"
    );
    assert_eq!(done.transfer.sha1, Some("ab".repeat(20)));
    assert_eq!(done.finished_at, Some(9));
}
