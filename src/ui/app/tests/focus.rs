//! Keyboard focus in every dialog: the Tab order of each dialog's chain
//! (every field and every button, so a skipped one fails here), Tab
//! wrapping round, and Enter / Space pressing the focused control.

use super::*;
use crate::ui::account_settings;
use crate::ui::app::duty::DutyMessage;
use crate::ui::app::media_glue::MediaMessage;
use crate::ui::conversation::paste;
use crate::ui::focus::Stop;
use crate::ui::keys::key_message;
use iced::event::Status;
use iced::keyboard::{key::Named, Key, Modifiers};

/// The open dialog's Tab order, by name.
fn order(app: &App) -> Vec<String> {
    app.focus_chain().expect("a dialog is open").names()
}

/// Tab (as iced reports it once no field has the caret).
fn tab(app: &mut App) {
    let _ = app.update(Message::FocusMoved {
        forward: true,
        caret: None,
        asked: app.focus.steps(),
    });
}

fn shift_tab(app: &mut App) {
    let _ = app.update(Message::FocusMoved {
        forward: false,
        caret: None,
        asked: app.focus.steps(),
    });
}

/// A key no widget took, through the window's key map.
fn press(app: &mut App, named: Named) {
    let message = key_message(&Key::Named(named), Modifiers::empty(), Status::Ignored)
        .expect("Enter and Space press the focused control");
    let _ = app.update(message);
}

/// Tabs `n` times from the start of the open dialog.
fn tabs(app: &mut App, n: usize) {
    for _ in 0..n {
        tab(app);
    }
}

/// Walks the whole chain with Tab: each control shows the ring in its
/// turn, each field shows none, and one more Tab is back at the start.
fn walk(app: &mut App) {
    let chain = app.focus_chain().expect("a dialog is open");
    for stop in chain.stops().iter().chain(chain.stops().first()) {
        tab(app);
        let ring = app.ring();
        match stop {
            Stop::Field(id) => assert_eq!(ring, Default::default(), "field {id} has no ring"),
            Stop::Control { .. } => assert_ne!(ring, Default::default(), "{stop:?} shows the ring"),
        }
    }
}

#[test]
fn the_account_form_tabs_through_every_field_and_button() {
    let (mut app, _) = app();
    let _ = app.update(Message::Accounts(account_settings::Message::Add));
    assert_eq!(
        order(&app),
        [
            "field account-form-address",
            "field account-form-password",
            "field account-form-display-name",
            "field account-form-proxy",
            "transport",
            "transport 1",
            "transport 2",
            "transport 3",
            "field account-form-relay",
            "field account-form-trusted",
            "field account-form-download-dir",
            "choose-folder",
            "field account-form-max-file-size",
            "field account-form-name",
            "cancel",
            "save",
        ]
    );
    walk(&mut app);
    // Shift+Tab from the address field goes round to Save; Enter saves
    // (and names the missing address).
    shift_tab(&mut app);
    press(&mut app, Named::Enter);
    let form = app.accounts.form.as_ref().expect("still open");
    assert!(form.error().is_some(), "Save was pressed");
    // Space on a transport chooses it; Space on Cancel closes.
    tabs(&mut app, 7);
    press(&mut app, Named::Space);
    let form = app.accounts.form.as_ref().expect("still open");
    assert_eq!(form.transport, crate::ui::account_form::TransportChoice::Tcp);
    tabs(&mut app, 8);
    press(&mut app, Named::Space);
    assert!(app.accounts.form.is_none(), "Cancel closed the form");
}

#[test]
fn a_click_into_a_field_is_where_tab_goes_on_from() {
    let (mut app, _) = app();
    let _ = app.update(Message::Accounts(account_settings::Message::Add));
    tabs(&mut app, 5);
    assert_ne!(app.ring(), Default::default(), "on the first transport");
    let _ = app.update(Message::Pointer);
    assert_eq!(app.ring(), Default::default(), "a click hides the ring");
    let _ = app.update(Message::FocusMoved {
        forward: true,
        caret: Some(crate::ui::account_form::NAME_FIELD),
        asked: app.focus.steps(),
    });
    press(&mut app, Named::Enter);
    assert!(
        app.accounts.form.is_none(),
        "from the name field Tab went to Cancel"
    );
}

