#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

#[test]
fn parses_endpoint_and_relay_uris() {
    let u = MsrpUri::parse("msrp://atlanta.example.com:7654/jshA7weztas;tcp").unwrap();
    assert!(!u.secure);
    assert_eq!(u.host, "atlanta.example.com");
    assert_eq!(u.port, Some(7654));
    assert_eq!(u.session_id.as_deref(), Some("jshA7weztas"));
    assert_eq!(u.transport, "tcp");
    assert_eq!(u.to_string(), "msrp://atlanta.example.com:7654/jshA7weztas;tcp");

    let r = MsrpUri::parse("msrps://alice@intra.example.com;tcp").unwrap();
    assert!(r.secure);
    assert_eq!(r.user.as_deref(), Some("alice"));
    assert_eq!(r.session_id, None);
    assert_eq!(r.port, None);
    assert_eq!(r.port_or_default(), DEFAULT_MSRP_PORT);
    assert_eq!(r.to_string(), "msrps://alice@intra.example.com;tcp");

    let v6 = MsrpUri::parse("msrp://[2001:db8::1]:2855/abc;tcp;foo=bar").unwrap();
    assert_eq!(v6.host, "[2001:db8::1]");
    assert_eq!(v6.host_for_lookup(), "2001:db8::1");
    assert_eq!(v6.params, vec!["foo=bar".to_string()]);
    assert_eq!(MsrpUri::parse(&v6.to_string()).unwrap(), v6);
}

#[test]
fn refuses_malformed_uris_in_words() {
    for (text, err) in [
        ("sip:alice@example.com", UriError::Scheme),
        ("msrp://host:1/abc", UriError::NoTransport),
        ("msrp://:5/abc;tcp", UriError::NoHost),
        ("msrp://host:0/abc;tcp", UriError::BadPort),
        ("msrp://host:70000/abc;tcp", UriError::BadPort),
        ("msrp://host:12/;tcp", UriError::BadSessionId),
        ("msrp://ho st:12/a;tcp", UriError::BadHost),
        ("msrp://host:12/a b;tcp", UriError::BadSessionId),
        ("msrp://host:12/a;tcp;", UriError::BadParam),
    ] {
        assert_eq!(MsrpUri::parse(text), Err(err.clone()), "{text}");
        assert!(!err.to_string().is_empty());
    }
    let long = format!("msrp://h/{};tcp", "a".repeat(MAX_MSRP_URI_LEN));
    assert!(matches!(MsrpUri::parse(&long), Err(UriError::TooLong(_))));
}

#[test]
fn comparison_follows_rfc_4975_section_6_1() {
    let a = MsrpUri::parse("msrp://Alice.Example.COM:7394/iau39soe2843z;tcp").unwrap();
    let b = MsrpUri::parse("MSRP://alice.example.com:7394/iau39soe2843z;TCP").unwrap();
    assert!(a.matches(&b));
    assert_ne!(a, b, "structural equality keeps case");
    let other_case_session = MsrpUri::parse("msrp://alice.example.com:7394/IAU39soe2843z;tcp").unwrap();
    assert!(!a.matches(&other_case_session), "session-id is case-sensitive");
    let no_port = MsrpUri::parse("msrp://alice.example.com/iau39soe2843z;tcp").unwrap();
    assert!(
        !a.matches(&no_port),
        "an explicit port never matches a missing one"
    );
    let secure = MsrpUri::parse("msrps://alice.example.com:7394/iau39soe2843z;tcp").unwrap();
    assert!(!a.matches(&secure));
    let with_user = MsrpUri::parse("msrp://bob@alice.example.com:7394/iau39soe2843z;tcp").unwrap();
    assert!(a.matches(&with_user), "userinfo is not compared");
    let no_session = MsrpUri::parse("msrp://alice.example.com:7394;tcp").unwrap();
    assert!(!a.matches(&no_session));
}

#[test]
fn ipv6_addresses_compare_by_value() {
    let short = MsrpUri::parse("msrp://[2001:db8::1]:2855/s1;tcp").unwrap();
    let long = MsrpUri::parse("msrp://[2001:DB8:0:0:0:0:0:1]:2855/s1;tcp").unwrap();
    assert!(short.matches(&long));
    let other = MsrpUri::parse("msrp://[2001:db8::2]:2855/s1;tcp").unwrap();
    assert!(!short.matches(&other));
    let mapped = MsrpUri::parse("msrp://[::ffff:192.0.2.1]:2855/s1;tcp").unwrap();
    assert_eq!(mapped.host_for_lookup(), "::ffff:192.0.2.1");
    assert_eq!(mapped.to_string(), "msrp://[::ffff:192.0.2.1]:2855/s1;tcp");
    assert!(
        MsrpUri::parse("msrp://2001:db8::1:2855/s1;tcp").is_err(),
        "IPv6 needs brackets"
    );
}

#[test]
fn paths_parse_and_print() {
    let p = MsrpUri::parse_path("msrps://a.example.com:1;tcp  msrps://b.example.com:2/s1;tcp").unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(
        MsrpUri::format_path(&p),
        "msrps://a.example.com:1;tcp msrps://b.example.com:2/s1;tcp"
    );
    assert!(MsrpUri::parse_path("   ").is_err());
}
