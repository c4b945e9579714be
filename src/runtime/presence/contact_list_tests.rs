//! Our contacts on the XCAP server (resource lists), on virtual time.

use super::contact_list::MAX_CONFLICTS_IN_A_ROW;
use super::*;
use crate::model::{ContactDraft, ContactId};
use crate::protocol::xcap::resource_lists::{ResourceLists, SIPCHAT_LIST};

fn settings() -> PresenceSettings {
    PresenceSettings {
        account: AccountId("work".into()),
        aor: "sip:alice@example.org".into(),
        publishes: true,
        saved: SavedPresence::default(),
        seed: 42,
        default_account: true,
        watcher_info: false,
        xcap: true,
        list: None,
    }
}

fn t0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_796_641_500_000,
    }
}

fn contact(id: i64, name: &str, address: &str, account: Option<&str>) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: name.into(),
            addresses: vec![address.into()],
            account: account.map(str::to_string),
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

/// What the feature asked about the contact list.
#[derive(Debug, Default)]
struct Asked {
    reads: usize,
    writes: Vec<(ResourceLists, Option<String>)>,
    added: Vec<ContactDraft>,
    errors: Vec<String>,
}

fn asked(p: &mut Presence) -> Asked {
    let mut out = Asked::default();
    while let Some(effect) = p.poll_effect() {
        match effect {
            PresenceEffect::ReadContactList => out.reads += 1,
            PresenceEffect::WriteContactList { document, if_match } => {
                out.writes
                    .push((ResourceLists::parse(&document).unwrap(), if_match));
            }
            PresenceEffect::AddContacts(drafts) => out.added.extend(drafts),
            PresenceEffect::Emit(Event::Error { message, .. }) => out.errors.push(message),
            _ => {}
        }
    }
    out
}

fn found(document: &str, etag: &str) -> PresenceInput {
    PresenceInput::ContactListRead(Ok(Some(Fetched {
        body: document.as_bytes().to_vec(),
        etag: Some(etag.into()),
    })))
}

