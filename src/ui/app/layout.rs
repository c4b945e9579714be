//! How the window fits its size: below [`compact::COMPACT_BELOW`] the
//! sidebar folds to icons (a button unfolds it over the same space; opening
//! a conversation folds it again), and the alert entry shrinks to a "!"
//! with its words in a tooltip. Also the window's `view`: the sidebar,
//! banners over the pane, and the open dialog on top.

use super::banners::dialog;
use super::{alerts_glue, App, Message};
use crate::ui::account_settings;
use crate::ui::alerts;
use crate::ui::contacts;
use crate::ui::conversation::pane;
use crate::ui::conversation::session::ChatView;
use crate::ui::conversation::{ConversationKey, Conversations};
use crate::ui::presence::selector;
use crate::ui::settings;
use crate::ui::sidebar::{self, compact};
use crate::ui::{focus, theme, widget};
use iced::widget::{button, column, container, row, rule, scrollable, stack, text, tooltip, Id};
use iced::{Element, Fill};

impl App {
    /// The whole window: sidebar, banners over the pane, and a dialog on
    /// top when one is open.
    pub fn view(&self) -> Element<'_, Message> {
        let invites: Vec<ConversationKey> = self.sessions.offers().cloned().collect();
        let files = self.transfers.offer_conversations();
        let alerted: Vec<ConversationKey> = self
            .alerts
            .unacknowledged()
            .into_iter()
            .map(alerts::conversation_of)
            .collect();
        let latest = self.transfers.latest();
        let marks = sidebar::Marks {
            invites: &invites,
            files: &files,
            alerts: &alerted,
            files_latest: Some(&latest),
            presence: Some(&self.presences),
        };
        let sidebar = self.sidebar_column(&self.conversations, marks);
        let open = self.conversations.open_key();
        let chat = ChatView {
            session: open.and_then(|k| self.sessions.get(k)),
            ending: open.and_then(|k| self.sessions.ending(k)),
            can_start: !self.stopped,
        };
        let cx = pane::ViewContext {
            zone: &self.zone,
            now: self.now,
            can_send: !self.stopped,
            chat,
            alert_messages: self.alerts.messages(),
            transfers: open.map(|k| self.transfers.of(k)).unwrap_or_default(),
            previews: &self.media.previews,
            photos: &self.sidebar.contacts.photos,
            presence: open
                .and_then(|k| self.presences.of_key(k))
                .map(|seen| (seen.shown(), seen.describe(&self.zone, self.now))),
            ring: self.ring(),
        };
        let page = self
            .sidebar
            .open_contact
            .and_then(|id| self.sidebar.contacts.get(id));
        let pane = if self.alerts.log_open() {
            alerts::log(&self.alerts, &self.zone, self.now, self.ring()).map(Message::Alerts)
        } else if let Some(contact) = page {
            let account = self.contact_account(contact);
            let account = account.as_ref().map(|a| a.0.as_str());
            let photo = self.sidebar.contacts.photos.get(Some(contact.id));
            let seen = contacts::presence_of(&self.presences, contact)
                .map(|seen| (seen.shown(), seen.describe(&self.zone, self.now)));
            let notify_online = self.state.notify_online.contains(&contact.id.0);
            contacts::page::view(contact, account, !self.stopped, photo, seen, notify_online)
                .map(Message::ContactPage)
        } else {
            self.pane
                .view(self.conversations.current(), cx)
                .map(Message::Pane)
        };
        let banners = self.banners(&invites);
        let right = match self.path_field() {
            Some(field) => column![banners, field, pane],
            None => column![banners, pane],
        };
        let base: Element<'_, Message> = row![
            sidebar,
            rule::vertical(1),
            container(right).width(Fill).height(Fill)
        ]
        .into();
        let base = self.drop_overlay(base);
        let ring = self.ring();
        if let Some(prompt) = self.certificates.view(&self.zone, ring) {
            let content = prompt.map(Message::Certificates);
            stack![base, dialog(scrolled(content), 560.0)].into()
        } else if let Some(form) = &self.accounts.form {
            let content = form
                .view(ring)
                .map(|m| Message::Accounts(account_settings::Message::Form(m)));
            stack![base, dialog(scrolled(content), 480.0)].into()
        } else if let Some(offer) = &self.media.paste {
            let content = offer
                .view(ring)
                .map(|m| Message::Media(super::media_glue::MediaMessage::Paste(m)));
            stack![base, dialog(content, 480.0)].into()
        } else if let Some(menu) = &self.conversation_menu {
            let content = menu.view(ring).map(Message::Menu);
            stack![base, dialog(content, 420.0)].into()
        } else if let Some(form) = &self.contact_form {
            let content = form.view(ring).map(Message::ContactForm);
            stack![base, dialog(scrolled(content), 480.0)].into()
        } else if let Some(switcher) = &self.switcher {
            let content = switcher
                .view(
                    &self.conversations,
                    self.sidebar.contacts.all(),
                    &self.sidebar.contacts.photos,
                )
                .map(Message::Switcher);
            stack![base, dialog(content, 520.0)].into()
        } else if self.settings_open {
            let content = column![
                settings::view(self.settings_choices(), ring).map(Message::Settings),
                rule::horizontal(1),
                self.accounts.view(ring).map(Message::Accounts),
                settings::close(ring).map(Message::Settings),
            ]
            .spacing(theme::SPACE_M);
            stack![base, dialog(scrolled(content), 520.0)].into()
        } else {
            base
        }
    }

    /// The window is too narrow for the whole sidebar beside the pane.
    pub(super) fn narrow(&self) -> bool {
        self.state.width < compact::COMPACT_BELOW
    }

    /// The sidebar as wide as the window allows.
    pub(super) fn sidebar_column<'a>(
        &'a self,
        conversations: &'a Conversations,
        marks: sidebar::Marks<'_>,
    ) -> Element<'a, Message> {
        if self.narrow() && !self.sidebar_unfolded {
            let own = selector::folded(&self.presences, Message::Sidebar(sidebar::Message::Fold(false)));
            // Our status at the foot of the folded sidebar (its head keeps
            // the alert entry and "»" where they were).
            return column![
                compact_alert_entry(&self.alerts),
                compact::view(conversations, marks, &self.sidebar).map(Message::Sidebar),
                container(own)
                    .center_x(Fill)
                    .padding(theme::SPACE_S)
                    .style(theme::sidebar),
            ]
            .width(compact::COMPACT_WIDTH)
            .into();
        }
        let full = self
            .sidebar
            .view(conversations, marks, &self.zone, self.now)
            .map(Message::Sidebar);
        let top = if self.narrow() {
            let fold = button(text("«").size(theme::TEXT_BODY).font(theme::BOLD))
                .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
                .style(theme::secondary_button)
                .on_press(Message::Sidebar(sidebar::Message::Fold(true)));
            row![fold, alerts_glue::sidebar_entry(&self.alerts)]
                .align_y(iced::Center)
                .into()
        } else {
            alerts_glue::sidebar_entry(&self.alerts)
        };
        let top = container(top)
            .style(theme::sidebar)
            .padding(iced::Padding::ZERO.left(if self.narrow() { theme::SPACE_L } else { 0.0 }));
        let own = container(selector::view(&self.presences).map(Message::Presence))
            .padding([theme::SPACE_S, theme::SPACE_L])
            .width(Fill)
            .style(theme::sidebar);
        column![top, own, full].width(theme::SIDEBAR_WIDTH).into()
    }
}

