//! Typed addresses: what is accepted, how it shows, and the parser's words
//! for what is not.

use super::Address;

#[test]
fn a_bare_user_at_host_is_read_as_sip() {
    let typed = Address::parse_typed("  bob@example.org ").unwrap();
    assert_eq!(typed.to_string(), "sip:bob@example.org");
    assert_eq!(typed.user(), Some("bob"));
    assert_eq!(
        Address::parse_typed("SIPS:bob@example.org").unwrap().to_string(),
        "sips:bob@example.org"
    );
    assert_eq!(
        Address::parse_typed("sip:bob@127.0.0.1:5063")
            .unwrap()
            .to_string(),
        "sip:bob@127.0.0.1:5063"
    );
}

#[test]
fn a_host_alone_has_no_user() {
    let host = Address::parse("sip:example.org").unwrap();
    assert_eq!(host.user(), None);
    assert_eq!(host.conversation_key(), "sip:example.org");
    assert_eq!(
        Address::parse("sip:Bob@Example.ORG:5060")
            .unwrap()
            .conversation_key(),
        "sip:Bob@example.org"
    );
}

#[test]
fn errors_are_the_parser_s_words() {
    let error = |text: &str| Address::parse_typed(text).unwrap_err().to_string();
    assert_eq!(
        error("mailto:bob@example.org"),
        "\"mailto:bob@example.org\" is not a SIP address (it must start with sip: or sips:)"
    );
    assert_eq!(error("sip:bob@"), "\"sip:bob@\" has no valid host");
    assert_eq!(
        error("sip:bob@host:99999"),
        "\"sip:bob@host:99999\" has an invalid port"
    );
}
