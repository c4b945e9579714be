//! The address book: add, edit, remove, block; conversations name their
//! contact; every mistake is named.

use super::test_support::{incoming, temp_store};
use super::*;
use crate::model::{ContactDraft, ContactId};

fn bob() -> ContactDraft {
    ContactDraft {
        name: "Bob Builder".into(),
        addresses: vec!["sip:bob@127.0.0.1:5071".into(), "tel:+15551234".into()],
        groups: vec!["work".into(), " work ".into()],
        ..ContactDraft::default()
    }
}

#[test]
fn a_contact_is_stored_read_changed_and_removed() {
    let (_dir, _path, mut store) = temp_store();
    let id = store.add_contact(&bob(), 10).unwrap();
    let read = store.contact(id).unwrap().unwrap();
    assert_eq!(read.details.name, "Bob Builder");
    assert_eq!(
        read.details.addresses,
        ["sip:bob@127.0.0.1:5071", "tel:+15551234"]
    );
    assert_eq!(read.details.groups, ["work"]);
    assert_eq!(read.updated_at, 10);
    // Found by any port of the same address of record.
    let found = store
        .contact_by_address("sip:bob@127.0.0.1:5099;transport=tcp")
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(id));

    let mut changed = read.details.clone();
    changed.name = "Bob".into();
    changed.note = Some("  met at FOSDEM ".into());
    changed.favourite = true;
    store.update_contact(id, &changed, 20).unwrap();
    let read = store.contact(id).unwrap().unwrap();
    assert_eq!(read.details.name, "Bob");
    assert_eq!(read.details.note.as_deref(), Some("met at FOSDEM"));
    assert!(read.details.favourite);

    store.remove_contact(id).unwrap();
    assert!(store.contacts().unwrap().is_empty());
    assert!(matches!(
        store.remove_contact(id),
        Err(StoreError::NoContact { .. })
    ));
}

#[test]
fn favourites_come_first_then_names_without_case() {
    let (_dir, _path, mut store) = temp_store();
    for (name, address, favourite) in [
        ("zoe", "sip:zoe@x", false),
        ("Anna", "sip:anna@x", false),
        ("Max", "sip:max@x", true),
    ] {
        let draft = ContactDraft {
            name: name.into(),
            addresses: vec![address.into()],
            favourite,
            ..ContactDraft::default()
        };
        store.add_contact(&draft, 1).unwrap();
    }
    let names: Vec<_> = store
        .contacts()
        .unwrap()
        .into_iter()
        .map(|c| c.details.name)
        .collect();
    assert_eq!(names, ["Max", "Anna", "zoe"]);
}

#[test]
fn every_mistake_is_named_and_nothing_is_stored() {
    let (_dir, _path, mut store) = temp_store();
    store.add_contact(&bob(), 1).unwrap();
    let cases: Vec<(ContactDraft, &str)> = vec![
        (
            ContactDraft {
                name: " ".into(),
                ..bob()
            },
            "has no name",
        ),
        (
            ContactDraft {
                addresses: vec![" ".into()],
                ..bob()
            },
            "has no address",
        ),
        (
            ContactDraft {
                name: "Other".into(),
                addresses: vec!["bob@x".into()],
                ..bob()
            },
            "must start with sip:, sips: or tel:",
        ),
        (
            ContactDraft {
                name: "Other".into(),
                addresses: vec!["sip:bob@".into()],
                ..bob()
            },
            "no valid host",
        ),
        (
            ContactDraft {
                name: "Other".into(),
                addresses: vec!["sip:bob@127.0.0.1:6000".into()],
                ..bob()
            },
            "belongs to the contact \"Bob Builder\" already",
        ),
        (
            ContactDraft {
                name: "x".repeat(MAX_CONTACT_NAME_CHARS + 1),
                ..bob()
            },
            "longer than",
        ),
    ];
    for (draft, words) in cases {
        let err = store.add_contact(&draft, 2).unwrap_err();
        assert!(err.to_string().contains(words), "{err} should say {words}");
    }
    assert_eq!(store.contacts().unwrap().len(), 1);
}

#[test]
fn conversations_carry_their_contact_and_title() {
    let (_dir, _path, mut store) = temp_store();
    store
        .insert_incoming(&incoming("local", "sip:bob@127.0.0.1", "c1", 1, "hi", 5))
        .unwrap();
    store
        .insert_incoming(&incoming("local", "sip:eve@127.0.0.1", "c2", 1, "hi", 6))
        .unwrap();
    let id = store.add_contact(&bob(), 7).unwrap();
    let list = store.conversations(None).unwrap();
    let eve = list.iter().find(|c| c.peer_key == "sip:eve@127.0.0.1").unwrap();
    assert_eq!(eve.contact, None, "a stranger has no contact");
    let with_bob = list.iter().find(|c| c.peer_key == "sip:bob@127.0.0.1").unwrap();
    let contact = with_bob.contact.as_ref().unwrap();
    assert_eq!((contact.id, contact.name.as_str()), (id, "Bob Builder"));
    assert_eq!(with_bob.shown_name(), "Bob Builder");

    store
        .rename_conversation("local", "sip:bob@127.0.0.1", Some("Builders"))
        .unwrap();
    let list = store.conversations(None).unwrap();
    let with_bob = list.iter().find(|c| c.peer_key == "sip:bob@127.0.0.1").unwrap();
    assert_eq!(with_bob.shown_name(), "Builders");

    store.delete_conversation("local", "sip:eve@127.0.0.1").unwrap();
    assert_eq!(store.conversations(None).unwrap().len(), 1);
    assert!(store.search("hi", None, 10).unwrap().len() == 1);
    assert!(matches!(
        store.delete_conversation("local", "sip:eve@127.0.0.1"),
        Err(StoreError::NoConversation { .. })
    ));
}

#[test]
fn the_block_list_holds_the_keys_of_blocked_contacts() {
    let (_dir, _path, mut store) = temp_store();
    let id = store.add_contact(&bob(), 1).unwrap();
    assert!(store.blocked_address_keys().unwrap().is_empty());
    store.set_contact_blocked(id, true, 2).unwrap();
    assert_eq!(
        store.blocked_address_keys().unwrap(),
        ["sip:bob@127.0.0.1", "tel:+15551234"]
    );
    store.set_contact_blocked(id, false, 3).unwrap();
    assert!(store.blocked_address_keys().unwrap().is_empty());
    assert!(matches!(
        store.set_contact_blocked(ContactId(99), true, 4),
        Err(StoreError::NoContact { .. })
    ));
}
