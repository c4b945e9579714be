//! The right-hand side: the open conversation (header, messages, composer),
//! or the empty state when nothing is open. One message is drawn by
//! `bubble.rs`; the drafts and the composer's keys live in `composer.rs`.

use super::bubble::{self, bubble};
use super::composer::{self, Drafts};
use super::preview::{self, Previews};
use super::session::{self, ChatView, Phase, Request};
use super::{Conversation, ConversationKey, Entry, History};
use crate::ui::avatar::{self, Photos};
use crate::ui::clock::Zone;
use crate::ui::i18n::t;
use crate::ui::presence::dot::{self, Shown};
use crate::ui::transfers::{self, Transfer};
use crate::ui::{emoji, theme, widget};
use iced::widget::scrollable::Viewport;
use iced::widget::text_editor::{self, Content};
use iced::widget::{button, center, column, container, row, rule, scrollable, text, tooltip, Id};
use iced::{Center, Element, Fill};
use sipchat::model::{AlertMark, MessageId};
use std::collections::BTreeMap;

/// The composer's widget id, for focusing it.
pub const COMPOSER: &str = "composer";
/// Longest name in the header, in characters (the rest is in a tooltip).
const HEADER_TITLE_CHARS: usize = 40;
/// The message list's widget id, for scrolling it.
pub const MESSAGES: &str = "messages";

/// Scrolls the message list to the newest message. The list is anchored
/// at the bottom, where iced counts offsets from the bottom: the start (0)
/// is the newest end (`snap_to_end` would show the oldest).
pub fn to_newest<T>() -> iced::Task<T> {
    iced::widget::operation::snap_to(Id::new(MESSAGES), scrollable::RelativeOffset::START)
}

/// What the pane reports to the app.
#[derive(Debug, Clone)]
pub enum Message {
    /// The composer's whole text was replaced (tests type with it).
    #[cfg(test)]
    DraftChanged(String),
    /// Typing, moving or selecting in the composer.
    Edit(text_editor::Action),
    /// Enter in the composer, or the Send button.
    Send,
    /// "Load earlier messages" at the top of the list.
    LoadEarlier,
    /// The message list scrolled; `at_top` when its top is in view.
    Scrolled { at_top: bool },
    /// "Retry" under a failed message.
    Retry(MessageId),
    /// A chat session button (start, cancel, end, accept, decline, dismiss).
    Chat(Request),
    /// The composer's attach button: choose files to send.
    Attach,
    /// Ctrl+V in the composer (after its text is pasted).
    Paste,
    /// A button on a file transfer in the timeline.
    Transfer(transfers::Message),
    /// A link in a message was clicked.
    Link(String),
    /// A right click on a message: open (or close) its context menu.
    Menu(MessageId),
    /// "Copy" in a message's context menu: its whole text.
    Copy(String),
    /// "Select text" in a message's context menu.
    Select(MessageId, String),
    /// Moving or selecting in the message text being selected.
    Selection(text_editor::Action),
    /// The composer's emoji button: open or close the picker.
    Emojis,
    /// An emoji chosen in the picker: typed into the draft.
    Emoji(&'static str),
}

/// What the app must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Send `text` in the conversation `key`.
    Send {
        key: ConversationKey,
        text: String,
    },
    /// Load the page before the oldest message shown.
    LoadEarlier(ConversationKey),
    /// Send the failed message `id` again.
    Retry {
        key: ConversationKey,
        id: MessageId,
    },
    /// The draft of `key` was edited; `empty` when nothing but blanks is left.
    Drafted {
        key: ConversationKey,
        empty: bool,
    },
    /// The user asks something of the conversation's chat session.
    Chat {
        key: ConversationKey,
        request: Request,
    },
    /// Let the user choose files to send in `key`.
    Attach(ConversationKey),
    /// Ctrl+V in the composer of `key`: offer a picture or files on the
    /// clipboard (its text is pasted as ever).
    Paste(ConversationKey),
    /// A file transfer's button.
    Transfer(transfers::Message),
    /// Open a clicked link.
    OpenLink(String),
    /// Put this text on the clipboard.
    Copy(String),
    /// Give the keyboard focus to the widget with this id.
    Focus(&'static str),
}

/// The pane's own state: a draft per conversation, the message whose
/// context menu is open, the message whose text is being selected.
#[derive(Debug, Default)]
pub struct Pane {
    drafts: Drafts,
    /// What the composer shows for a conversation without a draft.
    empty: Content,
    menu: Option<MessageId>,
    selecting: Option<(MessageId, Content)>,
    /// The emoji picker is open.
    picker: bool,
}

/// What the view needs besides the pane itself.
pub struct ViewContext<'a> {
    pub zone: &'a Zone,
    pub now: u64,
    /// False once the runtime has stopped.
    pub can_send: bool,
    /// The open conversation's chat session.
    pub chat: ChatView<'a>,
    /// Messages that raised an emergency alert (also those from history),
    /// with the alert's text to show instead of the raw body.
    pub alert_messages: &'a BTreeMap<MessageId, String>,
    /// The open conversation's file transfers, oldest first.
    pub transfers: Vec<&'a Transfer>,
    /// Picture previews and contact photos.
    pub previews: &'a Previews,
    pub photos: &'a Photos,
    /// The peer's presence: the dot and its words.
    pub presence: Option<(Shown, String)>,
    /// The emoji picker's focus ring (`ui/focus.rs`).
    pub ring: crate::ui::focus::Ring,
}

