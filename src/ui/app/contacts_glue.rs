//! The address book's part of the window: the runtime's contact list into
//! the sidebar, the contact page's buttons into conversations and
//! `Command::ChangeContacts`, and the runtime's answers (a refusal is shown
//! in its own words).

use super::{App, Message};
use crate::ui::contacts::form::{self, ContactForm};
use crate::ui::contacts::menu::{self, ConversationMenu};
use crate::ui::contacts::page;
use crate::ui::conversation::session::Request;
use crate::ui::conversation::ConversationKey;
use crate::ui::sidebar::Tab;
use crate::ui::words::w;
use iced::widget::{operation, Id};
use iced::Task;
use sipchat::model::{AccountId, Contact, ContactId, ContactSelector};
use sipchat::runtime::{Command, ContactChange, ContactChanged, ContactOutcome};

impl App {
    /// The runtime's whole contact list: shown, and the open page closed if
    /// its contact is gone.
    pub(super) fn contacts_listed(&mut self, contacts: Vec<Contact>) {
        self.sidebar.contacts.set(contacts);
        if let Some(id) = self.sidebar.open_contact {
            if self.sidebar.contacts.get(id).is_none() {
                self.sidebar.open_contact = None;
            }
        }
    }

    /// What one of our changes did: a refusal is shown in the runtime's
    /// words (in the open dialog if it was the dialog's), and the stored
    /// conversations are listed again (a conversation the window hid or
    /// renamed at once comes back as it is); an added contact's page opens.
    /// Changes made elsewhere (the command line) only show in the new list.
    pub(super) fn contact_changed(&mut self, changed: ContactChanged) {
        if !self.contact_requests.remove(&changed.request) {
            return;
        }
        if matches!(changed.outcome, ContactOutcome::Refused { .. }) {
            self.command(Command::LoadConversations);
        }
        match changed.outcome {
            ContactOutcome::Refused { reason } if !self.contact_form_refused(changed.request, &reason) => {
                self.notice = Some(w!("notice-contact-refused", reason = reason));
            }
            ContactOutcome::Added { id } => {
                self.contact_form_done(changed.request);
                self.show_contact(id);
            }
            ContactOutcome::Changed { .. } => self.contact_form_done(changed.request),
            _ => {}
        }
    }

    /// Sends a change to the address book, remembering its number.
    pub(super) fn change_contacts(&mut self, change: ContactChange) -> u64 {
        let request = self.runtime.next_message_id().0;
        self.contact_requests.insert(request);
        self.command(Command::ChangeContacts {
            request,
            change: Box::new(change),
        });
        request
    }

    /// Shows a contact's page in place of the conversation.
    pub(super) fn show_contact(&mut self, id: ContactId) {
        self.sidebar.open_contact = Some(id);
        self.sidebar.tab = Tab::Contacts;
        self.switcher = None;
        self.alerts.close_log();
        self.sidebar_unfolded = false;
    }

    /// The account a contact is written from: its own, else the one chosen
    /// in the sidebar.
    pub(super) fn contact_account(&self, contact: &Contact) -> Option<AccountId> {
        match &contact.details.account {
            Some(own) => Some(AccountId(own.clone())),
            None => self.sidebar.accounts.selected().cloned(),
        }
    }

    pub(super) fn on_contact_page(&mut self, message: page::Message) -> Task<Message> {
        match message {
            page::Message::Close => {
                self.sidebar.open_contact = None;
                Task::none()
            }
            page::Message::Block(id, blocked) => {
                self.change_contacts(ContactChange::SetBlocked {
                    contact: ContactSelector::Id(id),
                    blocked,
                });
                Task::none()
            }
            page::Message::NotifyOnline(id, on) => {
                self.notify_online(id, on);
                Task::none()
            }
            page::Message::Edit(id) => {
                if let Some(contact) = self.sidebar.contacts.get(id).cloned() {
                    self.edit_contact(&contact);
                }
                Task::none()
            }
            page::Message::Write(id) => self.write_to_contact(id).map_or_else(Task::none, |(_, t)| t),
            page::Message::ChatSession(id) => match self.write_to_contact(id) {
                Some((key, task)) => Task::batch([task, self.chat_request(&key, Request::Start)]),
                None => Task::none(),
            },
            page::Message::SendFile(id) => match self.write_to_contact(id) {
                Some((key, task)) => Task::batch([task, self.attach(key)]),
                None => Task::none(),
            },
        }
    }

