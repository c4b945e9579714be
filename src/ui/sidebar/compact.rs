//! The sidebar folded to icons, for windows narrower than
//! [`COMPACT_BELOW`]: a button that unfolds it, the Conversations and
//! Contacts tabs as icons, then one avatar per conversation (in the list's
//! order, a dot when it wants attention) or per contact (favourites first),
//! each with its name in a tooltip.

use super::{Marks, Message, Sidebar, Tab};
use crate::ui::avatar;
use crate::ui::contacts;
use crate::ui::conversation::Conversations;
use crate::ui::i18n::t;
use crate::ui::presence::dot;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, scrollable, stack, text, tooltip, Column};
use iced::{Center, Element, Fill};

/// Windows narrower than this (logical pixels) fold the sidebar to icons.
pub const COMPACT_BELOW: f32 = 900.0;
/// Width of the folded sidebar.
pub const COMPACT_WIDTH: f32 = 64.0;
/// The Conversations tab's icon (speech balloon).
const CONVERSATIONS_ICON: &str = "\u{1F4AC}";
/// The Contacts tab's icon (busts in silhouette).
const CONTACTS_ICON: &str = "\u{1F465}";

/// A tooltip in the window's style.
fn tip<'a>(content: impl Into<Element<'a, Message>>, words: String) -> Element<'a, Message> {
    tooltip(content, widget::muted(words), tooltip::Position::Right)
        .style(container::bordered_box)
        .padding(theme::SPACE_S)
        .into()
}

/// A tab as an icon: `symbol`, its name in a tooltip.
fn tab<'a>(symbol: &'a str, words: String, tab: Tab, current: Tab) -> Element<'a, Message> {
    let icon = button(text(symbol).size(theme::TEXT_TITLE).font(crate::ui::emoji::FONT))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::list_item(tab == current))
        .on_press(Message::Tab(tab));
    tip(icon, words)
}

/// The folded sidebar.
pub fn view<'a>(
    conversations: &'a Conversations,
    marks: Marks<'_>,
    sidebar: &'a Sidebar,
) -> Element<'a, Message> {
    let open = conversations.open_key();
    let unfold = button(text("»").size(theme::TEXT_TITLE).font(theme::BOLD))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::Fold(false));
    let mut list = column![
        tip(unfold, t!("sidebar-unfold")),
        tab(
            CONVERSATIONS_ICON,
            t!("sidebar-conversations"),
            Tab::Conversations,
            sidebar.tab
        ),
        tab(CONTACTS_ICON, t!("sidebar-contacts"), Tab::Contacts, sidebar.tab),
    ]
    .spacing(theme::SPACE_S)
    .padding([theme::SPACE_S, 0.0])
    .align_x(Center)
    .width(Fill);
    if sidebar.tab == Tab::Contacts {
        return finish(contact_icons(list, sidebar));
    }
    for conversation in conversations.by_recent() {
        let title = conversation.title();
        let wants = conversation.unread > 0
            || [marks.invites, marks.files, marks.alerts]
                .iter()
                .any(|keys| keys.contains(&conversation.key));
        let photo = sidebar
            .contacts
            .photos
            .get(conversation.contact.as_ref().map(|c| c.id));
        let seen = marks.presence.and_then(|p| p.of_key(&conversation.key));
        let avatar = dot::on_avatar(
            avatar::view(&title, &conversation.key.peer, photo),
            seen.map(|s| s.shown()),
            theme::AVATAR_SIZE,
        );
        let avatar: Element<'a, Message> = if wants {
            let dot = container(text("").size(1.0))
                .width(10.0)
                .height(10.0)
                .style(theme::badge);
            stack![avatar, container(dot).align_right(theme::AVATAR_SIZE)].into()
        } else {
            avatar
        };
        let selected = open == Some(&conversation.key);
        let entry = button(avatar)
            .padding(theme::SPACE_XS)
            .style(theme::list_item(selected))
            .on_press(Message::Open(conversation.key.clone()));
        let words = match seen {
            Some(seen) => format!("{title} · {}", seen.shown().words()),
            None => title,
        };
        list = list.push(tip(entry, words));
    }
    finish(list)
}

/// The contacts as avatars, favourites first, and "Add contact".
fn contact_icons<'a>(mut list: Column<'a, Message>, sidebar: &'a Sidebar) -> Column<'a, Message> {
    let add = button(text("+").size(theme::TEXT_TITLE).font(theme::BOLD))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::Contacts(contacts::Message::Add));
    list = list.push(tip(add, t!("contacts-add")));
    for contact in sidebar.contacts.shown() {
        let details = &contact.details;
        let seed = contact.address().unwrap_or(&details.name);
        let photo = sidebar.contacts.photos.get(Some(contact.id));
        let selected = sidebar.open_contact == Some(contact.id);
        let entry = button(avatar::view(&details.name, seed, photo))
            .padding(theme::SPACE_XS)
            .style(theme::list_item(selected))
            .on_press(Message::Contacts(contacts::Message::Open(contact.id)));
        list = list.push(tip(entry, details.name.clone()));
    }
    list
}

fn finish(list: Column<'_, Message>) -> Element<'_, Message> {
    container(scrollable(list).height(Fill))
        .width(COMPACT_WIDTH)
        .height(Fill)
        .style(theme::sidebar)
        .into()
}
