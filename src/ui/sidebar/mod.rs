//! The left column: the search box, accounts, the "New conversation"
//! field, and the conversations by last activity (or the search hits), or
//! the contacts (`ui/contacts`), chosen by two tabs.

pub mod accounts;
pub mod compact;
pub mod new_conversation;
pub mod search;

use crate::ui::clock::Zone;
use crate::ui::contacts::{self, ContactList};
use crate::ui::conversation::{Conversation, ConversationKey, Conversations, Direction};
use crate::ui::i18n::t;
use crate::ui::presence::{dot, Presences};
use crate::ui::transfers;
use crate::ui::{theme, widget};
use accounts::Accounts;
use iced::widget::{button, column, container, mouse_area, row, scrollable, space, text, tooltip};
use iced::{Center, Element, Fill};
use new_conversation::NewConversation;
use search::Search;
use sipchat::model::{AccountId, ContactId};
use std::collections::BTreeMap;

/// Longest preview line in the list, in characters (the row clips as well).
const PREVIEW_CHARS: usize = 27;
/// Longest name in the list, in characters.
const TITLE_CHARS: usize = 24;

#[derive(Debug, Clone)]
pub enum Message {
    Accounts(accounts::Message),
    NewConversation(new_conversation::Message),
    Search(search::Message),
    /// A conversation in the list was clicked.
    Open(ConversationKey),
    /// The "Ctrl+K" button.
    JumpTo,
    /// The settings button.
    OpenSettings,
    /// Fold the sidebar to icons (`true`) or unfold it (narrow windows).
    Fold(bool),
    /// The Conversations / Contacts tabs.
    Tab(Tab),
    /// A conversation was right-clicked: its menu.
    Menu(ConversationKey),
    Contacts(contacts::Message),
}

/// What the list under the tabs shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Conversations,
    Contacts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Open(ConversationKey),
    /// Start (or reopen) a conversation with `address` from `account`.
    Start {
        account: AccountId,
        address: String,
    },
    /// Search the history for this text.
    Search(String),
    /// Open "jump to a conversation".
    JumpTo,
    /// Open the settings.
    OpenSettings,
    /// Register this account again (the Retry button).
    Register(AccountId),
    /// Fold the sidebar to icons (`true`) or unfold it.
    Fold(bool),
    /// Put this text on the clipboard.
    Copy(String),
    /// Show this contact's page.
    OpenContact(ContactId),
    /// Open the dialog adding a contact.
    AddContact,
    /// Open this conversation's menu.
    Menu(ConversationKey),
}

#[derive(Debug)]
pub struct Sidebar {
    pub accounts: Accounts,
    new_conversation: NewConversation,
    pub search: Search,
    pub tab: Tab,
    pub contacts: ContactList,
    /// The contact whose page is shown, marked in the list.
    pub open_contact: Option<ContactId>,
}

impl Sidebar {
    pub fn new(accounts: Accounts) -> Sidebar {
        Sidebar {
            accounts,
            new_conversation: NewConversation::default(),
            search: Search::default(),
            tab: Tab::default(),
            contacts: ContactList::default(),
            open_contact: None,
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Accounts(accounts::Message::Copy(text)) => Action::Copy(text),
            Message::Accounts(message) => match self.accounts.update(message) {
                Some(account) => Action::Register(account),
                None => Action::None,
            },
            Message::Open(key) => Action::Open(key),
            Message::JumpTo => Action::JumpTo,
            Message::OpenSettings => Action::OpenSettings,
            Message::Fold(fold) => Action::Fold(fold),
            Message::Menu(key) => Action::Menu(key),
            Message::Tab(tab) => {
                self.tab = tab;
                Action::None
            }
            Message::Contacts(message) => match self.contacts.update(message) {
                contacts::Action::None => Action::None,
                contacts::Action::Open(id) => Action::OpenContact(id),
                contacts::Action::Add => Action::AddContact,
            },
            Message::Search(message) => match self.search.update(message) {
                search::Action::None => Action::None,
                search::Action::Search(text) => Action::Search(text),
                search::Action::Open(key) => Action::Open(key),
            },
            Message::NewConversation(message) => match self.new_conversation.update(message) {
                new_conversation::Action::None => Action::None,
                new_conversation::Action::Start(address) => match self.accounts.selected() {
                    Some(account) => {
                        let account = account.clone();
                        self.new_conversation.clear();
                        Action::Start { account, address }
                    }
                    None => {
                        self.new_conversation.set_error(t!("new-conversation-no-account"));
                        Action::None
                    }
                },
            },
        }
    }

