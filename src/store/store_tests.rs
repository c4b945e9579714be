//! Opening, storing incoming messages, duplicates, durability and read-only use.

use super::test_support::{incoming, outgoing, temp_store};
use super::*;
use crate::model::DeliveryState;

const BOB: &str = "sip:bob@example.org";
const CAROL: &str = "sip:carol@example.org";

#[test]
fn incoming_message_is_stored_and_read_back() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = incoming("work", BOB, "call-1@pc", 7, "hello alice", 1_000);
    m.display_name = Some("Bob".into());
    m.remote_message_id = Some("msg-1".into());
    m.sent_at = Some(990);
    let outcome = store.insert_incoming(&m).unwrap();
    let InsertOutcome::Inserted(id) = outcome else {
        panic!("expected a new message, got {outcome:?}");
    };
    let stored = store.message(id).unwrap().unwrap();
    assert_eq!(stored.id, id);
    assert_eq!(stored.account, "work");
    assert_eq!(stored.peer_key, BOB);
    assert_eq!(stored.direction, Direction::In);
    assert_eq!(stored.call_id.as_deref(), Some("call-1@pc"));
    assert_eq!(stored.cseq, Some(7));
    assert_eq!(stored.remote_message_id.as_deref(), Some("msg-1"));
    assert_eq!(stored.body, "hello alice");
    assert_eq!((stored.sent_at, stored.received_at), (Some(990), Some(1_000)));
    assert_eq!(stored.at(), 1_000);
    assert_eq!(stored.state, None);
    assert!(!stored.read);
    assert_eq!(store.message(MessageId(id.0 + 100)).unwrap(), None);
    assert_eq!(store.message(MessageId(u64::MAX)).unwrap(), None);
}

#[test]
fn same_call_id_and_cseq_is_a_duplicate_of_the_first() {
    let mut store = Store::open_in_memory().unwrap();
    let first = store
        .insert_incoming(&incoming("work", BOB, "c1", 1, "once", 1_000))
        .unwrap();
    assert!(!first.is_duplicate());
    // A retransmission, even with another body or time, is the same message.
    let again = store
        .insert_incoming(&incoming("work", BOB, "c1", 1, "once (again)", 2_000))
        .unwrap();
    assert_eq!(again, InsertOutcome::Duplicate(first.id()));
    assert_eq!(store.messages("work", BOB, None, 10).unwrap().len(), 1);
    assert_eq!(store.conversations(None).unwrap()[0].unread, 1);
    // Another CSeq in the same Call-ID, or another account, is a new message.
    let next = store
        .insert_incoming(&incoming("work", BOB, "c1", 2, "twice", 3_000))
        .unwrap();
    assert!(matches!(next, InsertOutcome::Inserted(id) if id != first.id()));
    let other_account = store
        .insert_incoming(&incoming("home", BOB, "c1", 1, "once", 1_000))
        .unwrap();
    assert!(!other_account.is_duplicate());
}

#[test]
fn the_from_tag_is_part_of_the_key_and_survives_a_restart() {
    let (_dir, path, mut store) = temp_store();
    let tagged = |tag: Option<&str>, body: &str| {
        let mut m = incoming("work", BOB, "shared-call-id", 4, body, 1_000);
        m.from_tag = tag.map(str::to_string);
        m
    };
    let first = store.insert_incoming(&tagged(Some("t1"), "from t1")).unwrap();
    assert!(!first.is_duplicate());
    // Another sender that happens to use the same Call-ID and CSeq.
    let other = store.insert_incoming(&tagged(Some("t2"), "from t2")).unwrap();
    assert!(!other.is_duplicate(), "another From tag is another message");
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.insert_incoming(&tagged(Some("t1"), "resent")).unwrap(),
        InsertOutcome::Duplicate(first.id())
    );
    assert_eq!(store.messages("work", BOB, None, 10).unwrap().len(), 2);
}

#[test]
fn same_message_id_is_a_duplicate_even_in_a_new_transaction() {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = incoming("work", BOB, "c1", 1, "cpim body", 1_000);
    m.remote_message_id = Some("imdn-42".into());
    let first = store.insert_incoming(&m).unwrap().id();
    // The sender retried with a new Call-ID; the CPIM Message-ID is the same.
    let mut retry = incoming("work", BOB, "c2", 1, "cpim body", 5_000);
    retry.remote_message_id = Some("imdn-42".into());
    assert_eq!(
        store.insert_incoming(&retry).unwrap(),
        InsertOutcome::Duplicate(first)
    );
    // Another sender may pick the same Message-ID: not a duplicate.
    let mut carol = incoming("work", CAROL, "c3", 1, "hers", 6_000);
    carol.remote_message_id = Some("imdn-42".into());
    assert!(!store.insert_incoming(&carol).unwrap().is_duplicate());
}

