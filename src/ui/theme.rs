//! The look: the window's light and dark palettes (`palette.rs`), a
//! spacing scale, font sizes, and the few container/button styles the
//! window shares. Every text colour here is checked for contrast in
//! `palette_tests.rs`.

use crate::ui::palette;
use iced::widget::{button, container, progress_bar};
use iced::{border, Background, Border, Color, Font, Shadow, Theme};

/// Spacing scale (pixels).
pub const SPACE_XS: f32 = 4.0;
pub const SPACE_S: f32 = 8.0;
pub const SPACE_M: f32 = 12.0;
pub const SPACE_L: f32 = 16.0;
pub const SPACE_XL: f32 = 24.0;

/// Font sizes (pixels).
pub const TEXT_SMALL: f32 = 12.0;
pub const TEXT_BODY: f32 = 14.0;
pub const TEXT_TITLE: f32 = 17.0;
pub const TEXT_HEADING: f32 = 11.0;

/// Width of the left column.
pub const SIDEBAR_WIDTH: f32 = 300.0;
/// Widest a message bubble grows before its text wraps.
pub const BUBBLE_MAX_WIDTH: f32 = 520.0;
/// Diameter of a contact's initial.
pub const AVATAR_SIZE: f32 = 36.0;

/// The theme setting: follow the desktop's light or dark preference, or
/// always one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Light or dark as the desktop says (iced asks the system).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice, in the order the settings list them.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];
}

/// The theme of the whole window; `system` is the desktop's preference
/// (light when it has none).
pub fn theme(choice: ThemeChoice, system: iced::theme::Mode) -> Theme {
    match (choice, system) {
        (ThemeChoice::Dark, _) | (ThemeChoice::System, iced::theme::Mode::Dark) => palette::dark(),
        _ => palette::light(),
    }
}

/// The default font, bold.
pub const BOLD: Font = Font {
    weight: iced::font::Weight::Bold,
    ..Font::DEFAULT
};

/// The backgrounds plain text sits on: the pane, the sidebar, a bubble.
fn text_backgrounds(theme: &Theme) -> [Color; 3] {
    let background = theme.extended_palette().background;
    [
        background.base.color,
        background.weakest.color,
        background.weak.color,
    ]
}

/// Muted secondary text (times, previews, states): quieter than the text,
/// still readable on every background it sits on.
pub fn muted(theme: &Theme) -> Color {
    let background = theme.extended_palette().background;
    let quiet = palette::mix(background.base.text, background.base.color, 0.4);
    palette::readable(quiet, &text_backgrounds(theme), palette::TEXT_CONTRAST)
}

/// The keyboard focus ring (`focus.rs`): the primary colour, made to
/// stand out at 3:1 from every background a control sits on.
pub fn focus_ring(theme: &Theme) -> Color {
    let wanted = theme.extended_palette().primary.strong.color;
    palette::readable(wanted, &text_backgrounds(theme), palette::LARGE_CONTRAST)
}

/// Text color for a failure.
pub fn danger_text(theme: &Theme) -> Color {
    let wanted = theme.extended_palette().danger.strong.color;
    palette::readable(wanted, &text_backgrounds(theme), palette::TEXT_CONTRAST)
}

/// Text color for a healthy state.
pub fn success_text(theme: &Theme) -> Color {
    let wanted = theme.extended_palette().success.strong.color;
    palette::readable(wanted, &text_backgrounds(theme), palette::TEXT_CONTRAST)
}

/// A secondary button: filled and framed while it can be pressed, only a
/// faint outline with muted text when it cannot, so the two never look
/// alike.
pub fn secondary_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let enabled = button::Style {
        background: Some(Background::Color(palette.secondary.base.color)),
        text_color: palette.secondary.base.text,
        border: Border {
            color: palette.background.strongest.color,
            width: 1.0,
            radius: 4.0.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    };
    match status {
        button::Status::Active => enabled,
        button::Status::Hovered | button::Status::Pressed => button::Style {
            background: Some(Background::Color(palette.secondary.strong.color)),
            text_color: palette.secondary.strong.text,
            ..enabled
        },
        button::Status::Disabled => button::Style {
            background: None,
            text_color: muted(theme).scale_alpha(0.7),
            border: Border {
                color: palette.background.strong.color,
                width: 1.0,
                radius: 4.0.into(),
            },
            ..enabled
        },
    }
}