impl Pane {
    /// Handles a message for the conversation that is open, if any.
    pub fn update(&mut self, open: Option<&ConversationKey>, message: Message) -> Action {
        // These name their own conversation or none.
        match message {
            Message::Transfer(message) => return Action::Transfer(message),
            Message::Link(link) => return Action::OpenLink(link),
            Message::Menu(id) => {
                self.menu = if self.menu == Some(id) { None } else { Some(id) };
                return Action::None;
            }
            Message::Copy(text) => {
                self.menu = None;
                return Action::Copy(text);
            }
            Message::Select(id, text) => {
                self.menu = None;
                let mut content = Content::with_text(&text);
                content.perform(text_editor::Action::SelectAll);
                self.selecting = Some((id, content));
                return Action::Focus(bubble::SELECTION);
            }
            Message::Selection(action) => {
                if let Some((_, content)) = &mut self.selecting {
                    if bubble::selection_allows(&action) {
                        content.perform(action);
                    }
                }
                return Action::None;
            }
            _ => {}
        }
        let Some(key) = open else {
            return Action::None;
        };
        match message {
            #[cfg(test)]
            Message::DraftChanged(draft) => {
                let empty = draft.trim().is_empty();
                self.drafts.set(key, &draft);
                Action::Drafted {
                    key: key.clone(),
                    empty,
                }
            }
            Message::Edit(action) => {
                if !self.drafts.perform(key, action) {
                    return Action::None;
                }
                Action::Drafted {
                    key: key.clone(),
                    empty: self.draft(key).trim().is_empty(),
                }
            }
            Message::Send => {
                let text = self.draft(key).trim().to_string();
                if text.is_empty() {
                    return Action::None;
                }
                self.drafts.clear(key);
                Action::Send {
                    key: key.clone(),
                    text,
                }
            }
            Message::LoadEarlier | Message::Scrolled { at_top: true } => Action::LoadEarlier(key.clone()),
            Message::Scrolled { at_top: false } => Action::None,
            Message::Retry(id) => Action::Retry { key: key.clone(), id },
            Message::Chat(request) => Action::Chat {
                key: key.clone(),
                request,
            },
            Message::Attach => Action::Attach(key.clone()),
            Message::Paste => Action::Paste(key.clone()),
            Message::Emojis => {
                self.picker = !self.picker;
                Action::None
            }
            Message::Emoji(emoji) => {
                self.picker = false;
                let paste = text_editor::Edit::Paste(std::sync::Arc::new(emoji.to_string()));
                self.drafts.perform(key, text_editor::Action::Edit(paste));
                Action::Drafted {
                    key: key.clone(),
                    empty: false,
                }
            }
            Message::Transfer(_)
            | Message::Link(_)
            | Message::Menu(_)
            | Message::Copy(_)
            | Message::Select(..)
            | Message::Selection(_) => Action::None,
        }
    }

    /// The emoji picker is open.
    pub fn picker_open(&self) -> bool {
        self.picker
    }

    /// The unsent text for a conversation.
    pub fn draft(&self, key: &ConversationKey) -> String {
        self.drafts.text(key)
    }

