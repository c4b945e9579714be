//! Presence through the window's update loop: the runtime's events reach
//! the dots, the selector and the banner; choices go back as commands;
//! "tell me when bob is online" notifies for that contact only; the tray's
//! "My status" and the auto-away setting.

use super::*;
use crate::ui::app::duty::DutyMessage;
use crate::ui::contacts::page;
use crate::ui::notifications::Notify;
use crate::ui::presence::{self, Shown};
use crate::ui::tray::TrayCommand;
use sipchat::model::{Contact, ContactDraft, ContactId, OwnStatus, Presence, PresenceStatus, WatchState};
use sipchat::notify::{Notice, NoticeKey};

/// The notices the window planned itself.
#[derive(Debug, Clone, Default)]
struct Shows(Arc<Mutex<Vec<Notice>>>);

impl Shows {
    fn take(&self) -> Vec<Notice> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Notify for Shows {
    fn handle(&mut self, _event: &Event) {}
    fn set_focused(&mut self, _conversation: Option<(AccountId, String)>) {}
    fn set_messages(&mut self, _on: bool) {}
    fn show(&mut self, notice: Notice) {
        self.0.lock().unwrap().push(notice);
    }
}

const CAROL: &str = "sip:carol@127.0.0.1";

fn contact(id: i64, name: &str, address: &str) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: name.into(),
            addresses: vec![address.into()],
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

fn with_notices() -> (App, Recorder, Shows, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let shows = Shows::default();
    let (mut app, recorder) = app_with(Startup {
        state_file: Some(dir.path().join(crate::ui::state::STATE_FILE)),
        notify: Some(Box::new(shows.clone())),
        ..Startup::default()
    });
    let list = vec![contact(1, "Bob", BOB), contact(2, "Carol", CAROL)];
    let _ = app.update(Message::Runtime(Event::Contacts(list)));
    recorder.take();
    (app, recorder, shows, dir)
}

fn report(app: &mut App, address: &str, status: PresenceStatus, note: Option<&str>) {
    let _ = app.update(Message::Runtime(Event::Presence {
        account: local(),
        contact: format!("{address}:5062"),
        presence: Presence {
            status,
            note: note.map(str::to_string),
            last_seen: None,
        },
        watch: WatchState::Active,
    }));
}

fn shown_for(app: &App, address: &str) -> Option<Shown> {
    app.presences
        .of_key(&ConversationKey::new(&local(), address))
        .map(|s| s.shown())
}

#[test]
fn a_contacts_presence_reaches_its_dot_with_the_note() {
    let (mut app, _, _, _dir) = with_notices();
    assert_eq!(shown_for(&app, BOB), None);
    report(&mut app, BOB, PresenceStatus::Away, Some("lunch"));
    assert_eq!(shown_for(&app, BOB), Some(Shown::Away));
    let bob = app.sidebar.contacts.get(ContactId(1)).unwrap();
    let seen = crate::ui::contacts::presence_of(&app.presences, bob).unwrap();
    assert_eq!(seen.describe(&app.zone, app.now), "Away · lunch");
    let _ = app.update(Message::Runtime(Event::Presence {
        account: local(),
        contact: CAROL.into(),
        presence: Presence::default(),
        watch: WatchState::Pending,
    }));
    assert_eq!(shown_for(&app, CAROL), Some(Shown::Pending));
}

#[test]
fn only_a_contact_asked_for_notifies_when_it_comes_online() {
    let (mut app, _, shows, _dir) = with_notices();
    let _ = app.update(Message::ContactPage(page::Message::NotifyOnline(
        ContactId(1),
        true,
    )));
    assert!(app.state.notify_online.contains(&1), "kept in the window state");
    for address in [BOB, CAROL] {
        report(&mut app, address, PresenceStatus::Offline, None);
        report(&mut app, address, PresenceStatus::Available, Some("back"));
    }
    let notices = shows.take();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].summary, "Bob is online");
    assert_eq!(notices[0].body, "Available · back");
    assert_eq!(
        notices[0].key,
        NoticeKey::Online(local(), sipchat::model::conversation_key(BOB))
    );
    // A change within online, and going away, do not notify.
    report(&mut app, BOB, PresenceStatus::Available, Some("still here"));
    report(&mut app, BOB, PresenceStatus::Away, None);
    assert!(shows.take().is_empty());
    // Switched off: nothing.
    let _ = app.update(Message::ContactPage(page::Message::NotifyOnline(
        ContactId(1),
        false,
    )));
    report(&mut app, BOB, PresenceStatus::Available, None);
    assert!(shows.take().is_empty());
}

