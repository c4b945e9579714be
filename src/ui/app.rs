//! The window's top level: owns the runtime handle and the components,
//! routes messages to them, and carries out the actions they return.

use crate::ui::bridge::{self, EventSource};
use crate::ui::clock::{self, Zone};
use crate::ui::conversation::history::{PageRequest, PAGE_SIZE};
use crate::ui::conversation::pane::{self, Pane};
use crate::ui::conversation::{ConversationKey, Conversations};
use crate::ui::sidebar::{self, accounts::Accounts, search, Sidebar};
use crate::ui::theme;
use iced::keyboard::{key::Named, Key};
use iced::widget::{button, column, container, operation, row, rule, text, Id};
use iced::{Center, Element, Fill, Subscription, Task, Theme};
use sipchat::model::{AccountId, DeliveryState, MessageId};
use sipchat::runtime::{Command, Event, Handle, RuntimeError};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Message {
    /// Something the runtime reported.
    Runtime(Event),
    Sidebar(sidebar::Message),
    Pane(pane::Message),
    /// A second passed while a countdown is shown (account or message retry).
    Tick,
    DismissNotice,
    /// Esc anywhere: leave the search results.
    Escape,
    /// SIGINT/SIGTERM: close like the window's close button.
    Quit,
}

/// Where the window's commands go: the runtime, or a recorder in tests.
pub trait Commands {
    fn send(&self, command: Command) -> Result<(), RuntimeError>;
    fn next_message_id(&self) -> MessageId;
}

impl Commands for Handle {
    fn send(&self, command: Command) -> Result<(), RuntimeError> {
        Handle::send(self, command)
    }

    fn next_message_id(&self) -> MessageId {
        Handle::next_message_id(self)
    }
}

/// Everything the window knows.
pub struct App {
    runtime: Box<dyn Commands>,
    events: EventSource,
    zone: Zone,
    now: u64,
    sidebar: Sidebar,
    conversations: Conversations,
    pane: Pane,
    /// The latest error not tied to a message, until dismissed.
    notice: Option<String>,
    /// The runtime has stopped: nothing can be sent any more.
    stopped: bool,
}

impl App {
    /// `accounts` in config order; `sending` is the default sending
    /// account. Asks the runtime for the stored conversations.
    pub fn new(
        runtime: impl Commands + 'static,
        events: EventSource,
        accounts: Vec<AccountId>,
        sending: Option<AccountId>,
        notice: Option<String>,
    ) -> (App, Task<Message>) {
        let mut app = App {
            runtime: Box::new(runtime),
            events,
            zone: Zone::load(),
            now: clock::unix_now(),
            sidebar: Sidebar::new(Accounts::new(accounts, sending)),
            conversations: Conversations::default(),
            pane: Pane::default(),
            notice,
            stopped: false,
        };
        app.command(Command::LoadConversations);
        let focus = operation::focus(Id::new(sidebar::new_conversation::FIELD));
        (app, focus)
    }

    pub fn title(&self) -> String {
        match self.conversations.total_unread() {
            0 => "sipchat".into(),
            n => format!("sipchat ({n})"),
        }
    }

    pub fn theme(&self) -> Theme {
        theme::theme()
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        self.now = clock::unix_now();
        match message {
            Message::Runtime(event) => self.on_event(event),
            Message::Sidebar(message) => match self.sidebar.update(message) {
                sidebar::Action::None => Task::none(),
                sidebar::Action::Open(key) => {
                    self.conversations.ensure_stored(&key, self.now);
                    self.open(&key)
                }
                sidebar::Action::Start { account, address } => {
                    let key = self.conversations.start(&account, &address, self.now);
                    self.open(&key)
                }
                sidebar::Action::Search(text) => {
                    self.command(Command::Search {
                        text,
                        limit: search::LIMIT,
                    });
                    Task::none()
                }
            },
            Message::Pane(message) => match self.pane.update(self.conversations.open_key(), message) {
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
            },
            Message::Tick => Task::none(),
            Message::DismissNotice => {
                self.notice = None;
                Task::none()
            }
            Message::Escape => {
                self.sidebar
                    .update(sidebar::Message::Search(search::Message::Cancel));
                Task::none()
            }
            Message::Quit => iced::exit(),
        }
    }

