//! The permission banner: "carol wants to see when you are online" with
//! Allow and Block, one request at a time (the count of those waiting
//! behind it is said). Each button sends its own [`Message::Decide`]:
//! [`focus_chain`] lets the keyboard reach and press them like a click
//! (the window puts them where the banner stands, `app/focus_glue.rs`).

use super::{Message, Presences};
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, text};
use iced::{Center, Element, Fill};

/// The banner's name on the focus chain.
pub const BANNER: &str = "presence-request";
// Named apart from every dialog's controls: the banner shows under the
// dialogs, and their ring must not light these.
const ALLOW: Key = Key::new("presence-allow");
const BLOCK: Key = Key::new("presence-block");

/// Tab order: Allow, then Block (as the banner shows them).
pub fn focus_chain() -> Chain<Message> {
    Chain::new(BANNER)
        .control(ALLOW, Message::Decide(true))
        .control(BLOCK, Message::Decide(false))
}

/// The banner for the first waiting request, if any; `name` gives a
/// watcher's name from the address book (else the address is shown), and
/// `ring` the button with the focus ring.
pub fn banner<'a>(
    presences: &Presences,
    name: impl Fn(&str) -> Option<String>,
    ring: Ring,
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
    let buttons = row![
        focus::ring(allow_button(), ALLOW, ring),
        focus::ring(block_button(), BLOCK, ring)
    ]
    .spacing(theme::SPACE_S);
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
