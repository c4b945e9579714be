//! Emergency alerts in the window: the banner over everything while any
//! alert is unacknowledged, and the alert log.
//!
//! The runtime raises an alert with `Event::AlertRaised` (its message is in
//! its conversation too), answers `Command::AckAlert` with
//! `Event::AlertAcknowledged`, and `Command::LoadAlerts` with
//! `Event::Alerts`. At start the app loads the log (so open alerts survive a
//! restart, and acknowledged ones still badge their messages); opening the
//! log loads it again. Every answer is merged
//! by id, so the order of answers does not matter and an acknowledgement is
//! never undone by an older list.

mod view;

use crate::ui::conversation::ConversationKey;
use sipchat::model::{conversation_key, Alert, MessageId};
use std::collections::BTreeMap;

pub use view::{banner, log, log_chain, log_entry_label};

/// What the banner and the log report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// "Acknowledge" on an alert.
    Acknowledge(i64),
    /// "Show": open the log at this alert.
    Show(i64),
    /// The sidebar's "Alerts" entry, or "Show all" on the banner.
    OpenLog,
    /// "Close" on the log.
    CloseLog,
    /// "Open conversation" on an alert in the log.
    OpenConversation(i64),
}

/// What the app must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Send `Command::AckAlert { id }`.
    Acknowledge(i64),
    /// The log was opened: load the whole alert log.
    LoadLog,
    /// Open the conversation the alert came in.
    OpenConversation(ConversationKey),
}

/// Every alert the window knows, and whether the log is shown.
#[derive(Debug, Default)]
pub struct Alerts {
    by_id: BTreeMap<i64, Alert>,
    log_open: bool,
    /// The alert "Show" pointed at (highlighted in the log).
    selected: Option<i64>,
    /// What the messages that raised alerts show: the alert's text (the
    /// CAP headline and description rather than the XML).
    by_message: BTreeMap<MessageId, String>,
}

/// The conversation an alert belongs to.
pub fn conversation_of(alert: &Alert) -> ConversationKey {
    ConversationKey::stored(&alert.account.0, &conversation_key(&alert.from))
}

impl Alerts {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Acknowledge(id) => match self.by_id.get(&id) {
                Some(alert) if alert.acknowledged_at.is_none() => Action::Acknowledge(id),
                _ => Action::None,
            },
            Message::Show(id) => {
                self.selected = Some(id);
                self.open_log()
            }
            Message::OpenLog => self.open_log(),
            Message::CloseLog => {
                self.log_open = false;
                Action::None
            }
            Message::OpenConversation(id) => match self.by_id.get(&id) {
                Some(alert) => {
                    self.log_open = false;
                    Action::OpenConversation(conversation_of(alert))
                }
                None => Action::None,
            },
        }
    }

    fn open_log(&mut self) -> Action {
        self.log_open = true;
        Action::LoadLog
    }

    /// A conversation was opened: the log gives way to it.
    /// Closes the log; `false` if it was not open.
    pub fn close_log(&mut self) -> bool {
        std::mem::take(&mut self.log_open)
    }

    /// Selects an alert (a notification's "Open" for it).
    pub fn select(&mut self, id: i64) {
        self.selected = Some(id);
    }

    /// A new alert arrived.
    pub fn raised(&mut self, alert: Alert) {
        self.merge(alert);
    }

    /// The runtime confirmed an acknowledgement.
    pub fn acknowledged(&mut self, id: i64, at_ms: i64) {
        if let Some(alert) = self.by_id.get_mut(&id) {
            alert.acknowledged_at.get_or_insert(at_ms);
        }
    }

    /// A list from the alert log (all, or only the unacknowledged ones).
    pub fn loaded(&mut self, list: Vec<Alert>) {
        for alert in list {
            self.merge(alert);
        }
    }

    fn merge(&mut self, alert: Alert) {
        let kept = self.by_id.get(&alert.id).and_then(|a| a.acknowledged_at);
        let mut alert = alert;
        if alert.acknowledged_at.is_none() {
            alert.acknowledged_at = kept;
        }
        if let Some(id) = alert.message_id {
            self.by_message.insert(id, alert.text.clone());
        }
        self.by_id.insert(alert.id, alert);
    }

    /// All alerts, newest first.
    pub fn newest_first(&self) -> Vec<&Alert> {
        let mut list: Vec<&Alert> = self.by_id.values().collect();
        list.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
        list
    }

    /// The alerts still up, newest first.
    pub fn unacknowledged(&self) -> Vec<&Alert> {
        let mut list = self.newest_first();
        list.retain(|a| a.acknowledged_at.is_none());
        list
    }

    /// How many alerts the window knows.
    pub fn count(&self) -> usize {
        self.by_id.len()
    }

    /// One alert.
    #[cfg(test)]
    pub fn get(&self, id: i64) -> Option<&Alert> {
        self.by_id.get(&id)
    }

    /// Whether the log is shown (instead of the open conversation).
    pub fn log_open(&self) -> bool {
        self.log_open
    }

    /// The alert "Show" pointed at.
    pub fn selected(&self) -> Option<i64> {
        self.selected
    }

    /// Whether this message raised an alert (for its badge in the
    /// conversation, also when it came from the history).
    #[cfg(test)]
    pub fn is_alert_message(&self, id: MessageId) -> bool {
        self.by_message.contains_key(&id)
    }

    /// The messages that raised alerts, with the text to show for each.
    pub fn messages(&self) -> &BTreeMap<MessageId, String> {
        &self.by_message
    }
}

#[cfg(test)]
mod tests;
