//! Tests of SRV ordering and of the parts of [`locate`] that need no DNS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::collections::HashMap;

/// Number of seeded runs used to measure the weighted distribution.
const RUNS: u64 = 4000;

fn rec(priority: u16, weight: u16, target: &str) -> SrvRecord {
    SrvRecord {
        priority,
        weight,
        port: 5060,
        target: target.to_string(),
    }
}

fn targets(records: &[SrvRecord]) -> Vec<&str> {
    records.iter().map(|r| r.target.as_str()).collect()
}

/// A generator that replays `values`, then repeats the last one.
fn replay(values: &[u64]) -> impl FnMut() -> u64 + '_ {
    let mut i = 0;
    move || {
        let v = values[i.min(values.len() - 1)];
        i += 1;
        v
    }
}

#[test]
fn empty_input_gives_empty_output() {
    assert!(order_srv(&[], &mut seeded_rng(1)).is_empty());
}

#[test]
fn single_entry_is_kept() {
    let out = order_srv(&[rec(10, 0, "a")], &mut seeded_rng(7));
    assert_eq!(out, vec![rec(10, 0, "a")]);
}

#[test]
fn priorities_are_ascending_whatever_the_seed() {
    let input = [
        rec(30, 5, "c"),
        rec(10, 1, "a"),
        rec(20, 9, "b"),
        rec(65535, 0, "z"),
        rec(0, 3, "first"),
    ];
    for seed in 0..50 {
        let out = order_srv(&input, &mut seeded_rng(seed));
        assert_eq!(targets(&out), ["first", "a", "b", "c", "z"]);
    }
}

#[test]
fn many_priorities_keep_every_record_once() {
    let input: Vec<SrvRecord> = (0..40u16).map(|i| rec(i % 7, i % 3, &format!("t{i}"))).collect();
    let out = order_srv(&input, &mut seeded_rng(42));
    assert_eq!(out.len(), input.len());
    for r in &input {
        assert_eq!(out.iter().filter(|o| *o == r).count(), 1);
    }
    assert!(out.windows(2).all(|w| w[0].priority <= w[1].priority));
}

#[test]
fn running_sum_selection_follows_rfc_2782() {
    // Pool order within the priority: weight 0 first, then as given:
    // z(0) a(1) b(3): running sums 0, 1, 4.
    let input = [rec(1, 1, "a"), rec(1, 3, "b"), rec(1, 0, "z")];
    // pick 2 -> b (first running sum >= 2); then pool z a, sums 0, 1:
    // pick 0 -> z; then a.
    let out = order_srv(&input, &mut replay(&[2, 0, 0]));
    assert_eq!(targets(&out), ["b", "z", "a"]);
    // pick 1 -> a; then z b, sums 0, 3: pick 3 -> b; then z.
    let out = order_srv(&input, &mut replay(&[1, 3, 0]));
    assert_eq!(targets(&out), ["a", "b", "z"]);
}

#[test]
fn all_zero_weights_are_in_name_order() {
    let input = [rec(5, 0, "y"), rec(5, 0, "z"), rec(5, 0, "x")];
    for seed in 0..20 {
        let out = order_srv(&input, &mut seeded_rng(seed));
        assert_eq!(targets(&out), ["x", "y", "z"]);
    }
}

#[test]
fn weight_zero_is_rarely_first_among_weighted() {
    let input = [rec(1, 0, "zero"), rec(1, 50, "heavy")];
    let mut zero_first = 0;
    for seed in 0..RUNS {
        if order_srv(&input, &mut seeded_rng(seed))[0].target == "zero" {
            zero_first += 1;
        }
    }
    // Chosen only when the draw is exactly 0: about 1 in 51.
    assert!(zero_first < RUNS / 20, "zero first {zero_first} times");
}

#[test]
fn weights_shape_the_first_choice() {
    let input = [rec(1, 10, "light"), rec(1, 90, "heavy")];
    let mut first: HashMap<String, u64> = HashMap::new();
    for seed in 0..RUNS {
        let out = order_srv(&input, &mut seeded_rng(seed));
        *first.entry(out[0].target.clone()).or_default() += 1;
    }
    let heavy = first["heavy"];
    // Expected 90%; allow a wide margin.
    assert!(heavy > RUNS * 8 / 10 && heavy < RUNS * 97 / 100, "{first:?}");
}

