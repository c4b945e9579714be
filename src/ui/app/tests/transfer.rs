//! File transfers through the window's update loop: offers and their
//! answers, progress, cancel, the finished file's actions, dropped files,
//! history rows, and Esc over the alert log.

use super::*;
use crate::ui::account_settings::AccountSettings;
use crate::ui::app::files::FileMessage;
use crate::ui::transfers::{self, State, TransferKey};
use sipchat::config::{AccountConfig, Config};
use sipchat::model::TransferId;
use sipchat::model::{NewTransfer, StoredTransfer};
use std::cell::RefCell;

fn offer(app: &mut App, id: u64) {
    let _ = app.update(Message::Runtime(Event::TransferOffered {
        account: local(),
        transfer: TransferId(id),
        from: BOB.into(),
        name: "report.pdf".into(),
        size: Some(3 * 1024 * 1024),
        mime: Some("application/pdf".into()),
        sha1: None,
        via: sipchat::runtime::TransferVia::Session,
    }));
}

fn button(app: &mut App, message: transfers::Message) {
    let _ = app.update(Message::Pane(pane::Message::Transfer(message)));
}

fn state(app: &App, id: u64) -> State {
    app.transfers
        .get(TransferKey::Live(TransferId(id)))
        .map(|t| t.state.clone())
        .expect("the transfer is known")
}

/// An app whose local account saves files in `dir`.
fn app_saving_to(dir: &std::path::Path) -> (App, Recorder) {
    let mut account = AccountConfig::new("local", "sip:me@127.0.0.1");
    account.download_dir = Some(dir.to_path_buf());
    let settings = AccountSettings::new(&Config::default(), vec![account], None);
    app_with(Startup {
        accounts: settings,
        ..Startup::default()
    })
}

#[test]
fn an_offer_shows_in_its_conversation_and_accept_saves_to_the_download_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, recorder) = app_saving_to(dir.path());
    recorder.take();
    offer(&mut app, 41);
    let key = ConversationKey::new(&local(), BOB);
    assert!(app.conversations.get(&key).is_some(), "the conversation appears");
    assert_eq!(app.transfers.offer_conversations(), std::slice::from_ref(&key));
    assert_eq!(state(&app, 41), State::Offered);
    let _ = app.view();
    // Not open: a banner's Accept answers it as well as the card's.
    let _ = app.update(Message::Files(FileMessage::Transfer(transfers::Message::Accept(
        TransferKey::Live(TransferId(41)),
    ))));
    assert_eq!(
        recorder.take(),
        [Command::AcceptTransfer {
            account: local(),
            transfer: TransferId(41),
            dir: dir.path().to_path_buf(),
        }]
    );
    assert_eq!(state(&app, 41), State::Starting);
    assert!(app.transfers.offer_conversations().is_empty(), "no more badge");
    // A second press does nothing more.
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(41))),
    );
    assert!(recorder.take().is_empty());
}

#[test]
fn without_a_folder_of_its_own_accept_uses_the_desktop_download_folder() {
    let (mut app, recorder) = app();
    offer(&mut app, 42);
    recorder.take();
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(42))),
    );
    assert_eq!(
        recorder.take(),
        [Command::AcceptTransfer {
            account: local(),
            transfer: TransferId(42),
            dir: files::default_download_dir(),
        }]
    );
}

#[test]
fn decline_answers_the_offer_and_the_reason_shows_when_it_fails() {
    let (mut app, recorder) = app();
    offer(&mut app, 43);
    recorder.take();
    button(
        &mut app,
        transfers::Message::Decline(TransferKey::Live(TransferId(43))),
    );
    assert_eq!(
        recorder.take(),
        [Command::DeclineTransfer {
            account: local(),
            transfer: TransferId(43),
        }]
    );
    let _ = app.update(Message::Runtime(Event::TransferFailed {
        transfer: TransferId(43),
        reason: "declined by you".into(),
    }));
    assert_eq!(
        state(&app, 43),
        State::Failed {
            reason: "declined by you".into()
        }
    );
}

