//! Files through Kamailio's msrp relay (its default 32 KiB write queue per
//! connection, `tests/kamailio/nat_relay.cfg`) over a path with a round
//! trip (issue 19): the sender's window grows with what the receiver's
//! partial REPORTs show, so a receiver whose link is slow must still never
//! make the relay queue more than it holds ("write queue full", which
//! drops the receiver's connection).
//!
//! Each test runs in a network namespace of its own (this binary again,
//! under `unshare --net`), where every TCP connection passes a delaying
//! proxy (`tests/support/delay_proxy.rs`) that can also limit the rate from
//! the relay toward each client: the clients' download link (250 kB/s, 2
//! MB/s, and a home line of 8 MB/s). Loopback there carries Ethernet's
//! 1500-byte packets, so the relay's socket buffers grow as on a real
//! path: with loopback's 64 KiB segments Linux gives every socket a send
//! buffer of about 4 MB at once (`ss -tmi`), which would hide any surplus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/delay_proxy.rs"]
mod delay_proxy;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use delay_proxy::{DelayProxy, Isolation, Paths};
use kamailio::Kamailio;
use sipchat::runtime::{Event, RuntimeOptions};
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;
use support::Running;

const RELAY_PROVIDER: &str = include_str!("kamailio/nat_relay.cfg");
/// The round trip between the two clients.
const ROUND_TRIP: Duration = Duration::from_millis(20);
/// How long one file may take (1 MiB at the slow link's rate takes ~4 s).
const TRANSFER_DEADLINE: Duration = Duration::from_secs(300);

fn account(kam: &Kamailio, user: &str) -> sipchat::config::Config {
    support::config(&format!(
        r#"(
    accounts: [(
        name: "{user}",
        uri: "sip:{user}@{domain}",
        password: "{password}",
        proxy: "sip:127.0.0.1:{port};transport=udp",
        expires: 300,
        msrp_relay: "msrp://127.0.0.1:{port};tcp",
    )],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        password = kamailio::password(user).unwrap(),
        port = kam.udp_port,
    ))
}

/// The MTU of the namespace's loopback: Ethernet's.
const ETHERNET_MTU: &str = "1500";

/// In the test's own network namespace: `None` when the test ran in a copy
/// of this binary (its result is asserted) or cannot run here.
fn isolated(name: &str) -> Option<()> {
    match delay_proxy::isolate_test(name) {
        Isolation::Inside => {
            let mtu = std::process::Command::new("ip")
                .args(["link", "set", "lo", "mtu", ETHERNET_MTU])
                .status()
                .unwrap();
            assert!(mtu.success(), "ip link set lo mtu {ETHERNET_MTU}");
            Some(())
        }
        Isolation::Ran(code) => {
            assert_eq!(code, 0, "{name} failed in its network namespace");
            None
        }
        Isolation::Unavailable => {
            assert!(!kamailio::required(), "{name} needs root, unshare, ip and nft");
            None
        }
    }
}

/// Sends each of `files` alice -> bob through the relay, one after the
/// other, checking each arrived whole and the relay never dropped a full
/// queue.
fn files_through_the_relay(kam: &Kamailio, files: &[std::path::PathBuf], inbox: &Path) {
    let mut bob = Running::start(
        account(kam, "bob"),
        RuntimeOptions {
            accept_files: Some(inbox.to_path_buf()),
            ..RuntimeOptions::default()
        },
    );
    bob.wait_registered("bob");
    let mut alice = Running::start(account(kam, "alice"), RuntimeOptions::default());
    alice.wait_registered("alice");
    bob.timeout = TRANSFER_DEADLINE;
    alice.timeout = TRANSFER_DEADLINE;
    for src in files {
        // Events already seen count too: each wait takes this file's name.
        let name = src.file_name().unwrap().to_owned();
        let id = alice.send_file(
            "alice",
            &kam.aor("bob"),
            src.clone(),
            sipchat::runtime::FileSendMode::Session,
        );
        let saved = bob.wait_for("bob's file", |e| match e {
            Event::TransferDone { path, .. } if path.file_name() == Some(&name) => Some(path.clone()),
            Event::TransferFailed { reason, .. } => {
                panic!("receiving failed: {reason}\nKamailio log:\n{}", kam.log())
            }
            _ => None,
        });
        alice.wait_for("alice's end of the transfer", |e| match e {
            Event::TransferDone { transfer, .. } if *transfer == id => Some(()),
            Event::TransferFailed { reason, .. } => panic!("sending failed: {reason}"),
            _ => None,
        });
        assert_eq!(
            std::fs::read(&saved).unwrap(),
            std::fs::read(src).unwrap(),
            "arrived whole"
        );
        let log = kam.log();
        assert!(
            !log.contains("write queue full"),
            "the relay's queue overflowed:\n{log}"
        );
    }
    alice.handle.shutdown();
    bob.handle.shutdown();
}

fn run(name: &str, download: Option<f64>, files: usize, mib: usize) {
    if isolated(name).is_none() {
        return;
    }
    let Some(kam) = Kamailio::start_udp_config_or_skip(RELAY_PROVIDER, Ipv4Addr::LOCALHOST) else {
        return;
    };
    let _proxy = DelayProxy::start(Paths {
        round_trip: ROUND_TRIP,
        relay_ports: vec![kam.udp_port],
        download,
    });
    let work = tempfile::tempdir().unwrap();
    let inbox = work.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let files: Vec<_> = (0..files)
        .map(|n| {
            let path = work.path().join(format!("file-{n}.bin"));
            std::fs::write(&path, support::content(mib * 1024 * 1024, n as u64 + 1)).unwrap();
            path
        })
        .collect();
    files_through_the_relay(&kam, &files, &inbox);
}

#[test]
fn a_receiver_on_a_slow_link_never_overfills_the_relays_queue() {
    // The receiver's download: 250 kB/s, with a small buffer on its link,
    // so what the window lets through waits at the relay.
    run(
        "a_receiver_on_a_slow_link_never_overfills_the_relays_queue",
        Some(250e3),
        1,
        1,
    );
}

#[test]
fn three_files_back_to_back_over_a_round_trip_of_twenty_ms() {
    // A fast link: the window grows, and no file overfills the queue.
    run(
        "three_files_back_to_back_over_a_round_trip_of_twenty_ms",
        None,
        3,
        1,
    );
}

#[test]
fn a_larger_file_on_a_two_megabyte_link_keeps_within_the_relays_queue() {
    // 2 MB/s: the window grows while the link keeps up, and stops where
    // the link is full.
    run(
        "a_larger_file_on_a_two_megabyte_link_keeps_within_the_relays_queue",
        Some(2e6),
        1,
        8,
    );
}

#[test]
fn a_large_file_on_an_eight_megabyte_home_line_keeps_within_the_relays_queue() {
    // A home user's line: 20 ms and 8 MB/s down. The window grows past
    // what the path holds (a quarter more than rate x round trip): the
    // surplus must wait in the relay's socket, never overfill its queue.
    run(
        "a_large_file_on_an_eight_megabyte_home_line_keeps_within_the_relays_queue",
        Some(8e6),
        1,
        16,
    );
}
