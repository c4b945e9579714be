//! The dialog adding or editing a contact: name, addresses one per line,
//! account, note, favourite. Simple mistakes are named before anything is
//! sent; the runtime's refusal is shown in its own words.

use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::text_editor::{self, Content};
use iced::widget::{button, checkbox, column, row, space, text, text_input, Id};
use iced::{Element, Fill};
use sipchat::model::{
    contact_address_key, AccountId, AddressProblem, Contact, ContactDraft, ContactId, ContactPatch,
};

/// Most addresses one contact may have in the dialog.
pub const MAX_ADDRESSES: usize = 20;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The fields' widget ids, in Tab order.
pub const NAME_FIELD: &str = "contact-form-name";
pub const ADDRESSES_FIELD: &str = "contact-form-addresses";
pub const ACCOUNT_FIELD: &str = "contact-form-account";
pub const NOTE_FIELD: &str = "contact-form-note";
/// The dialog's name on the focus chain.
pub const DIALOG: &str = "contact-form";
const FAVOURITE: Key = Key::new("favourite");
const CANCEL: Key = Key::new("cancel");
const SAVE: Key = Key::new("save");

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Addresses(text_editor::Action),
    Account(String),
    Note(String),
    Favourite(bool),
    Save,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Add this contact.
    Add(ContactDraft),
    /// Change this contact so.
    Edit(ContactId, ContactPatch),
    /// Close the dialog.
    Close,
}

/// The dialog's fields and its mistake, while open.
#[derive(Debug, Default)]
pub struct ContactForm {
    /// The contact being edited; `None` adds one.
    editing: Option<ContactId>,
    name: String,
    addresses: Content,
    account: String,
    note: String,
    favourite: bool,
    /// The mistake to show, in words.
    error: Option<String>,
    /// The request number of the change on its way.
    pub pending: Option<u64>,
}

impl ContactForm {
    /// A form adding a contact, with what is known already (an address, a
    /// name, the account).
    pub fn add(name: &str, address: &str, account: Option<&AccountId>) -> ContactForm {
        ContactForm {
            name: name.to_string(),
            addresses: Content::with_text(address),
            account: account.map(|a| a.0.clone()).unwrap_or_default(),
            ..ContactForm::default()
        }
    }

    /// A form editing `contact`.
    pub fn edit(contact: &Contact) -> ContactForm {
        let details = &contact.details;
        ContactForm {
            editing: Some(contact.id),
            name: details.name.clone(),
            addresses: Content::with_text(&details.addresses.join("\n")),
            account: details.account.clone().unwrap_or_default(),
            note: details.note.clone().unwrap_or_default(),
            favourite: details.favourite,
            error: None,
            pending: None,
        }
    }

    #[cfg(test)]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Shows the runtime's refusal.
    pub fn refused(&mut self, reason: &str) {
        self.pending = None;
        self.error = Some(t!("contact-form-refused", reason = reason));
    }

    /// `accounts`: the configured ones, to check the account field against.
    pub fn update(&mut self, message: Message, accounts: &[AccountId]) -> Action {
        match message {
            Message::Name(name) => self.name = name,
            Message::Addresses(action) => self.addresses.perform(action),
            Message::Account(account) => self.account = account,
            Message::Note(note) => self.note = note,
            Message::Favourite(on) => self.favourite = on,
            Message::Cancel => return Action::Close,
            Message::Save => {
                return match self.check(accounts) {
                    Ok(action) => {
                        self.error = None;
                        action
                    }
                    Err(error) => {
                        self.error = Some(error);
                        Action::None
                    }
                }
            }
        }
        Action::None
    }

