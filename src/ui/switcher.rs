//! "Jump to a conversation" (Ctrl+K): a filter over the conversations by
//! name and address, then the contacts (by name, address or group) that
//! have no conversation listed; arrows choose, Enter opens, Esc closes.

use crate::ui::avatar::{self, Photos};
use crate::ui::contacts;
use crate::ui::conversation::{Conversation, ConversationKey, Conversations};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, scrollable, text, text_input, Id};
use iced::{Center, Element, Fill};
use sipchat::model::{Contact, ContactId};

/// The filter field's widget id, for focusing it.
pub const FIELD: &str = "switcher";
/// Most matches listed.
pub const MAX_MATCHES: usize = 8;

#[derive(Debug, Clone)]
pub enum Message {
    Edited(String),
    /// Arrow up / down.
    Up,
    Down,
    /// Enter: open the chosen match.
    Submit,
    /// A match was clicked.
    Pick(ConversationKey),
    /// A contact was clicked.
    PickContact(ContactId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Open this conversation (the switcher should close).
    Open(ConversationKey),
    /// Show this contact's page (the switcher should close).
    OpenContact(ContactId),
}

/// One line of the switcher.
#[derive(Debug, Clone, Copy)]
pub enum Found<'a> {
    Conversation(&'a Conversation),
    Contact(&'a Contact),
}

/// The switcher's state while it is open.
#[derive(Debug, Default)]
pub struct Switcher {
    query: String,
    /// Index into the current matches.
    chosen: usize,
}

impl Switcher {
    /// The text typed so far.
    #[cfg(test)]
    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn update(
        &mut self,
        message: Message,
        conversations: &Conversations,
        contacts: &[Contact],
    ) -> Action {
        match message {
            Message::Edited(query) => {
                self.query = query;
                self.chosen = 0;
                Action::None
            }
            Message::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Action::None
            }
            Message::Down => {
                let count = everything(conversations, contacts, &self.query).len();
                if self.chosen + 1 < count {
                    self.chosen += 1;
                }
                Action::None
            }
            Message::Submit => match everything(conversations, contacts, &self.query).get(self.chosen) {
                Some(Found::Conversation(c)) => Action::Open(c.key.clone()),
                Some(Found::Contact(c)) => Action::OpenContact(c.id),
                None => Action::None,
            },
            Message::Pick(key) => Action::Open(key),
            Message::PickContact(id) => Action::OpenContact(id),
        }
    }

    pub fn view<'a>(
        &'a self,
        conversations: &'a Conversations,
        contacts: &'a [Contact],
        photos: &'a Photos,
    ) -> Element<'a, Message> {
        let field = text_input(&t!("switcher-placeholder"), &self.query)
            .id(Id::new(FIELD))
            .on_input(Message::Edited)
            .on_submit(Message::Submit)
            .padding([theme::SPACE_S + 2.0, theme::SPACE_M])
            .size(theme::TEXT_BODY + 1.0);
        let found = everything(conversations, contacts, &self.query);
        let list: Element<'a, Message> = if found.is_empty() {
            container(widget::muted(t!("switcher-nothing", text = self.query.trim())))
                .padding(theme::SPACE_S)
                .into()
        } else {
            let rows = found.into_iter().enumerate().map(|(i, found)| match found {
                Found::Conversation(c) => match_row(c, i == self.chosen, photos),
                Found::Contact(c) => contact_row(c, i == self.chosen, photos),
            });
            scrollable(column(rows).spacing(2)).into()
        };
        column![field, list, widget::muted(t!("switcher-hint"))]
            .spacing(theme::SPACE_S)
            .into()
    }
}

/// The conversations whose name or address contains every word of `query`
/// (ignoring case), most recent first.
pub fn matches<'a>(conversations: &'a Conversations, query: &str) -> Vec<&'a Conversation> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    conversations
        .by_recent()
        .into_iter()
        .filter(|c| {
            let haystack = format!("{} {} {}", c.title(), c.address, c.key.peer).to_lowercase();
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .take(MAX_MATCHES)
        .collect()
}

/// The matching conversations, then the matching contacts none of those
/// conversations belongs to; at most [`MAX_MATCHES`] in all.
pub fn everything<'a>(
    conversations: &'a Conversations,
    contacts: &'a [Contact],
    query: &str,
) -> Vec<Found<'a>> {
    let listed = matches(conversations, query);
    let mut found: Vec<Found<'a>> = listed.iter().map(|c| Found::Conversation(c)).collect();
    let mut people: Vec<&Contact> = contacts
        .iter()
        .filter(|contact| {
            !listed
                .iter()
                .any(|c| c.contact.as_ref().is_some_and(|r| r.id == contact.id))
        })
        .filter(|contact| contacts::matches(contact, query))
        .collect();
    people.sort_by_key(|c| c.details.name.to_lowercase());
    found.extend(people.into_iter().map(Found::Contact));
    found.truncate(MAX_MATCHES);
    found
}