#[test]
fn progress_moves_the_bar_and_cancel_stops_the_transfer() {
    let (mut app, recorder) = app();
    offer(&mut app, 44);
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(44))),
    );
    recorder.take();
    let total = 3 * 1024 * 1024;
    let _ = app.update(Message::Runtime(Event::TransferProgress {
        transfer: TransferId(44),
        bytes: 1024 * 1024,
        total,
        rate: 512 * 1024,
    }));
    assert_eq!(
        state(&app, 44),
        State::Running {
            bytes: 1024 * 1024,
            total,
            rate: 512 * 1024
        }
    );
    assert_eq!(
        transfers::progress_words(1024 * 1024, total, 512 * 1024),
        "1.0 MB of 3.0 MB · 512 KB/s · 4 s left"
    );
    let _ = app.update(Message::Runtime(Event::TransferProgress {
        transfer: TransferId(44),
        bytes: 2 * 1024 * 1024,
        total,
        rate: 1024 * 1024,
    }));
    assert!(
        matches!(state(&app, 44), State::Running { bytes, rate, .. } if bytes == 2 * 1024 * 1024 && rate == 1024 * 1024)
    );
    let _ = app.view();
    button(
        &mut app,
        transfers::Message::Cancel(TransferKey::Live(TransferId(44))),
    );
    assert_eq!(
        recorder.take(),
        [Command::CancelTransfer {
            account: local(),
            transfer: TransferId(44),
        }]
    );
}

thread_local! {
    static OPENED: RefCell<Vec<std::path::PathBuf>> = const { RefCell::new(Vec::new()) };
}

fn record_open(path: &std::path::Path) {
    OPENED.with(|o| o.borrow_mut().push(path.to_path_buf()));
}

#[test]
fn a_finished_file_offers_open_and_show_in_folder() {
    let (mut app, _recorder) = app();
    app.open_path = record_open;
    offer(&mut app, 45);
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(45))),
    );
    // Open before it is done does nothing.
    button(
        &mut app,
        transfers::Message::Open(TransferKey::Live(TransferId(45))),
    );
    assert!(OPENED.with(|o| o.borrow().is_empty()));
    let path = std::path::PathBuf::from("/home/me/Downloads/report.pdf");
    let _ = app.update(Message::Runtime(Event::TransferDone {
        transfer: TransferId(45),
        incoming: true,
        path: path.clone(),
        size: 3 * 1024 * 1024,
        sha1: "00".repeat(20),
        via: sipchat::runtime::TransferVia::Session,
        note: None,
    }));
    assert_eq!(state(&app, 45), State::Done { path: path.clone() });
    let _ = app.view();
    button(
        &mut app,
        transfers::Message::Open(TransferKey::Live(TransferId(45))),
    );
    button(
        &mut app,
        transfers::Message::ShowInFolder(TransferKey::Live(TransferId(45))),
    );
    assert_eq!(
        OPENED.with(|o| o.borrow().clone()),
        [path, std::path::PathBuf::from("/home/me/Downloads")]
    );
}

#[test]
fn a_file_dropped_on_the_open_conversation_is_sent_to_it() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photo.jpg");
    std::fs::write(&file, b"not really a photo").unwrap();
    // Nothing open: only a hint.
    let _ = app.update(Message::Files(FileMessage::Dropped(file.clone())));
    assert!(recorder
        .take()
        .iter()
        .all(|c| !matches!(c, Command::SendFile { .. })));
    assert!(app.info.is_some(), "a hint says to open a conversation");
    open_bob(&mut app);
    recorder.take();
    let _ = app.update(Message::Files(FileMessage::Dropped(file.clone())));
    let sent = recorder.take();
    let [Command::SendFile {
        id,
        account,
        to,
        path,
        mode,
    }] = sent.as_slice()
    else {
        panic!("one SendFile expected, got {sent:?}");
    };
    assert_eq!((account, path), (&local(), &file));
    assert_eq!(
        *mode,
        sipchat::runtime::FileSendMode::Auto,
        "small files may go as a message"
    );
    assert_eq!(to, &format!("{BOB};transport=udp"));
    let key = TransferKey::Live(*id);
    let shown = app.transfers.get(key).unwrap();
    assert_eq!(
        (shown.name.as_str(), shown.size, shown.incoming),
        ("photo.jpg", Some(18), false)
    );
    assert_eq!(app.transfers.of(&bob()).len(), 1, "in bob's timeline");
    // The attach dialog's answer sends the same way; a folder is refused.
    let _ = app.update(Message::Files(FileMessage::Chosen {
        key: bob(),
        paths: vec![dir.path().to_path_buf()],
    }));
    assert!(recorder.take().is_empty());
    assert!(app.notice.is_some(), "a folder is not sent");
    let _ = app.view();
}

