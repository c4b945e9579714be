//! RFC 3263 server location against a real DNS server: dnsmasq, started by
//! the test on a free loopback port with SRV and address records, and named
//! to `locate` through `SIPCHAT_DNS_SERVER`.
//!
//! Needs the `dnsmasq` binary (Debian package `dnsmasq-base`). Without it the
//! test is skipped, unless `CI` or `SIPCHAT_REQUIRE_DNSMASQ` is set
//! (`tests/support/dnsmasq.rs`).
//! Everything runs in one test because the environment is process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dnsmasq.rs"]
mod dnsmasq;

use dnsmasq::{find_dnsmasq, required, start};
use sipchat::protocol::sip::uri::Transport;
use sipchat::transport::dns::{self, DnsError, Located, DNS_SERVER_ENV};
use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// The records served. Only loopback addresses.
const RECORDS: &[&str] = &[
    // TCP: two priorities, given in the "wrong" order.
    "--srv-host=_sip._tcp.sipchat.test,proxy-b.sipchat.test,5071,20,1",
    "--srv-host=_sip._tcp.sipchat.test,proxy-a.sipchat.test,5070,10,1",
    // TLS: explicitly not offered.
    "--srv-host=_sips._tcp.sipchat.test",
    // UDP: an SRV target with no address.
    "--srv-host=_sip._udp.broken.sipchat.test,ghost.sipchat.test,5060,0,0",
    // Equal priority, for the weighted selection.
    "--srv-host=_sip._udp.weighted.sipchat.test,proxy-a.sipchat.test,5072,0,1",
    "--srv-host=_sip._udp.weighted.sipchat.test,proxy-b.sipchat.test,5073,0,1",
    "--host-record=proxy-a.sipchat.test,127.0.0.1,::1",
    "--host-record=proxy-b.sipchat.test,127.0.0.2",
    "--host-record=sipchat.test,127.0.0.3",
    "--host-record=broken.sipchat.test,127.0.0.4",
    // An IPv6-only server: AAAA and no A.
    "--host-record=v6only.sipchat.test,::1",
    // Answer NXDOMAIN/NODATA for anything else in the zone (no upstream).
    "--local=/sipchat.test/",
];

fn addrs(located: &[Located]) -> Vec<String> {
    located
        .iter()
        .map(|l| format!("{} {}", l.target, l.addr))
        .collect()
}

#[tokio::test]
async fn locate_against_dnsmasq() {
    let Some(binary) = find_dnsmasq() else {
        assert!(
            !required(),
            "dnsmasq is required (CI or SIPCHAT_REQUIRE_DNSMASQ set) but not installed; apt-get install dnsmasq-base"
        );
        eprintln!("skipping: dnsmasq not installed (apt-get install dnsmasq-base)");
        return;
    };
    let server = start(&binary, RECORDS);
    std::env::set_var(DNS_SERVER_ENV, server.addr.to_string());

    // SRV: ordered by priority, SRV ports, IPv4 before IPv6 for one target.
    for host in ["sipchat.test", "sipchat.test.", "SIPCHAT.test"] {
        let got = dns::locate(host, None, Transport::Tcp).await.unwrap();
        assert_eq!(
            addrs(&got),
            [
                "proxy-a.sipchat.test 127.0.0.1:5070",
                "proxy-a.sipchat.test [::1]:5070",
                "proxy-b.sipchat.test 127.0.0.2:5071",
            ],
            "{host}"
        );
    }

    // No SRV records for UDP: the host's A record with the default port.
    let got = dns::locate("sipchat.test", None, Transport::Udp).await.unwrap();
    assert_eq!(addrs(&got), ["sipchat.test 127.0.0.3:5060"]);

    // "." target: the domain says it does not offer SIP over TLS.
    let err = dns::locate("sipchat.test", None, Transport::Tls)
        .await
        .unwrap_err();
    assert!(matches!(err, DnsError::NotOffered { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "sipchat.test does not offer SIP over TLS (SRV target \".\")"
    );

    // An explicit port bypasses SRV.
    let got = dns::locate("sipchat.test", Some(5999), Transport::Tcp)
        .await
        .unwrap();
    assert_eq!(addrs(&got), ["sipchat.test 127.0.0.3:5999"]);
    let got = dns::locate("proxy-a.sipchat.test.", Some(5999), Transport::Tls)
        .await
        .unwrap();
    assert_eq!(
        addrs(&got),
        [
            "proxy-a.sipchat.test 127.0.0.1:5999",
            "proxy-a.sipchat.test [::1]:5999"
        ]
    );

    // An IPv6-only server (AAAA, no A) is found by its AAAA record.
    let got = dns::locate("v6only.sipchat.test", None, Transport::Udp)
        .await
        .unwrap();
    assert_eq!(addrs(&got), ["v6only.sipchat.test [::1]:5060"]);

    // Nothing at all.
    let err = dns::locate("nothing.sipchat.test", None, Transport::Udp)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no SIP server found for nothing.sipchat.test (no SRV records and no address)"
    );
    let err = dns::locate("nothing.sipchat.test", Some(5060), Transport::Udp)
        .await
        .unwrap_err();
    assert!(matches!(err, DnsError::NoAddress { .. }), "{err:?}");

    // SRV records whose target has no address: not silently the host's A record.
    let err = dns::locate("broken.sipchat.test", None, Transport::Udp)
        .await
        .unwrap_err();
    assert!(matches!(err, DnsError::TargetsUnresolved { .. }), "{err:?}");
    assert!(err.to_string().contains("ghost.sipchat.test"), "{err}");

    // Equal priority: the seed decides, repeatably, and both orders occur.
    let mut firsts = std::collections::BTreeSet::new();
    for seed in 0..16 {
        let a = dns::locate_seeded("weighted.sipchat.test", None, Transport::Udp, seed)
            .await
            .unwrap();
        let b = dns::locate_seeded("weighted.sipchat.test", None, Transport::Udp, seed)
            .await
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 3, "{:?}", addrs(&a));
        firsts.insert(a[0].addr.port());
    }
    assert_eq!(firsts.into_iter().collect::<Vec<_>>(), [5072, 5073]);

    // IP literals and localhost need no DNS server: stop it first.
    let dead = server.addr;
    drop(server);
    std::env::set_var(DNS_SERVER_ENV, dead.to_string());
    let got = dns::locate("127.0.0.5", None, Transport::Tls).await.unwrap();
    assert_eq!(addrs(&got), ["127.0.0.5 127.0.0.5:5061"]);
    let got = dns::locate("[::1]", Some(5070), Transport::Udp).await.unwrap();
    assert_eq!(addrs(&got), ["::1 [::1]:5070"]);
    let got = dns::locate("localhost", None, Transport::Udp).await.unwrap();
    assert_eq!(addrs(&got), ["localhost 127.0.0.1:5060", "localhost [::1]:5060"]);

    // A server that never answers: a timeout error, in bounded time.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    std::env::set_var(DNS_SERVER_ENV, silent.local_addr().unwrap().to_string());
    let started = Instant::now();
    let err = dns::locate("sipchat.test", None, Transport::Udp)
        .await
        .unwrap_err();
    assert!(matches!(err, DnsError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() <= dns::LOCATE_DEADLINE + Duration::from_secs(1));

    std::env::remove_var(DNS_SERVER_ENV);
}
