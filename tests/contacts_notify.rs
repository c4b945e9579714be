//! A blocked contact never reaches the desktop: `sipchat listen --notify`
//! on a private D-Bus with a recording notification server; the blocked
//! peer's MESSAGE gets 603 and raises nothing, while a stranger's message
//! right after it is notified (so the path works and the silence means
//! something).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/raw_sip.rs"]
mod raw_sip;

use cli::{free_port, lines_of, next_event, sipchat, write_local_config, Killed};
use dbus::{NotificationServer, PrivateBus};
use std::net::UdpSocket;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Longest a test waits for the instance or a notification.
const WAIT: Duration = Duration::from_secs(60);

#[test]
fn a_blocked_contact_gets_603_and_no_notification() {
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let server = NotificationServer::start(&bus);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_local_config(dir.path(), "alice", port);
    let data = dir.path().join("data");
    let mut child = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["listen", "--notify", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let _listen = Killed(child);
    next_event(&lines, "listening");
    let deadline = Instant::now() + WAIT;
    while !data.join("control.sock").exists() {
        assert!(
            Instant::now() < deadline,
            "listen never served its control socket"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let added = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["contacts", "add", "sip:mallory@127.0.0.1", "--name", "Mallory"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let blocked = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["contacts", "block", "sip:mallory@127.0.0.1"])
        .output()
        .unwrap();
    assert!(
        blocked.status.success(),
        "{}",
        String::from_utf8_lossy(&blocked.stderr)
    );

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from = socket.local_addr().unwrap().port();
    let spam = raw_sip::message("UDP", "mallory", from, port, "spam-1", "blocked words");
    assert_eq!(raw_sip::send_udp(&socket, port, &spam), 603);
    let hello = raw_sip::message("UDP", "stranger", from, port, "hello-1", "a stranger says hi");
    assert_eq!(raw_sip::send_udp(&socket, port, &hello), 200);
    server.wait_for("for the stranger's message", WAIT, |n| {
        n.body.contains("a stranger says hi") || n.summary.contains("stranger")
    });
    let recorded = server.recorded();
    assert!(
        recorded
            .iter()
            .all(|n| !n.body.contains("blocked words") && !n.summary.contains("mallory")),
        "the blocked contact was notified: {recorded:#?}"
    );
    let message = next_event(&lines, "message");
    assert_eq!(
        message["body"], "a stranger says hi",
        "the blocked message was never printed"
    );
}
