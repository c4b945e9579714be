//! Picture previews in the timeline: a sent or received picture (PNG, JPEG,
//! GIF's first frame, WebP) shows as a thumbnail instead of its file card;
//! a click opens the file with the desktop's program.
//!
//! The app asks for the newest [`MAX_ASKED`] pictures of the open
//! conversation ([`Previews::wanted`]); each is read (at most
//! [`MAX_FILE_BYTES`]) and decoded (at most [`MAX_PIXELS`]) off the UI
//! thread, scaled to [`THUMBNAIL_SIDE`], and kept in a cache bounded by
//! [`MAX_CACHE_BYTES`] that forgets the least recently wanted first. A
//! picture that cannot be shown keeps its file card, with the reason in
//! words.

use super::pane::Message;
use crate::ui::clock::Zone;
use crate::ui::i18n::t;
use crate::ui::picture::{self, Fit, Picture, PictureError};
use crate::ui::transfers::{State, Transfer};
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, image, tooltip};
use iced::{Element, Fill, Length};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Largest picture file decoded, in bytes.
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;
/// Most pixels a previewed picture may declare.
pub const MAX_PIXELS: u64 = 64_000_000;
/// Longest side of a thumbnail, in pixels (and logical pixels on screen).
pub const THUMBNAIL_SIDE: u32 = 240;
/// Memory the decoded thumbnails may hold together, in bytes.
pub const MAX_CACHE_BYTES: u64 = 32 * 1024 * 1024;
/// Pictures of the open conversation previewed at once, newest first (the
/// cache holds many more, so the ones in view are never pushed out).
pub const MAX_ASKED: usize = 24;

/// A picture's preview.
#[derive(Debug, Clone)]
pub enum Slot {
    /// Being read and decoded.
    Loading,
    Ready(Picture),
    /// Cannot be shown; why.
    Broken(PictureError),
}

/// The previews, by file.
#[derive(Debug, Default)]
pub struct Previews {
    slots: HashMap<PathBuf, (Slot, u64)>,
    /// Counts the calls of `wanted`: when each preview was last wanted.
    tick: u64,
    /// Memory held by the ready ones.
    bytes: u64,
}

impl Previews {
    /// Marks `paths` as in view; returns those to decode (now `Loading`).
    pub fn wanted(&mut self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        self.tick += 1;
        let mut jobs = Vec::new();
        for path in paths {
            match self.slots.get_mut(&path) {
                Some((_, used)) => *used = self.tick,
                None => {
                    self.slots.insert(path.clone(), (Slot::Loading, self.tick));
                    jobs.push(path);
                }
            }
        }
        jobs
    }

    /// Keeps what decoding gave, then forgets the least recently wanted
    /// thumbnails until the cache fits.
    pub fn decoded(&mut self, results: Vec<(PathBuf, Result<Picture, PictureError>)>) {
        for (path, result) in results {
            let Some((slot, _)) = self.slots.get_mut(&path) else {
                continue;
            };
            *slot = match result {
                Ok(picture) => {
                    self.bytes += picture.bytes();
                    Slot::Ready(picture)
                }
                Err(e) => {
                    tracing::info!(path = %path.display(), "no preview: {e}");
                    Slot::Broken(e)
                }
            };
        }
        while self.bytes > MAX_CACHE_BYTES {
            let oldest = self
                .slots
                .iter()
                .filter(|(_, (slot, _))| matches!(slot, Slot::Ready(_)))
                .min_by_key(|(_, (_, used))| *used)
                .map(|(path, _)| path.clone());
            let Some(oldest) = oldest else {
                break;
            };
            if let Some((Slot::Ready(picture), _)) = self.slots.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(picture.bytes());
            }
        }
    }

    pub fn get(&self, path: &Path) -> Option<&Slot> {
        self.slots.get(path).map(|(slot, _)| slot)
    }

    /// Memory the ready thumbnails hold.
    #[cfg(test)]
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// Reads and decodes the pictures at `paths` (blocking: run off the UI
/// thread).
pub fn decode_all(paths: Vec<PathBuf>) -> Vec<(PathBuf, Result<Picture, PictureError>)> {
    paths
        .into_iter()
        .map(|path| {
            let result = picture::read_file(&path, MAX_FILE_BYTES)
                .and_then(|bytes| picture::decode(&bytes, MAX_PIXELS, Fit::Within(THUMBNAIL_SIDE)));
            (path, result)
        })
        .collect()
}

/// Why a picture is not previewed, in the user's words.
pub fn problem_words(error: &PictureError) -> String {
    match error {
        PictureError::TooManyBytes { .. } | PictureError::TooManyPixels { .. } => t!("picture-too-large"),
        PictureError::Read(_) => t!("picture-unreadable-file"),
        PictureError::Format | PictureError::Decode(_) | PictureError::NotData | PictureError::Base64(_) => {
            t!("picture-broken")
        }
    }
}

/// A transfer in the timeline: a finished picture's thumbnail (a click
/// opens the file), else its file `card`, with words when the picture is
/// broken.
pub fn transfer_row<'a>(
    transfer: &Transfer,
    previews: &Previews,
    card: Element<'a, Message>,
    zone: &Zone,
) -> Element<'a, Message> {
    let State::Done { path } = &transfer.state else {
        return card;
    };
    if !picture::is_picture(path) {
        return card;
    }
    let shown: Element<'a, Message> = match previews.get(path) {
        Some(Slot::Ready(picture)) => {
            let thumbnail = image(picture.handle.clone())
                .width(Length::Fixed(picture.width as f32))
                .height(Length::Fixed(picture.height as f32))
                .border_radius(theme::SPACE_S);
            let clickable = button(thumbnail)
                .padding(0)
                .style(button::text)
                .on_press(Message::Link(path.display().to_string()));
            let words = t!("picture-open", name = transfer.name.as_str());
            let tip = tooltip(clickable, widget::muted(words), tooltip::Position::Top)
                .style(container::bordered_box)
                .padding(theme::SPACE_S);
            let time = widget::muted(zone.time_of_day(transfer.at));
            let lines = column![tip, container(time).padding([0.0, 6.0])].spacing(theme::SPACE_XS);
            if transfer.incoming {
                lines.into()
            } else {
                lines.align_x(iced::Right).into()
            }
        }
        Some(Slot::Broken(error)) => {
            let words = widget::muted(problem_words(error));
            let lines = column![card, container(words).padding([0.0, 6.0])].spacing(theme::SPACE_XS);
            if transfer.incoming {
                lines.into()
            } else {
                lines.align_x(iced::Right).into()
            }
        }
        Some(Slot::Loading) | None => return card,
    };
    container(shown).width(Fill).into()
}

/// The finished pictures among `transfers` (oldest first), the newest
/// [`MAX_ASKED`], to preview.
pub fn pictures_of(transfers: &[&Transfer]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = transfers
        .iter()
        .rev()
        .filter_map(|t| match &t.state {
            State::Done { path } if picture::is_picture(path) => Some(path.clone()),
            _ => None,
        })
        .take(MAX_ASKED)
        .collect();
    paths.reverse();
    paths
}

#[cfg(test)]
mod tests;
