//! The window's two palettes, light and dark, and the contrast arithmetic
//! (WCAG 2: relative luminance of sRGB colours) that keeps every text and
//! control readable: iced derives the shades of each palette; every text
//! colour of a shade is then pushed toward black or white until it reaches
//! [`TEXT_CONTRAST`] against it. `palette_tests.rs` measures every pair
//! the window draws, from the real style functions, in both palettes.

use iced::theme::palette::{Extended, Pair, Palette};
use iced::{color, Color, Theme};

/// Least contrast of body text against its background (WCAG AA).
pub const TEXT_CONTRAST: f32 = 4.5;
/// Least contrast of large text, focus rings and control edges.
pub const LARGE_CONTRAST: f32 = 3.0;
/// Steps toward black or white tried before taking black or white itself.
const STEPS: u16 = 40;

/// The light palette.
pub const LIGHT: Palette = Palette {
    background: Color::WHITE,
    text: color!(0x1b1c1f),
    primary: color!(0x4752c4),
    success: color!(0x0f5c46),
    warning: color!(0x8a5a12),
    danger: color!(0x9f211a),
};

/// The dark palette.
pub const DARK: Palette = Palette {
    background: color!(0x2b2d31),
    text: color!(0xe8e8ea),
    primary: color!(0x4752c4),
    success: color!(0x3fbf8f),
    warning: color!(0xffc14e),
    danger: color!(0xf2726e),
};

/// The light theme.
pub fn light() -> Theme {
    Theme::custom_with_fn("sipchat light", LIGHT, extend)
}

/// The dark theme.
pub fn dark() -> Theme {
    Theme::custom_with_fn("sipchat dark", DARK, extend)
}

/// iced's shades of `palette`, each text colour made readable on its shade.
fn extend(palette: Palette) -> Extended {
    let mut extended = Extended::generate(palette);
    // Fields draw their placeholder in the secondary colour: it is text.
    let secondary = &mut extended.secondary.base.color;
    *secondary = readable(*secondary, &[extended.background.base.color], TEXT_CONTRAST);
    let background = &mut extended.background;
    for pair in [
        &mut background.base,
        &mut background.weakest,
        &mut background.weaker,
        &mut background.weak,
        &mut background.neutral,
        &mut background.strong,
        &mut background.stronger,
        &mut background.strongest,
    ] {
        fix(pair);
    }
    let p = &mut extended;
    for pair in [
        &mut p.primary.base,
        &mut p.primary.weak,
        &mut p.primary.strong,
        &mut p.secondary.base,
        &mut p.secondary.weak,
        &mut p.secondary.strong,
        &mut p.success.base,
        &mut p.success.weak,
        &mut p.success.strong,
        &mut p.warning.base,
        &mut p.warning.weak,
        &mut p.warning.strong,
        &mut p.danger.base,
        &mut p.danger.weak,
        &mut p.danger.strong,
    ] {
        fix(pair);
    }
    // Hovered buttons keep the base text on the strong shade.
    for (base, strong) in [
        (&mut p.primary.base, p.primary.strong.color),
        (&mut p.secondary.base, p.secondary.strong.color),
        (&mut p.success.base, p.success.strong.color),
        (&mut p.warning.base, p.warning.strong.color),
        (&mut p.danger.base, p.danger.strong.color),
    ] {
        base.text = readable(base.text, &[base.color, strong], TEXT_CONTRAST);
    }
    extended
}

fn fix(pair: &mut Pair) {
    pair.text = readable(pair.text, &[pair.color], TEXT_CONTRAST);
}

/// WCAG relative luminance of an sRGB colour (alpha ignored).
pub fn luminance(c: Color) -> f32 {
    let linear = |v: f32| {
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
}

/// WCAG contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// `top` (possibly translucent) drawn over the opaque `bottom`.
#[cfg(test)]
pub fn over(top: Color, bottom: Color) -> Color {
    let a = top.a;
    Color::from_rgb(
        top.r * a + bottom.r * (1.0 - a),
        top.g * a + bottom.g * (1.0 - a),
        top.b * a + bottom.b * (1.0 - a),
    )
}

/// `a` mixed with `b`: `amount` 0 is `a`, 1 is `b`.
pub fn mix(a: Color, b: Color, amount: f32) -> Color {
    Color::from_rgb(
        a.r + (b.r - a.r) * amount,
        a.g + (b.g - a.g) * amount,
        a.b + (b.b - a.b) * amount,
    )
}

/// `wanted`, or the nearest colour toward black or white (whichever the
/// backgrounds are further from) that reaches `least` on all of them.
pub fn readable(wanted: Color, backgrounds: &[Color], least: f32) -> Color {
    let passes = |c: Color| backgrounds.iter().all(|&b| contrast(c, b) >= least);
    let wanted = Color { a: 1.0, ..wanted };
    if passes(wanted) {
        return wanted;
    }
    let dark_backgrounds =
        backgrounds.iter().map(|&b| luminance(b)).sum::<f32>() / backgrounds.len().max(1) as f32 <= 0.18;
    let goal = if dark_backgrounds {
        Color::WHITE
    } else {
        Color::BLACK
    };
    (1..=STEPS)
        .map(|step| mix(wanted, goal, f32::from(step) / f32::from(STEPS)))
        .find(|&c| passes(c))
        .unwrap_or(goal)
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod tests;
