//! The seed scenario of issue 14: a server sends an emergency alert
//! straight to a phone it never registered (Kamailio's `uac` module, as a
//! PBX does: `MESSAGE` with `From: <sip:Emergency Alert>`, not even a host,
//! and `Subject: Emergency Alert`) to the local peer-to-peer account, which
//! runs `sipchat listen --notify --json`; a notification server on a private
//! D-Bus session bus records what the desktop would show.
//!
//! - from the trusted source address (127.0.0.1, listed in the local
//!   account's `trusted_alert_senders`): an `alert` event and a critical
//!   notification;
//! - the same MESSAGE from a second loopback address (127.0.0.2: Linux
//!   routes all of 127/8 to lo): an ordinary message marked `untrusted`, a
//!   normal notification, no alert.
//!
//! Skips when Kamailio or dbus-daemon is missing (unless required:
//! `SIPCHAT_REQUIRE_KAMAILIO=1`, `SIPCHAT_REQUIRE_DBUS=1`, or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/kamailio.rs"]
mod kamailio;

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dbus::{NotificationServer, PrivateBus};
use kamailio::Kamailio;

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);
/// The alert sender's configuration.
const SENDER_CFG: &str = include_str!("kamailio/alert_sender.cfg");
/// The second loopback address, not trusted.
const OTHER_LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

fn local_config(dir: &Path, port: u16) -> PathBuf {
    let ron = format!(
        r#"(
    accounts: [],
    local: (
        user: "duty",
        bind: "127.0.0.1",
        port: {port},
        trusted_alert_senders: ["127.0.0.1"],
    ),
)"#
    );
    let path = dir.join("duty.ron");
    std::fs::write(&path, ron).unwrap();
    path
}

/// Asks the alert sender to send its alert to `to`.
fn trigger(sender: &Kamailio, ip: Ipv4Addr, to: &str, n: u32) {
    let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = sock.local_addr().unwrap().port();
    let request = format!(
        "OPTIONS sip:alerts@{ip}:{sender_port} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKtrigger{n};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:test@127.0.0.1>;tag=trigger{n}\r\n\
         To: <sip:alerts@{ip}>\r\n\
         Call-ID: trigger-{n}@127.0.0.1\r\n\
         CSeq: 1 OPTIONS\r\n\
         X-Alert-To: {to}\r\n\
         Content-Length: 0\r\n\r\n",
        sender_port = sender.udp_port,
    );
    sock.send_to(request.as_bytes(), SocketAddr::from((ip, sender.udp_port)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let (len, _) = sock
        .recv_from(&mut buf)
        .unwrap_or_else(|e| panic!("the alert sender did not answer: {e}\n{}", sender.log()));
    let answer = String::from_utf8_lossy(&buf[..len]);
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
}

/// Waits until the sender's log says its alert was answered `code`.
fn wait_answered(sender: &Kamailio, ip: Ipv4Addr, code: u16) {
    let line = format!("alert MESSAGE from {ip} answered {code}");
    let deadline = Instant::now() + WAIT;
    while !sender.log().contains(&line) {
        assert!(
            Instant::now() < deadline,
            "no {line:?} in the sender's log:\n{}",
            sender.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_alert_straight_from_a_trusted_address_is_raised_and_from_another_is_a_claim() {
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let Some(trusted) = Kamailio::start_udp_config_or_skip(SENDER_CFG, Ipv4Addr::LOCALHOST) else {
        return;
    };
    let Some(other) = Kamailio::start_udp_config_or_skip(SENDER_CFG, OTHER_LOOPBACK) else {
        return;
    };
    let server = NotificationServer::start(&bus);
    let dir = tempfile::tempdir().unwrap();
    let port = cli::free_port();
    let config = local_config(dir.path(), port);
    let duty = cli::AlertListener::start(&config, &dir.path().join("data"), &bus.address, WAIT);
    assert_eq!(duty.next("listening")["account"], "local");
    let phone = format!("sip:duty@127.0.0.1:{port}");

    // 1. From the trusted address: an alert, critical on the desktop.
    trigger(&trusted, Ipv4Addr::LOCALHOST, &phone, 1);
    let message = duty.next("message");
    assert_eq!(message["alert"], "raised", "{message}");
    assert_eq!(message["subject"], "Emergency Alert", "{message}");
    let alert = duty.next("alert");
    let text = "Emergency call to 112 (Emergency Number), sent by 127.0.0.1";
    assert_eq!(alert["subject"], "Emergency Alert", "{alert}");
    assert_eq!(alert["body"], text, "{alert}");
    let critical = server.wait_for("for the trusted alert", WAIT, |r| r.body.contains(text));
    assert_eq!(critical.urgency, Some(2), "critical: {critical:#?}");
    assert_eq!(critical.expire_timeout, 0, "never expires");
    assert!(
        critical.summary.contains("EMERGENCY ALERT"),
        "{}",
        critical.summary
    );
    wait_answered(&trusted, Ipv4Addr::LOCALHOST, 200);

    // 2. The same MESSAGE from 127.0.0.2: a message marked as a claim.
    trigger(&other, OTHER_LOOPBACK, &phone, 2);
    let claim = duty.next("message");
    assert_eq!(claim["alert"], "untrusted", "{claim}");
    assert_eq!(claim["subject"], "Emergency Alert", "{claim}");
    assert_eq!(
        claim["body"],
        "Emergency call to 112 (Emergency Number), sent by 127.0.0.2"
    );
    let normal = server.wait_for("for the claim", WAIT, |r| {
        r.body.contains("claims to be an alert")
    });
    assert_eq!(normal.urgency, Some(1), "not critical: {normal:#?}");
    assert_ne!(normal.expire_timeout, 0);
    wait_answered(&other, OTHER_LOOPBACK, 200);
    duty.no_alert_for(Duration::from_secs(1));
    let critical_count = server.recorded().iter().filter(|r| r.urgency == Some(2)).count();
    assert_eq!(critical_count, 1, "{:#?}", server.recorded());
}