#[test]
fn the_contact_form_tabs_to_the_favourite_box_and_both_buttons() {
    let (mut app, recorder) = app();
    app.add_contact("Bob", BOB, Some(&local()));
    assert_eq!(
        order(&app),
        [
            "field contact-form-name",
            "field contact-form-addresses",
            "field contact-form-account",
            "field contact-form-note",
            "favourite",
            "cancel",
            "save",
        ]
    );
    walk(&mut app);
    tabs(&mut app, 4);
    press(&mut app, Named::Space);
    tabs(&mut app, 2);
    press(&mut app, Named::Enter);
    let sent = recorder.take();
    let added = sent.iter().any(|c| match c {
        Command::ChangeContacts { change, .. } => {
            matches!(&**change, sipchat::runtime::ContactChange::Add { draft } if draft.favourite)
        }
        _ => false,
    });
    assert!(added, "Save sent the contact as a favourite: {sent:?}");
}

#[test]
fn the_certificate_prompt_tabs_through_its_three_buttons() {
    let (mut app, recorder) = app();
    let _ = app.update(Message::Runtime(Event::CertificateUntrusted {
        account: local(),
        certificate: sipchat::model::CertificateInfo {
            server_name: "example.org".into(),
            subject: "CN=example.org".into(),
            issuer: "CN=example.org".into(),
            names: vec!["example.org".into()],
            not_before: Some(1_700_000_000),
            not_after: Some(1_800_000_000),
            fingerprint: "AB:CD".into(),
            self_signed: true,
        },
    }));
    assert_eq!(order(&app), ["cancel", "trust-once", "always-trust"]);
    walk(&mut app);
    recorder.take();
    // Tab went round to Cancel; once more is Trust once.
    tab(&mut app);
    press(&mut app, Named::Enter);
    let sent = recorder.take();
    assert!(
        matches!(sent.as_slice(), [Command::TrustCertificate { always: false, .. }]),
        "{sent:?}"
    );
}

#[test]
fn the_conversation_menu_and_its_delete_question_reach_every_button() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    let _ = app.update(Message::OpenMenu(Some(bob())));
    assert_eq!(order(&app), ["add-to-contacts", "rename", "delete", "cancel"]);
    walk(&mut app);
    tabs(&mut app, 2);
    press(&mut app, Named::Enter);
    assert!(app.conversation_menu.as_ref().is_some_and(|m| m.asks_to_delete()));
    assert_eq!(order(&app), ["cancel", "confirm-delete"]);
    tabs(&mut app, 2);
    recorder.take();
    press(&mut app, Named::Space);
    assert!(app.conversation_menu.is_none());
    assert!(app.conversations.get(&bob()).is_none(), "deleted");

    // Rename: the field, Cancel, Save.
    with_bob(&mut app);
    let _ = app.update(Message::OpenMenu(Some(bob())));
    tabs(&mut app, 2);
    press(&mut app, Named::Enter);
    assert_eq!(order(&app), ["field conversation-rename", "cancel", "save"]);
}

#[test]
fn settings_tab_through_every_choice_the_accounts_and_close() {
    let (mut app, _) = app();
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    let order = order(&app);
    assert_eq!(
        order,
        [
            "theme",
            "theme 1",
            "theme 2",
            "language",
            "language 1",
            "language 2",
            "language 3",
            "notify-messages",
            "message-sounds",
            "mute-hour",
            "mute-tomorrow",
            "keep-running",
            "autostart",
            "away-after",
            "choose-download-dir",
            "account-add",
            "close",
        ]
    );
    walk(&mut app);
    // Space on "Dark" chooses it.
    tabs(&mut app, 2);
    press(&mut app, Named::Space);
    assert_eq!(app.state.theme, theme::ThemeChoice::Dark);
    // Enter on the auto-away list steps to the next choice (never -> 5 min).
    tabs(&mut app, 11);
    press(&mut app, Named::Enter);
    assert_eq!(app.state.away_after_minutes, Some(5));
    // Shift+Tab from the start is Close; Enter closes.
    let _ = app.update(Message::Pointer);
    let (mut app, _) = super::app();
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    shift_tab(&mut app);
    press(&mut app, Named::Enter);
    assert!(!app.settings_open);
}

#[test]
fn the_close_question_tabs_through_its_answers_and_enter_answers() {
    let (mut app, _) = app();
    let _ = app.update(Message::Duty(DutyMessage::CloseRequested));
    assert!(app.duty_asking());
    assert_eq!(order(&app), ["cancel", "quit", "keep-running"]);
    walk(&mut app);
    // Round to Cancel again: Enter answers it.
    press(&mut app, Named::Enter);
    assert!(!app.duty_asking(), "Cancel answered the question");
}

