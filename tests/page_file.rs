//! Small files inside page-mode MESSAGEs (issue #5), end to end through the
//! runtime API: two runtimes on loopback with their local accounts, plus a
//! hand-written Twinkle-style MESSAGE on a raw socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, TransferId};
use sipchat::runtime::{Command, Event, FileSendMode, RuntimeOptions, TransferVia};
use sipchat::store::{Direction, Store};
use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{config, free_port, sha1_hex, Running};

fn local_with(user: &str, port: u16, max_file_size: u64) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, max_file_size: {max_file_size}))"#
    ))
}

fn local_id() -> AccountId {
    AccountId("local".into())
}

/// Binary content with every byte value, CR, LF and NUL in it.
fn binary(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

struct Pair {
    alice: Running,
    bob: Running,
    bob_port: u16,
    inbox: tempfile::TempDir,
    outbox: tempfile::TempDir,
    bob_data: tempfile::TempDir,
}

fn pair(options: impl FnOnce(&Path) -> RuntimeOptions, bob_limit: u64) -> Pair {
    let pb = free_port();
    let inbox = tempfile::tempdir().unwrap();
    let bob_data = tempfile::tempdir().unwrap();
    let (alice, _) = Running::start_local(local_with("alice", 0, 1 << 30), RuntimeOptions::default());
    let bob_options = RuntimeOptions {
        data_dir: Some(bob_data.path().to_path_buf()),
        ..options(inbox.path())
    };
    let bob = Running::start(local_with("bob", pb, bob_limit), bob_options);
    Pair {
        alice,
        bob,
        bob_port: pb,
        inbox,
        outbox: tempfile::tempdir().unwrap(),
        bob_data,
    }
}

fn accepting(inbox: &Path) -> RuntimeOptions {
    RuntimeOptions {
        accept_files: Some(inbox.to_path_buf()),
        ..RuntimeOptions::default()
    }
}

impl Pair {
    fn send(&mut self, name: &str, data: &[u8], mode: FileSendMode) -> (TransferId, PathBuf) {
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
                mode,
            })
            .unwrap();
        (id, path)
    }
}

/// TransferDone (path, size, sha1, via, note) or the TransferFailed reason.
type Outcome = Result<(PathBuf, u64, String, TransferVia, Option<String>), String>;

fn outcome(r: &mut Running, what: &str, transfer: Option<TransferId>) -> Outcome {
    r.wait_for(what, |e| match e {
        Event::TransferDone {
            transfer: t,
            path,
            size,
            sha1,
            via,
            note,
            ..
        } if transfer.is_none_or(|id| id == *t) => {
            Some(Ok((path.clone(), *size, sha1.clone(), *via, note.clone())))
        }
        Event::TransferFailed { transfer: t, reason } if transfer.is_none_or(|id| id == *t) => {
            Some(Err(reason.clone()))
        }
        _ => None,
    })
}

fn offer(r: &mut Running, name: &str) -> (TransferId, TransferVia, Option<u64>, Option<String>) {
    r.wait_for(&format!("the offer of {name}"), |e| match e {
        Event::TransferOffered {
            transfer,
            name: n,
            via,
            size,
            sha1,
            ..
        } if n == name => Some((*transfer, *via, *size, sha1.clone())),
        _ => None,
    })
}

#[test]
fn one_byte_and_three_kib_files_arrive_as_files() {
    let mut p = pair(accepting, 1 << 30);
    for (name, data) in [("dot.bin", binary(1, 7)), ("icon.png", binary(3 * 1024, 3))] {
        let (id, path) = p.send(name, &data, FileSendMode::PageMode);
        let (sent, size, sha1, via, note) = outcome(&mut p.alice, "alice's outcome", Some(id)).unwrap();
        assert_eq!(
            (sent, size, via),
            (path, data.len() as u64, TransferVia::PageMode)
        );
        assert_eq!(sha1, sha1_hex(&data));
        let note = note.unwrap();
        assert!(note.contains("accepted by bob's client (200)"), "{note}");
        // The receiver reports an offer and then the saved file.
        let (transfer, via, size, offered_sha1) = offer(&mut p.bob, name);
        assert_eq!(via, TransferVia::PageMode);
        assert_eq!(size, Some(data.len() as u64));
        assert_eq!(offered_sha1, Some(sha1_hex(&data)));
        let (saved, size, sha1, via, _) = outcome(&mut p.bob, "bob's file", Some(transfer)).unwrap();
        assert_eq!(saved, p.inbox.path().join(name));
        assert_eq!((size, via), (data.len() as u64, TransferVia::PageMode));
        assert_eq!(sha1, sha1_hex(&data));
        assert!(std::fs::read(&saved).unwrap() == data, "the saved bytes differ");
    }
    assert_eq!(
        files_in(p.inbox.path()),
        vec!["dot.bin", "icon.png"],
        "no temporary file left"
    );
    // Bob's history records both as done, with the bytes dropped once saved.
    p.bob.handle.shutdown();
    let store = Store::open_read_only(&Store::path_in(p.bob_data.path())).unwrap();
    let rows = store.transfers(Some("local")).unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.transfer.direction, Direction::In);
        assert_eq!(row.transfer.state, "done");
        assert_eq!(store.page_file_data(row.id).unwrap(), None);
    }
    p.alice.handle.shutdown();
}

