//! The CLI over IPv6 (issue #19): `sipchat send sip:bob@[::1]:PORT` to a
//! real `sipchat listen` whose local account has `bind: "::1"`; the sender
//! uses the default bind (`::`, both families). Skipped when this machine
//! has no `::1`.

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
