#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::store::{NewTransfer, TransferState};

const DAY_MS: i64 = 24 * 3600 * 1000;
const NOW: i64 = 100 * DAY_MS;

#[test]
fn our_temporary_names_are_recognised_and_nothing_else() {
    let name = part_file_name("0123456789abcdef0123456789abcdef");
    assert_eq!(name, ".sipchat-0123456789abcdef0123456789abcdef.part");
    assert!(is_part_file_name(&name));
    for other in [
        "report.pdf",
        "notes.part",
        ".sipchat-.part",
        ".sipchat-xyz.part",
        ".sipchat-../x.part",
        ".report.pdf.0123.part",
        "sipchat-0123.part",
        ".sipchat-0123.part.pdf",
    ] {
        assert!(!is_part_file_name(other), "{other}");
    }
}

/// Writes `path` with a modification time an hour ago.
fn write_old(path: &Path) {
    std::fs::write(path, b"partial").unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
}

fn interrupted_in(store: &mut Store, part: &Path, finished_at: i64) -> i64 {
    let row = NewTransfer {
        account: "local".into(),
        peer_key: None,
        direction: Direction::In,
        file_name: "report.pdf".into(),
        size: Some(1000),
        sha1: Some("00".repeat(20)),
        path: None,
        state: TransferState::Interrupted,
        started_at: finished_at - 10,
        peer: Some("sip:alice@example.org".into()),
        resume_bytes: Some(500),
        part_path: Some(part.display().to_string()),
    };
    let id = store.insert_transfer(&row).unwrap();
    store
        .finish_transfer(id, &TransferState::Interrupted, finished_at)
        .unwrap();
    id
}

fn state_of(store: &Store, id: i64) -> String {
    store
        .transfers(None)
        .unwrap()
        .into_iter()
        .find(|t| t.id == id)
        .unwrap()
        .transfer
        .state
        .as_text()
}

#[test]
fn the_sweep_removes_leftovers_and_old_partials_but_keeps_the_rest() {
    let downloads = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let d = downloads.path();
    let leftover = d.join(part_file_name("aa"));
    let kept = elsewhere.path().join(part_file_name("bb"));
    let stray_next_to_kept = elsewhere.path().join(part_file_name("dd"));
    let old = d.join(part_file_name("cc"));
    let users = d.join("notes.part");
    for f in [&leftover, &kept, &stray_next_to_kept, &old, &users] {
        write_old(f);
    }
    let fresh = d.join(part_file_name("ff"));
    std::fs::write(&fresh, b"being written by another process").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let kept_id = interrupted_in(&mut store, &kept, NOW - DAY_MS);
    let old_id = interrupted_in(&mut store, &old, NOW - 8 * DAY_MS);
    let gone_id = interrupted_in(&mut store, &d.join(part_file_name("ee")), NOW - DAY_MS);

    let sweep = sweep_partials(&mut store, &[d.to_path_buf()], NOW).unwrap();

    assert!(!leftover.exists(), "a crash's leftover goes");
    assert!(!stray_next_to_kept.exists(), "also next to a kept partial file");
    assert!(!old.exists(), "kept longer than KEEP_PARTIAL_FOR");
    assert!(kept.exists());
    assert!(users.exists(), "never a file that is not ours");
    assert!(fresh.exists(), "not one written a moment ago");
    assert_eq!(
        sweep,
        Sweep {
            leftovers: 2,
            expired: 2
        }
    );
    assert_eq!(state_of(&store, kept_id), TransferState::Interrupted.as_text());
    assert!(state_of(&store, old_id).starts_with("failed:"));
    assert!(state_of(&store, gone_id).starts_with("failed:"));
    let left: Vec<i64> = store
        .interrupted_transfers(None)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(left, vec![kept_id]);
}

#[test]
fn the_sweep_does_nothing_on_a_clean_directory() {
    let downloads = tempfile::tempdir().unwrap();
    std::fs::write(downloads.path().join("a.txt"), b"x").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let sweep = sweep_partials(&mut store, &[downloads.path().to_path_buf()], NOW).unwrap();
    assert_eq!(sweep, Sweep::default());
    assert!(downloads.path().join("a.txt").exists());
}

