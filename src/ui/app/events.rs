//! What the runtime reports ([`Event`]), handed to the components that show
//! it.

use super::*;

impl App {
    pub(super) fn on_event(&mut self, event: Event) -> Task<Message> {
        self.notifications.handle(&event);
        self.certificate_event(&event);
        if let Event::Conversations(list) = &event {
            self.conversations.apply_summaries(list);
            return self.restore_last();
        }
        match event {
            Event::AccountState { account, state } => {
                if let sipchat::model::RegistrationState::Listening { address, .. } = &state {
                    self.local_listening(address);
                }
                self.sidebar.accounts.set_state(&account, state, self.now)
            }
            Event::CertificateUntrusted { .. } | Event::CertificateChanged { .. } => {}
            Event::Contacts(list) => self.contacts_listed(list),
            Event::ContactChanged(changed) => self.contact_changed(changed),
            Event::MessageReceived(message) => {
                let key = self.conversations.receive(&message);
                self.sessions.message_from(&key);
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
            // The window shows the message as queued already.
            Event::Conversations(_) | Event::MessageWaiting { .. } => {}
            Event::Presence {
                account,
                contact,
                presence,
                watch,
            } => self.contact_presence(&account, &contact, presence, watch),
            Event::OwnPresence {
                account,
                status,
                note,
                published,
            } => self.own_presence(&account, status, note, published),
            Event::PresenceRequest { account, watcher } => self.presences.requested(&account, &watcher),
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
            Event::AlertRaised(alert) => self.alerts.raised(*alert),
            Event::AlertAcknowledged { id, at_ms } => self.alerts.acknowledged(id, at_ms),
            Event::Alerts(list) => self.alerts.loaded(list),
            Event::Error { account, message } => {
                if let Some(account) = &account {
                    // Shown in the selector (and here, like every error).
                    self.presences.error(account, &message);
                }
                self.notice = Some(match account {
                    Some(account) => w!("notice-account-error", account = account.0, message = message),
                    None => Words::plain(message),
                });
            }
            Event::Stopped => {
                self.stopped = true;
                self.sessions.clear();
                self.transfers.runtime_stopped(&t!("transfer-runtime-stopped"));
                if !self.restarting {
                    self.notice = Some(w!("notice-runtime-stopped"));
                }
            }
            Event::ChatOffered {
                account,
                session,
                from,
                from_name,
            } => {
                let key = self
                    .conversations
                    .meet(&account, &from, from_name.as_deref(), self.now);
                self.sessions.offered(&key, session);
            }
            Event::ChatUpdate {
                account,
                session,
                peer,
                state,
            } => {
                let key = if state.is_final() {
                    ConversationKey::new(&account, &peer)
                } else {
                    self.conversations.meet(&account, &peer, None, self.now)
                };
                for command in self.sessions.update(&key, session, state) {
                    self.command(command);
                }
            }
            Event::PeerComposing {
                account,
                session,
                active,
            } => self.sessions.peer_composing(&account, session, active),
            Event::TransferOffered { .. }
            | Event::TransferResuming { .. }
            | Event::TransferProgress { .. }
            | Event::TransferDone { .. }
            | Event::TransferFailed { .. }
            | Event::Transfers(_) => self.on_transfer_event(event),
        }
        Task::none()
    }
}
