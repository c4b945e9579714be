//! Schema versions: fixtures of every earlier version open and migrate;
//! a newer version is refused; a failed step changes nothing.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::error::Ctx;
use super::migrations::{migrate_with, user_version, Migration, MIGRATIONS};
use super::test_support::incoming;
use super::*;
use crate::model::DeliveryState;

/// Where the fixtures live: one `vN.sql` per schema version.
fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store")
}

/// Every fixture, as (version, path), sorted by version.
fn fixtures() -> Vec<(i64, PathBuf)> {
    let mut found: Vec<_> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let version = name.strip_prefix('v')?.strip_suffix(".sql")?.parse().ok()?;
            Some((version, path))
        })
        .collect();
    found.sort();
    found
}

/// A database file built from a fixture, in `dir`.
fn db_from_fixture(dir: &Path, fixture: &Path) -> PathBuf {
    let path = dir.join(FILE_NAME);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&std::fs::read_to_string(fixture).unwrap())
        .unwrap();
    path
}

#[test]
fn migration_versions_are_consecutive_from_one() {
    for (i, step) in MIGRATIONS.iter().enumerate() {
        assert_eq!(step.version, i as i64 + 1);
    }
    assert_eq!(SCHEMA_VERSION, MIGRATIONS.len() as i64);
}

#[test]
fn a_new_database_is_at_the_current_version() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(user_version(&store.conn, store.ctx()).unwrap(), SCHEMA_VERSION);
}

#[test]
fn there_is_a_fixture_for_every_version() {
    let versions: Vec<i64> = fixtures().into_iter().map(|(v, _)| v).collect();
    let expected: Vec<i64> = (1..=SCHEMA_VERSION).collect();
    assert_eq!(
        versions, expected,
        "add tests/fixtures/store/vN.sql for each new version"
    );
}

#[test]
fn every_fixture_opens_migrates_and_keeps_its_rows() {
    for (version, fixture) in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let path = db_from_fixture(dir.path(), &fixture);
        {
            let conn = Connection::open(&path).unwrap();
            let ctx = Ctx { path: &path };
            assert_eq!(
                user_version(&conn, ctx).unwrap(),
                version,
                "{}",
                fixture.display()
            );
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(user_version(&store.conn, store.ctx()).unwrap(), SCHEMA_VERSION);
        let hits = store.search("fixturemarker", None, 10).unwrap();
        assert_eq!(hits.len(), 1, "{}", fixture.display());
        assert!(!store.conversations(None).unwrap().is_empty());
        store
            .conn
            .execute(
                "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .unwrap();
        // Still writable, and new ids do not collide with the fixture's.
        let id = store
            .insert_incoming(&incoming("work", "sip:new@example.org", "new-call", 1, "new", 1))
            .unwrap();
        assert!(!id.is_duplicate());
        drop(store);
        Store::open_read_only(&path).unwrap();
    }
}

#[test]
fn version_1_fixture_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v1.sql"));
    let mut store = Store::open(&path).unwrap();

    let list = store.conversations(None).unwrap();
    let keys: Vec<_> = list.iter().map(|c| c.peer_key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "sip:bob@example.org",
            // Version 6 re-keys without the port.
            "sip:dave@192.0.2.7",
            "sip:carol@example.org"
        ]
    );
    assert_eq!(list[0].unread, 1);
    assert_eq!(list[0].peer_address, "sip:bob@example.org:5070;transport=tcp");
    assert_eq!(
        list[0].last_message.as_ref().unwrap().text,
        "Did the café get paid?"
    );

    let failed = store.message(MessageId(3)).unwrap().unwrap();
    assert_eq!(
        failed.state,
        Some(DeliveryState::Failed {
            code: Some(480),
            reason: "carol is not online (480 Temporarily Unavailable)".into()
        })
    );
    let later = store.message(MessageId(5)).unwrap().unwrap();
    assert_eq!(later.state, Some(DeliveryState::StoredForLater));
    assert_eq!(store.delivery_history(MessageId(2)).unwrap().len(), 3);

    let outbox = store.outbox_all("work").unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].id, outbox[0].attempts), (MessageId(4), 2));
    let waiting = DeliveryState::Retrying {
        code: None,
        reason: "no registration".into(),
        retry_at_ms: 1_700_000_060_000,
    };
    assert_eq!(outbox[0].state, waiting);
    let history = store.delivery_history(MessageId(4)).unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(
        history[2].state,
        DeliveryState::Retrying {
            code: Some(503),
            reason: "the server is busy (503 Service Unavailable)".into(),
            retry_at_ms: 1_700_000_033_500
        }
    );
    assert_eq!(outbox[0].from_tag.as_deref(), Some("tag4"));
    assert_eq!(store.outbox_due("work", 1_700_000_060_000, 10).unwrap().len(), 1);

    assert_eq!(store.search("invoice", Some("work"), 10).unwrap().len(), 2);
    let alerts = store.alerts(None, true).unwrap();
    assert_eq!(alerts[0].alert.cap.as_ref().unwrap()["severity"], "Severe");
    assert_eq!(
        store.transfers(None).unwrap()[0].transfer.peer_key.as_deref(),
        Some("sip:bob@example.org")
    );

    // Duplicates are recognised against rows written by the old version.
    let mut again = incoming("work", "sip:bob@example.org", "a84b4c76e66710@pc33", 1, "x", 9);
    assert_eq!(
        store.insert_incoming(&again).unwrap(),
        InsertOutcome::Duplicate(MessageId(1))
    );
    again.call_id = Some("other".into());
    again.remote_message_id = Some("imdn-6".into());
    assert_eq!(
        store.insert_incoming(&again).unwrap(),
        InsertOutcome::Duplicate(MessageId(6))
    );
    let new = store
        .insert_outgoing(&super::test_support::outgoing("work", "sip:x@y", "n", 9))
        .unwrap();
    assert!(new > MessageId(6));
}