#[test]
fn past_transfers_come_from_the_history_once() {
    let (mut app, recorder) = app();
    assert!(recorder
        .take()
        .contains(&Command::LoadTransfers { account: None }));
    with_bob(&mut app);
    let row = |id: i64, state: &str, name: &str| StoredTransfer {
        id,
        transfer: NewTransfer {
            account: "local".into(),
            peer_key: Some(BOB.into()),
            direction: sipchat::model::Direction::In,
            file_name: name.into(),
            size: Some(2048),
            sha1: None,
            path: Some(format!("/tmp/{name}")),
            state: state.into(),
            started_at: 4_000,
            peer: None,
            resume_bytes: None,
            part_path: None,
        },
        finished_at: Some(4_500),
    };
    let rows = vec![
        row(2, "failed: the connection was lost", "b.bin"),
        row(1, "done", "a.txt"),
    ];
    let _ = app.update(Message::Runtime(Event::Transfers(rows.clone())));
    let _ = app.update(Message::Runtime(Event::Transfers(rows)));
    let shown: Vec<(String, State)> = app
        .transfers
        .of(&bob())
        .iter()
        .map(|t| (t.name.clone(), t.state.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "a.txt".to_string(),
                State::Done {
                    path: "/tmp/a.txt".into()
                }
            ),
            (
                "b.bin".to_string(),
                State::Failed {
                    reason: "the connection was lost".into()
                }
            ),
        ]
    );
    assert_eq!(
        app.conversations.get(&bob()).map(|c| c.last_activity),
        Some(5),
        "the list already had bob at 5 s; files do not make him older"
    );
    let mut newer = row(3, "done", "c.txt");
    newer.transfer.started_at = 9_000;
    let _ = app.update(Message::Runtime(Event::Transfers(vec![newer])));
    assert_eq!(app.conversations.get(&bob()).map(|c| c.last_activity), Some(9));
    open_bob(&mut app);
    let _ = app.view();
}

#[test]
fn esc_closes_the_alert_log_before_the_search() {
    let (mut app, _) = app();
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    assert!(app.alerts.log_open());
    let _ = app.update(Message::Escape);
    assert!(!app.alerts.log_open());
    // With settings open over the log, Esc closes the settings first.
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    let _ = app.update(Message::Escape);
    assert!(!app.settings_open);
    assert!(app.alerts.log_open());
    let _ = app.update(Message::Escape);
    assert!(!app.alerts.log_open());
}

#[test]
fn the_runtime_stopping_ends_running_transfers() {
    let (mut app, _) = app();
    offer(&mut app, 46);
    let _ = app.update(Message::Runtime(Event::Stopped));
    assert!(matches!(state(&app, 46), State::Failed { .. }));
}

#[test]
fn dragging_files_over_the_window_shows_where_they_go_until_dropped_or_gone() {
    let (mut app, _) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let _ = app.update(Message::Files(FileMessage::Dragging(true)));
    assert!(app.dragging);
    let _ = app.view();
    let _ = app.update(Message::Files(FileMessage::Dragging(false)));
    assert!(!app.dragging);
    let _ = app.update(Message::Files(FileMessage::Dragging(true)));
    let _ = app.update(Message::Files(FileMessage::Dropped("/nonexistent/file".into())));
    assert!(!app.dragging, "a drop ends the dragging");
    assert!(app.notice.is_some(), "a path that is no file is refused in words");
}

