//! Emoji: the font sipchat ships (monochrome Noto Emoji, SIL Open Font
//! License, `assets/fonts/` with its licence beside it), loaded at start so
//! emoji never show as empty boxes; and the small picker of the composer
//! (Tab walks its emoji, Enter or Space types the one with the ring).

use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::theme;
use iced::widget::{button, column, container, row, text};
use iced::{Element, Font};

/// The font's bytes, built into the program.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoEmoji-Regular.ttf");
/// The font's family name.
pub const FONT: Font = Font::with_name("Noto Emoji");
/// Emoji per row of the picker.
const PER_ROW: usize = 8;
/// The picker's name on the focus chain.
pub const PICKER: &str = "emoji-picker";
const EMOJI: &str = "emoji";

/// What the picker offers, most used first.
pub const CHOICES: [&str; 32] = [
    "😀", "😂", "😊", "😍", "😘", "😉", "😎", "😐", //
    "😢", "😭", "😮", "😡", "😴", "😒", "😅", "😃", //
    "👍", "👎", "👏", "🙏", "👋", "💪", "👌", "✌", //
    "❤", "🎉", "🔥", "✅", "❌", "⭐", "☕", "🍺",
];

/// Tab order of the picker: its emoji, row by row.
pub fn picker_chain<Message>(pick: impl Fn(&'static str) -> Message) -> Chain<Message> {
    CHOICES
        .iter()
        .enumerate()
        .fold(Chain::new(PICKER), |chain, (i, &emoji)| {
            chain.control(Key::nth(EMOJI, i), pick(emoji))
        })
}

/// The picker: a grid of [`CHOICES`]; `pick` makes the message of one;
/// the focus ring on the emoji `ring` names.
pub fn picker<'a, Message: Clone + 'a>(
    pick: impl Fn(&'static str) -> Message,
    ring: Ring,
) -> Element<'a, Message> {
    let rows = CHOICES.chunks(PER_ROW).enumerate().map(|(r, chunk)| {
        row(chunk.iter().enumerate().map(|(c, &emoji)| {
            let choice = button(text(emoji).font(FONT).size(theme::TEXT_TITLE + 3.0))
                .padding([theme::SPACE_XS, theme::SPACE_S])
                .style(button::text)
                .on_press(pick(emoji));
            focus::ring(choice, Key::nth(EMOJI, r * PER_ROW + c), ring)
        }))
        .spacing(2)
        .into()
    });
    container(column(rows).spacing(2))
        .padding(theme::SPACE_S)
        .style(theme::dialog)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code points a TrueType `cmap` format 4 or 12 subtable maps.
    fn mapped(font: &[u8], wanted: char) -> bool {
        let u16_at = |at: usize| font.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
        let u32_at = |at: usize| {
            font.get(at..at + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let tables = u16_at(4).unwrap_or(0) as usize;
        let cmap = (0..tables)
            .map(|i| 12 + 16 * i)
            .find(|&at| font.get(at..at + 4) == Some(b"cmap"))
            .and_then(|at| u32_at(at + 8))
            .map(|offset| offset as usize);
        let Some(cmap) = cmap else {
            return false;
        };
        let subtables = u16_at(cmap + 2).unwrap_or(0) as usize;
        let code = wanted as u32;
        (0..subtables).any(|i| {
            let Some(offset) = u32_at(cmap + 4 + 8 * i + 4) else {
                return false;
            };
            let sub = cmap + offset as usize;
            match u16_at(sub) {
                Some(12) => {
                    let groups = u32_at(sub + 12).unwrap_or(0) as usize;
                    (0..groups).any(|g| {
                        let at = sub + 16 + 12 * g;
                        matches!((u32_at(at), u32_at(at + 4)), (Some(s), Some(e)) if s <= code && code <= e)
                    })
                }
                Some(4) if code <= 0xFFFF => {
                    let segments = u16_at(sub + 6).unwrap_or(0) as usize / 2;
                    let ends = sub + 14;
                    let starts = ends + 2 * segments + 2;
                    (0..segments).any(|s| {
                        matches!((u16_at(starts + 2 * s), u16_at(ends + 2 * s)),
                            (Some(st), Some(en)) if u32::from(st) <= code && code <= u32::from(en))
                    })
                }
                _ => false,
            }
        })
    }

    #[test]
    fn the_shipped_font_draws_every_emoji_the_picker_offers() {
        let missing: Vec<String> = CHOICES
            .iter()
            .map(|emoji| emoji.chars().next().unwrap_or(' '))
            .filter(|&c| !mapped(FONT_BYTES, c))
            .map(|c| format!("{c} U+{:04X}", c as u32))
            .collect();
        assert!(missing.is_empty(), "not in the font: {missing:?}");
        assert!(!mapped(FONT_BYTES, '\u{E000}'), "the check can fail");
    }

    #[test]
    fn the_shipped_font_draws_emoji_of_unicode_13_to_15() {
        let newer = [
            ('\u{1F972}', "13.0 smiling face with tear"),
            ('\u{1FAC0}', "13.0 anatomical heart"),
            ('\u{1FAE0}', "14.0 melting face"),
            ('\u{1FAF6}', "14.0 heart hands"),
            ('\u{1FAE8}', "15.0 shaking face"),
            ('\u{1FA77}', "15.0 pink heart"),
            ('\u{1FACE}', "15.0 moose"),
        ];
        let missing: Vec<&str> = newer
            .iter()
            .filter(|(c, _)| !mapped(FONT_BYTES, *c))
            .map(|(_, name)| *name)
            .collect();
        assert!(missing.is_empty(), "not in the font: {missing:?}");
    }
}