fn contact_row<'a>(contact: &'a Contact, chosen: bool, photos: &Photos) -> Element<'a, Message> {
    let name = contact.details.name.as_str();
    let address = contact.address().unwrap_or_default();
    let content = row![
        avatar::view(name, address, photos.get(Some(contact.id))),
        column![
            text(widget::one_line(name, 40))
                .size(theme::TEXT_BODY)
                .font(theme::BOLD),
            widget::muted(widget::one_line(address, 56)),
        ]
        .spacing(2)
        .width(Fill),
        widget::muted(t!("switcher-contact")),
    ]
    .spacing(theme::SPACE_M)
    .align_y(Center);
    button(content)
        .width(Fill)
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(theme::list_item(chosen))
        .on_press(Message::PickContact(contact.id))
        .into()
}

fn match_row<'a>(conversation: &'a Conversation, chosen: bool, photos: &Photos) -> Element<'a, Message> {
    let title = conversation.title();
    let photo = photos.get(conversation.contact.as_ref().map(|c| c.id));
    let content = row![
        avatar::view(&title, &conversation.key.peer, photo),
        column![
            text(widget::one_line(&title, 40))
                .size(theme::TEXT_BODY)
                .font(theme::BOLD),
            widget::muted(widget::one_line(&conversation.address, 56)),
        ]
        .spacing(2)
        .width(Fill),
        widget::muted(conversation.key.account.0.as_str()),
    ]
    .spacing(theme::SPACE_M)
    .align_y(Center);
    button(content)
        .width(Fill)
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(theme::list_item(chosen))
        .on_press(Message::Pick(conversation.key.clone()))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipchat::model::AccountId;

    fn conversations() -> Conversations {
        let mut c = Conversations::default();
        let local = AccountId("local".into());
        c.start(&local, "sip:alice@example.org", 10);
        c.start(&local, "sip:bob@example.org", 30);
        c.start(&local, "sip:bobby@other.net", 20);
        c
    }

    fn peers(found: &[&Conversation]) -> Vec<String> {
        found.iter().map(|c| c.key.peer.clone()).collect()
    }

    #[test]
    fn typing_filters_by_name_and_address_most_recent_first() {
        let c = conversations();
        assert_eq!(
            peers(&matches(&c, "")),
            [
                "sip:bob@example.org",
                "sip:bobby@other.net",
                "sip:alice@example.org"
            ]
        );
        assert_eq!(
            peers(&matches(&c, "BOB")),
            ["sip:bob@example.org", "sip:bobby@other.net"]
        );
        assert_eq!(peers(&matches(&c, "bob other")), ["sip:bobby@other.net"]);
        assert!(matches(&c, "carol").is_empty());
    }

    #[test]
    fn arrows_choose_and_enter_opens() {
        let c = conversations();
        let mut s = Switcher::default();
        s.update(Message::Edited("bob".into()), &c, &[]);
        s.update(Message::Up, &c, &[]);
        s.update(Message::Down, &c, &[]);
        s.update(Message::Down, &c, &[]);
        s.update(Message::Down, &c, &[]);
        let bobby = ConversationKey::stored("local", "sip:bobby@other.net");
        assert_eq!(s.update(Message::Submit, &c, &[]), Action::Open(bobby));
        // Typing again starts from the top.
        s.update(Message::Edited("b".into()), &c, &[]);
        let bob = ConversationKey::stored("local", "sip:bob@example.org");
        assert_eq!(s.update(Message::Submit, &c, &[]), Action::Open(bob.clone()));
        assert_eq!(s.update(Message::Pick(bob.clone()), &c, &[]), Action::Open(bob));
    }

    #[test]
    fn enter_with_nothing_matching_does_nothing() {
        let c = conversations();
        let mut s = Switcher::default();
        s.update(Message::Edited("zzz".into()), &c, &[]);
        assert_eq!(s.update(Message::Submit, &c, &[]), Action::None);
        assert_eq!(s.query(), "zzz");
    }
}
