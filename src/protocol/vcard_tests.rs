//! vCard import of hand-written RFC 6350 and vCard 3 files, and the export
//! round trip.

use std::path::Path;

use super::{parse, write, VcardError, MAX_VCARD_FILE_BYTES};
use crate::model::ContactDraft;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vcard")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_vcard_4_file_gives_names_addresses_photo_groups_and_note() {
    let imported = parse(&fixture("rfc6350.vcf")).unwrap();
    assert_eq!(imported.contacts.len(), 2, "{imported:#?}");
    let bob = &imported.contacts[0];
    assert_eq!(bob.name, "Bob Builder");
    assert_eq!(bob.addresses, ["sip:bob@example.org", "tel:+1-555-0100"]);
    assert_eq!(bob.photo.as_deref(), Some("https://example.org/photos/bob.jpg"));
    assert_eq!(bob.groups, ["work", "builders"]);
    assert_eq!(
        bob.note.as_deref(),
        Some("Knows everything about scaffolding, cranes; and more.")
    );
    let kept = bob.extra_vcard_lines.join("\n");
    for property in ["UID:", "N:", "IMPP:xmpp:", "EMAIL:", "BDAY:"] {
        assert!(kept.contains(property), "{property} kept in {kept}");
    }
    let carol = &imported.contacts[1];
    assert_eq!(carol.name, "Carol Ödegaard");
    assert_eq!(carol.addresses, ["sips:carol@secure.example.org"]);
    assert_eq!(carol.note.as_deref(), Some("Writes in UTF-8: ✓ «quotes»"));
    assert_eq!(imported.problem_count, 1);
    assert!(imported.problems[0].contains("\"Nobody Reachable\" has no sip:, sips: or tel: address"));
}

#[test]
fn a_vcard_3_file_of_another_client_imports_too() {
    let imported = parse(&fixture("other-client-v3.vcf")).unwrap();
    assert_eq!(imported.contacts.len(), 2, "{imported:#?}");
    let dieter = &imported.contacts[0];
    assert_eq!(dieter.name, "Dr. Dieter Schmidt");
    assert_eq!(dieter.addresses, ["tel:+49301234567", "sip:dieter@example.de"]);
    assert_eq!(
        dieter.note.as_deref(),
        Some(
            "A very long note that another client folded over more than one line because it is \
             longer than seventy-five octets, with an escaped comma; and a semicolon."
        )
    );
    assert_eq!(dieter.groups, ["Kunden", "Freunde"]);
    let photo = dieter.photo.as_deref().unwrap();
    assert!(
        photo.starts_with("data:") && photo.ends_with(";base64,iVBORw0KGgo="),
        "{photo}"
    );
    let kept = dieter.extra_vcard_lines.join("\n");
    assert!(kept.contains("X-ANOTHER-CLIENT-ID:abc-123"), "{kept}");
    assert!(kept.contains("ORG:"), "{kept}");
    let eve = &imported.contacts[1];
    assert_eq!(
        (eve.name.as_str(), eve.addresses.as_slice()),
        ("Eve LF-Only", &["tel:+15550199".to_string()][..])
    );
}

#[test]
fn export_round_trips_names_addresses_and_kept_properties() {
    let mut contacts = parse(&fixture("other-client-v3.vcf")).unwrap().contacts;
    contacts.extend(parse(&fixture("rfc6350.vcf")).unwrap().contacts);
    contacts[0].account = Some("work".into());
    contacts[0].favourite = true;
    contacts[1].blocked = true;
    let text = write(&contacts);
    assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
    let again = parse(&text).unwrap();
    assert_eq!(again.problem_count, 0, "{again:#?}");
    assert_eq!(again.contacts, contacts, "{text}");
}

#[test]
fn bad_files_are_named() {
    assert_eq!(parse("hello\nworld\n"), Err(VcardError::NoCards));
    assert_eq!(parse(""), Err(VcardError::NoCards));
    let huge = "x".repeat(MAX_VCARD_FILE_BYTES + 1);
    assert!(matches!(parse(&huge), Err(VcardError::TooLarge { .. })));
    // A card cut short never panics.
    let _ = parse("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cut");
    let _ = parse("BEGIN:VCARD\r\nFN;;;=:\r\nEND:VCARD");
    assert!(write(&[ContactDraft::default()]).contains("FN:"));
}
