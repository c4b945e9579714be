//! Keyboard focus in the open dialog (`ui/focus.rs`): which dialog's chain
//! is in force (in the order the view stacks dialogs), Tab and Shift+Tab,
//! Enter and Space on the focused control, and the ring for the view.

use super::duty::DutyMessage;
use super::{App, Message};
use crate::ui::account_settings;
use crate::ui::alerts;
use crate::ui::background;
use crate::ui::conversation::pane;
use crate::ui::emoji;
use crate::ui::focus::{self, Chain, Ring};
use crate::ui::settings;
use iced::widget::{operation, Id};
use iced::Task;

impl App {
    /// The open dialog's focus chain (or the alert log's); `None` in the
    /// window itself and in "jump to a conversation" (its field and arrows
    /// are its keys).
    pub(super) fn focus_chain(&self) -> Option<Chain<Message>> {
        if self.duty_asking() {
            let chain = background::question_chain();
            return Some(chain.map(|answer| Message::Duty(DutyMessage::Answer(answer))));
        }
        if self.certificates.is_open() {
            return Some(self.certificates.focus_chain().map(Message::Certificates));
        }
        if let Some(form) = &self.accounts.form {
            let chain = form.focus_chain();
            return Some(chain.map(|m| Message::Accounts(account_settings::Message::Form(m))));
        }
        if let Some(menu) = &self.conversation_menu {
            return Some(menu.focus_chain().map(Message::Menu));
        }
        if let Some(form) = &self.contact_form {
            return Some(form.focus_chain().map(Message::ContactForm));
        }
        if self.switcher.is_some() {
            return None;
        }
        if !self.settings_open {
            // The alert log and the emoji picker are no dialogs, but lists
            // of buttons over the pane.
            if self.alerts.log_open() {
                return Some(alerts::log_chain(&self.alerts).map(Message::Alerts));
            }
            let picker = self.pane.picker_open() && self.conversations.current().is_some() && !self.stopped;
            return picker.then(|| emoji::picker_chain(|e| Message::Pane(pane::Message::Emoji(e))));
        }
        let chain = settings::focus_chain(&self.settings_choices())
            .map(Message::Settings)
            .then(self.accounts.focus_chain().map(Message::Accounts))
            .then(settings::close_chain().map(Message::Settings));
        Some(chain)
    }

    /// The control of the open dialog that shows the focus ring.
    pub(super) fn ring(&self) -> Ring {
        self.focus_chain()
            .map(|chain| self.focus.ring(chain.name()))
            .unwrap_or_default()
    }

    /// Tab in a dialog: asks iced which field has the caret, then steps.
    pub(super) fn dialog_focus_step(&self, chain: &Chain<Message>, forward: bool) -> Task<Message> {
        focus::caret_among(chain.fields()).map(move |caret| Message::FocusMoved { forward, caret })
    }

    /// Moves to the next (or previous) stop of the open dialog's chain.
    pub(super) fn focus_moved(&mut self, forward: bool, caret: Option<&'static str>) -> Task<Message> {
        match self.focus_chain() {
            Some(chain) => self.focus.step(&chain, forward, caret).task(),
            None => Task::none(),
        }
    }

    /// Enter or Space: the focused control of the open dialog, as if
    /// clicked (an emoji then gives the caret back to the composer).
    pub(super) fn focus_press(&mut self) -> Task<Message> {
        let Some(chain) = self.focus_chain() else {
            return Task::none();
        };
        let Some(message) = self.focus.press(&chain) else {
            return Task::none();
        };
        let task = self.route(message);
        if chain.name() == emoji::PICKER {
            return Task::batch([task, operation::focus(Id::new(pane::COMPOSER))]);
        }
        task
    }

    /// The settings as the dialog shows them.
    pub(super) fn settings_choices(&self) -> settings::Choices {
        settings::Choices {
            theme: self.state.theme,
            language: self.state.language,
            notify_messages: self.state.notify_messages,
            download_dir: self.fallback_download_dir(),
            download_dir_chosen: self.state.download_dir.is_some(),
            duty: self.duty_choices(),
            away_after: self.state.away_after_minutes,
        }
    }
}
