//! Running in the background: what closing the window does, the question
//! asked on the first close when there is no tray icon, and the "On duty"
//! section of the settings (message sounds, do not disturb, keep running,
//! start at login).
//!
//! Closing the window keeps sipchat running and registered when the tray
//! icon is shown or the user said so; with no tray host and no answer yet,
//! the window asks first (and says how to quit: start sipchat again and
//! press Ctrl+Q, or Quit in the tray menu); "Quit when closed" in Settings
//! makes closing quit as before. The app (`app/duty.rs`) carries these out.

use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::theme;
use crate::ui::widget;
use iced::widget::{button, checkbox, column, row, space, text};
use iced::{Center, Element};

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// Close the window, keep running (registered, notifying).
    Hide,
    /// Ask whether to keep running (no tray icon, never answered).
    Ask,
    /// Unregister and quit.
    Quit,
}

/// What closing does, given whether the tray icon is shown and what the
/// user answered before (`None`: never asked).
pub fn on_close(tray_shown: bool, keep_running: Option<bool>) -> OnClose {
    match keep_running {
        Some(true) => OnClose::Hide,
        Some(false) => OnClose::Quit,
        None if tray_shown => OnClose::Hide,
        None => OnClose::Ask,
    }
}

/// Whether sipchat keeps running when the window closes, as Settings shows it.
pub fn keeps_running(tray_shown: bool, keep_running: Option<bool>) -> bool {
    on_close(tray_shown, keep_running) != OnClose::Quit
}

/// The answers of the question on the first close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Keep running in the background (remembered).
    KeepRunning,
    /// Quit now and whenever the window is closed (remembered).
    Quit,
    /// Neither: back to the window.
    Cancel,
}

/// The question's name on the focus chain.
pub const QUESTION: &str = "close-question";
const ASK_CANCEL: Key = Key::new("cancel");
const ASK_QUIT: Key = Key::new("quit");
const ASK_KEEP: Key = Key::new("keep-running");

/// Tab order of the question: Cancel, Quit, Keep running (as drawn).
pub fn question_chain() -> Chain<Answer> {
    Chain::new(QUESTION)
        .control(ASK_CANCEL, Answer::Cancel)
        .control(ASK_QUIT, Answer::Quit)
        .control(ASK_KEEP, Answer::KeepRunning)
}

/// The question asked on the first close without a tray icon.
pub fn question<'a>(ring: Ring) -> Element<'a, Answer> {
    let answer = |label: String, answer: Answer, key: Key, primary: bool| {
        let button = button(text(label).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_L])
            .style(if primary {
                button::primary
            } else {
                button::secondary
            })
            .on_press(answer);
        focus::ring(button, key, ring)
    };
    let buttons = row![
        space::horizontal(),
        answer(t!("background-ask-cancel"), Answer::Cancel, ASK_CANCEL, false),
        answer(t!("background-ask-quit"), Answer::Quit, ASK_QUIT, false),
        answer(t!("background-ask-keep"), Answer::KeepRunning, ASK_KEEP, true),
    ]
    .spacing(theme::SPACE_S)
    .align_y(Center);
    column![
        text(t!("background-ask-title"))
            .size(theme::TEXT_TITLE)
            .font(theme::BOLD),
        text(t!("background-ask-body")).size(theme::TEXT_BODY),
        widget::muted(t!("background-ask-how-to-quit")),
        buttons,
    ]
    .spacing(theme::SPACE_M)
    .into()
}

/// A change in the "On duty" section of the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsMessage {
    /// Sounds with message notifications on or off.
    MessageSounds(bool),
    /// Mute messages for an hour.
    MuteForAnHour,
    /// Mute messages until tomorrow morning.
    MuteUntilTomorrow,
    /// End the mute.
    Unmute,
    /// Keep running when the window is closed.
    KeepRunning(bool),
    /// Start sipchat (hidden) at login.
    Autostart(bool),
}

