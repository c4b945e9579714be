//! The CLI over IPv6 (issue #19): `sipchat send sip:bob@[::1]:PORT` to a
//! real `sipchat listen` whose local account has `bind: "::1"`; the sender
//! uses the default bind (`::`, both families). Skipped when this machine
//! has no `::1`. And the banner of a `listen` on the default bind names an
//! address of each family, and each of them answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;

use cli::{lines_of, next_event, sipchat, Killed};
use std::path::Path;
use std::process::{Command, Stdio};

fn with_dirs(command: &mut Command, config: &Path, data: &Path) {
    command
        .env_remove("SIPCHAT_CONFIG")
        .env_remove("SIPCHAT_DATA_DIR")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data);
}

#[test]
fn send_to_a_listener_on_ipv6_loopback() {
    if std::net::UdpSocket::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no ::1");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bob_config = dir.path().join("bob.ron");
    std::fs::write(&bob_config, r#"(local: (user: "bob", bind: "::1", port: 0))"#).unwrap();
    // Alice keeps the default bind (every network, IPv4 and IPv6).
    let alice_config = dir.path().join("alice.ron");
    std::fs::write(&alice_config, r#"(local: (user: "alice", port: 0))"#).unwrap();

    let mut listen = sipchat();
    with_dirs(&mut listen, &bob_config, &dir.path().join("bob-data"));
    let mut listen = Killed(
        listen
            .args(["listen", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = lines_of(&mut listen.0);
    let listening = next_event(&lines, "listening");
    let address = listening["address"].as_str().unwrap().to_string();
    assert!(address.starts_with("[::1]:"), "bracketed IPv6: {address}");

    let to = format!("sip:bob@{address}");
    let mut send = sipchat();
    with_dirs(&mut send, &alice_config, &dir.path().join("alice-data"));
    let out = send.args(["send", &to, "hello over IPv6"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "accepted by the recipient");
    let message = next_event(&lines, "message");
    assert_eq!(message["body"].as_str().unwrap().trim_end(), "hello over IPv6");
}

/// The addresses of a `[local] listening on A and B` banner.
fn banner_addresses(line: &str) -> Vec<String> {
    let (_, addresses) = line
        .split_once(" listening on ")
        .unwrap_or_else(|| panic!("not a listening banner: {line}"));
    addresses.split(" and ").map(str::to_string).collect()
}

#[test]
fn the_listen_banner_names_both_families_and_both_answer() {
    // A route lookup towards a documentation address (RFC 3849): without an
    // IPv6 route, peers reach us over IPv4 alone, and the banner says so.
    let routed = std::net::UdpSocket::bind("[::]:0").and_then(|s| s.connect("[2001:db8::1]:5060"));
    let routed_v4 = std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect("192.0.2.1:5060"));
    if routed.is_err() || routed_v4.is_err() {
        eprintln!("skipped: this machine lacks an IPv4 or an IPv6 route");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Both keep the default bind (every network, IPv4 and IPv6).
    let bob_config = dir.path().join("bob.ron");
    std::fs::write(&bob_config, r#"(local: (user: "bob", port: 0))"#).unwrap();
    let alice_config = dir.path().join("alice.ron");
    std::fs::write(&alice_config, r#"(local: (user: "alice", port: 0))"#).unwrap();

    // The words a user reads, not the JSON.
    let mut listen = sipchat();
    with_dirs(&mut listen, &bob_config, &dir.path().join("bob-data"));
    let mut listen = Killed(
        listen
            .arg("listen")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = lines_of(&mut listen.0);
    let banner = loop {
        let line = lines
            .recv_timeout(cli::EVENT_TIMEOUT)
            .expect("no listening banner in time");
        if line.contains(" listening on ") {
            break line;
        }
    };
    let addresses = banner_addresses(&banner);
    assert_eq!(addresses.len(), 2, "one address a family: {banner}");
    let v4: std::net::SocketAddr = addresses[0].parse().unwrap();
    let v6: std::net::SocketAddr = addresses[1].parse().unwrap();
    assert!(v4.is_ipv4() && !v4.ip().is_unspecified(), "{banner}");
    assert!(v6.is_ipv6() && !v6.ip().is_unspecified(), "{banner}");
    assert!(addresses[1].starts_with('['), "bracketed IPv6: {banner}");

    for address in &addresses {
        let to = format!("sip:bob@{address}");
        let mut send = sipchat();
        with_dirs(&mut send, &alice_config, &dir.path().join("alice-data"));
        let text = format!("hello to {address}");
        let out = send.args(["send", &to, &text]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "to {to}: exit {:?}: {stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.trim(), "accepted by the recipient", "to {to}");
        let shown = loop {
            let line = lines
                .recv_timeout(cli::EVENT_TIMEOUT)
                .unwrap_or_else(|_| panic!("bob did not print the message sent to {address}"));
            if line.contains("hello to ") {
                break line;
            }
        };
        assert!(shown.ends_with(&text), "{shown}");
    }
}
