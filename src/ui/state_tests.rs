//! Loading and saving the window state, and bad files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn sample() -> WindowState {
    WindowState {
        width: 1280.0,
        height: 820.0,
        position: Some((40.0, 60.0)),
        last_conversation: Some(SavedConversation {
            account: "work".into(),
            peer: "sip:bob@example.org".into(),
        }),
        theme: ThemeChoice::Dark,
        language: Some(Language::German),
        account_offer_dismissed: true,
        notify_messages: false,
        download_dir: Some("/home/me/Incoming".into()),
        message_sounds: false,
        mute_until: Some(1_796_648_400),
        keep_running: Some(true),
        away_after_minutes: Some(15),
        notify_online: [3, 7].into_iter().collect(),
    }
}

#[test]
fn a_saved_state_loads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = WindowState::path_in(&dir.path().join("not-yet-created"));
    sample().save(&path).unwrap();
    assert_eq!(WindowState::read(&path).unwrap(), Some(sample()));
    assert_eq!(WindowState::load(&path), sample());
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from(STATE_FILE)]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("theme: dark"), "{text}");
    assert!(text.contains("language: Some(de)"), "{text}");
}

#[test]
fn a_missing_file_gives_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STATE_FILE);
    assert_eq!(WindowState::read(&path).unwrap(), None);
    assert_eq!(WindowState::load(&path), WindowState::default());
    assert_eq!(WindowState::default().theme, ThemeChoice::System);
}

#[test]
fn corrupt_files_give_the_defaults_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STATE_FILE);
    for bad in [
        "(width: 800.0, height: ",
        "\u{0}\u{1}garbage",
        "(theme: purple)",
        "[1, 2, 3]",
    ] {
        std::fs::write(&path, bad).unwrap();
        let err = WindowState::read(&path).unwrap_err();
        assert!(matches!(err, StateError::Parse { .. }), "{bad}: {err}");
        assert!(err.to_string().contains("is not a valid window state"), "{err}");
        assert_eq!(WindowState::load(&path), WindowState::default());
    }
    std::fs::write(&path, vec![b' '; (MAX_STATE_BYTES + 1) as usize]).unwrap();
    assert!(matches!(
        WindowState::read(&path),
        Err(StateError::TooLarge { .. })
    ));
    assert_eq!(WindowState::load(&path), WindowState::default());
    // A directory where the file should be.
    let dir_path = dir.path().join("a-dir");
    std::fs::create_dir(&dir_path).unwrap();
    assert_eq!(WindowState::load(&dir_path), WindowState::default());
}

#[test]
fn partial_and_odd_files_keep_what_is_usable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STATE_FILE);
    std::fs::write(&path, "(theme: light, future_field: 3)").unwrap();
    let state = WindowState::load(&path);
    assert_eq!(state.theme, ThemeChoice::Light);
    assert_eq!((state.width, state.height), DEFAULT_SIZE);

    std::fs::write(&path, "(width: 100.0, height: 1e30, position: Some((1.0, 2.0)))").unwrap();
    let state = WindowState::load(&path);
    assert_eq!((state.width, state.height), (MIN_SIZE.0, DEFAULT_SIZE.1));
    assert_eq!(state.position, Some((1.0, 2.0)));

    std::fs::write(&path, "(width: -5.0, position: Some((1e9, 2.0)))").unwrap();
    let state = WindowState::load(&path);
    assert_eq!(state.width, DEFAULT_SIZE.0);
    assert_eq!(state.position, None);
}

#[test]
fn saving_where_it_cannot_write_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let err = sample().save(&blocker.join(STATE_FILE)).unwrap_err();
    assert!(matches!(err, StateError::Write { .. }), "{err}");
}
