//! On duty: the window may close while sipchat keeps running (iced runs as
//! a daemon; `run` opens the window unless `--background`), the tray icon
//! and its menu, do not disturb and message sounds, and the "On duty"
//! settings (keep running, start at login). The decisions are in
//! `ui/background.rs`, the icon in `ui/tray.rs`.

use super::{App, Message};
use crate::ui::background::{self, Answer, DutyChoices, OnClose, SettingsMessage};
use crate::ui::i18n::t;
use crate::ui::tray::{self, CommandSource, Tray, TrayCommand, TrayView};
use crate::ui::words::w;
use iced::widget::{container, Space};
use iced::{window, Element, Fill, Subscription, Task, Theme};
use sipchat::notify::DoNotDisturb;

/// What the on-duty parts of the window send.
#[derive(Debug, Clone)]
pub enum DutyMessage {
    /// The window's close button (or the window manager's close).
    CloseRequested,
    /// A choice in the tray menu, or a click on the icon.
    Tray(TrayCommand),
    /// The answer to "keep running in the background?".
    Answer(Answer),
    /// The "On duty" section of the settings.
    Settings(SettingsMessage),
}

/// The window, the tray icon and the question, as they stand.
#[derive(Debug, Default)]
pub struct Duty {
    /// The window while it is open.
    window: Option<window::Id>,
    /// How to open it again.
    settings: Option<window::Settings>,
    tray: Option<Tray>,
    commands: Option<CommandSource>,
    /// The question of the first close is shown.
    asking: bool,
    /// Our autostart entry exists.
    autostart: bool,
}

impl App {
    /// Starts the tray icon (when the desktop has a tray host), applies the
    /// remembered mute and sound choice, and opens the window unless
    /// `background`.
    pub fn start_duty(&mut self, settings: window::Settings, background: bool) -> Task<Message> {
        match Tray::start(self.tray_view()) {
            Ok((tray, commands)) => {
                self.duty.tray = Some(tray);
                self.duty.commands = Some(tray::command_source(commands));
            }
            Err(e) => tracing::info!("{e}; closing the window will ask whether to keep running"),
        }
        self.duty.autostart = sipchat::autostart::is_enabled().unwrap_or_else(|e| {
            tracing::warn!("{e}");
            false
        });
        self.notifications.set_message_sounds(self.state.message_sounds);
        if let Some(until) = self.state.mute_until {
            self.notifications.set_do_not_disturb(DoNotDisturb::until(until));
        }
        self.duty.settings = Some(settings);
        if background {
            Task::none()
        } else {
            self.open_window()
        }
    }

    fn open_window(&mut self) -> Task<Message> {
        let Some(settings) = self.duty.settings.clone() else {
            return Task::none();
        };
        let (id, opened) = window::open(settings);
        self.duty.window = Some(id);
        opened.discard()
    }

    /// Brings the window forward, opening it again when it was closed.
    pub(super) fn raise(&mut self) -> Task<Message> {
        match self.duty.window {
            Some(id) => window::gain_focus(id),
            None => self.open_window(),
        }
    }

    pub(super) fn on_duty(&mut self, message: DutyMessage) -> Task<Message> {
        match message {
            DutyMessage::CloseRequested => {
                self.save_state();
                match background::on_close(self.duty.tray.is_some(), self.state.keep_running) {
                    OnClose::Hide => self.hide(),
                    OnClose::Quit => self.quit(),
                    OnClose::Ask => {
                        self.duty.asking = true;
                        Task::none()
                    }
                }
            }
            DutyMessage::Answer(answer) => {
                self.duty.asking = false;
                match answer {
                    Answer::KeepRunning => {
                        self.state.keep_running = Some(true);
                        self.save_state();
                        self.hide()
                    }
                    Answer::Quit => {
                        self.state.keep_running = Some(false);
                        self.quit()
                    }
                    Answer::Cancel => Task::none(),
                }
            }
            DutyMessage::Tray(command) => match command {
                TrayCommand::Open => self.raise(),
                TrayCommand::MuteForAnHour => {
                    self.mute(Some(DoNotDisturb::for_an_hour(self.now)));
                    Task::none()
                }
                TrayCommand::Unmute => {
                    self.mute(None);
                    Task::none()
                }
                TrayCommand::Quit => self.quit(),
                TrayCommand::SetStatus(status) => {
                    self.on_presence(crate::ui::presence::Message::Choose(status))
                }
            },
            DutyMessage::Settings(message) => {
                self.duty_setting(message);
                Task::none()
            }
        }
    }