/// The left column.
pub fn sidebar(theme: &Theme) -> container::Style {
    container::Style::default().background(theme.extended_palette().background.weakest.color)
}

/// The header bar above the open conversation.
pub fn header(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default().background(palette.background.base.color)
}

/// A message that arrived.
pub fn bubble_incoming(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        text_color: Some(palette.background.base.text),
        background: Some(Background::Color(palette.background.weak.color)),
        border: border::rounded(12),
        shadow: Shadow::default(),
        snap: true,
    }
}

/// A message we sent.
pub fn bubble_outgoing(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        text_color: Some(palette.primary.base.text),
        background: Some(Background::Color(palette.primary.base.color)),
        border: border::rounded(12),
        shadow: Shadow::default(),
        snap: true,
    }
}

/// A message we sent that failed.
pub fn bubble_failed(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        text_color: Some(palette.background.base.text),
        background: Some(Background::Color(palette.danger.weak.color.scale_alpha(0.35))),
        border: Border {
            color: palette.danger.base.color,
            width: 1.0,
            radius: 12.0.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    }
}

/// A small rounded label: unread count.
pub fn badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.base.color)
        .color(palette.primary.base.text)
        .border(border::rounded(9))
}

/// A notice across the top of the window.
pub fn banner(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.danger.weak.color.scale_alpha(0.25))
        .color(palette.background.base.text)
        .border(Border {
            color: palette.danger.base.color.scale_alpha(0.6),
            width: 1.0,
            radius: 6.0.into(),
        })
}

/// A dialog's card.
pub fn dialog(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        text_color: Some(palette.background.base.text),
        background: Some(Background::Color(palette.background.base.color)),
        border: Border {
            color: palette.background.strong.color,
            width: 1.0,
            radius: 10.0.into(),
        },
        // No blurred shadow: the software renderer draws it as a dark block.
        shadow: Shadow::default(),
        snap: true,
    }
}

/// The dimmed window behind a dialog.
pub fn scrim(_theme: &Theme) -> container::Style {
    container::Style::default().background(Color::from_rgba(0.0, 0.0, 0.0, 0.4))
}

/// A round initial in a color derived from the name.
pub fn avatar(seed: &str) -> impl Fn(&Theme) -> container::Style {
    let hue = seed
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let color = hsl(hue as f32, 0.45, 0.55);
    move |_theme| {
        container::Style::default()
            .background(color)
            .color(Color::WHITE)
            .border(border::rounded(AVATAR_SIZE / 2.0))
    }
}