fn outgoing(path: &str, size: u64, sha1: [u8; 20]) -> FileSide {
    let mut f = FileSide::new(
        crate::model::TransferId(1),
        false,
        "report.pdf".into(),
        PathBuf::from(path),
        size,
        "application/pdf".into(),
        Some(sha1),
        "t".into(),
        0,
        0,
    );
    f.confirmed = 0;
    f
}

fn sent_row(path: &str, peer: &str, size: i64, sha1: [u8; 20], bytes: i64) -> StoredTransfer {
    StoredTransfer {
        id: 7,
        transfer: NewTransfer {
            account: "local".into(),
            peer_key: None,
            direction: Direction::Out,
            file_name: "report.pdf".into(),
            size: Some(size),
            sha1: Some(hex(&sha1)),
            path: Some(path.into()),
            state: TransferState::Interrupted,
            started_at: 1,
            peer: Some(conversation_key(peer)),
            resume_bytes: Some(bytes),
            part_path: None,
        },
        finished_at: Some(2),
    }
}

#[test]
fn a_send_resumes_only_the_same_file_to_the_same_peer() {
    let sha = [7u8; 20];
    let file = outgoing("/home/a/report.pdf", 1000, sha);
    let bob = "sip:bob@example.org";
    let good = sent_row("/home/a/report.pdf", bob, 1000, sha, 400);
    assert_eq!(
        sent_before(std::slice::from_ref(&good), &file, bob).map(|r| r.id),
        Some(7)
    );
    let others = [
        sent_row("/home/a/other.pdf", bob, 1000, sha, 400),
        sent_row("/home/a/report.pdf", "sip:carol@example.org", 1000, sha, 400),
        sent_row("/home/a/report.pdf", bob, 999, sha, 400),
        sent_row("/home/a/report.pdf", bob, 1000, [8u8; 20], 400),
        sent_row("/home/a/report.pdf", bob, 1000, sha, 0),
        sent_row("/home/a/report.pdf", bob, 1000, sha, 1000),
    ];
    for row in &others {
        assert!(
            sent_before(std::slice::from_ref(row), &file, bob).is_none(),
            "{row:?}"
        );
    }
}

#[test]
fn kept_words_say_how_much_is_there() {
    let mut file = outgoing("/x", 10 << 20, [1; 20]);
    assert_eq!(
        kept_words(&file, "the connection was lost", 4 << 20),
        "the connection was lost; the receiver has 4.0 MiB of 10 MiB, sending the file again resumes there"
    );
    file.incoming = true;
    assert!(kept_words(&file, "lost", 4 << 20).contains("4.0 MiB of 10 MiB are kept"));
}

#[test]
fn a_resume_offer_carries_the_file_range_and_the_same_selector() {
    let sha = [9u8; 20];
    let mut file = outgoing("/home/a/report.pdf", 10 << 20, sha);
    let whole = file.offer_attributes().unwrap();
    assert_eq!(whole.range, None);
    file.from = 4 << 20;
    let attrs = file.offer_attributes().unwrap();
    assert_eq!(
        attrs.selector, whole.selector,
        "the same file-selector, hash included"
    );
    let range = attrs.range.unwrap();
    assert_eq!(range.to_string(), "4194305-10485760");
    let path = [crate::protocol::msrp::uri::MsrpUri::parse("msrp://127.0.0.1:2855/abcd;tcp").unwrap()];
    let sdp = crate::runtime::msrp_session::session_offer(
        &path,
        crate::config::MsrpRole::Auto,
        false,
        None,
        Some(attrs),
    )
    .unwrap();
    let text = String::from_utf8(sdp.to_bytes()).unwrap();
    assert!(text.contains("a=file-range:4194305-10485760\r\n"), "{text}");
    assert!(text.contains("hash:sha-1:09:09:"), "{text}");
}