    /// Esc: closes an open context menu or ends selecting; `true` when
    /// there was one.
    pub fn escape(&mut self) -> bool {
        self.menu.take().is_some() | self.selecting.take().is_some() | std::mem::take(&mut self.picker)
    }

    /// The text selected in a message, if any.
    #[cfg(test)]
    pub fn selection(&self) -> Option<String> {
        self.selecting.as_ref().and_then(|(_, c)| c.selection())
    }

    /// The open conversation, or the empty state.
    pub fn view<'a>(&'a self, open: Option<&'a Conversation>, cx: ViewContext<'a>) -> Element<'a, Message> {
        let Some(conversation) = open else {
            return empty_state();
        };
        let title = conversation.title();
        let mut pane = column![header(conversation, &cx), rule::horizontal(1)];
        if cx.chat.session.is_some_and(|s| s.phase == Phase::Offered) {
            pane = pane.push(session::offer_strip(&title, cx.can_send).map(Message::Chat));
        }
        if let Some(ending) = cx.chat.ending {
            pane = pane.push(session::ending_line(ending).map(Message::Chat));
        }
        let typing = if cx.chat.session.is_some_and(|s| s.peer_typing) {
            session::typing_line(&title)
        } else {
            session::no_typing_line()
        };
        let marks = bubble::Marks {
            menu: self.menu,
            selecting: self.selecting.as_ref().map(|(id, content)| (*id, content)),
        };
        pane.push(messages(conversation, &cx, marks))
            .push(typing)
            .push(rule::horizontal(1))
            .push(self.composer(conversation, &cx))
            .height(Fill)
            .into()
    }

    fn composer<'a>(&'a self, conversation: &'a Conversation, cx: &ViewContext<'a>) -> Element<'a, Message> {
        let draft = self.drafts.get(&conversation.key);
        let blank = draft.is_none_or(|d| d.text().trim().is_empty());
        let in_session = cx.chat.session.and_then(session::Session::active_id).is_some();
        let placeholder = if !cx.can_send {
            t!("composer-stopped")
        } else if in_session {
            t!("composer-placeholder-chat", name = conversation.title())
        } else {
            t!("composer-placeholder", name = conversation.title())
        };
        let size = theme::TEXT_BODY + 1.0;
        let padding = theme::SPACE_S + 2.0;
        let line = iced::widget::text::LineHeight::default()
            .to_absolute(size.into())
            .0;
        let input = match draft {
            Some(draft) => iced::widget::text_editor(draft),
            None => iced::widget::text_editor(&self.empty),
        }
        .id(Id::new(COMPOSER))
        .placeholder(placeholder)
        .key_binding(|press| composer::binding(press, Message::Send, Message::Paste))
        .padding([padding, theme::SPACE_M])
        .size(size)
        .max_height(line * composer::MAX_LINES + 2.0 * padding);
        let input = if cx.can_send {
            input.on_action(Message::Edit)
        } else {
            input
        };
        let attach = button(
            text("+")
                .size(theme::TEXT_TITLE + 3.0)
                .font(theme::BOLD)
                .line_height(1.0),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .on_press_maybe(cx.can_send.then_some(Message::Attach))
        .style(theme::secondary_button);
        let attach = tooltip(
            attach,
            widget::muted(t!("composer-attach")),
            tooltip::Position::Top,
        )
        .style(container::bordered_box)
        .padding(theme::SPACE_S);
        let emojis = button(
            text("😀")
                .font(emoji::FONT)
                .size(theme::TEXT_TITLE + 1.0)
                .line_height(1.0),
        )
        .padding([theme::SPACE_S, theme::SPACE_S + 2.0])
        .on_press_maybe(cx.can_send.then_some(Message::Emojis))
        .style(theme::secondary_button);
        let emojis = tooltip(
            emojis,
            widget::muted(t!("composer-emoji")),
            tooltip::Position::Top,
        )
        .style(container::bordered_box)
        .padding(theme::SPACE_S);
        let can_press = cx.can_send && !blank;
        let send = button(text(t!("composer-send")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S + 2.0, theme::SPACE_L])
            .on_press_maybe(can_press.then_some(Message::Send))
            .style(button::primary);
        let line = row![attach, emojis, input, send]
            .spacing(theme::SPACE_S)
            .align_y(Center);
        let composer = if self.picker && cx.can_send {
            column![emoji::picker(Message::Emoji, cx.ring), line].spacing(theme::SPACE_S)
        } else {
            column![line]
        };
        container(composer)
            .padding(theme::SPACE_M)
            .style(theme::header)
            .into()
    }
}

