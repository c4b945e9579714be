//! Vectors written by hand after RFC 3858 section 5.

use super::*;

fn document(version: u32, state: &str, watchers: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="{version}" state="{state}">
  <watcher-list resource="sip:alice@example.org" package="presence">{watchers}</watcher-list>
</watcherinfo>"#
    )
}

const CAROL_PENDING: &str = r#"<watcher id="w7" event="subscribe" status="pending" display-name="Carol">sip:carol@example.net</watcher>"#;
const BOB_ACTIVE: &str = r#"<watcher id="w1" event="approved" status="active">sip:bob@example.org</watcher>"#;

#[test]
fn reads_watchers_with_their_status() {
    let info =
        WatcherInfo::parse(document(0, "full", &format!("{BOB_ACTIVE}{CAROL_PENDING}")).as_bytes()).unwrap();
    assert_eq!(info.version, 0);
    assert!(info.full);
    assert_eq!(info.watchers.len(), 2);
    let (resource, carol) = &info.watchers[1];
    assert_eq!(resource, "sip:alice@example.org");
    assert_eq!(carol.uri, "sip:carol@example.net");
    assert_eq!(carol.status, WatcherStatus::Pending);
    assert_eq!(carol.display_name.as_deref(), Some("Carol"));
    assert_eq!(carol.event.as_deref(), Some("subscribe"));
}

#[test]
fn a_pending_watcher_is_reported_once_across_full_and_partial_documents() {
    let mut list = WatcherList::default();
    let first = list.apply(
        WatcherInfo::parse(document(0, "full", &format!("{BOB_ACTIVE}{CAROL_PENDING}")).as_bytes()).unwrap(),
    );
    assert_eq!(first.newly_pending.len(), 1);
    let again = list.apply(WatcherInfo::parse(document(1, "partial", CAROL_PENDING).as_bytes()).unwrap());
    assert!(again.newly_pending.is_empty(), "carol was already asked about");
    let stale = list.apply(WatcherInfo::parse(document(1, "partial", CAROL_PENDING).as_bytes()).unwrap());
    assert_eq!(stale, WatcherChanges::default(), "an old version changes nothing");
    let gap = list.apply(WatcherInfo::parse(document(5, "partial", CAROL_PENDING).as_bytes()).unwrap());
    assert!(gap.needs_full);
    assert_eq!(list.pending().count(), 1);
    let refresh = list.apply(WatcherInfo::parse(document(6, "full", BOB_ACTIVE).as_bytes()).unwrap());
    assert!(refresh.newly_pending.is_empty());
    assert_eq!(list.pending().count(), 0, "a full document replaces the list");
}

#[test]
fn malformed_watcher_info_is_a_typed_error() {
    let cases = [
        (document(0, "sometimes", ""), WinfoError::State),
        ("<watcherinfo state='full'/>".to_string(), WinfoError::Version),
        (
            "<presence/>".to_string(),
            WinfoError::NotWatcherInfo("presence".into()),
        ),
        (
            document(0, "full", "<watcher id='x' status='happy'>sip:a@b</watcher>"),
            WinfoError::Watcher("no known status"),
        ),
        (
            document(0, "full", "<watcher id='x' status='active'> </watcher>"),
            WinfoError::Watcher("no URI"),
        ),
        (
            document(
                0,
                "full",
                &"<watcher status='active'>sip:a@b</watcher>".repeat(MAX_WATCHERS + 1),
            ),
            WinfoError::TooMany,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(WatcherInfo::parse(input.as_bytes()), Err(expected), "{input}");
    }
}

#[test]
fn an_id_named_twice_in_one_document_is_read_as_its_last_entry() {
    // Found by the winfo fuzz target: carol pending as w1, then w1 active.
    // Applied twice, the repeat asked about carol again.
    let carol_as_w1 = CAROL_PENDING.replace("w7", "w1");
    let text = document(0, "full", &format!("{carol_as_w1}{BOB_ACTIVE}"));
    let mut list = WatcherList::default();
    let first = list.apply(WatcherInfo::parse(text.as_bytes()).unwrap());
    assert!(first.newly_pending.is_empty(), "w1 ends active: {first:?}");
    let again = list.apply(WatcherInfo::parse(text.as_bytes()).unwrap());
    assert!(
        again.newly_pending.is_empty(),
        "the repeat asked again: {again:?}"
    );
    assert_eq!(list.pending().count(), 0);

    // The other order: w1 ends pending, and is asked about once.
    let text = document(0, "full", &format!("{BOB_ACTIVE}{carol_as_w1}"));
    let mut list = WatcherList::default();
    let first = list.apply(WatcherInfo::parse(text.as_bytes()).unwrap());
    assert_eq!(first.newly_pending.len(), 1);
    assert_eq!(first.newly_pending[0].uri, "sip:carol@example.net");
    let again = list.apply(WatcherInfo::parse(text.as_bytes()).unwrap());
    assert!(
        again.newly_pending.is_empty(),
        "the repeat asked again: {again:?}"
    );
}
