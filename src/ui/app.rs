//! The window's top level: owns the runtime handle and the components,
//! routes messages to them, and carries out the actions they return.

use crate::ui::bridge::{self, EventSource};
use crate::ui::clock::{self, Zone};
use crate::ui::conversation::pane::{self, Pane};
use crate::ui::conversation::{ConversationKey, Conversations};
use crate::ui::sidebar::{self, accounts::Accounts, Sidebar};
use crate::ui::theme;
use iced::widget::{button, column, container, operation, row, rule, text, Id};
use iced::{Center, Element, Fill, Subscription, Task, Theme};
use sipchat::model::{AccountId, DeliveryState};
use sipchat::runtime::{Event, Handle};
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
    /// SIGINT/SIGTERM: close like the window's close button.
    Quit,
}

/// Everything the window knows.
pub struct App {
    handle: Handle,
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
    /// `accounts` in config order; `sending` is the default sending account.
    pub fn new(
        handle: Handle,
        events: EventSource,
        accounts: Vec<AccountId>,
        sending: Option<AccountId>,
        notice: Option<String>,
    ) -> (App, Task<Message>) {
        let app = App {
            handle,
            events,
            zone: Zone::load(),
            now: clock::unix_now(),
            sidebar: Sidebar::new(Accounts::new(accounts, sending)),
            conversations: Conversations::default(),
            pane: Pane::default(),
            notice,
            stopped: false,
        };
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
                sidebar::Action::Open(key) => self.open(&key),
                sidebar::Action::Start { account, address } => {
                    let key = self.conversations.start(&account, &address, self.now);
                    self.open(&key)
                }
            },
            Message::Pane(message) => match self.pane.update(self.conversations.open_key(), message) {
                pane::Action::None => Task::none(),
                pane::Action::Send { key, text } => self.send(&key, &text),
            },
            Message::Tick => Task::none(),
            Message::DismissNotice => {
                self.notice = None;
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
                self.conversations.receive(&message);
            }
            Event::DeliveryUpdate {
                id,
                account,
                to,
                state,
            } => {
                self.conversations.apply_delivery(id, &account, &to, state);
            }
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

    fn open(&mut self, key: &ConversationKey) -> Task<Message> {
        if !self.conversations.open(key) {
            return Task::none();
        }
        Task::batch([
            operation::focus(Id::new(pane::COMPOSER)),
            operation::snap_to_end(Id::new(pane::MESSAGES)),
        ])
    }

    fn send(&mut self, key: &ConversationKey, text: &str) -> Task<Message> {
        let Some(address) = self.conversations.get(key).map(|c| c.address.clone()) else {
            return Task::none();
        };
        let (id, state) = match self.handle.send_message(&key.account, &address, text) {
            Ok(id) => (id, DeliveryState::Sending),
            Err(e) => (
                self.handle.next_message_id(),
                DeliveryState::Failed {
                    code: None,
                    reason: e.to_string(),
                },
            ),
        };
        self.conversations.push_outgoing(key, id, text, state, self.now);
        operation::snap_to_end(Id::new(pane::MESSAGES))
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            bridge::runtime_events(&self.events).map(Message::Runtime),
            bridge::termination().map(|()| Message::Quit),
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