#[test]
fn a_batch_is_one_transaction_and_finds_duplicates_inside_it() {
    let mut store = Store::open_in_memory().unwrap();
    let batch = vec![
        incoming("work", BOB, "c1", 1, "a", 1),
        incoming("work", CAROL, "c2", 1, "b", 2),
        incoming("work", BOB, "c1", 1, "a", 3),
    ];
    let outcomes = store.insert_incoming_batch(&batch).unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(!outcomes[0].is_duplicate() && !outcomes[1].is_duplicate());
    assert_eq!(outcomes[2], InsertOutcome::Duplicate(outcomes[0].id()));
    assert!(store.insert_incoming_batch(&[]).unwrap().is_empty());
}

#[test]
fn a_batch_counts_each_conversation_once_and_indexes_every_body() {
    let mut store = Store::open_in_memory().unwrap();
    let mut batch: Vec<_> = (0..50i64)
        .map(|n| {
            incoming(
                "work",
                BOB,
                &format!("b{n}"),
                1,
                &format!("batchword {n}"),
                100 + n,
            )
        })
        .collect();
    batch.push(incoming("work", CAROL, "c1", 1, "batchword carol", 90));
    batch.push(incoming("work", BOB, "b3", 1, "batchword again", 500));
    let outcomes = store.insert_incoming_batch(&batch).unwrap();
    assert_eq!(outcomes.iter().filter(|o| o.is_duplicate()).count(), 1);
    let conversations = store.conversations(None).unwrap();
    let unread = |peer: &str| {
        conversations
            .iter()
            .find(|c| c.peer_key == peer)
            .map(|c| (c.unread, c.last_activity))
    };
    assert_eq!(unread(BOB), Some((50, 149)));
    assert_eq!(unread(CAROL), Some((1, 90)));
    assert_eq!(store.search("batchword", None, 100).unwrap().len(), 51);
    assert_eq!(store.index_pending().unwrap(), 51);
    assert_eq!(store.search("batchword", None, 100).unwrap().len(), 51);
    store
        .conn
        .execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

#[test]
fn a_batch_keeps_the_last_address_and_name_a_peer_gave() {
    let mut store = Store::open_in_memory().unwrap();
    let mut lone = incoming("work", BOB, "n0", 1, "first", 1);
    lone.display_name = Some("Bob".into());
    store.insert_incoming(&lone).unwrap();
    let mut named = incoming("work", BOB, "n1", 1, "renamed", 2);
    named.display_name = Some("Robert".into());
    named.peer_address = "sip:bob@192.0.2.1".into();
    let mut moved = incoming("work", BOB, "n2", 1, "moved", 3);
    moved.peer_address = "sip:bob@192.0.2.2".into();
    store.insert_incoming_batch(&[named, moved]).unwrap();
    let list = store.conversations(Some("work")).unwrap();
    let bob = list.iter().find(|c| c.peer_key == BOB).unwrap();
    assert_eq!(bob.display_name.as_deref(), Some("Robert"));
    assert_eq!(bob.peer_address, "sip:bob@192.0.2.2");
    assert_eq!((bob.unread, bob.last_activity), (3, 3));
}

#[test]
fn a_session_message_gets_its_own_id_back() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store
        .insert_outgoing_in_session(&outgoing("work", BOB, "in a chat", 10))
        .unwrap();
    assert_eq!(
        store.message(id).unwrap().map(|m| m.body),
        Some("in a chat".to_string())
    );
    assert_eq!(store.search("chat", None, 10).unwrap().len(), 1);
}

#[test]
fn checkpoints_run_on_their_own_connection() {
    assert!(Store::open_in_memory().unwrap().checkpointer().unwrap().is_none());
    let (_dir, _path, mut store) = temp_store();
    let checkpointer = store.checkpointer().unwrap().expect("a file store has a log");
    let automatic: i64 = store
        .conn
        .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
        .unwrap();
    assert_eq!(automatic, 0, "the writer no longer checkpoints inside commits");
    store
        .insert_incoming(&incoming("work", BOB, "k1", 1, "kept", 1))
        .unwrap();
    let done = checkpointer.run().unwrap();
    assert!(done.log_pages > 0);
    assert_eq!(done.copied_pages, done.log_pages);
    let again = store.checkpoint().unwrap();
    assert_eq!(again.copied_pages, again.log_pages);
}

