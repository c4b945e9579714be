//! Our status at the top of the window: the dot, the four statuses, the
//! note (Enter sets it; a tooltip says so) and what became of it: in the
//! dot's tooltip ("Your contacts see this"), and in a line under them while
//! it is news ("Setting…", or why it failed, in words). Folded
//! (narrow windows) it is the dot alone, with the words in a tooltip.

use super::dot::{self, Shown};
use super::{own_words, Message, Presences, OWN_STATUSES};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{column, container, pick_list, row, text, text_input, tooltip, Id};
use iced::{Center, Element, Fill, Theme};
use sipchat::model::OwnStatus;
use std::fmt;

/// The note field's widget id.
pub const NOTE_FIELD: &str = "own-status-note";

/// One status in the list, drawn in the language of the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice(pub OwnStatus);

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&own_words(self.0))
    }
}

/// The selector as the sidebar shows it.
pub fn view(presences: &Presences) -> Element<'_, Message> {
    let choices: Vec<Choice> = OWN_STATUSES.into_iter().map(Choice).collect();
    let list = pick_list(choices, Some(Choice(presences.chosen())), |c: Choice| {
        Message::Choose(c.0)
    })
    .text_size(theme::TEXT_BODY)
    .padding([theme::SPACE_XS, theme::SPACE_S]);
    let note = text_input(&t!("own-status-note"), presences.note())
        .id(Id::new(NOTE_FIELD))
        .on_input(Message::Note)
        .on_submit(Message::SubmitNote)
        .size(theme::TEXT_BODY)
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .width(Fill);
    let note = tooltip(
        note,
        widget::muted(t!("own-status-note-hint")),
        tooltip::Position::Bottom,
    )
    .style(container::bordered_box)
    .padding(theme::SPACE_S);
    let (words, failed) = presences.outcome();
    // Our dot tells the outcome in a tooltip; a line under the selector
    // says it only while it is news (being set, or failed), so the list
    // below keeps its room in low windows.
    let own = tooltip(
        dot::dot(presences.own_shown()),
        widget::muted(words.clone()),
        tooltip::Position::Bottom,
    )
    .style(container::bordered_box)
    .padding(theme::SPACE_S);
    let line = row![own, list, note].spacing(theme::SPACE_S).align_y(Center);
    if !failed && !presences.is_setting() {
        return line.into();
    }
    let outcome = if failed {
        text(words)
            .size(theme::TEXT_SMALL)
            .style(|t: &Theme| text::Style {
                color: Some(theme::danger_text(t)),
            })
    } else {
        widget::muted(words)
    };
    column![line, outcome.wrapping(text::Wrapping::WordOrGlyph)]
        .spacing(theme::SPACE_XS)
        .into()
}

/// The folded selector: our dot, which unfolds the sidebar, with our
/// status and its outcome in a tooltip.
pub fn folded<'a, M: Clone + 'a>(presences: &Presences, unfold: M) -> Element<'a, M> {
    let shown: Shown = presences.own_shown();
    let (outcome, _) = presences.outcome();
    let words = format!("{} · {outcome}", own_words(presences.chosen()));
    let entry = iced::widget::button(dot::dot(shown))
        .padding(theme::SPACE_XS)
        .style(theme::secondary_button)
        .on_press(unfold);
    tooltip(entry, widget::muted(words), tooltip::Position::Right)
        .style(container::bordered_box)
        .padding(theme::SPACE_S)
        .into()
}
