//! The settings dialog: theme (follow the system, light, dark), language
//! (the system's, or English, German, Spanish), notifications and the
//! folder for received files, "On duty" (`background.rs`), and going away
//! by itself after minutes without input. The app adds the Accounts
//! section (`account_settings.rs`) and then [`close`].

use crate::ui::background;
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::{self, t, Language};
use crate::ui::presence::auto_away;
use crate::ui::theme::{self, ThemeChoice};
use crate::ui::widget;
use iced::widget::{button, checkbox, column, pick_list, radio, row, space, text};
use iced::{Center, Element};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Theme(ThemeChoice),
    /// `None` follows the system.
    Language(Option<Language>),
    /// Notify of messages, invitations and files (alerts always notify).
    NotifyMessages(bool),
    /// "Choose…" for the folder of received files (the app opens the dialog).
    ChooseDownloadDir,
    /// The folder dialog's answer.
    DownloadDirChosen(PathBuf),
    /// Back to the desktop's download folder.
    DefaultDownloadDir,
    /// Sounds, do not disturb, background, autostart (`background.rs`).
    Duty(background::SettingsMessage),
    /// Set us away after so many minutes without input; `None`: never.
    AwayAfter(Option<u32>),
    Close,
}

/// The current choices, as the dialog shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub theme: ThemeChoice,
    pub language: Option<Language>,
    pub notify_messages: bool,
    /// The folder received files go to (when their account names none).
    pub download_dir: PathBuf,
    /// Whether that folder was chosen here (else it is the desktop's).
    pub download_dir_chosen: bool,
    /// The "On duty" section.
    pub duty: background::DutyChoices,
    /// Away after so many minutes without input; `None`: never.
    pub away_after: Option<u32>,
}

/// A choice of "Set me away after …", drawn in the language of the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwayAfter(pub Option<u32>);

impl std::fmt::Display for AwayAfter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str(&t!("settings-away-never")),
            Some(minutes) => f.write_str(&t!("settings-away-minutes", minutes = minutes)),
        }
    }
}

/// "Set me away after [N minutes] without input".
/// The auto-away choice after `chosen` (never, 5, 10 ... 60, never): what
/// Enter or Space on the focused list picks.
fn next_away(chosen: Option<u32>) -> Option<u32> {
    match chosen {
        None => auto_away::CHOICES.first().copied(),
        Some(minutes) => auto_away::CHOICES.into_iter().find(|m| *m > minutes),
    }
}

fn away<'a>(chosen: Option<u32>, ring: Ring) -> Element<'a, Message> {
    let mut choices = vec![AwayAfter(None)];
    choices.extend(auto_away::CHOICES.into_iter().map(|m| AwayAfter(Some(m))));
    let list = pick_list(choices, Some(AwayAfter(chosen)), |c: AwayAfter| {
        Message::AwayAfter(c.0)
    })
    .text_size(theme::TEXT_BODY)
    .padding([theme::SPACE_XS, theme::SPACE_S]);
    column![
        row![
            text(t!("settings-away-after")).size(theme::TEXT_BODY),
            focus::ring(list, AWAY, ring)
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center)
        .wrap(),
        widget::muted(t!("settings-away-hint")),
    ]
    .spacing(theme::SPACE_S)
    .into()
}

/// The dialog's name on the focus chain.
pub const DIALOG: &str = "settings";
const THEME: &str = "theme";
const LANGUAGE: &str = "language";
const NOTIFY: Key = Key::new("notify-messages");
const AWAY: Key = Key::new("away-after");
const CHOOSE_FOLDER: Key = Key::new("choose-download-dir");
const DEFAULT_FOLDER: Key = Key::new("default-download-dir");
const CLOSE: Key = Key::new("close");

/// Tab order of this part: the themes, the languages, notifications, the
/// "On duty" section, the folder buttons (the app adds the Accounts
/// section and then [`close_chain`]).
pub fn focus_chain(choices: &Choices) -> Chain<Message> {
    let mut chain = Chain::new(DIALOG);
    for (i, choice) in ThemeChoice::ALL.into_iter().enumerate() {
        chain = chain.control(Key::nth(THEME, i), Message::Theme(choice));
    }
    chain = chain.control(Key::nth(LANGUAGE, 0), Message::Language(None));
    for (i, language) in Language::ALL.into_iter().enumerate() {
        chain = chain.control(Key::nth(LANGUAGE, i + 1), Message::Language(Some(language)));
    }
    chain = chain
        .control(NOTIFY, Message::NotifyMessages(!choices.notify_messages))
        .then(background::settings_chain(&choices.duty).map(Message::Duty))
        .control(AWAY, Message::AwayAfter(next_away(choices.away_after)))
        .control(CHOOSE_FOLDER, Message::ChooseDownloadDir);
    if choices.download_dir_chosen {
        chain = chain.control(DEFAULT_FOLDER, Message::DefaultDownloadDir);
    }
    chain
}

