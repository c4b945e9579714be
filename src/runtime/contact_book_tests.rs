//! Contact changes on a store: each outcome, refusals in words, vCard files.

use std::path::Path;

use super::*;
use crate::model::{ContactPatch, ContactSelector};
use crate::store::NewIncoming;

fn store() -> Store {
    Store::open_in_memory().unwrap()
}

fn draft(name: &str, address: &str) -> ContactDraft {
    ContactDraft {
        name: name.into(),
        addresses: vec![address.into()],
        ..ContactDraft::default()
    }
}

fn by(address: &str) -> ContactSelector {
    ContactSelector::Address(address.into())
}

#[test]
fn add_edit_block_and_remove_by_address() {
    let mut s = store();
    let added = apply(
        &mut s,
        &ContactChange::Add {
            draft: draft("Bob", "sip:bob@example.org"),
        },
        1,
    )
    .unwrap();
    let ContactOutcome::Added { id } = added else {
        panic!("{added:?}")
    };
    let patch = ContactPatch {
        name: Some("Robert".into()),
        account: Some(Some("work".into())),
        ..ContactPatch::default()
    };
    let edited = apply(
        &mut s,
        &ContactChange::Edit {
            contact: by("sip:bob@example.org:5070"),
            patch,
        },
        2,
    )
    .unwrap();
    assert_eq!(edited, ContactOutcome::Changed { id });
    let contact = s.contact(id).unwrap().unwrap();
    assert_eq!(
        (contact.details.name.as_str(), contact.details.account.as_deref()),
        ("Robert", Some("work"))
    );
    apply(
        &mut s,
        &ContactChange::SetBlocked {
            contact: ContactSelector::Id(id),
            blocked: true,
        },
        3,
    )
    .unwrap();
    assert_eq!(s.blocked_address_keys().unwrap(), ["sip:bob@example.org"]);
    assert_eq!(
        apply(
            &mut s,
            &ContactChange::Remove {
                contact: by("sip:bob@example.org")
            },
            4
        )
        .unwrap(),
        ContactOutcome::Removed { id }
    );
    let err = apply(
        &mut s,
        &ContactChange::Remove {
            contact: by("sip:bob@example.org"),
        },
        5,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "no contact has the address sip:bob@example.org");
}

#[test]
fn a_conversations_peer_becomes_a_contact_named_as_shown() {
    let mut s = store();
    s.insert_incoming(&NewIncoming {
        id: None,
        account: "local".into(),
        peer_key: "sip:eve@127.0.0.1".into(),
        peer_address: "sip:eve@127.0.0.1:5071".into(),
        display_name: Some("Eve".into()),
        call_id: Some("c".into()),
        from_tag: None,
        cseq: Some(1),
        remote_message_id: None,
        content_type: "text/plain".into(),
        body: "hi".into(),
        file_ref: None,
        sent_at: None,
        received_at: 1,
    })
    .unwrap();
    let change = ContactChange::AddPeer {
        account: AccountId("local".into()),
        peer_key: "sip:eve@127.0.0.1".into(),
        name: None,
    };
    let ContactOutcome::Added { id } = apply(&mut s, &change, 2).unwrap() else {
        panic!()
    };
    let contact = s.contact(id).unwrap().unwrap();
    assert_eq!(contact.details.name, "Eve");
    assert_eq!(contact.details.account.as_deref(), Some("local"));
    let list = s.conversations(None).unwrap();
    assert_eq!(list[0].contact.as_ref().map(|c| c.id), Some(id));
}

#[test]
fn import_adds_new_cards_and_names_the_ones_it_skips_and_export_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcard/rfc6350.vcf");
    let mut s = store();
    apply(
        &mut s,
        &ContactChange::Add {
            draft: draft("Carol", "sips:carol@secure.example.org"),
        },
        1,
    )
    .unwrap();
    let outcome = apply(
        &mut s,
        &ContactChange::Import {
            path: fixture.clone(),
        },
        2,
    )
    .unwrap();
    let ContactOutcome::Imported { added, skipped } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(added.len(), 1, "bob is new; carol is known");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped
            .iter()
            .any(|s| s.contains("belongs to the contact \"Carol\"")),
        "{skipped:?}"
    );
    let out = dir.path().join("out.vcf");
    let outcome = apply(
        &mut s,
        &ContactChange::Export {
            path: Some(out.clone()),
        },
        3,
    )
    .unwrap();
    assert_eq!(
        outcome,
        ContactOutcome::Exported {
            count: 2,
            vcard: None
        }
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("IMPP:sip:bob@example.org"), "{text}");
    let ContactOutcome::Exported {
        vcard: Some(same), ..
    } = apply(&mut s, &ContactChange::Export { path: None }, 4).unwrap()
    else {
        panic!()
    };
    assert_eq!(same, text);
    let missing = apply(
        &mut s,
        &ContactChange::Import {
            path: dir.path().join("nope.vcf"),
        },
        5,
    )
    .unwrap_err();
    assert!(missing.to_string().starts_with("cannot read"), "{missing}");
}

#[test]
fn a_watcher_decision_is_kept_with_the_contact() {
    let mut s = store();
    let decide = |s: &mut Store, address: &str, allow: bool| {
        let change = ContactChange::DecideWatcher {
            account: Some(AccountId("local".into())),
            address: address.into(),
            allow,
        };
        apply(s, &change, 1).unwrap()
    };
    // A stranger allowed becomes a contact of the watched account.
    let ContactOutcome::Added { id: carol } = decide(&mut s, "sip:carol@127.0.0.1:5071", true) else {
        panic!()
    };
    let found = s.contact(carol).unwrap().unwrap();
    assert_eq!(found.details.account.as_deref(), Some("local"));
    assert!(!found.details.blocked);
    // One blocked is kept as a blocked contact; a contact (any port) is blocked.
    let ContactOutcome::Added { id: mallory } = decide(&mut s, "sip:mallory@127.0.0.1", false) else {
        panic!()
    };
    assert!(s.contact(mallory).unwrap().unwrap().details.blocked);
    assert_eq!(
        decide(&mut s, "sip:carol@127.0.0.1:6000", false),
        ContactOutcome::Changed { id: carol }
    );
    assert!(s.contact(carol).unwrap().unwrap().details.blocked);
    // Allowed again: unblocked, still one contact.
    decide(&mut s, "sip:carol@127.0.0.1", true);
    assert!(!s.contact(carol).unwrap().unwrap().details.blocked);
    assert_eq!(s.contacts().unwrap().len(), 2);
}
