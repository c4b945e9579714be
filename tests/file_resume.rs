//! Resuming interrupted file transfers (RFC 5547 `a=file-range`) and
//! partial-file hygiene, end to end: two runtimes on loopback; the
//! receiver keeps its history in a real SQLite file and is stopped mid-way
//! (the cut), then started again with the same store and download
//! directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, TransferId};
use sipchat::runtime::transfers::resume::{is_part_file_name, DURABLE_EVERY};
use sipchat::runtime::{Command, Event, FileSendMode, RuntimeOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{config, content, free_port, sha1_hex, Running};

const SIZE: usize = 10 * 1024 * 1024;

fn local(user: &str, port: u16) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, max_file_size: 1073741824))"#
    ))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn parts_in(dir: &Path) -> Vec<PathBuf> {
    names_in(dir)
        .into_iter()
        .filter(|n| is_part_file_name(n))
        .map(|n| dir.join(n))
        .collect()
}

struct Setup {
    alice: Running,
    alice_port: u16,
    alice_data: tempfile::TempDir,
    bob: Option<Running>,
    bob_port: u16,
    bob_data: tempfile::TempDir,
    inbox: tempfile::TempDir,
    _outbox: tempfile::TempDir,
    data: Vec<u8>,
    path: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let (pa, pb) = (free_port(), free_port());
        let alice_data = tempfile::tempdir().unwrap();
        let alice = Running::start(
            local("alice", pa),
            RuntimeOptions {
                data_dir: Some(alice_data.path().to_path_buf()),
                ..RuntimeOptions::default()
            },
        );
        let outbox = tempfile::tempdir().unwrap();
        let data = content(SIZE, 42);
        let path = outbox.path().join("report.pdf");
        std::fs::write(&path, &data).unwrap();
        let mut s = Setup {
            alice,
            alice_port: pa,
            alice_data,
            bob: None,
            bob_port: pb,
            bob_data: tempfile::tempdir().unwrap(),
            inbox: tempfile::tempdir().unwrap(),
            _outbox: outbox,
            data,
            path,
        };
        s.start_bob();
        s
    }

    fn restart_alice(&mut self) {
        self.alice.handle.shutdown();
        self.alice = Running::start(
            local("alice", self.alice_port),
            RuntimeOptions {
                data_dir: Some(self.alice_data.path().to_path_buf()),
                ..RuntimeOptions::default()
            },
        );
    }

    fn start_bob(&mut self) {
        let bob = Running::start(
            local("bob", self.bob_port),
            RuntimeOptions {
                accept_files: Some(self.inbox.path().to_path_buf()),
                data_dir: Some(self.bob_data.path().to_path_buf()),
                ..RuntimeOptions::default()
            },
        );
        self.bob = Some(bob);
    }

    fn bob(&mut self) -> &mut Running {
        self.bob.as_mut().unwrap()
    }

    fn send(&mut self) -> TransferId {
        let id = self.alice.handle.next_transfer_id();
        self.alice
            .handle
            .send(Command::SendFile {
                id,
                account: AccountId("local".into()),
                to: format!("sip:bob@127.0.0.1:{}", self.bob_port),
                path: self.path.clone(),
                mode: FileSendMode::Session,
            })
            .unwrap();
        id
    }

    /// Sends the file and stops bob's runtime once he confirmed some bytes
    /// (made durable, reported to alice); returns alice's failure words.
    fn send_and_cut(&mut self) -> String {
        let id = self.send();
        self.wait_for_bytes();
        // The cut: bob's runtime stops mid-way.
        self.bob.take().unwrap().handle.shutdown();
        let reason = failed(&mut self.alice, id);
        assert!(
            !names_in(self.inbox.path()).contains(&"report.pdf".to_string()),
            "the cut came too late: the whole file arrived; {reason}"
        );
        reason
    }

    /// Waits until alice's history says bob confirmed some bytes (his
    /// partial success REPORT for what he made durable).
    fn wait_for_bytes(&mut self) {
        let db = self.alice_data.path().join("history.sqlite3");
        let store = sipchat::store::Store::open_read_only(&db).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let confirmed = store
                .transfers(None)
                .unwrap()
                .iter()
                .any(|t| t.transfer.resume_bytes.is_some_and(|b| b > 0) && t.finished_at.is_none());
            if confirmed {
                break;
            }
            assert!(Instant::now() < deadline, "the transfer never got going");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn failed(r: &mut Running, id: TransferId) -> String {
    r.wait_for("the transfer's failure", |e| match e {
        Event::TransferFailed { transfer, reason } if *transfer == id => Some(reason.clone()),
        Event::TransferDone { transfer, .. } if *transfer == id => panic!("it was not cut"),
        _ => None,
    })
}

fn done(r: &mut Running, id: Option<TransferId>) -> (PathBuf, String) {
    r.wait_for("the transfer's end", |e| match e {
        Event::TransferDone {
            transfer, path, sha1, ..
        } if id.is_none_or(|i| i == *transfer) => Some((path.clone(), sha1.clone())),
        Event::TransferFailed { transfer, reason } if id.is_none_or(|i| i == *transfer) => {
            panic!("failed: {reason}")
        }
        _ => None,
    })
}

fn resuming(r: &Running, id: Option<TransferId>) -> Option<(u64, u64)> {
    r.seen.iter().find_map(|e| match e {
        Event::TransferResuming {
            transfer,
            offset,
            total,
            ..
        } if id.is_none_or(|i| i == *transfer) => Some((*offset, *total)),
        _ => None,
    })
}

#[test]
fn an_interrupted_transfer_resumes_where_the_receiver_got_to() {
    let mut s = Setup::new();
    let reason = s.send_and_cut();
    assert!(
        reason.contains("sending the file again resumes there"),
        "{reason}"
    );
    let kept = parts_in(s.inbox.path());
    assert_eq!(
        kept.len(),
        1,
        "the partial file is kept: {:?}",
        names_in(s.inbox.path())
    );
    let kept_len = std::fs::metadata(&kept[0]).unwrap().len();
    assert!(kept_len >= DURABLE_EVERY);

    // Bob comes back with the same history and directory; alice sends again.
    s.start_bob();
    let id = s.send();
    let (sent_path, sent_sha1) = done(&mut s.alice, Some(id));
    assert_eq!(sent_path, s.path);
    let (saved, sha1) = done(s.bob(), None);
    let want = sha1_hex(&s.data);
    assert_eq!(sent_sha1, want);
    assert_eq!(sha1, want);
    assert!(std::fs::read(&saved).unwrap() == s.data, "the saved bytes differ");
    assert_eq!(saved, s.inbox.path().join("report.pdf"));
    assert_eq!(
        names_in(s.inbox.path()),
        vec!["report.pdf".to_string()],
        "nothing else is left"
    );

    // It resumed: both sides said so, at a durable point, and only the
    // rest moved (bob's progress never shows fewer bytes than he had).
    let (offset, total) = resuming(&s.alice, Some(id)).expect("alice resumes");
    assert_eq!(total, SIZE as u64);
    assert!(
        offset > 0 && offset < total && offset % DURABLE_EVERY == 0,
        "{offset}"
    );
    assert!(offset <= kept_len);
    let bob = s.bob.as_ref().unwrap();
    assert_eq!(
        resuming(bob, None),
        Some((offset, total)),
        "bob resumes at the same byte"
    );
    let least = bob
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::TransferProgress { bytes, .. } => Some(*bytes),
            _ => None,
        })
        .min()
        .unwrap();
    assert!(
        least >= offset,
        "bob's progress started at {least}, below {offset}"
    );
}

