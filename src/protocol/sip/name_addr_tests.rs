use super::*;

#[test]
fn name_addr_forms() {
    let a = NameAddr::parse(r#""Alice \"A\"" <sip:alice@example.org;transport=tcp>;tag=9fx"#).unwrap();
    assert_eq!(a.display_name.as_deref(), Some("Alice \"A\""));
    assert_eq!(a.uri, "sip:alice@example.org;transport=tcp");
    assert_eq!(a.tag(), Some("9fx"));

    let b = NameAddr::parse("sip:bob@example.org;tag=1").unwrap();
    assert_eq!(b.uri, "sip:bob@example.org");
    assert_eq!(b.tag(), Some("1"));

    let c = NameAddr::parse(r#"<sip:a@127.0.0.1:5070;ob>;expires=300;+sip.instance="<urn:uuid:1>""#).unwrap();
    assert_eq!(c.param("expires"), Some("300"));
    assert_eq!(c.param("+sip.instance"), Some("\"<urn:uuid:1>\""));

    let d = NameAddr::parse("Bob <sip:bob@h").unwrap_err();
    assert!(matches!(d, HeaderError::Unterminated(_)));
}

#[test]
fn name_addr_display_round_trip() {
    let mut a = NameAddr::new("sip:x@y");
    a.display_name = Some("X Y".into());
    a.set_param("tag", Some("t1"));
    assert_eq!(a.to_string(), r#""X Y" <sip:x@y>;tag=t1"#);
    assert_eq!(NameAddr::parse(&a.to_string()).unwrap(), a);
}

#[test]
fn via_forms() {
    let v =
        Via::parse("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport=5070;received=198.51.100.2").unwrap();
    assert_eq!(v.transport, "UDP");
    assert_eq!(v.branch(), Some("z9hG4bK1"));
    assert_eq!(v.rport(), Some(5070));
    assert_eq!(v.received(), Some("198.51.100.2"));
    let spaced = Via::parse("SIP / 2.0 / tcp [2001:db8::1];branch=z9hG4bKx").unwrap();
    assert_eq!(spaced.transport, "TCP");
    assert_eq!(spaced.host, "[2001:db8::1]");
    let v6 = Via::parse("SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKx").unwrap();
    assert_eq!(v6.host, "[2001:db8::1]");
    assert_eq!(v6.known_transport(), Some(Transport::Tcp));
    assert!(Via::parse("SIP/3.0/UDP h").is_err());
    assert!(Via::parse("garbage").is_err());
}