#[test]
fn the_selector_sets_the_status_of_every_account_and_shows_the_outcome() {
    let (mut app, recorder, _, _dir) = with_notices();
    let _ = app.update(Message::Presence(presence::Message::Note("on the train".into())));
    let _ = app.update(Message::Presence(presence::Message::Choose(OwnStatus::Away)));
    assert_eq!(
        recorder.take(),
        vec![Command::SetStatus {
            account: None,
            status: OwnStatus::Away,
            note: Some("on the train".into())
        }]
    );
    let _ = app.update(Message::Runtime(Event::Error {
        account: Some(local()),
        message: "could not publish your status: 408 Request Timeout; trying again in 30 s".into(),
    }));
    let (words, failed) = app.presences.outcome();
    assert!(failed, "{words}");
    assert!(words.contains("408 Request Timeout"), "{words}");
    let _ = app.update(Message::Runtime(Event::OwnPresence {
        account: local(),
        status: OwnStatus::Away,
        note: Some("on the train".into()),
        published: true,
    }));
    assert_eq!(app.presences.outcome(), ("Your contacts see this.".into(), false));
    // The tray's menu shows it and sets it.
    assert_eq!(app.tray_view().status, OwnStatus::Away);
    assert_eq!(app.tray_view().statuses.len(), 4);
    let _ = app.update(Message::Duty(DutyMessage::Tray(TrayCommand::SetStatus(
        OwnStatus::Busy,
    ))));
    assert!(matches!(
        &recorder.take()[..],
        [Command::SetStatus {
            account: None,
            status: OwnStatus::Busy,
            ..
        }]
    ));
}

#[test]
fn a_permission_request_is_asked_and_the_decision_goes_to_the_runtime() {
    let (mut app, recorder, _, _dir) = with_notices();
    for watcher in ["sip:stranger@example.org", CAROL] {
        let _ = app.update(Message::Runtime(Event::PresenceRequest {
            account: local(),
            watcher: watcher.into(),
        }));
    }
    let (first, more) = app.presences.request().unwrap();
    assert_eq!((first.watcher.as_str(), more), ("sip:stranger@example.org", 1));
    assert_eq!(
        app.watcher_name(CAROL),
        Some("Carol".into()),
        "a contact is named"
    );
    let _ = app.update(Message::Presence(presence::Message::Decide(false)));
    let _ = app.update(Message::Presence(presence::Message::Decide(true)));
    assert_eq!(
        recorder.take(),
        vec![
            Command::DecideWatcher {
                account: local(),
                watcher: "sip:stranger@example.org".into(),
                allow: false
            },
            Command::DecideWatcher {
                account: local(),
                watcher: CAROL.into(),
                allow: true
            },
        ]
    );
    assert!(app.presences.request().is_none());
}

#[test]
fn the_auto_away_setting_is_off_by_default_saved_and_applied() {
    let (mut app, recorder, _, _dir) = with_notices();
    assert_eq!(app.state.away_after_minutes, None);
    assert!(!app.presences.auto_away.enabled());
    let _ = app.update(Message::Settings(settings::Message::AwayAfter(Some(10))));
    assert_eq!(app.state.away_after_minutes, Some(10));
    assert!(app.presences.auto_away.enabled());
    let later = app.now + 11 * 60;
    let action = app.presences.update(presence::Message::Tick, &[local()], later);
    assert!(matches!(
        action,
        presence::Action::SetStatus {
            status: OwnStatus::Away,
            ..
        }
    ));
    let _ = app.update(Message::Settings(settings::Message::AwayAfter(None)));
    assert!(!app.presences.auto_away.enabled());
    assert!(recorder.take().is_empty());
}