    pub fn view<'a>(
        &'a self,
        conversations: &'a Conversations,
        marks: Marks<'_>,
        zone: &Zone,
        now: u64,
    ) -> Element<'a, Message> {
        let jump = button(text("Ctrl+K").size(theme::TEXT_SMALL))
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .style(theme::secondary_button)
            .on_press(Message::JumpTo);
        let jump = tooltip(
            jump,
            widget::muted(t!("sidebar-jump-hint")),
            tooltip::Position::Bottom,
        )
        .style(container::bordered_box)
        .padding(theme::SPACE_S);
        let settings = button(text(t!("sidebar-settings")).size(theme::TEXT_SMALL))
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .style(theme::secondary_button)
            .on_press(Message::OpenSettings);
        let brand = row![
            text("sipchat").size(theme::TEXT_TITLE + 3.0).font(theme::BOLD),
            space::horizontal(),
            jump,
            settings,
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let new_hint = match self.accounts.selected() {
            Some(account) => t!("sidebar-new-conversation-from", account = account.0.as_str()),
            None => t!("sidebar-new-conversation"),
        };
        let top = column![
            brand,
            self.search.field().map(Message::Search),
            column![
                widget::section_heading(&t!("sidebar-accounts")),
                self.accounts.view(now).map(Message::Accounts)
            ]
            .spacing(theme::SPACE_S),
            column![
                widget::section_heading(&t!("sidebar-new-conversation")),
                self.new_conversation.view().map(Message::NewConversation),
                widget::muted(new_hint),
            ]
            .spacing(theme::SPACE_S),
        ]
        .spacing(theme::SPACE_L)
        .padding(iced::Padding::new(theme::SPACE_L).bottom(theme::SPACE_S));

        let top = if self.search.is_active() {
            top.push(widget::section_heading(&t!("sidebar-search")))
        } else {
            top.push(self.tabs())
        };
        let list: Element<'a, Message> = if self.search.is_active() {
            self.search.results(conversations, zone, now).map(Message::Search)
        } else if self.tab == Tab::Contacts {
            self.contacts
                .view(self.open_contact, marks.presence, zone, now)
                .map(Message::Contacts)
        } else if conversations.is_empty() {
            container(widget::muted(t!("sidebar-empty")))
                .padding([0.0, theme::SPACE_L])
                .into()
        } else {
            let open = conversations.open_key();
            let row_cx = RowContext {
                zone,
                now,
                show_account: self.accounts.count() > 1,
                marks,
                photos: &self.contacts.photos,
            };
            let rows = conversations
                .by_recent()
                .into_iter()
                .map(|c| conversation_row(c, open == Some(&c.key), &row_cx));
            scrollable(column(rows).spacing(2).padding([0.0, theme::SPACE_S]))
                .height(Fill)
                .into()
        };

        container(column![top, list].height(Fill))
            .width(theme::SIDEBAR_WIDTH)
            .height(Fill)
            .style(theme::sidebar)
            .into()
    }
}

