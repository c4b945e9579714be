//! How the window fits its size: below [`compact::COMPACT_BELOW`] the
//! sidebar folds to icons (a button unfolds it over the same space; opening
//! a conversation folds it again), and the alert entry shrinks to a "!"
//! with its words in a tooltip.

use super::{alerts_glue, App, Message};
use crate::ui::alerts;
use crate::ui::conversation::Conversations;
use crate::ui::sidebar::{self, compact};
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, text, tooltip};
use iced::{Element, Fill};

impl App {
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
            return column![
                compact_alert_entry(&self.alerts),
                compact::view(conversations, marks).map(Message::Sidebar)
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
        column![top, full].width(theme::SIDEBAR_WIDTH).into()
    }
}

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
