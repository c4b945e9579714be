//! Small view helpers shared by the sidebar and the conversation pane.

use crate::ui::theme;
use iced::widget::{container, text};
use iced::{Center, Element, Theme};

/// A round badge with the first letter of `name`, colored by `seed`.
pub fn avatar<'a, Message: 'a>(name: &str, seed: &str) -> Element<'a, Message> {
    let initial: String = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into());
    container(text(initial).size(theme::TEXT_BODY + 2.0).font(theme::BOLD))
        .width(theme::AVATAR_SIZE)
        .height(theme::AVATAR_SIZE)
        .align_x(Center)
        .align_y(Center)
        .style(theme::avatar(seed))
        .into()
}

/// An upper-case label over a group in the sidebar.
pub fn section_heading<'a, Message: 'a>(label: &str) -> Element<'a, Message> {
    text(label.to_uppercase())
        .size(theme::TEXT_HEADING)
        .font(theme::BOLD)
        .style(|t: &Theme| text::Style {
            color: Some(theme::muted(t)),
        })
        .into()
}

/// Small secondary text.
pub fn muted<'a>(content: impl text::IntoFragment<'a>) -> iced::widget::Text<'a> {
    text(content)
        .size(theme::TEXT_SMALL)
        .style(|t: &Theme| text::Style {
            color: Some(theme::muted(t)),
        })
}

/// Cuts `s` to at most `max` characters, adding an ellipsis; keeps one line.
pub fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(one_line("hello\n  world", 20), "hello world");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
        assert_eq!(one_line("", 5), "");
    }
}