/// A row in a list: flat, highlighted when selected or hovered.
pub fn list_item(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let background = match (selected, status) {
            (true, _) => Some(palette.primary.weak.color.scale_alpha(0.35)),
            (false, button::Status::Hovered) => Some(palette.background.weak.color),
            (false, button::Status::Pressed) => Some(palette.background.strong.color),
            _ => None,
        };
        button::Style {
            background: background.map(Background::Color),
            text_color: palette.background.base.text,
            border: border::rounded(8),
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// An account row: a quiet grey when it is the sending account.
pub fn account_item(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let background = match (selected, status) {
            (_, button::Status::Pressed) => Some(palette.background.strong.color),
            (true, _) | (false, button::Status::Hovered) => Some(palette.background.weak.color),
            _ => None,
        };
        button::Style {
            background: background.map(Background::Color),
            text_color: palette.background.base.text,
            border: border::rounded(8),
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

fn hsl(h: f32, s: f32, l: f32) -> Color {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    Color::from_rgb(r + m, g + m, b + m)
}

/// An invitation waiting for an answer (a chat session offer).
pub fn invitation(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.weak.color.scale_alpha(0.3))
        .color(palette.background.base.text)
        .border(Border {
            color: palette.primary.base.color.scale_alpha(0.6),
            width: 1.0,
            radius: 0.0.into(),
        })
}

/// The emergency alert banner: strong danger colors, impossible to miss.
pub fn alert_banner(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.danger.strong.color)
        .color(palette.danger.strong.text)
        .border(Border {
            color: palette.danger.base.color,
            width: 2.0,
            radius: 0.0.into(),
        })
}

/// The round "!" on the alert banner.
pub fn alert_mark(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.danger.strong.text)
        .color(palette.danger.strong.color)
        .border(border::rounded(22))
}

/// "Acknowledge": light on the danger banner, danger in the log.
pub fn alert_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let base = button::Style {
        background: Some(Background::Color(palette.danger.strong.text)),
        text_color: palette.danger.strong.color,
        border: Border {
            color: palette.danger.base.color,
            width: 1.0,
            radius: 6.0.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    };
    match status {
        button::Status::Hovered | button::Status::Pressed => button::Style {
            background: Some(Background::Color(palette.danger.weak.color)),
            text_color: palette.danger.weak.text,
            ..base
        },
        _ => base,
    }
}

/// An alert in the log: a danger frame while it is up, stronger when
/// "Show" pointed at it.
pub fn alert_card(up: bool, selected: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let palette = theme.extended_palette();
        let background = if up {
            palette.danger.weak.color.scale_alpha(0.2)
        } else {
            palette.background.weak.color
        };
        let border_color = if up || selected {
            palette.danger.base.color
        } else {
            palette.background.strong.color
        };
        container::Style::default()
            .background(background)
            .color(palette.background.base.text)
            .border(Border {
                color: border_color,
                width: if selected { 3.0 } else { 1.0 },
                radius: 8.0.into(),
            })
    }
}

/// The warning on a message that claims to be an alert from an untrusted
/// sender, and the badge on a trusted alert's message.
pub fn alert_note(trusted: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let palette = theme.extended_palette();
        if trusted {
            container::Style::default()
                .background(palette.danger.strong.color)
                .color(palette.danger.strong.text)
                .border(border::rounded(6))
        } else {
            container::Style::default()
                .background(palette.warning.weak.color)
                .color(palette.warning.weak.text)
                .border(Border {
                    color: palette.warning.strong.color,
                    width: 1.0,
                    radius: 6.0.into(),
                })
        }
    }
}

/// A file transfer in the timeline; `failed` borders it in danger.
pub fn file_card(failed: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme: &Theme| {
        let palette = theme.extended_palette();
        let edge = if failed {
            palette.danger.base.color
        } else {
            palette.background.strong.color
        };
        container::Style {
            text_color: Some(palette.background.base.text),
            background: Some(Background::Color(palette.background.weakest.color)),
            border: Border {
                color: edge,
                width: 1.0,
                radius: 12.0.into(),
            },
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// The square with the file's extension on a transfer card.
pub fn file_icon(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.weak.color)
        .color(palette.primary.weak.text)
        .border(border::rounded(8))
}

/// A transfer's progress bar.
pub fn progress(theme: &Theme) -> progress_bar::Style {
    let palette = theme.extended_palette();
    progress_bar::Style {
        background: Background::Color(palette.background.strong.color),
        bar: Background::Color(palette.primary.base.color),
        border: border::rounded(3),
    }
}

/// A notice that is news, not trouble (accounts applied, a hint).
pub fn info_banner(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.primary.weak.color.scale_alpha(0.25))
        .color(palette.background.base.text)
        .border(Border {
            color: palette.primary.base.color.scale_alpha(0.5),
            width: 1.0,
            radius: 6.0.into(),
        })
}

/// The "!" on a conversation with an unacknowledged emergency alert.
pub fn alert_list_mark(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style::default()
        .background(palette.danger.strong.color)
        .color(palette.danger.strong.text)
        .border(border::rounded(9))
}
