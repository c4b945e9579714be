//! The window icon, drawn in code (no image decoder in the build): the same
//! shapes as `assets/sipchat.svg`, a speech bubble on a rounded square.

use iced::window::icon::{self, Icon};

const SIZE: u32 = 64;
const BLUE: [u8; 3] = [0x3b, 0x6f, 0xd8];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
/// Samples per pixel side, for smooth edges.
const SAMPLES: u32 = 4;

/// The icon, or `None` if the window system would not take it.
pub fn window_icon() -> Option<Icon> {
    icon::from_rgba(pixels(), SIZE, SIZE).ok()
}

/// The icon's side in pixels and its RGBA pixels (the tray icon's too).
pub fn rgba() -> (u32, Vec<u8>) {
    (SIZE, pixels())
}

fn pixels() -> Vec<u8> {
    let mut out = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (mut r, mut g, mut b, mut a) = (0u32, 0u32, 0u32, 0u32);
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    let px = x as f32 + (sx as f32 + 0.5) / SAMPLES as f32;
                    let py = y as f32 + (sy as f32 + 0.5) / SAMPLES as f32;
                    if let Some(c) = color_at(px, py) {
                        r += u32::from(c[0]);
                        g += u32::from(c[1]);
                        b += u32::from(c[2]);
                        a += 255;
                    }
                }
            }
            let n = SAMPLES * SAMPLES;
            let covered = (a / 255).max(1);
            out.extend_from_slice(&[
                (r / covered) as u8,
                (g / covered) as u8,
                (b / covered) as u8,
                (a / n) as u8,
            ]);
        }
    }
    out
}

/// The color at a point of the 64×64 drawing, `None` where transparent.
fn color_at(x: f32, y: f32) -> Option<[u8; 3]> {
    if !in_rounded_rect(x, y, (0.0, 0.0, 64.0, 64.0), 14.0) {
        return None;
    }
    let dot = [23.0, 32.0, 41.0]
        .iter()
        .any(|cx| (x - cx).powi(2) + (y - 28.0).powi(2) <= 3.2 * 3.2);
    let bubble = in_rounded_rect(x, y, (12.0, 14.0, 52.0, 42.0), 10.0);
    let tail = in_triangle((x, y), (18.0, 38.0), (30.0, 38.0), (17.0, 51.0));
    Some(if (bubble || tail) && !dot { WHITE } else { BLUE })
}

fn in_rounded_rect(x: f32, y: f32, (x0, y0, x1, y1): (f32, f32, f32, f32), r: f32) -> bool {
    if x < x0 || x > x1 || y < y0 || y > y1 {
        return false;
    }
    let cx = x.clamp(x0 + r, x1 - r);
    let cy = y.clamp(y0 + r, y1 - r);
    (x - cx).powi(2) + (y - cy).powi(2) <= r * r
}

fn in_triangle(p: (f32, f32), a: (f32, f32), b: (f32, f32), c: (f32, f32)) -> bool {
    let side =
        |p: (f32, f32), q: (f32, f32), r: (f32, f32)| (p.0 - r.0) * (q.1 - r.1) - (q.0 - r.0) * (p.1 - r.1);
    let (d1, d2, d3) = (side(p, a, b), side(p, b, c), side(p, c, a));
    let negative = d1 < 0.0 || d2 < 0.0 || d3 < 0.0;
    let positive = d1 > 0.0 || d2 > 0.0 || d3 > 0.0;
    !(negative && positive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_has_a_transparent_corner_a_blue_edge_and_a_white_bubble() {
        let p = pixels();
        let at = |x: u32, y: u32| -> [u8; 4] {
            let i = ((y * SIZE + x) * 4) as usize;
            [p[i], p[i + 1], p[i + 2], p[i + 3]]
        };
        assert_eq!(p.len(), (SIZE * SIZE * 4) as usize);
        assert_eq!(at(0, 0)[3], 0);
        assert_eq!(at(32, 4), [BLUE[0], BLUE[1], BLUE[2], 255]);
        assert_eq!(at(32, 20), [255, 255, 255, 255]);
        assert_eq!(at(32, 28), [BLUE[0], BLUE[1], BLUE[2], 255]);
    }
}
