//! Conversation keys: one thread per peer, whatever the rewriting.

use super::conversation_key;

fn same(a: &str, b: &str) {
    assert_eq!(conversation_key(a), conversation_key(b), "{a} vs {b}");
}

#[test]
fn scheme_and_host_case_and_default_port_do_not_matter() {
    assert_eq!(
        conversation_key("sip:Bob@Example.ORG:5060"),
        "sip:Bob@example.org"
    );
    same("sip:Bob@Example.ORG:5060", "sip:Bob@example.org");
    same("SIP:Bob@example.org", "sip:Bob@example.org");
    same("sips:alice@example.org:5061", "sips:alice@example.org");
    assert_eq!(
        conversation_key("SIPS:alice@EXAMPLE.org:5061"),
        "sips:alice@example.org"
    );
}

#[test]
fn the_user_part_keeps_its_case() {
    assert_ne!(
        conversation_key("sip:Bob@example.org"),
        conversation_key("sip:bob@example.org")
    );
}

#[test]
fn ports_are_routing_not_identity() {
    // One peer writing from three ports (and two transports) is one person.
    same("sip:bob@127.0.0.1:5071", "sip:bob@127.0.0.1:5072");
    same("sip:bob@127.0.0.1:5073;transport=tcp", "sip:bob@127.0.0.1");
    assert_eq!(
        conversation_key("sip:bob@example.org:5070"),
        "sip:bob@example.org"
    );
    assert_eq!(
        conversation_key("sips:bob@example.org:5060"),
        "sips:bob@example.org"
    );
    // sip: and sips: stay apart (RFC 3261 19.1.4).
    assert_ne!(conversation_key("sip:bob@x"), conversation_key("sips:bob@x"));
    // Other users at the same host stay apart.
    assert_ne!(
        conversation_key("sip:bob@x:5070"),
        conversation_key("sip:carol@x:5070")
    );
}

#[test]
fn unreserved_escapes_are_decoded_others_normalised() {
    same("sip:%62ob@x", "sip:bob@x");
    assert_eq!(conversation_key("sip:%62%6F%62@x"), "sip:bob@x");
    assert_eq!(conversation_key("sip:a%7eb@x"), "sip:a~b@x");
    // Reserved characters stay escaped, with upper-case hex so both
    // spellings match.
    assert_eq!(conversation_key("sip:a%40b@x"), "sip:a%40b@x");
    assert_eq!(conversation_key("sip:a%2fb@x"), "sip:a%2Fb@x");
    same("sip:a%2fb@x", "sip:a%2Fb@x");
}

#[test]
fn parameters_headers_and_passwords_are_dropped() {
    same("sip:bob@example.org;transport=tcp", "sip:bob@example.org");
    same(
        "sip:bob@example.org:5060;transport=udp;lr?Subject=hi",
        "sip:bob@example.org",
    );
    same("sip:bob:secret@example.org", "sip:bob@example.org");
    assert_eq!(
        conversation_key("sip:bob@example.org:5070;transport=tls"),
        "sip:bob@example.org"
    );
    // A telephone-subscriber user part may hold ';' before the '@'.
    assert_eq!(
        conversation_key("sip:+15551234;phone-context=example.com@Gw.Example.com;user=phone"),
        "sip:+15551234;phone-context=example.com@gw.example.com"
    );
}

#[test]
fn name_addr_forms_are_reduced_to_the_uri() {
    same(
        "\"Bob\" <sip:Bob@Example.org:5060;transport=tcp>;tag=abc",
        "sip:Bob@example.org",
    );
    same("<sip:bob@example.org>", "sip:bob@example.org");
}

#[test]
fn hosts_without_user_and_ip_literals() {
    assert_eq!(conversation_key("sip:Example.ORG"), "sip:example.org");
    assert_eq!(conversation_key("sip:bob@192.0.2.7:5060"), "sip:bob@192.0.2.7");
    assert_eq!(
        conversation_key("sip:bob@[2001:DB8::1]:5060"),
        "sip:bob@[2001:db8::1]"
    );
    assert_eq!(
        conversation_key("sip:bob@[2001:db8::1]:5070"),
        "sip:bob@[2001:db8::1]"
    );
    assert_eq!(conversation_key("sip:bob@[2001:db8::1]"), "sip:bob@[2001:db8::1]");
}

#[test]
fn anything_unparsable_is_returned_trimmed() {
    for text in [
        "tel:+15551234",
        "bob",
        "mailto:Bob@Example.org",
        "sip:",
        "sip:bob@",
        "sip:bob@host:notaport",
        "sip:bob@host:99999",
        "sip:b%zzob@x",
        "sip:bob@ho st",
        "sip:bob@[::1",
        "",
    ] {
        assert_eq!(conversation_key(&format!("  {text} \n")), text, "{text:?}");
    }
}