#[test]
fn an_unanswered_offer_is_stored_then_accepted_or_declined() {
    let mut p = pair(|_| RuntimeOptions::default(), 1 << 30);
    let keep = binary(2000, 1);
    let drop = binary(300, 2);
    let (keep_id, _) = p.send("keep.pdf", &keep, FileSendMode::PageMode);
    let (drop_id, _) = p.send("drop.pdf", &drop, FileSendMode::PageMode);
    // The sender is done as soon as the MESSAGE is answered: the file is stored there.
    outcome(&mut p.alice, "keep's outcome", Some(keep_id)).unwrap();
    outcome(&mut p.alice, "drop's outcome", Some(drop_id)).unwrap();
    let (keep_t, _, _, _) = offer(&mut p.bob, "keep.pdf");
    let (drop_t, _, _, _) = offer(&mut p.bob, "drop.pdf");
    // Stored before the 200: the bytes are in bob's history now.
    {
        let store = Store::open_read_only(&Store::path_in(p.bob_data.path())).unwrap();
        let rows = store.transfers(Some("local")).unwrap();
        assert_eq!(rows.len(), 2);
        let stored: Vec<Vec<u8>> = rows
            .iter()
            .map(|r| store.page_file_data(r.id).unwrap().unwrap())
            .collect();
        assert!(stored.contains(&keep) && stored.contains(&drop));
    }
    assert!(
        files_in(p.inbox.path()).is_empty(),
        "nothing is written before a decision"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    p.bob
        .handle
        .send(Command::AcceptTransfer {
            account: local_id(),
            transfer: keep_t,
            dir: elsewhere.path().to_path_buf(),
        })
        .unwrap();
    p.bob
        .handle
        .send(Command::DeclineTransfer {
            account: local_id(),
            transfer: drop_t,
        })
        .unwrap();
    let (saved, _, sha1, _, _) = outcome(&mut p.bob, "keep saved", Some(keep_t)).unwrap();
    assert_eq!(saved, elsewhere.path().join("keep.pdf"));
    assert_eq!(sha1, sha1_hex(&keep));
    assert!(std::fs::read(&saved).unwrap() == keep);
    let reason = outcome(&mut p.bob, "drop declined", Some(drop_t)).unwrap_err();
    assert!(reason.contains("declined"), "{reason}");
    assert_eq!(files_in(elsewhere.path()), vec!["keep.pdf"]);
    assert!(files_in(p.inbox.path()).is_empty());
    p.bob.handle.shutdown();
    let store = Store::open_read_only(&Store::path_in(p.bob_data.path())).unwrap();
    for row in store.transfers(Some("local")).unwrap() {
        assert_eq!(
            store.page_file_data(row.id).unwrap(),
            None,
            "bytes dropped after the decision"
        );
        let expected = if row.transfer.file_name == "keep.pdf" {
            "done"
        } else {
            "failed: you declined the file"
        };
        assert_eq!(row.transfer.state, expected);
    }
    p.alice.handle.shutdown();
}

#[test]
fn a_peer_without_sessions_gets_small_files_as_messages() {
    let mut p = pair(
        |inbox| RuntimeOptions {
            refuse_sessions: true,
            ..accepting(inbox)
        },
        1 << 30,
    );
    // Auto: the session is refused (488), the small file goes as a MESSAGE.
    let small = binary(1500, 9);
    let (id, _) = p.send("small.png", &small, FileSendMode::Auto);
    let (_, size, sha1, via, note) = outcome(&mut p.alice, "the small file", Some(id)).unwrap();
    assert_eq!((size, via), (1500, TransferVia::PageMode));
    assert_eq!(sha1, sha1_hex(&small));
    let note = note.unwrap();
    assert!(
        note.contains("bob does not take file sessions (answer 488)"),
        "{note}"
    );
    assert!(note.contains("sent as a message"), "{note}");
    let (saved, _, _, _, _) = outcome(&mut p.bob, "bob's file", None).unwrap();
    assert!(std::fs::read(saved).unwrap() == small);
    // Too big for a MESSAGE: the refusal stands.
    let (big_id, _) = p.send("big.bin", &binary(5000, 1), FileSendMode::Auto);
    let reason = outcome(&mut p.alice, "the big file", Some(big_id)).unwrap_err();
    assert!(reason.contains("488"), "{reason}");
    // Session only: no fallback either.
    let (only_id, _) = p.send("only.bin", &binary(10, 1), FileSendMode::Session);
    let reason = outcome(&mut p.alice, "the session-only file", Some(only_id)).unwrap_err();
    assert!(reason.contains("488"), "{reason}");
    assert_eq!(files_in(p.inbox.path()), vec!["small.png"]);
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

#[test]
fn a_declined_session_does_not_fall_back() {
    let mut p = pair(|_| RuntimeOptions::default(), 1 << 30);
    let (id, _) = p.send("no.txt", b"no thanks", FileSendMode::Auto);
    let (transfer, via, _, _) = offer(&mut p.bob, "no.txt");
    assert_eq!(via, TransferVia::Session);
    p.bob
        .handle
        .send(Command::DeclineTransfer {
            account: local_id(),
            transfer,
        })
        .unwrap();
    let reason = outcome(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(reason.contains("declined"), "{reason}");
    p.bob.settle(Duration::from_millis(700));
    assert_eq!(
        p.bob.count(|e| matches!(e, Event::TransferOffered { .. })),
        1,
        "no second offer by message after a decline"
    );
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

#[test]
fn too_large_files_are_refused_both_ways() {
    let mut p = pair(accepting, 100);
    // Over bob's max_file_size: 413, nothing stored or written.
    let (id, _) = p.send("big.bin", &binary(200, 5), FileSendMode::PageMode);
    let reason = outcome(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(reason.contains("too large"), "{reason}");
    // Over what we send as a message: refused before anything goes out.
    let (id, _) = p.send("huge.bin", &binary(4097, 5), FileSendMode::PageMode);
    let reason = outcome(&mut p.alice, "alice's outcome", Some(id)).unwrap_err();
    assert!(reason.contains("at most 4096 bytes"), "{reason}");
    p.bob.settle(Duration::from_millis(300));
    assert!(files_in(p.inbox.path()).is_empty());
    assert_eq!(p.bob.count(|e| matches!(e, Event::TransferOffered { .. })), 0);
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

/// A MESSAGE written by hand, as Twinkle sends a file; returns the status.
fn raw_message(port: u16, tcp: bool, extra: &str, content_type: &str, body: &[u8]) -> u16 {
    let (local, transport) = if tcp {
        ("127.0.0.1:1".to_string(), "TCP")
    } else {
        ("127.0.0.1:2".to_string(), "UDP")
    };
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let via_addr = if tcp {
        local
    } else {
        udp.local_addr().unwrap().to_string()
    };
    let call_id = format!("{:x}@twinkle", rand_u64());
    let mut msg = format!(
        "MESSAGE sip:bob@127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/{transport} {via_addr};rport;branch=z9hG4bK{:x}\r\n\
         Max-Forwards: 70\r\n\
         From: \"Carol\" <sip:carol@127.0.0.1>;tag=t{:x}\r\n\
         To: <sip:bob@127.0.0.1:{port}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Type: {content_type}\r\n\
         {extra}\
         User-Agent: Twinkle/1.10.3\r\n\
         Content-Length: {}\r\n\r\n",
        rand_u64(),
        rand_u64(),
        body.len()
    )
    .into_bytes();
    msg.extend_from_slice(body);
    let mut answer = vec![0u8; 4096];
    let n = if tcp {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(&msg).unwrap();
        s.read(&mut answer).unwrap()
    } else {
        udp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        udp.send_to(&msg, ("127.0.0.1", port)).unwrap();
        udp.recv(&mut answer).unwrap()
    };
    let text = String::from_utf8_lossy(&answer[..n]).into_owned();
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"))
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(7);
    h.finish()
}

#[test]
fn twinkle_style_messages_with_hostile_names_are_saved_safely() {
    let mut p = pair(accepting, 1 << 30);
    // Someone already has a file of that name: it is not overwritten.
    std::fs::write(p.inbox.path().join("passwd"), b"mine").unwrap();
    let tiny = binary(1, 200);
    let code = raw_message(
        p.bob_port,
        false,
        "Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n",
        "application/octet-stream",
        &tiny,
    );
    assert_eq!(code, 200);
    let (saved, _, sha1, _, _) = outcome(&mut p.bob, "the tiny file", None).unwrap();
    assert_eq!(saved, p.inbox.path().join("passwd (1)"));
    assert_eq!(sha1, sha1_hex(&tiny));
    let three = binary(3 * 1024, 77);
    let code = raw_message(
        p.bob_port,
        true,
        "Content-Disposition: render; filename=\"..\\\\..\\\\win.png\"; handling=optional\r\n",
        "image/png",
        &three,
    );
    assert_eq!(code, 200);
    let (transfer, _, _, _) = offer(&mut p.bob, "win.png");
    let (saved, _, sha1, _, _) = outcome(&mut p.bob, "the 3 KiB file", Some(transfer)).unwrap();
    assert_eq!(saved, p.inbox.path().join("win.png"));
    assert_eq!(sha1, sha1_hex(&three));
    assert!(std::fs::read(&saved).unwrap() == three);
    assert_eq!(std::fs::read(p.inbox.path().join("passwd")).unwrap(), b"mine");
    // Plain text with an inline disposition is still an ordinary message.
    let code = raw_message(
        p.bob_port,
        false,
        "Content-Disposition: render\r\n",
        "text/plain",
        b"just words",
    );
    assert_eq!(code, 200);
    p.bob.wait_message("just words");
    // A text type we do not show, without a file disposition: still 415.
    let code = raw_message(p.bob_port, false, "", "text/html", b"<b>x</b>");
    assert_eq!(code, 415);
    assert_eq!(files_in(p.inbox.path()), vec!["passwd", "passwd (1)", "win.png"]);
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

#[test]
fn the_answer_waits_until_the_file_is_stored() {
    let mut p = pair(|_| RuntimeOptions::default(), 1 << 30);
    // Someone else holds the write lock on bob's history: bob cannot store.
    let db = rusqlite::Connection::open(Store::path_in(p.bob_data.path())).unwrap();
    db.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let data = binary(1000, 4);
    let (id, _) = p.send("held.bin", &data, FileSendMode::PageMode);
    p.alice.settle(Duration::from_millis(2000));
    assert_eq!(
        p.alice
            .count(|e| matches!(e, Event::TransferDone { .. } | Event::TransferFailed { .. })),
        0,
        "alice got an answer while bob could not store the file"
    );
    p.bob.settle(Duration::from_millis(50));
    assert_eq!(p.bob.count(|e| matches!(e, Event::TransferOffered { .. })), 0);
    // The lock goes (within the store's busy timeout): stored, then 200.
    db.execute_batch("COMMIT").unwrap();
    outcome(&mut p.alice, "alice's outcome", Some(id)).unwrap();
    let (_, _, _, sha1) = offer(&mut p.bob, "held.bin");
    assert_eq!(sha1, Some(sha1_hex(&data)));
    let store = Store::open_read_only(&Store::path_in(p.bob_data.path())).unwrap();
    let row = &store.transfers(Some("local")).unwrap()[0];
    assert_eq!(store.page_file_data(row.id).unwrap(), Some(data));
    p.alice.handle.shutdown();
    p.bob.handle.shutdown();
}

#[test]
fn an_offer_left_unanswered_is_offered_again_after_a_restart() {
    let mut p = pair(|_| RuntimeOptions::default(), 1 << 30);
    let data = binary(1500, 7);
    let (id, _) = p.send("later.bin", &data, FileSendMode::PageMode);
    outcome(&mut p.alice, "the MESSAGE's outcome", Some(id)).unwrap();
    let (first, ..) = offer(&mut p.bob, "later.bin");
    // bob quits without answering: the file was answered 200, so it stays.
    p.bob.handle.shutdown();
    let bob_options = RuntimeOptions {
        data_dir: Some(p.bob_data.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let mut bob = Running::start(local_with("bob", p.bob_port, 1 << 30), bob_options);
    let (again, via, size, sha1) = offer(&mut bob, "later.bin");
    assert_eq!(via, TransferVia::PageMode);
    assert_eq!(size, Some(data.len() as u64));
    assert_eq!(sha1.as_deref(), Some(sha1_hex(&data).as_str()));
    assert_ne!(first, again, "a new id in the new run");
    bob.handle
        .send(Command::AcceptTransfer {
            account: local_id(),
            transfer: again,
            dir: p.inbox.path().to_path_buf(),
        })
        .unwrap();
    let (saved, ..) = outcome(&mut bob, "the saved file", Some(again)).unwrap();
    assert_eq!(std::fs::read(&saved).unwrap(), data);
    bob.handle.shutdown();
    // Answered now: a third start offers nothing.
    let bob_options = RuntimeOptions {
        data_dir: Some(p.bob_data.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let mut bob = Running::start(local_with("bob", p.bob_port, 1 << 30), bob_options);
    std::thread::sleep(std::time::Duration::from_secs(1));
    // Events come in order: whatever was offered at start is seen before this answer.
    bob.handle.send(Command::LoadTransfers { account: None }).unwrap();
    bob.wait_for("the history's transfers", |e| match e {
        Event::Transfers(rows) => Some(rows.len()),
        _ => None,
    });
    assert!(
        !bob.seen
            .iter()
            .any(|e| matches!(e, Event::TransferOffered { .. })),
        "an answered file was offered again"
    );
    bob.handle.shutdown();
    p.alice.handle.shutdown();
}
