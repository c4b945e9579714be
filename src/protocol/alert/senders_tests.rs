//! Reading trusted-sender entries and matching source addresses.

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn network(entry: &str) -> Network {
    match TrustedSender::parse(entry).unwrap() {
        TrustedSender::Network(n) => n,
        other => panic!("{entry:?} read as {other:?}"),
    }
}

#[test]
fn uris_stay_uris_and_are_never_matched_by_address() {
    for entry in [
        "sip:alerts@example.org",
        "SIPS:alerts@example.org;transport=tls",
        "sip:127.0.0.1",
    ] {
        assert_eq!(
            TrustedSender::parse(entry).unwrap(),
            TrustedSender::Uri(entry.to_string()),
            "{entry}"
        );
    }
    // A URI naming 127.0.0.1 is a URI entry: it gives no network to match a source with.
    let entries = [TrustedSender::parse("sip:127.0.0.1").unwrap()];
    let networks: Vec<Network> = entries
        .iter()
        .filter_map(|e| match e {
            TrustedSender::Network(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert!(!source_listed(ip("127.0.0.1"), &networks, &[]));
}

#[test]
fn ipv4_networks_include_their_edges_and_nothing_beyond() {
    let net = network("192.0.2.0/24");
    assert!(net.contains(ip("192.0.2.0")));
    assert!(net.contains(ip("192.0.2.255")));
    assert!(!net.contains(ip("192.0.1.255")));
    assert!(!net.contains(ip("192.0.3.0")));
    let loopback = network("127.0.0.0/8");
    assert!(loopback.contains(ip("127.255.255.255")));
    assert!(!loopback.contains(ip("128.0.0.0")));
    let everything = network("0.0.0.0/0");
    assert!(everything.contains(ip("255.255.255.255")));
    assert!(
        !everything.contains(ip("::1")),
        "an IPv4 network holds no IPv6 address"
    );
    let one = network("127.0.0.1/32");
    assert!(one.contains(ip("127.0.0.1")));
    assert!(!one.contains(ip("127.0.0.2")));
    let odd = network("10.0.0.128/25");
    assert!(odd.contains(ip("10.0.0.128")));
    assert!(!odd.contains(ip("10.0.0.127")));
}

#[test]
fn single_addresses_match_only_themselves() {
    let one = network("127.0.0.1");
    assert_eq!(one.to_string(), "127.0.0.1/32");
    assert!(one.contains(ip("127.0.0.1")));
    assert!(!one.contains(ip("127.0.0.2")));
    let six = network("[2001:db8::7]");
    assert!(six.contains(ip("2001:db8::7")));
    assert!(!six.contains(ip("2001:db8::8")));
    assert_eq!(network(" 2001:db8::7 "), six);
}

#[test]
fn ipv6_networks_match_by_prefix() {
    let net = network("2001:db8::/32");
    assert!(net.contains(ip("2001:db8::")));
    assert!(net.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
    assert!(!net.contains(ip("2001:db9::")));
    assert!(
        !net.contains(ip("32.1.13.184")),
        "the same bits in IPv4 are not in it"
    );
    let odd = network("fe80::/10");
    assert!(odd.contains(ip("febf::1")));
    assert!(!odd.contains(ip("fec0::1")));
    assert!(network("::/0").contains(ip("::1")));
    assert!(network("::1/128").contains(ip("::1")));
}

#[test]
fn v4_mapped_ipv6_is_the_ipv4_address() {
    // A source seen on a dual-stack socket.
    assert!(network("127.0.0.1").contains(ip("::ffff:127.0.0.1")));
    assert!(network("127.0.0.0/8").contains(ip("::ffff:127.9.9.9")));
    assert!(!network("127.0.0.0/8").contains(ip("::ffff:10.0.0.1")));
    // An entry written mapped.
    assert_eq!(network("::ffff:127.0.0.1"), network("127.0.0.1"));
    assert_eq!(network("::ffff:10.0.0.0/104"), network("10.0.0.0/8"));
    assert!(network("::ffff:10.0.0.0/104").contains(ip("10.1.2.3")));
    // Resolved host addresses compare the same way.
    assert!(source_listed(ip("::ffff:192.0.2.7"), &[], &[ip("192.0.2.7")]));
    assert!(source_listed(ip("192.0.2.7"), &[], &[ip("::ffff:192.0.2.7")]));
    assert!(!source_listed(ip("192.0.2.8"), &[], &[ip("192.0.2.7")]));
}

#[test]
fn host_names_are_kept_in_lower_case() {
    assert_eq!(
        TrustedSender::parse("Alerts.Example.ORG.").unwrap(),
        TrustedSender::Host("alerts.example.org".into())
    );
    assert_eq!(
        TrustedSender::parse("localhost").unwrap(),
        TrustedSender::Host("localhost".into())
    );
    assert_eq!(
        TrustedSender::parse("3com.example").unwrap(),
        TrustedSender::Host("3com.example".into())
    );
    let longest = format!("{}.example", "a".repeat(MAX_LABEL_LEN));
    assert!(matches!(
        TrustedSender::parse(&longest),
        Ok(TrustedSender::Host(_))
    ));
}

#[test]
fn bad_entries_say_what_is_wrong() {
    let error = |entry: &str| TrustedSender::parse(entry).unwrap_err();
    assert_eq!(error(""), SenderError::Empty);
    assert_eq!(error("   "), SenderError::Empty);
    assert_eq!(
        error("10.0.0.1/8"),
        SenderError::HostBits {
            network: "10.0.0.0/8".into()
        }
    );
    assert!(error("10.0.0.1/8")
        .to_string()
        .contains("did you mean 10.0.0.0/8?"));
    assert!(matches!(
        error("10.0.0.0/33"),
        SenderError::Prefix { max: 32, .. }
    ));
    assert!(matches!(error("::/129"), SenderError::Prefix { max: 128, .. }));
    assert!(matches!(error("10.0.0.0/"), SenderError::Prefix { .. }));
    assert!(matches!(error("10.0.0.0/+8"), SenderError::Prefix { .. }));
    assert!(matches!(error("10.0.0.0/999999"), SenderError::Prefix { .. }));
    assert!(matches!(
        error("alerts.example.org/24"),
        SenderError::NetworkAddress { .. }
    ));
    assert_eq!(error("127.0.0.1:5060"), SenderError::Port);
    assert_eq!(error("alerts.example.org:5060"), SenderError::Port);
    assert_eq!(error("[::1]:5060"), SenderError::Port);
    assert_eq!(error("300.1.1.1"), SenderError::BadAddress);
    assert_eq!(error("10.0.0"), SenderError::BadAddress);
    assert_eq!(error("2001:db8::zz"), SenderError::BadAddress);
    assert_eq!(error("[::1"), SenderError::BadAddress);
    // The seed scenario's From is not a sender anyone can list.
    assert_eq!(error("Emergency Alert"), SenderError::Unknown);
    assert_eq!(error("-bad.example"), SenderError::Unknown);
    assert_eq!(error("a..example"), SenderError::Unknown);
    assert_eq!(error("alerts@example.org"), SenderError::Unknown);
    let long_label = format!("{}.example", "a".repeat(MAX_LABEL_LEN + 1));
    assert_eq!(error(&long_label), SenderError::Unknown);
    let long_name = ["abcdefgh"; 40].join(".");
    assert!(long_name.len() > MAX_HOST_NAME_LEN);
    assert_eq!(error(&long_name), SenderError::Unknown);
    assert!(matches!(
        error(&"a".repeat(MAX_ENTRY_LEN + 1)),
        SenderError::TooLong { .. }
    ));
}

#[test]
fn a_source_is_listed_by_any_network_or_resolved_address() {
    let networks = [network("192.0.2.0/24"), network("2001:db8::/32")];
    assert!(source_listed(ip("192.0.2.9"), &networks, &[]));
    assert!(source_listed(ip("2001:db8::9"), &networks, &[]));
    assert!(!source_listed(ip("198.51.100.1"), &networks, &[]));
    assert!(source_listed(
        ip("198.51.100.1"),
        &networks,
        &[ip("198.51.100.1")]
    ));
    assert!(!source_listed(ip("127.0.0.1"), &[], &[]));
}
