//! Full-text search: results, snippets, and safety with any user text.

use super::search::fts_query;
use super::test_support::{incoming, outgoing};
use super::*;

const BOB: &str = "sip:bob@example.org";
const CAROL: &str = "sip:carol@example.org";

fn sample() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let mut m = incoming("work", BOB, "a", 1, "The invoice for March is attached", 1);
    m.display_name = Some("Bob".into());
    store.insert_incoming(&m).unwrap();
    store
        .insert_outgoing(&outgoing("work", CAROL, "Did you get Bob's INVOICE yet?", 2))
        .unwrap();
    store
        .insert_incoming(&incoming(
            "home",
            CAROL,
            "b",
            1,
            "Dinner at the café, foo bar baz",
            3,
        ))
        .unwrap();
    store
        .insert_incoming(&incoming("work", BOB, "c", 1, "lunch tomorrow? foo or bar", 4))
        .unwrap();
    store
}

#[test]
fn words_are_found_across_conversations_newest_first_with_snippets() {
    let store = sample();
    let hits = store.search("invoice", None, 10).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].peer_key, CAROL);
    assert_eq!(hits[0].direction, Direction::Out);
    assert_eq!(hits[0].snippet, "Did you get Bob's [INVOICE] yet?");
    assert_eq!(hits[1].peer_key, BOB);
    assert_eq!(hits[1].display_name.as_deref(), Some("Bob"));
    assert_eq!(hits[1].snippet, "The [invoice] for March is attached");
    assert_eq!(hits[1].at, 1);
    assert!(hits[0].id > hits[1].id);
}

#[test]
fn every_word_must_match_case_and_accents_ignored() {
    let store = sample();
    assert_eq!(store.search("INVOICE march", None, 10).unwrap().len(), 1);
    assert_eq!(store.search("invoice dinner", None, 10).unwrap().len(), 0);
    let cafe = store.search("cafe", None, 10).unwrap();
    assert_eq!(cafe.len(), 1);
    assert!(cafe[0].snippet.contains("[café]"), "{}", cafe[0].snippet);
}

#[test]
fn search_can_be_limited_to_an_account_and_a_count() {
    let store = sample();
    assert_eq!(store.search("foo", Some("home"), 10).unwrap().len(), 1);
    assert_eq!(store.search("foo", Some("work"), 10).unwrap().len(), 1);
    assert_eq!(store.search("foo", None, 10).unwrap().len(), 2);
    assert_eq!(store.search("foo", None, 1).unwrap().len(), 1);
    assert_eq!(store.search("foo", None, 0).unwrap().len(), 0);
}

#[test]
fn long_bodies_give_short_snippets() {
    let mut store = Store::open_in_memory().unwrap();
    let body = format!("{} needle {}", "word ".repeat(200), "more ".repeat(200));
    store
        .insert_incoming(&incoming("work", BOB, "a", 1, &body, 1))
        .unwrap();
    let hit = &store.search("needle", None, 1).unwrap()[0];
    assert!(hit.snippet.contains("[needle]"));
    assert!(
        hit.snippet.starts_with('…') && hit.snippet.ends_with('…'),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.len() < 120, "{}", hit.snippet);
}

#[test]
fn user_text_is_never_fts_syntax() {
    let store = sample();
    // Treated as the words foo, or, bar: the lunch message has all three.
    let hits = store.search("foo\" OR bar*", None, 10).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0].snippet.contains("[foo] [or] [bar]"),
        "{}",
        hits[0].snippet
    );
    for text in [
        "NEAR(",
        "NEAR(foo bar, 2)",
        "\"",
        "\"\"\"",
        "*",
        "foo*",
        "AND",
        "OR",
        "NOT foo",
        "body:foo",
        "{body}: foo",
        "^foo",
        "(",
        ")",
        "-foo",
        "+",
        "'; DROP TABLE messages; --",
        "foo AND",
        "a\u{0}b",
        "日本語",
        "",
        "   ",
    ] {
        let result = store.search(text, None, 10);
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
    assert_eq!(store.search("body:foo", None, 10).unwrap().len(), 0);
    assert_eq!(store.search("^foo", None, 10).unwrap().len(), 2);
    assert_eq!(
        store
            .search("'; DROP TABLE messages; --", None, 10)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(store.messages("work", BOB, None, 10).unwrap().len(), 2);
}

#[test]
fn queries_are_quoted_phrases_and_bounded() {
    assert_eq!(
        fts_query("foo\" OR bar*").as_deref(),
        Some("\"foo\"\"\" \"OR\" \"bar*\"")
    );
    assert_eq!(fts_query("NEAR(").as_deref(), Some("\"NEAR(\""));
    assert_eq!(fts_query("a\u{0}b\tc").as_deref(), Some("\"a\" \"b\" \"c\""));
    assert_eq!(fts_query("  \" * ( "), None);
    assert_eq!(fts_query(""), None);
    let many = "w ".repeat(MAX_SEARCH_TERMS * 3);
    let query = fts_query(&many).unwrap();
    assert_eq!(query.matches("\"w\"").count(), MAX_SEARCH_TERMS);
    let store = sample();
    assert!(store.search(&many, None, 10).unwrap().is_empty());
}

#[test]
fn the_index_stays_in_step_with_the_messages() {
    let mut store = sample();
    assert_eq!(store.index_pending().unwrap(), 4);
    // Deletes (e.g. a conversation removed by a later feature) and body
    // updates go through the triggers.
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
    assert_eq!(store.search("invoice", Some("work"), 10).unwrap().len(), 1);
    assert_eq!(store.search("rewritten", None, 10).unwrap().len(), 1);
    assert_eq!(store.search("lunch", None, 10).unwrap().len(), 0);
    store
        .conn
        .execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}