    fn on_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::AccountState { account, state } => {
                self.sidebar.accounts.set_state(&account, state, self.now)
            }
            Event::MessageReceived(message) => {
                let key = self.conversations.receive(&message);
                if self.conversations.open_key() == Some(&key) {
                    self.mark_read(&key);
                }
            }
            Event::DeliveryUpdate {
                id,
                account,
                to,
                state,
            } => {
                self.conversations.apply_delivery(id, &account, &to, state);
            }
            Event::Conversations(list) => self.conversations.apply_summaries(&list),
            Event::Messages {
                account,
                peer_key,
                messages,
                complete,
            } => {
                let key = ConversationKey::stored(&account.0, &peer_key);
                self.conversations.apply_page(&key, &messages, complete);
            }
            Event::SearchResults { text, hits } => {
                self.sidebar.search.show(&text, hits);
            }
            // Until the alert view exists, an alert takes the notice banner
            // (its message is in its conversation too).
            Event::AlertRaised(alert) => {
                self.notice = Some(format!(
                    "EMERGENCY ALERT from {}: {}",
                    alert.from_name.as_deref().unwrap_or(&alert.from),
                    alert.title()
                ));
            }
            Event::AlertAcknowledged { .. } | Event::Alerts(_) => {}
            Event::Error { account, message } => {
                self.notice = Some(match account {
                    Some(account) => format!("{account}: {message}"),
                    None => message,
                });
            }
            Event::Stopped => {
                self.stopped = true;
                self.notice = Some("The background service stopped; sending is no longer possible.".into());
            }
        }
        Task::none()
    }

    /// Opens a conversation: loads its newest page the first time, and
    /// marks it read in the history.
    fn open(&mut self, key: &ConversationKey) -> Task<Message> {
        if !self.conversations.open(key) {
            return Task::none();
        }
        self.load_page(key, false);
        self.mark_read(key);
        Task::batch([
            operation::focus(Id::new(pane::COMPOSER)),
            operation::snap_to_end(Id::new(pane::MESSAGES)),
        ])
    }

    /// Asks for the newest page (if never loaded) or, with `older`, the
    /// page before the oldest message shown.
    fn load_page(&mut self, key: &ConversationKey, older: bool) {
        if let Some(PageRequest { key, before }) = self.conversations.request_page(key, older) {
            self.command(Command::LoadMessages {
                account: key.account,
                peer_key: key.peer,
                before,
                limit: PAGE_SIZE,
            });
        }
    }

    fn mark_read(&mut self, key: &ConversationKey) {
        self.command(Command::MarkRead {
            account: key.account.clone(),
            peer_key: key.peer.clone(),
        });
    }

    /// Sends a command; if the runtime is gone, says so.
    fn command(&mut self, command: Command) {
        if let Err(e) = self.runtime.send(command) {
            self.notice = Some(e.to_string());
        }
    }

    fn send(&mut self, key: &ConversationKey, text: &str) -> Task<Message> {
        let Some(address) = self.conversations.get(key).map(|c| c.address.clone()) else {
            return Task::none();
        };
        let id = self.runtime.next_message_id();
        let command = Command::SendMessage {
            id,
            account: key.account.clone(),
            to: address,
            text: text.to_string(),
        };
        let state = match self.runtime.send(command) {
            Ok(()) => DeliveryState::Sending,
            Err(e) => DeliveryState::Failed {
                code: None,
                reason: e.to_string(),
            },
        };
        self.conversations.push_outgoing(key, id, text, state, self.now);
        operation::snap_to_end(Id::new(pane::MESSAGES))
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            bridge::runtime_events(&self.events).map(Message::Runtime),
            bridge::termination().map(|()| Message::Quit),
            iced::event::listen_with(escape),
        ];
        if self.sidebar.accounts.is_counting_down() || self.conversations.open_has_countdown() {
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        Subscription::batch(subscriptions)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let sidebar = self
            .sidebar
            .view(&self.conversations, &self.zone, self.now)
            .map(Message::Sidebar);
        let cx = pane::ViewContext {
            zone: &self.zone,
            now: self.now,
            can_send: !self.stopped,
        };
        let pane = self
            .pane
            .view(self.conversations.current(), cx)
            .map(Message::Pane);
        let right = match &self.notice {
            Some(notice) => column![notice_banner(notice), pane].into(),
            None => pane,
        };
        row![
            sidebar,
            rule::vertical(1),
            container(right).width(Fill).height(Fill)
        ]
        .into()
    }
}

/// Esc, even when a text field took it (it unfocuses the field).
fn escape(event: iced::Event, _status: iced::event::Status, _window: iced::window::Id) -> Option<Message> {
    match event {
        iced::Event::Keyboard(iced::keyboard::Event::KeyPressed {
            key: Key::Named(Named::Escape),
            ..
        }) => Some(Message::Escape),
        _ => None,
    }
}

fn notice_banner(notice: &str) -> Element<'_, Message> {
    let dismiss = button(text("Dismiss").size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(button::text)
        .on_press(Message::DismissNotice);
    container(
        container(
            row![text(notice).size(theme::TEXT_BODY).width(Fill), dismiss]
                .spacing(theme::SPACE_M)
                .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(theme::banner),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