#[test]
fn a_newer_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let newer = SCHEMA_VERSION + 1;
    {
        // As a future sipchat might leave it: another journal mode, a table
        // we do not know.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE; CREATE TABLE future (x);")
            .unwrap();
        conn.pragma_update(None, "user_version", newer).unwrap();
    }

    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, known, .. } if found == newer && known == SCHEMA_VERSION)
    );
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains(&format!("schema version {newer}")), "{text}");
    assert!(text.contains("newer sipchat"), "{text}");
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");

    let conn = Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn, Ctx { path: &path }).unwrap(), newer);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete", "the refused file was not touched");
}

#[test]
fn read_only_open_of_an_old_version_asks_for_an_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::NeedsUpgrade { found: 0, .. }), "{err}");
    assert!(err.to_string().contains("upgrad"), "{err}");
}

#[test]
fn a_failing_step_leaves_the_previous_version_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let mut conn = Connection::open(&path).unwrap();
    let ctx = Ctx { path: &path };
    let good = Migration {
        version: 1,
        sql: "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);",
        rewrite: None,
    };
    let bad = Migration {
        version: 2,
        sql: "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (2);",
        rewrite: None,
    };
    assert_eq!(migrate_with(&mut conn, ctx, &[good]).unwrap(), 0);
    let err = migrate_with(&mut conn, ctx, &[good, bad]).unwrap_err();
    assert!(matches!(err, StoreError::Migrate { version: 2, .. }), "{err}");
    assert!(err.to_string().contains("schema version 2"), "{err}");
    assert_eq!(user_version(&conn, ctx).unwrap(), 1);
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'b'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(tables, 0, "the failed step was rolled back");
    // Applying the steps again is a no-op for those already done.
    assert_eq!(migrate_with(&mut conn, ctx, &[good]).unwrap(), 1);
}

#[test]
fn version_2_transfers_get_their_peer_from_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v2.sql"));
    let store = Store::open(&path).unwrap();
    let transfers = store.transfers(None).unwrap();
    assert_eq!(transfers.len(), 1);
    let t = &transfers[0].transfer;
    assert_eq!(t.peer, t.peer_key);
    assert!(t.peer.is_some());
    assert_eq!(t.resume_bytes, None);
    assert!(store.interrupted_transfers(None).unwrap().is_empty());
}

#[test]
fn version_3_fixture_keeps_an_interrupted_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v3.sql"));
    let store = Store::open(&path).unwrap();
    let found = store.interrupted_transfers(Some("work")).unwrap();
    assert_eq!(found.len(), 1);
    let t = &found[0].transfer;
    assert_eq!(t.file_name, "report.pdf");
    assert_eq!(t.peer.as_deref(), Some("sip:erin@example.org"));
    assert_eq!(t.resume_bytes, Some(4_194_304));
    assert_eq!(
        t.part_path.as_deref(),
        Some("/home/alice/Downloads/.sipchat-77.part")
    );
}

#[test]
fn version_4_rows_without_a_from_tag_still_find_their_resends() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v4.sql"));
    let mut store = Store::open(&path).unwrap();
    // Message 1 of the fixture (Call-ID a84b4c76e66710@pc33, CSeq 1) was
    // stored before tags were kept: a resend with any tag is that message.
    let mut resend = incoming(
        "work",
        "sip:bob@example.org",
        "a84b4c76e66710@pc33",
        1,
        "again",
        9,
    );
    resend.from_tag = Some("bobs-tag".into());
    assert_eq!(
        store.insert_incoming(&resend).unwrap(),
        InsertOutcome::Duplicate(MessageId(1))
    );
}

