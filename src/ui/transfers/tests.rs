//! The transfer list on its own: what each button asks for in each state,
//! progress words, and history rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use sipchat::model::NewTransfer;

fn bob() -> ConversationKey {
    ConversationKey::stored("work", "sip:bob@example.org")
}

fn live(n: u64) -> TransferKey {
    TransferKey::Live(TransferId(n))
}

#[test]
fn buttons_only_act_where_they_make_sense() {
    let mut list = Transfers::default();
    list.offered(TransferId(1), bob(), "a.txt", Some(10), 100);
    // Cancel, Open and Show in folder mean nothing on an offer.
    for message in [
        Message::Cancel(live(1)),
        Message::Open(live(1)),
        Message::ShowInFolder(live(1)),
    ] {
        assert_eq!(list.update(message), Action::None);
    }
    assert_eq!(
        list.update(Message::Accept(live(1))),
        Action::Accept {
            account: AccountId("work".into()),
            transfer: TransferId(1)
        }
    );
    assert_eq!(
        list.update(Message::Decline(live(1))),
        Action::None,
        "already answered"
    );
    assert_eq!(
        list.update(Message::Cancel(live(1))),
        Action::Cancel {
            account: AccountId("work".into()),
            transfer: TransferId(1)
        }
    );
    list.done(TransferId(1), PathBuf::from("/d/a.txt"), 10);
    assert_eq!(list.update(Message::Cancel(live(1))), Action::None);
    assert_eq!(
        list.update(Message::Open(live(1))),
        Action::Open("/d/a.txt".into())
    );
    assert_eq!(
        list.update(Message::ShowInFolder(live(1))),
        Action::Open("/d".into())
    );
    assert_eq!(list.update(Message::Open(live(9))), Action::None, "unknown");
}

#[test]
fn late_progress_never_revives_a_finished_transfer() {
    let mut list = Transfers::default();
    list.offered(TransferId(2), bob(), "b", None, 100);
    list.progress(TransferId(2), 5, 10, 1);
    assert_eq!(
        list.get(live(2)).unwrap().size,
        Some(10),
        "the size comes with progress"
    );
    list.failed(TransferId(2), "the connection was lost");
    list.progress(TransferId(2), 6, 10, 1);
    assert_eq!(
        list.get(live(2)).unwrap().state,
        State::Failed {
            reason: "the connection was lost".into()
        }
    );
    // Events of transfers the window never saw are ignored.
    list.progress(TransferId(3), 1, 2, 3);
    assert!(list.get(live(3)).is_none());
}

#[test]
fn eta_and_sizes_read_well() {
    assert_eq!(eta_secs(0, 100, 10), Some(10));
    assert_eq!(eta_secs(95, 100, 10), Some(1));
    assert_eq!(eta_secs(100, 100, 10), None);
    assert_eq!(eta_secs(0, 100, 0), None);
    assert_eq!(size_words(1), "1 byte");
    assert_eq!(size_words(1023), "1023 bytes");
    assert_eq!(size_words(1536), "1.5 KB");
    assert_eq!(size_words(20 * 1024 * 1024), "20 MB");
    assert_eq!(size_words(3 * 1024 * 1024 * 1024 / 2), "1.5 GB");
    assert_eq!(progress_words(0, 1024, 0), "0 bytes of 1.0 KB");
}

#[test]
fn a_history_row_of_a_transfer_shown_live_is_not_shown_twice() {
    let mut list = Transfers::default();
    list.offered(TransferId(7), bob(), "same.txt", Some(3), 1_000);
    list.done(TransferId(7), "/d/same.txt".into(), 3);
    let row = |id, name: &str, started_at, peer: Option<&str>| StoredTransfer {
        id,
        transfer: NewTransfer {
            account: "work".into(),
            peer_key: peer.map(str::to_string),
            direction: StoredDirection::In,
            file_name: name.into(),
            size: Some(3),
            sha1: None,
            path: None,
            state: "failed: declined by bob".into(),
            started_at,
            peer: None,
            resume_bytes: None,
            part_path: None,
        },
        finished_at: None,
    };
    list.apply_stored(&[
        row(1, "same.txt", 1_001_000, Some("sip:bob@example.org")),
        row(2, "other.txt", 1_001_000, Some("sip:bob@example.org")),
        row(3, "lost.txt", 1_001_000, None),
    ]);
    let mut waiting = row(4, "pending.png", 1_001_000, Some("sip:bob@example.org"));
    waiting.transfer.state = "offered".into();
    list.apply_stored(&[waiting]);
    assert!(
        list.get(TransferKey::Stored(4)).is_none(),
        "an offer still waiting comes again from the runtime, not as a history row"
    );
    let names: Vec<&str> = list.of(&bob()).iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["same.txt", "other.txt"]);
    assert_eq!(
        list.get(TransferKey::Stored(2)).unwrap().state,
        State::Failed {
            reason: "declined by bob".into()
        }
    );
}

#[test]
fn the_newest_transfer_of_each_conversation_is_known_for_the_preview() {
    let mut list = Transfers::default();
    let carol = ConversationKey::stored("work", "sip:carol@example.org");
    list.offered(TransferId(1), bob(), "old.txt", None, 100);
    list.offered(TransferId(2), bob(), "new.txt", None, 200);
    list.sending(
        TransferId(3),
        carol.clone(),
        std::path::Path::new("/nonexistent/x.bin"),
        150,
    );
    let latest = list.latest();
    assert_eq!(
        latest.get(&bob()).map(|l| (l.name.as_str(), l.incoming)),
        Some(("new.txt", true))
    );
    let to_carol = latest.get(&carol).unwrap();
    assert_eq!(
        (to_carol.name.as_str(), to_carol.incoming, to_carol.at),
        ("x.bin", false, 150)
    );
    assert_eq!(
        list.get(live(3)).unwrap().size,
        None,
        "a file that cannot be read has no size"
    );
}

#[test]
fn a_resumed_transfer_shows_as_running_from_where_it_stopped() {
    let mut list = Transfers::default();
    // The peer resumes a file accepted in an earlier run: no offer first.
    list.resuming(TransferId(4), bob(), true, "big.iso", 4 << 20, 10 << 20, 100);
    let card = list.get(live(4)).unwrap();
    assert!(card.incoming);
    assert_eq!(card.conversation, bob());
    assert_eq!(
        card.state,
        State::Running {
            bytes: 4 << 20,
            total: 10 << 20,
            rate: 0
        }
    );
    assert_eq!(
        list.update(Message::Cancel(live(4))),
        Action::Cancel {
            account: AccountId("work".into()),
            transfer: TransferId(4)
        }
    );
    // Ours, already shown as starting, picks up at the receiver's offset.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, b"x").unwrap();
    list.sending(TransferId(5), bob(), &path, 100);
    list.resuming(TransferId(5), bob(), false, "report.pdf", 8, 16, 101);
    let card = list.get(live(5)).unwrap();
    assert!(!card.incoming);
    assert_eq!(card.at, 100, "still the card the user started");
    assert!(matches!(
        card.state,
        State::Running {
            bytes: 8,
            total: 16,
            ..
        }
    ));
    // A finished one is not brought back to life by a late event.
    list.done(TransferId(5), path.clone(), 16);
    list.resuming(TransferId(5), bob(), false, "report.pdf", 8, 16, 102);
    assert!(matches!(list.get(live(5)).unwrap().state, State::Done { .. }));
}