fn empty_state<'a>() -> Element<'a, Message> {
    center(
        column![
            text(t!("pane-empty-title"))
                .size(theme::TEXT_TITLE)
                .align_x(Center),
            widget::muted(t!("pane-empty-hint"))
                .size(theme::TEXT_BODY)
                .align_x(Center),
        ]
        .spacing(theme::SPACE_S)
        .align_x(Center)
        .max_width(560),
    )
    .padding(theme::SPACE_XL)
    .into()
}

fn header<'a>(conversation: &'a Conversation, cx: &ViewContext<'a>) -> Element<'a, Message> {
    let chat = cx.chat;
    let title = conversation.title();
    let via = t!("via-account", account = conversation.key.account.0.as_str());
    // The details fold under the name and wrap; a long name is elided with
    // the whole of it in a tooltip.
    let shown = widget::one_line(&title, HEADER_TITLE_CHARS);
    let name = text(shown.clone()).size(theme::TEXT_TITLE).font(theme::BOLD);
    let name: Element<'a, Message> = if shown == title {
        name.into()
    } else {
        tooltip(name, widget::muted(title.clone()), tooltip::Position::Bottom)
            .style(container::bordered_box)
            .padding(theme::SPACE_S)
            .into()
    };
    let mut details = column![
        name,
        widget::muted(format!("{} · {via}", conversation.address)).wrapping(text::Wrapping::WordOrGlyph),
    ]
    .spacing(2)
    .width(Fill);
    let photo = cx.photos.get(conversation.contact.as_ref().map(|c| c.id));
    if let Some((_, words)) = &cx.presence {
        details = details.push(widget::muted(words.clone()).wrapping(text::Wrapping::WordOrGlyph));
    }
    let avatar = dot::on_avatar(
        avatar::view(&title, &conversation.key.peer, photo),
        cx.presence.as_ref().map(|(shown, _)| *shown),
        theme::AVATAR_SIZE,
    );
    let mut line = row![avatar, details].spacing(theme::SPACE_M).align_y(Center);
    if let Some(controls) = session::header_controls(chat, &title) {
        line = line.push(controls.map(Message::Chat));
    }
    container(line)
        .padding([theme::SPACE_M, theme::SPACE_L])
        .width(Fill)
        .style(theme::header)
        .into()
}

/// Whether the top of a bottom-anchored list is in view.
fn at_top(viewport: &Viewport) -> bool {
    let scrollable = viewport.content_bounds().height > viewport.bounds().height;
    scrollable && viewport.absolute_offset_reversed().y <= 1.0
}

fn messages<'a>(
    conversation: &'a Conversation,
    cx: &ViewContext<'a>,
    marks: bubble::Marks<'a>,
) -> Element<'a, Message> {
    if conversation.entries.is_empty() && cx.transfers.is_empty() {
        let words = match conversation.history {
            History::NotLoaded | History::Loading => t!("messages-loading"),
            History::Partial | History::Complete => t!("messages-none", name = conversation.title()),
        };
        return center(widget::muted(words).size(theme::TEXT_BODY)).into();
    }
    let mut list = column![]
        .spacing(theme::SPACE_S)
        .padding([theme::SPACE_L, theme::SPACE_XL]);
    let top: Option<Element<'a, Message>> = match conversation.history {
        History::Partial => Some(
            button(text(t!("messages-load-earlier")).size(theme::TEXT_SMALL))
                .padding([theme::SPACE_XS, theme::SPACE_M])
                .style(theme::secondary_button)
                .on_press(Message::LoadEarlier)
                .into(),
        ),
        History::Loading => Some(widget::muted(t!("messages-loading-earlier")).into()),
        History::NotLoaded | History::Complete => None,
    };
    if let Some(top) = top {
        list = list.push(container(top).center_x(Fill));
    }
    let mut previous: Option<u64> = None;
    let title = conversation.title();
    for item in timeline(conversation, &cx.transfers) {
        let at = match item {
            Item::Message(entry) => entry.at,
            Item::Transfer(transfer) => transfer.at,
        };
        if previous.is_none_or(|p| !cx.zone.same_day(p, at)) {
            list = list.push(day_separator(cx.zone.day_label(at, cx.now)));
        }
        previous = Some(at);
        list = list.push(match item {
            Item::Message(entry) => {
                let alert_text = cx.alert_messages.get(&entry.id).map(String::as_str);
                let raised = entry.alert == AlertMark::Raised || alert_text.is_some();
                bubble(entry, raised, alert_text, marks, cx.zone, cx.now)
            }
            Item::Transfer(transfer) => {
                let card =
                    transfers::timeline_row(transfer, &title, cx.can_send, cx.zone).map(Message::Transfer);
                preview::transfer_row(transfer, cx.previews, card, cx.zone)
            }
        });
    }
    scrollable(list)
        .id(Id::new(MESSAGES))
        .anchor_bottom()
        .on_scroll(|viewport| Message::Scrolled {
            at_top: at_top(&viewport),
        })
        .height(Fill)
        .width(Fill)
        .into()
}

