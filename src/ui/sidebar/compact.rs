//! The sidebar folded to icons, for windows narrower than
//! [`COMPACT_BELOW`]: a button that unfolds it, then one avatar per
//! conversation (in the list's order) with its name in a tooltip and a dot
//! when it wants attention.

use super::{Marks, Message};
use crate::ui::conversation::Conversations;
use crate::ui::i18n::t;
use crate::ui::presence::dot;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, scrollable, stack, text, tooltip};
use iced::{Center, Element, Fill};

/// Windows narrower than this (logical pixels) fold the sidebar to icons.
pub const COMPACT_BELOW: f32 = 900.0;
/// Width of the folded sidebar.
pub const COMPACT_WIDTH: f32 = 64.0;

/// A tooltip in the window's style.
fn tip<'a>(content: impl Into<Element<'a, Message>>, words: String) -> Element<'a, Message> {
    tooltip(content, widget::muted(words), tooltip::Position::Right)
        .style(container::bordered_box)
        .padding(theme::SPACE_S)
        .into()
}

/// The folded sidebar.
pub fn view<'a>(conversations: &'a Conversations, marks: Marks<'_>) -> Element<'a, Message> {
    let open = conversations.open_key();
    let unfold = button(text("»").size(theme::TEXT_TITLE).font(theme::BOLD))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::Fold(false));
    let mut list = column![tip(unfold, t!("sidebar-unfold"))]
        .spacing(theme::SPACE_S)
        .padding([theme::SPACE_S, 0.0])
        .align_x(Center)
        .width(Fill);
    for conversation in conversations.by_recent() {
        let title = conversation.title();
        let wants = conversation.unread > 0
            || [marks.invites, marks.files, marks.alerts]
                .iter()
                .any(|keys| keys.contains(&conversation.key));
        let seen = marks.presence.and_then(|p| p.of_key(&conversation.key));
        let avatar = dot::on_avatar(
            widget::avatar(&title, &conversation.key.peer),
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
    container(scrollable(list).height(Fill))
        .width(COMPACT_WIDTH)
        .height(Fill)
        .style(theme::sidebar)
        .into()
}