    /// Opens the conversation with a contact's preferred address from its
    /// account, in place of its page.
    fn write_to_contact(&mut self, id: ContactId) -> Option<(ConversationKey, Task<Message>)> {
        let contact = self.sidebar.contacts.get(id)?.clone();
        let address = contact.address()?.to_string();
        let Some(account) = self.contact_account(&contact) else {
            self.notice = Some(w!("new-conversation-no-account"));
            return None;
        };
        self.sidebar.open_contact = None;
        let key = self.conversations.start(&account, &address, self.now);
        let task = self.open(&key);
        Some((key, task))
    }
}

impl App {
    /// Opens the dialog adding a contact, prefilled.
    pub(super) fn add_contact(&mut self, name: &str, address: &str, account: Option<&AccountId>) {
        self.switcher = None;
        self.contact_form = Some(ContactForm::add(name, address, account));
    }

    /// Opens the dialog editing a contact.
    pub(super) fn edit_contact(&mut self, contact: &Contact) {
        self.switcher = None;
        self.contact_form = Some(ContactForm::edit(contact));
    }

    pub(super) fn on_contact_form(&mut self, message: form::Message) -> Task<Message> {
        let accounts = self.sidebar.accounts.ids();
        let Some(form) = self.contact_form.as_mut() else {
            return Task::none();
        };
        let change = match form.update(message, &accounts) {
            form::Action::None => return Task::none(),
            form::Action::Close => {
                self.contact_form = None;
                return Task::none();
            }
            form::Action::Add(draft) => ContactChange::Add { draft },
            form::Action::Edit(id, patch) => ContactChange::Edit {
                contact: ContactSelector::Id(id),
                patch,
            },
        };
        let request = self.change_contacts(change);
        if let Some(form) = self.contact_form.as_mut() {
            form.pending = Some(request);
        }
        Task::none()
    }

    /// The dialog's change was refused: shown in the dialog (`false` when
    /// the change was not the dialog's).
    fn contact_form_refused(&mut self, request: u64, reason: &str) -> bool {
        match self.contact_form.as_mut() {
            Some(form) if form.pending == Some(request) => {
                form.refused(reason);
                true
            }
            _ => false,
        }
    }

    /// The dialog's change was made: the dialog closes.
    fn contact_form_done(&mut self, request: u64) {
        if self.contact_form.as_ref().and_then(|f| f.pending) == Some(request) {
            self.contact_form = None;
        }
    }
}

impl App {
    /// Opens the menu of `key` (`None`: the open conversation).
    pub(super) fn open_menu(&mut self, key: Option<ConversationKey>) -> Task<Message> {
        let Some(key) = key.or_else(|| self.conversations.open_key().cloned()) else {
            return Task::none();
        };
        let Some(conversation) = self.conversations.get(&key) else {
            return Task::none();
        };
        let menu = ConversationMenu::new(key, conversation.title(), conversation.contact.is_some());
        self.switcher = None;
        self.conversation_menu = Some(menu);
        Task::none()
    }

    pub(super) fn on_menu(&mut self, message: menu::Message) -> Task<Message> {
        let renaming = message == menu::Message::Rename;
        let Some(open) = self.conversation_menu.as_mut() else {
            return Task::none();
        };
        match open.update(message) {
            menu::Action::None if renaming => operation::focus(Id::new(menu::RENAME_FIELD)),
            menu::Action::None => Task::none(),
            menu::Action::Close => {
                self.conversation_menu = None;
                Task::none()
            }
            menu::Action::AddToContacts(key) => {
                // The runtime makes the contact from the stored
                // conversation (its peer's address and shown name, its
                // account) and links it; the new contact's page opens,
                // where it can be edited.
                self.conversation_menu = None;
                let name = self.conversations.get(&key).map(|c| c.title());
                self.change_contacts(ContactChange::AddPeer {
                    account: key.account,
                    peer_key: key.peer,
                    name,
                });
                Task::none()
            }
            menu::Action::Rename(key, title) => {
                self.conversation_menu = None;
                self.conversations.rename(&key, title.clone());
                self.change_contacts(ContactChange::RenameConversation {
                    account: key.account,
                    peer_key: key.peer,
                    title,
                });
                Task::none()
            }
            menu::Action::Delete(key) => {
                self.conversation_menu = None;
                self.conversations.remove(&key);
                self.change_contacts(ContactChange::DeleteConversation {
                    account: key.account,
                    peer_key: key.peer,
                });
                Task::none()
            }
        }
    }
}
