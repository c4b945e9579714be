//! The full-text index follows the commits: pending rows are searched,
//! indexed later in one pass, survive a crash, and deleting or rewriting
//! them keeps the index sound.

use super::test_support::{incoming, outgoing, temp_store};
use super::*;

const BOB: &str = "sip:bob@example.org";
const CAROL: &str = "sip:carol@example.org";

/// FTS5's own check of the index against the messages.
fn assert_index_sound(store: &Store) {
    store
        .conn
        .execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

/// Rows in the index proper (not counting pending ones).
fn indexed_rows(store: &Store, word: &str) -> i64 {
    store
        .conn
        .query_row(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?1",
            [word],
            |row| row.get(0),
        )
        .unwrap()
}

fn some_messages(store: &mut Store) {
    let mut m = incoming("work", BOB, "a", 1, "The invoice for March is attached", 1);
    m.display_name = Some("Bob".into());
    store.insert_incoming(&m).unwrap();
    store
        .insert_outgoing(&outgoing("work", CAROL, "Did you get Bob's INVOICE yet?", 2))
        .unwrap();
    store
        .insert_incoming_batch(&[
            incoming("home", CAROL, "b", 1, "Dinner at the café, foo bar baz", 3),
            incoming("work", BOB, "c", 1, "lunch tomorrow? foo or bar invoice", 4),
        ])
        .unwrap();
}

#[test]
fn a_stored_message_waits_for_the_index_and_search_finds_it_all_the_same() {
    let mut store = Store::open_in_memory().unwrap();
    some_messages(&mut store);
    assert_eq!(store.pending_index_rows().unwrap(), 4);
    assert_eq!(indexed_rows(&store, "invoice"), 0, "the commits wrote no index");
    let queries = [
        ("invoice", None),
        ("invoice", Some("work")),
        ("cafe foo", None),
        ("foo", Some("home")),
        ("march", None),
        ("nothing", None),
    ];
    let before: Vec<_> = queries
        .iter()
        .map(|(text, account)| store.search(text, *account, 10).unwrap())
        .collect();
    assert_eq!(before[0].len(), 3);
    assert_eq!(before[0][0].snippet, "lunch tomorrow? foo or bar [invoice]");
    assert_eq!(before[3].len(), 1);

    assert_eq!(store.index_pending().unwrap(), 4);
    assert_eq!(store.pending_index_rows().unwrap(), 0);
    assert_eq!(store.index_pending().unwrap(), 0, "nothing left");
    assert_eq!(indexed_rows(&store, "invoice"), 3);
    let after: Vec<_> = queries
        .iter()
        .map(|(text, account)| store.search(text, *account, 10).unwrap())
        .collect();
    assert_eq!(before, after, "pending rows are found as the index finds them");
    assert_index_sound(&store);
}

#[test]
fn a_search_limit_counts_pending_and_indexed_rows_together() {
    let mut store = Store::open_in_memory().unwrap();
    for n in 0..5 {
        store
            .insert_incoming(&incoming("work", BOB, &format!("i{n}"), 1, "limitword", n))
            .unwrap();
    }
    store.index_pending().unwrap();
    for n in 5..10 {
        store
            .insert_incoming(&incoming("work", BOB, &format!("i{n}"), 1, "limitword", n))
            .unwrap();
    }
    let hits = store.search("limitword", None, 7).unwrap();
    let ids: Vec<u64> = hits.iter().map(|hit| hit.id.0).collect();
    assert_eq!(ids, vec![10, 9, 8, 7, 6, 5, 4], "newest first across both");
}

#[test]
fn a_read_only_store_finds_messages_not_indexed_yet() {
    let (_dir, path, mut store) = temp_store();
    some_messages(&mut store);
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.pending_index_rows().unwrap(), 4);
    assert_eq!(reader.search("invoice", None, 10).unwrap().len(), 3);
    assert_eq!(reader.search("invoice", Some("home"), 10).unwrap().len(), 0);
    assert_eq!(reader.pending_index_rows().unwrap(), 4, "a search writes nothing");
}

#[test]
fn rows_a_crash_left_pending_are_indexed_when_the_store_opens_again() {
    let (_dir, path, mut store) = temp_store();
    store
        .insert_incoming(&incoming("work", BOB, "k1", 1, "survivor word", 1))
        .unwrap();
    // The process ends between the commit and the indexing pass.
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.pending_index_rows().unwrap(), 0);
    assert_eq!(indexed_rows(&reopened, "survivor"), 1);
    assert_eq!(reopened.search("survivor", None, 10).unwrap().len(), 1);
    assert_index_sound(&reopened);
}

#[test]
fn deleting_or_rewriting_a_pending_message_keeps_the_index_sound() {
    let mut store = Store::open_in_memory().unwrap();
    some_messages(&mut store);
    store
        .conn
        .execute(
            "UPDATE messages SET body = 'rewritten text' WHERE call_id = 'a'",
            [],
        )
        .unwrap();
    store
        .conn
        .execute("DELETE FROM messages WHERE call_id = 'c'", [])
        .unwrap();
    assert_eq!(store.pending_index_rows().unwrap(), 3);
    assert_eq!(store.search("rewritten", None, 10).unwrap().len(), 1);
    assert_eq!(store.search("lunch", None, 10).unwrap().len(), 0);
    assert_eq!(store.index_pending().unwrap(), 3);
    assert_eq!(store.search("rewritten", None, 10).unwrap().len(), 1);
    assert_eq!(store.search("march", None, 10).unwrap().len(), 0);
    assert_eq!(store.search("invoice", None, 10).unwrap().len(), 1);
    assert_index_sound(&store);
}

#[test]
fn indexing_goes_in_bounded_passes() {
    let mut store = Store::open_in_memory().unwrap();
    let batch: Vec<NewIncoming> = (0..MAX_INDEX_BATCH + 10)
        .map(|n| {
            incoming(
                "work",
                BOB,
                &format!("p{n}"),
                1,
                &format!("password {n}"),
                n as i64,
            )
        })
        .collect();
    store.insert_incoming_batch(&batch).unwrap();
    assert_eq!(store.index_pending().unwrap(), MAX_INDEX_BATCH);
    assert_eq!(store.pending_index_rows().unwrap(), 10);
    assert_eq!(
        store.search("password", None, MAX_SEARCH_RESULTS).unwrap().len(),
        MAX_SEARCH_RESULTS
    );
    assert_eq!(store.index_pending().unwrap(), 10);
    assert_eq!(store.index_pending().unwrap(), 0);
    assert_eq!(indexed_rows(&store, "password"), (MAX_INDEX_BATCH + 10) as i64);
    assert_index_sound(&store);
}
