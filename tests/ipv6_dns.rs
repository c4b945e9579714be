//! An IPv6-only provider found in DNS (issue #19, RFC 3263): the domain
//! `sipchat.test` has only an AAAA record (`::1`) and SRV records pointing
//! at it, served by a real dnsmasq named through `SIPCHAT_DNS_SERVER`; a
//! real Kamailio listens on `[::1]`. Bob has no proxy (SRV `_sip._udp`,
//! then AAAA), alice a proxy with an explicit port over TCP (AAAA only);
//! both register and exchange a MESSAGE.
//!
//! One test in its own process, because the environment is process-wide.
//! Skipped without `::1`, dnsmasq or Kamailio (unless they are required,
//! see the support modules).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dnsmasq.rs"]
mod dnsmasq;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::DeliveryState;
use sipchat::runtime::RuntimeOptions;
use sipchat::transport::dns::DNS_SERVER_ENV;
use support::{config, Running};

fn user(name: &str, proxy: Option<String>) -> Running {
    let proxy = proxy.map(|p| format!("proxy: \"{p}\",")).unwrap_or_default();
    let ron = format!(
        r#"(
    accounts: [(
        name: "{name}",
        uri: "sip:{name}@{domain}",
        password: "{password}",
        {proxy}
        expires: 300,
    )],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        password = kamailio::password(name).unwrap(),
    );
    let mut running = Running::start(config(&ron), RuntimeOptions::default());
    running.wait_registered(name);
    running
}

#[test]
fn a_provider_with_only_aaaa_records() {
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no ::1");
        return;
    }
    let Some(binary) = dnsmasq::find_dnsmasq() else {
        assert!(
            !dnsmasq::required(),
            "dnsmasq is required but not installed (apt-get install dnsmasq-base)"
        );
        eprintln!("skipped: dnsmasq not installed");
        return;
    };
    let Some(kam) = Kamailio::start_ipv6_or_skip() else {
        return;
    };
    let udp_srv = format!(
        "--srv-host=_sip._udp.{domain},{domain},{port},0,1",
        domain = kamailio::DOMAIN,
        port = kam.udp_port
    );
    let aaaa_only = format!("--host-record={},::1", kamailio::DOMAIN);
    let zone = format!("--local=/{}/", kamailio::DOMAIN);
    let server = dnsmasq::start(&binary, &[&udp_srv, &aaaa_only, &zone]);
    std::env::set_var(DNS_SERVER_ENV, server.addr.to_string());

    let mut bob = user("bob", None);
    let alice_proxy = format!("sip:{}:{};transport=tcp", kamailio::DOMAIN, kam.tcp_port);
    let mut alice = user("alice", Some(alice_proxy));
    let id = alice.send("alice", &kam.aor("bob"), "found you in the AAAA records");
    assert_eq!(
        alice.wait_delivery(id),
        DeliveryState::Accepted,
        "log:\n{}",
        kam.log()
    );
    bob.wait_message("found you in the AAAA records");
    let id = bob.send("bob", &kam.aor("alice"), "and over SRV too");
    assert_eq!(
        bob.wait_delivery(id),
        DeliveryState::Accepted,
        "log:\n{}",
        kam.log()
    );
    alice.wait_message("and over SRV too");
    drop((alice, bob));
    std::env::remove_var(DNS_SERVER_ENV);
}