/// A dialog's content in its scrollable (by the id the focus code scrolls).
///
/// The content keeps a strip free on its right for the scrollbar, which
/// floats over it: the bar never covers a button's edge or focus ring.
fn scrolled<'a>(content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    let content = container(content).padding(iced::padding::right(SCROLLBAR_STRIP));
    scrollable(content).id(Id::new(focus::DIALOG_SCROLL)).into()
}

/// Room left free beside a dialog's content for its scrollbar (iced draws
/// the bar 10 px wide) and a gap.
const SCROLLBAR_STRIP: f32 = theme::SPACE_L;

/// The alert log's entry as one "!" (red while alerts are open).
fn compact_alert_entry(alerts: &alerts::Alerts) -> Element<'_, Message> {
    let up = !alerts.unacknowledged().is_empty();
    let entry = button(
        text("!")
            .size(theme::TEXT_BODY)
            .font(theme::BOLD)
            .width(Fill)
            .center(),
    )
    .width(Fill)
    .padding([theme::SPACE_XS + 2.0, theme::SPACE_S])
    .on_press(Message::Alerts(alerts::Message::OpenLog))
    .style(if up {
        button::danger
    } else {
        theme::secondary_button
    });
    let entry = tooltip(
        entry,
        widget::muted(alerts::log_entry_label(alerts)),
        tooltip::Position::Right,
    )
    .style(container::bordered_box)
    .padding(theme::SPACE_S);
    container(entry)
        .padding(theme::SPACE_S)
        .style(theme::sidebar)
        .into()
}