#[test]
fn version_5_fixture_keeps_the_from_tag_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v5.sql"));
    let mut store = Store::open(&path).unwrap();
    let mut resend = incoming("work", "sip:bob@example.org", "tagged@pc33", 3, "again", 9);
    resend.from_tag = Some("bobtag".into());
    assert_eq!(
        store.insert_incoming(&resend).unwrap(),
        InsertOutcome::Duplicate(MessageId(7))
    );
    resend.from_tag = Some("someone-else".into());
    assert!(!store.insert_incoming(&resend).unwrap().is_duplicate());
}

/// Counts of the rows a migration must keep.
fn counts(conn: &Connection) -> (i64, i64, i64, i64) {
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    (
        count("messages"),
        count("delivery_history"),
        count("outbox"),
        count("transfers"),
    )
}

#[test]
fn version_6_merges_one_peers_conversations_without_losing_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("split-peers-v5.sql"));
    let (before, conversations_before, unread_before): (_, i64, i64) = {
        let conn = Connection::open(&path).unwrap();
        let unread = conn
            .query_row("SELECT sum(unread) FROM conversations", [], |r| r.get(0))
            .unwrap();
        let conversations = conn
            .query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))
            .unwrap();
        (counts(&conn), conversations, unread)
    };
    assert_eq!(before, (10, 1, 1, 1));
    assert_eq!(conversations_before, 6);

    let store = Store::open(&path).unwrap();
    assert_eq!(
        counts(&store.conn),
        before,
        "no message, history, outbox or transfer lost"
    );
    let list = store.conversations(None).unwrap();
    let keys: Vec<_> = list
        .iter()
        .map(|c| (c.account.as_str(), c.peer_key.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("work", "sip:bob@example.org"),
            ("local", "sip:carol@127.0.0.1"),
            ("local", "sip:bob@127.0.0.1"),
        ]
    );
    assert_eq!(
        list.iter().map(|c| i64::from(c.unread)).sum::<i64>(),
        unread_before
    );
    let bob = &list[2];
    assert_eq!(bob.unread, 6);
    // The newest address bob wrote from (or was written to) is kept for replies.
    assert_eq!(bob.peer_address, "sip:bob@127.0.0.1:5072");
    let messages = store.messages("local", "sip:bob@127.0.0.1", None, 100).unwrap();
    assert_eq!(messages.len(), 7);
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.body == "one chat line, two ports")
            .count(),
        2,
        "a message stored under two ports is kept twice, not dropped"
    );
    let transfers = store.transfers(Some("local")).unwrap();
    assert_eq!(transfers[0].transfer.peer.as_deref(), Some("sip:bob@127.0.0.1"));
    assert_eq!(
        transfers[0].transfer.peer_key.as_deref(),
        Some("sip:bob@127.0.0.1")
    );
    assert_eq!(store.search("fixturemarker", None, 10).unwrap().len(), 1);
    assert_eq!(
        store
            .messages("work", "sip:bob@example.org", None, 10)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn version_8_pending_rows_are_found_and_indexed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v8.sql"));
    {
        // Brought to the current version without opening a store, which
        // would index the pending row.
        let mut conn = Connection::open(&path).unwrap();
        migrate_with(&mut conn, Ctx { path: &path }, MIGRATIONS).unwrap();
    }
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.pending_index_rows().unwrap(), 1);
    let hits = reader.search("pendingmarker", None, 10).unwrap();
    assert_eq!(hits.len(), 1, "a pending row is found before it is indexed");
    assert_eq!(hits[0].peer_key, "sip:bob@127.0.0.1");
    drop(reader);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.pending_index_rows().unwrap(), 0);
    assert_eq!(store.search("pendingmarker", None, 10).unwrap().len(), 1);
    assert_eq!(store.search("version", None, 10).unwrap().len(), 2);
}

#[test]
fn version_9_lists_conversations_by_activity_without_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_from_fixture(dir.path(), &fixture_dir().join("v8.sql"));
    let mut store = Store::open(&path).unwrap();
    let indexes: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'conversations_activity'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0, "no message moves an index entry of its conversation");
    // The oldest conversation becomes the most recent one.
    let oldest = store
        .conversations(None)
        .unwrap()
        .into_iter()
        .min_by_key(|c| c.last_activity)
        .unwrap();
    let newest_at = store
        .conversations(None)
        .unwrap()
        .iter()
        .map(|c| c.last_activity)
        .max()
        .unwrap();
    let mut message = incoming(&oldest.account, &oldest.peer_key, "v9-call", 1, "now", 1);
    message.received_at = newest_at + 1;
    store.insert_incoming(&message).unwrap();
    let listed = store.conversations(None).unwrap();
    assert_eq!(listed[0].peer_key, oldest.peer_key);
    let activity: Vec<i64> = listed.iter().map(|c| c.last_activity).collect();
    let mut sorted = activity.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(activity, sorted, "most recently active first");
}