#[test]
fn input_order_does_not_matter() {
    let mut input: Vec<SrvRecord> = (0..6u16).map(|i| rec(i % 2, i, &format!("t{i}"))).collect();
    let a = order_srv(&input, &mut seeded_rng(5));
    input.reverse();
    let b = order_srv(&input, &mut seeded_rng(5));
    assert_eq!(a, b);
}

#[test]
fn same_seed_same_order() {
    let input: Vec<SrvRecord> = (0..10u16).map(|i| rec(1, i + 1, &format!("t{i}"))).collect();
    let a = order_srv(&input, &mut seeded_rng(99));
    let b = order_srv(&input, &mut seeded_rng(99));
    assert_eq!(a, b);
}

#[test]
fn srv_names_per_transport() {
    assert_eq!(srv_name("example.org", Transport::Udp), "_sip._udp.example.org.");
    assert_eq!(srv_name("example.org.", Transport::Tcp), "_sip._tcp.example.org.");
    assert_eq!(srv_name("example.org", Transport::Tls), "_sips._tcp.example.org.");
}

#[test]
fn hosts_are_normalized() {
    assert_eq!(normalize_host("example.org."), "example.org");
    assert_eq!(normalize_host("[::1]"), "::1");
    assert_eq!(normalize_host(" ::1 "), "::1");
    assert_eq!(normalize_host("localhost"), "localhost");
}

#[test]
fn dns_server_values() {
    assert_eq!(
        parse_server("127.0.0.1:5353").unwrap(),
        "127.0.0.1:5353".parse().unwrap()
    );
    assert_eq!(parse_server("[::1]:5353").unwrap(), "[::1]:5353".parse().unwrap());
    assert_eq!(
        parse_server("127.0.0.1").unwrap(),
        "127.0.0.1:53".parse().unwrap()
    );
    let err = parse_server("dns.example").unwrap_err().to_string();
    assert!(err.contains(DNS_SERVER_ENV), "{err}");
}

#[test]
fn messages_say_what_to_do() {
    let e = DnsError::NotFound {
        host: "example.org".into(),
    };
    assert_eq!(
        e.to_string(),
        "no SIP server found for example.org (no SRV records and no address)"
    );
    let e = DnsError::NotOffered {
        host: "example.org".into(),
        transport: Transport::Tls,
    };
    assert_eq!(
        e.to_string(),
        "example.org does not offer SIP over TLS (SRV target \".\")"
    );
    let e = DnsError::Timeout {
        name: "_sip._udp.example.org.".into(),
    };
    assert!(e.to_string().contains("timed out"));
}

#[tokio::test]
async fn ip_literals_need_no_dns() {
    let cases = [
        ("127.0.0.1", None, Transport::Udp, "127.0.0.1:5060"),
        ("127.0.0.1", Some(5070), Transport::Tcp, "127.0.0.1:5070"),
        ("::1", None, Transport::Tls, "[::1]:5061"),
        ("[::1]", Some(5080), Transport::Udp, "[::1]:5080"),
    ];
    for (host, port, transport, want) in cases {
        let got = locate(host, port, transport).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].addr, want.parse().unwrap(), "{host}");
        assert_eq!(got[0].target, normalize_host(host));
    }
}

#[tokio::test]
async fn empty_host_is_an_error() {
    assert!(matches!(
        locate(" ", None, Transport::Udp).await,
        Err(DnsError::EmptyHost)
    ));
}

#[tokio::test]
async fn localhost_resolves_with_the_system_configuration() {
    // No SRV query leaves the machine for the localhost zone (RFC 6761), and
    // the address comes from the hosts file or the built-in loopback answer.
    if std::env::var_os(DNS_SERVER_ENV).is_some() {
        return;
    }
    for host in ["localhost", "localhost."] {
        let got = locate(host, None, Transport::Tcp).await.unwrap();
        assert!(!got.is_empty());
        assert!(got
            .iter()
            .all(|l| l.addr.ip().is_loopback() && l.addr.port() == 5060));
        assert!(got.iter().all(|l| l.target == "localhost"));
        assert!(got[0].addr.is_ipv4(), "{got:?}");
    }
}

#[test]
fn locate_can_be_spawned() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let future = async { locate("example.org", None, Transport::Udp).await };
    assert_send(&future);
}