/// One thing in the timeline.
#[derive(Debug, Clone, Copy)]
enum Item<'a> {
    Message(&'a Entry),
    Transfer(&'a Transfer),
}

/// Messages and transfers in time order. Transfers older than the oldest
/// loaded message wait until earlier pages are loaded (unless the history
/// is complete), so they do not pile up at the top.
fn timeline<'a>(conversation: &'a Conversation, transfers: &[&'a Transfer]) -> Vec<Item<'a>> {
    let oldest = match (conversation.history, conversation.entries.first()) {
        (History::Complete, _) | (_, None) => 0,
        (_, Some(first)) => first.at,
    };
    let mut items: Vec<Item<'a>> = Vec::with_capacity(conversation.entries.len() + transfers.len());
    let mut pending = transfers
        .iter()
        .filter(|t| t.at >= oldest || t.state.is_live())
        .peekable();
    for entry in &conversation.entries {
        while let Some(transfer) = pending.next_if(|t| t.at < entry.at) {
            items.push(Item::Transfer(transfer));
        }
        items.push(Item::Message(entry));
    }
    items.extend(pending.map(|t| Item::Transfer(t)));
    items
}

fn day_separator<'a>(label: String) -> Element<'a, Message> {
    container(widget::muted(label))
        .center_x(Fill)
        .padding([theme::SPACE_S, 0.0])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipchat::model::AccountId;

    fn key(peer: &str) -> ConversationKey {
        ConversationKey::new(&AccountId("local".into()), peer)
    }

    #[test]
    fn enter_sends_the_trimmed_draft_and_clears_it() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        assert_eq!(
            pane.update(Some(&bob), Message::DraftChanged("  hi bob \n".into())),
            Action::Drafted {
                key: bob.clone(),
                empty: false
            }
        );
        assert_eq!(
            pane.update(Some(&bob), Message::Send),
            Action::Send {
                key: bob.clone(),
                text: "hi bob".into()
            }
        );
        assert_eq!(pane.draft(&bob), "");
    }

    #[test]
    fn blank_drafts_and_no_open_conversation_send_nothing() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        assert_eq!(
            pane.update(Some(&bob), Message::DraftChanged("   ".into())),
            Action::Drafted {
                key: bob.clone(),
                empty: true
            }
        );
        assert_eq!(pane.update(Some(&bob), Message::Send), Action::None);
        assert_eq!(
            pane.update(None, Message::DraftChanged("lost".into())),
            Action::None
        );
        assert_eq!(pane.update(None, Message::Send), Action::None);
    }

    #[test]
    fn retry_and_earlier_pages_are_asked_for_the_open_conversation() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        assert_eq!(
            pane.update(Some(&bob), Message::Retry(MessageId(7))),
            Action::Retry {
                key: bob.clone(),
                id: MessageId(7)
            }
        );
        assert_eq!(
            pane.update(Some(&bob), Message::LoadEarlier),
            Action::LoadEarlier(bob.clone())
        );
        assert_eq!(
            pane.update(Some(&bob), Message::Scrolled { at_top: true }),
            Action::LoadEarlier(bob.clone())
        );
        assert_eq!(
            pane.update(Some(&bob), Message::Scrolled { at_top: false }),
            Action::None
        );
        assert_eq!(pane.update(None, Message::Retry(MessageId(7))), Action::None);
        assert_eq!(
            pane.update(Some(&bob), Message::Chat(Request::Start)),
            Action::Chat {
                key: bob.clone(),
                request: Request::Start
            }
        );
        assert_eq!(pane.update(None, Message::Chat(Request::Accept)), Action::None);
    }

    fn edit(pane: &mut Pane, bob: &ConversationKey, edit: text_editor::Edit) -> Action {
        pane.update(Some(bob), Message::Edit(text_editor::Action::Edit(edit)))
    }

    #[test]
    fn a_multi_line_draft_is_sent_whole() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        let typed = std::sync::Arc::new("first line".to_string());
        assert_eq!(
            edit(&mut pane, &bob, text_editor::Edit::Paste(typed)),
            Action::Drafted {
                key: bob.clone(),
                empty: false
            }
        );
        // Shift+Enter is the editor's own Enter: a line break, not a send.
        edit(&mut pane, &bob, text_editor::Edit::Enter);
        edit(&mut pane, &bob, text_editor::Edit::Insert('2'));
        assert_eq!(
            pane.update(Some(&bob), Message::Edit(text_editor::Action::SelectAll)),
            Action::None
        );
        assert_eq!(
            pane.update(Some(&bob), Message::Send),
            Action::Send {
                key: bob.clone(),
                text: "first line\n2".into()
            }
        );
        assert_eq!(pane.draft(&bob), "");
    }

    #[test]
    fn the_context_menu_copies_and_selects_message_text() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        let id = MessageId(3);
        assert_eq!(pane.update(Some(&bob), Message::Menu(id)), Action::None);
        assert_eq!(pane.menu, Some(id));
        assert_eq!(
            pane.update(Some(&bob), Message::Copy("two\nlines".into())),
            Action::Copy("two\nlines".into())
        );
        assert_eq!(pane.menu, None);
        pane.update(Some(&bob), Message::Menu(id));
        assert_eq!(
            pane.update(None, Message::Select(id, "two\nlines".into())),
            Action::Focus(bubble::SELECTION)
        );
        // All of it is selected at first, across its lines.
        assert_eq!(pane.selection().as_deref(), Some("two\nlines"));
        // The keyboard narrows the selection; typing changes nothing.
        pane.update(
            None,
            Message::Selection(text_editor::Action::Move(text_editor::Motion::DocumentStart)),
        );
        pane.update(
            None,
            Message::Selection(text_editor::Action::Select(text_editor::Motion::WordRight)),
        );
        assert_eq!(pane.selection().as_deref(), Some("two"));
        pane.update(
            None,
            Message::Selection(text_editor::Action::Edit(text_editor::Edit::Insert('x'))),
        );
        assert_eq!(pane.selection().as_deref(), Some("two"));
        assert!(pane.escape());
        assert_eq!(pane.selection(), None);
        assert!(!pane.escape());
    }

    #[test]
    fn a_clicked_link_is_handed_up() {
        let mut pane = Pane::default();
        assert_eq!(
            pane.update(None, Message::Link("https://example.org".into())),
            Action::OpenLink("https://example.org".into())
        );
    }

    #[test]
    fn a_picked_emoji_is_typed_at_the_cursor_and_closes_the_picker() {
        let mut pane = Pane::default();
        let bob = key("sip:bob@example.org");
        edit(&mut pane, &bob, text_editor::Edit::Insert('A'));
        assert_eq!(pane.update(Some(&bob), Message::Emojis), Action::None);
        assert!(pane.picker);
        assert_eq!(
            pane.update(Some(&bob), Message::Emoji("👍")),
            Action::Drafted {
                key: bob.clone(),
                empty: false
            }
        );
        assert!(!pane.picker);
        assert_eq!(pane.draft(&bob), "A👍");
        pane.update(Some(&bob), Message::Emojis);
        assert!(pane.escape(), "Esc closes the picker");
        assert!(!pane.picker);
    }

    #[test]
    fn each_conversation_keeps_its_own_draft() {
        let mut pane = Pane::default();
        let (bob, carol) = (key("sip:bob@example.org"), key("sip:carol@example.org"));
        pane.update(Some(&bob), Message::DraftChanged("for bob".into()));
        pane.update(Some(&carol), Message::DraftChanged("for carol".into()));
        assert_eq!(pane.draft(&bob), "for bob");
        assert_eq!(pane.draft(&carol), "for carol");
    }
}
