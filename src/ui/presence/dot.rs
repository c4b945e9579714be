//! The presence dot: a small round mark over an avatar (or beside a name)
//! telling how reachable someone is. Never colour alone: each state has its
//! own glyph (a tick, "z", a bar, "?", "…", "×", "!") or, offline, an empty
//! ring; the words are in the tooltip and beside the name where there is
//! room. `dot_tests` in `palette_tests.rs` style measures every fill.

use crate::ui::i18n::t;
use crate::ui::palette::{readable, LARGE_CONTRAST, TEXT_CONTRAST};
use crate::ui::theme;
use iced::widget::{container, stack, text};
use iced::{border, Center, Color, Element, Theme};

/// Side of the dot, logical pixels.
pub const DOT_SIZE: f32 = 15.0;
/// Size of the glyph inside it.
const GLYPH_SIZE: f32 = 10.0;
/// Width of the ring around the dot that parts it from the avatar.
const RING: f32 = 1.5;

/// What a dot shows: a status, or how watching the contact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    Available,
    Away,
    Busy,
    Offline,
    Unknown,
    /// We wait for the contact's permission.
    Pending,
    /// The contact does not share their status.
    Refused,
    /// There is no such user.
    NoSuchUser,
}

impl Shown {
    /// Every state, for tests and the contrast check.
    #[cfg(test)]
    pub const ALL: [Shown; 8] = [
        Shown::Available,
        Shown::Away,
        Shown::Busy,
        Shown::Offline,
        Shown::Unknown,
        Shown::Pending,
        Shown::Refused,
        Shown::NoSuchUser,
    ];

    /// The glyph drawn in the dot (none for offline: an empty ring).
    pub fn glyph(self) -> &'static str {
        match self {
            Shown::Available => "✓",
            Shown::Away => "z",
            Shown::Busy => "−",
            Shown::Offline => "",
            Shown::Unknown => "?",
            Shown::Pending => "…",
            Shown::Refused => "×",
            Shown::NoSuchUser => "!",
        }
    }

    /// The state in words ("Available", "Waiting for permission").
    pub fn words(self) -> String {
        match self {
            Shown::Available => t!("presence-available"),
            Shown::Away => t!("presence-away"),
            Shown::Busy => t!("presence-busy"),
            Shown::Offline => t!("presence-offline"),
            Shown::Unknown => t!("presence-unknown"),
            Shown::Pending => t!("presence-pending"),
            Shown::Refused => t!("presence-refused"),
            Shown::NoSuchUser => t!("presence-no-such-user"),
        }
    }
}

/// The dot's fill: green, amber, red for the online states, grey for the
/// rest, each pushed until it stands out 3:1 from the pane and the sidebar.
pub fn fill(shown: Shown, theme: &Theme) -> Color {
    let p = theme.extended_palette();
    let wanted = match shown {
        Shown::Available => p.success.base.color,
        Shown::Away => p.warning.base.color,
        Shown::Busy => p.danger.base.color,
        Shown::Offline => p.background.base.color,
        _ => theme::muted(theme),
    };
    if shown == Shown::Offline {
        return wanted;
    }
    readable(wanted, &backgrounds(theme), LARGE_CONTRAST)
}

/// The ring's colour: the pane's background, or for offline the muted grey
/// that draws the empty ring.
pub fn ring(shown: Shown, theme: &Theme) -> Color {
    if shown == Shown::Offline {
        readable(theme::muted(theme), &backgrounds(theme), LARGE_CONTRAST)
    } else {
        theme.extended_palette().background.base.color
    }
}

/// The glyph's colour: readable on the fill.
pub fn glyph_colour(shown: Shown, theme: &Theme) -> Color {
    let base = theme.extended_palette().background.base.color;
    readable(base, &[fill(shown, theme)], TEXT_CONTRAST)
}

/// What a dot sits on: the pane and the sidebar.
pub fn backgrounds(theme: &Theme) -> [Color; 2] {
    let background = theme.extended_palette().background;
    [background.base.color, background.weakest.color]
}

/// The container style of a dot.
pub fn style(shown: Shown) -> impl Fn(&Theme) -> container::Style {
    move |theme: &Theme| container::Style {
        background: Some(fill(shown, theme).into()),
        text_color: Some(glyph_colour(shown, theme)),
        border: border::rounded(DOT_SIZE / 2.0)
            .color(ring(shown, theme))
            .width(if shown == Shown::Offline { 2.0 } else { RING }),
        ..container::Style::default()
    }
}

/// The dot alone.
pub fn dot<'a, Message: 'a>(shown: Shown) -> Element<'a, Message> {
    container(text(shown.glyph()).size(GLYPH_SIZE).font(theme::BOLD))
        .width(DOT_SIZE)
        .height(DOT_SIZE)
        .align_x(Center)
        .align_y(Center)
        .style(style(shown))
        .into()
}

/// `avatar` with the dot on its lower right corner (`side`: the avatar's).
pub fn on_avatar<'a, Message: 'a>(
    avatar: Element<'a, Message>,
    shown: Option<Shown>,
    side: f32,
) -> Element<'a, Message> {
    match shown {
        None => avatar,
        Some(shown) => stack![
            avatar,
            container(dot(shown))
                .width(side)
                .height(side)
                .align_right(side)
                .align_bottom(side)
        ]
        .into(),
    }
}

/// `content` with `words` (the state, note, last seen) in a tooltip.
pub fn with_words<'a, Message: 'a>(content: Element<'a, Message>, words: String) -> Element<'a, Message> {
    iced::widget::tooltip(
        content,
        crate::ui::widget::muted(words),
        iced::widget::tooltip::Position::Right,
    )
    .style(container::bordered_box)
    .padding(theme::SPACE_S)
    .into()
}
