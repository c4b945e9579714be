//! The address book in the window: the contact list beside the
//! conversations in the sidebar (favourites first, a filter box, photos or
//! letter avatars), and the contact page (`page.rs`). The photos are decoded
//! once per change of the list (`ui/avatar.rs`).
//!
//! The list is the runtime's `Event::Contacts`, kept whole; changes go back
//! as `Command::ChangeContacts` from `ui/app/contacts_glue.rs`.

pub mod form;
pub mod menu;
pub mod page;

use crate::ui::avatar::{self, PhotoJob, Photos};
use crate::ui::clock::Zone;
use crate::ui::i18n::t;
use crate::ui::presence::{dot, Presences, Seen};
use crate::ui::{theme, widget};
use iced::widget::image::Handle;
use iced::widget::{button, column, container, row, scrollable, text, text_input, Id};
use iced::{Center, Element, Fill};
use sipchat::model::{Contact, ContactId};

/// The filter field's widget id.
pub const FILTER_FIELD: &str = "contact-filter";
/// Longest name in the list, in characters (the row clips as well).
const NAME_CHARS: usize = 24;
/// Longest address line in the list, in characters.
const ADDRESS_CHARS: usize = 30;

#[derive(Debug, Clone)]
pub enum Message {
    /// The filter box was edited.
    Filter(String),
    /// A contact in the list was clicked.
    Open(ContactId),
    /// The "Add contact" button.
    Add,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Show this contact's page.
    Open(ContactId),
    /// Open the dialog adding a contact.
    Add,
}

/// The address book as the runtime last listed it, the filter, and the
/// contacts' photos.
#[derive(Debug, Default)]
pub struct ContactList {
    all: Vec<Contact>,
    filter: String,
    pub photos: Photos,
    /// The list changed since its photos were last looked at.
    photos_stale: bool,
}

impl ContactList {
    /// Replaces the list with the runtime's.
    pub fn set(&mut self, contacts: Vec<Contact>) {
        self.all = contacts;
        self.photos_stale = true;
    }

    /// The photos to decode since the list last changed.
    pub fn wanted_photos(&mut self) -> Vec<PhotoJob> {
        if !std::mem::take(&mut self.photos_stale) {
            return Vec::new();
        }
        self.photos.wanted(&self.all)
    }

    pub fn get(&self, id: ContactId) -> Option<&Contact> {
        self.all.iter().find(|c| c.id == id)
    }

    pub fn all(&self) -> &[Contact] {
        &self.all
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Filter(text) => {
                self.filter = text;
                Action::None
            }
            Message::Open(id) => Action::Open(id),
            Message::Add => Action::Add,
        }
    }

    /// The contacts to list: favourites first, then by name (without case),
    /// only those matching every word of the filter.
    pub fn shown(&self) -> Vec<&Contact> {
        let mut shown: Vec<&Contact> = self.all.iter().filter(|c| matches(c, &self.filter)).collect();
        shown.sort_by(|a, b| {
            b.details
                .favourite
                .cmp(&a.details.favourite)
                .then_with(|| a.details.name.to_lowercase().cmp(&b.details.name.to_lowercase()))
                .then(a.id.cmp(&b.id))
        });
        shown
    }

    /// The filter box, the "Add contact" button and the list (with each
    /// contact's presence, when known).
    pub fn view<'a>(
        &'a self,
        open: Option<ContactId>,
        presence: Option<&Presences>,
        zone: &Zone,
        now: u64,
    ) -> Element<'a, Message> {
        let filter = text_input(&t!("contacts-filter"), &self.filter)
            .id(Id::new(FILTER_FIELD))
            .on_input(Message::Filter)
            .padding(theme::SPACE_S);
        let add = button(text(t!("contacts-add")).size(theme::TEXT_SMALL))
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .style(theme::secondary_button)
            .on_press(Message::Add);
        let top = row![filter, add].spacing(theme::SPACE_S).align_y(Center);
        let top = container(top).padding([0.0, theme::SPACE_L]);
        let shown = self.shown();
        let list: Element<'_, Message> = if self.all.is_empty() {
            container(widget::muted(t!("contacts-empty")))
                .padding([0.0, theme::SPACE_L])
                .into()
        } else if shown.is_empty() {
            container(widget::muted(t!("contacts-none-match")))
                .padding([0.0, theme::SPACE_L])
                .into()
        } else {
            let rows = shown.into_iter().map(|c| {
                // A contact is watched (unless blocked): until its first
                // report its status is unknown.
                let seen = presence.and_then(|p| presence_of(p, c));
                let (shown, words) = match seen {
                    Some(seen) => (Some(seen.shown()), Some(seen.describe(zone, now))),
                    None if presence.is_some() && !c.details.blocked => {
                        (Some(dot::Shown::Unknown), Some(dot::Shown::Unknown.words()))
                    }
                    None => (None, None),
                };
                contact_row(c, open == Some(c.id), self.photos.get(Some(c.id)), shown, words)
            });
            scrollable(column(rows).spacing(2).padding([0.0, theme::SPACE_S]))
                .height(Fill)
                .into()
        };
        column![top, list].spacing(theme::SPACE_S).height(Fill).into()
    }
}

/// Whether every word of `filter` is in the contact's name, an address or
/// a group (without case).
pub fn matches(contact: &Contact, filter: &str) -> bool {
    let details = &contact.details;
    let haystack = format!(
        "{} {} {}",
        details.name,
        details.addresses.join(" "),
        details.groups.join(" ")
    )
    .to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

/// A contact's presence: the most reachable of its addresses.
pub fn presence_of<'p>(presences: &'p Presences, contact: &Contact) -> Option<&'p Seen> {
    presences.of_peers(
        contact
            .details
            .addresses
            .iter()
            .map(|a| sipchat::model::conversation_key(a)),
    )
}

fn contact_row<'a>(
    contact: &'a Contact,
    selected: bool,
    photo: Option<&Handle>,
    shown: Option<dot::Shown>,
    words: Option<String>,
) -> Element<'a, Message> {
    let details = &contact.details;
    let mut name = row![text(widget::one_line(&details.name, NAME_CHARS))
        .size(theme::TEXT_BODY + 1.0)
        .wrapping(text::Wrapping::None)]
    .spacing(theme::SPACE_S)
    .align_y(Center);
    if details.favourite {
        name = name.push(widget::muted("★"));
    }
    if details.blocked {
        name = name.push(widget::muted(t!("contacts-blocked-mark")));
    }
    let address = widget::one_line(contact.address().unwrap_or_default(), ADDRESS_CHARS);
    let middle = column![name, widget::muted(address).wrapping(text::Wrapping::None)]
        .spacing(2)
        .width(Fill);
    let seed = contact.address().unwrap_or(&details.name);
    let avatar = dot::on_avatar(
        avatar::view(&details.name, seed, photo),
        shown,
        theme::AVATAR_SIZE,
    );
    let avatar = match words {
        Some(words) => dot::with_words(avatar, words),
        None => avatar,
    };
    let content = row![avatar, container(middle).width(Fill).clip(true)]
        .spacing(theme::SPACE_M)
        .align_y(Center);
    button(content)
        .width(Fill)
        .padding([theme::SPACE_S, theme::SPACE_S])
        .style(theme::list_item(selected))
        .on_press(Message::Open(contact.id))
        .into()
}

#[cfg(test)]
mod tests;