impl Sidebar {
    /// The Conversations / Contacts tabs over the list.
    fn tabs(&self) -> Element<'_, Message> {
        let tab = |label: String, tab: Tab| {
            let chosen = self.tab == tab;
            button(text(label).size(theme::TEXT_SMALL).font(theme::BOLD))
                .padding([theme::SPACE_XS, theme::SPACE_M])
                .style(if chosen {
                    button::primary
                } else {
                    theme::secondary_button
                })
                .on_press(Message::Tab(tab))
        };
        row![
            tab(t!("sidebar-conversations"), Tab::Conversations),
            tab(t!("sidebar-contacts"), Tab::Contacts),
        ]
        .spacing(theme::SPACE_S)
        .into()
    }
}

/// Conversations that want attention, marked in the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks<'m> {
    /// The peer invites us to a chat session.
    pub invites: &'m [ConversationKey],
    /// The peer offers a file.
    pub files: &'m [ConversationKey],
    /// An emergency alert came in it and is not acknowledged yet.
    pub alerts: &'m [ConversationKey],
    /// The newest file transfer, shown as the preview when it is newer
    /// than the last message.
    pub files_latest: Option<&'m BTreeMap<ConversationKey, transfers::Latest>>,
    /// The contacts' presence (a dot on each avatar).
    pub presence: Option<&'m Presences>,
}

/// What every row of the list needs to know.
struct RowContext<'z> {
    zone: &'z Zone,
    now: u64,
    /// Name the account on each row (when there is more than one).
    show_account: bool,
    marks: Marks<'z>,
    photos: &'z crate::ui::avatar::Photos,
}

