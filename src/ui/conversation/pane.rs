//! The right-hand side: the open conversation (header, messages, composer),
//! or the empty state when nothing is open.

use super::session::{self, ChatView, Phase, Request};
use super::{delivery_words, Conversation, ConversationKey, Direction, Entry, History};
use crate::ui::clock::Zone;
use crate::ui::i18n::t;
use crate::ui::transfers::{self, Transfer};
use crate::ui::{theme, widget};
use iced::widget::scrollable::Viewport;
use iced::widget::{
    button, center, column, container, row, rule, scrollable, space, text, text_input, tooltip, Id,
};
use iced::{Center, Element, Fill, Theme};
use sipchat::model::{AlertMark, DeliveryState, MessageId};
use std::collections::{BTreeMap, HashMap};

/// The composer's widget id, for focusing it.
pub const COMPOSER: &str = "composer";
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
    /// The composer's text changed.
    DraftChanged(String),
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
    /// A button on a file transfer in the timeline.
    Transfer(transfers::Message),
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
    /// A file transfer's button.
    Transfer(transfers::Message),
}

/// The pane's own state: a draft per conversation.
#[derive(Debug, Default)]
pub struct Pane {
    drafts: HashMap<ConversationKey, String>,
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
}

impl Pane {
    /// Handles a message for the conversation that is open, if any.
    pub fn update(&mut self, open: Option<&ConversationKey>, message: Message) -> Action {
        // A transfer names its own conversation.
        if let Message::Transfer(message) = message {
            return Action::Transfer(message);
        }
        let Some(key) = open else {
            return Action::None;
        };
        match message {
            Message::DraftChanged(draft) => {
                let empty = draft.trim().is_empty();
                self.drafts.insert(key.clone(), draft);
                Action::Drafted {
                    key: key.clone(),
                    empty,
                }
            }
            Message::Send => {
                let text = self.draft(key).trim().to_string();
                if text.is_empty() {
                    return Action::None;
                }
                self.drafts.remove(key);
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
            Message::Transfer(message) => Action::Transfer(message),
        }
    }

    /// The unsent text for a conversation.
    pub fn draft(&self, key: &ConversationKey) -> &str {
        self.drafts.get(key).map(String::as_str).unwrap_or("")
    }

    /// The open conversation, or the empty state.
    pub fn view<'a>(&'a self, open: Option<&'a Conversation>, cx: ViewContext<'a>) -> Element<'a, Message> {
        let Some(conversation) = open else {
            return empty_state();
        };
        let title = conversation.title();
        let mut pane = column![header(conversation, cx.chat), rule::horizontal(1)];
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
        pane.push(messages(conversation, &cx))
            .push(typing)
            .push(rule::horizontal(1))
            .push(self.composer(conversation, &cx))
            .height(Fill)
            .into()
    }

    fn composer<'a>(&'a self, conversation: &'a Conversation, cx: &ViewContext<'a>) -> Element<'a, Message> {
        let draft = self.draft(&conversation.key);
        let in_session = cx.chat.session.and_then(session::Session::active_id).is_some();
        let placeholder = if !cx.can_send {
            t!("composer-stopped")
        } else if in_session {
            t!("composer-placeholder-chat", name = conversation.title())
        } else {
            t!("composer-placeholder", name = conversation.title())
        };
        let input = text_input(&placeholder, draft)
            .id(Id::new(COMPOSER))
            .on_input_maybe(cx.can_send.then_some(Message::DraftChanged))
            .on_submit_maybe(cx.can_send.then_some(Message::Send))
            .padding([theme::SPACE_S + 2.0, theme::SPACE_M])
            .size(theme::TEXT_BODY + 1.0);
        let attach = button(
            text("+")
                .size(theme::TEXT_TITLE + 3.0)
                .font(theme::BOLD)
                .line_height(1.0),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .on_press_maybe(cx.can_send.then_some(Message::Attach))
        .style(button::secondary);
        let attach = tooltip(
            attach,
            widget::muted(t!("composer-attach")),
            tooltip::Position::Top,
        )
        .style(container::bordered_box)
        .padding(theme::SPACE_S);
        let can_press = cx.can_send && !draft.trim().is_empty();
        let send = button(text(t!("composer-send")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S + 2.0, theme::SPACE_L])
            .on_press_maybe(can_press.then_some(Message::Send))
            .style(button::primary);
        container(row![attach, input, send].spacing(theme::SPACE_S).align_y(Center))
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

fn header<'a>(conversation: &'a Conversation, chat: ChatView<'a>) -> Element<'a, Message> {
    let title = conversation.title();
    let via = t!("via-account", account = conversation.key.account.0.as_str());
    let details = column![
        text(title.clone()).size(theme::TEXT_TITLE).font(theme::BOLD),
        widget::muted(conversation.address.as_str()),
    ]
    .spacing(2);
    let mut line = row![
        widget::avatar(&title, &conversation.key.peer),
        details,
        space::horizontal(),
    ]
    .spacing(theme::SPACE_M)
    .align_y(Center);
    if let Some(controls) = session::header_controls(chat, &title) {
        line = line.push(controls.map(Message::Chat));
    }
    container(line.push(widget::muted(via)))
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

fn messages<'a>(conversation: &'a Conversation, cx: &ViewContext<'a>) -> Element<'a, Message> {
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
                .style(button::secondary)
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
                bubble(entry, raised, alert_text, cx.zone, cx.now)
            }
            Item::Transfer(transfer) => {
                transfers::timeline_row(transfer, &title, cx.can_send, cx.zone).map(Message::Transfer)
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

/// The badge of a trusted alert, or the warning on a message that claims
/// to be an alert from an untrusted sender.
fn alert_note<'a>(raised: bool) -> Element<'a, Message> {
    let words = if raised {
        t!("message-alert-badge")
    } else {
        t!("message-alert-untrusted")
    };
    container(text(words).size(theme::TEXT_SMALL).font(theme::BOLD))
        .padding([2.0, theme::SPACE_S])
        .style(theme::alert_note(raised))
        .into()
}

/// `alert_text` replaces the body of a message that raised an alert.
fn bubble<'a>(
    entry: &'a Entry,
    raised: bool,
    alert_text: Option<&'a str>,
    zone: &Zone,
    now: u64,
) -> Element<'a, Message> {
    let time = zone.time_of_day(entry.at);
    let mut body = column![].spacing(2);
    if raised {
        body = body.push(alert_note(true));
    } else if entry.alert == AlertMark::Untrusted {
        body = body.push(alert_note(false));
    }
    if let Some(subject) = entry.subject.as_deref().filter(|s| !s.is_empty()) {
        body = body.push(text(subject).size(theme::TEXT_BODY).font(theme::BOLD));
    }
    let shown = alert_text.unwrap_or(entry.text.as_str());
    body = body.push(text(shown).size(theme::TEXT_BODY + 1.0));
    let bubble = container(body)
        .padding([theme::SPACE_S, theme::SPACE_M])
        .max_width(theme::BUBBLE_MAX_WIDTH);
    match &entry.direction {
        Direction::Incoming => column![
            bubble.style(theme::bubble_incoming),
            container(widget::muted(time)).padding([0.0, 6.0])
        ]
        .spacing(theme::SPACE_XS)
        .width(Fill)
        .into(),
        Direction::Outgoing(state) => {
            let failed = matches!(state, DeliveryState::Failed { .. });
            let style = if failed {
                theme::bubble_failed
            } else {
                theme::bubble_outgoing
            };
            let meta = text(format!("{time} · {}", delivery_words(state, now)))
                .size(theme::TEXT_SMALL)
                .align_x(iced::Right)
                .style(move |t: &Theme| text::Style {
                    color: Some(if failed {
                        theme::danger_text(t)
                    } else {
                        theme::muted(t)
                    }),
                });
            let mut meta = column![meta].spacing(theme::SPACE_XS).align_x(iced::Right);
            if failed {
                meta = meta.push(
                    button(text(t!("message-retry")).size(theme::TEXT_SMALL))
                        .padding([2.0, theme::SPACE_M])
                        .style(button::secondary)
                        .on_press(Message::Retry(entry.id)),
                );
            }
            let meta = container(meta)
                .max_width(theme::BUBBLE_MAX_WIDTH)
                .padding([0.0, 6.0]);
            column![bubble.style(style), meta]
                .spacing(theme::SPACE_XS)
                .width(Fill)
                .align_x(iced::Right)
                .into()
        }
    }
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
