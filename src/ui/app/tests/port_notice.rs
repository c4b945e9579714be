//! The port-clash notice names the port the local account took instead,
//! once the runtime says where it listens.

use super::*;
use crate::ui::i18n::{set_language, Language};
use sipchat::model::RegistrationState;

fn listening(address: &str) -> Message {
    Message::Runtime(Event::AccountState {
        account: local(),
        state: RegistrationState::Listening {
            address: address.into(),
            addresses: vec![address.into()],
        },
    })
}

fn app_with_notice(notice: Words) -> App {
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (app, _) = App::new(
        Recorder::default(),
        EventSource::runtime(rx),
        vec![local()],
        Some(local()),
        Startup {
            notice: Some(notice),
            ..Startup::default()
        },
    );
    app
}

#[test]
fn the_port_clash_notice_names_the_port_taken_instead() {
    set_language(Language::English);
    let mut app = app_with_notice(w!("notice-local-port-taken", port = 5060u16));
    let _ = app.update(listening("192.0.2.2:5062"));
    assert_eq!(
        app.notice_text().as_deref(),
        Some("Port 5060 is in use by another program; sipchat listens on 5062 instead.")
    );

    let mut app = app_with_notice(w!("notice-local-port-denied", port = 80u16));
    let _ = app.update(listening("[::1]:40100"));
    let text = app.notice_text().unwrap_or_default();
    assert!(text.contains("80") && text.contains("40100"), "{text}");
}

#[test]
fn other_notices_are_left_as_they_are() {
    set_language(Language::English);
    let mut app = app_with_notice(w!("notice-runtime-stopped"));
    let before = app.notice_text();
    let _ = app.update(listening("192.0.2.2:5062"));
    assert_eq!(app.notice_text(), before);
}