#[test]
fn a_resume_without_the_partial_file_sends_the_whole_file() {
    let mut s = Setup::new();
    s.send_and_cut();
    // The partial file is lost (deleted by hand): bob can only say so.
    for p in parts_in(s.inbox.path()) {
        std::fs::remove_file(p).unwrap();
    }
    s.start_bob();
    let id = s.send();
    let (_, sent_sha1) = done(&mut s.alice, Some(id));
    let (saved, sha1) = done(s.bob(), None);
    assert_eq!(sent_sha1, sha1_hex(&s.data));
    assert_eq!(sha1, sha1_hex(&s.data));
    assert!(std::fs::read(&saved).unwrap() == s.data);
    assert!(
        resuming(&s.alice, Some(id)).is_some(),
        "alice tried to resume first"
    );
    let bob = s.bob.as_ref().unwrap();
    assert_eq!(resuming(bob, None), None, "bob took the whole file");
    assert_eq!(
        s.alice
            .count(|e| matches!(e, Event::TransferFailed { transfer, .. } if *transfer == id)),
        0,
        "the user sees one transfer that completes"
    );
    assert_eq!(names_in(s.inbox.path()), vec!["report.pdf".to_string()]);
}

#[test]
fn leftover_partial_files_are_removed_at_start_and_other_files_stay() {
    let inbox = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let leftover = inbox
        .path()
        .join(".sipchat-0123456789abcdef0123456789abcdef.part");
    let users = inbox.path().join("draft.part");
    let recent = inbox
        .path()
        .join(".sipchat-fedcba9876543210fedcba9876543210.part");
    std::fs::write(&leftover, b"from a crash").unwrap();
    std::fs::write(&users, b"the user's").unwrap();
    std::fs::write(&recent, b"maybe another sipchat's").unwrap();
    // The crash was a while ago.
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for f in [&leftover, &users] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    let bob = Running::start(
        local("bob", free_port()),
        RuntimeOptions {
            accept_files: Some(inbox.path().to_path_buf()),
            data_dir: Some(data.path().to_path_buf()),
            ..RuntimeOptions::default()
        },
    );
    assert!(!leftover.exists(), "a crash's temporary file is removed at start");
    assert!(users.exists(), "files that are not ours stay");
    assert!(recent.exists(), "one written a moment ago may be in use");
    drop(bob);
}

#[test]
fn a_sender_that_quits_mid_way_resumes_after_its_restart() {
    let mut s = Setup::new();
    s.send();
    s.wait_for_bytes();
    // The cut on the sending side: alice's runtime stops and comes back
    // with the same history.
    s.restart_alice();
    let reason = s.bob().wait_for("bob's failure", |e| match e {
        Event::TransferFailed { reason, .. } => Some(reason.clone()),
        Event::TransferDone { .. } => panic!("the cut came too late"),
        _ => None,
    });
    assert!(reason.contains("are kept"), "{reason}");
    assert_eq!(parts_in(s.inbox.path()).len(), 1);
    let id = s.send();
    let (_, sent_sha1) = done(&mut s.alice, Some(id));
    let (saved, sha1) = s.bob().wait_for("bob's second transfer", |e| match e {
        Event::TransferDone { path, sha1, .. } => Some((path.clone(), sha1.clone())),
        _ => None,
    });
    assert_eq!(sent_sha1, sha1_hex(&s.data));
    assert_eq!(sha1, sha1_hex(&s.data));
    assert!(std::fs::read(&saved).unwrap() == s.data);
    let (offset, _) = resuming(&s.alice, Some(id)).expect("alice resumes after her restart");
    assert!(offset >= DURABLE_EVERY);
    assert_eq!(resuming(s.bob.as_ref().unwrap(), None).map(|r| r.0), Some(offset));
    assert_eq!(names_in(s.inbox.path()), vec!["report.pdf".to_string()]);
}
