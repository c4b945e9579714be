//! The window's overlays and banners: a dialog over the dimmed window, a
//! chat invitation for a conversation that is not open, and the notice.

use super::{accounts, alerts, files, App, Message};
use crate::ui::conversation::session::Request;
use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use crate::ui::presence;
use crate::ui::transfers;
use crate::ui::words::{Arg, Words};
use crate::ui::{sidebar, theme};
use iced::widget::{button, center, column, container, mouse_area, opaque, row, text, Column};
use iced::{Center, Element, Fill};

/// A dialog over a dimmed window; a click beside it closes it (as Esc).
pub(super) fn dialog(content: Element<'_, Message>, width: f32) -> Element<'_, Message> {
    let card = container(content)
        .width(width)
        .padding(theme::SPACE_L)
        .style(theme::dialog);
    opaque(
        mouse_area(center(opaque(card)).padding(theme::SPACE_XL).style(theme::scrim))
            .on_press(Message::Escape),
    )
}

/// Someone invites us to a chat session in a conversation that is not open.
pub(super) fn offer_banner<'a>(name: String, key: ConversationKey) -> Element<'a, Message> {
    let chat = |request| Message::Chat {
        key: key.clone(),
        request,
    };
    let small = |label: String| {
        button(text(label).size(theme::TEXT_SMALL)).padding([theme::SPACE_XS, theme::SPACE_M])
    };
    let buttons = row![
        small(t!("chat-open"))
            .style(theme::secondary_button)
            .on_press(Message::Sidebar(sidebar::Message::Open(key.clone()))),
        small(t!("chat-accept"))
            .style(button::primary)
            .on_press(chat(Request::Accept)),
        small(t!("chat-decline"))
            .style(theme::secondary_button)
            .on_press(chat(Request::Decline)),
    ]
    .spacing(theme::SPACE_S);
    container(
        container(
            row![
                text(t!("chat-offer", name = name))
                    .size(theme::TEXT_BODY)
                    .width(Fill),
                buttons
            ]
            .spacing(theme::SPACE_M)
            .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(theme::invitation),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

/// The notice (or, with `theme::info_banner`, a piece of news) and Dismiss.
pub(super) fn notice_banner<'a>(
    notice: String,
    style: fn(&iced::Theme) -> container::Style,
) -> Element<'a, Message> {
    let dismiss = button(text(t!("notice-dismiss")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(button::text)
        .on_press(Message::DismissNotice);
    container(
        container(
            row![text(notice).size(theme::TEXT_BODY).width(Fill), dismiss]
                .spacing(theme::SPACE_M)
                .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(style),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

/// The notice that the local account's usual port could not be had, now
/// naming the port it listens on instead (the last number of `address`,
/// `ip:port` or `[ipv6]:port`); `None` when `notice` is another one.
pub(super) fn port_notice_with_new_port(notice: &Words, address: &str) -> Option<Words> {
    let Words::Translated { key, args } = notice else {
        return None;
    };
    let new = address.rsplit(':').next()?.parse::<u16>().ok()?;
    let moved = match *key {
        "notice-local-port-taken" => "notice-local-port-taken-moved",
        "notice-local-port-denied" => "notice-local-port-denied-moved",
        "notice-local-port" => "notice-local-port-moved",
        _ => return None,
    };
    let mut args = args.clone();
    args.push(("new", Arg::from(new)));
    Some(Words::Translated { key: moved, args })
}

impl App {
    /// The local account listens at `address`: a port-clash notice names
    /// the port it took instead.
    pub(super) fn local_listening(&mut self, address: &str) {
        if let Some(moved) = self
            .notice
            .as_ref()
            .and_then(|notice| port_notice_with_new_port(notice, address))
        {
            self.notice = Some(moved);
        }
    }

    /// What shows over the pane: the alert banner, the notice and news, the
    /// offer to add an account, and invitations and file offers in
    /// conversations that are not open (`invites`: chat invitations).
    pub(super) fn banners(&self, invites: &[ConversationKey]) -> Column<'_, Message> {
        let open = self.conversations.open_key();
        let mut banners = column![];
        if let Some(banner) = alerts::banner(&self.alerts, &self.zone, self.now) {
            banners = banners.push(banner.map(Message::Alerts));
        }
        for warning in self.certificates.warnings() {
            banners = banners.push(warning.map(Message::Certificates));
        }
        if let Some(notice) = &self.notice {
            banners = banners.push(notice_banner(notice.render(), theme::banner));
        }
        let prompt =
            presence::prompt::banner(&self.presences, |watcher| self.watcher_name(watcher), self.ring());
        if let Some(prompt) = prompt {
            banners = banners.push(prompt.map(Message::Presence));
        }
        if let Some(info) = &self.info {
            banners = banners.push(notice_banner(info.render(), theme::info_banner));
        }
        if self.offers_account() {
            banners = banners.push(accounts::offer());
        }
        for key in invites.iter().filter(|k| Some(*k) != open) {
            if let Some(conversation) = self.conversations.get(key) {
                banners = banners.push(offer_banner(conversation.title(), key.clone()));
            }
        }
        let offers = self.transfers.offers();
        for offer in offers.into_iter().filter(|t| Some(&t.conversation) != open) {
            if let Some(conversation) = self.conversations.get(&offer.conversation) {
                let show = Message::Sidebar(sidebar::Message::Open(offer.conversation.clone()));
                let banner = transfers::offer_banner(offer, conversation.title(), show, |m| {
                    Message::Files(files::FileMessage::Transfer(m))
                });
                banners = banners.push(banner);
            }
        }
        banners
    }
}
