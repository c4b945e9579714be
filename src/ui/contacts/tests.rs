#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use sipchat::model::ContactDraft;

pub fn contact(id: i64, name: &str, address: &str, favourite: bool) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: name.into(),
            addresses: vec![address.into()],
            favourite,
            groups: vec!["Work".into()],
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

fn names(list: &ContactList) -> Vec<&str> {
    list.shown().iter().map(|c| c.details.name.as_str()).collect()
}

#[test]
fn favourites_come_first_then_names_without_case() {
    let mut list = ContactList::default();
    list.set(vec![
        contact(1, "zoe", "sip:zoe@example.org", false),
        contact(2, "Bob", "sip:bob@example.org", false),
        contact(3, "Mallory", "sip:m@example.org", true),
        contact(4, "alice", "sip:alice@example.org", false),
    ]);
    assert_eq!(names(&list), ["Mallory", "alice", "Bob", "zoe"]);
}

#[test]
fn the_filter_matches_every_word_in_name_address_or_group() {
    let mut list = ContactList::default();
    list.set(vec![
        contact(1, "Bob Smith", "sip:bob@example.org", false),
        contact(2, "Alice", "sip:alice@other.net", false),
    ]);
    list.update(Message::Filter("other".into()));
    assert_eq!(names(&list), ["Alice"]);
    list.update(Message::Filter("SMITH example".into()));
    assert_eq!(names(&list), ["Bob Smith"]);
    list.update(Message::Filter("work bob".into()));
    assert_eq!(names(&list), ["Bob Smith"]);
    list.update(Message::Filter("carol".into()));
    assert!(names(&list).is_empty());
    assert_eq!(
        list.update(Message::Open(ContactId(2))),
        Action::Open(ContactId(2))
    );
}
