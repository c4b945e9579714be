//! The settings dialog: theme (follow the system, light, dark), language
//! (the system's, or English, German, Spanish), notifications and the
//! folder for received files, "On duty" (`background.rs`), and going away
//! by itself after minutes without input. The app adds the Accounts
//! section (`account_settings.rs`) and then [`close`].

use crate::ui::background;
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
fn away<'a>(chosen: Option<u32>) -> Element<'a, Message> {
    let mut choices = vec![AwayAfter(None)];
    choices.extend(auto_away::CHOICES.into_iter().map(|m| AwayAfter(Some(m))));
    let list = pick_list(choices, Some(AwayAfter(chosen)), |c: AwayAfter| {
        Message::AwayAfter(c.0)
    })
    .text_size(theme::TEXT_BODY)
    .padding([theme::SPACE_XS, theme::SPACE_S]);
    column![
        row![text(t!("settings-away-after")).size(theme::TEXT_BODY), list]
            .spacing(theme::SPACE_S)
            .align_y(Center)
            .wrap(),
        widget::muted(t!("settings-away-hint")),
    ]
    .spacing(theme::SPACE_S)
    .into()
}

pub fn view<'a>(choices: Choices) -> Element<'a, Message> {
    let themes = ThemeChoice::ALL.into_iter().map(|choice| {
        let label = match choice {
            ThemeChoice::System => t!("settings-theme-system"),
            ThemeChoice::Light => t!("settings-theme-light"),
            ThemeChoice::Dark => t!("settings-theme-dark"),
        };
        radio(label, choice, Some(choices.theme), Message::Theme)
            .size(16)
            .text_size(theme::TEXT_BODY)
            .into()
    });
    let system = t!(
        "settings-language-system",
        language = i18n::system_language().native_name()
    );
    let mut languages = vec![radio(system, None, Some(choices.language), Message::Language)
        .size(16)
        .text_size(theme::TEXT_BODY)
        .into()];
    languages.extend(Language::ALL.into_iter().map(|language| {
        radio(
            language.native_name(),
            Some(language),
            Some(choices.language),
            Message::Language,
        )
        .size(16)
        .text_size(theme::TEXT_BODY)
        .into()
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
            checkbox(choices.notify_messages)
                .label(t!("settings-notify-messages"))
                .on_toggle(Message::NotifyMessages)
                .size(16)
                .text_size(theme::TEXT_BODY),
            widget::muted(t!("settings-notify-alerts-always")),
        ]
        .spacing(theme::SPACE_S),
        heading(t!("settings-duty")),
        background::settings_section(&choices.duty).map(Message::Duty),
        heading(t!("settings-status")),
        away(choices.away_after),
        heading(t!("settings-files")),
        files(&choices),
    ]
    .spacing(theme::SPACE_M)
    .into()
}

/// Where received files go, with "Choose…" and, once chosen, the way back.
fn files<'a>(choices: &Choices) -> Element<'a, Message> {
    let folder = text(t!(
        "settings-download-dir",
        folder = choices.download_dir.display().to_string()
    ))
    .size(theme::TEXT_BODY);
    let mut buttons = row![button(text(t!("account-choose-folder")).size(theme::TEXT_BODY))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::ChooseDownloadDir)]
    .spacing(theme::SPACE_S);
    if choices.download_dir_chosen {
        buttons = buttons.push(
            button(text(t!("settings-download-dir-default")).size(theme::TEXT_BODY))
                .padding([theme::SPACE_XS, theme::SPACE_M])
                .style(theme::secondary_button)
                .on_press(Message::DefaultDownloadDir),
        );
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
pub fn close<'a>() -> Element<'a, Message> {
    let close = button(text(t!("settings-close")).size(theme::TEXT_BODY))
        .padding([theme::SPACE_S, theme::SPACE_L])
        .style(button::primary)
        .on_press(Message::Close);
    row![space::horizontal(), close].align_y(Center).into()
}

fn heading<'a>(label: String) -> Element<'a, Message> {
    text(label).size(theme::TEXT_BODY).font(theme::BOLD).into()
}
