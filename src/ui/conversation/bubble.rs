//! One message in the timeline: its bubble, its links, its context menu
//! (right click: Copy, Select text) and, while selecting, its text as a
//! read-only editor that the mouse and the keyboard can select in and
//! Ctrl+C copies from.

use super::pane::Message;
use super::{delivery_words, Direction, Entry};
use crate::ui::clock::Zone;
use crate::ui::i18n::t;
use crate::ui::{links, theme, widget};
use iced::widget::text::Span;
use iced::widget::text_editor::{self, Content};
use iced::widget::{button, column, container, mouse_area, rich_text, row, span, text, Id};
use iced::{Element, Fill, Theme};
use sipchat::model::{AlertMark, DeliveryState, MessageId};

/// The widget id of the message text being selected, for focusing it.
pub const SELECTION: &str = "message-selection";

/// What the pane shows around messages: an open context menu, a message
/// whose text is being selected.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks<'a> {
    pub menu: Option<MessageId>,
    pub selecting: Option<(MessageId, &'a Content)>,
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

/// The text of a message: links underlined and clickable; or, while it is
/// selected, a read-only editor.
fn body_text<'a>(shown: &'a str, selecting: Option<&'a Content>) -> Element<'a, Message> {
    if let Some(content) = selecting {
        return iced::widget::text_editor(content)
            .id(Id::new(SELECTION))
            .on_action(Message::Selection)
            .size(theme::TEXT_BODY + 1.0)
            .padding(theme::SPACE_XS)
            .into();
    }
    let spans: Vec<Span<'a, String>> = links::pieces(shown)
        .into_iter()
        .map(|piece| match piece.link {
            Some(link) => span(piece.text).underline(true).link(link.to_string()),
            None => span(piece.text),
        })
        .collect();
    rich_text(spans)
        .on_link_click(Message::Link)
        .size(theme::TEXT_BODY + 1.0)
        .into()
}

/// The context menu under a message.
fn menu<'a>(id: MessageId, shown: &str) -> Element<'a, Message> {
    let item = |label: String, message: Message| {
        button(text(label).size(theme::TEXT_SMALL))
            .padding([2.0, theme::SPACE_M])
            .style(theme::secondary_button)
            .on_press(message)
    };
    row![
        item(t!("message-copy"), Message::Copy(shown.to_string())),
        item(t!("message-select"), Message::Select(id, shown.to_string())),
    ]
    .spacing(theme::SPACE_XS)
    .into()
}

/// `alert_text` replaces the body of a message that raised an alert.
pub fn bubble<'a>(
    entry: &'a Entry,
    raised: bool,
    alert_text: Option<&'a str>,
    marks: Marks<'a>,
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
    let selecting = marks
        .selecting
        .filter(|(id, _)| *id == entry.id)
        .map(|(_, content)| content);
    body = body.push(body_text(shown, selecting));
    let bubble = container(body)
        .padding([theme::SPACE_S, theme::SPACE_M])
        .max_width(theme::BUBBLE_MAX_WIDTH);
    let menu = (marks.menu == Some(entry.id)).then(|| menu(entry.id, shown));
    let clickable = |styled: container::Container<'a, Message>| {
        mouse_area(styled).on_right_press(Message::Menu(entry.id))
    };
    match &entry.direction {
        Direction::Incoming => {
            let mut lines = column![clickable(bubble.style(theme::bubble_incoming))];
            if let Some(menu) = menu {
                lines = lines.push(menu);
            }
            lines
                .push(container(widget::muted(time)).padding([0.0, 6.0]))
                .spacing(theme::SPACE_XS)
                .width(Fill)
                .into()
        }
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
                        .style(theme::secondary_button)
                        .on_press(Message::Retry(entry.id)),
                );
            }
            let meta = container(meta)
                .max_width(theme::BUBBLE_MAX_WIDTH)
                .padding([0.0, 6.0]);
            let mut lines = column![clickable(bubble.style(style))];
            if let Some(menu) = menu {
                lines = lines.push(menu);
            }
            lines
                .push(meta)
                .spacing(theme::SPACE_XS)
                .width(Fill)
                .align_x(iced::Right)
                .into()
        }
    }
}

/// Whether an editor action may touch selected message text: moving and
/// selecting yes, editing never.
pub fn selection_allows(action: &text_editor::Action) -> bool {
    !action.is_edit()
}