/// What the "On duty" section shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyChoices {
    pub message_sounds: bool,
    /// "Muted until 14:05", while muted.
    pub muted_until: Option<String>,
    pub keep_running: bool,
    pub autostart: bool,
}

const SOUNDS: Key = Key::new("message-sounds");
const MUTE_HOUR: Key = Key::new("mute-hour");
const MUTE_TOMORROW: Key = Key::new("mute-tomorrow");
const UNMUTE: Key = Key::new("unmute");
const KEEP_RUNNING: Key = Key::new("keep-running");
const AUTOSTART: Key = Key::new("autostart");

/// Tab order of the "On duty" section (a part of the settings' chain).
pub fn settings_chain(choices: &DutyChoices) -> Chain<SettingsMessage> {
    let chain = Chain::new(crate::ui::settings::DIALOG)
        .control(SOUNDS, SettingsMessage::MessageSounds(!choices.message_sounds));
    let chain = match choices.muted_until {
        Some(_) => chain.control(UNMUTE, SettingsMessage::Unmute),
        None => chain
            .control(MUTE_HOUR, SettingsMessage::MuteForAnHour)
            .control(MUTE_TOMORROW, SettingsMessage::MuteUntilTomorrow),
    };
    chain
        .control(KEEP_RUNNING, SettingsMessage::KeepRunning(!choices.keep_running))
        .control(AUTOSTART, SettingsMessage::Autostart(!choices.autostart))
}

/// The "On duty" section of the settings.
pub fn settings_section<'a>(choices: &DutyChoices, ring: Ring) -> Element<'a, SettingsMessage> {
    let switch = |on: bool, label: String, message: fn(bool) -> SettingsMessage, key: Key| {
        let switch = checkbox(on)
            .label(label)
            .on_toggle(message)
            .size(16)
            .text_size(theme::TEXT_BODY);
        focus::ring(switch, key, ring)
    };
    let small = |label: String, message: SettingsMessage, key: Key| {
        let button = button(text(label).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS, theme::SPACE_M])
            .style(button::secondary)
            .on_press(message);
        focus::ring(button, key, ring)
    };
    let mute: Element<'a, SettingsMessage> = match &choices.muted_until {
        Some(until) => row![
            text(t!("settings-muted-until", time = until.as_str())).size(theme::TEXT_BODY),
            small(t!("settings-unmute"), SettingsMessage::Unmute, UNMUTE),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center)
        .into(),
        None => row![
            small(
                t!("settings-mute-hour"),
                SettingsMessage::MuteForAnHour,
                MUTE_HOUR
            ),
            small(
                t!("settings-mute-tomorrow"),
                SettingsMessage::MuteUntilTomorrow,
                MUTE_TOMORROW
            ),
        ]
        .spacing(theme::SPACE_S)
        .into(),
    };
    column![
        switch(
            choices.message_sounds,
            t!("settings-message-sounds"),
            SettingsMessage::MessageSounds,
            SOUNDS
        ),
        mute,
        widget::muted(t!("settings-mute-alerts-always")),
        switch(
            choices.keep_running,
            t!("settings-keep-running"),
            SettingsMessage::KeepRunning,
            KEEP_RUNNING
        ),
        switch(
            choices.autostart,
            t!("settings-autostart"),
            SettingsMessage::Autostart,
            AUTOSTART
        ),
    ]
    .spacing(theme::SPACE_S)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_hides_with_a_tray_asks_without_one_and_follows_the_answer() {
        assert_eq!(on_close(true, None), OnClose::Hide);
        assert_eq!(on_close(false, None), OnClose::Ask);
        assert_eq!(on_close(false, Some(true)), OnClose::Hide);
        assert_eq!(on_close(true, Some(false)), OnClose::Quit);
        assert!(
            keeps_running(false, None),
            "until answered, closing does not quit"
        );
        assert!(!keeps_running(true, Some(false)));
    }
}