    fn duty_setting(&mut self, message: SettingsMessage) {
        match message {
            SettingsMessage::MessageSounds(on) => {
                self.state.message_sounds = on;
                self.notifications.set_message_sounds(on);
            }
            SettingsMessage::MuteForAnHour => self.mute(Some(DoNotDisturb::for_an_hour(self.now))),
            SettingsMessage::MuteUntilTomorrow => {
                let offset = self.zone.offset_at(i64::try_from(self.now).unwrap_or(0));
                self.mute(Some(DoNotDisturb::until_tomorrow(self.now, offset)));
            }
            SettingsMessage::Unmute => self.mute(None),
            SettingsMessage::KeepRunning(on) => self.state.keep_running = Some(on),
            SettingsMessage::Autostart(on) => self.set_autostart(on),
        }
        self.save_state();
    }

    fn set_autostart(&mut self, on: bool) {
        let result = if on {
            let program = std::env::current_exe()
                .map(|exe| sipchat::autostart::program_for(&exe))
                .unwrap_or_else(|_| sipchat::paths::APP.to_string());
            sipchat::autostart::enable(&program).map(|_| ())
        } else {
            sipchat::autostart::disable()
        };
        match result {
            Ok(()) => self.duty.autostart = on,
            Err(e) => {
                tracing::warn!("{e}");
                self.notice = Some(w!("notice-autostart-failed", error = e.to_string()));
            }
        }
    }

    /// Mutes messages (`None`: ends the mute) and remembers it.
    fn mute(&mut self, dnd: Option<DoNotDisturb>) {
        let dnd = dnd.unwrap_or_default();
        self.state.mute_until = dnd.ends(self.now);
        self.notifications.set_do_not_disturb(dnd);
        self.save_state();
    }

    /// Closes the window; sipchat keeps running.
    fn hide(&mut self) -> Task<Message> {
        self.notifications.window_focus(false, None);
        match self.duty.window.take() {
            Some(id) => window::close(id),
            None => Task::none(),
        }
    }

    /// Removes the tray icon and ends the program (`run` then unregisters
    /// every account).
    pub(super) fn quit(&mut self) -> Task<Message> {
        self.save_state();
        if let Some(tray) = self.duty.tray.take() {
            tray.stop();
        }
        iced::exit()
    }

    /// The tray icon shows the counts of now.
    pub(super) fn refresh_tray(&mut self) {
        if self.duty.tray.is_none() {
            return;
        }
        let view = self.tray_view();
        if let Some(tray) = self.duty.tray.as_mut() {
            tray.show(view);
        }
    }

    pub(super) fn tray_view(&self) -> TrayView {
        let unread = self.conversations.total_unread();
        let alerts = self.alerts.unacknowledged().len();
        let summary = match (unread, alerts) {
            (0, 0) => t!("tray-nothing-new"),
            (unread, 0) => t!("tray-unread", count = unread),
            (0, alerts) => t!("tray-alerts", count = alerts),
            (unread, alerts) => format!(
                "{}, {}",
                t!("tray-unread", count = unread),
                t!("tray-alerts", count = alerts)
            ),
        };
        TrayView {
            unread,
            alerts,
            muted: self.state.mute_until.is_some_and(|until| self.now < until),
            title: sipchat::paths::APP.to_string(),
            summary,
            open: t!("tray-open"),
            mute: t!("tray-mute-hour"),
            unmute: t!("tray-unmute"),
            quit: t!("tray-quit"),
            my_status: t!("tray-my-status"),
            statuses: tray::STATUSES
                .into_iter()
                .map(crate::ui::presence::own_words)
                .collect(),
            status: self.presences.chosen(),
        }
    }

    /// The tray menu's choices, while there is a tray icon.
    pub(super) fn duty_subscription(&self) -> Option<Subscription<Message>> {
        self.duty
            .commands
            .as_ref()
            .map(|source| tray::commands(source).map(|c| Message::Duty(DutyMessage::Tray(c))))
    }

    /// Whether the question of the first close is shown.
    pub(super) fn duty_asking(&self) -> bool {
        self.duty.asking
    }

    /// What the "On duty" settings show.
    pub(super) fn duty_choices(&self) -> DutyChoices {
        DutyChoices {
            message_sounds: self.state.message_sounds,
            muted_until: self
                .state
                .mute_until
                .filter(|until| self.now < *until)
                .map(|until| self.zone.short_stamp(until, self.now)),
            keep_running: background::keeps_running(self.duty.tray.is_some(), self.state.keep_running),
            autostart: self.duty.autostart,
        }
    }
}

/// The daemon's view of a window: the question of the first close, or the
/// window's content.
pub fn view(app: &App, window: window::Id) -> Element<'_, Message> {
    if app.duty.window != Some(window) {
        return Space::new().into();
    }
    if app.duty.asking {
        let question = background::question(app.ring()).map(|a| Message::Duty(DutyMessage::Answer(a)));
        return container(container(question).max_width(560.0))
            .center(Fill)
            .padding(crate::ui::theme::SPACE_L)
            .into();
    }
    app.view()
}

/// The daemon's title of a window.
pub fn title(app: &App, _window: window::Id) -> String {
    app.title()
}

/// The daemon's theme of a window.
pub fn theme(app: &App, _window: window::Id) -> Option<Theme> {
    app.theme()
}
