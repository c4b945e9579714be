//! Presence in the window (`ui/presence/`): the runtime's presence events,
//! the status selector, the permission banner, auto-away, the tray's "My
//! status", and "tell me when bob is online" (kept in the window state by
//! contact id, like the other notification choices).

use super::{App, Message};
use crate::ui::conversation::ConversationKey;
use crate::ui::presence::{self, OwnReport};
use iced::{Subscription, Task};
use sipchat::model::{AccountId, ContactId, OwnStatus, Presence, WatchState};
use sipchat::runtime::Command;
use std::time::Duration;

/// How often auto-away looks at the idle time.
pub const AWAY_CHECK: Duration = Duration::from_secs(20);

impl App {
    pub(super) fn on_presence(&mut self, message: presence::Message) -> Task<Message> {
        let accounts = self.sidebar.accounts.ids();
        match self.presences.update(message, &accounts, self.now) {
            presence::Action::None => {}
            presence::Action::SetStatus { status, note } => self.command(Command::SetStatus {
                account: None,
                status,
                note,
            }),
            presence::Action::Decide {
                account,
                watcher,
                allow,
            } => self.command(Command::DecideWatcher {
                account,
                watcher,
                allow,
            }),
        }
        Task::none()
    }

    /// A watched contact's presence changed: kept, and when the user asked
    /// to be told about this contact and it has just come online, a
    /// notification.
    pub(super) fn contact_presence(
        &mut self,
        account: &AccountId,
        contact: &str,
        presence: Presence,
        watch: WatchState,
    ) {
        if !self.presences.contact(account, contact, presence, watch) {
            return;
        }
        let key = ConversationKey::new(account, contact);
        let Some(person) = self.contact_of(&key.peer) else {
            return;
        };
        if !self.state.notify_online.contains(&person.id.0) {
            return;
        }
        let words = self
            .presences
            .of_key(&key)
            .map(|seen| seen.describe(&self.zone, self.now))
            .unwrap_or_default();
        let name = person.details.name.clone();
        self.notifications.online(&key, &name, &words);
    }

    /// Our status took effect on an account.
    pub(super) fn own_presence(
        &mut self,
        account: &AccountId,
        status: OwnStatus,
        note: Option<String>,
        published: bool,
    ) {
        self.presences.own_reported(
            account,
            OwnReport {
                status,
                note,
                published,
            },
        );
    }

    /// The contact holding this normalised address, if any.
    fn contact_of(&self, peer: &str) -> Option<&sipchat::model::Contact> {
        self.sidebar.contacts.all().iter().find(|c| {
            c.details
                .addresses
                .iter()
                .any(|a| sipchat::model::conversation_key(a) == peer)
        })
    }

    /// A watcher's name from the address book.
    pub(super) fn watcher_name(&self, watcher: &str) -> Option<String> {
        self.contact_of(&sipchat::model::conversation_key(watcher))
            .map(|c| c.details.name.clone())
    }

    /// "Tell me when … is online" switched on the contact page.
    pub(super) fn notify_online(&mut self, id: ContactId, on: bool) {
        if on {
            self.state.notify_online.insert(id.0);
        } else {
            self.state.notify_online.remove(&id.0);
        }
        self.save_state();
    }

    /// Settings: away after so many minutes without input, or never.
    pub(super) fn set_away_after(&mut self, minutes: Option<u32>) {
        self.state.away_after_minutes = minutes;
        self.presences.auto_away.set_minutes(minutes, self.now);
        self.save_state();
    }

    /// Input and the idle clock, while auto-away is on.
    pub(super) fn presence_subscription(&self) -> Vec<Subscription<Message>> {
        if !self.presences.auto_away.enabled() {
            return Vec::new();
        }
        vec![
            iced::event::listen_with(input_events),
            iced::time::every(AWAY_CHECK).map(|_| Message::Presence(presence::Message::Tick)),
        ]
    }
}

/// Keys, clicks, wheel turns and mouse moves in the window count as input.
fn input_events(
    event: iced::Event,
    _status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<Message> {
    use iced::{keyboard, mouse};
    match event {
        iced::Event::Keyboard(keyboard::Event::KeyPressed { .. })
        | iced::Event::Mouse(mouse::Event::ButtonPressed(_))
        | iced::Event::Mouse(mouse::Event::WheelScrolled { .. })
        | iced::Event::Mouse(mouse::Event::CursorMoved { .. }) => {
            Some(Message::Presence(presence::Message::Input))
        }
        _ => None,
    }
}
