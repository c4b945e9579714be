//! Closing the window without a tray icon, do not disturb and message
//! sounds from the settings, Ctrl+Q.

use super::*;
use crate::ui::app::duty::DutyMessage;
use crate::ui::background::{Answer, SettingsMessage};
use crate::ui::notifications::Notify;
use sipchat::notify::{DoNotDisturb, HOUR_SECS};

/// What the window told its notifier about sounds and muting.
#[derive(Debug, Clone, Default)]
struct Told {
    sounds: Arc<Mutex<Vec<bool>>>,
    muted: Arc<Mutex<Vec<DoNotDisturb>>>,
}

impl Notify for Told {
    fn handle(&mut self, _event: &Event) {}
    fn set_focused(&mut self, _conversation: Option<(AccountId, String)>) {}
    fn set_messages(&mut self, _on: bool) {}
    fn set_message_sounds(&mut self, on: bool) {
        self.sounds.lock().unwrap().push(on);
    }
    fn set_do_not_disturb(&mut self, dnd: DoNotDisturb) {
        self.muted.lock().unwrap().push(dnd);
    }
}

fn with_state_file() -> (App, std::path::PathBuf, Told, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::ui::state::STATE_FILE);
    let told = Told::default();
    let (app, _) = app_with(Startup {
        state_file: Some(path.clone()),
        notify: Some(Box::new(told.clone())),
        ..Startup::default()
    });
    (app, path, told, dir)
}

#[test]
fn without_a_tray_the_first_close_asks_and_the_answer_is_remembered() {
    let (mut app, path, _, _dir) = with_state_file();
    let _ = app.update(Message::Duty(DutyMessage::CloseRequested));
    assert!(app.duty_asking(), "no tray icon: the first close asks");
    let _ = app.update(Message::Duty(DutyMessage::Answer(Answer::Cancel)));
    assert!(!app.duty_asking());
    assert_eq!(app.state.keep_running, None, "Cancel decides nothing");

    let _ = app.update(Message::Duty(DutyMessage::CloseRequested));
    assert!(app.duty_asking());
    let _ = app.update(Message::Duty(DutyMessage::Answer(Answer::KeepRunning)));
    assert!(!app.duty_asking());
    let saved = WindowState::read(&path).unwrap().unwrap();
    assert_eq!(saved.keep_running, Some(true));
    // From now on closing hides the window without asking.
    let _ = app.update(Message::Duty(DutyMessage::CloseRequested));
    assert!(!app.duty_asking());
    // The switch in Settings shows it, and turns it off again.
    assert!(app.duty_choices().keep_running);
    let _ = app.update(Message::Settings(settings::Message::Duty(
        SettingsMessage::KeepRunning(false),
    )));
    assert_eq!(
        WindowState::read(&path).unwrap().unwrap().keep_running,
        Some(false)
    );
    assert!(!app.duty_choices().keep_running);
}

#[test]
fn muting_and_message_sounds_reach_the_notifier_and_are_saved() {
    let (mut app, path, told, _dir) = with_state_file();
    let _ = app.update(Message::Settings(settings::Message::Duty(
        SettingsMessage::MuteForAnHour,
    )));
    let now = app.now;
    let saved = WindowState::read(&path).unwrap().unwrap();
    let until = saved.mute_until.expect("the mute is remembered");
    assert!(
        until >= now + HOUR_SECS && until <= now + HOUR_SECS + 5,
        "{until} vs {now}"
    );
    let last = *told.muted.lock().unwrap().last().unwrap();
    assert!(last.muted_at(now) && !last.muted_at(until));
    assert!(
        app.duty_choices().muted_until.is_some(),
        "Settings says until when"
    );

    let _ = app.update(Message::Settings(settings::Message::Duty(
        SettingsMessage::Unmute,
    )));
    assert_eq!(WindowState::read(&path).unwrap().unwrap().mute_until, None);
    assert!(!told.muted.lock().unwrap().last().unwrap().muted_at(now));
    assert!(app.duty_choices().muted_until.is_none());

    let _ = app.update(Message::Settings(settings::Message::Duty(
        SettingsMessage::MuteUntilTomorrow,
    )));
    let until = WindowState::read(&path).unwrap().unwrap().mute_until.unwrap();
    assert!(until > now && until <= now + 24 * 3600, "{until} vs {now}");

    let _ = app.update(Message::Settings(settings::Message::Duty(
        SettingsMessage::MessageSounds(false),
    )));
    assert!(!WindowState::read(&path).unwrap().unwrap().message_sounds);
    assert_eq!(told.sounds.lock().unwrap().last(), Some(&false));
}

#[test]
fn ctrl_q_quits() {
    use crate::ui::keys::key_message;
    use iced::event::Status;
    use iced::keyboard::{Key, Modifiers};
    let q = Key::Character("q".into());
    assert!(matches!(
        key_message(&q, Modifiers::CTRL, Status::Captured),
        Some(Message::Quit)
    ));
    assert!(key_message(&q, Modifiers::empty(), Status::Ignored).is_none());
}
