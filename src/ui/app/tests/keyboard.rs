//! Links, copying and the window's keys through the update loop: a
//! clicked link reaches the (faked) desktop opener or opens a
//! conversation; Ctrl+Tab and Alt+Up/Down move between conversations.

use super::*;
use crate::ui::keys::key_message;
use iced::event::Status;
use iced::keyboard::{key::Named, Key, Modifiers};

/// Records the links handed to the desktop.
#[derive(Clone, Default)]
struct FakeOpener(Arc<Mutex<Vec<String>>>);

impl Opener for FakeOpener {
    fn open(&self, link: &str) {
        if let Ok(mut opened) = self.0.lock() {
            opened.push(link.to_string());
        }
    }
}

impl FakeOpener {
    fn opened(&self) -> Vec<String> {
        self.0.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

fn click(app: &mut App, link: &str) {
    let _ = app.update(Message::Pane(pane::Message::Link(link.into())));
}

#[test]
fn web_and_mail_links_go_to_the_desktop_and_sip_links_open_a_conversation() {
    let (mut app, _recorder) = app();
    let opener = FakeOpener::default();
    app.opener = Box::new(opener.clone());
    with_bob(&mut app);
    open_bob(&mut app);
    click(&mut app, "https://example.org/page");
    click(&mut app, "mailto:carol@example.org");
    assert_eq!(
        opener.opened(),
        ["https://example.org/page", "mailto:carol@example.org"]
    );
    click(&mut app, "sip:carol@example.org");
    assert_eq!(opener.opened().len(), 2, "a SIP link stays in sipchat");
    assert_eq!(
        app.conversations.open_key().map(|k| k.peer.as_str()),
        Some("sip:carol@example.org")
    );
}

fn key(named: Named, modifiers: Modifiers) -> Option<Message> {
    key_message(&Key::Named(named), modifiers, Status::Captured)
}

fn switch(app: &mut App, named: Named, modifiers: Modifiers) -> Option<String> {
    let message = key(named, modifiers).expect("a conversation key");
    let _ = app.update(message);
    app.conversations.open_key().map(|k| k.peer.clone())
}

#[test]
fn ctrl_tab_and_alt_arrows_walk_the_conversation_list_and_wrap() {
    let (mut app, _recorder) = app();
    let list = vec![
        summary("sip:carol@example.org", 0, 9_000, "newest"),
        summary(BOB, 0, 5_000, "older"),
        summary("sip:dave@example.org", 0, 1_000, "oldest"),
    ];
    let _ = app.update(Message::Runtime(Event::Conversations(list)));
    let carol = Some("sip:carol@example.org".to_string());
    let dave = Some("sip:dave@example.org".to_string());
    // Nothing open: forward starts at the top.
    assert_eq!(switch(&mut app, Named::Tab, Modifiers::CTRL), carol);
    assert_eq!(switch(&mut app, Named::Tab, Modifiers::CTRL), Some(BOB.into()));
    assert_eq!(switch(&mut app, Named::ArrowDown, Modifiers::ALT), dave);
    assert_eq!(switch(&mut app, Named::ArrowDown, Modifiers::ALT), carol);
    assert_eq!(
        switch(&mut app, Named::Tab, Modifiers::CTRL | Modifiers::SHIFT),
        dave
    );
    assert_eq!(switch(&mut app, Named::ArrowUp, Modifiers::ALT), Some(BOB.into()));
}

#[test]
fn plain_tab_and_arrows_are_not_conversation_keys() {
    assert!(matches!(
        key_message(&Key::Named(Named::Tab), Modifiers::empty(), Status::Ignored),
        Some(Message::FocusNext)
    ));
    assert!(key(Named::ArrowUp, Modifiers::empty()).is_none());
    assert!(key(Named::ArrowUp, Modifiers::ALT | Modifiers::CTRL).is_none());
    assert!(matches!(
        key_message(&Key::Character("f".into()), Modifiers::CTRL, Status::Captured),
        Some(Message::Find)
    ));
}

#[test]
fn escape_closes_the_message_menu_before_anything_else() {
    let (mut app, _recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let _ = app.update(Message::Pane(pane::Message::Menu(MessageId(1))));
    let _ = app.update(Message::Escape);
    assert!(!app.pane.escape(), "the menu was closed by the first Esc");
    assert!(app.conversations.open_key().is_some());
}
