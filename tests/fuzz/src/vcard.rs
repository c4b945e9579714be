//! Body of the `vcard_import` fuzz target (the `contacts import` path).
//!
//! Standalone (uses only `sipchat`), so `tests/vcard_vectors.rs` can include
//! it with `#[path]` and run it on stable over the vCard fixtures.

use sipchat::model::contact_address_key;
use sipchat::protocol::vcard::{parse, write, MAX_LISTED_PROBLEMS};

/// Arbitrary bytes (read as `contacts import` reads a file: UTF-8, odd
/// bytes replaced) into the vCard reader, and what it gave into the writer.
///
/// Checked: nothing panics; every contact has a name and at least one
/// address, each a `sip:`, `sips:` or `tel:` address the address book
/// takes; the problems listed stay within their limit; what we write reads
/// back as as many contacts.
pub fn vcard_import(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(imported) = parse(&text) else {
        return;
    };
    assert!(imported.problems.len() <= MAX_LISTED_PROBLEMS);
    assert!(imported.problems.len() <= imported.problem_count);
    for contact in &imported.contacts {
        assert!(
            !contact.name.trim().is_empty(),
            "a contact without a name: {contact:?}"
        );
        assert!(
            !contact.addresses.is_empty(),
            "a contact without an address: {contact:?}"
        );
        for address in &contact.addresses {
            let lower = address.to_ascii_lowercase();
            assert!(
                ["sip:", "sips:", "tel:"].iter().any(|s| lower.starts_with(s)),
                "an address of another scheme: {address:?}"
            );
            // The key may be refused (a host the book does not take); it must not panic.
            let _ = contact_address_key(address);
        }
    }
    if imported.contacts.is_empty() {
        return;
    }
    let written = write(&imported.contacts);
    let again =
        parse(&written).unwrap_or_else(|e| panic!("our own export does not read back ({e}): {written}"));
    assert_eq!(
        again.contacts.len(),
        imported.contacts.len(),
        "our own export reads back as another number of contacts: {written}"
    );
}
