//! Contact addresses: which are accepted, and their keys.

use super::{contact_address_key, AddressProblem};

#[test]
fn sip_sips_and_tel_addresses_have_keys() {
    assert_eq!(
        contact_address_key(" sip:Bob@Example.org:5070 ").unwrap(),
        "sip:Bob@example.org"
    );
    assert_eq!(
        contact_address_key("SIPS:bob@example.org").unwrap(),
        "sips:bob@example.org"
    );
    assert_eq!(contact_address_key("TEL:+15551234").unwrap(), "tel:+15551234");
    assert_eq!(
        contact_address_key("\"Bob\" <sip:bob@127.0.0.1:5071;transport=tcp>").unwrap(),
        "sip:bob@127.0.0.1"
    );
}

#[test]
fn every_bad_address_is_named() {
    assert_eq!(contact_address_key("  "), Err(AddressProblem::Empty));
    assert_eq!(contact_address_key("tel:"), Err(AddressProblem::Empty));
    assert_eq!(
        contact_address_key("bob@example.org"),
        Err(AddressProblem::Scheme)
    );
    assert_eq!(
        contact_address_key("mailto:bob@example.org"),
        Err(AddressProblem::Scheme)
    );
    assert_eq!(contact_address_key("sip:bob@"), Err(AddressProblem::Host));
    assert_eq!(contact_address_key("sip:bob@ho st"), Err(AddressProblem::Host));
    assert!(AddressProblem::Scheme.to_string().contains("sip:, sips: or tel:"));
}
