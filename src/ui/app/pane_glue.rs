//! The open conversation's actions: sending, earlier pages, retries,
//! drafts, links (a `sip:` link opens a conversation, others go to the
//! desktop's handler), copying message text, and moving between
//! conversations with the keyboard.

use super::{files, App, Message};
use crate::ui::conversation::pane;
use crate::ui::conversation::ConversationKey;
use crate::ui::links::{self, Target};
use crate::ui::sidebar::search;
use iced::widget::{operation, Id};
use iced::Task;
use sipchat::model::DeliveryState;
use sipchat::runtime::Command;

impl App {
    pub(super) fn on_pane(&mut self, message: pane::Message) -> Task<Message> {
        match self.pane.update(self.conversations.open_key(), message) {
            pane::Action::None => Task::none(),
            pane::Action::Send { key, text } => self.send(&key, &text),
            pane::Action::LoadEarlier(key) => {
                self.load_page(&key, true);
                Task::none()
            }
            pane::Action::Retry { key, id } => {
                if self.conversations.requeue(&key, id) {
                    self.command(Command::RetryMessage {
                        id,
                        account: key.account.clone(),
                    });
                }
                Task::none()
            }
            pane::Action::Drafted { key, empty } => {
                if let Some(command) = self.sessions.draft_changed(&key, empty) {
                    self.command(command);
                }
                Task::none()
            }
            pane::Action::Chat { key, request } => self.chat_request(&key, request),
            pane::Action::Attach(key) => self.attach(key),
            pane::Action::Paste(key) => self.paste(key),
            pane::Action::Transfer(message) => self.on_files(files::FileMessage::Transfer(message)),
            pane::Action::OpenLink(link) => self.open_link(&link),
            pane::Action::Copy(text) => iced::clipboard::write(text),
            pane::Action::Focus(id) => operation::focus(Id::new(id)),
        }
    }

    /// A clicked link: a SIP address opens its conversation here, the
    /// rest goes to the desktop.
    fn open_link(&mut self, link: &str) -> Task<Message> {
        match links::target(link) {
            Target::Conversation(address) => self.open_address(&address).unwrap_or_else(Task::none),
            Target::Desktop(link) => {
                self.opener.open(&link);
                Task::none()
            }
        }
    }

    /// Ctrl+Tab, Alt+Up/Down: the next or previous conversation.
    pub(super) fn switch_conversation(&mut self, forward: bool) -> Task<Message> {
        if self.alerts.log_open() && self.conversations.open_key().is_some() {
            // Back from the log to the conversation it covered first.
            self.alerts.close_log();
            return Task::none();
        }
        match self.conversations.neighbour(forward) {
            Some(key) => self.open(&key),
            None => Task::none(),
        }
    }

    /// Ctrl+F: the history search field (closing what covers it).
    pub(super) fn find(&mut self) -> Task<Message> {
        self.switcher = None;
        self.settings_open = false;
        self.sidebar_unfolded = true;
        operation::focus(Id::new(search::FIELD))
    }

    fn send(&mut self, key: &ConversationKey, text: &str) -> Task<Message> {
        let Some(address) = self.conversations.get(key).map(|c| c.address.clone()) else {
            return Task::none();
        };
        let id = self.runtime.next_message_id();
        let command = match self.sessions.active_id(key) {
            Some(session) => Command::SendChat {
                id,
                account: key.account.clone(),
                session,
                text: text.to_string(),
            },
            None => Command::SendMessage {
                id,
                account: key.account.clone(),
                to: address,
                text: text.to_string(),
            },
        };
        let state = match self.runtime.send(command) {
            Ok(()) => DeliveryState::Sending,
            Err(e) => DeliveryState::Failed {
                code: None,
                reason: e.to_string(),
            },
        };
        self.conversations.push_outgoing(key, id, text, state, self.now);
        if let Some(command) = self.sessions.draft_sent(key) {
            self.command(command);
        }
        pane::to_newest()
    }
}
