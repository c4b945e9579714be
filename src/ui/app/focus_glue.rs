//! Keyboard focus in the open dialog (`ui/focus.rs`): which dialog's chain
//! is in force (in the order the view stacks dialogs), Tab and Shift+Tab,
//! Enter and Space on the focused control, and the ring for the view.
//!
//! With no dialog open, the permission banner ("carol wants to see when
//! you are online") joins the window's own Tab order where the view puts
//! it: above the pane, so after the sidebar's fields and before the
//! composer, or before the alert log's or the emoji picker's buttons.

use super::duty::DutyMessage;
use super::media_glue::MediaMessage;
use super::{App, Message};
use crate::ui::account_settings;
use crate::ui::alerts;
use crate::ui::background;
use crate::ui::conversation::pane;
use crate::ui::emoji;
use crate::ui::focus::{self, Chain, Ring};
use crate::ui::presence::{self, prompt};
use crate::ui::settings;
use iced::widget::{operation, Id};
use iced::Task;

impl App {
    /// The open dialog's focus chain (or the alert log's, the emoji
    /// picker's, the permission banner's); `None` in the window itself and
    /// in "jump to a conversation" (its field and arrows are its keys).
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
        if let Some(offer) = &self.media.paste {
            return Some(
                offer
                    .focus_chain()
                    .map(|m| Message::Media(MediaMessage::Paste(m))),
            );
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
            return self.window_chain();
        }
        let chain = settings::focus_chain(&self.settings_choices())
            .map(Message::Settings)
            .then(self.accounts.focus_chain().map(Message::Accounts))
            .then(settings::close_chain().map(Message::Settings));
        Some(chain)
    }

    /// No dialog open. The alert log and the emoji picker are no dialogs
    /// but lists of buttons in the pane, below the permission banner: the
    /// banner's Allow and Block come first, then the list. With neither
    /// open, the banner joins the window's fields ([`App::request_chain`]).
    fn window_chain(&self) -> Option<Chain<Message>> {
        let banner = self
            .presences
            .request()
            .map(|_| prompt::focus_chain().map(Message::Presence));
        let picker = self.pane.picker_open() && self.conversations.current().is_some() && !self.stopped;
        let list = if self.alerts.log_open() {
            Some(alerts::log_chain(&self.alerts).map(Message::Alerts))
        } else {
            picker.then(|| emoji::picker_chain(|e| Message::Pane(pane::Message::Emoji(e))))
        };
        match (banner, list) {
            // Named after the list: a request coming or going keeps the
            // place in it.
            (Some(banner), Some(list)) => Some(Chain::new(list.name()).then(banner).then(list)),
            (None, list) => list,
            (Some(banner), None) => Some(self.request_chain(banner)),
        }
    }

    /// The window while a permission request shows: the fields Tab visits
    /// without one (`App::focus_order`) that are on screen, with the
    /// banner's Allow and Block between the sidebar's and the composer.
    fn request_chain(&self, banner: Chain<Message>) -> Chain<Message> {
        let order = self.focus_order();
        // The folded sidebar has no fields.
        let sidebar_fields = !self.narrow() || self.sidebar_unfolded;
        let sidebar = order
            .iter()
            .copied()
            .filter(|f| sidebar_fields && *f != pane::COMPOSER);
        let chain = sidebar
            .fold(Chain::new(prompt::BANNER), Chain::field)
            .then(banner);
        let page = self
            .sidebar
            .open_contact
            .and_then(|id| self.sidebar.contacts.get(id));
        if order.contains(&pane::COMPOSER) && page.is_none() {
            return chain.field(pane::COMPOSER);
        }
        chain
    }

    /// The control of the open dialog that shows the focus ring.
    pub(super) fn ring(&self) -> Ring {
        self.focus_chain()
            .map(|chain| self.focus.ring(chain.name()))
            .unwrap_or_default()
    }

    /// Tab in a dialog: asks iced which field has the caret, then steps.
    pub(super) fn dialog_focus_step(&self, chain: &Chain<Message>, forward: bool) -> Task<Message> {
        let asked = self.focus.steps();
        focus::caret_among(chain.fields()).map(move |caret| Message::FocusMoved {
            forward,
            caret,
            asked,
        })
    }

    /// Moves to the next (or previous) stop of the open dialog's chain;
    /// a caret answer that a later step made stale is not trusted (the
    /// step goes on from where the focus is).
    pub(super) fn focus_moved(
        &mut self,
        forward: bool,
        caret: Option<&'static str>,
        asked: u64,
    ) -> Task<Message> {
        let caret = caret.filter(|_| self.focus.answer_is_current(asked));
        match self.focus_chain() {
            Some(chain) => self.focus.step(&chain, forward, caret).task(),
            None => Task::none(),
        }
    }

    /// Enter or Space: the focused control of the open dialog, as if
    /// clicked (an emoji then gives the caret back to the composer; Allow
    /// or Block takes the ring away, so a held Enter, which repeats, does
    /// not decide the requests waiting behind too).
    pub(super) fn focus_press(&mut self) -> Task<Message> {
        let Some(chain) = self.focus_chain() else {
            return Task::none();
        };
        let Some(message) = self.focus.press(&chain) else {
            return Task::none();
        };
        let picked = matches!(message, Message::Pane(pane::Message::Emoji(_)));
        let decided = matches!(message, Message::Presence(presence::Message::Decide(_)));
        let task = self.route(message);
        if decided {
            self.focus.pointer();
        }
        if picked {
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