fn conversation_row<'a>(
    conversation: &'a Conversation,
    selected: bool,
    cx: &RowContext<'_>,
) -> Element<'a, Message> {
    let title = conversation.title();
    let file = cx.marks.files_latest.and_then(|all| all.get(&conversation.key));
    let file = file.filter(|f| conversation.last_entry().is_none_or(|e| f.at >= e.at));
    let preview = match (file, conversation.last_entry()) {
        (Some(file), _) => {
            let line = t!("preview-file", name = file.name.as_str());
            let line = if file.incoming {
                line
            } else {
                t!("preview-you", text = line)
            };
            widget::one_line(&line, PREVIEW_CHARS)
        }
        (None, Some(entry)) => {
            let line = match entry.direction {
                Direction::Incoming => entry.text.clone(),
                Direction::Outgoing(_) => t!("preview-you", text = entry.text.as_str()),
            };
            widget::one_line(&line, PREVIEW_CHARS)
        }
        (None, None) => widget::one_line(&conversation.address, PREVIEW_CHARS),
    };
    let last = file.map_or(conversation.last_activity, |f| {
        f.at.max(conversation.last_activity)
    });
    let stamp = widget::muted(cx.zone.short_stamp(last, cx.now));
    let mut right = column![stamp].spacing(theme::SPACE_XS).align_x(iced::Right);
    if cx.marks.alerts.contains(&conversation.key) {
        right = right.push(
            container(text("!").size(theme::TEXT_SMALL).font(theme::BOLD))
                .padding([1.0, 8.0])
                .style(theme::alert_list_mark),
        );
    }
    let labels = [
        (cx.marks.invites, t!("sidebar-invites")),
        (cx.marks.files, t!("sidebar-file-offer")),
    ];
    for (keys, label) in labels {
        if keys.contains(&conversation.key) {
            right = right.push(
                container(text(label).size(theme::TEXT_SMALL).font(theme::BOLD))
                    .padding([1.0, 7.0])
                    .style(theme::badge),
            );
        }
    }
    if conversation.unread > 0 {
        right = right.push(
            container(
                text(conversation.unread.to_string())
                    .size(theme::TEXT_SMALL)
                    .font(theme::BOLD),
            )
            .padding([1.0, 7.0])
            .style(theme::badge),
        );
    }
    let title_font = if conversation.unread > 0 {
        theme::BOLD
    } else {
        iced::Font::DEFAULT
    };
    let mut name = row![text(widget::one_line(&title, TITLE_CHARS))
        .size(theme::TEXT_BODY + 1.0)
        .font(title_font)
        .wrapping(text::Wrapping::None)]
    .spacing(theme::SPACE_S)
    .align_y(iced::Alignment::End);
    if cx.show_account {
        name = name.push(widget::muted(conversation.key.account.0.as_str()).wrapping(text::Wrapping::None));
    }
    let middle = column![name, widget::muted(preview).wrapping(text::Wrapping::None),]
        .spacing(2)
        .width(Fill);
    let middle = container(middle).width(Fill).clip(true);
    let photo = cx.photos.get(conversation.contact.as_ref().map(|c| c.id));
    let seen = cx.marks.presence.and_then(|p| p.of_key(&conversation.key));
    let avatar = dot::on_avatar(
        crate::ui::avatar::view(&title, &conversation.key.peer, photo),
        seen.map(|s| s.shown()),
        theme::AVATAR_SIZE,
    );
    let avatar = match seen {
        Some(seen) => dot::with_words(avatar, seen.describe(cx.zone, cx.now)),
        None => avatar,
    };
    let content = row![avatar, middle, right]
        .spacing(theme::SPACE_M)
        .align_y(Center);
    let row = button(content)
        .width(Fill)
        .padding([theme::SPACE_S, theme::SPACE_S])
        .style(theme::list_item(selected))
        .on_press(Message::Open(conversation.key.clone()));
    mouse_area(row)
        .on_right_press(Message::Menu(conversation.key.clone()))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipchat::model::RegistrationState;

    fn id(name: &str) -> AccountId {
        AccountId(name.into())
    }

    fn submit(sidebar: &mut Sidebar, address: &str) -> Action {
        let edit = new_conversation::Message::Edited(address.into());
        sidebar.update(Message::NewConversation(edit));
        sidebar.update(Message::NewConversation(new_conversation::Message::Submit))
    }

    #[test]
    fn a_valid_address_starts_from_the_selected_account() {
        let mut sidebar = Sidebar::new(Accounts::new(vec![id("work"), id("local")], None));
        sidebar.update(Message::Accounts(accounts::Message::Select(id("local"))));
        assert_eq!(
            submit(&mut sidebar, "bob@127.0.0.1:5063"),
            Action::Start {
                account: id("local"),
                address: "sip:bob@127.0.0.1:5063".into()
            }
        );
    }

    #[test]
    fn without_any_account_the_field_says_so() {
        let mut sidebar = Sidebar::new(Accounts::new(Vec::new(), None));
        assert_eq!(submit(&mut sidebar, "sip:bob@example.org"), Action::None);
        assert_eq!(
            sidebar.new_conversation.error(),
            Some("No account is running to send from.")
        );
        sidebar
            .accounts
            .set_state(&id("local"), RegistrationState::Offline, 1);
        // The typed address was kept; Enter again now works.
        let again = sidebar.update(Message::NewConversation(new_conversation::Message::Submit));
        assert!(matches!(again, Action::Start { .. }));
        assert_eq!(sidebar.new_conversation.error(), None);
    }

    #[test]
    fn the_search_box_asks_and_its_hits_open_conversations() {
        let mut sidebar = Sidebar::new(Accounts::new(vec![id("local")], None));
        sidebar.update(Message::Search(search::Message::Edited("lunch".into())));
        assert_eq!(
            sidebar.update(Message::Search(search::Message::Submit)),
            Action::Search("lunch".into())
        );
        let key = ConversationKey::stored("local", "sip:bob@example.org");
        assert_eq!(
            sidebar.update(Message::Search(search::Message::Open(key.clone()))),
            Action::Open(key)
        );
    }

    #[test]
    fn clicking_a_conversation_opens_it() {
        let mut sidebar = Sidebar::new(Accounts::new(vec![id("local")], None));
        let key = ConversationKey::new(&id("local"), "sip:bob@example.org");
        assert_eq!(sidebar.update(Message::Open(key.clone())), Action::Open(key));
    }
}
