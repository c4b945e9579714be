//! A contact's page in place of the conversation: name, addresses,
//! account, groups, note, presence (with "tell me when … is online"), and
//! what can be done with the contact (write in page mode, start a chat
//! session, send a file, block or unblock, edit).

use crate::ui::avatar;
use crate::ui::i18n::t;
use crate::ui::presence::dot::{self, Shown};
use crate::ui::{theme, widget};
use iced::widget::image::Handle;
use iced::widget::{button, column, container, row, scrollable, space, text, toggler};
use iced::{Center, Element, Fill};
use sipchat::model::{Contact, ContactId};

/// Side of the photo on the page, in logical pixels.
const PHOTO_ON_PAGE: f32 = 64.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Open the conversation with the contact (page mode).
    Write(ContactId),
    /// Open the conversation and start a chat session.
    ChatSession(ContactId),
    /// Open the conversation and choose a file to send.
    SendFile(ContactId),
    /// Block (`true`) or unblock the contact.
    Block(ContactId, bool),
    /// Open the dialog editing the contact.
    Edit(ContactId),
    /// Notify (`true`) or not when the contact comes online.
    NotifyOnline(ContactId, bool),
    /// Close the page.
    Close,
}

/// The page of `contact`; `account` is the account its conversations use
/// (its own, else the default one); `can_send` is false once the runtime
/// has stopped; `presence` the dot and words of its status, when watched;
/// `notify_online` whether its coming online notifies.
pub fn view<'a>(
    contact: &'a Contact,
    account: Option<&str>,
    can_send: bool,
    photo: Option<&Handle>,
    presence: Option<(Shown, String)>,
    notify_online: bool,
) -> Element<'a, Message> {
    let details = &contact.details;
    let id = contact.id;
    let seed = contact.address().unwrap_or(&details.name);
    let close = button(text(t!("contact-page-close")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(theme::secondary_button)
        .on_press(Message::Close);
    let mut name = column![text(details.name.as_str())
        .size(theme::TEXT_TITLE + 3.0)
        .font(theme::BOLD)]
    .spacing(theme::SPACE_XS);
    if details.favourite {
        name = name.push(widget::muted(t!("contact-page-favourite")));
    }
    if details.blocked {
        name = name.push(
            text(t!("contact-page-blocked")).style(|t: &iced::Theme| text::Style {
                color: Some(theme::danger_text(t)),
            }),
        );
    }
    let avatar = dot::on_avatar(
        avatar::sized(&details.name, seed, photo, PHOTO_ON_PAGE),
        presence.as_ref().map(|(shown, _)| *shown),
        PHOTO_ON_PAGE,
    );
    let header = row![avatar, name, space::horizontal(), close]
        .spacing(theme::SPACE_M)
        .align_y(Center);

    let action = |label: String, message: Option<Message>| {
        button(text(label).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
            .on_press_maybe(message)
    };
    let reachable = can_send && contact.address().is_some() && !details.blocked;
    let actions = row![
        action(t!("contact-page-write"), reachable.then_some(Message::Write(id))),
        action(
            t!("contact-page-chat-session"),
            reachable.then_some(Message::ChatSession(id))
        )
        .style(theme::secondary_button),
        action(
            t!("contact-page-send-file"),
            reachable.then_some(Message::SendFile(id))
        )
        .style(theme::secondary_button),
    ]
    .spacing(theme::SPACE_S);
    let block_label = if details.blocked {
        t!("contact-page-unblock")
    } else {
        t!("contact-page-block")
    };
    let manage = row![
        action(t!("contact-page-edit"), Some(Message::Edit(id))).style(theme::secondary_button),
        action(block_label, Some(Message::Block(id, !details.blocked))).style(if details.blocked {
            theme::secondary_button
        } else {
            button::danger
        }),
    ]
    .spacing(theme::SPACE_S);

    let addresses = column(
        details
            .addresses
            .iter()
            .map(|a| text(a.as_str()).size(theme::TEXT_BODY).into()),
    )
    .spacing(theme::SPACE_XS);
    let account_line = match (details.account.as_deref(), account) {
        (Some(own), _) => own.to_string(),
        (None, Some(default)) => t!("contact-page-default-account", account = default),
        (None, None) => t!("contact-page-no-account"),
    };
    let status: Element<'a, Message> = match presence {
        Some((shown, words)) => row![dot::dot(shown), text(words).size(theme::TEXT_BODY)]
            .spacing(theme::SPACE_S)
            .align_y(Center)
            .into(),
        None => widget::muted(t!("contact-page-presence-none")).into(),
    };
    let online = toggler(notify_online)
        .label(t!("contact-page-notify-online", name = details.name.as_str()))
        .on_toggle(move |on| Message::NotifyOnline(id, on))
        .size(18)
        .text_size(theme::TEXT_BODY);
    let mut body = column![
        header,
        actions,
        field(
            t!("contact-page-presence"),
            column![status, online].spacing(theme::SPACE_S).into()
        ),
        field(t!("contact-page-addresses"), addresses.into()),
        field(t!("contact-page-account"), text(account_line).into()),
    ]
    .spacing(theme::SPACE_L);
    if !details.groups.is_empty() {
        body = body.push(field(
            t!("contact-page-groups"),
            text(details.groups.join(", ")).into(),
        ));
    }
    if let Some(note) = details.note.as_deref().filter(|n| !n.trim().is_empty()) {
        body = body.push(field(t!("contact-page-note"), text(note).into()));
    }
    body = body.push(manage);
    container(scrollable(body.padding(theme::SPACE_XL).max_width(640)))
        .width(Fill)
        .height(Fill)
        .into()
}

/// A labelled part of the page.
fn field<'a>(label: String, content: Element<'a, Message>) -> Element<'a, Message> {
    column![widget::section_heading(&label), content]
        .spacing(theme::SPACE_XS)
        .into()
}