#[test]
fn a_file_that_did_not_get_through_can_be_sent_again_from_its_card() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("thesis.pdf");
    std::fs::write(&file, b"%PDF").unwrap();
    recorder.take();
    let _ = app.update(Message::Files(FileMessage::Dropped(file.clone())));
    let first = match recorder.take().as_slice() {
        [Command::SendFile { id, .. }] => *id,
        other => panic!("one SendFile expected, got {other:?}"),
    };
    // Not while it runs: Send again only follows a failure.
    button(&mut app, transfers::Message::SendAgain(TransferKey::Live(first)));
    assert!(recorder.take().is_empty());
    let _ = app.update(Message::Runtime(Event::TransferFailed {
        transfer: first,
        reason: "the connection was lost; sending again resumes".into(),
    }));
    let _ = app.view();
    button(&mut app, transfers::Message::SendAgain(TransferKey::Live(first)));
    let sent = recorder.take();
    let [Command::SendFile { id, to, path, .. }] = sent.as_slice() else {
        panic!("one SendFile expected, got {sent:?}");
    };
    assert_ne!(*id, first, "a new transfer");
    assert_eq!(path, &file);
    assert!(to.starts_with(BOB));
    assert_eq!(app.transfers.of(&bob()).len(), 2);

    // From the history: an interrupted one of ours says what to do and
    // can be sent again; an interrupted incoming one cannot.
    let row = |id: i64, direction, name: &str| StoredTransfer {
        id,
        transfer: NewTransfer {
            account: "local".into(),
            peer_key: Some(BOB.into()),
            direction,
            file_name: name.into(),
            size: Some(2048),
            sha1: None,
            path: Some(file.display().to_string()),
            state: "interrupted".into(),
            started_at: 4_000,
            peer: Some(BOB.into()),
            resume_bytes: Some(1024),
            part_path: None,
        },
        finished_at: None,
    };
    let _ = app.update(Message::Runtime(Event::Transfers(vec![
        row(7, sipchat::model::Direction::Out, "thesis.pdf"),
        row(8, sipchat::model::Direction::In, "slides.odp"),
    ])));
    let State::Failed { reason } = app.transfers.get(TransferKey::Stored(7)).unwrap().state.clone() else {
        panic!("an interrupted transfer shows as not transferred");
    };
    assert!(reason.contains("send it again"), "{reason}");
    button(&mut app, transfers::Message::SendAgain(TransferKey::Stored(8)));
    assert!(recorder.take().is_empty(), "not for a file bob sends");
    button(&mut app, transfers::Message::SendAgain(TransferKey::Stored(7)));
    assert!(matches!(
        recorder.take().as_slice(),
        [Command::SendFile { path, .. }] if path == &file
    ));
}

#[test]
fn the_folder_chosen_in_settings_takes_files_of_accounts_without_one() {
    let (mut app, recorder) = app();
    let chosen = tempfile::tempdir().unwrap();
    let incoming = chosen.path().join("Incoming");
    let _ = app.update(Message::Settings(settings::Message::DownloadDirChosen(
        incoming.clone(),
    )));
    assert_eq!(app.state().download_dir.as_ref(), Some(&incoming), "remembered");
    let _ = app.view();
    offer(&mut app, 43);
    recorder.take();
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(43))),
    );
    assert_eq!(
        recorder.take(),
        [Command::AcceptTransfer {
            account: local(),
            transfer: TransferId(43),
            dir: incoming.clone(),
        }]
    );
    assert!(incoming.is_dir(), "a folder that was not there yet is made");
    // Back to the desktop's folder.
    let _ = app.update(Message::Settings(settings::Message::DefaultDownloadDir));
    assert_eq!(app.state().download_dir, None);
    offer(&mut app, 44);
    recorder.take();
    button(
        &mut app,
        transfers::Message::Accept(TransferKey::Live(TransferId(44))),
    );
    assert!(matches!(
        recorder.take().as_slice(),
        [Command::AcceptTransfer { dir, .. }] if *dir == files::default_download_dir()
    ));
}

#[test]
fn without_a_file_chooser_a_typed_path_is_sent() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, b"the notes").unwrap();
    recorder.take();
    let _ = app.update(Message::Files(FileMessage::NoChooser(bob())));
    assert!(app.path_field().is_some(), "the path field is offered");
    // A blank path sends nothing and keeps the field.
    let _ = app.update(Message::Files(FileMessage::PathSubmitted));
    assert!(app.path_prompt.is_some());
    let typed = format!("  {}  ", file.display());
    let _ = app.update(Message::Files(FileMessage::PathTyped(typed)));
    let _ = app.update(Message::Files(FileMessage::PathSubmitted));
    assert!(app.path_prompt.is_none());
    let sent = recorder.take();
    assert!(
        matches!(sent.as_slice(), [Command::SendFile { path, .. }] if *path == file),
        "{sent:?}"
    );
    // Esc closes the field without sending.
    let _ = app.update(Message::Files(FileMessage::NoChooser(bob())));
    let _ = app.update(Message::Escape);
    assert!(app.path_prompt.is_none());
    assert!(recorder.take().is_empty());
}
