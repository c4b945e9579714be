//! Pictures through the window's update loop (#15, #17): contact photos
//! decoded once and drawn, picture previews of finished transfers opened
//! with the desktop's handler, and Ctrl+V offering a picture or files.

use super::*;
use crate::ui::app::media_glue::MediaMessage;
use crate::ui::avatar;
use crate::ui::conversation::paste::{self, Found};
use crate::ui::conversation::preview::{self, Slot};
use crate::ui::links::Opener;
use crate::ui::picture::tests::encoded;
use ::image::ImageFormat;
use sipchat::model::{Contact, ContactDraft, ContactId, ContactRef, TransferId};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default, Clone)]
struct Opened(Arc<Mutex<Vec<String>>>);

impl Opener for Opened {
    fn open(&self, link: &str) {
        if let Ok(mut opened) = self.0.lock() {
            opened.push(link.to_string());
        }
    }
}

fn bob_with_photo(photo: &str) -> Contact {
    Contact {
        id: ContactId(7),
        details: ContactDraft {
            name: "Bob".into(),
            addresses: vec![BOB.into()],
            photo: Some(photo.into()),
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

#[test]
fn a_contact_photo_is_decoded_once_and_drawn_where_bob_appears() {
    let (mut app, _recorder) = app();
    let mut summary = summary(BOB, 0, 5_000, "hi");
    summary.contact = Some(ContactRef {
        id: ContactId(7),
        name: "Bob".into(),
        blocked: false,
    });
    let _ = app.update(Message::Runtime(Event::Conversations(vec![summary])));
    let png = encoded(50, 40, ImageFormat::Png);
    let uri = format!(
        "data:image/png;base64,{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, png)
    );
    let _ = app.update(Message::Runtime(Event::Contacts(vec![bob_with_photo(&uri)])));
    // The update asked for it (the task runs off the UI thread); asking
    // again finds nothing new.
    assert!(app.sidebar.contacts.wanted_photos().is_empty());
    assert!(app.sidebar.contacts.photos.get(Some(ContactId(7))).is_none());
    let job = avatar::PhotoJob {
        contact: ContactId(7),
        fingerprint: {
            let mut fresh = avatar::Photos::default();
            fresh.wanted(&[bob_with_photo(&uri)])[0].fingerprint
        },
        uri: uri.clone(),
    };
    let _ = app.update(Message::Media(MediaMessage::Photos(avatar::decode_all(vec![
        job,
    ]))));
    assert!(app.sidebar.contacts.photos.get(Some(ContactId(7))).is_some());
    // The same list again decodes nothing.
    let _ = app.update(Message::Runtime(Event::Contacts(vec![bob_with_photo(&uri)])));
    assert!(app.sidebar.contacts.wanted_photos().is_empty());
    assert!(app.sidebar.contacts.photos.get(Some(ContactId(7))).is_some());
    // The list, the header, the contact page and the folded sidebar draw.
    open_bob(&mut app);
    let _ = app.view();
    let _ = app.update(Message::Resized(iced::Size::new(700.0, 500.0)));
    let _ = app.view();
    let _ = app.update(Message::ContactPage(crate::ui::contacts::page::Message::Close));
    app.show_contact(ContactId(7));
    let _ = app.view();
}

#[test]
fn a_received_picture_is_previewed_and_a_click_opens_it_with_the_desktop() {
    let dir = tempfile::tempdir().unwrap();
    let picture = dir.path().join("beach.png");
    std::fs::write(&picture, encoded(600, 300, ImageFormat::Png)).unwrap();
    let (mut app, _recorder) = app();
    let opened = Opened::default();
    app.opener = Box::new(opened.clone());
    with_bob(&mut app);
    open_bob(&mut app);
    let _ = app.update(Message::Runtime(Event::TransferOffered {
        account: local(),
        transfer: TransferId(91),
        from: BOB.into(),
        name: "beach.png".into(),
        size: Some(1000),
        mime: Some("image/png".into()),
        sha1: None,
        via: sipchat::runtime::TransferVia::Session,
    }));
    assert!(
        app.media.previews.get(&picture).is_none(),
        "not before it is done"
    );
    let _ = app.update(Message::Runtime(Event::TransferDone {
        transfer: TransferId(91),
        incoming: true,
        path: picture.clone(),
        size: 1000,
        sha1: "00".repeat(20),
        via: sipchat::runtime::TransferVia::Session,
        note: None,
    }));
    assert!(matches!(app.media.previews.get(&picture), Some(Slot::Loading)));
    let _ = app.view();
    let decoded = preview::decode_all(vec![picture.clone()]);
    let _ = app.update(Message::Media(MediaMessage::Previews(decoded)));
    let Some(Slot::Ready(thumbnail)) = app.media.previews.get(&picture) else {
        panic!("no preview");
    };
    assert_eq!(
        (thumbnail.width, thumbnail.height),
        (preview::THUMBNAIL_SIDE, 120)
    );
    let _ = app.view();
    // The thumbnail's click.
    let _ = app.update(Message::Pane(pane::Message::Link(picture.display().to_string())));
    assert_eq!(
        opened.0.lock().unwrap().clone(),
        vec![picture.display().to_string()]
    );
}

#[test]
fn pasted_files_are_offered_and_sent_through_the_send_file_path() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, b"%PDF-1.7").unwrap();
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    let found = paste::decide(vec![report.clone()], None, dir.path(), "1");
    let _ = app.update(Message::Media(MediaMessage::Pasted(bob(), found)));
    assert!(app.media.paste.is_some(), "the dialog is open");
    let _ = app.view();
    assert!(recorder.take().is_empty(), "nothing sent before Send");
    let _ = app.update(Message::Media(MediaMessage::Paste(paste::Message::Send)));
    assert!(app.media.paste.is_none());
    let sent: Vec<_> = recorder
        .take()
        .into_iter()
        .filter_map(|c| match c {
            Command::SendFile { to, path, .. } => Some((to, path)),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1, report);
}

#[test]
fn a_pasted_picture_cancelled_with_esc_is_removed_and_text_offers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    let raw = paste::Raw {
        width: 20,
        height: 10,
        rgba: vec![255; 20 * 10 * 4],
    };
    let found = paste::decide(Vec::new(), Some(raw), dir.path(), "2");
    let Found::Picture { path, .. } = &found else {
        panic!("no picture");
    };
    let path = path.clone();
    assert!(path.exists());
    let _ = app.update(Message::Media(MediaMessage::Pasted(bob(), found)));
    let _ = app.view();
    let _ = app.update(Message::Escape);
    assert!(app.media.paste.is_none());
    assert!(!path.exists(), "the cancelled picture's file is removed");
    assert!(recorder
        .take()
        .iter()
        .all(|c| !matches!(c, Command::SendFile { .. })));
    // Text only: no dialog. A broken picture: its words as the notice.
    let _ = app.update(Message::Media(MediaMessage::Pasted(bob(), Found::Nothing)));
    assert!(app.media.paste.is_none());
    let problem = Found::Problem("The picture on the clipboard is damaged.".into());
    let _ = app.update(Message::Media(MediaMessage::Pasted(bob(), problem)));
    assert!(app.media.paste.is_none());
    assert_eq!(
        app.notice_text().as_deref(),
        Some("The picture on the clipboard is damaged.")
    );
}

#[test]
fn ctrl_v_in_the_composer_asks_the_clipboard() {
    let (mut app, _recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    // The composer's binding reports Paste; the app answers with a task
    // reading the clipboard off the UI thread (not run here).
    let task = app.update(Message::Pane(pane::Message::Paste));
    assert!(task.units() > 0, "a clipboard read was started");
}