/// (uri, display name) of sipchat's list.
fn ours(document: &ResourceLists) -> Vec<(String, Option<String>)> {
    document
        .list(SIPCHAT_LIST)
        .map(|l| {
            l.entries
                .iter()
                .map(|e| (e.uri.clone(), e.display_name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

const SERVER: &str = r#"<?xml version="1.0"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
<list name="sipchat">
<entry uri="sip:bob@example.org"><display-name>Robert on the server</display-name></entry>
<entry uri="sip:dave@example.org"><display-name>Dave</display-name></entry>
</list>
<list name="oma_buddylist"><entry uri="sip:erin@example.org"/></list>
</resource-lists>"#;

#[test]
fn at_start_the_server_list_and_the_book_are_merged_by_address() {
    let now = t0();
    let mut p = Presence::new(settings());
    let book = vec![
        contact(1, "Bob", "sip:bob@Example.org", None),
        contact(2, "Carol", "sip:carol@example.org", Some("work")),
        contact(3, "Frank", "sip:frank@example.org", Some("home")),
    ];
    p.handle(PresenceInput::AddressBook(book.clone()), now);
    assert_eq!(asked(&mut p).reads, 1, "the list is read at start");
    p.handle(found(SERVER, "\"e1\""), now);
    let first = asked(&mut p);
    // Dave and Erin are new here: added for this account, with their names.
    let added: Vec<(&str, &str, Option<&str>)> = first
        .added
        .iter()
        .map(|d| (d.name.as_str(), d.addresses[0].as_str(), d.account.as_deref()))
        .collect();
    assert_eq!(
        added,
        [
            ("Dave", "sip:dave@example.org", Some("work")),
            ("sip:erin@example.org", "sip:erin@example.org", Some("work")),
        ]
    );
    // Carol (not on the server) is written; the book's name wins for Bob;
    // Frank is another account's; the other client's list stays.
    assert_eq!(first.writes.len(), 1);
    let (document, if_match) = &first.writes[0];
    assert_eq!(if_match.as_deref(), Some("\"e1\""));
    assert_eq!(
        ours(document),
        [
            ("sip:bob@Example.org".to_string(), Some("Bob".to_string())),
            ("sip:carol@example.org".to_string(), Some("Carol".to_string())),
            ("sip:dave@example.org".to_string(), Some("Dave".to_string())),
            ("sip:erin@example.org".to_string(), None),
        ]
    );
    assert_eq!(
        document.list("oma_buddylist").unwrap().entries[0].uri,
        "sip:erin@example.org"
    );
    p.handle(PresenceInput::ContactListWritten(Ok(Some("\"e2\"".into()))), now);

    // The added contacts arrive in the book: nothing more to write.
    let mut grown = book.clone();
    grown.push(contact(4, "Dave", "sip:dave@example.org", Some("work")));
    grown.push(contact(
        5,
        "sip:erin@example.org",
        "sip:erin@example.org",
        Some("work"),
    ));
    p.handle(PresenceInput::AddressBook(grown.clone()), now);
    let quiet = asked(&mut p);
    assert!(quiet.writes.is_empty() && quiet.added.is_empty(), "{quiet:?}");

    // A contact removed here is removed from the server, over the last ETag.
    grown.retain(|c| c.id != ContactId(2));
    p.handle(PresenceInput::AddressBook(grown), now);
    let removed = asked(&mut p);
    assert_eq!(removed.writes.len(), 1);
    assert_eq!(removed.writes[0].1.as_deref(), Some("\"e2\""));
    assert!(!ours(&removed.writes[0].0)
        .iter()
        .any(|(uri, _)| uri.contains("carol")));
    assert!(removed.errors.is_empty());
}

#[test]
fn no_document_on_the_server_is_an_empty_one_and_an_empty_book_writes_nothing() {
    let now = t0();
    let mut p = Presence::new(settings());
    p.handle(PresenceInput::AddressBook(Vec::new()), now);
    assert_eq!(asked(&mut p).reads, 1);
    p.handle(PresenceInput::ContactListRead(Ok(None)), now);
    let nothing = asked(&mut p);
    assert!(
        nothing.writes.is_empty() && nothing.added.is_empty(),
        "{nothing:?}"
    );
    // The first contact is written, with no If-Match.
    let book = vec![contact(1, "Bob", "sip:bob@example.org", None)];
    p.handle(PresenceInput::AddressBook(book), now);
    let first = asked(&mut p);
    assert_eq!(first.writes.len(), 1);
    assert_eq!(first.writes[0].1, None);
    assert_eq!(ours(&first.writes[0].0).len(), 1);
}

#[test]
fn a_changed_document_is_read_merged_and_written_again() {
    let now = t0();
    let mut p = Presence::new(settings());
    let book = vec![contact(1, "Bob", "sip:bob@example.org", None)];
    p.handle(PresenceInput::AddressBook(book.clone()), now);
    p.handle(PresenceInput::ContactListRead(Ok(None)), now);
    assert_eq!(asked(&mut p).writes.len(), 1);
    // Another device wrote in between: 412, read again.
    p.handle(PresenceInput::ContactListWritten(Err(XcapError::Changed)), now);
    let again = asked(&mut p);
    assert_eq!(again.reads, 1);
    assert!(again.errors.is_empty());
    let other = r#"<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="sipchat"><entry uri="sip:gina@example.org"><display-name>Gina</display-name></entry></list></resource-lists>"#;
    p.handle(found(other, "\"o1\""), now);
    let merged = asked(&mut p);
    assert_eq!(merged.added.len(), 1);
    assert_eq!(merged.added[0].name, "Gina");
    assert_eq!(merged.writes.len(), 1);
    assert_eq!(merged.writes[0].1.as_deref(), Some("\"o1\""));
    let uris: Vec<String> = ours(&merged.writes[0].0).into_iter().map(|(u, _)| u).collect();
    assert_eq!(uris, ["sip:bob@example.org", "sip:gina@example.org"]);

    // A server that always says 412: after a few rounds, a backoff in words.
    for _ in 1..MAX_CONFLICTS_IN_A_ROW {
        p.handle(PresenceInput::ContactListWritten(Err(XcapError::Changed)), now);
        assert_eq!(asked(&mut p).reads, 1);
        p.handle(found(other, "\"o2\""), now);
        assert_eq!(asked(&mut p).writes.len(), 1);
    }
    p.handle(PresenceInput::ContactListWritten(Err(XcapError::Changed)), now);
    let gave_up = asked(&mut p);
    assert_eq!(gave_up.reads, 0);
    assert_eq!(gave_up.errors.len(), 1, "{gave_up:?}");
    assert!(p.poll_timeout().is_some());
}

#[test]
fn an_unreachable_server_is_said_in_words_retried_later_and_loses_nothing() {
    let now = t0();
    let mut p = Presence::new(settings());
    let book = vec![contact(1, "Bob", "sip:bob@example.org", None)];
    p.handle(PresenceInput::AddressBook(book.clone()), now);
    assert_eq!(asked(&mut p).reads, 1);
    p.handle(
        PresenceInput::ContactListRead(Err(XcapError::Unreachable("127.0.0.1:9: refused".into()))),
        now,
    );
    let failed = asked(&mut p);
    assert_eq!(failed.errors.len(), 1);
    assert!(
        failed.errors[0].starts_with(
            "could not keep your contacts on the server: could not reach the XCAP server at 127.0.0.1:9: refused; trying again in "
        ),
        "{}",
        failed.errors[0]
    );
    assert!(failed.added.is_empty() && failed.writes.is_empty());
    // A change meanwhile waits for the read; nothing is asked before the retry.
    let mut grown = book.clone();
    grown.push(contact(2, "Carol", "sip:carol@example.org", None));
    p.handle(PresenceInput::AddressBook(grown), now);
    assert_eq!(asked(&mut p).reads, 0);
    let due = p.poll_timeout().unwrap();
    assert!(due >= now.at + RETRY_BASE.mul_f64(0.8), "{:?}", due - now.at);
    p.handle_timeout(now.after(due - now.at));
    assert_eq!(asked(&mut p).reads, 1);
    p.handle(PresenceInput::ContactListRead(Ok(None)), now);
    let written = asked(&mut p);
    assert_eq!(written.writes.len(), 1);
    assert_eq!(
        ours(&written.writes[0].0).len(),
        2,
        "both contacts reach the server"
    );

    // A document that cannot be read is said in words and written anew.
    let mut q = Presence::new(settings());
    q.handle(PresenceInput::AddressBook(book), now);
    let _ = asked(&mut q);
    q.handle(found("<html>oops</html>", "\"x\""), now);
    let anew = asked(&mut q);
    assert_eq!(anew.errors.len(), 1);
    assert!(anew.errors[0].contains("is written anew"), "{}", anew.errors[0]);
    assert_eq!(anew.writes.len(), 1);
    assert_eq!(anew.writes[0].1.as_deref(), Some("\"x\""));
}

#[test]
fn without_an_xcap_root_nothing_is_read() {
    let now = t0();
    let mut p = Presence::new(PresenceSettings {
        xcap: false,
        ..settings()
    });
    p.handle(
        PresenceInput::AddressBook(vec![contact(1, "Bob", "sip:bob@example.org", None)]),
        now,
    );
    let none = asked(&mut p);
    assert_eq!(none.reads, 0);
    assert!(none.writes.is_empty());
}