#[test]
fn enter_and_space_in_a_field_or_with_modifiers_are_not_presses() {
    let typed = key_message(&Key::Named(Named::Space), Modifiers::empty(), Status::Captured);
    assert!(typed.is_none(), "a field took the key");
    let shifted = key_message(&Key::Named(Named::Enter), Modifiers::SHIFT, Status::Ignored);
    assert!(shifted.is_none());
    // With nothing focused, a press does nothing.
    let (mut app, recorder) = app();
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    recorder.take();
    press(&mut app, Named::Enter);
    assert!(app.settings_open);
}

#[test]
fn the_alert_log_tabs_to_close_and_each_alerts_buttons() {
    let (mut app, recorder) = app();
    for (id, acknowledged) in [(7, None), (8, Some(3_000))] {
        let alert = sipchat::model::Alert {
            id,
            account: local(),
            message_id: None,
            from: "sip:alerts@example.org".into(),
            from_name: None,
            subject: Some(format!("Alert {id}")),
            priority: None,
            body: "body".into(),
            text: "body".into(),
            cap: None,
            cap_error: None,
            received_at: id * 1_000,
            acknowledged_at: acknowledged,
        };
        let _ = app.update(Message::Runtime(Event::AlertRaised(Box::new(alert))));
    }
    assert!(app.focus_chain().is_none(), "the log is closed");
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    // Newest first: 8 (acknowledged: no Acknowledge), then 7.
    assert_eq!(
        order(&app),
        [
            "close",
            "open-conversation",
            "acknowledge 1",
            "open-conversation 1"
        ]
    );
    walk(&mut app);
    tabs(&mut app, 2);
    recorder.take();
    press(&mut app, Named::Enter);
    assert_eq!(recorder.take(), [Command::AckAlert { id: 7 }]);
}

#[test]
fn the_emoji_picker_tabs_through_every_emoji_and_space_types_one() {
    let (mut app, _) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    assert!(app.focus_chain().is_none(), "the picker is closed");
    let _ = app.update(Message::Pane(pane::Message::Emojis));
    let order = order(&app);
    assert_eq!(order.len(), crate::ui::emoji::CHOICES.len());
    assert_eq!(order[..3], ["emoji", "emoji 1", "emoji 2"]);
    walk(&mut app);
    tabs(&mut app, 2);
    press(&mut app, Named::Space);
    assert_eq!(app.pane.draft(&bob()), crate::ui::emoji::CHOICES[2]);
    assert!(!app.pane.picker_open(), "picking closes the picker");
}