    /// The change the fields ask for, or the first mistake in words.
    fn check(&self, accounts: &[AccountId]) -> Result<Action, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(t!("contact-form-no-name"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(t!("contact-form-name-too-long", max = MAX_NAME_CHARS));
        }
        let text = self.addresses.text();
        let addresses: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if addresses.is_empty() {
            return Err(t!("contact-form-no-address"));
        }
        if addresses.len() > MAX_ADDRESSES {
            return Err(t!("contact-form-too-many-addresses", max = MAX_ADDRESSES));
        }
        let mut keys = Vec::new();
        for address in &addresses {
            let key = contact_address_key(address).map_err(|problem| match problem {
                AddressProblem::Empty => t!("contact-form-address-empty"),
                AddressProblem::Scheme => t!("contact-form-address-scheme", address = address.as_str()),
                AddressProblem::Host => t!("contact-form-address-host", address = address.as_str()),
            })?;
            if keys.contains(&key) {
                return Err(t!("contact-form-address-twice", address = address.as_str()));
            }
            keys.push(key);
        }
        let account = self.account.trim();
        let account = if account.is_empty() {
            None
        } else if accounts.iter().any(|a| a.0 == account) {
            Some(account.to_string())
        } else {
            return Err(t!("contact-form-unknown-account", account = account));
        };
        let note = Some(self.note.trim().to_string()).filter(|n| !n.is_empty());
        Ok(match self.editing {
            None => Action::Add(ContactDraft {
                name: name.to_string(),
                addresses,
                account,
                note,
                favourite: self.favourite,
                ..ContactDraft::default()
            }),
            Some(id) => Action::Edit(
                id,
                ContactPatch {
                    name: Some(name.to_string()),
                    addresses: Some(addresses),
                    account: Some(account),
                    note: Some(note),
                    favourite: Some(self.favourite),
                    ..ContactPatch::default()
                },
            ),
        })
    }

    /// Tab order: the fields, the favourite box, Cancel, and Save (while
    /// no change is on its way).
    pub fn focus_chain(&self) -> Chain<Message> {
        let chain = Chain::new(DIALOG)
            .field(NAME_FIELD)
            .field(ADDRESSES_FIELD)
            .field(ACCOUNT_FIELD)
            .field(NOTE_FIELD)
            .control(FAVOURITE, Message::Favourite(!self.favourite))
            .control(CANCEL, Message::Cancel);
        match self.pending {
            None => chain.control(SAVE, Message::Save),
            Some(_) => chain,
        }
    }

    /// The form, with the focus ring on the control `ring` names.
    pub fn view(&self, ring: Ring) -> Element<'_, Message> {
        let heading = if self.editing.is_some() {
            t!("contact-form-edit-title")
        } else {
            t!("contact-form-add-title")
        };
        let name = text_input(&t!("contact-form-name-hint"), &self.name)
            .id(Id::new(NAME_FIELD))
            .on_input(Message::Name)
            .padding(theme::SPACE_S);
        let addresses = iced::widget::text_editor(&self.addresses)
            .id(Id::new(ADDRESSES_FIELD))
            .placeholder(t!("contact-form-addresses-hint"))
            .on_action(Message::Addresses)
            .height(90)
            .padding(theme::SPACE_S);
        let account = text_input(&t!("contact-form-account-hint"), &self.account)
            .id(Id::new(ACCOUNT_FIELD))
            .on_input(Message::Account)
            .padding(theme::SPACE_S);
        let note = text_input("", &self.note)
            .id(Id::new(NOTE_FIELD))
            .on_input(Message::Note)
            .padding(theme::SPACE_S);
        let favourite = checkbox(self.favourite)
            .label(t!("contact-form-favourite"))
            .on_toggle(Message::Favourite);
        let save = button(text(t!("contact-form-save")))
            .on_press_maybe(self.pending.is_none().then_some(Message::Save));
        let cancel = button(text(t!("contact-form-cancel")))
            .style(theme::secondary_button)
            .on_press(Message::Cancel);
        let mut form = column![
            text(heading).size(theme::TEXT_TITLE).font(theme::BOLD),
            column![widget::muted(t!("contact-form-name")), name].spacing(theme::SPACE_XS),
            column![widget::muted(t!("contact-form-addresses")), addresses].spacing(theme::SPACE_XS),
            column![widget::muted(t!("contact-form-account")), account].spacing(theme::SPACE_XS),
            column![widget::muted(t!("contact-form-note")), note].spacing(theme::SPACE_XS),
            focus::ring(favourite, FAVOURITE, ring),
        ]
        .spacing(theme::SPACE_M)
        .width(Fill);
        if let Some(error) = &self.error {
            form = form.push(text(error.as_str()).style(|t: &iced::Theme| text::Style {
                color: Some(theme::danger_text(t)),
            }));
        }
        let buttons = row![
            space::horizontal(),
            focus::ring(cancel, CANCEL, ring),
            focus::ring(save, SAVE, ring)
        ];
        form.push(buttons.spacing(theme::SPACE_S)).into()
    }
}
