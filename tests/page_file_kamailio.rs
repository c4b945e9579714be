//! Small files inside page-mode MESSAGEs through the tests' real Kamailio:
//! sent as a message on request, and as the automatic fallback when the
//! receiver takes no file sessions (its 488 comes back through Kamailio).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sha1::{Digest, Sha1};
use sipchat::model::AccountId;
use sipchat::runtime::{Command, Event, FileSendMode, RuntimeOptions, TransferVia};
use support::Running;

fn account(kam: &Kamailio, user: &str) -> String {
    format!(
        r#"(accounts: [(name: "{user}", uri: "sip:{user}@{domain}", password: "{password}", proxy: "{proxy}", expires: 300)],
            local: (enabled: false))"#,
        domain = kamailio::DOMAIN,
        password = kamailio::password(user).unwrap(),
        proxy = kam.proxy_uri("tcp"),
    )
}

#[test]
fn page_mode_files_pass_through_kamailio_intact() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let inbox = tempfile::tempdir().unwrap();
    let outdir = tempfile::tempdir().unwrap();
    let mut bob = Running::start(
        support::config(&account(&kam, "bob")),
        RuntimeOptions {
            accept_files: Some(inbox.path().to_path_buf()),
            refuse_sessions: true,
            ..RuntimeOptions::default()
        },
    );
    bob.wait_registered("bob");
    let mut alice = Running::start(
        support::config(&account(&kam, "alice")),
        RuntimeOptions::default(),
    );
    alice.wait_registered("alice");
    for (name, len, mode) in [
        ("asked.bin", 3 * 1024, FileSendMode::PageMode),
        ("fallback.png", 2500, FileSendMode::Auto),
    ] {
        // Binary: NUL, CR, LF and every other byte value.
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
        let sha1: String = Sha1::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
        let path = outdir.path().join(name);
        std::fs::write(&path, &data).unwrap();
        let id = alice.handle.next_transfer_id();
        alice
            .handle
            .send(Command::SendFile {
                id,
                account: AccountId("alice".into()),
                to: kam.aor("bob"),
                path,
                mode,
            })
            .unwrap();
        let (via, note) = alice.wait_for("alice's outcome", |e| match e {
            Event::TransferDone {
                transfer, via, note, ..
            } if *transfer == id => Some((*via, note.clone())),
            Event::TransferFailed { transfer, reason } if *transfer == id => {
                panic!("{name} failed: {reason}\nKamailio log:\n{}", kam.log())
            }
            _ => None,
        });
        assert_eq!(via, TransferVia::PageMode);
        let note = note.unwrap();
        if mode == FileSendMode::Auto {
            assert!(note.contains("does not take file sessions"), "{note}");
        }
        let (saved, got_sha1) = bob.wait_for("bob's file", |e| match e {
            Event::TransferDone {
                path,
                sha1,
                incoming: true,
                ..
            } if path.file_name().is_some_and(|n| n == name) => Some((path.clone(), sha1.clone())),
            Event::TransferFailed { reason, .. } => panic!("bob: {reason}"),
            _ => None,
        });
        assert_eq!(got_sha1, sha1);
        assert!(
            std::fs::read(&saved).unwrap() == data,
            "{name}: the saved bytes differ"
        );
    }
    alice.handle.shutdown();
    bob.handle.shutdown();
}
