//! File transfer (RFC 5547 push over MSRP) end to end through the runtime
//! API: two runtimes on loopback with their local accounts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, TransferId};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::path::{Path, PathBuf};
use support::{config, content, sha1_hex, Running};

fn local_with(user: &str, port: u16, max_file_size: u64, tls: bool) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, max_file_size: {max_file_size}, msrp: (tls: {tls})))"#
    ))
}

fn local_id() -> AccountId {
    AccountId("local".into())
}

struct Pair {
    alice: Running,
    bob: Running,
    bob_port: u16,
    inbox: tempfile::TempDir,
    outbox: tempfile::TempDir,
}

fn pair(auto_accept: bool, bob_limit: u64) -> Pair {
    pair_with(auto_accept, bob_limit, false)
}

fn pair_with(auto_accept: bool, bob_limit: u64, tls: bool) -> Pair {
    let inbox = tempfile::tempdir().unwrap();
    // Each runtime binds a port of its own choosing (none picked in advance).
    let (alice, _) = Running::start_local(local_with("alice", 0, 1 << 40, tls), RuntimeOptions::default());
    let (bob, pb) = Running::start_local(
        local_with("bob", 0, bob_limit, tls),
        RuntimeOptions {
            accept_files: auto_accept.then(|| inbox.path().to_path_buf()),
            ..RuntimeOptions::default()
        },
    );
    Pair {
        alice,
        bob,
        bob_port: pb,
        inbox,
        outbox: tempfile::tempdir().unwrap(),
    }
}

impl Pair {
    fn send(&mut self, name: &str, data: &[u8]) -> (TransferId, PathBuf) {
        let path = self.outbox.path().join(name);
        std::fs::write(&path, data).unwrap();
        let id = self.alice.handle.next_transfer_id();
        self.alice
            .handle
            .send(Command::SendFile {
                id,
                account: local_id(),
                to: format!("sip:bob@127.0.0.1:{}", self.bob_port),
                path: path.clone(),
                mode: sipchat::runtime::FileSendMode::Session,
            })
            .unwrap();
        (id, path)
    }
}

