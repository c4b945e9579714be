//! The permission banner: "carol wants to see when you are online" with
//! Allow and Block, one request at a time (the count of those waiting
//! behind it is said). Each button sends its own [`Message::Decide`], so a
//! keyboard focus mechanism can press them like a click.

use super::{Message, Presences};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, text};
use iced::{Center, Element, Fill};

/// The banner for the first waiting request, if any; `name` gives a
/// watcher's name from the address book (else the address is shown).
pub fn banner<'a>(
    presences: &Presences,
    name: impl Fn(&str) -> Option<String>,
) -> Option<Element<'a, Message>> {
    let (request, more) = presences.request()?;
    let who = name(&request.watcher).unwrap_or_else(|| request.watcher.clone());
    let mut words = column![text(t!("presence-request", name = who)).size(theme::TEXT_BODY)].spacing(2);
    words = words.push(widget::muted(t!(
        "presence-request-account",
        account = request.account.0.as_str()
    )));
    if more > 0 {
        words = words.push(widget::muted(t!("presence-request-more", count = more)));
    }
    let buttons = row![allow_button(), block_button()].spacing(theme::SPACE_S);
    Some(
        container(
            container(
                row![words.width(Fill), buttons]
                    .spacing(theme::SPACE_M)
                    .align_y(Center),
            )
            .padding([theme::SPACE_S, theme::SPACE_M])
            .style(theme::invitation),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .into(),
    )
}

/// "Allow": the watcher may see our status from now on.
pub fn allow_button<'a>() -> iced::widget::Button<'a, Message> {
    button(text(t!("presence-allow")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(button::primary)
        .on_press(Message::Decide(true))
}

/// "Block": the watcher never sees it (kept with the contact).
pub fn block_button<'a>() -> iced::widget::Button<'a, Message> {
    button(text(t!("presence-block")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::Decide(false))
}
