use super::*;

fn key() -> ConversationKey {
    ConversationKey::stored("local", "sip:bob@example.org")
}

fn raw(width: u32, height: u32) -> Raw {
    Raw {
        width,
        height,
        rgba: vec![200; (width * height * 4) as usize],
    }
}

#[test]
fn files_on_the_clipboard_are_offered_before_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, b"%PDF").unwrap();
    let found = decide(
        vec![
            report.clone(),
            dir.path().join("gone.txt"),
            dir.path().to_path_buf(),
        ],
        Some(raw(4, 4)),
        dir.path(),
        "1",
    );
    let offer = PasteOffer::new(key(), "Bob".into(), found).unwrap();
    assert_eq!(offer.paths(), vec![report.clone()], "only existing files");
    assert_eq!(offer.update(Message::Send), Action::Send(key(), vec![report]));
    assert_eq!(offer.update(Message::Cancel), Action::Cancel(None));
    assert!(!dir.path().join("pasted-1.png").exists(), "no picture written");
}

#[test]
fn a_picture_is_written_as_png_and_removed_on_cancel_by_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pasted");
    let found = decide(Vec::new(), Some(raw(300, 150)), &folder, "20261207-150000");
    let Found::Picture { path, preview } = &found else {
        panic!("no picture: {found:?}");
    };
    assert_eq!(path, &folder.join("pasted-20261207-150000.png"));
    assert_eq!((preview.width, preview.height), (PREVIEW_SIDE, 100));
    let written = ::image::open(path).unwrap();
    assert_eq!((written.width(), written.height()), (300, 150));
    let offer = PasteOffer::new(key(), "Bob".into(), found.clone()).unwrap();
    assert_eq!(
        offer.update(Message::Send),
        Action::Send(key(), vec![path.clone()])
    );
    assert_eq!(offer.update(Message::Cancel), Action::Cancel(Some(path.clone())));
}

#[test]
fn text_only_offers_nothing_and_a_bad_picture_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = decide(Vec::new(), None, dir.path(), "1");
    assert!(PasteOffer::new(key(), "Bob".into(), nothing).is_none());
    let short = Raw {
        width: 10,
        height: 10,
        rgba: vec![0; 12],
    };
    let Found::Problem(words) = decide(Vec::new(), Some(short), dir.path(), "1") else {
        panic!("not a problem");
    };
    assert_eq!(words, "The picture on the clipboard is damaged.");
    let huge = Raw {
        width: 20_000,
        height: 20_000,
        rgba: Vec::new(),
    };
    let Found::Problem(words) = decide(Vec::new(), Some(huge), dir.path(), "1") else {
        panic!("not a problem");
    };
    assert_eq!(words, "The picture on the clipboard is too large to send.");
}
