//! The app's side of emergency alerts and desktop notifications: what the
//! banner, the log and a click on a notification ask for.

use super::{App, Message};
use crate::ui::alerts::{self, Alerts};
use crate::ui::conversation::ConversationKey;
use crate::ui::single_instance::InstanceRequest;
use crate::ui::theme;
use crate::ui::words::w;
use iced::widget::{button, container, text};
use iced::{Element, Fill, Task};
use sipchat::notify::NotifyAction;
use sipchat::runtime::Command;

impl App {
    pub(super) fn on_alerts(&mut self, message: alerts::Message) -> Task<Message> {
        match self.alerts.update(message) {
            alerts::Action::None => Task::none(),
            alerts::Action::Acknowledge(id) => {
                self.command(Command::AckAlert { id });
                Task::none()
            }
            alerts::Action::LoadLog => {
                self.command(Command::LoadAlerts {
                    account: None,
                    unacknowledged_only: false,
                });
                Task::none()
            }
            alerts::Action::OpenConversation(key) => {
                self.conversations.ensure_stored(&key, self.now);
                self.open(&key)
            }
        }
    }

    /// "Open" on a notification opens its conversation (and points at its
    /// alert) and brings the window forward; "Acknowledge" acknowledges.
    pub(super) fn on_notification(&mut self, action: NotifyAction) -> Task<Message> {
        match action {
            NotifyAction::Open(target) => {
                let key = ConversationKey::stored(&target.account.0, &target.peer_key);
                if let Some(id) = target.alert {
                    self.alerts.select(id);
                }
                self.conversations.ensure_stored(&key, self.now);
                let open = self.open(&key);
                let raise = self.raise();
                Task::batch([open, raise])
            }
            NotifyAction::Acknowledge(id) => {
                self.command(Command::AckAlert { id });
                Task::none()
            }
        }
    }

    /// A later `sipchat` (a clicked `sip:` link, the launcher again) asked
    /// this window to open a conversation or just to come forward.
    pub(super) fn on_instance_request(&mut self, request: InstanceRequest) -> Task<Message> {
        let raise = self.raise();
        match request {
            InstanceRequest::Show => raise,
            InstanceRequest::Open(address) => match self.open_address(&address) {
                Some(open) => Task::batch([open, raise]),
                None => raise,
            },
        }
    }

    /// Starts (or finds) the conversation with `address` on the selected
    /// account and opens it; `None`, with a notice, when no account is there.
    pub(super) fn open_address(&mut self, address: &str) -> Option<Task<Message>> {
        match self.sidebar.accounts.selected().cloned() {
            Some(account) => {
                let key = self.conversations.start(&account, address, self.now);
                Some(self.open(&key))
            }
            None => {
                self.notice = Some(w!("new-conversation-no-account"));
                None
            }
        }
    }
}

/// The "Alerts (n)" entry over the sidebar, opening the alert log.
pub(super) fn sidebar_entry(alerts: &Alerts) -> Element<'_, Message> {
    let up = !alerts.unacknowledged().is_empty();
    let label = text(alerts::log_entry_label(alerts))
        .size(theme::TEXT_BODY)
        .font(theme::BOLD);
    let entry = button(label)
        .width(Fill)
        .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
        .on_press(Message::Alerts(alerts::Message::OpenLog));
    let entry = if up {
        entry.style(button::danger)
    } else {
        entry.style(theme::secondary_button)
    };
    container(entry)
        .padding(
            iced::Padding::new(theme::SPACE_S)
                .left(theme::SPACE_L)
                .right(theme::SPACE_L),
        )
        .style(theme::sidebar)
        .into()
}