#[test]
fn a_log_written_out_ahead_keeps_every_commit_through_a_crash() {
    let (dir, path, mut store) = temp_store();
    let mut checkpointer = store.checkpointer().unwrap().expect("a file store has a log");
    // A commit first: the zeros must go after its frames, not over them.
    store
        .insert_incoming(&incoming("work", BOB, "z0", 1, "before the zeros", 1))
        .unwrap();
    let log = dir.path().join(format!("{FILE_NAME}-wal"));
    let before = std::fs::metadata(&log).unwrap().len();
    let added = checkpointer.prepare_log().unwrap();
    assert_eq!(std::fs::metadata(&log).unwrap().len(), PREPARED_LOG_BYTES);
    assert_eq!(added, PREPARED_LOG_BYTES - before);
    assert_eq!(
        checkpointer.prepare_log().unwrap(),
        0,
        "a log long enough is left alone"
    );
    for n in 1..=50 {
        let body = format!("after the zeros {n}");
        store
            .insert_incoming(&incoming("work", BOB, &format!("z{n}"), 1, &body, n))
            .unwrap();
    }
    assert_eq!(
        std::fs::metadata(&log).unwrap().len(),
        PREPARED_LOG_BYTES,
        "commits overwrite the zeros instead of growing the file"
    );
    // What a crash leaves behind: the database and its log, without the
    // shared-memory index, so SQLite reads the log from its start.
    let crashed = tempfile::tempdir().unwrap();
    let copy = Store::path_in(crashed.path());
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(&log, crashed.path().join(format!("{FILE_NAME}-wal"))).unwrap();
    let recovered = Store::open(&copy).unwrap();
    assert_eq!(recovered.messages("work", BOB, None, 100).unwrap().len(), 51);
    assert_eq!(recovered.search("zeros", None, 100).unwrap().len(), 51);
}

#[test]
fn ids_come_from_the_store_increase_and_are_never_reused() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store
        .insert_incoming(&incoming("work", BOB, "c1", 1, "a", 1))
        .unwrap()
        .id();
    let b = store.insert_outgoing(&outgoing("work", BOB, "b", 2)).unwrap();
    let c = store
        .insert_incoming(&incoming("work", BOB, "c2", 1, "c", 3))
        .unwrap()
        .id();
    assert!(a < b && b < c);
    store
        .conn
        .execute("DELETE FROM messages WHERE id = ?1", [sql_id(c)])
        .unwrap();
    let d = store.insert_outgoing(&outgoing("work", BOB, "d", 4)).unwrap();
    assert!(d > c, "id {c} was reused");
}

#[test]
fn file_store_uses_wal_full_sync_and_foreign_keys() {
    let (_dir, path, store) = temp_store();
    assert!(path.exists());
    assert_eq!(store.journal_mode().unwrap(), "wal");
    let synchronous: i64 = store
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        synchronous, 2,
        "synchronous=FULL: an answered message survives a power cut"
    );
    let fk: bool = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(fk);
    let timeout: i64 = store
        .conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!(timeout, 5_000);
}

#[test]
fn open_creates_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c").join(FILE_NAME);
    Store::open(&path).unwrap();
    assert!(path.exists());
}

#[test]
fn reopening_keeps_everything() {
    let (_dir, path, mut store) = temp_store();
    let mut m = incoming("work", BOB, "c1", 1, "persisted words", 1_000);
    m.display_name = Some("Bob".into());
    let inbound = store.insert_incoming(&m).unwrap().id();
    let out = store
        .insert_outgoing(&outgoing("work", CAROL, "to carol", 2_000))
        .unwrap();
    store.record_attempt(out, "call-x", "tag-x", 5, 2_001).unwrap();
    let failed = DeliveryState::Failed {
        code: Some(480),
        reason: "carol is not online (480 Temporarily Unavailable)".into(),
    };
    store.set_delivery_state(out, &failed, 2_100).unwrap();
    drop(store);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.message(inbound).unwrap().unwrap().body, "persisted words");
    let sent = store.message(out).unwrap().unwrap();
    assert_eq!(sent.state, Some(failed));
    assert_eq!((sent.call_id.as_deref(), sent.cseq), (Some("call-x"), Some(5)));
    assert_eq!(store.delivery_history(out).unwrap().len(), 3);
    let list = store.conversations(None).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].display_name.as_deref(), Some("Bob"));
    assert_eq!(store.search("persisted", None, 10).unwrap().len(), 1);
    // Duplicate detection survives the restart (the kill -9 case).
    let again = store.insert_incoming(&m).unwrap();
    assert_eq!(again, InsertOutcome::Duplicate(inbound));
}

