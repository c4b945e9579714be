//! File transfer between two sipchat runtimes registered at the tests' real
//! Kamailio, with the MSRP session through Kamailio's `msrp` relay module
//! (TCP and TLS): a 5 MiB file arrives intact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::runtime::{Event, FileSendMode, RuntimeOptions};
use support::Running;

fn account(kam: &Kamailio, user: &str, tls: bool) -> String {
    let relay = format!("msrp_relay: \"{}\",", kam.msrp_relay_uri(tls));
    kam.account_config(
        user,
        &kam.proxy_uri("tcp"),
        &format!("{relay}{}", kam.trust_field()),
    )
}

fn through_the_relay(tls: bool) {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let inbox = tempfile::tempdir().unwrap();
    let outdir = tempfile::tempdir().unwrap();
    let mut bob = Running::start(
        support::config(&account(&kam, "bob", tls)),
        RuntimeOptions {
            accept_files: Some(inbox.path().to_path_buf()),
            ..RuntimeOptions::default()
        },
    );
    bob.wait_registered("bob");
    let mut alice = Running::start(
        support::config(&account(&kam, "alice", tls)),
        RuntimeOptions::default(),
    );
    alice.wait_registered("alice");
    bob.timeout = std::time::Duration::from_secs(120);
    alice.timeout = std::time::Duration::from_secs(120);

    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let sha1 = support::sha1_hex(&data);
    let path = outdir.path().join("five.bin");
    std::fs::write(&path, &data).unwrap();
    alice.send_file("alice", &kam.aor("bob"), path, FileSendMode::Session);
    let outcome = |r: &mut Running, who: &str, kam: &Kamailio| {
        r.wait_for(&format!("{who}'s transfer"), |e| match e {
            Event::TransferDone { path, sha1, .. } => Some((path.clone(), sha1.clone())),
            Event::TransferFailed { reason, .. } => {
                panic!("{who}'s transfer failed: {reason}\nKamailio log:\n{}", kam.log())
            }
            _ => None,
        })
    };
    let (_, sent_sha1) = outcome(&mut alice, "alice", &kam);
    assert_eq!(sent_sha1, sha1);
    let (saved, got_sha1) = outcome(&mut bob, "bob", &kam);
    assert_eq!(got_sha1, sha1);
    assert!(std::fs::read(&saved).unwrap() == data, "the saved bytes differ");
    alice.handle.shutdown();
    bob.handle.shutdown();
}

#[test]
fn five_mib_through_the_msrp_relay_over_tcp() {
    through_the_relay(false);
}

#[test]
fn five_mib_through_the_msrp_relay_over_tls() {
    through_the_relay(true);
}
