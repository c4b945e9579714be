//! Contact photos as avatars, and the letter avatar where there is none.
//!
//! When the runtime lists the contacts (`Event::Contacts`), each photo that
//! is new or changed is decoded once, off the UI thread, cropped and scaled
//! to [`PHOTO_SIDE`], and kept by contact ([`Photos`]). Only `data:` URIs
//! with base64 content are read (a photo behind `https:` would tell its
//! server who looks at it); a bad or huge photo keeps the letter avatar and
//! the log says why.

use crate::ui::picture::{self, Fit, Picture, PictureError};
use crate::ui::{theme, widget};
use base64::Engine;
use iced::widget::image::Handle;
use iced::widget::{container, image};
use iced::{Element, Length};
use sipchat::model::{Contact, ContactId};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Most bytes of a photo (after base64); vCard photos are small.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;
/// Most pixels a photo may declare.
pub const MAX_PHOTO_PIXELS: u64 = 4096 * 4096;
/// Most photos kept (each [`PHOTO_SIDE`] squared, 4 bytes a pixel: about
/// 20 KiB); contacts past it keep their letter avatar.
pub const MAX_PHOTOS: usize = 1000;
/// Side of the kept photo in pixels: the avatar at twice its size, sharp on
/// scaled screens.
pub const PHOTO_SIDE: u32 = (theme::AVATAR_SIZE as u32) * 2;

/// One photo to decode: whose, which (its fingerprint), and the URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoJob {
    pub contact: ContactId,
    pub fingerprint: u64,
    pub uri: String,
}

/// What decoding a photo gave.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub contact: ContactId,
    pub fingerprint: u64,
    pub result: Result<Picture, PictureError>,
}

/// The decoded photos by contact, and the ones on their way.
#[derive(Debug, Default)]
pub struct Photos {
    shown: HashMap<ContactId, (u64, Handle)>,
    /// Asked for (on the way, shown or failed): not decoded again while
    /// the photo stays.
    tried: HashMap<ContactId, u64>,
}

impl Photos {
    /// The photos of `contacts` that are new or changed, marked as asked
    /// for; photos of contacts that have none any more are forgotten.
    pub fn wanted(&mut self, contacts: &[Contact]) -> Vec<PhotoJob> {
        let photos: Vec<(ContactId, u64, &str)> = contacts
            .iter()
            .filter_map(|c| {
                let uri = c.details.photo.as_deref().filter(|p| !p.trim().is_empty())?;
                Some((c.id, fingerprint(uri), uri))
            })
            .collect();
        let present: HashMap<ContactId, u64> = photos.iter().map(|(id, f, _)| (*id, *f)).collect();
        self.shown.retain(|id, (f, _)| present.get(id) == Some(f));
        self.tried.retain(|id, f| present.get(id) == Some(f));
        let mut jobs = Vec::new();
        for (contact, fingerprint, uri) in photos {
            if self.tried.get(&contact) == Some(&fingerprint) {
                continue;
            }
            if self.tried.len() >= MAX_PHOTOS {
                tracing::info!(
                    contact = contact.0,
                    "more than {MAX_PHOTOS} photos: a letter avatar instead"
                );
                continue;
            }
            self.tried.insert(contact, fingerprint);
            jobs.push(PhotoJob {
                contact,
                fingerprint,
                uri: uri.to_string(),
            });
        }
        jobs
    }

    /// Keeps decoded photos (of photos still current); failures are logged.
    pub fn decoded(&mut self, results: Vec<Decoded>) {
        for decoded in results {
            if self.tried.get(&decoded.contact) != Some(&decoded.fingerprint) {
                continue;
            }
            match decoded.result {
                Ok(picture) => {
                    self.shown
                        .insert(decoded.contact, (decoded.fingerprint, picture.handle));
                }
                Err(e) => tracing::warn!(
                    contact = decoded.contact.0,
                    "the contact's photo is not shown (letter avatar instead): {e}"
                ),
            }
        }
    }

    /// The photo of `contact`, if one is decoded.
    pub fn get(&self, contact: Option<ContactId>) -> Option<&Handle> {
        contact
            .and_then(|id| self.shown.get(&id))
            .map(|(_, handle)| handle)
    }
}

/// Decodes photos (blocking: run off the UI thread).
pub fn decode_all(jobs: Vec<PhotoJob>) -> Vec<Decoded> {
    jobs.into_iter()
        .map(|job| Decoded {
            contact: job.contact,
            fingerprint: job.fingerprint,
            result: decode_photo(&job.uri),
        })
        .collect()
}

/// A `data:` URI's photo, cropped to a round of [`PHOTO_SIDE`] (made round
/// here, as the letter avatars are: the software renderer draws images
/// with square corners).
pub fn decode_photo(uri: &str) -> Result<Picture, PictureError> {
    let bytes = data_uri_bytes(uri)?;
    let image = picture::decode_image(&bytes, MAX_PHOTO_PIXELS)?;
    let mut square = picture::scaled(image, Fit::Square(PHOTO_SIDE));
    round(&mut square);
    Ok(picture::drawable(square))
}

/// Makes the corners of a square picture transparent, leaving a disc with
/// a soft one-pixel edge.
fn round(square: &mut ::image::RgbaImage) {
    let radius = square.width() as f32 / 2.0;
    for (x, y, pixel) in square.enumerate_pixels_mut() {
        let dx = x as f32 + 0.5 - radius;
        let dy = y as f32 + 0.5 - radius;
        let cover = (radius - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0);
        pixel.0[3] = (f32::from(pixel.0[3]) * cover).round() as u8;
    }
}

/// The content of a base64 `data:` URI, at most [`MAX_PHOTO_BYTES`].
pub fn data_uri_bytes(uri: &str) -> Result<Vec<u8>, PictureError> {
    let uri = uri.trim();
    let rest = uri
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("data:"))
        .and_then(|_| uri.get(5..))
        .ok_or(PictureError::NotData)?;
    let (header, content) = rest.split_once(',').ok_or(PictureError::NotData)?;
    if !header
        .rsplit(';')
        .next()
        .is_some_and(|last| last.trim().eq_ignore_ascii_case("base64"))
    {
        return Err(PictureError::NotData);
    }
    let encoded: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    // Four base64 characters carry three bytes.
    let bytes = encoded.len() / 4 * 3;
    if bytes > MAX_PHOTO_BYTES {
        return Err(PictureError::TooManyBytes {
            bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
            limit: MAX_PHOTO_BYTES as u64,
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded.as_bytes())
        .map_err(|e| PictureError::Base64(e.to_string()))
}

fn fingerprint(uri: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    uri.hash(&mut hasher);
    hasher.finish()
}

/// The avatar of `name`: its photo, else its first letter coloured by
/// `seed`.
pub fn view<'a, Message: 'a>(name: &str, seed: &str, photo: Option<&Handle>) -> Element<'a, Message> {
    sized(name, seed, photo, theme::AVATAR_SIZE)
}

/// The avatar at `side` logical pixels (the letter avatar keeps its size).
pub fn sized<'a, Message: 'a>(
    name: &str,
    seed: &str,
    photo: Option<&Handle>,
    side: f32,
) -> Element<'a, Message> {
    match photo {
        Some(handle) => container(
            image(handle.clone())
                .width(Length::Fixed(side))
                .height(Length::Fixed(side))
                .border_radius(side / 2.0),
        )
        .width(side)
        .height(side)
        .into(),
        None => widget::avatar(name, seed),
    }
}

#[cfg(test)]
mod tests;