fn done_or_failed(
    r: &mut Running,
    what: &str,
    transfer: Option<TransferId>,
) -> Result<(PathBuf, u64, String), String> {
    r.wait_for(what, |e| match e {
        Event::TransferDone {
            transfer: t,
            path,
            size,
            sha1,
            ..
        } if transfer.is_none_or(|id| id == *t) => Some(Ok((path.clone(), *size, sha1.clone()))),
        Event::TransferFailed { transfer: t, reason } if transfer.is_none_or(|id| id == *t) => {
            Some(Err(reason.clone()))
        }
        _ => None,
    })
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn roundtrip(len: usize) {
    let mut p = pair(true, 1 << 30);
    let data = content(len, len as u64 + 7);
    let (id, path) = p.send("data.bin", &data);
    let (sent_path, sent_size, sent_sha1) =
        done_or_failed(&mut p.alice, "alice's transfer", Some(id)).unwrap();
    assert_eq!(sent_path, path);
    assert_eq!(sent_size, len as u64);
    assert_eq!(sent_sha1, sha1_hex(&data));
    let (saved, size, sha1) = done_or_failed(&mut p.bob, "bob's transfer", None).unwrap();
    assert_eq!(saved, p.inbox.path().join("data.bin"));
    assert_eq!(size, len as u64);
    assert_eq!(sha1, sha1_hex(&data));
    assert!(std::fs::read(&saved).unwrap() == data, "the saved bytes differ");
    assert_eq!(
        files_in(p.inbox.path()),
        vec!["data.bin".to_string()],
        "no temporary file is left"
    );
    for (who, r) in [("alice", &p.alice), ("bob", &p.bob)] {
        let last = r.seen.iter().rev().find_map(|e| match e {
            Event::TransferProgress { bytes, total, .. } => Some((*bytes, *total)),
            _ => None,
        });
        assert_eq!(
            last,
            Some((len as u64, len as u64)),
            "{who}'s progress ends at the size"
        );
    }
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

#[test]
fn an_empty_file_arrives() {
    roundtrip(0);
}

#[test]
fn a_one_byte_file_arrives() {
    roundtrip(1);
}

#[test]
fn a_ten_mib_file_arrives_with_progress() {
    roundtrip(10 * 1024 * 1024);
}

#[test]
fn a_hostile_name_is_saved_inside_the_directory_without_overwriting() {
    let mut p = pair(true, 1 << 30);
    std::fs::write(p.inbox.path().join("evil.txt"), b"mine").unwrap();
    // On Linux a backslash is an ordinary character in a name, so the
    // sender offers "..\..\evil<ctrl>.txt" as is.
    let (id, _) = p.send("..\\..\\evil\u{1}.txt", b"payload");
    done_or_failed(&mut p.alice, "alice's transfer", Some(id)).unwrap();
    let (saved, _, _) = done_or_failed(&mut p.bob, "bob's transfer", None).unwrap();
    assert_eq!(saved, p.inbox.path().join("evil (1).txt"));
    assert_eq!(std::fs::read(&saved).unwrap(), b"payload");
    assert_eq!(std::fs::read(p.inbox.path().join("evil.txt")).unwrap(), b"mine");
    assert_eq!(
        files_in(p.inbox.path()),
        vec!["evil (1).txt".to_string(), "evil.txt".to_string()]
    );
    let offered = p.bob.count(|e| matches!(e, Event::TransferOffered { .. }));
    assert_eq!(offered, 0, "auto-accepted offers are not asked about");
}

#[test]
fn an_offer_waits_for_a_decision_and_can_be_declined() {
    let mut p = pair(false, 1 << 30);
    let (id, _) = p.send("report.pdf", &content(5000, 1));
    let (transfer, name, size, mime, sha1) = p.bob.wait_for("the offer", |e| match e {
        Event::TransferOffered {
            transfer,
            name,
            size,
            mime,
            sha1,
            ..
        } => Some((*transfer, name.clone(), *size, mime.clone(), sha1.clone())),
        _ => None,
    });
    assert_eq!(name, "report.pdf");
    assert_eq!(size, Some(5000));
    assert_eq!(mime.as_deref(), Some("application/pdf"));
    assert_eq!(sha1, Some(sha1_hex(&content(5000, 1))));
    p.bob
        .handle
        .send(Command::DeclineTransfer {
            account: local_id(),
            transfer,
        })
        .unwrap();
    let reason = done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(reason.contains("declined"), "{reason}");
    assert!(files_in(p.inbox.path()).is_empty());
}

#[test]
fn an_accepted_offer_is_saved_where_asked() {
    let mut p = pair(false, 1 << 30);
    let data = content(70_000, 3);
    let (id, _) = p.send("photo.jpg", &data);
    let transfer = p.bob.wait_for("the offer", |e| match e {
        Event::TransferOffered { transfer, .. } => Some(*transfer),
        _ => None,
    });
    let elsewhere = tempfile::tempdir().unwrap();
    p.bob
        .handle
        .send(Command::AcceptTransfer {
            account: local_id(),
            transfer,
            dir: elsewhere.path().to_path_buf(),
        })
        .unwrap();
    done_or_failed(&mut p.alice, "alice's transfer", Some(id)).unwrap();
    let (saved, _, _) = done_or_failed(&mut p.bob, "bob's transfer", Some(transfer)).unwrap();
    assert_eq!(saved, elsewhere.path().join("photo.jpg"));
    assert!(std::fs::read(&saved).unwrap() == data);
}

#[test]
fn a_too_large_offer_is_refused_before_anything_is_written() {
    let mut p = pair(true, 1000);
    let (id, _) = p.send("big.bin", &content(2000, 2));
    let reason = done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    // Bob's words, from the Warning on his 488.
    assert!(
        reason.starts_with("bob's client refused: the file is larger than the 1000 bytes limit"),
        "{reason}"
    );
    assert!(files_in(p.inbox.path()).is_empty());
    assert_eq!(
        p.bob
            .count(|e| matches!(e, Event::TransferOffered { .. } | Event::TransferDone { .. })),
        0
    );
}

#[test]
fn a_file_changed_after_the_offer_fails_the_hash_check_and_leaves_nothing() {
    let mut p = pair(false, 1 << 30);
    let (id, path) = p.send("changing.bin", &content(300_000, 4));
    let transfer = p.bob.wait_for("the offer", |e| match e {
        Event::TransferOffered { transfer, .. } => Some(*transfer),
        _ => None,
    });
    // Same size, other bytes: only the hash can tell.
    std::fs::write(&path, content(300_000, 5)).unwrap();
    p.bob
        .handle
        .send(Command::AcceptTransfer {
            account: local_id(),
            transfer,
            dir: p.inbox.path().to_path_buf(),
        })
        .unwrap();
    let reason = done_or_failed(&mut p.bob, "bob's outcome", Some(transfer)).unwrap_err();
    assert!(reason.contains("hash mismatch"), "{reason}");
    done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(
        files_in(p.inbox.path()).is_empty(),
        "{:?}",
        files_in(p.inbox.path())
    );
}

#[test]
fn a_missing_file_fails_at_once() {
    let mut p = pair(true, 1 << 30);
    let id = p.alice.handle.next_transfer_id();
    p.alice
        .handle
        .send(Command::SendFile {
            id,
            account: local_id(),
            to: format!("sip:bob@127.0.0.1:{}", p.bob_port),
            path: p.outbox.path().join("nope"),
            mode: sipchat::runtime::FileSendMode::Session,
        })
        .unwrap();
    let reason = done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(reason.contains("cannot read"), "{reason}");
}

#[test]
fn cancelling_mid_way_leaves_no_partial_file_on_either_side() {
    for receiver_cancels in [true, false] {
        let mut p = pair(true, 1 << 30);
        let (id, path) = p.send("large.bin", &content(200 * 1024 * 1024 / 4, 9));
        // Wait until bytes flow, then cancel.
        let bob_transfer = p.bob.wait_for("bob's first progress", |e| match e {
            Event::TransferProgress { transfer, bytes, .. } if *bytes > 0 => Some(*transfer),
            _ => None,
        });
        let (who, transfer) = if receiver_cancels {
            (&p.bob, bob_transfer)
        } else {
            (&p.alice, id)
        };
        who.handle
            .send(Command::CancelTransfer {
                account: local_id(),
                transfer,
            })
            .unwrap();
        let bob_reason = done_or_failed(&mut p.bob, "bob's outcome", Some(bob_transfer)).unwrap_err();
        let alice_reason = done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
        if receiver_cancels {
            assert!(bob_reason.contains("you cancelled"), "{bob_reason}");
            assert!(alice_reason.contains("receiver"), "{alice_reason}");
        } else {
            assert!(alice_reason.contains("you cancelled"), "{alice_reason}");
            assert!(bob_reason.contains("sender"), "{bob_reason}");
        }
        assert!(
            files_in(p.inbox.path()).is_empty(),
            "{:?}",
            files_in(p.inbox.path())
        );
        assert!(path.exists(), "the sender's file stays");
    }
}

#[test]
fn a_receiver_that_quits_right_after_saving_still_confirms_the_file() {
    // Its BYE and its runtime's end race the success REPORT; the sender
    // must still learn that the file arrived.
    for round in 0..4u64 {
        let mut p = pair(true, 1 << 30);
        let data = content(2 * 1024 * 1024, round);
        let (id, _) = p.send("quick.bin", &data);
        done_or_failed(&mut p.bob, "bob's transfer", None).unwrap();
        p.bob.handle.shutdown();
        let (_, _, sha1) = done_or_failed(&mut p.alice, "alice's transfer", Some(id))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(sha1, sha1_hex(&data));
    }
}

#[test]
fn a_file_arrives_over_direct_tls() {
    let mut p = pair_with(true, 1 << 30, true);
    let data = content(3 * 1024 * 1024 + 17, 21);
    let (id, _) = p.send("secret.bin", &data);
    let (_, _, sent) = done_or_failed(&mut p.alice, "alice's transfer", Some(id)).unwrap();
    let (saved, _, got) = done_or_failed(&mut p.bob, "bob's transfer", None).unwrap();
    assert_eq!(sent, sha1_hex(&data));
    assert_eq!(got, sent);
    assert!(std::fs::read(saved).unwrap() == data);
}

#[test]
fn cancelling_an_unanswered_offer_declines_it() {
    let mut p = pair(false, 1 << 30);
    let (id, _) = p.send("maybe.txt", b"perhaps");
    let transfer = p.bob.wait_for("the offer", |e| match e {
        Event::TransferOffered { transfer, .. } => Some(*transfer),
        _ => None,
    });
    p.bob
        .handle
        .send(Command::CancelTransfer {
            account: local_id(),
            transfer,
        })
        .unwrap();
    let bob_reason = done_or_failed(&mut p.bob, "bob's outcome", Some(transfer)).unwrap_err();
    assert!(bob_reason.contains("you cancelled"), "{bob_reason}");
    let alice_reason = done_or_failed(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(alice_reason.contains("declined"), "{alice_reason}");
}