/// The last stop: Close.
pub fn close_chain() -> Chain<Message> {
    Chain::new(DIALOG).control(CLOSE, Message::Close)
}

/// The settings, with the focus ring on the control `ring` names.
pub fn view<'a>(choices: Choices, ring: Ring) -> Element<'a, Message> {
    let themes = ThemeChoice::ALL.into_iter().enumerate().map(|(i, choice)| {
        let label = match choice {
            ThemeChoice::System => t!("settings-theme-system"),
            ThemeChoice::Light => t!("settings-theme-light"),
            ThemeChoice::Dark => t!("settings-theme-dark"),
        };
        let choice = radio(label, choice, Some(choices.theme), Message::Theme)
            .size(16)
            .text_size(theme::TEXT_BODY);
        focus::ring(choice, Key::nth(THEME, i), ring)
    });
    let system = t!(
        "settings-language-system",
        language = i18n::system_language().native_name()
    );
    let system = radio(system, None, Some(choices.language), Message::Language)
        .size(16)
        .text_size(theme::TEXT_BODY);
    let mut languages = vec![focus::ring(system, Key::nth(LANGUAGE, 0), ring)];
    languages.extend(Language::ALL.into_iter().enumerate().map(|(i, language)| {
        let choice = radio(
            language.native_name(),
            Some(language),
            Some(choices.language),
            Message::Language,
        )
        .size(16)
        .text_size(theme::TEXT_BODY);
        focus::ring(choice, Key::nth(LANGUAGE, i + 1), ring)
    }));
    column![
        text(t!("settings-title"))
            .size(theme::TEXT_TITLE)
            .font(theme::BOLD),
        heading(t!("settings-theme")),
        column(themes).spacing(theme::SPACE_S),
        heading(t!("settings-language")),
        column(languages).spacing(theme::SPACE_S),
        heading(t!("settings-notifications")),
        column![
            focus::ring(
                checkbox(choices.notify_messages)
                    .label(t!("settings-notify-messages"))
                    .on_toggle(Message::NotifyMessages)
                    .size(16)
                    .text_size(theme::TEXT_BODY),
                NOTIFY,
                ring
            ),
            widget::muted(t!("settings-notify-alerts-always")),
        ]
        .spacing(theme::SPACE_S),
        heading(t!("settings-duty")),
        background::settings_section(&choices.duty, ring).map(Message::Duty),
        heading(t!("settings-status")),
        away(choices.away_after, ring),
        heading(t!("settings-files")),
        files(&choices, ring),
    ]
    .spacing(theme::SPACE_M)
    .into()
}

/// Where received files go, with "Choose…" and, once chosen, the way back.
fn files<'a>(choices: &Choices, ring: Ring) -> Element<'a, Message> {
    let folder = text(t!(
        "settings-download-dir",
        folder = choices.download_dir.display().to_string()
    ))
    .size(theme::TEXT_BODY);
    let choose = button(text(t!("account-choose-folder")).size(theme::TEXT_BODY))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::ChooseDownloadDir);
    let mut buttons = row![focus::ring(choose, CHOOSE_FOLDER, ring)].spacing(theme::SPACE_S);
    if choices.download_dir_chosen {
        let default = button(text(t!("settings-download-dir-default")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS, theme::SPACE_M])
            .style(theme::secondary_button)
            .on_press(Message::DefaultDownloadDir);
        buttons = buttons.push(focus::ring(default, DEFAULT_FOLDER, ring));
    }
    column![
        folder,
        buttons,
        widget::muted(t!("settings-download-dir-accounts")),
    ]
    .spacing(theme::SPACE_S)
    .into()
}

/// The dialog's Close button, right-aligned (below every section).
pub fn close<'a>(ring: Ring) -> Element<'a, Message> {
    let close = button(text(t!("settings-close")).size(theme::TEXT_BODY))
        .padding([theme::SPACE_S, theme::SPACE_L])
        .style(button::primary)
        .on_press(Message::Close);
    row![space::horizontal(), focus::ring(close, CLOSE, ring)]
        .align_y(Center)
        .into()
}

fn heading<'a>(label: String) -> Element<'a, Message> {
    text(label).size(theme::TEXT_BODY).font(theme::BOLD).into()
}