#[test]
fn read_only_store_reads_but_cannot_write() {
    let (_dir, path, mut writer) = temp_store();
    let id = writer
        .insert_incoming(&incoming("work", BOB, "c1", 1, "readable", 1_000))
        .unwrap()
        .id();
    // The writer stays open: the CLI reads while the runtime runs.
    let mut reader = Store::open_read_only(&path).unwrap();
    assert!(reader.is_read_only());
    assert_eq!(reader.message(id).unwrap().unwrap().body, "readable");
    assert_eq!(reader.search("readable", None, 5).unwrap().len(), 1);

    let err = reader
        .insert_incoming(&incoming("work", BOB, "c2", 1, "nope", 2_000))
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    assert!(reader.insert_outgoing(&outgoing("work", BOB, "no", 1)).is_err());
    assert!(reader.mark_read("work", BOB).is_err());
    assert!(reader.set_delivery_state(id, &DeliveryState::Queued, 1).is_err());
    // Below the API, SQLite refuses too.
    assert!(reader.conn.execute("DELETE FROM messages", []).is_err());

    // New commits of the writer are visible to the reader.
    writer
        .insert_incoming(&incoming("work", BOB, "c3", 1, "later", 3_000))
        .unwrap();
    assert_eq!(reader.messages("work", BOB, None, 10).unwrap().len(), 2);
    drop(writer);
    drop(reader);
    // And after the writer closed (WAL checkpointed and removed).
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.messages("work", BOB, None, 10).unwrap().len(), 2);
}

#[test]
fn read_only_open_of_a_missing_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!path.exists(), "a read-only open must not create the file");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(
        &path,
        b"this is not an SQLite database, just some text that is long enough",
    )
    .unwrap();
    let err = Store::open(&path).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("history database"), "{text}");
}

#[test]
fn caller_chosen_ids_are_used_and_never_overwrite() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.max_message_id().unwrap(), MessageId(0));
    let mut m = incoming("work", BOB, "c1", 1, "mine", 1);
    m.id = Some(MessageId(1_700_000_000_000_000));
    assert_eq!(
        store.insert_incoming(&m).unwrap(),
        InsertOutcome::Inserted(MessageId(1_700_000_000_000_000))
    );
    // A retransmission with a fresh id is still the same message.
    let mut again = m.clone();
    again.id = Some(MessageId(1_700_000_000_000_005));
    assert_eq!(
        store.insert_incoming(&again).unwrap(),
        InsertOutcome::Duplicate(MessageId(1_700_000_000_000_000))
    );
    let mut out = outgoing("work", BOB, "reply", 2);
    out.id = Some(MessageId(1_700_000_000_000_001));
    assert_eq!(
        store.insert_outgoing(&out).unwrap(),
        MessageId(1_700_000_000_000_001)
    );
    assert_eq!(store.max_message_id().unwrap(), MessageId(1_700_000_000_000_001));

    // An id in use is refused, not overwritten.
    let mut clash = incoming("work", CAROL, "c2", 1, "other", 3);
    clash.id = Some(MessageId(1_700_000_000_000_001));
    let err = store.insert_incoming(&clash).unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("already used"), "{err}");
    assert_eq!(
        store
            .message(MessageId(1_700_000_000_000_001))
            .unwrap()
            .unwrap()
            .body,
        "reply"
    );
    assert!(store
        .conversations(Some("work"))
        .unwrap()
        .iter()
        .all(|c| c.peer_key != CAROL));
    out.id = Some(MessageId(u64::MAX));
    assert!(matches!(
        store.insert_outgoing(&out),
        Err(StoreError::Invalid { .. })
    ));

    // A deleted message's id still counts.
    store
        .conn
        .execute("DELETE FROM messages WHERE id = 1700000000000001", [])
        .unwrap();
    assert_eq!(store.max_message_id().unwrap(), MessageId(1_700_000_000_000_001));
}