#[test]
fn the_paste_dialog_tabs_to_cancel_and_send_and_enter_sends_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, b"%PDF-1.7").unwrap();
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let offer = |app: &mut App| {
        let found = paste::decide(vec![report.clone()], None, dir.path(), "1");
        let _ = app.update(Message::Media(MediaMessage::Pasted(bob(), found)));
        assert!(app.media.paste.is_some(), "the dialog is open");
    };
    let sent = |recorder: &Recorder| {
        recorder
            .take()
            .into_iter()
            .filter_map(|c| match c {
                Command::SendFile { path, .. } => Some(path),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    offer(&mut app);
    assert_eq!(order(&app), ["cancel", "send"]);
    walk(&mut app);
    let _ = app.view();
    // Round to Cancel again: Space cancels, nothing is sent.
    recorder.take();
    press(&mut app, Named::Space);
    assert!(app.media.paste.is_none(), "Cancel closed the dialog");
    assert_eq!(sent(&recorder), Vec::<std::path::PathBuf>::new());
    // A new offer starts without a ring; Tab twice is Send, Enter sends
    // through the send-file path.
    offer(&mut app);
    assert_eq!(app.ring(), Default::default(), "no ring left from the last offer");
    press(&mut app, Named::Enter);
    assert!(app.media.paste.is_some(), "nothing focused, nothing pressed");
    tabs(&mut app, 2);
    press(&mut app, Named::Enter);
    assert!(app.media.paste.is_none(), "Send closed the dialog");
    assert_eq!(sent(&recorder), std::slice::from_ref(&report));
    // Shift+Tab from the start is Send too; Esc still cancels.
    offer(&mut app);
    shift_tab(&mut app);
    let _ = app.update(Message::Escape);
    assert!(app.media.paste.is_none());
    assert!(sent(&recorder).is_empty());
}

/// A permission request from `watcher` on the local account.
fn request(app: &mut App, watcher: &str) {
    let _ = app.update(Message::Runtime(Event::PresenceRequest {
        account: local(),
        watcher: watcher.into(),
    }));
}

#[test]
fn the_permission_banner_joins_the_window_between_the_sidebar_and_the_composer() {
    let (mut app, recorder) = app();
    assert!(app.focus_chain().is_none(), "no request, the window's own Tab");
    request(&mut app, "sip:carol@example.org");
    assert_eq!(
        order(&app),
        [
            "field search",
            "field new-conversation",
            "presence-allow",
            "presence-block"
        ]
    );
    with_bob(&mut app);
    open_bob(&mut app);
    assert_eq!(
        order(&app),
        [
            "field search",
            "field new-conversation",
            "presence-allow",
            "presence-block",
            "field composer"
        ]
    );
    walk(&mut app);
    let _ = app.view();
    // The folded sidebar of a narrow window has no fields to stop at.
    let _ = app.update(Message::Resized(iced::Size::new(640.0, 480.0)));
    assert_eq!(
        order(&app),
        ["presence-allow", "presence-block", "field composer"]
    );
    let _ = app.update(Message::Resized(iced::Size::new(1440.0, 900.0)));
    // From the composer (a click put the caret there) Shift+Tab is Block;
    // once more is Allow, and Enter allows, as a click would.
    let _ = app.update(Message::FocusMoved {
        forward: false,
        caret: Some(pane::COMPOSER),
        asked: app.focus.steps(),
    });
    shift_tab(&mut app);
    recorder.take();
    press(&mut app, Named::Enter);
    assert_eq!(
        recorder.take(),
        [Command::DecideWatcher {
            account: local(),
            watcher: "sip:carol@example.org".into(),
            allow: true
        }]
    );
    assert!(app.focus_chain().is_none(), "the banner went");
}

#[test]
fn space_blocks_and_a_held_key_does_not_decide_the_next_request_too() {
    let (mut app, recorder) = app();
    request(&mut app, "sip:carol@example.org");
    request(&mut app, "sip:mallory@example.org");
    tabs(&mut app, 4);
    assert_ne!(app.ring(), Default::default(), "on Block");
    recorder.take();
    press(&mut app, Named::Space);
    press(&mut app, Named::Space);
    assert_eq!(
        recorder.take(),
        [Command::DecideWatcher {
            account: local(),
            watcher: "sip:carol@example.org".into(),
            allow: false
        }],
        "the second request waits for its own decision"
    );
    assert_eq!(app.ring(), Default::default(), "the decision took the ring");
    // Dialogs stack over the banner: theirs is the chain in force.
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    assert!(!order(&app).iter().any(|stop| stop.starts_with("presence-")));
}

#[test]
fn the_banner_comes_before_the_alert_log_and_the_emoji_picker() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let _ = app.update(Message::Pane(pane::Message::Emojis));
    tabs(&mut app, 3);
    // A request coming keeps the place in the picker.
    request(&mut app, "sip:carol@example.org");
    let stops = order(&app);
    assert_eq!(stops[..3], ["presence-allow", "presence-block", "emoji"]);
    assert_eq!(stops.len(), crate::ui::emoji::CHOICES.len() + 2);
    let _ = app.view();
    press(&mut app, Named::Space);
    assert_eq!(app.pane.draft(&bob()), crate::ui::emoji::CHOICES[2]);
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    assert_eq!(order(&app), ["presence-allow", "presence-block", "close"]);
    walk(&mut app);
    tab(&mut app);
    recorder.take();
    press(&mut app, Named::Enter);
    assert!(
        matches!(
            recorder.take().as_slice(),
            [Command::DecideWatcher { allow: false, .. }]
        ),
        "Block pressed in the log"
    );
    assert_eq!(order(&app), ["close"], "the log is left");
}

#[test]
fn tabs_faster_than_iced_answers_are_not_lost() {
    let (mut app, _) = app();
    let _ = app.update(Message::Accounts(account_settings::Message::Add));
    // Four Tabs pressed before iced answered any: every answer says the
    // caret is in the address field, as it was when they were asked.
    let asked = app.focus.steps();
    for _ in 0..4 {
        let _ = app.update(Message::FocusMoved {
            forward: true,
            caret: Some(crate::ui::account_form::FIRST_FIELD),
            asked,
        });
    }
    // Password, display name, proxy, then the first transport: as five
    // Tabs from the start (the first lands in the address field).
    let (mut expected, _) = super::app();
    let _ = expected.update(Message::Accounts(account_settings::Message::Add));
    tabs(&mut expected, 5);
    assert_ne!(expected.ring(), Default::default(), "on the first transport");
    assert_eq!(app.ring(), expected.ring(), "no Tab was lost");
}
